/* Renderers of a results document, and the table of file outputs that `run` and `report` share. */
#ifndef FTSTRESS_REPORTERS_H
#define FTSTRESS_REPORTERS_H

#include <jansson.h>
#include <stdio.h>

/* The summary table: one line per scenario verdict, one line per finding (stdout, not a file). */
void ft_report_text(const json_t *doc, FILE *out, int verbose);

/* One file output: the option that asks for it (--NAME FILE) and its writer. Each writer file
 * exports one descriptor; reporters.c lists them. */
typedef struct ft_reporter {
    const char *option;
    const char *help;
    /* Writes `doc` to `path`: 0, or -1 after an error that names the file. */
    int (*write)(const json_t *doc, const char *path);
} ft_reporter;

enum { FT_OUT_JSON, FT_OUT_JUNIT, FT_OUT_SARIF, FT_OUT_HTML, FT_OUT_MARKDOWN, FT_OUTPUTS };

extern const ft_reporter ft_reporter_json;     /* results_json.c: the results document */
extern const ft_reporter ft_reporter_junit;    /* report_junit.c */
extern const ft_reporter ft_reporter_sarif;    /* report_sarif.c */
extern const ft_reporter ft_reporter_html;     /* report_html.c: the port-validation report */
extern const ft_reporter ft_reporter_markdown; /* report_markdown.c: the same, for a CI job summary */

/* Indexed by FT_OUT_*. */
extern const ft_reporter *const ft_reporters[FT_OUTPUTS];

/* The files a command was asked to write, indexed by FT_OUT_*; NULL: not asked for. */
typedef struct ft_outputs {
    const char *path[FT_OUTPUTS];
} ft_outputs;

/* Writes every asked-for output; each failure is said, naming its file. 0, or -1 if any failed. */
int ft_outputs_write(const json_t *doc, const ft_outputs *o);

/* JUnit XML: one testsuite per scenario file, one testcase per scenario. 0 or -1 (says why). */
int ft_report_junit(const json_t *doc, const char *path);
/* SARIF 2.1.0 for code scanning: one result per root-cause group, member stacks as code flows;
 * paths relative to the repository around the current directory. Written atomically; on failure
 * prints an error naming the file and returns -1. */
int ft_report_sarif(const json_t *doc, const char *path);

#endif
