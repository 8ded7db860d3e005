/* The native threads of one worker: created once, released together each round by a barrier.
 *
 * Every thread owns one PyThreadState for its whole life and is attached only while it runs
 * Python. Waiting at a barrier while attached would block the free-threaded GC's stop-the-world
 * pause and deadlock the process, so threads (and the main thread) always wait detached.
 *
 * A thread starts in two steps: what needs no scenario (the OS thread, its thread state, its
 * locals, its `rng`), then, once the main thread has given it a role, what does (its body's
 * function, its schedule). A spare worker (spare_worker.c) takes the first step before its request
 * comes, so that a kept server's command does not wait for it. */
#include "worker_team.h"
#include "exit_codes.h"

#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "exercise.h"
#include "perturb_hook.h"
#include "xalloc.h"
#include "worker_python.h"

typedef struct member {
    ft_team *team;
    int index;
    int dismissed; /* set by the main thread before it assigns: this thread is not needed, it ends */
    int role_thread;
    const ft_role *role;
    PyObject *code;    /* borrowed from the caller */
    PyObject *func;    /* this thread's own function around a copy of code */
    PyObject *locals;  /* this thread's own namespace; touched only by this thread when running */
    PyObject *ignored; /* {type: count}, this thread's */
    PyObject *rng;     /* random.Random made by this thread; reseeded by the main thread between rounds */
    pthread_t handle;
    ft_thread_result result;
    ft_perturb_thread perturb; /* this thread's seeded schedule (perturb_hook.h) */
} member;

/* Keys of the per-thread locals, made (and interned) once by the main thread: interning a new
 * string from several threads at once races inside CPython 3.13 itself. */
enum { K_ROLE, K_THREAD, K_ROLE_THREAD, K_ROUND, K_ITERATION, K_RNG, K_RESULT, K_COUNT };
static const char *const key_names[K_COUNT] = {"role", "thread", "role_thread", "round", "iteration", "rng", "result"};

struct ft_team {
    PyObject *keys[K_COUNT];
    PyInterpreterState *interp;
    PyObject *globals;
    PyObject *ignore;
    int size;
    member **members;     /* each member apart: a thread keeps its own pointer when the team grows */
    int nmembers;         /* members made, `size` of them used (more when started early for more) */
    int started;          /* members whose thread was created */
    pthread_mutex_t lock; /* with `assign`: the roles are given (assigned = 1) */
    pthread_cond_t assign;
    int assigned;
    pthread_barrier_t ready, start, end;
    long round; /* written by the main thread before the start barrier */
    unsigned long seed;
    int perturb;       /* FT_PERTURB_* mode */
    int perturb_trace; /* FTSTRESS_PERTURB_TRACE set: every round's schedule digest goes out as an event */
    PyObject *random_class; /* random.Random, used by the threads once, at start */
    int uses_rng;           /* some body names `rng`: only then is it reseeded each round */
    PyObject *c_seed;       /* _random.Random.seed, the C method random.Random.seed ends in */
};

static pthread_mutex_t tstate_creation = PTHREAD_MUTEX_INITIALIZER;

static int set_local(PyObject *locals, PyObject *key, long value)
{
    PyObject *v = PyLong_FromLong(value);
    int rc = v ? PyDict_SetItem(locals, key, v) : -1;
    Py_XDECREF(v);
    return rc;
}

static void count_ignored(member *m, PyObject *type_name)
{
    PyObject *old = PyDict_GetItemWithError(m->ignored, type_name);
    PyObject *n = PyLong_FromLong(old ? PyLong_AsLong(old) + 1 : 1);
    if (n)
        PyDict_SetItem(m->ignored, type_name, n);
    Py_XDECREF(n);
    PyErr_Clear();
}

/* One round's work for one thread, attached: the body `iterations` times, stopping at the first
 * exception that is not ignored. */
static void run_body(member *m, long round)
{
    /* A fresh `result` dict each round, made by this thread: a shared one would order the threads. */
    PyObject *result = PyDict_New();
    if (!result || PyDict_SetItem(m->locals, m->team->keys[K_RESULT], result) < 0)
        PyErr_Clear();
    Py_XDECREF(result);
    set_local(m->locals, m->team->keys[K_ROUND], round);
    for (int i = 0; i < m->role->iterations; i++) {
        if (set_local(m->locals, m->team->keys[K_ITERATION], i) < 0 || ft_py_run_function(m->func, m->locals) < 0) {
            PyObject *ignored = NULL;
            PyObject *info = ft_py_take_exception(m->team->ignore, &ignored);
            ft_exercise_body_raised(m->index, info, ignored);
            if (info) {
                m->result.error = info;
                return;
            }
            if (ignored) {
                count_ignored(m, ignored);
                Py_DECREF(ignored);
            }
        }
    }
}

/* The second step of a thread's start, attached: what its role and body decide. */
static void take_role(member *m)
{
    ft_team *t = m->team;
    PyObject *role = PyUnicode_FromString(m->role->name);
    m->func = ft_py_thread_function(m->code, t->globals);
    if (!m->func || !role || PyDict_SetItem(m->locals, t->keys[K_ROLE], role) < 0 ||
        set_local(m->locals, t->keys[K_ROLE_THREAD], m->role_thread) < 0) {
        fprintf(stderr, "ftstress worker: out of memory setting up thread %d\n", m->index);
        _exit(FT_EXIT_CANNOT_RUN);
    }
    Py_DECREF(role);
    ft_perturb_thread_init(&m->perturb, t->perturb, t->seed, m->index, t->size, m->role->iterations);
    ft_exercise_thread_start(m->index, m->func);
}

/* A thread that was started ahead and is not needed: it leaves nothing behind in the interpreter. */
static void *leave(member *m, PyThreadState *ts)
{
    PyEval_RestoreThread(ts);
    Py_CLEAR(m->locals);
    Py_CLEAR(m->ignored);
    Py_CLEAR(m->rng);
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void *thread_main(void *arg)
{
    member *m = arg;
    ft_team *t = m->team;
    char name[16];
    PyThreadState *ts;

    /* TSan reports carry thread names; the supervisor maps "fts:N" back to role and index. */
    snprintf(name, sizeof name, "fts:%d", m->index);
    pthread_setname_np(pthread_self(), name);

    /* One thread state at a time: in 3.13 the first extra thread state immortalizes deferred objects,
     * which races with another thread state being created at the same moment. */
    pthread_mutex_lock(&tstate_creation);
    ts = PyThreadState_New(t->interp);
    pthread_mutex_unlock(&tstate_creation);
    PyEval_RestoreThread(ts);
    m->locals = PyDict_New();
    m->ignored = PyDict_New();
    m->rng = PyObject_CallNoArgs(t->random_class); /* made here, so owned by this thread */
    if (!m->locals || !m->ignored || !m->rng || PyDict_SetItem(m->locals, t->keys[K_RNG], m->rng) < 0 ||
        set_local(m->locals, t->keys[K_THREAD], m->index) < 0) {
        fprintf(stderr, "ftstress worker: out of memory setting up thread %d\n", m->index);
        _exit(FT_EXIT_CANNOT_RUN);
    }
    PyEval_SaveThread();

    pthread_mutex_lock(&t->lock);
    while (!t->assigned)
        pthread_cond_wait(&t->assign, &t->lock);
    pthread_mutex_unlock(&t->lock);
    if (m->dismissed)
        return leave(m, ts);
    PyEval_RestoreThread(ts);
    take_role(m);
    PyEval_SaveThread();
    pthread_barrier_wait(&t->ready);

    for (;;) {
        pthread_barrier_wait(&t->start);
        m->result.left_barrier_ns = ft_now_ns();
        if (t->perturb) /* detached, before attaching: the jitter delays this thread's start */
            ft_perturb_round_begin(&m->perturb, t->round);
        PyEval_RestoreThread(ts);
        Py_CLEAR(m->result.error);
        ft_perturb_body_begin(&m->perturb);
        run_body(m, t->round);
        ft_perturb_body_end(&m->perturb);
        PyEval_SaveThread();
        pthread_barrier_wait(&t->end);
    }
    return NULL; /* workers end with _exit(); threads are never joined */
}

/* Whether `code` or a code object nested in it (a lambda, a def) names `name`. */
static int code_names(PyObject *code, PyObject *name)
{
    if (!PyCode_Check(code))
        return 0;
    PyCodeObject *co = (PyCodeObject *)code;
    int found = PySequence_Contains(co->co_names, name) == 1;
    for (Py_ssize_t i = 0; !found && i < PyTuple_GET_SIZE(co->co_consts); i++)
        found = code_names(PyTuple_GET_ITEM(co->co_consts, i), name);
    PyErr_Clear();
    return found;
}

/* A team of no threads yet: the keys, the interpreter, random.Random. Call attached. */
static ft_team *team_new(void)
{
    ft_team *t = ft_xcalloc(1, sizeof *t);
    t->interp = PyInterpreterState_Get();
    for (int k = 0; k < K_COUNT; k++)
        if (!(t->keys[k] = PyUnicode_InternFromString(key_names[k]))) {
            fprintf(stderr, "ftstress worker: out of memory\n");
            _exit(FT_EXIT_CANNOT_RUN);
        }
    PyObject *random = PyImport_ImportModule("random");
    t->random_class = random ? PyObject_GetAttrString(random, "Random") : NULL;
    /* random.Random.seed(n) for an int n is _random.Random.seed(n) plus gauss_next = None: calling
     * those two directly gives the same sequence without running random.py's Python code. */
    PyObject *c_random = PyImport_ImportModule("_random");
    PyObject *c_class = c_random ? PyObject_GetAttrString(c_random, "Random") : NULL;
    t->c_seed = c_class ? PyObject_GetAttrString(c_class, "seed") : NULL;
    Py_XDECREF(c_random);
    Py_XDECREF(c_class);
    Py_XDECREF(random);
    if (!t->random_class) {
        fprintf(stderr, "ftstress worker: cannot import random.Random for the threads' rng\n");
        _exit(FT_EXIT_CANNOT_RUN);
    }
    if (pthread_mutex_init(&t->lock, NULL) != 0 || pthread_cond_init(&t->assign, NULL) != 0) {
        fprintf(stderr, "ftstress worker: cannot set up the team's lock\n");
        _exit(FT_EXIT_CANNOT_RUN);
    }
    return t;
}

/* Makes room for `size` members; those not there yet are made, without threads. */
static void team_reserve(ft_team *t, int size)
{
    if (size <= t->nmembers)
        return;
    member **grown = realloc(t->members, (size_t)size * sizeof *grown);
    if (!grown) {
        fprintf(stderr, "ftstress worker: out of memory for %d threads\n", size);
        _exit(FT_EXIT_CANNOT_RUN);
    }
    t->members = grown;
    for (; t->nmembers < size; t->nmembers++) {
        t->members[t->nmembers] = ft_xcalloc(1, sizeof *t->members[t->nmembers]);
        *t->members[t->nmembers] = (member){.team = t, .index = t->nmembers};
    }
}

/* Starts the threads of every member that has none yet. */
static void team_launch(ft_team *t)
{
    pthread_attr_t attr;
    if (t->started >= t->nmembers)
        return;
    if (pthread_attr_init(&attr) != 0) {
        fprintf(stderr, "ftstress worker: cannot set up thread attributes\n");
        _exit(FT_EXIT_CANNOT_RUN);
    }
    pthread_attr_setstacksize(&attr, 8u << 20); /* deep Python recursion in bodies needs real stacks */
    for (; t->started < t->nmembers; t->started++) {
        member *m = t->members[t->started];
        if (pthread_create(&m->handle, &attr, thread_main, m) != 0) {
            fprintf(stderr, "ftstress worker: cannot create thread %d\n", m->index);
            _exit(FT_EXIT_CANNOT_RUN);
        }
    }
    pthread_attr_destroy(&attr);
}

static ft_team *early; /* started by ft_team_start_early, waiting for ft_team_start */

void ft_team_start_early(int size)
{
    if (early || size <= 0)
        return;
    early = team_new();
    team_reserve(early, size);
    team_launch(early);
}

ft_team *ft_team_start(const ft_scenario *s, PyObject *const *codes, PyObject *globals, PyObject *ignore,
                       unsigned long seed, int perturb)
{
    ft_team *t = early ? early : team_new();
    int index = 0, early_threads = t->started;

    early = NULL;
    for (size_t r = 0; r < s->nroles; r++)
        t->uses_rng |= codes[r] != Py_None && code_names(codes[r], t->keys[K_RNG]);
    t->globals = globals;
    t->ignore = ignore;
    t->seed = seed;
    t->perturb = perturb;
    t->perturb_trace = getenv("FTSTRESS_PERTURB_TRACE") && *getenv("FTSTRESS_PERTURB_TRACE");
    t->size = ft_scenario_threads(s);
    if (pthread_barrier_init(&t->ready, NULL, (unsigned)t->size + 1) != 0 ||
        pthread_barrier_init(&t->start, NULL, (unsigned)t->size + 1) != 0 ||
        pthread_barrier_init(&t->end, NULL, (unsigned)t->size + 1) != 0) {
        fprintf(stderr, "ftstress worker: cannot set up the barriers of %d threads\n", t->size);
        _exit(FT_EXIT_CANNOT_RUN);
    }
    /* Before any thread runs Python again: setting sys.monitoring events stops the world and
     * re-instruments code (threads started early wait detached, which the pause does not wait for). */
    if (ft_perturb_install(perturb) < 0)
        _exit(FT_EXIT_CANNOT_RUN);

    team_reserve(t, t->size);
    for (size_t r = 0; r < s->nroles; r++)
        for (int k = 0; k < s->roles[r].threads; k++, index++) {
            member *m = t->members[index];
            m->role_thread = k, m->role = &s->roles[r], m->code = codes[r];
        }
    for (int i = t->size; i < t->nmembers; i++)
        t->members[i]->dismissed = 1; /* started early for a larger team */
    PyThreadState *main_ts = PyEval_SaveThread();
    pthread_mutex_lock(&t->lock);
    t->assigned = 1;
    pthread_cond_broadcast(&t->assign);
    pthread_mutex_unlock(&t->lock);
    team_launch(t); /* the threads not started early find their roles given at once */
    for (int i = t->size; i < early_threads; i++)
        pthread_join(t->members[i]->handle, NULL);
    /* Every thread has its locals and rng before the first round reseeds them; wait detached. */
    pthread_barrier_wait(&t->ready);
    PyEval_RestoreThread(main_ts);
    return t;
}

/* A 64-bit mix of seed, thread and round (splitmix64's finalizer): nearby inputs, unrelated seeds. */
static unsigned long long rng_seed(unsigned long seed, int thread, long round)
{
    unsigned long long z = ((unsigned long long)seed << 32) ^ ((unsigned long long)(unsigned)thread << 20) ^
                           (unsigned long long)round;
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Debug aid (FTSTRESS_PERTURB_TRACE): the schedule every thread followed this round, as one
 * digest and per thread. Read after the end barrier, which orders it after the threads' writes. */
static void send_schedule(ft_team *t, long round)
{
    uint64_t digest = 0;
    json_t *threads = json_array();
    for (int i = 0; i < t->size; i++) {
        const ft_perturb_thread *p = &t->members[i]->perturb;
        json_t *changes = json_array();
        for (int k = 0; k < p->plan.nchanges; k++)
            json_array_append_new(changes, json_pack("[I, i]", (json_int_t)p->plan.change_at[k], p->plan.change_to[k]));
        digest = ft_perturb_plan_digest(&p->plan, digest);
        json_array_append_new(threads, json_pack("{s:i, s:i, s:o, s:s, s:i, s:I, s:I, s:I, s:I, s:[I, I]}", "jitter_us",
                                                 p->plan.jitter_us, "priority", p->plan.priority, "changes",
                                                 changes, "changes_at", p->at_branches ? "branches" : "calls",
                                                 "branch_changes_passed", p->branch.passed,
                                                 "span", (json_int_t)(p->at_branches ? p->branch_span : p->span),
                                                 "calls", (json_int_t)p->calls, "branches", (json_int_t)p->branch.branches,
                                                 "waits", (json_int_t)p->waits, "body_ns",
                                                 (json_int_t)p->body_ns[0], (json_int_t)p->body_ns[1]));
    }
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)digest);
    ft_event_send(FT_EV_PERTURB, json_pack("{s:I, s:s, s:s, s:s, s:o}", "round", (json_int_t)round, "mode",
                                           ft_perturb_name(t->perturb), "round_mode",
                                           ft_perturb_name(t->members[0]->perturb.round_mode), "digest",
                                           hex, "threads", threads));
}

void ft_team_round(ft_team *t, long round)
{
    PyThreadState *main_ts;

    /* Reseeding here, on the main thread before the start barrier, keeps every thread's `rng`
     * reproducible from --seed without the threads touching any shared object to do it. It is a
     * Python call per thread, most of an empty round's cost under TSan: skipped when no body names
     * `rng` (a body that reaches it only through globals() or eval() gets an unseeded one). */
    for (int i = 0; t->uses_rng && i < t->size; i++) {
        PyObject *rng = t->members[i]->rng;
        PyObject *r = t->c_seed ? PyObject_CallFunction(t->c_seed, "OK", rng, rng_seed(t->seed, i, round))
                                : PyObject_CallMethod(rng, "seed", "K", rng_seed(t->seed, i, round));
        if (!r || (t->c_seed && PyObject_SetAttrString(rng, "gauss_next", Py_None) < 0))
            PyErr_Clear();
        Py_XDECREF(r);
    }
    t->round = round;
    main_ts = PyEval_SaveThread();
    pthread_barrier_wait(&t->start);
    pthread_barrier_wait(&t->end);
    PyEval_RestoreThread(main_ts);
    if (t->perturb_trace)
        send_schedule(t, round);
}

int ft_team_size(const ft_team *t) { return t->size; }

const ft_thread_result *ft_team_result(const ft_team *t, int thread) { return &t->members[thread]->result; }

PyObject *ft_team_results(ft_team *t)
{
    PyObject *merged = PyDict_New();
    for (int i = 0; merged && i < t->size; i++) {
        PyObject *mine = t->members[i]->locals ? PyDict_GetItemWithError(t->members[i]->locals, t->keys[K_RESULT]) : NULL;
        if (mine && PyDict_Check(mine) && PyDict_Update(merged, mine) < 0)
            PyErr_Clear();
    }
    PyErr_Clear();
    return merged;
}

PyObject *ft_team_results_list(ft_team *t)
{
    PyObject *list = PyList_New(t->size);
    for (int i = 0; list && i < t->size; i++) {
        PyObject *mine = t->members[i]->locals ? PyDict_GetItemWithError(t->members[i]->locals, t->keys[K_RESULT]) : NULL;
        PyList_SET_ITEM(list, i, Py_NewRef(mine ? mine : Py_None));
    }
    PyErr_Clear();
    return list;
}

PyObject *ft_team_ignored(ft_team *t)
{
    PyObject *sum = PyDict_New();
    for (int i = 0; sum && i < t->size; i++) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        if (!t->members[i]->ignored)
            continue;
        while (PyDict_Next(t->members[i]->ignored, &pos, &k, &v)) {
            PyObject *old = PyDict_GetItemWithError(sum, k);
            PyObject *n = PyLong_FromLong((old ? PyLong_AsLong(old) : 0) + PyLong_AsLong(v));
            if (n)
                PyDict_SetItem(sum, k, n);
            Py_XDECREF(n);
        }
    }
    PyErr_Clear();
    return sum;
}
