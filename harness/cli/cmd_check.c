/* `ftstress check`: validate scenarios, YAML and Python blocks, without running them. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "exit_codes.h"
#include "options.h"
#include "preflight.h"

enum { O_HELP };
static const ft_option check_options[] = {
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

static int on_option(void *ctx, int index, const char *arg)
{
    (void)ctx, (void)arg;
    if (index == O_HELP) {
        ft_options_help(stdout, "ftstress check PATH... [options]", check_options,
                        "Loads every scenario in the files and folders (*.yaml, *.yml) and compiles its Python\n"
                        "blocks. Exit 0 when all are valid, 2 on any error (each named file:line:column).\n");
        exit(0);
    }
    return 0;
}

static int check(int argc, char **argv)
{
    ft_scenario_set set = {0};
    int first, rc;

    if (ft_options_parse(argc, argv, check_options, on_option, NULL, &first) != 0 || first >= argc) {
        fprintf(stderr, "usage: ftstress check PATH...\n");
        return FT_EXIT_USAGE;
    }
    rc = ft_load_and_check((const char *const *)argv + first, (size_t)(argc - first), &set);
    if (rc == 0)
        printf("%zu scenario%s OK\n", set.count, set.count == 1 ? "" : "s");
    ft_scenarios_free(&set);
    return rc;
}

const ft_command ft_cmd_check = {"check", "PATH...", "validate scenarios, Python blocks included (exit 2 on any error)", check};
