/* GitHub Actions workflow annotations: each NEW root-cause group as an `::error` line at its
 * extension source line, so the finding shows on the file in the run's summary and the pull request. */
#include "report_annotations.h"

#include <stdlib.h>
#include <string.h>

#include "source_paths.h"
#include "xalloc.h"

/* GitHub's escaping of a workflow command: in the message '%', CR and LF; in a property value also
 * ':' and ','. */
static void put_escaped(FILE *out, const char *s, int property)
{
    for (; *s; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            fputc(*s, out);
    }
}

/* The member of group `id` to point at: the first unsuppressed one with a location, the target's
 * first (its `location` is its nearest frame in the extension). */
static const json_t *located_member(const json_t *findings, json_int_t id)
{
    const json_t *any = NULL, *f;
    size_t i;
    json_array_foreach((json_t *)findings, i, f) {
        if (json_integer_value(json_object_get(f, "group")) != id || json_is_true(json_object_get(f, "suppressed")) ||
            !json_is_string(json_object_get(f, "location")))
            continue;
        if (!strcmp(json_string_value(json_object_get(f, "owner")) ?: "", "target"))
            return f;
        if (!any)
            any = f;
    }
    return any;
}

/* "file=REL,line=N," for `location` ("path:line"), relative to `root`; nothing when the file is
 * not inside it. */
static void put_file(FILE *out, const char *location, const char *root)
{
    char *path = ft_xstrdup(location), *colon = strrchr(path, ':');
    long line = 0;
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
        line = strtol(colon + 1, NULL, 10);
        *colon = '\0';
    }
    char *rel = ft_source_path_in(path, root);
    if (rel) {
        fputs("file=", out);
        put_escaped(out, rel, 1);
        if (line > 0)
            fprintf(out, ",line=%ld", line);
        fputc(',', out);
    }
    free(rel);
    free(path);
}

int ft_report_annotations(const json_t *doc, FILE *out, const char *root)
{
    const json_t *findings = json_object_get(doc, "findings"), *g, *sc;
    size_t i, k;
    int n = 0;
    json_array_foreach(json_object_get(doc, "groups"), i, g) {
        if (!json_is_true(json_object_get(g, "new")))
            continue;
        const json_t *f = located_member(findings, json_integer_value(json_object_get(g, "id")));
        fputs("::error ", out);
        if (f)
            put_file(out, json_string_value(json_object_get(f, "location")), root);
        fputs("title=", out);
        char *title = ft_xasprintf("ftstress: %s", json_string_value(json_object_get(g, "name")) ?: "?");
        put_escaped(out, title, 1);
        free(title);
        fputs("::", out);
        char *msg = ft_xasprintf("%s, owner %s, in ", json_string_value(json_object_get(g, "summary")) ?: "",
                                 json_string_value(json_object_get(g, "owner")) ?: "?");
        put_escaped(out, msg, 0);
        free(msg);
        json_array_foreach(json_object_get(g, "scenarios"), k, sc) {
            fputs(k ? ", " : "", out);
            put_escaped(out, json_string_value(sc) ?: "?", 0);
        }
        if (f) { /* the member it points at, as the terminal names it */
            char *at = ft_source_path_shown(json_string_value(json_object_get(f, "location")));
            char *first = ft_xasprintf("\n%s at %s", json_string_value(json_object_get(f, "title")) ?: "?", at);
            put_escaped(out, first, 0);
            free(first);
            free(at);
        }
        fputc('\n', out);
        n++;
    }
    return n;
}

void ft_report_annotations_if_github(const json_t *doc, FILE *out)
{
    const char *gha = getenv("GITHUB_ACTIONS"), *off = getenv("FTSTRESS_ANNOTATIONS");
    if (!gha || strcmp(gha, "true") || (off && !strcmp(off, "0")))
        return;
    const char *root = getenv("GITHUB_WORKSPACE");
    ft_report_annotations(doc, out, root && *root ? root : NULL);
    fflush(out);
}
