/* Allocation that cannot fail silently: out of memory stops the process with a clear message.
 *
 * The supervisor keeps what it has already written (results.json is rewritten as the run goes),
 * so stopping at once is the one policy that never reports a half-built finding as whole. */
#include "xalloc.h"
#include "exit_codes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ft_out_of_memory(size_t n)
{
    char msg[128];
    int len = snprintf(msg, sizeof msg, "ftstress: error: out of memory (allocating %zu bytes)\n", n);
    if (len > 0)
        (void)!write(STDERR_FILENO, msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg - 1);
    _exit(FT_EXIT_CANNOT_RUN);
}

void *ft_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        ft_out_of_memory(n);
    return p;
}

void *ft_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        ft_out_of_memory(count * size);
    return p;
}

void *ft_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        ft_out_of_memory(n);
    return q;
}

char *ft_xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        ft_out_of_memory(strlen(s ? s : "") + 1);
    return p;
}

char *ft_xstrndup(const char *s, size_t n)
{
    char *p = strndup(s ? s : "", n);
    if (!p)
        ft_out_of_memory(n + 1);
    return p;
}

char *ft_xasprintf(const char *fmt, ...)
{
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0)
        ft_out_of_memory(0);
    return out;
}
