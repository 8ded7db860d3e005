/* The worker's use of the embedded interpreter: start-up, code blocks, exceptions, events. */
#ifndef FTSTRESS_WORKER_PYTHON_H
#define FTSTRESS_WORKER_PYTHON_H

#include <Python.h>
#include <jansson.h>

#include "event_protocol.h"
#include "scenario.h"

/* Starts an isolated interpreter; PYTHON_GIL in the environment is honoured. 0 or -1 (with an
 * event already sent). */
int ft_py_start(unsigned long seed);

/* Adds site folders (with .pth processing) and scenario paths to sys.path. */
int ft_py_add_paths(const ft_strlist *sites, const ft_strlist *paths);

/* Compiles a block so that tracebacks name the YAML file and line and the block ("body[writer]").
 * Returns a new reference, or NULL after sending a "syntax" event. NULL block code -> Py_None. */
PyObject *ft_py_compile(const ft_scenario *s, const ft_block *b, const char *block_name);

/* Runs a compiled block in `globals` (and `locals`, may be NULL). On an exception returns -1 and
 * leaves it set. */
int ft_py_exec(PyObject *code, PyObject *globals, PyObject *locals);

/* A function object around a private copy of `code`, for one thread. Calling it through
 * ft_py_run_function() touches no object shared with other threads, unlike PyEval_EvalCode(),
 * which builds a function from the shared code, globals and builtins on every call: those atomic
 * reference-count updates order the threads for TSan and hide races. New reference or NULL. */
PyObject *ft_py_thread_function(PyObject *code, PyObject *globals);
/* Runs such a function's module-style code with `locals`; -1 with the exception set. */
int ft_py_run_function(PyObject *func, PyObject *locals);

/* Describes the raised exception and clears it: NULL if its type is in `ignore` (then *ignored_type
 * is set, a new reference), else a new dict {type, frame, line, traceback}. */
PyObject *ft_py_take_exception(PyObject *ignore, PyObject **ignored_type);

/* Sends one event of the protocol (event_protocol.h) to the supervisor: `fields` (a JSON object,
 * reference stolen; NULL when json_pack refused a value) with "ev" set to the kind's name. Main thread only. */
void ft_event_send(ft_event kind, json_t *fields);
/* Sends an event describing a Python exception (already taken with ft_py_take_exception). */
void ft_event_exception(ft_event ev, const char *kind, long round, int thread, PyObject *info);

/* Compiles a block as a scenario's would and drops it. In a fresh fork the compiler's first use
 * writes pages shared with the parent, each copied at its first write: most of a 17 ms first
 * compile (measured with the ready event's startup_steps); a spare worker pays it ahead. */
void ft_py_warm_up_compile(void);

#endif
