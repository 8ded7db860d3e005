/* Where this user's fork servers that outlive commands live, how a command finds the one it may
 * use, starts it when there is none, and how `ftstress server` lists and stops them. */
#ifndef FTSTRESS_SERVER_REGISTRY_H
#define FTSTRESS_SERVER_REGISTRY_H

#include <stdio.h>
#include <sys/types.h>

#include "strlist.h"

#define FT_SERVER_IDLE_DEFAULT 300.0 /* seconds a server waits for the next command */
#define FT_SERVER_MAX 4               /* servers kept at once; starting another ends the least recently used */

/* The user's server folder, $XDG_RUNTIME_DIR/ftstress or else /tmp/ftstress-UID, made if missing
 * and refused unless it is a directory owned by the user and closed to others. NULL, with the
 * reason in *why (malloc'd), when it cannot be used. */
char *ft_server_dir(char **why);

/* The key a server is found by (16 hex digits): everything its interpreter was started with and a
 * worker inherits from it — every loaded binary and library (device, inode, size, modification
 * time: a rebuild changes it), the hash seed, the TSan options, the working folder, the scenario's
 * `env` and the command's environment. */
char *ft_server_key(unsigned long seed, const char *tsan_options, const ft_strlist *env);

/* Connects to the server DIR/KEY.sock, starting it first when no server answers there: `argv` is
 * the server's command line without --listen and --idle, `envp` its environment. Commands that
 * start one at the same time start one (a lock file); when FT_SERVER_MAX are running, the least
 * recently used is stopped first. Returns the socket, *started = 1 when this
 * command started it; -1 with the reason in *why. */
int ft_server_connect(const char *dir, const char *key, char *const *argv, char *const *envp, int *started,
                      char **why);

/* The idle time from FTSTRESS_SERVER_IDLE (seconds), else FT_SERVER_IDLE_DEFAULT. */
double ft_server_idle_seconds(void);

/* `ftstress server list`: one line per running server. `stop`: ends each (SIGTERM), returns how
 * many were stopped. Both skip pid files whose process is not one of this user's servers. */
int ft_server_list(FILE *out);
int ft_server_stop_all(FILE *out);

#endif
