/* Checks and set-up that `run` and `check` share: the interpreter, suppressions, compiling blocks. */
#ifndef FTSTRESS_PREFLIGHT_H
#define FTSTRESS_PREFLIGHT_H

#include "fork_client.h"
#include "scenario.h"
#include "suppressions.h"

/* 0 when the embedded interpreter's installation is present; else says what to run, returns 3. */
int ft_preflight_interpreter(void);

/* The path of CPython's own suppression file beside the interpreter. */
const char *ft_cpython_suppressions_path(void);

/* Loads CPython's file and ftstress's suppressions/ folder (when `defaults`), then `files`. */
int ft_load_suppressions(ft_suppressions *s, const ft_strlist *files, int defaults, ft_diags *diags);
/* Warns about entries (outside CPython's own file) that matched nothing in the run. */
void ft_report_stale_suppressions(const ft_suppressions *s);

/* Compiles every Python block of every scenario in a worker process (the caller never runs Python);
 * prints syntax errors as file:line:col. Returns 0 when all compile. */
int ft_compile_check(const ft_scenario_set *set, ft_fork_servers *servers);

/* What `check` and `list` do before their output: loads the scenarios in `paths` into `set`, prints
 * every problem (file:line:col), checks the interpreter and compiles every block. Returns 0, 2 (a
 * scenario error, printed) or 3 (could not run). */
int ft_load_and_check(const char *const *paths, size_t npaths, ft_scenario_set *set);

#endif
