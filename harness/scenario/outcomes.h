/* Grading a round's result (the arbiter's value) against a scenario's `outcomes:`, jcstress-style. */
#ifndef FTSTRESS_OUTCOMES_H
#define FTSTRESS_OUTCOMES_H

#include "scenario.h"

/* The first rule whose `match` equals `value` (the repr of the arbiter's value) or, read as a POSIX
 * extended regular expression, matches all of it; NULL when none does (the value is forbidden). */
const ft_outcome_rule *ft_outcome_rule_for(const ft_scenario *s, const char *value);

/* Whether `pattern` compiles as a POSIX extended regular expression; else *error says why. */
int ft_outcome_pattern_ok(const char *pattern, char *error, size_t n);

#endif
