/* `ftstress shrink`'s parts: running a candidate scenario and judging it (shrink_eval.c), and the
 * steps that cut a scenario down (shrink_steps.c). Private to the command. */
#ifndef FTSTRESS_SHRINK_H
#define FTSTRESS_SHRINK_H

#include <jansson.h>

#include "finding_kind.h"
#include "scenario.h"

/* What one `ftstress run` of a candidate said about the finding being shrunk. */
typedef struct shrink_result {
    long hits;      /* rounds in which the finding occurred */
    long rounds;    /* rounds run */
    double seconds; /* the scenario's run time (its rounds, not the command's start-up) */
    int new_errors; /* exceptions or failed checks that the first run did not have */
} shrink_result;

typedef struct shrink {
    const char *tmpdir;
    ft_strlist sites;      /* --site, passed on to every run */
    unsigned long hash_seed; /* one interpreter hash seed for every run: they all use one kept fork server */
    const char *signature; /* the finding being shrunk */
    ft_finding_kind kind;  /* its kind */
    ft_strlist known_errors; /* error signatures of the first run: not new when they recur */
    int max_runs, runs, steps;
    double runs_wall, runs_in_rounds; /* all runs' wall seconds, and the part their rounds took */
    int stopped; /* 1: out of runs; 2: interrupted (then `exit_code` is 128 + the signal) */
    int exit_code;
    int lower_bound; /* a worker runs several rounds: TSan reports a race once per process */
    shrink_result measured; /* the input's, over as many runs as gave it enough hits: the reference */
    shrink_result last;     /* the last kept candidate's, summed over the runs that decided it */
    shrink_result rate;     /* the last kept candidate's at the measuring rounds, before rounds were cut */
} shrink;

/* Runs `s` once (`ftstress run` of a temporary file, every round, --json) and returns the results
 * document (new reference), or NULL when the run did not produce one (logged). Counts the run. */
json_t *shrink_run(shrink *sh, const ft_scenario *s);

/* What the results document says about the finding `sh->signature`. */
void shrink_read(const shrink *sh, const json_t *doc, shrink_result *out);

/* Adds `more` (another run of the same candidate) to `into`. */
void shrink_result_add(shrink_result *into, const shrink_result *more);

/* Runs the candidate `s` as often as the sequential rate test (rate_test.h) needs to decide
 * whether its hit rate, per round and per second, is not worse than the input's — at most
 * SHRINK_RUNS_PER_CANDIDATE runs; still undecided then counts as worse — and prints
 * "step N: WHAT — ..." with the verdict. A new exception or failed check rejects at once.
 * Returns 1 when it still reproduces (the caller keeps the change), 0 when not (the caller
 * undoes it), -1 when shrinking must stop (out of runs, or interrupted: see sh->stopped). */
#define SHRINK_RUNS_PER_CANDIDATE 4
/* The input is measured until it has this many hits (or this many rounds): a reference of one
 * or two hits would let chance decide every later cut. */
#define SHRINK_REFERENCE_HITS 8
#define SHRINK_MAX_REFERENCE_ROUNDS 400
/* A candidate's run has as many rounds as give about this many hits at the input's rate. */
#define SHRINK_HITS_PER_RUN 8
#define SHRINK_MAX_ROUNDS_PER_RUN 200
/* Rounds of the second first run when the first (the scenario's rounds, at most 20) found nothing. */
#define SHRINK_SECOND_LOOK_ROUNDS 100
int shrink_try(shrink *sh, const ft_scenario *s, const char *what);

/* The steps, in order: roles, threads, iterations, body statements, setup blocks, unused imports,
 * rounds. Each changes `s` in place and keeps what still reproduces. */
void shrink_all(shrink *sh, ft_scenario *s);

#endif
