/* The baseline: known finding signatures, each with a note, that do not fail a run.
 * Format: {"version": 1, "findings": [{"signature": "...", "note": "..."}]}. */
#include "baseline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "results.h"

int ft_baseline_load(ft_baseline *b, const char *path, int may_be_missing, ft_diags *diags)
{
    json_error_t err;
    json_t *doc, *list, *item;
    size_t i;

    b->entries = json_object();
    if (may_be_missing && access(path, F_OK) != 0)
        return 0;
    doc = json_load_file(path, 0, &err);
    if (!doc) {
        ft_diags_add(diags, path, err.line > 0 ? err.line : 0, err.column > 0 ? err.column : 0, "baseline: %s",
                     err.text);
        return -1;
    }
    list = json_object_get(doc, "findings");
    if (!json_is_array(list)) {
        ft_diags_add(diags, path, 0, 0, "baseline: expected {\"version\": 1, \"findings\": [...]}");
        json_decref(doc);
        return -1;
    }
    json_array_foreach(list, i, item) {
        const char *sig = json_string_value(json_object_get(item, "signature"));
        const char *note = json_string_value(json_object_get(item, "note"));
        if (!sig) {
            ft_diags_add(diags, path, 0, 0, "baseline: entry %zu has no \"signature\"", i + 1);
            continue;
        }
        json_object_set_new(b->entries, sig, json_string(note ? note : ""));
    }
    json_decref(doc);
    return 0;
}

const char *ft_baseline_note(const ft_baseline *b, const char *signature)
{
    return b && b->entries ? json_string_value(json_object_get(b->entries, signature)) : NULL;
}

int ft_baseline_write(const ft_baseline *old, const ft_results *r, const char *path)
{
    json_t *list = json_array(), *seen = json_object();
    const char *sig;
    json_t *note;
    int rc;

    /* Keep what was known, then add what this run found. */
    if (old && old->entries)
        json_object_foreach(old->entries, sig, note) {
            json_array_append_new(list, json_pack("{s:s, s:O}", "signature", sig, "note", note));
            json_object_set_new(seen, sig, json_true());
        }
    for (size_t i = 0; i < r->nfindings; i++) {
        const ft_finding *f = &r->findings[i];
        if (f->suppressed_by || json_object_get(seen, f->signature))
            continue;
        json_object_set_new(seen, f->signature, json_true());
        json_array_append_new(list, json_pack("{s:s, s:s}", "signature", f->signature, "note", f->title));
    }
    json_t *doc = json_pack("{s:i, s:o}", "version", 1, "findings", list);
    rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);
    json_decref(seen);
    return rc;
}

void ft_baseline_free(ft_baseline *b)
{
    json_decref(b->entries);
    b->entries = NULL;
}
