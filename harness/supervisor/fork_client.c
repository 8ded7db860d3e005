/* The supervisor's side of the fork servers: start one per environment, ask it for workers.
 *
 * A scenario's `env` is read when the interpreter starts (PYTHON_GIL decides enable_gil), so a server
 * serves only scenarios with the same environment; a run usually needs one. A server that cannot be
 * started or stops answering is said once and never asked again: its scenarios get spawned workers,
 * which find exactly the same things, only slower. */
#include "fork_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "fork_protocol.h"
#include "log.h"
#include "server_registry.h"
#include "tsan_options.h"
#include "xalloc.h"

#define REQUEST_MAX 65536            /* the server's request buffer (fork_server.c) */
#define FIRST_ANSWER_MS 120000       /* the first answer waits for the server's interpreter start-up */
#define ANSWER_MS 30000

typedef struct server {
    char *key; /* the environment it runs with, one "K=V" per line */
    pid_t pid; /* a server of this command's own; -1 for one that outlives commands */
    int sock;
    int answered; /* it has answered a request: its interpreter is up */
    int broken;
    int detached; /* it outlives the command (server_daemon.c): it reports how its workers end */
} server;

/* A worker of a detached server, until the command has waited for it. */
typedef struct detached_worker {
    pid_t pid;
    size_t server;
    int ended;
    ft_fork_message end; /* FT_FORK_EXITED, once ended */
} detached_worker;

struct ft_fork_servers {
    server *items;
    size_t count;
    char *log_dir;
    char *tsan_options;
    unsigned long seed;
    int outlive; /* use (and start) servers that outlive the command */
    detached_worker *workers;
    size_t nworkers;
};

ft_fork_servers *ft_fork_servers_new(const char *log_dir, unsigned long seed, const char *tsan_options, int outlive)
{
    ft_fork_servers *fs = ft_xcalloc(1, sizeof *fs);
    fs->log_dir = ft_xstrdup(log_dir);
    fs->tsan_options = ft_xstrdup(tsan_options);
    fs->seed = seed;
    fs->outlive = outlive;
    /* Forked workers are grandchildren of ours whose middle process exits: as a subreaper we become
     * their parent, so they are waited for and traced like spawned ones. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        ft_warn("cannot become a child subreaper (%s): workers are spawned, not forked", strerror(errno));
    return fs;
}

static void stop_server(server *s)
{
    if (s->sock >= 0)
        close(s->sock); /* the server's loop ends at EOF */
    s->sock = -1;
    if (s->pid > 0) {
        if (s->broken)
            kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    s->pid = -1;
}

static void give_up(server *s, const char *why)
{
    ft_warn("the fork server%s %s; its scenarios' workers are spawned instead (slower start-up, the same findings)",
            s->detached ? " that outlives commands" : "", why);
    s->broken = 1;
    stop_server(s);
}

static char *env_key(const ft_strlist *env)
{
    return ft_strlist_join(env, "\n");
}

/* A server's environment: this command's, its TSan options with the server's own log, and the
 * scenario's `env`; a server of this command's own also learns the command's pid. */
static char **server_env(const ft_fork_servers *fs, const ft_strlist *env, const char *tsan_log, int own)
{
    char **extra = ft_xcalloc(env->count + 3, sizeof *extra), **envp;
    char *quoted = ft_tsan_quoted(tsan_log), parent[48];
    size_t ne = 0;
    extra[ne++] = ft_xasprintf("TSAN_OPTIONS=%s log_path=%s", fs->tsan_options, quoted);
    snprintf(parent, sizeof parent, "FTSTRESS_SUPERVISOR_PID=%d", (int)getpid());
    if (own)
        extra[ne++] = parent;
    for (size_t i = 0; i < env->count; i++)
        extra[ne++] = env->items[i];
    envp = ft_env_merge(extra);
    free(extra[0]);
    free(extra);
    free(quoted);
    return envp;
}

static int start_server(ft_fork_servers *fs, server *s, const ft_strlist *env)
{
    int sv[2];
    char seed[32];
    char *argv[] = {(char *)ft_self_exe(), "__worker", "--serve", "--seed", seed, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int err;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    snprintf(seed, sizeof seed, "%lu", fs->seed);
    char *log_path = ft_xasprintf("%s/fork-server-tsan", fs->log_dir);
    char **envp = server_env(fs, env, log_path, 1);
    char *log = ft_xasprintf("%s/fork-server-%zu.log", fs->log_dir, (size_t)(s - fs->items) + 1);
    free(log_path);

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], FT_FD_SERVER);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    err = posix_spawn(&s->pid, argv[0], &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ft_env_free(envp);
    free(log);
    close(sv[1]);
    if (err) {
        close(sv[0]);
        s->pid = -1;
        errno = err;
        return -1;
    }
    s->sock = sv[0];
    return 0;
}

/* Connects to the server that outlives commands for this environment, starting it if needed
 * (server_registry.c). -1 when there is none to be had: the reason is said and this command
 * starts its own. */
static int start_detached(ft_fork_servers *fs, server *s, const ft_strlist *env)
{
    char *why = NULL, *dir = ft_server_dir(&why), *key = NULL;
    char seed[32];
    char *argv[] = {(char *)ft_self_exe(), "__worker", "--serve", "--seed", seed, NULL};
    int started = 0;

    snprintf(seed, sizeof seed, "%lu", fs->seed);
    if (dir) {
        key = ft_server_key(fs->seed, fs->tsan_options, env);
        char *tsan_log = ft_xasprintf("%s/%s.tsan", dir, key);
        char **envp = server_env(fs, env, tsan_log, 0);
        s->sock = ft_server_connect(dir, key, argv, envp, &started, &why);
        ft_env_free(envp);
        free(tsan_log);
    }
    if (s->sock < 0)
        ft_warn("no fork server that outlives this command (%s); this command starts its own", why ? why : "?");
    else
        ft_debug("fork server %s %s (%s/%s.log)", key, started ? "started" : "reused", dir, key);
    s->detached = s->sock >= 0;
    free(why);
    free(dir);
    free(key);
    return s->detached ? 0 : -1;
}

static server *server_for(ft_fork_servers *fs, const ft_strlist *env)
{
    char *key = env_key(env);
    for (size_t i = 0; i < fs->count; i++)
        if (!strcmp(fs->items[i].key, key)) {
            free(key);
            return &fs->items[i];
        }
    fs->items = ft_xrealloc(fs->items, (fs->count + 1) * sizeof *fs->items);
    server *s = &fs->items[fs->count++];
    *s = (server){.key = key, .pid = -1, .sock = -1};
    if (fs->outlive && start_detached(fs, s, env) == 0)
        return s;
    if (start_server(fs, s, env) < 0) {
        ft_warn("cannot start a fork server (%s); workers are spawned instead", strerror(errno));
        s->broken = 1;
    } else
        ft_debug("fork server %d started", (int)s->pid);
    return s;
}

/* The worker's arguments, NUL-separated, as the server splits them. -1 if too long for a request. */
static ssize_t pack_args(char *const *args, char *buf, size_t size)
{
    size_t off = 0;
    for (size_t i = 0; args[i]; i++) {
        size_t n = strlen(args[i]) + 1;
        if (off + n > size)
            return -1;
        memcpy(buf + off, args[i], n);
        off += n;
    }
    return (ssize_t)off;
}

static int send_request(server *s, const char *buf, size_t len, const int fds[FT_FORK_NFDS])
{
    union {
        char space[CMSG_SPACE(sizeof(int) * FT_FORK_NFDS)];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                         .msg_controllen = sizeof control.space};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    ssize_t n;

    memset(control.space, 0, sizeof control.space);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * FT_FORK_NFDS);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * FT_FORK_NFDS);
    while ((n = sendmsg(s->sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    return n == (ssize_t)len ? 0 : -1;
}

/* Reads one message of server s, waiting at most `ms` (-1: as long as it takes). A worker's end
 * is kept for ft_fork_servers_wait; 0, or -1 when nothing (readable) came. */
static int read_message(ft_fork_servers *fs, server *s, ft_fork_message *m, int ms)
{
    struct pollfd p = {.fd = s->sock, .events = POLLIN};
    int ready;
    ssize_t n;
    while ((ready = poll(&p, 1, ms)) < 0 && errno == EINTR)
        ;
    if (ready <= 0)
        return -1;
    while ((n = recv(s->sock, m, sizeof *m, 0)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof *m)
        return -1;
    if (m->type == FT_FORK_EXITED)
        for (size_t i = 0; i < fs->nworkers; i++)
            if (fs->workers[i].pid == m->pid && fs->workers[i].server == (size_t)(s - fs->items)) {
                fs->workers[i].ended = 1;
                fs->workers[i].end = *m;
            }
    return 0;
}

/* The answer to a request (a detached server's reports of ended workers may come first). */
static int read_reply(ft_fork_servers *fs, server *s, ft_fork_message *r)
{
    do
        if (read_message(fs, s, r, s->answered ? ANSWER_MS : FIRST_ANSWER_MS) < 0)
            return -1;
    while (r->type != FT_FORK_STARTED);
    return 0;
}

int ft_fork_servers_start_worker(ft_fork_servers *fs, const ft_strlist *env, ft_proc *p, char *const *args,
                                 const char *log_path, const char *scenario, const char *tsan_log)
{
    server *s = server_for(fs, env);
    int child[FT_FORK_NFDS];
    char *buf;
    ssize_t len;
    ft_fork_message reply = {0};

    if (s->broken)
        return -1;
    buf = ft_xmalloc(REQUEST_MAX);
    len = pack_args(args, buf, REQUEST_MAX - 512);
    if (len >= 0 && tsan_log) {
        /* the TSan log path goes last: the server-side worker reads it like any other option */
        char *extra[] = {"--tsan-log", (char *)tsan_log, NULL};
        ssize_t more = pack_args(extra, buf + len, REQUEST_MAX - (size_t)len);
        len = more < 0 ? -1 : len + more;
    }
    if (len < 0) {
        free(buf);
        ft_debug("worker arguments too long for a fork request; spawning");
        return -1;
    }
    if (ft_proc_prepare(p, child, log_path, scenario) < 0) {
        free(buf);
        return -1;
    }
    int sent = send_request(s, buf, (size_t)len, child);
    ft_proc_close_fds(child); /* the server has its own copies now (or never will) */
    free(buf);
    if (sent < 0 || read_reply(fs, s, &reply) < 0) {
        give_up(s, sent < 0 ? "cannot be reached" : "did not answer");
        ft_proc_close(p);
        return -1;
    }
    s->answered = 1;
    if (reply.pid <= 0) {
        errno = reply.error;
        give_up(s, reply.error == EDEADLK ? "has more than one thread, so forking it is not safe"
                                          : "could not fork a worker");
        ft_proc_close(p);
        return -1;
    }
    p->pid = reply.pid;
    if (s->detached) {
        fs->workers = ft_xrealloc(fs->workers, (fs->nworkers + 1) * sizeof *fs->workers);
        fs->workers[fs->nworkers++] = (detached_worker){.pid = reply.pid, .server = (size_t)(s - fs->items)};
    }
    return 0;
}

int ft_fork_servers_wait(ft_fork_servers *fs, pid_t pid, int *wstatus, struct rusage *usage)
{
    size_t i;
    for (i = 0; fs && i < fs->nworkers && fs->workers[i].pid != pid; i++)
        ;
    if (!fs || i == fs->nworkers)
        return 1; /* a worker of this command's own server, or spawned: its parent is this process */
    server *s = &fs->items[fs->workers[i].server];
    while (!fs->workers[i].ended) {
        ft_fork_message m;
        if (s->sock < 0 || read_message(fs, s, &m, -1) < 0) {
            ft_warn("the fork server stopped answering before worker %d ended; its exit status is unknown", (int)pid);
            fs->workers[i] = fs->workers[--fs->nworkers];
            errno = ECHILD;
            return -1;
        }
    }
    if (wstatus)
        *wstatus = fs->workers[i].end.wstatus;
    if (usage)
        *usage = fs->workers[i].end.usage;
    fs->workers[i] = fs->workers[--fs->nworkers];
    return 0;
}

void ft_fork_servers_free(ft_fork_servers *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->count; i++) {
        stop_server(&fs->items[i]);
        free(fs->items[i].key);
    }
    free(fs->items);
    free(fs->workers);
    free(fs->log_dir);
    free(fs->tsan_options);
    free(fs);
}
