/* The scenario model (format version 1, see docs/scenario-format.md) and the loader that fills it. */
#ifndef FTSTRESS_SCENARIO_H
#define FTSTRESS_SCENARIO_H

#include <stddef.h>

#include "diag.h"
#include "strlist.h"

/* Outcomes, ordered: a scenario's outcome is the worst (largest) of what it produced. */
typedef enum ft_outcome {
    FT_CLEAN = 0,
    FT_ERROR,
    FT_FORBIDDEN, /* an arbiter's value matched a forbidden outcome (or none) */
    FT_RACE,
    FT_HANG,
    FT_CRASH,
} ft_outcome;

/* jcstress-style grading of a round's result (the arbiter's value). */
typedef enum ft_verdict { FT_ACCEPTABLE = 0, FT_INTERESTING, FT_FORBIDDEN_RESULT } ft_verdict;
const char *ft_verdict_name(ft_verdict v);
int ft_verdict_parse(const char *s, ft_verdict *out); /* 0 or -1 */

/* One entry of `outcomes:`: the repr of the arbiter's value, or a regular expression that matches
 * all of it; first match wins. */
typedef struct ft_outcome_rule {
    char *match;
    ft_verdict verdict;
    char *description;
    int line; /* of the entry in the file */
} ft_outcome_rule;

const char *ft_outcome_name(ft_outcome o);
/* The index of `name` in a table of `n` names, or -1: every name table's lookup. */
int ft_name_index(const char *const *names, size_t n, const char *name);
int ft_outcome_parse(const char *s, ft_outcome *out); /* 0 or -1 */

/* A Python code block and where it stands: `line` is the file line of the code's first line, and
 * `column` the file column its text starts at, so errors and tracebacks point into the YAML. */
typedef struct ft_block {
    char *code; /* NULL when the key is absent */
    int line;
    int column;
} ft_block;

typedef struct ft_role {
    char *name;
    int threads;
    int iterations;
    ft_block body;
} ft_role;

typedef struct ft_scenario {
    char *file; /* as named on the command line or found in a folder */
    int line;   /* line of the document's first key */
    char *name;
    char *description;
    ft_strlist tags;
    ft_strlist imports;
    ft_strlist paths; /* made absolute, relative to the file's folder */
    ft_strlist env;   /* "KEY=VALUE" */
    ft_block setup_once, setup, check, teardown;
    ft_block arbiter;               /* after each round, main thread: its value is the round's result */
    ft_outcome_rule *outcome_rules; /* `outcomes:`, in order */
    size_t noutcome_rules;
    ft_role *roles; /* `threads` + `body` become one role named "body" */
    size_t nroles;
    int iterations; /* default for roles that do not set their own */
    int rounds;
    int rounds_per_worker; /* 0: one worker process runs every round */
    double timeout;       /* seconds one round's setup, body, check or teardown may take */
    double setup_timeout; /* seconds the worker's imports and setup_once may take */
    ft_strlist ignore_exceptions;
    ft_outcome expect;
} ft_scenario;

typedef struct ft_scenario_set {
    ft_scenario *items;
    size_t count;
} ft_scenario_set;

/* Loads every scenario in `paths` (files, or folders walked recursively for *.yaml / *.yml).
 * Problems go to `diags`; returns 0 when there were none. The set owns everything it holds. */
int ft_scenarios_load(const char *const *paths, size_t npaths, ft_scenario_set *set, ft_diags *diags);
/* Loads scenarios from `len` bytes of `text`, named `name` in messages (the fuzzer's entry point;
 * the file functions read the file and call it). */
int ft_scenarios_load_buffer(const char *name, const char *text, size_t len, ft_scenario_set *set, ft_diags *diags);
/* Loads one file (used by workers, which are handed a file and a scenario name). */
int ft_scenarios_load_file(const char *path, ft_scenario_set *set, ft_diags *diags);
void ft_scenarios_free(ft_scenario_set *set);
void ft_scenario_free(ft_scenario *s);
/* Command-line overrides: every role gets `threads` threads and `iterations` iterations (0: keep). */
void ft_scenario_override(ft_scenario *s, int threads, int iterations);

int ft_scenario_threads(const ft_scenario *s);
/* Looks a scenario up by name; NULL if absent. */
const ft_scenario *ft_scenarios_find(const ft_scenario_set *set, const char *name);
/* The role and index-in-role of harness thread `thread` (0-based across roles). */
const ft_role *ft_scenario_role_of(const ft_scenario *s, int thread, int *role_thread);


#endif
