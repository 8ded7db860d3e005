/* Results leave the tool through here: the results JSON document and the --out folder. */
#ifndef FTSTRESS_RESULTS_IO_H
#define FTSTRESS_RESULTS_IO_H

#include <jansson.h>

#include "json_file.h"
#include "results.h"

#define FT_RESULTS_SCHEMA 1

/* The documented results document (docs/results-schema.md). New reference. */
json_t *ft_results_to_json(const ft_results *r);

/* Streams the run into `dir`: results.json, and one folder per finding with its first report
 * (written once, when the finding is first saved). Safe to call repeatedly during a run. */
int ft_results_save_dir(const ft_results *r, const char *dir);

/* Merges result documents (shards, reruns) into one: scenarios by name, findings by scenario and
 * signature. Each input must have the schema's shape; errors name the file. New reference. */
json_t *ft_results_merge(json_t *const *docs, const char *const *names, size_t n, char **error);

/* Exit code of a results document (same rule as ft_results_exit_code: ft_exit_code_fold). */
int ft_results_json_exit_code(const json_t *doc);
/* Folds a results document's scenarios into `code` (for several documents: sweeps). */
int ft_results_json_exit_fold(int code, const json_t *doc);

#endif
