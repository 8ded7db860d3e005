/* Statements of Python code blocks, as `shrink` removes them (top-level ones, and those of each
 * nested block): found by the interpreter's own `ast` module, so compound statements, decorators
 * and continuation lines stay whole. */
#ifndef FTSTRESS_SHRINK_STMTS_H
#define FTSTRESS_SHRINK_STMTS_H

#include <stddef.h>

#include "strlist.h"

/* Splits each of `n` code texts into units, one per top-level statement: a unit is the lines from
 * the statement's first line (its first decorator's) up to the next statement, so comments and
 * blank lines go with the statement above them and joining every unit gives the text back.
 * Statements that share a line (`a(); b()`) are one unit. A text Python cannot parse is one unit.
 * `out` gets n lists (caller frees each with ft_strlist_free, then the array). `tmpdir` holds the
 * helper's input. Returns 0, or -1 when the interpreter could not be run (out is then NULL). */
int ft_split_statements(const char *const *codes, size_t n, const char *tmpdir, ft_strlist **out);

/* The first block nested in `code`'s compound statements whose first statement is on a line after
 * `after`, as units: the text before the block, each of its statements (two or more), the text
 * after it (possibly empty), so that joining them gives `code` back. Returns that first line, 0
 * when there is no such block (units empty), or -1 when the interpreter could not be run. */
int ft_split_nested(const char *code, const char *tmpdir, long after, ft_strlist *units);

/* The units whose `keep` flag is set, joined: a new malloc'd string, or NULL when none is kept. */
char *ft_units_join(const ft_strlist *units, const unsigned char *keep);

#endif
