/* Spawning a worker process (posix_spawn of this same binary) and the supervisor's ends of it.
 * The supervisor may have threads of TSan's own, so it never forks: posix_spawn only. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "xalloc.h"

extern char **environ;

/* Moves a descriptor to 10 or above, close-on-exec, so that the child's dup2 onto 3..9 can never
 * collide with a descriptor that already has that number. */
static int high_fd(int fd)
{
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

static int pipe_high(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    fds[0] = high_fd(fds[0]);
    fds[1] = high_fd(fds[1]);
    return fds[0] < 0 || fds[1] < 0 ? -1 : 0;
}

static size_t env_key_len(const char *kv)
{
    const char *eq = strchr(kv, '=');
    return eq ? (size_t)(eq - kv) : strlen(kv);
}

char **ft_env_merge(char *const *extra)
{
    size_t n = 0, m = 0, k = 0;
    char **env;

    while (environ[n])
        n++;
    while (extra && extra[m])
        m++;
    env = ft_xcalloc(n + m + 1, sizeof *env);
    for (size_t i = 0; i < n; i++) {
        int overridden = 0;
        for (size_t j = 0; j < m && !overridden; j++)
            overridden = env_key_len(environ[i]) == env_key_len(extra[j]) &&
                         !strncmp(environ[i], extra[j], env_key_len(extra[j]));
        if (!overridden)
            env[k++] = ft_xstrdup(environ[i]);
    }
    for (size_t j = 0; j < m; j++) {
        /* A later duplicate in `extra` wins: drop the earlier one. */
        for (size_t i = 0; i < k; i++)
            if (env_key_len(env[i]) == env_key_len(extra[j]) && !strncmp(env[i], extra[j], env_key_len(extra[j]))) {
                free(env[i]);
                env[i] = env[--k];
            }
        env[k++] = ft_xstrdup(extra[j]);
    }
    env[k] = NULL;
    return env;
}

void ft_env_free(char **env)
{
    for (size_t i = 0; env && env[i]; i++)
        free(env[i]);
    free(env);
}

/* A memfd holding `text`, read from its start by the child. -1 with errno on failure. */
static int text_fd(const char *text)
{
    size_t len = strlen(text), off = 0;
    int fd = memfd_create("ftstress-scenario", MFD_CLOEXEC);
    if (fd < 0 || (fd = high_fd(fd)) < 0)
        return -1;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void ft_proc_close_fds(int fds[FT_FORK_NFDS])
{
    for (int i = 0; i < FT_FORK_NFDS; i++)
        if (fds[i] >= 0) {
            close(fds[i]);
            fds[i] = -1;
        }
}

int ft_proc_prepare(ft_proc *p, int child[FT_FORK_NFDS], const char *log_path, const char *scenario)
{
    int ev[2] = {-1, -1}, rep[2] = {-1, -1}, st[2] = {-1, -1}, ctl[2] = {-1, -1}, status_fd = -1, scen_fd = -1;
    int log_fd = -1, err;

    *p = (ft_proc){.pid = -1, .events_fd = -1, .reports_fd = -1, .stacks_fd = -1, .control_fd = -1};
    for (int i = 0; i < FT_FORK_NFDS; i++)
        child[i] = -1;
    if (pipe_high(ev) < 0 || pipe_high(rep) < 0 || pipe_high(st) < 0 || pipe_high(ctl) < 0)
        goto fail;
    if ((scen_fd = text_fd(scenario ? scenario : "")) < 0)
        goto fail;
    log_fd = log_path ? open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
                      : fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
    if (log_fd < 0 || (log_fd = high_fd(log_fd)) < 0)
        goto fail;
    status_fd = memfd_create("ftstress-status", MFD_CLOEXEC);
    if (status_fd < 0 || (status_fd = high_fd(status_fd)) < 0 || ftruncate(status_fd, sizeof(ft_status)) < 0)
        goto fail;
    p->status = mmap(NULL, sizeof(ft_status), PROT_READ | PROT_WRITE, MAP_SHARED, status_fd, 0);
    if (p->status == MAP_FAILED) {
        p->status = NULL;
        goto fail;
    }
    atomic_store(&p->status->round, -1);
    child[FT_FORK_EVENTS] = ev[1], child[FT_FORK_REPORTS] = rep[1], child[FT_FORK_STACKS] = st[1];
    child[FT_FORK_STATUS] = status_fd, child[FT_FORK_CONTROL] = ctl[0], child[FT_FORK_LOG] = log_fd;
    child[FT_FORK_SCENARIO] = scen_fd;
    p->events_fd = ev[0], p->reports_fd = rep[0], p->stacks_fd = st[0], p->control_fd = ctl[1];
    return 0;
fail:
    err = errno;
    for (int i = 0; i < 2; i++) {
        if (ev[i] >= 0) close(ev[i]);
        if (rep[i] >= 0) close(rep[i]);
        if (st[i] >= 0) close(st[i]);
        if (ctl[i] >= 0) close(ctl[i]);
    }
    if (status_fd >= 0)
        close(status_fd);
    if (scen_fd >= 0)
        close(scen_fd);
    if (log_fd >= 0)
        close(log_fd);
    errno = err;
    return -1;
}

int ft_proc_spawn(ft_proc *p, char *const *args, char *const *extra_env, const char *log_path, const char *scenario)
{
    static const int targets[FT_FORK_NFDS] = {FT_FD_EVENTS, FT_FD_REPORTS, FT_FD_STACKS, FT_FD_STATUS,
                                              FT_FD_CONTROL, FT_FD_SCENARIO, STDOUT_FILENO};
    int child[FT_FORK_NFDS];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    char **argv = NULL, **env = NULL;
    size_t nargs = 0;
    int err;

    if (ft_proc_prepare(p, child, log_path, scenario) < 0)
        return -1;
    while (args[nargs])
        nargs++;
    argv = ft_xcalloc(nargs + 3, sizeof *argv);
    argv[0] = (char *)ft_self_exe();
    argv[1] = "__worker";
    memcpy(argv + 2, args, nargs * sizeof *argv);
    env = ft_env_merge(extra_env);

    posix_spawn_file_actions_init(&fa);
    for (int i = 0; i < FT_FORK_NFDS; i++)
        posix_spawn_file_actions_adddup2(&fa, child[i], targets[i]);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    err = posix_spawn(&p->pid, argv[0], &fa, &attr, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ft_proc_close_fds(child);
    free(argv);
    ft_env_free(env);
    if (err) {
        p->pid = -1;
        ft_proc_close(p);
        errno = err;
        return -1;
    }
    return 0;
}

int ft_proc_wait(pid_t pid, int forked, int *wstatus, struct rusage *usage)
{
    for (int tries = 0; wait4(pid, wstatus, 0, usage) < 0; tries++) {
        struct timespec pause = {0, 1000000};
        if (errno == EINTR)
            continue;
        if (errno != ECHILD || !forked || tries >= 5000)
            return -1;
        nanosleep(&pause, NULL);
    }
    return 0;
}

void ft_proc_close(ft_proc *p)
{
    int *fds[] = {&p->events_fd, &p->reports_fd, &p->stacks_fd, &p->control_fd};
    for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    if (p->status) {
        munmap(p->status, sizeof(ft_status));
        p->status = NULL;
    }
}

int ft_run_command(char *const *argv, char *const *extra_env, char *output, size_t n)
{
    posix_spawn_file_actions_t fa;
    char **env = ft_env_merge(extra_env);
    int out[2] = {-1, -1}, status = 0, err;
    pid_t pid;
    size_t got = 0;

    posix_spawn_file_actions_init(&fa);
    if (output) {
        if (pipe_high(out) < 0) {
            ft_env_free(env);
            return -1;
        }
        posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    }
    err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    ft_env_free(env);
    if (output) {
        close(out[1]);
        /* Past `n` bytes the rest is read and dropped: a child writing more must not die of SIGPIPE. */
        while (!err) {
            char sink[4096];
            ssize_t r = got + 1 < n ? read(out[0], output + got, n - 1 - got) : read(out[0], sink, sizeof sink);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            if (got + 1 < n)
                got += (size_t)r;
        }
        output[got] = '\0';
        close(out[0]);
    }
    if (err)
        return -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
