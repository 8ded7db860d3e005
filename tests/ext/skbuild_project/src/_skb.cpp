// The scikit-build-core fixture's module: a counter behind an atomic, free-threading safe.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <atomic>

static std::atomic<long> counter{0};

static PyObject *count(PyObject *, PyObject *)
{
    return PyLong_FromLong(++counter);
}

static PyMethodDef methods[] = {{"count", count, METH_NOARGS, "one more"}, {nullptr, nullptr, 0, nullptr}};
static PyModuleDef_Slot slots[] = {{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, nullptr}};
static PyModuleDef module = {PyModuleDef_HEAD_INIT, "_skb", nullptr, 0, methods, slots, nullptr, nullptr, nullptr};

PyMODINIT_FUNC PyInit__skb(void)
{
    return PyModuleDef_Init(&module);
}
