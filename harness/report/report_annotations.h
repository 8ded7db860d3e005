/* GitHub Actions workflow annotations for a results document's NEW root-cause groups. */
#ifndef FTSTRESS_REPORT_ANNOTATIONS_H
#define FTSTRESS_REPORT_ANNOTATIONS_H

#include <jansson.h>
#include <stdio.h>

/* One `::error file=REL,line=N,title=...::message` line per NEW group on `out` (stdout: the runner
 * reads workflow commands there), at its extension source line, REL relative to `root` (the
 * repository, $GITHUB_WORKSPACE) or, with `root` NULL, to the source tree build-ext built; without
 * file= when the file lies outside. Returns how many lines it printed. */
int ft_report_annotations(const json_t *doc, FILE *out, const char *root);

/* Prints them when the environment says this is GitHub Actions (GITHUB_ACTIONS=true) and
 * FTSTRESS_ANNOTATIONS is not "0"; root: $GITHUB_WORKSPACE. */
void ft_report_annotations_if_github(const json_t *doc, FILE *out);

#endif
