/* Splits bytes read from a pipe into whole lines, keeping partial lines for the next read. */
#ifndef FTSTRESS_LINEBUF_H
#define FTSTRESS_LINEBUF_H

#include <stddef.h>

typedef struct ft_linebuf {
    char *data;
    size_t len, cap;
    int eof;
} ft_linebuf;

/* Reads what is available from `fd` (non-blocking use after poll) and calls `each` per complete
 * line (without its newline). At EOF a trailing partial line is delivered too. Returns the bytes
 * read, 0 at EOF, -1 on error. */
long ft_linebuf_read(ft_linebuf *b, int fd, void (*each)(void *ctx, char *line), void *ctx);
/* Reads raw text (no splitting) into the buffer until EOF; for the stacks pipe. */
long ft_linebuf_read_raw(ft_linebuf *b, int fd);
void ft_linebuf_free(ft_linebuf *b);

#endif
