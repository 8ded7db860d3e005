/* Turns worker events into per-scenario verdicts and deduplicated findings.
 *
 * A finding is one (scenario, signature) pair; signature.c says how signatures are made.
 * Findings then form root-cause groups (grouping.c), and the baseline knows signatures and groups. */
#include "results.h"
#include "exit_codes.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "exercise_results.h"
#include "frames.h"
#include "grouping.h"
#include "hang.h"
#include "native_stack.h"
#include "outcomes.h"
#include "log.h"
#include "render.h"
#include "signature.h"
#include "suppressions.h"
#include "utf8.h"
#include "xalloc.h"

void ft_results_init(ft_results *r, const ft_scenario_set *set, const size_t *selected, size_t n,
                     const ft_suppressions *supp, const ft_baseline *baseline)
{
    *r = (ft_results){.suppressions = supp, .baseline = baseline};
    r->scenarios = ft_xcalloc(n ? n : 1, sizeof *r->scenarios);
    r->nscenarios = n;
    for (size_t i = 0; i < n; i++) {
        r->scenarios[i].scenario = &set->items[selected[i]];
        r->scenarios[i].ignored = json_object();
        r->scenarios[i].histogram = json_array();
        r->scenarios[i].exercised = ft_exercise_sum_new();
    }
}

static void finding_free(ft_finding *f)
{
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
    free(f->joined_because);
    ft_strlist_free(&f->anchors);
    ft_roundset_free(&f->hit);
}

void ft_results_free(ft_results *r)
{
    for (size_t i = 0; i < r->nfindings; i++)
        finding_free(&r->findings[i]);
    for (size_t i = 0; i < r->nscenarios; i++) {
        free(r->scenarios[i].message);
        json_decref(r->scenarios[i].ignored);
        json_decref(r->scenarios[i].histogram);
        json_decref(r->scenarios[i].exercised);
        ft_strlist_free(&r->scenarios[i].target_modules);
    }
    ft_groups_free(r);
    free(r->findings);
    free(r->scenarios);
    free(r->command);
    *r = (ft_results){0};
}

/* The finding for (scenario, signature), created on first sight; *created says which. */
static ft_finding *finding_for(ft_results *r, size_t sc, ft_finding_kind kind, const char *signature, int *created)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].scenario == sc && !strcmp(r->findings[i].signature, signature)) {
            *created = 0;
            return &r->findings[i];
        }
    r->findings = ft_xrealloc(r->findings, (r->nfindings + 1) * sizeof *r->findings);
    ft_finding *f = &r->findings[r->nfindings++];
    const char *note = ft_baseline_note(r->baseline, signature);
    *f = (ft_finding){.kind = kind, .signature = ft_xstrdup(signature), .scenario = sc, .last_round = -2,
                      .baseline_note = note ? ft_xstrdup(note) : NULL};
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
    ft_roundset_add(&f->hit, round);
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

/* A finding of scenario `sc` whose function pair contains `function` (a whole pair, not one that
 * was itself degraded), or NULL. */
static ft_finding *ft_find_pair_with(ft_results *r, size_t sc, ft_finding_kind kind, const char *function)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        ft_finding *f = &r->findings[i];
        size_t n = strlen(f->signature);
        if (f->scenario == sc && f->kind == kind && ft_strlist_contains(&f->functions, function) &&
            !(n >= 2 && !strcmp(f->signature + n - 2, "|?")))
            return f;
    }
    return NULL;
}

/* An abort while an object is being deallocated: the debug allocator or a refcount check stopping
 * the process over memory a race already corrupted (seen: p7's ring, whose racing pushes and pops
 * ended in SIGABRT in ring_dealloc in one rerun of five, the baseline run having seen the race).
 * Even with the extension's own dealloc on the stack, that is the known race's aftermath. */
static int dealloc_abort(const ft_finding *f)
{
    const char *sig = f->signature;
    if (f->kind != FT_KIND_CRASH || strncmp(sig, "crash:SIGABRT:", 14))
        return 0;
    for (const char *p = strstr(sig, "_dealloc"); p; p = strstr(p + 1, "_dealloc"))
        if (p[8] == '\0' || p[8] == '|')
            return 1;
    return strstr(sig, "_Py_Dealloc") != NULL;
}

/* A baseline that knows the group a finding connects to makes it known too (after anchors grow). */
static void apply_baseline_groups(ft_results *r, ft_finding *f)
{
    const char *note;
    if (f->baseline_note || !r->baseline)
        return;
    const json_t *g = ft_baseline_group_for(r->baseline, &f->anchors);
    if (g) { /* by name first: the note is the group's findings when the baseline was written */
        const char *name = json_string_value(json_object_get(g, "name")), *gnote = json_string_value(json_object_get(g, "note"));
        f->baseline_note = ft_xasprintf("joins the known group %s%s%s%s", name ? name : "(unnamed)", gnote ? " (" : "",
                                        gnote ? gnote : "", gnote ? ")" : "");
        return;
    }
    if ((f->owner && strcmp(f->owner, "target")) || dealloc_abort(f)) {
        note = ft_baseline_aftermath_note(r->baseline, r->scenarios[f->scenario].scenario->name,
                                          ft_finding_kind_is_fatal(f->kind));
        if (note)
            f->baseline_note = ft_xasprintf("aftermath of a known memory-corrupting bug in this scenario: %s", note);
    }
}

long ft_results_report(ft_results *r, size_t sc, json_t *report, double elapsed)
{
    const ft_scenario *s = r->scenarios[sc].scenario;
    json_t *mops = json_object_get(report, "mops"), *m;
    ft_report_sig sig;
    int created;
    size_t i;

    ft_report_signature(report, &sig);
    if (sig.degraded) {
        /* TSan could not restore one stack: count it with a finding that already names the function
         * it did restore, rather than give the same bug a second identity. */
        ft_finding *known = ft_find_pair_with(r, sc, sig.kind, sig.functions.items[0]);
        if (known) {
            free(sig.signature);
            sig.signature = ft_xstrdup(known->signature);
        }
    }
    ft_finding *f = finding_for(r, sc, sig.kind, sig.signature, &created);
    ft_suppression *supp = ft_suppressions_match((ft_suppressions *)r->suppressions, report);
    if (created) {
        f->title = sig.title, sig.title = NULL;
        f->functions = sig.functions, sig.functions = (ft_strlist){0};
        f->owner = ft_xstrdup(sig.owner);
        f->location = sig.location, sig.location = NULL;
        f->report = ft_render_report(report, s);
        if (supp)
            f->suppressed_by = ft_xasprintf("%s:%d: %s:%s", supp->file, supp->line, supp->type, supp->pattern);
    } else if (!supp && f->suppressed_by) {
        /* Some reports of this signature escape every suppression: the finding is real. */
        free(f->suppressed_by);
        f->suppressed_by = NULL;
    }
    if (supp && !strcmp(sig.owner, "target"))
        f->suppressed_target = 1;
    ft_anchors_from_report(&f->anchors, report, s->name);
    apply_baseline_groups(r, f);
    occurrence(f, (long)json_integer_value(json_object_get(report, "round")), elapsed, created);
    json_array_foreach(mops, i, m) note_thread(f, s, thread_name(report, json_integer_value(json_object_get(m, "tid"))));
    ft_report_sig_free(&sig);
    return f->count;
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
    sr->message = message ? ft_xstrdup(message) : NULL;
}

/* The module under test that `name` ("module.Type.method") belongs to, or NULL. */
static const char *target_module_of(const ft_scenario_result *sr, const char *name)
{
    for (size_t i = 0; i < sr->target_modules.count; i++) {
        const char *m = sr->target_modules.items[i];
        size_t n = strlen(m);
        if (!strncmp(name, m, n) && name[n] == '.')
            return m;
    }
    return NULL;
}

/* A failed check, or an error only Python code raises (a name or syntax error), that no target C
 * function raised: the scenario's own code is wrong. */
static int own_code_error(int is_check, const char *type)
{
    static const char *const python_only[] = {"NameError", "UnboundLocalError", "SyntaxError", "IndentationError",
                                              "TabError"};
    if (is_check)
        return 1;
    for (size_t i = 0; i < sizeof python_only / sizeof *python_only; i++)
        if (!strcmp(type, python_only[i]))
            return 1;
    return 0;
}

/* An unexpected exception or failed check: one finding per exception type and raising frame. */
static void exception_finding(ft_results *r, size_t sc, const json_t *ev, double elapsed)
{
    const ft_scenario *s = r->scenarios[sc].scenario;
    const char *kind = json_string_value(json_object_get(ev, "kind")) ?: "exception";
    const char *type = json_string_value(json_object_get(ev, "type")) ?: "?";
    const char *frame = json_string_value(json_object_get(ev, "frame")) ?: "?";
    const char *message = json_string_value(json_object_get(ev, "message")) ?: "";
    const char *raised_by = json_string_value(json_object_get(ev, "raised_by")); /* "module.Type.method" */
    int thread = (int)json_integer_value(json_object_get(ev, "thread"));
    int is_check = !strcmp(kind, "check"), created;
    char *signature = NULL, name[32];

    signature = ft_xasprintf("%s:%s:%s", is_check ? "check" : "error", type, frame);
    ft_finding *f = finding_for(r, sc, FT_KIND_ERROR, signature, &created);
    if (created) {
        const char *base = strrchr(s->file, '/') ? strrchr(s->file, '/') + 1 : s->file;
        char *paren = NULL;
        const char *module = raised_by ? target_module_of(&r->scenarios[sc], raised_by) : NULL;
        f->title = ft_xasprintf("%s: %s%s%s in %s%s%s", is_check ? "check failed" : !strcmp(kind, "exception") ? "exception" : kind,
                                type, raised_by ? " from " : "", raised_by ? raised_by : "", frame, *message ? ": " : "", message);
        ft_utf8_truncate(f->title, 160, "...");
        /* Named after the target function that raised it when one did (the group reads "hiredis:
         * Reader.gets"), else after the scenario's frame it left. */
        if (module) {
            ft_strlist_push(&f->functions, raised_by + strlen(module) + 1);
            char *anchor = ft_xasprintf("mod:%s", module);
            ft_strlist_push(&f->anchors, anchor);
            free(anchor);
        } else { /* "ValueError in body[body] (x.yaml)": two exception types there are two groups */
            char *what = ft_xasprintf("%s in %s", type, raised_by ? raised_by : frame);
            ft_strlist_push(&f->functions, what);
            free(what);
        }
        /* No C function of the target raised it: the scenario's own code did (a NameError, a
         * failing check). It is shown apart and is no finding of the target's. */
        f->owner = ft_xstrdup(module ? "target" : !raised_by && own_code_error(is_check, type) ? "scenario"
                                                                                          : scenario_owner(&r->scenarios[sc]));
        f->report = ft_xstrdup(json_string_value(json_object_get(ev, "traceback")) ?: "");
        /* The raising frame sits in the scenario file: point at its line there. */
        paren = ft_xasprintf("(%s)", base);
        if (strstr(frame, paren))
            f->location = ft_xasprintf("%s:%d", s->file, (int)json_integer_value(json_object_get(ev, "line")));
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

/* One round's result from the arbiter: counted in the histogram, graded by `outcomes:` the first
 * time the value is seen; a forbidden value is a finding of its own kind, the scenario's. */
static void outcome_event(ft_results *r, size_t sc, const json_t *ev, double elapsed)
{
    ft_scenario_result *sr = &r->scenarios[sc];
    const ft_scenario *s = sr->scenario;
    const char *value = json_string_value(json_object_get(ev, "value")) ?: "?";
    long round = (long)json_integer_value(json_object_get(ev, "round"));
    json_t *entry = NULL, *e;
    size_t i;

    json_array_foreach(sr->histogram, i, e) if (!strcmp(json_string_value(json_object_get(e, "value")) ?: "", value)) entry = e;
    if (!entry) {
        static int warned;
        if (json_array_size(sr->histogram) >= FT_HISTOGRAM_MAX) {
            sr->histogram_dropped++;
            if (!warned++)
                ft_warn("scenario '%s': more than %d distinct arbiter values; later ones are counted, not listed "
                        "(FT_HISTOGRAM_MAX in harness/findings/results.h)", s->name, FT_HISTOGRAM_MAX);
            return;
        }
        const ft_outcome_rule *rule = ft_outcome_rule_for(s, value);
        entry = json_pack("{s:o, s:s, s:s, s:I, s:I}", "value", json_string(value), "verdict",
                          ft_verdict_name(rule ? rule->verdict : FT_FORBIDDEN_RESULT), "description",
                          rule ? rule->description : "no outcome matches this value", "count", (json_int_t)0,
                          "first_round", (json_int_t)round);
        if (!entry)
            return;
        json_array_append_new(sr->histogram, entry);
    }
    json_object_set_new(entry, "count", json_integer(json_integer_value(json_object_get(entry, "count")) + 1));
    if (strcmp(json_string_value(json_object_get(entry, "verdict")), "forbidden"))
        return;
    /* One finding per forbidden outcome: its description names it, the value that showed it. */
    const char *description = json_string_value(json_object_get(entry, "description"));
    char *signature = ft_xasprintf("outcome:%s:%s", s->name, description);
    int created;
    ft_finding *f = finding_for(r, sc, FT_KIND_OUTCOME, signature, &created);
    if (created) {
        f->title = ft_xasprintf("forbidden outcome: %s (value %s, round %ld)", description, value, round);
        ft_utf8_truncate(f->title, 200, "...");
        ft_strlist_push(&f->functions, "arbiter");
        f->owner = ft_xstrdup("target"); /* the scenario's own code gave the wrong result */
        f->report = ft_xasprintf("The arbiter of scenario '%s' returned %s in round %ld.\nThat value is forbidden: %s.\n",
                                 s->name, value, round, description);
        if (s->arbiter.code)
            f->location = ft_xasprintf("%s:%d", s->file, s->arbiter.line);
        apply_baseline_groups(r, f);
    }
    occurrence(f, round, elapsed, created);
    free(signature);
}

void ft_results_event(ft_results *r, size_t sc, ft_event kind, json_t *ev, double elapsed)
{
    ft_scenario_result *sr = &r->scenarios[sc];

    if (kind == FT_EV_READY) {
        sr->startup_seconds = json_real_value(json_object_get(ev, "startup_seconds"));
        if (sr->status == FT_ST_PENDING)
            sr->status = FT_ST_RAN;
    } else if (kind == FT_EV_GIL) {
        json_t *t;
        size_t k;
        sr->gil_enabled = json_is_true(json_object_get(ev, "enabled"));
        json_array_foreach(json_object_get(ev, "targets"), k, t) if (!ft_strlist_contains(&sr->target_modules, json_string_value(t)))
            ft_strlist_push(&sr->target_modules, json_string_value(t));
        if (sr->gil_enabled && !json_is_true(json_object_get(ev, "allowed"))) {
            const char *by = json_string_value(json_object_get(ev, "by"));
            char *msg = ft_xasprintf("the GIL was re-enabled by importing %s%s%s (a module without Py_mod_gil); set env: "
                                     "{PYTHON_GIL: \"0\"} to force it off, or PYTHON_GIL: \"1\" to run with the GIL on "
                                     "as a control",
                                     by ? "'" : "a module", by ? by : "", by ? "'" : "");
            set_status(sr, FT_ST_NOT_RUN, msg);
            free(msg);
        }
    } else if (kind == FT_EV_SYNTAX) {
        char *msg = NULL;
        msg = ft_xasprintf("%s:%d:%d: error: %s in '%s' of scenario '%s'", sr->scenario->file,
                     (int)json_integer_value(json_object_get(ev, "line")),
                     (int)json_integer_value(json_object_get(ev, "column")),
                     json_string_value(json_object_get(ev, "message")) ?: "invalid syntax",
                     json_string_value(json_object_get(ev, "block")) ?: "?", sr->scenario->name);
        set_status(sr, FT_ST_SCENARIO_ERROR, msg);
        free(msg);
    } else if (kind == FT_EV_FATAL) {
        const char *what = json_string_value(json_object_get(ev, "kind")) ?: "";
        const char *tb = json_string_value(json_object_get(ev, "traceback"));
        const char *msg = json_string_value(json_object_get(ev, "message"));
        char *text = NULL;
        text = ft_xasprintf("%s failed: %s", what, tb && *tb ? tb : msg ? msg : "?");
        set_status(sr, !strcmp(what, "scenario") ? FT_ST_SCENARIO_ERROR : FT_ST_NOT_RUN, text);
        free(text);
    } else if (kind == FT_EV_ERROR)
        exception_finding(r, sc, ev, elapsed);
    else if (kind == FT_EV_OUTCOME)
        outcome_event(r, sc, ev, elapsed);
    else if (kind == FT_EV_STOPPED) {
        if (sr->status == FT_ST_PENDING)
            sr->status = FT_ST_RAN;
    } else if (kind == FT_EV_EXERCISED || kind == FT_EV_EXERCISE_TARGETS)
        ft_exercise_sum_add(sr->exercised, kind, ev);
    else if (kind == FT_EV_DONE) {
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

void ft_results_crash(ft_results *r, size_t sc, const ft_crash_evidence *ev, double elapsed)
{
    ft_crash_info c;
    int created;
    char *signature;

    ft_parse_crash(&c, ev);
    signature = ft_xasprintf("crash:%s:%s", c.signal_name, c.frames_joined);
    ft_finding *f = finding_for(r, sc, FT_KIND_CRASH, signature, &created);
    if (created) {
        /* the signature's other frames too: two crashes in one function by different callers are
         * two findings, and the title tells them apart ("in A, from B, C") */
        ft_strlist callers = {0}; /* by the names a maintainer knows (frames.c): "dumps_internal", not its template */
        for (size_t i = 1; i < c.functions.count; i++) {
            char *shown = ft_display_name(c.functions.items[i]);
            ft_strlist_push(&callers, shown);
            free(shown);
        }
        char *from = callers.count ? ft_strlist_join(&callers, ", ") : NULL;
        char *top = c.top ? ft_display_name(c.top) : ft_xstrdup("?");
        f->title = ft_xasprintf("crash: %s in %s%s%s", c.signal_name, top, from ? ", from " : "", from ? from : "");
        free(top);
        free(from);
        ft_strlist_free(&callers);
        for (size_t i = 0; i < c.functions.count; i++)
            ft_strlist_push(&f->functions, c.functions.items[i]);
        /* Without a native stack, the crash belongs to what the scenario tests. */
        f->owner = ft_xstrdup(c.owner ? c.owner : scenario_owner(&r->scenarios[sc]));
        f->report = ft_render_crash(&c, ev);
        f->location = c.location ? ft_xstrdup(c.location) : NULL;
    }
    ft_anchors_from_native(&f->anchors, c.native, r->scenarios[sc].scenario->name);
    apply_baseline_groups(r, f);
    occurrence(f, ev->round, elapsed, created);
    if (r->scenarios[sc].status == FT_ST_PENDING)
        r->scenarios[sc].status = FT_ST_RAN;
    ft_crash_info_free(&c);
    free(signature);
}

void ft_results_hang(ft_results *r, size_t sc, long round, const char *phase, double timeout, const char *stacks,
                     const json_t *native, double elapsed)
{
    const ft_scenario *s = r->scenarios[sc].scenario;
    ft_hang_info h;
    char *joined, *signature;
    int created;

    ft_analyse_hang(&h, stacks, native);
    joined = ft_join_sorted(&h.functions, 1);
    signature = ft_xasprintf("hang:%s:%s", s->name, *joined ? joined : "no-frames");
    ft_finding *f = finding_for(r, sc, FT_KIND_HANG, signature, &created);
    if (created) {
        char *all = json_array_size(native) ? ft_native_stacks_text(native) : NULL;
        int startup = !strcmp(phase, "start") || !strcmp(phase, "setup_once");
        char *what = startup ? ft_xstrdup(!strcmp(phase, "start") ? "imports" : "setup_once")
                     : !strcmp(phase, "body") ? ft_xasprintf("round %ld", round)
                                              : ft_xasprintf("%s of round %ld", phase, round);
        f->title = ft_xasprintf("hang: %s passed its %gs %s in %s", what, timeout,
                                startup ? "setup_timeout" : "timeout", *joined ? joined : "code without frames");
        free(what);
        f->functions = h.functions, h.functions = (ft_strlist){0};
        f->owner = ft_xstrdup(h.owner ? h.owner : scenario_owner(&r->scenarios[sc]));
        f->location = h.location, h.location = NULL;
        f->report = ft_xasprintf("Round %ld (%s) of scenario '%s' ran longer than its limit (%g s).\n%s%s%s"
                                 "Python stacks of every thread at that moment:\n\n%s%s%s",
                                 round, phase, s->name, timeout, h.why_harness ? "Owned by ftstress: " : "",
                                 h.why_harness ? h.why_harness : "", h.why_harness ? ".\n\n" : "\n",
                                 *stacks ? stacks : "(the worker wrote no stacks)\n",
                                 all ? "\nNative stacks of every thread (ptrace):\n" : "", all ? all : "");
        free(all);
    }
    ft_anchors_from_hang(&f->anchors, native, s->name);
    apply_baseline_groups(r, f);
    occurrence(f, round, elapsed, created);
    if (r->scenarios[sc].status == FT_ST_PENDING)
        r->scenarios[sc].status = FT_ST_RAN;
    ft_hang_info_free(&h);
    free(joined);
    free(signature);
}

int ft_finding_counts(const ft_finding *f) { return !f->suppressed_by && !f->baseline_note; }

static ft_outcome outcome_of(const ft_finding *f)
{
    switch (f->kind) {
    case FT_KIND_OUTCOME: return FT_FORBIDDEN;
    case FT_KIND_CRASH: return FT_CRASH;
    case FT_KIND_HANG: return FT_HANG;
    case FT_KIND_ERROR: return FT_ERROR;
    default: return FT_RACE;
    }
}

void ft_results_finish(ft_results *r)
{
    ft_groups_build(r);
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

static const char *const status_names[] = {"pending", "ran", "scenario-error", "not-run"};

const char *ft_run_status_name(ft_run_status st)
{
    return (unsigned)st < sizeof status_names / sizeof *status_names ? status_names[st] : "pending";
}

ft_run_status ft_run_status_parse(const char *name)
{
    int i = ft_name_index(status_names, sizeof status_names / sizeof *status_names, name);
    return i >= 0 ? (ft_run_status)i : FT_ST_PENDING;
}

int ft_exit_code_fold(int code, ft_run_status st, int passed)
{
    if (code == FT_EXIT_USAGE || st == FT_ST_SCENARIO_ERROR)
        return FT_EXIT_USAGE;
    if (st == FT_ST_NOT_RUN)
        return FT_EXIT_CANNOT_RUN;
    return code == FT_EXIT_OK && !passed ? FT_EXIT_FINDINGS : code;
}

int ft_results_exit_code(const ft_results *r)
{
    int code = FT_EXIT_OK;
    if (r->interrupted) /* like a shell: 128 + the signal, so a CI step sees an interruption, not a verdict */
        return FT_EXIT_INTERRUPTED + r->interrupted;
    for (size_t i = 0; i < r->nscenarios; i++)
        code = ft_exit_code_fold(code, r->scenarios[i].status, r->scenarios[i].passed);
    return code;
}
