/* Human-readable text of TSan reports, from their structured form. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

void ft_render_frames(FILE *out, const json_t *frames)
{
    size_t i;
    json_t *fr;
    json_array_foreach(frames, i, fr) {
        ft_frame f = ft_frame_from_json(fr);
        const char *mod = strrchr(f.module, '/') ? strrchr(f.module, '/') + 1 : f.module;
        if (*f.file)
            fprintf(out, "    #%zu %s %s:%d (%s)\n", i, f.function, f.file, f.line, mod);
        else
            fprintf(out, "    #%zu %s (%s)\n", i, f.function, mod);
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
        ft_render_frames(out, json_object_get(m, "frames"));
    }
    json_array_foreach(json_object_get(report, "locs"), i, l) {
        fprintf(out, "  Location is %s of size %lld at %s, created by %s:\n",
                json_string_value(json_object_get(l, "type")) ?: "?",
                (long long)json_integer_value(json_object_get(l, "size")),
                json_string_value(json_object_get(l, "start")) ?: "?",
                thread_label(report, json_integer_value(json_object_get(l, "tid")), s, label, sizeof label));
        ft_render_frames(out, json_object_get(l, "frames"));
    }
    json_array_foreach(json_object_get(report, "stacks"), i, l) {
        fprintf(out, "  Stack %zu:\n", i);
        ft_render_frames(out, l);
    }
    if (py && *py)
        fprintf(out, "  Python stack of the reporting thread (most recent call first):\n%s", py);
    fclose(out);
    return text;
}
