/* Unit test: the resolved scenario the supervisor hands a worker survives the trip through JSON,
 * overrides included. */
#include <stdlib.h>

#include "check.h"
#include "scenario.h"
#include "scenario_json.h"

void test_resolved_scenario_round_trips(void)
{
    ft_scenario_set set = {0};
    ft_diags d = {0};
    const char *path = FTSTRESS_SOURCE_DIR "/scenarios/stdlib/io.yaml";
    ft_scenarios_load(&path, 1, &set, &d);
    CHECK_INT(d.count, 0);
    CHECK(set.count >= 1);
    if (!set.count)
        return;
    ft_scenario *s = &set.items[0];
    ft_scenario_override(s, 3, 7); /* what --threads 3 --iterations 7 do in the supervisor */
    json_t *doc = ft_scenario_to_json(s);
    CHECK(doc != NULL);
    ft_scenario back;
    CHECK_INT(ft_scenario_from_json(doc, &back), 0);
    CHECK_STR(back.name, s->name);
    CHECK_STR(back.file, s->file);
    CHECK_INT(back.nroles, s->nroles);
    for (size_t i = 0; i < back.nroles && i < s->nroles; i++) {
        CHECK_STR(back.roles[i].name, s->roles[i].name);
        CHECK_INT(back.roles[i].threads, 3);
        CHECK_INT(back.roles[i].iterations, 7);
        CHECK_STR(back.roles[i].body.code, s->roles[i].body.code);
        CHECK_INT(back.roles[i].body.line, s->roles[i].body.line);
        CHECK_INT(back.roles[i].body.column, s->roles[i].body.column);
    }
    CHECK_INT(back.setup.line, s->setup.line);
    CHECK_INT(back.rounds, s->rounds);
    CHECK_INT(back.expect, s->expect);
    CHECK(back.timeout == s->timeout && back.setup_timeout == s->setup_timeout);
    CHECK_INT(back.imports.count, s->imports.count);
    /* a document without roles is refused, not half-read */
    json_object_del(doc, "roles");
    ft_scenario broken;
    CHECK_INT(ft_scenario_from_json(doc, &broken), -1);
    ft_scenario_free(&broken);
    json_decref(doc);
    ft_scenario_free(&back);
    ft_scenarios_free(&set);
    ft_diags_free(&d);
}
