/* The file-output options (--json, --junit, --sarif, --html, --markdown) that `run` and `report`
 * share, made from the reporter table (reporters.h) so the two commands always offer the same set. */
#ifndef FTSTRESS_OUTPUT_OPTIONS_H
#define FTSTRESS_OUTPUT_OPTIONS_H

#include "options.h"
#include "reporters.h"

/* A command's option table (`nbase` rows, no terminator needed) followed by one row per output, at
 * indexes nbase .. nbase + FT_OUTPUTS - 1, and the terminating zero row. New array; free() it. */
ft_option *ft_options_with_outputs(const ft_option *base, int nbase);

/* Records an output option's FILE: index is the row's index from ft_options_with_outputs. Returns 1
 * when the index was an output's, 0 otherwise (the command handles it). */
int ft_output_option(ft_outputs *o, int nbase, int index, const char *arg);

#endif
