/* Seeded bugs in per-object state (CORPUS P7, P8, P9, P10, P11), each method with a fixed twin. */
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* ---- P7: Ring, a growable ring buffer whose four fields change together -------------------- */

typedef struct {
    PyObject_HEAD
    long *data;
    Py_ssize_t cap, head, len;
} Ring;

static int ring_grow(Ring *r)
{
    Py_ssize_t cap = r->cap ? r->cap * 2 : 8;
    long *data = PyMem_RawMalloc((size_t)cap * sizeof *data);
    if (!data)
        return -1;
    for (Py_ssize_t i = 0; i < r->len; i++)
        data[i] = r->data[(r->head + i) % r->cap];
    PyMem_RawFree(r->data);
    r->data = data;
    r->cap = cap;
    r->head = 0;
    return 0;
}

static PyObject *ring_push(Ring *r, PyObject *arg)
{
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return NULL;
    if (r->len == r->cap && ring_grow(r) < 0)
        return PyErr_NoMemory();
    r->data[(r->head + r->len) % r->cap] = v;
    r->len++;
    if (r->len > 64) { /* keep it bounded: drop the oldest */
        r->head = (r->head + 1) % r->cap;
        r->len--;
    }
    Py_RETURN_NONE;
}

static PyObject *ring_get(Ring *r, PyObject *arg)
{
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0 || i >= r->len)
        return PyErr_Format(PyExc_IndexError, "ring index out of range");
    return PyLong_FromLong(r->data[(r->head + i) % r->cap]);
}

static PyObject *ring_push_unsafe(PyObject *self, PyObject *arg) { return ring_push((Ring *)self, arg); }
static PyObject *ring_get_unsafe(PyObject *self, PyObject *arg) { return ring_get((Ring *)self, arg); }

static PyObject *ring_push_locked(PyObject *self, PyObject *arg)
{
    PyObject *r;
    Py_BEGIN_CRITICAL_SECTION(self);
    r = ring_push((Ring *)self, arg);
    Py_END_CRITICAL_SECTION();
    return r;
}

static PyObject *ring_get_locked(PyObject *self, PyObject *arg)
{
    PyObject *r;
    Py_BEGIN_CRITICAL_SECTION(self);
    r = ring_get((Ring *)self, arg);
    Py_END_CRITICAL_SECTION();
    return r;
}

static void ring_dealloc(Ring *r)
{
    PyTypeObject *tp = Py_TYPE(r);
    PyMem_RawFree(r->data);
    tp->tp_free(r);
    Py_DECREF(tp);
}

static PyMethodDef ring_methods[] = {
    {"push_unsafe", ring_push_unsafe, METH_O, "P7: append without a lock"},
    {"get_unsafe", ring_get_unsafe, METH_O, "P7: index without a lock"},
    {"push_locked", ring_push_locked, METH_O, "P7 fixed: critical section"},
    {"get_locked", ring_get_locked, METH_O, "P7 fixed: critical section"},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot ring_slots[] = {{Py_tp_new, PyType_GenericNew}, {Py_tp_dealloc, ring_dealloc},
                                   {Py_tp_methods, ring_methods}, {0, 0}};
static PyType_Spec ring_spec = {"seeded_objects.Ring", sizeof(Ring), 0, Py_TPFLAGS_DEFAULT, ring_slots};

/* ---- P8: Cursor, one iterator shared by many callers of next ------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *seq;
    Py_ssize_t i;
} Cursor;

static PyObject *cursor_next(Cursor *it)
{
    PyObject *item;
    if (!it->seq)
        return PyErr_Format(PyExc_StopIteration, "exhausted");
    if (it->i >= PyList_GET_SIZE(it->seq)) {
        Py_CLEAR(it->seq);
        return PyErr_Format(PyExc_StopIteration, "exhausted");
    }
    item = PyList_GET_ITEM(it->seq, it->i);
    it->i++;
    return Py_NewRef(item);
}

static PyObject *cursor_next_unsafe(PyObject *self, PyObject *unused) { return cursor_next((Cursor *)self); }

static PyObject *cursor_next_locked(PyObject *self, PyObject *unused)
{
    PyObject *r;
    Py_BEGIN_CRITICAL_SECTION(self);
    r = cursor_next((Cursor *)self);
    Py_END_CRITICAL_SECTION();
    return r;
}

static PyObject *cursor_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *seq;
    Cursor *it;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &seq))
        return NULL;
    it = (Cursor *)type->tp_alloc(type, 0);
    if (it)
        it->seq = PyList_GetSlice(seq, 0, PyList_GET_SIZE(seq));
    return (PyObject *)it;
}

static void cursor_dealloc(Cursor *it)
{
    PyTypeObject *tp = Py_TYPE(it);
    Py_XDECREF(it->seq);
    tp->tp_free(it);
    Py_DECREF(tp);
}

static PyMethodDef cursor_methods[] = {
    {"next_unsafe", cursor_next_unsafe, METH_NOARGS, "P8: cursor and exhaustion without a lock"},
    {"next_locked", cursor_next_locked, METH_NOARGS, "P8 fixed: critical section"},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot cursor_slots[] = {{Py_tp_new, cursor_new}, {Py_tp_dealloc, cursor_dealloc},
                                     {Py_tp_methods, cursor_methods}, {0, 0}};
static PyType_Spec cursor_spec = {"seeded_objects.Cursor", sizeof(Cursor), 0, Py_TPFLAGS_DEFAULT, cursor_slots};

/* ---- P9: Counter, atomic on one side only; P10: a non-atomic busy flag --------------------- */

typedef struct {
    PyObject_HEAD
    Py_ssize_t count; /* advanced atomically by next_ */
    int busy;         /* P10: plain flag */
    _Atomic int busy_atomic;
    long work;
} Counter;

static PyObject *counter_next(PyObject *self, PyObject *unused)
{
    Counter *c = (Counter *)self;
    return PyLong_FromSsize_t(__atomic_fetch_add(&c->count, 1, __ATOMIC_RELAXED));
}

static PyObject *counter_repr_plain(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromFormat("Counter(%zd)", ((Counter *)self)->count);
}

static PyObject *counter_repr_atomic(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromFormat("Counter(%zd)", __atomic_load_n(&((Counter *)self)->count, __ATOMIC_RELAXED));
}

static PyObject *session_run_flag(PyObject *self, PyObject *unused)
{
    Counter *c = (Counter *)self;
    if (c->busy)
        return PyErr_Format(PyExc_RuntimeError, "session is busy");
    c->busy = 1;
    for (int i = 0; i < 16; i++)
        c->work += i;
    c->busy = 0;
    Py_RETURN_NONE;
}

static PyObject *session_run_cas(PyObject *self, PyObject *unused)
{
    Counter *c = (Counter *)self;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&c->busy_atomic, &expected, 1))
        return PyErr_Format(PyExc_RuntimeError, "session is busy");
    for (int i = 0; i < 16; i++)
        c->work += i; /* exclusive: only the thread that won the exchange gets here */
    atomic_store(&c->busy_atomic, 0);
    Py_RETURN_NONE;
}

static PyMethodDef counter_methods[] = {
    {"next", counter_next, METH_NOARGS, "atomic increment"},
    {"repr_plain", counter_repr_plain, METH_NOARGS, "P9: plain read of an atomically written field"},
    {"repr_atomic", counter_repr_atomic, METH_NOARGS, "P9 fixed: atomic read"},
    {"run_flag", session_run_flag, METH_NOARGS, "P10: check-then-set busy flag"},
    {"run_cas", session_run_cas, METH_NOARGS, "P10 fixed: compare-and-swap"},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot counter_slots[] = {{Py_tp_new, PyType_GenericNew}, {Py_tp_methods, counter_methods}, {0, 0}};
static PyType_Spec counter_spec = {"seeded_objects.Counter", sizeof(Counter), 0, Py_TPFLAGS_DEFAULT, counter_slots};

/* ---- P11: Digest, a C library context used with the GIL released --------------------------- */

typedef struct {
    uint64_t state;
    uint64_t bytes;
} fnv_ctx; /* stands for a third-party library's context */

static void fnv_update(fnv_ctx *ctx, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ctx->state ^= p[i];
        ctx->state *= 1099511628211ULL;
    }
    ctx->bytes += n;
}

typedef struct {
    PyObject_HEAD
    fnv_ctx ctx;
    PyMutex mutex;
} Digest;

static PyObject *digest_update_unlocked(PyObject *self, PyObject *arg)
{
    Digest *d = (Digest *)self;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    fnv_update(&d->ctx, view.buf, (size_t)view.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyObject *digest_update_locked(PyObject *self, PyObject *arg)
{
    Digest *d = (Digest *)self;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    PyMutex_Lock(&d->mutex);
    fnv_update(&d->ctx, view.buf, (size_t)view.len);
    PyMutex_Unlock(&d->mutex);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyMethodDef digest_methods[] = {
    {"update_unlocked", digest_update_unlocked, METH_O, "P11: library context shared across a GIL release"},
    {"update_locked", digest_update_locked, METH_O, "P11 fixed: a PyMutex around the library call"},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot digest_slots[] = {{Py_tp_new, PyType_GenericNew}, {Py_tp_methods, digest_methods}, {0, 0}};
static PyType_Spec digest_spec = {"seeded_objects.Digest", sizeof(Digest), 0, Py_TPFLAGS_DEFAULT, digest_slots};

static int add_type(PyObject *m, PyType_Spec *spec, const char *name)
{
    PyObject *t = PyType_FromModuleAndSpec(m, spec, NULL);
    int rc = t ? PyModule_AddObjectRef(m, name, t) : -1;
    Py_XDECREF(t);
    return rc;
}

static int exec_module(PyObject *m)
{
    return add_type(m, &ring_spec, "Ring") || add_type(m, &cursor_spec, "Cursor") ||
                   add_type(m, &counter_spec, "Counter") || add_type(m, &digest_spec, "Digest")
               ? -1
               : 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "seeded_objects", "seeded races in per-object state", 0, NULL,
                             slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_seeded_objects(void) { return PyModuleDef_Init(&module); }
