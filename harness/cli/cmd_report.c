/* `ftstress report`: re-render or merge result files (shards, reruns) into the same outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "disjoint_sets.h"
#include "exit_codes.h"
#include "finding_kind.h"
#include "group_summary.h"
#include "log.h"
#include "options.h"
#include "output_options.h"
#include "report_port.h"
#include "report_annotations.h"
#include "reporters.h"
#include "results_io.h"
#include "xalloc.h"

enum { O_QUIET, O_VERBOSE, O_HELP, O_OUTPUTS /* the shared file outputs follow (output_options.h) */ };
static const ft_option report_options[] = {
    [O_QUIET] = {"quiet", 'q', NULL, "no summary table"},
    [O_VERBOSE] = {"verbose", 'v', NULL, "full first report of every finding"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
};
static ft_option *report_options_all; /* report_options and the output options */

typedef struct report_args {
    ft_outputs outputs;
} report_args;

static int on_option(void *ctx, int index, const char *arg)
{
    report_args *a = ctx;
    if (ft_output_option(&a->outputs, O_OUTPUTS, index, arg))
        return 0;
    switch (index) {
    case O_QUIET: ft_set_verbosity(FT_QUIET); break;
    case O_VERBOSE: ft_set_verbosity(FT_VERBOSE); break;
    case O_HELP:
        ft_options_help(stdout, "ftstress report RESULT.json... [options]", report_options_all,
                        "Merges shards or reruns: scenarios by name, findings by scenario and signature.\n"
                        "The exit code is the one a single run with these results would give.\n");
        exit(0);
    }
    return 0;
}

/* --- root-cause groups of a merged document -------------------------------------------------- */

static const char *sv(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)) ?: ""; }

static char *finding_key(const json_t *f) { return ft_xasprintf("f:%s\n%s", sv(f, "scenario"), sv(f, "signature")); }

/* Entries sharing `key` are one set, whose root is its first entry. */
static void join_on(json_t *first_with, const char *key, size_t entry, ft_sets *sets)
{
    json_t *have = json_object_get(first_with, key);
    if (!have) {
        json_object_set_new(first_with, key, json_integer((json_int_t)entry));
        return;
    }
    size_t a = ft_sets_find(sets, (size_t)json_integer_value(have)), b = ft_sets_find(sets, entry);
    ft_sets_join(sets, a < b ? a : b, a < b ? b : a);
}

static void append_unique(json_t *list, json_t *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (json_equal(v, value)) return;
    json_array_append(list, value);
}

/* The members counted by label, by the rule a run names its groups' contents (group_summary.c). */
static char *summarize(const json_t *members)
{
    ft_group_summary summary = {0};
    const json_t *f;
    size_t i;
    json_array_foreach(members, i, f)
        ft_group_summary_add(&summary, ft_finding_kind_of(f), sv(f, "signature"), json_is_true(json_object_get(f, "suppressed")));
    return ft_group_summary_finish(&summary);
}

/* ft_results_merge keeps findings, not groups. Each input's groups are joined where they share a
 * finding (scenario and signature) or a function they were grouped by, as one run of all the
 * scenarios would have joined them; a finding of an input without groups stands alone. The merged
 * findings get their group's number; one input keeps its groups as they were. */
static void merge_groups(json_t *const *docs, size_t n, json_t *merged)
{
    json_t *entries = json_array(); /* [group or null, keys, functions, first finding] */
    json_t *first_with = json_object();
    json_t *findings = json_object_get(merged, "findings"), *groups = json_array();
    size_t i, k, d, nentries;

    for (d = 0; d < n; d++) {
        json_t *fl = json_object_get(docs[d], "findings"), *g, *f;
        char *placed = ft_xcalloc(json_array_size(fl) + 1, 1);
        json_array_foreach(json_object_get(docs[d], "groups"), k, g) {
            json_t *keys = json_array();
            json_int_t id = json_integer_value(json_object_get(g, "id"));
            json_array_foreach(fl, i, f) if (!placed[i] && id && json_integer_value(json_object_get(f, "group")) == id) {
                char *key = finding_key(f);
                json_array_append_new(keys, json_string(key));
                free(key);
                placed[i] = 1;
            }
            if (json_array_size(keys))
                json_array_append_new(entries, json_pack("[O, o, O, n]", g, keys, json_object_get(g, "functions") ?: json_null()));
            else
                json_decref(keys);
        }
        json_array_foreach(fl, i, f) if (!placed[i]) {
            char *key = finding_key(f);
            json_array_append_new(entries, json_pack("[n, [s], n, O]", key, f));
            free(key);
        }
        free(placed);
    }
    nentries = json_array_size(entries);
    size_t *number = ft_xcalloc(nentries + 1, sizeof *number);
    ft_sets sets_of_entries, *sets = &sets_of_entries;
    ft_sets_init(sets, nentries);
    json_t *e, *v;
    json_array_foreach(entries, i, e) {
        json_array_foreach(json_array_get(e, 1), k, v) join_on(first_with, json_string_value(v), i, sets);
        json_array_foreach(json_array_get(e, 2), k, v) {
            char *key = ft_xasprintf("a:%s", json_string_value(v) ?: "");
            join_on(first_with, key, i, sets);
            free(key);
        }
    }
    size_t ngroups = 0;
    for (i = 0; i < nentries; i++)
        if (ft_sets_find(sets, i) == i)
            number[i] = ++ngroups;

    json_t *f;
    json_t **members = ft_xcalloc(ngroups + 1, sizeof *members);
    for (i = 1; i <= ngroups; i++)
        members[i] = json_array();
    json_array_foreach(findings, i, f) {
        char *key = finding_key(f);
        json_t *entry = json_object_get(first_with, key);
        free(key);
        if (!entry)
            continue; /* every merged finding came from an input; nothing to join it to otherwise */
        size_t id = number[ft_sets_find(sets, (size_t)json_integer_value(entry))];
        json_object_set_new(f, "group", json_integer((json_int_t)id));
        json_array_append(members[id], f);
    }
    for (size_t root = 0; root < nentries; root++) {
        if (ft_sets_find(sets, root) != root)
            continue;
        size_t id = number[root];
        const json_t *named = NULL;
        json_t *functions = json_array(), *scenarios = json_array(), *sigs = json_array();
        int counting = 0, target = 0;
        json_array_foreach(entries, i, e) {
            if (ft_sets_find(sets, i) != root)
                continue;
            if (!named && json_is_object(json_array_get(e, 0)))
                named = json_array_get(e, 0);
            json_array_foreach(json_array_get(e, 2), k, v) append_unique(functions, v);
        }
        json_array_foreach(members[id], i, f) {
            append_unique(scenarios, json_object_get(f, "scenario"));
            json_array_append(sigs, json_object_get(f, "signature"));
            counting |= json_is_true(json_object_get(f, "new"));
            target |= !strcmp(sv(f, "owner"), "target");
        }
        const json_t *alone = json_array_get(json_array_get(entries, root), 3);
        char *summary = summarize(members[id]);
        json_t *g = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:b, s:o}", "id", (json_int_t)id, "name",
                              named ? sv(named, "name") : sv(alone, "title"), "owner",
                              target ? "target" : named ? sv(named, "owner") : sv(alone, "owner"), "summary", summary,
                              "functions", functions, "scenarios", scenarios, "new", counting, "members", sigs);
        free(summary);
        if (g)
            json_array_append_new(groups, g);
    }
    json_object_set_new(merged, "groups", groups);
    for (i = 1; i <= ngroups; i++)
        json_decref(members[i]);
    free(members);
    ft_sets_free(sets);
    free(number);
    json_decref(entries);
    json_decref(first_with);
}

static int report(int argc, char **argv)
{
    report_args a = {0};
    int first, rc;
    json_t **docs;
    char *error = NULL;

    report_options_all = ft_options_with_outputs(report_options, O_OUTPUTS);
    if (ft_options_parse(argc, argv, report_options_all, on_option, &a, &first) != 0 || first >= argc) {
        fprintf(stderr, "usage: ftstress report RESULT.json... [--json FILE] [--junit FILE] [--sarif FILE] [--html FILE] [--markdown FILE]\n");
        return FT_EXIT_USAGE;
    }
    docs = calloc((size_t)(argc - first), sizeof *docs);
    for (int i = first; i < argc; i++) {
        json_error_t err;
        docs[i - first] = json_load_file(argv[i], 0, &err);
        if (!docs[i - first]) {
            fprintf(stderr, "%s:%d:%d: error: %s\n", argv[i], err.line, err.column, err.text);
            return FT_EXIT_USAGE;
        }
    }
    json_t *merged = ft_results_merge(docs, (const char *const *)argv + first, (size_t)(argc - first), &error);
    if (!merged) {
        fprintf(stderr, "ftstress: error: %s\n", error);
        return FT_EXIT_USAGE;
    }
    if (!json_object_get(merged, "groups")) {
        /* One input keeps its groups as the run wrote them, hit rates included; several are
         * regrouped, and their hit rates cannot be pooled without the runs' round sets. */
        json_t *own = argc - first == 1 ? json_object_get(docs[0], "groups") : NULL;
        if (own)
            json_object_set_new(merged, "groups", json_deep_copy(own));
        else
            merge_groups(docs, (size_t)(argc - first), merged);
    }
    if (ft_verbosity() >= FT_NORMAL)
        ft_report_text(merged, stdout, ft_verbosity() >= FT_VERBOSE);
    ft_report_annotations_if_github(merged, stdout);
    ft_outputs_write(merged, &a.outputs); /* each failure names its file */
    rc = ft_results_json_exit_code(merged);
    for (int i = 0; i < argc - first; i++)
        json_decref(docs[i]);
    free(docs);
    json_decref(merged);
    return rc;
}

const ft_command ft_cmd_report = {"report", "RESULT...", "re-render or merge result files (shards, reruns)", report};
