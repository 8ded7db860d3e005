/* The sys.monitoring callbacks that count calls of the target's C code, per thread and at once. */
#ifndef FTSTRESS_EXERCISE_HOOK_H
#define FTSTRESS_EXERCISE_HOOK_H

#include <Python.h>
#include <stdint.h>

/* Target callables tracked per worker; more are left uncounted (exercise.c says so). */
#define FT_EXERCISE_MAX_FUNCS 1024

/* One team thread's counts. Written only by its thread (inside the callbacks), read by the
 * worker's main thread after a round's end barrier, which orders the reads after the writes. */
typedef struct ft_exercise_thread {
    const void *body_code; /* the thread's own body code object: its frames are body calls */
    long body_calls;       /* body calls that returned */
    int pending;           /* the function whose last call raised, while its exception propagates; -1 none */
    int escaped;           /* `pending` when the body frame last unwound: what exercise.c attributes */
    uint64_t calls[FT_EXERCISE_MAX_FUNCS];
    uint64_t raised[FT_EXERCISE_MAX_FUNCS];
    uint32_t depth[FT_EXERCISE_MAX_FUNCS]; /* nesting: a thread counts once toward "at once" */
    uint32_t functions_inside;             /* target functions this thread is in now: any-target "at once" */
} ft_exercise_thread;

/* Registers a callable by what a call of it carries: the PyMethodDef it runs (a module function's
 * and a method descriptor's bound methods share it) or, for a constructor, the type object itself.
 * Main thread, before the team starts. Its index, or -1 when full. */
int ft_exercise_hook_add(const void *key);
/* Calls of instances of `type` (functools.partial) and its subclasses count as calls of the callable
 * each keeps at byte `offset`. Main thread, before the team starts. */
void ft_exercise_hook_see_through(PyTypeObject *type, Py_ssize_t offset);
/* Calls of instances of `type` (method-wrapper: `obj.__call__`) count as calls of the type of the
 * object each keeps at byte `offset`, when that type is registered. Main thread, before the team. */
void ft_exercise_hook_see_slots(PyTypeObject *type, Py_ssize_t offset);
/* Instances of `type` (Cython's cython_function_or_method, whose object begins with a
 * PyCFunctionObject) count as calls of their method def, as builtin functions do; a bound method
 * (`obj.meth` of a Cython class) as calls of its function. Up to 4 such types. Main thread, before
 * the team starts. */
void ft_exercise_hook_see_cyfunction(PyTypeObject *type);
/* The calling thread's counts from now on (NULL: stop counting on this thread). */
void ft_exercise_hook_attach(ft_exercise_thread *mine);
/* A slot of registered type `index` entered / left on the calling thread (exercise_slots.c). */
void ft_exercise_hook_enter(int index);
void ft_exercise_hook_leave(int index);
/* Counts calls of `type`'s own C slots (iteration, __next__, len, item get/set/del, `in`, repr, hash)
 * as calls of registered callable `index`, whoever calls them: next(it), a for loop, a[i], len(a).
 * Heap types only (their slot tables are their own). Main thread, before the team starts. 0, or -1
 * when the table of types is full. */
int ft_exercise_hook_count_slots(PyTypeObject *type, int index);
/* The most threads that were inside function `index` at one moment, in this worker. */
unsigned ft_exercise_hook_peak(int index);
/* The most threads that were inside any target function at one moment, in this worker: 1 means
 * the team's target calls never overlapped (a busy or one-CPU machine, or calls too short to meet),
 * so a clean round there says little. */
unsigned ft_exercise_hook_peak_any(void);

/* The sys.monitoring events the counting takes, each with its callback: a C function (METH_FASTCALL)
 * to wrap in a builtin function object and register with sys.monitoring.register_callback. */
typedef struct ft_exercise_callback {
    const char *event; /* the name in sys.monitoring.events */
    PyMethodDef *def;
} ft_exercise_callback;
#define FT_EXERCISE_NCALLBACKS 6
extern const ft_exercise_callback ft_exercise_callbacks[FT_EXERCISE_NCALLBACKS];

#endif
