/* `ftstress check` and `ftstress list`: validate scenarios (YAML and Python), or list them. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "preflight.h"

static int load_or_report(int argc, char **argv, ft_scenario_set *set, const char *cmd)
{
    ft_diags diags = {0};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: ftstress %s PATH...\n", cmd);
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

static int list(int argc, char **argv)
{
    ft_scenario_set set = {0};
    int rc = load_or_report(argc, argv, &set, "list");
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
