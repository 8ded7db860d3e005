/* The results of a run: per-scenario verdicts and the deduplicated findings, and how events from
 * workers become them (signatures, attribution, counts, suppressions, baseline). */
#ifndef FTSTRESS_RESULTS_H
#define FTSTRESS_RESULTS_H

#include <jansson.h>
#include <stddef.h>

#include "crash_log.h"
#include "event_protocol.h"
#include "finding_kind.h"
#include "hit_rate.h"
#include "scenario.h"

struct ft_suppressions;
struct ft_baseline;

typedef enum ft_run_status {
    FT_ST_PENDING = 0,     /* not started */
    FT_ST_RAN,             /* ran; outcome is meaningful */
    FT_ST_SCENARIO_ERROR,  /* the scenario itself is wrong (syntax): exit 2 */
    FT_ST_NOT_RUN,         /* could not run (import failed, GIL re-enabled): exit 3 */
} ft_run_status;

#define FT_HISTOGRAM_MAX 100 /* distinct arbiter values kept per scenario */

typedef struct ft_finding {
    ft_finding_kind kind;
    char *signature; /* stable across runs and builds: no addresses, no line numbers */
    char *title;
    ft_strlist functions; /* top meaningful function of each stack */
    char *owner;          /* target, cpython, harness */
    size_t scenario;      /* index into ft_results.scenarios */
    ft_strlist roles;
    ft_strlist threads; /* "fts:N" names of harness threads involved */
    long count;
    long rounds_hit;
    long first_round;
    long last_round; /* to count each round once */
    ft_roundset hit;      /* the rounds it occurred in: groups' hit rates are unions of these */
    double first_seconds; /* since the scenario started: time to first detection */
    char *suppressed_by;  /* "file:line: type:pattern" or NULL */
    int suppressed_target; /* a suppressed report had the extension under test on its stack */
    char *baseline_note;  /* set when the baseline knows the signature or the finding's group */
    ft_strlist anchors;   /* what connects findings of one root cause (grouping.c) */
    size_t group;         /* index into ft_results.groups, set by ft_results_finish */
    char *report;         /* the first full report, as text */
    char *location;       /* "file:line" in the scenario or source where it was seen, or NULL */
    char *joined_because; /* a consequence joined to another finding's group, and why (grouping.c), or NULL */
} ft_finding;

typedef struct ft_scenario_result {
    const ft_scenario *scenario;
    ft_run_status status;
    char *message; /* why it did not run, or the scenario error */
    ft_outcome outcome;
    int passed;
    long rounds_run;
    double seconds; /* time spent in rounds */
    double wall_seconds;
    double startup_seconds; /* worker start to first round, the last worker's */
    long skew_ns;           /* median spread of threads leaving the barrier */
    int workers;
    int workers_forked; /* of them, forked from a fork server (the rest were spawned) */
    long peak_rss_kb; /* largest worker's peak resident memory */
    int gil_enabled;
    json_t *ignored; /* {type: count} of ignore_exceptions hits */
    json_t *histogram; /* the arbiter's results: [{value, verdict, description, count, first_round}] */
    long histogram_dropped; /* rounds whose value did not fit: more distinct values than FT_HISTOGRAM_MAX */
    long errors;     /* unexpected exceptions and failed checks, in all */
    ft_strlist target_modules;
    json_t *exercised; /* "exercised" events summed (exercise_results.h) */
} ft_scenario_result;

/* Findings of one root cause: their stacks connect through the same functions of the extension
 * (or of CPython's C code within one scenario) or through the same racing object. */
typedef struct ft_group {
    char *name;            /* "hiredis: redisReaderFeed" */
    const char *owner;
    ft_strlist functions;  /* every function that connects the members */
    ft_strlist scenarios;
    size_t nmembers;
    char *summary;         /* "31 races, 1 heap-use-after-free, 1 SIGSEGV" */
    int counts;            /* some member counts (not suppressed, not baselined) */
} ft_group;

typedef struct ft_results {
    ft_scenario_result *scenarios;
    size_t nscenarios;
    ft_finding *findings;
    size_t nfindings;
    ft_group *groups;
    size_t ngroups;
    unsigned long seed;
    int perturb;   /* FT_PERTURB_* (perturb.h): the schedule perturbation the run used, from `seed` */
    char *command; /* a command line that repeats the run */
    const struct ft_suppressions *suppressions;
    const struct ft_baseline *baseline;
    int interrupted; /* the signal (SIGINT, SIGTERM) that stopped the run early, 0 if none */
    int changed; /* set when something worth saving arrived */
} ft_results;

/* One result per selected scenario, in order. Suppressions and baseline are borrowed (may be NULL). */
void ft_results_init(ft_results *r, const ft_scenario_set *set, const size_t *selected, size_t n,
                     const struct ft_suppressions *supp, const struct ft_baseline *baseline);
void ft_results_free(ft_results *r);

/* Inputs from the supervisor; `sc` indexes r->scenarios. A report may carry "worker" (its pid). */
void ft_results_event(ft_results *r, size_t sc, ft_event kind, json_t *event, double elapsed);
/* Returns how many reports the finding it joined has had, this one included. */
long ft_results_report(ft_results *r, size_t sc, json_t *report, double elapsed);
void ft_results_crash(ft_results *r, size_t sc, const ft_crash_evidence *ev, double elapsed);
/* `native`: every thread's native stack from ptrace, or NULL. */
void ft_results_hang(ft_results *r, size_t sc, long round, const char *phase, double limit, const char *stacks,
                     const json_t *native, double elapsed);
/* Worker ended; rounds it completed per the status page (used when it sent no "done"). */
void ft_results_worker_ended(ft_results *r, size_t sc, long rounds_done, double seconds);

/* Computes groups, outcomes and verdicts; call after the run (or any time, for a partial result). */
void ft_results_finish(ft_results *r);
/* Whether scenario `sc` has already produced its expected outcome (never for expect: clean). */
int ft_results_expectation_met(ft_results *r, size_t sc);
/* Whether a finding counts (not suppressed, not baselined). */
int ft_finding_counts(const ft_finding *f);
/* The process exit code the results call for (0, 1, 2, 3; see docs/running.md). */
int ft_results_exit_code(const ft_results *r);
/* The one rule behind every exit code: folds one scenario's status and verdict into `code`
 * (2 scenario error beats 3 could-not-run beats 1 unmet expectation beats 0). */
int ft_exit_code_fold(int code, ft_run_status st, int passed);
/* Status names as results.json writes them ("ran", "scenario-error", "not-run", "pending"). */
const char *ft_run_status_name(ft_run_status st);
ft_run_status ft_run_status_parse(const char *name);

#endif
