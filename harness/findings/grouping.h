/* Root-cause groups: findings whose stacks connect through the same functions or racing object. */
#ifndef FTSTRESS_GROUPING_H
#define FTSTRESS_GROUPING_H

#include <jansson.h>

#include "results.h"

/* Anchors are what connects findings: "fn:NAME" for a function of the extension under test (it
 * connects across scenarios), "fn@SCENARIO:NAME" for other functions (CPython's C code: only within
 * one scenario, where the same object is exercised), "obj:WORKER:ADDRESS" for a racing heap object
 * of one worker process; "mod:NAME" naming the extension module and "alloc:NAME" for a top frame
 * that called the allocator (neither connects: they name, see grouping.c). */
void ft_anchors_from_report(ft_strlist *anchors, const json_t *report, const char *scenario);
/* From a native stack of a crash: its signature frames and nearest target frame. */
void ft_anchors_from_native(ft_strlist *anchors, const json_t *frames, const char *scenario);
/* From every thread's native stack of a hang: the frame naming each thread (hang.c). */
void ft_anchors_from_hang(ft_strlist *anchors, const json_t *native, const char *scenario);

/* Whether an anchor connects findings (a function or an object; "mod:" and "alloc:" do not). */
int ft_anchor_connects(const char *anchor);

/* Rebuilds r->groups from the findings' anchors (union of findings sharing one), names each and
 * marks findings that join a group holding a baselined finding as known. */
void ft_groups_build(ft_results *r);
void ft_groups_free(ft_results *r);

#endif
