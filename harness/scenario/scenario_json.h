/* A resolved scenario as JSON: how the supervisor hands a worker exactly what it is to run. */
#ifndef FTSTRESS_SCENARIO_JSON_H
#define FTSTRESS_SCENARIO_JSON_H

#include <jansson.h>

#include "scenario.h"

/* Everything a worker needs of `s`, overrides applied. New reference. */
json_t *ft_scenario_to_json(const ft_scenario *s);
/* Fills `out` (zeroed first; free with ft_scenario_free) from such a document. 0, or -1 when the
 * document lacks a field it must have. */
int ft_scenario_from_json(const json_t *doc, ft_scenario *out);

#endif
