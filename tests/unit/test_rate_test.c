/* Unit tests: shrink's sequential rate test keeps a candidate as frequent as the input, refuses a
 * rarer one, waits when counts are small, and judges per second so shorter rounds cannot hide a
 * rarer bug. */
#include "check.h"
#include "rate_test.h"

static ft_rate_verdict verdict(long rh, long rn, double rs, long ch, long cn, double cs)
{
    ft_rate_counts ref = {rh, rn, rs}, cand = {ch, cn, cs};
    return ft_rate_compare(&ref, &cand, FT_RATE_WORSE_RATIO, FT_RATE_ALPHA, FT_RATE_BETA);
}

void test_rate_test_decides_per_round_and_per_second(void)
{
    /* the input's own rate: undecided on 100 rounds, shown not worse on 200 */
    CHECK_INT(verdict(10, 100, 10.0, 10, 100, 10.0), FT_RATE_UNDECIDED);
    CHECK_INT(verdict(10, 100, 10.0, 20, 200, 20.0), FT_RATE_NOT_WORSE);
    /* a fifth of the rate: worse */
    CHECK_INT(verdict(10, 100, 10.0, 2, 200, 20.0), FT_RATE_WORSE);
    /* one or two hits decide nothing either way */
    CHECK_INT(verdict(10, 100, 10.0, 1, 10, 1.0), FT_RATE_UNDECIDED);
    CHECK_INT(verdict(10, 100, 10.0, 2, 10, 1.0), FT_RATE_UNDECIDED);
    /* the same per round, but rounds ten times as long: worse per second */
    CHECK_INT(verdict(10, 100, 10.0, 20, 200, 200.0), FT_RATE_WORSE);
    /* rounds ten times shorter with a quarter of the rate per round: worse per round */
    CHECK_INT(verdict(20, 100, 10.0, 10, 200, 2.0), FT_RATE_WORSE);
    /* a reference that hit every round: a miss or two is not decisive */
    CHECK_INT(verdict(20, 20, 2.0, 38, 40, 4.0), FT_RATE_NOT_WORSE);
    /* no hits in the reference: nothing to keep */
    CHECK_INT(verdict(0, 100, 10.0, 5, 100, 10.0), FT_RATE_WORSE);
    /* without times, the per-round test alone decides */
    CHECK_INT(verdict(10, 100, 0, 20, 200, 0), FT_RATE_NOT_WORSE);
}

void test_rate_test_rounds_per_run(void)
{
    ft_rate_counts ref = {10, 100, 10.0};
    CHECK_INT(ft_rate_rounds_for_hits(&ref, 8, 20, 200), 77); /* 8 / (10.5 / 101) */
    ref = (ft_rate_counts){1, 400, 10.0};
    CHECK_INT(ft_rate_rounds_for_hits(&ref, 8, 20, 200), 200);
    ref = (ft_rate_counts){20, 20, 1.0};
    CHECK_INT(ft_rate_rounds_for_hits(&ref, 8, 20, 200), 20);
}
