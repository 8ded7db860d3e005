/* What a worker and its supervisor share: file descriptors and the status page (events: event_protocol.h). */
#ifndef FTSTRESS_WORKER_CHANNEL_H
#define FTSTRESS_WORKER_CHANNEL_H

#include <stdatomic.h>
#include <stdint.h>

/* Descriptors a worker is spawned with (the supervisor dup2s its pipe ends onto these). */
enum {
    FT_FD_EVENTS = 3,  /* worker main thread -> supervisor: JSON lines */
    FT_FD_REPORTS = 4, /* TSan report hook -> supervisor: JSON lines */
    FT_FD_STACKS = 5,  /* faulthandler and hang dumps -> supervisor: Python stacks as text */
    FT_FD_STATUS = 6,  /* memfd holding an ft_status page */
    FT_FD_CONTROL = 7, /* supervisor -> worker: one byte per command; EOF means "supervisor gone" */
    FT_FD_SCENARIO = 8, /* memfd: the resolved scenario as JSON (scenario_json.h), what the worker runs */
    FT_FD_SERVER = 9,   /* a fork server's end of its request socket (fork_server.h) */
};

/* A fork server receives these descriptors with each request, in this order (SCM_RIGHTS); the
 * forked worker puts each where a spawned worker has it (the log on stdout and stderr). */
enum { FT_FORK_EVENTS, FT_FORK_REPORTS, FT_FORK_STACKS, FT_FORK_STATUS, FT_FORK_CONTROL, FT_FORK_SCENARIO,
       FT_FORK_LOG, FT_FORK_NFDS };

/* Commands on FT_FD_CONTROL. */
enum { FT_CMD_DUMP_STACKS = 'D' };

/* What a round is doing; the hook tags reports with it. */
typedef enum ft_phase {
    FT_PHASE_START = 0,
    FT_PHASE_SETUP_ONCE,
    FT_PHASE_SETUP,
    FT_PHASE_BODY,
    FT_PHASE_CHECK,
    FT_PHASE_TEARDOWN,
    FT_PHASE_DONE,
    FT_PHASE_DUMP, /* stacks are being dumped for a hang: reports now are the dump's own */
} ft_phase;

const char *ft_phase_name(int phase);

/* One page in shared memory, written by the worker, read by the supervisor: the per-round
 * deadline and the live progress line come from here, not from events, so a hung worker still
 * shows exactly where it stopped. */
typedef struct ft_status {
    _Atomic int64_t round;            /* current round number, -1 before the first */
    _Atomic int64_t round_started_ns; /* CLOCK_MONOTONIC when the current round began */
    _Atomic int64_t rounds_done;
    _Atomic int64_t in_rounds_ns;     /* time spent in completed rounds */
    _Atomic int phase;
    _Atomic int64_t phase_started_ns; /* CLOCK_MONOTONIC when the current phase began */
    /* A fatal signal: the worker's handler sets signal and thread, then waits (a bounded time) for
     * the supervisor to take every thread's native stack from outside and set crash_ack. */
    _Atomic int crash_signal;
    _Atomic int crash_tid;
    _Atomic int crash_ack;
    /* The worker's code called exit() (the worker itself ends only with _exit): its status + 1, so
     * that 0 means it did not. Set with crash_tid, before the same wait for crash_ack. */
    _Atomic int exit_called;
    _Atomic int dump_done; /* the hang watchdog has written every Python stack */
} ft_status;

#endif
