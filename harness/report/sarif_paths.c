/* Where a SARIF document's paths point: the repository root (SRCROOT), artifact URIs, regions. */
#include "sarif_paths.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

int ft_sarif_ctx_init(ft_sarif_ctx *c)
{
    c->cwd = getcwd(NULL, 0);
    if (!c->cwd)
        return -1;
    char *dir = ft_xstrdup(c->cwd);
    for (;;) {
        char *git = ft_xasprintf("%s/.git", *dir ? dir : "");
        int found = access(git, F_OK) == 0;
        free(git);
        if (found)
            break;
        char *slash = strrchr(dir, '/');
        if (!slash || !*dir) { /* no repository: the current directory is the root */
            free(dir);
            dir = ft_xstrdup(c->cwd);
            break;
        }
        *slash = '\0';
    }
    c->root = ft_xasprintf("%s/", strcmp(dir, "/") ? dir : "");
    free(dir);
    return 0;
}

void ft_sarif_ctx_free(ft_sarif_ctx *c)
{
    free(c->cwd);
    free(c->root);
}

/* "/a/./b/../c" -> "/a/c", lexically: the files need not exist on this machine. */
static char *normalize(const char *abs)
{
    char *copy = ft_xstrdup(abs), *save = NULL, *seg;
    char *out = ft_xmalloc(strlen(abs) + 2);
    size_t len = 0;
    out[0] = '\0';
    for (seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        if (!strcmp(seg, "."))
            continue;
        if (!strcmp(seg, "..")) {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
            out[len] = '\0';
            continue;
        }
        out[len++] = '/';
        strcpy(out + len, seg);
        len += strlen(seg);
    }
    if (!len)
        strcpy(out, "/");
    free(copy);
    return out;
}

/* Relative paths are taken from the current directory only when the file is there: a crash log's
 * "Python/ceval.c" is relative to a build folder we do not know. */
char *ft_sarif_resolve(const ft_sarif_ctx *c, const char *path)
{
    if (!path || !*path || !strcmp(path, "<null>") || !strcmp(path, "??"))
        return NULL;
    if (path[0] == '/')
        return normalize(path);
    char *joined = ft_xasprintf("%s/%s", c->cwd, path), *abs = NULL;
    if (access(joined, F_OK) == 0)
        abs = normalize(joined);
    free(joined);
    return abs;
}

char *ft_sarif_uri_encode(const char *s)
{
    static const char keep[] = "-._~/!$&'()*+,;=@";
    char *out = ft_xmalloc(strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) && *p < 0x80)
            *o++ = (char)*p;
        else if (strchr(keep, *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
    return out;
}

/* artifactLocation: relative to SRCROOT inside the repository, an absolute file URI outside it. */
static json_t *artifact_location(const ft_sarif_ctx *c, const char *path)
{
    char *abs = ft_sarif_resolve(c, path), *uri;
    json_t *v;
    size_t n = strlen(c->root);
    if (!abs)
        return NULL;
    if (!strncmp(abs, c->root, n) && abs[n]) {
        uri = ft_sarif_uri_encode(abs + n);
        v = json_pack("{s:s, s:s}", "uri", uri, "uriBaseId", "SRCROOT");
    } else {
        char *enc = ft_sarif_uri_encode(abs);
        uri = ft_xasprintf("file://%s", enc);
        free(enc);
        v = json_pack("{s:s}", "uri", uri);
    }
    free(uri);
    free(abs);
    return v;
}

json_t *ft_sarif_physical_location(const ft_sarif_ctx *c, const char *path, long line)
{
    json_t *art = artifact_location(c, path);
    if (!art)
        return NULL;
    json_t *v = json_pack("{s:o}", "artifactLocation", art);
    if (line > 0)
        json_object_set_new(v, "region", json_pack("{s:I}", "startLine", (json_int_t)line));
    return v;
}

int ft_sarif_in_repository(const json_t *phys)
{
    return json_object_get(json_object_get(phys, "artifactLocation"), "uriBaseId") != NULL;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

char *ft_sarif_split_line(const char *loc, long *line)
{
    char *path = ft_xstrdup(loc), *colon;
    long nums[2];
    int n = 0;
    /* from the right, so that a column, when there is one, is dropped and the line kept */
    while (n < 2 && (colon = strrchr(path, ':')) && all_digits(colon + 1)) {
        nums[n++] = strtol(colon + 1, NULL, 10);
        *colon = '\0';
    }
    *line = n ? nums[n - 1] : 0;
    return path;
}
