/* The steps of `ftstress shrink`: each proposes a smaller scenario, runs it (shrink_try) and keeps
 * the change only when the finding still reproduces. Cheapest and most rewarding first: a removed
 * role or a halved thread count also makes every later candidate run faster. */
#include "shrink.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding_kind.h"
#include "hit_rate.h"
#include "shrink_stmts.h"
#include "xalloc.h"

/* A race needs two threads: candidates below that cannot reproduce one and would waste a run. */
static int fewest_threads(const shrink *sh)
{
    return ft_finding_kind_is_tsan(sh->kind) ? 2 : 1;
}

/* One run at the written rounds: the bug must show at least once (that is what 99% promises);
 * the rate test does not apply, the rounds are too few to measure a rate with. */
static int check_rounds(shrink *sh, const ft_scenario *s, const char *what)
{
    if (sh->stopped || sh->runs >= sh->max_runs)
        return -1;
    json_t *doc = shrink_run(sh, s);
    if (!doc)
        return -1;
    shrink_result r;
    shrink_read(sh, doc, &r);
    json_decref(doc);
    sh->steps++;
    printf("step %d: %s — %ld/%ld rounds: %s\n", sh->steps, what, r.hits, r.rounds,
           r.hits ? "shows" : "did not show, kept as it was");
    fflush(stdout);
    if (r.hits > 0)
        sh->last = r;
    return r.hits > 0;
}

static void remove_roles(shrink *sh, ft_scenario *s)
{
    for (size_t i = s->nroles; i-- > 0 && s->nroles > 1 && !sh->stopped;) {
        ft_role gone = s->roles[i];
        if (ft_scenario_threads(s) - gone.threads < fewest_threads(sh))
            continue;
        memmove(s->roles + i, s->roles + i + 1, (s->nroles - i - 1) * sizeof *s->roles);
        s->nroles--;
        char *what = ft_xasprintf("removed role '%s'", gone.name);
        if (shrink_try(sh, s, what) == 1) {
            free(gone.name);
            free(gone.body.code);
        } else {
            memmove(s->roles + i + 1, s->roles + i, (s->nroles - i) * sizeof *s->roles);
            s->roles[i] = gone;
            s->nroles++;
        }
        free(what);
    }
}

/* Lowers *value towards `lo`: `lo` itself first (often enough, and then one run is all it costs),
 * else halving from the current value until a half no longer reproduces. */
static void lower_int(shrink *sh, ft_scenario *s, int *value, int lo, const char *label, const char *unit)
{
    int from = *value;
    if (from <= lo)
        return;
    for (int next = lo; next < from && !sh->stopped; next = *value / 2) {
        char *what = ft_xasprintf("%s: %d → %d %s", label, *value, next, unit);
        int old = *value;
        *value = next;
        int r = shrink_try(sh, s, what);
        free(what);
        if (r != 1) {
            *value = old;
            if (next == lo && old / 2 > lo)
                continue; /* the floor failed: try halving from the top */
            return;
        }
        if (next == lo || next / 2 <= lo)
            return;
    }
}

static void lower_threads_and_iterations(shrink *sh, ft_scenario *s)
{
    for (size_t i = 0; i < s->nroles && !sh->stopped; i++) {
        int others = ft_scenario_threads(s) - s->roles[i].threads;
        int lo = fewest_threads(sh) - others;
        char *label = ft_xasprintf("role '%s'", s->roles[i].name);
        lower_int(sh, s, &s->roles[i].threads, lo < 1 ? 1 : lo, label, "threads");
        free(label);
    }
    for (size_t i = 0; i < s->nroles && !sh->stopped; i++) {
        char *label = ft_xasprintf("role '%s'", s->roles[i].name);
        lower_int(sh, s, &s->roles[i].iterations, 1, label, "iterations");
        free(label);
    }
    /* The top-level default follows the roles when they agree, so the file says it once. */
    int same = 1;
    for (size_t i = 1; i < s->nroles; i++)
        same &= s->roles[i].iterations == s->roles[0].iterations;
    if (same)
        s->iterations = s->roles[0].iterations;
}

/* The first line of the first unit `cand` drops, cut short, to name the statement in a step. */
static char *first_dropped(const ft_strlist *units, const unsigned char *keep, const unsigned char *cand)
{
    for (size_t i = 0; i < units->count; i++)
        if (keep[i] && !cand[i]) {
            const char *p = units->items[i];
            while (*p == '\n' || *p == ' ' || *p == '#') /* past leading comments' markers and blanks */
                p += *p == '#' ? strcspn(p, "\n") : 1;
            size_t n = strcspn(p, "\n");
            return n > 40 ? ft_xasprintf("%.37s...", p) : ft_xstrndup(p, n);
        }
    return ft_xstrdup("");
}

/* ddmin over units [lo, hi) of a block (its statements; the units around them stay), removing
 * complements only: chunks of half the kept statements, then quarters, down to single ones; a
 * chunk whose removal still reproduces stays removed. With `keep_one` (a body, a nested block) at
 * least one statement stays; other blocks may go entirely. */
static void ddmin_units(shrink *sh, ft_scenario *s, ft_block *b, const ft_strlist *units, size_t lo, size_t hi,
                        int keep_one, const char *label)
{
    size_t n = units->count, kept = hi - lo;
    if (!b->code || kept == 0 || (keep_one && kept < 2))
        return;
    unsigned char *keep = ft_xmalloc(n), *cand = ft_xmalloc(n);
    memset(keep, 1, n);
    for (size_t chunk = keep_one ? (kept + 1) / 2 : kept; chunk >= 1 && kept > 0 && !sh->stopped;) {
        for (size_t i = lo; i < hi && !sh->stopped;) {
            size_t taken = 0, j = i;
            memcpy(cand, keep, n);
            for (; j < hi && taken < chunk; j++)
                if (keep[j])
                    cand[j] = 0, taken++;
            i = j;
            if (taken == 0 || (keep_one && taken == kept))
                continue;
            char *code = ft_units_join(units, cand), *old = b->code, *stmt = first_dropped(units, keep, cand);
            char *what = taken == 1 ? ft_xasprintf("%s: removed `%s`", label, stmt)
                                    : ft_xasprintf("%s: removed %zu of %zu statements, from `%s`", label, taken, kept, stmt);
            b->code = code;
            if (shrink_try(sh, s, what) == 1) {
                free(old);
                memcpy(keep, cand, n);
                kept -= taken;
            } else {
                free(code);
                b->code = old;
            }
            free(what);
            free(stmt);
        }
        if (chunk == 1)
            break;
        chunk = (chunk + 1) / 2 < kept ? (chunk + 1) / 2 : kept;
    }
    free(keep);
    free(cand);
}

/* The statements inside a block's compound statements (`if iteration == 0:` and the like), block
 * by block in the order they start, after its top-level ones: each keeps at least one statement.
 * The blocks are found again after every block, in the text as it now is. */
static void ddmin_nested(shrink *sh, ft_scenario *s, ft_block *b, const char *label)
{
    long after = 0;
    char *where = ft_xasprintf("%s, nested", label);
    while (b->code && !sh->stopped) {
        ft_strlist units;
        long first = ft_split_nested(b->code, sh->tmpdir, after, &units);
        if (first > 0)
            ddmin_units(sh, s, b, &units, 1, units.count - 1, 1, where);
        ft_strlist_free(&units);
        if (first <= 0)
            break;
        after = first;
    }
    free(where);
}

static void remove_statements(shrink *sh, ft_scenario *s)
{
    ft_block *other[] = {&s->setup_once, &s->setup, &s->check, &s->teardown};
    static const char *const names[] = {"setup_once", "setup", "check", "teardown"};
    size_t nother = sizeof other / sizeof *other, n = s->nroles + nother;
    const char **codes = ft_xcalloc(n, sizeof *codes);
    ft_strlist *units = NULL;

    for (size_t i = 0; i < s->nroles; i++)
        codes[i] = s->roles[i].body.code;
    for (size_t i = 0; i < nother; i++)
        codes[s->nroles + i] = other[i]->code;
    if (ft_split_statements(codes, n, sh->tmpdir, &units) == 0) {
        for (size_t i = 0; i < s->nroles && !sh->stopped; i++) {
            char *label = ft_xasprintf("body of role '%s'", s->roles[i].name);
            ddmin_units(sh, s, &s->roles[i].body, &units[i], 0, units[i].count, 1, label);
            ddmin_nested(sh, s, &s->roles[i].body, label);
            free(label);
        }
        for (size_t i = 0; i < nother && !sh->stopped; i++) {
            ddmin_units(sh, s, other[i], &units[s->nroles + i], 0, units[s->nroles + i].count, 0, names[i]);
            ddmin_nested(sh, s, other[i], names[i]);
        }
        for (size_t i = 0; i < n; i++)
            ft_strlist_free(&units[i]);
        free(units);
    }
    free(codes);
}

/* Whether `name` occurs in `code` as a whole identifier. Strings and comments count too: that
 * only keeps an import that might have been needed. */
static int mentions(const char *code, const char *name, size_t len)
{
    for (const char *p = code; p && (p = strstr(p, name)); p += len) {
        int before = p > code && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = isalnum((unsigned char)p[len]) || p[len] == '_';
        if (!before && !after)
            return 1;
    }
    return 0;
}

/* Imports no block names any more (`os.path` is named by `os`) are removed together: importing
 * has side effects (an extension's module state, the GIL), so the run decides, not the text. */
static void remove_unused_imports(shrink *sh, ft_scenario *s)
{
    const ft_block *blocks[] = {&s->setup_once, &s->setup, &s->check, &s->teardown, &s->arbiter};
    ft_strlist used = {0}, unused = {0};
    for (size_t i = 0; i < s->imports.count; i++) {
        const char *m = s->imports.items[i];
        size_t len = strcspn(m, ".");
        char *root = ft_xstrndup(m, len);
        int found = 0;
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks && !found; b++)
            found = mentions(blocks[b]->code, root, len);
        for (size_t r = 0; r < s->nroles && !found; r++)
            found = mentions(s->roles[r].body.code, root, len);
        ft_strlist_push(found ? &used : &unused, m);
        free(root);
    }
    if (unused.count && !sh->stopped) {
        ft_strlist old = s->imports;
        char *names = ft_strlist_join(&unused, ", ");
        char *what = ft_xasprintf("removed unused import%s %s", unused.count == 1 ? "" : "s", names);
        s->imports = used;
        if (shrink_try(sh, s, what) == 1) {
            ft_strlist_free(&old);
            used = (ft_strlist){0};
        } else
            s->imports = old;
        free(what);
        free(names);
    }
    ft_strlist_free(&used);
    ft_strlist_free(&unused);
}

/* Rounds: those that find the bug with 99% probability at the lower 95% bound of the last kept
 * candidate's rate (all the runs that decided it), checked by one run. With lower-bound rates (a
 * race in a worker that runs several rounds is reported once) the count understates the rate, so
 * the rounds computed from it are more than enough. */
static void lower_rounds(shrink *sh, ft_scenario *s)
{
    double lo, hi;
    ft_wilson(sh->last.hits, sh->last.rounds, FT_Z95, &lo, &hi);
    long need = ft_rounds_for(lo, 0.99);
    if (need < 1 || need == s->rounds || sh->stopped)
        return;
    char *what = ft_xasprintf("rounds: %d → %ld (99%% detection at the measured rate's lower bound %.1f%%)", s->rounds,
                              need, 100 * lo);
    int old = s->rounds;
    s->rounds = need > 1000000 ? 1000000 : (int)need;
    if (need < old) {
        if (check_rounds(sh, s, what) != 1)
            s->rounds = old;
    } else {
        printf("%s\n", what); /* more rounds than measured with: nothing to check */
        fflush(stdout);
    }
    free(what);
}

void shrink_all(shrink *sh, ft_scenario *s)
{
    remove_roles(sh, s);
    lower_threads_and_iterations(sh, s);
    remove_statements(sh, s);
    remove_unused_imports(sh, s);
    sh->rate = sh->last;
    lower_rounds(sh, s);
}
