/* Splits Python blocks into statements (top-level, or of one nested block) with the TSan
 * interpreter's `ast` module: a line-based split gets `else:`, decorators, closing brackets at
 * column 0 and multi-line strings wrong, and the interpreter that runs the scenario is the one
 * that knows its syntax. */
#include "shrink_stmts.h"
#include "exit_codes.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proc.h"
#include "xalloc.h"

/* Reads a JSON list of texts (argv[1]); prints, per text, the 1-based first lines of its top-level
 * statements, decorators included, leading comments joined to the first. */
static const char helper[] =
    "import ast, json, sys\n"
    "out = []\n"
    "with open(sys.argv[1], encoding='utf-8') as f:\n"
    "    codes = json.load(f)\n"
    "for code in codes:\n"
    "    try:\n"
    "        body = ast.parse(code).body\n"
    "    except (SyntaxError, ValueError):\n"
    "        body = []\n"
    "    starts = sorted({min([s.lineno] + [d.lineno for d in getattr(s, 'decorator_list', [])]) for s in body})\n"
    "    out.append([1] + [n for n in starts if n > 1])\n"
    "print(json.dumps(out))\n";

/* Reads one text (argv[1]); prints the blocks nested in its compound statements (the bodies of if,
 * for, while, with and try, their else and finally, except handlers; of def and class too), each
 * as [start line of each statement..., last line of the last]: one JSON list, ordered by the first
 * statement's line. Blocks of one statement are left out: a block cannot lose its last. */
static const char nested_helper[] =
    "import ast, json, sys\n"
    "with open(sys.argv[1], encoding='utf-8') as f:\n"
    "    code = json.load(f)\n"
    "try:\n"
    "    tree = ast.parse(code)\n"
    "except (SyntaxError, ValueError):\n"
    "    tree = ast.Module(body=[], type_ignores=[])\n"
    "blocks = []\n"
    "for node in ast.walk(tree):\n"
    "    if isinstance(node, ast.Module):\n"
    "        continue\n"
    "    bodies = [getattr(node, k, None) for k in ('body', 'orelse', 'finalbody')]\n"
    "    bodies += [h.body for h in getattr(node, 'handlers', [])]\n"
    "    for b in bodies:\n"
    "        if isinstance(b, list) and len(b) > 1 and all(isinstance(s, ast.stmt) for s in b):\n"
    "            starts = [min([s.lineno] + [d.lineno for d in getattr(s, 'decorator_list', [])]) for s in b]\n"
    "            if len(set(starts)) == len(starts):\n"
    "                blocks.append(starts + [b[-1].end_lineno])\n"
    "print(json.dumps(sorted(blocks)))\n";

/* Splits `code` at the given 1-based line numbers (ascending, the first is 1). */
static void split_at(const char *code, const json_t *starts, ft_strlist *units)
{
    size_t nstarts = json_array_size(starts), k = 1;
    const char *unit = code, *p = code;
    long line = 1;

    for (; *p; p++) {
        if (*p != '\n')
            continue;
        line++;
        /* the line after this break starts the next unit */
        if (k < nstarts && line == json_integer_value(json_array_get(starts, k))) {
            char *piece = ft_xstrndup(unit, (size_t)(p + 1 - unit));
            ft_strlist_push(units, piece);
            free(piece);
            unit = p + 1;
            k++;
        }
    }
    if (*unit || units->count == 0)
        ft_strlist_push(units, unit);
}

int ft_split_statements(const char *const *codes, size_t n, const char *tmpdir, ft_strlist **out)
{
    json_t *in = json_array(), *doc = NULL;
    char *path = ft_xasprintf("%s/statements.json", tmpdir);
    size_t cap = 1 << 20;
    char *buf = ft_xmalloc(cap);
    int rc = -1;

    *out = NULL;
    if (!in) {
        ft_error("out of memory");
        exit(FT_EXIT_CANNOT_RUN);
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(in, json_string(codes[i] ? codes[i] : ""));
    if (json_dump_file(in, path, 0) != 0) {
        ft_error("cannot write %s", path);
        goto cleanup;
    }
    char *argv[] = {FTSTRESS_PYTHON_EXE, "-I", "-c", (char *)helper, path, NULL};
    int status = ft_run_command(argv, NULL, buf, cap);
    json_error_t err;
    doc = status == 0 ? json_loads(buf, 0, &err) : NULL;
    if (!json_is_array(doc) || json_array_size(doc) != n) {
        ft_error("could not split the Python blocks into statements with %s (exit status %d)", FTSTRESS_PYTHON_EXE,
                 status);
        goto cleanup;
    }
    *out = ft_xcalloc(n ? n : 1, sizeof **out);
    for (size_t i = 0; i < n; i++)
        if (codes[i])
            split_at(codes[i], json_array_get(doc, i), &(*out)[i]);
    rc = 0;
cleanup:
    json_decref(in);
    json_decref(doc);
    free(buf);
    free(path);
    return rc;
}

int ft_split_nested(const char *code, const char *tmpdir, long after, ft_strlist *units)
{
    json_t *in = json_string(code), *doc = NULL, *starts = json_array();
    char *path = ft_xasprintf("%s/nested.json", tmpdir);
    size_t cap = 1 << 20;
    char *buf = ft_xmalloc(cap);
    int rc = -1;

    *units = (ft_strlist){0};
    if (!in || !starts) {
        ft_error("out of memory");
        exit(FT_EXIT_CANNOT_RUN);
    }
    if (json_dump_file(in, path, JSON_ENCODE_ANY) != 0) {
        ft_error("cannot write %s", path);
        goto cleanup;
    }
    char *argv[] = {FTSTRESS_PYTHON_EXE, "-I", "-c", (char *)nested_helper, path, NULL};
    int status = ft_run_command(argv, NULL, buf, cap);
    json_error_t err;
    doc = status == 0 ? json_loads(buf, 0, &err) : NULL;
    if (!json_is_array(doc)) {
        ft_error("could not find the nested blocks with %s (exit status %d)", FTSTRESS_PYTHON_EXE, status);
        goto cleanup;
    }
    rc = 0;
    size_t i;
    json_t *block;
    json_array_foreach(doc, i, block) {
        size_t n = json_array_size(block);
        long first = (long)json_integer_value(json_array_get(block, 0));
        if (first <= after)
            continue;
        /* units: the lines before the block, each statement, the lines after its last */
        json_array_append_new(starts, json_integer(1));
        for (size_t k = 0; k + 1 < n; k++)
            json_array_append_new(starts, json_integer(json_integer_value(json_array_get(block, k))));
        json_array_append_new(starts, json_integer(json_integer_value(json_array_get(block, n - 1)) + 1));
        split_at(code, starts, units);
        if (units->count < n + 1) /* the block ends the text: an empty unit after it */
            ft_strlist_push(units, "");
        rc = (int)first;
        break;
    }
cleanup:
    json_decref(in);
    json_decref(doc);
    json_decref(starts);
    free(buf);
    free(path);
    return rc;
}

char *ft_units_join(const ft_strlist *units, const unsigned char *keep)
{
    size_t len = 0, o = 0;
    for (size_t i = 0; i < units->count; i++)
        if (keep[i])
            len += strlen(units->items[i]);
    if (len == 0)
        return NULL;
    char *s = ft_xmalloc(len + 1);
    for (size_t i = 0; i < units->count; i++)
        if (keep[i]) {
            size_t l = strlen(units->items[i]);
            memcpy(s + o, units->items[i], l);
            o += l;
        }
    s[o] = '\0';
    return s;
}
