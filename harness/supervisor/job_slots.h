/* How many workers one supervisor runs at once: the cap, and the one place that applies it. */
#ifndef FTSTRESS_JOB_SLOTS_H
#define FTSTRESS_JOB_SLOTS_H

/* Workers at once: the supervisor's poll set holds three descriptors per worker, sized for this. */
#define FT_MAX_JOBS 64

/* The workers a run with `jobs` asked for may have at once: at least 1, at most FT_MAX_JOBS. A
 * request above the cap is cut to it with a warning that says so, never silently. */
int ft_job_slots(int jobs);

#endif
