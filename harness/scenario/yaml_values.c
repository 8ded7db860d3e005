/* Strict readers of YAML values for the scenario loader: types, ranges, positions, and the
 * mapping walker that rejects duplicate keys in linear time. */
#include "yaml_loader.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* libyaml marks are 0-based; humans count from 1. This is the only conversion. */
int yl_human(size_t zero_based) { return zero_based < INT_MAX ? (int)zero_based + 1 : INT_MAX; }

/* Past FT_MAX_ERRORS errors in one file the loader stops looking (one line says so). */
int yl_stopped(const loader *l) { return l->errors > FT_MAX_ERRORS; }

static void yl_vfail_at(loader *l, int line, int column, const char *fmt, va_list ap)
{
    char msg[1024];

    if (++l->errors > FT_MAX_ERRORS) {
        if (l->errors == FT_MAX_ERRORS + 1)
            ft_diags_add(l->diags, l->file, 0, 0, "more than %d errors in this file; not looking further",
                         FT_MAX_ERRORS);
        return;
    }
    vsnprintf(msg, sizeof msg, fmt, ap);
    ft_diags_add(l->diags, l->file, line, column, "%s", msg);
}

void yl_fail_at(loader *l, int line, int column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yl_vfail_at(l, line, column, fmt, ap);
    va_end(ap);
}

void yl_fail(loader *l, const yaml_node_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yl_vfail_at(l, at ? yl_human(at->start_mark.line) : 0, at ? yl_human(at->start_mark.column) : 0, fmt, ap);
    va_end(ap);
}

/* Length of the UTF-8 sequence `p` starts, when it is whole and valid enough to copy; else 0. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* A value quoted in a message: at most about 60 bytes, cut between characters, with control
 * characters escaped, so that neither a 10 MB scalar nor a terminal escape sequence reaches the
 * terminal. Four buffers in turn: one message may show up to four values. */
const char *yl_show(const char *s)
{
    static _Thread_local char bufs[4][96];
    static _Thread_local unsigned next;
    char *out = bufs[next++ % 4];
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = utf8_len(p);
        char piece[8];
        size_t plen;
        if (n == 1 && *p >= 0x20 && *p != 0x7f)
            piece[0] = (char)*p, plen = 1;
        else if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) /* C1 controls, U+0080..U+009F */
            plen = (size_t)snprintf(piece, sizeof piece, "\\u%04x", p[1]);
        else if (n > 1)
            memcpy(piece, p, n), plen = n;
        else
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *p), n = 1;
        if (o + plen > 60) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, piece, plen);
        o += plen;
        p += n;
    }
    out[o] = '\0';
    return out;
}

const char *yl_node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

int yl_is_quoted(const yaml_node_t *n)
{
    return n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
           n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

const char *yl_scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* A double-quoted "\0" puts a NUL inside a scalar; C strings would silently cut it there. */
int yl_holds_nul(loader *l, const char *what, const yaml_node_t *n)
{
    if (strlen(yl_scalar(n)) == n->data.scalar.length)
        return 0;
    yl_fail(l, n, "%s holds a NUL character (\\0), which is not allowed", what);
    return 1;
}

/* A string value: any scalar. */
int yl_get_string(loader *l, const char *key, const yaml_node_t *n, char **out)
{
    char what[64];
    if (n->type != YAML_SCALAR_NODE) {
        yl_fail(l, n, "'%s' must be a string, not %s", key, yl_node_kind(n));
        return -1;
    }
    snprintf(what, sizeof what, "'%s'", key);
    if (yl_holds_nul(l, what, n))
        return -1;
    free(*out);
    *out = ft_xstrdup(yl_scalar(n));
    return 0;
}

/* An integer in [lo, hi], written as a plain (unquoted) scalar. */
int yl_get_int(loader *l, const char *key, const yaml_node_t *n, long lo, long hi, int *out)
{
    const char *s;
    char *end;
    long v;

    if (n->type != YAML_SCALAR_NODE || yl_is_quoted(n)) {
        yl_fail(l, n, "'%s' must be an integer, not %s", key, n->type == YAML_SCALAR_NODE ? "a string" : yl_node_kind(n));
        return -1;
    }
    s = yl_scalar(n);
    errno = 0;
    v = strtol(s, &end, 10);
    if ((errno && errno != ERANGE) || end == s || *end || isspace((unsigned char)*s)) {
        yl_fail(l, n, "'%s' must be an integer, got '%s'", key, yl_show(s));
        return -1;
    }
    /* Past 64 bits strtol says ERANGE and saturates: the value is then out of range either way. */
    if (errno == ERANGE || v < lo || v > hi) {
        if (hi == INT_MAX && v < lo)
            yl_fail(l, n, "'%s' must be at least %ld, got %s", key, lo, yl_show(s));
        else if (hi == INT_MAX)
            yl_fail(l, n, "'%s' must be at most %ld, got %s", key, hi, yl_show(s));
        else
            yl_fail(l, n, "'%s' must be between %ld and %ld, got %s", key, lo, hi, yl_show(s));
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* A number of seconds in (0, FT_MAX_SECONDS]: a deadline past a day is a typo, and larger values
 * would overflow the nanosecond clock arithmetic. */

int yl_get_positive_number(loader *l, const char *key, const yaml_node_t *n, double *out)
{
    const char *s;
    char *end;
    double v;

    if (n->type != YAML_SCALAR_NODE || yl_is_quoted(n)) {
        yl_fail(l, n, "'%s' must be a number of seconds, not %s", key, n->type == YAML_SCALAR_NODE ? "a string" : yl_node_kind(n));
        return -1;
    }
    s = yl_scalar(n);
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end || isspace((unsigned char)*s) || !isfinite(v)) {
        yl_fail(l, n, "'%s' must be a number of seconds, got '%s'", key, yl_show(s));
        return -1;
    }
    /* ERANGE: too large (caught by the bound) or too small to tell from 0 (caught by it too). */
    if (v <= 0 || v > FT_MAX_SECONDS || (errno == ERANGE && v < 1)) {
        yl_fail(l, n, "'%s' must be greater than 0 and at most %g seconds (a day), got %s", key, FT_MAX_SECONDS,
             yl_show(s));
        return -1;
    }
    *out = v;
    return 0;
}

/* Makes room for `more` items at once: lists as long as the file allows cost linear time. */
void yl_strlist_reserve(ft_strlist *l, size_t more)
{
    l->items = ft_xrealloc(l->items, (l->count + more) * sizeof *l->items);
}

/* A list of strings; `[a, b]` or a block list. */
int yl_get_strlist(loader *l, const char *key, const yaml_node_t *n, ft_strlist *out)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        yl_fail(l, n, "'%s' must be a list of strings, not %s", key, yl_node_kind(n));
        return -1;
    }
    yl_strlist_reserve(out, (size_t)(n->data.sequence.items.top - n->data.sequence.items.start));
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(l->doc, *it);
        char what[80];
        if (item->type != YAML_SCALAR_NODE) {
            yl_fail(l, item, "every item of '%s' must be a string, not %s", key, yl_node_kind(item));
            return -1;
        }
        snprintf(what, sizeof what, "an item of '%s'", key);
        if (yl_holds_nul(l, what, item))
            return -1;
        out->items[out->count++] = ft_xstrdup(yl_scalar(item));
    }
    return 0;
}

/* libyaml's marks count characters (and not the byte-order mark it skips); the raw text is UTF-8
 * bytes. Returns the byte where character `char_index` starts; consecutive calls move on from the
 * last answer, so that a file's blocks cost one pass over it. */
size_t yl_byte_offset(loader *l, size_t char_index)
{
    if (char_index < l->at_char) {
        l->at_char = 0;
        l->at_byte = l->bom;
    }
    while (l->at_char < char_index && l->at_byte < l->text_len) {
        unsigned char c = (unsigned char)l->text[l->at_byte];
        l->at_byte += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        l->at_char++;
    }
    if (l->at_byte > l->text_len)
        l->at_byte = l->text_len;
    return l->at_byte;
}

/* Column where the content of a block scalar starts: the indentation of its first non-blank line
 * after the `|` or `>` indicator. libyaml does not report it, so it is read off the raw text. */
static int block_column(loader *l, const yaml_node_t *n)
{
    const char *t = l->text;
    size_t len = l->text_len, pos = yl_byte_offset(l, n->start_mark.index);

    while (pos < len && t[pos] != '\n' && t[pos] != '\r')
        pos++;
    while (pos < len) {
        size_t start;
        pos += t[pos] == '\r' && pos + 1 < len && t[pos + 1] == '\n' ? 2 : 1; /* the line break */
        start = pos;
        while (pos < len && t[pos] == ' ')
            pos++;
        if (pos < len && t[pos] != '\n' && t[pos] != '\r')
            return pos - start < INT_MAX ? (int)(pos - start) + 1 : INT_MAX;
    }
    return 1;
}

/* A Python code block, with the position of its first code line (see ft_block). */
int yl_get_block(loader *l, const char *key, const yaml_node_t *n, ft_block *out)
{
    char what[64];
    if (n->type != YAML_SCALAR_NODE) {
        yl_fail(l, n, "'%s' must be Python code (a string), not %s", key, yl_node_kind(n));
        return -1;
    }
    snprintf(what, sizeof what, "'%s'", key);
    if (yl_holds_nul(l, what, n))
        return -1;
    free(out->code);
    out->code = ft_xstrdup(yl_scalar(n));
    if (n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE || n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE) {
        /* Leading blank lines stay in the value, so line 1 of the code is the line after `|`. */
        out->column = block_column(l, n);
        out->line = yl_human(n->start_mark.line + 1);
    } else {
        out->line = yl_human(n->start_mark.line);
        out->column = yl_human(n->start_mark.column + (yl_is_quoted(n) ? 1 : 0));
    }
    return 0;
}

int yl_valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
            return 0;
    return 1;
}

/* Walks a mapping, rejecting duplicate keys and non-string keys; calls `each` per pair. */

typedef struct key_ref {
    const char *key;
    size_t index;
} key_ref;

static int by_key_then_index(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

int yl_walk_mapping(loader *l, const yaml_node_t *map, void *ctx, pair_fn each)
{
    yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
    size_t n = (size_t)(map->data.mapping.pairs.top - pairs), nkeys = 0;
    /* first[i]: the earlier pair whose key pair i repeats, or i itself. Found by sorting, so that a
     * mapping of a million keys (an `env` written by a script, or an attack) costs n log n. */
    size_t *first = ft_xcalloc(n ? n : 1, sizeof *first);
    key_ref *keys = ft_xcalloc(n ? n : 1, sizeof *keys);

    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k = yaml_document_get_node(l->doc, pairs[i].key);
        first[i] = i;
        if (k && k->type == YAML_SCALAR_NODE)
            keys[nkeys++] = (key_ref){yl_scalar(k), i};
    }
    qsort(keys, nkeys, sizeof *keys, by_key_then_index);
    for (size_t i = 1; i < nkeys; i++)
        if (!strcmp(keys[i].key, keys[i - 1].key))
            first[keys[i].index] = first[keys[i - 1].index];
    free(keys);

    for (size_t i = 0; i < n && !yl_stopped(l); i++) {
        yaml_node_t *k = yaml_document_get_node(l->doc, pairs[i].key);
        yaml_node_t *v = yaml_document_get_node(l->doc, pairs[i].value);
        if (k->type != YAML_SCALAR_NODE) {
            yl_fail(l, k, "keys must be strings, not %s", yl_node_kind(k));
            continue;
        }
        if (yl_holds_nul(l, "a key", k))
            continue;
        if (first[i] != i) {
            const yaml_node_t *prev = yaml_document_get_node(l->doc, pairs[first[i]].key);
            yl_fail(l, k, "duplicate key '%s' (first at line %d)", yl_show(yl_scalar(k)), yl_human(prev->start_mark.line));
            continue;
        }
        each(l, ctx, yl_scalar(k), k, v);
    }
    free(first);
    return 0;
}
