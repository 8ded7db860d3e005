/* The one clock ftstress measures with: CLOCK_MONOTONIC in nanoseconds, comparable across the
 * supervisor and its workers (the status page's round start times rely on that). */
#ifndef FTSTRESS_CLOCK_H
#define FTSTRESS_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t ft_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
