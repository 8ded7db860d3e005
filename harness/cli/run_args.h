/* What `ftstress run` was asked, shared by its parts (cmd_run.c parses it; run_repeat.c prints the
 * command lines that repeat it). */
#ifndef FTSTRESS_RUN_ARGS_H
#define FTSTRESS_RUN_ARGS_H

#include "confidence.h"
#include "output_options.h"
#include "results.h"
#include "strlist.h"
#include "supervisor.h"
#include "sweep.h"

typedef struct run_args {
    ft_supervise_opts sup;
    ft_strlist filters, sites, supp_files;
    long shard_i, shard_n;
    long threads[FT_SWEEP_MAX], iterations[FT_SWEEP_MAX]; /* --threads/--iterations lists: a sweep */
    int nthreads, niterations;
    ft_confidence conf;
    int no_default_supp, update_baseline, seed_given;
    int spawn_only; /* --spawn: no fork server */
    int own_server; /* --no-server: a fork server of this command's own */
    ft_strlist pythons; /* --python BUILD...: an interpreter differential (differential.h) */
    const char *interpreter; /* --interpreter tsan|plain, NULL: this driver's own */
    const char *baseline;
    ft_outputs outputs; /* --json, --junit, --sarif, --html, --markdown */
    char **pytest_args; /* --pytest ARGS...: pytest's arguments (pytest_source.h) */
    int pytest, npytest;
} run_args;


/* The lines that repeat each failed scenario of `r` (stdout, after the table). */
void ft_run_print_repro(const ft_results *r, const run_args *a);

/* The command line that repeats the run; in a sweep, the run at `threads` and `iterations`. */
char *ft_run_repeat_command(int argc, char **argv, unsigned long seed, int seed_given, long threads, long iterations);

#endif
