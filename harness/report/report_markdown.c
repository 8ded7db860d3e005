/* The port-validation report as GitHub-flavoured Markdown, for a CI job summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise_table.h"
#include "log.h"
#include "report_headline.h"
#include "report_port.h"
#include "reporters.h"
#include "utf8.h"
#include "xalloc.h"

static const char *sv(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)) ?: ""; }

/* Every piece of text goes through here: Markdown's punctuation is backslash-escaped, HTML's is
 * written as entities (a summary renders inline HTML), and line breaks, which would end a table
 * row, become spaces. */
static void md(FILE *out, const char *s)
{
    char *clean = ft_utf8_clean(s ? s : "");
    for (const char *p = clean; *p; p++) {
        if (*p == '<')
            fputs("&lt;", out);
        else if (*p == '>')
            fputs("&gt;", out);
        else if (*p == '&')
            fputs("&amp;", out);
        else if (*p == '\n' || *p == '\r')
            fputc(' ', out);
        else {
            if (strchr("\\`*_[]|~", *p))
                fputc('\\', out);
            fputc(*p, out);
        }
    }
    free(clean);
}

static void function_row(FILE *out, const json_t *row)
{
    size_t i;
    json_t *f;
    const char *verdict = sv(row, "verdict");
    fputs("| ", out);
    md(out, sv(row, "name"));
    fputs(" | ", out);
    fputs(!strcmp(verdict, "racy") || !strcmp(verdict, "crashed") ? "**" : "", out);
    md(out, sv(row, "verdict_text"));
    fputs(!strcmp(verdict, "racy") || !strcmp(verdict, "crashed") ? "**" : "", out);
    if (!json_integer_value(json_object_get(row, "calls")) && json_array_size(json_object_get(row, "findings")))
        fputs(" | — | — | — | ", out); /* it ran, but its worker was stopped at the finding before counting */
    else
        fprintf(out, " | %lld | %lld | %lld | ", (long long)json_integer_value(json_object_get(row, "calls")),
            (long long)json_integer_value(json_object_get(row, "max_concurrent")),
            (long long)json_integer_value(json_object_get(row, "threads")));
    json_array_foreach(json_object_get(row, "findings"), i, f) {
        if (i)
            fputs("<br>", out);
        md(out, sv(f, "title"));
        fputs(" (", out);
        md(out, sv(f, "scenario"));
        fputs(")", out);
    }
    fputs(" |\n", out);
}

/* Every root cause, new ones in bold, with its findings and the functions that name it. */
static void root_causes(FILE *out, const json_t *groups)
{
    size_t i, k;
    json_t *g, *m;
    fputs("\n### root causes\n\n", out);
    if (!json_array_size(groups))
        fputs("No findings.\n", out);
    else
        fputs("| root cause | status | owner | findings | functions named |\n|---|---|---|---|---|\n", out);
    json_array_foreach(groups, i, g) {
        int fresh = !strcmp(sv(g, "status"), "new");
        fputs("| ", out);
        md(out, sv(g, "name"));
        fprintf(out, " | %s%s%s | %s | ", fresh ? "**" : "", sv(g, "status"), fresh ? "**" : "", sv(g, "owner"));
        md(out, sv(g, "summary"));
        json_array_foreach(json_object_get(g, "members"), k, m) {
            fputs("<br>", out);
            if (json_is_true(json_object_get(m, "suppressed")))
                fputs("suppressed: ", out);
            md(out, sv(m, "title"));
            fputs(" (", out);
            md(out, sv(m, "scenario"));
            fputs(")", out);
            if (*sv(m, "joined_because")) {
                fputs(" — joined: ", out);
                md(out, sv(m, "joined_because"));
            }
        }
        fputs(" | ", out);
        json_array_foreach(json_object_get(g, "functions"), k, m) {
            fputs(k ? ", " : "", out);
            md(out, json_string_value(m));
        }
        fputs(json_array_size(json_object_get(g, "functions")) ? " |\n" : "none by name |\n", out);
    }
}

const ft_reporter ft_reporter_markdown = {
    "markdown", "append the port-validation report as Markdown (a CI job summary: $GITHUB_STEP_SUMMARY)",
    ft_report_markdown};

int ft_report_markdown(const json_t *doc, const char *path)
{
    FILE *out = fopen(path, "a"); /* $GITHUB_STEP_SUMMARY collects several steps' summaries */
    json_t *rows = ft_exercise_table(doc), *groups = ft_report_groups(doc, rows), *row, *s;
    const char *module = NULL;
    size_t i, passed = 0;
    if (!out) {
        ft_error("cannot write %s", path);
        json_decref(rows);
        json_decref(groups);
        return -1;
    }
    char *interp = ft_report_interpreter(doc);
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) passed += json_is_true(json_object_get(s, "passed"));
    fputs("## ftstress port validation\n\n", out);
    fputs("- interpreter: ", out);
    md(out, interp);
    fprintf(out, "\n- seed: `%lld`\n- result: %zu of %zu scenarios met their expectation; exit code %lld\n",
            (long long)json_integer_value(json_object_get(doc, "seed")), passed,
            json_array_size(json_object_get(doc, "scenarios")), (long long)json_integer_value(json_object_get(doc, "exit_code")));
    if (json_is_string(json_object_get(doc, "command")) && !strchr(sv(doc, "command"), '`'))
        fprintf(out, "- repeat with: `%s`\n", sv(doc, "command"));
    free(interp);
    char *headline = ft_headline_root_causes(groups); /* the same counts as the HTML report's */
    fputs("- found: ", out);
    md(out, headline);
    free(headline);
    for (int types = 0; types < 2; types++) {
        headline = ft_headline_rows(rows, types);
        if (headline) {
            fputs("; ", out);
            md(out, headline);
        }
        free(headline);
    }
    fputs("\n", out);
    root_causes(out, groups);
    json_array_foreach(rows, i, row) {
        if (!module || strcmp(module, sv(row, "module"))) {
            module = sv(row, "module");
            fputs("\n### module ", out);
            md(out, module);
            fputs("\n\n| function | verdict | calls | max threads at once | threads | findings |\n|---|---|--:|--:|--:|---|\n", out);
        }
        function_row(out, row);
    }
    if (!json_array_size(rows))
        fputs("\nNo target functions were counted.\n", out);
    fputs("\n### scenarios\n\n| scenario | expect | outcome | rounds | exercised |\n|---|---|---|--:|---|\n", out);
    json_array_foreach(json_object_get(doc, "scenarios"), i, s) {
        char *summary = ft_exercise_summary(s);
        fputs("| ", out);
        md(out, sv(s, "name"));
        fprintf(out, " | %s | %s | %lld | ", sv(s, "expect"), strcmp(sv(s, "status"), "ran") ? "-" : sv(s, "outcome"),
                (long long)json_integer_value(json_object_get(s, "rounds_run")));
        fputs(!strcmp(summary, "target not reached") ? ":warning: " : "", out);
        md(out, summary);
        fputs(" |\n", out);
        free(summary);
    }
    json_decref(rows);
    json_decref(groups);
    if (fclose(out) != 0) {
        ft_error("cannot write %s", path);
        return -1;
    }
    return 0;
}
