/* The port-validation report's model: one row per function or method of the modules under test,
 * with what exercised it and the findings that name it, and the verdict. Shared by report_html.c
 * and report_markdown.c. */
#ifndef FTSTRESS_EXERCISE_TABLE_H
#define FTSTRESS_EXERCISE_TABLE_H

#include <jansson.h>

/* Rows of a results document, ordered by module then name. Each row:
 * {name, module, calls, raised, max_concurrent, threads, scenarios: [name],
 *  findings: [{title, kind, scenario, new}], groups: [name], verdict, verdict_text}
 * where verdict is "crashed", "racy", "clean", "unclear" (it ran, nothing names it, but findings of
 * its scenarios in the extension name no function of the table) or "not exercised". New reference. */
json_t *ft_exercise_table(const json_t *doc);

/* The document's root-cause groups for the report, every one listed whether or not a function
 * row names it: [{name, owner, summary, status: "new"|"known"|"suppressed", members: [{title,
 * kind, scenario, location, suppressed, new}], functions: [row names that list a member]}]. */
json_t *ft_report_groups(const json_t *doc, const json_t *rows);

/* Whether C symbol `sym` is the code of `name` ("module.func" or "module.Type.method", `module`
 * its module): the same name for a function, or NAME_leaf / NAME_leaf_impl with the type's (or
 * module's) name in NAME, as CPython's and Argument Clinic's conventions have it; for a type
 * ("module.Type", CapWords), any type_* or Type_* function (its slots and methods). */
int ft_symbol_names_function(const char *sym, const char *module, const char *name);
/* Whether native frame `function` in shared object `object` is entry point `entry` ([symbol,
 * object], results' exercised.entries) or the function it only forwards to (Argument Clinic's
 * "_impl", Cython's implementation of its wrapper), in the same object (compared by base name). */
int ft_frame_is_entry(const char *function, const char *object, const json_t *entry);

/* The scenario line of the reports: "6 of 9 functions, max 4 threads at once" or a reason. */
char *ft_exercise_summary(const json_t *scenario);

#endif
