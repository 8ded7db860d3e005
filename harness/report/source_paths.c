/* Source paths relative to the tree that was built: build-ext's copy of a project, the interpreter's
 * build folder, and the user's own tree that build-ext recorded. */
#include "source_paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define COPY_MARK "/.ftstress-build/"

/* The start of the path relative to build-ext's copy ("SITE/.ftstress-build/NAME/src/REST" ->
 * REST), with the copy's folder ("SITE/.ftstress-build/NAME") in *work when asked; NULL when the
 * path is not in such a copy. */
static const char *in_build_copy(const char *path, char **work)
{
    const char *mark = strstr(path, COPY_MARK), *name, *rest;
    if (!mark)
        return NULL;
    name = mark + strlen(COPY_MARK);
    rest = strchr(name, '/');
    if (!rest || strncmp(rest, "/src/", 5) || !rest[5])
        return NULL;
    if (work)
        *work = ft_xstrndup(path, (size_t)(rest - path));
    return rest + 5;
}

/* The start of the path relative to the interpreter's build folder: bootstrap builds CPython in
 * FTSTRESS_HOME/build/KEY and installs it into FTSTRESS_HOME/cpython/KEY (FTSTRESS_PYTHON_PREFIX). */
static const char *in_interpreter_build(const char *path)
{
    static char build[PATH_MAX];
    const char *prefix = FTSTRESS_PYTHON_PREFIX, *key = strrchr(prefix, '/');
    const char *cpython = key ? key - strlen("/cpython") : NULL;
    if (!cpython || cpython < prefix || strncmp(cpython, "/cpython/", 9))
        return NULL;
    if (!*build)
        snprintf(build, sizeof build, "%.*s/build%s/", (int)(cpython - prefix), prefix, key);
    if (strncmp(path, build, strlen(build)))
        return NULL;
    path += strlen(build);
    while (!strncmp(path, "./", 2))
        path += 2;
    return *path ? path : NULL;
}

char *ft_source_path_shown(const char *path)
{
    const char *rest = in_build_copy(path, NULL);
    if (!rest)
        rest = in_interpreter_build(path);
    return ft_xstrdup(rest ? rest : path);
}

/* The tree build-ext copied, as it recorded it in WORK/source (one line, an absolute path). */
static char *recorded_source(const char *work)
{
    char *file = ft_xasprintf("%s/source", work), line[PATH_MAX + 2];
    FILE *f = fopen(file, "r");
    free(file);
    if (!f)
        return NULL;
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    if (!got)
        return NULL;
    line[strcspn(line, "\n")] = '\0';
    return line[0] == '/' ? ft_xstrdup(line) : NULL;
}

char *ft_source_path_in(const char *path, const char *root)
{
    char *work = NULL, *source, *original, *out = NULL;
    const char *rest = in_build_copy(path, &work);
    if (!root || !*root)
        return rest ? ft_xstrdup(rest) : NULL;
    source = rest ? recorded_source(work) : NULL;
    original = source ? ft_xasprintf("%s/%s", source, rest) : ft_xstrdup(path);
    for (char *dot; (dot = strstr(original, "/./"));) /* the compiler's "BUILD/./Modules/x.c" */
        memmove(dot, dot + 2, strlen(dot + 2) + 1);
    char *real_root = realpath(root, NULL);
    const char *r = real_root ? real_root : root;
    size_t n = strlen(r);
    while (n > 1 && r[n - 1] == '/')
        n--;
    if (original[0] == '/' && !strncmp(original, r, n) && original[n] == '/' && original[n + 1])
        out = ft_xstrdup(original + n + 1);
    free(real_root);
    free(original);
    free(source);
    free(work);
    return out;
}
