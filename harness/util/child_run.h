/* Running another program (usually this binary) as a child whose output goes to a log file, and
 * waiting for it with an optional time budget: what shrink, repro --measure and triage share. */
#ifndef FTSTRESS_CHILD_RUN_H
#define FTSTRESS_CHILD_RUN_H

/* Runs argv[0] (a path) with this process's environment. Its stdout goes to `out_path` (created or
 * truncated; "/dev/null" to discard), its stderr to `err_path`, or to the same file when
 * `err_path` is NULL. With `budget_s` > 0 the child is sent SIGTERM once that many seconds have
 * passed (it writes what it has and exits) and *stopped is set; `stopped` may be NULL when
 * `budget_s` is 0. Returns the exit status, 128 + the signal that ended it, or -1 with errno when it
 * could not start or be waited for. */
int ft_child_run(char **argv, const char *out_path, const char *err_path, long budget_s, int *stopped);

#endif
