/* Splits bytes read from a pipe into whole lines, keeping partial lines for the next read. */
#include "linebuf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

/* Raw text is capped: a worker that prints stacks forever must not exhaust the supervisor. */
#define RAW_CAP (4u << 20)

static long fill(ft_linebuf *b, int fd)
{
    ssize_t n;
    if (b->cap - b->len < 65536) {
        b->cap = b->cap ? b->cap * 2 : 131072;
        b->data = ft_xrealloc(b->data, b->cap);
    }
    n = read(fd, b->data + b->len, b->cap - b->len - 1);
    if (n == 0)
        b->eof = 1;
    if (n > 0)
        b->len += (size_t)n;
    return (long)n;
}

long ft_linebuf_read(ft_linebuf *b, int fd, void (*each)(void *ctx, char *line), void *ctx)
{
    long n = fill(b, fd);
    size_t start = 0;

    for (size_t i = 0; i < b->len; i++)
        if (b->data[i] == '\n') {
            b->data[i] = '\0';
            each(ctx, b->data + start);
            start = i + 1;
        }
    if (b->eof && start < b->len) {
        b->data[b->len] = '\0';
        each(ctx, b->data + start);
        start = b->len;
    }
    memmove(b->data, b->data + start, b->len - start);
    b->len -= start;
    return n;
}

long ft_linebuf_read_raw(ft_linebuf *b, int fd)
{
    static int warned;
    long n = fill(b, fd);
    if (b->len > RAW_CAP) {
        b->len = RAW_CAP;
        if (!warned++)
            ft_warn("a worker wrote more than %u MiB of stacks; the rest was not kept (RAW_CAP in harness/supervisor/linebuf.c)",
                    RAW_CAP >> 20);
    }
    if (b->data)
        b->data[b->len] = '\0';
    return n;
}

void ft_linebuf_free(ft_linebuf *b)
{
    free(b->data);
    *b = (ft_linebuf){0};
}
