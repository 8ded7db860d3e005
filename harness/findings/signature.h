/* Finding signatures: stable names for one bug across runs, machines and builds. */
#ifndef FTSTRESS_SIGNATURE_H
#define FTSTRESS_SIGNATURE_H

#include <jansson.h>

#include "attribution.h"
#include "finding_kind.h"
#include "strlist.h"

/* What a TSan report is, as a finding: every string malloc'd, freed by ft_report_sig_free. */
typedef struct ft_report_sig {
    ft_finding_kind kind; /* FT_KIND_RACE or FT_KIND_TSAN */
    char *signature; /* race:A|B (sorted pair), race:A|? (other stack not restored), tsan:TYPE:A|B */
    char *title;
    ft_strlist functions; /* the top meaningful function of each access (or of the first stack) */
    const char *owner;    /* "target", "cpython" or "harness" (static string) */
    char *location;       /* "file:line" of the nearest target frame, else the top meaningful one */
    int degraded;         /* TSan could not restore the previous access's stack */
} ft_report_sig;

void ft_report_signature(const json_t *report, ft_report_sig *out);
void ft_report_sig_free(ft_report_sig *s);

/* Up to `max` function names for a crash or hang signature, from a native stack (innermost first):
 * meaningful frames only (frames.h), starting at the nearest frame of the extension under test
 * when it is on the stack, and without system-library frames (memcpy's name depends on the CPU).
 * Returns how many were added to `out`. */
int ft_signature_frames(const json_t *frames, int max, ft_strlist *out);

/* Index of the first frame ft_signature_frames would name, or -1. */
int ft_first_signature_frame(const json_t *frames);


/* "A|B|C" of the sorted names; `distinct` drops repeats (a race pair keeps "A|A"). malloc'd. */
char *ft_join_sorted(const ft_strlist *names, int distinct);

#endif
