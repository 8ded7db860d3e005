/* `ftstress report`: re-render or merge result files (shards, reruns) into the same outputs. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "log.h"
#include "options.h"
#include "reporters.h"
#include "results_io.h"

enum { O_JSON, O_JUNIT, O_QUIET, O_VERBOSE, O_HELP };
static const ft_option report_options[] = {
    [O_JSON] = {"json", 0, "FILE", "write the merged results document"},
    [O_JUNIT] = {"junit", 0, "FILE", "write JUnit XML"},
    [O_QUIET] = {"quiet", 'q', NULL, "no summary table"},
    [O_VERBOSE] = {"verbose", 'v', NULL, "full first report of every finding"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

typedef struct report_args {
    const char *json, *junit;
} report_args;

static int on_option(void *ctx, int index, const char *arg)
{
    report_args *a = ctx;
    switch (index) {
    case O_JSON: a->json = arg; break;
    case O_JUNIT: a->junit = arg; break;
    case O_QUIET: ft_set_verbosity(FT_QUIET); break;
    case O_VERBOSE: ft_set_verbosity(FT_VERBOSE); break;
    case O_HELP:
        ft_options_help(stdout, "ftstress report RESULT.json... [options]", report_options,
                        "Merges shards or reruns: scenarios by name, findings by scenario and signature.\n"
                        "The exit code is the one a single run with these results would give.\n");
        exit(0);
    }
    return 0;
}

static int report(int argc, char **argv)
{
    report_args a = {0};
    int first, rc;
    json_t **docs;
    char *error = NULL;

    if (ft_options_parse(argc, argv, report_options, on_option, &a, &first) != 0 || first >= argc) {
        fprintf(stderr, "usage: ftstress report RESULT.json... [--json FILE] [--junit FILE]\n");
        return 2;
    }
    docs = calloc((size_t)(argc - first), sizeof *docs);
    for (int i = first; i < argc; i++) {
        json_error_t err;
        docs[i - first] = json_load_file(argv[i], 0, &err);
        if (!docs[i - first]) {
            fprintf(stderr, "%s:%d:%d: error: %s\n", argv[i], err.line, err.column, err.text);
            return 2;
        }
    }
    json_t *merged = ft_results_merge(docs, (const char *const *)argv + first, (size_t)(argc - first), &error);
    if (!merged) {
        fprintf(stderr, "ftstress: error: %s\n", error);
        return 2;
    }
    if (ft_verbosity() >= FT_NORMAL)
        ft_report_text(merged, stdout, ft_verbosity() >= FT_VERBOSE);
    if (a.json && ft_json_write_atomic(merged, a.json) != 0)
        ft_error("cannot write %s", a.json);
    if (a.junit && ft_report_junit(merged, a.junit) != 0)
        ft_error("cannot write %s", a.junit);
    rc = ft_results_json_exit_code(merged);
    for (int i = 0; i < argc - first; i++)
        json_decref(docs[i]);
    free(docs);
    json_decref(merged);
    return rc;
}

const ft_command ft_cmd_report = {"report", "RESULT...", "re-render or merge result files (shards, reruns)", report};
