/* Seeded bugs in lazily created statics and shared containers (CORPUS P3, P4, P5), with twins. */
#include <Python.h>
#include <stdatomic.h>

/* ---- P3: lazy static initialisation --------------------------------------------------------- */

static PyObject *cached_key_unsafe;

static PyObject *get_key_unsafe(void)
{
    if (!cached_key_unsafe)
        cached_key_unsafe = PyUnicode_FromString("seeded-lookup-key");
    return cached_key_unsafe;
}

static PyObject *_Atomic cached_key_once;
static PyMutex key_mutex;

static PyObject *get_key_once(void)
{
    PyObject *k = atomic_load_explicit(&cached_key_once, memory_order_acquire);
    if (k)
        return k;
    PyMutex_Lock(&key_mutex);
    k = atomic_load_explicit(&cached_key_once, memory_order_relaxed);
    if (!k) {
        k = PyUnicode_FromString("seeded-lookup-key");
        atomic_store_explicit(&cached_key_once, k, memory_order_release);
    }
    PyMutex_Unlock(&key_mutex);
    return k;
}

/* lookup_unsafe(d) / lookup_once(d): d.get(KEY) with a key made on first use. */
static PyObject *lookup(PyObject *d, PyObject *key)
{
    PyObject *v;
    if (!key)
        return NULL;
    if (PyDict_GetItemRef(d, key, &v) < 0)
        return NULL;
    return v ? v : Py_NewRef(Py_None);
}
static PyObject *lookup_unsafe(PyObject *m, PyObject *d) { return lookup(d, get_key_unsafe()); }
static PyObject *lookup_once(PyObject *m, PyObject *d) { return lookup(d, get_key_once()); }

/* reset(): forget the cached keys, so that a new round is a first use again. */
static PyObject *reset(PyObject *m, PyObject *unused)
{
    Py_CLEAR(cached_key_unsafe);
    PyObject *k = atomic_exchange(&cached_key_once, NULL);
    Py_XDECREF(k);
    Py_RETURN_NONE;
}

/* ---- P4: a borrowed reference from a list others modify ------------------------------------ */

static PyObject *first_upper_unsafe(PyObject *m, PyObject *list)
{
    PyObject *item = PyList_GetItem(list, 0); /* borrowed: another thread may drop it */
    if (!item)
        return NULL;
    return PyObject_CallMethod(item, "upper", NULL);
}

static PyObject *first_upper_ref(PyObject *m, PyObject *list)
{
    PyObject *item = PyList_GetItemRef(list, 0), *r;
    if (!item)
        return NULL;
    r = PyObject_CallMethod(item, "upper", NULL);
    Py_DECREF(item);
    return r;
}

/* ---- P5: in-place swaps in a list others can see ------------------------------------------- */

static void swap_ends(PyObject *list)
{
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (n < 2)
        return;
    PyObject *a = PyList_GET_ITEM(list, 0), *b = PyList_GET_ITEM(list, n - 1);
    PyList_SET_ITEM(list, 0, b);
    PyList_SET_ITEM(list, n - 1, a);
}

static PyObject *swap_ends_unsafe(PyObject *m, PyObject *list)
{
    if (!PyList_Check(list))
        return PyErr_Format(PyExc_TypeError, "expected a list");
    swap_ends(list);
    Py_RETURN_NONE;
}

static PyObject *swap_ends_locked(PyObject *m, PyObject *list)
{
    if (!PyList_Check(list))
        return PyErr_Format(PyExc_TypeError, "expected a list");
    Py_BEGIN_CRITICAL_SECTION(list);
    swap_ends(list);
    Py_END_CRITICAL_SECTION();
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"lookup_unsafe", lookup_unsafe, METH_O, "P3: key created lazily in a plain static"},
    {"lookup_once", lookup_once, METH_O, "P3 fixed: double-checked with atomics and a PyMutex"},
    {"reset", reset, METH_NOARGS, "forget lazily created keys (fresh state for a new round)"},
    {"first_upper_unsafe", first_upper_unsafe, METH_O, "P4: PyList_GetItem, then a call"},
    {"first_upper_ref", first_upper_ref, METH_O, "P4 fixed: PyList_GetItemRef"},
    {"swap_ends_unsafe", swap_ends_unsafe, METH_O, "P5: PyList_SET_ITEM on a shared list"},
    {"swap_ends_locked", swap_ends_locked, METH_O, "P5 fixed: a critical section on the list"},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "seeded_shared", "seeded races in lazy statics and shared containers",
                             0, methods, slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_seeded_shared(void) { return PyModuleDef_Init(&module); }
