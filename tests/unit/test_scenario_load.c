/* Unit tests: the scenario loader accepts the documented format and rejects everything else with
 * file:line:column. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "scenario.h"

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/ftstress-scn-XXXXXX.yaml");
    int fd = mkstemps(path, 5);
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        abort();
    close(fd);
    return path;
}

/* Loads `text`; returns the diagnostics (the set is freed). */
static ft_diags load(const char *text, size_t *count)
{
    char *path = write_temp(text);
    const char *paths[] = {path};
    ft_scenario_set set = {0};
    ft_diags d = {0};
    ft_scenarios_load(paths, 1, &set, &d);
    *count = set.count;
    ft_scenarios_free(&set);
    unlink(path);
    free(path);
    return d;
}

void test_loader_accepts_full_format(void)
{
    const char text[] = "name: full\n"
                        "description: every key\n"
                        "tags: [a, b]\n"
                        "imports: [io]\n"
                        "path: [lib]\n"
                        "env: {PYTHON_GIL: \"0\"}\n"
                        "setup_once: |\n  x = 1\n"
                        "setup: |\n  buf = io.BytesIO()\n"
                        "roles:\n"
                        "  - name: writer\n    threads: 2\n    iterations: 5\n    body: |\n      buf.write(b'x')\n"
                        "  - name: reader\n    threads: 3\n    body: buf.read()\n"
                        "iterations: 7\nrounds: 9\nrounds_per_worker: 3\n"
                        "check: |\n  assert True\n"
                        "teardown: |\n  del buf\n"
                        "ignore_exceptions: [IndexError]\ntimeout: 2.5\nexpect: race\n"
                        "---\n"
                        "name: second\nbody: pass\n";
    char *path = write_temp(text);
    const char *paths[] = {path};
    ft_scenario_set set = {0};
    ft_diags d = {0};
    CHECK_INT(ft_scenarios_load(paths, 1, &set, &d), 0);
    CHECK_INT(d.count, 0);
    CHECK_INT(set.count, 2);
    if (set.count == 2) {
        const ft_scenario *s = &set.items[0];
        CHECK_STR(s->name, "full");
        CHECK_INT(ft_scenario_threads(s), 5);
        CHECK_INT(s->roles[0].iterations, 5);
        CHECK_INT(s->roles[1].iterations, 7); /* the scenario's default */
        CHECK_INT(s->rounds, 9);
        CHECK_INT(s->rounds_per_worker, 3);
        CHECK_INT(s->expect, FT_RACE);
        CHECK_STR(s->env.items[0], "PYTHON_GIL=0");
        CHECK_INT(s->roles[0].body.line, 16); /* the code's own line in the file */
        CHECK_INT(s->roles[0].body.column, 7);
        CHECK_INT(s->roles[1].body.line, 19); /* a plain scalar on the key's line */
        CHECK_INT(s->roles[1].body.column, 11);
        CHECK(s->timeout > 2.4 && s->timeout < 2.6);
        CHECK_INT(ft_scenario_threads(&set.items[1]), 4); /* default threads */
        CHECK_INT(set.items[1].rounds, 100);
        CHECK_INT(set.items[1].expect, FT_CLEAN);
    }
    ft_diags_free(&d);
    ft_scenarios_free(&set);
    unlink(path);
    free(path);
}

typedef struct bad_case {
    const char *text;
    int line, column;
    const char *message;
} bad_case;

void test_loader_errors_name_line_and_column(void)
{
    static const bad_case cases[] = {
        {"name: a\nbody: pass\nbogus: 1\n", 3, 1, "unknown key 'bogus'"},
        {"name: a\nbody: pass\nthreads: 0\n", 3, 10, "'threads' must be between 1 and 1024"},
        {"name: a\nbody: pass\nthreads: 2000\n", 3, 10, "between 1 and 1024"},
        {"name: a\nbody: pass\nthreads: \"4\"\n", 3, 10, "must be an integer"},
        {"name: a\nbody: pass\niterations: 0\n", 3, 13, "at least 1"},
        {"name: a\nbody: pass\nrounds: many\n", 3, 9, "must be an integer"},
        {"name: a\nbody: pass\ntimeout: 0\n", 3, 10, "greater than 0"},
        {"name: a\nbody: pass\nroles:\n  - name: r\n    body: pass\n", 3, 1, "either 'body'"},
        {"name: a\n", 1, 1, "needs a 'body'"},
        {"body: pass\n", 1, 1, "needs a 'name'"},
        {"name: a b\nbody: pass\n", 1, 7, "may only use letters"},
        {"name: a\nbody: pass\nname: b\n", 3, 1, "duplicate key 'name'"},
        {"- just\n- a list\n", 1, 1, "must be a mapping"},
        {"name: a\nbody: [1, 2]\n", 2, 7, "Python code"},
        {"name: a\nbody: pass\ntags: stdlib\n", 3, 7, "list of strings"},
        {"name: a\nbody: pass\nexpect: maybe\n", 3, 9, "one of clean, race"},
        {"name: a\nroles:\n  - name: r\n    thread: 2\n    body: pass\n", 4, 5, "unknown key 'thread' in a role"},
        {"name: a\nroles:\n  - threads: 2\n", 3, 5, "role needs a 'name'"},
        {"name: a\nbody: pass\nenv: [A]\n", 3, 6, "mapping"},
        {"name: a\nbody: [unclosed\n", 3, 1, "YAML syntax"},
        {"name: a\nbody: pass\n---\nname: a\nbody: pass\n", 4, 1, "duplicate scenario name 'a'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n;
        ft_diags d = load(cases[i].text, &n);
        if (d.count == 0) {
            fprintf(stderr, "  case %zu: accepted, expected \"%s\"\n", i, cases[i].message);
            check_failures++;
            continue;
        }
        if (d.items[0].line != cases[i].line || d.items[0].column != cases[i].column ||
            !strstr(d.items[0].message, cases[i].message)) {
            fprintf(stderr, "  case %zu: got %d:%d: %s; expected %d:%d: ...%s...\n", i, d.items[0].line,
                    d.items[0].column, d.items[0].message, cases[i].line, cases[i].column, cases[i].message);
            check_failures++;
        }
        ft_diags_free(&d);
    }
}

void test_loader_rejects_alias_bombs_quickly(void)
{
    /* Nine levels of ten aliases: a loader that expanded them would walk 10^9 nodes. */
    char text[4096] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'j'; c++) {
        char line[128];
        snprintf(line, sizeof line, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1, c - 1,
                 c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
        strcat(text, line);
    }
    strcat(text, "name: bomb\nbody: pass\ntags: *j\n");
    /* A billion expanded nodes if aliases were expanded: the runner's per-test timeout fails this
     * test if the loader walks them. */
    size_t n;
    ft_diags d = load(text, &n);
    CHECK(d.count > 0); /* unknown keys a..j, and tags holds lists, not strings */
    ft_diags_free(&d);
}
