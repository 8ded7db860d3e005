/* fttiny._speed: a pure function with no shared state (must run clean under stress). */
#include <Python.h>

static PyObject *scale(PyObject *m, PyObject *args)
{
    double x, k;
    if (!PyArg_ParseTuple(args, "dd", &x, &k))
        return NULL;
    return PyFloat_FromDouble(x * k);
}

static PyMethodDef methods[] = {{"scale", scale, METH_VARARGS, "x * k"}, {NULL, NULL, 0, NULL}};
static PyModuleDef_Slot slots[] = {{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};
static PyModuleDef module = {PyModuleDef_HEAD_INIT, "fttiny._speed", NULL, 0, methods, slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__speed(void) { return PyModuleDef_Init(&module); }
