/* A worker process: embeds the interpreter and runs one scenario's rounds for its supervisor.
 *
 * Everything it learns goes out on descriptors the supervisor set up (worker_channel.h): events
 * from the main thread, TSan reports from the hook, Python stacks from faulthandler and the hang
 * watchdog. It ends with _exit() so that interpreter finalization, which has known races of its
 * own in 3.13, never runs into the findings. */
#include "worker.h"
#include "worker_prepare.h"
#include "worker_fds.h"
#include "exit_codes.h"

#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "clock.h"
#include "crash_signal.h"
#include "entry_cache.h"
#include "exercise.h"
#include "fork_server.h"
#include "perturb.h"
#include "pystack.h"
#include "scenario.h"
#include "startup_steps.h"
#include "tsan_hook.h"
#include "worker_channel.h"
#include "worker_python.h"
#include "worker_team.h"
#include "utf8.h"
#include "xalloc.h"


static ft_status *status;
static PyInterpreterState *interp; /* set before the watchdog starts */

static int parse_args(int argc, char **argv, worker_args *a)
{
    static const struct option opts[] = {
        {"file", required_argument, 0, 'f'},       {"scenario", required_argument, 0, 's'},
        {"first-round", required_argument, 0, 'r'}, {"rounds", required_argument, 0, 'n'},
        {"threads", required_argument, 0, 't'},    {"iterations", required_argument, 0, 'i'},
        {"seed", required_argument, 0, 'S'},       {"site", required_argument, 0, 'p'},
        {"compile-only", no_argument, 0, 'c'},     {"spawned-ns", required_argument, 0, 'T'},
        {"tsan-log", required_argument, 0, 'L'},   {"perturb", required_argument, 0, 'P'},
        {"zygote", no_argument, 0, 'z'},           {"hash-seed", required_argument, 0, 'H'},
        {"targets-known", no_argument, 0, 'K'}, /* for the fork server (zygote.h); a worker runs the same either way */
        {"entry-cache", required_argument, 0, 'E'},
        {"team-size", required_argument, 0, 'G'}, /* for the fork server (spare_worker.h); the scenario says it */
        {"last-request", no_argument, 0, 'Z'},    /* for the fork server: no spare after this worker */
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': ft_strlist_push(&a->files, optarg); break;
        case 's': a->scenario = optarg; break;
        case 'r': a->first_round = atol(optarg); break;
        case 'n': a->rounds = atol(optarg); break;
        case 't': a->threads = atoi(optarg); break;
        case 'i': a->iterations = atoi(optarg); break;
        case 'S': a->seed = strtoul(optarg, NULL, 10); break;
        case 'p': ft_strlist_push(&a->sites, optarg); break;
        case 'c': a->compile_only = 1; break;
        case 'z': break;
        case 'G': case 'Z': break;
        case 'K': a->targets_known = 1; break;
        case 'E': ft_entry_cache_use(optarg); break;
        case 'H': a->hash_seed = strtoul(optarg, NULL, 10), a->hash_seed_given = 1; break;
        case 'T': a->spawned_ns = strtoll(optarg, NULL, 10); break;
        case 'L': a->tsan_log = optarg; break;
        case 'P':
            if (ft_perturb_parse(optarg, &a->perturb) < 0)
                return -1;
            break;
        default: return -1;
        }
    }
    return a->files.count ? 0 : -1;
}

/* Waits for supervisor commands. A hang dump reads every thread's frames while they run; the
 * reader is uninstrumented (pystack.c), so TSan neither sees it nor can block it. */
static void *watchdog_main(void *arg)
{
    char cmd;
    (void)arg;
    pthread_setname_np(pthread_self(), "fts:watchdog");
    while (read(ft_worker_fd.control, &cmd, 1) == 1) {
        if (cmd == FT_CMD_DUMP_STACKS) {
            ft_out o;
            ft_out_init(&o, ft_worker_fd.stacks);
            ft_pystack_write_all(&o, interp, NULL);
            ft_out_flush(&o);
            atomic_store(&status->dump_done, 1);
        }
    }
    ft_crash_signal_wait_if_crashing();
    _exit(0); /* supervisor gone: no one is listening */
    return NULL;
}

/* Every normal end of a worker: a thread that is crashing right now ends the process itself. */
static void __attribute__((noreturn)) worker_exit(int code)
{
    ft_crash_signal_wait_if_crashing();
    _exit(code);
}

/* Runs a main-thread block; an exception becomes an error event of that kind. */
static int run_block(PyObject *code, PyObject *ns, const char *kind, long round)
{
    if (ft_py_exec(code, ns, NULL) == 0)
        return 0;
    PyObject *info = ft_py_take_exception(NULL, NULL);
    ft_event_exception(FT_EV_ERROR, kind, round, -1, info);
    Py_XDECREF(info);
    return -1;
}

/* The arbiter, after the round on the main thread: its value's repr is the round's result, sent
 * to the supervisor to be graded against `outcomes:`. It sees the shared namespace, `round`,
 * `threads`, `result` (what the threads put in their own `result` dicts this round, merged) and
 * `results` (those dicts, one per thread, in thread order). */
static void run_arbiter(PyObject *code, PyObject *ns, ft_team *team, long round)
{
    /* A copy of the shared namespace as the arbiter's only namespace: comprehensions and generator
     * expressions in it see `result` too (separate locals would hide them there). */
    PyObject *locals = PyDict_Copy(ns), *merged = ft_team_results(team), *each = ft_team_results_list(team);
    PyObject *r = PyLong_FromLong(round), *value, *repr;
    const char *text;

    if (!locals || !merged || !each || !r || PyDict_SetItemString(locals, "result", merged) < 0 ||
        PyDict_SetItemString(locals, "results", each) < 0 || PyDict_SetItemString(locals, "round", r) < 0) {
        PyErr_Clear();
        goto done;
    }
    if (ft_py_exec(code, locals, NULL) < 0) {
        PyObject *info = ft_py_take_exception(NULL, NULL);
        ft_event_exception(FT_EV_ERROR, "arbiter", round, -1, info);
        Py_XDECREF(info);
        goto done;
    }
    value = PyDict_GetItemString(locals, "__arbiter__"); /* borrowed; absent: the block ended in a statement */
    repr = PyObject_Repr(value ? value : Py_None);
    text = repr ? PyUnicode_AsUTF8(repr) : NULL;
    if (!text) {
        PyErr_Clear();
        text = "<repr failed>";
    }
    char *shown = ft_xstrdup(text);
    ft_utf8_truncate(shown, 200, "...");
    ft_event_send(FT_EV_OUTCOME, json_pack("{s:I, s:s}", "round", (json_int_t)round, "value", shown));
    free(shown);
    Py_XDECREF(repr);
done:
    Py_XDECREF(locals);
    Py_XDECREF(merged);
    Py_XDECREF(each);
    Py_XDECREF(r);
}

/* Barrier skews are kept as a bounded uniform sample (reservoir sampling): memory stays flat however
 * many rounds a worker runs, and the median of the sample estimates the median of all. */
#define SKEW_SAMPLE 1024

typedef struct skew_sample {
    int64_t v[SKEW_SAMPLE];
    long seen;
    uint64_t state; /* xorshift, for the reservoir's choices */
} skew_sample;

static void skew_add(skew_sample *s, int64_t v)
{
    if (s->seen < SKEW_SAMPLE) {
        s->v[s->seen++] = v;
        return;
    }
    s->state ^= s->state << 13, s->state ^= s->state >> 7, s->state ^= s->state << 17;
    uint64_t k = s->state % (uint64_t)(++s->seen);
    if (k < SKEW_SAMPLE)
        s->v[k] = v;
}

static int64_t median(int64_t *v, long n)
{
    /* insertion sort: n is at most SKEW_SAMPLE, and this runs once per worker */
    for (long i = 1; i < n; i++)
        for (long j = i; j > 0 && v[j - 1] > v[j]; j--) {
            int64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? v[n / 2] : 0;
}

static void run_rounds(const ft_scenario *s, const worker_args *a, PyObject **blocks, PyObject *ns,
                       ft_team *team)
{
    int n = ft_team_size(team);
    skew_sample *skews = ft_xcalloc(1, sizeof *skews);
    skews->state = 0x9e3779b97f4a7c15ULL; /* any non-zero start: xorshift stays at zero from zero */
    int64_t in_rounds = 0;
    long done = 0;
    /* made once: PyDict_SetItemString would build and intern the key every round, a good part of
     * an empty round's main-thread time under TSan */
    PyObject *round_key = PyUnicode_InternFromString("round");
    if (!round_key)
        _exit(FT_EXIT_CANNOT_RUN);

    for (long r = a->first_round; r < a->first_round + a->rounds; r++, done++) {
        int64_t started = ft_now_ns(), first = INT64_MAX, last = 0;
        PyObject *round = PyLong_FromLong(r);
        atomic_store(&status->round_started_ns, started);
        atomic_store(&status->round, r);
        PyDict_SetItem(ns, round_key, round);
        Py_DECREF(round);

        ft_worker_set_phase(status, FT_PHASE_SETUP);
        if (run_block(blocks[B_SETUP], ns, "setup", r) < 0)
            continue; /* a round without its fresh state would only report noise */
        ft_worker_set_phase(status, FT_PHASE_BODY);
        ft_team_round(team, r);
        for (int t = 0; t < n; t++) {
            const ft_thread_result *res = ft_team_result(team, t);
            if (res->error)
                ft_event_exception(FT_EV_ERROR, "exception", r, t, res->error);
            if (res->left_barrier_ns < first)
                first = res->left_barrier_ns;
            if (res->left_barrier_ns > last)
                last = res->left_barrier_ns;
        }
        skew_add(skews, last - first);
        ft_worker_set_phase(status, FT_PHASE_CHECK);
        if (blocks[B_ARBITER] != Py_None)
            run_arbiter(blocks[B_ARBITER], ns, team, r);
        run_block(blocks[B_CHECK], ns, "check", r);
        ft_worker_set_phase(status, FT_PHASE_TEARDOWN);
        run_block(blocks[B_TEARDOWN], ns, "teardown", r);
        in_rounds += ft_now_ns() - started;
        atomic_store(&status->in_rounds_ns, in_rounds);
        atomic_fetch_add(&status->rounds_done, 1);
        ft_exercise_round_done(s);
    }
    ft_worker_set_phase(status, FT_PHASE_DONE);

    PyObject *ignored = ft_team_ignored(team);
    json_t *ign = json_object();
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (ignored && PyDict_Next(ignored, &pos, &k, &v))
        json_object_set_new(ign, PyUnicode_AsUTF8(k), json_integer(PyLong_AsLong(v)));
    Py_XDECREF(ignored);
    ft_exercise_send(s);
    ft_event_send(FT_EV_DONE, json_pack("{s:I, s:f, s:I, s:o}", "rounds", (json_int_t)done, "seconds",
                            (double)in_rounds / 1e9, "skew_ns_median", (json_int_t)median(skews->v, skews->seen < SKEW_SAMPLE ? skews->seen : SKEW_SAMPLE),
                            "ignored", ign));
    free(skews);
}

/* This process's side of the channel: the status page and the report hook on their descriptors. */
static void attach_channel(int64_t t0)
{
    status = mmap(NULL, sizeof *status, PROT_READ | PROT_WRITE, MAP_SHARED, FT_FD_STATUS, 0);
    if (status == MAP_FAILED) {
        static ft_status local; /* run by hand: keep going without a supervisor */
        status = &local;
    }
    atomic_store(&status->round, -1);
    atomic_store(&status->round_started_ns, t0);
    /* Mapped: the descriptor is not needed any more, and scenario code must not find it. */
    ft_worker_fds_park(FT_FD_STATUS);
    ft_tsan_hook_arm(ft_worker_fd.reports, status);
}

/* From the prepared scenario to the end of the worker's rounds: the GIL check, setup_once, the team,
 * the rounds. `zygote`: started from a zygote's preparation (said in the ready event). */
static void __attribute__((noreturn)) run_prepared(const worker_args *a, int64_t t0, ft_worker_prepared *p, int zygote)
{
    const ft_scenario *s = p->s;
    pthread_t watchdog;

    ft_worker_set_phase(status, FT_PHASE_SETUP_ONCE);
    if (ft_prepare_report_gil(s, &p->gil, a->targets_known) < 0)
        _exit(FT_EXIT_CANNOT_RUN);
    ft_startup_mark("exercise_hook");
    pthread_create(&watchdog, NULL, watchdog_main, NULL);
    if (run_block(p->blocks[B_SETUP_ONCE], p->ns, "setup_once", -1) < 0) {
        /* The error finding is sent; no round can run without the shared state. */
        ft_event_send(FT_EV_STOPPED, json_pack("{s:s}", "why", "setup_once raised an exception"));
        worker_exit(0);
    }
    ft_startup_mark("setup_once");

    if (a->forked && ft_fork_server_adopt() < 0)
        _exit(FT_EXIT_CANNOT_RUN); /* the supervisor is gone: nobody would read what the rounds find */
    ft_team *team = ft_team_start(s, p->bodies, p->ns, p->ignore, a->seed, a->perturb);
    ft_startup_mark("team");
    ft_event_send(FT_EV_READY, json_pack("{s:f, s:i, s:b, s:o}", "startup_seconds",
                            (double)(ft_now_ns() - (a->spawned_ns ? a->spawned_ns : t0)) / 1e9,
                            "pid", (int)getpid(), "zygote", zygote, "startup_steps", ft_startup_steps_json()));
    run_rounds(s, a, p->blocks, p->ns, team);
    worker_exit(0);
}

/* Everything after the interpreter is up, the same in a spawned and a forked worker. */
static int worker_body(const worker_args *a, int64_t t0)
{
    static ft_worker_prepared p;

    interp = PyInterpreterState_Get();
    ft_crash_signal_install(status, ft_worker_fd.stacks, interp);
    if (a->compile_only)
        _exit(ft_prepare_compile_all(&a->files) ? 2 : 0);
    int rc = ft_prepare(a, FT_FD_SCENARIO, status, &p);
    if (rc)
        _exit(rc);
    run_prepared(a, t0, &p, 0);
}

#ifdef FTSTRESS_NO_TSAN
#pragma weak __sanitizer_set_report_path
/* The plain driver (FTSTRESS_SANITIZER=none) has no sanitizer runtime to tell where to report. */
static int ft_have_sanitizer_runtime(void) { return __sanitizer_set_report_path != NULL; }
#else
static int ft_have_sanitizer_runtime(void) { return 1; }
#endif

/* A forked worker's start, its descriptors in place: its arguments, its TSan log, its channel. */
static int start_forked(int argc, char **argv, worker_args *a, int64_t t0)
{
    if (parse_args(argc, argv, a) < 0)
        return -1;
    a->forked = 1;
    ft_startup_begin(a->spawned_ns ? a->spawned_ns : t0);
    ft_startup_mark("fork");
    if (a->tsan_log && ft_have_sanitizer_runtime())
        __sanitizer_set_report_path(a->tsan_log); /* the server's log path was fixed when it started */
    ft_worker_fds_lift();
    attach_channel(t0);
    return 0;
}

int ft_worker_forked_main(int argc, char **argv)
{
    int64_t t0 = ft_now_ns();
    worker_args a = {.rounds = 1};
    if (start_forked(argc, argv, &a, t0) < 0)
        return FT_EXIT_USAGE;
    return worker_body(&a, t0);
}

ft_worker_prepared *ft_worker_prepare(int argc, char **argv, int scenario_fd)
{
    static worker_args a; /* the prepared state points into it; the process keeps it */
    ft_worker_prepared *p = ft_xcalloc(1, sizeof *p);
    a = (worker_args){.rounds = 1};
    if (parse_args(argc, argv, &a) < 0 || a.compile_only) {
        close(scenario_fd);
        return NULL;
    }
    interp = PyInterpreterState_Get();
    if (ft_prepare(&a, scenario_fd, NULL, p) != 0)
        return NULL; /* the process ends: what prepare made ends with it */
    return p;
}

int ft_worker_prepared_main(ft_worker_prepared *p, int argc, char **argv)
{
    int64_t t0 = ft_now_ns();
    worker_args a = {.rounds = 1};
    if (start_forked(argc, argv, &a, t0) < 0)
        return FT_EXIT_USAGE;
    ft_worker_fds_park(FT_FD_SCENARIO); /* the zygote read its own copy */
    ft_crash_signal_install(status, ft_worker_fd.stacks, interp);
    run_prepared(&a, t0, p, 1);
}

int ft_worker_main(int argc, char **argv)
{
    int64_t t0 = ft_now_ns();
    worker_args a = {.rounds = 1};

    if (argc >= 2 && !strcmp(argv[1], "--serve"))
        return ft_fork_server_main(argc, argv);
    /* A worker never outlives its supervisor, even one killed with SIGKILL: a nightly job's runner
     * must not find orphans. The parent check closes the window before prctl took effect. */
    const char *supervisor = getenv("FTSTRESS_SUPERVISOR_PID");
    if (supervisor && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != (pid_t)atol(supervisor)))
        _exit(FT_EXIT_CANNOT_RUN);
    if (parse_args(argc, argv, &a) < 0) {
        fprintf(stderr, "ftstress __worker: bad arguments (this command is for the supervisor)\n");
        return FT_EXIT_USAGE;
    }
    ft_worker_fds_lift();
    attach_channel(t0);
    ft_startup_begin(a.spawned_ns ? a.spawned_ns : t0);
    if (ft_py_start(a.hash_seed_given ? a.hash_seed : a.seed) < 0)
        _exit(FT_EXIT_CANNOT_RUN);
    ft_startup_mark("interpreter");
    return worker_body(&a, t0);
}
