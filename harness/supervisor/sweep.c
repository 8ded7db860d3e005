/* Sweeps: runs of one selection at several thread or iteration counts, compared by hit rate.
 *
 * Groups are matched across runs by name (`module: function`, from the functions that connect their
 * findings), the closest thing to one bug's identity that each run computes on its own. */
#include "sweep.h"

#include <errno.h>
#include <ftw.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "exit_codes.h"
#include "hit_rate.h"
#include "log.h"
#include "results.h"
#include "results_io.h"
#include "xalloc.h"

typedef struct sweep_run {
    long threads, iterations; /* 0: not swept, the files' own */
    char *dir;
    json_t *doc;
} sweep_run;

struct ft_sweep {
    sweep_run *runs;
    size_t n;
    json_t *rows; /* group names, in order of first sight */
};

ft_sweep *ft_sweep_new(void)
{
    ft_sweep *s = ft_xcalloc(1, sizeof *s);
    s->rows = json_array();
    return s;
}

void ft_sweep_free(ft_sweep *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->runs[i].dir);
        json_decref(s->runs[i].doc);
    }
    free(s->runs);
    json_decref(s->rows);
    free(s);
}

char *ft_sweep_dir_name(long threads, long iterations)
{
    if (threads && iterations)
        return ft_xasprintf("sweep-threads-%ld-iterations-%ld", threads, iterations);
    return threads ? ft_xasprintf("sweep-threads-%ld", threads) : ft_xasprintf("sweep-iterations-%ld", iterations);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        ft_warn("cannot remove %s from an earlier run: %s", path, strerror(errno));
    return 0;
}

void ft_sweep_clean(const char *out_dir)
{
    DIR *d = opendir(out_dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "sweep-", 6)) {
            char *path = ft_xasprintf("%s/%s", out_dir, e->d_name);
            nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
            free(path);
        }
    closedir(d);
}

void ft_sweep_add(ft_sweep *s, long threads, long iterations, const char *dir, json_t *doc)
{
    size_t i;
    json_t *g;
    s->runs = ft_xrealloc(s->runs, (s->n + 1) * sizeof *s->runs);
    s->runs[s->n++] = (sweep_run){threads, iterations, ft_xstrdup(dir), doc};
    json_array_foreach(json_object_get(doc, "groups"), i, g) {
        json_t *name = json_object_get(g, "name"), *have;
        size_t k;
        int known = 0;
        json_array_foreach(s->rows, k, have) known |= json_equal(have, name);
        if (!known && json_is_string(name))
            json_array_append(s->rows, name);
    }
}

static const json_t *group_named(const json_t *doc, const char *name)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(doc, "groups"), i, g) if (!strcmp(json_string_value(json_object_get(g, "name")) ?: "", name)) return g;
    return NULL;
}

/* The group's rate in one run. A run where it never showed counts 0 hits in the rounds of the
 * scenarios it showed in elsewhere: "0/200" says more than a blank. */
static ft_hit_rate rate_in(const ft_sweep *s, const sweep_run *run, const char *name)
{
    ft_hit_rate h;
    const json_t *g = group_named(run->doc, name);
    if (g && ft_hit_rate_from_json(g, &h) == 0)
        return h;
    json_t *scenarios = json_object(), *row, *sc;
    size_t i, k;
    long rounds = 0;
    for (size_t r = 0; r < s->n; r++)
        if ((g = group_named(s->runs[r].doc, name)))
            json_array_foreach(json_object_get(g, "by_scenario"), i, row)
                json_object_set(scenarios, json_string_value(json_object_get(row, "scenario")) ?: "", json_true());
    json_array_foreach(json_object_get(run->doc, "scenarios"), k, sc)
        if (json_object_get(scenarios, json_string_value(json_object_get(sc, "name")) ?: ""))
            rounds += (long)json_integer_value(json_object_get(sc, "rounds_run"));
    json_decref(scenarios);
    return ft_hit_rate_of(0, rounds, 0);
}

static void column_title(const sweep_run *run, char *buf, size_t n)
{
    if (run->threads && run->iterations)
        snprintf(buf, n, "t=%ld i=%ld", run->threads, run->iterations);
    else if (run->threads)
        snprintf(buf, n, "threads=%ld", run->threads);
    else
        snprintf(buf, n, "iter=%ld", run->iterations);
}

void ft_sweep_table(const ft_sweep *s, FILE *out)
{
    char title[48], cell[48];
    size_t i;
    json_t *name;
    int lower = 0;
    fprintf(out, "\nsweep: hit rate of each root cause (rounds that hit it / rounds run)\n%-44s", "group");
    for (size_t r = 0; r < s->n; r++) {
        column_title(&s->runs[r], title, sizeof title);
        fprintf(out, " %16s", title);
    }
    fprintf(out, "\n");
    if (!json_array_size(s->rows))
        fprintf(out, "%-44s\n", "(no finding in any run)");
    json_array_foreach(s->rows, i, name) {
        fprintf(out, "%-44.44s", json_string_value(name));
        for (size_t r = 0; r < s->n; r++) {
            ft_hit_rate h = rate_in(s, &s->runs[r], json_string_value(name));
            snprintf(cell, sizeof cell, "%s%ld/%ld %3.0f%%", h.lower_bound ? "≥" : "", h.hits, h.rounds, 100 * h.rate);
            /* "≥" is one column but three bytes: pad by what shows */
            fprintf(out, " %*s", h.lower_bound ? 18 : 16, cell);
            lower |= h.lower_bound;
        }
        fprintf(out, "\n");
    }
    if (lower)
        fprintf(out, "≥: a lower bound (several rounds per worker; rounds_per_worker: 1 gives exact rates)\n");
}

json_t *ft_sweep_document(const ft_sweep *s)
{
    json_t **docs = ft_xcalloc(s->n ? s->n : 1, sizeof *docs), *sweep = json_array(), *name;
    const char **names = ft_xcalloc(s->n ? s->n : 1, sizeof *names);
    char *error = NULL;
    size_t i;
    for (size_t r = 0; r < s->n; r++) {
        const sweep_run *run = &s->runs[r];
        json_t *groups = json_array();
        docs[r] = run->doc;
        names[r] = run->dir;
        json_array_foreach(s->rows, i, name) {
            ft_hit_rate h = rate_in(s, run, json_string_value(name));
            const json_t *g = group_named(run->doc, json_string_value(name));
            json_t *row = json_pack("{s:O, s:O}", "name", name, "owner",
                                    g ? json_object_get(g, "owner") : json_null());
            ft_hit_rate_to_json(&h, row);
            json_array_append_new(groups, row);
        }
        json_array_append_new(sweep, json_pack("{s:o, s:o, s:s, s:O, s:o}", "threads",
                                               run->threads ? json_integer(run->threads) : json_null(), "iterations",
                                               run->iterations ? json_integer(run->iterations) : json_null(), "out",
                                               run->dir, "exit_code", json_object_get(run->doc, "exit_code"),
                                               "groups", groups));
    }
    json_t *doc = ft_results_merge(docs, names, s->n, &error);
    if (!doc) {
        ft_error("cannot merge the sweep's results: %s", error ? error : "?");
        free(error);
        doc = json_object();
    }
    json_object_set_new(doc, "sweep", sweep);
    json_object_set_new(doc, "exit_code", json_integer(ft_sweep_exit_code(s)));
    free(docs);
    free(names);
    return doc;
}

int ft_sweep_exit_code(const ft_sweep *s)
{
    int code = FT_EXIT_OK;
    for (size_t r = 0; r < s->n; r++)
        code = ft_results_json_exit_fold(code, s->runs[r].doc);
    return code;
}
