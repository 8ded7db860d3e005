/* The worker's fatal-signal and exit() handlers: let the supervisor take native stacks, then dump Python stacks.
 *
 * Compiled without TSan instrumentation (harness/inside_tsan/CMakeLists.txt) and installed with glibc's
 * __sigaction, past TSan's sigaction interceptor, so that no TSan code runs between the fault and
 * this handler: TSan's deadly-signal report was seen to hang in a crashing target
 * (ReportDeadlySignal -> pthread_getattr_np -> realloc -> SignalUnsafeCall). Only raw system calls
 * and the uninstrumented frame reader run here. */
#include "crash_signal.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "plain_out.h"
#include "pystack.h"

/* glibc's own sigaction, exported beside the `sigaction` that TSan intercepts. */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

#define SUPERVISOR_WAIT_MS 10000 /* how long a crashing worker waits for its native stacks to be taken */

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

/* Written once by ft_crash_signal_install() before any harness thread starts. */
static ft_status *status_page;
static PyInterpreterState *interp_state;
static int dump_fd = -1;
static _Atomic int crashing;
static long installed_pid; /* on_exit handlers are inherited by a fork: only this process's count */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    syscall(SYS_nanosleep, &ts, NULL);
}

static const char *signal_text(int sig)
{
    switch (sig) {
    case SIGSEGV: return "Segmentation fault";
    case SIGBUS: return "Bus error";
    case SIGILL: return "Illegal instruction";
    case SIGFPE: return "Floating-point exception";
    case SIGABRT: return "Aborted";
    default: return "Fatal signal";
    }
}

/* Restores the default action and re-raises, so the supervisor sees the real signal in the status. */
static void die_with(int sig)
{
    struct sigaction dfl;
    unsigned long mask = 1UL << (sig - 1);
    char *p = (char *)&dfl;
    for (size_t i = 0; i < sizeof dfl; i++)
        p[i] = 0;
    dfl.sa_handler = SIG_DFL;
    __sigaction(sig, &dfl, NULL);
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &mask, NULL, sizeof mask);
    syscall(SYS_tgkill, syscall(SYS_getpid), syscall(SYS_gettid), sig);
    syscall(SYS_exit_group, 128 + sig); /* not reached unless the signal was somehow ignored */
}

/* Marks the status page and waits (a bounded time) for the supervisor to take the native stacks. */
static void let_supervisor_look(int sig, int exit_status)
{
    if (!status_page)
        return;
    atomic_store(&status_page->crash_tid, (int)syscall(SYS_gettid));
    if (exit_status >= 0)
        atomic_store(&status_page->exit_called, (exit_status & 0xff) + 1);
    else
        atomic_store(&status_page->crash_signal, sig);
    for (long waited = 0; waited < SUPERVISOR_WAIT_MS && !atomic_load(&status_page->crash_ack); waited += 5)
        sleep_ms(5);
}

static void on_fatal_signal(int sig, siginfo_t *info, void *context)
{
    (void)info, (void)context;
    if (atomic_exchange(&crashing, 1)) {
        for (;;) /* another thread crashed first and ends the process: stay where the stacks show us */
            sleep_ms(1000);
    }
    let_supervisor_look(sig, -1);
    if (dump_fd >= 0) {
        ft_out o;
        ft_out_init(&o, dump_fd);
        FT_OUT_LIT(&o, "Fatal Python error: ");
        ft_out_cstr(&o, signal_text(sig));
        FT_OUT_LIT(&o, "\n\n");
        ft_pystack_write_all(&o, interp_state, ft_pystack_current_tstate());
        ft_out_flush(&o);
    }
    die_with(sig);
}

/* The extension (or the interpreter) called exit(): pyahocorasick's failed assertions print a line
 * and exit(1) from the thread that failed. glibc runs this before TSan's own exit handler
 * (registered at start-up, so run last), which replaces the status with 66 once TSan has reported
 * a race: without this the supervisor saw only "exit-66", no stack. The calling thread's native
 * stack, taken while it waits here, shows exit() and who called it. The process then goes on
 * ending with the status it was given.
 * Several threads can call exit() at once (two of pyahocorasick's assertions failed together), and
 * glibc 2.36 lets each run the next handler: one that reached TSan's would end the process while
 * its stacks are taken. So the handler is registered EXIT_ENTRIES times: the first thread to come
 * is the one reported, its own later entries return, another thread's wait until the process ends. */
#define EXIT_ENTRIES 16
static _Atomic int exit_tid;

static void on_exit_called(int exit_status, void *arg)
{
    (void)arg;
    if (syscall(SYS_getpid) != installed_pid)
        return;
    int me = (int)syscall(SYS_gettid), first = 0;
    if (!atomic_compare_exchange_strong(&exit_tid, &first, me)) {
        if (first == me)
            return; /* this thread's own further entries: it has been reported */
        for (;;)    /* another thread's exit() is being reported and ends the process */
            sleep_ms(1000);
    }
    if (atomic_exchange(&crashing, 1)) {
        for (;;) /* a thread is crashing with a signal: it ends the process, with its stacks */
            sleep_ms(1000);
    }
    let_supervisor_look(0, exit_status);
    if (dump_fd >= 0) {
        ft_out o;
        ft_out_init(&o, dump_fd);
        ft_pystack_write_all(&o, interp_state, ft_pystack_current_tstate());
        ft_out_flush(&o);
    }
}

void ft_crash_signal_install(ft_status *status, int stacks_fd, PyInterpreterState *interp)
{
    struct sigaction sa;
    char *p = (char *)&sa;
    if (installed_pid != syscall(SYS_getpid)) {
        installed_pid = syscall(SYS_getpid);
        for (int i = 0; i < EXIT_ENTRIES; i++)
            on_exit(on_exit_called, NULL);
    }
    status_page = status;
    dump_fd = stacks_fd;
    interp_state = interp;
    for (size_t i = 0; i < sizeof sa; i++)
        p[i] = 0;
    sa.sa_sigaction = on_fatal_signal;
    sa.sa_flags = SA_SIGINFO;
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++)
        __sigaction(fatal_signals[i], &sa, NULL);
}

void ft_crash_signal_wait_if_crashing(void)
{
    while (atomic_load(&crashing))
        sleep_ms(1000);
}
