/* Root-cause groups: findings whose stacks connect through the same functions or racing object.
 *
 * One unlocked object in an extension races in a dozen function pairs, then corrupts memory and
 * crashes: each report is a finding of its own signature, but they are one bug. Findings that share
 * an anchor (grouping.h) are joined, transitively (union-find), so the terminal, JUnit and the
 * baseline can speak of the bug once. */
#include "grouping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "disjoint_sets.h"
#include "frames.h"
#include "group_summary.h"
#include "hang.h"
#include "signature.h"
#include "xalloc.h"

static void add(ft_strlist *anchors, char *anchor)
{
    if (!ft_strlist_contains(anchors, anchor))
        ft_strlist_push(anchors, anchor);
    free(anchor);
}

/* The module name of an extension: "/x/site/hiredis/hiredis.cpython-313td-x86_64-linux-gnu.so" -> "hiredis". */
static void add_module(ft_strlist *anchors, const ft_frame *f)
{
    const char *base = strrchr(f->module, '/') ? strrchr(f->module, '/') + 1 : f->module;
    size_t n = strcspn(base, ".");
    add(anchors, ft_xasprintf("mod:%.*s", (int)n, base));
}

/* "fn:NAME" for a function of the extension. A C++ function by its name without parameters and
 * template arguments (frames.c's display name): the instantiations of one template
 * ("dumps_internal<Writer<...>>", "dumps_internal<PrettyWriter<...>>") are one piece of source, and
 * a crash's native stack names functions without the parameters TSan's symbolizer gives. C and
 * Cython-as-C names stay as they are, so their baselines keep matching. */
static char *fn_anchor(const char *function)
{
    if (!strchr(function, '(') && !strchr(function, '<') && !strstr(function, "::"))
        return ft_xasprintf("fn:%s", function);
    char *shown = ft_display_name(function), *anchor = ft_xasprintf("fn:%s", shown);
    free(shown);
    return anchor;
}

static void add_function(ft_strlist *anchors, const json_t *frames, int index, const char *scenario)
{
    ft_frame f;
    if (index < 0)
        return;
    f = ft_frame_from_json(json_array_get(frames, (size_t)index));
    if (!strcmp(f.function, "??") || !strcmp(f.function, "..."))
        return;
    if (ft_frame_is_target(&f)) {
        add(anchors, fn_anchor(f.function));
        add_module(anchors, &f);
    } else {
        add(anchors, ft_xasprintf("fn@%s:%s", scenario, f.function));
        /* A standard-library module's C code (Modules/_io/bytesio.c) within one scenario: the same
         * unlocked object seen through another function pair of that module, run after run. */
        const char *mod = strstr(f.file, "/Modules/");
        if (mod)
            add(anchors, ft_xasprintf("code@%s:%s", scenario, mod + 1));
    }
}

/* The C allocator's entry points: the frame that calls one directly, when it is a stack's top
 * meaningful frame, may be a thin wrapper (hiredis's hi_realloc, a project's xmalloc) that every
 * allocation of the extension goes through. */
static int is_allocator(const char *function)
{
    static const char *const names[] = {"malloc", "calloc", "realloc", "reallocarray", "free",
                                        "posix_memalign", "aligned_alloc", "memalign", "valloc",
                                        /* CPython's: an extension's wrapper of these (regex's re_dealloc) is one too */
                                        "PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_Free",
                                        "PyMem_RawMalloc", "PyMem_RawCalloc", "PyMem_RawRealloc", "PyMem_RawFree",
                                        "PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc", "PyObject_Free"};
    while (*function == '_')
        function++;
    if (!strncmp(function, "interceptor_", 12))
        function += 12;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(function, names[i]))
            return 1;
    return 0;
}

/* "alloc:NAME" for a top frame that calls the allocator: a group is named after some other
 * function of its members when it has one (the wrapper names where memory moved, not the bug). */
static void add_allocator_caller(ft_strlist *anchors, const json_t *frames, int top)
{
    if (top < 1)
        return;
    ft_frame callee = ft_frame_from_json(json_array_get(frames, (size_t)top - 1));
    ft_frame caller = ft_frame_from_json(json_array_get(frames, (size_t)top));
    if (is_allocator(callee.function) && strcmp(caller.function, "??"))
        add(anchors, ft_xasprintf("alloc:%s", caller.function));
}

/* Every frame of the extension on a stack, from the access down to the method Python called: two
 * stacks through the same unlocked object meet in its methods, whatever helper each raced in. */
static void add_target_frames(ft_strlist *anchors, const json_t *frames)
{
    size_t n = json_array_size(frames);
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (ft_frame_is_eval_loop(&f) || ft_frame_is_error_reporting(&f))
            break;
        if (ft_frame_is_target(&f) && !ft_frame_is_plumbing(&f)) {
            add(anchors, fn_anchor(f.function));
            add_module(anchors, &f);
        }
    }
}

/* Every standard-library module's C file on a stack, from the access down to the method Python
 * called, within one scenario: a shared pickle.Pickler's dump() races in its own _pickle.c and, one
 * night and not another, in the BytesIO it writes to (write_bytes vs write_bytes, reached through
 * _Pickler_FlushToFile): one unlocked object seen through the module Python called. */
static void add_module_code(ft_strlist *anchors, const json_t *frames, const char *scenario)
{
    size_t n = json_array_size(frames);
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (!strncmp(f.function, "_PyEval_EvalFrame", 17)) /* the Python code that called it: not the call plumbing */
            break;
        const char *mod = ft_frame_is_target(&f) ? NULL : strstr(f.file, "/Modules/");
        if (mod && !strstr(mod, "/clinic/"))
            add(anchors, ft_xasprintf("code@%s:%s", scenario, mod + 1));
    }
}

void ft_anchors_from_report(ft_strlist *anchors, const json_t *report, const char *scenario)
{
    json_int_t worker = json_integer_value(json_object_get(report, "worker"));
    json_t *item;
    size_t i;

    json_array_foreach(json_object_get(report, "mops"), i, item) {
        json_t *frames = json_object_get(item, "frames");
        if (i >= 2)
            break;
        add_function(anchors, frames, ft_top_meaningful(frames), scenario);
        add_allocator_caller(anchors, frames, ft_top_meaningful(frames));
        add_target_frames(anchors, frames);
        add_module_code(anchors, frames, scenario);
    }
    json_array_foreach(json_object_get(report, "locs"), i, item) {
        const char *type = json_string_value(json_object_get(item, "type")) ?: "";
        const char *start = json_string_value(json_object_get(item, "start"));
        /* the object itself, within one worker; not the allocation site, whose allocator wrappers
         * (hi_calloc) serve every object of an extension and would join unrelated bugs */
        if (worker && start && (!strcmp(type, "heap") || !strcmp(type, "global")))
            add(anchors, ft_xasprintf("obj:%lld:%s", (long long)worker, start));
        /* an object the extension allocated names the group by its module, when no racing frame
         * is the extension's (a library it tail-called: "_xxhash: XXH64_update") */
        json_t *alloc = json_object_get(item, "frames");
        int at = !strcmp(type, "heap") ? ft_nearest_target(alloc) : -1;
        if (at >= 0) {
            ft_frame f = ft_frame_from_json(json_array_get(alloc, (size_t)at));
            add_module(anchors, &f);
        }
    }
}

void ft_anchors_from_native(ft_strlist *anchors, const json_t *frames, const char *scenario)
{
    ft_strlist names = {0};
    size_t n = json_array_size(frames);
    ft_signature_frames(frames, 3, &names);
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (ft_strlist_contains(&names, f.function))
            add_function(anchors, frames, (int)i, scenario);
    }
    add_target_frames(anchors, frames);
    ft_strlist_free(&names);
}

void ft_anchors_from_hang(ft_strlist *anchors, const json_t *native, const char *scenario)
{
    ft_hang_info h;
    size_t i;
    json_t *t;
    ft_analyse_hang(&h, "", native);
    json_array_foreach(native, i, t) {
        json_t *frames = json_object_get(t, "frames");
        size_t n = json_array_size(frames);
        for (size_t k = 0; k < n; k++) {
            ft_frame f = ft_frame_from_json(json_array_get(frames, k));
            if (ft_strlist_contains(&h.functions, f.function)) {
                add_function(anchors, frames, (int)k, scenario);
                break;
            }
        }
    }
    ft_hang_info_free(&h);
}

int ft_anchor_connects(const char *anchor) { return strncmp(anchor, "mod:", 4) && strncmp(anchor, "alloc:", 6); }

void ft_groups_free(ft_results *r)
{
    for (size_t g = 0; g < r->ngroups; g++) {
        free(r->groups[g].name);
        free(r->groups[g].summary);
        ft_strlist_free(&r->groups[g].functions);
        ft_strlist_free(&r->groups[g].scenarios);
    }
    free(r->groups);
    r->groups = NULL;
    r->ngroups = 0;
}

/* The group's members counted by label (group_summary.c: the rule a merge of results uses too). */
static char *summarize(const ft_results *r, size_t root, ft_sets *sets)
{
    ft_group_summary summary = {0};
    for (size_t i = 0; i < r->nfindings; i++)
        if (ft_sets_find(sets, i) == root)
            ft_group_summary_add(&summary, r->findings[i].kind, r->findings[i].signature, r->findings[i].suppressed_by != NULL);
    return ft_group_summary_finish(&summary);
}

/* Whether some member of the group has anchor PREFIX+fn ("alloc:" a caller of the allocator,
 * "fn:" a function of the extension). */
static int anchor_in_group(const ft_results *r, size_t root, ft_sets *sets, const char *prefix, const char *fn)
{
    char *anchor = !strcmp(prefix, "fn:") ? fn_anchor(fn) : ft_xasprintf("%s%s", prefix, fn);
    int found = 0;
    for (size_t i = 0; i < r->nfindings && !found; i++)
        found = ft_sets_find(sets, i) == root && ft_strlist_contains(&r->findings[i].anchors, anchor);
    free(anchor);
    return found;
}

/* The group's name: its module (if the extension's) and the function most of its members name in
 * their signatures (ties: the first in sort order, so the name is the same run after run): one of
 * the extension's own if any (not CPython's dict code the extension called), and a function seen
 * calling the allocator only when nothing else can. */
static char *group_name(const ft_results *r, size_t root, ft_sets *sets, const ft_group *g)
{
    const char *best = NULL, *module = NULL;
    long best_n = 0;
    for (int tier = 0; tier < 3 && !best; tier++) /* 0: the extension's, no wrapper; 1: no wrapper; 2: any */
        for (size_t i = 0; i < r->nfindings; i++) {
            if (ft_sets_find(sets, i) != root)
                continue;
            for (size_t a = 0; a < r->findings[i].functions.count; a++) {
                const char *fn = r->findings[i].functions.items[a];
                long n = 0;
                if (tier < 2 && anchor_in_group(r, root, sets, "alloc:", fn))
                    continue;
                if (tier == 0 && !anchor_in_group(r, root, sets, "fn:", fn))
                    continue;
                for (size_t j = 0; j < r->nfindings; j++)
                    n += ft_sets_find(sets, j) == root && ft_strlist_contains(&r->findings[j].functions, fn);
                if (n > best_n || (n == best_n && best && strcmp(fn, best) < 0))
                    best = fn, best_n = n;
            }
        }
    for (size_t i = 0; i < r->nfindings && !module; i++)
        for (size_t k = 0; ft_sets_find(sets, i) == root && k < r->findings[i].anchors.count && !module; k++)
            if (!strncmp(r->findings[i].anchors.items[k], "mod:", 4))
                module = r->findings[i].anchors.items[k] + 4;
    char *shown = best ? ft_display_name(best) : NULL;
    char *name = ft_xasprintf("%s: %s", module ? module : g->owner, shown ? shown : r->findings[root].signature);
    free(shown);
    return name;
}

/* A race, TSan report or crash that can start a bug's consequences in its scenario: the
 * extension's, or any in a scenario that tests CPython itself (nothing there is the target's). */
static int is_cause(const ft_results *r, const ft_finding *f)
{
    int report = f->kind == FT_KIND_RACE || f->kind == FT_KIND_TSAN || ft_finding_kind_is_fatal(f->kind);
    if (!report || f->suppressed_by || (f->owner && !strcmp(f->owner, "harness")))
        return 0;
    return (f->owner && !strcmp(f->owner, "target")) || !r->scenarios[f->scenario].target_modules.count;
}

static int is_target(const ft_finding *f) { return f->owner && !strcmp(f->owner, "target"); }

/* Whether two findings share an extension module ("mod:" anchors), or `race` has none: a race inside
 * a library on an object of the extension (xxhash's XXH3_64bits_update on the state libxxhash
 * allocated from type_call) names no module, yet is the target's (signature.c). */
static int same_module(const ft_finding *crash, const ft_finding *race)
{
    int any = 0;
    for (size_t k = 0; k < race->anchors.count; k++)
        if (!strncmp(race->anchors.items[k], "mod:", 4)) {
            any = 1;
            if (ft_strlist_contains(&crash->anchors, race->anchors.items[k]))
                return 1;
        }
    return !any;
}

/* Why `f` is a consequence of `cause` (same scenario, seen in or after the cause's first round), or
 * NULL: an exception (not the scenario's own code's) or a forbidden outcome after a race or crash, a
 * crash of the extension after its race in the same module (the corrupted state: xxhash's SIGSEGV in
 * PYXXH3_64_do_update after XXH3_64bits_update raced on the same hasher), or CPython's own race or
 * abort after the extension crashed or freed memory under another thread. */
static const char *consequence_of(const ft_results *r, const ft_finding *f, const ft_finding *cause)
{
    if (f == cause || f->scenario != cause->scenario || f->first_round < cause->first_round || !is_cause(r, cause))
        return NULL;
    if (f->kind == FT_KIND_ERROR && !(f->owner && !strcmp(f->owner, "scenario")))
        return "an exception raised after it";
    if (f->kind == FT_KIND_OUTCOME) /* the arbiter saw the state the race left: xxhash's lost updates */
        return "a forbidden outcome after it";
    if (ft_finding_kind_is_fatal(f->kind) && is_target(f) && is_target(cause) &&
        (cause->kind == FT_KIND_RACE || cause->kind == FT_KIND_TSAN) && same_module(f, cause))
        return "a crash in the same module's code after it";
    int corrupts = ft_finding_kind_is_fatal(cause->kind) || !strncmp(cause->signature, "tsan:heap-use-after-free", 24);
    if (corrupts && cause->owner && !strcmp(cause->owner, "target") && f->owner && !strcmp(f->owner, "cpython") &&
        (f->kind == FT_KIND_RACE || f->kind == FT_KIND_TSAN || ft_finding_kind_is_fatal(f->kind)))
        return "CPython's aftermath after it";
    return NULL;
}

/* A bug's consequences join its group: each consequence joins the earliest cause of its scenario,
 * and says so (joined_because). */
static void join_consequences(ft_results *r, ft_sets *sets)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        ft_finding *f = &r->findings[i];
        size_t best = (size_t)-1;
        const char *why = NULL;
        for (size_t j = 0; j < r->nfindings; j++) {
            const char *w = consequence_of(r, f, &r->findings[j]);
            if (w && (best == (size_t)-1 || r->findings[j].first_round < r->findings[best].first_round))
                best = j, why = w;
        }
        if (best == (size_t)-1 || ft_sets_same(sets, i, best))
            continue;
        ft_sets_join(sets, best, i);
        free(f->joined_because);
        f->joined_because = ft_xasprintf("%s: %s (round %ld), then this (round %ld)", why, r->findings[best].title ?
                                         r->findings[best].title : r->findings[best].signature, r->findings[best].first_round,
                                         f->first_round);
    }
}

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The member signatures of the group rooted at `root`, sorted and joined by newlines: what the
 * group saw, whichever scenario it saw it in. */
static char *signature_set(const ft_results *r, size_t root, ft_sets *sets)
{
    ft_strlist sigs = {0};
    char *text;
    for (size_t i = 0; i < r->nfindings; i++)
        if (ft_sets_find(sets, i) == root && !ft_strlist_contains(&sigs, r->findings[i].signature))
            ft_strlist_push(&sigs, r->findings[i].signature);
    qsort(sigs.items, sigs.count, sizeof *sigs.items, compare_strings);
    text = ft_xstrdup("");
    for (size_t k = 0; k < sigs.count; k++) {
        char *longer = ft_xasprintf("%s%s\n", text, sigs.items[k]);
        free(text);
        text = longer;
    }
    ft_strlist_free(&sigs);
    return text;
}

/* One bug reached from several scenarios is one group listing them. Anchors of CPython's code are
 * scoped to a scenario (its dict or refcount code is shared by unrelated bugs), so the same bug of
 * a standard-library module seen from three scenarios (a shared BufferedReader, BufferedWriter and
 * BufferedRandom each aborting in `_Py_CheckFunctionResult`) forms three groups of the same name.
 * Groups of different scenarios whose member signatures are the same set are joined: the same
 * findings are the same root cause. Sets, not one shared signature: one generic pair (an
 * allocator's `read_size_t vs write_size_t`, a refcount) in two unrelated scenarios' groups would
 * otherwise chain them into one. */
static void join_same_groups(ft_results *r, ft_sets *sets)
{
    size_t n = r->nfindings;
    char **members = ft_xcalloc(n ? n : 1, sizeof *members);
    for (size_t i = 0; i < n; i++)
        if (ft_sets_find(sets, i) == i)
            members[i] = signature_set(r, i, sets);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; members[i] && j < n; j++)
            if (members[j] && ft_sets_find(sets, j) == j && ft_sets_find(sets, i) == i && !strcmp(members[i], members[j]))
                ft_sets_join(sets, i, j);
    for (size_t i = 0; i < n; i++)
        free(members[i]);
    free(members);
}

/* Whether a finding is the extension's own access, crash or TSan report with a source line. */
static int at_target_line(const ft_finding *f)
{
    return f->location && f->owner && !strcmp(f->owner, "target") &&
           (f->kind == FT_KIND_RACE || f->kind == FT_KIND_TSAN || ft_finding_kind_is_fatal(f->kind));
}

/* Findings of one scenario placed at the same line of the extension are one bug seen through
 * different pairs: a use-after-free of a borrowed item races with whatever CPython code reuses the
 * freed memory (PyUnicode_New, _PyBytes_Repeat, ...), a new pair in every run, each at the line
 * that used the item. They share no function the anchors connect by (the pairs are CPython's), but
 * the maintainer's line is the same. Only within a scenario: the same line reached from two
 * scenarios is joined by its function's anchor, as everywhere else. */
static void join_same_target_line(ft_results *r, ft_sets *sets)
{
    for (size_t i = 0; i < r->nfindings; i++)
        for (size_t j = i + 1; at_target_line(&r->findings[i]) && j < r->nfindings; j++)
            if (at_target_line(&r->findings[j]) && r->findings[j].scenario == r->findings[i].scenario &&
                !strcmp(r->findings[i].location, r->findings[j].location))
                ft_sets_join(sets, i, j);
}

void ft_groups_build(ft_results *r)
{
    size_t n = r->nfindings, *index_of;
    ft_sets sets_of_findings, *sets = &sets_of_findings;

    ft_groups_free(r);
    ft_sets_init(sets, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const ft_finding *a = &r->findings[i], *b = &r->findings[j];
            if (ft_sets_same(sets, i, j))
                continue;
            for (size_t k = 0; k < a->anchors.count; k++)
                if (ft_anchor_connects(a->anchors.items[k]) && ft_strlist_contains(&b->anchors, a->anchors.items[k])) {
                    ft_sets_join(sets, i, j);
                    break;
                }
        }
    join_same_target_line(r, sets);
    join_consequences(r, sets);
    join_same_groups(r, sets);
    index_of = ft_xcalloc(n ? n : 1, sizeof *index_of);
    r->groups = ft_xcalloc(n ? n : 1, sizeof *r->groups);
    for (size_t i = 0; i < n; i++) /* every root its number first: a root may come after its members */
        if (ft_sets_find(sets, i) == i) {
            index_of[i] = r->ngroups++;
            r->groups[index_of[i]].owner = r->findings[i].owner ? r->findings[i].owner : "cpython";
        }
    for (size_t i = 0; i < n; i++) {
        ft_finding *f = &r->findings[i];
        ft_group *g = &r->groups[index_of[ft_sets_find(sets, i)]];
        f->group = index_of[ft_sets_find(sets, i)];
        g->nmembers++;
        if (f->owner && !strcmp(f->owner, "target"))
            g->owner = "target";
        for (size_t k = 0; k < f->anchors.count; k++)
            if (strncmp(f->anchors.items[k], "obj:", 4) && ft_anchor_connects(f->anchors.items[k]) &&
                !ft_strlist_contains(&g->functions, f->anchors.items[k]))
                ft_strlist_push(&g->functions, f->anchors.items[k]);
        const char *sc = r->scenarios[f->scenario].scenario->name;
        if (!ft_strlist_contains(&g->scenarios, sc))
            ft_strlist_push(&g->scenarios, sc);
    }
    for (size_t i = 0; i < n; i++)
        if (ft_sets_find(sets, i) == i) {
            ft_group *g = &r->groups[index_of[i]];
            g->name = group_name(r, i, sets, g);
            g->summary = summarize(r, i, sets);
        }
    /* A finding that joins a group the baseline knows a member of is known too. */
    for (size_t i = 0; i < n; i++) {
        ft_finding *f = &r->findings[i];
        if (!f->baseline_note || f->suppressed_by)
            continue;
        for (size_t j = 0; j < n; j++) {
            ft_finding *o = &r->findings[j];
            if (!o->baseline_note && !o->suppressed_by && o->group == f->group)
                o->baseline_note = ft_xasprintf("joins the known group of %s", f->signature);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (ft_finding_counts(&r->findings[i]))
            r->groups[r->findings[i].group].counts = 1;
    ft_sets_free(sets);
    free(index_of);
}
