/* `ftstress run`: validate, select, supervise, aggregate, report, and exit with a meaningful code. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "exit_codes.h"
#include "confidence.h"
#include "differential.h"
#include "fsutil.h"
#include "interpreter_handoff.h"
#include "job_slots.h"
#include "commands.h"
#include "log.h"
#include "options.h"
#include "perturb.h"
#include "output_options.h"
#include "preflight.h"
#include "pytest_source.h"
#include "report_annotations.h"
#include "reporters.h"
#include "results_io.h"
#include "run_args.h"
#include "supervisor.h"
#include "tsan_options.h"
#include "run_files.h"
#include "suppressions.h"
#include "sweep.h"
#include "xalloc.h"

enum {
    O_ROUNDS, O_THREADS, O_ITERATIONS, O_DURATION, O_UNTIL_FAILURE, O_CONFIDENCE, O_RATE, O_RATES, O_SEED, O_HASH_SEED, O_PERTURB, O_JOBS,
    O_FILTER, O_SHARD, O_SITE, O_KEEP_GOING, O_SPAWN, O_NO_SERVER, O_PYTHON, O_INTERPRETER, O_SUPPRESSIONS, O_NO_DEFAULT_SUPP,
    O_BASELINE, O_UPDATE_BASELINE, O_OUT, O_QUIET, O_VERBOSE, O_PYTEST, O_HELP,
    O_OUTPUTS, /* the shared file outputs (output_options.h) follow: --json, --junit, --sarif, --html, --markdown */
};

static const ft_option run_options[] = {
    [O_ROUNDS] = {"rounds", 0, "N", "rounds per scenario (overrides the files)"},
    [O_THREADS] = {"threads", 0, "N[,N...]", "threads of every role (overrides the files); a list sweeps"},
    [O_ITERATIONS] = {"iterations", 0, "N[,N...]", "body runs per thread per round (overrides the files); a list sweeps"},
    [O_DURATION] = {"duration", 0, "SECONDS", "repeat the scenarios until this much time has passed"},
    [O_UNTIL_FAILURE] = {"until-failure", 0, NULL, "repeat until a scenario fails its expectation"},
    [O_CONFIDENCE] = {"confidence", 0, "P", "with --until-failure: stop when a bug of the --rate/--rates rate would have shown with probability P"},
    [O_RATE] = {"rate", 0, "R", "the bug's share of rounds for --confidence (0 < R <= 1)"},
    [O_RATES] = {"rates", 0, "FILE", "results.json of an earlier run: --confidence takes each scenario's lowest measured rate (lower 95% bound)"},
    [O_SEED] = {"seed", 0, "N", "hash seed and per-thread `rng` seed (printed; default: random)"},
    [O_HASH_SEED] = {"hash-seed", 0, "N", "the interpreter's hash seed apart from --seed: runs that share it share a kept fork server (shrink's candidates do)"},
    [O_PERTURB] = {"perturb", 0, "[=MODE]", "seeded schedule perturbation: jitter (start delays), pct (priorities at C calls), both, or auto (the default: pct in every 4th round, none in the others); from --seed"},
    [O_JOBS] = {"jobs", 'j', "N", "scenarios run at once, each in its own worker (default 1, at most 64)"},
    [O_FILTER] = {"filter", 'k', "PATTERN", "only scenarios whose name or a tag matches (glob; repeatable)"},
    [O_SHARD] = {"shard", 0, "I/N", "run the I-th of N disjoint, deterministic parts of the selection"},
    [O_SITE] = {"site", 0, "DIR", "extra site folder on sys.path (default also .ftstress/site)"},
    [O_KEEP_GOING] = {"keep-going", 0, NULL, "run every round even after a scenario's expected outcome was reached"},
    [O_SPAWN] = {"spawn", 0, NULL, "start every worker as a new process instead of forking it from an initialised one"},
    [O_NO_SERVER] = {"no-server", 0, NULL, "with --seed: fork workers from a server of this command's own, not from one kept between commands ('ftstress server')"},
    [O_PYTHON] = {"python", 0, "BUILD", "run on the ftstress built for another interpreter too (a build folder; twice or more: a differential)"},
    [O_INTERPRETER] = {"interpreter", 0, "tsan|plain", "tsan (default): races are found; plain: the free-threaded interpreter without TSan (scripts/bootstrap --sanitizer none): crashes, hangs, outcomes at native speed, no race reports"},
    [O_SUPPRESSIONS] = {"suppressions", 0, "FILE", "TSan-format suppressions to apply (repeatable)"},
    [O_NO_DEFAULT_SUPP] = {"no-default-suppressions", 0, NULL, "do not apply CPython's and ftstress's own files"},
    [O_BASELINE] = {"baseline", 0, "FILE", "known findings (JSON) that do not fail the run"},
    [O_UPDATE_BASELINE] = {"update-baseline", 0, NULL, "write this run's findings into the --baseline file"},
    [O_OUT] = {"out", 'o', "DIR", "results.json, logs and one folder per finding (default ftstress-out)"},
    [O_QUIET] = {"quiet", 'q', NULL, "only the summary and errors"},
    [O_VERBOSE] = {"verbose", 'v', NULL, "full first report of every finding"},
    [O_PYTEST] = {"pytest", 0, NULL, "the rest of the command line is pytest's: each test it selects runs as a scenario (docs/running.md)"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
};
static ft_option *run_options_all; /* run_options and the output options, for parsing and --help */

static const char run_epilog[] =
    "exit codes: 0 every scenario met its expectation and nothing new was found; 1 a finding or an\n"
    "unmet expectation; 2 usage or scenario error; 3 could not run (no interpreter, import failed,\n"
    "GIL re-enabled); 130 / 143 interrupted by SIGINT / SIGTERM (partial results are written).\n\n"
    "examples:\n"
    "  ftstress run                                   the bundled demo\n"
    "  ftstress run scenarios/stdlib -j 2 --json out.json --junit out.xml\n"
    "  ftstress run one.yaml --until-failure --duration 600\n"
    "  ftstress run one.yaml --until-failure --perturb       PCT priorities in every 4th round\n"
    "  ftstress run fixed.yaml --until-failure --confidence 0.99 --rates before/results.json\n"
    "  ftstress run one.yaml --threads 2,4,8 --keep-going     hit rate per thread count\n"
    "  ftstress run myext/ --baseline known.json      only new findings fail\n"
    "  ftstress run --site build/site --rounds 5 --pytest tests/ -k 'not slow'   a pytest suite\n";

static int on_option(void *ctx, int index, const char *arg)
{
    run_args *a = ctx;
    long v;
    if (ft_output_option(&a->outputs, O_OUTPUTS, index, arg))
        return 0;
    switch (index) {
    case O_ROUNDS: if (ft_parse_long("rounds", arg, 1, 1000000000, &v)) return -1; a->sup.rounds = v; break;
    case O_THREADS:
        if ((a->nthreads = ft_parse_long_list("threads", arg, 1, 1024, a->threads, FT_SWEEP_MAX)) < 0) return -1;
        a->sup.threads = (int)a->threads[0];
        break;
    case O_ITERATIONS:
        if ((a->niterations = ft_parse_long_list("iterations", arg, 1, 1000000000, a->iterations, FT_SWEEP_MAX)) < 0)
            return -1;
        a->sup.iterations = (int)a->iterations[0];
        break;
    case O_DURATION: return ft_parse_seconds("duration", arg, &a->sup.duration);
    case O_UNTIL_FAILURE: a->sup.until_failure = 1; break;
    case O_CONFIDENCE: return ft_parse_probability("confidence", arg, 0, &a->conf.p);
    case O_RATE: return ft_parse_probability("rate", arg, 1, &a->conf.rate);
    case O_RATES: a->conf.rates_file = arg; break;
    case O_SEED: if (ft_parse_long("seed", arg, 0, 4294967295L, &v)) return -1; a->sup.seed = (unsigned long)v; a->seed_given = 1; break;
    case O_HASH_SEED:
        if (ft_parse_long("hash-seed", arg, 0, 4294967295L, &v))
            return -1;
        a->sup.hash_seed = (unsigned long)v;
        a->sup.hash_seed_given = 1;
        break;
    case O_PERTURB:
        if (ft_perturb_parse(arg, &a->sup.perturb) < 0) {
            fprintf(stderr, "ftstress: option --perturb: expected none, jitter, pct, both or auto, got '%s'\n", arg);
            return -1;
        }
        break;
    case O_JOBS: if (ft_parse_long("jobs", arg, 1, FT_MAX_JOBS, &v)) return -1; a->sup.jobs = (int)v; break;
    case O_FILTER: ft_strlist_push(&a->filters, arg); break;
    case O_SHARD:
        if (sscanf(arg, "%ld/%ld", &a->shard_i, &a->shard_n) != 2 || a->shard_n < 1 || a->shard_i < 1 ||
            a->shard_i > a->shard_n) {
            fprintf(stderr, "ftstress: option --shard: expected I/N with 1 <= I <= N, got '%s'\n", arg);
            return -1;
        }
        break;
    case O_SITE: ft_strlist_push(&a->sites, arg); break;
    case O_KEEP_GOING: a->sup.keep_going = 1; break;
    case O_SPAWN: a->spawn_only = 1; break;
    case O_NO_SERVER: a->own_server = 1; break;
    case O_PYTHON: ft_strlist_push(&a->pythons, arg); break;
    case O_INTERPRETER:
        if (strcmp(arg, "tsan") && strcmp(arg, "plain")) {
            fprintf(stderr, "ftstress: option --interpreter: expected tsan or plain, got '%s'\n", arg);
            return -1;
        }
        a->interpreter = arg;
        break;
    case O_SUPPRESSIONS: ft_strlist_push(&a->supp_files, arg); break;
    case O_NO_DEFAULT_SUPP: a->no_default_supp = 1; break;
    case O_BASELINE: a->baseline = arg; break;
    case O_UPDATE_BASELINE: a->update_baseline = 1; break;
    case O_OUT: a->sup.out_dir = arg; break;
    case O_QUIET: ft_set_verbosity(FT_QUIET); break;
    case O_VERBOSE: ft_set_verbosity(FT_VERBOSE); break;
    case O_PYTEST: a->pytest = 1; break; /* run() cut pytest's arguments off before parsing */
    case O_HELP:
        ft_options_help(stdout, "ftstress run [PATH...] [options]", run_options_all, run_epilog);
        exit(0);
    }
    return 0;
}

static int selected_by_filter(const ft_scenario *s, const ft_strlist *filters)
{
    if (!filters->count)
        return 1;
    for (size_t i = 0; i < filters->count; i++) {
        if (!fnmatch(filters->items[i], s->name, 0))
            return 1;
        for (size_t t = 0; t < s->tags.count; t++)
            if (!fnmatch(filters->items[i], s->tags.items[t], 0))
                return 1;
    }
    return 0;
}

/* What one run shares with the others of a sweep. */
typedef struct run_ctx {
    run_args *a;
    ft_scenario_set *set;
    const size_t *selected;
    size_t nselected;
    ft_suppressions *supp;
    ft_baseline *baseline;
    int sweep; /* more than one run: files named by --json, --junit... describe the whole sweep */
    int argc;
    char **argv;
} run_ctx;

/* One run of the selection at a->sup.threads / a->sup.iterations into `out_dir`: supervise, report,
 * write. Returns the exit code and hands its results document to *doc_out (new reference). */
static int run_once(const run_ctx *c, const char *out_dir, json_t **doc_out)
{
    run_args *a = c->a;
    ft_results results;
    int rc;

    /* Resolved here: results, roles and thread names describe what the workers really run. */
    for (size_t i = 0; i < c->set->count; i++)
        ft_scenario_override(&c->set->items[i], a->sup.threads, a->sup.iterations);
    a->sup.out_dir = out_dir;
    ft_results_init(&results, c->set, c->selected, c->nselected, c->supp, a->baseline ? c->baseline : NULL);
    results.seed = a->sup.seed;
    results.perturb = a->sup.perturb;
    results.command = ft_run_repeat_command(c->argc, c->argv, a->sup.seed, a->seed_given, c->sweep ? a->sup.threads : 0,
                                     c->sweep ? a->sup.iterations : 0);
    ft_info("seed %lu%s%s; %zu scenario%s; output in %s", a->sup.seed, a->sup.perturb ? "; perturbation " : "",
            a->sup.perturb ? ft_perturb_name(a->sup.perturb) : "", c->nselected, c->nselected == 1 ? "" : "s", out_dir);
    ft_supervise(&a->sup, &results);
    ft_results_finish(&results);

    ft_results_save_dir(&results, out_dir);
    json_t *doc = ft_results_to_json(&results);
    if (ft_verbosity() >= FT_QUIET)
        ft_report_text(doc, stdout, ft_verbosity() >= FT_VERBOSE);
    if (a->conf.p)
        ft_confidence_report(&a->conf, &results, stdout);
    if (!c->sweep) {
        ft_report_annotations_if_github(doc, stdout); /* under GitHub Actions: NEW groups at their lines */
        ft_outputs_write(doc, &a->outputs); /* each failure names its file */
        if (a->update_baseline) {
            if (ft_baseline_write(c->baseline, &results, a->baseline) != 0)
                ft_error("cannot write %s", a->baseline);
            else
                ft_info("baseline written to %s", a->baseline);
        }
    }
    rc = ft_results_exit_code(&results);
    if (rc == FT_EXIT_FINDINGS)
        ft_run_print_repro(&results, a);
    if (results.interrupted)
        ft_warn("interrupted by %s: workers stopped; the results above and in %s are partial (interrupted: true)",
                strsignal(results.interrupted), out_dir);
    ft_results_free(&results);
    *doc_out = doc;
    return rc;
}

/* Every combination of the --threads and --iterations lists, one run each in a sub-folder, then the
 * table of hit rates and one document for them all. */
static int run_sweep(const run_ctx *c, const char *out_abs)
{
    run_args *a = c->a;
    ft_sweep *sweep = ft_sweep_new();
    int nt = a->nthreads ? a->nthreads : 1, ni = a->niterations ? a->niterations : 1, rc = 0;

    ft_run_files_fresh(out_abs);
    ft_sweep_clean(out_abs);
    for (int t = 0; t < nt && rc < 128; t++)
        for (int i = 0; i < ni && rc < 128; i++) {
            long threads = a->nthreads ? a->threads[t] : 0, iterations = a->niterations ? a->iterations[i] : 0;
            char *name = ft_sweep_dir_name(threads, iterations), *dir = ft_xasprintf("%s/%s", out_abs, name);
            json_t *doc = NULL;
            a->sup.threads = (int)threads;
            a->sup.iterations = (int)iterations;
            if (ft_verbosity() >= FT_QUIET)
                printf("\n== %s ==\n", name);
            fflush(stdout);
            rc = run_once(c, dir, &doc);
            ft_sweep_add(sweep, threads, iterations, name, doc);
            free(name);
            free(dir);
        }
    ft_sweep_table(sweep, stdout);
    json_t *doc = ft_sweep_document(sweep);
    char *top = ft_xasprintf("%s/results.json", out_abs);
    if (ft_json_write_atomic(doc, top) != 0)
        ft_error("cannot write %s", top);
    free(top);
    ft_outputs_write(doc, &a->outputs);
    if (rc < 128) /* an interrupted sweep exits as interrupted; otherwise every run's verdict counts */
        rc = ft_sweep_exit_code(sweep);
    json_decref(doc);
    ft_sweep_free(sweep);
    return rc;
}

/* Options that only make sense together; 0, or 2 after saying why. */
static int check_combinations(run_args *a)
{
    const char *err = NULL;
    if (a->update_baseline && !a->baseline)
        err = "--update-baseline needs --baseline FILE";
    else if (strchr(a->sup.out_dir, '\'') && strchr(a->sup.out_dir, '"'))
        err = "-o: a folder with both ' and \" in its path cannot be handed to TSan as its log path";
    else if (a->conf.p && !a->sup.until_failure)
        err = "--confidence P needs --until-failure (it says when to stop trying)";
    else if (a->conf.p && (a->sup.duration > 0 || a->sup.rounds))
        err = "--confidence decides how many rounds run: leave out --duration and --rounds";
    else if (a->conf.p && !a->conf.rate == !a->conf.rates_file)
        err = "--confidence needs the bug's rate: --rate R, or --rates FILE (an earlier run's results.json)";
    else if (!a->conf.p && (a->conf.rate || a->conf.rates_file))
        err = "--rate and --rates are for --confidence P";
    else if (a->update_baseline && (a->nthreads > 1 || a->niterations > 1))
        err = "--update-baseline takes one run's findings: not with a --threads or --iterations sweep";
    else if (a->pytest && (a->nthreads > 1 || a->niterations > 1))
        err = "--pytest takes one --threads and one --iterations value (the tests' default), not a sweep";
    else if (a->pytest && a->pythons.count)
        err = "--pytest runs on this interpreter only: not with --python";
    if (err) {
        fprintf(stderr, "ftstress: %s\n", err);
        return FT_EXIT_USAGE;
    }
    return 0;
}

/* Fork servers for this run (fork_client.h), their logs in OUT/fork-servers. NULL when even the
 * folder cannot be made: every worker is spawned then, which is slower but finds the same. */
static ft_fork_servers *start_fork_servers(run_args *a)
{
    char *dir = ft_xasprintf("%s/fork-servers", a->sup.out_dir);
    char *tsan = ft_worker_tsan_options(FTSTRESS_SYMBOLIZER);
    ft_fork_servers *servers = NULL;
    /* A server kept between commands is keyed by the hash seed it started with: only a run given its
     * --seed (a repeat line, a rerun, a tool's runs) can meet one again. A run with a random seed
     * has a server of its own, as one kept would never be used again. */
    if (ft_mkdirs(dir) == 0)
        servers = ft_fork_servers_new(dir, a->sup.hash_seed_given ? a->sup.hash_seed : a->sup.seed, tsan,
                                      (a->seed_given || a->sup.hash_seed_given) && !a->own_server);
    else
        ft_warn("cannot create %s: %s; workers are spawned", dir, strerror(errno));
    free(dir);
    free(tsan);
    return servers;
}

static int run(int argc, char **argv)
{
    run_args a = {.sup = {.jobs = 1, .out_dir = "ftstress-out"}};
    ft_scenario_set set = {0};
    ft_diags diags = {0};
    ft_suppressions supp = {0};
    ft_baseline baseline = {0};
    size_t *selected, nselected = 0, k = 0;
    int first, rc;

    a.sup.seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
    a.sup.seed %= 4294967296UL;
    run_options_all = ft_options_with_outputs(run_options, O_OUTPUTS);
    /* Everything after --pytest is pytest's, options included (its -k is not ours). */
    int own_argc = argc;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--pytest")) {
            a.pytest_args = argv + i + 1;
            a.npytest = argc - i - 1;
            own_argc = i + 1;
            break;
        }
    if (ft_options_parse(own_argc, argv, run_options_all, on_option, &a, &first) != 0) {
        fprintf(stderr, "see 'ftstress run --help'\n");
        return FT_EXIT_USAGE;
    }
    if (check_combinations(&a) != 0)
        return FT_EXIT_USAGE;
    if (a.pytest && first < own_argc) {
        fprintf(stderr, "ftstress: with --pytest, test paths go after it (they are pytest's): %s\n", argv[first]);
        return FT_EXIT_USAGE;
    }
    if (a.interpreter && strcmp(a.interpreter, ft_own_interpreter()))
        return ft_exec_interpreter_driver(a.interpreter, argc, argv);
    unsetenv("FTSTRESS_INTERPRETER_HANDOFF"); /* arrived: workers and later commands start afresh */
    if (!strcmp(ft_own_interpreter(), "plain"))
        ft_info("interpreter plain (free-threaded, no ThreadSanitizer, %s): race detection is off; crashes with native "
                "stacks, hangs, outcomes and arbiters are checked",
                FTSTRESS_PYTHON_EXE);
    if (a.pythons.count) /* each interpreter's own ftstress runs the command; this one compares */
        return ft_differential_run(&a.pythons, argc, argv, a.sup.out_dir, a.outputs.path[FT_OUT_JSON]);
    if (ft_preflight_interpreter() != 0)
        return FT_EXIT_CANNOT_RUN;

    const char *demo[] = {FTSTRESS_SOURCE_DIR "/scenarios/demo"};
    char *pytest_file = NULL;
    if (a.pytest) {
        /* The tests become a scenario file in the output folder, kept for rerunning, repro and shrink;
         * --threads and --iterations are the tests' defaults there, which their markers refine. */
        ft_strlist psites = {0};
        ft_site_folders(&a.sites, &psites);
        if (ft_mkdirs(a.sup.out_dir) != 0) {
            ft_error("cannot create output folder %s", a.sup.out_dir);
            return FT_EXIT_CANNOT_RUN;
        }
        pytest_file = ft_pytest_scenarios(a.sup.out_dir, &psites, a.sup.threads, a.sup.iterations, a.sup.rounds,
                                          a.pytest_args, a.npytest, &rc);
        ft_strlist_free(&psites);
        if (!pytest_file)
            return rc;
        a.sup.threads = a.sup.iterations = 0;
        a.sup.rounds = 0;
        demo[0] = pytest_file;
    } else if (first >= argc)
        ft_info("no scenario given: running the bundled demo (%s)", demo[0]);
    int from_argv = !a.pytest && first < argc;
    ft_scenarios_load(from_argv ? (const char *const *)argv + first : demo, from_argv ? (size_t)(argc - first) : 1,
                      &set, &diags);
    if (ft_load_suppressions(&supp, &a.supp_files, !a.no_default_supp, &diags) != 0 ||
        (a.baseline && ft_baseline_load(&baseline, a.baseline, a.update_baseline, &diags) != 0) || diags.count) {
        ft_diags_print(&diags);
        return FT_EXIT_USAGE;
    }
    /* The run's fork server starts here, so that the compile check is already its first forked
     * worker: one interpreter start-up for the whole run. */
    ft_fork_servers *servers = a.spawn_only ? NULL : start_fork_servers(&a);
    a.sup.servers = servers;
    if (ft_compile_check(&set, servers) != 0) {
        ft_fork_servers_free(servers);
        return FT_EXIT_USAGE;
    }

    selected = ft_xcalloc(set.count ? set.count : 1, sizeof *selected);
    for (size_t i = 0; i < set.count; i++)
        if (selected_by_filter(&set.items[i], &a.filters) && (a.shard_n <= 1 || (long)(k++ % (size_t)a.shard_n) == a.shard_i - 1))
            selected[nselected++] = i;
    if (nselected == 0)
        ft_warn("no scenario matches the filter%s", a.shard_n > 1 ? " in this shard" : "");
    if (a.conf.p) {
        if (ft_confidence_plan(&a.conf, &set, selected, nselected) != 0) {
            ft_fork_servers_free(servers);
            ft_confidence_free(&a.conf);
            ft_scenarios_free(&set);
            free(selected);
            return FT_EXIT_USAGE;
        }
        /* --until-failure stops at the first failure; a --duration that has passed when the first
         * pass ends stops it there: one pass of the rounds just set, never a second. */
        a.sup.duration = 1e-9;
    }

    ft_strlist sites = {0};
    ft_site_folders(&a.sites, &sites);
    a.sup.sites = &sites;
    a.sup.progress = isatty(STDERR_FILENO) && ft_verbosity() >= FT_NORMAL;
    a.sup.symbolizer = FTSTRESS_SYMBOLIZER;
    char *out_abs = NULL;
    ft_mkdirs(a.sup.out_dir);
    out_abs = realpath(a.sup.out_dir, NULL);
    if (!out_abs) {
        ft_error("cannot create output folder %s", a.sup.out_dir);
        return FT_EXIT_CANNOT_RUN;
    }

    run_ctx ctx = {.a = &a, .set = &set, .selected = selected, .nselected = nselected, .supp = &supp,
                   .baseline = &baseline, .sweep = a.nthreads > 1 || a.niterations > 1, .argc = argc, .argv = argv};
    if (ctx.sweep)
        rc = run_sweep(&ctx, out_abs);
    else {
        json_t *doc = NULL;
        rc = run_once(&ctx, out_abs, &doc);
        json_decref(doc);
    }
    ft_report_stale_suppressions(&supp); /* once: an entry used by any run of a sweep is not stale */
    ft_confidence_free(&a.conf);
    ft_baseline_free(&baseline);
    ft_fork_servers_free(servers);
    ft_suppressions_free(&supp);
    ft_scenarios_free(&set);
    ft_strlist_free(&sites);
    free(selected);
    free(out_abs);
    free(pytest_file);
    return rc;
}

const ft_command ft_cmd_run = {"run", "[PATH...]", "run scenario files or folders (no PATH: the bundled demo)", run};
