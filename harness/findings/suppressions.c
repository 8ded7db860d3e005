/* TSan-format suppressions (type:pattern), applied by ftstress so suppressed reports stay visible.
 *
 * TSan drops suppressed reports before its report callback runs, which would make them invisible
 * and stale entries undetectable; so workers run without suppressions and they are matched here. */
#include "suppressions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "xalloc.h"

static const char *const known_types[] = {"race", "race_top", "thread", "mutex", "signal", "deadlock",
                                          "called_from_lib"};

int ft_suppressions_load(ft_suppressions *s, const char *path, ft_diags *diags)
{
    FILE *f = fopen(path, "r");
    char buf[1024];
    int line = 0, errors = 0;

    if (!f) {
        ft_diags_add(diags, path, 0, 0, "cannot read suppressions: %s", strerror(errno));
        return -1;
    }
    while (fgets(buf, sizeof buf, f)) {
        char *p = buf, *colon, *end;
        int known = 0;
        line++;
        while (*p == ' ' || *p == '\t')
            p++;
        end = p + strcspn(p, "\r\n");
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        *end = '\0';
        if (!*p || *p == '#')
            continue;
        colon = strchr(p, ':');
        if (!colon || colon == p || !colon[1]) {
            ft_diags_add(diags, path, line, 1, "expected 'type:pattern', e.g. 'race:my_function'");
            errors++;
            continue;
        }
        *colon = '\0';
        for (size_t i = 0; i < sizeof known_types / sizeof *known_types; i++)
            known |= !strcmp(p, known_types[i]);
        if (!known) {
            ft_diags_add(diags, path, line, 1, "unknown suppression type '%s' (race, race_top, thread, mutex, signal, deadlock)", p);
            errors++;
            continue;
        }
        s->items = ft_xrealloc(s->items, (s->count + 1) * sizeof *s->items);
        s->items[s->count++] = (ft_suppression){ft_xstrdup(p), ft_xstrdup(colon + 1), ft_xstrdup(path), line, 0};
    }
    fclose(f);
    return errors ? -1 : 0;
}

void ft_suppressions_free(ft_suppressions *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].type);
        free(s->items[i].pattern);
        free(s->items[i].file);
    }
    free(s->items);
    *s = (ft_suppressions){0};
}

/* Matches `str` against a TSan template: without anchors the template may stand anywhere in the
 * string; '*' matches any run of characters; '^' anchors the start and '$' the end. */
static int match_here(const char *t, const char *s, int anchored_end)
{
    if (!*t)
        return !anchored_end || !*s;
    if (*t == '*') {
        for (;; s++) {
            if (match_here(t + 1, s, anchored_end))
                return 1;
            if (!*s)
                return 0;
        }
    }
    if (*t == '$' && !t[1])
        return !*s;
    return *s && *s == *t && match_here(t + 1, s + 1, anchored_end);
}

int ft_template_match(const char *templ, const char *str)
{
    size_t n = strlen(templ);
    int start = templ[0] == '^';
    int end = n > 0 && templ[n - 1] == '$';
    char *t;
    int r = 0;

    if (!str || !*str)
        return 0;
    t = strndup(templ + start, n - start - (end && n - start > 0 ? 1 : 0));
    if (start)
        r = match_here(t, str, end);
    else
        for (const char *s = str; !r && *s; s++)
            r = match_here(t, s, end);
    free(t);
    return r;
}

static const char *suppression_type(const char *report_type)
{
    if (!strncmp(report_type, "data-race", 9) || !strncmp(report_type, "heap-use-after-free", 19) ||
        !strncmp(report_type, "external-", 9))
        return "race";
    if (!strcmp(report_type, "thread-leak"))
        return "thread";
    if (!strncmp(report_type, "mutex-", 6))
        return "mutex";
    if (!strcmp(report_type, "signal-unsafe-call") || !strcmp(report_type, "errno-in-signal-handler"))
        return "signal";
    if (!strcmp(report_type, "lock-order-inversion"))
        return "deadlock";
    return "race";
}

static int frame_matches(const ft_suppression *e, const json_t *frame)
{
    ft_frame f = ft_frame_from_json(frame);
    return ft_template_match(e->pattern, f.function) || ft_template_match(e->pattern, f.file) ||
           ft_template_match(e->pattern, f.module);
}

static int stack_matches(const ft_suppression *e, const json_t *frames, int top_only)
{
    size_t n = json_array_size(frames);
    for (size_t i = 0; i < n && (!top_only || i == 0); i++)
        if (frame_matches(e, json_array_get(frames, i)))
            return 1;
    return 0;
}

ft_suppression *ft_suppressions_match(ft_suppressions *s, const json_t *report)
{
    const char *type = suppression_type(json_string_value(json_object_get(report, "type")) ?: "");
    const char *lists[] = {"mops", "threads", "locs"};

    for (size_t i = 0; s && i < s->count; i++) {
        ft_suppression *e = &s->items[i];
        size_t k;
        json_t *item;
        if (!strcmp(e->type, type)) {
            for (size_t l = 0; l < 3; l++)
                json_array_foreach(json_object_get(report, lists[l]), k, item) if (stack_matches(e, json_object_get(item, "frames"), 0)) goto hit;
            json_array_foreach(json_object_get(report, "stacks"), k, item) if (stack_matches(e, item, 0)) goto hit;
        } else if (!strcmp(e->type, "race_top") && !strcmp(type, "race")) {
            json_array_foreach(json_object_get(report, "mops"), k, item) if (stack_matches(e, json_object_get(item, "frames"), 1)) goto hit;
        }
        continue;
    hit:
        e->hits++;
        return e;
    }
    return NULL;
}
