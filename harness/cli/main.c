/* ftstress: stress-test Python C extensions on free-threaded CPython under ThreadSanitizer. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <patchlevel.h>

#include "commands.h"
#include "exit_codes.h"
#include "worker.h"

static const ft_command *const commands[] = {&ft_cmd_run,    &ft_cmd_list,      &ft_cmd_check, &ft_cmd_report,
                                             &ft_cmd_repro,  &ft_cmd_shrink,    &ft_cmd_init,  &ft_cmd_build_ext,
                                             &ft_cmd_doctor, &ft_cmd_triage, &ft_cmd_server};

static char self_exe[PATH_MAX];

const char *ft_self_exe(void) { return self_exe; }

static void usage(FILE *out)
{
    fprintf(out, "usage: ftstress COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s %s", commands[i]->name, commands[i]->usage);
        fprintf(out, "  %-26s %s\n", left, commands[i]->summary);
    }
    fprintf(out, "\n'ftstress COMMAND --help' describes each command's options.\n"
                 "exit codes: 0 all expectations met, nothing new found; 1 a finding or an unmet expectation;\n"
                 "            2 usage or scenario error; 3 could not run.\n");
}

int main(int argc, char **argv)
{
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0) {
        fprintf(stderr, "ftstress: cannot find its own executable\n");
        return FT_EXIT_CANNOT_RUN;
    }
    self_exe[n] = '\0';
    if (argc >= 2 && !strcmp(argv[1], "__worker"))
        return ft_worker_main(argc - 1, argv + 1);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? FT_EXIT_USAGE : FT_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        /* the interpreter too: each ftstress embeds one, and differentials label runs by it */
        printf("ftstress %s (CPython %s, free-threaded, ThreadSanitizer; %s)\n", FTSTRESS_VERSION, PY_VERSION,
               FTSTRESS_PYTHON_PREFIX);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i]->name))
            return commands[i]->run(argc - 1, argv + 1);
    fprintf(stderr, "ftstress: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return FT_EXIT_USAGE;
}
