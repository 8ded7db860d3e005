/* Zygotes (zygote.h): a fork of the server that has prepared one scenario — read, compiled, its
 * site folders on sys.path, its modules imported — and forks that scenario's workers from there.
 *
 * Why it keeps rounds fresh: a zygote runs nothing of the target but its imports, exactly the
 * imports each worker would run first and alone, and never calls into it; every worker is a fork,
 * so whatever the rounds do to module state dies with that worker. A first-use race (lazy state
 * made by the first call) is as visible as in a worker that imported for itself. What differs:
 * import-time output goes to the server's log, not the worker's; a module that remembers its
 * process at import (os.getpid() in a module global) remembers the zygote's. A module whose
 * import starts a thread or keeps a descriptor open would share that across workers, so such a
 * scenario gets no zygote (said in the server's log) and its workers are forked as before.
 *
 * Each worker goes through a middle process, as the server's own workers do, and so ends up the
 * child of the process that waits for workers: the supervisor (a child subreaper) for a server of
 * the command's own, the connection's handler (also a subreaper) for a server kept between
 * commands. */
#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <Python.h>

#include "exit_codes.h"
#include "fork_protocol.h"
#include "fork_request.h"
#include "worker.h"
#include "worker_fds.h"

#define ZYGOTE_MAX 4              /* scenarios with a zygote at once per serving process */
#define ZYGOTE_ANSWER_MS 20000    /* a first answer waits for the imports; the supervisor waits 30 s */
#define UNFIT_MAX 64

typedef struct zygote {
    uint64_t key; /* the scenario and every worker argument but the per-worker ones */
    pid_t pid;    /* 0: a free slot */
    int sock;
    unsigned long used;
} zygote;

struct ft_zygotes {
    pid_t reaper, client;
    zygote slot[ZYGOTE_MAX];
    unsigned long clock;
    uint64_t unfit[UNFIT_MAX]; /* scenarios whose zygote failed: forked as before from then on */
    size_t nunfit;
    pid_t *started; /* every zygote's pid, for ft_zygotes_owns */
    size_t nstarted, capstarted;
};

ft_zygotes *ft_zygotes_new(pid_t reaper, pid_t client)
{
    ft_zygotes *z = calloc(1, sizeof *z);
    if (z) {
        z->reaper = reaper;
        z->client = client;
    }
    return z;
}

/* --- the request's key ---------------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/* Whether the argument block asks for a zygote, and its key: the arguments without those that
 * differ from worker to worker of one scenario (options' values, and flags that a zygote's
 * preparation never reads: whether an earlier worker sent the targets, whether this is the
 * command's last worker), then the resolved scenario's text. */
static int request_key(const char *buf, size_t len, int scenario_fd, uint64_t *key)
{
    static const char *const per_worker[] = {"--first-round", "--rounds", "--spawned-ns"};
    static const char *const per_worker_flags[] = {"--targets-known", "--last-request"};
    uint64_t h = 14695981039346656037ULL;
    int asks = 0, skip = 0;
    for (size_t off = 0; off < len; off += strlen(buf + off) + 1) {
        const char *arg = buf + off;
        asks |= !strcmp(arg, "--zygote");
        for (size_t i = 0; i < sizeof per_worker_flags / sizeof *per_worker_flags; i++)
            skip |= !strcmp(arg, per_worker_flags[i]);
        if (!skip)
            h = fnv(h, arg, strlen(arg) + 1);
        skip = 0;
        for (size_t i = 0; i < sizeof per_worker / sizeof *per_worker; i++)
            skip |= !strcmp(arg, per_worker[i]);
    }
    if (!asks)
        return 0;
    char chunk[8192];
    ssize_t n;
    off_t at = 0;
    while ((n = pread(scenario_fd, chunk, sizeof chunk, at)) > 0) {
        h = fnv(h, chunk, (size_t)n);
        at += n;
    }
    if (n < 0)
        return 0;
    *key = h;
    return 1;
}

/* --- the zygote process --------------------------------------------------------------------- */

static int open_descriptors(void)
{
    int n = ft_proc_self_count("fd");
    return n < 0 ? n : n - 1; /* the listing's own */
}

/* A worker forked from the zygote: fresh from the preparation, its request's descriptors in place. */
static void __attribute__((noreturn)) become_worker(ft_worker_prepared *p, int sock, int fds[FT_FORK_NFDS], int argc,
                                                    char **argv, pid_t reaper, pid_t client)
{
    PyOS_AfterFork_Child();
    close(sock);
    if (reaper) {
        /* the middle process exits at once; then the handler is the parent, and the worker dies with it */
        struct timespec pause = {0, 200000};
        for (int i = 0; i < 25000 && getppid() != reaper; i++)
            nanosleep(&pause, NULL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != reaper)
            _exit(FT_EXIT_CANNOT_RUN);
        if (client > 0)
            (void)prctl(PR_SET_PTRACER, (unsigned long)client);
    }
    setpgid(0, 0); /* its own process group, as every worker: the supervisor kills it by group */
    if (ft_fork_place_descriptors(fds) < 0)
        _exit(FT_EXIT_CANNOT_RUN);
    _exit(ft_worker_prepared_main(p, argc, argv));
}

/* Forks one worker through a middle process, which answers on `sock` with the worker's pid. */
static void fork_one(ft_worker_prepared *p, int sock, int fds[FT_FORK_NFDS], int argc, char **argv, pid_t reaper,
                     pid_t client)
{
    PyOS_BeforeFork();
    pid_t middle = fork();
    if (middle == 0) {
        /* The middle only forks again: the worker below runs CPython's after-fork work once. */
        pid_t w = fork();
        if (w == 0)
            become_worker(p, sock, fds, argc, argv, reaper, client);
        ft_fork_message reply = {.type = FT_FORK_STARTED, .pid = w > 0 ? (int)w : 0, .error = w > 0 ? 0 : errno};
        _exit(send(sock, &reply, sizeof reply, MSG_NOSIGNAL) == (ssize_t)sizeof reply ? 0 : 1);
    }
    int err = errno;
    PyOS_AfterFork_Parent();
    if (middle < 0) {
        ft_fork_message reply = {.type = FT_FORK_STARTED, .error = err};
        (void)send(sock, &reply, sizeof reply, MSG_NOSIGNAL);
        return;
    }
    while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
        ;
}

static void __attribute__((noreturn)) zygote_main(int sock, const char *buf, size_t len, const int fds[FT_FORK_NFDS],
                                                  pid_t parent, pid_t reaper, pid_t client)
{
    static char request[FT_REQUEST_MAX];
    char *argv[1024], *first = malloc(len + 1);

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent || !first)
        _exit(FT_EXIT_CANNOT_RUN);
    PyOS_AfterFork_Child();
    /* Nothing of the first request but its scenario: its worker gets the descriptors later, and
     * the command's connection is the server's. */
    close(FT_FD_SERVER);
    for (int i = 0; i < FT_FORK_NFDS; i++)
        if (i != FT_FORK_SCENARIO)
            close(fds[i]);
    /* No supervisor reads this process: what preparing would report is dropped, and a worker
     * forked without the zygote reports it. */
    ft_worker_fd = (ft_worker_fds){-1, -1, -1, -1};
    /* above the numbers a worker's descriptors take, so that reading it closes it (worker.c parks FT_FD_SCENARIO) */
    int scenario = fcntl(fds[FT_FORK_SCENARIO], F_DUPFD_CLOEXEC, 16);
    close(fds[FT_FORK_SCENARIO]);
    if (scenario < 0)
        _exit(FT_EXIT_CANNOT_RUN);
    int threads = ft_thread_count(), descriptors = open_descriptors() - 1; /* the scenario's is closed */
    memcpy(first, buf, len);
    first[len] = '\0';
    int argc = ft_fork_split_args(first, len, argv, (int)(sizeof argv / sizeof *argv));
    ft_worker_prepared *p = ft_worker_prepare(argc, argv, scenario);
    if (!p)
        _exit(FT_EXIT_CANNOT_RUN);
    if (ft_thread_count() != threads || open_descriptors() > descriptors) {
        fprintf(stderr, "ftstress fork server: the imports of a scenario started a thread or kept a descriptor "
                        "open; its workers are forked without a zygote\n");
        _exit(FT_EXIT_CANNOT_RUN);
    }
    for (;;) {
        int rfds[FT_FORK_NFDS];
        char *wargv[1024];
        ssize_t n = ft_fork_receive(sock, request, sizeof request, rfds);
        if (n <= 0)
            _exit(n == 0 ? 0 : FT_EXIT_CANNOT_RUN); /* the server closed it, or sent nonsense */
        int wargc = ft_fork_split_args(request, (size_t)n, wargv, (int)(sizeof wargv / sizeof *wargv));
        fork_one(p, sock, rfds, wargc, wargv, reaper, client);
        for (int i = 0; i < FT_FORK_NFDS; i++)
            close(rfds[i]);
    }
}

/* --- the server's side ---------------------------------------------------------------------- */

static void retire(zygote *zy)
{
    if (zy->pid > 0)
        close(zy->sock); /* it exits at the closed socket */
    *zy = (zygote){0};
}

static void mark_unfit(ft_zygotes *z, uint64_t key)
{
    if (z->nunfit < UNFIT_MAX)
        z->unfit[z->nunfit++] = key;
}

static int is_unfit(const ft_zygotes *z, uint64_t key)
{
    for (size_t i = 0; i < z->nunfit; i++)
        if (z->unfit[i] == key)
            return 1;
    return 0;
}

static zygote *start_zygote(ft_zygotes *z, uint64_t key, const char *buf, size_t len, const int fds[FT_FORK_NFDS])
{
    zygote *slot = &z->slot[0];
    for (int i = 1; i < ZYGOTE_MAX && slot->pid; i++) /* a free slot, else the least recently used */
        if (!z->slot[i].pid || z->slot[i].used < slot->used)
            slot = &z->slot[i];
    if (z->nstarted == z->capstarted) {
        size_t cap = z->capstarted ? 2 * z->capstarted : 8;
        pid_t *more = realloc(z->started, cap * sizeof *more);
        if (!more)
            return NULL;
        z->started = more;
        z->capstarted = cap;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return NULL;
    retire(slot);
    pid_t parent = getpid();
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        zygote_main(sv[1], buf, len, fds, parent, z->reaper, z->client);
    }
    PyOS_AfterFork_Parent();
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return NULL;
    }
    z->started[z->nstarted++] = pid;
    *slot = (zygote){.key = key, .pid = pid, .sock = sv[0]};
    return slot;
}

/* The zygote's answer to a forwarded request, within ZYGOTE_ANSWER_MS. -1 when none came. */
static int answer(int sock, ft_fork_message *m)
{
    struct pollfd p = {.fd = sock, .events = POLLIN};
    int ready;
    ssize_t n;
    while ((ready = poll(&p, 1, ZYGOTE_ANSWER_MS)) < 0 && errno == EINTR)
        ;
    if (ready <= 0)
        return -1;
    while ((n = recv(sock, m, sizeof *m, 0)) < 0 && errno == EINTR)
        ;
    return n == (ssize_t)sizeof *m && m->type == FT_FORK_STARTED ? 0 : -1;
}

pid_t ft_zygote_start_worker(ft_zygotes *z, const char *buf, size_t len, const int fds[FT_FORK_NFDS])
{
    uint64_t key;
    zygote *zy = NULL;
    ft_fork_message m;

    if (!z || !request_key(buf, len, fds[FT_FORK_SCENARIO], &key) || is_unfit(z, key))
        return 0;
    for (int i = 0; i < ZYGOTE_MAX && !zy; i++)
        if (z->slot[i].pid > 0 && z->slot[i].key == key)
            zy = &z->slot[i];
    if (!zy && !(zy = start_zygote(z, key, buf, len, fds)))
        return 0;
    zy->used = ++z->clock;
    if (ft_fork_forward(zy->sock, buf, len, fds) < 0 || answer(zy->sock, &m) < 0) {
        /* it could not prepare, took too long, or died: this scenario's workers fork as before */
        kill(zy->pid, SIGKILL);
        retire(zy);
        mark_unfit(z, key);
        return 0;
    }
    if (m.pid <= 0) {
        errno = m.error;
        return 0;
    }
    return (pid_t)m.pid;
}

int ft_zygotes_owns(ft_zygotes *z, pid_t pid)
{
    for (size_t i = 0; z && i < z->nstarted; i++)
        if (z->started[i] == pid)
            return 1;
    return 0;
}

void ft_zygotes_free(ft_zygotes *z)
{
    if (!z)
        return;
    for (int i = 0; i < ZYGOTE_MAX; i++)
        retire(&z->slot[i]);
    free(z->started);
    free(z);
}
