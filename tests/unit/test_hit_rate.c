/* Unit tests: the Wilson interval against published values, rounds needed, round sets, the text. */
#include <math.h>

#include "check.h"
#include "hit_rate.h"

#define CHECK_NEAR(got, want, tol)                                                                     \
    do {                                                                                               \
        double g_ = (got), w_ = (want);                                                                \
        if (!(fabs(g_ - w_) <= (tol))) {                                                               \
            fprintf(stderr, "  %s:%d: %s is %.6f, expected %.6f\n", __FILE__, __LINE__, #got, g_, w_); \
            check_failures++;                                                                          \
        }                                                                                              \
    } while (0)

void test_wilson_interval_known_values(void)
{
    double lo, hi;
    /* 5 of 10: [0.2366, 0.7634], the textbook example (Newcombe 1998, method 3) */
    ft_wilson(5, 10, FT_Z95, &lo, &hi);
    CHECK_NEAR(lo, 0.236593, 1e-5);
    CHECK_NEAR(hi, 0.763407, 1e-5);
    ft_wilson(7, 40, FT_Z95, &lo, &hi);
    CHECK_NEAR(lo, 0.087454, 1e-5);
    CHECK_NEAR(hi, 0.319500, 1e-5);
    /* the edges: no hit still leaves room above, every hit below; never a zero-width interval */
    ft_wilson(0, 10, FT_Z95, &lo, &hi);
    CHECK(lo == 0);
    CHECK_NEAR(hi, 0.277533, 1e-5);
    ft_wilson(10, 10, FT_Z95, &lo, &hi);
    CHECK_NEAR(lo, 0.722467, 1e-5);
    CHECK(hi == 1);
    ft_wilson(0, 0, FT_Z95, &lo, &hi);
    CHECK(lo == 0 && hi == 1);
}

void test_rounds_for_detection(void)
{
    CHECK_INT(ft_rounds_for(0.5, 0.99), 7);    /* 0.5^7 = 0.0078 <= 0.01 < 0.5^6 */
    CHECK_INT(ft_rounds_for(0.087454, 0.99), 51);
    CHECK_INT(ft_rounds_for(0.9, 0.99), 2);    /* exactly 2: no rounding up to 3 */
    CHECK_INT(ft_rounds_for(1.0, 0.99), 1);
    CHECK_INT(ft_rounds_for(0.0, 0.99), -1);   /* never seen: no number of rounds is enough */
    CHECK_INT(ft_rounds_for(0.01, 0.95), 299);
}

void test_hit_rate_rounds_and_text(void)
{
    ft_roundset a = {0}, b = {0};
    ft_roundset_add(&a, 3);
    ft_roundset_add(&a, 3); /* one round however many reports */
    ft_roundset_add(&a, 1000);
    ft_roundset_add(&a, -1); /* before any round: not a round */
    ft_roundset_add(&b, 3);
    ft_roundset_add(&b, 7);
    ft_roundset_union(&a, &b);
    CHECK_INT(a.count, 3);
    ft_roundset_free(&a);
    ft_roundset_free(&b);

    char text[200];
    ft_hit_rate h = ft_hit_rate_of(7, 40, 0);
    ft_hit_rate_format(&h, text, sizeof text);
    CHECK_STR(text, "hit 7/40 rounds (17.5%, 95% CI 8.7–31.9%), 99% detection in ≤ 51 rounds");
    h = ft_hit_rate_of(7, 40, 1);
    ft_hit_rate_format(&h, text, sizeof text);
    CHECK_CONTAINS(text, "hit ≥ 7/40 rounds (≥ 17.5%");
    h = ft_hit_rate_of(0, 10, 0);
    ft_hit_rate_format(&h, text, sizeof text);
    CHECK_CONTAINS(text, "99% detection in — rounds");

    json_t *o = json_object();
    ft_hit_rate back;
    h = ft_hit_rate_of(3, 10, 1);
    ft_hit_rate_to_json(&h, o);
    CHECK(ft_hit_rate_from_json(o, &back) == 0);
    CHECK_INT(back.hits, 3);
    CHECK_INT(back.rounds_for_99, h.rounds_for_99);
    CHECK(back.lower_bound && back.lo == h.lo && back.hi == h.hi);
    json_decref(o);
}
