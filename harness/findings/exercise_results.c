/* Sums what the workers of a scenario exercised and writes it as results.json's `exercised`.
 *
 * A worker sends its counts so far after its first round, a few times a second, and finally just
 * before "done". A worker stopped at the expected outcome, crashed or killed for a hang sends no
 * final count: what it did after its last snapshot is lost, and `complete` says so. */
#include "exercise_results.h"

#include <stdlib.h>
#include <string.h>

json_t *ft_exercise_sum_new(void)
{
    json_t *sum = json_pack("{s:[], s:[], s:[], s:{}, s:I, s:{s:{}, s:{}}, s:n, s:i, s:i}", "modules", "functions", "types", "entries", "dropped",
                            (json_int_t)0, "closed", "calls", "roles", "current", "workers_reported", 0, "workers_final", 0);
    if (!sum)
        abort(); /* out of memory at start-up: nothing sensible to do */
    return sum;
}

static void add_int(json_t *obj, const char *key, json_int_t n)
{
    json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + n));
}

static void add_counts(json_t *into, const json_t *from)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)from, k, v) add_int(into, k, json_integer_value(v));
}

static void append_unique(json_t *list, json_t *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (json_equal(v, value)) return;
    json_array_append(list, value);
}

/* Each callable's C entry points ([[symbol, shared object], ...]): the first worker's list stands. */
static void merge_entries(json_t *into, const json_t *from)
{
    const char *name;
    json_t *v;
    if (!json_is_object(into))
        return;
    json_object_foreach((json_t *)from, name, v) if (!json_object_get(into, name)) json_object_set(into, name, v);
}

static void max_of(json_t *into, const json_t *from, const char *key)
{
    if (json_integer_value(json_object_get(from, key)) > json_integer_value(json_object_get(into, key)))
        json_object_set(into, key, json_object_get(from, key));
}

/* Adds one worker's counts ({calls, roles}) to `into`. `threads` are thread indices while summing
 * (thread 2 of one worker is thread 2 of the next), counts once written. */
static void fold(json_t *into, const json_t *from)
{
    const char *name;
    json_t *v, *have, *t;
    size_t i;
    max_of(into, from, "max_concurrent_any");
    json_object_foreach(json_object_get(from, "calls"), name, v) {
        if (!(have = json_object_get(json_object_get(into, "calls"), name))) {
            json_object_set_new(json_object_get(into, "calls"), name, json_deep_copy(v));
            continue;
        }
        add_int(have, "calls", json_integer_value(json_object_get(v, "calls")));
        add_int(have, "raised", json_integer_value(json_object_get(v, "raised")));
        max_of(have, v, "max_concurrent");
        if (json_is_array(json_object_get(v, "threads")))
            json_array_foreach(json_object_get(v, "threads"), i, t) append_unique(json_object_get(have, "threads"), t);
        else /* documents of separate runs: the most threads either saw, a lower bound */
            max_of(have, v, "threads");
        add_counts(json_object_get(have, "exceptions"), json_object_get(v, "exceptions"));
    }
    json_object_foreach(json_object_get(from, "roles"), name, v) {
        if (!(have = json_object_get(json_object_get(into, "roles"), name))) {
            json_object_set_new(json_object_get(into, "roles"), name, json_deep_copy(v));
            continue;
        }
        add_int(have, "body_calls", json_integer_value(json_object_get(v, "body_calls")));
        add_counts(json_object_get(have, "exceptions"), json_object_get(v, "exceptions"));
    }
}

void ft_exercise_sum_add(json_t *sum, ft_event kind, const json_t *ev)
{
    json_t *v, *current = json_object_get(sum, "current");
    size_t i;

    if (kind == FT_EV_EXERCISE_TARGETS) {
        json_array_foreach(json_object_get(ev, "modules"), i, v) append_unique(json_object_get(sum, "modules"), v);
        json_array_foreach(json_object_get(ev, "functions"), i, v) append_unique(json_object_get(sum, "functions"), v);
        json_array_foreach(json_object_get(ev, "types"), i, v) append_unique(json_object_get(sum, "types"), v);
        merge_entries(json_object_get(sum, "entries"), json_object_get(ev, "entries"));
        max_of(sum, ev, "dropped");
        return;
    }
    /* Each snapshot holds the worker's counts so far: the last one of each worker counts. A
     * scenario's workers run one after another, so a new pid closes the previous worker's. */
    if (!json_is_object(current) || !json_equal(json_object_get(current, "pid"), json_object_get(ev, "pid"))) {
        if (json_is_object(current))
            fold(json_object_get(sum, "closed"), current);
        add_int(sum, "workers_reported", 1);
    }
    json_object_set_new(sum, "current", json_deep_copy(ev));
    if (json_is_true(json_object_get(ev, "final")))
        add_int(sum, "workers_final", 1);
}

/* `target_reached` and the lists that follow from `calls` and `functions`. */
static void derive(json_t *ex)
{
    json_t *not_reached = json_array(), *f;
    size_t i, reached = 0, total = json_array_size(json_object_get(ex, "functions"));
    json_array_foreach(json_object_get(ex, "functions"), i, f) {
        json_t *c = json_object_get(json_object_get(ex, "calls"), json_string_value(f));
        if (json_integer_value(json_object_get(c, "calls")) > 0)
            reached++;
        else
            json_array_append(not_reached, f);
    }
    json_object_set_new(ex, "functions_total", json_integer((json_int_t)total));
    json_object_set_new(ex, "functions_reached", json_integer((json_int_t)reached));
    json_object_set_new(ex, "not_reached", not_reached);
    /* null: nothing to reach (no C callables), or no worker lived to say */
    json_object_set_new(ex, "target_reached", !total || !json_integer_value(json_object_get(ex, "workers_reported"))
                                                  ? json_null()
                                                  : json_boolean(reached > 0));
    json_object_set_new(ex, "complete", json_boolean(json_integer_value(json_object_get(ex, "workers_final")) >=
                                                     json_integer_value(json_object_get(ex, "workers"))));
}

json_t *ft_exercise_to_json(const json_t *sum, int workers)
{
    const char *off = getenv("FTSTRESS_EXERCISE");
    const char *name;
    json_t *v;
    if (off && !strcmp(off, "0"))
        return NULL;
    json_t *ex = json_pack("{s:O, s:O, s:O, s:O, s:O, s:{}, s:{}, s:O, s:i}", "modules", json_object_get(sum, "modules"),
                           "functions", json_object_get(sum, "functions"), "types", json_object_get(sum, "types"), "entries", json_object_get(sum, "entries"), "dropped", json_object_get(sum, "dropped"), "calls", "roles",
                           "workers_reported", json_object_get(sum, "workers_reported"), "workers", workers);
    if (!ex)
        return NULL;
    fold(ex, json_object_get(sum, "closed"));
    if (json_is_object(json_object_get(sum, "current")))
        fold(ex, json_object_get(sum, "current"));
    json_object_foreach(json_object_get(ex, "calls"), name, v)
        json_object_set_new(v, "threads", json_integer((json_int_t)json_array_size(json_object_get(v, "threads"))));
    /* A worker that sent no final count was stopped early, crashed or was killed: what it did after
     * its last snapshot is not counted. */
    json_object_set_new(ex, "workers_final", json_integer(json_integer_value(json_object_get(sum, "workers_final"))));
    derive(ex);
    return ex;
}

void ft_exercise_merge(json_t *into, const json_t *from)
{
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(from, "modules"), i, v) append_unique(json_object_get(into, "modules"), v);
    json_array_foreach(json_object_get(from, "functions"), i, v) append_unique(json_object_get(into, "functions"), v);
    if (!json_object_get(into, "entries") && json_is_object(json_object_get(from, "entries")))
        json_object_set_new(into, "entries", json_object());
    merge_entries(json_object_get(into, "entries"), json_object_get(from, "entries"));
    if (!json_object_get(into, "types") && json_is_array(json_object_get(from, "types")))
        json_object_set_new(into, "types", json_array());
    json_array_foreach(json_object_get(from, "types"), i, v) if (json_is_array(json_object_get(into, "types")))
        append_unique(json_object_get(into, "types"), v);
    add_int(into, "workers", json_integer_value(json_object_get(from, "workers")));
    add_int(into, "workers_reported", json_integer_value(json_object_get(from, "workers_reported")));
    add_int(into, "workers_final", json_integer_value(json_object_get(from, "workers_final")));
    fold(into, from);
    derive(into);
}
