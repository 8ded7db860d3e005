/* Counts target calls from the profile callback, invisibly to TSan.
 *
 * Compiled without TSan instrumentation (FTSTRESS_UNINSTRUMENTED in harness/CMakeLists.txt).
 * "How many threads at once" needs a counter that every thread of the team updates; had TSan seen
 * it, every update would be a happens-before edge between the threads and would hide the very
 * races the run is looking for. So the counters are relaxed atomics in code TSan does not see, on a
 * fixed table: nothing here allocates, locks or calls the interpreter, and the callback reads the
 * frame and the callable through CPython's structures without touching a reference count (an
 * atomic increment on a shared object is itself such an edge). */
#include "exercise_hook.h"

#include <stdatomic.h>

#include "internal/pycore_frame.h"

#define TABLE_SIZE (4 * FT_EXERCISE_MAX_FUNCS) /* a power of two, at most a quarter full */

/* PyMethodDef pointer -> index + 1 (0: empty). Written by the main thread before the team's threads
 * are created (pthread_create orders it before their reads); read-only afterwards. */
static const void *keys[TABLE_SIZE];
static int values[TABLE_SIZE];
static int nfuncs;

static _Atomic unsigned inside[FT_EXERCISE_MAX_FUNCS]; /* threads inside each function now */
static _Atomic unsigned peak[FT_EXERCISE_MAX_FUNCS];   /* the most there were */

static _Thread_local ft_exercise_thread *mine;

static size_t slot_of(const void *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17, h *= 0xed5ad4bbU, h ^= h >> 11; /* method defs sit 32 bytes apart: mix the low bits */
    return (size_t)h & (TABLE_SIZE - 1);
}

static int lookup(const void *key)
{
    for (size_t s = slot_of(key);; s = (s + 1) & (TABLE_SIZE - 1)) {
        if (!keys[s])
            return -1;
        if (keys[s] == key)
            return values[s] - 1;
    }
}

int ft_exercise_hook_add(const void *method_def)
{
    int have = lookup(method_def);
    if (have >= 0)
        return have;
    if (nfuncs >= FT_EXERCISE_MAX_FUNCS)
        return -1;
    size_t s = slot_of(method_def);
    while (keys[s])
        s = (s + 1) & (TABLE_SIZE - 1);
    keys[s] = method_def;
    values[s] = ++nfuncs;
    return nfuncs - 1;
}

void ft_exercise_hook_attach(ft_exercise_thread *t) { mine = t; }

unsigned ft_exercise_hook_peak(int index) { return atomic_load_explicit(&peak[index], memory_order_relaxed); }

/* The registered function a C_CALL's callable runs, or -1. The legacy profile passes builtin
 * functions and methods (method descriptors arrive bound, as a new builtin method). */
static int function_of(PyObject *callable)
{
    if (!callable || (Py_TYPE(callable) != &PyCFunction_Type && Py_TYPE(callable) != &PyCMethod_Type))
        return -1;
    return lookup(((PyCFunctionObject *)callable)->m_ml);
}

static void enter(ft_exercise_thread *t, int i)
{
    t->calls[i]++;
    if (t->depth[i]++)
        return;
    unsigned now = atomic_fetch_add_explicit(&inside[i], 1, memory_order_relaxed) + 1;
    unsigned top = atomic_load_explicit(&peak[i], memory_order_relaxed);
    while (now > top && !atomic_compare_exchange_weak_explicit(&peak[i], &top, now, memory_order_relaxed,
                                                               memory_order_relaxed))
        ;
}

static void leave(ft_exercise_thread *t, int i)
{
    if (t->depth[i] && !--t->depth[i])
        atomic_fetch_sub_explicit(&inside[i], 1, memory_order_relaxed);
}

static int is_body(const ft_exercise_thread *t, PyFrameObject *frame)
{
    return frame && frame->f_frame && (const void *)frame->f_frame->f_executable == t->body_code;
}

int ft_exercise_on_profile(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
    ft_exercise_thread *t = mine;
    int i;
    (void)obj;
    if (!t)
        return 0;
    switch (what) {
    case PyTrace_CALL:
        t->pending = -1; /* anything that runs after a raise means the exception was caught */
        if (is_body(t, frame))
            t->escaped = -1;
        break;
    case PyTrace_RETURN: /* arg NULL: the frame unwinds with an exception */
        if (arg)
            t->pending = -1;
        if (is_body(t, frame)) {
            if (arg)
                t->body_calls++;
            else
                t->escaped = t->pending; /* the worker's own Python code runs before it asks */
        }
        break;
    case PyTrace_C_CALL:
        t->pending = -1;
        if ((i = function_of(arg)) >= 0)
            enter(t, i);
        break;
    case PyTrace_C_RETURN:
        if ((i = function_of(arg)) >= 0)
            leave(t, i);
        break;
    case PyTrace_C_EXCEPTION:
        if ((i = function_of(arg)) >= 0) {
            t->raised[i]++;
            t->pending = i;
            leave(t, i);
        }
        break;
    }
    return 0;
}
