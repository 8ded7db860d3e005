/* A hung round, read into a finding: where each stuck thread was, natively and in Python.
 *
 * The native stacks come from ptrace (native_stack.c). A harness thread that waits at the round's
 * barrier is not stuck; every other thread of the scenario is, and is named by the nearest frame
 * that says what it was doing: the extension's code first, then CPython's C code called from
 * Python. Frames that only wait for a lock say nothing about who waits, so they are passed over,
 * and a thread whose C stack goes straight into the eval loop is named by its Python frame. */
#include "hang.h"

#include <stdlib.h>
#include <string.h>

#include "crash_log.h"
#include "attribution.h"
#include "frames.h"
#include "signature.h"
#include "xalloc.h"

static int starts_with(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

static int is_lock_wait(const ft_frame *f)
{
    static const char *const prefixes[] = {"_PySemaphore_", "_PyParkingLot_", "_PyMutex_", "PyMutex_",
                                           "PyThread_acquire_lock", "lock_PyThread_acquire_lock", "acquire_timed",
                                           "rlock_acquire", "PyEvent_", "_PyEvent_", "_PyRWMutex_",
                                           "_PyRecursiveMutex_", "pysleep", "time_sleep"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (starts_with(f->function, prefixes[i]))
            return 1;
    return 0;
}

/* TSan's runtime holding or waiting for its own locks, or the report hook: the harness's hang.
 * The runtime has no debug info in Debian, so its C++ functions are known by mangled namespace. */
static int is_report_machinery(const ft_frame *f)
{
    return strstr(f->function, "__tsan_on_report") || (starts_with(f->function, "_ZN6__tsan") &&
                                                       (strstr(f->function, "Report") || strstr(f->function, "SlotLock"))) ||
           starts_with(f->function, "_ZN11__sanitizer5Mutex") || strstr(f->file, "/harness/inside_tsan/tsan_hook.c") ||
           strstr(f->file, "/harness/inside_tsan/pystack.c") || strstr(f->file, "/harness/inside_tsan/plain_out.c");
}

static int waits_at_barrier(const json_t *frames)
{
    size_t i;
    json_t *fr;
    json_array_foreach(frames, i, fr) {
        ft_frame f = ft_frame_from_json(fr);
        if (strstr(f.function, "pthread_barrier_wait"))
            return 1;
    }
    return 0;
}

/* The frame that names what a stuck thread was doing, or -1 when it runs Python code. */
static int naming_frame(const json_t *frames)
{
    int target = ft_nearest_target(frames);
    size_t n = json_array_size(frames);
    if (target >= 0)
        return target;
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (ft_frame_is_eval_loop(&f))
            break;
        if (!ft_frame_is_plumbing(&f) && !ft_frame_is_system(&f) && !is_lock_wait(&f) && strcmp(f.function, "..."))
            return (int)i;
    }
    return -1;
}

void ft_analyse_hang(ft_hang_info *h, const char *stacks, const json_t *native)
{
    size_t i;
    json_t *t;
    int python_named = 0;

    json_int_t main_tid = 0; /* the process's first thread has the smallest id: the worker's main thread */
    *h = (ft_hang_info){0};
    json_array_foreach(native, i, t) {
        json_int_t tid = json_integer_value(json_object_get(t, "tid"));
        if (!main_tid || tid < main_tid)
            main_tid = tid;
    }
    json_array_foreach(native, i, t) {
        const char *name = json_string_value(json_object_get(t, "name")) ?: "";
        json_t *frames = json_object_get(t, "frames");
        size_t k;
        json_t *fr;
        json_array_foreach(frames, k, fr) {
            ft_frame f = ft_frame_from_json(fr);
            if (!h->why_harness && is_report_machinery(&f))
                h->why_harness = ft_xasprintf("thread %s was inside TSan's report machinery or ftstress's report hook "
                                              "(%s): the hang is ftstress's, not the extension's",
                                              *name ? name : "?", f.function);
        }
        /* The scenario's threads (fts:N) and the main thread; the watchdog and TSan's own thread wait by design. */
        if (strncmp(name, "fts:", 4) && json_integer_value(json_object_get(t, "tid")) != main_tid)
            continue;
        if (!strcmp(name, "fts:watchdog") || waits_at_barrier(frames))
            continue;
        int at = naming_frame(frames);
        if (at < 0) {
            python_named = 1;
            continue;
        }
        ft_frame f = ft_frame_from_json(json_array_get(frames, (size_t)at));
        if (!ft_strlist_contains(&h->functions, f.function))
            ft_strlist_push(&h->functions, f.function);
        if (!h->location)
            h->location = ft_frame_location(frames, at);
        if (!h->owner || strcmp(h->owner, "target"))
            h->owner = ft_frame_is_target(&f) ? "target" : "cpython";
    }
    if (python_named || h->functions.count == 0) {
        ft_strlist py = {0};
        ft_stuck_frames(stacks, &py);
        for (size_t k = 0; k < py.count; k++)
            if (!ft_strlist_contains(&h->functions, py.items[k]) && (python_named || h->functions.count == 0))
                ft_strlist_push(&h->functions, py.items[k]);
        ft_strlist_free(&py);
    }
    if (h->why_harness)
        h->owner = "harness";
}

void ft_hang_info_free(ft_hang_info *h)
{
    ft_strlist_free(&h->functions);
    free(h->why_harness);
    free(h->location);
    *h = (ft_hang_info){0};
}
