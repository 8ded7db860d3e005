/* Seeded schedule perturbation: mode names and each round's per-thread plan (no Python, no I/O).
 *
 * Every thread computes its own plan from (seed, round, its index, thread count, its own span).
 * Where PCT needs a view of all threads (the priority order, which thread a change point falls
 * on), each thread recomputes that whole view from the seed instead of reading another thread's
 * state: the plan therefore costs a few hashes per thread and round and shares no memory. */
#include "perturb.h"

#include <string.h>

static const struct {
    const char *name;
    int mode;
} modes[] = {{"none", FT_PERTURB_NONE}, {"jitter", FT_PERTURB_JITTER}, {"pct", FT_PERTURB_PCT},
             {"both", FT_PERTURB_BOTH}, {"auto", FT_PERTURB_AUTO}};

int ft_perturb_parse(const char *text, int *mode)
{
    if (!text) {
        *mode = FT_PERTURB_AUTO;
        return 0;
    }
    for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
        if (!strcmp(text, modes[m].name)) {
            *mode = modes[m].mode;
            return 0;
        }
    return -1;
}

const char *ft_perturb_name(int mode)
{
    for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
        if (modes[m].mode == mode)
            return modes[m].name;
    return "none";
}

/* Why a share and not pct in every round (bench/RESULTS.md, "Perturbation"): pct's delays at C-call
 * entries widen a window between two calls, found in round one, but a window inside one C function
 * never contains one; there the delays only stretch the round and shift which threads overlap.
 * Three unperturbed rounds in four bound that cost by 4/3 in rounds. A thread whose target counts
 * its branches (built with -fsanitize-coverage=trace-pc-guard, branch_points.h) has its change
 * points inside the C functions too, and there pct pays in every round: auto is pct throughout. */
int ft_perturb_round_mode(int mode, long round, int at_branches)
{
    if (!(mode & FT_PERTURB_SHARE))
        return mode;
    if (at_branches)
        return mode & ~FT_PERTURB_SHARE;
    return round % FT_AUTO_PCT_EVERY == 0 ? (mode & ~FT_PERTURB_SHARE) : FT_PERTURB_NONE;
}

/* splitmix64's finalizer over a mix of the inputs: nearby rounds and threads, unrelated values. */
static uint64_t mix(unsigned long seed, long round, uint64_t what, uint64_t index)
{
    uint64_t z = ((uint64_t)seed << 32) ^ ((uint64_t)round * 0x9e3779b97f4a7c15ULL) ^ (what << 56) ^ (index << 40) ^
                 index;
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

enum { H_JITTER = 1, H_PRIORITY, H_CHANGE_THREAD, H_CHANGE_AT };

void ft_perturb_plan_make(ft_perturb_plan *p, int mode, unsigned long seed, long round, int thread, int threads,
                          long span)
{
    memset(p, 0, sizeof *p);
    if (span < 1)
        span = 1;
    if (mode & FT_PERTURB_JITTER)
        p->jitter_us = (int)(mix(seed, round, H_JITTER, (uint64_t)thread) % (FT_JITTER_MAX_US + 1));
    if (!(mode & FT_PERTURB_PCT))
        return;
    /* The priority is this thread's rank among every thread's key: a permutation, the same one
     * whichever thread computes it (ties, vanishingly rare, go to the lower index). */
    uint64_t mine = mix(seed, round, H_PRIORITY, (uint64_t)thread);
    for (int j = 0; j < threads; j++) {
        uint64_t other = mix(seed, round, H_PRIORITY, (uint64_t)j);
        if (other > mine || (other == mine && j < thread))
            p->priority++;
    }
    /* d change points over the round, each on one thread, at a fraction of the round. As in PCT,
     * the change point that comes later gets the higher of the low priorities (threads..threads+d-1). */
    uint64_t frac[FT_PCT_CHANGES];
    for (int k = 0; k < FT_PCT_CHANGES; k++)
        frac[k] = mix(seed, round, H_CHANGE_AT, (uint64_t)k);
    for (int k = 0; k < FT_PCT_CHANGES; k++) {
        if ((int)(mix(seed, round, H_CHANGE_THREAD, (uint64_t)k) % (uint64_t)threads) != thread)
            continue;
        int later = 0;
        for (int o = 0; o < FT_PCT_CHANGES; o++)
            if (frac[o] > frac[k] || (frac[o] == frac[k] && o > k))
                later++;
        /* (frac >> 11) is 53 bits: exact in a double, and so is the product's floor below span */
        long at = (long)((double)(frac[k] >> 11) / 9007199254740992.0 * (double)span);
        int i = p->nchanges++;
        while (i > 0 && p->change_at[i - 1] > at) { /* insertion keeps them ascending */
            p->change_at[i] = p->change_at[i - 1];
            p->change_to[i] = p->change_to[i - 1];
            i--;
        }
        p->change_at[i] = at;
        p->change_to[i] = threads + later;
    }
}

static uint64_t fnv(uint64_t h, int64_t v)
{
    for (int b = 0; b < 8; b++) {
        h ^= (uint64_t)(v >> (8 * b)) & 0xff;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t ft_perturb_plan_digest(const ft_perturb_plan *p, uint64_t into)
{
    uint64_t h = into ? into : 0xcbf29ce484222325ULL;
    h = fnv(h, p->jitter_us);
    h = fnv(h, p->priority);
    h = fnv(h, p->nchanges);
    for (int k = 0; k < p->nchanges; k++)
        h = fnv(fnv(h, p->change_at[k]), p->change_to[k]);
    return h;
}
