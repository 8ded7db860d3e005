/* A seeded race for build-ext's meson-python test: a module-level counter bumped with no lock. */
#include <Python.h>

static long hits;

static PyObject *meson_racy_bump(PyObject *module, PyObject *unused)
{
    hits++; /* the race: threads read and write `hits` with nothing ordering them */
    return PyLong_FromLong(hits);
}

static PyMethodDef methods[] = {
    {"meson_racy_bump", meson_racy_bump, METH_NOARGS, "count a call, racily"},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "_counter", NULL, 0, methods, slots};

PyMODINIT_FUNC PyInit__counter(void)
{
    return PyModuleDef_Init(&module_def);
}
