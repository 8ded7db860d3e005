/* Command options in one table per command: getopt_long parsing and --help generated from it. */
#include "options.h"
#include "exit_codes.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int ft_options_parse(int argc, char **argv, const ft_option *opts, int (*each)(void *ctx, int index, const char *arg),
                     void *ctx, int *first_operand)
{
    size_t n = 0;
    char shorts[128] = "";
    struct option *longs;
    int c, idx, rc = 0;

    while (opts[n].name)
        n++;
    longs = ft_xcalloc(n + 1, sizeof *longs);
    for (size_t i = 0; i < n; i++) {
        int has_arg = !opts[i].arg ? no_argument : opts[i].arg[0] == '[' ? optional_argument : required_argument;
        longs[i] = (struct option){opts[i].name, has_arg, NULL, 1000 + (int)i};
        if (opts[i].short_name) {
            size_t k = strlen(shorts);
            shorts[k] = opts[i].short_name;
            shorts[k + 1] = opts[i].arg ? ':' : '\0';
        }
    }
    optind = 1;
    opterr = 1;
    /* No leading '+': GNU getopt permutes, so options may follow operands ("run dir/ --rounds 5"). */
    while ((c = getopt_long(argc, argv, shorts, longs, &idx)) != -1) {
        int index = -1;
        if (c >= 1000)
            index = c - 1000;
        else
            for (size_t i = 0; i < n; i++)
                if (opts[i].short_name == c)
                    index = (int)i;
        if (index < 0) {
            rc = FT_EXIT_USAGE;
            break;
        }
        if (each(ctx, index, optarg) != 0) {
            rc = FT_EXIT_USAGE;
            break;
        }
    }
    free(longs);
    *first_operand = optind;
    return rc;
}

void ft_options_help(FILE *out, const char *usage, const ft_option *opts, const char *epilog)
{
    fprintf(out, "usage: %s\n\noptions:\n", usage);
    for (const ft_option *o = opts; o->name; o++) {
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg && o->arg[0] != '[' ? " " : "",
                     o->arg ? o->arg : "");
        fprintf(out, "  %-28s %s\n", left, o->help);
    }
    if (epilog)
        fprintf(out, "\n%s", epilog);
}

int ft_parse_long(const char *opt, const char *arg, long lo, long hi, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi) {
        fprintf(stderr, "ftstress: option --%s: expected a whole number from %ld to %ld, got '%s'\n", opt, lo, hi, arg);
        return -1;
    }
    *out = v;
    return 0;
}

int ft_parse_seconds(const char *opt, const char *arg, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || v <= 0) {
        fprintf(stderr, "ftstress: option --%s: expected a number of seconds greater than 0, got '%s'\n", opt, arg);
        return -1;
    }
    *out = v;
    return 0;
}

int ft_parse_long_list(const char *opt, const char *arg, long lo, long hi, long *out, int max)
{
    int n = 0;
    const char *p = arg;
    for (;;) {
        char *end;
        long v;
        errno = 0;
        v = strtol(p, &end, 10);
        if (errno || end == p || (*end && *end != ',') || v < lo || v > hi || n >= max) {
            fprintf(stderr, "ftstress: option --%s: expected whole numbers from %ld to %ld separated by commas "
                            "(at most %d), got '%s'\n", opt, lo, hi, max, arg);
            return -1;
        }
        out[n++] = v;
        if (!*end)
            return n;
        p = end + 1;
    }
}

int ft_parse_probability(const char *opt, const char *arg, int hi_inclusive, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v > 0) || v > 1 || (!hi_inclusive && v == 1)) {
        fprintf(stderr, "ftstress: option --%s: expected a probability above 0 and %s 1, got '%s'\n", opt,
                hi_inclusive ? "at most" : "below", arg);
        return -1;
    }
    *out = v;
    return 0;
}
