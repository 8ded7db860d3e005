/* JUnit XML from a results document, written with libxml2 so that escaping is always right. */
#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "reporters.h"
#include "utf8.h"
#include "xalloc.h"

/* Every libxml2 writer call returns < 0 on failure (a full disk, a bad encoding); one failure fails
 * the file, which is then not renamed into place. */
static int failed;
#define XW(call) (failed |= (call) < 0)

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    char *clean = ft_utf8_clean(value ? value : "");
    XW(xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST clean));
    free(clean);
}

static void text_node(xmlTextWriterPtr w, const char *value)
{
    char *clean = ft_utf8_clean(value ? value : "");
    XW(xmlTextWriterWriteString(w, BAD_CAST clean));
    free(clean);
}

static void attr_num(xmlTextWriterPtr w, const char *name, double v, const char *fmt)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    attr(w, name, buf);
}

/* A scenario of `ftstress run --pytest` (tags: pytest, its file, its test id) gets pytest's own
 * JUnit names, so CI shows the suite's tests as pytest --junitxml would: the test id
 * `tests/test_io.py::TestFile::test_read[a]` is classname `tests.test_io.TestFile`, name
 * `test_read[a]`. 0 for any other scenario. The two strings are malloc'd. */
static int pytest_names(const json_t *s, char **classname, char **name)
{
    const json_t *tags = json_object_get(s, "tags");
    const char *id = json_string_value(json_array_get(tags, 2));
    const char *last;
    if (json_array_size(tags) != 3 || strcmp(json_string_value(json_array_get(tags, 0)) ?: "", "pytest") || !id ||
        !(last = strstr(id, "::")))
        return 0;
    const char *params = strchr(id, '['); /* a parameter may hold "::" itself */
    for (const char *p; (p = strstr(last + 2, "::")) && (!params || p < params);)
        last = p;
    char *cls = ft_xstrndup(id, (size_t)(last - id));
    for (char *py = cls; (py = strstr(py, ".py")); py++)
        if (py[3] == '\0' || py[3] == ':') { /* the module: its path without .py */
            memmove(py, py + 3, strlen(py + 3) + 1);
            break;
        }
    size_t n = strlen(cls);
    for (size_t i = 0, o = 0; i <= n; i++) { /* '::' of a class as '.', '/' as '.' */
        if (cls[i] == ':' && cls[i + 1] == ':')
            i++, cls[o++] = '.';
        else
            cls[o++] = cls[i] == '/' ? '.' : cls[i];
    }
    *classname = cls;
    *name = ft_xstrdup(last + 2);
    return 1;
}

/* The failure text of a scenario: its new findings by root-cause group, each group once with its
 * members, then the members' first reports. Findings of documents without groups stand alone. */
static char *failure_text(const json_t *doc, const char *scenario, size_t *nfound)
{
    char *text = NULL;
    size_t len = 0, i, k;
    json_t *f, *g;
    FILE *out = open_memstream(&text, &len);
    json_t *groups = json_object_get(doc, "groups");
    *nfound = 0;
    if (!out)
        return ft_xstrdup("");
    for (k = 0; k <= json_array_size(groups); k++) {
        /* k < size: group k's members; k == size: findings without a listed group */
        json_int_t id = k < json_array_size(groups) ? json_integer_value(json_object_get(json_array_get(groups, k), "id")) : -1;
        int header = 0;
        json_array_foreach(json_object_get(doc, "findings"), i, f) {
            json_int_t fg = json_integer_value(json_object_get(f, "group"));
            int listed = 0;
            size_t m;
            json_array_foreach(groups, m, g) listed |= json_integer_value(json_object_get(g, "id")) == fg;
            if (strcmp(json_string_value(json_object_get(f, "scenario")) ?: "", scenario) ||
                !json_is_true(json_object_get(f, "new")) || (id >= 0 ? fg != id : listed))
                continue;
            if (id >= 0 && !header++) {
                g = json_array_get(groups, k);
                fprintf(out, "== %s: %s ==\n", json_string_value(json_object_get(g, "name")) ?: "?",
                        json_string_value(json_object_get(g, "summary")) ?: "");
            }
            (*nfound)++;
            fprintf(out, "%s [%s, owner %s, %lld times]\n%s\n\n", json_string_value(json_object_get(f, "title")),
                    json_string_value(json_object_get(f, "signature")), json_string_value(json_object_get(f, "owner")),
                    (long long)json_integer_value(json_object_get(f, "count")),
                    json_string_value(json_object_get(f, "report")) ?: "");
        }
    }
    fclose(out);
    return text;
}

int ft_report_junit(const json_t *doc, const char *path)
{
    char *tmp = ft_xasprintf("%s.tmp.%d", path, (int)getpid());
    xmlTextWriterPtr w = xmlNewTextWriterFilename(tmp, 0);
    json_t *scenarios = json_object_get(doc, "scenarios"), *s;
    json_t *files = json_array();
    size_t i, k;

    failed = 0;
    if (!w) {
        ft_error("cannot write %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    /* Suites in the order their files first appear. */
    json_array_foreach(scenarios, i, s) {
        json_t *file = json_object_get(s, "file"), *seen;
        int known = 0;
        json_array_foreach(files, k, seen) known |= json_equal(seen, file);
        if (!known)
            json_array_append(files, file);
    }
    XW(xmlTextWriterSetIndent(w, 1));
    XW(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
    XW(xmlTextWriterStartElement(w, BAD_CAST "testsuites"));
    attr(w, "name", "ftstress");
    json_t *file;
    json_array_foreach(files, k, file) {
        int tests = 0, failures = 0, errors = 0, skipped = 0;
        double seconds = 0;
        json_array_foreach(scenarios, i, s) {
            if (!json_equal(json_object_get(s, "file"), file))
                continue;
            const char *st = json_string_value(json_object_get(s, "status")) ?: "";
            tests++;
            seconds += json_number_value(json_object_get(s, "seconds"));
            if (!strcmp(st, "pending"))
                skipped++;
            else if (strcmp(st, "ran"))
                errors++;
            else if (!json_is_true(json_object_get(s, "passed")))
                failures++;
        }
        XW(xmlTextWriterStartElement(w, BAD_CAST "testsuite"));
        attr(w, "name", json_string_value(file));
        attr_num(w, "tests", tests, "%.0f");
        attr_num(w, "failures", failures, "%.0f");
        attr_num(w, "errors", errors, "%.0f");
        attr_num(w, "skipped", skipped, "%.0f");
        attr_num(w, "time", seconds, "%.3f");
        json_array_foreach(scenarios, i, s) {
            const char *name = json_string_value(json_object_get(s, "name")) ?: "";
            const char *st = json_string_value(json_object_get(s, "status")) ?: "";
            if (!json_equal(json_object_get(s, "file"), file))
                continue;
            XW(xmlTextWriterStartElement(w, BAD_CAST "testcase"));
            char *py_class, *py_name;
            if (pytest_names(s, &py_class, &py_name)) {
                attr(w, "name", py_name);
                attr(w, "classname", py_class);
                free(py_class);
                free(py_name);
            } else {
                attr(w, "name", name);
                attr(w, "classname", json_string_value(file));
            }
            attr_num(w, "time", json_number_value(json_object_get(s, "seconds")), "%.3f");
            if (!strcmp(st, "pending")) {
                XW(xmlTextWriterStartElement(w, BAD_CAST "skipped"));
                XW(xmlTextWriterEndElement(w));
            } else if (strcmp(st, "ran")) {
                XW(xmlTextWriterStartElement(w, BAD_CAST "error"));
                attr(w, "message", st);
                text_node(w, json_string_value(json_object_get(s, "message")));
                XW(xmlTextWriterEndElement(w));
            } else if (!json_is_true(json_object_get(s, "passed"))) {
                size_t n;
                char *text = failure_text(doc, name, &n), msg[256];
                snprintf(msg, sizeof msg, "expected %s, outcome %s (%zu new findings)",
                         json_string_value(json_object_get(s, "expect")), json_string_value(json_object_get(s, "outcome")), n);
                XW(xmlTextWriterStartElement(w, BAD_CAST "failure"));
                attr(w, "message", msg);
                attr(w, "type", json_string_value(json_object_get(s, "outcome")));
                text_node(w, text);
                XW(xmlTextWriterEndElement(w));
                free(text);
            }
            XW(xmlTextWriterEndElement(w));
        }
        XW(xmlTextWriterEndElement(w));
    }
    XW(xmlTextWriterEndDocument(w));
    xmlFreeTextWriter(w); /* flushes and closes the file */
    json_decref(files);
    if (failed || rename(tmp, path) != 0) {
        ft_error("cannot write %s%s%s", path, failed ? "" : ": ", failed ? "" : strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

const ft_reporter ft_reporter_junit = {"junit", "write JUnit XML: a testsuite per file, a testcase per scenario",
                                       ft_report_junit};
