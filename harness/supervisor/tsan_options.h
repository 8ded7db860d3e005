/* The TSAN_OPTIONS a worker or a fork server runs with. */
#ifndef FTSTRESS_TSAN_OPTIONS_H
#define FTSTRESS_TSAN_OPTIONS_H

/* The TSan options every worker runs with (the user's TSAN_OPTIONS first, then ftstress's own),
 * without log_path, which is per scenario. Malloc'd. */
char *ft_worker_tsan_options(const char *symbolizer);
/* A path as a TSAN_OPTIONS value: quoted, as a folder may hold spaces (a path with both quote
 * characters cannot be passed; `ftstress run` refuses such an output folder). New string. */
char *ft_tsan_quoted(const char *value);

#endif
