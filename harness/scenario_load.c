/* Loads version-1 scenario documents with libyaml's document API, strictly, with positions.
 *
 * The input is hostile until proven otherwise (scripts/fuzz-loader runs this file under libFuzzer,
 * ASan and UBSan): every error names file:line:column, values quoted in messages are cut short and
 * escaped, nothing in the file can make the loader take more than linear time or memory, and each
 * limit it enforces says so with the file's position. */
#include "scenario.h"
#include "outcomes.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "xalloc.h"

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
static int human(size_t zero_based) { return zero_based < INT_MAX ? (int)zero_based + 1 : INT_MAX; }

/* Past FT_MAX_ERRORS errors in one file the loader stops looking (one line says so). */
static int stopped(const loader *l) { return l->errors > FT_MAX_ERRORS; }

static void vfail_at(loader *l, int line, int column, const char *fmt, va_list ap)
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

static void fail_at(loader *l, int line, int column, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail_at(loader *l, int line, int column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(l, line, column, fmt, ap);
    va_end(ap);
}

static void fail(loader *l, const yaml_node_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(loader *l, const yaml_node_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(l, at ? human(at->start_mark.line) : 0, at ? human(at->start_mark.column) : 0, fmt, ap);
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
static const char *show(const char *s)
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

static const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static int is_quoted(const yaml_node_t *n)
{
    return n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
           n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* A double-quoted "\0" puts a NUL inside a scalar; C strings would silently cut it there. */
static int holds_nul(loader *l, const char *what, const yaml_node_t *n)
{
    if (strlen(scalar(n)) == n->data.scalar.length)
        return 0;
    fail(l, n, "%s holds a NUL character (\\0), which is not allowed", what);
    return 1;
}

/* A string value: any scalar. */
static int get_string(loader *l, const char *key, const yaml_node_t *n, char **out)
{
    char what[64];
    if (n->type != YAML_SCALAR_NODE) {
        fail(l, n, "'%s' must be a string, not %s", key, node_kind(n));
        return -1;
    }
    snprintf(what, sizeof what, "'%s'", key);
    if (holds_nul(l, what, n))
        return -1;
    free(*out);
    *out = ft_xstrdup(scalar(n));
    return 0;
}

/* An integer in [lo, hi], written as a plain (unquoted) scalar. */
static int get_int(loader *l, const char *key, const yaml_node_t *n, long lo, long hi, int *out)
{
    const char *s;
    char *end;
    long v;

    if (n->type != YAML_SCALAR_NODE || is_quoted(n)) {
        fail(l, n, "'%s' must be an integer, not %s", key, n->type == YAML_SCALAR_NODE ? "a string" : node_kind(n));
        return -1;
    }
    s = scalar(n);
    errno = 0;
    v = strtol(s, &end, 10);
    if ((errno && errno != ERANGE) || end == s || *end || isspace((unsigned char)*s)) {
        fail(l, n, "'%s' must be an integer, got '%s'", key, show(s));
        return -1;
    }
    /* Past 64 bits strtol says ERANGE and saturates: the value is then out of range either way. */
    if (errno == ERANGE || v < lo || v > hi) {
        if (hi == INT_MAX && v < lo)
            fail(l, n, "'%s' must be at least %ld, got %s", key, lo, show(s));
        else if (hi == INT_MAX)
            fail(l, n, "'%s' must be at most %ld, got %s", key, hi, show(s));
        else
            fail(l, n, "'%s' must be between %ld and %ld, got %s", key, lo, hi, show(s));
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* A number of seconds in (0, FT_MAX_SECONDS]: a deadline past a day is a typo, and larger values
 * would overflow the nanosecond clock arithmetic. */
#define FT_MAX_SECONDS 86400.0

static int get_positive_number(loader *l, const char *key, const yaml_node_t *n, double *out)
{
    const char *s;
    char *end;
    double v;

    if (n->type != YAML_SCALAR_NODE || is_quoted(n)) {
        fail(l, n, "'%s' must be a number of seconds, not %s", key, n->type == YAML_SCALAR_NODE ? "a string" : node_kind(n));
        return -1;
    }
    s = scalar(n);
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end || isspace((unsigned char)*s) || !isfinite(v)) {
        fail(l, n, "'%s' must be a number of seconds, got '%s'", key, show(s));
        return -1;
    }
    /* ERANGE: too large (caught by the bound) or too small to tell from 0 (caught by it too). */
    if (v <= 0 || v > FT_MAX_SECONDS || (errno == ERANGE && v < 1)) {
        fail(l, n, "'%s' must be greater than 0 and at most %g seconds (a day), got %s", key, FT_MAX_SECONDS,
             show(s));
        return -1;
    }
    *out = v;
    return 0;
}

/* Makes room for `more` items at once: lists as long as the file allows cost linear time. */
static void strlist_reserve(ft_strlist *l, size_t more)
{
    l->items = ft_xrealloc(l->items, (l->count + more) * sizeof *l->items);
}

/* A list of strings; `[a, b]` or a block list. */
static int get_strlist(loader *l, const char *key, const yaml_node_t *n, ft_strlist *out)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        fail(l, n, "'%s' must be a list of strings, not %s", key, node_kind(n));
        return -1;
    }
    strlist_reserve(out, (size_t)(n->data.sequence.items.top - n->data.sequence.items.start));
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(l->doc, *it);
        char what[80];
        if (item->type != YAML_SCALAR_NODE) {
            fail(l, item, "every item of '%s' must be a string, not %s", key, node_kind(item));
            return -1;
        }
        snprintf(what, sizeof what, "an item of '%s'", key);
        if (holds_nul(l, what, item))
            return -1;
        out->items[out->count++] = ft_xstrdup(scalar(item));
    }
    return 0;
}

/* libyaml's marks count characters (and not the byte-order mark it skips); the raw text is UTF-8
 * bytes. Returns the byte where character `char_index` starts; consecutive calls move on from the
 * last answer, so that a file's blocks cost one pass over it. */
static size_t byte_offset(loader *l, size_t char_index)
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
    size_t len = l->text_len, pos = byte_offset(l, n->start_mark.index);

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
static int get_block(loader *l, const char *key, const yaml_node_t *n, ft_block *out)
{
    char what[64];
    if (n->type != YAML_SCALAR_NODE) {
        fail(l, n, "'%s' must be Python code (a string), not %s", key, node_kind(n));
        return -1;
    }
    snprintf(what, sizeof what, "'%s'", key);
    if (holds_nul(l, what, n))
        return -1;
    free(out->code);
    out->code = ft_xstrdup(scalar(n));
    if (n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE || n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE) {
        /* Leading blank lines stay in the value, so line 1 of the code is the line after `|`. */
        out->column = block_column(l, n);
        out->line = human(n->start_mark.line + 1);
    } else {
        out->line = human(n->start_mark.line);
        out->column = human(n->start_mark.column + (is_quoted(n) ? 1 : 0));
    }
    return 0;
}

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
            return 0;
    return 1;
}

/* Walks a mapping, rejecting duplicate keys and non-string keys; calls `each` per pair. */
typedef int (*pair_fn)(loader *l, void *ctx, const char *key, const yaml_node_t *knode, const yaml_node_t *value);

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

static int walk_mapping(loader *l, const yaml_node_t *map, void *ctx, pair_fn each)
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
            keys[nkeys++] = (key_ref){scalar(k), i};
    }
    qsort(keys, nkeys, sizeof *keys, by_key_then_index);
    for (size_t i = 1; i < nkeys; i++)
        if (!strcmp(keys[i].key, keys[i - 1].key))
            first[keys[i].index] = first[keys[i - 1].index];
    free(keys);

    for (size_t i = 0; i < n && !stopped(l); i++) {
        yaml_node_t *k = yaml_document_get_node(l->doc, pairs[i].key);
        yaml_node_t *v = yaml_document_get_node(l->doc, pairs[i].value);
        if (k->type != YAML_SCALAR_NODE) {
            fail(l, k, "keys must be strings, not %s", node_kind(k));
            continue;
        }
        if (holds_nul(l, "a key", k))
            continue;
        if (first[i] != i) {
            const yaml_node_t *prev = yaml_document_get_node(l->doc, pairs[first[i]].key);
            fail(l, k, "duplicate key '%s' (first at line %d)", show(scalar(k)), human(prev->start_mark.line));
            continue;
        }
        each(l, ctx, scalar(k), k, v);
    }
    free(first);
    return 0;
}

static int role_pair(loader *l, void *ctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    ft_role *r = ctx;
    if (!strcmp(key, "name")) {
        if (get_string(l, key, v, &r->name) == 0 && !valid_name(r->name))
            fail(l, v, "role name '%s' may only use letters, digits, '_', '.' and '-'", show(r->name));
    } else if (!strcmp(key, "threads"))
        get_int(l, key, v, 1, FT_MAX_THREADS, &r->threads);
    else if (!strcmp(key, "iterations"))
        get_int(l, key, v, 1, INT_MAX, &r->iterations);
    else if (!strcmp(key, "body"))
        get_block(l, key, v, &r->body);
    else
        fail(l, k, "unknown key '%s' in a role (expected name, threads, iterations, body)", show(key));
    return 0;
}

static void load_roles(loader *l, ft_scenario *s, const yaml_node_t *n)
{
    size_t count;

    if (n->type != YAML_SEQUENCE_NODE) {
        fail(l, n, "'roles' must be a list of mappings, not %s", node_kind(n));
        return;
    }
    count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count > FT_MAX_ROLES) {
        fail(l, n, "'roles' lists %zu roles; at most %d are allowed (each runs at least one thread)", count,
             FT_MAX_ROLES);
        return;
    }
    s->roles = ft_xcalloc(count ? count : 1, sizeof *s->roles);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top && !stopped(l); it++) {
        yaml_node_t *item = yaml_document_get_node(l->doc, *it);
        ft_role r = {.threads = 1, .iterations = 0};
        if (item->type != YAML_MAPPING_NODE) {
            fail(l, item, "each role must be a mapping with name, threads and body, not %s", node_kind(item));
            continue;
        }
        walk_mapping(l, item, &r, role_pair);
        if (!r.name)
            fail(l, item, "role needs a 'name'");
        if (!r.body.code)
            fail(l, item, "role '%s' needs a 'body'", r.name ? show(r.name) : "?");
        /* Roles without a name (an error already) have none to compare. */
        for (size_t i = 0; r.name && i < s->nroles; i++)
            if (s->roles[i].name && !strcmp(s->roles[i].name, r.name))
                fail(l, item, "duplicate role name '%s'", show(r.name));
        s->roles[s->nroles++] = r;
    }
    if (count == 0)
        fail(l, n, "'roles' must list at least one role");
}

static void load_env(loader *l, ft_scenario *s, const yaml_node_t *n);

/* Per-document state for the top-level keys that interact (body/threads/roles). */
/* One entry of `outcomes:` (match, verdict, description), strictly. */
static int outcome_pair(loader *l, void *ctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    ft_outcome_rule *r = ctx;
    if (!strcmp(key, "match"))
        get_string(l, key, v, &r->match);
    else if (!strcmp(key, "description"))
        get_string(l, key, v, &r->description);
    else if (!strcmp(key, "verdict")) {
        if (v->type != YAML_SCALAR_NODE || ft_verdict_parse(scalar(v), &r->verdict) != 0)
            fail(l, v, "'verdict' must be one of acceptable, interesting, forbidden");
    } else
        fail(l, k, "unknown key '%s' in an outcome (expected match, verdict, description)", show(key));
    return 0;
}

static void load_outcomes(loader *l, ft_scenario *s, const yaml_node_t *n)
{
    size_t count;
    if (n->type != YAML_SEQUENCE_NODE) {
        fail(l, n, "'outcomes' must be a list of mappings (match, verdict, description), not %s", node_kind(n));
        return;
    }
    count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    s->outcome_rules = ft_xcalloc(count ? count : 1, sizeof *s->outcome_rules);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top && !stopped(l); it++) {
        yaml_node_t *item = yaml_document_get_node(l->doc, *it);
        ft_outcome_rule r = {.verdict = FT_FORBIDDEN_RESULT, .line = human(item->start_mark.line)};
        int missing_verdict = 1;
        if (item->type != YAML_MAPPING_NODE) {
            fail(l, item, "each outcome must be a mapping with match, verdict and description, not %s",
                 node_kind(item));
            continue;
        }
        for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
            yaml_node_t *key = yaml_document_get_node(l->doc, p->key);
            missing_verdict &= !(key->type == YAML_SCALAR_NODE && !strcmp(scalar(key), "verdict"));
        }
        walk_mapping(l, item, &r, outcome_pair);
        if (!r.match || missing_verdict)
            fail(l, item, "an outcome needs 'match' and 'verdict'");
        if (!r.description)
            r.description = ft_xstrdup(r.match ? r.match : "?");
        s->outcome_rules[s->noutcome_rules++] = r;
    }
}

typedef struct doc_ctx {
    ft_scenario *s;
    const yaml_node_t *arbiter_key, *outcomes_key;
    const yaml_node_t *body_key, *body, *threads_key, *roles_key, *roles;
    int threads_value;
    const char *base_dir;
} doc_ctx;

static int top_pair(loader *l, void *vctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    doc_ctx *c = vctx;
    ft_scenario *s = c->s;

    if (!strcmp(key, "name")) {
        if (get_string(l, key, v, &s->name) == 0 && !valid_name(s->name))
            fail(l, v, "name '%s' may only use letters, digits, '_', '.' and '-'", show(s->name));
    } else if (!strcmp(key, "description"))
        get_string(l, key, v, &s->description);
    else if (!strcmp(key, "tags"))
        get_strlist(l, key, v, &s->tags);
    else if (!strcmp(key, "imports"))
        get_strlist(l, key, v, &s->imports);
    else if (!strcmp(key, "path")) {
        ft_strlist raw = {0};
        if (get_strlist(l, key, v, &raw) == 0) {
            strlist_reserve(&s->paths, raw.count);
            for (size_t i = 0; i < raw.count; i++)
                s->paths.items[s->paths.count++] = raw.items[i][0] == '/'
                                                       ? ft_xstrdup(raw.items[i])
                                                       : ft_xasprintf("%s/%s", c->base_dir, raw.items[i]);
        }
        ft_strlist_free(&raw);
    } else if (!strcmp(key, "env"))
        load_env(l, s, v);
    else if (!strcmp(key, "setup_once"))
        get_block(l, key, v, &s->setup_once);
    else if (!strcmp(key, "setup"))
        get_block(l, key, v, &s->setup);
    else if (!strcmp(key, "check"))
        get_block(l, key, v, &s->check);
    else if (!strcmp(key, "teardown"))
        get_block(l, key, v, &s->teardown);
    else if (!strcmp(key, "arbiter")) {
        c->arbiter_key = k;
        get_block(l, key, v, &s->arbiter);
    } else if (!strcmp(key, "outcomes")) {
        c->outcomes_key = k;
        load_outcomes(l, s, v);
    } else if (!strcmp(key, "threads")) {
        c->threads_key = k;
        get_int(l, key, v, 1, FT_MAX_THREADS, &c->threads_value);
    } else if (!strcmp(key, "body")) {
        c->body_key = k;
        c->body = v;
    } else if (!strcmp(key, "roles")) {
        c->roles_key = k;
        c->roles = v;
    }
    else if (!strcmp(key, "iterations"))
        get_int(l, key, v, 1, INT_MAX, &s->iterations);
    else if (!strcmp(key, "rounds"))
        get_int(l, key, v, 1, INT_MAX, &s->rounds);
    else if (!strcmp(key, "rounds_per_worker"))
        get_int(l, key, v, 1, INT_MAX, &s->rounds_per_worker);
    else if (!strcmp(key, "timeout"))
        get_positive_number(l, key, v, &s->timeout);
    else if (!strcmp(key, "setup_timeout"))
        get_positive_number(l, key, v, &s->setup_timeout);
    else if (!strcmp(key, "ignore_exceptions"))
        get_strlist(l, key, v, &s->ignore_exceptions);
    else if (!strcmp(key, "expect")) {
        if (v->type != YAML_SCALAR_NODE || ft_outcome_parse(scalar(v), &s->expect) != 0)
            fail(l, v, "'expect' must be one of clean, race, crash, hang, error, forbidden");
    } else
        fail(l, k, "unknown key '%s' (see the scenario format in README.md)", show(key));
    return 0;
}

static int env_pair(loader *l, void *ctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    ft_scenario *s = ctx;
    if (v->type != YAML_SCALAR_NODE) {
        fail(l, v, "env value of '%s' must be a string, not %s", show(key), node_kind(v));
        return 0;
    }
    if (!*key || strchr(key, '=')) {
        fail(l, k, "'%s' is not a valid environment variable name", show(key));
        return 0;
    }
    if (holds_nul(l, "an env value", v))
        return 0;
    s->env.items[s->env.count++] = ft_xasprintf("%s=%s", key, scalar(v));
    return 0;
}

static void load_env(loader *l, ft_scenario *s, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        fail(l, n, "'env' must be a mapping of names to strings, not %s", node_kind(n));
        return;
    }
    strlist_reserve(&s->env, (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start));
    walk_mapping(l, n, s, env_pair);
}

/* Fills `s` from one document's root; returns the number of errors found in it. */
static int load_document(loader *l, yaml_node_t *root, const char *base_dir, ft_scenario *s)
{
    doc_ctx c = {.s = s, .base_dir = base_dir, .threads_value = 4};
    int before = l->errors;

    *s = (ft_scenario){.file = ft_xstrdup(l->file), .line = human(root->start_mark.line), .iterations = 1,
                       .rounds = 100, .timeout = 60.0, .setup_timeout = 300.0, .expect = FT_CLEAN};
    if (root->type != YAML_MAPPING_NODE) {
        fail(l, root, "a scenario must be a mapping of keys, not %s", node_kind(root));
        return l->errors - before;
    }
    walk_mapping(l, root, &c, top_pair);
    if (stopped(l))
        return l->errors - before;
    if (!s->name)
        fail(l, root, "scenario needs a 'name'");
    if (c.arbiter_key && !c.outcomes_key)
        fail(l, c.arbiter_key, "an 'arbiter' needs 'outcomes' that grade its values");
    if (c.outcomes_key && !c.arbiter_key)
        fail(l, c.outcomes_key, "'outcomes' grade the values of an 'arbiter', which this scenario lacks");
    if (c.body && c.roles)
        fail(l, c.roles_key, "use either 'body' (with 'threads') or 'roles', not both");
    else if (c.roles) {
        if (c.threads_key)
            fail(l, c.threads_key, "'threads' goes inside each role when 'roles' is used");
        load_roles(l, s, c.roles);
    } else if (c.body) {
        ft_role r = {.name = ft_xstrdup("body"), .threads = c.threads_value};
        if (get_block(l, "body", c.body, &r.body) == 0) {
            s->roles = ft_xcalloc(1, sizeof *s->roles);
            s->roles[0] = r;
            s->nroles = 1;
        } else
            free(r.name);
    } else
        fail(l, root, "scenario '%s' needs a 'body' (run by 'threads' threads) or 'roles'",
             s->name ? show(s->name) : "?");
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].iterations == 0)
            s->roles[i].iterations = s->iterations;
    /* At most FT_MAX_ROLES roles of at most FT_MAX_THREADS threads: the sum fits an int. */
    if (s->nroles && ft_scenario_threads(s) > FT_MAX_THREADS)
        fail(l, c.roles ? c.roles : root, "the roles add up to %d threads; at most %d are allowed",
             ft_scenario_threads(s), FT_MAX_THREADS);
    return l->errors - before;
}

/* Reads a whole file, refusing more than FT_MAX_FILE_BYTES. NULL with errno set (EFBIG: too large). */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    int err;

    if (!f)
        return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = ft_xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0 && n <= FT_MAX_FILE_BYTES);
    err = ferror(f) ? errno : n > FT_MAX_FILE_BYTES ? EFBIG : 0;
    fclose(f);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *dir_of(const char *path)
{
    char *abs = realpath(path, NULL);
    char *slash;
    if (!abs)
        return ft_xstrdup(".");
    slash = strrchr(abs, '/');
    if (slash && slash != abs)
        *slash = '\0';
    return abs;
}

/* Line and column (1-based, in characters) of byte `offset`, counted over the raw text. */
static void position_of_byte(const loader *l, size_t offset, int *line, int *column)
{
    size_t lines = 0, col = 0;
    if (offset > l->text_len)
        offset = l->text_len;
    for (size_t i = offset >= l->bom ? l->bom : 0; i < offset; i++) {
        unsigned char c = (unsigned char)l->text[i];
        if (c == '\n')
            lines++, col = 0;
        else if ((c & 0xC0) != 0x80)
            col++;
    }
    *line = human(lines);
    *column = human(col);
}

/* libyaml's own error, with its position: reader errors give a byte offset, the others a mark. */
static void report_yaml_error(loader *l, const yaml_parser_t *p)
{
    int line, column;
    const yaml_mark_t *m = &p->problem_mark;

    switch (p->error) {
    case YAML_MEMORY_ERROR:
        fail_at(l, 0, 0, "out of memory while reading the YAML");
        return;
    case YAML_READER_ERROR:
        position_of_byte(l, p->problem_offset, &line, &column);
        if (p->problem_value == 0)
            fail_at(l, line, column, "YAML syntax: a NUL byte; a scenario file is UTF-8 text");
        else if (p->problem_value > 0)
            fail_at(l, line, column, "YAML syntax: %s (0x%02X)", p->problem ? p->problem : "unreadable input",
                    (unsigned)p->problem_value);
        else
            fail_at(l, line, column, "YAML syntax: %s", p->problem ? p->problem : "unreadable input");
        return;
    default: {
        char context[128] = "";
        if (p->context && p->context_mark.line != m->line)
            snprintf(context, sizeof context, " %s that started at line %d", p->context, human(p->context_mark.line));
        else if (p->context)
            snprintf(context, sizeof context, " %s", p->context);
        fail_at(l, human(m->line), human(m->column), "YAML syntax: %s%s%s",
                p->problem ? p->problem : "malformed document", context,
                byte_offset(l, m->index) >= l->text_len ? " (at the end of the file)" : "");
    }
    }
}

/* A first pass over libyaml's events, before it builds any document: refuses nesting deeper than
 * FT_MAX_DEPTH (see there) and documents with too many anchors or aliases, at the first one too
 * many, and stops early. A syntax error ends the pass quietly: the loading pass reports it after
 * the documents before it. Returns -1 when it refused the file. */
static int prescan(loader *l)
{
    yaml_parser_t p;
    int depth = 0, anchors = 0, aliases = 0, refused = 0, done = 0;

    if (!yaml_parser_initialize(&p)) {
        fail_at(l, 0, 0, "out of memory while reading the YAML");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)l->text, l->text_len);
    while (!done && !refused) {
        yaml_event_t ev;
        const yaml_char_t *anchor = NULL;
        if (!yaml_parser_parse(&p, &ev))
            break;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT: anchors = aliases = 0; break;
        case YAML_SEQUENCE_START_EVENT: anchor = ev.data.sequence_start.anchor; depth++; break;
        case YAML_MAPPING_START_EVENT: anchor = ev.data.mapping_start.anchor; depth++; break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        case YAML_SCALAR_EVENT: anchor = ev.data.scalar.anchor; break;
        case YAML_ALIAS_EVENT:
            if (++aliases > FT_MAX_ALIASES) {
                fail_at(l, human(ev.start_mark.line), human(ev.start_mark.column),
                        "more than %d aliases in one document", FT_MAX_ALIASES);
                refused = 1;
            }
            break;
        default: break;
        }
        if (depth > FT_MAX_DEPTH && !refused) {
            fail_at(l, human(ev.start_mark.line), human(ev.start_mark.column),
                    "lists and mappings nested more than %d deep", FT_MAX_DEPTH);
            refused = 1;
        }
        if (anchor && ++anchors > FT_MAX_ANCHORS && !refused) {
            fail_at(l, human(ev.start_mark.line), human(ev.start_mark.column),
                    "more than %d anchors in one document", FT_MAX_ANCHORS);
            refused = 1;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return refused ? -1 : 0;
}

int ft_scenarios_load_buffer(const char *name, const char *text, size_t len, ft_scenario_set *set, ft_diags *diags)
{
    yaml_parser_t parser;
    loader l = {.file = name, .text = text, .text_len = len, .diags = diags};
    ft_scenario *items = NULL; /* this file's scenarios, appended to the set at the end */
    size_t count = 0, cap = 0, documents = 0;
    char *base_dir;
    int failed = 0;

    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        l.bom = l.at_byte = 3;
    if (len >= 2 && (!memcmp(text, "\xFF\xFE", 2) || !memcmp(text, "\xFE\xFF", 2))) {
        fail_at(&l, 0, 0, "this file is UTF-16 (it starts with a UTF-16 byte-order mark); scenario files are UTF-8");
        return -1;
    }
    if (prescan(&l) != 0)
        return -1;
    if (!yaml_parser_initialize(&parser)) {
        fail_at(&l, 0, 0, "out of memory while reading the YAML");
        return -1;
    }
    base_dir = dir_of(name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!stopped(&l)) {
        yaml_document_t doc;
        yaml_node_t *root;
        ft_scenario s;

        if (!yaml_parser_load(&parser, &doc)) {
            report_yaml_error(&l, &parser);
            failed = 1;
            break;
        }
        root = yaml_document_get_root_node(&doc);
        if (!root) { /* end of stream */
            yaml_document_delete(&doc);
            break;
        }
        l.doc = &doc;
        if (root->type == YAML_SCALAR_NODE && !*scalar(root) && root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            yaml_document_delete(&doc); /* an empty document between two `---` */
            continue;
        }
        if (++documents > FT_MAX_SCENARIOS) {
            fail(&l, root, "more than %d scenarios in one file", FT_MAX_SCENARIOS);
            yaml_document_delete(&doc);
            failed = 1;
            break;
        }
        if (load_document(&l, root, base_dir, &s) == 0) {
            if (count == cap) {
                cap = cap ? cap * 2 : 8;
                items = ft_xrealloc(items, cap * sizeof *items);
            }
            items[count++] = s;
        } else {
            ft_scenario_free(&s);
            failed = 1;
        }
        yaml_document_delete(&doc);
    }
    /* An empty file, or one of comments and `---`, is a mistake (a wrong path, a lost edit): said
     * here, rather than as a run of nothing. */
    if (!failed && documents == 0)
        fail_at(&l, 0, 0, "no scenario in this file (it is empty or holds only comments and empty documents)");
    if (count) {
        set->items = ft_xrealloc(set->items, (set->count + count) * sizeof *set->items);
        memcpy(set->items + set->count, items, count * sizeof *items);
        set->count += count;
    }
    free(items);
    yaml_parser_delete(&parser);
    free(base_dir);
    return failed || l.errors ? -1 : 0;
}

int ft_scenarios_load_file(const char *path, ft_scenario_set *set, ft_diags *diags)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    int rc;

    if (!text) {
        if (errno == EFBIG)
            ft_diags_add(diags, path, 0, 0, "scenario file is larger than %u MiB", FT_MAX_FILE_BYTES >> 20);
        else
            ft_diags_add(diags, path, 0, 0, "cannot read scenario file: %s", strerror(errno));
        return -1;
    }
    rc = ft_scenarios_load_buffer(path, text, len, set, diags);
    free(text);
    return rc;
}
