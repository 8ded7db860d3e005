/* What a fork server answers on its request socket: both sides include this one definition. */
#ifndef FTSTRESS_FORK_PROTOCOL_H
#define FTSTRESS_FORK_PROTOCOL_H

#include <sys/resource.h>

/* A request is the worker's arguments, NUL-separated, with its descriptors (worker_channel.h's
 * FT_FORK_*) as SCM_RIGHTS. Each is answered with FT_FORK_STARTED. A server that outlives the
 * command (server_daemon.c) is not below the command in the process tree, so the command cannot
 * wait for the workers it forks: such a server also sends FT_FORK_EXITED when one of them ends. */
enum { FT_FORK_STARTED = 1, FT_FORK_EXITED = 2 };

typedef struct ft_fork_message {
    int type;          /* FT_FORK_STARTED or FT_FORK_EXITED */
    int pid;           /* the worker; 0 in a STARTED answer that forked nothing */
    int error;         /* STARTED with pid 0: errno, or EDEADLK when the server is not single-threaded */
    int wstatus;       /* EXITED: as wait4 gives it */
    struct rusage usage; /* EXITED: the worker's */
} ft_fork_message;

#endif
