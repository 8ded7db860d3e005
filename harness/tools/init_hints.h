/* `ftstress init --hints FILE`: the user's YAML hints (how to call what the probe cannot guess), as JSON. */
#ifndef FTSTRESS_INIT_HINTS_H
#define FTSTRESS_INIT_HINTS_H

#include "diag.h"

/* Reads the hints YAML at `path` — a mapping of callable names ("func", "Type", "Type.method") to
 * {args: [EXPR, ...], skip: BOOL} — and writes it as a JSON object to `json_path` for the probe.
 * Problems go to `diags` with file:line:column. Returns 0, or -1 (diags say why). */
int ft_init_hints_to_json(const char *path, const char *json_path, ft_diags *diags);

#endif
