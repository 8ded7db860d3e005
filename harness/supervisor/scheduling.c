/* Which job gets a worker next: rounds left over from a job's earlier worker first, then the next
 * scenario of the selection, while slots are free; and whether another pass over the selection
 * follows (--duration, --until-failure). */
#include "scheduling.h"

#include "log.h"

int ft_schedule_fill(job *js, size_t n, ft_schedule *sched, const ft_supervise_opts *o, int slots, double now)
{
    int running = 0;
    for (size_t i = 0; i < n; i++)
        running += js[i].active;
    while (running < slots) {
        job *j = NULL;
        for (size_t i = 0; i < n && !j; i++)
            if (!js[i].active && js[i].rounds_left > 0)
                j = &js[i]; /* a scenario with rounds left in a later worker */
        if (!j && sched->next < n) {
            j = &js[sched->next++];
            long rounds = o->rounds > 0 ? o->rounds : j->s->rounds;
            j->round_base += sched->pass ? rounds : 0;
            j->first_round = j->round_base;
            j->rounds_left = rounds;
            j->started = now;
        }
        if (!j)
            break;
        j->now = now;
        /* Whether any worker may follow this one (a kept server forks a spare for it only then). */
        j->others_pending = sched->next < n || o->until_failure || o->duration > 0;
        for (size_t i = 0; i < n && !j->others_pending; i++)
            j->others_pending = &js[i] != j && js[i].rounds_left > 0;
        if (ft_job_start_worker(j, o) < 0) {
            j->rounds_left = 0;
            sched->spawn_failed = 1; /* no further pass: it would fail the same way, as fast as it can */
            continue;
        }
        running++;
    }
    return running;
}

int ft_schedule_another_pass(ft_schedule *sched, const ft_supervise_opts *o, double now, int expectation_failed)
{
    int again = !sched->spawn_failed && ((o->duration > 0 && now < o->duration) || (o->until_failure && o->duration <= 0));
    if (o->until_failure && expectation_failed)
        again = 0;
    if (again) {
        sched->next = 0;
        sched->pass++;
        ft_debug("pass %zu over the selection", sched->pass + 1);
    }
    return again;
}

void ft_schedule_stop_starting(job *js, size_t n, ft_schedule *sched)
{
    for (size_t i = 0; i < n; i++)
        js[i].rounds_left = 0; /* finish what runs, start nothing new */
    sched->next = n;           /* the loop ends once running workers are done */
}
