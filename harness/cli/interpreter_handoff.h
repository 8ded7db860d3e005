/* Which interpreter this driver runs, and handing a run to the driver of the other one. */
#ifndef FTSTRESS_INTERPRETER_HANDOFF_H
#define FTSTRESS_INTERPRETER_HANDOFF_H

/* "plain" when this driver is built with FTSTRESS_SANITIZER=none, else "tsan". */
const char *ft_own_interpreter(void);

/* Execs the driver built for interpreter `which` with this run's arguments (argv[0] is "run"): its
 * folder is FTSTRESS_PLAIN_BUILD / FTSTRESS_TSAN_BUILD, else build-plain / build in the sources.
 * Returns FT_EXIT_CANNOT_RUN, after saying why, only when that fails. */
int ft_exec_interpreter_driver(const char *which, int argc, char **argv);

#endif
