/* Grouping on real events replayed: msgpack's shared Packer (Cython as C++), its races and the exceptions they cause. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "event_decode.h"
#include "results.h"

/* A one-scenario results object for `name` expecting `expect`. */
static void one_scenario(ft_results *r, ft_scenario_set *set, const char *name, ft_outcome expect)
{
    static size_t zero = 0;
    set->items = calloc(1, sizeof *set->items);
    set->count = 1;
    set->items[0] = (ft_scenario){.file = strdup("/x/msgpack.yaml"), .name = strdup(name), .expect = expect, .rounds = 20};
    set->items[0].roles = calloc(1, sizeof(ft_role));
    set->items[0].roles[0] = (ft_role){.name = strdup("body"), .threads = 4, .iterations = 300};
    set->items[0].nroles = 1;
    ft_results_init(r, set, &zero, 1, NULL, NULL);
    r->scenarios[0].status = FT_ST_RAN;
}

/* Feeds tests/data/events/NAME.jsonl ({"worker": PID, "event": EVENT} per line, a trimmed copy of a
 * run's events.jsonl: one report per function pair, two exceptions per type) as the supervisor's
 * intake does (event_intake.c). Returns the events fed. */
static int replay(ft_results *r, const char *name)
{
    char path[512], line[1 << 16];
    int n = 0;
    snprintf(path, sizeof path, "%s/tests/data/events/%s.jsonl", FTSTRESS_SOURCE_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "  cannot open %s\n", path);
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        json_error_t err;
        json_t *doc = json_loads(line, 0, &err), *ev = json_object_get(doc, "event");
        if (!ev) {
            fprintf(stderr, "  %s:%d: %s\n", path, n + 1, err.text);
            json_decref(doc);
            continue;
        }
        ft_event kind = ft_event_decode(ev);
        if (kind == FT_EV_REPORT) {
            json_object_set(ev, "worker", json_object_get(doc, "worker"));
            ft_results_report(r, 0, ev, 0.1 * n);
        } else
            ft_results_event(r, 0, kind, ev, 0.1 * n);
        json_decref(doc);
        n++;
    }
    fclose(f);
    return n;
}

void test_msgpack_packer_is_one_group_named_in_python(void)
{
    ft_results r;
    ft_scenario_set set = {0};
    one_scenario(&r, &set, "msgpack-shared-packer", FT_RACE);
    CHECK(replay(&r, "msgpack-shared-packer") > 20);
    ft_results_finish(&r);
    size_t races = 0, errors = 0, joined = 0;
    for (size_t i = 0; i < r.nfindings; i++) {
        races += r.findings[i].kind == FT_KIND_RACE;
        errors += r.findings[i].kind == FT_KIND_ERROR;
        joined += r.findings[i].kind == FT_KIND_ERROR && r.findings[i].joined_because != NULL;
    }
    CHECK(races >= 5);
    CHECK_INT((long)errors, 3); /* ExtraData, ValueError, UnicodeDecodeError from unpackb */
    CHECK_INT((long)joined, 3); /* each says why it joined the race */
    /* one bug: the Packer's buffer, named by the Cython method (not __pyx_f_..._6Packer__pack(...),
     * not __Pyx_CyFunction_Vectorcall_FASTCALL_KEYWORDS) */
    CHECK_INT((long)r.ngroups, 1);
    if (r.ngroups == 1)
        CHECK_STR(r.groups[0].name, "_cmsgpack: Packer._pack");
    ft_results_free(&r);
    ft_scenarios_free(&set);
}

void test_msgpack_unpacker_is_one_group_named_in_python(void)
{
    ft_results r;
    ft_scenario_set set = {0};
    one_scenario(&r, &set, "msgpack-shared-unpacker", FT_CRASH);
    CHECK(replay(&r, "msgpack-shared-unpacker") > 15);
    ft_results_finish(&r);
    size_t errors = 0, joined = 0;
    for (size_t i = 0; i < r.nfindings; i++) {
        errors += r.findings[i].kind == FT_KIND_ERROR;
        joined += r.findings[i].kind == FT_KIND_ERROR && r.findings[i].joined_because != NULL;
    }
    CHECK(errors >= 2); /* ValueError, SystemError from Unpacker._unpack on the corrupted buffer */
    CHECK_INT((long)joined, (long)errors);
    /* the Unpacker's buffer: one group, by a method's Python name (which one depends on the pairs
     * seen: Unpacker.append_buffer in this trimmed replay, Unpacker._unpack in the whole run), not
     * int unpack_execute<true>(...) or __pyx_f_7msgpack_9_cmsgpack_8Unpacker__unpack */
    CHECK_INT((long)r.ngroups, 1);
    if (r.ngroups == 1) {
        CHECK(!strncmp(r.groups[0].name, "_cmsgpack: Unpacker.", 20));
        CHECK(!strpbrk(r.groups[0].name, "(<") && !strstr(r.groups[0].name, "__pyx"));
    }
    ft_results_free(&r);
    ft_scenarios_free(&set);
}
