/* Writes a loaded scenario back as a version-1 YAML document (libyaml's emitter), for `shrink`. */
#ifndef FTSTRESS_SCENARIO_EMIT_H
#define FTSTRESS_SCENARIO_EMIT_H

#include <stdio.h>

#include "scenario.h"

/* Writes `s` as one YAML document to `out`, after `header` (comment lines, each starting with '#',
 * or NULL). Code blocks become `|` block scalars where YAML allows it (libyaml quotes the rest);
 * `path` entries are written as loaded, that is absolute. Loading the result gives the same
 * scenario (positions aside). Returns 0, or -1 when libyaml or the stream failed. */
int ft_scenario_emit(FILE *out, const ft_scenario *s, const char *header);

/* The same into a new malloc'd, NUL-terminated string (NULL on failure). */
char *ft_scenario_emit_string(const ft_scenario *s, const char *header);

#endif
