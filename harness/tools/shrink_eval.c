/* Runs one candidate of `ftstress shrink` as an ordinary `ftstress run` of a temporary file and
 * judges from its results.json whether the finding still reproduces. A child run, not an
 * in-process one: the supervisor's state is built for one run per process, and a candidate that
 * crashes or hangs its workers is handled there as in any run. */
#include "shrink.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "scenario_emit.h"
#include "xalloc.h"

extern char **environ;

/* Spawns `ftstress run` with its output in `log` (shown to the user only when something fails).
 * Returns its exit status, 128 + the signal that ended it, or -1 when it could not start. */
static int spawn_run(char **argv, const char *log)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = 0, err;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err) {
        errno = err;
        return -1;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

json_t *shrink_run(shrink *sh, const ft_scenario *s)
{
    char *yaml = ft_xasprintf("%s/candidate.yaml", sh->tmpdir);
    char *json = ft_xasprintf("%s/results.json", sh->tmpdir);
    char *outdir = ft_xasprintf("%s/out", sh->tmpdir);
    char *log = ft_xasprintf("%s/run.log", sh->tmpdir);
    ft_strlist args = {0};
    json_t *doc = NULL;
    FILE *f = fopen(yaml, "w");

    sh->runs++;
    if (!f || ft_scenario_emit(f, s, NULL) != 0) {
        ft_error("cannot write %s", yaml);
        if (f)
            fclose(f);
        goto done;
    }
    fclose(f);
    unlink(json);
    /* Every round runs (--keep-going): a rate needs them all, not a stop at the first hit. */
    const char *fixed[] = {ft_self_exe(), "run", yaml, "--keep-going", "-q", "--json", json, "-o", outdir};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        ft_strlist_push(&args, fixed[i]);
    for (size_t i = 0; i < sh->sites.count; i++) {
        ft_strlist_push(&args, "--site");
        ft_strlist_push(&args, sh->sites.items[i]);
    }
    args.items = ft_xrealloc(args.items, (args.count + 1) * sizeof *args.items);
    args.items[args.count] = NULL;
    int status = spawn_run(args.items, log);
    if (status < 0) {
        ft_error("cannot start %s: %s", ft_self_exe(), strerror(errno));
        goto done;
    }
    /* 130 / 143: the user stopped the run (the child shares our terminal's process group). */
    if (status > 128) {
        sh->stopped = 2;
        sh->exit_code = status;
        goto done;
    }
    json_error_t err;
    doc = json_load_file(json, 0, &err);
    if (!doc)
        ft_error("the run of %s (exit status %d) wrote no results; its output is in %s", yaml, status, log);
done:
    ft_strlist_free(&args);
    free(yaml);
    free(json);
    free(outdir);
    free(log);
    return doc;
}

void shrink_read(const shrink *sh, const json_t *doc, shrink_result *out)
{
    size_t i;
    json_t *f;

    *out = (shrink_result){0};
    out->rounds = json_integer_value(json_object_get(json_array_get(json_object_get(doc, "scenarios"), 0), "rounds_run"));
    json_array_foreach(json_object_get(doc, "findings"), i, f) {
        const char *sig = json_string_value(json_object_get(f, "signature"));
        if (!sig || !json_is_string(json_object_get(f, "kind")) || json_is_true(json_object_get(f, "suppressed")))
            continue;
        if (!strcmp(sig, sh->signature))
            out->hits = json_integer_value(json_object_get(f, "rounds_hit"));
        else if (ft_finding_kind_of(f) == FT_KIND_ERROR && !ft_strlist_contains(&sh->known_errors, sig))
            out->new_errors++;
    }
}

int shrink_accepts(const shrink *sh, const shrink_result *r)
{
    if (r->hits < 1 || r->rounds < 1 || r->new_errors)
        return 0;
    double measured = sh->measured.rounds ? (double)sh->measured.hits / (double)sh->measured.rounds : 0;
    return (double)r->hits / (double)r->rounds >= 0.5 * measured;
}

int shrink_try(shrink *sh, const ft_scenario *s, const char *what)
{
    if (sh->stopped)
        return -1;
    if (sh->runs >= sh->max_runs) {
        printf("budget of %d runs used up: stopping here (--max-runs raises it)\n", sh->max_runs);
        sh->stopped = 1;
        return -1;
    }
    json_t *doc = shrink_run(sh, s);
    if (sh->stopped) {
        json_decref(doc);
        return -1;
    }
    shrink_result r = {0};
    if (doc)
        shrink_read(sh, doc, &r);
    json_decref(doc);
    int ok = doc && shrink_accepts(sh, &r);
    sh->steps++;
    if (ok) {
        printf("step %d: %s — still reproduces %ld/%ld rounds\n", sh->steps, what, r.hits, r.rounds);
        sh->last = r;
    } else if (!doc)
        printf("step %d: %s — the run failed, kept as it was\n", sh->steps, what);
    else if (r.new_errors)
        printf("step %d: %s — %ld/%ld rounds, but with %d new exception%s or failed check%s: kept as it was\n",
               sh->steps, what, r.hits, r.rounds, r.new_errors, r.new_errors == 1 ? "" : "s",
               r.new_errors == 1 ? "" : "s");
    else
        printf("step %d: %s — %s %ld/%ld rounds, kept as it was\n", sh->steps, what,
               r.hits ? "too rare:" : "not reproduced:", r.hits, r.rounds);
    fflush(stdout);
    return ok;
}
