/* SARIF 2.1.0 from a results document, for code scanning (GitHub and others): one result per
 * root-cause group, its member findings' stacks as code flows. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "finding_kind.h"
#include "frames.h"
#include "log.h"
#include "report_stacks.h"
#include "reporters.h"
#include "sarif_paths.h"
#include "utf8.h"
#include "xalloc.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
/* Bounds per result, well inside what code scanning accepts (1,000 locations, 10,000 thread-flow
 * locations): a group of hundreds of findings stays one readable alert. */
#define MAX_LOCATIONS 100
#define MAX_CODE_FLOWS 32
#define MAX_FRAMES 64
#define MAX_FLOW_LOCATIONS 2000
#define MAX_MESSAGE_MEMBERS 20

static const char *str(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)) ?: ""; }

/* Every string goes through here: text parsed out of a report is cut at ASCII delimiters, but a
 * document edited by hand may hold anything. */
static json_t *jstr(const char *s)
{
    char *clean = ft_utf8_clean(s ? s : "");
    json_t *v = json_string(clean);
    free(clean);
    return v ? v : json_string("");
}

static json_t *message(const char *text) { return json_pack("{s:o}", "text", jstr(text)); }

/* --- code flows: the stacks of a finding's report ----------------------------------------------- */

static json_t *frame_location(const ft_sarif_ctx *c, const ft_report_frame *f)
{
    json_t *loc = json_object(), *phys = ft_sarif_physical_location(c, f->file, f->line);
    json_object_set_new(loc, "logicalLocations", json_pack("[{s:o, s:s}]", "name", jstr(f->function), "kind", "function"));
    if (phys) {
        json_object_set_new(loc, "physicalLocation", phys);
        json_object_set_new(loc, "message", message(f->function));
    } else {
        char *text = f->file && f->line > 0 ? ft_xasprintf("%s %s:%ld", f->function, f->file, f->line)
                     : f->file              ? ft_xasprintf("%s %s", f->function, f->file)
                                            : ft_xstrdup(f->function);
        json_object_set_new(loc, "message", message(text));
        free(text);
    }
    return loc;
}

/* What a signature skips (eval loop, allocators, sanitizer runtime, harness) and the C library. */
static int unimportant(const ft_report_frame *f)
{
    static const char *const system[] = {"libc.so", "libpthread.so", "ld-linux", "libstdc++.so", "libgcc_s.so"};
    ft_frame ff = {f->function, f->file ? f->file : "", (int)f->line, f->module ? f->module : ""};
    if (f->python)
        return 0;
    for (size_t i = 0; i < sizeof system / sizeof *system; i++)
        if (!strncmp(ff.module, system[i], strlen(system[i])))
            return 1;
    return ft_frame_is_plumbing(&ff);
}

/* One thread flow per stack, calls in execution order (outermost first, the access last); the
 * eval loop, allocators and harness frames marked unimportant. Adds to *budget what it used. */
static json_t *thread_flow(const ft_sarif_ctx *c, const ft_report_stack *st, size_t *budget)
{
    json_t *locations = json_array();
    size_t n = st->n < MAX_FRAMES ? st->n : MAX_FRAMES;
    for (size_t k = 0; k < n && *budget < MAX_FLOW_LOCATIONS; k++) {
        /* innermost-first stacks keep their innermost frames when cut, tracebacks their last ones */
        const ft_report_frame *f = st->outer_first ? &st->frames[st->n - n + k] : &st->frames[n - 1 - k];
        json_t *tfl = json_pack("{s:o, s:i, s:s}", "location", frame_location(c, f), "nestingLevel", (int)k,
                                "importance", unimportant(f) ? "unimportant" : "essential");
        if (f->module && *f->module)
            json_object_set_new(tfl, "module", jstr(f->module));
        json_array_append_new(locations, tfl);
        (*budget)++;
    }
    if (!json_array_size(locations)) {
        json_decref(locations);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "message", message(st->title), "locations", locations);
}

/* A member finding's code flow: its report's stacks, each a thread flow (a race: both accesses). */
static json_t *code_flow(const ft_sarif_ctx *c, const json_t *f, size_t *budget)
{
    ft_report_stacks ss = {0};
    json_t *flows = json_array();
    ft_report_stacks_parse(str(f, "report"), &ss);
    for (size_t i = 0; i < ss.n && *budget < MAX_FLOW_LOCATIONS; i++) {
        json_t *tf = thread_flow(c, &ss.items[i], budget);
        if (tf)
            json_array_append_new(flows, tf);
    }
    ft_report_stacks_free(&ss);
    if (!json_array_size(flows)) {
        json_decref(flows);
        return NULL;
    }
    char *text = ft_xasprintf("%s (scenario %s)", str(f, "title"), str(f, "scenario"));
    json_t *v = json_pack("{s:o, s:o}", "message", message(text), "threadFlows", flows);
    free(text);
    return v;
}

/* TSan gives line 0 for code without a line of its own (inlined, compiler-made): the same
 * function's line in another stack of the report, else the first line of that file it names. */
static long line_from_report(const ft_sarif_ctx *c, const json_t *f, const char *path)
{
    ft_report_stacks ss = {0};
    const char *fn = NULL;
    long line = 0;
    char *want = ft_sarif_resolve(c, path);
    ft_report_stacks_parse(str(f, "report"), &ss);
    for (int pass = 0; pass < 3 && want && !line; pass++)
        for (size_t i = 0; i < ss.n && !line; i++)
            for (size_t k = 0; k < ss.items[i].n && !line; k++) {
                const ft_report_frame *fr = &ss.items[i].frames[k];
                char *abs = ft_sarif_resolve(c, fr->file);
                int same = abs && !strcmp(abs, want);
                free(abs);
                if (!same)
                    continue;
                if (pass == 0 && !fr->line && !fn)
                    fn = fr->function; /* the frame the location came from */
                else if (pass == 1 && fn && fr->line > 0 && !strcmp(fr->function, fn))
                    line = fr->line;
                else if (pass == 2 && fr->line > 0)
                    line = fr->line;
            }
    ft_report_stacks_free(&ss);
    free(want);
    return line;
}

/* --- rules -------------------------------------------------------------------------------------- */

/* The worst kind stands for a group: crash > hang > TSan's other reports > race > error. */
static int kind_rank(const char *kind)
{
    ft_finding_kind k;
    if (ft_finding_kind_parse(kind, &k) != 0)
        return 0;
    switch (k) {
    case FT_KIND_ERROR: return 1;
    case FT_KIND_RACE: return 2;
    case FT_KIND_TSAN: return 3;
    case FT_KIND_HANG: return 4;
    case FT_KIND_CRASH: return 5;
    default: return 0; /* an arbiter's outcome never outranks the others */
    }
}

/* "ftstress/race", "ftstress/crash", ...; TSan's other reports by type: "ftstress/heap-use-after-free". */
static char *rule_id(const json_t *f)
{
    const char *kind = str(f, "kind"), *sig = str(f, "signature");
    char *id;
    ft_finding_kind k;
    if (ft_finding_kind_parse(kind, &k) == 0 && k == FT_KIND_TSAN && !strncmp(sig, "tsan:", 5) && sig[5] && sig[5] != ':')
        id = ft_xasprintf("ftstress/%.*s", (int)strcspn(sig + 5, ":"), sig + 5);
    else
        id = ft_xasprintf("ftstress/%s", *kind ? kind : "finding");
    for (char *p = id + 9; *p; p++) /* ids are plain words */
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            *p = '-';
    return id;
}

static json_t *rule_descriptor(const char *id)
{
    static const struct {
        const char *id, *name, *brief, *full;
    } known[] = {
        {"ftstress/race", "DataRace", "Data race between threads",
         "ThreadSanitizer saw two threads access the same memory without synchronization, at least one of them "
         "writing, while the scenario ran on free-threaded CPython."},
        {"ftstress/crash", "Crash", "The interpreter running the scenario crashed",
         "A worker running the scenario died from a fatal signal (SIGSEGV, SIGABRT, ...) or exited unexpectedly."},
        {"ftstress/hang", "Hang", "A scenario round did not finish in time",
         "A round ran longer than its timeout: a deadlock, a livelock or a lost wakeup under concurrent use."},
        {"ftstress/error", "ScenarioError", "Unexpected exception or failed check",
         "Scenario code raised an exception it did not declare, or one of its checks failed, under concurrent use."},
    };
    const char *name = NULL, *brief = NULL, *full = NULL;
    char *tsan_brief = NULL, *tsan_full = NULL;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(id, known[i].id))
            name = known[i].name, brief = known[i].brief, full = known[i].full;
    if (!brief) {
        brief = tsan_brief = ft_xasprintf("ThreadSanitizer report: %s", id + 9);
        full = tsan_full = ft_xasprintf("ThreadSanitizer reported %s while the scenario ran on free-threaded CPython.", id + 9);
    }
    json_t *rule = json_pack(
        "{s:s, s:o, s:o, s:o, s:{s:s}, s:{s:[s, s, s]}}", "id", id, "shortDescription", message(brief),
        "fullDescription", message(full), "help",
        message("The alert's code flows are the stacks of each member finding; the full first report of every finding "
                "is in the run's output folder (findings/NNN-SIGNATURE/report.txt). To repeat it, run the command in "
                "the results document with --until-failure."),
        "defaultConfiguration", "level", "error", "properties", "tags", "concurrency", "free-threading", "ftstress");
    if (name)
        json_object_set_new(rule, "name", json_string(name));
    free(tsan_brief);
    free(tsan_full);
    return rule;
}

/* --- results ------------------------------------------------------------------------------------ */

/* "1 race" for a finding that has no group (a document without groups). */
static char *single_summary(const json_t *f)
{
    char label[64];
    ft_finding_label(ft_finding_kind_of(f), str(f, "signature"), label, sizeof label);
    return ft_xasprintf("1 %s", label);
}

static const json_t *scenario_of(const json_t *doc, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) if (!strcmp(str(s, "name"), name)) return s;
    return NULL;
}

static json_t *scenario_location(const ft_sarif_ctx *c, const json_t *doc, const json_t *f)
{
    const json_t *s = scenario_of(doc, str(f, "scenario"));
    const char *file = s ? str(s, "file") : str(f, "file");
    return ft_sarif_physical_location(c, file, s ? (long)json_integer_value(json_object_get(s, "line")) : 0);
}

/* The result of one group (members: its findings, in document order; group NULL: a finding alone). */
static json_t *group_result(const ft_sarif_ctx *c, const json_t *doc, const json_t *group, const json_t *members,
                            const char *rule, int rule_index, const json_t *primary)
{
    size_t i, budget = 0;
    json_t *f;
    int counting = 0, baselined = 0, all_suppressed = 1;
    json_int_t reports = 0;
    json_t *signatures = json_array(), *scenarios = json_array();

    json_array_foreach(members, i, f) {
        counting |= json_is_true(json_object_get(f, "new"));
        baselined |= json_is_true(json_object_get(f, "baselined"));
        all_suppressed &= json_is_true(json_object_get(f, "suppressed"));
        reports += json_integer_value(json_object_get(f, "count"));
        json_t *sig = json_object_get(f, "signature"), *sc = json_object_get(f, "scenario"), *seen;
        size_t k;
        int known = 0;
        json_array_foreach(signatures, k, seen) known |= json_equal(seen, sig);
        if (!known && sig)
            json_array_append(signatures, sig);
        known = 0;
        json_array_foreach(scenarios, k, seen) known |= json_equal(seen, sc);
        if (!known && sc)
            json_array_append(scenarios, sc);
    }

    /* "seeded_globals: next_version_unsafe: 1 race", then one line per member */
    char *summary = group ? ft_xstrdup(str(group, "summary")) : single_summary(primary), *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        abort();
    fprintf(out, "%s: %s", group ? str(group, "name") : str(primary, "title"), summary);
    json_array_foreach(members, i, f) {
        if (i == MAX_MESSAGE_MEMBERS) {
            fprintf(out, "\n- ... and %zu more", json_array_size(members) - i);
            break;
        }
        fprintf(out, "\n- %s (%s, scenario %s, %lld report%s, %lld of %lld rounds)", str(f, "title"), str(f, "kind"),
                str(f, "scenario"), (long long)json_integer_value(json_object_get(f, "count")),
                json_integer_value(json_object_get(f, "count")) == 1 ? "" : "s",
                (long long)json_integer_value(json_object_get(f, "rounds_hit")),
                (long long)json_integer_value(json_object_get(f, "rounds_run")));
        if (json_is_string(json_object_get(f, "suppressed_by")))
            fprintf(out, "; suppressed by %s", str(f, "suppressed_by"));
        else if (json_is_string(json_object_get(f, "baseline_note")))
            fprintf(out, "; known: %s", str(f, "baseline_note"));
    }
    fclose(out);

    /* Locations: the primary finding's first, then every other distinct member location; those in
     * the repository before those outside it (CPython's own files), since code scanning shows an
     * alert where its first location is. */
    json_t *inside = json_array(), *outside = json_array(), *seen_locs = json_object();
    for (int pass = 0; pass < 2; pass++)
        json_array_foreach(members, i, f) {
            if ((pass == 0) != (f == primary) || json_array_size(inside) + json_array_size(outside) >= MAX_LOCATIONS)
                continue;
            const char *loc = json_string_value(json_object_get(f, "location"));
            if (!loc || json_object_get(seen_locs, loc))
                continue;
            long line;
            char *path = ft_sarif_split_line(loc, &line);
            if (line <= 0)
                line = line_from_report(c, f, path);
            json_t *phys = ft_sarif_physical_location(c, path, line);
            free(path);
            if (!phys)
                continue;
            json_object_set_new(seen_locs, loc, json_true());
            json_array_append_new(ft_sarif_in_repository(phys) ? inside : outside,
                                  json_pack("{s:o, s:o}", "physicalLocation", phys, "message", message(str(f, "title"))));
        }
    if (!json_array_size(inside)) { /* nothing of the repository's own: the scenario that found it */
        json_t *phys = scenario_location(c, doc, primary);
        if (phys && (ft_sarif_in_repository(phys) || !json_array_size(outside))) {
            char *what = ft_xasprintf("%s (found by scenario %s)", str(primary, "title"), str(primary, "scenario"));
            json_array_append_new(inside, json_pack("{s:o, s:o}", "physicalLocation", phys, "message", message(what)));
            free(what);
        } else
            json_decref(phys);
    }
    json_t *locations = inside;
    json_array_extend(locations, outside);
    json_decref(outside);

    /* The scenarios that found it, as related locations. */
    json_t *related = json_array();
    json_t *sc;
    json_array_foreach(scenarios, i, sc) {
        const json_t *s = scenario_of(doc, json_string_value(sc) ?: "");
        json_t *phys = NULL;
        if (s)
            phys = ft_sarif_physical_location(c, str(s, "file"), (long)json_integer_value(json_object_get(s, "line")));
        else { /* a document without that scenario: the file its findings name */
            size_t k;
            json_array_foreach(members, k, f) {
                if (json_equal(json_object_get(f, "scenario"), sc)) {
                    phys = ft_sarif_physical_location(c, str(f, "file"), 0);
                    break;
                }
            }
        }
        if (!phys || json_array_size(related) >= MAX_LOCATIONS) {
            json_decref(phys);
            continue;
        }
        char *what = ft_xasprintf("scenario %s", json_string_value(sc) ?: "");
        json_array_append_new(related, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)json_array_size(related) + 1,
                                                 "physicalLocation", phys, "message", message(what)));
        free(what);
    }

    /* Code flows: the primary finding's first. */
    json_t *flows = json_array();
    for (int pass = 0; pass < 2; pass++)
        json_array_foreach(members, i, f) {
            if ((pass == 0) != (f == primary) || json_array_size(flows) >= MAX_CODE_FLOWS || budget >= MAX_FLOW_LOCATIONS)
                continue;
            json_t *cf = code_flow(c, f, &budget);
            if (cf)
                json_array_append_new(flows, cf);
        }

    /* `ftstress triage` measured what the group does without TSan: its level says how loud it is */
    const char *triaged = json_string_value(json_object_get(json_object_get(group, "triage"), "sarif_level"));
    json_t *result = json_pack("{s:s, s:i, s:s, s:o, s:o, s:{s:s}}", "ruleId", rule, "ruleIndex", rule_index, "level",
                               !counting ? "note" : triaged ? triaged : "error", "message", message(text), "locations", locations,
                               "partialFingerprints", "ftstressSignature/v1", str(primary, "signature"));
    if (json_array_size(related))
        json_object_set_new(result, "relatedLocations", related);
    else
        json_decref(related);
    if (json_array_size(flows))
        json_object_set_new(result, "codeFlows", flows);
    else
        json_decref(flows);
    /* Known findings: baselined ones are unchanged since the baseline; a group of suppressed findings
     * only is suppressed outside the code (a suppressions file). */
    json_object_set_new(result, "baselineState", json_string(counting || !baselined ? "new" : "unchanged"));
    if (!counting && all_suppressed && json_array_size(members)) {
        json_t *supp = json_pack("{s:s, s:s}", "kind", "external", "status", "accepted");
        const json_t *first = json_array_get(members, 0);
        if (json_is_string(json_object_get(first, "suppressed_by")))
            json_object_set_new(supp, "justification", jstr(str(first, "suppressed_by")));
        json_object_set_new(result, "suppressions", json_pack("[o]", supp));
    }
    json_t *props = json_pack("{s:o, s:o, s:o, s:o, s:I}", "group",
                              group ? json_incref(json_object_get(group, "id")) : json_null(), "owner",
                              jstr(group ? str(group, "owner") : str(primary, "owner")), "signatures", signatures,
                              "scenarios", scenarios, "reports", reports);
    json_object_set_new(result, "properties", props);
    free(summary);
    free(text);
    json_decref(seen_locs);
    return result;
}

/* The member that stands for a group: the worst kind, then the smallest signature, so that the
 * rule and fingerprint of an alert do not depend on which report came first. */
static const json_t *primary_member(const json_t *members)
{
    const json_t *best = NULL, *f;
    size_t i;
    json_array_foreach(members, i, f) {
        if (!best)
            best = f;
        else {
            int a = kind_rank(str(f, "kind")), b = kind_rank(str(best, "kind"));
            if (a > b || (a == b && strcmp(str(f, "signature"), str(best, "signature")) < 0))
                best = f;
        }
    }
    return best;
}

static json_t *build_log(const ft_sarif_ctx *c, const json_t *doc)
{
    json_t *findings = json_object_get(doc, "findings"), *groups = json_object_get(doc, "groups");
    size_t nf = json_array_size(findings), i, k;
    char *placed = ft_xcalloc(nf ? nf : 1, 1);
    json_t *results = json_array(), *rules = json_array(), *rule_index = json_object();
    json_t *units = json_array(); /* [group or null, [members]] */
    json_t *g, *f;

    json_array_foreach(groups, k, g) {
        json_t *members = json_array();
        json_int_t id = json_integer_value(json_object_get(g, "id"));
        json_array_foreach(findings, i, f) if (!placed[i] && id && json_integer_value(json_object_get(f, "group")) == id) {
            json_array_append(members, f);
            placed[i] = 1;
        }
        if (json_array_size(members))
            json_array_append_new(units, json_pack("[O, o]", g, members));
        else
            json_decref(members);
    }
    json_array_foreach(findings, i, f) if (!placed[i]) json_array_append_new(units, json_pack("[n, [O]]", f));
    free(placed);

    json_t *unit;
    json_array_foreach(units, k, unit) {
        json_t *group = json_array_get(unit, 0), *members = json_array_get(unit, 1);
        const json_t *primary = primary_member(members);
        char *rule = rule_id(primary);
        json_t *index = json_object_get(rule_index, rule);
        if (!index) {
            json_object_set_new(rule_index, rule, json_integer((json_int_t)json_array_size(rules)));
            json_array_append_new(rules, rule_descriptor(rule));
            index = json_object_get(rule_index, rule);
        }
        json_array_append_new(results, group_result(c, doc, json_is_null(group) ? NULL : group, members, rule,
                                                    (int)json_integer_value(index), primary));
        free(rule);
    }
    json_decref(units);
    json_decref(rule_index);

    /* Scenarios that could not run or were malformed: tool notifications, not results. */
    json_t *notes = json_array(), *s;
    int exit_code = (int)json_integer_value(json_object_get(doc, "exit_code"));
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) {
        const char *status = str(s, "status");
        if (strcmp(status, "not-run") && strcmp(status, "scenario-error"))
            continue;
        char *text = ft_xasprintf("scenario %s %s: %s", str(s, "name"),
                                  !strcmp(status, "not-run") ? "could not run" : "is malformed", str(s, "message"));
        json_t *n = json_pack("{s:o, s:s}", "message", message(text), "level", "error");
        json_t *phys = ft_sarif_physical_location(c, str(s, "file"),
                                                  (long)json_integer_value(json_object_get(s, "line")));
        if (phys)
            json_object_set_new(n, "locations", json_pack("[{s:o}]", "physicalLocation", phys));
        json_array_append_new(notes, n);
        free(text);
    }
    json_t *invocation = json_pack("{s:b, s:i}", "executionSuccessful",
                                   exit_code != 2 && exit_code != 3 && !json_is_true(json_object_get(doc, "interrupted")),
                                   "exitCode", exit_code);
    if (json_array_size(notes))
        json_object_set_new(invocation, "toolExecutionNotifications", notes);
    else
        json_decref(notes);

    char *root_uri_path = ft_sarif_uri_encode(c->root);
    char *root_uri = ft_xasprintf("file://%s", root_uri_path);
    const char *version = str(json_object_get(doc, "ftstress"), "version");
    json_t *driver = json_pack("{s:s, s:o, s:o, s:o}", "name", "ftstress", "version", jstr(*version ? version : FTSTRESS_VERSION),
                               "semanticVersion", jstr(*version ? version : FTSTRESS_VERSION), "rules", rules);
    json_t *props = json_pack("{s:O, s:O, s:O}", "seed", json_object_get(doc, "seed") ?: json_null(), "command",
                              json_object_get(doc, "command") ?: json_null(), "interrupted",
                              json_object_get(doc, "interrupted") ?: json_false());
    json_t *log = json_pack("{s:s, s:s, s:[{s:{s:o}, s:{s:{s:s, s:o}}, s:[o], s:o, s:o}]}", "$schema", SARIF_SCHEMA,
                            "version", "2.1.0", "runs", "tool", "driver", driver, "originalUriBaseIds", "SRCROOT", "uri",
                            root_uri, "description", message("the repository around the current directory"),
                            "invocations", invocation, "results", results, "properties", props);
    free(root_uri_path);
    free(root_uri);
    return log;
}

const ft_reporter ft_reporter_sarif = {"sarif", "write SARIF 2.1.0 for code scanning: a result per root-cause group",
                                       ft_report_sarif};

int ft_report_sarif(const json_t *doc, const char *path)
{
    ft_sarif_ctx c = {0};
    char *tmp = ft_xasprintf("%s.tmp.%d", path, (int)getpid());
    const char *why = NULL;
    int err = 0;
    json_t *log = NULL;
    FILE *out = NULL;

    if (ft_sarif_ctx_init(&c) != 0) {
        err = errno, why = "cannot read the current directory";
        goto fail;
    }
    log = build_log(&c, doc);
    if (!log) {
        why = "could not build the SARIF document";
        goto fail;
    }
    out = fopen(tmp, "w");
    if (!out) {
        err = errno, why = "cannot create";
        goto fail;
    }
    errno = 0;
    if (json_dumpf(log, out, JSON_INDENT(2)) != 0 || fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out)) {
        err = errno, why = "write failed";
        fclose(out);
        out = NULL;
        goto fail;
    }
    int closed = fclose(out);
    out = NULL;
    if (closed != 0) {
        err = errno, why = "write failed";
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        err = errno, why = "cannot rename the temporary file into place";
        goto fail;
    }
    json_decref(log);
    free(tmp);
    ft_sarif_ctx_free(&c);
    return 0;

fail:
    ft_error("cannot write SARIF file %s: %s%s%s", path, why, err ? ": " : "", err ? strerror(err) : "");
    unlink(tmp);
    json_decref(log);
    free(tmp);
    ft_sarif_ctx_free(&c);
    return -1;
}
