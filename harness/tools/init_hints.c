/* `ftstress init --hints FILE`: the user's YAML hints file, checked and handed to the probe as JSON. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "init_hints.h"

static void fail(ft_diags *d, const char *path, const yaml_node_t *n, const char *what)
{
    /* libyaml's marks are 0-based */
    ft_diags_add(d, path, n ? (int)n->start_mark.line + 1 : 0, n ? (int)n->start_mark.column + 1 : 0, "%s", what);
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "True"}, *const no[] = {"false", "no", "off", "False"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcmp(s, yes[i]))
            return *out = 1, 0;
        if (!strcmp(s, no[i]))
            return *out = 0, 0;
    }
    return -1;
}

/* One callable's entry: {args: [...], skip: BOOL}; an empty value means "no hint". */
static json_t *entry(yaml_document_t *doc, yaml_node_t *v, const char *path, ft_diags *d)
{
    json_t *out = json_object();
    if (!out)
        return NULL;
    if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0)
        return out;
    if (v->type != YAML_MAPPING_NODE) {
        fail(d, path, v, "a hint is a mapping: {args: [EXPR, ...], skip: true|false}");
        return out;
    }
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key), *val = yaml_document_get_node(doc, p->value);
        const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
        int b;
        if (!strcmp(key, "args") && val->type == YAML_SEQUENCE_NODE) {
            json_t *args = json_array();
            for (yaml_node_item_t *i = val->data.sequence.items.start; args && i < val->data.sequence.items.top; i++) {
                yaml_node_t *a = yaml_document_get_node(doc, *i);
                if (a->type != YAML_SCALAR_NODE)
                    fail(d, path, a, "each of args is one Python expression, as a string");
                else
                    json_array_append_new(args, json_string((const char *)a->data.scalar.value));
            }
            json_object_set_new(out, "args", args);
        } else if (!strcmp(key, "skip") && val->type == YAML_SCALAR_NODE &&
                   parse_bool((const char *)val->data.scalar.value, &b) == 0) {
            json_object_set_new(out, "skip", json_boolean(b));
        } else {
            fail(d, path, k, "unknown or malformed hint (expected args: [EXPR, ...] or skip: true|false)");
        }
    }
    return out;
}

int ft_init_hints_to_json(const char *path, const char *json_path, ft_diags *d)
{
    FILE *f = fopen(path, "rb");
    yaml_parser_t parser;
    yaml_document_t doc;
    json_t *hints = NULL;
    size_t before = d->count;
    int rc = -1;

    if (!f) {
        ft_diags_add(d, path, 0, 0, "cannot read the hints file");
        return -1;
    }
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        ft_diags_add(d, path, 0, 0, "out of memory");
        return -1;
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        ft_diags_add(d, path, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1, "%s",
                     parser.problem ? parser.problem : "invalid YAML");
        goto cleanup_parser;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    hints = json_object();
    if (!hints)
        goto cleanup;
    if (root && root->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            if (k->type != YAML_SCALAR_NODE) {
                fail(d, path, k, "a hint's key is a callable's name: func, Type or Type.method");
                continue;
            }
            json_t *e = entry(&doc, yaml_document_get_node(&doc, p->value), path, d);
            if (e)
                json_object_set_new(hints, (const char *)k->data.scalar.value, e);
        }
    } else if (root) { /* an empty file (comments only) has no root: no hints */
        fail(d, path, root, "the hints file is a mapping of callable names to hints");
    }
    if (d->count == before && json_dump_file(hints, json_path, 0) == 0)
        rc = 0;
    else if (d->count == before)
        ft_diags_add(d, json_path, 0, 0, "cannot write the probe's copy of the hints");
cleanup:
    json_decref(hints);
    yaml_document_delete(&doc);
cleanup_parser:
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}
