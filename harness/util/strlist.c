/* A growable list of owned strings: the model's tags, imports, paths, and every other list of names. */
#include "strlist.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void ft_strlist_push(ft_strlist *l, const char *s)
{
    l->items = ft_xrealloc(l->items, (l->count + 1) * sizeof *l->items);
    l->items[l->count++] = ft_xstrdup(s);
}

void ft_strlist_push_all(ft_strlist *l, const char *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ft_strlist_push(l, items[i]);
}

char **ft_strlist_argv(const ft_strlist *l)
{
    char **argv = ft_xcalloc(l->count + 1, sizeof *argv);
    if (l->count)
        memcpy(argv, l->items, l->count * sizeof *argv);
    return argv;
}

void ft_strlist_free(ft_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    *l = (ft_strlist){0};
}

int ft_strlist_contains(const ft_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i], s))
            return 1;
    return 0;
}

char *ft_strlist_join(const ft_strlist *l, const char *sep)
{
    size_t len = 1;
    for (size_t i = 0; i < l->count; i++)
        len += strlen(l->items[i]) + (i ? strlen(sep) : 0);
    char *out = ft_xmalloc(len), *p = out;
    for (size_t i = 0; i < l->count; i++)
        p = stpcpy(i ? stpcpy(p, sep) : p, l->items[i]);
    *p = '\0';
    return out;
}
