/* The fork server: a worker with its interpreter up that forks a fresh worker per request.
 *
 * Starting a worker means starting an interpreter under TSan, 0.4-0.7 s; scenarios that need fresh
 * module state each round (first-use races, `rounds_per_worker: 1`) paid that every round. The
 * server pays it once per run and environment: each request forks a copy of the initialised
 * interpreter, which then behaves exactly as a spawned worker would (imports, setup_once, rounds),
 * so nothing the target does is ever inherited from an earlier worker.
 *
 * Fork is safe here because the server never runs a second thread and never runs target code: at
 * fork TSan sees one thread (so the child may start threads: no die_after_fork) and CPython's own
 * fork hooks (PyOS_BeforeFork/AfterFork_*) run around it, as os.fork() does. A request that finds
 * more than one thread in the server is refused, and the supervisor spawns instead.
 *
 * Each worker is forked twice and the middle process exits at once: the worker is then re-parented
 * to the supervisor (a child subreaper), which can wait for it, read its exit status and rusage,
 * and take its native stacks exactly as for a spawned worker. */
#include "fork_server.h"
#include "exit_codes.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <Python.h>

#include "exercise.h"
#include "fork_protocol.h"
#include "fork_request.h"
#include "server_daemon.h"
#include "spare_worker.h"
#include "worker.h"
#include "worker_channel.h"
#include "worker_python.h"
#include "zygote.h"

int ft_fork_server_adopt(void)
{
    const char *supervisor = getenv("FTSTRESS_SUPERVISOR_PID");
    pid_t want = supervisor ? (pid_t)atol(supervisor) : 0;
    struct timespec pause = {0, 200000};
    if (!want)
        return 0;
    for (int i = 0; i < 25000 && getppid() != want; i++) /* at most ~5 s; the middle exits at once */
        nanosleep(&pause, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != want)
        return -1;
    return 0;
}

static void __attribute__((noreturn)) become_worker(int fds[FT_FORK_NFDS], int argc, char **argv)
{
    PyOS_AfterFork_Child();
    setpgid(0, 0); /* its own process group, as a spawned worker: the supervisor kills it by group */
    if (ft_fork_place_descriptors(fds) < 0)
        _exit(FT_EXIT_CANNOT_RUN);
    _exit(ft_worker_forked_main(argc, argv));
}

/* A worker of a server that outlives the command: the command is not its ancestor, so it dies with
 * the connection's handler (its parent, which ends when the command does) and lets the command
 * trace it for native stacks where Yama restricts ptrace to ancestors (EINVAL without Yama). */
static void __attribute__((noreturn)) become_detached_worker(int fds[FT_FORK_NFDS], int argc, char **argv,
                                                             pid_t handler, pid_t client)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != handler)
        _exit(FT_EXIT_CANNOT_RUN);
    if (client > 0)
        (void)prctl(PR_SET_PTRACER, (unsigned long)client);
    become_worker(fds, argc, argv);
}

/* Forks the worker through a middle process, which answers the supervisor with the worker's pid and
 * exits: the server goes back to its requests at once and reaps middle processes as they end. The
 * worker is the supervisor's child once its middle process is gone (adopt_supervisor waits for it).
 * Returns 0, or -1 with errno when nothing was forked (the caller answers then). */
static int fork_worker(int fds[FT_FORK_NFDS], int argc, char **argv)
{
    pid_t middle;

    PyOS_BeforeFork();
    middle = fork();
    if (middle == 0) {
        PyOS_AfterFork_Child();
        PyOS_BeforeFork();
        pid_t w = fork();
        if (w == 0)
            become_worker(fds, argc, argv);
        ft_fork_message reply = {.type = FT_FORK_STARTED, .pid = w > 0 ? (int)w : 0, .error = w > 0 ? 0 : errno};
        _exit(send(FT_FD_SERVER, &reply, sizeof reply, MSG_NOSIGNAL) == (ssize_t)sizeof reply ? 0 : 1);
    }
    int err = errno;
    PyOS_AfterFork_Parent();
    errno = err;
    return middle > 0 ? 0 : -1;
}

/* What every worker does first and would otherwise pay for after each fork: the harness's own
 * imports (random for the threads' `rng`, traceback for exceptions, site for --site folders) and the
 * compiler's first use (about 50 ms under TSan). None of it is the target's: its state stays fresh. */
static void warm_up(void)
{
    PyObject *ns = PyDict_New(), *r = NULL;
    if (ns && PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) == 0)
        r = PyRun_String("import random, traceback, site, ast\n"
                         "compile(ast.parse('pass'), '<warm-up>', 'exec').replace(co_name='warm_up')\n"
                         "import gc; gc.freeze()\n",
                         Py_file_input, ns, ns);
    if (!r || ft_exercise_warm_up() < 0) {
        PyErr_Print(); /* a slower worker, nothing worse: each would do this itself */
        PyErr_Clear();
    }
    Py_XDECREF(r);
    r = NULL;
    /* FTSTRESS_SERVER_IMPORTS (a scenario's `env`, so only its own server): modules that are tools,
     * not the target, imported once here instead of in every worker; `ftstress run --pytest` names
     * pytest, about 7 s per worker under TSan. One that fails to import is left to the worker. */
    const char *more = getenv("FTSTRESS_SERVER_IMPORTS");
    if (more && *more && ns) {
        PyObject *names = PyUnicode_FromString(more);
        if (names && PyDict_SetItemString(ns, "_ftstress_names", names) == 0)
            r = PyRun_String("import importlib\n"
                             "for _n in _ftstress_names.replace(',', ' ').split():\n"
                             "    try:\n"
                             "        importlib.import_module(_n)\n"
                             "    except Exception:\n"
                             "        pass\n"
                             "import gc; gc.freeze()\n",
                             Py_file_input, ns, ns);
        Py_XDECREF(names);
        if (!r)
            PyErr_Clear();
        Py_XDECREF(r);
    }
    Py_XDECREF(ns);
    /* The interpreter's second thread state makes every deferred-refcount object immortal, a walk
     * over the whole heap that a worker would otherwise pay when its first team thread starts. One
     * made and dropped here (no thread ever runs it) pays it once; objects created later, the
     * target's included, are made immortal as they are created, as that walk would have. */
    PyThreadState *extra = PyThreadState_New(PyInterpreterState_Get());
    if (extra) {
        PyThreadState_Clear(extra);
        PyThreadState_Delete(extra);
    }
}

/* A worker of a server that outlives the command is the handler's own child (no middle process):
 * the handler waits for it and tells the command how it ended. */
static pid_t fork_detached_worker(int fds[FT_FORK_NFDS], int argc, char **argv, pid_t client)
{
    pid_t handler = getpid(), w;
    PyOS_BeforeFork();
    w = fork();
    if (w == 0)
        become_detached_worker(fds, argc, argv, handler, client);
    int err = errno;
    PyOS_AfterFork_Parent();
    errno = err;
    return w;
}

/* Sends FT_FORK_EXITED for every worker of this handler that has ended. -1 when the command is gone. */
static int report_exits(ft_zygotes *zygotes)
{
    ft_fork_message m = {.type = FT_FORK_EXITED};
    pid_t pid;
    while ((pid = wait4(-1, &m.wstatus, WNOHANG, &m.usage)) > 0) {
        if (ft_zygotes_owns(zygotes, pid) || ft_spare_ended(pid)) /* not a worker: the command never heard of it */
            continue;
        m.pid = (int)pid;
        if (send(FT_FD_SERVER, &m, sizeof m, MSG_NOSIGNAL) != (ssize_t)sizeof m)
            return -1;
    }
    return 0;
}

/* The workers a detached handler waits for, each with a pidfd that polls readable when it ends (no
 * pidfd on an old kernel: the poll wakes every 20 ms instead). */
typedef struct watched {
    struct pollfd *p; /* p[0] is the request socket */
    size_t n, cap;
} watched;

static void watch(watched *w, pid_t pid)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return;
    if (w->n == w->cap) {
        struct pollfd *more = realloc(w->p, (w->cap = w->cap ? 2 * w->cap : 16) * sizeof *more);
        if (!more) {
            close(fd);
            return; /* the 20 ms poll still reports it */
        }
        w->p = more;
    }
    w->p[w->n++] = (struct pollfd){.fd = fd, .events = POLLIN};
}

/* Waits until a request arrives (1), or the command is gone (0); reports ended workers meanwhile. */
static int wait_for_request(watched *w, int polled_exits, ft_zygotes *zygotes)
{
    for (;;) {
        int ready = poll(w->p, (nfds_t)w->n, polled_exits ? -1 : 20);
        if (ready < 0 && errno != EINTR)
            return 0;
        if (report_exits(zygotes) < 0)
            return 0;
        for (size_t i = 1; i < w->n;) /* an ended worker's pidfd stays readable: drop it */
            if (w->p[i].revents & (POLLIN | POLLHUP)) {
                close(w->p[i].fd);
                w->p[i] = w->p[--w->n];
            } else
                i++;
        if (w->p[0].revents & (POLLIN | POLLHUP | POLLERR))
            return 1;
    }
}

/* Answers requests on FT_FD_SERVER until the command closes it. `detached`: this is a connection's
 * handler of a server that outlives commands (server_daemon.c), `client` the command's pid. */
static int serve(int detached, pid_t client)
{
    char *buf = malloc(FT_REQUEST_MAX);
    watched w = {0};
    int pidfds = 1, status = 0;
    /* A handler's zygote workers are re-parented to it (it waits for them); a server of the
     * command's own lets them go to the supervisor, as its own workers do. */
    ft_zygotes *zygotes = ft_zygotes_new(detached ? getpid() : 0, client);
    /* A handler is a fork child, and TSan gives a fork child its background thread again: the check
     * below is for threads started since, which would leave a forked worker unable to start its own. */
    int threads_at_start = ft_thread_count();
    /* The team a spare worker starts ahead: the scenario format's default until a request says more. */
    int team_size = 4;

    if (!buf)
        return FT_EXIT_CANNOT_RUN;
    if (detached) {
        w.p = malloc(16 * sizeof *w.p);
        if (!w.p) {
            free(buf);
            return FT_EXIT_CANNOT_RUN;
        }
        w.cap = 16;
        w.p[w.n++] = (struct pollfd){.fd = FT_FD_SERVER, .events = POLLIN};
        ft_spare_make(client, team_size); /* the command's first request finds its worker forked */
    }
    for (;;) {
        int fds[FT_FORK_NFDS];
        char *wargv[1024];
        ssize_t n;
        ft_fork_message reply = {.type = FT_FORK_STARTED};

        if (detached && !wait_for_request(&w, pidfds, zygotes))
            break;
        n = ft_fork_receive(FT_FD_SERVER, buf, FT_REQUEST_MAX, fds);
        if (n == 0)
            break; /* the supervisor is done with us */
        if (n < 0) {
            fprintf(stderr, "ftstress fork server: unreadable request (%s); stopping\n", strerror(errno));
            status = FT_EXIT_CANNOT_RUN;
            break;
        }
        int wargc = ft_fork_split_args(buf, (size_t)n, wargv, (int)(sizeof wargv / sizeof *wargv));
        int last = 0; /* the command expects no other worker: a spare would be forked for nothing */
        for (int i = 0; i < wargc; i++)
            if (!strcmp(wargv[i], "--last-request"))
                last = 1;
            else if (!strcmp(wargv[i], "--team-size") && i + 1 < wargc) /* the next spare's team */
                team_size = atoi(wargv[i + 1]);
        if (!detached)
            while (waitpid(-1, NULL, WNOHANG) > 0) /* middle processes of earlier requests */
                ;
        if (ft_thread_count() != (detached ? threads_at_start : 1))
            reply.error = EDEADLK; /* forking now would leave the worker unable to start threads */
        else if ((reply.pid = (int)ft_zygote_start_worker(zygotes, buf, (size_t)n, fds)) > 0) {
            if (detached) {
                size_t before = w.n;
                watch(&w, reply.pid);
                pidfds &= w.n > before;
            }
        } else if (detached) {
            pid_t pid = ft_spare_take(buf, (size_t)n, fds);
            if (!pid)
                pid = fork_detached_worker(fds, wargc, wargv, client);
            if (pid < 0)
                reply.error = errno;
            else {
                size_t before = w.n;
                reply.pid = (int)pid;
                watch(&w, pid);
                pidfds &= w.n > before;
            }
        } else if (fork_worker(fds, wargc, wargv) < 0)
            reply.error = errno;
        for (int i = 0; i < FT_FORK_NFDS; i++)
            close(fds[i]);
        /* Without a middle process the answer is ours; with one, only a request that forked nothing is. */
        if ((detached || reply.error || reply.pid > 0) && send(FT_FD_SERVER, &reply, sizeof reply, MSG_NOSIGNAL) != (ssize_t)sizeof reply)
            break;
        if (detached && !last) /* answered: the next request's worker is forked while this one starts */
            ft_spare_make(client, team_size);
    }
    ft_zygotes_free(zygotes);
    for (size_t i = 1; i < w.n; i++)
        close(w.p[i].fd);
    free(w.p);
    free(buf);
    return status;
}

int ft_fork_server_handle(int conn, int client)
{
    /* a zygote's workers come to this handler when their middle process exits */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || dup2(conn, FT_FD_SERVER) < 0)
        return FT_EXIT_CANNOT_RUN;
    close(conn);
    return serve(1, (pid_t)client);
}

static int parse_server_args(int argc, char **argv, unsigned long *seed, const char **listen_path, double *idle)
{
    static const struct option opts[] = {{"serve", no_argument, 0, 'v'}, {"seed", required_argument, 0, 'S'},
                                         {"listen", required_argument, 0, 'l'}, {"idle", required_argument, 0, 'i'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'S')
            *seed = strtoul(optarg, NULL, 10);
        else if (c == 'l')
            *listen_path = optarg;
        else if (c == 'i')
            *idle = strtod(optarg, NULL);
        else if (c != 'v')
            return -1;
    }
    return 0;
}

int ft_fork_server_main(int argc, char **argv)
{
    unsigned long seed = 0;
    const char *supervisor = getenv("FTSTRESS_SUPERVISOR_PID"), *listen_path = NULL;
    double idle = 0;

    if (parse_server_args(argc, argv, &seed, &listen_path, &idle) < 0)
        return FT_EXIT_USAGE;
    if (!listen_path && supervisor &&
        (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != (pid_t)atol(supervisor)))
        return FT_EXIT_CANNOT_RUN;
    signal(SIGCHLD, SIG_DFL);
    if (ft_py_start(seed) < 0)
        return FT_EXIT_CANNOT_RUN;
    warm_up();
    if (listen_path)
        return ft_server_daemon_main(listen_path, idle);
    return serve(0, 0);
}
