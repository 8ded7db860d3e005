/* The stacks in a finding's report text: native frames (TSan, crash logs) and Python frames. */
#include "report_stacks.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sarif_paths.h"
#include "xalloc.h"

static void frame_free(ft_report_frame *f)
{
    free(f->function);
    free(f->file);
    free(f->module);
}

void ft_report_stacks_free(ft_report_stacks *s)
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
static int parse_native_frame(const char *line, ft_report_frame *f)
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
    *f = (ft_report_frame){0};
    if (space) {
        long ln;
        char *path = ft_sarif_split_line(space + 1, &ln);
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
static int parse_python_frame(const char *line, ft_report_frame *f)
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
    *f = (ft_report_frame){0};
    f->file = ft_xstrndup(p, (size_t)(q - p));
    f->line = ln;
    f->function = ft_xstrdup(end + 3);
    trim_right(f->function);
    f->python = 1;
    return 1;
}

static ft_report_stack *new_stack(ft_report_stacks *s, const char *title, size_t title_len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->items = ft_xrealloc(s->items, s->cap * sizeof *s->items);
    }
    ft_report_stack *st = &s->items[s->n++];
    *st = (ft_report_stack){0};
    st->title = title ? ft_xstrndup(title, title_len) : ft_xstrdup("stack");
    st->outer_first = title && strstr(st->title, "most recent call last") != NULL;
    return st;
}

void ft_report_stacks_parse(const char *report, ft_report_stacks *out)
{
    ft_report_stack *cur = NULL;
    const char *p = report;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char *line = ft_xstrndup(p, n);
        ft_report_frame f;
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
