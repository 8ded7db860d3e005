/* The baseline: known finding signatures and root-cause groups, each with a note, that do not fail a run.
 * Format: {"version": 2, "findings": [{"signature": "...", "note": "..."}],
 *          "groups": [{"name": "...", "functions": ["fn:...", ...], "scenarios": [...], "note": "..."}]}.
 * Version 1 files (no groups) still load. A finding is known when its signature is, or when it
 * connects to a known group: the same bug seen through another function pair, a crash or a hang. */
#include "baseline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "grouping.h"
#include "results.h"
#include "json_file.h"

int ft_baseline_load(ft_baseline *b, const char *path, int may_be_missing, ft_diags *diags)
{
    json_error_t err;
    json_t *doc, *list, *item;
    size_t i;

    b->entries = json_object();
    b->groups = json_array();
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
    json_array_foreach(json_object_get(doc, "groups"), i, item) {
        if (!json_is_array(json_object_get(item, "functions"))) {
            ft_diags_add(diags, path, 0, 0, "baseline: group %zu has no \"functions\" list", i + 1);
            continue;
        }
        json_array_append(b->groups, item);
    }
    json_decref(doc);
    return 0;
}

const char *ft_baseline_aftermath_note(const ft_baseline *b, const char *scenario, int any_group)
{
    size_t i, k;
    json_t *g, *sc;
    if (!b || !b->groups)
        return NULL;
    json_array_foreach(b->groups, i, g) {
        if (!any_group && !json_is_true(json_object_get(g, "corrupts_memory")))
            continue;
        json_array_foreach(json_object_get(g, "scenarios"), k, sc) if (json_string_value(sc) &&
                                                                      !strcmp(json_string_value(sc), scenario)) return json_string_value(json_object_get(g, "name")) ?: "?";
    }
    return NULL;
}

const json_t *ft_baseline_group_for(const ft_baseline *b, const ft_strlist *anchors)
{
    size_t i, k;
    json_t *g, *fn;
    if (!b || !b->groups)
        return NULL;
    json_array_foreach(b->groups, i, g) {
        json_array_foreach(json_object_get(g, "functions"), k, fn) {
            const char *a = json_string_value(fn);
            if (a && ft_anchor_connects(a) && ft_strlist_contains(anchors, a))
                return g;
        }
    }
    return NULL;
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
    /* Groups: what was known, then this run's groups that hold an unsuppressed finding. */
    json_t *groups = old && old->groups ? json_deep_copy(old->groups) : json_array();
    for (size_t g = 0; g < r->ngroups; g++) {
        const ft_group *gr = &r->groups[g];
        int real = 0;
        for (size_t i = 0; i < r->nfindings; i++)
            real |= r->findings[i].group == g && !r->findings[i].suppressed_by;
        if (!real || !gr->functions.count)
            continue;
        /* A group that crashed or freed memory under another thread corrupts memory: what follows
         * it in the same scenario (allocator races, crashes anywhere) is its aftermath. */
        int corrupts = 0;
        for (size_t i = 0; i < r->nfindings; i++)
            corrupts |= r->findings[i].group == g && (r->findings[i].kind == FT_KIND_CRASH ||
                                                      !strncmp(r->findings[i].signature, "tsan:heap-use-after-free", 24));
        json_array_append_new(groups, json_pack("{s:s, s:o, s:o, s:s, s:b}", "name", gr->name, "functions",
                                                ft_strlist_to_json(&gr->functions), "scenarios",
                                                ft_strlist_to_json(&gr->scenarios), "note", gr->summary,
                                                "corrupts_memory", corrupts));
    }
    json_t *doc = json_pack("{s:i, s:o, s:o}", "version", 2, "findings", list, "groups", groups);
    rc = doc ? ft_json_write_atomic(doc, path) : -1;
    json_decref(doc);
    json_decref(seen);
    return rc;
}

void ft_baseline_free(ft_baseline *b)
{
    json_decref(b->entries);
    json_decref(b->groups);
    b->entries = b->groups = NULL;
}
