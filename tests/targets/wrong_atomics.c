/* A lost update built from two atomic operations: each access is atomic, so TSan has nothing to
 * report, but the algorithm is wrong (load, then store). Its twin uses one atomic read-modify-write.
 * Only an arbiter that checks the result finds the bug. */
#include <Python.h>
#include <stdatomic.h>

static _Atomic long counter;

static PyObject *reset(PyObject *m, PyObject *unused)
{
    atomic_store(&counter, 0);
    Py_RETURN_NONE;
}

static PyObject *value(PyObject *m, PyObject *unused) { return PyLong_FromLong(atomic_load(&counter)); }

/* Two atomic operations with a gap between them: another thread's increment in the gap is lost. */
static PyObject *add_load_then_store(PyObject *m, PyObject *unused)
{
    long v = atomic_load(&counter);
    atomic_store(&counter, v + 1);
    Py_RETURN_NONE;
}

static PyObject *add_fetch_add(PyObject *m, PyObject *unused)
{
    atomic_fetch_add(&counter, 1);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"reset", reset, METH_NOARGS, "set the counter to 0"},
    {"value", value, METH_NOARGS, "the counter"},
    {"add_load_then_store", add_load_then_store, METH_NOARGS, "increment: atomic load, then atomic store (wrong)"},
    {"add_fetch_add", add_fetch_add, METH_NOARGS, "increment: one atomic fetch-add (right)"},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "wrong_atomics", "Atomics, and a wrong algorithm.", 0,
                                    methods, slots};

PyMODINIT_FUNC PyInit_wrong_atomics(void) { return PyModuleDef_Init(&module); }
