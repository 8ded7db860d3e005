/* Turns worker events into per-scenario verdicts and deduplicated findings.
 *
 * A finding is one (scenario, signature) pair. Signatures hold function names only, never lines
 * or addresses, so that the same bug has the same signature across runs, machines and builds:
 *   race:A|B            data race; A and B the top meaningful functions of the two accesses, sorted
 *   tsan:TYPE:A|B       another TSan report type (heap-use-after-free, lock-order-inversion, ...)
 *   crash:SIGNAL:F1|F2|F3  the top three meaningful native frames (or Python frames without them)
 *   hang:SCENARIO:P1|P2 the innermost Python frame of each stuck thread
 *   error:TYPE:FRAME / check:TYPE:FRAME  exception type and the innermost Python frame */
#include "results.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "frames.h"
#include "render.h"
#include "suppressions.h"

void ft_results_init(ft_results *r, const ft_scenario_set *set, const size_t *selected, size_t n,
                     const ft_suppressions *supp, const ft_baseline *baseline)
{
    *r = (ft_results){.suppressions = supp, .baseline = baseline};
    r->scenarios = calloc(n ? n : 1, sizeof *r->scenarios);
    r->nscenarios = n;
    for (size_t i = 0; i < n; i++) {
        r->scenarios[i].scenario = &set->items[selected[i]];
        r->scenarios[i].ignored = json_object();
    }
}

static void finding_free(ft_finding *f)
{
    free(f->kind);
    free(f->signature);
    free(f->title);
    ft_strlist_free(&f->functions);
    free(f->owner);
    ft_strlist_free(&f->roles);
    ft_strlist_free(&f->threads);
    free(f->suppressed_by);
    free(f->baseline_note);
    free(f->report);
    free(f->location);
}

void ft_results_free(ft_results *r)
{
    for (size_t i = 0; i < r->nfindings; i++)
        finding_free(&r->findings[i]);
    for (size_t i = 0; i < r->nscenarios; i++) {
        free(r->scenarios[i].message);
        json_decref(r->scenarios[i].ignored);
        ft_strlist_free(&r->scenarios[i].target_modules);
    }
    free(r->findings);
    free(r->scenarios);
    free(r->command);
    *r = (ft_results){0};
}

/* The finding for (scenario, signature), created on first sight; *created says which. */
static ft_finding *finding_for(ft_results *r, size_t sc, const char *kind, const char *signature, int *created)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].scenario == sc && !strcmp(r->findings[i].signature, signature)) {
            *created = 0;
            return &r->findings[i];
        }
    r->findings = realloc(r->findings, (r->nfindings + 1) * sizeof *r->findings);
    ft_finding *f = &r->findings[r->nfindings++];
    const char *note = ft_baseline_note(r->baseline, signature);
    *f = (ft_finding){.kind = strdup(kind), .signature = strdup(signature), .scenario = sc, .last_round = -2,
                      .baseline_note = note ? strdup(note) : NULL};
    *created = 1;
    r->changed = 1;
    return f;
}

/* Counts one occurrence; a round is counted once however many reports it produced. */
static void occurrence(ft_finding *f, long round, double elapsed, int created)
{
    f->count++;
    if (created) {
        f->first_round = round;
        f->first_seconds = elapsed;
    }
    if (round != f->last_round) {
        f->rounds_hit++;
        f->last_round = round;
    }
}

/* Adds harness thread `name` ("fts:N") and its role to the finding. */
static void note_thread(ft_finding *f, const ft_scenario *s, const char *name)
{
    int index, role_thread;
    const ft_role *role;
    if (!name || sscanf(name, "fts:%d", &index) != 1)
        return;
    if (!ft_strlist_contains(&f->threads, name))
        ft_strlist_push(&f->threads, name);
    role = ft_scenario_role_of(s, index, &role_thread);
    if (role && !ft_strlist_contains(&f->roles, role->name))
        ft_strlist_push(&f->roles, role->name);
}

static const char *thread_name(const json_t *report, json_int_t tid)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(report, "threads"), i, t) if (json_integer_value(json_object_get(t, "tid")) == tid) return json_string_value(json_object_get(t, "name"));
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* "A|B|C" of the sorted names; `distinct` drops repeats (a race pair keeps "A|A"). */
static char *join_sorted(const ft_strlist *names, int distinct)
{
    ft_strlist sorted = {0};
    char *out;
    for (size_t i = 0; i < names->count; i++)
        if (!distinct || !ft_strlist_contains(&sorted, names->items[i]))
            ft_strlist_push(&sorted, names->items[i]);
    qsort(sorted.items, sorted.count, sizeof *sorted.items, cmp_str);
    out = ft_strlist_join(&sorted, "|");
    ft_strlist_free(&sorted);
    return out;
}

void ft_results_report(ft_results *r, size_t sc, json_t *report, double elapsed)
{
    const ft_scenario *s = r->scenarios[sc].scenario;
    const char *type = json_string_value(json_object_get(report, "type")) ?: "unknown";
    json_t *mops = json_object_get(report, "mops"), *m;
    ft_strlist functions = {0};
    const char *owner = "cpython";
    char *location = NULL, *joined, *signature = NULL, *title = NULL;
    int is_race = !strcmp(type, "data-race"), created;
    size_t i;

    json_array_foreach(mops, i, m) {
        json_t *frames = json_object_get(m, "frames");
        int top = ft_top_meaningful(frames);
        const char *who = ft_stack_owner(frames);
        if (i >= 2 || top < 0)
            continue; /* the first two accesses are the race; more are context */
        ft_frame f = ft_frame_from_json(json_array_get(frames, (size_t)top));
        ft_strlist_push(&functions, f.function);
        if (!location && *f.file && asprintf(&location, "%s:%d", f.file, f.line) < 0)
            abort();
        if (!strcmp(who, "target") || (!strcmp(who, "harness") && strcmp(owner, "target")))
            owner = who;
    }
    if (functions.count == 0) { /* reports without accesses (mutex misuse, leaks): their first stack */
        json_t *frames = json_array_get(json_object_get(report, "stacks"), 0);
        if (!frames)
            frames = json_object_get(json_array_get(json_object_get(report, "threads"), 0), "frames");
        int top = ft_top_meaningful(frames);
        ft_strlist_push(&functions, top >= 0 ? ft_frame_from_json(json_array_get(frames, (size_t)top)).function : "??");
        owner = frames ? ft_stack_owner(frames) : "cpython";
    }
    joined = join_sorted(&functions, 0);
    if (is_race) {
        if (asprintf(&signature, "race:%s", joined) < 0 ||
            asprintf(&title, "data race: %s%s%s", functions.items[0], functions.count > 1 ? " vs " : "",
                     functions.count > 1 ? functions.items[1] : "") < 0)
            abort();
    } else if (asprintf(&signature, "tsan:%s:%s", type, joined) < 0 ||
               asprintf(&title, "%s: %s", type, joined) < 0)
        abort();

    ft_finding *f = finding_for(r, sc, is_race ? "race" : "tsan", signature, &created);
    ft_suppression *supp = ft_suppressions_match((ft_suppressions *)r->suppressions, report);
    if (created) {
        f->title = title, title = NULL;
        f->functions = functions, functions = (ft_strlist){0};
        f->owner = strdup(owner);
        f->location = location, location = NULL;
        f->report = ft_render_report(report, s);
        if (supp && asprintf(&f->suppressed_by, "%s:%d: %s:%s", supp->file, supp->line, supp->type, supp->pattern) < 0)
            abort();
    } else if (!supp && f->suppressed_by) {
        /* Some reports of this signature escape every suppression: the finding is real. */
        free(f->suppressed_by);
        f->suppressed_by = NULL;
    }
    occurrence(f, (long)json_integer_value(json_object_get(report, "round")), elapsed, created);
    json_array_foreach(mops, i, m) note_thread(f, s, thread_name(report, json_integer_value(json_object_get(m, "tid"))));
    free(signature);
    free(title);
    free(joined);
    free(location);
    ft_strlist_free(&functions);
}

/* Who owns a finding with no native frames to go by: the extension the scenario imports, or
 * CPython when the scenario exercises only the standard library. */
static const char *scenario_owner(const ft_scenario_result *sr)
{
    return sr->target_modules.count ? "target" : "cpython";
}

static void set_status(ft_scenario_result *sr, ft_run_status st, const char *message)
{
    sr->status = st;
    free(sr->message);
    sr->message = message ? strdup(message) : NULL;
}

/* An unexpected exception or failed check: one finding per exception type and raising frame. */
static void exception_finding(ft_results *r, size_t sc, const json_t *ev, double elapsed)
{
    const ft_scenario *s = r->scenarios[sc].scenario;
    const char *kind = json_string_value(json_object_get(ev, "kind")) ?: "exception";
    const char *type = json_string_value(json_object_get(ev, "type")) ?: "?";
    const char *frame = json_string_value(json_object_get(ev, "frame")) ?: "?";
    const char *message = json_string_value(json_object_get(ev, "message")) ?: "";
    int thread = (int)json_integer_value(json_object_get(ev, "thread"));
    int is_check = !strcmp(kind, "check"), created;
    char *signature = NULL, name[32];

    if (asprintf(&signature, "%s:%s:%s", is_check ? "check" : "error", type, frame) < 0)
        abort();
    ft_finding *f = finding_for(r, sc, "error", signature, &created);
    if (created) {
        const char *base = strrchr(s->file, '/') ? strrchr(s->file, '/') + 1 : s->file;
        char *paren = NULL;
        if (asprintf(&f->title, "%s: %s in %s%s%s", is_check ? "check failed" : !strcmp(kind, "exception") ? "exception" : kind,
                     type, frame, *message ? ": " : "", message) < 0)
            abort();
        if (strlen(f->title) > 160)
            strcpy(f->title + 157, "...");
        ft_strlist_push(&f->functions, frame);
        f->owner = strdup(scenario_owner(&r->scenarios[sc]));
        f->report = strdup(json_string_value(json_object_get(ev, "traceback")) ?: "");
        /* The raising frame sits in the scenario file: point at its line there. */
        if (asprintf(&paren, "(%s)", base) < 0)
            abort();
        if (strstr(frame, paren) &&
            asprintf(&f->location, "%s:%d", s->file, (int)json_integer_value(json_object_get(ev, "line"))) < 0)
            abort();
        free(paren);
    }
    occurrence(f, (long)json_integer_value(json_object_get(ev, "round")), elapsed, created);
    if (thread >= 0) {
        snprintf(name, sizeof name, "fts:%d", thread);
        note_thread(f, s, name);
    }
    r->scenarios[sc].errors++;
    free(signature);
}

void ft_results_event(ft_results *r, size_t sc, json_t *ev, double elapsed)
{
    ft_scenario_result *sr = &r->scenarios[sc];
    const char *kind = json_string_value(json_object_get(ev, "ev")) ?: "";

    if (!strcmp(kind, "ready")) {
        sr->startup_seconds = json_real_value(json_object_get(ev, "startup_seconds"));
        if (sr->status == FT_ST_PENDING)
            sr->status = FT_ST_RAN;
    } else if (!strcmp(kind, "gil")) {
        json_t *t;
        size_t k;
        sr->gil_enabled = json_is_true(json_object_get(ev, "enabled"));
        json_array_foreach(json_object_get(ev, "targets"), k, t) if (!ft_strlist_contains(&sr->target_modules, json_string_value(t)))
            ft_strlist_push(&sr->target_modules, json_string_value(t));
        if (sr->gil_enabled && !json_is_true(json_object_get(ev, "allowed")))
            set_status(sr, FT_ST_NOT_RUN,
                       "the GIL was re-enabled by an import (a module without Py_mod_gil); set env: {PYTHON_GIL: \"0\"} "
                       "to force it off, or PYTHON_GIL: \"1\" to run with the GIL on as a control");
    } else if (!strcmp(kind, "syntax")) {
        char *msg = NULL;
        if (asprintf(&msg, "%s:%d:%d: error: %s in '%s' of scenario '%s'", sr->scenario->file,
                     (int)json_integer_value(json_object_get(ev, "line")),
                     (int)json_integer_value(json_object_get(ev, "column")),
                     json_string_value(json_object_get(ev, "message")) ?: "invalid syntax",
                     json_string_value(json_object_get(ev, "block")) ?: "?", sr->scenario->name) < 0)
            abort();
        set_status(sr, FT_ST_SCENARIO_ERROR, msg);
        free(msg);
    } else if (!strcmp(kind, "fatal")) {
        const char *what = json_string_value(json_object_get(ev, "kind")) ?: "";
        const char *tb = json_string_value(json_object_get(ev, "traceback"));
        const char *msg = json_string_value(json_object_get(ev, "message"));
        char *text = NULL;
        if (asprintf(&text, "%s failed: %s", what, tb && *tb ? tb : msg ? msg : "?") < 0)
            abort();
        set_status(sr, !strcmp(what, "scenario") ? FT_ST_SCENARIO_ERROR : FT_ST_NOT_RUN, text);
        free(text);
    } else if (!strcmp(kind, "error"))
        exception_finding(r, sc, ev, elapsed);
    else if (!strcmp(kind, "done")) {
        const char *type;
        json_t *n;
        sr->rounds_run += (long)json_integer_value(json_object_get(ev, "rounds"));
        sr->seconds += json_real_value(json_object_get(ev, "seconds"));
        sr->skew_ns = (long)json_integer_value(json_object_get(ev, "skew_ns_median"));
        json_object_foreach(json_object_get(ev, "ignored"), type, n) json_object_set_new(
            sr->ignored, type, json_integer(json_integer_value(json_object_get(sr->ignored, type)) + json_integer_value(n)));
    }
    r->changed = 1;
}

void ft_results_worker_ended(ft_results *r, size_t sc, long rounds_done, double seconds)
{
    /* Only for workers that ended before their "done" event: the status page says how far they got. */
    r->scenarios[sc].rounds_run += rounds_done;
    r->scenarios[sc].seconds += seconds;
}

void ft_results_crash(ft_results *r, size_t sc, int sig, int exit_code, long round, const char *stacks,
                      const char *tsan_log, double elapsed)
{
    ft_crash_info c;
    int created;
    char *signature = NULL;

    ft_parse_crash(&c, sig, exit_code, stacks, tsan_log);
    if (asprintf(&signature, "crash:%s:%s", c.signal_name, c.frames_joined) < 0)
        abort();
    ft_finding *f = finding_for(r, sc, "crash", signature, &created);
    if (created) {
        if (asprintf(&f->title, "crash: %s in %s", c.signal_name, c.top ? c.top : "?") < 0)
            abort();
        for (size_t i = 0; i < c.functions.count; i++)
            ft_strlist_push(&f->functions, c.functions.items[i]);
        /* Without native frames in extension code, the crash belongs to what the scenario tests. */
        f->owner = strdup(json_array_size(c.native) ? c.owner : scenario_owner(&r->scenarios[sc]));
        f->report = ft_render_crash(&c, round, stacks, tsan_log);
        f->location = c.location ? strdup(c.location) : NULL;
    }
    occurrence(f, round, elapsed, created);
    if (r->scenarios[sc].status == FT_ST_PENDING)
        r->scenarios[sc].status = FT_ST_RAN;
    ft_crash_info_free(&c);
    free(signature);
}

void ft_results_hang(ft_results *r, size_t sc, long round, double timeout, const char *stacks, double elapsed)
{
    const ft_scenario *s = r->scenarios[sc].scenario;
    ft_strlist frames = {0};
    char *joined, *signature = NULL;
    int created;

    ft_stuck_frames(stacks, &frames);
    joined = join_sorted(&frames, 1);
    if (asprintf(&signature, "hang:%s:%s", s->name, *joined ? joined : "no-python-frames") < 0)
        abort();
    ft_finding *f = finding_for(r, sc, "hang", signature, &created);
    if (created) {
        if (asprintf(&f->title, "hang: round %ld passed its %gs timeout in %s", round, timeout,
                     *joined ? joined : "native code") < 0)
            abort();
        f->functions = frames, frames = (ft_strlist){0};
        f->owner = strdup(scenario_owner(&r->scenarios[sc]));
        if (asprintf(&f->report, "Round %ld of scenario '%s' ran longer than its timeout (%g s).\n"
                                 "Python stacks of every thread at that moment:\n\n%s",
                     round, s->name, timeout, *stacks ? stacks : "(the worker wrote no stacks)\n") < 0)
            abort();
    }
    occurrence(f, round, elapsed, created);
    if (r->scenarios[sc].status == FT_ST_PENDING)
        r->scenarios[sc].status = FT_ST_RAN;
    ft_strlist_free(&frames);
    free(joined);
    free(signature);
}

int ft_finding_counts(const ft_finding *f) { return !f->suppressed_by && !f->baseline_note; }

static ft_outcome outcome_of(const ft_finding *f)
{
    if (!strcmp(f->kind, "crash"))
        return FT_CRASH;
    if (!strcmp(f->kind, "hang"))
        return FT_HANG;
    if (!strcmp(f->kind, "error"))
        return FT_ERROR;
    return FT_RACE;
}

void ft_results_finish(ft_results *r)
{
    for (size_t i = 0; i < r->nscenarios; i++) {
        ft_scenario_result *sr = &r->scenarios[i];
        sr->outcome = FT_CLEAN;
        for (size_t k = 0; k < r->nfindings; k++)
            if (r->findings[k].scenario == i && ft_finding_counts(&r->findings[k]) &&
                outcome_of(&r->findings[k]) > sr->outcome)
                sr->outcome = outcome_of(&r->findings[k]);
        sr->passed = sr->status == FT_ST_RAN && sr->outcome == sr->scenario->expect;
    }
}

int ft_results_expectation_met(ft_results *r, size_t sc)
{
    ft_scenario_result *sr = &r->scenarios[sc];
    ft_outcome worst = FT_CLEAN;
    if (sr->scenario->expect == FT_CLEAN)
        return 0;
    for (size_t k = 0; k < r->nfindings; k++)
        if (r->findings[k].scenario == sc && ft_finding_counts(&r->findings[k]) && outcome_of(&r->findings[k]) > worst)
            worst = outcome_of(&r->findings[k]);
    return worst == sr->scenario->expect;
}

int ft_results_exit_code(const ft_results *r)
{
    int code = 0;
    for (size_t i = 0; i < r->nscenarios; i++) {
        const ft_scenario_result *sr = &r->scenarios[i];
        if (sr->status == FT_ST_SCENARIO_ERROR)
            return 2;
        if (sr->status == FT_ST_NOT_RUN)
            code = 3;
        else if (!sr->passed && code == 0)
            code = 1;
    }
    return code;
}
