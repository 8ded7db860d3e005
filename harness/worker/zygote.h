/* Zygotes: per-scenario processes of a fork server that have imported a scenario's modules and
 * fork its fresh workers from there, so a scenario with `rounds_per_worker` does not pay its
 * imports again in every worker. */
#ifndef FTSTRESS_ZYGOTE_H
#define FTSTRESS_ZYGOTE_H

#include <stddef.h>
#include <sys/types.h>

#include "worker_channel.h"

typedef struct ft_zygotes ft_zygotes;

/* The zygotes of one serving process. `reaper`: the process its zygotes' workers are re-parented
 * to and must see as their parent before they start (a connection's handler, which is a child
 * subreaper), or 0 where the worker itself waits for its supervisor (ft_fork_server_adopt).
 * `client`: the command's pid, allowed to trace the workers (0: none). NULL when out of memory. */
ft_zygotes *ft_zygotes_new(pid_t reaper, pid_t client);

/* For a request (argument block `buf` of `len` bytes, descriptors `fds`) that asks for a zygote
 * (`--zygote`): the pid of the worker the scenario's zygote forked, starting that zygote on the
 * scenario's first request. 0 when the request does not ask for one or no zygote can serve it (its
 * preparation failed, it started threads or opened descriptors): the caller forks the worker as
 * before. The request's descriptors stay the caller's to close. */
pid_t ft_zygote_start_worker(ft_zygotes *z, const char *buf, size_t len, const int fds[FT_FORK_NFDS]);

/* Whether `pid`, reaped by the caller, was one of its zygotes (not a worker: nobody is told). */
int ft_zygotes_owns(ft_zygotes *z, pid_t pid);

/* Ends every zygote (each exits when its socket closes) and frees the table. */
void ft_zygotes_free(ft_zygotes *z);

#endif
