/* A module that does not declare Py_mod_gil: importing it turns the GIL back on (tests exit 3). */
#include <Python.h>

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "legacy_gil", "no Py_mod_gil slot", -1, NULL, NULL, NULL, NULL,
                             NULL};

PyMODINIT_FUNC PyInit_legacy_gil(void) { return PyModule_Create(&module); }
