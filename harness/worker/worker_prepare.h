/* A worker's preparation: its scenario read and compiled, its site folders on sys.path, its imports
 * done and the GIL checked, before any target code but the imports runs. Made by each worker
 * (worker.c), or once by a zygote for all the workers it forks (zygote.c). */
#ifndef FTSTRESS_WORKER_PREPARE_H
#define FTSTRESS_WORKER_PREPARE_H

#include <Python.h>
#include <jansson.h>

#include "scenario.h"
#include "worker.h"
#include "worker_args.h"
#include "worker_channel.h"

/* A scenario's main-thread blocks, in the order they are compiled. */
enum { B_SETUP_ONCE, B_SETUP, B_CHECK, B_TEARDOWN, B_ARBITER, B_COUNT };


/* After imports: whether the GIL is on, and which imports are the code under test. */
typedef struct gil_state {
    int enabled, allowed;
    json_t *targets;
} gil_state;

/* What a worker makes ready before any target code but its imports runs: the scenario, its compiled
 * blocks, and the namespace with the scenario's imports done. A zygote (zygote.h) makes it once
 * and its forked workers start from it. */
struct ft_worker_prepared {
    ft_scenario_set set; /* the file's scenarios, when run by hand */
    ft_scenario handed;
    const ft_scenario *s;
    PyObject *blocks[B_COUNT], **bodies, *ns, *ignore;
    gil_state gil;
};

/* Compile-only mode: every block of every scenario in `files`; sends the compiled event. 1 when
 * one failed to compile, else 0. */
int ft_prepare_compile_all(const ft_strlist *files);

/* Reads the scenario (from `scenario_fd`, or its file when run by hand), compiles it, puts the site
 * folders on sys.path and imports its modules; `status` (NULL in a zygote) gets the phase. 0, or
 * the worker's exit code after the failure was reported (nothing is reported where no events
 * descriptor is open, as in a zygote). */
int ft_prepare(const worker_args *a, int scenario_fd, ft_status *status, ft_worker_prepared *p);

/* Registers the exercised counts and sends what the GIL check found; -1 when the GIL is on and
 * the scenario did not allow it. In the worker itself, never a zygote: registering symbolizes the
 * targets' entry points through TSan's symbolizer process, whose pipes a zygote's workers would
 * then share. */
int ft_prepare_report_gil(const ft_scenario *s, const gil_state *g, int targets_known);

/* Marks the worker's phase on its status page, for the supervisor's deadlines; NULL: no page yet. */
void ft_worker_set_phase(ft_status *status, int phase);

#endif
