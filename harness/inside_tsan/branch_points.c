/* The target's own branches as PCT change points (branch_points.h): SanitizerCoverage's callbacks.
 *
 * Code built with -fsanitize-coverage=trace-pc-guard calls __sanitizer_cov_trace_pc_guard on every
 * edge of its control flow. These definitions replace the sanitizer runtime's weak ones for the
 * whole process: they count a thread's branches only while its body runs with pct, and otherwise
 * return at once. They are here, uninstrumented, because they run on every branch of the target:
 * TSan must not see the counting (each thread touches only its own plan, through a thread-local
 * pointer, so nothing orders the threads), and they call nothing of the interpreter. */
#include "branch_points.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

_Thread_local ft_branch_plan *ft_branch_current;

/* Each module's guards, once at its load: a non-zero guard is one whose callback the compiler's
 * check lets through; every branch is wanted. */
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop)
{
    for (uint32_t *g = start; g < stop; g++)
        *g = 1;
}

void __sanitizer_cov_trace_pc_guard(uint32_t *guard)
{
    ft_branch_plan *b = ft_branch_current;
    (void)guard;
    if (!b)
        return;
    if (b->passed < b->nchanges && b->branches >= b->change_at[b->passed]) {
        b->passed++;
        /* A real sleep, as at a call's change point: on a busy machine it hands the core over.
         * The raw system call: no interceptor runs inside the target's branch. */
        struct timespec ts = {0, b->sleep_ns};
        syscall(SYS_nanosleep, &ts, NULL);
    }
    b->branches++;
}
