/* Positioned errors in input files: file:line:column, the offending line and a caret. */
#ifndef FTSTRESS_DIAG_H
#define FTSTRESS_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* One problem at one place. line and column are 1-based (the column counts characters); 0 means
 * unknown. */
typedef struct ft_diag {
    char *file;
    int line;
    int column;
    char *message;
} ft_diag;

/* A list of problems; errors are collected, not fatal, so one run reports them all. */
typedef struct ft_diags {
    ft_diag *items;
    size_t count;
} ft_diags;

void ft_diags_add(ft_diags *d, const char *file, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prints every problem as "file:line:col: error: message", the source line and a caret, to stderr
 * (ft_diags_fprint: to `out`). A problem without a line is "file: error: message". */
void ft_diags_print(const ft_diags *d);
void ft_diags_fprint(FILE *out, const ft_diags *d);
void ft_diags_free(ft_diags *d);

#endif
