/* Seeded schedule perturbation inside a worker: start jitter and the PCT-style C-call hook.
 *
 * The rule everything here follows: perturbation must not add a happens-before edge between the
 * team's threads, or it would hide the very races TSan is there to see. So no lock, no atomic and
 * no shared Python object is touched on a thread's behalf: each thread reaches its own state
 * through a thread-local pointer, and waits by spinning on the clock, sched_yield or nanosleep,
 * none of which TSan treats as synchronisation.
 *
 * Why sys.monitoring rather than PyEval_SetProfile: in 3.13 the legacy profiler is itself a
 * sys.monitoring tool, and for a method descriptor it builds a bound method around `self` on every
 * call: a reference-count update on the shared object (atomic, seen by TSan) that would order the
 * threads. A CALL callback of our own gets the callable and its first argument borrowed, and the
 * interpreter passes no new reference to it. The events are interpreter-wide, so the callback
 * returns at once on a thread that has no state (the main thread's setup and check) or outside a
 * body. It never returns sys.monitoring.DISABLE: that would rewrite the shared code's
 * instrumentation from a team thread. */
#include "perturb_hook.h"

#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"

static _Thread_local ft_perturb_thread *current;

/* A busy wait: precise to a microsecond, where a nanosleep of the same length would be rounded
 * up by the kernel's 50 us timer slack and stretched by an unseeded wake-up latency. */
static void spin_ns(int64_t ns)
{
    int64_t until = ft_now_ns() + ns;
    while (ft_now_ns() < until)
        ;
}

/* One C call from the body: PCT's scheduling step. */
static void step(ft_perturb_thread *p)
{
    if (p->at_branches) /* the change points are inside the target (branch_points.c): follow them */
        while (p->next_change < p->branch.passed)
            p->priority = p->plan.change_to[p->next_change++];
    else if (p->next_change < p->plan.nchanges && p->calls >= p->plan.change_at[p->next_change]) {
        p->priority = p->plan.change_to[p->next_change++];
        /* A real sleep: on an oversubscribed machine it hands the core over, so the threads that
         * now rank above this one really do run ahead of it. */
        struct timespec ts = {0, FT_PCT_CHANGE_SLEEP_US * 1000L};
        nanosleep(&ts, NULL);
    }
    p->calls++;
    if (p->priority > 0) {
        /* Below the top: let a runnable thread have the core, then lag by a delay per level, so a
         * higher thread's next call tends to land first. */
        p->waits++;
        sched_yield();
        spin_ns((int64_t)p->priority * FT_PCT_STEP_NS);
    }
}

/* The CALL event: (code, instruction_offset, callable, arg0). Calls of Python functions are not
 * calls into extension code and are not steps. */
static PyObject *on_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    ft_perturb_thread *p = current;
    (void)self;
    if (p && p->active && nargs >= 3 && !PyFunction_Check(args[2]))
        step(p);
    Py_RETURN_NONE;
}

static PyMethodDef on_call_def = {"ftstress_perturb_call", (PyCFunction)(void (*)(void))on_call, METH_FASTCALL,
                                  "ftstress --perturb=pct: one step of the seeded schedule"};

int ft_perturb_install(int mode)
{
    if (!(mode & FT_PERTURB_PCT))
        return 0;
    PyObject *sys = PyImport_ImportModule("sys");
    PyObject *mon = sys ? PyObject_GetAttrString(sys, "monitoring") : NULL;
    PyObject *events = mon ? PyObject_GetAttrString(mon, "events") : NULL;
    PyObject *call = events ? PyObject_GetAttrString(events, "CALL") : NULL;
    PyObject *cb = call ? PyCFunction_New(&on_call_def, NULL) : NULL;
    int rc = -1, tool = -1;

    /* The first tool id nobody uses (a scenario may use sys.monitoring itself); 0-5 are the ids
     * tools may take. */
    for (int id = 0; cb && id < 6 && tool < 0; id++) {
        PyObject *owner = PyObject_CallMethod(mon, "get_tool", "i", id);
        if (owner == Py_None)
            tool = id;
        Py_XDECREF(owner);
    }
    if (tool >= 0) {
        PyObject *a = PyObject_CallMethod(mon, "use_tool_id", "is", tool, "ftstress-perturb");
        PyObject *b = a ? PyObject_CallMethod(mon, "register_callback", "iOO", tool, call, cb) : NULL;
        PyObject *c = b ? PyObject_CallMethod(mon, "set_events", "iO", tool, call) : NULL;
        rc = c ? 0 : -1;
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(c);
    }
    if (rc < 0) {
        fprintf(stderr, "ftstress worker: cannot install the --perturb=pct hook (sys.monitoring%s)\n",
                tool < 0 && cb ? ": no free tool id" : "");
        if (PyErr_Occurred())
            PyErr_Print();
    }
    /* the callback stays registered for the worker's life: the interpreter holds its own reference */
    Py_XDECREF(sys);
    Py_XDECREF(mon);
    Py_XDECREF(events);
    Py_XDECREF(call);
    Py_XDECREF(cb);
    return rc;
}

void ft_perturb_thread_init(ft_perturb_thread *p, int mode, unsigned long seed, int thread, int threads,
                            long iterations)
{
    *p = (ft_perturb_thread){.mode = mode, .seed = seed, .thread = thread, .threads = threads,
                             .span = iterations > 0 ? iterations : 1};
    current = p;
}

void ft_perturb_round_begin(ft_perturb_thread *p, long round)
{
    /* Where the target counts its branches, the change points go there: a window inside one C
     * function has branches in it, never a call boundary. */
    p->at_branches = p->branch_span > 0;
    p->round_mode = ft_perturb_round_mode(p->mode, round, p->at_branches);
    ft_perturb_plan_make(&p->plan, p->round_mode, p->seed, round, p->thread, p->threads,
                         p->at_branches ? p->branch_span : p->span);
    p->calls = p->waits = 0;
    p->next_change = 0;
    p->priority = p->plan.priority;
    if (p->plan.jitter_us > 0) /* detached: a collection may stop the world meanwhile */
        spin_ns((int64_t)p->plan.jitter_us * 1000);
}

void ft_perturb_body_begin(ft_perturb_thread *p)
{
    p->active = (p->round_mode & FT_PERTURB_PCT) != 0;
    if (p->active) { /* branches are counted in every pct round: the first one measures the span */
        p->branch = (ft_branch_plan){.sleep_ns = FT_PCT_CHANGE_SLEEP_US * 1000L};
        for (int k = 0; p->at_branches && k < p->plan.nchanges && k < FT_BRANCH_MAX_CHANGES; k++)
            p->branch.change_at[p->branch.nchanges++] = p->plan.change_at[k];
        ft_branch_current = &p->branch;
    }
    p->body_ns[0] = ft_now_ns();
}

void ft_perturb_body_end(ft_perturb_thread *p)
{
    p->body_ns[1] = ft_now_ns();
    p->active = 0;
    ft_branch_current = NULL;
    /* The span is measured once, in the thread's first pct round, and then fixed: the plan of a round
     * then depends on the seed and the body alone, not on how earlier rounds happened to go. */
    if (!p->span_measured && (p->round_mode & FT_PERTURB_PCT)) {
        p->span_measured = 1;
        if (p->calls > 0)
            p->span = p->calls;
        p->branch_span = p->branch.branches;
    }
}
