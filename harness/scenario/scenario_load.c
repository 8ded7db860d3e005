/* Loads version-1 scenario documents with libyaml's document API, strictly, with positions.
 *
 * The input is hostile until proven otherwise (scripts/fuzz-loader runs this file under libFuzzer,
 * ASan and UBSan): every error names file:line:column, values quoted in messages are cut short and
 * escaped, nothing in the file can make the loader take more than linear time or memory, and each
 * limit it enforces says so with the file's position. */
#include "scenario.h"

#include "outcomes.h"
#include "yaml_loader.h"

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

static int role_pair(loader *l, void *ctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    ft_role *r = ctx;
    if (!strcmp(key, "name")) {
        if (yl_get_string(l, key, v, &r->name) == 0 && !yl_valid_name(r->name))
            yl_fail(l, v, "role name '%s' may only use letters, digits, '_', '.' and '-'", yl_show(r->name));
    } else if (!strcmp(key, "threads"))
        yl_get_int(l, key, v, 1, FT_MAX_THREADS, &r->threads);
    else if (!strcmp(key, "iterations"))
        yl_get_int(l, key, v, 1, INT_MAX, &r->iterations);
    else if (!strcmp(key, "body"))
        yl_get_block(l, key, v, &r->body);
    else
        yl_fail(l, k, "unknown key '%s' in a role (expected name, threads, iterations, body)", yl_show(key));
    return 0;
}

static void load_roles(loader *l, ft_scenario *s, const yaml_node_t *n)
{
    size_t count;

    if (n->type != YAML_SEQUENCE_NODE) {
        yl_fail(l, n, "'roles' must be a list of mappings, not %s", yl_node_kind(n));
        return;
    }
    count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count > FT_MAX_ROLES) {
        yl_fail(l, n, "'roles' lists %zu roles; at most %d are allowed (each runs at least one thread)", count,
             FT_MAX_ROLES);
        return;
    }
    s->roles = ft_xcalloc(count ? count : 1, sizeof *s->roles);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top && !yl_stopped(l); it++) {
        yaml_node_t *item = yaml_document_get_node(l->doc, *it);
        ft_role r = {.threads = 1, .iterations = 0};
        if (item->type != YAML_MAPPING_NODE) {
            yl_fail(l, item, "each role must be a mapping with name, threads and body, not %s", yl_node_kind(item));
            continue;
        }
        yl_walk_mapping(l, item, &r, role_pair);
        if (!r.name)
            yl_fail(l, item, "role needs a 'name'");
        if (!r.body.code)
            yl_fail(l, item, "role '%s' needs a 'body'", r.name ? yl_show(r.name) : "?");
        /* Roles without a name (an error already) have none to compare. */
        for (size_t i = 0; r.name && i < s->nroles; i++)
            if (s->roles[i].name && !strcmp(s->roles[i].name, r.name))
                yl_fail(l, item, "duplicate role name '%s'", yl_show(r.name));
        s->roles[s->nroles++] = r;
    }
    if (count == 0)
        yl_fail(l, n, "'roles' must list at least one role");
}

static void load_env(loader *l, ft_scenario *s, const yaml_node_t *n);

/* Per-document state for the top-level keys that interact (body/threads/roles). */
/* One entry of `outcomes:` (match, verdict, description), strictly. */
static int outcome_pair(loader *l, void *ctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    ft_outcome_rule *r = ctx;
    if (!strcmp(key, "match"))
        yl_get_string(l, key, v, &r->match);
    else if (!strcmp(key, "description"))
        yl_get_string(l, key, v, &r->description);
    else if (!strcmp(key, "verdict")) {
        if (v->type != YAML_SCALAR_NODE || ft_verdict_parse(yl_scalar(v), &r->verdict) != 0)
            yl_fail(l, v, "'verdict' must be one of acceptable, interesting, forbidden");
    } else
        yl_fail(l, k, "unknown key '%s' in an outcome (expected match, verdict, description)", yl_show(key));
    return 0;
}

static void load_outcomes(loader *l, ft_scenario *s, const yaml_node_t *n)
{
    size_t count;
    if (n->type != YAML_SEQUENCE_NODE) {
        yl_fail(l, n, "'outcomes' must be a list of mappings (match, verdict, description), not %s", yl_node_kind(n));
        return;
    }
    count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    s->outcome_rules = ft_xcalloc(count ? count : 1, sizeof *s->outcome_rules);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top && !yl_stopped(l); it++) {
        yaml_node_t *item = yaml_document_get_node(l->doc, *it);
        ft_outcome_rule r = {.verdict = FT_FORBIDDEN_RESULT, .line = yl_human(item->start_mark.line)};
        int missing_verdict = 1;
        if (item->type != YAML_MAPPING_NODE) {
            yl_fail(l, item, "each outcome must be a mapping with match, verdict and description, not %s",
                 yl_node_kind(item));
            continue;
        }
        for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
            yaml_node_t *key = yaml_document_get_node(l->doc, p->key);
            missing_verdict &= !(key->type == YAML_SCALAR_NODE && !strcmp(yl_scalar(key), "verdict"));
        }
        yl_walk_mapping(l, item, &r, outcome_pair);
        if (!r.match || missing_verdict)
            yl_fail(l, item, "an outcome needs 'match' and 'verdict'");
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
        if (yl_get_string(l, key, v, &s->name) == 0 && !yl_valid_name(s->name))
            yl_fail(l, v, "name '%s' may only use letters, digits, '_', '.' and '-'", yl_show(s->name));
    } else if (!strcmp(key, "description"))
        yl_get_string(l, key, v, &s->description);
    else if (!strcmp(key, "tags"))
        yl_get_strlist(l, key, v, &s->tags);
    else if (!strcmp(key, "imports"))
        yl_get_strlist(l, key, v, &s->imports);
    else if (!strcmp(key, "path")) {
        ft_strlist raw = {0};
        if (yl_get_strlist(l, key, v, &raw) == 0) {
            yl_strlist_reserve(&s->paths, raw.count);
            for (size_t i = 0; i < raw.count; i++)
                s->paths.items[s->paths.count++] = raw.items[i][0] == '/'
                                                       ? ft_xstrdup(raw.items[i])
                                                       : ft_xasprintf("%s/%s", c->base_dir, raw.items[i]);
        }
        ft_strlist_free(&raw);
    } else if (!strcmp(key, "env"))
        load_env(l, s, v);
    else if (!strcmp(key, "setup_once"))
        yl_get_block(l, key, v, &s->setup_once);
    else if (!strcmp(key, "setup"))
        yl_get_block(l, key, v, &s->setup);
    else if (!strcmp(key, "check"))
        yl_get_block(l, key, v, &s->check);
    else if (!strcmp(key, "teardown"))
        yl_get_block(l, key, v, &s->teardown);
    else if (!strcmp(key, "arbiter")) {
        c->arbiter_key = k;
        yl_get_block(l, key, v, &s->arbiter);
    } else if (!strcmp(key, "outcomes")) {
        c->outcomes_key = k;
        load_outcomes(l, s, v);
    } else if (!strcmp(key, "threads")) {
        c->threads_key = k;
        yl_get_int(l, key, v, 1, FT_MAX_THREADS, &c->threads_value);
    } else if (!strcmp(key, "body")) {
        c->body_key = k;
        c->body = v;
    } else if (!strcmp(key, "roles")) {
        c->roles_key = k;
        c->roles = v;
    }
    else if (!strcmp(key, "iterations"))
        yl_get_int(l, key, v, 1, INT_MAX, &s->iterations);
    else if (!strcmp(key, "rounds"))
        yl_get_int(l, key, v, 1, INT_MAX, &s->rounds);
    else if (!strcmp(key, "rounds_per_worker"))
        yl_get_int(l, key, v, 1, INT_MAX, &s->rounds_per_worker);
    else if (!strcmp(key, "timeout"))
        yl_get_positive_number(l, key, v, &s->timeout);
    else if (!strcmp(key, "setup_timeout"))
        yl_get_positive_number(l, key, v, &s->setup_timeout);
    else if (!strcmp(key, "ignore_exceptions"))
        yl_get_strlist(l, key, v, &s->ignore_exceptions);
    else if (!strcmp(key, "expect")) {
        if (v->type != YAML_SCALAR_NODE || ft_outcome_parse(yl_scalar(v), &s->expect) != 0)
            yl_fail(l, v, "'expect' must be one of clean, race, crash, hang, error, forbidden");
    } else
        yl_fail(l, k, "unknown key '%s' (see docs/scenario-format.md)", yl_show(key));
    return 0;
}

static int env_pair(loader *l, void *ctx, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    ft_scenario *s = ctx;
    if (v->type != YAML_SCALAR_NODE) {
        yl_fail(l, v, "env value of '%s' must be a string, not %s", yl_show(key), yl_node_kind(v));
        return 0;
    }
    if (!*key || strchr(key, '=')) {
        yl_fail(l, k, "'%s' is not a valid environment variable name", yl_show(key));
        return 0;
    }
    if (yl_holds_nul(l, "an env value", v))
        return 0;
    s->env.items[s->env.count++] = ft_xasprintf("%s=%s", key, yl_scalar(v));
    return 0;
}

static void load_env(loader *l, ft_scenario *s, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        yl_fail(l, n, "'env' must be a mapping of names to strings, not %s", yl_node_kind(n));
        return;
    }
    yl_strlist_reserve(&s->env, (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start));
    yl_walk_mapping(l, n, s, env_pair);
}

/* Fills `s` from one document's root; returns the number of errors found in it. */
static int load_document(loader *l, yaml_node_t *root, const char *base_dir, ft_scenario *s)
{
    doc_ctx c = {.s = s, .base_dir = base_dir, .threads_value = 4};
    int before = l->errors;

    *s = (ft_scenario){.file = ft_xstrdup(l->file), .line = yl_human(root->start_mark.line), .iterations = 1,
                       .rounds = 100, .timeout = 60.0, .setup_timeout = 300.0, .expect = FT_CLEAN};
    if (root->type != YAML_MAPPING_NODE) {
        yl_fail(l, root, "a scenario must be a mapping of keys, not %s", yl_node_kind(root));
        return l->errors - before;
    }
    yl_walk_mapping(l, root, &c, top_pair);
    if (yl_stopped(l))
        return l->errors - before;
    if (!s->name)
        yl_fail(l, root, "scenario needs a 'name'");
    if (c.arbiter_key && !c.outcomes_key)
        yl_fail(l, c.arbiter_key, "an 'arbiter' needs 'outcomes' that grade its values");
    if (c.outcomes_key && !c.arbiter_key)
        yl_fail(l, c.outcomes_key, "'outcomes' grade the values of an 'arbiter', which this scenario lacks");
    if (c.body && c.roles)
        yl_fail(l, c.roles_key, "use either 'body' (with 'threads') or 'roles', not both");
    else if (c.roles) {
        if (c.threads_key)
            yl_fail(l, c.threads_key, "'threads' goes inside each role when 'roles' is used");
        load_roles(l, s, c.roles);
    } else if (c.body) {
        ft_role r = {.name = ft_xstrdup("body"), .threads = c.threads_value};
        if (yl_get_block(l, "body", c.body, &r.body) == 0) {
            s->roles = ft_xcalloc(1, sizeof *s->roles);
            s->roles[0] = r;
            s->nroles = 1;
        } else
            free(r.name);
    } else
        yl_fail(l, root, "scenario '%s' needs a 'body' (run by 'threads' threads) or 'roles'",
             s->name ? yl_show(s->name) : "?");
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i].iterations == 0)
            s->roles[i].iterations = s->iterations;
    /* At most FT_MAX_ROLES roles of at most FT_MAX_THREADS threads: the sum fits an int. */
    if (s->nroles && ft_scenario_threads(s) > FT_MAX_THREADS)
        yl_fail(l, c.roles ? c.roles : root, "the roles add up to %d threads; at most %d are allowed",
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
    *line = yl_human(lines);
    *column = yl_human(col);
}

/* libyaml's own error, with its position: reader errors give a byte offset, the others a mark. */
static void report_yaml_error(loader *l, const yaml_parser_t *p)
{
    int line, column;
    const yaml_mark_t *m = &p->problem_mark;

    switch (p->error) {
    case YAML_MEMORY_ERROR:
        yl_fail_at(l, 0, 0, "out of memory while reading the YAML");
        return;
    case YAML_READER_ERROR:
        position_of_byte(l, p->problem_offset, &line, &column);
        if (p->problem_value == 0)
            yl_fail_at(l, line, column, "YAML syntax: a NUL byte; a scenario file is UTF-8 text");
        else if (p->problem_value > 0)
            yl_fail_at(l, line, column, "YAML syntax: %s (0x%02X)", p->problem ? p->problem : "unreadable input",
                    (unsigned)p->problem_value);
        else
            yl_fail_at(l, line, column, "YAML syntax: %s", p->problem ? p->problem : "unreadable input");
        return;
    default: {
        char context[128] = "";
        if (p->context && p->context_mark.line != m->line)
            snprintf(context, sizeof context, " %s that started at line %d", p->context, yl_human(p->context_mark.line));
        else if (p->context)
            snprintf(context, sizeof context, " %s", p->context);
        yl_fail_at(l, yl_human(m->line), yl_human(m->column), "YAML syntax: %s%s%s",
                p->problem ? p->problem : "malformed document", context,
                yl_byte_offset(l, m->index) >= l->text_len ? " (at the end of the file)" : "");
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
        yl_fail_at(l, 0, 0, "out of memory while reading the YAML");
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
                yl_fail_at(l, yl_human(ev.start_mark.line), yl_human(ev.start_mark.column),
                        "more than %d aliases in one document", FT_MAX_ALIASES);
                refused = 1;
            }
            break;
        default: break;
        }
        if (depth > FT_MAX_DEPTH && !refused) {
            yl_fail_at(l, yl_human(ev.start_mark.line), yl_human(ev.start_mark.column),
                    "lists and mappings nested more than %d deep", FT_MAX_DEPTH);
            refused = 1;
        }
        if (anchor && ++anchors > FT_MAX_ANCHORS && !refused) {
            yl_fail_at(l, yl_human(ev.start_mark.line), yl_human(ev.start_mark.column),
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
        yl_fail_at(&l, 0, 0, "this file is UTF-16 (it starts with a UTF-16 byte-order mark); scenario files are UTF-8");
        return -1;
    }
    if (prescan(&l) != 0)
        return -1;
    if (!yaml_parser_initialize(&parser)) {
        yl_fail_at(&l, 0, 0, "out of memory while reading the YAML");
        return -1;
    }
    base_dir = dir_of(name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!yl_stopped(&l)) {
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
        if (root->type == YAML_SCALAR_NODE && !*yl_scalar(root) && root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            yaml_document_delete(&doc); /* an empty document between two `---` */
            continue;
        }
        if (++documents > FT_MAX_SCENARIOS) {
            yl_fail(&l, root, "more than %d scenarios in one file", FT_MAX_SCENARIOS);
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
        yl_fail_at(&l, 0, 0, "no scenario in this file (it is empty or holds only comments and empty documents)");
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
