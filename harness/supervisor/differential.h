/* Interpreter differentials: the same run on two (or more) interpreters, findings compared by group. */
#ifndef FTSTRESS_DIFFERENTIAL_H
#define FTSTRESS_DIFFERENTIAL_H

#include "strlist.h"

/* `ftstress run ... --python A --python B`: runs the same command with the ftstress built for each
 * interpreter (A and B are driver build folders, e.g. build and build-3.13.5, or ftstress binaries),
 * each into OUT/python-N, then prints per root-cause group where it was found: both, only A (fixed
 * in B), only B (new in B). `argv` is the whole `run` command line (argv[0] = "run"); its --python,
 * -o/--out, --json, --junit and --sarif options are replaced for the sub-runs. The comparison goes
 * to OUT/differential.json and to `json_out` when given. Returns the fold of the runs' exit codes. */
int ft_differential_run(const ft_strlist *pythons, int argc, char **argv, const char *out_dir, const char *json_out);

#endif
