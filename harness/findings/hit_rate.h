/* Hit rates of findings: the rounds a bug showed in, a Wilson 95% interval, rounds to detect it. */
#ifndef FTSTRESS_HIT_RATE_H
#define FTSTRESS_HIT_RATE_H

#include <jansson.h>
#include <stddef.h>

/* The distinct rounds (numbered per scenario, from 0) that something happened in: a bitset, so a
 * night of --duration costs one bit per round at most, however many reports a round produced. */
typedef struct ft_roundset {
    unsigned char *bits;
    size_t nbytes;
    long count; /* distinct rounds in the set */
} ft_roundset;

/* Adds `round`; negative rounds (a hang in imports, before any round) belong to no round. */
void ft_roundset_add(ft_roundset *s, long round);
void ft_roundset_union(ft_roundset *into, const ft_roundset *from);
void ft_roundset_free(ft_roundset *s);

/* The 95% two-sided z value used throughout. */
#define FT_Z95 1.959963984540054

/* Wilson score interval of `hits` successes in `n` trials at normal quantile `z`: unlike
 * hits/n ± z·se it stays inside [0, 1] and is not zero-width at 0 or n hits, which is where a
 * bug's hit rate usually is. n == 0 gives [0, 1]. */
void ft_wilson(long hits, long n, double z, double *lo, double *hi);

/* Rounds after which something that shows in a round with probability `p` has shown at least once
 * with probability `confidence`: ceil(ln(1 - confidence) / ln(1 - p)). -1 when p <= 0 (never). */
long ft_rounds_for(double p, double confidence);

typedef struct ft_hit_rate {
    long hits, rounds;
    double rate, lo, hi; /* hits / rounds and its 95% interval; 0 when rounds is 0 */
    long rounds_for_99;  /* from `lo`; -1 when lo is 0 */
    int lower_bound;     /* TSan may have hidden repeats: the true rate is at least `rate` */
} ft_hit_rate;

ft_hit_rate ft_hit_rate_of(long hits, long rounds, int lower_bound);

/* Adds hit_rounds, rounds, rate, rate_ci95 [lo, hi], rounds_for_99 (null: never) and
 * rate_is_lower_bound to `obj`; reads them back (0 when the fields are missing). */
void ft_hit_rate_to_json(const ft_hit_rate *h, json_t *obj);
int ft_hit_rate_from_json(const json_t *obj, ft_hit_rate *h);

/* "hit 7/40 rounds (17.5%, 95% CI 8.7–32.0%), 99% detection in ≤ 51 rounds", with "≥" before
 * the counts and the rate when they are lower bounds. */
void ft_hit_rate_format(const ft_hit_rate *h, char *buf, size_t n);

#endif
