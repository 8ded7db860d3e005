/* The processes the supervisor adopts as a child subreaper and nobody waits for: reaped here. */
#ifndef FTSTRESS_ADOPTED_ORPHANS_H
#define FTSTRESS_ADOPTED_ORPHANS_H

#include <stddef.h>
#include <sys/types.h>

/* Reaps every exited child of this process that is not a process of this program (workers, fork
 * servers and their middle processes are; they are waited for where they are started) and not
 * one of `mine`. Returns how many it reaped. */
size_t ft_reap_adopted_orphans(const pid_t *mine, size_t nmine);

#endif
