/* The supervisor's side of the event protocol (event_protocol.h): an event line's kind, and
 * whether it ends the worker's run. */
#ifndef FTSTRESS_EVENT_DECODE_H
#define FTSTRESS_EVENT_DECODE_H

#include <jansson.h>

#include "event_protocol.h"

/* The kind of a decoded event object; FT_EV_UNKNOWN when "ev" is missing or not a known name. */
ft_event ft_event_decode(const json_t *ev);

/* The event's name as the protocol spells it ("?" for FT_EV_UNKNOWN). */
const char *ft_event_name(ft_event kind);

/* The scenario cannot run: the worker says so, and its rounds stop. */
int ft_event_is_fatal(ft_event kind, const json_t *ev);

/* The worker's last event: it finished what it was asked to do. */
int ft_event_is_final(ft_event kind);

#endif
