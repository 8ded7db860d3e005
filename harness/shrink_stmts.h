/* Top-level statements of Python code blocks, as `shrink` removes them: found by the interpreter's
 * own `ast` module, so compound statements, decorators and continuation lines stay whole. */
#ifndef FTSTRESS_SHRINK_STMTS_H
#define FTSTRESS_SHRINK_STMTS_H

#include <stddef.h>

#include "scenario.h"

/* Splits each of `n` code texts into units, one per top-level statement: a unit is the lines from
 * the statement's first line (its first decorator's) up to the next statement, so comments and
 * blank lines go with the statement above them and joining every unit gives the text back.
 * Statements that share a line (`a(); b()`) are one unit. A text Python cannot parse is one unit.
 * `out` gets n lists (caller frees each with ft_strlist_free, then the array). `tmpdir` holds the
 * helper's input. Returns 0, or -1 when the interpreter could not be run (out is then NULL). */
int ft_split_statements(const char *const *codes, size_t n, const char *tmpdir, ft_strlist **out);

/* The units whose `keep` flag is set, joined: a new malloc'd string, or NULL when none is kept. */
char *ft_units_join(const ft_strlist *units, const unsigned char *keep);

#endif
