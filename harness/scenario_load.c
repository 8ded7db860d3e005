/* Loads version-1 scenario documents with libyaml's document API, strictly, with positions. */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define FT_MAX_THREADS 1024

/* What the walker over one document needs: the document, its file and raw text, and the sink. */
typedef struct loader {
    yaml_document_t *doc;
    const char *file;
    const char *text; /* raw file text, to find the indentation of block scalars */
    size_t text_len;
    ft_diags *diags;
    int errors;
} loader;

/* libyaml marks are 0-based; humans count from 1. This is the only conversion. */
static int human(size_t zero_based) { return (int)zero_based + 1; }

static void fail(loader *l, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(loader *l, const yaml_node_t *at, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ft_diags_add(l->diags, l->file, at ? human(at->start_mark.line) : 0,
                 at ? human(at->start_mark.column) : 0, "%s", msg);
    l->errors++;
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

/* A string value: any scalar. */
static int get_string(loader *l, const char *key, const yaml_node_t *n, char **out)
{
    if (n->type != YAML_SCALAR_NODE) {
        fail(l, n, "'%s' must be a string, not %s", key, node_kind(n));
        return -1;
    }
    free(*out);
    *out = strdup(scalar(n));
    return 0;
}

/* An integer in [lo, hi], written as a plain (unquoted) scalar. */
static int get_int(loader *l, const char *key, const yaml_node_t *n, long lo, long hi, int *out)
{
    char *end;
    long v;

    if (n->type != YAML_SCALAR_NODE || is_quoted(n)) {
        fail(l, n, "'%s' must be an integer, not %s", key, n->type == YAML_SCALAR_NODE ? "a string" : node_kind(n));
        return -1;
    }
    errno = 0;
    v = strtol(scalar(n), &end, 10);
    if (errno || end == scalar(n) || *end) {
        fail(l, n, "'%s' must be an integer, got '%s'", key, scalar(n));
        return -1;
    }
    if (v < lo || v > hi) {
        if (hi == LONG_MAX || hi == INT_MAX)
            fail(l, n, "'%s' must be at least %ld, got %ld", key, lo, v);
        else
            fail(l, n, "'%s' must be between %ld and %ld, got %ld", key, lo, hi, v);
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
    char *end;
    double v;

    if (n->type != YAML_SCALAR_NODE || is_quoted(n)) {
        fail(l, n, "'%s' must be a number of seconds, not %s", key, n->type == YAML_SCALAR_NODE ? "a string" : node_kind(n));
        return -1;
    }
    errno = 0;
    v = strtod(scalar(n), &end);
    if (errno || end == scalar(n) || *end || !isfinite(v)) {
        fail(l, n, "'%s' must be a number of seconds, got '%s'", key, scalar(n));
        return -1;
    }
    if (v <= 0 || v > FT_MAX_SECONDS) {
        fail(l, n, "'%s' must be greater than 0 and at most %g seconds (a day), got %s", key, FT_MAX_SECONDS,
             scalar(n));
        return -1;
    }
    *out = v;
    return 0;
}

/* A list of strings; `[a, b]` or a block list. */
static int get_strlist(loader *l, const char *key, const yaml_node_t *n, ft_strlist *out)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        fail(l, n, "'%s' must be a list of strings, not %s", key, node_kind(n));
        return -1;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(l->doc, *it);
        if (item->type != YAML_SCALAR_NODE) {
            fail(l, item, "every item of '%s' must be a string, not %s", key, node_kind(item));
            return -1;
        }
        ft_strlist_push(out, scalar(item));
    }
    return 0;
}

/* Column where the content of a block scalar starts: the indentation of its first non-blank line
 * after the `|` or `>` indicator. libyaml does not report it, so it is read off the raw text. */
static int block_column(const loader *l, const yaml_node_t *n, int *first_line)
{
    size_t pos = n->start_mark.index;
    int line = human(n->start_mark.line);

    while (pos < l->text_len && l->text[pos] != '\n')
        pos++;
    while (pos < l->text_len) {
        size_t start = ++pos;
        line++;
        while (pos < l->text_len && l->text[pos] == ' ')
            pos++;
        if (pos < l->text_len && l->text[pos] != '\n') {
            *first_line = line;
            return (int)(pos - start) + 1;
        }
    }
    *first_line = line;
    return 1;
}

/* A Python code block, with the position of its first code line (see ft_block). */
static int get_block(loader *l, const char *key, const yaml_node_t *n, ft_block *out)
{
    if (n->type != YAML_SCALAR_NODE) {
        fail(l, n, "'%s' must be Python code (a string), not %s", key, node_kind(n));
        return -1;
    }
    free(out->code);
    out->code = strdup(scalar(n));
    if (n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE || n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE) {
        /* Leading blank lines stay in the value, so line 1 of the code is the line after `|`. */
        int first_content_line;
        out->column = block_column(l, n, &first_content_line);
        out->line = human(n->start_mark.line) + 1;
    } else {
        out->line = human(n->start_mark.line);
        out->column = human(n->start_mark.column) + (is_quoted(n) ? 1 : 0);
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

static int walk_mapping(loader *l, const yaml_node_t *map, void *ctx, pair_fn each)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(l->doc, p->value);
        if (k->type != YAML_SCALAR_NODE) {
            fail(l, k, "keys must be strings, not %s", node_kind(k));
            continue;
        }
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *prev = yaml_document_get_node(l->doc, q->key);
            if (prev->type == YAML_SCALAR_NODE && strcmp(scalar(prev), scalar(k)) == 0) {
                fail(l, k, "duplicate key '%s' (first at line %d)", scalar(k), human(prev->start_mark.line));
                goto next;
            }
        }
        each(l, ctx, scalar(k), k, v);
    next:;
    }
    return 0;
}

static int role_pair(loader *l, void *ctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    ft_role *r = ctx;
    if (!strcmp(key, "name")) {
        if (get_string(l, key, v, &r->name) == 0 && !valid_name(r->name))
            fail(l, v, "role name '%s' may only use letters, digits, '_', '.' and '-'", r->name);
    } else if (!strcmp(key, "threads"))
        get_int(l, key, v, 1, FT_MAX_THREADS, &r->threads);
    else if (!strcmp(key, "iterations"))
        get_int(l, key, v, 1, INT_MAX, &r->iterations);
    else if (!strcmp(key, "body"))
        get_block(l, key, v, &r->body);
    else
        fail(l, k, "unknown key '%s' in a role (expected name, threads, iterations, body)", key);
    return 0;
}

static void load_roles(loader *l, ft_scenario *s, const yaml_node_t *n)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        fail(l, n, "'roles' must be a list of mappings, not %s", node_kind(n));
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
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
            fail(l, item, "role '%s' needs a 'body'", r.name ? r.name : "?");
        for (size_t i = 0; r.name && i < s->nroles; i++)
            if (!strcmp(s->roles[i].name, r.name))
                fail(l, item, "duplicate role name '%s'", r.name);
        s->roles = realloc(s->roles, (s->nroles + 1) * sizeof *s->roles);
        s->roles[s->nroles++] = r;
    }
    if (s->nroles == 0)
        fail(l, n, "'roles' must list at least one role");
}

static void load_env(loader *l, ft_scenario *s, const yaml_node_t *n);

/* Per-document state for the top-level keys that interact (body/threads/roles). */
typedef struct doc_ctx {
    ft_scenario *s;
    const yaml_node_t *body_key, *body, *threads_key, *roles_key, *roles;
    int threads_value;
    char *base_dir;
} doc_ctx;

static int top_pair(loader *l, void *vctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    doc_ctx *c = vctx;
    ft_scenario *s = c->s;

    if (!strcmp(key, "name")) {
        if (get_string(l, key, v, &s->name) == 0 && !valid_name(s->name))
            fail(l, v, "name '%s' may only use letters, digits, '_', '.' and '-'", s->name);
    } else if (!strcmp(key, "description"))
        get_string(l, key, v, &s->description);
    else if (!strcmp(key, "tags"))
        get_strlist(l, key, v, &s->tags);
    else if (!strcmp(key, "imports"))
        get_strlist(l, key, v, &s->imports);
    else if (!strcmp(key, "path")) {
        ft_strlist raw = {0};
        if (get_strlist(l, key, v, &raw) == 0)
            for (size_t i = 0; i < raw.count; i++) {
                char *abs = NULL;
                if (raw.items[i][0] == '/')
                    abs = strdup(raw.items[i]);
                else if (asprintf(&abs, "%s/%s", c->base_dir, raw.items[i]) < 0)
                    abort();
                ft_strlist_push(&s->paths, abs);
                free(abs);
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
    else if (!strcmp(key, "threads")) {
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
            fail(l, v, "'expect' must be one of clean, race, crash, hang, error");
    } else
        fail(l, k, "unknown key '%s' (see the scenario format in README.md)", key);
    return 0;
}

static int env_pair(loader *l, void *ctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    ft_scenario *s = ctx;
    char *kv = NULL;
    (void)k;
    if (v->type != YAML_SCALAR_NODE) {
        fail(l, v, "env value of '%s' must be a string, not %s", key, node_kind(v));
        return 0;
    }
    if (!*key || strchr(key, '=')) {
        fail(l, k, "'%s' is not a valid environment variable name", key);
        return 0;
    }
    if (asprintf(&kv, "%s=%s", key, scalar(v)) < 0)
        abort();
    ft_strlist_push(&s->env, kv);
    free(kv);
    return 0;
}

static void load_env(loader *l, ft_scenario *s, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        fail(l, n, "'env' must be a mapping of names to strings, not %s", node_kind(n));
        return;
    }
    walk_mapping(l, n, s, env_pair);
}

/* Fills `s` from one document's root; returns the number of errors found in it. */
static int load_document(loader *l, yaml_node_t *root, char *base_dir, ft_scenario *s)
{
    doc_ctx c = {.s = s, .base_dir = base_dir, .threads_value = 4};
    int before = l->errors;

    *s = (ft_scenario){.file = strdup(l->file), .line = human(root->start_mark.line), .iterations = 1,
                       .rounds = 100, .timeout = 60.0, .setup_timeout = 300.0, .expect = FT_CLEAN};
    if (root->type != YAML_MAPPING_NODE) {
        fail(l, root, "a scenario must be a mapping of keys, not %s", node_kind(root));
        return l->errors - before;
    }
    walk_mapping(l, root, &c, top_pair);
    if (!s->name)
        fail(l, root, "scenario needs a 'name'");
    if (c.body && c.roles)
        fail(l, c.roles_key, "use either 'body' (with 'threads') or 'roles', not both");
    else if (c.roles) {
        if (c.threads_key)
            fail(l, c.threads_key, "'threads' goes inside each role when 'roles' is used");
        load_roles(l, s, c.roles);
    } else if (c.body) {
        ft_role r = {.name = strdup("body"), .threads = c.threads_value};
        if (get_block(l, "body", c.body, &r.body) == 0) {
            s->roles = calloc(1, sizeof *s->roles);
            s->roles[0] = r;
            s->nroles = 1;
        } else
            free(r.name);
    } else
        fail(l, root, "scenario '%s' needs a 'body' (run by 'threads' threads) or 'roles'", s->name ? s->name : "?");
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].iterations == 0)
            s->roles[i].iterations = s->iterations;
    if (s->nroles && ft_scenario_threads(s) > FT_MAX_THREADS)
        fail(l, c.roles ? c.roles : root, "the roles add up to %d threads; at most %d are allowed",
             ft_scenario_threads(s), FT_MAX_THREADS);
    return l->errors - before;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (!f)
        return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *dir_of(const char *path)
{
    char *abs = realpath(path, NULL);
    char *slash;
    if (!abs)
        return strdup(".");
    slash = strrchr(abs, '/');
    if (slash && slash != abs)
        *slash = '\0';
    return abs;
}

int ft_scenarios_load_file(const char *path, ft_scenario_set *set, ft_diags *diags)
{
    yaml_parser_t parser;
    size_t len = 0;
    char *text = read_file(path, &len);
    char *base_dir;
    loader l = {.file = path, .diags = diags};
    int failed = 0;

    if (!text) {
        ft_diags_add(diags, path, 0, 0, "cannot read scenario file: %s", strerror(errno));
        return -1;
    }
    l.text = text;
    l.text_len = len;
    base_dir = dir_of(path);
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    for (;;) {
        yaml_document_t doc;
        yaml_node_t *root;
        ft_scenario s;

        if (!yaml_parser_load(&parser, &doc)) {
            const yaml_mark_t *m = parser.problem_mark.line || parser.problem_mark.column ? &parser.problem_mark
                                                                                         : &parser.context_mark;
            ft_diags_add(diags, path, human(m->line), human(m->column), "YAML syntax: %s%s%s",
                         parser.problem ? parser.problem : "malformed document", parser.context ? " " : "",
                         parser.context ? parser.context : "");
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
        if (load_document(&l, root, base_dir, &s) == 0) {
            set->items = realloc(set->items, (set->count + 1) * sizeof *set->items);
            set->items[set->count++] = s;
        } else {
            ft_scenario_free(&s);
            failed = 1;
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    free(base_dir);
    free(text);
    return failed ? -1 : 0;
}
