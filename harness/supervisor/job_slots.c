/* The cap on workers run at once, applied in one place and never silently (see job_slots.h). */
#include "job_slots.h"

#include "log.h"

int ft_job_slots(int jobs)
{
    if (jobs < 1)
        return 1;
    if (jobs > FT_MAX_JOBS) {
        ft_warn("%d jobs asked for; one run starts at most %d workers at once, so it runs %d", jobs, FT_MAX_JOBS,
                FT_MAX_JOBS);
        return FT_MAX_JOBS;
    }
    return jobs;
}
