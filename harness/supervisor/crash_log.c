/* What a dead worker left behind, read into a finding: native stacks, TSan's log, Python stacks. */
#include "crash_log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "frames.h"
#include "native_stack.h"
#include "render.h"
#include "signature.h"
#include "xalloc.h"

/* One frame line of a sanitizer stack, e.g.
 *   "    #0 crash_null /src/seeded.c:41:12 (seeded.cpython-313td-x86_64-linux-gnu.so+0x1d2e) (BuildId: 9a...)"
 *   "    #3 0x55d1c3a2b4f0 in _PyEval_EvalFrameDefault Python/generated_cases.c.h:2354:35"
 * becomes [function, file, line, module]; NULL if the line is no frame. */
static json_t *parse_frame_line(const char *line)
{
    char fn[512] = "", loc[1024] = "", mod[1024] = "";
    const char *p = line;
    int line_no = 0;

    while (*p == ' ')
        p++;
    if (*p != '#')
        return NULL;
    p = strchr(p, ' ');
    if (!p)
        return NULL;
    p++;
    if (!strncmp(p, "0x", 2) && (p = strchr(p, ' ')))
        p++;
    if (p && !strncmp(p, "in ", 3))
        p += 3;
    if (!p || sscanf(p, "%511s", fn) != 1)
        return NULL;
    p += strlen(fn);
    while (*p == ' ')
        p++;
    if (*p == '(') { /* no source location, only the module */
        sscanf(p + 1, "%1023[^+)]", mod);
    } else {
        sscanf(p, "%1023s", loc);
        const char *paren = strchr(p, '(');
        if (paren)
            sscanf(paren + 1, "%1023[^+)]", mod);
        char *colon = strchr(loc, ':');
        if (colon) {
            line_no = atoi(colon + 1);
            *colon = '\0';
        }
    }
    return json_pack("[s%, s%, i, s%]", fn, strlen(fn), loc, strlen(loc), line_no, mod, strlen(mod));
}

static void signal_name(char *buf, size_t n, const char *word)
{
    snprintf(buf, n, "%s%s", strncmp(word, "SIG", 3) ? "SIG" : "", word);
}

/* TSan's own reports of a worker's death, in its log, followed by "#N" frame lines up to the first
 * blank line:
 * - its deadly-signal report, when a worker runs with TSan's own signal handling (a user's
 *   TSAN_OPTIONS can turn it back on):
 *     "==123==ERROR: ThreadSanitizer: SEGV on unknown address 0x000000000000 (pc ... T456)"
 * - a failed internal check, after which TSan exits (66): the program broke the runtime's own
 *   state, e.g. freed memory its allocator never gave out (datrie's tail_set_suffix on a pool
 *   another thread had moved: "sanitizer_allocator_secondary.h:297 ((IsAligned(p, page_size_)))"):
 *     "ThreadSanitizer: CHECK failed: FILE:LINE "((COND)) != (0)" (0x0, 0x0) (tid=14668)"
 *   The stack's top frames are the runtime's (CheckFailed, free), then the code that called it. */
static void parse_tsan_log(ft_crash_info *c, const char *tsan_log)
{
    static const char deadly[] = "ERROR: ThreadSanitizer: ", check[] = "ThreadSanitizer: CHECK failed: ";
    const char *err = NULL, *p;
    int is_check = 0;
    for (p = tsan_log; p && (p = strstr(p, deadly)); p++)
        err = p;
    for (p = tsan_log; p && (p = strstr(p, check)); p++)
        if (p > err)
            err = p, is_check = 1;
    if (!err)
        return;
    if (is_check)
        snprintf(c->signal_name, sizeof c->signal_name, "TSan-CHECK");
    else {
        char word[32] = "";
        sscanf(err + strlen(deadly), "%31[A-Za-z]", word);
        if (*word)
            signal_name(c->signal_name, sizeof c->signal_name, word);
    }
    for (p = strchr(err, '\n'); p && *p; p = strchr(p, '\n')) {
        p++;
        const char *end = strchr(p, '\n');
        char line[2048];
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0 && json_array_size(c->native))
            break;
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        json_t *fr = parse_frame_line(line);
        if (fr)
            json_array_append_new(c->native, fr);
    }
    if (json_array_size(c->native))
        c->native_source = is_check ? "tsan-check" : "tsan";
}

/* The frames below the first one `is_boundary` accepts (all of them when none is). New reference. */
static json_t *frames_below(const json_t *frames, int (*is_boundary)(const char *function))
{
    size_t n = json_array_size(frames), start = 0;
    for (size_t i = 0; i < n; i++)
        if (is_boundary(ft_frame_from_json(json_array_get(frames, i)).function)) {
            start = i + 1;
            break;
        }
    json_t *out = json_array();
    for (size_t i = start; out && i < n; i++)
        json_array_append(out, json_array_get(frames, i));
    return out;
}

/* glibc's signal trampoline: everything above it is the handler, below it the fault */
static int is_signal_trampoline(const char *function) { return !strcmp(function, "__restore_rt"); }

static int is_exit(const char *function) { return !strcmp(function, "exit") || !strcmp(function, "__GI_exit"); }

json_t *ft_frames_below_signal(const json_t *frames) { return frames_below(frames, is_signal_trampoline); }

/* The frames of the thread that called exit() below exit itself: who called it. The whole stack
 * when exit is not on it. New reference. */
static json_t *frames_below_exit(const json_t *frames) { return frames_below(frames, is_exit); }

static const json_t *thread_of(const json_t *native, int tid)
{
    size_t i;
    json_t *t;
    json_array_foreach(native, i, t) if (json_integer_value(json_object_get(t, "tid")) == tid) return t;
    return NULL;
}

void ft_parse_crash(ft_crash_info *c, const ft_crash_evidence *ev)
{
    const json_t *crashing = ev->crash_tid ? thread_of(ev->native, ev->crash_tid) : NULL;
    *c = (ft_crash_info){0};

    if (ev->signal)
        signal_name(c->signal_name, sizeof c->signal_name, sigabbrev_np(ev->signal) ?: "UNKNOWN");
    else if (ev->exit_called) /* the status TSan exits with (66 after a report) is not the code's */
        snprintf(c->signal_name, sizeof c->signal_name, "exit(%d)", ev->exit_called - 1);
    else
        snprintf(c->signal_name, sizeof c->signal_name, "exit-%d", ev->exit_code);
    if (crashing && ev->exit_called) {
        c->native = frames_below_exit(json_object_get(crashing, "frames"));
        c->native_source = "exit";
    } else if (crashing) {
        c->native = ft_frames_below_signal(json_object_get(crashing, "frames"));
        c->native_source = "ptrace";
    } else {
        c->native = json_array();
        parse_tsan_log(c, ev->tsan_log);
    }
    if (!c->native)
        c->native = json_array();
    if (json_array_size(c->native)) {
        c->owner = ft_stack_owner(c->native);
        c->location = ft_frame_location(c->native, ft_first_signature_frame(c->native));
    }
    int native_named = ft_signature_frames(c->native, 3, &c->functions);
    /* "Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte": CPython caught it itself. */
    const char *fatal = ev->stacks ? strstr(ev->stacks, "Fatal Python error: ") : NULL;
    if (fatal && c->functions.count == 0) {
        char fn[128] = "";
        int used = 0;
        /* only "NAME: message" names a function; "Segmentation fault" is just the signal again */
        if (sscanf(fatal + strlen("Fatal Python error: "), "%127[A-Za-z0-9_]%n", fn, &used) == 1 &&
            fatal[strlen("Fatal Python error: ") + used] == ':')
            ft_strlist_push(&c->functions, fn);
    }
    if (native_named == 0) /* no native stack: the Python frames that were running */
        ft_stuck_frames(ev->stacks, &c->functions);
    c->frames_joined = ft_strlist_join(&c->functions, "|");
    c->top = c->functions.count ? c->functions.items[0] : NULL;
}

char *ft_render_crash(const ft_crash_info *c, const ft_crash_evidence *ev)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return ft_xstrdup("(out of memory rendering the crash)");
    if (ev->exit_called)
        fprintf(out, "The worker's code called %s in round %ld: the process ended (exit status %d%s).\n",
                c->signal_name, ev->round, ev->exit_code,
                ev->exit_code == 66 && ev->exit_called != 67 ? ", TSan's: it had reported races" : "");
    else
        fprintf(out, "The worker died with %s in round %ld.\n", c->signal_name, ev->round);
    if (json_array_size(c->native)) {
        fprintf(out, "Native stack of the crashing thread (%s):\n",
                !strcmp(c->native_source, "ptrace")       ? "taken with ptrace while its signal handler waited"
                : !strcmp(c->native_source, "exit")       ? "taken with ptrace while its exit handler waited; "
                                                            "below exit(), the code that called it"
                : !strcmp(c->native_source, "tsan-check") ? "from TSan's failed internal check: the code below its "
                                                            "runtime frames broke the runtime's state, e.g. freed memory "
                                                            "it was never given, and TSan exited"
                                                          : "from TSan's deadly-signal report");
        ft_render_frames(out, c->native);
    }
    if (json_array_size(ev->native)) {
        char *all = ft_native_stacks_text(ev->native);
        fprintf(out, "\nNative stacks of every thread:\n%s", all ? all : "");
        free(all);
    }
    if (ev->output && *ev->output) /* what the code printed before exit(): often why */
        fprintf(out, "\nThe worker's last output:\n%s",
                strlen(ev->output) > 2000 ? ev->output + strlen(ev->output) - 2000 : ev->output);
    if (ev->stacks && *ev->stacks)
        fprintf(out, "\nPython stacks of every thread:\n%s", ev->stacks);
    else if (ev->tsan_log && !json_array_size(c->native))
        fprintf(out, "\nTSan log tail:\n%s",
                strlen(ev->tsan_log) > 4000 ? ev->tsan_log + strlen(ev->tsan_log) - 4000 : ev->tsan_log);
    fclose(out);
    return text;
}

void ft_crash_info_free(ft_crash_info *c)
{
    json_decref(c->native);
    ft_strlist_free(&c->functions);
    free(c->frames_joined);
    free(c->location);
    *c = (ft_crash_info){0};
}

void ft_stuck_frames(const char *stacks, ft_strlist *out)
{
    /* faulthandler's format, which the worker's own dumper writes too:
     *   Thread 0x00007f3c2a5fe6c0 (most recent call first):
     *     File "/work/scenarios/demo/x.yaml", line 12 in body[writer]
     * and the first File line under each header is that thread's innermost frame. */
    const char *p = stacks;
    int want = 0;
    while (p && *p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char line[1024], file[768], fn[256];
        int lineno;
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        if (strstr(line, "Thread 0x") || strstr(line, "Current thread 0x"))
            want = 1;
        else if (want && sscanf(line, " File \"%767[^\"]\", line %d in %255s", file, &lineno, fn) == 3) {
            char item[1100];
            const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
            snprintf(item, sizeof item, "%s (%s)", fn, base);
            if (!ft_strlist_contains(out, item))
                ft_strlist_push(out, item);
            want = 0;
        }
        p = end ? end + 1 : NULL;
    }
}
