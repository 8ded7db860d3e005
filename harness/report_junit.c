/* JUnit XML from a results document, written with libxml2 so that escaping is always right. */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reporters.h"

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST(value ? value : ""));
}

static void attr_num(xmlTextWriterPtr w, const char *name, double v, const char *fmt)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    attr(w, name, buf);
}

/* The failure text of a scenario: each of its findings that counts, with the first report. */
static char *failure_text(const json_t *doc, const char *scenario, size_t *nfound)
{
    char *text = NULL;
    size_t len = 0, i;
    json_t *f;
    FILE *out = open_memstream(&text, &len);
    *nfound = 0;
    json_array_foreach(json_object_get(doc, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "scenario")) ?: "", scenario) ||
            !json_is_true(json_object_get(f, "new")))
            continue;
        (*nfound)++;
        fprintf(out, "%s [%s, owner %s, %lld times]\n%s\n\n", json_string_value(json_object_get(f, "title")),
                json_string_value(json_object_get(f, "signature")), json_string_value(json_object_get(f, "owner")),
                (long long)json_integer_value(json_object_get(f, "count")),
                json_string_value(json_object_get(f, "report")) ?: "");
    }
    fclose(out);
    return text;
}

int ft_report_junit(const json_t *doc, const char *path)
{
    xmlTextWriterPtr w = xmlNewTextWriterFilename(path, 0);
    json_t *scenarios = json_object_get(doc, "scenarios"), *s;
    json_t *files = json_array();
    size_t i, k;

    if (!w)
        return -1;
    /* Suites in the order their files first appear. */
    json_array_foreach(scenarios, i, s) {
        json_t *file = json_object_get(s, "file"), *seen;
        int known = 0;
        json_array_foreach(files, k, seen) known |= json_equal(seen, file);
        if (!known)
            json_array_append(files, file);
    }
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "testsuites");
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
        xmlTextWriterStartElement(w, BAD_CAST "testsuite");
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
            xmlTextWriterStartElement(w, BAD_CAST "testcase");
            attr(w, "name", name);
            attr(w, "classname", json_string_value(file));
            attr_num(w, "time", json_number_value(json_object_get(s, "seconds")), "%.3f");
            if (!strcmp(st, "pending")) {
                xmlTextWriterStartElement(w, BAD_CAST "skipped");
                xmlTextWriterEndElement(w);
            } else if (strcmp(st, "ran")) {
                xmlTextWriterStartElement(w, BAD_CAST "error");
                attr(w, "message", st);
                xmlTextWriterWriteString(w, BAD_CAST(json_string_value(json_object_get(s, "message")) ?: ""));
                xmlTextWriterEndElement(w);
            } else if (!json_is_true(json_object_get(s, "passed"))) {
                size_t n;
                char *text = failure_text(doc, name, &n), msg[256];
                snprintf(msg, sizeof msg, "expected %s, outcome %s (%zu new findings)",
                         json_string_value(json_object_get(s, "expect")), json_string_value(json_object_get(s, "outcome")), n);
                xmlTextWriterStartElement(w, BAD_CAST "failure");
                attr(w, "message", msg);
                attr(w, "type", json_string_value(json_object_get(s, "outcome")));
                xmlTextWriterWriteString(w, BAD_CAST text);
                xmlTextWriterEndElement(w);
                free(text);
            }
            xmlTextWriterEndElement(w);
        }
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    json_decref(files);
    return 0;
}
