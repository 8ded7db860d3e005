/* A resolved scenario as JSON: how the supervisor hands a worker exactly what it is to run.
 *
 * The supervisor loads and validates the YAML once and applies the command line's overrides;
 * the worker runs this copy instead of parsing the file again, so the two can never disagree (a
 * file edited during a run, --threads given to one and not the other). */
#include "scenario_json.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static json_t *block_json(const ft_block *b)
{
    return b->code ? json_pack("{s:s, s:i, s:i}", "code", b->code, "line", b->line, "column", b->column) : json_null();
}

static json_t *strlist_json(const ft_strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->count; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

json_t *ft_scenario_to_json(const ft_scenario *s)
{
    json_t *roles = json_array();
    for (size_t i = 0; i < s->nroles; i++)
        json_array_append_new(roles, json_pack("{s:s, s:i, s:i, s:o}", "name", s->roles[i].name, "threads",
                                               s->roles[i].threads, "iterations", s->roles[i].iterations, "body",
                                               block_json(&s->roles[i].body)));
    return json_pack("{s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:f, s:f, s:o, s:i, s:o}",
                     "file", s->file, "line", s->line, "name", s->name, "imports", strlist_json(&s->imports), "paths",
                     strlist_json(&s->paths), "env", strlist_json(&s->env), "setup_once", block_json(&s->setup_once),
                     "setup", block_json(&s->setup), "check", block_json(&s->check), "teardown",
                     block_json(&s->teardown), "roles", roles, "iterations", s->iterations, "rounds", s->rounds,
                     "rounds_per_worker", s->rounds_per_worker, "timeout", s->timeout, "setup_timeout",
                     s->setup_timeout, "ignore_exceptions", strlist_json(&s->ignore_exceptions), "expect",
                     (int)s->expect, "arbiter", block_json(&s->arbiter));
}

static void block_from(const json_t *j, ft_block *b)
{
    const char *code = json_string_value(json_object_get(j, "code"));
    *b = (ft_block){.code = code ? ft_xstrdup(code) : NULL,
                    .line = (int)json_integer_value(json_object_get(j, "line")),
                    .column = (int)json_integer_value(json_object_get(j, "column"))};
}

static void strlist_from(const json_t *j, ft_strlist *l)
{
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v) if (json_is_string(v)) ft_strlist_push(l, json_string_value(v));
}

int ft_scenario_from_json(const json_t *doc, ft_scenario *out)
{
    const char *file = json_string_value(json_object_get(doc, "file"));
    const char *name = json_string_value(json_object_get(doc, "name"));
    json_t *roles = json_object_get(doc, "roles"), *r;
    size_t i;

    *out = (ft_scenario){0};
    if (!file || !name || !json_is_array(roles) || json_array_size(roles) == 0)
        return -1;
    out->file = ft_xstrdup(file);
    out->name = ft_xstrdup(name);
    out->line = (int)json_integer_value(json_object_get(doc, "line"));
    strlist_from(json_object_get(doc, "imports"), &out->imports);
    strlist_from(json_object_get(doc, "paths"), &out->paths);
    strlist_from(json_object_get(doc, "env"), &out->env);
    strlist_from(json_object_get(doc, "ignore_exceptions"), &out->ignore_exceptions);
    block_from(json_object_get(doc, "setup_once"), &out->setup_once);
    block_from(json_object_get(doc, "setup"), &out->setup);
    block_from(json_object_get(doc, "check"), &out->check);
    block_from(json_object_get(doc, "teardown"), &out->teardown);
    block_from(json_object_get(doc, "arbiter"), &out->arbiter);
    out->roles = ft_xcalloc(json_array_size(roles), sizeof *out->roles);
    json_array_foreach(roles, i, r) {
        ft_role *role = &out->roles[out->nroles++];
        role->name = ft_xstrdup(json_string_value(json_object_get(r, "name")) ?: "body");
        role->threads = (int)json_integer_value(json_object_get(r, "threads"));
        role->iterations = (int)json_integer_value(json_object_get(r, "iterations"));
        block_from(json_object_get(r, "body"), &role->body);
        if (role->threads < 1 || role->iterations < 1)
            return -1;
    }
    out->iterations = (int)json_integer_value(json_object_get(doc, "iterations"));
    out->rounds = (int)json_integer_value(json_object_get(doc, "rounds"));
    out->rounds_per_worker = (int)json_integer_value(json_object_get(doc, "rounds_per_worker"));
    out->timeout = json_number_value(json_object_get(doc, "timeout"));
    out->setup_timeout = json_number_value(json_object_get(doc, "setup_timeout"));
    out->expect = (ft_outcome)json_integer_value(json_object_get(doc, "expect"));
    return 0;
}
