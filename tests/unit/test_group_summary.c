/* Unit tests: the one group-summary rule (labels counted in first-seen order, suppressed members as
 * "(and N suppressed)" beside unsuppressed ones, counted by label when they are all the group holds)
 * and the disjoint sets both a run and a merge group with. */
#include <stdlib.h>

#include "check.h"
#include "disjoint_sets.h"
#include "group_summary.h"

static void check_summary(ft_group_summary *s, const char *want)
{
    char *text = ft_group_summary_finish(s);
    CHECK_STR(text, want);
    free(text);
}

void test_group_summary_counts_labels_and_suppressed(void)
{
    ft_group_summary s = {0};
    ft_group_summary_add(&s, FT_KIND_RACE, "race:f|g", 0);
    ft_group_summary_add(&s, FT_KIND_CRASH, "crash:SIGSEGV:f|g", 0);
    ft_group_summary_add(&s, FT_KIND_RACE, "race:f|h", 0);
    ft_group_summary_add(&s, FT_KIND_RACE, "race:x|y", 1);
    ft_group_summary_add(&s, FT_KIND_RACE, "race:x|z", 1);
    check_summary(&s, "2 races, 1 SIGSEGV (and 2 suppressed)");

    /* a group of suppressed members only: what it holds, by label */
    ft_group_summary_add(&s, FT_KIND_RACE, "race:x|y", 1);
    ft_group_summary_add(&s, FT_KIND_TSAN, "tsan:heap-use-after-free:f|g", 1);
    check_summary(&s, "1 race, 1 heap-use-after-free");

    /* finish empties it: reusable, and an empty group says nothing */
    check_summary(&s, "");
}

void test_disjoint_sets_keep_the_named_root(void)
{
    ft_sets s;
    ft_sets_init(&s, 6);
    ft_sets_join(&s, 4, 5);
    ft_sets_join(&s, 1, 5); /* 5's set (rooted at 4) joins 1's: 1 is the root */
    CHECK_INT((int)ft_sets_find(&s, 4), 1);
    CHECK_INT((int)ft_sets_find(&s, 5), 1);
    CHECK_INT(ft_sets_same(&s, 0, 1), 0);
    ft_sets_join(&s, 0, 0);
    CHECK_INT((int)ft_sets_find(&s, 0), 0);
    CHECK_INT((int)ft_sets_find(&s, 3), 3);
    ft_sets_free(&s);
}
