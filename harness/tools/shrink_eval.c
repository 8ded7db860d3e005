/* Runs one candidate of `ftstress shrink` as an ordinary `ftstress run` of a temporary file and
 * judges from its results.json whether the finding still reproduces. A child run, not an
 * in-process one: the supervisor's state is built for one run per process, and a candidate that
 * crashes or hangs its workers is handled there as in any run. */
#include "shrink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child_run.h"
#include "clock.h"
#include "commands.h"
#include "finding_kind.h"
#include "log.h"
#include "rate_test.h"
#include "scenario_emit.h"
#include "xalloc.h"

json_t *shrink_run(shrink *sh, const ft_scenario *s)
{
    char *yaml = ft_xasprintf("%s/candidate.yaml", sh->tmpdir);
    char *json = ft_xasprintf("%s/results.json", sh->tmpdir);
    char *outdir = ft_xasprintf("%s/out", sh->tmpdir);
    char *log = ft_xasprintf("%s/run.log", sh->tmpdir);
    ft_strlist args = {0};
    json_t *doc = NULL;
    FILE *f = fopen(yaml, "w");

    sh->runs++;
    if (!f || ft_scenario_emit(f, s, NULL) != 0) {
        ft_error("cannot write %s", yaml);
        if (f)
            fclose(f);
        goto done;
    }
    fclose(f);
    unlink(json);
    /* Every round runs (--keep-going): a rate needs them all, not a stop at the first hit. */
    const char *fixed[] = {ft_self_exe(), "run", yaml, "--keep-going", "-q", "--json", json, "-o", outdir};
    ft_strlist_push_all(&args, fixed, sizeof fixed / sizeof *fixed);
    /* Each run draws its own --seed (its rounds' schedules); the hash seed is the shrink's, so the
     * runs meet one fork server kept between them instead of starting an interpreter each. */
    char hash_seed[32];
    snprintf(hash_seed, sizeof hash_seed, "%lu", sh->hash_seed);
    ft_strlist_push(&args, "--hash-seed");
    ft_strlist_push(&args, hash_seed);
    for (size_t i = 0; i < sh->sites.count; i++) {
        ft_strlist_push(&args, "--site");
        ft_strlist_push(&args, sh->sites.items[i]);
    }
    char **argv = ft_strlist_argv(&args);
    int64_t started = ft_now_ns();
    int status = ft_child_run(argv, log, NULL, 0, NULL);
    free(argv);
    sh->runs_wall += (double)(ft_now_ns() - started) / 1e9;
    if (status < 0) {
        ft_error("cannot start %s: %s", ft_self_exe(), strerror(errno));
        goto done;
    }
    /* 130 / 143: the user stopped the run (the child shares our terminal's process group). */
    if (status > 128) {
        sh->stopped = 2;
        sh->exit_code = status;
        goto done;
    }
    json_error_t err;
    doc = json_load_file(json, 0, &err);
    if (!doc)
        ft_error("the run of %s (exit status %d) wrote no results; its output is in %s", yaml, status, log);
    else /* time in rounds; the rest is the run's own cost, fresh-process rounds' worker start-ups included */
        sh->runs_in_rounds += json_number_value(json_object_get(json_array_get(json_object_get(doc, "scenarios"), 0), "seconds"));
done:
    ft_strlist_free(&args);
    free(yaml);
    free(json);
    free(outdir);
    free(log);
    return doc;
}

void shrink_read(const shrink *sh, const json_t *doc, shrink_result *out)
{
    size_t i;
    json_t *f;
    const json_t *row = json_array_get(json_object_get(doc, "scenarios"), 0);

    *out = (shrink_result){0};
    out->rounds = json_integer_value(json_object_get(row, "rounds_run"));
    out->seconds = json_number_value(json_object_get(row, "seconds"));
    json_array_foreach(json_object_get(doc, "findings"), i, f) {
        const char *sig = json_string_value(json_object_get(f, "signature"));
        if (!sig || json_is_true(json_object_get(f, "suppressed")))
            continue;
        if (!strcmp(sig, sh->signature))
            out->hits = json_integer_value(json_object_get(f, "rounds_hit"));
        else if (ft_finding_kind_of(f) == FT_KIND_ERROR && !ft_strlist_contains(&sh->known_errors, sig))
            out->new_errors++;
    }
}

void shrink_result_add(shrink_result *into, const shrink_result *more)
{
    into->hits += more->hits;
    into->rounds += more->rounds;
    into->seconds += more->seconds;
    into->new_errors += more->new_errors;
}

static ft_rate_counts counts_of(const shrink_result *r)
{
    return (ft_rate_counts){.hits = r->hits, .rounds = r->rounds, .seconds = r->seconds};
}

/* "7/80 rounds, 2.1 hits/s": a candidate's counts as the step line shows them. */
static void describe_counts(const shrink_result *r, char *buf, size_t n)
{
    if (r->seconds > 0)
        snprintf(buf, n, "%ld/%ld rounds, %.2g hits/s", r->hits, r->rounds, (double)r->hits / r->seconds);
    else
        snprintf(buf, n, "%ld/%ld rounds", r->hits, r->rounds);
}

int shrink_try(shrink *sh, const ft_scenario *s, const char *what)
{
    shrink_result sum = {0};
    ft_rate_counts ref = counts_of(&sh->measured);
    ft_rate_verdict verdict = FT_RATE_UNDECIDED;
    int runs = 0, failed = 0;
    char counts[96];

    if (sh->stopped)
        return -1;
    while (verdict == FT_RATE_UNDECIDED && runs < SHRINK_RUNS_PER_CANDIDATE) {
        if (sh->runs >= sh->max_runs) {
            printf("budget of %d runs used up: stopping here (--max-runs raises it)\n", sh->max_runs);
            sh->stopped = 1;
            return -1;
        }
        json_t *doc = shrink_run(sh, s);
        if (sh->stopped) {
            json_decref(doc);
            return -1;
        }
        runs++;
        if (!doc) {
            failed = 1;
            break;
        }
        shrink_result r = {0};
        shrink_read(sh, doc, &r);
        json_decref(doc);
        shrink_result_add(&sum, &r);
        if (sum.new_errors)
            break;
        ft_rate_counts cand = counts_of(&sum);
        verdict = ft_rate_compare(&ref, &cand, FT_RATE_WORSE_RATIO, FT_RATE_ALPHA, FT_RATE_BETA);
    }
    sh->steps++;
    describe_counts(&sum, counts, sizeof counts);
    int ok = !failed && !sum.new_errors && verdict == FT_RATE_NOT_WORSE;
    char runs_text[16];
    snprintf(runs_text, sizeof runs_text, "%d run%s", runs, runs == 1 ? "" : "s");
    if (ok) {
        printf("step %d: %s — still reproduces: %s (%s)\n", sh->steps, what, counts, runs_text);
        sh->last = sum;
    } else if (failed)
        printf("step %d: %s — the run failed, kept as it was\n", sh->steps, what);
    else if (sum.new_errors)
        printf("step %d: %s — %s, but with %d new exception%s or failed check%s: kept as it was\n", sh->steps, what,
               counts, sum.new_errors, sum.new_errors == 1 ? "" : "s", sum.new_errors == 1 ? "" : "s");
    else if (verdict == FT_RATE_WORSE)
        printf("step %d: %s — %s: %s (%s), kept as it was\n", sh->steps, what,
               sum.hits ? "rarer than the input" : "not reproduced", counts, runs_text);
    else
        printf("step %d: %s — %s in %s: not shown to be as frequent as the input, kept as it was\n", sh->steps,
               what, counts, runs_text);
    fflush(stdout);
    return ok;
}
