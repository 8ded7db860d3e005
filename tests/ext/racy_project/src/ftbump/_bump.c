/* ftbump._bump: a module-global counter incremented without a lock, for the annotation test. */
#include <Python.h>

static long hits;

static PyObject *bump(PyObject *m, PyObject *unused)
{
    hits++; /* FTSTRESS-RACE-LINE: the unlocked increment the annotation points at */
    return PyLong_FromLong(hits);
}

static PyMethodDef methods[] = {{"bump", bump, METH_NOARGS, "racy"}, {NULL, NULL, 0, NULL}};
static PyModuleDef_Slot slots[] = {{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};
static PyModuleDef module = {PyModuleDef_HEAD_INIT, "ftbump._bump", NULL, 0, methods, slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__bump(void) { return PyModuleDef_Init(&module); }
