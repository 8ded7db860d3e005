/* The command lines that repeat `ftstress run`: one per failed scenario for the developer chasing
 * it, and the whole run's, recorded in its results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interpreter_handoff.h"
#include "perturb.h"
#include "run_args.h"
#include "xalloc.h"

/* One shell word: bare when nothing in it is special to a shell or could read as an option (a
 * leading '-'), else single-quoted. */
static void print_word(const char *s)
{
    if (*s && *s != '-' &&
        strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,+-@%") == strlen(s)) {
        fputs(s, stdout);
        return;
    }
    fputs("'", stdout);
    for (const char *p = s; *p; p++)
        fputs(*p == '\'' ? "'\\''" : (char[]){*p, 0}, stdout);
    fputs("'", stdout);
}

/* " ARG" for a shell. */
static void print_arg(const char *s)
{
    fputs(" ", stdout);
    print_word(s);
}

/* " --NAME PATH", the path made absolute when it exists. */
static void print_path_option(const char *name, const char *path)
{
    char *abs = realpath(path, NULL);
    printf(" %s", name);
    print_arg(abs ? abs : path);
    free(abs);
}

/* The command line that repeats one scenario of this run, for a developer chasing it: with what
 * finds the module (--site) and what decides what counts (suppressions) as this run had them. */
void ft_run_print_repro(const ft_results *r, const run_args *a)
{
    int printed = 0;
    for (size_t i = 0; i < r->nscenarios; i++) {
        const ft_scenario_result *sr = &r->scenarios[i];
        if (sr->status != FT_ST_RAN || sr->passed)
            continue;
        /* stdout, after the table it belongs to: on stderr it landed inside the table when both
         * streams went to one file */
        if (!printed++)
            printf("\nto repeat a failure:\n");
        /* absolute paths: the line is pasted from wherever the run was, often not the checkout */
        char *file = realpath(sr->scenario->file, NULL);
        printf(" ");
        print_arg(FTSTRESS_SOURCE_DIR "/scripts/ftstress");
        printf(" run");
        print_arg(file ? file : sr->scenario->file);
        free(file);
        printf(" --filter"); /* getopt takes the next word as its value, even one quoted with a leading '-' */
        print_arg(sr->scenario->name);
        printf(" --seed %lu", a->sup.seed);
        if (a->sup.hash_seed_given) /* dict and set order: part of what reproduces it */
            printf(" --hash-seed %lu", a->sup.hash_seed);
        if (a->sup.perturb) /* the schedule is part of what reproduces it */
            printf(" --perturb=%s", ft_perturb_name(a->sup.perturb));
        for (size_t k = 0; k < a->sites.count; k++)
            print_path_option("--site", a->sites.items[k]);
        for (size_t k = 0; k < a->supp_files.count; k++)
            print_path_option("--suppressions", a->supp_files.items[k]);
        if (a->no_default_supp)
            printf(" --no-default-suppressions");
        if (a->spawn_only)
            printf(" --spawn");
        if (!strcmp(ft_own_interpreter(), "plain")) /* the interpreter is part of what reproduces it */
            printf(" --interpreter plain");
        if (a->sup.rounds)
            printf(" --rounds %ld", a->sup.rounds);
        if (a->sup.threads)
            printf(" --threads %d", a->sup.threads);
        if (a->sup.iterations)
            printf(" --iterations %d", a->sup.iterations);
        printf(" --until-failure\n");
    }
}

/* The argument that repeats this run's `--NAME LIST` with one of its values (a sweep's run). */
static const char *one_value(const char *arg, const char *prev, const char *name, long value, char *buf, size_t n)
{
    size_t len = strlen(name);
    if (!value)
        return arg;
    if (prev && !strncmp(prev, "--", 2) && !strcmp(prev + 2, name)) {
        snprintf(buf, n, "%ld", value);
        return buf;
    }
    if (!strncmp(arg, "--", 2) && !strncmp(arg + 2, name, len) && arg[2 + len] == '=') {
        snprintf(buf, n, "--%s=%ld", name, value);
        return buf;
    }
    return arg;
}

char *ft_run_repeat_command(int argc, char **argv, unsigned long seed, int seed_given, long threads, long iterations)
{
    char *cmd = ft_xstrdup("ftstress run");
    for (int i = 1; i < argc; i++) {
        char a1[64], a2[64];
        if (!strcmp(argv[i], "--pytest") && !seed_given) { /* after --pytest every word is pytest's */
            char *next = ft_xasprintf("%s --seed %lu", cmd, seed);
            free(cmd);
            cmd = next;
            seed_given = 1;
        }
        const char *prev = i > 1 ? argv[i - 1] : NULL;
        const char *arg = one_value(argv[i], prev, "threads", threads, a1, sizeof a1);
        arg = one_value(arg, prev, "iterations", iterations, a2, sizeof a2);
        char *next = ft_xasprintf("%s %s", cmd, arg);
        free(cmd);
        cmd = next;
    }
    if (!seed_given) {
        char *next = ft_xasprintf("%s --seed %lu", cmd, seed);
        free(cmd);
        cmd = next;
    }
    return cmd;
}

