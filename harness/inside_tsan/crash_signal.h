/* The worker's fatal-signal handler: lets the supervisor take native stacks, then dumps Python stacks. */
#ifndef FTSTRESS_CRASH_SIGNAL_H
#define FTSTRESS_CRASH_SIGNAL_H

#include <Python.h>

#include "worker_channel.h"

/* Installs the handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT (TSan's own deadly-signal
 * handling is switched off by the supervisor: it can hang in a crashing target). On a fatal signal
 * the handler marks the status page, waits up to a few seconds for the supervisor to snapshot
 * every thread's native stack, writes every thread's Python stack to `stacks_fd` and dies with the
 * signal. */
void ft_crash_signal_install(ft_status *status, int stacks_fd, PyInterpreterState *interp);

/* If a thread of this process is crashing, never returns (the crashing thread ends the process);
 * call before a normal exit so that a crash in flight is not turned into a clean end. */
void ft_crash_signal_wait_if_crashing(void);

#endif
