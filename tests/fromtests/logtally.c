/* `init --from-tests` fixture: a log-level tally whose race is reached only with a record written
 * "LEVEL:COUNT" (`feed("info:3")`), a string init's guesses never make but the project's own tests
 * pass (tests/fromtests/tests/test_logtally.py). A shared Tally's feed() adds to its counters
 * unlocked: a race between threads feeding one Tally; a Tally per thread is clean. */
#include <Python.h>
#include <stdlib.h>
#include <string.h>

static const char *const LEVELS[] = {"debug", "info", "warn", "error"};
#define NLEVELS (sizeof LEVELS / sizeof *LEVELS)

typedef struct {
    PyObject_HEAD
    long counts[NLEVELS];
    long total;
} Tally;

/* "LEVEL:COUNT" -> level index and count; -1 (ValueError set) when the record is not one. */
static int parse_record(const char *rec, long *count)
{
    const char *colon = strchr(rec, ':');
    if (colon) {
        for (size_t i = 0; i < NLEVELS; i++) {
            size_t n = strlen(LEVELS[i]);
            if ((size_t)(colon - rec) == n && strncmp(rec, LEVELS[i], n) == 0) {
                char *end;
                *count = strtol(colon + 1, &end, 10);
                if (end != colon + 1 && *end == '\0' && *count > 0)
                    return (int)i;
            }
        }
    }
    PyErr_Format(PyExc_ValueError, "expected a record 'LEVEL:COUNT' (LEVEL debug, info, warn or error), not '%.50s'",
                 rec);
    return -1;
}

/* The bug: counters updated without the object's lock (Py_BEGIN_CRITICAL_SECTION would mend it). */
static PyObject *tally_feed(PyObject *self, PyObject *arg)
{
    const char *rec = PyUnicode_AsUTF8(arg);
    long count;
    if (rec == NULL)
        return NULL;
    int level = parse_record(rec, &count);
    if (level < 0)
        return NULL;
    Tally *t = (Tally *)self;
    t->counts[level] += count;
    t->total += count;
    Py_RETURN_NONE;
}

static PyObject *tally_total(PyObject *self, PyObject *unused)
{
    Tally *t = (Tally *)self;
    return PyLong_FromLong(t->total);
}

static PyMethodDef tally_methods[] = {
    {"feed", tally_feed, METH_O, "feed($self, record, /)\n--\n\nCount one log record."},
    {"total", tally_total, METH_NOARGS, "total($self, /)\n--\n\nRecords counted so far."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot tally_slots[] = {
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_methods, tally_methods},
    {Py_tp_doc, "Tally()\n--\n\nCounts log records by level."},
    {0, NULL},
};

static PyType_Spec tally_spec = {"logtally.Tally", sizeof(Tally), 0, Py_TPFLAGS_DEFAULT, tally_slots};

static int exec_module(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &tally_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddObjectRef(m, "Tally", tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot slots[] = {{Py_mod_exec, exec_module}, {Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "logtally", "Log records counted by level.", 0, NULL,
                                    slots};

PyMODINIT_FUNC PyInit_logtally(void) { return PyModuleDef_Init(&module); }
