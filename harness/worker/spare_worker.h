/* A worker forked before it is asked for, by a handler of the server that outlives commands. */
#ifndef FTSTRESS_SPARE_WORKER_H
#define FTSTRESS_SPARE_WORKER_H

#include <sys/types.h>

#include "worker_channel.h"

/* Forks the spare, which waits for its request (nothing after the fork depends on one). `client`:
 * the command's pid, allowed to trace it. `team_size`: the threads it starts ahead (the last
 * request's --team-size; another size costs only the difference). Does nothing when there is one
 * already. */
void ft_spare_make(pid_t client, int team_size);

/* Hands the request (argument block and descriptors, still the caller's to close) to the spare:
 * its pid, or 0 when there is none or it cannot take it (the caller forks one as before). */
pid_t ft_spare_take(const char *buf, size_t len, const int fds[FT_FORK_NFDS]);

/* Whether `pid` is the spare, which ended unused (it is forgotten). */
int ft_spare_ended(pid_t pid);

#endif
