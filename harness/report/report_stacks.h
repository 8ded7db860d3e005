/* The stacks in a finding's report text: native frames (TSan, crash logs) and Python frames. */
#ifndef FTSTRESS_REPORT_STACKS_H
#define FTSTRESS_REPORT_STACKS_H

#include <stddef.h>

typedef struct ft_report_frame {
    char *function, *file, *module; /* file and module may be NULL */
    long line;                      /* 0 when the report gives none */
    int python;
} ft_report_frame;

typedef struct ft_report_stack {
    char *title;
    ft_report_frame *frames;
    size_t n, cap;
    int outer_first; /* a Python traceback: most recent call last */
} ft_report_stack;

typedef struct ft_report_stacks {
    ft_report_stack *items;
    size_t n, cap;
} ft_report_stacks;

/* Appends every stack of `report` to `out` (zeroed by the caller): a line ending in ':' names the
 * stack whose frames follow it; frames before any such line form a stack titled "stack". */
void ft_report_stacks_parse(const char *report, ft_report_stacks *out);
void ft_report_stacks_free(ft_report_stacks *s);

#endif
