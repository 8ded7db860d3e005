/* Positioned errors in input files, printed netplan-style with the source line and a caret. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

void ft_diags_add(ft_diags *d, const char *file, int line, int column, const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = ft_xstrdup("(out of memory formatting this message)");
    va_end(ap);
    d->items = ft_xrealloc(d->items, (d->count + 1) * sizeof *d->items);
    d->items[d->count++] = (ft_diag){ft_xstrdup(file ? file : "<input>"), line, column, msg};
}

/* Line `line` (1-based) of `file`, without its line break; NULL when it cannot be read. Only
 * regular files are read again: a pipe or a device named on the command line is not. */
static char *source_line(const char *file, int line)
{
    struct stat st;
    FILE *f;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int n = 0;

    if (stat(file, &st) != 0 || !S_ISREG(st.st_mode) || !(f = fopen(file, "r")))
        return NULL;
    while ((len = getline(&buf, &cap, f)) >= 0)
        if (++n == line)
            break;
    fclose(f);
    if (len < 0) {
        free(buf);
        return NULL;
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    if (line == 1 && !strncmp(buf, "\xEF\xBB\xBF", 3)) /* the byte-order mark: no column of its own */
        memmove(buf, buf + 3, (size_t)len - 2);
    return buf;
}

/* Bytes in the UTF-8 character at `p`: 1 for anything that does not start a whole sequence. */
static size_t char_len(const unsigned char *p)
{
    size_t n = p[0] < 0xC0 ? 1 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : p[0] < 0xF8 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* Prints `text` with a caret under character `column` (1-based). Long lines are cut to a window of
 * about 100 characters around the column; control characters and broken UTF-8 are shown as '?', so
 * that neither the terminal nor the caret's alignment depend on what the file holds. */
static void print_source(FILE *out, const char *text, int column)
{
    enum { WINDOW = 100, BEFORE = 40 };
    const unsigned char *p = (const unsigned char *)text;
    int skip = column > WINDOW - 20 ? column - BEFORE : 0, ch = 0, shown = 0, caret = -1;
    size_t cap = strlen(text) < 4 * WINDOW ? strlen(text) + 8 : 4 * WINDOW + 8;
    char *line = ft_xmalloc(cap + 1), *pad = ft_xmalloc(WINDOW + 8);
    size_t o = 0, padlen = 0;

    if (skip > 0) {
        memcpy(line, "...", 3), o = 3;
        memcpy(pad, "   ", 3), padlen = 3;
    }
    for (; *p && shown < WINDOW; ch++) {
        size_t n = char_len(p);
        if (ch >= skip) {
            int tab = *p == '\t';
            if (ch + 1 == column)
                caret = (int)padlen;
            if (n == 1 && (*p < 0x20 || *p >= 0x7f) && !tab)
                line[o++] = '?';
            else if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) /* C1 controls */
                line[o++] = '?';
            else
                memcpy(line + o, p, n), o += n;
            if (caret < 0)
                pad[padlen++] = tab ? '\t' : ' ';
            shown++;
        }
        p += n;
    }
    if (*p)
        memcpy(line + o, "...", 3), o += 3;
    line[o] = '\0';
    if (caret < 0) /* past the end of the line (or of the window): the caret follows the text */
        caret = (int)padlen;
    pad[caret] = '\0';
    fprintf(out, "  %s\n  %s^\n", line, pad);
    free(line);
    free(pad);
}

void ft_diags_fprint(FILE *out, const ft_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        const ft_diag *e = &d->items[i];
        char *text = e->line > 0 ? source_line(e->file, e->line) : NULL;

        if (e->line > 0)
            fprintf(out, "%s:%d:%d: error: %s\n", e->file, e->line, e->column > 0 ? e->column : 1, e->message);
        else
            fprintf(out, "%s: error: %s\n", e->file, e->message);
        if (text)
            print_source(out, text, e->column > 0 ? e->column : 1);
        free(text);
    }
}

void ft_diags_print(const ft_diags *d) { ft_diags_fprint(stderr, d); }

void ft_diags_free(ft_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    *d = (ft_diags){0};
}
