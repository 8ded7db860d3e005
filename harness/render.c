/* Human-readable text of findings: TSan reports from their structured form, crashes, hangs. */
#include "render.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

static void print_frames(FILE *out, const json_t *frames)
{
    size_t i;
    json_t *fr;
    json_array_foreach(frames, i, fr) {
        ft_frame f = ft_frame_from_json(fr);
        const char *mod = strrchr(f.module, '/') ? strrchr(f.module, '/') + 1 : f.module;
        fprintf(out, "    #%zu %s %s:%d (%s)\n", i, f.function, f.file, f.line, mod);
    }
}

static const char *thread_label(const json_t *report, json_int_t tid, const ft_scenario *s, char *buf, size_t n)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(report, "threads"), i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        int index, role_thread;
        const ft_role *role;
        if (json_integer_value(json_object_get(t, "tid")) != tid || !name)
            continue;
        if (sscanf(name, "fts:%d", &index) == 1 && (role = ft_scenario_role_of(s, index, &role_thread))) {
            snprintf(buf, n, "T%lld (%s, role %s #%d)", (long long)tid, name, role->name, role_thread);
            return buf;
        }
        snprintf(buf, n, "T%lld (%s)", (long long)tid, name);
        return buf;
    }
    snprintf(buf, n, tid == 0 ? "the main thread" : "T%lld", (long long)tid);
    return buf;
}

char *ft_render_report(const json_t *report, const ft_scenario *s)
{
    char *text = NULL, label[128];
    size_t len = 0, i;
    FILE *out = open_memstream(&text, &len);
    json_t *m, *l;
    const char *py = json_string_value(json_object_get(report, "pystack"));

    fprintf(out, "WARNING: ThreadSanitizer: %s (round %lld, %s)\n",
            json_string_value(json_object_get(report, "type")) ?: "?",
            (long long)json_integer_value(json_object_get(report, "round")),
            json_string_value(json_object_get(report, "phase")) ?: "?");
    json_array_foreach(json_object_get(report, "mops"), i, m) {
        int atomic = json_is_true(json_object_get(m, "atomic")) || json_integer_value(json_object_get(m, "atomic"));
        int write = json_integer_value(json_object_get(m, "write")) != 0;
        fprintf(out, "  %s%s%s of size %lld at %s by %s:\n", i ? "Previous " : "",
                atomic ? (i ? "atomic " : "Atomic ") : "", write ? (i || atomic ? "write" : "Write") : (i || atomic ? "read" : "Read"),
                (long long)json_integer_value(json_object_get(m, "size")),
                json_string_value(json_object_get(m, "addr")) ?: "?",
                thread_label(report, json_integer_value(json_object_get(m, "tid")), s, label, sizeof label));
        print_frames(out, json_object_get(m, "frames"));
    }
    json_array_foreach(json_object_get(report, "locs"), i, l) {
        fprintf(out, "  Location is %s of size %lld at %s, created by %s:\n",
                json_string_value(json_object_get(l, "type")) ?: "?",
                (long long)json_integer_value(json_object_get(l, "size")),
                json_string_value(json_object_get(l, "start")) ?: "?",
                thread_label(report, json_integer_value(json_object_get(l, "tid")), s, label, sizeof label));
        print_frames(out, json_object_get(l, "frames"));
    }
    json_array_foreach(json_object_get(report, "stacks"), i, l) {
        fprintf(out, "  Stack %zu:\n", i);
        print_frames(out, l);
    }
    if (py && *py)
        fprintf(out, "  Python stack of the reporting thread (most recent call first):\n%s", py);
    fclose(out);
    return text;
}

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
    return json_pack("[s, s, i, s]", fn, loc, line_no, mod);
}

static void signal_name(char *buf, size_t n, const char *word)
{
    if (!strncmp(word, "SIG", 3))
        snprintf(buf, n, "%s", word);
    else
        snprintf(buf, n, "SIG%s", word);
}

void ft_parse_crash(ft_crash_info *c, int sig, int exit_code, const char *stacks, const char *tsan_log)
{
    const char *err = NULL, *p;
    *c = (ft_crash_info){.native = json_array(), .owner = "target"};

    if (sig)
        signal_name(c->signal_name, sizeof c->signal_name, sigabbrev_np(sig) ?: "UNKNOWN");
    else
        snprintf(c->signal_name, sizeof c->signal_name, "exit-%d", exit_code);
    /* "==123==ERROR: ThreadSanitizer: SEGV on unknown address 0x000000000000 (pc ... T456)" */
    for (p = tsan_log; p && (p = strstr(p, "ERROR: ThreadSanitizer: ")); p++)
        err = p;
    if (err) {
        char word[32] = "";
        sscanf(err + strlen("ERROR: ThreadSanitizer: "), "%31[A-Za-z]", word);
        if (*word)
            signal_name(c->signal_name, sizeof c->signal_name, word);
        for (p = strchr(err, '\n'); p && *p; p = strchr(p, '\n')) {
            p++;
            const char *end = strchr(p, '\n');
            char line[2048];
            size_t n = end ? (size_t)(end - p) : strlen(p);
            if (n == 0 && json_array_size(c->native))
                break; /* the stack ends at the first blank line */
            snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
            json_t *fr = parse_frame_line(line);
            if (fr)
                json_array_append_new(c->native, fr);
        }
    }
    /* The signature: up to three meaningful native frames from the top. */
    size_t i;
    json_t *fr;
    json_array_foreach(c->native, i, fr) {
        ft_frame f = ft_frame_from_json(fr);
        if (ft_frame_is_plumbing(&f))
            continue;
        if (!c->location && *f.file && asprintf(&c->location, "%s:%d", f.file, f.line) < 0)
            abort();
        ft_strlist_push(&c->functions, f.function);
        if (c->functions.count == 3)
            break;
    }
    if (json_array_size(c->native))
        c->owner = ft_stack_owner(c->native);
    /* "Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte": CPython caught it itself. */
    const char *fatal = stacks ? strstr(stacks, "Fatal Python error: ") : NULL;
    if (fatal && c->functions.count == 0) {
        char fn[128] = "";
        int used = 0;
        /* only "NAME: message" names a function; "Segmentation fault" is just the signal again */
        if (sscanf(fatal + strlen("Fatal Python error: "), "%127[A-Za-z0-9_]%n", fn, &used) == 1 &&
            fatal[strlen("Fatal Python error: ") + used] == ':')
            ft_strlist_push(&c->functions, fn);
    }
    if (c->functions.count <= 1) /* no native stack: the Python frames that were running */
        ft_stuck_frames(stacks, &c->functions);
    c->frames_joined = ft_strlist_join(&c->functions, "|");
    c->top = c->functions.count ? c->functions.items[0] : NULL;
}

char *ft_render_crash(const ft_crash_info *c, long round, const char *stacks, const char *tsan_log)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fprintf(out, "The worker died with %s in round %ld.\n", c->signal_name, round);
    if (json_array_size(c->native)) {
        fprintf(out, "Native stack of the crashing thread (from TSan's deadly-signal report):\n");
        print_frames(out, c->native);
    }
    if (stacks && *stacks)
        fprintf(out, "\nPython stacks of every thread (faulthandler):\n%s", stacks);
    else if (tsan_log && !json_array_size(c->native))
        fprintf(out, "\nTSan log tail:\n%s", strlen(tsan_log) > 4000 ? tsan_log + strlen(tsan_log) - 4000 : tsan_log);
    fclose(out);
    return text;
}

void ft_crash_info_free(ft_crash_info *c)
{
    json_decref(c->native);
    ft_strlist_free(&c->functions);
    free(c->frames_joined);
    free(c->location);
}

void ft_stuck_frames(const char *stacks, ft_strlist *out)
{
    /* faulthandler writes, per thread:
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
