/* A target for tests/test_exercised.py: some functions and methods for a scenario to call, others
 * it leaves alone, one that raises, one that holds its callers until several are inside, and a type
 * whose constructor takes an int (and raises TypeError for anything else) and whose instances are
 * callable (box() returns the value). Eight callables in all,
 * the type among them: tests/test_report_html.py counts the rows of a real run. */
#include <Python.h>
#include <stdatomic.h>
#include <time.h>

static atomic_int inside, met;

/* rendezvous(n): returns once n threads have been inside at the same moment (at any time since
 * import), or after 10 s (False). Waits detached, so the GC can stop the world meanwhile. It makes
 * "several threads at once" a certainty rather than a matter of scheduling. */
static PyObject *rendezvous(PyObject *m, PyObject *arg)
{
    long n = PyLong_AsLong(arg);
    int ok = 0;
    if (n == -1 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    atomic_fetch_add(&inside, 1);
    for (int waited = 0; waited < 10000; waited++) {
        if (atomic_load(&met) || atomic_load(&inside) >= n) {
            atomic_store(&met, 1);
            ok = 1;
            break;
        }
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    atomic_fetch_sub(&inside, 1);
    Py_END_ALLOW_THREADS
    return PyBool_FromLong(ok);
}

static PyObject *add(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "add(a, b)");
        return NULL;
    }
    return PyNumber_Add(args[0], args[1]);
}

static PyObject *fail(PyObject *m, PyObject *arg)
{
    PyErr_SetObject(PyExc_ValueError, arg);
    return NULL;
}

static PyObject *reset(PyObject *m, PyObject *unused) { Py_RETURN_NONE; }
static PyObject *close_(PyObject *m, PyObject *unused) { Py_RETURN_NONE; }

typedef struct {
    PyObject_HEAD
    long value;
} Box;

/* Box(value=0): a constructor of its own, so that calling the type runs this module's code. */
static PyObject *box_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"value", NULL};
    long value = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|l:Box", kwlist, &value))
        return NULL;
    Box *self = (Box *)type->tp_alloc(type, 0);
    if (self)
        self->value = value;
    return (PyObject *)self;
}

static PyObject *box_get(PyObject *self, PyObject *unused) { return PyLong_FromLong(((Box *)self)->value); }
static PyObject *box_put(PyObject *self, PyObject *arg)
{
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return NULL;
    ((Box *)self)->value = v;
    Py_RETURN_NONE;
}

/* box(): an instance called through tp_call, which Python code reaches with no method in between */
static PyObject *box_call(PyObject *self, PyObject *args, PyObject *kwds)
{
    if (PyTuple_GET_SIZE(args) || (kwds && PyDict_GET_SIZE(kwds))) {
        PyErr_SetString(PyExc_TypeError, "Box() instances take no arguments");
        return NULL;
    }
    return PyLong_FromLong(((Box *)self)->value);
}

static PyMethodDef box_methods[] = {
    {"get", box_get, METH_NOARGS, NULL},
    {"put", box_put, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot box_slots[] = {{Py_tp_methods, box_methods}, {Py_tp_new, box_new}, {Py_tp_call, box_call}, {0, NULL}};
static PyType_Spec box_spec = {"exercised.Box", sizeof(Box), 0, Py_TPFLAGS_DEFAULT, box_slots};

static PyMethodDef methods[] = {
    {"rendezvous", rendezvous, METH_O, "wait until n threads are inside at once"},
    {"add", (PyCFunction)(void (*)(void))add, METH_FASTCALL, "a + b"},
    {"fail", fail, METH_O, "raises ValueError(x)"},
    {"reset", reset, METH_NOARGS, "never called by the tests"},
    {"close", close_, METH_NOARGS, "never called by the tests"},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *m)
{
    PyObject *t = PyType_FromModuleAndSpec(m, &box_spec, NULL);
    if (!t || PyModule_AddObjectRef(m, "Box", t) < 0) {
        Py_XDECREF(t);
        return -1;
    }
    Py_DECREF(t);
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "exercised", "calls for test_exercised.py to count", 0,
                             methods, slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_exercised(void) { return PyModuleDef_Init(&module); }
