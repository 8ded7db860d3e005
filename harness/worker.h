/* A worker process: embeds the interpreter and runs one scenario's rounds for its supervisor. */
#ifndef FTSTRESS_WORKER_H
#define FTSTRESS_WORKER_H

/* Entry point for `ftstress __worker ...` (spawned by the supervisor, never run by hand). */
int ft_worker_main(int argc, char **argv);

#endif
