/* Grading a round's result (the arbiter's value) against a scenario's `outcomes:`, jcstress-style.
 *
 * TSan sees only unordered memory accesses in instrumented code; a lost update in pure Python, or
 * an extension's wrong algorithm built from atomics, races without a report. The arbiter turns the
 * round's shared state into a value and the outcome rules say whether that value may happen. */
#include "outcomes.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

static const char *const verdict_names[] = {"acceptable", "interesting", "forbidden"};

const char *ft_verdict_name(ft_verdict v)
{
    return (unsigned)v < sizeof verdict_names / sizeof *verdict_names ? verdict_names[v] : "?";
}

int ft_verdict_parse(const char *s, ft_verdict *out)
{
    int i = ft_name_index(verdict_names, sizeof verdict_names / sizeof *verdict_names, s);
    if (i >= 0)
        *out = (ft_verdict)i;
    return i >= 0 ? 0 : -1;
}

/* The whole of `value` matches `pattern` (anchored at both ends, as a user reading "8000" expects). */
static int full_match(const char *pattern, const char *value)
{
    regex_t re;
    regmatch_t m;
    int hit;
    if (regcomp(&re, pattern, REG_EXTENDED) != 0)
        return 0;
    hit = regexec(&re, value, 1, &m, 0) == 0 && m.rm_so == 0 && value[m.rm_eo] == '\0';
    regfree(&re);
    return hit;
}

const ft_outcome_rule *ft_outcome_rule_for(const ft_scenario *s, const char *value)
{
    for (size_t i = 0; i < s->noutcome_rules; i++) {
        const ft_outcome_rule *r = &s->outcome_rules[i];
        if (!strcmp(r->match, value) || full_match(r->match, value))
            return r;
    }
    return NULL;
}

int ft_outcome_pattern_ok(const char *pattern, char *error, size_t n)
{
    regex_t re;
    int rc = regcomp(&re, pattern, REG_EXTENDED);
    if (rc != 0) {
        regerror(rc, &re, error, n);
        return 0;
    }
    regfree(&re);
    return 1;
}
