/* When the supervisor ends a worker: its scenario's expectation met, the run interrupted, or a phase
 * past its deadline (stacks dumped first, then killed); and the native stacks taken at a crash or
 * hang, while the worker waits. */
#include "job.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "native_stack.h"

#define DUMP_GRACE_NS 3000000000LL /* time a hung worker gets to write its stacks */
#define NATIVE_MAX_FRAMES 64

/* Every thread's native stack, taken from outside with ptrace while the worker waits (crash) or is
 * stuck (hang). Once per worker; a failure is said, and the finding keeps what else it has. */
void ft_job_take_native_stacks(job *j)
{
    char *error = NULL;
    if (j->native)
        return;
    j->native = ft_native_stacks(j->proc.pid, NATIVE_MAX_FRAMES, &error);
    if (!j->native) {
        ft_warn("cannot take native stacks of worker %d: %s", (int)j->proc.pid, error ? error : "?");
        j->native = json_array(); /* do not try again for this worker */
    }
    free(error);
}

/* A worker thread took a fatal signal or called exit(): its handler waits while the native stacks
 * are taken. */
static void check_crash(job *j)
{
    if (j->crash_tid || !(atomic_load(&j->proc.status->crash_signal) || atomic_load(&j->proc.status->exit_called)))
        return;
    j->crash_tid = atomic_load(&j->proc.status->crash_tid);
    ft_job_take_native_stacks(j);
    atomic_store(&j->proc.status->crash_ack, 1);
}

/* The deadline of what the worker is doing now: a round's setup, body, check and teardown each get
 * the scenario's `timeout` from their own start; start-up (imports, setup_once) gets `setup_timeout`
 * from the spawn. Time between phases (sending events) and after the last round counts for none. */
static int phase_deadline(const job *j, int64_t *started, double *limit)
{
    int phase = atomic_load(&j->proc.status->phase);
    *started = atomic_load(&j->proc.status->phase_started_ns);
    switch (phase) {
    case FT_PHASE_START:
    case FT_PHASE_SETUP_ONCE:
        if (!*started)
            *started = j->spawned_ns;
        *limit = j->s->setup_timeout;
        return 1;
    case FT_PHASE_SETUP:
    case FT_PHASE_BODY:
    case FT_PHASE_CHECK:
    case FT_PHASE_TEARDOWN:
        *limit = j->s->timeout;
        return *started != 0;
    default:
        return 0;
    }
}

/* Deadlines: a phase past its limit gets its stacks dumped, then the worker is killed. */
static void check_deadline(job *j)
{
    int64_t t = ft_now_ns(), started = 0;
    double limit = 0;

    if (!j->dump_sent_ns && phase_deadline(j, &started, &limit) && t - started > (int64_t)(limit * 1e9)) {
        char cmd = FT_CMD_DUMP_STACKS;
        j->hung_phase = atomic_load(&j->proc.status->phase);
        j->hung_limit = limit;
        ft_debug("worker %d: %s of round %ld passed its %.1fs limit; dumping stacks", (int)j->proc.pid,
                 ft_phase_name(j->hung_phase), (long)atomic_load(&j->proc.status->round), limit);
        j->dump_sent_ns = t;
        if (write(j->proc.control_fd, &cmd, 1) != 1)
            j->dump_sent_ns = t - DUMP_GRACE_NS; /* no watchdog listening: kill at once */
    }
    if (j->dump_sent_ns && !j->killed_ns &&
        (t - j->dump_sent_ns >= DUMP_GRACE_NS || atomic_load(&j->proc.status->dump_done))) {
        ft_job_take_native_stacks(j); /* after the Python dump: ptrace stops every thread, the watchdog too */
        kill(-j->proc.pid, SIGKILL);
        kill(j->proc.pid, SIGKILL);
        j->killed_ns = t;
    }
}

void ft_job_police(job *j, const ft_supervise_opts *o, int interrupted)
{
    if (!o->keep_going && !j->killed_ns && !j->got_done && ft_results_expectation_met(j->results, j->sc)) {
        /* `expect: race` passes on the first race: stop here, before the corruption a race often
         * causes turns into a crash that would only repeat what is known. */
        kill(-j->proc.pid, SIGKILL);
        kill(j->proc.pid, SIGKILL);
        j->killed_ns = ft_now_ns();
        j->stopped_early = 1;
    } else if (interrupted && !j->killed_ns) {
        kill(-j->proc.pid, SIGKILL);
        j->killed_ns = ft_now_ns();
    } else {
        check_crash(j);
        check_deadline(j);
    }
}
