/* Captures every TSan report in-process, as structured data, and streams it to the supervisor. */
#ifndef FTSTRESS_TSAN_HOOK_H
#define FTSTRESS_TSAN_HOOK_H

#include "worker_channel.h"

/* Arms the hook: reports go to `fd`, tagged from `status`. Until then reports are only printed. */
void ft_tsan_hook_arm(int fd, ft_status *status);

/* Marks the current thread's accesses as invisible to TSan (for the hang dump, which reads other
 * threads' frames on purpose). */
void ft_tsan_ignore_begin(void);
void ft_tsan_ignore_end(void);

#endif
