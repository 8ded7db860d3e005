/* The supervisor: runs selected scenarios in worker processes and feeds what they say to results.
 *
 * It never runs Python. One thread polls every worker's pipes; the shared status page gives each
 * round's start time, so a hung worker is noticed even when it says nothing. A worker's end is
 * acted on only after all three of its pipes reached EOF, so every event it sent is kept first. */
#include "supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "event_decode.h"
#include "fork_client.h"
#include "job_slots.h"
#include "linebuf.h"
#include "log.h"
#include "native_stack.h"
#include "perturb.h"
#include "proc.h"
#include "progress.h"
#include "results_io.h"
#include "run_files.h"
#include "scenario_json.h"
#include "tsan_options.h"
#include "xalloc.h"

#define DUMP_GRACE_NS 3000000000LL /* time a hung worker gets to write its stacks */
#define NATIVE_MAX_FRAMES 64

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
} job;

static volatile sig_atomic_t interrupted; /* the signal that interrupted the run, 0 if none */
static void on_interrupt(int sig) { interrupted = sig; }

/* One line of events.jsonl. Bounded by design: a finding's first reports are written in full,
 * later ones only counted (results.json has the counts), and the file as a whole has a cap. */
static void log_event(job *j, const char *line, int parsed, long finding_count)
{
    static int capped;
    int n;
    if (!j->events_log || !*line || finding_count > FT_EVENTS_REPORTS_PER_FINDING)
        return;
    if (*j->events_logged > FT_EVENTS_LOG_CAP) {
        if (!capped++)
            ft_warn("events.jsonl reached its cap of %ld MiB: later events are not written there (results.json "
                    "still counts every report)", FT_EVENTS_LOG_CAP >> 20);
        return;
    }
    n = fprintf(j->events_log, "{\"scenario\":\"%s\",\"worker\":%d,\"event\":%s}\n", j->s->name, (int)j->proc.pid,
                parsed ? line : "null");
    if (n < 0 || fflush(j->events_log) != 0) {
        ft_warn("cannot write events.jsonl: %s; no more events are written there", strerror(errno));
        fclose(j->events_log);
        j->events_log = NULL;
        return;
    }
    *j->events_logged += n;
}

/* A report says more than the hook could pass on: say once per run which limit cut it. */
static void warn_cut_report(const json_t *ev)
{
    static int warned_items, warned_frames;
    const char *keys[] = {"mops_cut", "threads_cut", "locs_cut", "stacks_cut"};
    for (size_t k = 0; k < 4 && !warned_items; k++)
        if (json_integer_value(json_object_get(ev, keys[k])) > 0 && !warned_items++)
            ft_warn("a TSan report had more than 16 accesses, threads, locations or stacks; the rest were not "
                    "kept (MAX_ITEMS in harness/inside_tsan/tsan_hook.c)");
    if (!warned_frames && json_is_true(json_object_get(ev, "frames_cut")) && !warned_frames++)
        ft_warn("a stack deeper than 128 frames was cut (MAX_FRAMES in harness/inside_tsan/tsan_hook.c)");
}

static void on_event_line(void *ctx, char *line)
{
    job *j = ctx;
    json_error_t err;
    json_t *ev = *line ? json_loads(line, 0, &err) : NULL;
    ft_event kind;
    long count = 0;

    if (!ev) {
        size_t n = strlen(line);
        log_event(j, line, 0, 0);
        if (n && line[n - 1] != '}')
            ft_warn("a message from worker %d was cut off when the worker ended (%zu bytes, kept in events.jsonl): "
                    "%.80s...", (int)j->proc.pid, n, line);
        else if (n)
            ft_warn("unreadable event from worker %d (kept in events.jsonl): %s: %.120s", (int)j->proc.pid, err.text,
                    line);
        return;
    }
    kind = ft_event_decode(ev);
    if (kind == FT_EV_LOST)
        ft_warn("worker %d could not encode an event (scenario '%s'): %s", (int)j->proc.pid, j->s->name,
                json_string_value(json_object_get(ev, "message")) ?: "?");
    if (kind == FT_EV_REPORT) {
        json_object_set_new(ev, "worker", json_integer(j->proc.pid)); /* racing objects are per process */
        count = ft_results_report(j->results, j->sc, ev, j->now - j->started);
        warn_cut_report(ev);
    }
    else {
        if (ft_event_is_final(kind))
            j->got_done = 1; /* "stopped": setup_once failed, its error finding is already sent */
        if (ft_event_is_fatal(kind, ev))
            j->got_fatal = 1;
        ft_results_event(j->results, j->sc, kind, ev, j->now - j->started);
    }
    log_event(j, line, 1, count);
    json_decref(ev);
}

/* Starts the next worker of a job: the next chunk of rounds (rounds_per_worker, or all). */
static int start_worker(job *j, const ft_supervise_opts *o)
{
    const ft_scenario *s = j->s;
    long chunk = s->rounds_per_worker > 0 && s->rounds_per_worker < j->rounds_left ? s->rounds_per_worker
                                                                                 : j->rounds_left;
    char first[32], rounds[32], seed[32], threads[32], iters[32], spawned[32], parent[48];
    size_t nsites = o->sites ? o->sites->count : 0;
    /* sized for what this worker gets: no site folder or environment entry is ever left out */
    /* 9 option pairs at most (file, scenario, first-round, rounds, seed, perturb, spawned-ns, threads,
     * iterations), the sites, and the closing NULL */
    char **args = ft_xcalloc(19 + 2 * nsites, sizeof *args), **env = ft_xcalloc(3 + s->env.count, sizeof *env);
    char *tsan = NULL, *log = NULL, *dir = ft_scenario_log_dir(o->out_dir, s->name);
    size_t na = 0, ne = 0;

    snprintf(first, sizeof first, "%ld", j->first_round);
    snprintf(rounds, sizeof rounds, "%ld", chunk);
    snprintf(seed, sizeof seed, "%lu", o->seed);
    args[na++] = "--file", args[na++] = s->file;
    args[na++] = "--scenario", args[na++] = s->name;
    args[na++] = "--first-round", args[na++] = first;
    args[na++] = "--rounds", args[na++] = rounds;
    args[na++] = "--seed", args[na++] = seed;
    if (o->perturb) /* the worker derives every thread's schedule from the seed above */
        args[na++] = "--perturb", args[na++] = (char *)ft_perturb_name(o->perturb); /* never written */
    snprintf(spawned, sizeof spawned, "%lld", (long long)ft_now_ns());
    args[na++] = "--spawned-ns", args[na++] = spawned;
    if (o->threads > 0) {
        snprintf(threads, sizeof threads, "%d", o->threads);
        args[na++] = "--threads", args[na++] = threads;
    }
    if (o->iterations > 0) {
        snprintf(iters, sizeof iters, "%d", o->iterations);
        args[na++] = "--iterations", args[na++] = iters;
    }
    for (size_t i = 0; i < nsites; i++)
        args[na++] = "--site", args[na++] = o->sites->items[i];
    args[na] = NULL;

    char *options = ft_worker_tsan_options(o->symbolizer);
    char *log_path = ft_xasprintf("%s/tsan", dir), *quoted = ft_tsan_quoted(log_path);
    tsan = ft_xasprintf("TSAN_OPTIONS=%s log_path=%s", options, quoted);
    free(options);
    free(log_path);
    free(quoted);
    log = ft_xasprintf("%s/worker-%d.log", dir, ++j->workers_started);
    /* The worker dies with its supervisor (PR_SET_PDEATHSIG) and checks it is still this one's child. */
    snprintf(parent, sizeof parent, "FTSTRESS_SUPERVISOR_PID=%d", (int)getpid());
    env[ne++] = tsan;
    env[ne++] = parent;
    for (size_t i = 0; i < s->env.count; i++)
        env[ne++] = s->env.items[i];
    env[ne] = NULL;

    /* The worker runs this resolved copy (overrides applied), not its own reading of the file. */
    json_t *resolved = ft_scenario_to_json(s);
    char *scenario_text = resolved ? json_dumps(resolved, JSON_COMPACT) : NULL;
    json_decref(resolved);
    if (!scenario_text) {
        ft_error("cannot encode scenario '%s' for its worker", s->name);
        free(tsan), free(log), free(dir), free(args), free(env);
        return -1;
    }
    /* A fork server's copy of an initialised interpreter when there is one for this environment;
     * otherwise (or when it fails) a spawned worker, which behaves the same, only starts slower. */
    char *tsan_log = ft_xasprintf("%s/tsan", dir);
    int rc = j->servers ? ft_fork_servers_start_worker(j->servers, &s->env, &j->proc, args, log, scenario_text, tsan_log)
                        : -1;
    j->forked = rc == 0;
    if (rc < 0)
        rc = ft_proc_spawn(&j->proc, args, env, log, scenario_text);
    free(tsan_log);
    free(scenario_text);
    if (rc < 0) {
        ft_error("cannot start a worker for '%s': %s", s->name, strerror(errno));
        unlink(log); /* opened for the worker that never came */
    }
    else {
        j->active = 1;
        j->got_done = j->got_fatal = j->stopped_early = 0;
        j->dump_sent_ns = j->killed_ns = 0;
        j->native = NULL;
        j->crash_tid = 0;
        j->spawned_ns = ft_now_ns();
        free(j->worker_log);
        j->worker_log = log, log = NULL;
        j->chunk_end = j->first_round + chunk;
        j->worker_first_round = j->first_round;
        j->first_round += chunk;
        j->rounds_left -= chunk;
        j->results->scenarios[j->sc].workers++;
        j->results->scenarios[j->sc].workers_forked += j->forked;
        ft_debug("worker %d (%s): %s rounds %s..+%s", (int)j->proc.pid, j->forked ? "forked" : "spawned", s->name,
                 first, rounds);
    }
    free(tsan);
    free(log);
    free(dir);
    free(args);
    free(env);
    return rc;
}

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

/* A worker's pipes are all closed: reap it and decide what its end means. */
static void finish_worker(job *j, const ft_supervise_opts *o)
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
        char *worker_log = j->stacks.len ? NULL : ft_read_tail(j->worker_log, 262144);
        int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
        int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
        ft_crash_evidence ev = {.signal = sig, .exit_code = code, .round = round,
                                .stacks = j->stacks.len ? j->stacks.data : worker_log ? worker_log : "",
                                .tsan_log = tsan_log, .native = j->native, .crash_tid = j->crash_tid};
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

/* Every thread's native stack, taken from outside with ptrace while the worker waits (crash) or is
 * stuck (hang). Once per worker; a failure is said, and the finding keeps what else it has. */
static void take_native_stacks(job *j)
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

/* A worker thread took a fatal signal: its handler waits while the native stacks are taken. */
static void check_crash(job *j)
{
    if (j->crash_tid || !atomic_load(&j->proc.status->crash_signal))
        return;
    j->crash_tid = atomic_load(&j->proc.status->crash_tid);
    take_native_stacks(j);
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
        take_native_stacks(j); /* after the Python dump: ptrace stops every thread, the watchdog too */
        kill(-j->proc.pid, SIGKILL);
        kill(j->proc.pid, SIGKILL);
        j->killed_ns = t;
    }
}

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
    size_t next = 0, pass = 0;
    int spawn_failed = 0;
    int64_t t0 = ft_now_ns(), last_save = 0;
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
        struct pollfd pfd[3 * FT_MAX_JOBS];
        job *owner[3 * FT_MAX_JOBS];
        int kind[3 * FT_MAX_JOBS], nfd = 0, running = 0;
        double now = (double)(ft_now_ns() - t0) / 1e9;

        /* Start work while there are free slots. */
        for (size_t i = 0; i < nselected; i++)
            running += js[i].active;
        while (!interrupted && running < jobs) {
            job *j = NULL;
            for (size_t i = 0; i < nselected && !j; i++)
                if (!js[i].active && js[i].rounds_left > 0)
                    j = &js[i]; /* a scenario with rounds left in a later worker */
            if (!j && next < nselected) {
                j = &js[next++];
                long rounds = o->rounds > 0 ? o->rounds : j->s->rounds;
                j->round_base += pass ? rounds : 0;
                j->first_round = j->round_base;
                j->rounds_left = rounds;
                j->started = now;
            }
            if (!j)
                break;
            j->now = now;
            if (start_worker(j, o) < 0) {
                j->rounds_left = 0;
                spawn_failed = 1; /* no further pass: it would fail the same way, as fast as it can */
                continue;
            }
            running++;
        }
        if (running == 0) {
            int again = !spawn_failed &&
                        ((o->duration > 0 && now < o->duration) || (o->until_failure && o->duration <= 0));
            if (o->until_failure && expectation_failed(results))
                again = 0;
            if (interrupted || !again)
                break;
            next = 0; /* another pass over the selection */
            pass++;
            continue;
        }

        for (size_t i = 0; i < nselected; i++) {
            job *j = &js[i];
            int fds[3] = {j->proc.events_fd, j->proc.reports_fd, j->proc.stacks_fd};
            if (!j->active)
                continue;
            for (int k = 0; k < 3; k++)
                if (fds[k] >= 0 && nfd < 3 * FT_MAX_JOBS) {
                    pfd[nfd] = (struct pollfd){.fd = fds[k], .events = POLLIN};
                    owner[nfd] = j;
                    kind[nfd++] = k;
                }
        }
        if (poll(pfd, (nfds_t)nfd, 100) < 0 && errno != EINTR)
            break;
        now = (double)(ft_now_ns() - t0) / 1e9;
        for (int k = 0; k < nfd; k++) {
            job *j = owner[k];
            long n;
            if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            j->now = now;
            if (kind[k] == 0)
                n = ft_linebuf_read(&j->events, j->proc.events_fd, on_event_line, j);
            else if (kind[k] == 1)
                n = ft_linebuf_read(&j->reports, j->proc.reports_fd, on_event_line, j);
            else
                n = ft_linebuf_read_raw(&j->stacks, j->proc.stacks_fd);
            if (n <= 0 && !(n < 0 && errno == EINTR)) {
                int *fd = kind[k] == 0 ? &j->proc.events_fd : kind[k] == 1 ? &j->proc.reports_fd
                                                                          : &j->proc.stacks_fd;
                close(*fd);
                *fd = -1;
            }
        }
        for (size_t i = 0; i < nselected; i++) {
            job *j = &js[i];
            if (!j->active)
                continue;
            j->now = now;
            if (j->proc.events_fd < 0 && j->proc.reports_fd < 0 && j->proc.stacks_fd < 0)
                finish_worker(j, o);
            else if (!o->keep_going && !j->killed_ns && !j->got_done &&
                     ft_results_expectation_met(results, j->sc)) {
                /* `expect: race` passes on the first race: stop here, before the corruption a race
                 * often causes turns into a crash that would only repeat what is known. */
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
        if (o->until_failure && results->changed && expectation_failed(results)) {
            for (size_t i = 0; i < nselected; i++)
                js[i].rounds_left = 0; /* finish what runs, start nothing new */
            next = nselected; /* the loop ends once running workers are done */
        }
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
    results->interrupted = interrupted;
    return interrupted ? -1 : 0;
}
