/* For `ftstress init`'s test: a module that does not declare Py_mod_gil (importing it turns the GIL
 * back on) and whose one function races on a static counter once the GIL is forced off. */
#include <Python.h>

static long bumps_unsafe;

static PyObject *bump_unsafe(PyObject *m, PyObject *unused) { return PyLong_FromLong(++bumps_unsafe); }

static PyMethodDef methods[] = {
    {"bump_unsafe", bump_unsafe, METH_NOARGS, "++ on a static counter"},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "init_gil", "no Py_mod_gil slot, one racy function", -1, methods,
                             NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_init_gil(void) { return PyModule_Create(&module); }
