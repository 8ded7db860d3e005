/* Running a child with its output in a log file, bounded in time (see child_run.h). The callers'
 * processes may have threads of TSan's own, so this never forks: posix_spawn only. */
#include "child_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

extern char **environ;

static int spawn_logged(char **argv, const char *out_path, const char *err_path, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    int err = posix_spawn_file_actions_init(&fa);
    if (err)
        return err;
    err = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!err)
        err = err_path ? posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path,
                                                          O_WRONLY | O_CREAT | O_TRUNC, 0644)
                       : posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    if (!err)
        err = posix_spawn(pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return err;
}

int ft_child_run(char **argv, const char *out_path, const char *err_path, long budget_s, int *stopped)
{
    pid_t pid;
    int status = 0;
    int err = spawn_logged(argv, out_path, err_path, &pid);
    if (err) {
        errno = err;
        return -1;
    }
    if (stopped)
        *stopped = 0;
    if (budget_s <= 0) {
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
                return -1;
    } else {
        /* Polled, not a timer signal: the caller's signal handlers stay its own. 50 ms is far
         * below any budget a user gives in seconds. */
        int64_t deadline = ft_now_ns() + (int64_t)budget_s * 1000000000;
        int sent = 0;
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                break;
            if (w < 0 && errno != EINTR)
                return -1;
            if (!sent && ft_now_ns() > deadline) {
                kill(pid, SIGTERM);
                sent = 1;
                if (stopped)
                    *stopped = 1;
            }
            usleep(50000);
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
