/* The fork server: a worker with its interpreter up that forks a fresh worker per request. */
#ifndef FTSTRESS_FORK_SERVER_H
#define FTSTRESS_FORK_SERVER_H

/* Entry point for `ftstress __worker --serve --seed N [--listen SOCKET --idle SECONDS]`.
 * Initialises the interpreter once. Without --listen it was started by the supervisor, which holds
 * the other end of FT_FD_SERVER: for each request (a worker's arguments plus its descriptors,
 * worker_channel.h) it forks a worker that has exactly what a spawned worker has, re-parented to
 * the supervisor, and answers with its pid; it returns when the supervisor closes the socket. With
 * --listen it outlives commands (server_daemon.h). */
int ft_fork_server_main(int argc, char **argv);

/* In a connection's handler of a server that outlives commands (server_daemon.c): serves the
 * command connected on `conn` (pid `client`) as ft_fork_server_main serves its supervisor, forking
 * each worker as its own child and reporting how each ended (fork_protocol.h). */
int ft_fork_server_handle(int conn, int client);

/* In a forked worker: waits until its middle process is gone and the supervisor is its parent,
 * then makes it die with the supervisor (PR_SET_PDEATHSIG set before would fire when the middle
 * process exits). Called late in the worker's start-up, so the wait overlaps its imports instead
 * of delaying them. 0, or -1 when the supervisor is gone. */
int ft_fork_server_adopt(void);

#endif
