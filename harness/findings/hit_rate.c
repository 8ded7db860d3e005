/* Hit rates of findings: distinct rounds hit, a Wilson 95% interval, rounds needed to detect. */
#include "hit_rate.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "xalloc.h"

void ft_roundset_add(ft_roundset *s, long round)
{
    size_t byte;
    if (round < 0)
        return;
    byte = (size_t)round / 8;
    if (byte >= s->nbytes) {
        /* doubling keeps a long run's appends amortised; the bitset never exceeds 2x the last round */
        size_t n = s->nbytes ? s->nbytes : 16;
        while (n <= byte)
            n *= 2;
        s->bits = ft_xrealloc(s->bits, n);
        memset(s->bits + s->nbytes, 0, n - s->nbytes);
        s->nbytes = n;
    }
    if (!(s->bits[byte] & (1u << (round % 8)))) {
        s->bits[byte] |= (unsigned char)(1u << (round % 8));
        s->count++;
    }
}

void ft_roundset_union(ft_roundset *into, const ft_roundset *from)
{
    for (size_t b = 0; b < from->nbytes; b++)
        for (int k = 0; k < 8; k++)
            if (from->bits[b] & (1u << k))
                ft_roundset_add(into, (long)(b * 8 + (size_t)k));
}

void ft_roundset_free(ft_roundset *s)
{
    free(s->bits);
    *s = (ft_roundset){0};
}

void ft_wilson(long hits, long n, double z, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = 0, *hi = 1;
        return;
    }
    double p = (double)hits / (double)n, z2 = z * z, nn = (double)n;
    double denom = 1 + z2 / nn;
    double center = (p + z2 / (2 * nn)) / denom;
    double half = z / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = center - half < 0 ? 0 : center - half;
    *hi = center + half > 1 ? 1 : center + half;
    /* exact at the edges: rounding must not turn 0 hits into a tiny positive lower bound */
    if (hits <= 0)
        *lo = 0;
    if (hits >= n)
        *hi = 1;
}

long ft_rounds_for(double p, double confidence)
{
    if (!(p > 0))
        return -1;
    if (p >= 1)
        return 1;
    double x = log(1 - confidence) / log1p(-p);
    /* 1e-9 slack: ln(0.01)/ln(0.1) is 2 in exact arithmetic and must not round up to 3 */
    double n = ceil(x - 1e-9);
    return n < 1 ? 1 : n > 1e15 ? (long)1e15 : (long)n;
}

ft_hit_rate ft_hit_rate_of(long hits, long rounds, int lower_bound)
{
    ft_hit_rate h = {.hits = hits, .rounds = rounds, .lower_bound = lower_bound};
    if (h.hits > h.rounds) /* a report from a round the worker did not count as run */
        h.hits = h.rounds;
    h.rate = rounds > 0 ? (double)h.hits / (double)rounds : 0;
    if (rounds > 0)
        ft_wilson(h.hits, rounds, FT_Z95, &h.lo, &h.hi);
    h.rounds_for_99 = ft_rounds_for(h.lo, 0.99);
    return h;
}

void ft_hit_rate_to_json(const ft_hit_rate *h, json_t *obj)
{
    json_object_set_new(obj, "hit_rounds", json_integer(h->hits));
    json_object_set_new(obj, "rounds", json_integer(h->rounds));
    json_object_set_new(obj, "rate", json_real(h->rate));
    json_object_set_new(obj, "rate_ci95", json_pack("[f, f]", h->lo, h->hi));
    json_object_set_new(obj, "rounds_for_99", h->rounds_for_99 > 0 ? json_integer(h->rounds_for_99) : json_null());
    json_object_set_new(obj, "rate_is_lower_bound", json_boolean(h->lower_bound));
}

int ft_hit_rate_from_json(const json_t *obj, ft_hit_rate *h)
{
    const json_t *ci = json_object_get(obj, "rate_ci95");
    if (!json_is_integer(json_object_get(obj, "hit_rounds")) || !json_is_array(ci) || json_array_size(ci) != 2)
        return -1;
    *h = (ft_hit_rate){.hits = (long)json_integer_value(json_object_get(obj, "hit_rounds")),
                       .rounds = (long)json_integer_value(json_object_get(obj, "rounds")),
                       .rate = json_number_value(json_object_get(obj, "rate")),
                       .lo = json_number_value(json_array_get(ci, 0)),
                       .hi = json_number_value(json_array_get(ci, 1)),
                       .rounds_for_99 = json_is_integer(json_object_get(obj, "rounds_for_99"))
                                            ? (long)json_integer_value(json_object_get(obj, "rounds_for_99"))
                                            : -1,
                       .lower_bound = json_is_true(json_object_get(obj, "rate_is_lower_bound"))};
    return 0;
}

void ft_hit_rate_format(const ft_hit_rate *h, char *buf, size_t n)
{
    const char *ge = h->lower_bound ? "≥ " : "";
    char need[48];
    if (h->rounds_for_99 > 0)
        snprintf(need, sizeof need, "99%% detection in ≤ %ld rounds", h->rounds_for_99);
    else
        snprintf(need, sizeof need, "99%% detection in — rounds");
    snprintf(buf, n, "hit %s%ld/%ld rounds (%s%.1f%%, 95%% CI %.1f–%.1f%%), %s", ge, h->hits, h->rounds, ge,
             100 * h->rate, 100 * h->lo, 100 * h->hi, need);
}
