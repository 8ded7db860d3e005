/* Disjoint sets (union-find) of numbered entries: how findings, and merged inputs' groups, become
 * root-cause groups. The one implementation both a run (grouping.c) and a merge (cmd_report.c) use. */
#ifndef FTSTRESS_DISJOINT_SETS_H
#define FTSTRESS_DISJOINT_SETS_H

#include <stddef.h>

typedef struct ft_sets {
    size_t *parent;
    size_t n;
} ft_sets;

/* n singleton sets, 0..n-1. */
void ft_sets_init(ft_sets *s, size_t n);
void ft_sets_free(ft_sets *s);
/* The root of i's set (paths halved on the way). */
size_t ft_sets_find(ft_sets *s, size_t i);
/* Joins other's set into keep's: the joined set's root is keep's root, so a caller decides which
 * entry names (and numbers) the group. */
void ft_sets_join(ft_sets *s, size_t keep, size_t other);
int ft_sets_same(ft_sets *s, size_t a, size_t b);

#endif
