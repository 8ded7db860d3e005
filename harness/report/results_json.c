/* The results document: built from a run, written atomically, merged across shards and reruns. */
#include "results_io.h"

#include <errno.h>
#include <patchlevel.h> /* PY_VERSION */
#include <pyconfig.h>   /* Py_GIL_DISABLED, Py_DEBUG */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exercise_results.h"
#include "exit_codes.h"
#include "log.h"
#include "perturb.h"
#include "reporters.h"
#include "utf8.h"
#include "xalloc.h"

/* Every string of the document goes through here: cleaned to valid UTF-8, so jansson never
 * rejects it and no finding is lost for its text. */
static json_t *jstr(const char *s)
{
    char *clean = ft_utf8_clean(s ? s : "");
    json_t *v = json_string(clean);
    free(clean);
    return v ? v : json_string("");
}

static json_t *str_or_null(const char *s) { return s ? jstr(s) : json_null(); }

static json_t *strlist_clean(const ft_strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->count; i++)
        json_array_append_new(a, jstr(l->items[i]));
    return a;
}

/* json_pack returns NULL when anything is wrong with a value: say so, keep an entry that does. */
static json_t *checked(json_t *v, const char *what, const char *name)
{
    if (v)
        return v;
    ft_error("could not encode %s '%s' as JSON; it is kept with its name only", what, name ? name : "?");
    return json_pack("{s:o, s:b}", "name", jstr(name), "encoding_error", 1);
}

/* Whether TSan may have hidden some of a finding's rounds. TSan prints a given pair of stacks once
 * per process, so in a worker that runs several rounds a race that recurs is reported only in the
 * first: its later rounds are missing and the rate is a lower bound. A worker per round
 * (rounds_per_worker: 1) sees every round afresh. Crashes and hangs end their worker, and exceptions
 * and arbiter values are reported every time, so their rounds are always all counted. */
static int hides_repeats(const ft_finding *f, const ft_scenario *s)
{
    return s->rounds_per_worker != 1 && ft_finding_kind_is_tsan(f->kind);
}

/* A group's hit rate: per scenario, the rounds in which any member occurred over the rounds run
 * there (`by_scenario`); at the top, the same pooled over the group's scenarios. */
static void group_rates(const ft_results *r, size_t g, json_t *obj)
{
    json_t *by = json_array();
    long hits = 0, rounds = 0;
    int lower = 0, counting = 0;
    /* suppressed members tie a bug's findings together (the same object), but its rate is its own */
    for (size_t k = 0; k < r->nfindings; k++)
        counting |= r->findings[k].group == g && !r->findings[k].suppressed_by;
    for (size_t i = 0; i < r->nscenarios; i++) {
        ft_roundset u = {0};
        int member = 0, hidden = 0;
        for (size_t k = 0; k < r->nfindings; k++) {
            const ft_finding *f = &r->findings[k];
            if (f->group != g || f->scenario != i || (counting && f->suppressed_by))
                continue;
            member = 1;
            hidden |= hides_repeats(f, r->scenarios[i].scenario);
            ft_roundset_union(&u, &f->hit);
        }
        if (!member)
            continue;
        ft_hit_rate h = ft_hit_rate_of(u.count, r->scenarios[i].rounds_run, hidden);
        json_t *row = json_pack("{s:o}", "scenario", jstr(r->scenarios[i].scenario->name));
        ft_hit_rate_to_json(&h, row);
        json_array_append_new(by, row);
        hits += h.hits, rounds += h.rounds, lower |= hidden;
        ft_roundset_free(&u);
    }
    ft_hit_rate pooled = ft_hit_rate_of(hits, rounds, lower);
    ft_hit_rate_to_json(&pooled, obj);
    json_object_set_new(obj, "by_scenario", by);
}

/* The interpreter this driver embeds: what a port-validation report names. */
static json_t *interpreter_json(void)
{
#ifdef Py_GIL_DISABLED
    const int free_threaded = 1;
#else
    const int free_threaded = 0;
#endif
#ifdef Py_DEBUG
    const int debug = 1;
#else
    const int debug = 0;
#endif
#ifdef FTSTRESS_NO_TSAN
    const int tsan = 0; /* the plain interpreter's driver (run --interpreter plain) */
#else
    const int tsan = 1;
#endif
    return json_pack("{s:s, s:b, s:b, s:b, s:s}", "version", PY_VERSION, "free_threaded", free_threaded, "debug", debug,
                     "tsan", tsan, "prefix", FTSTRESS_PYTHON_PREFIX);
}

/* Whether a finding of scenario `sc` has the extension's code on a native stack: a suppressed one
 * too, as evidence of where the threads went rather than a verdict. */
static int native_in_target(const ft_results *r, size_t sc)
{
    for (size_t k = 0; k < r->nfindings; k++) {
        const ft_finding *f = &r->findings[k];
        if (f->scenario == sc && f->owner && !strcmp(f->owner, "target") &&
            f->kind != FT_KIND_ERROR && f->kind != FT_KIND_OUTCOME)
            return 1;
    }
    return 0;
}

json_t *ft_results_to_json(const ft_results *r)
{
    json_t *scenarios = json_array(), *findings = json_array();

    for (size_t i = 0; i < r->nscenarios; i++) {
        const ft_scenario_result *sr = &r->scenarios[i];
        const ft_scenario *s = sr->scenario;
        json_t *sigs = json_array();
        for (size_t k = 0; k < r->nfindings; k++)
            if (r->findings[k].scenario == i)
                json_array_append_new(sigs, jstr(r->findings[k].signature));
        json_t *row = checked(json_pack(
            "{s:o, s:o, s:i, s:o, s:s, s:s, s:b, s:s, s:o, s:I, s:f, s:i, s:i, s:f, s:I, s:i, s:I, s:b, s:O, s:I, s:o}",
            "name", jstr(s->name), "file", jstr(s->file), "line", s->line, "tags", strlist_clean(&s->tags), "expect",
            ft_outcome_name(s->expect), "outcome", ft_outcome_name(sr->outcome), "passed", sr->passed, "status",
            ft_run_status_name(sr->status), "message", str_or_null(sr->message), "rounds_run", (json_int_t)sr->rounds_run,
            "seconds", sr->seconds, "threads", ft_scenario_threads(s), "iterations", s->iterations,
            "startup_seconds", sr->startup_seconds, "barrier_skew_ns", (json_int_t)sr->skew_ns, "workers",
            sr->workers, "peak_rss_kb", (json_int_t)sr->peak_rss_kb, "gil_enabled", sr->gil_enabled, "ignored_exceptions", sr->ignored, "errors",
            (json_int_t)sr->errors, "findings", sigs), "scenario", s->name);
        json_object_set_new(row, "workers_forked", json_integer(sr->workers_forked));
        json_t *exercised = sr->status == FT_ST_RAN ? ft_exercise_to_json(sr->exercised, sr->workers) : NULL;
        if (exercised && !json_is_true(json_object_get(exercised, "target_reached")) &&
            json_integer_value(json_object_get(exercised, "functions_total")) && native_in_target(r, i)) {
            /* no call was counted (or its worker stopped before counting), yet the extension's code
             * is on a finding's native stack: reached through what the counting does not see (a
             * slot, a call from C), or before the first count */
            json_object_set_new(exercised, "target_reached", json_true());
            json_object_set_new(exercised, "reached_by_findings", json_true());
        }
        if (exercised)
            json_object_set_new(row, "exercised", exercised);
        if (json_array_size(sr->histogram) || sr->histogram_dropped) {
            /* the arbiter's results, jcstress-style: value, verdict, count, first round */
            json_object_set(row, "outcomes", sr->histogram);
            json_object_set_new(row, "outcomes_not_listed", json_integer(sr->histogram_dropped));
        }
        json_array_append_new(scenarios, row);
    }
    for (size_t k = 0; k < r->nfindings; k++) {
        const ft_finding *f = &r->findings[k];
        const ft_scenario_result *sr = &r->scenarios[f->scenario];
        json_t *v = json_pack(
            "{s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:i, s:I, s:I, s:I, s:I, s:f, s:b, s:o, s:b, s:b, s:o, s:b,"
            " s:o, s:o, s:I}",
            "kind", jstr(ft_finding_kind_name(f->kind)), "signature", jstr(f->signature), "title", jstr(f->title ? f->title : f->signature),
            "functions", strlist_clean(&f->functions), "owner", f->owner ? f->owner : "cpython", "scenario",
            jstr(sr->scenario->name), "file", jstr(sr->scenario->file), "roles", strlist_clean(&f->roles), "threads",
            strlist_clean(&f->threads), "scenario_threads", ft_scenario_threads(sr->scenario), "count",
            (json_int_t)f->count, "rounds_hit", (json_int_t)f->rounds_hit, "rounds_run", (json_int_t)sr->rounds_run,
            "first_round", (json_int_t)f->first_round, "first_seconds", f->first_seconds, "suppressed",
            f->suppressed_by != NULL, "suppressed_by", str_or_null(f->suppressed_by), "suppressed_target",
            f->suppressed_target, "baselined", f->baseline_note != NULL, "baseline_note", str_or_null(f->baseline_note),
            "new", ft_finding_counts(f), "location", str_or_null(f->location), "report", jstr(f->report ? f->report : ""),
            "group", (json_int_t)(r->ngroups ? f->group + 1 : 0));
        if (v && f->joined_because)
            json_object_set_new(v, "joined_because", jstr(f->joined_because));
        json_array_append_new(findings, checked(v, "finding", f->signature));
    }
    json_t *groups = json_array();
    for (size_t g = 0; g < r->ngroups; g++) {
        const ft_group *gr = &r->groups[g];
        json_t *members = json_array();
        for (size_t k = 0; k < r->nfindings; k++)
            if (r->findings[k].group == g)
                json_array_append_new(members, jstr(r->findings[k].signature));
        json_t *obj = checked(json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:b, s:o}", "id", (json_int_t)g + 1, "name",
                                        jstr(gr->name), "owner", gr->owner, "summary", jstr(gr->summary), "functions",
                                        strlist_clean(&gr->functions), "scenarios", strlist_clean(&gr->scenarios),
                                        "new", gr->counts, "members", members),
                              "group", gr->name);
        json_t *joined = json_array();
        for (size_t k = 0; k < r->nfindings; k++)
            if (r->findings[k].group == g && r->findings[k].joined_because)
                json_array_append_new(joined, json_pack("{s:o, s:o}", "signature", jstr(r->findings[k].signature), "because",
                                                        jstr(r->findings[k].joined_because)));
        if (obj)
            json_object_set_new(obj, "joined", joined);
        else
            json_decref(joined);
        group_rates(r, g, obj);
        json_array_append_new(groups, obj);
    }
    json_t *doc = json_pack("{s:{s:s, s:i}, s:I, s:o, s:b, s:i, s:o, s:o, s:o}", "ftstress", "version",
                            FTSTRESS_VERSION, "schema", FT_RESULTS_SCHEMA, "seed", (json_int_t)r->seed, "command",
                            str_or_null(r->command), "interrupted", r->interrupted != 0, "exit_code",
                            ft_results_exit_code(r), "scenarios", scenarios, "findings", findings, "groups", groups);
    if (doc)
        json_object_set_new(doc, "interpreter", interpreter_json());
    if (!doc) {
        ft_error("could not build the results document (out of memory)");
        exit(FT_EXIT_CANNOT_RUN);
    }
    json_object_set_new(doc, "perturb", checked(json_pack("{s:s, s:I}", "mode", ft_perturb_name(r->perturb), "seed",
                                                          (json_int_t)r->seed), "perturb", "document"));
    return doc;
}

static int write_results(const json_t *doc, const char *path)
{
    if (ft_json_write_atomic(doc, path) == 0)
        return 0;
    ft_error("cannot write %s: %s", path, strerror(errno));
    return -1;
}

const ft_reporter ft_reporter_json = {"json", "write the results document (schema: docs/results-schema.md)",
                                      write_results};

/* Outcome order, for merging reruns of one scenario: the outcome table's own order. */
static int outcome_rank(const char *o)
{
    ft_outcome v = FT_CLEAN;
    return o && ft_outcome_parse(o, &v) == 0 ? (int)v : 0;
}

static json_t *find_by(json_t *list, const char *k1, const char *v1, const char *k2, const char *v2)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (strcmp(json_string_value(json_object_get(item, k1)) ?: "", v1))
            continue;
        if (k2 && strcmp(json_string_value(json_object_get(item, k2)) ?: "", v2))
            continue;
        return item;
    }
    return NULL;
}

static void add_int(json_t *into, const json_t *from, const char *key)
{
    json_object_set_new(into, key, json_integer(json_integer_value(json_object_get(into, key)) +
                                                json_integer_value(json_object_get(from, key))));
}

json_t *ft_results_merge(json_t *const *docs, const char *const *names, size_t n, char **error)
{
    json_t *out = json_pack("{s:{s:s, s:i}, s:o, s:n, s:b, s:[], s:[]}", "ftstress", "version", FTSTRESS_VERSION,
                            "schema", FT_RESULTS_SCHEMA, "seed", n ? json_incref(json_object_get(docs[0], "seed")) : json_integer(0),
                            "command", "interrupted", 0, "scenarios", "findings");
    json_t *scenarios = json_object_get(out, "scenarios"), *findings = json_object_get(out, "findings");
    json_t *perturb = n ? json_object_get(docs[0], "perturb") : NULL;
    if (perturb) /* like the seed: the first document's */
        json_object_set(out, "perturb", perturb);

    for (size_t d = 0; d < n; d++) {
        json_t *sl = json_object_get(docs[d], "scenarios"), *fl = json_object_get(docs[d], "findings"), *item;
        size_t i;
        if (!json_is_array(sl) || !json_is_array(fl) || !json_is_object(json_object_get(docs[d], "ftstress"))) {
            *error = ft_xasprintf("%s: not an ftstress results document (no scenarios/findings)", names[d]);
            json_decref(out);
            return NULL;
        }
        if (json_is_true(json_object_get(docs[d], "interrupted")))
            json_object_set_new(out, "interrupted", json_true());
        json_array_foreach(sl, i, item) {
            const char *name = json_string_value(json_object_get(item, "name")) ?: "";
            json_t *have = find_by(scenarios, "name", name, NULL, NULL);
            if (!have) {
                json_array_append_new(scenarios, json_deep_copy(item));
                continue;
            }
            /* A rerun of the same scenario: rounds add up, the worst outcome stands. */
            add_int(have, item, "rounds_run");
            add_int(have, item, "errors");
            json_object_set_new(have, "seconds", json_real(json_number_value(json_object_get(have, "seconds")) +
                                                           json_number_value(json_object_get(item, "seconds"))));
            if (outcome_rank(json_string_value(json_object_get(item, "outcome"))) >
                outcome_rank(json_string_value(json_object_get(have, "outcome"))))
                json_object_set(have, "outcome", json_object_get(item, "outcome"));
            json_object_set_new(have, "passed", json_boolean(json_is_true(json_object_get(have, "passed")) &&
                                                             json_is_true(json_object_get(item, "passed"))));
            json_t *ex = json_object_get(item, "exercised");
            if (json_is_object(ex) && json_is_object(json_object_get(have, "exercised")))
                ft_exercise_merge(json_object_get(have, "exercised"), ex);
            else if (json_is_object(ex))
                json_object_set_new(have, "exercised", json_deep_copy(ex));
            json_t *sig;
            size_t k;
            json_array_foreach(json_object_get(item, "findings"), k, sig) {
                int known = 0;
                size_t m;
                json_t *s2;
                json_array_foreach(json_object_get(have, "findings"), m, s2) known |= json_equal(s2, sig);
                if (!known)
                    json_array_append(json_object_get(have, "findings"), sig);
            }
        }
        json_array_foreach(fl, i, item) {
            json_t *have = find_by(findings, "scenario", json_string_value(json_object_get(item, "scenario")) ?: "",
                                   "signature", json_string_value(json_object_get(item, "signature")) ?: "");
            if (!have) {
                json_array_append_new(findings, json_deep_copy(item));
                continue;
            }
            add_int(have, item, "count");
            add_int(have, item, "rounds_hit");
            add_int(have, item, "rounds_run");
        }
    }
    if (n && json_is_object(json_object_get(docs[0], "interpreter")))
        json_object_set(out, "interpreter", json_object_get(docs[0], "interpreter"));
    if (n == 1) /* one run re-rendered: its command still repeats it */
        json_object_set(out, "command", json_object_get(docs[0], "command"));
    json_object_set_new(out, "exit_code", json_integer(ft_results_json_exit_code(out)));
    return out;
}

int ft_results_json_exit_fold(int code, const json_t *doc)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "scenarios"), i, s)
        code = ft_exit_code_fold(code, ft_run_status_parse(json_string_value(json_object_get(s, "status"))),
                                 json_is_true(json_object_get(s, "passed")));
    return code;
}

int ft_results_json_exit_code(const json_t *doc)
{
    return ft_results_json_exit_fold(FT_EXIT_OK, doc);
}
