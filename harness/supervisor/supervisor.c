/* The supervisor: runs selected scenarios in worker processes and feeds what they say to results.
 *
 * It never runs Python. One thread drives the run's loop: schedule workers onto free slots
 * (scheduling.c), read what they write (event_intake.c), reap those whose pipes all closed
 * (worker_end.c) and police the rest (kill_policy.c: expectation met, interrupted, crashed, past a
 * deadline; the shared status page gives each phase's start, so a hung worker is noticed even when
 * it says nothing), reap what workers leave behind (adopted_orphans.c), and save results.json as it
 * goes. */
#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adopted_orphans.h"
#include "clock.h"
#include "job.h"
#include "job_slots.h"
#include "log.h"
#include "progress.h"
#include "results_io.h"
#include "run_files.h"
#include "scheduling.h"
#include "xalloc.h"

static volatile sig_atomic_t interrupted; /* the signal that interrupted the run, 0 if none */
static void on_interrupt(int sig) { interrupted = sig; }

static int expectation_failed(const ft_results *r)
{
    ft_results_finish((ft_results *)r);
    for (size_t i = 0; i < r->nscenarios; i++)
        if (r->scenarios[i].status != FT_ST_PENDING && !r->scenarios[i].passed)
            return 1;
    return 0;
}

int ft_supervise(const ft_supervise_opts *o, ft_results *results)
{
    size_t nselected = results->nscenarios;
    int jobs = ft_job_slots(o->jobs);
    job *js = ft_xcalloc(nselected, sizeof *js);
    ft_schedule sched = {0};
    int64_t t0 = ft_now_ns(), last_save = 0, last_reap = 0;
    pid_t *running = ft_xcalloc(nselected ? nselected : 1, sizeof *running);
    struct sigaction sa = {.sa_handler = on_interrupt}, old_int, old_term;
    ft_progress progress;

    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    signal(SIGPIPE, SIG_IGN);
    ft_progress_init(&progress, o->progress);
    long events_logged = 0;
    ft_run_files_fresh(o->out_dir);
    char *log_path = ft_xasprintf("%s/events.jsonl", o->out_dir);
    FILE *events_log = fopen(log_path, "w");
    if (!events_log)
        ft_warn("cannot write %s: %s; the run goes on without it", log_path, strerror(errno));
    free(log_path);
    for (size_t i = 0; i < nselected; i++)
        js[i] = (job){.sc = i, .s = results->scenarios[i].scenario, .results = results, .events_log = events_log,
                      .events_logged = &events_logged, .servers = o->servers};

    for (;;) {
        double now = (double)(ft_now_ns() - t0) / 1e9;
        if (ft_schedule_fill(js, nselected, &sched, o, interrupted ? 0 : jobs, now) == 0) {
            if (interrupted || !ft_schedule_another_pass(&sched, o, now, o->until_failure && expectation_failed(results)))
                break;
            continue;
        }
        if (ft_jobs_read_pipes(js, nselected, now, 100) < 0)
            break;
        now = (double)(ft_now_ns() - t0) / 1e9;
        for (size_t i = 0; i < nselected; i++) {
            job *j = &js[i];
            if (!j->active)
                continue;
            j->now = now;
            if (j->proc.events_fd < 0 && j->proc.reports_fd < 0 && j->proc.stacks_fd < 0)
                ft_job_finish_worker(j, o, interrupted);
            else
                ft_job_police(j, o, interrupted);
        }
        if (ft_now_ns() - last_reap > 1000000000LL) { /* what ended workers left behind, once a second */
            size_t n = 0;
            for (size_t i = 0; i < nselected; i++)
                if (js[i].active)
                    running[n++] = js[i].proc.pid;
            ft_reap_adopted_orphans(running, n);
            last_reap = ft_now_ns();
        }
        if (o->until_failure && results->changed && expectation_failed(results))
            ft_schedule_stop_starting(js, nselected, &sched);
        ft_progress_update(&progress, results, now);
        if (results->changed && ft_now_ns() - last_save > 1000000000LL) {
            ft_results_finish(results);
            ft_results_save_dir(results, o->out_dir);
            results->changed = 0;
            last_save = ft_now_ns();
        }
    }
    ft_progress_end(&progress);
    if (events_log && fclose(events_log) != 0)
        ft_warn("cannot write events.jsonl: %s", strerror(errno));
    for (size_t i = 0; i < nselected; i++)
        free(js[i].worker_log);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(js);
    free(running);
    results->interrupted = interrupted;
    return interrupted ? -1 : 0;
}
