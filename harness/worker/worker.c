/* A worker process: embeds the interpreter and runs one scenario's rounds for its supervisor.
 *
 * Everything it learns goes out on descriptors the supervisor set up (worker_channel.h): events
 * from the main thread, TSan reports from the hook, Python stacks from faulthandler and the hang
 * watchdog. It ends with _exit() so that interpreter finalization, which has known races of its
 * own in 3.13, never runs into the findings. */
#include "worker.h"
#include "worker_fds.h"
#include "exit_codes.h"

#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "clock.h"
#include "crash_signal.h"
#include "exercise.h"
#include "fork_server.h"
#include "perturb.h"
#include "pystack.h"
#include "scenario.h"
#include "scenario_json.h"
#include "tsan_hook.h"
#include "worker_channel.h"
#include "worker_python.h"
#include "worker_team.h"
#include "utf8.h"
#include "xalloc.h"

typedef struct worker_args {
    ft_strlist files;
    const char *scenario;
    long first_round, rounds;
    int threads, iterations;
    unsigned long seed, hash_seed;
    int hash_seed_given;
    int targets_known; /* --targets-known: the supervisor has the targets' entry points already */
    int perturb; /* FT_PERTURB_* (perturb.h) */
    ft_strlist sites;
    int compile_only;
    int64_t spawned_ns; /* CLOCK_MONOTONIC when the supervisor spawned us: start-up counts from there */
    const char *tsan_log; /* a forked worker's TSan log path (a spawned one has it in TSAN_OPTIONS) */
    int forked;           /* started by the fork server (fork_server.h), not spawned */
} worker_args;

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
        case 'K': a->targets_known = 1; break;
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

enum { B_SETUP_ONCE, B_SETUP, B_CHECK, B_TEARDOWN, B_ARBITER, B_COUNT };

static int compile_scenario(const ft_scenario *s, PyObject **blocks, PyObject **bodies)
{
    static const char *const names[B_COUNT] = {"setup_once", "setup", "check", "teardown", "arbiter"};
    const ft_block *b[B_COUNT] = {&s->setup_once, &s->setup, &s->check, &s->teardown, &s->arbiter};
    int failed = 0;

    for (int i = 0; i < B_COUNT; i++)
        if (!(blocks[i] = ft_py_compile(s, b[i], names[i])))
            failed = 1;
    for (size_t r = 0; r < s->nroles; r++) {
        char name[256];
        snprintf(name, sizeof name, "body[%s]", s->roles[r].name);
        if (!(bodies[r] = ft_py_compile(s, &s->roles[r].body, name)))
            failed = 1;
    }
    return failed ? -1 : 0;
}

/* Compile-only mode: every block of every scenario in the files, for `check` and `run`. */
static int compile_all(const worker_args *a)
{
    int failed = 0;
    for (size_t f = 0; f < a->files.count; f++) {
        ft_scenario_set set = {0};
        ft_diags diags = {0};
        ft_scenarios_load_file(a->files.items[f], &set, &diags);
        for (size_t i = 0; i < set.count; i++) {
            PyObject *blocks[B_COUNT] = {0}, **bodies = ft_xcalloc(set.items[i].nroles, sizeof *bodies);
            if (compile_scenario(&set.items[i], blocks, bodies) < 0)
                failed = 1;
            free(bodies); /* the process ends right after: the code objects may stay */
        }
        ft_diags_free(&diags);
        ft_scenarios_free(&set);
    }
    ft_event_send(FT_EV_COMPILED, json_pack("{s:b}", "ok", !failed));
    return failed;
}

static PyObject *make_namespace(const ft_scenario *s)
{
    PyObject *ns = PyDict_New();
    PyObject *threads = PyLong_FromLong(ft_scenario_threads(s));
    if (!ns || !threads || PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(ns, "__name__", PyUnicode_FromString("__ftstress__")) < 0 ||
        PyDict_SetItemString(ns, "threads", threads) < 0) {
        Py_XDECREF(threads);
        return NULL;
    }
    Py_DECREF(threads);
    return ns;
}

static int gil_enabled(void)
{
    PyObject *f = PySys_GetObject("_is_gil_enabled"); /* borrowed; a C call, no source to parse */
    PyObject *r = f ? PyObject_CallNoArgs(f) : NULL;
    int enabled = r ? PyObject_IsTrue(r) == 1 : 0;
    Py_XDECREF(r);
    PyErr_Clear();
    return enabled;
}

/* The first import after which the GIL was on (it was off before), for the refusal message. */
static char gil_culprit[256];

/* Imports the scenario's modules into the shared namespace as `import X` would. */
static int import_modules(const ft_scenario *s, PyObject *ns)
{
    int gil_before = gil_enabled();
    for (size_t i = 0; i < s->imports.count; i++) {
        char *stmt = NULL;
        PyObject *r;
        stmt = ft_xasprintf("import %s\n", s->imports.items[i]);
        r = PyRun_String(stmt, Py_file_input, ns, ns);
        free(stmt);
        if (!r) {
            PyObject *info = ft_py_take_exception(NULL, NULL);
            ft_event_exception(FT_EV_FATAL, "import", -1, -1, info);
            Py_XDECREF(info);
            return -1;
        }
        Py_DECREF(r);
        if (!gil_before && !gil_culprit[0] && gil_enabled())
            snprintf(gil_culprit, sizeof gil_culprit, "%s", s->imports.items[i]);
    }
    return 0;
}

/* After imports: whether the GIL is on, and which imports are the code under test. */
typedef struct gil_state {
    int enabled, allowed;
    json_t *targets;
} gil_state;

/* After imports: a module without Py_mod_gil turns the GIL back on, silently hiding most races.
 * Also lists the targets for the exercised counts. */
static void check_gil(const ft_scenario *s, gil_state *g)
{
    const char *forced = getenv("PYTHON_GIL");
    g->enabled = gil_enabled();
    g->allowed = forced && !strcmp(forced, "1");
    g->targets = json_array();

    /* Imports that are not the standard library are the code under test: findings without native
     * frames (exceptions, hangs) are attributed to them. */
    for (size_t i = 0; i < s->imports.count; i++) {
        char code[512];
        snprintf(code, sizeof code,
                 "(lambda m, p: bool(getattr(m, '__file__', None)) and"
                 " (not m.__file__.startswith(p) or '/site-packages/' in m.__file__))"
                 "(__import__('sys').modules[%s%s%s], __import__('os').path.dirname(__import__('os').__file__))",
                 "'", s->imports.items[i], "'");
        PyObject *v = PyRun_String(code, Py_eval_input, PyEval_GetBuiltins(), NULL);
        if (v && PyObject_IsTrue(v))
            json_array_append_new(g->targets, json_string(s->imports.items[i]));
        Py_XDECREF(v);
        PyErr_Clear();
    }
    ft_exercise_list(s, g->targets); /* in a zygote, once for all its workers */
}

/* Registers the exercised counts and sends what check_gil found; -1 when the GIL is on and the
 * scenario did not allow it. In the worker itself, never a zygote: registering symbolizes the
 * targets' entry points through TSan's symbolizer process, whose pipes a zygote's workers would
 * then share. */
static int report_gil(const ft_scenario *s, const gil_state *g, int targets_known)
{
    ft_exercise_register(s, g->targets, !targets_known);
    ft_exercise_announce();
    ft_event_send(FT_EV_GIL, json_pack("{s:b, s:b, s:O, s:s?}", "enabled", g->enabled, "allowed", g->allowed,
                            "targets", g->targets, "by", gil_culprit[0] ? gil_culprit : NULL));
    return g->enabled && !g->allowed ? -1 : 0;
}

/* The scenario the supervisor resolved and handed over on FT_FD_SCENARIO (scenario_json.h). */
static int read_handed_scenario(int fd, ft_scenario *out)
{
    /* Read whole, then parsed: jansson reads a descriptor a byte per read(2), seconds for a large body. */
    struct stat st;
    json_error_t err;
    json_t *doc = NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        char *text = ft_xmalloc((size_t)st.st_size);
        if (pread(fd, text, (size_t)st.st_size, 0) == st.st_size)
            doc = json_loadb(text, (size_t)st.st_size, 0, &err);
        free(text);
    }
    int rc = doc ? ft_scenario_from_json(doc, out) : -1;
    json_decref(doc);
    if (fd == FT_FD_SCENARIO)
        ft_worker_fds_park(FT_FD_SCENARIO);
    else
        close(fd);
    return rc;
}

static void set_phase(int phase)
{
    if (!status) /* a zygote preparing: no supervisor watches it yet */
        return;
    atomic_store(&status->phase_started_ns, ft_now_ns());
    atomic_store(&status->phase, phase);
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

        set_phase(FT_PHASE_SETUP);
        if (run_block(blocks[B_SETUP], ns, "setup", r) < 0)
            continue; /* a round without its fresh state would only report noise */
        set_phase(FT_PHASE_BODY);
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
        set_phase(FT_PHASE_CHECK);
        if (blocks[B_ARBITER] != Py_None)
            run_arbiter(blocks[B_ARBITER], ns, team, r);
        run_block(blocks[B_CHECK], ns, "check", r);
        set_phase(FT_PHASE_TEARDOWN);
        run_block(blocks[B_TEARDOWN], ns, "teardown", r);
        in_rounds += ft_now_ns() - started;
        atomic_store(&status->in_rounds_ns, in_rounds);
        atomic_fetch_add(&status->rounds_done, 1);
        ft_exercise_round_done(s);
    }
    set_phase(FT_PHASE_DONE);

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

/* What a worker makes ready before any target code but its imports runs: the scenario, its compiled
 * blocks, and the namespace with the scenario's imports done. A zygote (zygote.h) makes it once
 * and its forked workers start from it. */
struct ft_worker_prepared {
    ft_scenario_set set; /* the file's scenarios, when run by hand */
    ft_scenario handed;
    const ft_scenario *s;
    PyObject *blocks[B_COUNT], **bodies, *ns, *ignore;
    gil_state gil;
};

/* Reads the scenario (from `scenario_fd`, or its file when run by hand), compiles it, puts the site
 * folders on sys.path and imports its modules. 0, or the worker's exit code after the failure was
 * reported (nothing is reported where no events descriptor is open, as in a zygote). */
static int prepare(const worker_args *a, int scenario_fd, ft_worker_prepared *p)
{
    ft_diags diags = {0};

    p->s = read_handed_scenario(scenario_fd, &p->handed) == 0 ? &p->handed : NULL;
    if (!p->s) { /* run by hand, without a supervisor: read the file */
        ft_scenarios_load_file(a->files.items[0], &p->set, &diags);
        p->s = a->scenario ? ft_scenarios_find(&p->set, a->scenario) : NULL;
    }
    if (!p->s) {
        ft_event_send(FT_EV_FATAL, json_pack("{s:s, s:s}", "kind", "scenario", "message",
                                "scenario not found in its file (was it changed during the run?)"));
        return FT_EXIT_USAGE;
    }
    ft_scenario_override((ft_scenario *)p->s, a->threads, a->iterations);
    p->bodies = ft_xcalloc(p->s->nroles, sizeof *p->bodies);
    if (compile_scenario(p->s, p->blocks, p->bodies) < 0)
        return FT_EXIT_USAGE;
    p->ignore = PyFrozenSet_New(NULL);
    for (size_t i = 0; i < p->s->ignore_exceptions.count; i++)
        PySet_Add(p->ignore, PyUnicode_FromString(p->s->ignore_exceptions.items[i]));

    set_phase(FT_PHASE_SETUP_ONCE);
    if (ft_py_add_paths(&a->sites, &p->s->paths) < 0 || !(p->ns = make_namespace(p->s)) ||
        import_modules(p->s, p->ns) < 0)
        return FT_EXIT_CANNOT_RUN;
    check_gil(p->s, &p->gil);
    return 0;
}

/* From the prepared scenario to the end of the worker's rounds: the GIL check, setup_once, the team,
 * the rounds. `zygote`: started from a zygote's preparation (said in the ready event). */
static void __attribute__((noreturn)) run_prepared(const worker_args *a, int64_t t0, ft_worker_prepared *p, int zygote)
{
    const ft_scenario *s = p->s;
    pthread_t watchdog;

    set_phase(FT_PHASE_SETUP_ONCE);
    if (report_gil(s, &p->gil, a->targets_known) < 0)
        _exit(FT_EXIT_CANNOT_RUN);
    pthread_create(&watchdog, NULL, watchdog_main, NULL);
    if (run_block(p->blocks[B_SETUP_ONCE], p->ns, "setup_once", -1) < 0) {
        /* The error finding is sent; no round can run without the shared state. */
        ft_event_send(FT_EV_STOPPED, json_pack("{s:s}", "why", "setup_once raised an exception"));
        worker_exit(0);
    }

    if (a->forked && ft_fork_server_adopt() < 0)
        _exit(FT_EXIT_CANNOT_RUN); /* the supervisor is gone: nobody would read what the rounds find */
    ft_team *team = ft_team_start(s, p->bodies, p->ns, p->ignore, a->seed, a->perturb);
    ft_event_send(FT_EV_READY, json_pack("{s:f, s:i, s:b}", "startup_seconds",
                            (double)(ft_now_ns() - (a->spawned_ns ? a->spawned_ns : t0)) / 1e9,
                            "pid", (int)getpid(), "zygote", zygote));
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
        _exit(compile_all(a) ? 2 : 0);
    int rc = prepare(a, FT_FD_SCENARIO, &p);
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
    if (prepare(&a, scenario_fd, p) != 0)
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
    if (ft_py_start(a.hash_seed_given ? a.hash_seed : a.seed) < 0)
        _exit(FT_EXIT_CANNOT_RUN);
    return worker_body(&a, t0);
}
