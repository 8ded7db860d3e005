/* `ftstress shrink`: cuts a scenario down to what still reproduces one of its findings (delta
 * debugging over roles, threads, iterations, statements, imports and rounds) and writes the result
 * as a scenario file. */
#define _XOPEN_SOURCE 700
#include <fnmatch.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "exit_codes.h"
#include "hit_rate.h"
#include "log.h"
#include "options.h"
#include "rate_test.h"
#include "scenario.h"
#include "scenario_emit.h"
#include "shrink.h"
#include "xalloc.h"

enum { O_FILTER, O_SIGNATURE, O_OUT, O_SITE, O_MAX_RUNS, O_ROUNDS, O_HELP };
static const ft_option shrink_options[] = {
    [O_FILTER] = {"filter", 'k', "NAME", "the scenario to shrink (default: the file's first)"},
    [O_SIGNATURE] = {"signature", 0, "SIG", "the finding to keep, by signature (glob; default: the first group's most frequent)"},
    [O_OUT] = {"out", 'o', "OUT.yaml", "where to write the cut-down scenario (required)"},
    [O_SITE] = {"site", 0, "DIR", "extra site folder on sys.path, as for run (repeatable)"},
    [O_MAX_RUNS] = {"max-runs", 0, "N", "runs of ftstress run to spend at most, the first included (default 60)"},
    [O_ROUNDS] = {"rounds", 0, "N", "rounds of the first run (default: the scenario's, at most 20; candidates run as many as give about 8 hits, up to 200)"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

typedef struct shrink_args {
    const char *filter, *signature, *out;
    long max_runs, rounds;
    ft_strlist sites;
} shrink_args;

static int on_option(void *ctx, int index, const char *arg)
{
    shrink_args *a = ctx;
    switch (index) {
    case O_FILTER: a->filter = arg; break;
    case O_SIGNATURE: a->signature = arg; break;
    case O_OUT: a->out = arg; break;
    case O_SITE: ft_strlist_push(&a->sites, arg); break;
    case O_MAX_RUNS: return ft_parse_long("max-runs", arg, 1, 10000, &a->max_runs) ? -1 : 0;
    case O_ROUNDS: return ft_parse_long("rounds", arg, 1, 1000000, &a->rounds) ? -1 : 0;
    case O_HELP:
        ft_options_help(stdout, "ftstress shrink FILE [--filter NAME] [--signature SIG] -o OUT.yaml", shrink_options,
                        "Runs the scenario until it has measured a finding's hit rate (at least 8 hits, or 400\n"
                        "rounds), then tries smaller scenarios (fewer roles, threads, iterations, statements,\n"
                        "imports and rounds). A change is kept only when a sequential test shows the finding\n"
                        "(same signature) still at no less than the input's rate, per round and per second of\n"
                        "run time (5% risk of keeping a cut that halves either); the test runs a candidate up\n"
                        "to 4 times before it decides. The written scenario's rounds find the finding with 99%\n"
                        "probability at the lower 95% bound of its measured rate. Writes it to OUT.yaml.\n"
                        "exit codes: 0 written; 1 the first run did not produce the finding (nothing to shrink);\n"
                        "            2 usage or scenario error; 3 could not run; 130 / 143 interrupted.\n");
        exit(0);
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* The finding to shrink: by signature (glob), else the first root-cause group's member that hit
 * the most rounds (a group is one bug; its most frequent finding is the steadiest to keep). */
static const json_t *pick_finding(const json_t *doc, const char *pattern)
{
    const json_t *best = NULL, *f, *g;
    size_t i, j;
    json_array_foreach(json_object_get(doc, "findings"), i, f) {
        if (json_is_true(json_object_get(f, "suppressed")))
            continue;
        const char *sig = json_string_value(json_object_get(f, "signature"));
        if (pattern && sig && (!strcmp(sig, pattern) || !fnmatch(pattern, sig, 0)))
            return f;
    }
    if (pattern)
        return NULL;
    json_array_foreach(json_object_get(doc, "groups"), j, g) {
        json_array_foreach(json_object_get(doc, "findings"), i, f) {
            if (json_is_true(json_object_get(f, "suppressed")) ||
                json_integer_value(json_object_get(f, "group")) != json_integer_value(json_object_get(g, "id")))
                continue;
            if (!best || json_integer_value(json_object_get(f, "rounds_hit")) >
                             json_integer_value(json_object_get(best, "rounds_hit")))
                best = f;
        }
        if (best)
            return best;
    }
    return NULL;
}

static ft_outcome outcome_of_kind(ft_finding_kind kind)
{
    switch (kind) {
    case FT_KIND_CRASH: return FT_CRASH;
    case FT_KIND_HANG: return FT_HANG;
    case FT_KIND_ERROR: return FT_ERROR;
    case FT_KIND_OUTCOME: return FT_FORBIDDEN;
    default: return FT_RACE; /* race, and TSan's other reports */
    }
}

/* Lines of code in a block: neither blank nor a comment. */
static int code_lines(const char *code)
{
    int n = 0;
    for (const char *p = code; p && *p;) {
        size_t len = strcspn(p, "\n"), lead = strspn(p, " \t");
        n += lead < len && p[lead] != '#';
        p += len + (p[len] == '\n');
    }
    return n;
}

static void describe(const ft_scenario *s, char *buf, size_t size)
{
    int lines = code_lines(s->setup_once.code) + code_lines(s->setup.code) + code_lines(s->check.code) +
                code_lines(s->teardown.code);
    int body = 0;
    for (size_t i = 0; i < s->nroles; i++)
        body += code_lines(s->roles[i].body.code);
    snprintf(buf, size, "%zu role%s, %d threads, %d iterations, %d body lines, %d setup/check/teardown lines, %zu imports, %d rounds",
             s->nroles, s->nroles == 1 ? "" : "s", ft_scenario_threads(s), s->roles[0].iterations, body, lines,
             s->imports.count, s->rounds);
}

static void print_rate(const char *prefix, const shrink *sh, const shrink_result *r)
{
    char text[256];
    ft_hit_rate h = ft_hit_rate_of(r->hits, r->rounds, sh->lower_bound);
    ft_hit_rate_format(&h, text, sizeof text);
    if (r->seconds > 0)
        printf("%s%s; %.2g hits per second of run time\n", prefix, text, (double)r->hits / r->seconds);
    else
        printf("%s%s\n", prefix, text);
}

/* One side of the header's table: "12/160 (7.5%)" and "0.91". */
static void rate_cells(const shrink_result *r, char *round_cell, size_t rn, char *second_cell, size_t sn)
{
    snprintf(round_cell, rn, "%ld/%ld (%.1f%%)", r->hits, r->rounds,
             r->rounds ? 100.0 * (double)r->hits / (double)r->rounds : 0.0);
    if (r->seconds > 0)
        snprintf(second_cell, sn, "%.2g", (double)r->hits / r->seconds);
    else
        snprintf(second_cell, sn, "unknown");
}

/* Writes the result next to OUT.yaml and renames it into place, then loads it back: what shrink
 * writes must be a scenario `run` accepts. */
static int write_output(const char *path, const ft_scenario *s, const char *from, const shrink *sh)
{
    char *tmp = ft_xasprintf("%s.tmp.%d", path, (int)getpid());
    char in_round[64], in_second[32], out_round[64], out_second[32];
    rate_cells(&sh->measured, in_round, sizeof in_round, in_second, sizeof in_second);
    rate_cells(&sh->rate, out_round, sizeof out_round, out_second, sizeof out_second);
    double lo, hi;
    ft_wilson(sh->rate.hits, sh->rate.rounds, FT_Z95, &lo, &hi);
    char *header = ft_xasprintf("# Cut down by `ftstress shrink` from %s (scenario '%s') to reproduce\n#   %s\n"
                                "# hit rate          input                 output\n"
                                "#   rounds hit      %-21s %s\n"
                                "#   hits per second %-21s %s\n"
                                "# rounds: %d find it with 99%% probability at the output's lower 95%% bound (%.1f%%)%s;\n"
                                "# the last check hit %ld of %ld rounds. %d runs.\n",
                                from, s->name, sh->signature, in_round, out_round, in_second, out_second, s->rounds,
                                100 * lo, sh->lower_bound ? ", a lower bound: TSan reports a race once per worker" : "",
                                sh->last.hits, sh->last.rounds, sh->runs);
    for (char *p = header; *p; p++)
        if (*p == '\r' || (*p == '\n' && p[1] && p[1] != '#'))
            *p = ' '; /* a newline in a file name must not end the comment */
    FILE *f = fopen(tmp, "w");
    int rc = !f || ft_scenario_emit(f, s, header) != 0 ? -1 : 0;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    free(header);
    if (rc == 0) {
        ft_scenario_set back = {0};
        ft_diags d = {0};
        if (ft_scenarios_load_file(path, &back, &d) != 0) {
            ft_diags_print(&d);
            rc = -1;
        }
        ft_diags_free(&d);
        ft_scenarios_free(&back);
    }
    return rc;
}

/* The reference every candidate is compared with: the input's rate needs enough hits to be worth
 * comparing with, so the input runs again (adding up) until it has SHRINK_REFERENCE_HITS or
 * SHRINK_MAX_REFERENCE_ROUNDS rounds. Returns 0, or -1 when a run failed or shrinking stopped. */
static int measure_input(shrink *sh, ft_scenario *s)
{
    int first_rounds = s->rounds;
    while (sh->measured.hits < SHRINK_REFERENCE_HITS && sh->measured.rounds < SHRINK_MAX_REFERENCE_ROUNDS) {
        if (sh->runs >= sh->max_runs) {
            printf("budget of %d runs used up while measuring the input's rate\n", sh->max_runs);
            return -1;
        }
        /* One run of as many rounds as the hits still missing need at the rate so far. */
        ft_rate_counts so_far = {.hits = sh->measured.hits, .rounds = sh->measured.rounds};
        long need = ft_rate_rounds_for_hits(&so_far, SHRINK_REFERENCE_HITS - sh->measured.hits, first_rounds,
                                            SHRINK_MAX_REFERENCE_ROUNDS - sh->measured.rounds);
        s->rounds = (int)need;
        json_t *doc = shrink_run(sh, s);
        if (!doc)
            return -1;
        shrink_result more;
        shrink_read(sh, doc, &more);
        json_decref(doc);
        shrink_result_add(&sh->measured, &more);
        printf("measuring the input: %ld/%ld rounds so far\n", sh->measured.hits, sh->measured.rounds);
        fflush(stdout);
    }
    s->rounds = first_rounds;
    return 0;
}

/* Runs the scenario once, picks the finding, shrinks, writes. Returns the exit code. */
static int shrink_scenario(ft_scenario *s, const shrink_args *a, shrink *sh)
{
    char before[256], after[256];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s->rounds = a->rounds ? (int)a->rounds : s->rounds < 20 ? s->rounds : 20;
    describe(s, before, sizeof before);
    printf("shrinking '%s' (%s): %s\n", s->name, s->file, before);
    json_t *doc = shrink_run(sh, s);
    if (sh->stopped == 2)
        return sh->exit_code;
    if (!doc)
        return FT_EXIT_CANNOT_RUN;
    const json_t *row = json_array_get(json_object_get(doc, "scenarios"), 0);
    const char *status = json_string_value(json_object_get(row, "status"));
    if (!status || strcmp(status, "ran")) {
        ft_error("the first run of '%s' did not run: %s", s->name,
                 json_string_value(json_object_get(row, "message")) ?: status ?: "no status");
        json_decref(doc);
        return status && !strcmp(status, "scenario-error") ? FT_EXIT_USAGE : FT_EXIT_CANNOT_RUN;
    }
    const json_t *f = pick_finding(doc, a->signature);
    /* A rare bug often misses a short first run: without --rounds, one longer run before giving up. */
    if (!f && !a->rounds && s->rounds < SHRINK_SECOND_LOOK_ROUNDS && s->rounds_per_worker == 1) {
        printf("nothing in the first %d rounds: one run of %d rounds before giving up\n", s->rounds,
               SHRINK_SECOND_LOOK_ROUNDS);
        fflush(stdout);
        json_decref(doc);
        s->rounds = SHRINK_SECOND_LOOK_ROUNDS;
        doc = shrink_run(sh, s);
        if (sh->stopped == 2)
            return sh->exit_code;
        if (!doc)
            return FT_EXIT_CANNOT_RUN;
        row = json_array_get(json_object_get(doc, "scenarios"), 0);
        f = pick_finding(doc, a->signature);
    }
    if (!f) {
        if (a->signature)
            printf("nothing to shrink: no finding matching '%s' in the first run of '%s' (%ld rounds)\n", a->signature,
                   s->name, (long)json_integer_value(json_object_get(row, "rounds_run")));
        else
            printf("nothing to shrink: the first run of '%s' found nothing in %ld rounds (--rounds runs more)\n",
                   s->name, (long)json_integer_value(json_object_get(row, "rounds_run")));
        json_decref(doc);
        return 1;
    }
    sh->signature = ft_xstrdup(json_string_value(json_object_get(f, "signature")));
    sh->kind = json_is_string(json_object_get(f, "kind")) ? ft_finding_kind_of(f) : FT_KIND_RACE;
    sh->lower_bound = s->rounds_per_worker != 1 && ft_finding_kind_is_tsan(sh->kind);
    size_t i;
    const json_t *g;
    json_array_foreach(json_object_get(doc, "findings"), i, g)
        if (json_is_string(json_object_get(g, "kind")) && ft_finding_kind_of(g) == FT_KIND_ERROR)
            ft_strlist_push(&sh->known_errors, json_string_value(json_object_get(g, "signature")) ?: "");
    shrink_read(sh, doc, &sh->measured);
    json_decref(doc);
    s->expect = outcome_of_kind(sh->kind);
    printf("finding: %s (%s)\n", sh->signature, ft_finding_kind_name(sh->kind));
    if (measure_input(sh, s) != 0)
        return sh->stopped == 2 ? sh->exit_code : FT_EXIT_CANNOT_RUN;
    sh->last = sh->measured;
    print_rate("input: ", sh, &sh->measured);
    ft_rate_counts ref = {.hits = sh->measured.hits, .rounds = sh->measured.rounds, .seconds = sh->measured.seconds};
    int measuring = (int)ft_rate_rounds_for_hits(&ref, SHRINK_HITS_PER_RUN, s->rounds, SHRINK_MAX_ROUNDS_PER_RUN);
    if (measuring != s->rounds)
        printf("candidates run %d rounds each (about %d hits at the input's rate)\n", measuring, SHRINK_HITS_PER_RUN);
    s->rounds = measuring;

    shrink_all(sh, s);
    if (sh->stopped == 2)
        return sh->exit_code;
    print_rate("output: ", sh, &sh->rate);
    if (sh->last.rounds != sh->rate.rounds)
        printf("        and %ld/%ld rounds in a run of the %d rounds written\n", sh->last.hits, sh->last.rounds, s->rounds);
    if (write_output(a->out, s, s->file, sh) != 0) {
        ft_error("cannot write %s", a->out);
        return FT_EXIT_CANNOT_RUN;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    describe(s, after, sizeof after);
    printf("input:  %s\noutput: %s\n", before, after);
    printf("wrote %s after %d runs in %.0f s (expect: %s)\n", a->out, sh->runs,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, ft_outcome_name(s->expect));
    if (sh->runs)
        printf("runs: %.1f s in all, %.1f s of it in their rounds: %.2f s a run besides its rounds "
               "(start-ups, its workers' for fresh-process rounds included; reading and writing results)\n",
               sh->runs_wall, sh->runs_in_rounds, (sh->runs_wall - sh->runs_in_rounds) / sh->runs);
    return 0;
}

/* The interpreter hash seed of every candidate run: the same for every shrink of one scenario (its
 * file's real path and its name, FNV-1a), so that a second shrink of it, after an edit or with
 * another --max-runs, forks from the server the first one kept instead of starting one (about 1-2 s). */
static unsigned long stable_hash_seed(const ft_scenario *s)
{
    char *real = realpath(s->file, NULL);
    const char *parts[2] = {real ? real : s->file, s->name};
    uint32_t h = 2166136261u;
    for (int i = 0; i < 2; i++)
        for (const unsigned char *c = (const unsigned char *)parts[i];; c++) {
            h = (h ^ *c) * 16777619u;
            if (!*c)
                break;
        }
    free(real);
    return h;
}

static int shrink_cmd(int argc, char **argv)
{
    shrink_args a = {.max_runs = 60};
    ft_scenario_set set = {0};
    ft_diags diags = {0};
    ft_scenario *s = NULL;
    int first, rc;

    if (ft_options_parse(argc, argv, shrink_options, on_option, &a, &first) != 0 || first != argc - 1 || !a.out) {
        fprintf(stderr, "usage: ftstress shrink FILE [--filter NAME] [--signature SIG] -o OUT.yaml (see --help)\n");
        ft_strlist_free(&a.sites);
        return FT_EXIT_USAGE;
    }
    ft_scenarios_load_file(argv[first], &set, &diags);
    if (diags.count) {
        ft_diags_print(&diags);
        ft_diags_free(&diags);
        ft_scenarios_free(&set);
        ft_strlist_free(&a.sites);
        return FT_EXIT_USAGE;
    }
    for (size_t i = 0; i < set.count && !s; i++)
        if (!a.filter || !fnmatch(a.filter, set.items[i].name, 0))
            s = &set.items[i];
    if (!s) {
        fprintf(stderr, "ftstress: %s: no scenario %s%s\n", argv[first], a.filter ? "matches " : "in the file",
                a.filter ? a.filter : "");
        ft_scenarios_free(&set);
        ft_strlist_free(&a.sites);
        return FT_EXIT_USAGE;
    }
    const char *tmp = getenv("TMPDIR");
    char *dir = ft_xasprintf("%s/ftstress-shrink-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        ft_error("cannot create a folder for the candidates in %s", tmp && *tmp ? tmp : "/tmp");
        rc = 3;
    } else {
        shrink sh = {.tmpdir = dir, .sites = a.sites, .max_runs = (int)a.max_runs, .hash_seed = stable_hash_seed(s)};
        rc = shrink_scenario(s, &a, &sh);
        free((char *)sh.signature);
        ft_strlist_free(&sh.known_errors);
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(dir);
    ft_strlist_free(&a.sites);
    ft_scenarios_free(&set);
    return rc;
}

const ft_command ft_cmd_shrink = {"shrink", "FILE -o OUT.yaml", "cut a scenario down to what still reproduces a finding",
                                  shrink_cmd};
