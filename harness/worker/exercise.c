/* What the bodies exercised, worker side: the target's callables, each thread's counts, the event.
 *
 * A call reaches the target when Python code calls a builtin function or method whose PyMethodDef
 * belongs to one of the modules under test, or one of the types they define in C (a constructor,
 * counted as "module.Type"). The counting is a sys.monitoring tool (CALL, C_RETURN, C_RAISE,
 * PY_START, PY_RETURN, PY_UNWIND) whose callbacks are in exercise_hook.c, which says why not the
 * legacy profiler. Calls made from C raise no CALL event and are not counted (map, a callback), except
 * through functools.partial, which the hook sees through, and a registered type's own slots (len(),
 * next(), for loops, item access, `in`, repr, hash: exercise_slots.c), counted with the type, from
 * Python or C; number operators and comparisons are not. */
#include "exercise.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "clock.h"
#include "entry_cache.h"
#include "exercise_hook.h"
#include "worker_python.h"
#include "xalloc.h"

#define MAX_TYPES 64 /* distinct (exception type, function) pairs kept per thread */

/* Exceptions that left one thread's body calls, by type and by the target function that raised
 * them (-1: none did). Written by its thread, read by the main thread after the rounds. */
typedef struct raised_count {
    char type[96];
    int fn;
    long n;
} raised_count;

typedef struct thread_extra {
    raised_count counts[MAX_TYPES];
    int used;
    long other; /* pairs past MAX_TYPES */
} thread_extra;

static int enabled;
static int nthreads;
static ft_exercise_thread *slots;
static thread_extra *extras;
static json_t *names;   /* index -> "module.function" / "module.Type.method" */
static json_t *modules; /* the modules whose callables are counted */
static long dropped;    /* callables past FT_EXERCISE_MAX_FUNCS */
static int64_t last_sent_ns;
/* "raised_by", interned by the main thread before the team starts: PyDict_SetItemString would
 * intern it from the team's threads, and the first interning of a string is a write into the
 * interpreter's interned dict that races with every other thread's lookup there. */
static PyObject *raised_by_key;

#define SNAPSHOT_NS 250000000 /* counts go to the supervisor at most four times a second */

/* The callables of modules `names`: functions of the module and its submodules, the types they
 * define in C as constructors, and those types' methods, class methods and static methods. A
 * callable counts when it was defined by the module, a submodule, or its C accelerator `_name`
 * (io's types live in _io), or says it belongs to the module's package (a C type of
 * bitarray._bitarray says "bitarray"). Not constructors: classes from a class statement (3.13 gives them
 * __firstlineno__; their methods are Python and uncounted, so their construction is too),
 * exceptions (raising one exercises nothing) and types that cannot be instantiated. */
static const char helper_source[] =
    "def callables(names):\n"
    "    import sys, types\n"
    "    def ours(mod, t):\n"
    "        # t's own, a submodule's, its accelerator's (_io for io), or its package's name for what\n"
    "        # t defines (bitarray._bitarray's type says it is bitarray's)\n"
    "        return isinstance(mod, str) and (mod == t or mod.startswith(t + '.') or mod == '_' + t\n"
    "                                         or t.startswith(mod + '.'))\n"
    "    def cython(f):  # Cython 3's functions and def methods (binding=True): cython_function_or_method\n"
    "        return type(f).__name__ == 'cython_function_or_method'\n"
    "    out = []\n"
    "    for t in names:\n"
    "        for key, m in sorted(list(sys.modules.items()), key=lambda kv: kv[0]):\n"
    "            if m is None or not (key == t or key.startswith(t + '.')):\n"
    "                continue\n"
    "            for k, v in sorted(list(vars(m).items()), key=lambda kv: kv[0]):\n"
    "                if isinstance(v, types.BuiltinFunctionType) or cython(v):\n"
    "                    mod = v.__module__ or getattr(getattr(v, '__self__', None), '__name__', None)\n"
    "                    if ours(mod, t):\n"
    "                        out.append((mod + '.' + v.__name__, v))\n"
    "                elif isinstance(v, type) and ours(v.__dict__.get('__module__', v.__module__), t):\n"
    "                    if not ('__firstlineno__' in v.__dict__ or issubclass(v, BaseException)\n"
    "                            or v.__flags__ & (1 << 7)):  # Py_TPFLAGS_DISALLOW_INSTANTIATION\n"
    "                        out.append((v.__module__ + '.' + v.__qualname__, v))\n"
    "                    for a, d in sorted(list(v.__dict__.items()), key=lambda kv: kv[0]):\n"
    "                        if a == '__new__':  # one PyMethodDef for every type's __new__; the type itself is the constructor\n"
    "                            continue\n"
    "                        if getattr(d, '__name__', '') in ('__reduce_cython__', '__setstate_cython__'):\n"
    "                            continue  # Cython's generated pickling stubs, not the extension's API\n"
    "                        if isinstance(d, staticmethod):\n"
    "                            d = d.__func__\n"
    "                        if isinstance(d, (types.MethodDescriptorType, types.ClassMethodDescriptorType,\n"
    "                                          types.BuiltinFunctionType)) or cython(d):\n"
    "                            out.append((v.__module__ + '.' + v.__qualname__ + '.' + a, d))\n"
    "    return out\n";

/* Whether `o` is a Cython function (cython_function_or_method: Cython 3 makes a cdef class's def
 * methods these by default), laid out as a PyCFunctionObject first (not the limited API's). */
static int is_cyfunction(PyObject *o)
{
    const char *name = Py_TYPE(o)->tp_name, *suffix = "cython_function_or_method";
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && !strcmp(name + n - k, suffix) && Py_TYPE(o)->tp_basicsize >= (Py_ssize_t)sizeof(PyCFunctionObject) &&
           ((PyCFunctionObject *)o)->m_ml && ((PyCFunctionObject *)o)->m_ml->ml_meth;
}

/* The key a callable's events carry (exercise_hook.c, function_of): the PyMethodDef it runs however
 * it was reached, or for a type the type itself. */
static const void *key_of(PyObject *o)
{
    if (PyCFunction_Check(o))
        return ((PyCFunctionObject *)o)->m_ml;
    if (is_cyfunction(o)) {
        ft_exercise_hook_see_cyfunction(Py_TYPE(o)); /* a module's type: lives as long as the interpreter */
        return ((PyCFunctionObject *)o)->m_ml;
    }
    if (Py_IS_TYPE(o, &PyMethodDescr_Type) || Py_IS_TYPE(o, &PyClassMethodDescr_Type))
        return ((PyMethodDescrObject *)o)->d_method;
    if (PyType_Check(o))
        return o;
    return NULL;
}

/* The symbol and shared object of C code at `fn`, as TSan's stacks name them: [function, module],
 * or NULL when the symbolizer does not know it. The entry address itself is asked (+1: the
 * symbolizer may step back one byte from what it takes for a return address). What an earlier
 * command asked of the same object file is taken from the entry cache (entry_cache.h): the
 * symbolizer's start-up and its reading of the object's debug information are most of a targeted
 * scenario's start-up otherwise. */
#ifdef FTSTRESS_NO_TSAN
/* The plain driver has no sanitizer runtime: the dynamic symbol table names the entry instead. */
#pragma weak __sanitizer_symbolize_pc
#endif

static json_t *symbol_at(const void *fn)
{
    char buf[1024];
    if (!fn)
        return NULL;
    buf[0] = '\0';
#ifdef FTSTRESS_NO_TSAN
    if (!__sanitizer_symbolize_pc) {
        Dl_info info;
        if (!dladdr(fn, &info) || !info.dli_sname || !info.dli_fname)
            return NULL;
        return json_pack("[s, s]", info.dli_sname, info.dli_fname);
    }
#endif
    json_t *kept;
    if (ft_entry_cache_get(fn, &kept))
        return kept;
    __sanitizer_symbolize_pc((void *)((const char *)fn + 1), "%f\x01%m", buf, sizeof buf);
    char *sep = strchr(buf, '\x01');
    if (!sep || sep == buf || !strncmp(buf, "<null>", 6) || !strcmp(buf, "??"))
        return NULL;
    *sep = '\0';
    json_t *symbol = json_pack("[s, s]", buf, sep + 1);
    ft_entry_cache_put(fn, symbol);
    return symbol;
}

static void add_entry(json_t *list, const void *fn)
{
    json_t *e = symbol_at(fn), *have;
    size_t i;
    if (!e)
        return;
    json_array_foreach(list, i, have) if (json_equal(have, e)) {
        json_decref(e);
        return;
    }
    json_array_append_new(list, e);
}

/* The C entry points of a callable: a function's or method's ml_meth; for a type, the slots it
 * defines itself (construction, iteration, calling, mapping and sequence access, comparison,
 * destruction...), not those it inherits from its base, and the getters and setters of its own
 * getset table. Its methods have rows of their own. [[symbol, shared object], ...]. */
static json_t *entries_of(PyObject *o)
{
    json_t *list = json_array();
    if (PyCFunction_Check(o) || is_cyfunction(o)) /* Cython's: its __pyx_pw_ wrapper */
        add_entry(list, (const void *)((PyCFunctionObject *)o)->m_ml->ml_meth);
    else if (Py_IS_TYPE(o, &PyMethodDescr_Type) || Py_IS_TYPE(o, &PyClassMethodDescr_Type))
        add_entry(list, (const void *)((PyMethodDescrObject *)o)->d_method->ml_meth);
    else if (PyType_Check(o)) {
        PyTypeObject *t = (PyTypeObject *)o;
        PyTypeObject *base = t->tp_base ? t->tp_base : &PyBaseObject_Type;
        /* a slot the type defines itself, not one it inherits from its base */
#define OWN(field) (t->field != base->field ? (const void *)t->field : NULL)
#define OWN_IN(group, field) \
    (t->group && (!base->group || t->group->field != base->group->field) ? (const void *)t->group->field : NULL)
        const void *fns[] = {
            OWN(tp_new), OWN(tp_init), OWN(tp_call), OWN(tp_iter), OWN(tp_iternext), OWN(tp_dealloc), OWN(tp_repr),
            OWN(tp_str), OWN(tp_hash), OWN(tp_richcompare), OWN(tp_getattro), OWN(tp_setattro), OWN(tp_descr_get),
            OWN(tp_descr_set), OWN(tp_finalize), OWN(tp_clear),
            OWN_IN(tp_as_sequence, sq_length), OWN_IN(tp_as_sequence, sq_item), OWN_IN(tp_as_sequence, sq_ass_item),
            OWN_IN(tp_as_sequence, sq_contains), OWN_IN(tp_as_mapping, mp_length),
            OWN_IN(tp_as_mapping, mp_subscript), OWN_IN(tp_as_mapping, mp_ass_subscript),
            OWN_IN(tp_as_buffer, bf_getbuffer), OWN_IN(tp_as_buffer, bf_releasebuffer),
        };
#undef OWN
#undef OWN_IN
        /* CPython's generic implementations a type names in its slots are not its code */
        const void *generic[] = {(const void *)PyType_GenericNew, (const void *)PyObject_GenericGetAttr,
                                 (const void *)PyObject_GenericSetAttr, (const void *)PyObject_HashNotImplemented,
                                 (const void *)PyObject_SelfIter, (const void *)PyObject_Free,
                                 (const void *)PyObject_GC_Del};
        for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
            int skip = 0;
            for (size_t k = 0; k < sizeof generic / sizeof *generic; k++)
                skip |= fns[i] == generic[k];
            if (!skip)
                add_entry(list, fns[i]);
        }
        for (PyGetSetDef *g = t->tp_getset; g && g->name; g++) { /* its own getset table only */
            add_entry(list, (const void *)g->get);
            add_entry(list, (const void *)g->set);
        }
    }
    return list;
}

static PyObject *helper_code; /* helper_source compiled: once per server, not per worker */

int ft_exercise_warm_up(void)
{
    if (!helper_code && !(helper_code = Py_CompileString(helper_source, "<ftstress exercise>", Py_file_input)))
        return -1;
    return 0;
}

static PyObject *list_callables(void)
{
    PyObject *ns = PyDict_New(), *fn, *arg = PyList_New(0), *r = NULL;
    size_t i;
    json_t *m;
    if (!ns || !arg || PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0)
        goto done;
    json_array_foreach(modules, i, m) {
        PyObject *name = PyUnicode_FromString(json_string_value(m));
        if (!name || PyList_Append(arg, name) < 0) {
            Py_XDECREF(name);
            goto done;
        }
        Py_DECREF(name);
    }
    PyObject *run = ft_exercise_warm_up() == 0 ? PyEval_EvalCode(helper_code, ns, ns) : NULL;
    Py_XDECREF(run);
    if (run && (fn = PyDict_GetItemString(ns, "callables")))
        r = PyObject_CallOneArg(fn, arg);
done:
    PyErr_Clear();
    Py_XDECREF(ns);
    Py_XDECREF(arg);
    return r;
}

/* Registers exercise_hook.c's callbacks under a free sys.monitoring tool id and turns their events
 * on, interpreter-wide. On the main thread before the team's threads exist: setting events stops
 * the world and re-instruments code. The lowest free id, as --perturb=pct's hook takes after it:
 * sys.monitoring calls the tools of one event from the highest id down, so a thread that PCT holds
 * back at a CALL is counted inside the function only once it goes on, not while it waits. A
 * scenario that uses sys.monitoring itself takes whatever id is still free (get_tool tells). 0, or
 * -1 with a message on stderr. */
static int install_hook(void)
{
    PyObject *sys = PyImport_ImportModule("sys");
    PyObject *mon = sys ? PyObject_GetAttrString(sys, "monitoring") : NULL;
    PyObject *events = mon ? PyObject_GetAttrString(mon, "events") : NULL;
    long mask = 0;
    int tool = -1, owned = 0, rc = -1;

    for (int id = 0; events && id < 6 && tool < 0; id++) { /* 0-5: the ids tools may take */
        PyObject *owner = PyObject_CallMethod(mon, "get_tool", "i", id);
        if (!owner)
            break;
        if (owner == Py_None)
            tool = id;
        Py_DECREF(owner);
    }
    if (tool >= 0) {
        PyObject *r = PyObject_CallMethod(mon, "use_tool_id", "is", tool, "ftstress-exercise");
        rc = r ? 0 : -1;
        owned = r != NULL;
        Py_XDECREF(r);
    }
    for (int k = 0; rc == 0 && k < FT_EXERCISE_NCALLBACKS; k++) {
        PyObject *ev = PyObject_GetAttrString(events, ft_exercise_callbacks[k].event);
        long bit = ev ? PyLong_AsLong(ev) : -1;
        PyObject *cb = bit > 0 ? PyCFunction_New(ft_exercise_callbacks[k].def, NULL) : NULL;
        /* the interpreter keeps its own reference to the callback for the worker's life */
        PyObject *r = cb ? PyObject_CallMethod(mon, "register_callback", "iOO", tool, ev, cb) : NULL;
        if (r)
            mask |= bit;
        else
            rc = -1;
        Py_XDECREF(ev);
        Py_XDECREF(cb);
        Py_XDECREF(r);
    }
    if (rc == 0) {
        PyObject *r = PyObject_CallMethod(mon, "set_events", "il", tool, mask);
        rc = r ? 0 : -1;
        Py_XDECREF(r);
    }
    if (rc < 0) {
        fprintf(stderr, "ftstress worker: cannot install the exercise counting (sys.monitoring%s); not counting\n",
                tool < 0 && events && !PyErr_Occurred() ? ": no free tool id" : "");
        if (PyErr_Occurred())
            PyErr_Print();
        if (owned) { /* give the id back: no events are set, so the callbacks never run */
            PyObject *r = PyObject_CallMethod(mon, "free_tool_id", "i", tool);
            Py_XDECREF(r);
            PyErr_Clear();
        }
    }
    Py_XDECREF(sys);
    Py_XDECREF(mon);
    Py_XDECREF(events);
    return rc;
}

/* Lets the hook count a call through functools.partial as a call of the callable it wraps: bodies
 * (and `ftstress init`'s scenarios) call thread-owned partials of target functions. Where the
 * partial keeps it is read from its `func` member's descriptor, not assumed. The type is kept for
 * the worker's life. Without it partials are counted as themselves, and stderr says so. */
static void see_through_partial(void)
{
    PyObject *functools = PyImport_ImportModule("functools");
    PyObject *type = functools ? PyObject_GetAttrString(functools, "partial") : NULL;
    PyObject *func = type && PyType_Check(type) ? PyDict_GetItemString(((PyTypeObject *)type)->tp_dict, "func") : NULL;
    if (func && Py_IS_TYPE(func, &PyMemberDescr_Type) &&
        ((PyMemberDescrObject *)func)->d_member->type == _Py_T_OBJECT) {
        ft_exercise_hook_see_through((PyTypeObject *)type, ((PyMemberDescrObject *)func)->d_member->offset);
        type = NULL; /* kept */
    } else {
        fprintf(stderr, "ftstress worker: cannot see where functools.partial keeps its callable; calls through a "
                        "partial are not counted as calls of the function it wraps\n");
        PyErr_Clear();
    }
    Py_XDECREF(type);
    Py_XDECREF(functools);
}

/* Lets the hook count `obj.__call__(...)` (a method-wrapper: a slot bound to its object) as a call
 * of obj's type. The wrapper's layout is private, so where it keeps its object is found on a probe:
 * the one word after the header that holds the probe's object. Without it such calls go uncounted,
 * and stderr says so. */
static void see_through_slots(void)
{
    PyObject *obj = PyList_New(0), *bound = obj ? PyObject_GetAttrString(obj, "__len__") : NULL;
    Py_ssize_t found = -1;
    for (Py_ssize_t off = (Py_ssize_t)sizeof(PyObject); bound && off < (Py_ssize_t)sizeof(PyObject) + 4 * (Py_ssize_t)sizeof(void *);
         off += (Py_ssize_t)sizeof(void *))
        if (*(PyObject **)((char *)bound + off) == obj)
            found = found < 0 ? off : -2; /* twice: ambiguous, use neither */
    if (found >= 0 && !PyCFunction_Check(bound))
        ft_exercise_hook_see_slots(Py_TYPE(bound), found); /* a static type: lives as long as the interpreter */
    else
        fprintf(stderr, "ftstress worker: cannot see where a method-wrapper keeps its object; calls such as "
                        "obj.__call__() are not counted\n");
    PyErr_Clear();
    Py_XDECREF(bound);
    Py_XDECREF(obj);
}

static json_t *targets_event; /* what ft_exercise_announce sends */
static PyObject *listed;      /* ft_exercise_list's callables, for ft_exercise_register */

/* The modules under test: the non-stdlib imports, or every import when there are none. */
static json_t *modules_of(const ft_scenario *s, const json_t *targets)
{
    json_t *m = json_array();
    if (json_array_size(targets))
        json_array_extend(m, (json_t *)targets);
    else
        for (size_t i = 0; i < s->imports.count; i++)
            json_array_append_new(m, json_string(s->imports.items[i]));
    return m;
}

void ft_exercise_list(const ft_scenario *s, const json_t *targets)
{
    const char *off = getenv("FTSTRESS_EXERCISE");
    if ((off && !strcmp(off, "0")) || listed)
        return;
    modules = modules_of(s, targets);
    listed = json_array_size(modules) ? list_callables() : NULL;
}

void ft_exercise_register(const ft_scenario *s, const json_t *targets, int with_entries)
{
    const char *off = getenv("FTSTRESS_EXERCISE");
    if (off && !strcmp(off, "0"))
        return;
    if (install_hook() < 0) /* no counts at all rather than a "not reached" that was never looked for */
        return;
    if (!(raised_by_key = PyUnicode_InternFromString("raised_by"))) {
        PyErr_Clear();
        return;
    }
    see_through_partial();
    see_through_slots();
    names = json_array();
    PyObject *list = listed; /* listed in a zygote before this worker was forked, or now */
    listed = NULL;
    if (!modules) {
        modules = modules_of(s, targets);
        list = json_array_size(modules) ? list_callables() : NULL;
    }
    json_t *entries = json_object(), *types = json_array();
    for (Py_ssize_t i = 0; list && i < PyList_GET_SIZE(list); i++) {
        PyObject *pair = PyList_GET_ITEM(list, i);
        const char *name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(pair, 0));
        const void *def = key_of(PyTuple_GET_ITEM(pair, 1));
        int index = def && name ? ft_exercise_hook_add(def) : -2;
        if (index == -1)
            dropped++;
        else if (index >= 0 && (size_t)index == json_array_size(names)) /* else: one def under two names */
        {
            json_array_append_new(names, json_string(name));
            if (with_entries) /* else an earlier worker of the scenario sent them (merged by name) */
                json_object_set_new(entries, name, entries_of(PyTuple_GET_ITEM(pair, 1)));
            if (PyType_Check(PyTuple_GET_ITEM(pair, 1))) {
                json_array_append_new(types, json_string(name));
                /* next(it), for loops, a[i], len(a): the type's own slots count as calls of it */
                if (ft_exercise_hook_count_slots((PyTypeObject *)PyTuple_GET_ITEM(pair, 1), index) < 0)
                    dropped++;
            }
        }
    }
    PyErr_Clear();
    Py_XDECREF(list);
    ft_entry_cache_save();
    /* sent by ft_exercise_announce: a zygote registers once, each of its workers announces */
    targets_event = json_pack("{s:O, s:O, s:I, s:o, s:o}", "modules", modules, "functions", names, "dropped",
                              (json_int_t)dropped, "entries", entries, "types", types);
    nthreads = ft_scenario_threads(s);
    slots = ft_xcalloc((size_t)nthreads, sizeof *slots);
    extras = ft_xcalloc((size_t)nthreads, sizeof *extras);
    enabled = 1;
}

void ft_exercise_announce(void)
{
    if (targets_event)
        ft_event_send(FT_EV_EXERCISE_TARGETS, json_deep_copy(targets_event));
}

void ft_exercise_thread_start(int index, PyObject *func)
{
    if (!enabled || index < 0 || index >= nthreads)
        return;
    ft_exercise_thread *t = &slots[index];
    t->body_code = PyFunction_Check(func) ? (const void *)PyFunction_GET_CODE(func) : NULL;
    t->pending = t->escaped = -1;
    ft_exercise_hook_attach(t); /* the callbacks are interpreter-wide: this makes them count here */
}

void ft_exercise_body_raised(int index, PyObject *info, PyObject *ignored_type)
{
    if (!enabled || index < 0 || index >= nthreads)
        return;
    PyObject *type = ignored_type ? ignored_type : info && PyDict_Check(info) ? PyDict_GetItemString(info, "type") : NULL;
    const char *name = type && PyUnicode_Check(type) ? PyUnicode_AsUTF8(type) : NULL;
    thread_extra *x = &extras[index];
    int fn = slots[index].escaped;
    slots[index].escaped = -1;
    /* Say which target function raised an unexpected exception: the finding is named after it. The
     * dict is this thread's own and `names` is read-only while the team runs. */
    const char *raiser = fn >= 0 ? json_string_value(json_array_get(names, (size_t)fn)) : NULL;
    PyObject *by = raiser && info && PyDict_Check(info) ? PyUnicode_FromString(raiser) : NULL;
    if (by && PyDict_SetItem(info, raised_by_key, by) < 0)
        PyErr_Clear();
    Py_XDECREF(by);
    if (!name) {
        PyErr_Clear();
        name = "?";
    }
    for (int i = 0; i < x->used; i++)
        if (x->counts[i].fn == fn && !strcmp(x->counts[i].type, name)) {
            x->counts[i].n++;
            return;
        }
    if (x->used == MAX_TYPES) {
        x->other++;
        return;
    }
    raised_count *c = &x->counts[x->used++];
    snprintf(c->type, sizeof c->type, "%s", name);
    c->fn = fn;
    c->n = 1;
}

static void add_count(json_t *obj, const char *key, long n)
{
    json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + n));
}

/* {name: {calls, raised, max_concurrent, threads: [index...], exceptions: {type: n}}} for every
 * function some thread called (or saw raise). */
static json_t *calls_json(void)
{
    json_t *calls = json_object();
    for (size_t f = 0; f < json_array_size(names); f++) {
        json_t *threads = json_array(), *exc = json_object();
        uint64_t n = 0, raised = 0;
        for (int t = 0; t < nthreads; t++) {
            if (slots[t].calls[f])
                json_array_append_new(threads, json_integer(t));
            n += slots[t].calls[f];
            raised += slots[t].raised[f];
            for (int i = 0; i < extras[t].used; i++)
                if (extras[t].counts[i].fn == (int)f)
                    add_count(exc, extras[t].counts[i].type, extras[t].counts[i].n);
        }
        if (!n && !raised) {
            json_decref(threads);
            json_decref(exc);
            continue;
        }
        json_object_set_new(calls, json_string_value(json_array_get(names, f)),
                            json_pack("{s:I, s:I, s:i, s:o, s:o}", "calls", (json_int_t)n, "raised", (json_int_t)raised,
                                      "max_concurrent", (int)ft_exercise_hook_peak((int)f), "threads", threads,
                                      "exceptions", exc));
    }
    return calls;
}

static json_t *roles_json(const ft_scenario *s)
{
    json_t *roles = json_object();
    for (int t = 0; t < nthreads; t++) {
        int role_thread;
        const ft_role *role = ft_scenario_role_of(s, t, &role_thread);
        json_t *r = role ? json_object_get(roles, role->name) : NULL;
        if (!role)
            continue;
        if (!r)
            json_object_set_new(roles, role->name, r = json_pack("{s:I, s:{}}", "body_calls", (json_int_t)0, "exceptions"));
        add_count(r, "body_calls", slots[t].body_calls);
        for (int i = 0; i < extras[t].used; i++)
            add_count(json_object_get(r, "exceptions"), extras[t].counts[i].type, extras[t].counts[i].n);
        if (extras[t].other)
            add_count(json_object_get(r, "exceptions"), "(other)", extras[t].other);
    }
    return roles;
}

/* This worker's counts so far. The threads wait at the start barrier now: the last round's end
 * barrier ordered their counts before these reads. */
static void send_counts(const ft_scenario *s, int final)
{
    ft_event_send(FT_EV_EXERCISED, json_pack("{s:i, s:b, s:o, s:o, s:i}", "pid", (int)getpid(), "final", final,
                            "calls", calls_json(), "roles", roles_json(s), "max_concurrent_any",
                            (int)ft_exercise_hook_peak_any()));
    last_sent_ns = ft_now_ns();
}

void ft_exercise_round_done(const ft_scenario *s)
{
    if (!enabled)
        return;
    /* The supervisor kills a worker once the scenario has its expected race, often after the first
     * round: that round's counts go out at once, later ones a few times a second. */
    if (!last_sent_ns || ft_now_ns() - last_sent_ns >= SNAPSHOT_NS)
        send_counts(s, 0);
}

void ft_exercise_send(const ft_scenario *s)
{
    if (enabled)
        send_counts(s, 1);
}
