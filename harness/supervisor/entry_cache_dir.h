/* The folder a run's workers keep the targets' symbolized entry points in (worker/entry_cache.h). */
#ifndef FTSTRESS_ENTRY_CACHE_DIR_H
#define FTSTRESS_ENTRY_CACHE_DIR_H

/* A folder of this ftstress binary and `symbolizer` (either rebuilt: another folder) in the user's
 * server folder (server_registry.h), created owner-only; NULL when there is none to be had (the
 * workers then symbolize every time). Made once per process; the caller does not free it. */
const char *ft_entry_cache_dir(const char *symbolizer);

#endif
