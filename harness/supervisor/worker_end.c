/* A worker's end: reaping it and deciding what its end means for its scenario (done, crashed, hung,
 * stopped early), and folding its logs into the scenario's. */
#include "job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "run_files.h"
#include "xalloc.h"

/* A worker died of a crash or was killed for a hang in `round`. That is the scenario's verdict and
 * it ends there, unless --keep-going asks for every round: then a fresh worker takes the rest. */
static void after_lost_worker(job *j, const ft_supervise_opts *o, long round)
{
    if (!o->keep_going || round < 0 || round + 1 >= j->chunk_end) {
        if (!o->keep_going || round < 0)
            j->rounds_left = 0;
        return;
    }
    j->rounds_left += j->chunk_end - (round + 1);
    j->first_round = round + 1;
}

void ft_job_finish_worker(job *j, const ft_supervise_opts *o, int interrupted)
{
    int wstatus = 0;
    long rounds_done = atomic_load(&j->proc.status->rounds_done);
    long round = atomic_load(&j->proc.status->round);
    double elapsed = j->now - j->started;

    struct rusage usage = {0};
    char *tsan_path = ft_xasprintf("%s/logs/%s/tsan.%d", o->out_dir, j->s->name, (int)j->proc.pid);
    int mine = j->forked ? ft_fork_servers_wait(j->servers, j->proc.pid, &wstatus, &usage) : 1;
    if (mine < 0 || (mine > 0 && ft_proc_wait(j->proc.pid, j->forked, &wstatus, &usage) < 0))
        ft_warn("cannot wait for worker %d: %s", (int)j->proc.pid, strerror(errno));
    if (usage.ru_maxrss > j->results->scenarios[j->sc].peak_rss_kb)
        j->results->scenarios[j->sc].peak_rss_kb = usage.ru_maxrss;
    if (!j->got_done) { /* the round it ended in was run too, as far as it got */
        /* in a round it had not finished: between rounds (or after its last) only rounds_done counts */
        int in_round = round >= 0 && atomic_load(&j->proc.status->phase) != FT_PHASE_DONE &&
                       rounds_done < round - j->worker_first_round + 1;
        int64_t end = j->killed_ns ? j->killed_ns : ft_now_ns();
        int64_t partial = in_round ? end - atomic_load(&j->proc.status->round_started_ns) : 0;
        ft_results_worker_ended(j->results, j->sc, rounds_done + in_round,
                                (double)(atomic_load(&j->proc.status->in_rounds_ns) + (partial > 0 ? partial : 0)) / 1e9);
    }
    if (j->stopped_early) {
        j->rounds_left = 0; /* what it did after the expected finding is not a verdict of its own */
    } else if (j->killed_ns && j->dump_sent_ns) {
        ft_results_hang(j->results, j->sc, round, ft_phase_name(j->hung_phase), j->hung_limit,
                        j->stacks.data ? j->stacks.data : "", j->native, elapsed);
        after_lost_worker(j, o, round);
    } else if (!j->got_done && !j->got_fatal && !interrupted) {
        /* A crash report sits at the end of this worker's own logs, after any number of race reports;
         * CPython's fatal errors (debug allocator checks, assertions) print their stacks on stderr. */
        char *tsan_log = ft_read_tail(tsan_path, 262144);
        int exit_called = atomic_load(&j->proc.status->exit_called);
        char *worker_log = j->stacks.len && !exit_called ? NULL : ft_read_tail(j->worker_log, 262144);
        int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
        int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
        ft_crash_evidence ev = {.signal = sig, .exit_code = code, .round = round,
                                .stacks = j->stacks.len ? j->stacks.data : worker_log ? worker_log : "",
                                .tsan_log = tsan_log, .native = j->native, .crash_tid = j->crash_tid,
                                .exit_called = sig ? 0 : exit_called, .output = exit_called && j->stacks.len ? worker_log : NULL};
        ft_results_crash(j->results, j->sc, &ev, elapsed);
        free(tsan_log);
        free(worker_log);
        after_lost_worker(j, o, round);
    } else if (j->got_fatal)
        j->rounds_left = 0;
    json_decref(j->native);
    j->native = NULL;
    /* What was needed from this worker's own logs has been read: into the scenario's capped logs. */
    char *merged = ft_xasprintf("%s/logs/%s/worker.log", o->out_dir, j->s->name);
    ft_log_merge(j->worker_log, merged, FT_WORKER_LOG_CAP);
    free(merged);
    merged = ft_xasprintf("%s/logs/%s/tsan.log", o->out_dir, j->s->name);
    ft_log_merge(tsan_path, merged, FT_TSAN_LOG_CAP);
    free(merged);
    free(tsan_path);
    ft_proc_close(&j->proc);
    ft_linebuf_free(&j->events);
    ft_linebuf_free(&j->reports);
    ft_linebuf_free(&j->stacks);
    j->active = 0;
    j->results->changed = 1;
}

