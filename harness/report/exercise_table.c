/* Rows of the port-validation report: per target function, its exercise, its findings, a verdict.
 *
 * A finding names a function when one of its stacks passes through the function's C code: the
 * finding's functions and every frame of its first report are compared with the function's name
 * by the naming conventions of C extensions (exercise_table.h). A method whose C function follows
 * no convention is named only through its module functions; the report says "clean" for it when
 * it ran and nothing named it. */
#include "exercise_table.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding_kind.h"
#include "report_port.h"
#include "report_stacks.h"
#include "xalloc.h"

static const char *sv(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)) ?: ""; }

/* Case-insensitive: does `hay`'s first `n` characters contain `needle`? */
static int contains_within(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m && i + m <= n; i++)
        if (!strncasecmp(hay + i, needle, m))
            return 1;
    return 0;
}

int ft_symbol_names_function(const char *sym, const char *module, const char *name)
{
    size_t nm = strlen(module);
    const char *rel = !strncmp(name, module, nm) && name[nm] == '.' ? name + nm + 1 : name;
    const char *leaf = strrchr(rel, '.') ? strrchr(rel, '.') + 1 : rel;
    size_t ls = strlen(sym), ll = strlen(leaf), prefix;
    char owner[256];

    if (rel == leaf && !strcmp(sym, leaf))
        return 1;
    /* a type (CapWords by convention; maybe in a submodule, "_speedups.Scanner"): its slots and
     * methods, "scanner_call" and "Scanner_get" for Scanner; the type's row stands for its C code */
    if (isupper((unsigned char)*leaf) && ls > ll + 1 && sym[ll] == '_' && !strncasecmp(sym, leaf, ll))
        return 1;
    if (ls > ll + 1 && sym[ls - ll - 1] == '_' && !strcmp(sym + ls - ll, leaf))
        prefix = ls - ll - 1;
    else if (ls > ll + 6 && !strcmp(sym + ls - 5, "_impl") && sym[ls - ll - 6] == '_' && !strncmp(sym + ls - ll - 5, leaf, ll))
        prefix = ls - ll - 6;
    else
        return 0;
    if (rel != leaf) { /* a method: the innermost type's name, "Ring" in "Ring.push" */
        const char *end = leaf - 1, *start = end;
        while (start > rel && start[-1] != '.')
            start--;
        snprintf(owner, sizeof owner, "%.*s", (int)(end - start), start);
    } else { /* a function: the module's last component without its underscores, "io" for "_io" */
        const char *last = strrchr(module, '.') ? strrchr(module, '.') + 1 : module;
        while (*last == '_')
            last++;
        snprintf(owner, sizeof owner, "%s", last);
    }
    return contains_within(sym, prefix, owner);
}

/* Whether finding `f` names `name` by the naming conventions (documents written before ftstress
 * recorded entry points): through its functions, or a frame of its first report
 * ("    #3 _io_BytesIO_write_impl /path/bytesio.c:42 (...)"); of a crash's report, the crashing
 * thread's stack only (the other threads' stacks that follow show where they happened to be). */
static int finding_names_by_convention(const json_t *f, const char *module, const char *name)
{
    size_t i;
    json_t *fn;
    int crash = ft_finding_kind_of(f) == FT_KIND_CRASH;
    json_array_foreach(json_object_get(f, "functions"), i, fn) if (ft_symbol_names_function(json_string_value(fn) ?: "", module, name)) return 1;
    for (const char *line = sv(f, "report"); *line;) {
        const char *end = strchr(line, '\n') ?: line + strlen(line), *p = line;
        if (crash && !strncmp(line, "Native stacks of every thread", 29))
            break;
        while (p < end && *p == ' ')
            p++;
        if (p < end && *p == '#' && isdigit((unsigned char)p[1])) {
            while (p < end && *p != ' ')
                p++;
            p++;
            size_t n = 0;
            while (p + n < end && p[n] != ' ' && p[n] != '(')
                n++;
            char sym[256];
            if (n && n < sizeof sym) {
                snprintf(sym, sizeof sym, "%.*s", (int)n, p);
                if (ft_symbol_names_function(sym, module, name))
                    return 1;
            }
        }
        line = *end ? end + 1 : end;
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path ? path : "";
}

/* Cython's wrapper and implementation of one Python function differ only in their prefix and
 * counters: "__pyx_pw_7msgpack_9_cmsgpack_8Unpacker_5unpack" and "__pyx_pf_..._4unpack" both give
 * "msgpack__cmsgpack_Unpacker_unpack". NULL when `sym` is neither. */
static char *cython_key(const char *sym)
{
    if (strncmp(sym, "__pyx_pw_", 9) && strncmp(sym, "__pyx_pf_", 9))
        return NULL;
    char *key = ft_xstrdup(sym + 9), *w = key;
    for (const char *r = sym + 9; *r; r++) {
        /* a length or counter: digits that start a component */
        if (isdigit((unsigned char)*r) && (r == sym + 9 || r[-1] == '_' || isdigit((unsigned char)r[-1])) &&
            (w == key || w[-1] == '_'))
            continue;
        *w++ = *r;
    }
    *w = '\0';
    return key;
}

/* A C++ name without its parameter list ("dumps(_object*, _object*)" -> "dumps"): TSan's symbolizer
 * demangles with parameters, the native stacks of a crash (libdwfl) without. New string. */
static char *without_parameters(const char *sym)
{
    size_t n = strlen(sym);
    if (n > 6 && !strcmp(sym + n - 6, " const"))
        n -= 6;
    if (n && sym[n - 1] == ')') {
        int depth = 0;
        for (size_t i = n; i-- > 0;) {
            depth += sym[i] == ')' ? 1 : sym[i] == '(' ? -1 : 0;
            if (!depth) {
                if (i > 0)
                    n = i;
                break;
            }
        }
    }
    return ft_xstrndup(sym, n);
}

/* Whether native frame `fn` in object `obj` is entry point `entry` ([symbol, object]) or the
 * function it only forwards to: Argument Clinic's "X_impl" of "X", Cython's implementation of its
 * Python wrapper. Both in the same shared object. */
int ft_frame_is_entry(const char *frame_fn, const char *obj, const json_t *entry)
{
    const char *esym = json_string_value(json_array_get(entry, 0)) ?: "";
    const char *eobj = base_name(json_string_value(json_array_get(entry, 1)));
    if (!*esym || !obj || strcmp(base_name(obj), eobj))
        return 0;
    /* Cython's wrapper of a special method for explicit calls (u.__next__()) forwards to the
     * function the type's slot calls (iteration): "__pyx_specialmethod___pyx_pw_..._23__next__" */
    if (!strncmp(esym, "__pyx_specialmethod_", 20))
        esym += 20;
    char *fn = without_parameters(frame_fn), *sym = without_parameters(esym);
    size_t n = strlen(sym);
    int same = !strcmp(fn, sym) || (!strncmp(fn, sym, n) && !strcmp(fn + n, "_impl"));
    char *a = same ? NULL : cython_key(fn), *b = a ? cython_key(sym) : NULL;
    same |= a && b && !strcmp(a, b);
    free(a);
    free(b);
    free(fn);
    free(sym);
    return same;
}

/* Whether one of finding `f`'s native stacks passes through one of `entries`; of a crash, the
 * crashing thread's stack only (the other threads' stacks show where they happened to be). */
static int finding_passes_through(const json_t *f, const json_t *entries)
{
    ft_report_stacks st = {0};
    int crash = !strcmp(sv(f, "kind"), "crash"), hit = 0;
    if (!json_array_size(entries))
        return 0;
    ft_report_stacks_parse(sv(f, "report"), &st);
    for (size_t i = 0; i < st.n && !hit; i++) {
        const char *title = st.items[i].title ?: "";
        if (crash && (!strncmp(title, "Native stacks of every thread", 29) || !strncmp(title, "TID ", 4)))
            break;
        for (size_t k = 0; k < st.items[i].n && !hit; k++) {
            const ft_report_frame *fr = &st.items[i].frames[k];
            size_t e;
            json_t *entry;
            if (fr->python || !fr->function)
                continue;
            json_array_foreach(entries, e, entry) if (ft_frame_is_entry(fr->function, fr->module, entry)) hit = 1;
        }
    }
    ft_report_stacks_free(&st);
    return hit;
}

/* Whether finding `f` is the row's: its stacks pass through the row's recorded entry points (in
 * their shared object), or, for a document without them, a frame follows the naming conventions. */
static int finding_names(const json_t *f, const json_t *row)
{
    const json_t *entries = json_object_get(row, "entries");
    if (json_is_array(entries))
        return finding_passes_through(f, entries);
    return finding_names_by_convention(f, sv(row, "module"), sv(row, "name"));
}

/* Whether some native frame of finding `f`'s stacks (a crash's crashing thread only) is in shared
 * object `obj` (a base name). */
static int finding_in_object(const json_t *f, const char *obj)
{
    ft_report_stacks st = {0};
    int crash = !strcmp(sv(f, "kind"), "crash"), hit = 0;
    ft_report_stacks_parse(sv(f, "report"), &st);
    for (size_t i = 0; i < st.n && !hit; i++) {
        const char *title = st.items[i].title ?: "";
        if (crash && (!strncmp(title, "Native stacks of every thread", 29) || !strncmp(title, "TID ", 4)))
            break;
        for (size_t k = 0; k < st.items[i].n && !hit; k++)
            hit = !st.items[i].frames[k].python && st.items[i].frames[k].module &&
                  !strcmp(base_name(st.items[i].frames[k].module), obj);
    }
    ft_report_stacks_free(&st);
    return hit;
}

/* Whether finding `f` of the target has no frame of the type's extension on its stacks but races on
 * an instance of type `row` all the same: a library the extension's methods tail-call (libxxhash's
 * XXH3_64bits_update, its state made by XXH3_createState from type_call) works on the instance's
 * state, and another member of its group in the same scenario passes through the type's entry
 * points (its slot, its method). Such a finding is the type's: its instances raced. */
static int instance_finding(const json_t *f, const json_t *row, const json_t *doc)
{
    const json_t *entries = json_object_get(row, "entries");
    const char *obj = base_name(json_string_value(json_array_get(json_array_get(entries, 0), 1)));
    size_t i;
    json_t *g;
    if (!json_is_true(json_object_get(row, "type")) || !json_array_size(entries) || strcmp(sv(f, "owner"), "target") ||
        !ft_finding_kind_is_tsan(ft_finding_kind_of(f)) || finding_in_object(f, obj))
        return 0;
    json_array_foreach(json_object_get(doc, "findings"), i, g) {
        if (g == f || json_is_true(json_object_get(g, "suppressed")) ||
            !json_equal(json_object_get(g, "group"), json_object_get(f, "group")) ||
            strcmp(sv(g, "scenario"), sv(f, "scenario")))
            continue;
        if (finding_passes_through(g, entries))
            return 1;
    }
    return 0;
}

/* The module of `name` among the scenario's modules (the longest that prefixes it). */
static const char *module_of(const json_t *ex, const char *name)
{
    const char *best = "";
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(ex, "modules"), i, m) {
        const char *mod = json_string_value(m) ?: "";
        size_t n = strlen(mod);
        if (n > strlen(best) && !strncmp(name, mod, n) && (name[n] == '.' || !name[n]))
            best = mod;
    }
    /* a callable of an accelerator (_io for io): its own first component */
    if (!*best) {
        static char first[256];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(name, "."), name);
        return first;
    }
    return best;
}

static json_t *row_for(json_t *rows, json_t *index, const char *name, const char *module)
{
    json_t *at = json_object_get(index, name);
    if (at)
        return json_array_get(rows, (size_t)json_integer_value(at));
    json_t *row = json_pack("{s:s, s:s, s:I, s:I, s:i, s:i, s:[], s:[], s:[], s:{}, s:b}", "name", name, "module", module,
                            "calls", (json_int_t)0, "raised", (json_int_t)0, "max_concurrent", 0, "threads", 0,
                            "scenarios", "findings", "groups", "by_scenario", "type", 0);
    json_object_set_new(index, name, json_integer((json_int_t)json_array_size(rows)));
    json_array_append_new(rows, row);
    return row;
}

static void keep_max(json_t *row, const json_t *from, const char *key)
{
    if (json_integer_value(json_object_get(from, key)) > json_integer_value(json_object_get(row, key)))
        json_object_set(row, key, json_object_get(from, key));
}

/* Whether scenario `name` has a finding of the target's that is not suppressed: its calls do not
 * count toward "clean". */
static int scenario_has_findings(const json_t *doc, const char *name)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f) if (!json_is_true(json_object_get(f, "suppressed")) &&
                                                                   !strcmp(sv(f, "owner"), "target") &&
                                                                   !strcmp(sv(f, "scenario"), name)) return 1;
    return 0;
}

/* Whether scenario `name`'s counts are all there: its workers each sent a final count. A worker
 * stopped at a finding, crashed or killed sent none, and its calls may be missing. */
static int scenario_counted(const json_t *doc, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) if (!strcmp(sv(s, "name"), name)) return json_is_true(
        json_object_get(json_object_get(s, "exercised"), "complete"));
    return 0;
}

static void set_verdict(json_t *row, const char *verdict, char *text)
{
    json_object_set_new(row, "verdict", json_string(verdict));
    json_object_set_new(row, "verdict_text", json_string(text));
    free(text);
}

/* The row's findings and verdict. A finding is the row's when its stacks pass through the row's
 * entry points and the row was called in the finding's scenario (a function never called is never
 * racy; a type's slots run without a counted call: its instances' findings are its own). A
 * scenario-owned finding (an exception of the scenario's own code) is nobody's. "clean under N
 * calls" counts only the calls of scenarios without a finding of the target. */
static void add_findings(json_t *row, const json_t *doc)
{
    json_t *f, *groups = json_object_get(doc, "groups");
    size_t i;
    int racy = 0, crashed = 0, uncounted = 0, through_slot = 0, is_type = json_is_true(json_object_get(row, "type"));
    /* a special method (Unpacker.__next__): Python reaches it through its type's slot (iteration,
     * len(), an operator), which raises no call event, so its calls are never counted */
    const char *leaf = strrchr(sv(row, "name"), '.') ? strrchr(sv(row, "name"), '.') + 1 : sv(row, "name");
    size_t nleaf = strlen(leaf);
    int slot = nleaf > 4 && !strncmp(leaf, "__", 2) && !strcmp(leaf + nleaf - 2, "__") && strcmp(leaf, "__init__");
    json_array_foreach(json_object_get(doc, "findings"), i, f) {
        const char *kind = sv(f, "kind");
        if (json_is_true(json_object_get(f, "suppressed")) || !strcmp(sv(f, "owner"), "scenario") ||
            !(finding_names(f, row) || instance_finding(f, row, doc)))
            continue;
        if (json_is_array(json_object_get(row, "entries")) && !is_type &&
            !json_integer_value(json_object_get(json_object_get(row, "by_scenario"), sv(f, "scenario")))) {
            if (slot)
                through_slot = 1;
            else if (scenario_counted(doc, sv(f, "scenario")))
                continue; /* counted, and never called there: reached from C by another callable */
            else
                uncounted = 1;
        }
        json_array_append_new(json_object_get(row, "findings"),
                              json_pack("{s:s, s:s, s:s, s:b}", "title", sv(f, "title"), "kind", kind, "scenario",
                                        sv(f, "scenario"), "new", json_is_true(json_object_get(f, "new"))));
        crashed |= ft_finding_kind_is_fatal(ft_finding_kind_of(f));
        racy |= ft_finding_kind_is_tsan(ft_finding_kind_of(f));
        json_t *g = json_array_get(groups, (size_t)json_integer_value(json_object_get(f, "group")) - 1);
        json_t *gname = json_object_get(g, "name"), *have;
        int seen = 0;
        size_t k;
        json_array_foreach(json_object_get(row, "groups"), k, have) seen |= json_equal(have, gname);
        if (gname && !seen)
            json_array_append(json_object_get(row, "groups"), gname);
    }
    long long calls = json_integer_value(json_object_get(row, "calls")), clean = 0;
    long long threads = json_integer_value(json_object_get(row, "threads"));
    const char *sc;
    json_t *n;
    if (json_is_array(json_object_get(row, "entries")))
        json_object_foreach(json_object_get(row, "by_scenario"), sc, n) clean += scenario_has_findings(doc, sc) ? 0 : json_integer_value(n);
    else
        clean = calls; /* an older document: the conventions' verdict, refined by mark_unclear */
    json_object_set_new(row, "clean_calls", json_integer(clean));
    if (crashed || racy)
        set_verdict(row, crashed ? "crashed" : "racy",
                    ft_xasprintf("%s%s", crashed ? "crashed" : "racy",
                                 through_slot && !calls ? " (its stacks pass through it; its calls were not counted: "
                                                          "Python calls it through its type's slot)"
                                 : uncounted && !calls ? " (its stacks pass through it; its calls were not counted: the "
                                                         "worker stopped at the finding)" : ""));
    else if (clean) /* threads that were never inside it together never tested it for a race */
        set_verdict(row, "clean", ft_xasprintf("clean under %lld call%s from %lld thread%s%s", clean, clean == 1 ? "" : "s",
                                               threads, threads == 1 ? "" : "s",
                                               threads > 1 && json_integer_value(json_object_get(row, "max_concurrent")) == 1
                                                   ? ", never two at once" : ""));
    else if (calls)
        set_verdict(row, "unclear", ft_xasprintf("unclear: %lld call%s, all in scenarios with findings that do not pass "
                                                 "through it", calls, calls == 1 ? "" : "s"));
    else
        set_verdict(row, "not exercised", ft_xstrdup("not exercised"));
}

/* A type stands for its instances: racy or crashed when one of its methods is (the worst one
 * says), else clean under its own and its methods' clean calls. */
static void type_verdicts(json_t *rows)
{
    size_t i, k;
    json_t *t, *m;
    json_array_foreach(rows, i, t) {
        if (!json_is_true(json_object_get(t, "type")))
            continue;
        const char *tn = sv(t, "name"), *worst = NULL, *by = NULL;
        size_t n = strlen(tn);
        long long clean = json_integer_value(json_object_get(t, "clean_calls"));
        long long threads = json_integer_value(json_object_get(t, "threads"));
        json_array_foreach(rows, k, m) {
            const char *mn = sv(m, "name"), *v = sv(m, "verdict");
            if (strncmp(mn, tn, n) || mn[n] != '.' || strchr(mn + n + 1, '.'))
                continue;
            clean += json_integer_value(json_object_get(m, "clean_calls"));
            keep_max(t, m, "threads");
            if (!strcmp(v, "crashed") || (!strcmp(v, "racy") && !worst)) {
                if (!worst || strcmp(worst, "crashed"))
                    by = mn + n + 1;
                worst = !strcmp(v, "crashed") ? "crashed" : worst ? worst : "racy";
            }
        }
        threads = json_integer_value(json_object_get(t, "threads"));
        const char *own = sv(t, "verdict");
        if (!strcmp(own, "crashed") || (!strcmp(own, "racy") && (!worst || !strcmp(worst, "racy"))))
            continue;
        if (worst)
            set_verdict(t, worst, ft_xasprintf("%s (its method %s)", worst, by));
        else if (clean && strcmp(own, "clean"))
            set_verdict(t, "clean", ft_xasprintf("clean under %lld call%s of it and its methods, from %lld thread%s", clean,
                                                 clean == 1 ? "" : "s", threads, threads == 1 ? "" : "s"));
    }
}

static int by_name(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = strcmp(sv(x, "module"), sv(y, "module"));
    return c ? c : strcmp(sv(x, "name"), sv(y, "name"));
}

/* Whether some row lists finding `f` (by title and scenario). */
static int row_names(const json_t *rows, const json_t *f)
{
    size_t i, k;
    json_t *row, *g;
    json_array_foreach(rows, i, row) json_array_foreach(json_object_get(row, "findings"), k, g) {
        if (!strcmp(sv(g, "title"), sv(f, "title")) && !strcmp(sv(g, "scenario"), sv(f, "scenario")))
            return 1;
    }
    return 0;
}

/* A row that ran, with no finding naming it, is not "clean" when its scenario has findings in the
 * extension that name no function of the table: its C code may be on their stacks under names no
 * convention ties to it (static helpers, slots). */
static void mark_unclear(json_t *rows, const json_t *doc)
{
    json_t *orphans = json_object(), *f, *row, *sc;
    size_t i, k;
    json_array_foreach(json_object_get(doc, "findings"), i, f) {
        if (!json_is_true(json_object_get(f, "suppressed")) && !strcmp(sv(f, "owner"), "target") && !row_names(rows, f))
            json_object_set_new(orphans, sv(f, "scenario"),
                                json_integer(json_integer_value(json_object_get(orphans, sv(f, "scenario"))) + 1));
    }
    json_array_foreach(rows, i, row) {
        long long n = 0;
        if (strcmp(sv(row, "verdict"), "clean") || json_is_array(json_object_get(row, "entries")))
            continue;
        json_array_foreach(json_object_get(row, "scenarios"), k, sc) n += json_integer_value(json_object_get(orphans, json_string_value(sc) ?: ""));
        if (!n)
            continue;
        long long calls = json_integer_value(json_object_get(row, "calls"));
        char *text = ft_xasprintf("unclear: %lld call%s, and %lld finding%s of its scenarios name no function here",
                                  calls, calls == 1 ? "" : "s", n, n == 1 ? "" : "s");
        json_object_set_new(row, "verdict", json_string("unclear"));
        json_object_set_new(row, "verdict_text", json_string(text));
        free(text);
    }
    json_decref(orphans);
}

json_t *ft_exercise_table(const json_t *doc)
{
    json_t *rows = json_array(), *index = json_object(), *s, *fn;
    size_t i, k;
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) {
        json_t *ex = json_object_get(s, "exercised");
        json_array_foreach(json_object_get(ex, "functions"), k, fn) {
            const char *name = json_string_value(fn) ?: "?";
            json_t *row = row_for(rows, index, name, module_of(ex, name)), *entries = json_object_get(json_object_get(ex, "entries"), name);
            json_t *c = json_object_get(json_object_get(ex, "calls"), name), *t;
            size_t q;
            if (json_is_array(entries) && !json_object_get(row, "entries"))
                json_object_set(row, "entries", entries);
            json_array_foreach(json_object_get(ex, "types"), q, t) if (json_equal(t, fn)) json_object_set_new(row, "type", json_true());
            if (!json_integer_value(json_object_get(c, "calls")))
                continue;
            json_t *bs = json_object_get(row, "by_scenario");
            json_object_set_new(bs, sv(s, "name"), json_integer(json_integer_value(json_object_get(bs, sv(s, "name"))) +
                                                                  json_integer_value(json_object_get(c, "calls"))));
            json_object_set_new(row, "calls", json_integer(json_integer_value(json_object_get(row, "calls")) +
                                                           json_integer_value(json_object_get(c, "calls"))));
            json_object_set_new(row, "raised", json_integer(json_integer_value(json_object_get(row, "raised")) +
                                                            json_integer_value(json_object_get(c, "raised"))));
            keep_max(row, c, "max_concurrent");
            keep_max(row, c, "threads");
            json_array_append(json_object_get(row, "scenarios"), json_object_get(s, "name"));
        }
    }
    json_decref(index);
    /* sorted through a plain array: jansson has no sort */
    size_t n = json_array_size(rows);
    json_t **sorted = ft_xcalloc(n ? n : 1, sizeof *sorted);
    json_array_foreach(rows, i, fn) sorted[i] = json_incref(fn);
    qsort(sorted, n, sizeof *sorted, by_name);
    json_array_clear(rows);
    for (i = 0; i < n; i++) {
        add_findings(sorted[i], doc);
        json_array_append_new(rows, sorted[i]);
    }
    free(sorted);
    type_verdicts(rows);
    mark_unclear(rows, doc);
    return rows;
}

json_t *ft_report_groups(const json_t *doc, const json_t *rows)
{
    json_t *out = json_array(), *g, *f, *row, *have;
    size_t i, k, m;
    json_array_foreach(json_object_get(doc, "groups"), i, g) {
        json_t *members = json_array(), *named = json_array();
        int all_suppressed = 1;
        const char *supp_by = NULL;
        json_array_foreach(json_object_get(doc, "findings"), k, f) {
            if (json_integer_value(json_object_get(f, "group")) != json_integer_value(json_object_get(g, "id")))
                continue;
            int suppressed = json_is_true(json_object_get(f, "suppressed"));
            all_suppressed &= suppressed;
            if (suppressed && !supp_by)
                supp_by = json_string_value(json_object_get(f, "suppressed_by"));
            json_array_append_new(members, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "title", sv(f, "title"), "kind",
                                                     sv(f, "kind"), "scenario", sv(f, "scenario"), "location",
                                                     sv(f, "location"), "suppressed", suppressed, "new",
                                                     json_is_true(json_object_get(f, "new"))));
            if (json_is_string(json_object_get(f, "joined_because")))
                json_object_set(json_array_get(members, json_array_size(members) - 1), "joined_because",
                                json_object_get(f, "joined_because"));
            json_array_foreach(rows, m, row) {
                json_t *rf;
                size_t q;
                int lists = 0, seen = 0;
                json_array_foreach(json_object_get(row, "findings"), q, rf) lists |= !strcmp(sv(rf, "title"), sv(f, "title")) &&
                                                                                     !strcmp(sv(rf, "scenario"), sv(f, "scenario"));
                json_array_foreach(named, q, have) seen |= !strcmp(json_string_value(have) ?: "", sv(row, "name"));
                if (lists && !seen)
                    json_array_append_new(named, json_string(sv(row, "name")));
            }
        }
        char *status = json_is_true(json_object_get(g, "new")) ? ft_xstrdup("new")
                       : all_suppressed && json_array_size(members)
                           ? ft_xasprintf("suppressed by %s", supp_by ? supp_by : "a suppression")
                           : ft_xstrdup("known");
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "name", sv(g, "name"), "owner", sv(g, "owner"),
                                             "summary", sv(g, "summary"), "status", status, "members", members,
                                             "functions", named));
        free(status);
    }
    return out;
}

char *ft_exercise_summary(const json_t *s)
{
    const json_t *ex = json_object_get(s, "exercised"), *v;
    const char *name;
    long most = 0;
    if (!json_is_object(ex))
        return ft_xstrdup(strcmp(sv(s, "status"), "ran") ? "did not run" : "not counted");
    if (!json_integer_value(json_object_get(ex, "functions_total")))
        return ft_xstrdup("no C functions to count");
    if (json_is_true(json_object_get(ex, "reached_by_findings")))
        return ft_xstrdup("no call counted; reached, by the findings' native stacks");
    if (!json_integer_value(json_object_get(ex, "workers_reported")))
        return ft_xstrdup("unknown: the worker ended before its first count");
    if (json_is_false(json_object_get(ex, "target_reached")))
        return ft_xstrdup("target not reached");

    json_object_foreach((json_t *)json_object_get(ex, "calls"), name, v) if (json_integer_value(json_object_get(v, "max_concurrent")) > most)
        most = (long)json_integer_value(json_object_get(v, "max_concurrent"));
    return ft_xasprintf("%lld of %lld functions, max %ld thread%s at once",
                        (long long)json_integer_value(json_object_get(ex, "functions_reached")),
                        (long long)json_integer_value(json_object_get(ex, "functions_total")), most, most == 1 ? "" : "s");
}

char *ft_report_interpreter(const json_t *doc)
{
    const json_t *in = json_object_get(doc, "interpreter");
    if (!json_is_object(in))
        return ft_xstrdup("unknown (results written before ftstress recorded it)");
    return ft_xasprintf("CPython %s%s%s%s, %s", sv(in, "version"),
                        json_is_true(json_object_get(in, "free_threaded")) ? ", free-threaded" : ", with the GIL",
                        json_is_true(json_object_get(in, "debug")) ? ", debug build" : "",
                        json_is_true(json_object_get(in, "tsan")) ? ", ThreadSanitizer" : "", sv(in, "prefix"));
}
