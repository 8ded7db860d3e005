/* Disjoint sets of numbered entries with path halving (see disjoint_sets.h). */
#include "disjoint_sets.h"

#include <stdlib.h>

#include "xalloc.h"

void ft_sets_init(ft_sets *s, size_t n)
{
    s->n = n;
    s->parent = ft_xcalloc(n ? n : 1, sizeof *s->parent);
    for (size_t i = 0; i < n; i++)
        s->parent[i] = i;
}

void ft_sets_free(ft_sets *s)
{
    free(s->parent);
    s->parent = NULL;
    s->n = 0;
}

size_t ft_sets_find(ft_sets *s, size_t i)
{
    while (s->parent[i] != i)
        i = s->parent[i] = s->parent[s->parent[i]];
    return i;
}

void ft_sets_join(ft_sets *s, size_t keep, size_t other)
{
    size_t a = ft_sets_find(s, keep), b = ft_sets_find(s, other);
    if (a != b)
        s->parent[b] = a;
}

int ft_sets_same(ft_sets *s, size_t a, size_t b) { return ft_sets_find(s, a) == ft_sets_find(s, b); }
