/* Sweeps (--threads 2,4,8, --iterations 10,100): one run per value, a table of hit rates per group. */
#ifndef FTSTRESS_SWEEP_H
#define FTSTRESS_SWEEP_H

#include <jansson.h>
#include <stdio.h>

#define FT_SWEEP_MAX 16 /* values per swept option */

typedef struct ft_sweep ft_sweep;

ft_sweep *ft_sweep_new(void);
void ft_sweep_free(ft_sweep *s);

/* The sub-folder of the output folder that holds one run: "sweep-threads-4-iterations-10", naming
 * only what is given (0: not given). malloc'd. */
char *ft_sweep_dir_name(long threads, long iterations);
/* Removes the sweep-* sub-folders an earlier run left in `out_dir`, so every one there is this run's. */
void ft_sweep_clean(const char *out_dir);

/* Records one run's results document (the sweep takes the reference). */
void ft_sweep_add(ft_sweep *s, long threads, long iterations, const char *dir, json_t *doc);

/* Rows: the root-cause groups of every run, by name; columns: the runs; cells: hits/rounds. */
void ft_sweep_table(const ft_sweep *s, FILE *out);
/* Every run merged into one results document (ftstress report reads it), plus `sweep`: per run its
 * values, folder, exit code and per-group hit rates. New reference. */
json_t *ft_sweep_document(const ft_sweep *s);
/* The fold of every run's verdicts (ft_exit_code_fold over all their scenarios). */
int ft_sweep_exit_code(const ft_sweep *s);

#endif
