/* Counting a group's members by label into its summary line (see group_summary.h). */
#include "group_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void ft_group_summary_add(ft_group_summary *s, ft_finding_kind kind, const char *signature, int suppressed)
{
    char label[64];
    int side = suppressed ? 1 : 0;
    ft_strlist *labels = &s->labels[side];
    size_t k;
    ft_finding_label(kind, signature, label, sizeof label);
    for (k = 0; k < labels->count && strcmp(labels->items[k], label); k++)
        ;
    if (k == labels->count) {
        if (k == s->cap[side]) {
            s->cap[side] = s->cap[side] ? 2 * s->cap[side] : 8;
            s->counts[side] = ft_xrealloc(s->counts[side], s->cap[side] * sizeof *s->counts[side]);
        }
        s->counts[side][k] = 0;
        ft_strlist_push(labels, label);
    }
    s->counts[side][k]++;
}

char *ft_group_summary_finish(ft_group_summary *s)
{
    char *text = NULL;
    size_t len = 0;
    int side = s->labels[0].count ? 0 : 1;
    long suppressed = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        ft_out_of_memory(len);
    for (size_t k = 0; k < s->labels[side].count; k++) {
        fputs(k ? ", " : "", out);
        ft_finding_label_count(out, s->counts[side][k], s->labels[side].items[k]);
    }
    for (size_t k = 0; side == 0 && k < s->labels[1].count; k++)
        suppressed += s->counts[1][k];
    if (suppressed)
        fprintf(out, " (and %ld suppressed)", suppressed);
    if (fclose(out) != 0)
        ft_out_of_memory(len);
    for (int i = 0; i < 2; i++) {
        ft_strlist_free(&s->labels[i]);
        free(s->counts[i]);
        s->counts[i] = NULL;
        s->cap[i] = 0;
    }
    return text;
}
