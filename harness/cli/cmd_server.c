/* `ftstress server list|stop`: the fork servers that outlive commands (server_registry.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exit_codes.h"
#include "options.h"
#include "server_registry.h"

enum { O_HELP };
static const ft_option server_options[] = {
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

static int on_option(void *ctx, int index, const char *arg)
{
    (void)ctx, (void)arg;
    if (index == O_HELP) {
        ft_options_help(stdout, "ftstress server list|stop", server_options,
                        "A run forks its workers from a server that keeps an initialised interpreter and\n"
                        "outlives the command, so the next command with the same binaries, interpreter,\n"
                        "seed and environment starts its first round at once. Each server ends after\n"
                        "FTSTRESS_SERVER_IDLE seconds (default 300) without a command.\n"
                        "  list   the running servers of this user: pid, key and log\n"
                        "  stop   end them all (commands they serve keep their workers)\n");
        exit(0);
    }
    return 0;
}

static int server(int argc, char **argv)
{
    int first = argc;
    if (ft_options_parse(argc, argv, server_options, on_option, NULL, &first) != 0)
        return FT_EXIT_USAGE;
    if (first != argc - 1 || (strcmp(argv[first], "list") && strcmp(argv[first], "stop"))) {
        fprintf(stderr, "ftstress server: expected 'list' or 'stop' (see 'ftstress server --help')\n");
        return FT_EXIT_USAGE;
    }
    if (!strcmp(argv[first], "list")) {
        if (ft_server_list(stdout) == 0)
            printf("no fork server is running\n");
    } else {
        int n = ft_server_stop_all(stdout);
        printf("%d fork server%s stopped\n", n, n == 1 ? "" : "s");
    }
    return FT_EXIT_OK;
}

const ft_command ft_cmd_server = {"server", "list|stop", "the fork servers kept between commands", server};
