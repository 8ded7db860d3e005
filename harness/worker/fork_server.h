/* The fork server: a worker with its interpreter up that forks a fresh worker per request. */
#ifndef FTSTRESS_FORK_SERVER_H
#define FTSTRESS_FORK_SERVER_H

/* Entry point for `ftstress __worker --serve --seed N` (started by the supervisor, which holds the
 * other end of FT_FD_SERVER). Initialises the interpreter once, then for each request (a worker's
 * arguments plus its descriptors, worker_channel.h) forks a worker that has exactly what a spawned
 * worker has, re-parented to the supervisor, and answers with its pid. Returns when the supervisor
 * closes the socket. */
int ft_fork_server_main(int argc, char **argv);

/* In a forked worker: waits until its middle process is gone and the supervisor is its parent,
 * then makes it die with the supervisor (PR_SET_PDEATHSIG set before would fire when the middle
 * process exits). Called late in the worker's start-up, so the wait overlaps its imports instead
 * of delaying them. 0, or -1 when the supervisor is gone. */
int ft_fork_server_adopt(void);

#endif
