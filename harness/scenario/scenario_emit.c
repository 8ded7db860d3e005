/* Writes a loaded scenario back as YAML through libyaml's emitter, which owns quoting, escaping,
 * block-scalar indentation and chomping: hand-written YAML gets exactly those wrong. */
#include "scenario_emit.h"
#include "exit_codes.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "xalloc.h"

/* Every emit call checks `ok` first, so a failure (libyaml's or the stream's) stops the document
 * without an error check after each of the few dozen events. */
typedef struct emitter {
    yaml_emitter_t e;
    int ok;
} emitter;

static void emit(emitter *m, yaml_event_t *ev)
{
    if (!m->ok) {
        yaml_event_delete(ev);
        return;
    }
    if (!yaml_emitter_emit(&m->e, ev)) /* the emitter deletes the event either way */
        m->ok = 0;
}

/* Plain text that other YAML readers (YAML 1.1 or 1.2 core schema) would take for a number, a
 * boolean or null. ftstress's loader reads every scalar as text, but the file is for humans and
 * their tools too: such strings are double-quoted. */
static int looks_typed(const char *s)
{
    static const char *const words[] = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~",
                                        ".inf", "-.inf", "+.inf", ".nan"};
    char *end;
    if (!*s)
        return 1;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcasecmp(s, words[i]))
            return 1;
    strtod(s, &end);
    if (!*end)
        return 1;
    /* 1:20 (a YAML 1.1 sexagesimal), 0x1f, 0o17, 1_000 */
    if (isdigit((unsigned char)s[0]) && strspn(s, "0123456789abcdefABCDEFxXoO_:.+-") == strlen(s))
        return 1;
    return 0;
}

static void scalar(emitter *m, const char *text, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    if (m->ok && !yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1, style))
        m->ok = 0;
    else if (m->ok)
        emit(m, &ev);
}

/* A string value: plain where YAML allows it and it reads back as text, else quoted by libyaml. */
static void str(emitter *m, const char *text)
{
    scalar(m, text, looks_typed(text) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

/* Integers and numbers must stay plain: the loader refuses quoted ones. */
static void integer(emitter *m, const char *key, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    str(m, key);
    scalar(m, buf, YAML_PLAIN_SCALAR_STYLE);
}

/* The shortest decimal that reads back as the same double (0.1, not 0.10000000000000001), written
 * as a user writes it: positional (120, 0.005) unless that is much longer than the exponent
 * form (1e-20). */
static void number(emitter *m, const char *key, double v)
{
    char buf[48], fixed[48] = "";
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strchr(buf, 'e') && fabs(v) < 1e15)
        for (int decimals = 0; decimals <= 17; decimals++) {
            snprintf(fixed, sizeof fixed, "%.*f", decimals, v);
            if (strtod(fixed, NULL) == v)
                break;
            fixed[0] = 0;
        }
    if (fixed[0] && strlen(fixed) <= strlen(buf) + 4)
        memcpy(buf, fixed, strlen(fixed) + 1);
    str(m, key);
    scalar(m, buf, YAML_PLAIN_SCALAR_STYLE);
}

static void start(emitter *m, int mapping, int flow)
{
    yaml_event_t ev;
    int made = mapping ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                             flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
                       : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                              flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
    if (m->ok && !made)
        m->ok = 0;
    else if (m->ok)
        emit(m, &ev);
}

static void end(emitter *m, int mapping)
{
    yaml_event_t ev;
    if (mapping)
        yaml_mapping_end_event_initialize(&ev);
    else
        yaml_sequence_end_event_initialize(&ev);
    emit(m, &ev);
}

static void key_str(emitter *m, const char *key, const char *value)
{
    if (!value)
        return;
    str(m, key);
    str(m, value);
}

/* A list as `[a, b]`; an empty list is left out (the loader's default is the same). */
static void list(emitter *m, const char *key, const ft_strlist *l)
{
    if (!l->count)
        return;
    str(m, key);
    start(m, 0, 1);
    for (size_t i = 0; i < l->count; i++)
        str(m, l->items[i]);
    end(m, 0);
}

/* A code block as a `|` literal. libyaml falls back to a double-quoted scalar when a literal
 * cannot hold the text (a space before a line break, a tab, control characters): still exact. */
static void block(emitter *m, const char *key, const ft_block *b)
{
    if (!b->code)
        return;
    str(m, key);
    scalar(m, b->code, YAML_LITERAL_SCALAR_STYLE);
}

static void env(emitter *m, const ft_strlist *l)
{
    if (!l->count)
        return;
    str(m, "env");
    start(m, 1, 0);
    for (size_t i = 0; i < l->count; i++) {
        const char *eq = strchr(l->items[i], '=');
        char *name = ft_xstrndup(l->items[i], eq ? (size_t)(eq - l->items[i]) : strlen(l->items[i]));
        str(m, name);
        str(m, eq ? eq + 1 : "");
        free(name);
    }
    end(m, 1);
}

static void roles(emitter *m, const ft_scenario *s)
{
    /* `threads` + `body` load as one role named "body": written back the same way. */
    if (s->nroles == 1 && !strcmp(s->roles[0].name, "body") && s->roles[0].iterations == s->iterations) {
        integer(m, "threads", s->roles[0].threads);
        block(m, "body", &s->roles[0].body);
        return;
    }
    str(m, "roles");
    start(m, 0, 0);
    for (size_t i = 0; i < s->nroles; i++) {
        const ft_role *r = &s->roles[i];
        start(m, 1, 0);
        key_str(m, "name", r->name);
        integer(m, "threads", r->threads);
        if (r->iterations != s->iterations)
            integer(m, "iterations", r->iterations);
        block(m, "body", &r->body);
        end(m, 1);
    }
    end(m, 0);
}

static void outcomes(emitter *m, const ft_scenario *s)
{
    if (!s->noutcome_rules)
        return;
    str(m, "outcomes");
    start(m, 0, 0);
    for (size_t i = 0; i < s->noutcome_rules; i++) {
        start(m, 1, 0);
        key_str(m, "match", s->outcome_rules[i].match);
        key_str(m, "verdict", ft_verdict_name(s->outcome_rules[i].verdict));
        key_str(m, "description", s->outcome_rules[i].description);
        end(m, 1);
    }
    end(m, 0);
}

static void document(emitter *m, const ft_scenario *s)
{
    yaml_event_t ev;
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    emit(m, &ev);
    start(m, 1, 0);
    key_str(m, "name", s->name);
    key_str(m, "description", s->description);
    list(m, "tags", &s->tags);
    list(m, "imports", &s->imports);
    list(m, "path", &s->paths);
    env(m, &s->env);
    block(m, "setup_once", &s->setup_once);
    block(m, "setup", &s->setup);
    roles(m, s);
    integer(m, "iterations", s->iterations);
    integer(m, "rounds", s->rounds);
    if (s->rounds_per_worker)
        integer(m, "rounds_per_worker", s->rounds_per_worker);
    block(m, "check", &s->check);
    block(m, "teardown", &s->teardown);
    block(m, "arbiter", &s->arbiter);
    outcomes(m, s);
    list(m, "ignore_exceptions", &s->ignore_exceptions);
    if (s->timeout != 60.0)
        number(m, "timeout", s->timeout);
    if (s->setup_timeout != 300.0)
        number(m, "setup_timeout", s->setup_timeout);
    key_str(m, "expect", ft_outcome_name(s->expect));
    end(m, 1);
    yaml_document_end_event_initialize(&ev, 1);
    emit(m, &ev);
}

int ft_scenario_emit(FILE *out, const ft_scenario *s, const char *header)
{
    emitter m = {.ok = 1};
    yaml_event_t ev;

    if (header && fputs(header, out) < 0)
        return -1;
    if (!yaml_emitter_initialize(&m.e))
        return -1;
    yaml_emitter_set_output_file(&m.e, out);
    yaml_emitter_set_unicode(&m.e, 1); /* UTF-8 text stays readable, not \u-escaped */
    yaml_emitter_set_width(&m.e, -1);  /* long strings stay on one line */
    yaml_emitter_set_indent(&m.e, 2);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    emit(&m, &ev);
    document(&m, s);
    yaml_stream_end_event_initialize(&ev);
    emit(&m, &ev);
    if (m.ok && !yaml_emitter_flush(&m.e))
        m.ok = 0;
    yaml_emitter_delete(&m.e);
    return m.ok && !ferror(out) ? 0 : -1;
}

char *ft_scenario_emit_string(const ft_scenario *s, const char *header)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        fprintf(stderr, "ftstress: out of memory\n");
        exit(FT_EXIT_CANNOT_RUN);
    }
    int rc = ft_scenario_emit(f, s, header);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
