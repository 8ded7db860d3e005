/* `ftstress triage RESULTS.json`: re-runs each root-cause group's scenario on the plain interpreter
 * (free-threaded, no TSan: the driver in build-plain) within a budget and classifies what the bug
 * does without TSan: crashes (at what rate), hangs, wrong outcome, raises, or no effect in N rounds.
 * The class goes into the group in results.json as "triage". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "child_run.h"
#include "clock.h"
#include "commands.h"
#include "exit_codes.h"
#include "json_file.h"
#include "log.h"
#include "options.h"
#include "xalloc.h"

enum { O_ROUNDS, O_BUDGET, O_PLAIN, O_HELP };
static const ft_option triage_options[] = {
    [O_ROUNDS] = {"rounds", 0, "N", "rounds of each group's scenario on plain (default 200)"},
    [O_BUDGET] = {"budget", 0, "SECONDS", "wall time one group's run may take before it is stopped (default 120)"},
    [O_PLAIN] = {"plain-build", 0, "DIR", "the plain driver's build folder (default FTSTRESS_PLAIN_BUILD, else build-plain)"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

typedef struct triage_args {
    long rounds, budget;
    const char *plain;
} triage_args;

static int on_option(void *ctx, int index, const char *arg)
{
    triage_args *a = ctx;
    char *end;
    switch (index) {
    case O_ROUNDS:
    case O_BUDGET: {
        long v = strtol(arg, &end, 10);
        if (*end || end == arg || v < 1 || v > 100000000) {
            fprintf(stderr, "ftstress triage: --%s wants a positive whole number, not '%s'\n",
                    index == O_ROUNDS ? "rounds" : "budget", arg);
            return -1;
        }
        *(index == O_ROUNDS ? &a->rounds : &a->budget) = v;
        break;
    }
    case O_PLAIN: a->plain = arg; break;
    case O_HELP:
        ft_options_help(stdout, "ftstress triage RESULTS.json [--rounds N] [--budget SECONDS]", triage_options,
                        "For each root-cause group, runs its scenario on the plain interpreter (no TSan;\n"
                        "scripts/bootstrap --sanitizer none builds it) with --keep-going and classifies it:\n"
                        "crashes-without-tsan (with its rate), hangs, wrong-outcome (an arbiter's forbidden\n"
                        "value), raises, or no-effect-in-N-rounds. Writes the class into each group of\n"
                        "RESULTS.json as \"triage\" and prints a table. Exit 0, 2 usage, 3 no plain driver.\n");
        exit(0);
    }
    return 0;
}

/* The scenario row named `name` in a results document, or NULL. */
static json_t *scenario_row(json_t *doc, const char *name)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(doc, "scenarios"), i, row) {
        const char *n = json_string_value(json_object_get(row, "name"));
        if (n && !strcmp(n, name))
            return row;
    }
    return NULL;
}

/* Rounds in which a finding of `kind` showed in the plain run, summed over its findings. */
static long hit_rounds(json_t *doc, const char *kind)
{
    size_t i;
    json_t *f;
    long hits = 0;
    json_array_foreach(json_object_get(doc, "findings"), i, f) {
        const char *k = json_string_value(json_object_get(f, "kind"));
        if (k && !strcmp(k, kind))
            hits += (long)json_integer_value(json_object_get(f, "rounds_hit"));
    }
    return hits;
}

/* The class of one plain run's scenario: what it did without TSan. */
static json_t *classify(json_t *plain, const char *name, long budget_rounds, double wall, int stopped)
{
    json_t *row = scenario_row(plain, name);
    const char *outcome = row ? json_string_value(json_object_get(row, "outcome")) : NULL;
    long rounds = row ? (long)json_integer_value(json_object_get(row, "rounds_run")) : 0;
    const char *cls;
    long hits = 0;
    if (!outcome)
        return json_pack("{s:s, s:s}", "class", "not-run", "why", "the plain run has no row for the scenario");
    if (!strcmp(outcome, "crash")) {
        cls = "crashes-without-tsan";
        hits = hit_rounds(plain, "crash");
    } else if (!strcmp(outcome, "hang")) {
        cls = "hangs";
        hits = hit_rounds(plain, "hang");
    } else if (!strcmp(outcome, "forbidden")) {
        cls = "wrong-outcome";
        hits = hit_rounds(plain, "outcome");
    } else if (!strcmp(outcome, "error")) {
        cls = "raises";
        hits = hit_rounds(plain, "error");
    } else
        cls = "no-effect";
    json_t *t = json_pack("{s:s, s:I, s:I, s:I, s:f, s:b}", "class", cls, "rounds", (json_int_t)rounds, "asked_rounds",
                          (json_int_t)budget_rounds, "hit_rounds", (json_int_t)hits, "seconds", wall, "stopped_by_budget",
                          stopped);
    if (rounds > 0)
        json_object_set_new(t, "rate", json_real((double)hits / (double)rounds));
    return t;
}

/* SARIF's level for a class: what the bug does at native speed decides how loud it is. */
static const char *sarif_level(const char *cls)
{
    if (!strcmp(cls, "crashes-without-tsan") || !strcmp(cls, "hangs") || !strcmp(cls, "wrong-outcome"))
        return "error";
    if (!strcmp(cls, "raises"))
        return "warning";
    return "note";
}

static int triage(int argc, char **argv)
{
    triage_args a = {.rounds = 200, .budget = 120};
    int first;
    if (ft_options_parse(argc, argv, triage_options, on_option, &a, &first) != 0 || first != argc - 1) {
        fprintf(stderr, "usage: ftstress triage RESULTS.json [--rounds N] [--budget SECONDS] (see --help)\n");
        return FT_EXIT_USAGE;
    }
    const char *path = argv[first];
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        fprintf(stderr, "%s:%d:%d: error: %s\n", path, jerr.line, jerr.column, jerr.text);
        return FT_EXIT_USAGE;
    }
    const char *env = getenv("FTSTRESS_PLAIN_BUILD");
    char *plain_dir = a.plain ? ft_xstrdup(a.plain)
                      : env && *env ? ft_xstrdup(env)
                                    : ft_xasprintf("%s/build-plain", FTSTRESS_SOURCE_DIR);
    char *plain = ft_xasprintf("%s/harness/ftstress", plain_dir);
    free(plain_dir);
    if (access(plain, X_OK) != 0) {
        ft_error("no plain driver at %s (%s): build it with scripts/bootstrap --sanitizer none", plain, strerror(errno));
        free(plain);
        json_decref(doc);
        return FT_EXIT_CANNOT_RUN;
    }
    char tmpl[] = "/tmp/ftstress-triage-XXXXXX";
    const char *tmp = mkdtemp(tmpl);
    if (!tmp) {
        ft_error("cannot make a folder in /tmp: %s", strerror(errno));
        free(plain);
        json_decref(doc);
        return FT_EXIT_CANNOT_RUN;
    }
    printf("%-4s %-40s %-22s %-8s %s\n", "id", "group", "without TSan", "rate", "rounds on plain");
    size_t i;
    json_t *g;
    int rc = FT_EXIT_OK;
    json_array_foreach(json_object_get(doc, "groups"), i, g) {
        json_t *names = json_object_get(g, "scenarios");
        const char *name = json_string_value(json_array_get(names, 0));
        const char *gname = json_string_value(json_object_get(g, "name"));
        json_t *row = name ? scenario_row(doc, name) : NULL;
        const char *file = row ? json_string_value(json_object_get(row, "file")) : NULL;
        json_t *t;
        if (!file || access(file, R_OK) != 0) {
            t = json_pack("{s:s, s:s}", "class", "not-run", "why",
                          file ? "the scenario file is not readable from here" : "no scenario file in the results");
        } else {
            char *out = ft_xasprintf("%s/g%zu", tmp, i), *json = ft_xasprintf("%s/g%zu/r.json", tmp, i);
            char *log = ft_xasprintf("%s/g%zu.log", tmp, i), *rounds = ft_xasprintf("%ld", a.rounds);
            char *args[] = {plain, "run", (char *)file, "--filter", (char *)name, "--rounds", rounds, "--keep-going",
                            "-q", "-o", out, "--json", json, NULL};
            int stopped = 0;
            int64_t t0 = ft_now_ns();
            int status = ft_child_run(args, log, NULL, a.budget, &stopped);
            double wall = (double)(ft_now_ns() - t0) / 1e9;
            json_t *plain_doc = status < 0 ? NULL : json_load_file(json, 0, &jerr);
            if (!plain_doc) {
                ft_warn("group %zu: the plain run of '%s' exited %d without results (log %s)", i + 1, name, status, log);
                t = json_pack("{s:s, s:s, s:i}", "class", "not-run", "why", "the plain run wrote no results", "exit",
                              status);
            } else {
                t = classify(plain_doc, name, a.rounds, wall, stopped);
                json_decref(plain_doc);
            }
            free(out);
            free(json);
            free(log);
            free(rounds);
        }
        const char *cls = json_string_value(json_object_get(t, "class"));
        json_object_set_new(t, "scenario", json_string(name ? name : ""));
        json_object_set_new(t, "sarif_level", json_string(sarif_level(cls)));
        json_t *rate = json_object_get(t, "rate");
        char rate_s[32] = "-";
        if (rate && strcmp(cls, "no-effect"))
            snprintf(rate_s, sizeof rate_s, "%.1f%%", 100 * json_real_value(rate));
        char rounds_s[64] = "-";
        if (json_object_get(t, "rounds"))
            snprintf(rounds_s, sizeof rounds_s, "%lld in %.1f s%s", json_integer_value(json_object_get(t, "rounds")),
                     json_real_value(json_object_get(t, "seconds")),
                     json_is_true(json_object_get(t, "stopped_by_budget")) ? " (budget)" : "");
        char cls_s[40];
        if (!strcmp(cls, "no-effect"))
            snprintf(cls_s, sizeof cls_s, "no-effect-in-%lld-rounds", json_integer_value(json_object_get(t, "rounds")));
        else
            snprintf(cls_s, sizeof cls_s, "%s", cls);
        printf("%-4zu %-40.40s %-22s %-8s %s\n", i + 1, gname ? gname : "?", cls_s, rate_s, rounds_s);
        json_object_set_new(g, "triage", t);
    }
    fflush(stdout);
    if (ft_json_write_atomic(doc, path) != 0) {
        ft_error("cannot write %s: %s", path, strerror(errno));
        rc = FT_EXIT_CANNOT_RUN;
    } else
        ft_info("wrote each group's \"triage\" into %s", path);
    rmdir(tmp); /* left when runs wrote into it: their logs stay for a look */
    free(plain);
    json_decref(doc);
    return rc;
}

const ft_command ft_cmd_triage = {"triage", "RESULTS.json", "re-run each group on the plain interpreter and classify it",
                                  triage};
