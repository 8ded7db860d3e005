/* Positioned errors in input files, printed netplan-style with the source line and a caret. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ft_diags_add(ft_diags *d, const char *file, int line, int column, const char *fmt, ...)
{
    ft_diag *grown = realloc(d->items, (d->count + 1) * sizeof *grown);
    va_list ap;
    char *msg = NULL;

    if (!grown)
        abort();
    d->items = grown;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    d->items[d->count++] = (ft_diag){strdup(file ? file : "<input>"), line, column, msg};
}

/* Returns line number `line` of `file` (1-based) in a static buffer, or NULL. */
static const char *source_line(const char *file, int line)
{
    static char buf[512];
    FILE *f = fopen(file, "r");
    int n = 0;

    if (!f)
        return NULL;
    while (fgets(buf, sizeof buf, f)) {
        if (++n == line) {
            fclose(f);
            buf[strcspn(buf, "\r\n")] = '\0';
            return buf;
        }
        /* Skip the rest of an overlong line so numbering stays right. */
        while (!strchr(buf, '\n') && fgets(buf, sizeof buf, f))
            ;
    }
    fclose(f);
    return NULL;
}

void ft_diags_print(const ft_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        const ft_diag *e = &d->items[i];
        const char *text = e->line > 0 ? source_line(e->file, e->line) : NULL;

        if (e->line > 0)
            fprintf(stderr, "%s:%d:%d: error: %s\n", e->file, e->line, e->column > 0 ? e->column : 1,
                    e->message);
        else
            fprintf(stderr, "%s: error: %s\n", e->file, e->message);
        if (text) {
            fprintf(stderr, "  %s\n  ", text);
            for (int c = 1; c < e->column && text[c - 1]; c++)
                fputc(text[c - 1] == '\t' ? '\t' : ' ', stderr);
            fputs("^\n", stderr);
        }
    }
}

void ft_diags_free(ft_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    *d = (ft_diags){0};
}
