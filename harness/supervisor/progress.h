/* The live progress line on a terminal: scenario, rounds, rounds/s, findings so far. */
#ifndef FTSTRESS_PROGRESS_H
#define FTSTRESS_PROGRESS_H

#include "results.h"

typedef struct ft_progress {
    int enabled;
    double last_draw;
    int drawn;
} ft_progress;

void ft_progress_init(ft_progress *p, int enabled);
void ft_progress_update(ft_progress *p, const ft_results *r, double now);
void ft_progress_end(ft_progress *p);

#endif
