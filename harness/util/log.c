/* Diagnostics for humans on stderr, filtered by verbosity. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

/* Set once from the command line before any worker or thread exists. */
static int verbosity = FT_NORMAL;

void ft_set_verbosity(int level) { verbosity = level; }
int ft_verbosity(void) { return verbosity; }

static void emit(const char *prefix, const char *fmt, va_list ap)
{
    /* One fprintf per line keeps lines whole when workers share stderr. */
    char line[4096];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "ftstress: %s%s\n", prefix, line);
}

void ft_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error: ", fmt, ap);
    va_end(ap);
}

void ft_warn(const char *fmt, ...)
{
    va_list ap;
    if (verbosity < FT_NORMAL)
        return;
    va_start(ap, fmt);
    emit("warning: ", fmt, ap);
    va_end(ap);
}

void ft_info(const char *fmt, ...)
{
    va_list ap;
    if (verbosity < FT_NORMAL)
        return;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}

void ft_debug(const char *fmt, ...)
{
    va_list ap;
    if (verbosity < FT_VERBOSE)
        return;
    va_start(ap, fmt);
    emit("debug: ", fmt, ap);
    va_end(ap);
}
