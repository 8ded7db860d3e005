/* A growable list of owned strings: the model's tags, imports, paths, and every other list of names. */
#ifndef FTSTRESS_STRLIST_H
#define FTSTRESS_STRLIST_H

#include <stddef.h>

typedef struct ft_strlist {
    char **items;
    size_t count;
} ft_strlist;

/* Appends a copy of `s`. */
void ft_strlist_push(ft_strlist *l, const char *s);
/* Frees every item and the array; the list is empty (and reusable) afterwards. */
void ft_strlist_free(ft_strlist *l);
int ft_strlist_contains(const ft_strlist *l, const char *s);
/* The items joined with `sep`, as a new malloc'd string ("" for an empty list). */
char *ft_strlist_join(const ft_strlist *l, const char *sep);

#endif
