/* The reports' headline counts: root causes, then functions and methods, then types, said the same
 * way in the terminal, HTML and Markdown. */
#ifndef FTSTRESS_REPORT_HEADLINE_H
#define FTSTRESS_REPORT_HEADLINE_H

#include <jansson.h>

/* "4 root causes (2 new, 1 known, 1 suppressed)", and "; 1 of the scenarios' own" when scenario
 * code failed, from ft_report_groups' list (`status`, `owner`). A group of the scenario's own
 * code is not a root cause in the extension. New string. */
char *ft_headline_root_causes(const json_t *groups);

/* "12 functions and methods: 2 racy, 1 crashed, 7 clean, 2 not exercised" (types: 1, "3 types:
 * ..."), from ft_exercise_table's rows; a verdict no row has is left out. NULL when `types` and
 * there is no type row. New string. */
char *ft_headline_rows(const json_t *rows, int types);

#endif
