/* `ftstress run --pytest ARGS...`: a project's own pytest tests as scenarios, one per test id. */
#ifndef FTSTRESS_PYTEST_SOURCE_H
#define FTSTRESS_PYTEST_SOURCE_H

#include "strlist.h"

/* The rounds a test runs when --rounds is not given: each round sets its fixtures up again. */
#define FT_PYTEST_DEFAULT_ROUNDS 10
/* Threads of a test pytest-run-parallel's markers leave at the default (its --parallel-threads). */
#define FT_PYTEST_DEFAULT_THREADS 4

/* Collects the tests pytest selects with `args` in the TSan interpreter (harness/tools/pytest_collect.py)
 * and writes OUT_DIR/pytest-scenarios.yaml, one scenario per test id; threads, iterations and rounds
 * are the defaults a test's markers refine. Returns the malloc'd path of the file, or NULL with
 * *rc set to the exit code (FT_EXIT_USAGE: pytest refused the arguments or found no test;
 * FT_EXIT_CANNOT_RUN: collection failed). */
char *ft_pytest_scenarios(const char *out_dir, const ft_strlist *sites, int threads, int iterations, long rounds,
                          char *const *args, int nargs, int *rc);

#endif
