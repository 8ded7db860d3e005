/* A worker forked before it is asked for (spare_worker.h).
 *
 * Part of the time from a command's request to its worker's first round is the fork itself: it
 * copies the page tables of a large address space, and the child pays TSan's after-fork work (its
 * stack depot's every bucket locked and unlocked: megabytes of copy-on-write pages) and CPython's
 * (perf; 18-20 ms of a 70 ms start-up on a quiet 2-core machine). None of it depends on the
 * request, so a handler forks its next worker ahead, when it starts and after each answer, and hands
 * it the request when it comes (4-5 ms from the request to the worker's first instruction). While it
 * waits it also compiles a dummy block and starts its team's threads (worker_team.h), which a
 * worker would otherwise do after the request: 17 and 20 ms of a second command's start-up, mostly
 * pages copied at their first write after the fork. The spare is a fork of the same handler the
 * worker would have been forked from, which never runs target code: it is exactly as fresh. */
#include "spare_worker.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Python.h>

#include "exit_codes.h"
#include "fork_request.h"
#include "worker.h"
#include "worker_python.h"
#include "worker_team.h"

static pid_t spare;      /* 0: none */
static int spare_sock = -1; /* the handler's end of the spare's socket */

/* The spare: waits for its request, then becomes the worker it asks for. It dies with its handler. */
static void __attribute__((noreturn)) wait_then_work(int sock, pid_t handler, pid_t client, int team_size)
{
    static char *argv[1024];
    int fds[FT_FORK_NFDS];
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != handler)
        _exit(FT_EXIT_CANNOT_RUN);
    if (client > 0)
        (void)prctl(PR_SET_PTRACER, (unsigned long)client);
    /* What a worker's start needs whatever its scenario, done before the request comes (harness
     * code only): the compiler's first use and the team's threads, as many as the last request's. */
    ft_py_warm_up_compile();
    struct pollfd request = {.fd = sock, .events = POLLIN};
    if (poll(&request, 1, 0) == 0) /* a request already waiting is not kept waiting for threads */
        ft_team_start_early(team_size);
    char *buf = malloc(FT_REQUEST_MAX);
    ssize_t n = buf ? ft_fork_receive(sock, buf, FT_REQUEST_MAX, fds) : -1;
    if (n <= 0)
        _exit(n == 0 ? 0 : FT_EXIT_CANNOT_RUN); /* the handler is done without needing it */
    close(sock);
    setpgid(0, 0); /* its own process group, as every worker: the supervisor kills it by group */
    if (ft_fork_place_descriptors(fds) < 0)
        _exit(FT_EXIT_CANNOT_RUN);
    int argc = ft_fork_split_args(buf, (size_t)n, argv, (int)(sizeof argv / sizeof *argv));
    _exit(ft_worker_forked_main(argc, argv));
}

void ft_spare_make(pid_t client, int team_size)
{
    int sv[2];
    if (spare || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return;
    pid_t handler = getpid();
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        PyOS_AfterFork_Child();
        close(sv[0]);
        wait_then_work(sv[1], handler, client, team_size);
    }
    PyOS_AfterFork_Parent();
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return;
    }
    spare = pid;
    spare_sock = sv[0];
}

static void forget(void)
{
    close(spare_sock);
    spare_sock = -1;
    spare = 0;
}

pid_t ft_spare_take(const char *buf, size_t len, const int fds[FT_FORK_NFDS])
{
    pid_t pid = spare;
    if (!pid)
        return 0;
    if (ft_fork_forward(spare_sock, buf, len, fds) < 0) { /* gone: it is reaped with the others */
        kill(pid, SIGKILL);
        pid = 0;
    }
    forget();
    return pid;
}

int ft_spare_ended(pid_t pid)
{
    if (!spare || pid != spare)
        return 0;
    forget();
    return 1;
}
