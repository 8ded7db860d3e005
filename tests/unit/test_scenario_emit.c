/* Unit tests: a scenario written by scenario_emit.c loads back as the same scenario, awkward
 * strings and code blocks included. */
#include <stdlib.h>

#include "check.h"
#include "scenario.h"
#include "scenario_emit.h"

static void same_block(const char *what, const ft_block *a, const ft_block *b)
{
    if (!a->code || !b->code) {
        if (a->code != b->code) {
            fprintf(stderr, "  %s: present on one side only\n", what);
            check_failures++;
        }
        return;
    }
    CHECK_STR(b->code, a->code);
}

static void same_list(const ft_strlist *a, const ft_strlist *b)
{
    CHECK_INT(b->count, a->count);
    for (size_t i = 0; i < a->count && i < b->count; i++)
        CHECK_STR(b->items[i], a->items[i]);
}

/* Every field but the positions (file, line, block line and column). */
static void same_scenario(const ft_scenario *a, const ft_scenario *b)
{
    CHECK_STR(b->name, a->name);
    if (a->description || b->description)
        CHECK_STR(b->description, a->description ? a->description : "(null)");
    same_list(&a->tags, &b->tags);
    same_list(&a->imports, &b->imports);
    same_list(&a->paths, &b->paths);
    same_list(&a->env, &b->env);
    same_list(&a->ignore_exceptions, &b->ignore_exceptions);
    same_block("setup_once", &a->setup_once, &b->setup_once);
    same_block("setup", &a->setup, &b->setup);
    same_block("check", &a->check, &b->check);
    same_block("teardown", &a->teardown, &b->teardown);
    same_block("arbiter", &a->arbiter, &b->arbiter);
    CHECK_INT(b->nroles, a->nroles);
    for (size_t i = 0; i < a->nroles && i < b->nroles; i++) {
        CHECK_STR(b->roles[i].name, a->roles[i].name);
        CHECK_INT(b->roles[i].threads, a->roles[i].threads);
        CHECK_INT(b->roles[i].iterations, a->roles[i].iterations);
        same_block("body", &a->roles[i].body, &b->roles[i].body);
    }
    CHECK_INT(b->noutcome_rules, a->noutcome_rules);
    for (size_t i = 0; i < a->noutcome_rules && i < b->noutcome_rules; i++) {
        CHECK_STR(b->outcome_rules[i].match, a->outcome_rules[i].match);
        CHECK_STR(b->outcome_rules[i].description, a->outcome_rules[i].description);
        CHECK_INT(b->outcome_rules[i].verdict, a->outcome_rules[i].verdict);
    }
    CHECK_INT(b->iterations, a->iterations);
    CHECK_INT(b->rounds, a->rounds);
    CHECK_INT(b->rounds_per_worker, a->rounds_per_worker);
    CHECK(b->timeout == a->timeout);
    CHECK(b->setup_timeout == a->setup_timeout);
    CHECK_INT(b->expect, a->expect);
}

/* Loads `text`, emits every scenario, loads that, and compares; returns the emitted YAML of the
 * first scenario (caller frees) so a test can look at its shape. */
static char *round_trip(const char *text, size_t want)
{
    ft_scenario_set one = {0};
    ft_diags d = {0};
    char *first = NULL;
    CHECK_INT(ft_scenarios_load_buffer("/tmp/emit-test.yaml", text, strlen(text), &one, &d), 0);
    if (d.count)
        ft_diags_print(&d);
    CHECK_INT(one.count, want);
    for (size_t i = 0; i < one.count; i++) {
        char *yaml = ft_scenario_emit_string(&one.items[i], "# written by a unit test\n");
        CHECK(yaml != NULL);
        if (!yaml)
            continue;
        ft_scenario_set two = {0};
        ft_diags d2 = {0};
        CHECK_INT(ft_scenarios_load_buffer("/tmp/emit-test-2.yaml", yaml, strlen(yaml), &two, &d2), 0);
        if (d2.count) {
            ft_diags_print(&d2);
            fprintf(stderr, "--- emitted:\n%s---\n", yaml);
        }
        CHECK_INT(two.count, 1);
        if (two.count == 1)
            same_scenario(&one.items[i], &two.items[0]);
        ft_scenarios_free(&two);
        ft_diags_free(&d2);
        if (!first)
            first = yaml;
        else
            free(yaml);
    }
    ft_scenarios_free(&one);
    ft_diags_free(&d);
    return first;
}

void test_emitted_scenario_round_trips(void)
{
    const char text[] =
        "name: awkward.one\n"
        "description: \"quotes ' and \\\", a colon: here, # not a comment, ünïcødé € 😀\"\n"
        "tags: [\"yes\", \"0\", \"- dash\", \"a: b\", \"[x]\", \" lead\", \"\"]\n"
        "imports: [io, os.path]\n"
        "path: [/abs/lib, \"/with space/#hash\"]\n"
        "env: {PYTHON_GIL: \"0\", ODD: \"a: b # c\", EMPTY: \"\", NULLISH: \"null\"}\n"
        "setup_once: |\n  s = 'x: y # z'\n  u = \"ünï\"\n"
        "setup: |2\n    indented = 1\n  back = 2\n"
        "roles:\n"
        "  - name: writer\n    threads: 2\n    iterations: 5\n    body: |-\n      no_newline_at_end()\n"
        "  - name: reader\n    threads: 3\n    body: |+\n      keeps_blank_lines()\n\n\n"
        "  - name: tabs\n    threads: 1\n    body: \"a = 1\\t# tab\\nb = 2   \\n\"\n"
        "iterations: 7\nrounds: 9\nrounds_per_worker: 1\n"
        "check: |\n  assert True, \"#: '\"\n"
        "teardown: |\n  del s\n"
        "arbiter: |\n  len(s)\n"
        "outcomes:\n"
        "  - {match: \"8\", verdict: acceptable, description: \"all: kept\"}\n"
        "  - {match: \"[0-9]+\", verdict: forbidden}\n"
        "ignore_exceptions: [IndexError, mod.Err]\ntimeout: 2.5\nsetup_timeout: 0.1\nexpect: forbidden\n"
        "---\n"
        "name: plain\nthreads: 3\nbody: |\n  pass\niterations: 4\n"
        "---\n"
        "name: empty-body\nbody: \"\"\n";
    char *first = round_trip(text, 3);
    /* The blocks that a literal can hold are written as literals, not as escaped strings. */
    CHECK_CONTAINS(first, "setup_once: |");
    CHECK_CONTAINS(first, "\n- name: writer\n  threads: 2\n  iterations: 5\n  body: |-\n");
    CHECK_CONTAINS(first, "# written by a unit test\n");
    free(first);
}

void test_emitted_scenario_keeps_body_form(void)
{
    char *yaml = round_trip("name: one-body\nthreads: 5\nbody: |\n  x = 1\n  y = 2\nrounds: 3\n", 1);
    CHECK_CONTAINS(yaml, "threads: 5\n");
    CHECK_CONTAINS(yaml, "body: |\n  x = 1\n  y = 2\n");
    CHECK(yaml && !strstr(yaml, "roles"));
    free(yaml);
}

/* Numbers read as the user wrote them: 120, not 1.2e+02; 0.005, not 5e-03. */
void test_emitted_numbers_are_positional(void)
{
    char *yaml = round_trip("name: timed\nbody: |\n  pass\ntimeout: 120\nsetup_timeout: 0.005\n", 1);
    CHECK_CONTAINS(yaml, "timeout: 120\n");
    CHECK_CONTAINS(yaml, "setup_timeout: 0.005\n");
    CHECK(!strstr(yaml, "e+"));
    free(yaml);
}
