/* Checks and set-up that `run` and `check` share: the interpreter, suppressions, compiling blocks. */
#include "preflight.h"
#include "exit_codes.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event_decode.h"
#include "linebuf.h"
#include "log.h"
#include "proc.h"
#include "xalloc.h"

const char *ft_cpython_suppressions_path(void)
{
    return FTSTRESS_PYTHON_PREFIX "/share/ftstress/cpython-suppressions.txt";
}

int ft_preflight_interpreter(void)
{
    if (access(FTSTRESS_PYTHON_PREFIX "/.ftstress-complete", F_OK) == 0)
        return 0;
    ft_error("the interpreter this ftstress was built for is missing: %s", FTSTRESS_PYTHON_PREFIX);
    ft_error("run scripts/bootstrap to build it (about 6-12 minutes the first time)");
    return FT_EXIT_CANNOT_RUN;
}

int ft_load_suppressions(ft_suppressions *s, const ft_strlist *files, int defaults, ft_diags *diags)
{
    int rc = 0;
    if (defaults) {
        DIR *d = opendir(FTSTRESS_SOURCE_DIR "/suppressions");
        struct dirent *e;
        ft_strlist names = {0};
        if (access(ft_cpython_suppressions_path(), R_OK) == 0)
            rc |= ft_suppressions_load(s, ft_cpython_suppressions_path(), diags);
        while (d && (e = readdir(d)))
            if (strstr(e->d_name, ".supp"))
                ft_strlist_push(&names, e->d_name);
        if (d)
            closedir(d);
        for (size_t i = 0; i < names.count; i++) {
            char *path = ft_xasprintf("%s/suppressions/%s", FTSTRESS_SOURCE_DIR, names.items[i]);
            rc |= ft_suppressions_load(s, path, diags);
            free(path);
        }
        ft_strlist_free(&names);
    }
    for (size_t i = 0; files && i < files->count; i++)
        rc |= ft_suppressions_load(s, files->items[i], diags);
    return rc ? -1 : 0;
}

void ft_report_stale_suppressions(const ft_suppressions *s)
{
    /* The files shipped with CPython and ftstress cover situations most runs never meet (a crash
     * dump, sockets): their unmatched entries are news only with -v. The user's own are always. */
    for (size_t i = 0; i < s->count; i++)
        if (s->items[i].hits == 0 &&
            (ft_verbosity() >= FT_VERBOSE || (strcmp(s->items[i].file, ft_cpython_suppressions_path()) &&
                                               strncmp(s->items[i].file, FTSTRESS_SOURCE_DIR "/suppressions/",
                                                       strlen(FTSTRESS_SOURCE_DIR "/suppressions/")))))
            ft_warn("stale suppression (matched nothing in this run): %s:%d: %s:%s", s->items[i].file,
                    s->items[i].line, s->items[i].type, s->items[i].pattern);
}

typedef struct compile_ctx {
    const ft_scenario_set *set;
    const ft_strlist *files;
    int failed;
    int finished;
} compile_ctx;

static void on_compile_event(void *vctx, char *line)
{
    compile_ctx *c = vctx;
    json_error_t err;
    json_t *ev = json_loads(line, 0, &err);
    ft_event kind = ft_event_decode(ev);

    if (kind == FT_EV_SYNTAX) {
        const ft_scenario *s = ft_scenarios_find(c->set, json_string_value(json_object_get(ev, "scenario")) ?: "");
        ft_diags d = {0};
        /* Names are unique across the run; a name not found (cannot happen) still names a file. */
        ft_diags_add(&d, s ? s->file : c->files->items[0], (int)json_integer_value(json_object_get(ev, "line")),
                     (int)json_integer_value(json_object_get(ev, "column")), "Python %s in '%s' of scenario '%s'",
                     json_string_value(json_object_get(ev, "message")) ?: "syntax error",
                     json_string_value(json_object_get(ev, "block")) ?: "?", s ? s->name : "?");
        ft_diags_print(&d);
        ft_diags_free(&d);
        c->failed = 1;
    } else if (kind == FT_EV_FATAL) {
        ft_error("the interpreter could not start: %s", json_string_value(json_object_get(ev, "message")) ?: "");
        c->failed = 1;
    } else if (kind == FT_EV_COMPILED)
        c->finished = 1;
    json_decref(ev);
}

/* The files as one phrase for a message: "a.yaml", or "a.yaml and 3 other files". */
static char *files_phrase(const ft_strlist *files)
{
    if (files->count == 1)
        return ft_xstrdup(files->items[0]);
    return ft_xasprintf("%s and %zu other file%s", files->items[0], files->count - 1, files->count == 2 ? "" : "s");
}

int ft_compile_check(const ft_scenario_set *set, ft_fork_servers *servers)
{
    ft_strlist files = {0}, args = {0};
    compile_ctx c = {.set = set, .files = &files};
    ft_linebuf events = {0};
    ft_proc p;
    int status = 0;

    for (size_t i = 0; i < set->count; i++)
        if (!ft_strlist_contains(&files, set->items[i].file))
            ft_strlist_push(&files, set->items[i].file);
    /* Nothing to compile: a worker given no --file would only refuse its arguments. (The loader
     * makes a file without a scenario an error, so this is a set that is empty by selection.) */
    if (files.count == 0)
        return 0;
    ft_strlist_push(&args, "--compile-only");
    for (size_t i = 0; i < files.count; i++) {
        ft_strlist_push(&args, "--file");
        ft_strlist_push(&args, files.items[i]);
    }
    ft_strlist_push(&args, "--rounds");
    ft_strlist_push(&args, "0");
    args.items = ft_xrealloc(args.items, (args.count + 1) * sizeof *args.items);
    args.items[args.count] = NULL;
    static const ft_strlist no_env = {0};
    int forked = servers && ft_fork_servers_start_worker(servers, &no_env, &p, args.items, NULL, NULL, NULL) == 0;
    if (!forked && ft_proc_spawn(&p, args.items, NULL, NULL, NULL) != 0) {
        char *what = files_phrase(&files);
        ft_error("cannot start a worker to compile the Python blocks of %s: %s", what, strerror(errno));
        free(what);
        ft_strlist_free(&files);
        ft_strlist_free(&args);
        return -1;
    }
    /* Only events matter here: the other pipes are closed so the worker never blocks on them. */
    close(p.reports_fd), p.reports_fd = -1;
    close(p.stacks_fd), p.stacks_fd = -1;
    while (ft_linebuf_read(&events, p.events_fd, on_compile_event, &c) > 0)
        ;
    if (!forked || ft_fork_servers_wait(servers, p.pid, &status, NULL) > 0)
        ft_proc_wait(p.pid, forked, &status, NULL);
    if (!c.finished && !c.failed) {
        char *what = files_phrase(&files);
        if (WIFSIGNALED(status))
            ft_error("compiling the Python blocks of %s failed: the worker was killed by signal %d (%s)", what,
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            ft_error("compiling the Python blocks of %s failed: the worker exited with status %d", what,
                     WIFEXITED(status) ? WEXITSTATUS(status) : status);
        free(what);
        c.failed = 1;
    }
    ft_linebuf_free(&events);
    ft_proc_close(&p);
    ft_strlist_free(&files);
    ft_strlist_free(&args);
    return c.failed ? -1 : 0;
}

int ft_load_and_check(const char *const *paths, size_t npaths, ft_scenario_set *set)
{
    ft_diags diags = {0};
    ft_scenarios_load(paths, npaths, set, &diags);
    if (diags.count) {
        ft_diags_print(&diags);
        ft_diags_free(&diags);
        return FT_EXIT_USAGE;
    }
    if (ft_preflight_interpreter() != 0)
        return FT_EXIT_CANNOT_RUN;
    return ft_compile_check(set, NULL) == 0 ? FT_EXIT_OK : FT_EXIT_USAGE;
}
