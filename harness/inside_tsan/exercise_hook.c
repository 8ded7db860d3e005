/* Counts target calls from sys.monitoring callbacks, invisibly to TSan.
 *
 * Compiled without TSan instrumentation (harness/inside_tsan/CMakeLists.txt).
 * "How many threads at once" needs a counter that every thread of the team updates; had TSan seen
 * it, every update would be a happens-before edge between the threads and would hide the very
 * races the run is looking for. So the counters are relaxed atomics in code TSan does not see, on a
 * fixed table: nothing here allocates, locks or calls the interpreter, and the callbacks read the
 * code object and the callable they are passed without touching a reference count (an atomic
 * increment on a shared object is itself such an edge).
 *
 * Why sys.monitoring and not PyEval_SetProfile: in 3.13 the legacy profiler is itself a
 * sys.monitoring tool that, for every call of a method descriptor (`obj.method()`), builds a bound
 * method with tp_descr_get(callable, obj, type(obj)) to hand to the profile function, then drops
 * it (Python/legacy_tracing.c, sys_profile_call_or_return): an atomic increment and decrement of
 * `obj`'s reference count, and `obj` is usually the object the threads share. Those are
 * happens-before edges to TSan, so the counting itself could hide the race. It also materialises a
 * frame object per event, and never reports calls of types (constructors). Our own callbacks get
 * the callable and its first argument borrowed and touch neither. */
#include "exercise_hook.h"

#include <stdatomic.h>

#define TABLE_SIZE (4 * FT_EXERCISE_MAX_FUNCS) /* a power of two, at most a quarter full */

/* Key (a PyMethodDef or a type object) -> index + 1 (0: empty). Written by the main thread before
 * the team's threads are created (pthread_create orders it before their reads); read-only after. */
static const void *keys[TABLE_SIZE];
static int values[TABLE_SIZE];
static int nfuncs;

static _Atomic unsigned inside[FT_EXERCISE_MAX_FUNCS]; /* threads inside each function now */
static _Atomic unsigned peak[FT_EXERCISE_MAX_FUNCS];   /* the most there were */
static _Atomic unsigned inside_any, peak_any;          /* threads inside any target function; the most */

static _Thread_local ft_exercise_thread *mine;

/* functools.partial and where its instances keep the callable they wrap (set before the team). */
static PyTypeObject *wrapper_type;
static Py_ssize_t wrapped_offset;
/* The method-wrapper type (`obj.__call__`, a slot bound to its object) and where it keeps `obj`. */
static PyTypeObject *slot_wrapper_type;
static Py_ssize_t slot_self_offset;

/* Cython's function types (one per Cython version and module set), set before the team. */
static PyTypeObject *cyfunction_types[4];

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

int ft_exercise_hook_add(const void *key)
{
    int have = lookup(key);
    if (have >= 0)
        return have;
    if (nfuncs >= FT_EXERCISE_MAX_FUNCS)
        return -1;
    size_t s = slot_of(key);
    while (keys[s])
        s = (s + 1) & (TABLE_SIZE - 1);
    keys[s] = key;
    values[s] = ++nfuncs;
    return nfuncs - 1;
}

void ft_exercise_hook_attach(ft_exercise_thread *t) { mine = t; }

void ft_exercise_hook_see_through(PyTypeObject *type, Py_ssize_t offset)
{
    wrapper_type = type;
    wrapped_offset = offset;
}

void ft_exercise_hook_see_cyfunction(PyTypeObject *type)
{
    for (int i = 0; i < 4; i++)
        if (cyfunction_types[i] == type || !cyfunction_types[i]) {
            cyfunction_types[i] = type;
            return;
        }
}

static int is_cyfunction_type(PyTypeObject *tp)
{
    for (int i = 0; i < 4 && cyfunction_types[i]; i++)
        if (cyfunction_types[i] == tp)
            return 1;
    return 0;
}

void ft_exercise_hook_see_slots(PyTypeObject *type, Py_ssize_t offset)
{
    slot_wrapper_type = type;
    slot_self_offset = offset;
}

/* The callable a wrapper (an instance of wrapper_type or of a subclass) calls, or NULL. The field
 * is set when the wrapper is made and only __setstate__ rewrites it, which no one calls on a
 * partial that is being called; only the pointer is read. */
static PyObject *wrapped_by(PyObject *callable)
{
    for (PyTypeObject *tp = Py_TYPE(callable); wrapper_type && tp; tp = tp->tp_base)
        if (tp == wrapper_type)
            return *(PyObject **)((char *)callable + wrapped_offset);
    return NULL;
}

unsigned ft_exercise_hook_peak(int index) { return atomic_load_explicit(&peak[index], memory_order_relaxed); }

unsigned ft_exercise_hook_peak_any(void) { return atomic_load_explicit(&peak_any, memory_order_relaxed); }

/* Counts `now` threads inside, keeping the most seen in *top. */
static void raise_peak(_Atomic unsigned *top_p, unsigned now)
{
    unsigned top = atomic_load_explicit(top_p, memory_order_relaxed);
    while (now > top &&
           !atomic_compare_exchange_weak_explicit(top_p, &top, now, memory_order_relaxed, memory_order_relaxed))
        ;
}

/* The registered callable a CALL, C_RETURN or C_RAISE event is about, or -1. A builtin function or
 * bound builtin method carries its PyMethodDef; a method descriptor (`obj.method()` calls it with
 * `obj` as the first argument) carries it as d_method; a functools.partial is about the callable
 * it wraps (its call of that callable is made from C and raises no event of its own); anything else
 * may be a registered type, called as a constructor, and is looked up as itself, or an instance of
 * one, called through its type's tp_call (or a slot of one bound as `obj.__call__`), and counted
 * with the type. Only pointers are
 * read: no reference is taken, no bound method built. */
static int function_of(PyObject *callable)
{
    for (int unwrapped = 0;; unwrapped++) {
        PyTypeObject *tp = Py_TYPE(callable);
        if (tp == &PyMethod_Type && cyfunction_types[0] && is_cyfunction_type(Py_TYPE(PyMethod_GET_FUNCTION(callable))))
            callable = PyMethod_GET_FUNCTION(callable), tp = Py_TYPE(callable); /* `obj.meth` of a Cython class */
        if (tp == &PyCFunction_Type || tp == &PyCMethod_Type || (cyfunction_types[0] && is_cyfunction_type(tp)))
            return lookup(((PyCFunctionObject *)callable)->m_ml);
        if (tp == &PyMethodDescr_Type || tp == &PyClassMethodDescr_Type)
            return lookup(((PyMethodDescrObject *)callable)->d_method);
        if (tp == &PyWrapperDescr_Type) /* `obj.__call__()`: the slot's descriptor, obj the first argument */
            return lookup(((PyDescrObject *)callable)->d_type);
        int i = lookup(callable);
        if (i < 0) /* an instance of a registered type called (its tp_call): counted with the type */
            i = lookup(tp);
        if (i < 0 && tp == slot_wrapper_type) /* `c = obj.__call__; c()`: a slot bound to its object */
            i = lookup(Py_TYPE(*(PyObject **)((char *)callable + slot_self_offset)));
        PyObject *inner = i < 0 && !unwrapped ? wrapped_by(callable) : NULL; /* partial() flattens: one level */
        if (!inner)
            return i;
        callable = inner;
    }
}

static void enter(ft_exercise_thread *t, int i)
{
    t->calls[i]++;
    if (t->depth[i]++)
        return;
    raise_peak(&peak[i], atomic_fetch_add_explicit(&inside[i], 1, memory_order_relaxed) + 1);
    if (!t->functions_inside++)
        raise_peak(&peak_any, atomic_fetch_add_explicit(&inside_any, 1, memory_order_relaxed) + 1);
}

/* Guarded: a C_RETURN whose CALL was not counted (a bound Python method wrapping a target builtin
 * is unwrapped between the two events) must not take a thread out of a call it is still in. */
static void leave(ft_exercise_thread *t, int i)
{
    if (t->depth[i] && !--t->depth[i]) {
        atomic_fetch_sub_explicit(&inside[i], 1, memory_order_relaxed);
        if (t->functions_inside && !--t->functions_inside)
            atomic_fetch_sub_explicit(&inside_any, 1, memory_order_relaxed);
    }
}

/* For exercise_slots.c: a slot of a registered type entered or left on the calling thread. */
void ft_exercise_hook_enter(int i)
{
    if (mine && i >= 0)
        enter(mine, i);
}

void ft_exercise_hook_leave(int i)
{
    if (mine && i >= 0)
        leave(mine, i);
}

/* The callbacks. sys.monitoring passes (code, instruction_offset, ...) borrowed; each returns None,
 * never sys.monitoring.DISABLE (that would rewrite the instrumentation of code the team shares,
 * from a team thread). Events are interpreter-wide: a thread without counts (the main thread's
 * setup and check, a thread the scenario started) returns at once. */

/* CALL (code, offset, callable, arg0): any call from Python code, before it is made. C_RETURN or
 * C_RAISE follows with the same callable whenever it is not a Python function: builtins, method
 * descriptors and types (a constructor) alike. */
static PyObject *on_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    ft_exercise_thread *t = mine;
    int i;
    (void)self;
    if (t && nargs >= 3) {
        t->pending = -1; /* anything that runs after a raise means the exception was caught */
        if ((i = function_of(args[2])) >= 0)
            enter(t, i);
    }
    Py_RETURN_NONE;
}

/* C_RETURN (code, offset, callable, arg0). */
static PyObject *on_c_return(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    ft_exercise_thread *t = mine;
    int i;
    (void)self;
    if (t && nargs >= 3 && (i = function_of(args[2])) >= 0)
        leave(t, i);
    Py_RETURN_NONE;
}

/* C_RAISE (code, offset, callable, arg0): the call raised; the exception is the pending one until
 * something else runs. */
static PyObject *on_c_raise(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    ft_exercise_thread *t = mine;
    int i;
    (void)self;
    if (t && nargs >= 3 && (i = function_of(args[2])) >= 0) {
        t->raised[i]++;
        t->pending = i;
        leave(t, i);
    }
    Py_RETURN_NONE;
}

/* PY_START (code, offset): a Python frame begins, the body's among them. */
static PyObject *on_py_start(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    ft_exercise_thread *t = mine;
    (void)self;
    if (t && nargs >= 1) {
        t->pending = -1;
        if ((const void *)args[0] == t->body_code)
            t->escaped = -1;
    }
    Py_RETURN_NONE;
}

/* PY_RETURN (code, offset, value): a Python frame returns; the body's is a completed body call. */
static PyObject *on_py_return(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    ft_exercise_thread *t = mine;
    (void)self;
    if (t && nargs >= 1) {
        t->pending = -1;
        if ((const void *)args[0] == t->body_code)
            t->body_calls++;
    }
    Py_RETURN_NONE;
}

/* PY_UNWIND (code, offset, exception): a Python frame exits with an exception. For the body, the
 * function that raised it (if a target function did) is what exercise.c attributes it to; the
 * worker's own Python code runs before it asks. */
static PyObject *on_py_unwind(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    ft_exercise_thread *t = mine;
    (void)self;
    if (t && nargs >= 1 && (const void *)args[0] == t->body_code)
        t->escaped = t->pending;
    Py_RETURN_NONE;
}

#define CALLBACK(name, fn, doc) \
    static PyMethodDef fn##_def = {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL, doc}
CALLBACK("ftstress_exercise_call", on_call, "ftstress exercise counting: CALL");
CALLBACK("ftstress_exercise_c_return", on_c_return, "ftstress exercise counting: C_RETURN");
CALLBACK("ftstress_exercise_c_raise", on_c_raise, "ftstress exercise counting: C_RAISE");
CALLBACK("ftstress_exercise_py_start", on_py_start, "ftstress exercise counting: PY_START");
CALLBACK("ftstress_exercise_py_return", on_py_return, "ftstress exercise counting: PY_RETURN");
CALLBACK("ftstress_exercise_py_unwind", on_py_unwind, "ftstress exercise counting: PY_UNWIND");

const ft_exercise_callback ft_exercise_callbacks[FT_EXERCISE_NCALLBACKS] = {
    {"CALL", &on_call_def},          {"C_RETURN", &on_c_return_def},   {"C_RAISE", &on_c_raise_def},
    {"PY_START", &on_py_start_def}, {"PY_RETURN", &on_py_return_def}, {"PY_UNWIND", &on_py_unwind_def},
};
