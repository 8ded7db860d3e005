/* Human-readable text of findings: TSan reports from their structured form, crashes, hangs. */
#ifndef FTSTRESS_RENDER_H
#define FTSTRESS_RENDER_H

#include <jansson.h>

#include "scenario.h"

/* The report as TSan would print it, with harness threads named by role and the Python stack of
 * the reporting thread. Returns malloc'd text. */
char *ft_render_report(const json_t *report, const ft_scenario *s);

/* What a dead worker left behind, parsed. */
typedef struct ft_crash_info {
    char signal_name[32]; /* SIGSEGV, SIGABRT, ... */
    json_t *native;       /* frames parsed from TSan's deadly-signal report, [[fn, file, line, module]] */
    ft_strlist functions; /* the top meaningful frames used in the signature */
    char *frames_joined;
    const char *top;
    const char *owner;
    char *location;       /* file:line of the top meaningful native frame, or the Python one */
} ft_crash_info;

void ft_parse_crash(ft_crash_info *c, int sig, int exit_code, const char *stacks, const char *tsan_log);
char *ft_render_crash(const ft_crash_info *c, long round, const char *stacks, const char *tsan_log);
void ft_crash_info_free(ft_crash_info *c);

/* The innermost Python frame of each thread in a faulthandler dump, as "function (file)". */
void ft_stuck_frames(const char *stacks, ft_strlist *out);

#endif
