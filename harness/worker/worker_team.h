/* The native threads of one worker: created once, released together each round by a barrier. */
#ifndef FTSTRESS_WORKER_TEAM_H
#define FTSTRESS_WORKER_TEAM_H

#include <Python.h>
#include <stdint.h>

#include "scenario.h"

typedef struct ft_team ft_team;

/* What one thread produced in the last round; read by the main thread after the round's end
 * barrier, which orders it after the thread's writes. */
typedef struct ft_thread_result {
    PyObject *error;      /* dict from ft_py_take_exception, or NULL */
    int64_t left_barrier_ns;
} ft_thread_result;

/* Creates the threads (each makes its own PyThreadState and locals, and its own `rng`, a
 * random.Random reseeded every round from `seed`, the thread's index and the round). `codes` holds
 * one compiled body per role (borrowed, must outlive the team); `ignore` is a frozenset of
 * exception names. `perturb` (FT_PERTURB_*, perturb.h) seeds each thread's start jitter and
 * PCT-style priorities from `seed`, the round and the thread. Call with a thread state attached;
 * exits the worker on failure. */
ft_team *ft_team_start(const ft_scenario *s, PyObject *const *codes, PyObject *globals, PyObject *ignore,
                       unsigned long seed, int perturb);

/* Takes the scenario-free first step of a team of `size` threads ahead of ft_team_start, which then
 * uses them (making more, or letting the extra ones end, when the scenario wants another size). For
 * a spare worker waiting for its request; call attached. */
void ft_team_start_early(int size);

/* Runs one round: every thread runs its body `iterations` times. Call attached; it detaches while
 * the threads work so that the free-threaded GC can stop the world. */
void ft_team_round(ft_team *t, long round);

int ft_team_size(const ft_team *t);
const ft_thread_result *ft_team_result(const ft_team *t, int thread);
/* What the threads put in their own `result` dicts in the last round, merged into a new dict
 * (a later thread's key wins). Call after the round. */
PyObject *ft_team_results(ft_team *t);
/* The same, one dict per thread, in thread order: a new list. */
PyObject *ft_team_results_list(ft_team *t);
/* Exceptions that `ignore_exceptions` absorbed, summed over threads: a new dict {type: count}. */
PyObject *ft_team_ignored(ft_team *t);

#endif
