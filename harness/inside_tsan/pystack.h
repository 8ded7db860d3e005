/* Python stacks read straight from the interpreter's frames, without calling it: safe inside TSan's
 * report callback and in signal handlers, and invisible to TSan. */
#ifndef FTSTRESS_PYSTACK_H
#define FTSTRESS_PYSTACK_H

#include <Python.h>

#include "plain_out.h"

/* At most this many frames per thread and threads per dump; past them a line says how many more. */
#define FT_PYSTACK_MAX_FRAMES 100
#define FT_PYSTACK_MAX_THREADS 256

/* The calling thread's Python thread state, read from CPython's thread-local (NULL if none). */
PyThreadState *ft_pystack_current_tstate(void);

/* The frames of `ts`, most recent first, one line each in faulthandler's format:
 *   File "/path/scenario.yaml", line 12 in body[writer] */
void ft_pystack_write(ft_out *o, PyThreadState *ts);

/* Every thread of `interp`, each under a "Thread 0x...:" header ("Current thread" for `current`),
 * as faulthandler writes them, so the supervisor reads crash and hang dumps the same way. */
void ft_pystack_write_all(ft_out *o, PyInterpreterState *interp, PyThreadState *current);

#endif
