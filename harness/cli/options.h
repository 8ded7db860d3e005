/* Command options in one table per command: getopt_long parsing and --help generated from it. */
#ifndef FTSTRESS_OPTIONS_H
#define FTSTRESS_OPTIONS_H

#include <stdio.h>

typedef struct ft_option {
    const char *name; /* long name, without dashes */
    char short_name;  /* 0 for none */
    const char *arg;  /* argument name for help ("N", "FILE"), NULL for a flag; "[=MODE]": optional,
                       * given only as --name=VALUE (the callback then gets NULL without one) */
    const char *help;
} ft_option;

/* Parses argv against `opts` (terminated by a zero entry); calls `each` with the option index and
 * argument. Non-option arguments are left in argv[*first_operand..argc). Returns 0, or 2 after
 * printing a usage error. */
int ft_options_parse(int argc, char **argv, const ft_option *opts, int (*each)(void *ctx, int index, const char *arg),
                     void *ctx, int *first_operand);
void ft_options_help(FILE *out, const char *usage, const ft_option *opts, const char *epilog);

/* Parsers for option values: on a bad value print "option --NAME: ..." and return -1. */
int ft_parse_long(const char *opt, const char *arg, long lo, long hi, long *out);
int ft_parse_seconds(const char *opt, const char *arg, double *out);
/* A comma list of whole numbers ("2,4,8"), each from lo to hi, at most `max` of them; a single
 * number is a list of one. Returns how many, or -1. */
int ft_parse_long_list(const char *opt, const char *arg, long lo, long hi, long *out, int max);
/* A probability strictly between 0 and 1 (hi_inclusive: up to 1 itself). */
int ft_parse_probability(const char *opt, const char *arg, int hi_inclusive, double *out);

#endif
