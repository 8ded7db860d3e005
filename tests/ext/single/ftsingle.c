/* A single-file extension for the build-ext test: a module-global counter and its atomic twin. */
#include <Python.h>
#include <stdatomic.h>

static long hits;
static _Atomic long hits_atomic;

static PyObject *bump(PyObject *m, PyObject *unused) { return PyLong_FromLong(++hits); }
static PyObject *bump_atomic(PyObject *m, PyObject *unused) { return PyLong_FromLong(atomic_fetch_add(&hits_atomic, 1) + 1); }

static PyMethodDef methods[] = {{"bump", bump, METH_NOARGS, "racy"}, {"bump_atomic", bump_atomic, METH_NOARGS, "atomic"},
                                {NULL, NULL, 0, NULL}};
static PyModuleDef_Slot slots[] = {{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};
static PyModuleDef module = {PyModuleDef_HEAD_INIT, "ftsingle", NULL, 0, methods, slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_ftsingle(void) { return PyModuleDef_Init(&module); }
