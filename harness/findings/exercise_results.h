/* What the bodies exercised, supervisor side: "exercised" events summed per scenario, and the
 * `exercised` object of results.json (docs/results-schema.md). */
#ifndef FTSTRESS_EXERCISE_RESULTS_H
#define FTSTRESS_EXERCISE_RESULTS_H

#include <jansson.h>

#include "event_protocol.h"

/* An empty sum. New reference. */
json_t *ft_exercise_sum_new(void);
/* Adds one worker's "exercised" event to the sum. */
void ft_exercise_sum_add(json_t *sum, ft_event kind, const json_t *event);
/* The results document's `exercised` for a scenario that ran with `workers` workers, or NULL when
 * counting was off (FTSTRESS_EXERCISE=0). New reference. */
json_t *ft_exercise_to_json(const json_t *sum, int workers);
/* Folds a rerun's or shard's `exercised` (`from`) into `into` (both results-document form). */
void ft_exercise_merge(json_t *into, const json_t *from);

#endif
