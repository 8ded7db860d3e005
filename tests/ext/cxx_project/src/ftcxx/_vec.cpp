// A plain C++ extension: a std::vector behind a std::mutex, declared free-threading safe.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <mutex>
#include <vector>

static std::vector<long> values;
static std::mutex values_lock;

static PyObject *push(PyObject *, PyObject *arg)
{
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return nullptr;
    std::lock_guard<std::mutex> guard(values_lock);
    values.push_back(v);
    Py_RETURN_NONE;
}

static PyObject *size(PyObject *, PyObject *)
{
    std::lock_guard<std::mutex> guard(values_lock);
    return PyLong_FromSize_t(values.size());
}

static PyMethodDef methods[] = {
    {"push", push, METH_O, "append an int"},
    {"size", size, METH_NOARGS, "how many were pushed"},
    {nullptr, nullptr, 0, nullptr},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, nullptr},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "_vec", nullptr, 0, methods, slots, nullptr, nullptr, nullptr};

PyMODINIT_FUNC PyInit__vec(void)
{
    return PyModuleDef_Init(&module);
}
