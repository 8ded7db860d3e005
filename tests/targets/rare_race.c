/* A race that shows in few rounds and gets rarer with fewer calls: the example of `ftstress shrink` on a rare bug (docs/chasing-crashes.md):
 * maybe_store() writes a plain global only once in `period` calls (a per-thread random draw), and
 * peek() reads it without a lock. A round races only when some call drew the write, so the
 * round's hit rate follows the calls made: cutting iterations or threads makes the bug rarer,
 * which is the trap a shrinker must not walk into. */
#include <Python.h>
#include <stdint.h>
#include <time.h>

static long slot; /* the racy global: written by maybe_store, read by peek, no lock */

/* A per-thread xorshift, seeded from the clock and the thread, so each round draws differently. */
static _Thread_local uint64_t draw_state;

static uint64_t next_draw(void)
{
    if (!draw_state) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        draw_state = ((uint64_t)ts.tv_nsec * 2654435761u) ^ (uint64_t)(uintptr_t)&draw_state ^ 0x9e3779b97f4a7c15u;
    }
    draw_state ^= draw_state << 13;
    draw_state ^= draw_state >> 7;
    draw_state ^= draw_state << 17;
    return draw_state;
}

/* maybe_store(value, period): stores value with probability 1/period; returns whether it did. */
static PyObject *maybe_store(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "maybe_store(value, period)");
        return NULL;
    }
    long value = PyLong_AsLong(args[0]), period = PyLong_AsLong(args[1]);
    if (PyErr_Occurred())
        return NULL;
    if (period < 1) {
        PyErr_SetString(PyExc_ValueError, "period must be at least 1");
        return NULL;
    }
    if (next_draw() % (uint64_t)period)
        Py_RETURN_FALSE;
    slot = value;
    Py_RETURN_TRUE;
}

static PyObject *peek(PyObject *self, PyObject *unused)
{
    return PyLong_FromLong(slot);
}

static PyMethodDef methods[] = {
    {"maybe_store", (PyCFunction)(void (*)(void))maybe_store, METH_FASTCALL, "store with probability 1/period"},
    {"peek", peek, METH_NOARGS, "read the global without a lock"},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "rare_race", "a race that shows in few rounds", 0, methods,
                             slots, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_rare_race(void) { return PyModuleDef_Init(&module); }
