/* Unit tests: --perturb's mode names and per-thread plans (a permutation, d change points, bounds). */
#include "check.h"
#include "perturb.h"

void test_perturb_modes(void)
{
    int m = -1;
    CHECK(ft_perturb_parse(NULL, &m) == 0 && m == FT_PERTURB_AUTO); /* a bare --perturb */
    CHECK(ft_perturb_parse("auto", &m) == 0 && m == FT_PERTURB_AUTO);
    CHECK(ft_perturb_parse("both", &m) == 0 && m == FT_PERTURB_BOTH);
    CHECK_STR(ft_perturb_name(FT_PERTURB_AUTO), "auto");
    /* auto: pct in rounds 0, 4, 8, ... (counted across passes), nothing in the others */
    CHECK(ft_perturb_round_mode(FT_PERTURB_AUTO, 0, 0) == FT_PERTURB_PCT);
    CHECK(ft_perturb_round_mode(FT_PERTURB_AUTO, 1, 0) == FT_PERTURB_NONE);
    CHECK(ft_perturb_round_mode(FT_PERTURB_AUTO, 3, 0) == FT_PERTURB_NONE);
    CHECK(ft_perturb_round_mode(FT_PERTURB_AUTO, 4 * 51, 0) == FT_PERTURB_PCT);
    /* a thread whose change points are at the target's branches: pct in every round */
    CHECK(ft_perturb_round_mode(FT_PERTURB_AUTO, 1, 1) == FT_PERTURB_PCT);
    CHECK(ft_perturb_round_mode(FT_PERTURB_AUTO, 3, 1) == FT_PERTURB_PCT);
    CHECK(ft_perturb_round_mode(FT_PERTURB_AUTO, 4 * 51 + 2, 0) == FT_PERTURB_NONE);
    CHECK(ft_perturb_round_mode(FT_PERTURB_BOTH, 3, 1) == FT_PERTURB_BOTH);
    CHECK(ft_perturb_parse("jitter", &m) == 0 && m == FT_PERTURB_JITTER);
    CHECK(ft_perturb_parse("pct", &m) == 0 && m == FT_PERTURB_PCT);
    CHECK(ft_perturb_parse("none", &m) == 0 && m == FT_PERTURB_NONE);
    CHECK(ft_perturb_parse("PCT", &m) < 0);
    CHECK(ft_perturb_parse("", &m) < 0);
    CHECK_STR(ft_perturb_name(FT_PERTURB_BOTH), "both");
    CHECK_STR(ft_perturb_name(FT_PERTURB_PCT), "pct");
}

/* Every thread computes its plan alone; together the plans must still be one PCT schedule: the
 * priorities a permutation, exactly FT_PCT_CHANGES change points over all threads, each inside
 * its thread's span and below every starting priority. */
void test_perturb_plans_form_one_schedule(void)
{
    enum { N = 5 };
    for (long round = 0; round < 200; round++) {
        int seen[N] = {0}, changes = 0, low_seen[FT_PCT_CHANGES] = {0};
        for (int t = 0; t < N; t++) {
            ft_perturb_plan p, again;
            long span = 100 + 37 * t;
            ft_perturb_plan_make(&p, FT_PERTURB_BOTH, 99, round, t, N, span);
            ft_perturb_plan_make(&again, FT_PERTURB_BOTH, 99, round, t, N, span);
            CHECK(ft_perturb_plan_digest(&p, 0) == ft_perturb_plan_digest(&again, 0));
            CHECK(p.jitter_us >= 0 && p.jitter_us <= FT_JITTER_MAX_US);
            CHECK(p.priority >= 0 && p.priority < N);
            if (p.priority >= 0 && p.priority < N)
                seen[p.priority]++;
            for (int k = 0; k < p.nchanges; k++) {
                CHECK(p.change_at[k] >= 0 && p.change_at[k] < span);
                CHECK(k == 0 || p.change_at[k - 1] <= p.change_at[k]);
                CHECK(p.change_to[k] >= N && p.change_to[k] < N + FT_PCT_CHANGES);
                if (p.change_to[k] >= N && p.change_to[k] < N + FT_PCT_CHANGES)
                    low_seen[p.change_to[k] - N]++;
            }
            changes += p.nchanges;
        }
        for (int i = 0; i < N; i++)
            CHECK_INT(seen[i], 1);
        CHECK_INT(changes, FT_PCT_CHANGES);
        for (int k = 0; k < FT_PCT_CHANGES; k++)
            CHECK_INT(low_seen[k], 1);
    }
}

void test_perturb_modes_act_alone(void)
{
    ft_perturb_plan p, q;
    ft_perturb_plan_make(&p, FT_PERTURB_JITTER, 5, 3, 1, 4, 50);
    CHECK(p.priority == 0 && p.nchanges == 0);
    ft_perturb_plan_make(&p, FT_PERTURB_PCT, 5, 3, 1, 4, 50);
    CHECK_INT(p.jitter_us, 0);
    ft_perturb_plan_make(&p, FT_PERTURB_BOTH, 5, 3, 1, 4, 50);
    ft_perturb_plan_make(&q, FT_PERTURB_BOTH, 6, 3, 1, 4, 50);
    int differ = ft_perturb_plan_digest(&p, 0) != ft_perturb_plan_digest(&q, 0);
    ft_perturb_plan_make(&q, FT_PERTURB_BOTH, 5, 4, 1, 4, 50);
    differ += ft_perturb_plan_digest(&p, 0) != ft_perturb_plan_digest(&q, 0);
    CHECK_INT(differ, 2); /* another seed, another round: another plan (for these inputs) */
}
