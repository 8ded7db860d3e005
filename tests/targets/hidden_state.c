/* Wrong results TSan cannot see: a result built in one static buffer that every thread shares, each
 * byte written and read with relaxed atomics (no data race to report, but another thread's text in
 * the middle of yours). `render_shared` and `Label.render_shared` have that bug; `render_local` and
 * `Label.render_local` build the same text in a buffer of the call's own (the fixed twins). Only a
 * check of the results finds it: `ftstress init`'s same-results scenario (tests/test_init_outcome.py). */
#include <Python.h>
#include <stdatomic.h>
#include <stdio.h>

#define WIDTH 48

static _Atomic char shared_buf[WIDTH + 1];

/* "item-N-item-N-..." into buf, one relaxed atomic store per byte: the text of the last writer. */
static void fill(_Atomic char *buf, long n)
{
    char text[WIDTH + 1];
    int len = 0;
    while (len < WIDTH) {
        int k = snprintf(text + len, sizeof text - len, "item-%ld-", n);
        if (k <= 0 || len + k >= WIDTH)
            break;
        len += k;
    }
    for (int i = 0; i < WIDTH; i++)
        atomic_store_explicit(&buf[i], i < len ? text[i] : '\0', memory_order_relaxed);
}

/* The buffer's text as a str. A little arithmetic over it first (a checksum kept in the string's
 * length check) is the window another thread's fill() lands in. */
static PyObject *read_back(_Atomic char *buf)
{
    char out[WIDTH + 1];
    unsigned sum = 0;
    for (int pass = 0; pass < 40; pass++)
        for (int i = 0; i < WIDTH; i++)
            sum = sum * 31u + (unsigned char)atomic_load_explicit(&buf[i], memory_order_relaxed);
    for (int i = 0; i < WIDTH; i++)
        out[i] = atomic_load_explicit(&buf[i], memory_order_relaxed);
    out[WIDTH] = '\0';
    if (sum == 1u)  /* never: keeps the loop */
        out[0] = '?';
    return PyUnicode_FromString(out);
}

static PyObject *render(long n, int shared)
{
    _Atomic char local[WIDTH + 1];
    _Atomic char *buf = shared ? shared_buf : local;
    fill(buf, n);
    return read_back(buf);
}

static PyObject *render_shared(PyObject *m, PyObject *arg)
{
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    return render(n, 1);
}

static PyObject *render_local(PyObject *m, PyObject *arg)
{
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    return render(n, 0);
}

/* Label(n): an object each thread owns, whose render_shared() goes through the same static buffer. */
typedef struct {
    PyObject_HEAD
    _Atomic long n; /* relaxed too: Label.__init__ re-run on a shared label races no read TSan sees */
} Label;

static int label_init(PyObject *self, PyObject *args, PyObject *kw)
{
    long n;
    static char *names[] = {"n", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "l", names, &n))
        return -1;
    atomic_store_explicit(&((Label *)self)->n, n, memory_order_relaxed);
    return 0;
}

static long label_n(PyObject *self) { return atomic_load_explicit(&((Label *)self)->n, memory_order_relaxed); }

static PyObject *label_render_shared(PyObject *self, PyObject *unused) { return render(label_n(self), 1); }

static PyObject *label_render_local(PyObject *self, PyObject *unused) { return render(label_n(self), 0); }

static PyMethodDef label_methods[] = {
    {"render_shared", label_render_shared, METH_NOARGS, "the label's text, built in the module's static buffer (wrong)"},
    {"render_local", label_render_local, METH_NOARGS, "the label's text, built in a buffer of the call's own"},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot label_slots[] = {
    {Py_tp_init, label_init},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_methods, label_methods},
    {Py_tp_doc, "Label(n)\n--\n\nA numbered label."},
    {0, NULL},
};

static PyType_Spec label_spec = {"hidden_state.Label", sizeof(Label), 0, Py_TPFLAGS_DEFAULT, label_slots};

static PyMethodDef methods[] = {
    {"render_shared", render_shared, METH_O, "render_shared($module, n, /)\n--\n\n\"item-n-item-n-...\", built in a static buffer (wrong)"},
    {"render_local", render_local, METH_O, "render_local($module, n, /)\n--\n\n\"item-n-item-n-...\", built in a buffer of the call's own"},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &label_spec, NULL);
    if (tp == NULL)
        return -1;
    int rc = PyModule_AddObjectRef(m, "Label", tp);
    Py_DECREF(tp);
    return rc;
}

static PyModuleDef_Slot slots[] = {{Py_mod_exec, exec_module}, {Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hidden_state", "Results built in a shared static buffer.",
                                    0, methods, slots};

PyMODINIT_FUNC PyInit_hidden_state(void) { return PyModuleDef_Init(&module); }
