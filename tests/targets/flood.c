/* A seeded "flood": one unlocked object whose sixteen fields race in sixteen methods at once, and a
 * crash in one of them after the races, as real extensions with many races behave. */
#include <Python.h>

#define NFIELDS 16

/* Where a crash writes: always NULL, read through a volatile so the compiler keeps the fault. */
static volatile long *volatile fault_address;

typedef struct {
    PyObject_HEAD
    long field[NFIELDS];
} Flood;

/* bump_K writes field K and reads field K+1: every method races with itself and with its neighbour,
 * so reports about many distinct function pairs arrive from every thread together. Called with a
 * true argument, it crashes as corrupted state would (a NULL dereference inside the racing code). */
#define BUMP(K)                                                                                         \
    static PyObject *flood_bump_##K(PyObject *self, PyObject *const *args, Py_ssize_t nargs)           \
    {                                                                                                   \
        Flood *f = (Flood *)self;                                                                       \
        f->field[K] += f->field[(K + 1) % NFIELDS] + 1;                                                 \
        if (nargs > 0 && PyObject_IsTrue(args[0]) == 1)                                                 \
            *fault_address = f->field[K]; /* fault */                                                   \
        return PyLong_FromLong(f->field[K]);                                                            \
    }
BUMP(0) BUMP(1) BUMP(2) BUMP(3) BUMP(4) BUMP(5) BUMP(6) BUMP(7)
BUMP(8) BUMP(9) BUMP(10) BUMP(11) BUMP(12) BUMP(13) BUMP(14) BUMP(15)

/* A race in a function whose name is not ASCII (C11 allows it; clang takes UTF-8): the name must
 * travel through symbolizer, hook, JSON, JUnit and the terminal intact. */
static long zähler_wert;
static PyObject *flood_zähler(PyObject *self, PyObject *unused)
{
    zähler_wert++;
    return PyLong_FromLong(zähler_wert);
}

#define M(K) {"bump_" #K, (PyCFunction)(void (*)(void))flood_bump_##K, METH_FASTCALL, "race on field " #K},
static PyMethodDef flood_methods[] = {
    M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
    {"zaehler", flood_zähler, METH_NOARGS, "race on a counter, in a function with a non-ASCII name"},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot flood_slots[] = {
    {Py_tp_methods, flood_methods},
    {Py_tp_doc, "One object, sixteen unlocked fields."},
    {0, NULL},
};

static PyType_Spec flood_spec = {"flood.Flood", sizeof(Flood), 0, Py_TPFLAGS_DEFAULT, flood_slots};

static int flood_exec(PyObject *m)
{
    PyObject *t = PyType_FromSpec(&flood_spec);
    return t ? PyModule_AddObject(m, "Flood", t) : -1;
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, flood_exec},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static struct PyModuleDef flood_module = {PyModuleDef_HEAD_INIT, "flood", "A seeded flood of races.", 0, NULL,
                                          module_slots};

PyMODINIT_FUNC PyInit_flood(void) { return PyModuleDef_Init(&flood_module); }
