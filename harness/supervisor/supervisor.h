/* The supervisor: runs selected scenarios in worker processes and feeds what they say to results. */
#ifndef FTSTRESS_SUPERVISOR_H
#define FTSTRESS_SUPERVISOR_H

#include "fork_client.h"
#include "results.h"
#include "strlist.h"

typedef struct ft_supervise_opts {
    int jobs;           /* scenarios run at once, each in its own worker */
    double duration;    /* > 0: repeat the selection until this many seconds have passed */
    int until_failure;  /* repeat until a scenario fails its expectation */
    long rounds;        /* > 0: overrides each scenario's rounds */
    int threads;        /* > 0: overrides every role's threads */
    int iterations;     /* > 0: overrides every role's iterations */
    unsigned long seed;
    unsigned long hash_seed; /* the interpreter's hash seed, when --hash-seed set it apart from `seed` */
    int hash_seed_given;
    int perturb;        /* FT_PERTURB_* (perturb.h): seeded schedule perturbation in the workers */
    const ft_strlist *sites;
    const char *out_dir;    /* logs go below it; results.json is rewritten as the run goes */
    int progress;           /* draw a live progress line (a terminal is attached) */
    const char *symbolizer; /* llvm-symbolizer for TSan */
    int keep_going;         /* run every round even after the expected outcome was reached */
    ft_fork_servers *servers; /* fork servers to fork workers from (fork_client.h); NULL: spawn each */
} ft_supervise_opts;

/* Runs every scenario of `results` (set up by ft_results_init) and records what happens in it.
 * Returns 0, or -1 if it was interrupted (what was recorded until then is kept). */
int ft_supervise(const ft_supervise_opts *o, ft_results *results);

#endif
