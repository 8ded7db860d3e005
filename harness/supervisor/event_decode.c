/* The supervisor's side of the event protocol: names to kinds, and which events end a run. */
#include "event_decode.h"

#include <string.h>

static const struct {
    const char *name;
    ft_event_end ends;
} events[FT_EV_COUNT] = {
    [FT_EV_UNKNOWN] = {"?", FT_ENDS_NOTHING},
#define FT_EV_ROW(id, name, end, fields) [FT_EV_##id] = {name, end},
    FT_EVENT_TABLE(FT_EV_ROW)
#undef FT_EV_ROW
};

ft_event ft_event_decode(const json_t *ev)
{
    const char *name = json_string_value(json_object_get(ev, "ev"));
    if (!name)
        return FT_EV_UNKNOWN;
    for (int k = 1; k < FT_EV_COUNT; k++)
        if (!strcmp(events[k].name, name))
            return (ft_event)k;
    return FT_EV_UNKNOWN;
}

const char *ft_event_name(ft_event kind)
{
    return kind > FT_EV_UNKNOWN && kind < FT_EV_COUNT ? events[kind].name : "?";
}

int ft_event_is_fatal(ft_event kind, const json_t *ev)
{
    if (kind <= FT_EV_UNKNOWN || kind >= FT_EV_COUNT)
        return 0;
    if (events[kind].ends == FT_ENDS_FATAL_IF) /* the GIL came back on, and the scenario did not allow it */
        return json_is_true(json_object_get(ev, "enabled")) && !json_is_true(json_object_get(ev, "allowed"));
    return events[kind].ends == FT_ENDS_FATAL;
}

int ft_event_is_final(ft_event kind)
{
    return kind > FT_EV_UNKNOWN && kind < FT_EV_COUNT && events[kind].ends == FT_ENDS_RUN;
}
