/* Scheduling a run's jobs onto worker slots, pass after pass (see scheduling.c). */
#ifndef FTSTRESS_SCHEDULING_H
#define FTSTRESS_SCHEDULING_H

#include <stddef.h>

#include "job.h"

typedef struct ft_schedule {
    size_t next;      /* the next scenario of the selection to start in this pass */
    size_t pass;      /* passes over the selection before this one */
    int spawn_failed; /* a worker could not be started: no further pass */
} ft_schedule;

/* Starts workers while fewer than `slots` run; returns how many run. */
int ft_schedule_fill(job *js, size_t n, ft_schedule *sched, const ft_supervise_opts *o, int slots, double now);
/* Nothing runs: whether another pass over the selection starts (and sets it up). */
int ft_schedule_another_pass(ft_schedule *sched, const ft_supervise_opts *o, double now, int expectation_failed);
/* --until-failure saw a failure: running workers finish, no new one starts. */
void ft_schedule_stop_starting(job *js, size_t n, ft_schedule *sched);

#endif
