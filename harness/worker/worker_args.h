/* A worker's arguments, as the supervisor or the fork server passes them (parsed in worker.c). */
#ifndef FTSTRESS_WORKER_ARGS_H
#define FTSTRESS_WORKER_ARGS_H

#include <stdint.h>

#include "strlist.h"

typedef struct worker_args {
    ft_strlist files;
    const char *scenario;
    long first_round, rounds;
    int threads, iterations;
    unsigned long seed, hash_seed;
    int hash_seed_given;
    int targets_known; /* --targets-known: the supervisor has the targets' entry points already */
    int perturb; /* FT_PERTURB_* (perturb.h) */
    ft_strlist sites;
    int compile_only;
    int64_t spawned_ns; /* CLOCK_MONOTONIC when the supervisor spawned us: start-up counts from there */
    const char *tsan_log; /* a forked worker's TSan log path (a spawned one has it in TSAN_OPTIONS) */
    int forked;           /* started by the fork server (fork_server.h), not spawned */
} worker_args;

#endif
