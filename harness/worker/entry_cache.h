/* The symbolized C entry points of the targets, kept between commands in a folder the supervisor
 * names (--entry-cache): one file per shared object, keyed by the object's path and its file's
 * identity (device, inode, size, modification and change times), so a second command with the same
 * targets asks TSan's symbolizer nothing (0.1-0.2 s before the first round), and a rebuilt or
 * touched object is symbolized again. */
#ifndef FTSTRESS_ENTRY_CACHE_H
#define FTSTRESS_ENTRY_CACHE_H

#include <jansson.h>

/* The folder the cache lives in; NULL (or never called): no cache, every entry is symbolized. */
void ft_entry_cache_use(const char *dir);

/* What is kept for C code at `fn`: 1 with *symbol set to a new reference ([function, object]),
 * 0 when nothing is kept (the caller symbolizes and calls ft_entry_cache_put). */
int ft_entry_cache_get(const void *fn, json_t **symbol);

/* Keeps `symbol` ([function, object], borrowed; NULL is not kept) for `fn` until ft_entry_cache_save. */
void ft_entry_cache_put(const void *fn, const json_t *symbol);

/* Writes the objects' files that gained entries (each a whole file renamed into place) and drops
 * what was loaded. */
void ft_entry_cache_save(void);

#endif
