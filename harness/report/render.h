/* Human-readable text of TSan reports, from their structured form. */
#ifndef FTSTRESS_RENDER_H
#define FTSTRESS_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "scenario.h"

/* The report as TSan would print it, with harness threads named by role and the Python stack of
 * the reporting thread. Returns malloc'd text. */
char *ft_render_report(const json_t *report, const ft_scenario *s);

/* Frames [[fn, file, line, module]] as "    #N fn file:line (module)" lines. */
void ft_render_frames(FILE *out, const json_t *frames);

#endif
