/* SARIF 2.1.0 from a results document, for code scanning (GitHub and others): one result per
 * root-cause group, its member findings' stacks as code flows. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frames.h"
#include "log.h"
#include "reporters.h"
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

/* --- paths and URIs --------------------------------------------------------------------------- */

typedef struct sarif_ctx {
    char *cwd;  /* where relative paths of the document are taken from */
    char *root; /* SRCROOT, ending in '/': the repository around cwd, else cwd */
} sarif_ctx;

static int ctx_init(sarif_ctx *c)
{
    c->cwd = getcwd(NULL, 0);
    if (!c->cwd)
        return -1;
    char *dir = ft_xstrdup(c->cwd);
    for (;;) {
        char *git = ft_xasprintf("%s/.git", *dir ? dir : "");
        int found = access(git, F_OK) == 0;
        free(git);
        if (found)
            break;
        char *slash = strrchr(dir, '/');
        if (!slash || !*dir) { /* no repository: the current directory is the root */
            free(dir);
            dir = ft_xstrdup(c->cwd);
            break;
        }
        *slash = '\0';
    }
    c->root = ft_xasprintf("%s/", strcmp(dir, "/") ? dir : "");
    free(dir);
    return 0;
}

/* "/a/./b/../c" -> "/a/c", lexically: the files need not exist on this machine. */
static char *normalize(const char *abs)
{
    char *copy = ft_xstrdup(abs), *save = NULL, *seg;
    char *out = ft_xmalloc(strlen(abs) + 2);
    size_t len = 0;
    out[0] = '\0';
    for (seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        if (!strcmp(seg, "."))
            continue;
        if (!strcmp(seg, "..")) {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
            out[len] = '\0';
            continue;
        }
        out[len++] = '/';
        strcpy(out + len, seg);
        len += strlen(seg);
    }
    if (!len)
        strcpy(out, "/");
    free(copy);
    return out;
}

/* An absolute path for `path`: relative ones are taken from the current directory when the file
 * is there (a crash log's "Python/ceval.c" is relative to a build folder we do not know). */
static char *resolve(const sarif_ctx *c, const char *path)
{
    if (!path || !*path || !strcmp(path, "<null>") || !strcmp(path, "??"))
        return NULL;
    if (path[0] == '/')
        return normalize(path);
    char *joined = ft_xasprintf("%s/%s", c->cwd, path), *abs = NULL;
    if (access(joined, F_OK) == 0)
        abs = normalize(joined);
    free(joined);
    return abs;
}

/* Percent-encodes what may not stand in a URI path; '/' separates segments and stays. */
static char *uri_encode(const char *s)
{
    static const char keep[] = "-._~/!$&'()*+,;=@";
    char *out = ft_xmalloc(strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) && *p < 0x80)
            *o++ = (char)*p;
        else if (strchr(keep, *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
    return out;
}

/* artifactLocation: relative to SRCROOT inside the repository, an absolute file URI outside it. */
static json_t *artifact_location(const sarif_ctx *c, const char *path)
{
    char *abs = resolve(c, path), *uri;
    json_t *v;
    size_t n = strlen(c->root);
    if (!abs)
        return NULL;
    if (!strncmp(abs, c->root, n) && abs[n]) {
        uri = uri_encode(abs + n);
        v = json_pack("{s:s, s:s}", "uri", uri, "uriBaseId", "SRCROOT");
    } else {
        char *enc = uri_encode(abs);
        uri = ft_xasprintf("file://%s", enc);
        free(enc);
        v = json_pack("{s:s}", "uri", uri);
    }
    free(uri);
    free(abs);
    return v;
}

static json_t *physical_location(const sarif_ctx *c, const char *path, long line)
{
    json_t *art = artifact_location(c, path);
    if (!art)
        return NULL;
    json_t *v = json_pack("{s:o}", "artifactLocation", art);
    if (line > 0)
        json_object_set_new(v, "region", json_pack("{s:I}", "startLine", (json_int_t)line));
    return v;
}

static int in_repository(const json_t *phys)
{
    return json_object_get(json_object_get(phys, "artifactLocation"), "uriBaseId") != NULL;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* "path:line" or "path:line:column" -> path (new string) and line (0 when there is none). */
static char *split_line(const char *loc, long *line)
{
    char *path = ft_xstrdup(loc), *colon;
    long nums[2];
    int n = 0;
    while (n < 2 && (colon = strrchr(path, ':')) && all_digits(colon + 1)) {
        nums[n++] = strtol(colon + 1, NULL, 10);
        *colon = '\0';
    }
    *line = n ? nums[n - 1] : 0;
    return path;
}

/* --- stacks parsed from a finding's report text ----------------------------------------------- */

typedef struct frame {
    char *function, *file, *module;
    long line;
    int python;
} frame;

typedef struct stack {
    char *title;
    frame *frames;
    size_t n, cap;
    int outer_first; /* a Python traceback: most recent call last */
} stack;

typedef struct stacks {
    stack *items;
    size_t n, cap;
} stacks;

static void frame_free(frame *f)
{
    free(f->function);
    free(f->file);
    free(f->module);
}

static void stacks_free(stacks *s)
{
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->items[i].n; k++)
            frame_free(&s->items[i].frames[k]);
        free(s->items[i].frames);
        free(s->items[i].title);
    }
    free(s->items);
}

static void trim_right(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

/* A native frame, as ftstress renders TSan's stacks, native stacks and sanitizer logs:
 *   "    #0 next_version_unsafe /src/seeded_globals.c:118 (seeded_globals.cpython-313td-x86_64-linux-gnu.so)"
 *   "  #3  PyThread_acquire_lock_timed Python/thread_pthread.h (ftstress)"
 *   "    #3 0x55d1c3a2b4f0 in _PyEval_EvalFrameDefault Python/generated_cases.c.h:2354:35" */
static int parse_native_frame(const char *line, frame *f)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '#' || !isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p != ' ')
        return 0;
    while (*p == ' ')
        p++;
    if (!strncmp(p, "0x", 2)) {
        const char *in = strstr(p, " in ");
        if (!in)
            return 0;
        p = in + 4;
    }
    char *rest = ft_xstrdup(p), *module = NULL;
    trim_right(rest);
    /* Trailing "(module+0x1d2e)" and "(BuildId: ...)": the leftmost that is no build id is the module. */
    for (size_t n = strlen(rest); n && rest[n - 1] == ')';) {
        size_t i = n - 1;
        int depth = 0;
        for (;; i--) {
            depth += rest[i] == ')' ? 1 : rest[i] == '(' ? -1 : 0;
            if (!depth || !i)
                break;
        }
        if (depth || i == 0 || rest[i - 1] != ' ')
            break;
        rest[n - 1] = '\0';
        if (strncmp(rest + i + 1, "BuildId:", 8)) {
            free(module);
            module = ft_xstrdup(rest + i + 1);
            char *plus = strstr(module, "+0x");
            if (plus)
                *plus = '\0';
        }
        rest[i] = '\0';
        trim_right(rest);
        n = strlen(rest);
    }
    char *space = strrchr(rest, ' ');
    *f = (frame){0};
    if (space) {
        long ln;
        char *path = split_line(space + 1, &ln);
        if (strchr(path, '/') || ln > 0) {
            f->file = path;
            f->line = ln;
            *space = '\0';
            trim_right(rest);
        } else
            free(path);
    }
    if (!*rest) {
        free(rest);
        free(module);
        frame_free(f);
        return 0;
    }
    f->function = rest;
    f->module = module;
    return 1;
}

/* A Python frame: faulthandler's  File "x.yaml", line 8 in body[body]  or a traceback's
 * File "x.py", line 3, in f  */
static int parse_python_frame(const char *line, frame *f)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, "File \"", 6))
        return 0;
    p += 6;
    const char *q = strstr(p, "\", line ");
    if (!q)
        return 0;
    char *end;
    long ln = strtol(q + 8, &end, 10);
    if (end == q + 8)
        return 0;
    if (*end == ',')
        end++;
    while (*end == ' ')
        end++;
    if (strncmp(end, "in ", 3))
        return 0;
    *f = (frame){0};
    f->file = ft_xstrndup(p, (size_t)(q - p));
    f->line = ln;
    f->function = ft_xstrdup(end + 3);
    trim_right(f->function);
    f->python = 1;
    return 1;
}

static stack *new_stack(stacks *s, const char *title, size_t title_len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->items = ft_xrealloc(s->items, s->cap * sizeof *s->items);
    }
    stack *st = &s->items[s->n++];
    *st = (stack){0};
    st->title = title ? ft_xstrndup(title, title_len) : ft_xstrdup("stack");
    st->outer_first = title && strstr(st->title, "most recent call last") != NULL;
    return st;
}

/* Every stack of a report: a line ending in ':' names the stack whose frames follow it. */
static void parse_stacks(const char *report, stacks *out)
{
    stack *cur = NULL;
    const char *p = report;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char *line = ft_xstrndup(p, n);
        frame f;
        trim_right(line);
        if (parse_native_frame(line, &f) || parse_python_frame(line, &f)) {
            if (!cur)
                cur = new_stack(out, NULL, 0);
            if (cur->n == cur->cap) {
                cur->cap = cur->cap ? 2 * cur->cap : 16;
                cur->frames = ft_xrealloc(cur->frames, cur->cap * sizeof *cur->frames);
            }
            cur->frames[cur->n++] = f;
        } else {
            const char *t = line;
            while (*t == ' ' || *t == '\t')
                t++;
            size_t tn = strlen(t);
            if (tn > 1 && t[tn - 1] == ':')
                cur = new_stack(out, t, tn - 1);
        }
        free(line);
        p = eol ? eol + 1 : NULL;
    }
}

static json_t *frame_location(const sarif_ctx *c, const frame *f)
{
    json_t *loc = json_object(), *phys = physical_location(c, f->file, f->line);
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
static int unimportant(const frame *f)
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
static json_t *thread_flow(const sarif_ctx *c, const stack *st, size_t *budget)
{
    json_t *locations = json_array();
    size_t n = st->n < MAX_FRAMES ? st->n : MAX_FRAMES;
    for (size_t k = 0; k < n && *budget < MAX_FLOW_LOCATIONS; k++) {
        /* innermost-first stacks keep their innermost frames when cut, tracebacks their last ones */
        const frame *f = st->outer_first ? &st->frames[st->n - n + k] : &st->frames[n - 1 - k];
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
static json_t *code_flow(const sarif_ctx *c, const json_t *f, size_t *budget)
{
    stacks ss = {0};
    json_t *flows = json_array();
    parse_stacks(str(f, "report"), &ss);
    for (size_t i = 0; i < ss.n && *budget < MAX_FLOW_LOCATIONS; i++) {
        json_t *tf = thread_flow(c, &ss.items[i], budget);
        if (tf)
            json_array_append_new(flows, tf);
    }
    stacks_free(&ss);
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
static long line_from_report(const sarif_ctx *c, const json_t *f, const char *path)
{
    stacks ss = {0};
    const char *fn = NULL;
    long line = 0;
    char *want = resolve(c, path);
    parse_stacks(str(f, "report"), &ss);
    for (int pass = 0; pass < 3 && want && !line; pass++)
        for (size_t i = 0; i < ss.n && !line; i++)
            for (size_t k = 0; k < ss.items[i].n && !line; k++) {
                const frame *fr = &ss.items[i].frames[k];
                char *abs = resolve(c, fr->file);
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
    stacks_free(&ss);
    free(want);
    return line;
}

/* --- rules -------------------------------------------------------------------------------------- */

/* The worst kind stands for a group: crash > hang > TSan's other reports > race > error. */
static int kind_rank(const char *kind)
{
    static const char *const order[] = {"error", "race", "tsan", "hang", "crash"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(kind, order[i]))
            return i + 1;
    return 0;
}

/* "ftstress/race", "ftstress/crash", ...; TSan's other reports by type: "ftstress/heap-use-after-free". */
static char *rule_id(const json_t *f)
{
    const char *kind = str(f, "kind"), *sig = str(f, "signature");
    char *id;
    if (!strcmp(kind, "tsan") && !strncmp(sig, "tsan:", 5) && sig[5] && sig[5] != ':')
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
    const char *kind = str(f, "kind"), *sig = str(f, "signature");
    if (strcmp(kind, "race") && (!strncmp(sig, "tsan:", 5) || !strncmp(sig, "crash:", 6))) {
        const char *t = strchr(sig, ':') + 1;
        return ft_xasprintf("1 %.*s", (int)strcspn(t, ":"), t);
    }
    return ft_xasprintf("1 %s", kind);
}

static const json_t *scenario_of(const json_t *doc, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) if (!strcmp(str(s, "name"), name)) return s;
    return NULL;
}

static json_t *scenario_location(const sarif_ctx *c, const json_t *doc, const json_t *f)
{
    const json_t *s = scenario_of(doc, str(f, "scenario"));
    const char *file = s ? str(s, "file") : str(f, "file");
    return physical_location(c, file, s ? (long)json_integer_value(json_object_get(s, "line")) : 0);
}

/* The result of one group (members: its findings, in document order; group NULL: a finding alone). */
static json_t *group_result(const sarif_ctx *c, const json_t *doc, const json_t *group, const json_t *members,
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
            char *path = split_line(loc, &line);
            if (line <= 0)
                line = line_from_report(c, f, path);
            json_t *phys = physical_location(c, path, line);
            free(path);
            if (!phys)
                continue;
            json_object_set_new(seen_locs, loc, json_true());
            json_array_append_new(in_repository(phys) ? inside : outside,
                                  json_pack("{s:o, s:o}", "physicalLocation", phys, "message", message(str(f, "title"))));
        }
    if (!json_array_size(inside)) { /* nothing of the repository's own: the scenario that found it */
        json_t *phys = scenario_location(c, doc, primary);
        if (phys && (in_repository(phys) || !json_array_size(outside))) {
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
            phys = physical_location(c, str(s, "file"), (long)json_integer_value(json_object_get(s, "line")));
        else { /* a document without that scenario: the file its findings name */
            size_t k;
            json_array_foreach(members, k, f) {
                if (json_equal(json_object_get(f, "scenario"), sc)) {
                    phys = physical_location(c, str(f, "file"), 0);
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

    json_t *result = json_pack("{s:s, s:i, s:s, s:o, s:o, s:{s:s}}", "ruleId", rule, "ruleIndex", rule_index, "level",
                               counting ? "error" : "note", "message", message(text), "locations", locations,
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

static json_t *build_log(const sarif_ctx *c, const json_t *doc)
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
        json_t *phys = physical_location(c, str(s, "file"), (long)json_integer_value(json_object_get(s, "line")));
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

    char *root_uri_path = uri_encode(c->root);
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

int ft_report_sarif(const json_t *doc, const char *path)
{
    sarif_ctx c = {0};
    char *tmp = ft_xasprintf("%s.tmp.%d", path, (int)getpid());
    const char *why = NULL;
    int err = 0;
    json_t *log = NULL;
    FILE *out = NULL;

    if (ctx_init(&c) != 0) {
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
    free(c.cwd);
    free(c.root);
    return 0;

fail:
    ft_error("cannot write SARIF file %s: %s%s%s", path, why, err ? ": " : "", err ? strerror(err) : "");
    unlink(tmp);
    json_decref(log);
    free(tmp);
    free(c.cwd);
    free(c.root);
    return -1;
}
