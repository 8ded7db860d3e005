/* A worker process: embeds the interpreter and runs one scenario's rounds for its supervisor. */
#ifndef FTSTRESS_WORKER_H
#define FTSTRESS_WORKER_H

/* Entry point for `ftstress __worker ...` (spawned by the supervisor, never run by hand). */
int ft_worker_main(int argc, char **argv);

/* Entry point of a worker forked by the fork server, its descriptors already in place; the same
 * arguments as ft_worker_main. Never returns on success (the worker ends with _exit). */
int ft_worker_forked_main(int argc, char **argv);

#endif
