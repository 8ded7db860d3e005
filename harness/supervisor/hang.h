/* A hung round, read into a finding: where each stuck thread was, natively and in Python. */
#ifndef FTSTRESS_HANG_H
#define FTSTRESS_HANG_H

#include <jansson.h>

#include "strlist.h"

typedef struct ft_hang_info {
    ft_strlist functions; /* one per stuck thread: its nearest meaningful native frame (target
                           * first), or its innermost Python frame when it runs Python code */
    const char *owner;    /* "harness", "target", "cpython", or NULL: decide from the scenario */
    char *why_harness;    /* set when a thread was inside TSan's report machinery or the hook */
    char *location;
} ft_hang_info;

/* `stacks`: the worker's Python dump (faulthandler format); `native`: every thread's native stack
 * from ptrace (may be NULL or empty). */
void ft_analyse_hang(ft_hang_info *h, const char *stacks, const json_t *native);
void ft_hang_info_free(ft_hang_info *h);

#endif
