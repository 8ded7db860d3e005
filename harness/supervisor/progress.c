/* The live progress line on a terminal: scenario, rounds, rounds/s, findings so far. */
#include "progress.h"

#include <stdio.h>

void ft_progress_init(ft_progress *p, int enabled) { *p = (ft_progress){.enabled = enabled}; }

void ft_progress_update(ft_progress *p, const ft_results *r, double now)
{
    long rounds = 0, findings = 0;
    size_t done = 0;
    const char *current = "";
    double in_rounds = 0;

    if (!p->enabled || now - p->last_draw < 0.2)
        return;
    p->last_draw = now;
    for (size_t i = 0; i < r->nscenarios; i++) {
        rounds += r->scenarios[i].rounds_run;
        in_rounds += r->scenarios[i].seconds;
        if (r->scenarios[i].status != FT_ST_PENDING)
            done++;
        if (r->scenarios[i].workers > 0)
            current = r->scenarios[i].scenario->name;
    }
    for (size_t i = 0; i < r->nfindings; i++)
        findings += ft_finding_counts(&r->findings[i]);
    fprintf(stderr, "\r\033[K[%zu/%zu] %-32.32s %7ld rounds %8.0f rounds/s %3ld findings  %5.1fs", done,
            r->nscenarios, current, rounds, in_rounds > 0 ? rounds / in_rounds : 0.0, findings, now);
    p->drawn = 1;
}

void ft_progress_end(ft_progress *p)
{
    if (p->drawn)
        fprintf(stderr, "\r\033[K");
    p->drawn = 0;
}
