/* Finding signatures: stable names for one bug across runs, machines and builds.
 *
 * Signatures hold function names only, never lines or addresses:
 *   race:A|B            data race; A and B the top meaningful functions of the two accesses, sorted
 *   race:A|?            the same, when TSan could not restore the other access's stack
 *   tsan:TYPE:A|B       another TSan report type (heap-use-after-free, lock-order-inversion, ...)
 *   crash:SIGNAL:F1|F2|F3  up to three meaningful native frames, target first (crash_log.c)
 *   hang:SCENARIO:F1|F2 the frame each stuck thread is in (hang.c)
 *   error:TYPE:FRAME / check:TYPE:FRAME  exception type and the innermost Python frame */
#include "signature.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "xalloc.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *ft_join_sorted(const ft_strlist *names, int distinct)
{
    ft_strlist sorted = {0};
    char *out;
    for (size_t i = 0; i < names->count; i++)
        if (!distinct || !ft_strlist_contains(&sorted, names->items[i]))
            ft_strlist_push(&sorted, names->items[i]);
    if (sorted.count)
        qsort(sorted.items, sorted.count, sizeof *sorted.items, cmp_str);
    out = ft_strlist_join(&sorted, "|");
    ft_strlist_free(&sorted);
    return out;
}

int ft_first_signature_frame(const json_t *frames)
{
    size_t n = json_array_size(frames);
    int start = ft_nearest_target(frames);
    for (size_t i = start > 0 ? (size_t)start : 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (!ft_frame_is_plumbing(&f) && !ft_frame_is_system(&f) && strcmp(f.function, "..."))
            return (int)i;
    }
    return -1;
}

int ft_signature_frames(const json_t *frames, int max, ft_strlist *out)
{
    size_t n = json_array_size(frames);
    int start = ft_nearest_target(frames), added = 0;
    for (size_t i = start > 0 ? (size_t)start : 0; i < n && added < max; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (ft_frame_is_plumbing(&f) || ft_frame_is_system(&f) || !strcmp(f.function, "..."))
            continue;
        ft_strlist_push(out, f.function);
        added++;
    }
    return added;
}

/* "file:0": the symbolizer knew the file but not the line. */
static int line_unknown(const char *location)
{
    size_t n = strlen(location);
    return n >= 2 && !strcmp(location + n - 2, ":0");
}

/* A race inside a library the extension calls (the system's libxxhash) on a heap object the
 * extension allocated is the extension's: it shares the object. No frame of the extension need be
 * on the racing stacks: its method may tail-call the library ("cfunction_call -> XXH64_update").
 * Every racing access's top frame is in such a library, and the object was allocated by the extension
 * or by that kind of library (CPython's own modules call no third-party library but through their
 * own frames, under the interpreter's prefix); the finding is placed at the extension's allocation
 * when no access has a line. */
static void library_on_target_object(const json_t *report, ft_report_sig *out)
{
    json_t *m, *loc;
    size_t i;
    int accesses = 0;
    json_array_foreach(json_object_get(report, "mops"), i, m) {
        json_t *frames = json_object_get(m, "frames");
        int top = ft_top_meaningful(frames);
        if (i >= 2)
            break;
        if (top < 0)
            continue;
        ft_frame f = ft_frame_from_json(json_array_get(frames, (size_t)top));
        if (!ft_frame_is_library(&f))
            return;
        accesses++;
    }
    if (!accesses)
        return;
    json_array_foreach(json_object_get(report, "locs"), i, loc) {
        json_t *frames = json_object_get(loc, "frames");
        int at = ft_nearest_target(frames), top = ft_top_meaningful(frames);
        ft_frame alloc = ft_frame_from_json(json_array_get(frames, top >= 0 ? (size_t)top : 0));
        /* allocated by the extension, or by the library itself when the extension's constructor
         * tail-called it ("type_call -> XXH3_createState") */
        if (strcmp(json_string_value(json_object_get(loc, "type")) ?: "", "heap") || (at < 0 && (top < 0 || !ft_frame_is_library(&alloc))))
            continue;
        out->owner = "target";
        if (!out->location && at >= 0)
            out->location = ft_frame_location(frames, at);
        return;
    }
}


void ft_report_signature(const json_t *report, ft_report_sig *out)
{
    const char *type = json_string_value(json_object_get(report, "type"));
    json_t *mops = json_object_get(report, "mops"), *m;
    int is_race = type && !strcmp(type, "data-race");
    int accesses = 0, harness_called = 0; /* racing accesses, and of them on the harness's own C API calls */
    const json_t *loc_frames = NULL; /* the stack and frame the location came from */
    int loc_index = -1;
    char *joined;
    size_t i;

    *out = (ft_report_sig){.owner = "cpython"};
    if (!type)
        type = "unknown";
    json_array_foreach(mops, i, m) {
        json_t *frames = json_object_get(m, "frames");
        int top = ft_top_meaningful(frames), target = ft_nearest_target(frames);
        const char *who = ft_stack_owner(frames);
        if (i >= 2)
            break; /* the first two accesses are the race; more are context */
        accesses++;
        harness_called += ft_stack_harness_called(frames);
        if (top < 0) {
            out->degraded = 1; /* "failed to restore the stack": the other side is unknown */
            continue;
        }
        ft_strlist_push(&out->functions, ft_frame_from_json(json_array_get(frames, (size_t)top)).function);
        /* A finding's place is in the extension when the extension is on the stack. Line 0 (the
         * compiler attributed the instruction to no line) gives way to the other access's line. */
        char *here = ft_frame_location_exact(frames, target >= 0 ? target : top);
        if (!out->location || (target >= 0 && strcmp(out->owner, "target")) ||
            (here && line_unknown(out->location) && !line_unknown(here) &&
             (target >= 0 || strcmp(out->owner, "target")))) {
            free(out->location);
            out->location = here;
            loc_frames = frames, loc_index = target >= 0 ? target : top;
        } else
            free(here);
        if (!strcmp(who, "target") || (!strcmp(who, "harness") && strcmp(out->owner, "target")))
            out->owner = who;
    }
    if (accesses && harness_called == accesses && !strcmp(out->owner, "cpython"))
        out->owner = "harness";
    if (!strcmp(out->owner, "cpython"))
        library_on_target_object(report, out);
    if (out->location && line_unknown(out->location)) { /* no access had a line: its nearest caller's */
        free(out->location);
        out->location = ft_frame_location(loc_frames, loc_index);
    }
    if (out->functions.count == 0) { /* reports without accesses (mutex misuse, leaks): their first stack */
        json_t *frames = json_array_get(json_object_get(report, "stacks"), 0);
        if (!frames)
            frames = json_object_get(json_array_get(json_object_get(report, "threads"), 0), "frames");
        int top = ft_top_meaningful(frames);
        ft_strlist_push(&out->functions, top >= 0 ? ft_frame_from_json(json_array_get(frames, (size_t)top)).function : "??");
        out->owner = frames ? ft_stack_owner(frames) : "cpython";
        out->location = ft_frame_location(frames, ft_nearest_target(frames) >= 0 ? ft_nearest_target(frames) : top);
        out->degraded = 0;
    }
    if (is_race && out->functions.count == 1 && json_array_size(mops) >= 2)
        out->degraded = 1;
    joined = ft_join_sorted(&out->functions, 0);
    out->kind = is_race ? FT_KIND_RACE : FT_KIND_TSAN;
    if (is_race) {
        out->signature = ft_xasprintf("race:%s%s", joined, out->degraded ? "|?" : "");
        char *a = ft_display_name(out->functions.items[0]);
        char *b = out->functions.count > 1 ? ft_display_name(out->functions.items[1]) : ft_xstrdup("(stack not restored)");
        out->title = ft_xasprintf("data race: %s vs %s", a, b);
        free(a);
        free(b);
    } else {
        out->signature = ft_xasprintf("tsan:%s:%s", type, joined);
        out->title = ft_xasprintf("%s: %s", type, joined);
    }
    free(joined);
}

void ft_report_sig_free(ft_report_sig *s)
{
    free(s->signature);
    free(s->title);
    ft_strlist_free(&s->functions);
    free(s->location);
    *s = (ft_report_sig){0};
}
