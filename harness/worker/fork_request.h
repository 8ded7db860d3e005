/* A fork server's requests (fork_protocol.h): receiving, splitting, placing descriptors. */
#ifndef FTSTRESS_FORK_REQUEST_H
#define FTSTRESS_FORK_REQUEST_H

#include <sys/types.h>

#include "worker_channel.h"

#define FT_REQUEST_MAX 65536 /* a worker's arguments; the supervisor checks before sending */

/* Entries of /proc/self/WHAT ("task", "fd"), -1 when /proc cannot say. */
int ft_proc_self_count(const char *what);

/* This process's threads (TSan's background thread included), -1 when /proc cannot say. */
int ft_thread_count(void);

/* Receives one request on `sock`: its argument block (NUL-terminated in `buf`) and its
 * FT_FORK_NFDS descriptors. Its length, 0 at EOF, -1 on a broken request (whose descriptors are
 * closed). */
ssize_t ft_fork_receive(int sock, char *buf, size_t size, int fds[FT_FORK_NFDS]);

/* Sends a request on to `sock` (a zygote, a spare worker): the same argument block and descriptors,
 * which stay the caller's to close. 0, or -1. */
int ft_fork_forward(int sock, const char *buf, size_t len, const int fds[FT_FORK_NFDS]);

/* Splits an argument block into argv (argv[0] a fixed program name, as getopt skips it). argc. */
int ft_fork_split_args(char *buf, size_t len, char **argv, int max);

/* Moves a request's descriptors onto the numbers a worker has them at, closing FT_FD_SERVER, and
 * stderr onto stdout (the worker's log). 0, or -1. */
int ft_fork_place_descriptors(int fds[FT_FORK_NFDS]);

#endif
