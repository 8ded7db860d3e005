/* --confidence: rounds for a chosen detection probability, from a given or a measured hit rate. */
#include "confidence.h"
#include "exit_codes.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hit_rate.h"
#include "log.h"
#include "xalloc.h"

/* Whether every member of `group` in `scenario` was suppressed: such a bug is not the one being
 * fixed, and its rate must not decide how long the run is. */
static int all_suppressed(const json_t *doc, const json_t *group, const char *scenario)
{
    size_t i, k;
    json_t *sig, *f;
    json_array_foreach(json_object_get(group, "members"), i, sig) {
        json_array_foreach(json_object_get(doc, "findings"), k, f) {
            if (strcmp(json_string_value(json_object_get(f, "scenario")) ?: "", scenario) ||
                strcmp(json_string_value(json_object_get(f, "signature")) ?: "", json_string_value(sig) ?: ""))
                continue;
            if (!json_is_true(json_object_get(f, "suppressed")))
                return 0;
        }
    }
    return 1;
}

/* The smallest positive lower 95% bound among the scenario's groups in `doc`, or 0 if none. */
static double measured_rate(const json_t *doc, const char *scenario)
{
    double best = 0;
    size_t i, k;
    json_t *g, *row;
    json_array_foreach(json_object_get(doc, "groups"), i, g) {
        json_array_foreach(json_object_get(g, "by_scenario"), k, row) {
            ft_hit_rate h;
            if (strcmp(json_string_value(json_object_get(row, "scenario")) ?: "", scenario) ||
                ft_hit_rate_from_json(row, &h) != 0 || !(h.lo > 0) || all_suppressed(doc, g, scenario))
                continue;
            if (best == 0 || h.lo < best)
                best = h.lo;
        }
    }
    return best;
}

int ft_confidence_plan(ft_confidence *c, ft_scenario_set *set, const size_t *selected, size_t n)
{
    json_t *doc = NULL;
    json_error_t err;
    if (!c->rate) {
        doc = json_load_file(c->rates_file, 0, &err);
        if (!doc) {
            ft_error("--rates %s: %s (line %d)", c->rates_file, err.text, err.line);
            return FT_EXIT_USAGE;
        }
    }
    c->n = n;
    c->rates = ft_xcalloc(n ? n : 1, sizeof *c->rates);
    c->rounds = ft_xcalloc(n ? n : 1, sizeof *c->rounds);
    for (size_t i = 0; i < n; i++) {
        ft_scenario *s = &set->items[selected[i]];
        double rate = c->rate ? c->rate : measured_rate(doc, s->name);
        if (!(rate > 0)) {
            ft_error("--rates %s has no hit rate for scenario '%s' (no finding of it, or a results document "
                     "older than hit rates): select the scenarios it measured (-k), or give --rate R",
                     c->rates_file, s->name);
            json_decref(doc);
            return FT_EXIT_USAGE;
        }
        long rounds = ft_rounds_for(rate, c->p);
        if (rounds > 1000000000L) {
            ft_error("scenario '%s': a rate of %g needs %ld rounds for --confidence %g; more than a run can do",
                     s->name, rate, rounds, c->p);
            json_decref(doc);
            return FT_EXIT_USAGE;
        }
        c->rates[i] = rate;
        c->rounds[i] = rounds;
        s->rounds = (int)rounds;
        ft_info("scenario '%s': %ld rounds, enough to find a bug of rate %.4g (%s%s) with probability %g", s->name,
                rounds, rate, c->rate ? "--rate" : "the lower 95% bound measured in ", c->rate ? "" : c->rates_file, c->p);
    }
    json_decref(doc);
    return 0;
}

void ft_confidence_report(const ft_confidence *c, const ft_results *r, FILE *out)
{
    for (size_t i = 0; i < r->nscenarios && i < c->n; i++) {
        const ft_scenario_result *sr = &r->scenarios[i];
        if (sr->status != FT_ST_RAN || sr->outcome != FT_CLEAN)
            continue; /* reproduced (or never ran): the verdict table says what happened */
        if (sr->rounds_run < c->rounds[i]) {
            fprintf(out, "%s: ran %ld of the %ld rounds --confidence %g needs: no conclusion\n",
                    sr->scenario->name, sr->rounds_run, c->rounds[i], c->p);
            continue;
        }
        /* (1-R)^N, what chance a bug of rate R had to stay hidden in N rounds: at most 1-P by
         * the choice of N */
        fprintf(out, "%s: not reproduced in %ld rounds: with the %s rate %.4g the chance of missing it was ≤ %g "
                     "(%.2g)\n",
                sr->scenario->name, sr->rounds_run, c->rate ? "given" : "measured", c->rates[i], 1 - c->p,
                pow(1 - c->rates[i], (double)sr->rounds_run));
    }
}

void ft_confidence_free(ft_confidence *c)
{
    free(c->rates);
    free(c->rounds);
    c->rates = NULL;
    c->rounds = NULL;
}
