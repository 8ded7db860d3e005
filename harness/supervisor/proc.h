/* Spawning a worker process (posix_spawn of this same binary) and the supervisor's ends of it. */
#ifndef FTSTRESS_PROC_H
#define FTSTRESS_PROC_H

#include <sys/resource.h>
#include <sys/types.h>

#include "worker_channel.h"

typedef struct ft_proc {
    pid_t pid;
    int events_fd;  /* read end */
    int reports_fd; /* read end */
    int stacks_fd;  /* read end */
    int control_fd; /* write end */
    ft_status *status;
} ft_proc;

/* Spawns `ftstress __worker ARGS...` in its own process group (a terminal's Ctrl-C reaches only the
 * supervisor), with the descriptors of worker_channel.h, `extra_env` ("K=V", may be NULL-ended
 * list) on top of the current environment, and stdout+stderr appended to `log_path` (or the
 * supervisor's own stderr when NULL). Returns 0, or -1 with errno. */
/* `scenario` (may be NULL) is handed over on FT_FD_SCENARIO. */
int ft_proc_spawn(ft_proc *p, char *const *args, char *const *extra_env, const char *log_path, const char *scenario);

/* Opens what a worker is started with: pipes, the status page (mapped into p->status), the
 * scenario's memfd and the log (stdout+stderr; NULL: the supervisor's stderr). The supervisor's ends
 * go into `p`, the worker's into `child` in FT_FORK_* order (close them with ft_proc_close_fds once
 * handed over). Returns 0, or -1 with errno and nothing left open. */
int ft_proc_prepare(ft_proc *p, int child[FT_FORK_NFDS], const char *log_path, const char *scenario);
void ft_proc_close_fds(int fds[FT_FORK_NFDS]);

/* Closes the supervisor's ends and unmaps the status page (does not wait or kill). */
void ft_proc_close(ft_proc *p);

/* Waits for a worker to end (EINTR retried). A forked worker becomes our child only when its middle
 * process has exited (fork_server.c), which may be a moment after its pipes closed, so with `forked`
 * ECHILD is retried for up to 5 s. Returns 0, or -1 with errno. */
int ft_proc_wait(pid_t pid, int forked, int *wstatus, struct rusage *usage);

/* Builds the environment for a worker: the current one, then each of `extra` (later wins).
 * Returns a malloc'd NULL-terminated array of malloc'd strings. */
char **ft_env_merge(char *const *extra);
void ft_env_free(char **env);

/* Runs a program to completion (posix_spawnp), stdout and stderr shared with ours unless
 * `output` is given, where stdout is captured (up to `n` bytes; the rest is read and dropped). Returns its exit status (128+sig
 * for a signal), or -1 if it could not start. */
int ft_run_command(char *const *argv, char *const *extra_env, char *output, size_t n);

#endif
