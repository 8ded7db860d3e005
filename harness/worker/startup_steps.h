/* Where a worker's start-up went: a few named marks, from the request to its first round, sent with
 * its ready event so that a start-up's cost can be read off any run rather than guessed. */
#ifndef FTSTRESS_STARTUP_STEPS_H
#define FTSTRESS_STARTUP_STEPS_H

#include <stdint.h>
#include <jansson.h>

/* Starts the record at `origin_ns` (the request, or the worker's first instruction when spawned). */
void ft_startup_begin(int64_t origin_ns);

/* Marks the end of the step called `name` (a literal: it is kept, not copied) now. */
void ft_startup_mark(const char *name);

/* {name: seconds that step took} in the order marked; a new reference. */
json_t *ft_startup_steps_json(void);

#endif
