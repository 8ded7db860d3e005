/* A worker process: embeds the interpreter and runs one scenario's rounds for its supervisor. */
#ifndef FTSTRESS_WORKER_H
#define FTSTRESS_WORKER_H

/* Entry point for `ftstress __worker ...` (spawned by the supervisor, never run by hand). */
int ft_worker_main(int argc, char **argv);

/* Entry point of a worker forked by the fork server, its descriptors already in place; the same
 * arguments as ft_worker_main. Never returns on success (the worker ends with _exit). */
int ft_worker_forked_main(int argc, char **argv);

/* A worker's preparation made once in a zygote (zygote.h): the scenario its arguments name, read
 * from `scenario_fd` (closed), compiled, with its site folders on sys.path and its imports done.
 * NULL when any of it failed: nothing is reported (a zygote has no supervisor channel), and the
 * requests it would have served fork ordinary workers, which report the failure. */
typedef struct ft_worker_prepared ft_worker_prepared;
ft_worker_prepared *ft_worker_prepare(int argc, char **argv, int scenario_fd);

/* Entry point of a worker forked from a zygote, its descriptors in place: runs the request's rounds
 * from the zygote's preparation. Never returns on success. */
int ft_worker_prepared_main(ft_worker_prepared *p, int argc, char **argv);

#endif
