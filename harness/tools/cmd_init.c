/* `ftstress init MODULE`: probe a built module's API in the TSan interpreter and write starter scenarios. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "exit_codes.h"
#include "fsutil.h"
#include "init_hints.h"
#include "log.h"
#include "options.h"
#include "preflight.h"
#include "proc.h"
#include "scenario.h"
#include "xalloc.h"

/* A call that crashes the probe is avoided and the probe run again, this many times at most. */
#define MAX_PROBE_RUNS 8
/* init_scenarios.py's exit status when nothing could be called (no scenario to write). */
#define WRITER_NOTHING_CALLABLE 4
/* How long the maintainer's tests may run under --from-tests before they are stopped (seconds). */
#define TESTS_SECONDS 300
#define USAGE "ftstress init MODULE [--site DIR] [-o FILE] [--hints FILE] [--from-tests PATH [-- PYTEST ARGS]] [--run]"

enum { O_SITE, O_OUT, O_HINTS, O_FROM_TESTS, O_TESTS_TIMEOUT, O_RUN, O_FORCE, O_HELP };
static const ft_option init_options[] = {
    [O_SITE] = {"site", 0, "DIR", "where the module is installed (as for build-ext and run)"},
    [O_OUT] = {"output", 'o', "FILE", "the scenario file to write (default MODULE-scenarios.yaml)"},
    [O_HINTS] = {"hints", 0, "FILE", "how to call what init cannot guess; written as a starter when FILE is absent"},
    [O_FROM_TESTS] = {"from-tests", 0, "PATH", "run the package's tests (folder or file) with pytest, try their arguments first"},
    [O_TESTS_TIMEOUT] = {"tests-timeout", 0, "SECONDS", "stop the --from-tests run after SECONDS (default 300)"},
    [O_RUN] = {"run", 0, NULL, "run the scenarios right away (ftstress run FILE --site DIR)"},
    [O_FORCE] = {"force", 'f', NULL, "overwrite FILE if it exists (it is meant to be kept and edited)"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

typedef struct init_args {
    const char *site, *out, *hints, *from_tests;
    double tests_seconds;
    int run, force;
} init_args;

static int on_option(void *ctx, int index, const char *arg)
{
    init_args *a = ctx;
    switch (index) {
    case O_SITE: a->site = arg; break;
    case O_OUT: a->out = arg; break;
    case O_HINTS: a->hints = arg; break;
    case O_FROM_TESTS: a->from_tests = arg; break;
    case O_TESTS_TIMEOUT:
        if (ft_parse_seconds("--tests-timeout", arg, &a->tests_seconds) != 0)
            return -1;
        break;
    case O_RUN: a->run = 1; break;
    case O_FORCE: a->force = 1; break;
    default:
        ft_options_help(stdout, USAGE, init_options,
                        "Imports MODULE in the TSan interpreter, calls each of its functions, types and methods\n"
                        "once single-threaded with guessed arguments (text signatures, a small pool of values,\n"
                        "the hints file), keeps the calls that work and writes starter scenarios: module\n"
                        "functions at once, their first use in fresh processes, one shared instance per type,\n"
                        "per-thread instances, containers other threads change. Each expects clean.\n"
                        "With --from-tests, the arguments the package's own tests pass (literal values only)\n"
                        "are tried before any guess; a test run that fails, hangs or crashes keeps what it recorded.\n\n"
                        "examples:\n  ftstress build-ext fastpath.c\n  ftstress init fastpath --hints hints.yaml --run\n"
                        "  ftstress init xxhash --site sites/xxhash --from-tests src/xxhash/tests -- -k 'not slow'\n");
        exit(0);
    }
    return 0;
}

/* The init_*.py scripts: beside the binary (the build copies them there, `cmake --install` puts
 * them there), else in the source tree this binary was built from. Returns a malloc'd path. */
static char *script_path(const char *name)
{
    char exe[PATH_MAX];
    snprintf(exe, sizeof exe, "%s", ft_self_exe());
    char *beside = ft_xasprintf("%s/%s", dirname(exe), name);
    if (access(beside, R_OK) == 0)
        return beside;
    free(beside);
    return ft_xasprintf("%s/%s", FTSTRESS_TOOLS_DIR, name);
}

/* The last callable the journal names: the call the probe was making when it died. */
static char *last_journal_name(const char *journal)
{
    FILE *f = fopen(journal, "r");
    char line[4096], last[4096] = "";
    while (f && fgets(line, sizeof line, f))
        snprintf(last, sizeof last, "%s", line);
    if (f)
        fclose(f);
    char *tab = strchr(last, '\t');
    if (!tab)
        return NULL;
    *tab = '\0';
    return ft_xstrdup(last);
}

/* Runs the probe until it finishes, avoiding each call that crashed it. 0, or the exit status. */
/* A package whose own names are Python code (simplejson) keeps its C code in submodules: name
 * them, so the next command is init on one of those. */
static void say_extension_submodules(const char *model, const char *module, const char *site)
{
    json_t *doc = json_load_file(model, 0, NULL), *subs = json_object_get(doc, "extension_submodules"), *m;
    size_t i;
    if (json_array_size(subs)) {
        fprintf(stderr, "  %s is a package; its C extension modules are:", module);
        json_array_foreach(subs, i, m) fprintf(stderr, "%s %s", i ? "," : "", json_string_value(m));
        fprintf(stderr, "\n  run init on one of them, e.g. ftstress init %s%s%s\n", json_string_value(json_array_get(subs, 0)),
                site ? " --site " : "", site ? site : "");
    }
    json_decref(doc);
}

static int run_probe(const char *module, const char *model, const char *hints_json, const char *recorded,
                     const char *journal, char *const *env)
{
    char *probe = script_path("init_probe.py");
    ft_strlist avoid = {0};
    int rc = -1;
    for (int attempt = 0; attempt < MAX_PROBE_RUNS; attempt++) {
        ft_strlist argv = {0};
        const char *fixed[] = {"env", "-u", "PYTHON_GIL", FTSTRESS_PYTHON_EXE, probe, module, model, "--journal", journal};
        for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
            ft_strlist_push(&argv, fixed[i]);
        if (hints_json) {
            ft_strlist_push(&argv, "--hints");
            ft_strlist_push(&argv, hints_json);
        }
        if (recorded) {
            ft_strlist_push(&argv, "--recorded");
            ft_strlist_push(&argv, recorded);
        }
        for (size_t i = 0; i < avoid.count; i++) {
            ft_strlist_push(&argv, "--avoid");
            ft_strlist_push(&argv, avoid.items[i]);
        }
        char **args = ft_strlist_argv(&argv);
        unlink(journal);
        rc = ft_run_command(args, env, NULL, 0);
        free(args);
        ft_strlist_free(&argv);
        if (rc == 0)
            break;
        /* Died inside a call: a signal, or the extension itself ending the process (pyahocorasick's
         * assertions print and exit(1) on an empty automaton). Any such call is left out. */
        char *culprit = last_journal_name(journal);
        if (!culprit || ft_strlist_contains(&avoid, culprit)) {
            free(culprit);
            break;
        }
        if (rc >= 128)
            ft_warn("init: calling %s crashed the probe (signal %d); probing again without it", culprit, rc - 128);
        else
            ft_warn("init: calling %s ended the probe (exit code %d); probing again without it", culprit, rc);
        ft_strlist_push(&avoid, culprit);
        free(culprit);
    }
    ft_strlist_free(&avoid);
    free(probe);
    return rc;
}

/* `--from-tests PATH`: the package's tests run single-threaded under init_from_tests.py, which
 * records the literal arguments they pass into `recorded` and says on stderr how the run went (a
 * failing, hanging or crashing test run still gives what it recorded). 0, or -1 when nothing could
 * be recorded (the probe then guesses). `extra` are pytest arguments. */
static int record_tests(const char *module, const init_args *a, char **extra, int nextra, const char *recorded,
                        char *const *env)
{
    char *script = script_path("init_from_tests.py"), *path = realpath(a->from_tests, NULL);
    char *seconds = ft_xasprintf("%.0f", a->tests_seconds);
    int rc = -1;
    if (!path) {
        ft_error("init: --from-tests %s: %s; going on with guesses", a->from_tests, strerror(errno));
        goto done;
    }
    ft_info("running the tests in %s single-threaded to record their arguments (at most %s s)", a->from_tests,
            seconds);
    ft_strlist argv = {0};
    const char *fixed[] = {"env", "-u", "PYTHON_GIL", FTSTRESS_PYTHON_EXE, script, module, a->from_tests,
                           recorded, seconds}; /* as given: the messages name it so */
    ft_strlist_push_all(&argv, fixed, sizeof fixed / sizeof *fixed);
    ft_strlist_push_all(&argv, (const char *const *)extra, (size_t)nextra);
    char **args = ft_strlist_argv(&argv);
    int run_rc = ft_run_command(args, env, NULL, 0);
    free(args);
    ft_strlist_free(&argv);
    if (run_rc != 0 || access(recorded, R_OK) != 0)
        ft_error("init: --from-tests %s: the recorder failed (exit %d); going on with guesses", a->from_tests, run_rc);
    else
        rc = 0;
done:
    free(script);
    free(path);
    free(seconds);
    return rc;
}

/* The probe's environment: the run's site folders on PYTHONPATH (as `run` has them on sys.path);
 * TSan quiet, since the probe is single-threaded and its races would only be noise. */
static char **probe_env(const char *site)
{
    ft_strlist extra = {0}, sites = {0};
    if (site)
        ft_strlist_push(&extra, site);
    ft_site_folders(&extra, &sites);
    char *joined = ft_strlist_join(&sites, ":");
    char **env = ft_xcalloc(3, sizeof *env);
    env[0] = ft_xasprintf("PYTHONPATH=%s", joined);
    env[1] = ft_xstrdup("TSAN_OPTIONS=report_bugs=0");
    free(joined);
    ft_strlist_free(&extra);
    ft_strlist_free(&sites);
    return env;
}

/* Checks the written scenarios like `ftstress check` (schema, then the Python blocks compiled), so
 * that init never leaves a file `run` would refuse. 0, or 2. */
static int validate(const char *path)
{
    ft_scenario_set set = {0};
    const char *paths[] = {path};
    int rc = ft_load_and_check(paths, 1, &set);
    ft_scenarios_free(&set);
    return rc;
}

static int init(int argc, char **argv)
{
    init_args a = {0};
    int first, rc = 3, new_hints = 0, hints_kept = 0;
    char tmpdir[] = "/tmp/ftstress-init-XXXXXX", *out = NULL, *model, *journal, *hints_json = NULL, *draft,
         *hints_draft, *site = NULL, *recorded = NULL;
    char **env = NULL;
    ft_diags diags = {0};

    a.tests_seconds = TESTS_SECONDS;
    /* operands after MODULE are pytest's (`-- -k fast`), and only with --from-tests */
    if (ft_options_parse(argc, argv, init_options, on_option, &a, &first) != 0 || first >= argc ||
        (first != argc - 1 && !a.from_tests)) {
        fprintf(stderr, "usage: " USAGE "\n");
        return FT_EXIT_USAGE;
    }
    const char *module = argv[first];
    out = a.out ? ft_xstrdup(a.out) : ft_xasprintf("%s-scenarios.yaml", module);
    if (!a.force && access(out, F_OK) == 0) {
        ft_error("init: %s exists (kept: it may hold your edits); -o another file, or --force", out);
        free(out);
        return FT_EXIT_USAGE;
    }
    if (ft_preflight_interpreter() != 0 || !mkdtemp(tmpdir)) {
        free(out);
        return FT_EXIT_CANNOT_RUN;
    }
    model = ft_xasprintf("%s/model.json", tmpdir);
    journal = ft_xasprintf("%s/journal", tmpdir);
    draft = ft_xasprintf("%s.init-draft", out);
    /* The starter hints go straight to --hints FILE when there is none yet; else nowhere the user sees. */
    new_hints = a.hints && access(a.hints, F_OK) != 0;
    hints_draft = new_hints ? ft_xstrdup(a.hints) : ft_xasprintf("%s/hints.yaml", tmpdir);
    if (a.site && !(site = realpath(a.site, NULL))) {
        ft_error("init: no such site folder: %s", a.site);
        rc = 2;
        goto cleanup;
    }
    if (a.hints && access(a.hints, F_OK) == 0) {
        hints_json = ft_xasprintf("%s/hints.json", tmpdir);
        if (ft_init_hints_to_json(a.hints, hints_json, &diags) != 0) {
            ft_diags_print(&diags);
            rc = 2;
            goto cleanup;
        }
    }

    env = probe_env(site);
    if (a.from_tests) {
        recorded = ft_xasprintf("%s/recorded.json", tmpdir);
        if (record_tests(module, &a, argv + first + 1, argc - first - 1, recorded, env) != 0) {
            unlink(recorded);
            free(recorded);
            recorded = NULL; /* said why; the probe guesses as without --from-tests */
        }
    }
    ft_info("probing %s with %s", module, FTSTRESS_PYTHON_EXE);
    int probe_rc = run_probe(module, model, hints_json, recorded, journal, env);
    if (probe_rc != 0) {
        char *culprit = last_journal_name(journal);
        ft_error("init: the probe of %s failed (exit %d)%s%s%s", module, probe_rc,
                 culprit ? "; its last call was " : "", culprit ? culprit : "",
                 culprit ? " (skip it in a hints file: NAME: {skip: true})" : "; is the module importable?");
        free(culprit);
        goto cleanup;
    }

    /* The writer: the model as scenarios and a starter hints file. */
    char *writer = script_path("init_scenarios.py");
    char *command = ft_xasprintf("ftstress init %s%s%s%s%s%s%s", module, a.site ? " --site " : "", a.site ? a.site : "",
                                 a.hints ? " --hints " : "", a.hints ? a.hints : "", a.from_tests ? " --from-tests " : "",
                                 a.from_tests ? a.from_tests : "");
    char *wargv[] = {FTSTRESS_PYTHON_EXE, writer, model, draft, hints_draft, "--command", command,
                     site ? "--path" : NULL, site, out, NULL};
    int wrc = ft_run_command(wargv, env, NULL, 0);
    free(writer);
    free(command);
    hints_kept = new_hints && (wrc == 0 || wrc == WRITER_NOTHING_CALLABLE);
    if (wrc == WRITER_NOTHING_CALLABLE) {
        ft_error("init: nothing in %s could be called, so no scenario was written%s%s", module,
                 new_hints ? "; a starter hints file is in " : "", new_hints ? a.hints : " (--hints FILE writes a starter hints file)");
        say_extension_submodules(model, module, a.site);
        rc = 1;
        goto cleanup;
    }
    if (wrc != 0) {
        ft_error("init: writing the scenarios failed (exit %d)", wrc);
        goto cleanup;
    }
    /* A file init writes must load and compile; if it does not, that is init's bug: the draft stays
     * beside the output for the report. */
    if (validate(draft) != 0) {
        ft_error("init: the written scenarios do not validate (an ftstress bug); kept in %s", draft);
        rc = 2;
        goto cleanup_keep_draft;
    }
    if (rename(draft, out) != 0) {
        ft_error("init: cannot write %s: %s", out, strerror(errno));
        goto cleanup;
    }
    printf("wrote %s\n", out);
    if (new_hints)
        printf("wrote %s: a starter hints file (edit it, then run init again with --hints)\n", a.hints);
    rc = 0;
    if (a.run) {
        fflush(stdout);
        char *rargv[] = {"ftstress", "run", out, a.site ? "--site" : NULL, (char *)a.site, NULL};
        execv(ft_self_exe(), rargv);
        ft_error("init: cannot run %s: %s", ft_self_exe(), strerror(errno));
        rc = 3;
    }
cleanup:
    unlink(draft);
cleanup_keep_draft:
    unlink(model);
    unlink(journal);
    if (!hints_kept)
        unlink(hints_draft);
    if (hints_json)
        unlink(hints_json);
    if (recorded)
        unlink(recorded);
    rmdir(tmpdir);
    ft_env_free(env);
    ft_diags_free(&diags);
    free(model);
    free(journal);
    free(draft);
    free(hints_draft);
    free(hints_json);
    free(recorded);
    free(site);
    free(out);
    return rc;
}

const ft_command ft_cmd_init = {"init", "MODULE", "starter scenarios from a built module's API", init};
