/* Wald's sequential probability ratio test on hit rates, per round and per second (rate_test.h). */
#include "rate_test.h"

#include <math.h>

/* The reference's per-round rate, pulled off 0 and 1 so that neither a miss nor a hit alone is
 * infinitely informative. */
static double smoothed_rate(const ft_rate_counts *ref)
{
    return ((double)ref->hits + 0.5) / ((double)ref->rounds + 1.0);
}

void ft_rate_llr(const ft_rate_counts *ref, const ft_rate_counts *cand, double ratio, double *per_round,
                 double *per_second)
{
    double p0 = smoothed_rate(ref), p1 = p0 * ratio;
    double k = (double)cand->hits, n = (double)cand->rounds;
    /* log P(counts | p1) - log P(counts | p0): positive evidence says "worse". */
    *per_round = k * log(p1 / p0) + (n - k) * log((1 - p1) / (1 - p0));
    *per_second = 0;
    if (ref->seconds > 0 && cand->seconds > 0) {
        double l0 = ((double)ref->hits + 0.5) / ref->seconds, l1 = l0 * ratio;
        *per_second = k * log(l1 / l0) - (l1 - l0) * cand->seconds;
    }
}

ft_rate_verdict ft_rate_compare(const ft_rate_counts *ref, const ft_rate_counts *cand, double ratio, double alpha,
                                double beta)
{
    if (ref->hits <= 0 || ref->rounds <= 0)
        return FT_RATE_WORSE;
    double upper = log((1 - beta) / alpha), lower = log(beta / (1 - alpha));
    double round_llr, second_llr;
    ft_rate_llr(ref, cand, ratio, &round_llr, &second_llr);
    int timed = ref->seconds > 0 && cand->seconds > 0;
    if (round_llr >= upper || (timed && second_llr >= upper))
        return FT_RATE_WORSE;
    /* Per second the evidence builds slowly (a hit halves the likelihood ratio only together with
     * the time it took), so it must lean towards the input's rate, not prove it. */
    if (round_llr <= lower && (!timed || second_llr <= 0))
        return FT_RATE_NOT_WORSE;
    return FT_RATE_UNDECIDED;
}

long ft_rate_rounds_for_hits(const ft_rate_counts *ref, double want, long min_rounds, long max_rounds)
{
    double p = smoothed_rate(ref);
    double n = ceil(want / p);
    long r = n > (double)max_rounds ? max_rounds : (long)n;
    return r < min_rounds ? min_rounds : r;
}
