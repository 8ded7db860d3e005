/* The target's own branches as places where --perturb=pct may hold a thread back: PCT's change
 * points inside a C function, where a call boundary never falls. */
#ifndef FTSTRESS_BRANCH_POINTS_H
#define FTSTRESS_BRANCH_POINTS_H

#define FT_BRANCH_MAX_CHANGES 8

/* One thread's change points at branches for one round, owned by that thread alone. */
typedef struct ft_branch_plan {
    long branches;    /* branches the target passed on this thread so far this round */
    int nchanges;     /* change points, ascending */
    long change_at[FT_BRANCH_MAX_CHANGES];
    int passed;       /* change points passed so far: the thread sleeps at each */
    long sleep_ns;    /* how long */
} ft_branch_plan;

/* The calling thread's plan while its body runs with pct (NULL otherwise): each branch of code
 * built with -fsanitize-coverage=trace-pc-guard counts in it, and at a change point the thread
 * sleeps there, inside the C function, so that other threads run into the window it holds open. */
extern _Thread_local ft_branch_plan *ft_branch_current;

#endif
