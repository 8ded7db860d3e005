/* Seeded schedule perturbation inside a worker: start jitter and the PCT-style C-call hook. */
#ifndef FTSTRESS_PERTURB_HOOK_H
#define FTSTRESS_PERTURB_HOOK_H

#include <Python.h>

#include "branch_points.h"
#include "perturb.h"

/* One thread's perturbation state: owned and touched by that thread alone while a round runs; the
 * main thread reads it only between rounds (the round's end barrier orders those reads). */
typedef struct ft_perturb_thread {
    int mode;
    int round_mode;   /* what `mode` does this round (ft_perturb_round_mode) */
    unsigned long seed;
    int thread, threads;
    long span;        /* C calls a round is expected to make: iterations at first, then measured */
    long branch_span; /* the target's branches a round passes (measured; 0: none built to be counted) */
    int span_measured;
    int at_branches;  /* this round's change points are at branches (branch_span > 0), not at calls */
    ft_branch_plan branch; /* this round's change points at branches, and the branches counted */
    long calls;       /* C calls the body made so far this round */
    long waits;       /* C calls at which this thread gave way (priority below the top) */
    int next_change;
    int priority;     /* current: the plan's, lowered at change points */
    int active;       /* inside the body: the hook acts only then */
    int64_t body_ns[2]; /* this round's body start and end (monotonic), for FTSTRESS_PERTURB_TRACE */
    ft_perturb_plan plan;
} ft_perturb_thread;

/* Once, on the main thread with a thread state attached, before the first round: with pct in
 * `mode`, registers a sys.monitoring CALL callback (a C function) under a free tool id. 0, or -1
 * with a message on stderr. */
int ft_perturb_install(int mode);

/* On the thread itself, before its first round: makes `p` the state its hook uses. */
void ft_perturb_thread_init(ft_perturb_thread *p, int mode, unsigned long seed, int thread, int threads,
                            long iterations);

/* On the thread, after the start barrier and detached: makes this round's plan and waits its jitter. */
void ft_perturb_round_begin(ft_perturb_thread *p, long round);
/* On the thread, attached, around the body's iterations. */
void ft_perturb_body_begin(ft_perturb_thread *p);
void ft_perturb_body_end(ft_perturb_thread *p);

#endif
