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
/* Appends a copy of each of the `n` strings of `items`. */
void ft_strlist_push_all(ft_strlist *l, const char *const *items, size_t n);
/* The items as a NULL-ended array for exec (the strings stay the list's: free only the array). */
char **ft_strlist_argv(const ft_strlist *l);
/* Frees every item and the array; the list is empty (and reusable) afterwards. */
void ft_strlist_free(ft_strlist *l);
int ft_strlist_contains(const ft_strlist *l, const char *s);
/* The items joined with `sep`, as a new malloc'd string ("" for an empty list). */
char *ft_strlist_join(const ft_strlist *l, const char *sep);

#endif
