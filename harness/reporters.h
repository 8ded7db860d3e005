/* Renderers of a results document: the terminal summary and JUnit XML. */
#ifndef FTSTRESS_REPORTERS_H
#define FTSTRESS_REPORTERS_H

#include <jansson.h>
#include <stdio.h>

/* The summary table: one line per scenario verdict, one line per finding. */
void ft_report_text(const json_t *doc, FILE *out, int verbose);
/* JUnit XML: one testsuite per scenario file, one testcase per scenario. 0 or -1. */
int ft_report_junit(const json_t *doc, const char *path);

#endif
