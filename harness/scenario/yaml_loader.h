/* The scenario loader's private part: the state of one load and the strict value readers that
 * scenario_load.c's keys are built on (yaml_values.c). Not for other modules. */
#ifndef FTSTRESS_YAML_LOADER_H
#define FTSTRESS_YAML_LOADER_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

#include "scenario.h"

#define FT_MAX_THREADS 1024
#define FT_MAX_ROLES FT_MAX_THREADS /* every role runs at least one thread */
/* A scenario is three levels deep (roles, a role, its keys). libyaml's scanner re-checks every open
 * flow level for each token, so unbounded nesting costs quadratic time: 10,000 '[' took seconds. */
#define FT_MAX_DEPTH 64
/* libyaml compares each new anchor with every earlier one in its document, and looks each alias
 * up the same way: bounded, so that a file of anchors cannot cost quadratic time either. */
#define FT_MAX_ANCHORS 1000
#define FT_MAX_ALIASES 10000
#define FT_MAX_ERRORS 20              /* per file: the rest would only repeat them */
#define FT_MAX_SCENARIOS 10000        /* per file: names are checked for uniqueness pairwise */
#define FT_MAX_FILE_BYTES (64u << 20) /* 64 MiB: a 10 MB body still loads */
/* A number of seconds in (0, FT_MAX_SECONDS]: a deadline past a day is a typo, and larger values
 * would overflow the nanosecond clock arithmetic. */
#define FT_MAX_SECONDS 86400.0

/* What the walker over one document needs: the document, its file and raw text, and the sink. */
typedef struct loader {
    yaml_document_t *doc;
    const char *file;
    const char *text; /* raw file text, to find the indentation of block scalars */
    size_t text_len;
    size_t bom;                /* 3 when the text starts with a UTF-8 byte-order mark, else 0 */
    size_t at_char, at_byte;   /* byte_offset's cursor: character at_char starts at byte at_byte */
    ft_diags *diags;
    int errors;
} loader;

/* libyaml marks are 0-based; humans count from 1. This is the only conversion. */
int yl_human(size_t zero_based);
/* Too many errors in this file: stop looking. */
int yl_stopped(const loader *l);
/* An error at a node (or at line:column), counted; the message is printf-style. */
void yl_fail(loader *l, const yaml_node_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void yl_fail_at(loader *l, int line, int column, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A value for a message: cut to about 60 bytes and escaped (static buffer, one at a time). */
const char *yl_show(const char *s);
const char *yl_node_kind(const yaml_node_t *n);
int yl_is_quoted(const yaml_node_t *n);
const char *yl_scalar(const yaml_node_t *n);
/* A scalar with an escaped NUL in it is an error (C strings would cut it short). */
int yl_holds_nul(loader *l, const char *what, const yaml_node_t *n);
/* Typed readers: 0, or -1 after an error naming the key and the node's position. */
int yl_get_string(loader *l, const char *key, const yaml_node_t *n, char **out);
int yl_get_int(loader *l, const char *key, const yaml_node_t *n, long lo, long hi, int *out);
int yl_get_positive_number(loader *l, const char *key, const yaml_node_t *n, double *out);
int yl_get_strlist(loader *l, const char *key, const yaml_node_t *n, ft_strlist *out);
int yl_get_block(loader *l, const char *key, const yaml_node_t *n, ft_block *out);
void yl_strlist_reserve(ft_strlist *l, size_t more);
int yl_valid_name(const char *s);
/* The byte offset of character `char_index` of the text (libyaml counts characters). */
size_t yl_byte_offset(loader *l, size_t char_index);
/* Walks a mapping, rejecting duplicate and non-string keys; calls `each` per pair. */
typedef int (*pair_fn)(loader *l, void *ctx, const char *key, const yaml_node_t *knode, const yaml_node_t *value);
int yl_walk_mapping(loader *l, const yaml_node_t *map, void *ctx, pair_fn each);

#endif
