/* The port-validation report as one self-contained HTML page, written with libxml2's writer so
 * that every name and message is escaped in one place. */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exercise_table.h"
#include "log.h"
#include "report_headline.h"
#include "report_port.h"
#include "reporters.h"
#include "utf8.h"
#include "xalloc.h"

static int failed;
#define XW(call) (failed |= (call) < 0)

static const char css[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:75em;padding:0 1em;color:#1d2330}"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccd}"
    "table{border-collapse:collapse;width:100%;margin:.6em 0}"
    "th,td{text-align:left;vertical-align:top;padding:.35em .6em;border-bottom:1px solid #e3e6ee}"
    "th{background:#f3f5f9;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font:13px ui-monospace,monospace;background:#f3f5f9;padding:0 .25em;border-radius:3px}"
    "table.facts th{width:11em;background:none}ul{margin:0;padding-left:1.1em}"
    ".verdict{font-weight:600}"
    "tr.v-racy td.verdict{color:#b00020}tr.v-crashed td.verdict{color:#fff;background:#b00020}"
    "tr.v-clean td.verdict{color:#0a7d32}tr.v-not-exercised td.verdict{color:#8a6d00}"
    "tr.v-not-exercised{background:#fffbea}.warn{color:#8a6d00;font-weight:600}"
    "tr.v-unclear td.verdict{color:#8a6d00}tr.g-new td.status{color:#b00020;font-weight:600}"
    ".counts span{display:inline-block;margin-right:1.2em}.muted{color:#667}"
    "td.findings{min-width:14em}td.scenarios{overflow-wrap:anywhere;font-size:.9em}td.name code{white-space:nowrap}";

static void start(xmlTextWriterPtr w, const char *tag, const char *cls)
{
    XW(xmlTextWriterStartElement(w, BAD_CAST tag));
    if (cls)
        XW(xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST cls));
}

static void end(xmlTextWriterPtr w) { XW(xmlTextWriterEndElement(w)); }

/* Text, cleaned to UTF-8 and escaped by the writer. */
static void text(xmlTextWriterPtr w, const char *s)
{
    char *clean = ft_utf8_clean(s ? s : "");
    XW(xmlTextWriterWriteString(w, BAD_CAST clean));
    free(clean);
}

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    char *clean = ft_utf8_clean(value ? value : "");
    XW(xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST clean));
    free(clean);
}

static void el(xmlTextWriterPtr w, const char *tag, const char *cls, const char *s)
{
    start(w, tag, cls);
    text(w, s);
    end(w);
}

static void num_cell(xmlTextWriterPtr w, long long n)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", n);
    el(w, "td", "num", buf);
}

static const char *sv(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)) ?: ""; }

static void fact(xmlTextWriterPtr w, const char *name, const char *value, int as_code)
{
    start(w, "tr", NULL);
    el(w, "th", NULL, name);
    start(w, "td", NULL);
    el(w, as_code ? "code" : "span", NULL, value);
    end(w);
    end(w);
}

static void facts(xmlTextWriterPtr w, const json_t *doc)
{
    char *interp = ft_report_interpreter(doc), buf[64];
    json_t *s;
    size_t i, passed = 0, n = json_array_size(json_object_get(doc, "scenarios"));
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) passed += json_is_true(json_object_get(s, "passed"));
    start(w, "table", "facts");
    fact(w, "interpreter", interp, 0);
    fact(w, "ftstress", sv(json_object_get(doc, "ftstress"), "version"), 0);
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(json_object_get(doc, "seed")));
    fact(w, "seed", buf, 1);
    fact(w, "repeat with", json_is_string(json_object_get(doc, "command")) ? sv(doc, "command")
                                                                         : "(merged results: repeat each shard's command)", 1);
    char *result = ft_xasprintf("%zu of %zu scenarios met their expectation; exit code %lld%s", passed, n,
                                (long long)json_integer_value(json_object_get(doc, "exit_code")),
                                json_is_true(json_object_get(doc, "interrupted")) ? "; interrupted" : "");
    fact(w, "result", result, 0);
    end(w);
    free(result);
    free(interp);
}

static void function_row(xmlTextWriterPtr w, const json_t *row)
{
    const char *verdict = sv(row, "verdict");
    char cls[32];
    size_t i;
    json_t *f;
    snprintf(cls, sizeof cls, "v-%s", !strcmp(verdict, "not exercised") ? "not-exercised" : verdict);
    start(w, "tr", cls);
    attr(w, "data-function", sv(row, "name"));
    attr(w, "data-verdict", verdict);
    start(w, "td", "name");
    el(w, "code", NULL, sv(row, "name"));
    end(w);
    el(w, "td", "verdict", sv(row, "verdict_text"));
    if (!json_integer_value(json_object_get(row, "calls")) && json_array_size(json_object_get(row, "findings"))) {
        /* it ran (a finding is on its stack) but its worker was stopped before it could count */
        start(w, "td", "num muted");
        attr(w, "colspan", "3");
        text(w, "not counted: the worker stopped at the finding");
        end(w);
    } else {
        num_cell(w, json_integer_value(json_object_get(row, "calls")));
        num_cell(w, json_integer_value(json_object_get(row, "max_concurrent")));
        num_cell(w, json_integer_value(json_object_get(row, "threads")));
    }
    start(w, "td", "findings");
    if (json_array_size(json_object_get(row, "findings"))) {
        start(w, "ul", NULL);
        json_array_foreach(json_object_get(row, "findings"), i, f) {
            char *line = ft_xasprintf("%s (%s)", sv(f, "title"), sv(f, "scenario"));
            el(w, "li", NULL, line);
            free(line);
        }
        json_array_foreach(json_object_get(row, "groups"), i, f) {
            char *line = ft_xasprintf("root cause: %s", json_string_value(f) ?: "?");
            el(w, "li", "muted", line);
            free(line);
        }
        end(w);
    }
    end(w);
    start(w, "td", "scenarios");
    json_array_foreach(json_object_get(row, "scenarios"), i, f) {
        if (i)
            text(w, ", ");
        text(w, json_string_value(f));
    }
    end(w);
    end(w);
}

/* A table's header row, then its body opened for the rows. */
static void table_head(xmlTextWriterPtr w, const char *const *heads, size_t n)
{
    start(w, "thead", NULL);
    start(w, "tr", NULL);
    for (size_t k = 0; k < n; k++)
        el(w, "th", NULL, heads[k]);
    end(w), end(w);
    start(w, "tbody", NULL);
}

static void functions(xmlTextWriterPtr w, const json_t *rows)
{
    static const char *const heads[] = {"function", "verdict", "calls", "max threads at once", "threads", "findings", "scenarios"};
    const char *module = NULL;
    size_t i;
    json_t *row;
    el(w, "h2", NULL, "Functions and methods");
    if (!json_array_size(rows))
        el(w, "p", "warn", "No target functions were counted: the scenarios import no C module, or ran with FTSTRESS_EXERCISE=0.");
    json_array_foreach(rows, i, row) {
        if (!module || strcmp(module, sv(row, "module"))) {
            if (module)
                end(w), end(w); /* tbody, table */
            module = sv(row, "module");
            start(w, "h3", NULL);
            text(w, "module ");
            el(w, "code", NULL, module);
            end(w);
            start(w, "table", "functions");
            attr(w, "data-module", module);
            table_head(w, heads, sizeof heads / sizeof *heads);
        }
        function_row(w, row);
    }
    if (module)
        end(w), end(w);
}

static void scenarios(xmlTextWriterPtr w, const json_t *doc)
{
    static const char *const heads[] = {"scenario", "expect", "outcome", "rounds", "threads", "exercised"};
    json_t *s;
    size_t i;
    el(w, "h2", NULL, "Scenarios");
    start(w, "table", "scenarios");
    table_head(w, heads, sizeof heads / sizeof *heads);
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) {
        char *summary = ft_exercise_summary(s);
        start(w, "tr", NULL);
        attr(w, "data-scenario", sv(s, "name"));
        el(w, "td", NULL, sv(s, "name"));
        el(w, "td", NULL, sv(s, "expect"));
        el(w, "td", NULL, strcmp(sv(s, "status"), "ran") ? "-" : sv(s, "outcome"));
        num_cell(w, json_integer_value(json_object_get(s, "rounds_run")));
        num_cell(w, json_integer_value(json_object_get(s, "threads")));
        el(w, "td", !strcmp(summary, "target not reached") ? "warn" : NULL, summary);
        end(w);
        free(summary);
    }
    end(w), end(w);
}

/* Every root cause of the run, whether or not a function row names it: the list a reader acts on. */
static void root_causes(xmlTextWriterPtr w, const json_t *groups)
{
    static const char *const heads[] = {"root cause", "status", "owner", "findings", "functions named"};
    json_t *g, *m;
    size_t i, k;
    el(w, "h2", NULL, "Root causes");
    if (!json_array_size(groups)) {
        el(w, "p", NULL, "No findings.");
        return;
    }
    start(w, "table", "groups");
    table_head(w, heads, sizeof heads / sizeof *heads);
    json_array_foreach(groups, i, g) {
        char cls[32];
        snprintf(cls, sizeof cls, "g-%.*s", (int)strcspn(sv(g, "status"), " "), sv(g, "status"));
        start(w, "tr", cls);
        attr(w, "data-group", sv(g, "name"));
        attr(w, "data-status", sv(g, "status"));
        start(w, "td", "name");
        el(w, "code", NULL, sv(g, "name"));
        end(w);
        el(w, "td", "status", sv(g, "status"));
        el(w, "td", NULL, sv(g, "owner"));
        start(w, "td", "findings");
        el(w, "span", NULL, sv(g, "summary"));
        start(w, "ul", NULL);
        json_array_foreach(json_object_get(g, "members"), k, m) {
            char *line = ft_xasprintf("%s%s (%s)%s%s", json_is_true(json_object_get(m, "suppressed")) ? "suppressed: " : "",
                                      sv(m, "title"), sv(m, "scenario"), *sv(m, "location") ? " at " : "", sv(m, "location"));
            el(w, "li", json_is_true(json_object_get(m, "suppressed")) ? "muted" : NULL, line);
            free(line);
        }
        end(w), end(w);
        start(w, "td", NULL);
        if (!json_array_size(json_object_get(g, "functions")))
            el(w, "span", "muted", "none of the table's functions by name");
        json_array_foreach(json_object_get(g, "functions"), k, m) {
            if (k)
                text(w, ", ");
            el(w, "code", NULL, json_string_value(m));
        }
        end(w), end(w);
    }
    end(w), end(w);
}

/* The headline (report_headline.c): "4 root causes (2 new, 2 suppressed)", "12 functions and
 * methods: 2 racy, 1 crashed, 7 clean, 2 not exercised", then the same for types. */
static void counts(xmlTextWriterPtr w, const json_t *rows, const json_t *groups)
{
    size_t fresh = 0, i;
    json_t *g;
    json_array_foreach(groups, i, g) fresh += !strcmp(sv(g, "status"), "new");
    start(w, "p", "counts");
    char *line = ft_headline_root_causes(groups);
    el(w, "span", fresh ? "warn" : NULL, line);
    free(line);
    /* functions and methods, then types: a type's verdict stands for its instances */
    for (int types = 0; types < 2; types++) {
        line = ft_headline_rows(rows, types);
        if (line)
            el(w, "span", NULL, line);
        free(line);
    }
    end(w);
}

const ft_reporter ft_reporter_html = {
    "html", "write the port-validation report: per target function its calls, findings, verdict", ft_report_html};

int ft_report_html(const json_t *doc, const char *path)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    json_t *rows = ft_exercise_table(doc), *groups = ft_report_groups(doc, rows);
    int rc = -1;
    if (!w) {
        ft_error("cannot write %s: out of memory", path);
        goto done;
    }
    failed = 0;
    XW(xmlTextWriterWriteRaw(w, BAD_CAST "<!DOCTYPE html>\n"));
    start(w, "html", NULL);
    attr(w, "lang", "en");
    start(w, "head", NULL);
    start(w, "meta", NULL);
    attr(w, "charset", "utf-8");
    end(w);
    el(w, "title", NULL, "ftstress port validation");
    el(w, "style", NULL, css);
    end(w);
    start(w, "body", NULL);
    el(w, "h1", NULL, "ftstress port validation");
    counts(w, rows, groups);
    facts(w, doc);
    root_causes(w, groups);
    functions(w, rows);
    scenarios(w, doc);
    el(w, "p", "muted",
       "Calls are the interpreter's CALL events: calls from Python code, constructors included, and through "
       "functools.partial. Other calls made from C (map, callbacks) and type slots (len, iteration, operators) "
       "are not counted. "
       "A finding names a function when one of its stacks passes through the function's C code by the usual "
       "naming conventions (Type_method, module_function, type_slot); a function that ran with no finding "
       "naming it is \"unclear\" while findings of its scenarios name none of the table's functions.");
    end(w), end(w);
    XW(xmlTextWriterEndDocument(w));
    xmlFreeTextWriter(w), w = NULL;
    if (failed) {
        ft_error("cannot write %s: the HTML writer failed", path);
        goto done;
    }
    char *tmp = ft_xasprintf("%s.tmp.%d", path, (int)getpid());
    FILE *out = fopen(tmp, "w");
    size_t len = (size_t)xmlBufferLength(buf);
    int ok = out && fwrite(xmlBufferContent(buf), 1, len, out) == len;
    if (out)
        ok &= fclose(out) == 0;
    if (ok && rename(tmp, path) == 0)
        rc = 0;
    else {
        unlink(tmp);
        ft_error("cannot write %s", path);
    }
    free(tmp);
done:
    if (w)
        xmlFreeTextWriter(w);
    if (buf)
        xmlBufferFree(buf);
    json_decref(rows);
    json_decref(groups);
    return rc;
}
