/* ftdemo: the bundled demo's extension. Two classic free-threading bugs, each beside its fix. */
#include <Python.h>
#include <stdatomic.h>

/* A running statistic. record_unsafe() updates three fields with no lock: two threads recording
 * at once lose updates and tear the maximum. record_locked() holds the object's critical section. */
typedef struct {
    PyObject_HEAD
    long count;
    double total;
    double max;
} Stats;

static void record(Stats *s, double x)
{
    s->count++;
    s->total += x;
    if (x > s->max)
        s->max = x;
}

static PyObject *stats_record_unsafe(PyObject *self, PyObject *arg)
{
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred())
        return NULL;
    record((Stats *)self, x);
    Py_RETURN_NONE;
}

static PyObject *stats_record_locked(PyObject *self, PyObject *arg)
{
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred())
        return NULL;
    Py_BEGIN_CRITICAL_SECTION(self);
    record((Stats *)self, x);
    Py_END_CRITICAL_SECTION();
    Py_RETURN_NONE;
}

static PyObject *stats_count(PyObject *self, PyObject *unused)
{
    long n;
    Py_BEGIN_CRITICAL_SECTION(self);
    n = ((Stats *)self)->count;
    Py_END_CRITICAL_SECTION();
    return PyLong_FromLong(n);
}

static PyMethodDef stats_methods[] = {
    {"record_unsafe", stats_record_unsafe, METH_O, "add a value (racy)"},
    {"record_locked", stats_record_locked, METH_O, "add a value (critical section)"},
    {"count", stats_count, METH_NOARGS, "values recorded"},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot stats_slots[] = {{Py_tp_new, PyType_GenericNew}, {Py_tp_methods, stats_methods}, {0, 0}};
static PyType_Spec stats_spec = {"ftdemo.Stats", sizeof(Stats), 0, Py_TPFLAGS_DEFAULT, stats_slots};

/* Ticket numbers from a module-global counter: ++ on a plain static, or an atomic add. */
static long next_ticket_plain;
static _Atomic long next_ticket_counter;

static PyObject *next_ticket_unsafe(PyObject *m, PyObject *unused) { return PyLong_FromLong(++next_ticket_plain); }
static PyObject *next_ticket_atomic(PyObject *m, PyObject *unused)
{
    return PyLong_FromLong(atomic_fetch_add(&next_ticket_counter, 1) + 1);
}

static PyMethodDef methods[] = {
    {"next_ticket_unsafe", next_ticket_unsafe, METH_NOARGS, "a new ticket number (racy)"},
    {"next_ticket_atomic", next_ticket_atomic, METH_NOARGS, "a new ticket number (atomic)"},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *m)
{
    PyObject *t = PyType_FromModuleAndSpec(m, &stats_spec, NULL);
    int rc = t ? PyModule_AddObjectRef(m, "Stats", t) : -1;
    Py_XDECREF(t);
    return rc;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "ftdemo", "ftstress demo extension", 0, methods, slots,
                             NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_ftdemo(void) { return PyModuleDef_Init(&module); }
