/* `ftstress list`: the scenarios after validating them, as a table or as JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "exit_codes.h"
#include "options.h"
#include "preflight.h"
#include "results_io.h"

/* Options go through ft_options_parse like every other command's, so they may come before or after
 * the paths (`list --json dir/` and `list dir/ --json`); `--` ends them. */
enum { O_JSON, O_HELP };
static const ft_option list_options[] = {
    [O_JSON] = {"json", 0, NULL, "print the scenarios as a JSON array on stdout"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

static int on_option(void *ctx, int index, const char *arg)
{
    (void)arg;
    switch (index) {
    case O_JSON: *(int *)ctx = 1; break;
    case O_HELP:
        ft_options_help(stdout, "ftstress list PATH... [options]", list_options,
                        "Validates the scenarios as 'check' does, then lists them.\n");
        exit(0);
    }
    return 0;
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
    if (!text) {
        fprintf(stderr, "ftstress: error: out of memory writing the scenarios as JSON\n");
        exit(FT_EXIT_CANNOT_RUN);
    }
    puts(text);
    free(text);
    json_decref(all);
}

static int list(int argc, char **argv)
{
    ft_scenario_set set = {0};
    int as_json = 0, first, rc;

    if (ft_options_parse(argc, argv, list_options, on_option, &as_json, &first) != 0 || first >= argc) {
        fprintf(stderr, "usage: ftstress list PATH... [--json]\n");
        return FT_EXIT_USAGE;
    }
    rc = ft_load_and_check((const char *const *)argv + first, (size_t)(argc - first), &set);
    if (rc == 0 && as_json)
        list_json(&set);
    for (size_t i = 0; rc == 0 && !as_json && i < set.count; i++) {
        const ft_scenario *s = &set.items[i];
        printf("%-36s %-6s threads=%-3d rounds=%-6d %s:%d", s->name, ft_outcome_name(s->expect),
               ft_scenario_threads(s), s->rounds, s->file, s->line);
        for (size_t t = 0; t < s->tags.count; t++)
            printf("%s%s", t ? "," : "  [", s->tags.items[t]);
        printf("%s\n", s->tags.count ? "]" : "");
    }
    ft_scenarios_free(&set);
    return rc;
}

const ft_command ft_cmd_list = {"list", "PATH...", "list scenarios after validating them", list};
