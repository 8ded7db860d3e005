/* The terminal summary of a results document: verdicts, then one line per finding. */
#include <stdlib.h>
#include <string.h>

#include "exercise_table.h"
#include "hit_rate.h"
#include "report_headline.h"
#include "reporters.h"
#include "source_paths.h"

/* What suppressed every finding of group `g` (the first member's entry), or NULL when one is not
 * suppressed. */
static const char *group_suppressed_by(const json_t *findings, const json_t *g)
{
    const char *by = NULL;
    size_t i;
    json_t *f;
    json_array_foreach((json_t *)findings, i, f) {
        if (json_integer_value(json_object_get(f, "group")) != json_integer_value(json_object_get(g, "id")))
            continue;
        if (!json_is_true(json_object_get(f, "suppressed")))
            return NULL;
        if (!by)
            by = json_string_value(json_object_get(f, "suppressed_by")) ?: "a suppression";
    }
    return by;
}

/* A finding's mark in the tables: supp, known, expect (its scenario passed on the race or crash it
 * was written to produce) or NEW. */
static const char *finding_mark(const json_t *f, const json_t *expected_by)
{
    return json_is_true(json_object_get(f, "suppressed"))                                          ? "supp"
           : json_is_true(json_object_get(f, "baselined"))                                         ? "known"
           : json_object_get(expected_by, json_string_value(json_object_get(f, "scenario")) ?: "") ? "expect"
                                                                                                   : "NEW";
}

/* A group not in the baseline is NEW when one of its findings is; when its scenarios expected every
 * one of them it is `expect`, like its findings: a passing run (exit 0) is not shown a NEW bug. */
static const char *new_group_mark(const json_t *findings, const json_t *g, const json_t *expected_by)
{
    size_t i;
    json_t *f;
    json_array_foreach((json_t *)findings, i, f) {
        if (json_integer_value(json_object_get(f, "group")) == json_integer_value(json_object_get(g, "id")) &&
            !strcmp(finding_mark(f, expected_by), "NEW"))
            return "NEW";
    }
    return "expect";
}

/* `text` in a column `width` wide that starts `indent` columns into the line: a longer text (a C++
 * signature, a Cython name) is broken after a space, comma or parenthesis (or, with none, at the
 * width) onto lines that start at the column, and its last line is padded to the width, so the
 * columns after it stay aligned. */
static void put_cell(FILE *out, const char *text, int width, int indent)
{
    size_t len = strlen(text);
    while ((int)len > width) {
        int cut = width;
        for (int k = width; k > width / 2; k--)
            if (strchr(" ,(<", text[k - 1])) {
                cut = k;
                break;
            }
        while (cut > 1 && ((unsigned char)text[cut] & 0xC0) == 0x80) /* never inside a UTF-8 character */
            cut--;
        int shown = cut;
        while (shown > 0 && text[shown - 1] == ' ')
            shown--;
        fprintf(out, "%.*s\n%*s", shown, text, indent, "");
        text += cut;
        len -= (size_t)cut;
        while (*text == ' ')
            text++, len--;
    }
    fprintf(out, "%-*s", width, text);
}

static double hit_rate(const json_t *f)
{
    double run = (double)json_integer_value(json_object_get(f, "rounds_run"));
    return run > 0 ? 100.0 * (double)json_integer_value(json_object_get(f, "rounds_hit")) / run : 0.0;
}

/* The arbiter's results of a scenario, one line per distinct value, jcstress-style. */
static void print_histogram(FILE *out, const json_t *s)
{
    json_t *h = json_object_get(s, "outcomes"), *e;
    size_t i;
    if (!json_array_size(h))
        return;
    fprintf(out, "       %-24s %8s %6s  %-11s %s\n", "arbiter value", "rounds", "first", "verdict", "description");
    json_array_foreach(h, i, e) {
        const char *verdict = json_string_value(json_object_get(e, "verdict")) ?: "?";
        fprintf(out, "       %-24s %8lld %6lld  %-11s %s\n", json_string_value(json_object_get(e, "value")) ?: "?",
                (long long)json_integer_value(json_object_get(e, "count")),
                (long long)json_integer_value(json_object_get(e, "first_round")),
                !strcmp(verdict, "forbidden") ? "FORBIDDEN" : verdict,
                json_string_value(json_object_get(e, "description")) ?: "");
    }
    if (json_integer_value(json_object_get(s, "outcomes_not_listed")))
        fprintf(out, "       (%lld more rounds had values past the first %d distinct ones)\n",
                (long long)json_integer_value(json_object_get(s, "outcomes_not_listed")), 100);
}

/* A function's name without the scenario's first module (the one under test: `init` lists it first),
 * however many it imports, so that one scenario's names and the next's take the same form
 * (`BufferedRWPair`, never `_io.BufferedRWPair` in one line and `BufferedRWPair` in the next);
 * the other modules' names keep their module. */
static const char *short_name(const json_t *ex, const char *name)
{
    const char *mod = json_string_value(json_array_get(json_object_get(ex, "modules"), 0));
    size_t n = mod ? strlen(mod) : 0;
    if (n && !strncmp(name, mod, n) && name[n] == '.')
        return name + n + 1;
    return name;
}

/* One line on what the bodies exercised, and a warning when they never reached the target.
 * Returns 1 for a scenario whose target was not reached. */
static int print_exercised(FILE *out, const json_t *s, int verbose)
{
    const json_t *ex = json_object_get(s, "exercised"), *v;
    const char *name;
    size_t i;
    long most = 0;
    if (!json_is_object(ex) || !json_integer_value(json_object_get(ex, "functions_total")))
        return 0;
    if (json_is_true(json_object_get(ex, "reached_by_findings"))) {
        fprintf(out, "       exercised: no call counted (made through slots or from C, or before the worker's first count), "
                     "but the findings' native stacks are in the extension: it was reached\n");
        return 0;
    }
    if (!json_integer_value(json_object_get(ex, "workers_reported"))) {
        fprintf(out, "       exercised: unknown (the worker ended before its first count: stopped at the expected outcome, or crashed)\n");
        return 0;
    }
    json_object_foreach((json_t *)json_object_get(ex, "calls"), name, v)
        if (json_integer_value(json_object_get(v, "max_concurrent")) > most)
            most = (long)json_integer_value(json_object_get(v, "max_concurrent"));
    if (json_is_false(json_object_get(ex, "target_reached")))
        goto warn;
    fprintf(out, "       exercised: %lld of %lld target functions, max %ld thread%s at once",
            (long long)json_integer_value(json_object_get(ex, "functions_reached")),
            (long long)json_integer_value(json_object_get(ex, "functions_total")), most, most == 1 ? "" : "s");
    json_t *missing = json_object_get(ex, "not_reached");
    json_array_foreach(missing, i, v) {
        if (i == 8 && !verbose) {
            fprintf(out, " and %zu more", json_array_size(missing) - i);
            break;
        }
        fprintf(out, "%s%s", i ? ", " : "; not reached: ", short_name(ex, json_string_value(v)));
    }
    fprintf(out, "%s\n", json_is_false(json_object_get(ex, "complete")) ? " (a worker was stopped early: counted up to its last snapshot)" : "");
    if (verbose) {
        json_object_foreach((json_t *)json_object_get(ex, "roles"), name, v) {
            const char *type;
            json_t *n;
            fprintf(out, "       role %s: %lld body calls completed", name, (long long)json_integer_value(json_object_get(v, "body_calls")));
            json_object_foreach(json_object_get(v, "exceptions"), type, n) fprintf(out, ", %lld %s", (long long)json_integer_value(n), type);
            fprintf(out, "\n");
        }
    }
    json_t *any = json_object_get(ex, "max_concurrent_any");
    if (json_is_integer(any) && json_integer_value(any) <= 1 && json_integer_value(json_object_get(s, "threads")) > 1 &&
        json_is_true(json_object_get(ex, "target_reached")) && json_string_value(json_object_get(s, "outcome")) &&
        !strcmp(json_string_value(json_object_get(s, "outcome")), "clean"))
        /* Not "could not race": TSan reports accesses that never overlapped in time when nothing
         * ordered them, but the interpreter synchronises a lot between two calls (allocator, shared
         * objects' reference counts), and each such edge hides the pair. */
        fprintf(out, "       warning: no two threads were ever in the target's functions at once: TSan reports calls that "
                     "did not overlap only when nothing ordered them in between, so this clean outcome is weak evidence. "
                     "The machine was busy or had one CPU free, or each call is too short to meet another: give each "
                     "call more work (a loop in the body, bigger inputs) or run with CPUs free\n");
    if (!json_is_false(json_object_get(ex, "target_reached")))
        return 0;
warn:
    fprintf(out, "       warning: target not reached: no body called any of the %lld functions of ",
            (long long)json_integer_value(json_object_get(ex, "functions_total")));
    json_array_foreach(json_object_get(ex, "modules"), i, v) fprintf(out, "%s%s", i ? ", " : "", json_string_value(v));
    fprintf(out, "\n       (operators, comparisons, attributes and calls made from C, such as by map or a callback, are not counted "
                 "(a type's len, item access, iteration, `in`, repr and hash are): if the body reaches the target only "
                 "through those, this warning is wrong)\n");
    return 1;
}

/* A group's hit rate, one line per scenario it occurred in (the scenario named when several).
 * Returns whether a rate shown is a lower bound, for the footnote that says why. */
static int print_group_rates(FILE *out, const json_t *g)
{
    json_t *by = json_object_get(g, "by_scenario"), *row;
    size_t i;
    int lower = 0;
    json_array_foreach(by, i, row) {
        ft_hit_rate h;
        char text[200];
        if (ft_hit_rate_from_json(row, &h) != 0)
            continue;
        ft_hit_rate_format(&h, text, sizeof text);
        fprintf(out, "       %s%s%s\n", text, json_array_size(by) > 1 ? " in " : "",
                json_array_size(by) > 1 ? json_string_value(json_object_get(row, "scenario")) ?: "?" : "");
        lower |= h.lower_bound;
    }
    /* what `ftstress triage` measured on the plain interpreter */
    json_t *t = json_object_get(g, "triage");
    const char *cls = json_string_value(json_object_get(t, "class"));
    if (cls && json_object_get(t, "rounds"))
        fprintf(out, "       without TSan: %s, %lld of %lld rounds on the plain interpreter\n",
                !strcmp(cls, "no-effect") ? "no effect" : cls,
                (long long)json_integer_value(json_object_get(t, "hit_rounds")),
                (long long)json_integer_value(json_object_get(t, "rounds")));
    else if (cls)
        fprintf(out, "       without TSan: %s (%s)\n", cls, json_string_value(json_object_get(t, "why")) ?: "");
    return lower;
}

void ft_report_text(const json_t *doc, FILE *out, int verbose)
{
    json_t *scenarios = json_object_get(doc, "scenarios"), *findings = json_object_get(doc, "findings"), *s, *f;
    size_t i, passed = 0, shown = 0, unreached = 0;

    fprintf(out, "\n%-6s %-34s %-9s %-9s %8s %8s\n", "", "scenario", "expect", "outcome", "rounds", "seconds");
    json_t *expected_by = json_object(); /* scenarios that passed on an expected race, crash... */
    json_array_foreach(scenarios, i, s) {
        if (json_is_true(json_object_get(s, "passed")) && strcmp(json_string_value(json_object_get(s, "expect")) ?: "", "clean"))
            json_object_set_new(expected_by, json_string_value(json_object_get(s, "name")), json_true());
    }
    json_array_foreach(scenarios, i, s) {
        const char *status = json_string_value(json_object_get(s, "status")) ?: "";
        const char *verdict = json_is_true(json_object_get(s, "passed")) ? "ok"
                              : !strcmp(status, "not-run")              ? "NOTRUN"
                              : !strcmp(status, "scenario-error")       ? "ERROR"
                              : !strcmp(status, "pending")              ? "SKIP"
                                                                        : "FAIL";
        passed += json_is_true(json_object_get(s, "passed"));
        /* A scenario that did not run has no outcome: "clean" there would be a lie. */
        fprintf(out, "%-6s %-34s %-9s %-9s %8lld %8.2f\n", verdict, json_string_value(json_object_get(s, "name")),
                json_string_value(json_object_get(s, "expect")),
                strcmp(status, "ran") ? "-" : json_string_value(json_object_get(s, "outcome")),
                (long long)json_integer_value(json_object_get(s, "rounds_run")),
                json_number_value(json_object_get(s, "seconds")));
        if (json_is_string(json_object_get(s, "message")))
            fprintf(out, "       %s\n", json_string_value(json_object_get(s, "message")));
        print_histogram(out, s);
        unreached += (size_t)print_exercised(out, s, verbose);
    }
    /* Root-cause groups first: one line per bug, however many findings it produced. */
    json_t *groups = json_object_get(doc, "groups"), *g;
    size_t shown_groups = 0;
    int lower_bound = 0;
    /* every group a single finding: the findings table says it all, each finding with its rate */
    int singletons = json_array_size(groups) == json_array_size(findings);
    json_array_foreach(groups, i, g) {
        if (json_array_size(json_object_get(g, "members")) < 2 && singletons)
            continue;
        if (!shown_groups++)
            fprintf(out, "\n%-6s %-7s %-44s %s\n", "", "owner", "group (one root cause)", "findings");
        const char *by = group_suppressed_by(findings, g);
        fprintf(out, "%-6s %-7s ", json_is_true(json_object_get(g, "new")) ? new_group_mark(findings, g, expected_by)
                                   : by                                 ? "supp"
                                                                        : "",
                json_string_value(json_object_get(g, "owner")));
        put_cell(out, json_string_value(json_object_get(g, "name")) ?: "?", 44, 15);
        fprintf(out, " %s\n", json_string_value(json_object_get(g, "summary")));
        if (by)
            fprintf(out, "       suppressed by %s\n", by);
        size_t j;
        json_t *joined;
        json_array_foreach(json_object_get(g, "joined"), j, joined)
            fprintf(out, "       joined: %s, %s\n", json_string_value(json_object_get(joined, "signature")),
                    json_string_value(json_object_get(joined, "because")));
        lower_bound |= print_group_rates(out, g);
    }
    if (json_array_size(findings)) {
        fprintf(out, "\n%-6s %-8s %-7s %-58s %6s %7s %s\n", "", "kind", "owner", "finding", "count", "hit", "scenario");
        json_array_foreach(findings, i, f) {
            const char *mark = finding_mark(f, expected_by);
            if (!verbose && !strcmp(mark, "supp") && !json_is_true(json_object_get(f, "suppressed_target")) &&
                json_array_size(findings) > 30)
                continue; /* long runs: suppressed findings only with -v, unless they hide the extension's */
            shown++;
            fprintf(out, "%-6s %-8s %-7s ", mark, json_string_value(json_object_get(f, "kind")),
                    json_string_value(json_object_get(f, "owner")));
            put_cell(out, json_string_value(json_object_get(f, "title")) ?: "?", 58, 24);
            fprintf(out, " %6lld %6.1f%% %s\n", (long long)json_integer_value(json_object_get(f, "count")), hit_rate(f),
                    json_string_value(json_object_get(f, "scenario")));
            if (json_is_string(json_object_get(f, "location"))) { /* relative to the tree that was built */
                char *at = ft_source_path_shown(json_string_value(json_object_get(f, "location")));
                fprintf(out, "       at %s\n", at);
                free(at);
            }
            json_t *own = json_array_get(groups, (size_t)json_integer_value(json_object_get(f, "group")) - 1);
            if (singletons && own && json_array_size(json_object_get(own, "members")) < 2)
                lower_bound |= print_group_rates(out, own);
            if (json_is_string(json_object_get(f, "suppressed_by")))
                fprintf(out, "       suppressed by %s%s\n", json_string_value(json_object_get(f, "suppressed_by")),
                        json_is_true(json_object_get(f, "suppressed_target"))
                            ? "\n       warning: this entry suppressed a race in your extension (its code is on the stack)"
                            : "");
            if (json_is_string(json_object_get(f, "baseline_note")) && strcmp(mark, "known") == 0)
                fprintf(out, "       known: %s\n", json_string_value(json_object_get(f, "baseline_note")));
            if (verbose)
                fprintf(out, "\n%s\n", json_string_value(json_object_get(f, "report")) ?: "");
        }
    }
    json_decref(expected_by);
    if (lower_bound)
        fprintf(out, "\n≥: a worker ran several rounds, and TSan reports a pair of stacks once per process, so "
                     "later rounds could not report it again;\n   rounds_per_worker: 1 gives exact rates.\n");
    json_t *no_rows = json_array(), *report_groups = ft_report_groups(doc, no_rows);
    char *causes = ft_headline_root_causes(report_groups); /* the HTML and Markdown headline's words */
    fprintf(out, "\n%zu of %zu scenarios met their expectation; %zu findings in %s", passed, json_array_size(scenarios),
            json_array_size(findings), causes);
    free(causes);
    json_decref(report_groups);
    json_decref(no_rows);
    if (shown < json_array_size(findings))
        fprintf(out, "; %zu suppressed findings not shown (-v shows all)", json_array_size(findings) - shown);
    fprintf(out, ".\n");
    if (unreached)
        fprintf(out, "warning: %zu scenario%s never reached the target's code (\"target not reached\" above).\n", unreached,
                unreached == 1 ? "" : "s");
}
