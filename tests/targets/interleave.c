/* Seeded bugs that crash or hang only under one interleaving: the bench of --perturb (bench/perturb.py).
 *
 * Built without TSan instrumentation (tests/CMakeLists.txt), the case of a vendored C library or an
 * extension nobody rebuilt: TSan sees none of these accesses, and only the crash or the hang says
 * anything. The shared fields are C11 relaxed atomics, so the code is well defined and the compiler
 * keeps every load and store where the source has them; what is wrong is the algorithm. Each bug
 * has a window of a few instructions (or one call boundary) that another thread must hit. It is
 * built with branch points (-fsanitize-coverage=trace-pc-guard), as `build-ext` builds a module:
 * --perturb=pct can hold a thread at the branch inside such a window (branch_points.h). */
#include <Python.h>
#include <stdatomic.h>

#define RELAXED memory_order_relaxed

/* ---- check-then-act: Slot.use() checks for an item, then loads it again ---------------------- */

typedef struct {
    long value;
} Item;

static Item the_item = {42};

typedef struct {
    PyObject_HEAD
    _Atomic(Item *) item;
} Slot;

/* The check and the use read the field twice: a clear() between them leaves a NULL to dereference. */
static PyObject *slot_use(PyObject *self, PyObject *unused)
{
    Slot *s = (Slot *)self;
    if (atomic_load_explicit(&s->item, RELAXED) != NULL) {
        Item *it = atomic_load_explicit(&s->item, RELAXED);
        return PyLong_FromLong(it->value);
    }
    Py_RETURN_NONE;
}

/* The twin: one load, checked and used. */
static PyObject *slot_use_once(PyObject *self, PyObject *unused)
{
    Item *it = atomic_load_explicit(&((Slot *)self)->item, RELAXED);
    return it ? PyLong_FromLong(it->value) : Py_NewRef(Py_None);
}

static PyObject *slot_clear(PyObject *self, PyObject *unused)
{
    atomic_store_explicit(&((Slot *)self)->item, NULL, RELAXED);
    Py_RETURN_NONE;
}

static PyObject *slot_set(PyObject *self, PyObject *unused)
{
    atomic_store_explicit(&((Slot *)self)->item, &the_item, RELAXED);
    Py_RETURN_NONE;
}

static PyObject *slot_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    Slot *s = (Slot *)type->tp_alloc(type, 0);
    if (s)
        atomic_init(&s->item, &the_item);
    return (PyObject *)s;
}

static PyMethodDef slot_methods[] = {
    {"use", slot_use, METH_NOARGS, "the item's value: checks, then loads again (wrong)"},
    {"use_once", slot_use_once, METH_NOARGS, "the item's value from one load (right)"},
    {"clear", slot_clear, METH_NOARGS, "no item"},
    {"set", slot_set, METH_NOARGS, "the item back"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SlotType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "interleave.Slot",
    .tp_basicsize = sizeof(Slot),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = slot_new,
    .tp_methods = slot_methods,
};

/* ---- use-after-free: Holder.peek() hands out the box it points to, borrowed ------------------ */

typedef struct {
    long *payload;
} Box;

typedef struct {
    PyObject_HEAD
    _Atomic(Box *) box;
} Holder;

static Box *box_new(long v)
{
    Box *b = PyMem_RawMalloc(sizeof *b);
    long *p = PyMem_RawMalloc(sizeof *p);
    if (!b || !p) {
        PyMem_RawFree(b);
        PyMem_RawFree(p);
        return NULL;
    }
    *p = v;
    b->payload = p;
    return b;
}

static void box_free(Box *b)
{
    if (b) {
        PyMem_RawFree(b->payload);
        PyMem_RawFree(b); /* the debug allocator fills it with 0xDD: a later b->payload faults */
    }
}

/* A replace() between a peek() and the read() of what it returned frees the box under the reader:
 * the window is the interpreter's time between two calls. */
static PyObject *holder_peek(PyObject *self, PyObject *unused)
{
    return PyLong_FromVoidPtr(atomic_load_explicit(&((Holder *)self)->box, RELAXED));
}

static PyObject *holder_read(PyObject *self, PyObject *arg)
{
    Box *b = PyLong_AsVoidPtr(arg);
    if (!b && PyErr_Occurred())
        return NULL;
    return PyLong_FromLong(*b->payload);
}

/* The twin of peek() then read(): one call that loads and reads, under the object's lock that
 * replace_locked() takes too. */
static PyObject *holder_get_locked(PyObject *self, PyObject *unused)
{
    long v;
    Py_BEGIN_CRITICAL_SECTION(self);
    v = *atomic_load_explicit(&((Holder *)self)->box, RELAXED)->payload;
    Py_END_CRITICAL_SECTION();
    return PyLong_FromLong(v);
}

static PyObject *replace(PyObject *self, PyObject *arg, int locked)
{
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return NULL;
    Box *b = box_new(v);
    if (!b)
        return PyErr_NoMemory();
    if (locked) {
        Py_BEGIN_CRITICAL_SECTION(self);
        box_free(atomic_exchange_explicit(&((Holder *)self)->box, b, RELAXED));
        Py_END_CRITICAL_SECTION();
    }
    else
        box_free(atomic_exchange_explicit(&((Holder *)self)->box, b, RELAXED));
    Py_RETURN_NONE;
}

static PyObject *holder_replace(PyObject *self, PyObject *arg) { return replace(self, arg, 0); }
static PyObject *holder_replace_locked(PyObject *self, PyObject *arg) { return replace(self, arg, 1); }

static PyObject *holder_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    Holder *h = (Holder *)type->tp_alloc(type, 0);
    Box *b = h ? box_new(0) : NULL;
    if (!b) {
        Py_XDECREF(h);
        return PyErr_NoMemory();
    }
    atomic_init(&h->box, b);
    return (PyObject *)h;
}

static void holder_dealloc(PyObject *self)
{
    box_free(atomic_load_explicit(&((Holder *)self)->box, RELAXED));
    Py_TYPE(self)->tp_free(self);
}

static PyMethodDef holder_methods[] = {
    {"peek", holder_peek, METH_NOARGS, "the current box, borrowed (wrong: nothing keeps it alive)"},
    {"read", holder_read, METH_O, "the payload of a box peek() returned"},
    {"get_locked", holder_get_locked, METH_NOARGS, "the payload, loaded and read under the object's lock (right)"},
    {"replace", holder_replace, METH_O, "a new box; the old one is freed at once"},
    {"replace_locked", holder_replace_locked, METH_O, "replace() under the object's lock"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject HolderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "interleave.Holder",
    .tp_basicsize = sizeof(Holder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = holder_new,
    .tp_dealloc = holder_dealloc,
    .tp_methods = holder_methods,
};

/* ---- lost update, then a cycle: Pool, a free list of node indices -------------------------- */

#define POOL_NODES 8
#define NIL (-1)

typedef struct {
    PyObject_HEAD
    _Atomic int head;
    _Atomic int next[POOL_NODES];
} Pool;

/* Load the head, then store its successor: two threads that both load before either stores take
 * the same node. When both push it back, the second push links it to itself, and count() (or the
 * next pop-push) walks a cycle forever. */
static PyObject *pool_pop(PyObject *self, PyObject *unused)
{
    Pool *p = (Pool *)self;
    int n = atomic_load_explicit(&p->head, RELAXED);
    if (n == NIL)
        Py_RETURN_NONE;
    atomic_store_explicit(&p->head, atomic_load_explicit(&p->next[n], RELAXED), RELAXED);
    return PyLong_FromLong(n);
}

static PyObject *pool_push(PyObject *self, PyObject *arg)
{
    Pool *p = (Pool *)self;
    long n = PyLong_AsLong(arg);
    if (n < 0 || n >= POOL_NODES)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "no node %ld", n);
    atomic_store_explicit(&p->next[n], atomic_load_explicit(&p->head, RELAXED), RELAXED);
    atomic_store_explicit(&p->head, (int)n, RELAXED);
    Py_RETURN_NONE;
}

/* The twins: the same under the object's lock. */
static PyObject *pool_pop_locked(PyObject *self, PyObject *unused)
{
    PyObject *r;
    Py_BEGIN_CRITICAL_SECTION(self);
    r = pool_pop(self, unused);
    Py_END_CRITICAL_SECTION();
    return r;
}

static PyObject *pool_push_locked(PyObject *self, PyObject *arg)
{
    PyObject *r;
    Py_BEGIN_CRITICAL_SECTION(self);
    r = pool_push(self, arg);
    Py_END_CRITICAL_SECTION();
    return r;
}

/* Walks the list without a bound, as list code does when it trusts its invariants. */
static PyObject *pool_count(PyObject *self, PyObject *unused)
{
    Pool *p = (Pool *)self;
    long k = 0;
    for (int n = atomic_load_explicit(&p->head, RELAXED); n != NIL; n = atomic_load_explicit(&p->next[n], RELAXED))
        k++;
    return PyLong_FromLong(k);
}

static PyObject *pool_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    Pool *p = (Pool *)type->tp_alloc(type, 0);
    if (!p)
        return NULL;
    for (int i = 0; i < POOL_NODES; i++)
        atomic_init(&p->next[i], i + 1 < POOL_NODES ? i + 1 : NIL);
    atomic_init(&p->head, 0);
    return (PyObject *)p;
}

static PyMethodDef pool_methods[] = {
    {"pop", pool_pop, METH_NOARGS, "take a node (wrong: load, then store)"},
    {"push", pool_push, METH_O, "give a node back"},
    {"pop_locked", pool_pop_locked, METH_NOARGS, "pop() under the object's lock"},
    {"push_locked", pool_push_locked, METH_O, "push() under the object's lock"},
    {"count", pool_count, METH_NOARGS, "nodes in the list, by walking it"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject PoolType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "interleave.Pool",
    .tp_basicsize = sizeof(Pool),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = pool_new,
    .tp_methods = pool_methods,
};

static int exec_module(PyObject *m)
{
    PyTypeObject *types[] = {&SlotType, &HolderType, &PoolType};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (PyType_Ready(types[i]) < 0 || PyModule_AddType(m, types[i]) < 0)
            return -1;
    return 0;
}

static PyModuleDef_Slot slots[] = {{Py_mod_exec, exec_module}, {Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "interleave",
                                    "Bugs that need one interleaving to crash or hang.", 0, NULL, slots};

PyMODINIT_FUNC PyInit_interleave(void) { return PyModuleDef_Init(&module); }
