/* What a dead or stuck worker left behind, read into a finding: native stacks, TSan's log, Python stacks. */
#ifndef FTSTRESS_CRASH_LOG_H
#define FTSTRESS_CRASH_LOG_H

#include <jansson.h>

#include "strlist.h"

/* Everything the supervisor collected about a worker that died of a signal or exit code. */
typedef struct ft_crash_evidence {
    int signal;           /* 0 when the worker exited */
    int exit_code;        /* -1 when it was killed by a signal */
    long round;
    const char *stacks;   /* Python stacks: the worker's crash dump, or CPython's fatal-error output */
    const char *tsan_log; /* tail of TSan's text log, or NULL */
    const json_t *native; /* every thread's native stack taken with ptrace ([] or NULL if none) */
    int crash_tid;        /* the thread that took the fatal signal or called exit(), 0 if unknown */
    int exit_called;      /* the worker's code called exit(): its status + 1 (exit_code may be TSan's 66); 0 if not */
    const char *output;   /* tail of the worker's own output (stderr), or NULL */
} ft_crash_evidence;

/* The crash, parsed. */
typedef struct ft_crash_info {
    char signal_name[32]; /* SIGSEGV, SIGABRT, exit-3 (the status), exit(1) (the code called exit), ... */
    json_t *native;       /* the crashing thread's frames [[fn, file, line, module]], fault first */
    const char *native_source; /* "ptrace", "exit" (ptrace, below exit()), "tsan" (TSan's deadly-signal report), or NULL */
    ft_strlist functions; /* the frames used in the signature */
    char *frames_joined;
    const char *top;
    const char *owner;    /* of the native stack; NULL when there was none */
    char *location;       /* file:line of the nearest target frame, else the top meaningful one */
} ft_crash_info;

void ft_parse_crash(ft_crash_info *c, const ft_crash_evidence *ev);
/* The report text of a crash: the crashing thread's native stack, every thread's native stack,
 * then the Python stacks. malloc'd. */
char *ft_render_crash(const ft_crash_info *c, const ft_crash_evidence *ev);
void ft_crash_info_free(ft_crash_info *c);

/* The innermost Python frame of each thread in a faulthandler-style dump, as "function (file)". */
void ft_stuck_frames(const char *stacks, ft_strlist *out);

/* The frames of a thread of a ptrace snapshot below its signal handler: what ran when the signal
 * came. The whole stack when no signal trampoline is on it. New reference. */
json_t *ft_frames_below_signal(const json_t *frames);

#endif
