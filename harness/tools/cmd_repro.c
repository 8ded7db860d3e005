/* `ftstress repro`: a scenario as a standalone Python script (threading and a Barrier, no ftstress,
 * no YAML) that reproduces its finding when run with the TSan interpreter, for an upstream report. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exit_codes.h"
#include "fsutil.h"
#include "log.h"
#include "options.h"
#include "repro_measure.h"
#include "scenario.h"
#include "xalloc.h"

enum { O_FILTER, O_OUT, O_SITE, O_MEASURE, O_HELP };
static const ft_option repro_options[] = {
    [O_FILTER] = {"filter", 'k', "NAME", "the scenario to export (default: the file's first)"},
    [O_OUT] = {"out", 'o', "OUT.py", "where to write the script (required)"},
    [O_SITE] = {"site", 0, "DIR", "a site folder the script puts on sys.path (default also .ftstress/site)"},
    [O_MEASURE] = {"measure", 0, "RUNS", "standalone runs that size the script's rounds (default 5; 0: the scenario's rounds)"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

typedef struct repro_args {
    const char *filter, *out;
    ft_strlist sites;
    int measure;
} repro_args;

static int on_option(void *ctx, int index, const char *arg)
{
    repro_args *a = ctx;
    switch (index) {
    case O_FILTER: a->filter = arg; break;
    case O_OUT: a->out = arg; break;
    case O_SITE: ft_strlist_push(&a->sites, arg); break;
    case O_MEASURE: {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*end || end == arg || n < 0 || n > 1000) {
            fprintf(stderr, "ftstress repro: --measure wants a count of runs from 0 to 1000, not '%s'\n", arg);
            return -1;
        }
        a->measure = (int)n;
        break;
    }
    case O_HELP:
        ft_options_help(stdout, "ftstress repro FILE [--filter NAME] -o OUT.py", repro_options,
                        "The script runs the scenario's setup, bodies, check, teardown and arbiter with\n"
                        "Python threads meeting at a threading.Barrier each round; run it with the\n"
                        "free-threaded TSan interpreter and TSan prints the races on stderr. The script stops\n"
                        "after the round of its first TSan report (unless the scenario has an arbiter, or it\n"
                        "is run with --all-rounds); its rounds come from --measure: repro runs it standalone\n"
                        "that many times and writes the rounds that show a report with 99% probability at\n"
                        "the lower 95% bound of the standalone per-round rate.\n");
        exit(0);
    }
    return 0;
}

/* A Python string literal of `s` (repr-style, with escapes), so any text survives. */
static void py_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out); /* UTF-8 passes through: the file is UTF-8 */
    }
    fputc('"', out);
}

static void py_strlist(FILE *out, const ft_strlist *l)
{
    fputc('[', out);
    for (size_t i = 0; i < l->count; i++) {
        if (i)
            fputs(", ", out);
        py_str(out, l->items[i]);
    }
    fputc(']', out);
}

/* A block compiled from its text with the YAML file's line numbers, for exec() on the main thread
 * (setup_once, setup, check, teardown), or None. */
static void py_block(FILE *out, const ft_block *b, const char *name)
{
    if (!b->code) {
        fputs("None", out);
        return;
    }
    fprintf(out, "compile('\\n' * %d + ", b->line - 1);
    py_str(out, b->code);
    fprintf(out, ", _FT_FILE + ':%s', 'exec')", name);
}

/* A role's body as a function of its own: the thread's names live in the function's frame from
 * iteration to iteration and round to round, as in ftstress, and no shared function or code
 * object is touched per iteration (exec() would build a function from shared objects every time,
 * and those atomic reference counts order the threads for TSan and hide the races). The body's
 * lines are indented into the loop: a triple-quoted string spanning lines gets the indent too. */
static void py_body(FILE *out, size_t r, const ft_role *role, int ignores)
{
    const char *p = role->body.code ? role->body.code : "pass\n";
    fprintf(out, "\n\ndef _ft_body_%zu(thread, role, role_thread, _ft_iterations, _ft_start, _ft_end, _ft_state):\n", r);
    fputs("    rng = random.Random()\n"
          "    while True:\n"
          "        _ft_start.wait()\n"
          "        if _ft_state['stop']:\n"
          "            return\n"
          "        round = _ft_state['round']\n"
          "        rng.seed((_FT_SEED * 1000003 + thread) * 1000003 + round)\n"
          "        result = {}\n"
          "        for iteration in range(_ft_iterations):\n"
          "            try:\n",
          out);
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        fprintf(out, "                %.*s\n", (int)n, p);
        p += n + (e ? 1 : 0);
    }
    fputs("                pass\n", out);
    if (ignores)
        fputs("            except _FT_IGNORE:\n"
              "                pass\n",
              out);
    fputs("            except BaseException:\n"
          "                traceback.print_exc()\n"
          "                break\n"
          "        _ft_state['results'][thread] = result\n"
          "        _ft_end.wait()\n",
          out);
}

/* The runner. Every name of the script's own starts with _ft_: the scenario's blocks run in this
 * module's globals, as they run in ftstress's shared namespace. */
static const char script_main[] =
    "\n\n"
    "def _ft_watch_stderr():\n"
    "    # TSan writes its reports on fd 2. Fd 2 becomes an unlinked temporary file that a thread of\n"
    "    # this script follows, passing every byte on unchanged to the real stderr and noting the\n"
    "    # first report, so the rounds can stop there. A file, not a pipe: TSan writes a report while\n"
    "    # it holds locks that every thread of this process needs, the follower's too, so a full pipe\n"
    "    # would make TSan wait for a reader that waits for TSan (it did, under load). Writing to a\n"
    "    # file never waits. Returns (seen, close).\n"
    "    log = tempfile.TemporaryFile()\n"
    "    fd = log.fileno()\n"
    "    saved = os.dup(2)\n"
    "    sys.stderr.flush()\n"
    "    os.dup2(fd, 2)  # one file offset: TSan's and Python's writes on fd 2 land one after another\n"
    "    seen, closing = threading.Event(), threading.Event()\n"
    "\n"
    "    def follow():\n"
    "        # once `closing` is set (fd 2 is the real stderr again), what is left is passed on and it returns\n"
    "        offset, tail = 0, b''\n"
    "        while True:\n"
    "            data = os.pread(fd, 65536, offset)\n"
    "            if not data:\n"
    "                if closing.is_set():\n"
    "                    return\n"
    "                time.sleep(0.05)\n"
    "                continue\n"
    "            offset += len(data)\n"
    "            view = memoryview(data)\n"
    "            while view:\n"
    "                view = view[os.write(saved, view):]\n"
    "            if b'WARNING: ThreadSanitizer:' in tail + data:\n"
    "                seen.set()\n"
    "            tail = data[-32:]\n"
    "\n"
    "    follower = threading.Thread(target=follow, name='ftstress-repro-stderr', daemon=True)\n"
    "    follower.start()\n"
    "\n"
    "    def close():\n"
    "        sys.stderr.flush()\n"
    "        os.dup2(saved, 2)\n"
    "        closing.set()\n"
    "        follower.join()\n"
    "        os.close(saved)\n"
    "        log.close()\n"
    "    return seen, close\n"
    "\n\n"
    "def _ft_resolve_ignored():\n"
    "    # ignore_exceptions by name: a builtin, or a dotted name from an imported module\n"
    "    found = []\n"
    "    for name in _FT_IGNORE_NAMES:\n"
    "        obj = getattr(builtins, name, None)\n"
    "        if obj is None and '.' in name:\n"
    "            mod, _, attr = name.rpartition('.')\n"
    "            obj = getattr(sys.modules.get(mod), attr, None)\n"
    "        if isinstance(obj, type) and issubclass(obj, BaseException):\n"
    "            found.append(obj)\n"
    "    return tuple(found)\n"
    "\n\n"
    "def _ft_main():\n"
    "    global _FT_IGNORE\n"
    "    parser = argparse.ArgumentParser(description='Standalone reproducer written by ftstress repro.')\n"
    "    parser.add_argument('--rounds', type=int, default=_FT_ROUNDS, help='rounds to run at most (default %(default)s)')\n"
    "    parser.add_argument('--all-rounds', action='store_true', default=not _FT_STOP,\n"
    "                        help='run every round instead of stopping after the first ThreadSanitizer report')\n"
    "    parser.add_argument('--max-seconds', type=float, default=0, help='stop after this many seconds of rounds (0: no limit)')\n"
    "    opts = parser.parse_args()\n"
    "    sys.path[0:0] = _FT_PATHS\n"
    "    for d in _FT_SITES:\n"
    "        site.addsitedir(d)\n"
    "    for m in _FT_IMPORTS:\n"
    "        globals()[m.split('.')[0]] = __import__(m)\n"
    "    if _FT_GIL is not None and sys._is_gil_enabled() != (_FT_GIL == '1'):\n"
    "        sys.exit('run this script with PYTHON_GIL=%s in the environment, as the scenario does' % _FT_GIL)\n"
    "    _FT_IGNORE = _ft_resolve_ignored()\n"
    "    nthreads = sum(n for _, n, _, _ in _FT_ROLES)\n"
    "    globals()['threads'] = nthreads\n"
    "    if _FT_SETUP_ONCE:\n"
    "        exec(_FT_SETUP_ONCE, globals())\n"
    "    seen, close = (None, None) if opts.all_rounds else _ft_watch_stderr()\n"
    "    # a round that takes longer than this is a hang: the barrier breaks instead of waiting forever\n"
    "    start, end = threading.Barrier(nthreads + 1, timeout=600), threading.Barrier(nthreads + 1, timeout=600)\n"
    "    state = {'stop': False, 'round': 0, 'results': [None] * nthreads}\n"
    "    team, index = [], 0\n"
    "    for name, n, iterations, body in _FT_ROLES:\n"
    "        for k in range(n):\n"
    "            t = threading.Thread(target=body, name='fts:%d' % index,\n"
    "                                 args=(index, name, k, iterations, start, end, state))\n"
    "            t.start()\n"
    "            team.append(t)\n"
    "            index += 1\n"
    "    began, reported, r = time.monotonic(), None, 0\n"
    "    while r < opts.rounds:\n"
    "        globals()['round'] = r\n"
    "        state['round'] = r\n"
    "        if _FT_SETUP:\n"
    "            exec(_FT_SETUP, globals())\n"
    "        start.wait()\n"
    "        end.wait()\n"
    "        if _FT_ARBITER:\n"
    "            ns = dict(globals(), round=r, results=state['results'],\n"
    "                      result={k: v for d in state['results'] if d for k, v in d.items()})\n"
    "            exec(_FT_ARBITER, ns)\n"
    "            print('round %d: arbiter value %r' % (r, ns.get('__arbiter__')), flush=True)\n"
    "        for b in (_FT_CHECK, _FT_TEARDOWN):\n"
    "            if b:\n"
    "                exec(b, globals())\n"
    "        r += 1\n"
    "        if seen is not None and seen.is_set():\n"
    "            reported = r\n"
    "            break\n"
    "        if opts.max_seconds and time.monotonic() - began > opts.max_seconds:\n"
    "            break\n"
    "    state['stop'] = True\n"
    "    start.wait()\n"
    "    for t in team:\n"
    "        t.join()\n"
    "    if close:\n"
    "        if reported is None and seen.wait(0.5):\n"
    "            reported = r  # the report of the last round reached the file after its check\n"
    "        if reported is not None:\n"
    "            print('" REPRO_REPORTED_LINE "%d of at most %d: stopping there (--all-rounds runs them all)'\n"
    "                  % (reported, opts.rounds), file=sys.stderr)\n"
    "        else:\n"
    "            print('" REPRO_CLEAN_LINE "%d rounds (%.1f s)' % (r, time.monotonic() - began), file=sys.stderr)\n"
    "        close()\n"
    "\n\n"
    "if __name__ == '__main__':\n"
    "    _ft_main()\n";

/* A scenario written by `ftstress shrink` starts with a comment that gives its measured hit rates
 * and the rounds that find the bug with 99% probability: the script carries it, as comments, so
 * whoever runs the script upstream knows how often it should show. */
static void copy_shrink_header(FILE *out, const char *file)
{
    static const char mark[] = "# Cut down by `ftstress shrink`";
    FILE *in = fopen(file, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int first = 1;
    if (!in)
        return;
    while ((n = getline(&line, &cap, in)) > 0 && line[0] == '#') {
        if (first && strncmp(line, mark, sizeof mark - 1))
            break;
        if (first)
            fputs("#\n# The scenario file's header, as `ftstress shrink` measured it:\n", out);
        first = 0;
        fputs(line, out);
        if (line[n - 1] != '\n')
            fputc('\n', out);
    }
    if (!first)
        fputs("#\n", out);
    free(line);
    fclose(in);
}

/* How the script runs its rounds: at most `rounds`, stopping after the first TSan report when
 * `stop`; `note` (comment lines or NULL) says where the rounds came from. */
typedef struct script_plan {
    long rounds;
    int stop;
    const char *note;
} script_plan;

static int write_script(FILE *out, const ft_scenario *s, const ft_strlist *sites, const script_plan *plan)
{
    const char *gil = NULL;
    for (size_t i = 0; i < s->env.count; i++)
        if (!strncmp(s->env.items[i], "PYTHON_GIL=", 11))
            gil = s->env.items[i] + 11;
    fprintf(out, "#!/usr/bin/env python3\n");
    copy_shrink_header(out, s->file);
    if (plan->note)
        fputs(plan->note, out);
    fprintf(out, "\"\"\"Standalone reproducer of the ftstress scenario '%s' (%s:%d).\n\n", s->name, s->file, s->line);
    if (s->description)
        fprintf(out, "%s\n\n", s->description);
    fprintf(out, "Run it with the free-threaded ThreadSanitizer interpreter ftstress uses:\n\n");
    fprintf(out, "    %s%s%s%s THIS_SCRIPT.py\n\n", gil ? "PYTHON_GIL=" : "", gil ? gil : "", gil ? " " : "",
            FTSTRESS_PYTHON_EXE);
    fprintf(out, "TSan prints every race it sees on stderr (WARNING: ThreadSanitizer: ...). The script runs\n"
                 "up to %ld round(s) of %d thread(s) that meet at a threading.Barrier, with the scenario's own setup,\n"
                 "bodies, check and teardown%s; it needs neither ftstress nor the YAML file.\n"
                 "%s"
                 "Options: --rounds N, --all-rounds, --max-seconds S (--help).\n"
                 "Written by `ftstress repro %s --filter %s`.\n\"\"\"\n",
            plan->rounds, ft_scenario_threads(s), s->arbiter.code ? " and arbiter (its value printed each round)" : "",
            plan->stop ? "It stops after the round in which TSan first reports (its stderr goes to a temporary file\n"
                         "the script follows and passes on); --all-rounds runs every round.\n"
                       : "",
            s->file, s->name);
    fputs("import argparse, ast, builtins, os, random, site, sys, tempfile, threading, time, traceback\n\n_FT_FILE = ", out);
    py_str(out, s->file);
    fprintf(out, "\n_FT_SEED = 0\n_FT_ROUNDS = %ld\n_FT_STOP = %s\n_FT_PATHS = ", plan->rounds,
            plan->stop ? "True" : "False");
    py_strlist(out, &s->paths);
    fputs("\n_FT_SITES = ", out);
    py_strlist(out, sites);
    fputs("\n_FT_IMPORTS = ", out);
    py_strlist(out, &s->imports);
    fputs("\n_FT_GIL = ", out);
    if (gil)
        py_str(out, gil);
    else
        fputs("None", out);
    fputs("\n_FT_IGNORE_NAMES = ", out);
    py_strlist(out, &s->ignore_exceptions);
    fputs("\n_FT_IGNORE = ()\n_FT_SETUP_ONCE = ", out);
    py_block(out, &s->setup_once, "setup_once");
    fputs("\n_FT_SETUP = ", out);
    py_block(out, &s->setup, "setup");
    fputs("\n_FT_CHECK = ", out);
    py_block(out, &s->check, "check");
    fputs("\n_FT_TEARDOWN = ", out);
    py_block(out, &s->teardown, "teardown");
    fputs("\n_FT_ARBITER = None\n", out);
    if (s->arbiter.code) {
        /* the arbiter's value is its last expression, kept in __arbiter__ as ftstress does */
        fprintf(out, "_ft_tree = ast.parse('\\n' * %d + ", s->arbiter.line - 1);
        py_str(out, s->arbiter.code);
        fputs(", _FT_FILE)\n"
              "if _ft_tree.body and isinstance(_ft_tree.body[-1], ast.Expr):\n"
              "    _ft_last = _ft_tree.body[-1]\n"
              "    _ft_tree.body[-1] = ast.copy_location(ast.Assign(targets=[ast.copy_location(\n"
              "        ast.Name('__arbiter__', ast.Store()), _ft_last)], value=_ft_last.value), _ft_last)\n"
              "_FT_ARBITER = compile(_ft_tree, _FT_FILE + ':arbiter', 'exec')\n",
              out);
    }
    for (size_t r = 0; r < s->nroles; r++)
        py_body(out, r, &s->roles[r], (int)s->ignore_exceptions.count);
    fputs("\n\n_FT_ROLES = [", out);
    for (size_t r = 0; r < s->nroles; r++) {
        fputs(r ? ", (" : "(", out);
        py_str(out, s->roles[r].name);
        fprintf(out, ", %d, %d, _ft_body_%zu)", s->roles[r].threads, s->roles[r].iterations, r);
    }
    fputs("]\n", out);
    fputs(script_main, out);
    return ferror(out) ? -1 : 0;
}

/* Writes the script to `path` through a temporary file: 0 or FT_EXIT_CANNOT_RUN (said why). */
static int write_atomically(const char *path, const ft_scenario *s, const ft_strlist *sites, const script_plan *plan)
{
    char *tmp = ft_xasprintf("%s.tmp.%d", path, (int)getpid());
    FILE *out = fopen(tmp, "w");
    int rc = 0;
    if (!out || write_script(out, s, sites, plan) != 0 || fclose(out) != 0 || rename(tmp, path) != 0) {
        ft_error("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        rc = FT_EXIT_CANNOT_RUN;
    }
    free(tmp);
    return rc;
}

/* The script's rounds past the measured 99% figure (see measure_and_size). */
#define REPRO_ROUNDS_MARGIN 3
#define REPRO_MIN_ROUNDS 100

/* Runs the written script standalone `runs` times (each stops at its first TSan report, within
 * plan->rounds rounds and 120 s), then writes it again with a margin over the rounds that show a
 * report with 99% probability at the lower 95% bound of the measured standalone rate, and a header
 * saying so.
 * 0; FT_EXIT_FINDINGS when no run reported (the script keeps the bound); FT_EXIT_CANNOT_RUN. */
static int measure_and_size(const char *path, const ft_scenario *s, const ft_strlist *sites, script_plan *plan,
                            int runs)
{
    char tmpl[] = "/tmp/ftstress-repro-XXXXXX";
    const char *tmpdir = mkdtemp(tmpl);
    repro_measured m;
    double rate, lo;
    int rc;
    if (!tmpdir) {
        ft_error("cannot make a folder in /tmp: %s", strerror(errno));
        return FT_EXIT_CANNOT_RUN;
    }
    ft_info("measuring the script standalone: %d runs of up to %ld rounds, each stopping at its first TSan report",
            runs, plan->rounds);
    rc = repro_measure(FTSTRESS_PYTHON_EXE, path, tmpdir, runs, plan->rounds, 120, &m);
    rmdir(tmpdir);
    if (rc)
        return FT_EXIT_CANNOT_RUN;
    long need = repro_rounds_for_99(&m, &rate, &lo);
    char *note;
    if (need < 0) {
        note = ft_xasprintf("# Standalone, measured by `ftstress repro`: no TSan report in %d runs (%ld rounds, %.0f s);\n"
                            "# the script keeps the measuring bound of %ld rounds.\n#\n",
                            m.runs, m.rounds, m.seconds, plan->rounds);
        ft_warn("%s: no standalone run reported in %ld rounds over %d runs: the script may not reproduce the finding",
                path, m.rounds, m.runs);
        rc = FT_EXIT_FINDINGS;
    } else {
        /* The rate was measured on this machine under its load of the moment; the person the script
         * is handed to runs it elsewhere, or here when busier (a loaded CI machine ran 41 rounds of a
         * race measured at 100% of rounds twice without a report). The script stops at its first
         * report, so a larger cap costs time only on a build without the bug: three times the 99%
         * rounds, and never fewer than 100. */
        if (need < 1)
            need = 1;
        long cap = need > 10000000 / REPRO_ROUNDS_MARGIN ? 10000000 : need * REPRO_ROUNDS_MARGIN;
        plan->rounds = cap < REPRO_MIN_ROUNDS ? REPRO_MIN_ROUNDS : cap;
        note = ft_xasprintf("# Standalone, measured by `ftstress repro`: %d of %d runs reported, after %ld rounds in all\n"
                            "# (%.0f s): %.3g%% of rounds (lower 95%% bound %.3g%%). Up to %ld rounds find it with 99%%\n"
                            "# probability at that bound on the measuring machine; the script runs up to %ld (%d times\n"
                            "# that, at least %d) for a slower or busier machine, and stops after the round of its\n"
                            "# first report.\n#\n",
                            m.reported, m.runs, m.rounds, m.seconds, 100 * rate, 100 * lo, need, plan->rounds,
                            REPRO_ROUNDS_MARGIN, REPRO_MIN_ROUNDS);
        ft_info("standalone: %d of %d runs reported in %ld rounds (%.3g%% of rounds, lower bound %.3g%%): %ld rounds "
                "find it with 99%% probability here; the script runs up to %ld, for a slower or busier machine",
                m.reported, m.runs, m.rounds, 100 * rate, 100 * lo, need, plan->rounds);
    }
    plan->note = note;
    int wrc = write_atomically(path, s, sites, plan);
    plan->note = NULL;
    free(note);
    return wrc ? wrc : rc;
}

static int repro(int argc, char **argv)
{
    repro_args a = {.measure = -1};
    ft_scenario_set set = {0};
    ft_diags diags = {0};
    const ft_scenario *s = NULL;
    int first, rc = 0;

    if (ft_options_parse(argc, argv, repro_options, on_option, &a, &first) != 0 || first != argc - 1 || !a.out) {
        fprintf(stderr, "usage: ftstress repro FILE [--filter NAME] -o OUT.py (see --help)\n");
        return FT_EXIT_USAGE;
    }
    ft_scenarios_load_file(argv[first], &set, &diags);
    if (diags.count) {
        ft_diags_print(&diags);
        ft_diags_free(&diags);
        ft_scenarios_free(&set);
        return FT_EXIT_USAGE;
    }
    for (size_t i = 0; i < set.count && !s; i++)
        if (!a.filter || !fnmatch(a.filter, set.items[i].name, 0))
            s = &set.items[i];
    if (!s) {
        fprintf(stderr, "ftstress: %s: no scenario %s%s\n", argv[first], a.filter ? "matches " : "in the file",
                a.filter ? a.filter : "");
        ft_scenarios_free(&set);
        return FT_EXIT_USAGE;
    }
    /* The same site folders `run` uses, so the script imports what the scenario imported. */
    ft_strlist sites = {0};
    ft_site_folders(&a.sites, &sites);
    script_plan plan = {s->rounds, !s->arbiter.code, NULL};
    int measure = a.measure < 0 ? 5 : a.measure;
    if (measure && !plan.stop)
        ft_info("not measuring: the scenario has an arbiter, whose value every round prints, so the script runs "
                "all %d rounds", s->rounds);
    else if (measure && s->expect == FT_CLEAN)
        ft_info("not measuring: the scenario expects clean, so there is no report to stop at");
    else if (measure)
        plan.rounds = s->rounds * 50L > 5000 ? s->rounds * 50L : 5000; /* the bound the measuring runs have */
    rc = write_atomically(a.out, s, &sites, &plan);
    if (!rc && measure && plan.stop && s->expect != FT_CLEAN)
        rc = measure_and_size(a.out, s, &sites, &plan, measure);
    if (rc != FT_EXIT_CANNOT_RUN)
        ft_info("wrote %s: scenario '%s' as a standalone script of up to %ld rounds (run it with %s)", a.out, s->name,
                plan.rounds, FTSTRESS_PYTHON_EXE);
    ft_strlist_free(&sites);
    ft_strlist_free(&a.sites);
    ft_scenarios_free(&set);
    return rc;
}

const ft_command ft_cmd_repro = {"repro", "FILE -o OUT.py", "a scenario as a standalone Python reproducer", repro};
