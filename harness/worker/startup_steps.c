/* Where a worker's start-up went (startup_steps.h). One process, one main thread: no locking. */
#include "startup_steps.h"

#include "clock.h"

/* More marks than the start-up has steps; a mark past the end is dropped, and the last step's time
 * then runs to the last kept mark (the record is a diagnostic, not a result). */
#define MAX_STEPS 16

typedef struct step {
    const char *name;
    int64_t at_ns; /* when it ended */
} step;

static step steps[MAX_STEPS];
static int nsteps;
static int64_t origin;

void ft_startup_begin(int64_t origin_ns)
{
    origin = origin_ns;
    nsteps = 0;
}

void ft_startup_mark(const char *name)
{
    if (nsteps < MAX_STEPS)
        steps[nsteps++] = (step){name, ft_now_ns()};
}

json_t *ft_startup_steps_json(void)
{
    json_t *o = json_object();
    int64_t prev = origin;
    for (int i = 0; o && i < nsteps; i++) {
        json_object_set_new(o, steps[i].name, json_real((double)(steps[i].at_ns - prev) / 1e9));
        prev = steps[i].at_ns;
    }
    return o;
}
