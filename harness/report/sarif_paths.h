/* Where a SARIF document's paths point: the repository root (SRCROOT), artifact URIs, regions. */
#ifndef FTSTRESS_SARIF_PATHS_H
#define FTSTRESS_SARIF_PATHS_H

#include <jansson.h>

typedef struct ft_sarif_ctx {
    char *cwd;  /* where relative paths of the document are taken from */
    char *root; /* SRCROOT, ending in '/': the repository around cwd, else cwd */
} ft_sarif_ctx;

/* Fills `c` from the current directory; -1 with errno set when it cannot be read. */
int ft_sarif_ctx_init(ft_sarif_ctx *c);
void ft_sarif_ctx_free(ft_sarif_ctx *c);

/* An absolute, normalized path for `path`, or NULL when there is none (an unknown or relative
 * path whose file is not under the current directory). */
char *ft_sarif_resolve(const ft_sarif_ctx *c, const char *path);
/* Percent-encodes what may not stand in a URI path; '/' stays. */
char *ft_sarif_uri_encode(const char *s);
/* A physicalLocation for `path` (and `line` when > 0), or NULL when the path resolves to nothing. */
json_t *ft_sarif_physical_location(const ft_sarif_ctx *c, const char *path, long line);
/* Whether a physicalLocation lies inside the repository (is relative to SRCROOT). */
int ft_sarif_in_repository(const json_t *phys);
/* "path:line" or "path:line:column" -> path (new string) and line (0 when there is none). */
char *ft_sarif_split_line(const char *loc, long *line);

#endif
