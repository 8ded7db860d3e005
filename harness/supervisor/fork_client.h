/* The supervisor's side of the fork servers: start one per environment, ask it for workers. */
#ifndef FTSTRESS_FORK_CLIENT_H
#define FTSTRESS_FORK_CLIENT_H

#include <sys/resource.h>
#include <sys/types.h>

#include "proc.h"
#include "strlist.h"

typedef struct ft_fork_servers ft_fork_servers;

/* A set of fork servers for one run; `log_dir` holds their own logs, `seed` is the run's hash seed.
 * The supervisor must be a child subreaper (it is set here) so that workers forked by its own
 * servers become its own children. `outlive`: use this user's servers that outlive commands
 * (server_daemon.h), starting one when none fits; its own server only where that fails. */
ft_fork_servers *ft_fork_servers_new(const char *log_dir, unsigned long seed, const char *tsan_options, int outlive);

/* Starts a worker for a scenario with environment `env` ("K=V" strings) from the server for that
 * environment (started on first use) as ft_proc_spawn would: `args` are the worker's arguments,
 * `tsan_log` its TSan log path (NULL: the server's). Returns 0, or -1 when no server can fork it (the reason is said
 * once per server): the caller spawns instead. */
int ft_fork_servers_start_worker(ft_fork_servers *fs, const ft_strlist *env, ft_proc *p, char *const *args,
                                 const char *log_path, const char *scenario, const char *tsan_log);

/* How worker `pid` ended, for a worker of a server that outlives commands (it is not this process's
 * child): 0 with *wstatus and *usage as wait4 gives them, -1 when the server could not say. 1 when
 * `pid` is not such a worker: the caller waits for it itself (ft_proc_wait). */
int ft_fork_servers_wait(ft_fork_servers *fs, pid_t pid, int *wstatus, struct rusage *usage);

/* Stops every server of this command's own and waits for it; lets go of those that outlive it. */
void ft_fork_servers_free(ft_fork_servers *fs);

#endif
