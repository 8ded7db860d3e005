/* The baseline: known finding signatures, each with a note, that do not fail a run. */
#ifndef FTSTRESS_BASELINE_H
#define FTSTRESS_BASELINE_H

#include <jansson.h>

#include "diag.h"
#include "strlist.h"

struct ft_results;

typedef struct ft_baseline {
    json_t *entries; /* {signature: note} */
    json_t *groups;  /* [{"functions": [anchor...], "scenarios": [...], "note": "..."}] */
} ft_baseline;

/* Loads `path`; a missing file is an empty baseline when `may_be_missing`. */
int ft_baseline_load(ft_baseline *b, const char *path, int may_be_missing, ft_diags *diags);
/* The note for a known signature, or NULL. */
const char *ft_baseline_note(const ft_baseline *b, const char *signature);
/* The known group ({name, note, ...}) that one of `anchors` (grouping.h) connects to, or NULL. A
 * function of the extension connects in any scenario; other functions carry their scenario in the
 * anchor. Borrowed from the baseline. */
const json_t *ft_baseline_group_for(const ft_baseline *b, const ft_strlist *anchors);
/* The name of a known group of `scenario` that corrupts memory (it crashed, or freed memory under
 * another thread) — or, with `any_group`, of any known group of it — or NULL. Findings without the
 * extension's code on their stacks that follow a known bug in that scenario are its aftermath:
 * allocator races after a corrupting group, and crashes or hangs after any known race, since a
 * race on a heap object can corrupt it before anything crashed in the baseline's own run. */
const char *ft_baseline_aftermath_note(const ft_baseline *b, const char *scenario, int any_group);
/* Writes every finding and group of `r` (keeping notes already there) to `path`. 0 or -1. */
int ft_baseline_write(const ft_baseline *old, const struct ft_results *r, const char *path);
void ft_baseline_free(ft_baseline *b);

#endif
