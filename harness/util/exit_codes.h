/* The exit codes of every ftstress command: what a CI job or a script can rely on (docs/running.md, "Exit codes"). */
#ifndef FTSTRESS_EXIT_CODES_H
#define FTSTRESS_EXIT_CODES_H

enum ft_exit_code {
    FT_EXIT_OK = 0,         /* every scenario met its expectation and nothing new was found */
    FT_EXIT_FINDINGS = 1,   /* a new finding, or a scenario missed its expectation */
    FT_EXIT_USAGE = 2,      /* bad command line or bad input (a scenario, a results file): fix the input */
    FT_EXIT_CANNOT_RUN = 3, /* the set-up is broken (interpreter, build, a scenario that cannot start) */
    FT_EXIT_INTERRUPTED = 128, /* plus the signal (SIGINT: 130), like a shell; the results are partial */
};

#endif
