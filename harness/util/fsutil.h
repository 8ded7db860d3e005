/* File-system helpers shared by commands. */
#ifndef FTSTRESS_FSUTIL_H
#define FTSTRESS_FSUTIL_H

/* Creates `path` and any missing parents (mkdir -p). 0, or -1 with errno. */
int ft_mkdirs(const char *path);

#include "strlist.h"

/* The site folders a run puts on sys.path, in order: ./.ftstress/site when it exists (where
 * build-ext installs by default), the bundled one (the demo's and tests' extensions), then `extra`
 * (--site), all made absolute. Pushed to `out`. */
void ft_site_folders(const ft_strlist *extra, ft_strlist *out);

#endif
