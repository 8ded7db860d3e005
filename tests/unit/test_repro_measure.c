/* Unit tests: repro sizes the standalone script's rounds from the measured standalone rate's lower
 * 95% bound, and keeps none when no run reported. */
#include "check.h"
#include "repro_measure.h"

void test_repro_rounds_from_the_standalone_rate(void)
{
    double rate, lo;
    /* the rare race measured standalone: 5 reports in 3774 rounds (0.13%), bound 0.057%: 8134 rounds */
    repro_measured m = {5, 5, 3774, 29.0};
    CHECK_INT(repro_rounds_for_99(&m, &rate, &lo), 8134);
    CHECK(rate > 0.00132 && rate < 0.00133);
    CHECK(lo > 0.000565 && lo < 0.000567);
    /* a race in every first round: Wilson's bound 56.6%, so 6 rounds, not 1 */
    m = (repro_measured){5, 5, 5, 2.0};
    CHECK_INT(repro_rounds_for_99(&m, &rate, &lo), 6);
    /* no run reported: no count of rounds can be promised */
    m = (repro_measured){5, 0, 25000, 600.0};
    CHECK_INT(repro_rounds_for_99(&m, &rate, &lo), -1);
}
