/* A scenario's job in a run: its rounds still to give out and its current worker, shared by the
 * supervisor's parts (supervisor.c drives them: worker_start.c, event_intake.c, kill_policy.c,
 * worker_end.c). */
#ifndef FTSTRESS_JOB_H
#define FTSTRESS_JOB_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "fork_client.h"
#include "linebuf.h"
#include "proc.h"
#include "results.h"
#include "supervisor.h"

typedef struct job {
    size_t sc;              /* index into results->scenarios */
    const ft_scenario *s;
    long first_round;        /* of the next worker */
    long worker_first_round; /* of the current worker */
    long rounds_left;        /* in this pass over the scenario */
    long round_base;        /* rounds of earlier passes, so round numbers stay unique */
    long chunk_end;         /* one past the last round the current worker was given */
    int active;
    ft_proc proc;
    ft_linebuf events, reports, stacks;
    int got_done, got_fatal;
    int stopped_early; /* the expected outcome arrived: the supervisor ended the worker itself */
    int64_t dump_sent_ns, killed_ns;
    json_t *native; /* every thread's native stack, taken from outside at a crash or hang */
    int crash_tid;  /* the thread whose fatal signal started the crash, 0 if none */
    int64_t spawned_ns;
    int hung_phase;    /* the phase that passed its deadline */
    double hung_limit; /* and that deadline, in seconds */
    double started; /* seconds since the run began, for time to first detection */
    ft_results *results;
    double now;
    FILE *events_log; /* what workers sent, as it arrived: out/events.jsonl (shared by all jobs) */
    long *events_logged; /* bytes written to events_log so far (shared) */
    int workers_started;  /* numbers the workers' own log files */
    char *worker_log;     /* this worker's stdout and stderr: logs/SCENARIO/worker-N.log */
    ft_fork_servers *servers; /* NULL: every worker is spawned */
    int forked;           /* the current worker came from a fork server */
    int targets_known;    /* a worker sent the exercised targets with their entry points: the next need not */
    int others_pending;   /* when its worker starts: another job, scenario or pass may still want one */
} job;

/* Starts the job's next worker with the next chunk of its rounds (rounds_per_worker, or all). */
int ft_job_start_worker(job *j, const ft_supervise_opts *o);

/* One line from the worker's events or reports pipe: decoded and fed to results, logged. */
void ft_job_on_event_line(void *ctx, char *line);
/* Reads what every active job's worker wrote, waiting at most `wait_ms`; a pipe at EOF is closed.
 * -1 when poll itself failed. */
int ft_jobs_read_pipes(job *js, size_t n, double now, int wait_ms);

/* The kill policy for a worker still running: ends it when its scenario's expectation is met (not
 * with --keep-going) or the run is interrupted, takes native stacks at a crash, dumps and kills a
 * hung one. */
void ft_job_police(job *j, const ft_supervise_opts *o, int interrupted);

/* All of the worker's pipes are closed: reaps it and records what its end means. */
void ft_job_finish_worker(job *j, const ft_supervise_opts *o, int interrupted);
/* Every thread's native stack of the worker, once (kill_policy.c; also at a hang). */
void ft_job_take_native_stacks(job *j);

#endif
