/* `ftstress check` and `ftstress list`: validate scenarios (YAML and Python), or list them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "preflight.h"
#include "results_io.h"

static int load_or_report(int argc, char **argv, ft_scenario_set *set, const char *cmd)
{
    ft_diags diags = {0};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: ftstress %s PATH...%s\n", cmd, strcmp(cmd, "list") ? "" : " [--json]");
        return argc < 2 ? 2 : -1;
    }
    ft_scenarios_load((const char *const *)argv + 1, (size_t)argc - 1, set, &diags);
    if (diags.count) {
        ft_diags_print(&diags);
        ft_diags_free(&diags);
        return 2;
    }
    if (ft_preflight_interpreter() != 0)
        return 3;
    return ft_compile_check(set) == 0 ? 0 : 2;
}

static int check(int argc, char **argv)
{
    ft_scenario_set set = {0};
    int rc = load_or_report(argc, argv, &set, "check");
    if (rc == 0)
        printf("%zu scenario%s OK\n", set.count, set.count == 1 ? "" : "s");
    ft_scenarios_free(&set);
    return rc < 0 ? 0 : rc;
}

static json_t *block_json(const ft_block *b)
{
    return b->code ? json_pack("{s:s, s:i, s:i}", "code", b->code, "line", b->line, "column", b->column) : json_null();
}

/* The validated scenarios as JSON, for tools that do not parse YAML (bench/reference_harness.py). */
static void list_json(const ft_scenario_set *set)
{
    json_t *all = json_array();
    for (size_t i = 0; i < set->count; i++) {
        const ft_scenario *s = &set->items[i];
        json_t *roles = json_array();
        for (size_t r = 0; r < s->nroles; r++)
            json_array_append_new(roles, json_pack("{s:s, s:i, s:i, s:o}", "name", s->roles[r].name, "threads",
                                                   s->roles[r].threads, "iterations", s->roles[r].iterations, "body",
                                                   block_json(&s->roles[r].body)));
        json_array_append_new(all, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:f, s:o, s:s}",
            "name", s->name, "file", s->file, "tags", ft_strlist_to_json(&s->tags), "imports", ft_strlist_to_json(&s->imports),
            "path", ft_strlist_to_json(&s->paths), "env", ft_strlist_to_json(&s->env), "setup_once", block_json(&s->setup_once),
            "setup", block_json(&s->setup), "check", block_json(&s->check), "teardown", block_json(&s->teardown),
            "roles", roles, "rounds", s->rounds, "rounds_per_worker", s->rounds_per_worker, "timeout", s->timeout,
            "ignore_exceptions", ft_strlist_to_json(&s->ignore_exceptions), "expect", ft_outcome_name(s->expect)));
    }
    char *text = json_dumps(all, JSON_INDENT(1));
    puts(text);
    free(text);
    json_decref(all);
}

static int list(int argc, char **argv)
{
    ft_scenario_set set = {0};
    int as_json = argc > 1 && !strcmp(argv[argc - 1], "--json");
    int rc = load_or_report(argc - as_json, argv, &set, "list");
    if (rc == 0 && as_json) {
        list_json(&set);
        ft_scenarios_free(&set);
        return 0;
    }
    for (size_t i = 0; rc == 0 && i < set.count; i++) {
        const ft_scenario *s = &set.items[i];
        printf("%-36s %-6s threads=%-3d rounds=%-6d %s:%d", s->name, ft_outcome_name(s->expect),
               ft_scenario_threads(s), s->rounds, s->file, s->line);
        for (size_t t = 0; t < s->tags.count; t++)
            printf("%s%s", t ? "," : "  [", s->tags.items[t]);
        printf("%s\n", s->tags.count ? "]" : "");
    }
    ft_scenarios_free(&set);
    return rc < 0 ? 0 : rc;
}

const ft_command ft_cmd_check = {"check", "PATH...", "validate scenarios, Python blocks included (exit 2 on any error)", check};
const ft_command ft_cmd_list = {"list", "PATH...", "list scenarios after validating them", list};
