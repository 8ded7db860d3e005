/* Renderers of a results document: the terminal summary, JUnit XML and SARIF. */
#ifndef FTSTRESS_REPORTERS_H
#define FTSTRESS_REPORTERS_H

#include <jansson.h>
#include <stdio.h>

/* The summary table: one line per scenario verdict, one line per finding. */
void ft_report_text(const json_t *doc, FILE *out, int verbose);
/* JUnit XML: one testsuite per scenario file, one testcase per scenario. 0 or -1. */
int ft_report_junit(const json_t *doc, const char *path);
/* SARIF 2.1.0 for code scanning: one result per root-cause group, member stacks as code flows;
 * paths relative to the repository around the current directory. Written atomically; on failure
 * prints an error naming the file and returns -1. */
int ft_report_sarif(const json_t *doc, const char *path);

#endif
