/* The port-validation report: per function or method of the modules under test, how it was
 * exercised, the findings that name it and a verdict, with what a reader needs to repeat the run. */
#ifndef FTSTRESS_REPORT_PORT_H
#define FTSTRESS_REPORT_PORT_H

#include <jansson.h>

/* Self-contained HTML (inline CSS, no scripts), written atomically. 0, or -1 with an error
 * naming the file. */
int ft_report_html(const json_t *doc, const char *path);
/* GitHub-flavoured Markdown, fit for a CI job summary ($GITHUB_STEP_SUMMARY): appended to an
 * existing file, as job summaries are. 0, or -1 with an error naming the file. */
int ft_report_markdown(const json_t *doc, const char *path);

/* "CPython 3.13.15, free-threaded, debug, ThreadSanitizer" from the document's `interpreter`. */
char *ft_report_interpreter(const json_t *doc);

#endif
