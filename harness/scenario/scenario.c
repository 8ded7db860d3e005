/* Small helpers over the scenario model: outcome names, lookups, freeing. */
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const outcome_names[] = {"clean", "error", "forbidden", "race", "hang", "crash"};

const char *ft_outcome_name(ft_outcome o)
{
    return (unsigned)o < sizeof outcome_names / sizeof *outcome_names ? outcome_names[o] : "?";
}

int ft_name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (!strcmp(name, names[i]))
            return (int)i;
    return -1;
}

int ft_outcome_parse(const char *s, ft_outcome *out)
{
    int i = ft_name_index(outcome_names, sizeof outcome_names / sizeof *outcome_names, s);
    if (i >= 0)
        *out = (ft_outcome)i;
    return i >= 0 ? 0 : -1;
}

int ft_scenario_threads(const ft_scenario *s)
{
    int n = 0;
    for (size_t i = 0; i < s->nroles; i++)
        n += s->roles[i].threads;
    return n;
}

const ft_role *ft_scenario_role_of(const ft_scenario *s, int thread, int *role_thread)
{
    for (size_t i = 0; i < s->nroles; i++) {
        if (thread < s->roles[i].threads) {
            if (role_thread)
                *role_thread = thread;
            return &s->roles[i];
        }
        thread -= s->roles[i].threads;
    }
    return NULL;
}

const ft_scenario *ft_scenarios_find(const ft_scenario_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++)
        if (!strcmp(set->items[i].name, name))
            return &set->items[i];
    return NULL;
}

static void block_free(ft_block *b) { free(b->code); }

void ft_scenario_free(ft_scenario *s)
{
    free(s->file);
    free(s->name);
    free(s->description);
    ft_strlist_free(&s->tags);
    ft_strlist_free(&s->imports);
    ft_strlist_free(&s->paths);
    ft_strlist_free(&s->env);
    ft_strlist_free(&s->ignore_exceptions);
    block_free(&s->setup_once);
    block_free(&s->setup);
    block_free(&s->check);
    block_free(&s->teardown);
    block_free(&s->arbiter);
    for (size_t i = 0; i < s->noutcome_rules; i++) {
        free(s->outcome_rules[i].match);
        free(s->outcome_rules[i].description);
    }
    free(s->outcome_rules);
    for (size_t i = 0; i < s->nroles; i++) {
        free(s->roles[i].name);
        block_free(&s->roles[i].body);
    }
    free(s->roles);
    *s = (ft_scenario){0};
}

void ft_scenarios_free(ft_scenario_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        ft_scenario_free(&set->items[i]);
    free(set->items);
    *set = (ft_scenario_set){0};
}

void ft_scenario_override(ft_scenario *s, int threads, int iterations)
{
    for (size_t i = 0; i < s->nroles; i++) {
        if (threads > 0)
            s->roles[i].threads = threads;
        if (iterations > 0)
            s->roles[i].iterations = iterations;
    }
    if (iterations > 0)
        s->iterations = iterations;
}
