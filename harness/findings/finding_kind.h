/* What kind of thing a finding is: one enum and one table of names for every part of ftstress. */
#ifndef FTSTRESS_FINDING_KIND_H
#define FTSTRESS_FINDING_KIND_H

#include <jansson.h>
#include <stdio.h>

typedef enum ft_finding_kind {
    FT_KIND_RACE = 0, /* a TSan data race (two accesses, at least one a write) */
    FT_KIND_TSAN,     /* another TSan report: heap-use-after-free, mutex misuse, signal-unsafe call, ... */
    FT_KIND_CRASH,    /* the worker died of a signal or an abnormal exit */
    FT_KIND_HANG,     /* a round's phase overran its timeout */
    FT_KIND_ERROR,    /* a Python exception in a round, or a failing `check` */
    FT_KIND_OUTCOME,  /* the arbiter's value matched a forbidden outcome */
    FT_KINDS
} ft_finding_kind;

/* The kind's name in results documents and signatures ("race", "tsan", ...). */
const char *ft_finding_kind_name(ft_finding_kind k);
/* The kind a name stands for; -1 for an unknown name (*out untouched). */
int ft_finding_kind_parse(const char *name, ft_finding_kind *out);
/* The kind of a finding of a results document (its "kind" member); FT_KIND_TSAN when unknown. */
ft_finding_kind ft_finding_kind_of(const json_t *finding);
/* TSan saw it: a race or another TSan report. */
int ft_finding_kind_is_tsan(ft_finding_kind k);
/* The worker did not survive it: a crash or a hang. */
int ft_finding_kind_is_fatal(ft_finding_kind k);
/* What a group summary counts a finding as: "race"; a TSan report's type or a crash's signal, read
 * from the signature ("heap-use-after-free", "SIGSEGV"); else the kind's name. Written to buf. */
void ft_finding_label(ft_finding_kind k, const char *signature, char *buf, size_t size);
/* `n` and the label, plural where the label is a word that takes one: "2 races", "1 SIGSEGV". */
void ft_finding_label_count(FILE *out, long n, const char *label);

#endif
