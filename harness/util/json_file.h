/* JSON helpers: writing a document so that a reader never sees half of it, string lists as arrays. */
#ifndef FTSTRESS_JSON_FILE_H
#define FTSTRESS_JSON_FILE_H

#include <jansson.h>

#include "strlist.h"

/* Writes `doc` (indented) to a temporary file beside `path`, then renames it over `path`.
 * 0, or -1 with errno set and no file left behind. */
int ft_json_write_atomic(const json_t *doc, const char *path);

/* A string list as a JSON array of strings. New reference. */
json_t *ft_strlist_to_json(const ft_strlist *l);

#endif
