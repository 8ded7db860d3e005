/* The worker's ends of its channel to the supervisor, lifted out of the descriptor numbers that
 * scenario code reaches: a target or a generated scenario that closes, reopens or dup2()s onto
 * descriptors 3..9 (a file opened after `os.close(3)` gets 3) must not cut or redirect the
 * worker's events, TSan reports or stack dumps. */
#ifndef FTSTRESS_WORKER_FDS_H
#define FTSTRESS_WORKER_FDS_H

typedef struct ft_worker_fds {
    int events;  /* worker main thread -> supervisor: JSON lines */
    int reports; /* TSan report hook -> supervisor */
    int stacks;  /* crash and hang dumps -> supervisor */
    int control; /* supervisor -> worker commands */
} ft_worker_fds;

/* Where the worker's code finds them; FT_FD_* until ft_worker_fds_lift has run. Written once,
 * before the interpreter runs any scenario code or starts a thread. */
extern ft_worker_fds ft_worker_fd;

/* Moves the channel descriptors from their handed-over numbers (worker_channel.h) to close-on-exec
 * numbers near the top of the process's descriptor limit (from 1000 down, never below 10), and
 * parks /dev/null on every free number of 3..9, so that what the worker opens later (TSan's
 * symbolizer pipes among them) lands above them too. A descriptor that is not open (a worker run
 * by hand) keeps its number. */
void ft_worker_fds_lift(void);

/* Replaces `fd` (the status page once mapped, the scenario once read) with /dev/null: closing it
 * would free a low number for the worker's next descriptor. */
void ft_worker_fds_park(int fd);

#endif
