/* What the bodies exercised: which of the target's functions they called, how often, by how many
 * threads at once, and each role's completed body calls and exceptions. Worker side. */
#ifndef FTSTRESS_EXERCISE_H
#define FTSTRESS_EXERCISE_H

#include <Python.h>
#include <jansson.h>

#include "scenario.h"

/* After the imports, on the main thread, before the team starts (before any other thread exists):
 * lists the callables of the modules under test (`targets`, the non-stdlib imports; when empty,
 * every import), makes one set of counts per team thread and installs the counting as a
 * sys.monitoring tool. FTSTRESS_EXERCISE=0 in the environment, or no free tool id, turns counting
 * off. `with_entries`: also symbolize each callable's C entry points for the targets event (0 when
 * an earlier worker of the scenario sent them: the supervisor merges them by name). */
void ft_exercise_register(const ft_scenario *s, const json_t *targets, int with_entries);

/* Compiles the introspection helper; a fork server calls it once so its workers do not. 0, or -1
 * with a Python exception set. */
int ft_exercise_warm_up(void);

/* Optional, before ft_exercise_register, in a zygote (zygote.h): lists the callables of the
 * modules under test (Python introspection only, no symbolization), which its workers inherit. */
void ft_exercise_list(const ft_scenario *s, const json_t *targets);

/* Sends what ft_exercise_register listed (the targets event), once per worker: a zygote registers
 * before its workers exist, each of them announces. Nothing when counting is off. */
void ft_exercise_announce(void);

/* On team thread `index`, attached, before its first round: counts from now on what this thread's
 * body function `func` (borrowed) and the calls it makes do. */
void ft_exercise_thread_start(int index, PyObject *func);

/* On team thread `index`: one body call raised. `info` is ft_py_take_exception's dict for an
 * unexpected exception, `ignored_type` its type name for an ignored one (either may be NULL). When
 * a target function raised it, info gets "raised_by": that function's name ("module.Type.method"). */
void ft_exercise_body_raised(int index, PyObject *info, PyObject *ignored_type);

/* On the main thread after each round: sends this worker's counts so far after the first round and
 * then at most four times a second (a worker stopped or killed loses only what came after). */
void ft_exercise_round_done(const ft_scenario *s);

/* On the main thread after the last round: sends the final counts (nothing when off). */
void ft_exercise_send(const ft_scenario *s);

#endif
