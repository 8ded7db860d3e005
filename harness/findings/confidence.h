/* --until-failure --confidence P: how many rounds make "not reproduced" mean "fixed" with
 * probability P, given the bug's per-round rate (--rate R, or measured: --rates results.json). */
#ifndef FTSTRESS_CONFIDENCE_H
#define FTSTRESS_CONFIDENCE_H

#include <stdio.h>

#include "results.h"
#include "scenario.h"

typedef struct ft_confidence {
    double p;              /* the detection probability asked for; 0: not in use */
    double rate;           /* --rate: the bug's per-round rate; 0: take it from rates_file */
    const char *rates_file;
    /* per selected scenario, filled by ft_confidence_plan */
    double *rates;
    long *rounds;
    size_t n;
} ft_confidence;

/* Sets the rounds of each selected scenario to what the confidence needs: ceil(ln(1-P)/ln(1-R)).
 * R is --rate, or the smallest lower 95% bound of the scenario's groups in --rates (the rarest of
 * its bugs; a lower bound, so the rounds are enough for the true rate too). Returns 0, or FT_EXIT_USAGE after
 * saying what is wrong (unreadable file, a scenario without a measured rate). */
int ft_confidence_plan(ft_confidence *c, ft_scenario_set *set, const size_t *selected, size_t n);

/* After the run: for each scenario that found nothing in its rounds, "not reproduced in N rounds:
 * with the measured rate R the chance of missing it was <= 1-P". */
void ft_confidence_report(const ft_confidence *c, const ft_results *r, FILE *out);

void ft_confidence_free(ft_confidence *c);

#endif
