/* Seeded bugs in module-global C state (CORPUS P1, P2, P6, P12, P13), each with a fixed twin.
 * Every buggy function's name ends in _unsafe; the tests expect exactly those names in findings. */
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* ---- P1: a free list of scratch blocks, hidden in the module ------------------------------- */

#define BLOCK_SIZE 256
#define POOL_MAX 64

typedef struct block {
    struct block *next;
    char data[BLOCK_SIZE];
} block;

static block *pool_unsafe;
static int pool_unsafe_count;

static block *pool_take_unsafe(void)
{
    block *b = pool_unsafe;
    if (b) {
        pool_unsafe = b->next;
        pool_unsafe_count--;
        return b;
    }
    return PyMem_RawMalloc(sizeof(block));
}

static void pool_give_unsafe(block *b)
{
    if (pool_unsafe_count < POOL_MAX) {
        b->next = pool_unsafe;
        pool_unsafe = b;
        pool_unsafe_count++;
        return;
    }
    PyMem_RawFree(b);
}

static block *pool_locked;
static int pool_locked_count;
static PyMutex pool_mutex;

static block *pool_take_locked(void)
{
    block *b;
    PyMutex_Lock(&pool_mutex);
    b = pool_locked;
    if (b) {
        pool_locked = b->next;
        pool_locked_count--;
    }
    PyMutex_Unlock(&pool_mutex);
    return b ? b : PyMem_RawMalloc(sizeof(block));
}

static void pool_give_locked(block *b)
{
    PyMutex_Lock(&pool_mutex);
    if (pool_locked_count < POOL_MAX) {
        b->next = pool_locked;
        pool_locked = b;
        pool_locked_count++;
        b = NULL;
    }
    PyMutex_Unlock(&pool_mutex);
    PyMem_RawFree(b);
}

/* Scratch(locked=False): an object owning one block; each thread makes its own. */
typedef struct {
    PyObject_HEAD
    block *b;
    int locked;
} Scratch;

static PyObject *scratch_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"locked", NULL};
    int locked = 0;
    Scratch *self;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p", kwlist, &locked))
        return NULL;
    self = (Scratch *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->locked = locked;
    self->b = locked ? pool_take_locked() : pool_take_unsafe();
    if (!self->b) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    memset(self->b->data, 'x', BLOCK_SIZE);
    return (PyObject *)self;
}

static void scratch_dealloc(Scratch *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (self->b)
        (self->locked ? pool_give_locked : pool_give_unsafe)(self->b);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyType_Slot scratch_slots[] = {
    {Py_tp_new, scratch_new}, {Py_tp_dealloc, scratch_dealloc}, {Py_tp_doc, "a scratch block from a pool"}, {0, 0}};
static PyType_Spec scratch_spec = {"seeded_globals.Scratch", sizeof(Scratch), 0, Py_TPFLAGS_DEFAULT, scratch_slots};

/* ---- P2: a global version counter ---------------------------------------------------------- */

static uint64_t generation_unsafe;
static _Atomic uint64_t generation_atomic;

static PyObject *next_version_unsafe(PyObject *m, PyObject *unused) { return PyLong_FromUnsignedLongLong(++generation_unsafe); }

static PyObject *next_version_atomic(PyObject *m, PyObject *unused)
{
    return PyLong_FromUnsignedLongLong(atomic_fetch_add(&generation_atomic, 1) + 1);
}

/* ---- P6: a static scratch buffer for formatting -------------------------------------------- */

static PyObject *format_item_unsafe(PyObject *m, PyObject *arg)
{
    static char buf[256];
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return NULL;
    snprintf(buf, sizeof buf, "<item %ld>", v);
    return PyUnicode_FromString(buf);
}

static PyObject *format_item_local(PyObject *m, PyObject *arg)
{
    char buf[256];
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return NULL;
    snprintf(buf, sizeof buf, "<item %ld>", v);
    return PyUnicode_FromString(buf);
}

/* ---- P12: a non-reentrant tokenizer with static state -------------------------------------- */

static char *token_cursor_unsafe;

static char *next_token_unsafe(char *s)
{
    char *start;
    if (s)
        token_cursor_unsafe = s;
    if (!token_cursor_unsafe)
        return NULL;
    while (*token_cursor_unsafe == ',')
        token_cursor_unsafe++;
    if (!*token_cursor_unsafe)
        return token_cursor_unsafe = NULL;
    start = token_cursor_unsafe;
    while (*token_cursor_unsafe && *token_cursor_unsafe != ',')
        token_cursor_unsafe++;
    if (*token_cursor_unsafe)
        *token_cursor_unsafe++ = '\0';
    return start;
}

static char *next_token_reentrant(char *s, char **cursor)
{
    char *start;
    if (s)
        *cursor = s;
    if (!*cursor)
        return NULL;
    while (**cursor == ',')
        (*cursor)++;
    if (!**cursor)
        return *cursor = NULL;
    start = *cursor;
    while (**cursor && **cursor != ',')
        (*cursor)++;
    if (**cursor)
        *(*cursor)++ = '\0';
    return start;
}

static PyObject *split_fields(PyObject *arg, int reentrant)
{
    const char *text = PyUnicode_AsUTF8(arg);
    char *copy, *tok, *cursor = NULL;
    PyObject *out;
    if (!text || !(copy = strdup(text)))
        return NULL;
    out = PyList_New(0);
    for (tok = reentrant ? next_token_reentrant(copy, &cursor) : next_token_unsafe(copy); out && tok;
         tok = reentrant ? next_token_reentrant(NULL, &cursor) : next_token_unsafe(NULL)) {
        PyObject *s = PyUnicode_FromString(tok);
        if (!s || PyList_Append(out, s) < 0)
            Py_CLEAR(out);
        Py_XDECREF(s);
    }
    free(copy);
    return out;
}

static PyObject *split_unsafe(PyObject *m, PyObject *arg) { return split_fields(arg, 0); }
static PyObject *split_reentrant(PyObject *m, PyObject *arg) { return split_fields(arg, 1); }

/* ---- P13: a global setting ----------------------------------------------------------------- */

static int default_mode_unsafe;
static _Atomic int default_mode_atomic;

static PyObject *set_mode_unsafe(PyObject *m, PyObject *arg)
{
    default_mode_unsafe = (int)PyLong_AsLong(arg);
    Py_RETURN_NONE;
}
static PyObject *get_mode_unsafe(PyObject *m, PyObject *unused) { return PyLong_FromLong(default_mode_unsafe); }
static PyObject *set_mode_atomic(PyObject *m, PyObject *arg)
{
    atomic_store_explicit(&default_mode_atomic, (int)PyLong_AsLong(arg), memory_order_relaxed);
    Py_RETURN_NONE;
}
static PyObject *get_mode_atomic(PyObject *m, PyObject *unused)
{
    return PyLong_FromLong(atomic_load_explicit(&default_mode_atomic, memory_order_relaxed));
}

static PyMethodDef methods[] = {
    {"next_version_unsafe", next_version_unsafe, METH_NOARGS, "P2: ++ on a global counter"},
    {"next_version_atomic", next_version_atomic, METH_NOARGS, "P2 fixed: atomic_fetch_add"},
    {"format_item_unsafe", format_item_unsafe, METH_O, "P6: static scratch buffer"},
    {"format_item_local", format_item_local, METH_O, "P6 fixed: a buffer on the stack"},
    {"split_unsafe", split_unsafe, METH_O, "P12: strtok-like static cursor"},
    {"split_reentrant", split_reentrant, METH_O, "P12 fixed: the caller owns the cursor"},
    {"set_mode_unsafe", set_mode_unsafe, METH_O, "P13: plain global setting"},
    {"get_mode_unsafe", get_mode_unsafe, METH_NOARGS, "P13: plain global setting"},
    {"set_mode_atomic", set_mode_atomic, METH_O, "P13 fixed: relaxed atomics"},
    {"get_mode_atomic", get_mode_atomic, METH_NOARGS, "P13 fixed: relaxed atomics"},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *m)
{
    PyObject *t = PyType_FromModuleAndSpec(m, &scratch_spec, NULL);
    if (!t || PyModule_AddObjectRef(m, "Scratch", t) < 0) {
        Py_XDECREF(t);
        return -1;
    }
    Py_DECREF(t);
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "seeded_globals", "seeded races in module-global state", 0,
                             methods, slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_seeded_globals(void) { return PyModuleDef_Init(&module); }
