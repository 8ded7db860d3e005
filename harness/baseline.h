/* The baseline: known finding signatures, each with a note, that do not fail a run. */
#ifndef FTSTRESS_BASELINE_H
#define FTSTRESS_BASELINE_H

#include <jansson.h>

#include "diag.h"

struct ft_results;

typedef struct ft_baseline {
    json_t *entries; /* {signature: note} */
} ft_baseline;

/* Loads `path`; a missing file is an empty baseline when `may_be_missing`. */
int ft_baseline_load(ft_baseline *b, const char *path, int may_be_missing, ft_diags *diags);
/* The note for a known signature, or NULL. */
const char *ft_baseline_note(const ft_baseline *b, const char *signature);
/* Writes every finding of `r` (keeping notes already there) to `path`. 0 or -1. */
int ft_baseline_write(const ft_baseline *old, const struct ft_results *r, const char *path);
void ft_baseline_free(ft_baseline *b);

#endif
