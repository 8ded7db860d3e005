/* A root-cause group's one-line summary, "31 races, 1 heap-use-after-free, 1 SIGSEGV (and 2
 * suppressed)": the one rule a run and a merge of results both name their groups' contents by. */
#ifndef FTSTRESS_GROUP_SUMMARY_H
#define FTSTRESS_GROUP_SUMMARY_H

#include "finding_kind.h"
#include "strlist.h"

typedef struct ft_group_summary {
    ft_strlist labels[2]; /* [0] unsuppressed members' labels, [1] suppressed members' */
    long *counts[2];
    size_t cap[2];
} ft_group_summary;

/* Counts one member by its label (kind, or the TSan report type or signal of its signature). */
void ft_group_summary_add(ft_group_summary *s, ft_finding_kind kind, const char *signature, int suppressed);
/* The text, malloc'd; `s` is emptied. Suppressed members only tie a bug's findings together: when
 * the group has an unsuppressed member they are "(and N suppressed)", otherwise they are what the
 * group holds and are counted by label. */
char *ft_group_summary_finish(ft_group_summary *s);

#endif
