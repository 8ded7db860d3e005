/* Interpreter differentials: the same run on two (or more) interpreters, findings compared by group.
 *
 * Each ftstress binary embeds one interpreter (libpython is linked in), so a run on another
 * interpreter is a run of the ftstress built for it: bootstrap keeps one driver build per
 * interpreter (FTSTRESS_BUILD=build-3.13.5 scripts/bootstrap --cpython-version 3.13.5). Groups are
 * matched across runs by their anchors (the functions on their stacks, per scenario), not by their
 * names, which count findings and so differ between runs of the same bug. */
#include "differential.h"
#include "exit_codes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "fsutil.h"
#include "log.h"
#include "proc.h"
#include "results_io.h"
#include "xalloc.h"

typedef struct side {
    char *binary;  /* the ftstress of this interpreter */
    char *version; /* what its --version says, e.g. "CPython 3.13.5" */
    char *dir;     /* its run's output folder */
    int exit_code;
    json_t *doc; /* its results.json, NULL if none was written */
} side;

/* A driver build folder (holding harness/ftstress) or an ftstress binary. */
static char *resolve_binary(const char *arg)
{
    struct stat st;
    char *path = stat(arg, &st) == 0 && S_ISDIR(st.st_mode) ? ft_xasprintf("%s/harness/ftstress", arg) : ft_xstrdup(arg);
    if (access(path, X_OK) != 0) {
        ft_error("--python %s: no ftstress there (%s: %s); build one for that interpreter with "
                 "FTSTRESS_BUILD=DIR scripts/bootstrap --cpython-version 3.13.N",
                 arg, path, strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

/* "CPython 3.13.5" from `ftstress --version` ("ftstress X (CPython 3.13.5, ...)"). */
static char *interpreter_version(const char *binary)
{
    char out[512], *argv[] = {(char *)binary, "--version", NULL};
    if (ft_run_command(argv, NULL, out, sizeof out) != 0)
        return ft_xstrdup("?");
    char *open = strchr(out, '('), *end = open ? strpbrk(open, ",)") : NULL;
    return open && end ? ft_xasprintf("%.*s", (int)(end - open - 1), open + 1) : ft_xstrdup("?");
}

/* Options whose value names this run's outputs or interpreters: the sub-runs get their own. */
static int replaced_option(const char *arg, int *takes_value)
{
    static const char *const names[] = {"--python", "--out", "--json", "--junit", "--sarif"};
    *takes_value = 0;
    if (!strcmp(arg, "-o")) {
        *takes_value = 1;
        return 1;
    }
    if (!strncmp(arg, "-o", 2) && arg[2])
        return 1; /* -oDIR */
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        size_t n = strlen(names[i]);
        if (!strncmp(arg, names[i], n) && (arg[n] == '\0' || arg[n] == '=')) {
            *takes_value = arg[n] == '\0';
            return 1;
        }
    }
    return 0;
}

static int run_side(side *s, int argc, char **argv)
{
    char **sub = ft_xcalloc((size_t)argc + 8, sizeof *sub);
    char *json = ft_xasprintf("%s/results.json", s->dir);
    int n = 0;
    sub[n++] = s->binary;
    for (int i = 0; i < argc; i++) {
        int takes_value;
        if (replaced_option(argv[i], &takes_value)) {
            i += takes_value;
            continue;
        }
        sub[n++] = argv[i];
    }
    sub[n++] = "-o", sub[n++] = s->dir;
    sub[n] = NULL;
    fflush(stdout);
    s->exit_code = ft_run_command(sub, NULL, NULL, 0);
    json_error_t err;
    s->doc = json_load_file(json, 0, &err);
    if (!s->doc)
        ft_error("the run on %s wrote no results (%s): exit code %d", s->version, err.text, s->exit_code);
    free(json);
    free(sub);
    return s->exit_code;
}

static int anchors_meet(const json_t *a, const json_t *b)
{
    size_t i, k;
    json_t *x, *y;
    json_array_foreach(json_object_get(a, "functions"), i, x) json_array_foreach(json_object_get(b, "functions"), k, y)
        if (json_equal(x, y))
            return 1;
    return 0;
}

/* How often a group hit in one run, as the terminal shows it. */
static char *hit_text(const json_t *g)
{
    if (!g)
        return ft_xstrdup("-");
    json_int_t hits = json_integer_value(json_object_get(g, "hit_rounds"));
    json_int_t rounds = json_integer_value(json_object_get(g, "rounds"));
    return ft_xasprintf("%s%lld/%lld rounds", json_is_true(json_object_get(g, "rate_is_lower_bound")) ? ">=" : "",
                        (long long)hits, (long long)rounds);
}

/* Counting groups only: a suppressed or baselined group says nothing about either interpreter. */
static int counts(const json_t *g)
{
    return json_is_true(json_object_get(g, "new"));
}

/* One row per group of either run; A is the first interpreter, B every other one in turn. */
static json_t *compare(const side *a, const side *b, FILE *out)
{
    json_t *rows = json_array(), *ga = json_object_get(a->doc, "groups"), *gb = json_object_get(b->doc, "groups");
    size_t nb = json_array_size(gb), i, k;
    char *matched = ft_xcalloc(nb ? nb : 1, 1);
    json_t *g;

    fprintf(out, "\ndifferential: A = %s (%s), B = %s (%s)\n", a->version, a->binary, b->version, b->binary);
    fprintf(out, "  %-48s %-18s %-18s %s\n", "group", "A", "B", "verdict");
    json_array_foreach(ga, i, g) {
        if (!counts(g))
            continue;
        json_t *match = NULL, *h;
        json_array_foreach(gb, k, h) if (counts(h) && anchors_meet(g, h)) {
            matched[k] = 1;
            match = match ? match : h;
        }
        const char *verdict = match ? "both" : "only A: fixed in B";
        char *ta = hit_text(g), *tb = hit_text(match);
        fprintf(out, "  %-48.48s %-18s %-18s %s\n", json_string_value(json_object_get(g, "name")), ta, tb, verdict);
        json_array_append_new(rows, json_pack("{s:O, s:O, s:s}", "a", g, "b", match ? match : json_null(), "verdict",
                                              match ? "both" : "only_a"));
        free(ta), free(tb);
    }
    json_array_foreach(gb, k, g) {
        if (matched[k] || !counts(g))
            continue;
        char *tb = hit_text(g);
        fprintf(out, "  %-48.48s %-18s %-18s %s\n", json_string_value(json_object_get(g, "name")), "-", tb,
                "only B: new in B");
        json_array_append_new(rows, json_pack("{s:o, s:O, s:s}", "a", json_null(), "b", g, "verdict", "only_b"));
        free(tb);
    }
    if (!json_array_size(rows))
        fprintf(out, "  (no finding on either interpreter)\n");
    free(matched);
    return rows;
}

int ft_differential_run(const ft_strlist *pythons, int argc, char **argv, const char *out_dir, const char *json_out)
{
    size_t n = pythons->count;
    side *sides = ft_xcalloc(n, sizeof *sides);
    int rc = 0, ok = 1;

    if (n < 2) {
        fprintf(stderr, "ftstress: --python needs two interpreters to compare (give it twice or more)\n");
        free(sides);
        return FT_EXIT_USAGE;
    }
    for (size_t i = 0; i < n && ok; i++)
        if (!(sides[i].binary = resolve_binary(pythons->items[i])))
            ok = 0;
    if (!ok || ft_mkdirs(out_dir) != 0) {
        if (ok)
            ft_error("cannot create output folder %s: %s", out_dir, strerror(errno));
        for (size_t i = 0; i < n; i++)
            free(sides[i].binary);
        free(sides);
        return ok ? FT_EXIT_CANNOT_RUN : FT_EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        sides[i].version = interpreter_version(sides[i].binary);
        sides[i].dir = ft_xasprintf("%s/python-%zu", out_dir, i + 1);
        printf("\n== %s: %s ==\n", sides[i].version, sides[i].binary);
        int code = run_side(&sides[i], argc, argv);
        if (code > rc)
            rc = code; /* 1 (findings) < 2 (usage) < 3 (could not run) < 128+ (interrupted) */
        if (code >= 128)
            break;
    }

    json_t *doc = json_pack("{s:[], s:[]}", "interpreters", "comparisons");
    for (size_t i = 0; i < n; i++)
        json_array_append_new(json_object_get(doc, "interpreters"),
                              json_pack("{s:s, s:s, s:s, s:i}", "version", sides[i].version ? sides[i].version : "?",
                                        "binary", sides[i].binary, "out", sides[i].dir ? sides[i].dir : "",
                                        "exit_code", sides[i].exit_code));
    for (size_t i = 1; i < n; i++)
        if (sides[0].doc && sides[i].doc)
            json_array_append_new(json_object_get(doc, "comparisons"),
                                  json_pack("{s:s, s:s, s:o}", "a", sides[0].version, "b", sides[i].version, "groups",
                                            compare(&sides[0], &sides[i], stdout)));
    char *path = ft_xasprintf("%s/differential.json", out_dir);
    if (ft_json_write_atomic(doc, path) != 0)
        ft_error("cannot write %s", path);
    if (json_out && ft_json_write_atomic(doc, json_out) != 0)
        ft_error("cannot write %s", json_out);
    free(path);
    json_decref(doc);
    for (size_t i = 0; i < n; i++) {
        free(sides[i].binary), free(sides[i].version), free(sides[i].dir);
        json_decref(sides[i].doc);
    }
    free(sides);
    return rc;
}
