/* A table built on first use in plain statics, without a lock: only the first concurrent calls race
 * (tests/pytest_project's test_first_use; a test run once alone before the threads hides it). */
#include <Python.h>

#define TABLE_SIZE 4096

static long table_unsafe[TABLE_SIZE];
static int table_ready_unsafe; /* plain: set after the fill, read by every call */

/* Each entry is worth some work, so that the threads released together are all inside the fill. */
static long entry(long k)
{
    unsigned long x = (unsigned long)k;
    for (int i = 0; i < 2048; i++)
        x = x * 6364136223846793005UL + 1442695040888963407UL;
    return (long)(x >> 33);
}

static void fill_unsafe(void)
{
    for (long k = 0; k < TABLE_SIZE; k++)
        table_unsafe[k] = entry(k);
    table_ready_unsafe = 1;
}

/* lookup_unsafe(i): the table's entry i (mod its size), the table built by the first call. */
static PyObject *lookup_unsafe(PyObject *m, PyObject *arg)
{
    long i = PyLong_AsLong(arg);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (!table_ready_unsafe)
        fill_unsafe();
    return PyLong_FromLong(table_unsafe[(unsigned long)i % TABLE_SIZE]);
}

/* entry(i): what lookup_unsafe(i) returns, computed without the table (for the test's assertion). */
static PyObject *expected(PyObject *m, PyObject *arg)
{
    long i = PyLong_AsLong(arg);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromLong(entry((long)((unsigned long)i % TABLE_SIZE)));
}

static PyMethodDef methods[] = {
    {"lookup_unsafe", lookup_unsafe, METH_O, "an entry of a table built on first use without a lock"},
    {"expected", expected, METH_O, "the entry, computed without the table"},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "first_use", "a race on first use only", 0, methods, slots,
                             NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_first_use(void) { return PyModuleDef_Init(&module); }
