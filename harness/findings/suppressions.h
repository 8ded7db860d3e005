/* TSan-format suppressions (type:pattern), applied by ftstress so suppressed reports stay visible. */
#ifndef FTSTRESS_SUPPRESSIONS_H
#define FTSTRESS_SUPPRESSIONS_H

#include <jansson.h>
#include <stddef.h>

#include "diag.h"

typedef struct ft_suppression {
    char *type;    /* race, race_top, thread, mutex, signal, deadlock, called_from_lib */
    char *pattern; /* TSan template: substring, '*' wildcard, '^' and '$' anchors */
    char *file;
    int line;
    long hits;
} ft_suppression;

typedef struct ft_suppressions {
    ft_suppression *items;
    size_t count;
} ft_suppressions;

/* Adds the entries of one file; malformed lines are reported in `diags` with their position. */
int ft_suppressions_load(ft_suppressions *s, const char *path, ft_diags *diags);
void ft_suppressions_free(ft_suppressions *s);

/* The entry that suppresses a report (as the hook sends it), counting the hit; NULL if none.
 * Matching follows TSan: `race` matches any frame of any stack in the report (function, file or
 * module), `race_top` only the top frame of each access. */
ft_suppression *ft_suppressions_match(ft_suppressions *s, const json_t *report);

/* TSan's template match, exposed for tests. */
int ft_template_match(const char *templ, const char *str);

#endif
