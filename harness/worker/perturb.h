/* Seeded schedule perturbation (`run --perturb[=MODE]`): modes and each round's per-thread plan. */
#ifndef FTSTRESS_PERTURB_H
#define FTSTRESS_PERTURB_H

#include <stdint.h>

/* Bit flags: `both` is jitter | pct. `auto` (a bare --perturb) is pct in a share of the rounds and
 * nothing in the others: FT_PERTURB_SHARE | pct. */
enum { FT_PERTURB_NONE = 0, FT_PERTURB_JITTER = 1, FT_PERTURB_PCT = 2, FT_PERTURB_BOTH = 3, FT_PERTURB_SHARE = 4,
       FT_PERTURB_AUTO = FT_PERTURB_SHARE | FT_PERTURB_PCT };

/* The schedule's constants, chosen by measurement (bench/RESULTS.md, "Perturbation"). */
#define FT_JITTER_MAX_US 200   /* a thread's start delay after the barrier: 0..this */
#define FT_PCT_CHANGES 3       /* change points per round (PCT's d), over all threads */
#define FT_PCT_STEP_NS 2000    /* a C call's delay per priority level below the top */
#define FT_PCT_CHANGE_SLEEP_US 100 /* a thread sleeps this long at its change point */
#define FT_PCT_MAX_THREADS 1024
#define FT_AUTO_PCT_EVERY 4        /* auto: rounds 0, 4, 8, ... are pct rounds, the others unperturbed */

/* "none", "jitter", "pct", "both", "auto"; NULL (a bare --perturb) is "auto". 0, or -1 for an unknown name. */
int ft_perturb_parse(const char *text, int *mode);
const char *ft_perturb_name(int mode);

/* What `mode` does in round `round` (global, counted across passes): `auto` is pct in every
 * FT_AUTO_PCT_EVERY-th round (round 0 among them) and none in the rest, or pct in every round for a
 * thread whose change points are at the target's branches (`at_branches`); other modes are
 * themselves. */
int ft_perturb_round_mode(int mode, long round, int at_branches);

/* One thread's schedule for one round, a pure function of (seed, round, thread, threads, span):
 * nothing in it is shared with another thread, so computing it adds no happens-before edge. */
typedef struct ft_perturb_plan {
    int jitter_us;               /* start delay after the barrier (jitter mode) */
    int priority;                /* 0 = highest; a permutation of 0..threads-1 over the threads */
    int nchanges;                /* this thread's change points, ascending */
    long change_at[FT_PCT_CHANGES]; /* the C call (0-based, within the round) where it happens */
    int change_to[FT_PCT_CHANGES];  /* the priority from then on: threads + k, below every start value */
} ft_perturb_plan;

/* `span`: how many C calls this thread is expected to make this round (at least 1): change points
 * are drawn as fractions of the round and placed within the thread's own span. */
void ft_perturb_plan_make(ft_perturb_plan *p, int mode, unsigned long seed, long round, int thread, int threads,
                          long span);

/* A 64-bit digest of a plan, to compare schedules across runs (FNV-1a over its fields). */
uint64_t ft_perturb_plan_digest(const ft_perturb_plan *p, uint64_t into);

#endif
