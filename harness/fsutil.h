/* File-system helpers shared by commands. */
#ifndef FTSTRESS_FSUTIL_H
#define FTSTRESS_FSUTIL_H

/* Creates `path` and any missing parents (mkdir -p). 0, or -1 with errno. */
int ft_mkdirs(const char *path);

#endif
