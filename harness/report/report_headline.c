/* The reports' headline counts: one wording of root causes, functions and types for every report. */
#include "report_headline.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *sv(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)) ?: ""; }

/* Appends ", N WHAT" (or "N WHAT" at the start) to *text when n > 0. */
static void add_count(char **text, size_t n, const char *what)
{
    if (!n)
        return;
    char *longer = ft_xasprintf("%s%s%zu %s", *text, **text ? ", " : "", n, what);
    free(*text);
    *text = longer;
}

char *ft_headline_root_causes(const json_t *groups)
{
    size_t total = 0, fresh = 0, known = 0, suppressed = 0, own = 0, i;
    json_t *g;
    json_array_foreach((json_t *)groups, i, g) {
        if (!strcmp(sv(g, "owner"), "scenario")) {
            own++;
            continue;
        }
        total++;
        fresh += !strcmp(sv(g, "status"), "new");
        suppressed += !strncmp(sv(g, "status"), "suppressed", 10);
        known += !strcmp(sv(g, "status"), "known");
    }
    char *parts = ft_xstrdup("");
    add_count(&parts, fresh, "new");
    add_count(&parts, known, "known");
    add_count(&parts, suppressed, "suppressed");
    char *line = ft_xasprintf("%zu root cause%s%s%s%s", total, total == 1 ? "" : "s", *parts ? " (" : "", parts,
                              *parts ? ")" : "");
    free(parts);
    if (own) {
        char *longer = ft_xasprintf("%s; %zu of the scenarios' own", line, own);
        free(line);
        line = longer;
    }
    return line;
}

char *ft_headline_rows(const json_t *rows, int types)
{
    static const char *const verdicts[] = {"racy", "crashed", "clean", "unclear", "not exercised"};
    size_t total = 0, i;
    json_t *row;
    json_array_foreach((json_t *)rows, i, row) total += json_is_true(json_object_get(row, "type")) == types;
    if (types && !total)
        return NULL;
    char *parts = ft_xstrdup("");
    for (size_t v = 0; v < sizeof verdicts / sizeof *verdicts; v++) {
        size_t n = 0;
        json_array_foreach((json_t *)rows, i, row) n += json_is_true(json_object_get(row, "type")) == types &&
                                                         !strcmp(sv(row, "verdict"), verdicts[v]);
        add_count(&parts, n, verdicts[v]);
    }
    char *line = ft_xasprintf("%zu %s%s%s", total,
                              types ? (total == 1 ? "type" : "types") : (total == 1 ? "function or method" : "functions and methods"),
                              *parts ? ": " : "", parts);
    free(parts);
    return line;
}
