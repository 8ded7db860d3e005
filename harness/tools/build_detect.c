/* Which build backend a project folder uses: pyproject.toml's build-backend, else setup.py or meson.build. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_backend.h"
#include "xalloc.h"

/* `[build-system]` then `build-backend = "mesonpy"` (or 'mesonpy'), or the dotted top-level form
 * `build-system.build-backend = "mesonpy"`. A line scan, not a TOML parser: the key is one line in
 * every pyproject.toml seen, and a value split over lines is no string TOML allows here. Returns
 * the malloc'd value, or NULL when the file or the key is missing. */
static char *pyproject_backend(const char *project)
{
    char *path = ft_xasprintf("%s/pyproject.toml", project), line[4096], *value = NULL;
    FILE *f = fopen(path, "r");
    int in_build_system = 0;
    free(path);
    if (!f)
        return NULL;
    while (!value && fgets(line, sizeof line, f)) {
        char *p = line, *key;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '[') {
            /* a table header: [build-system], or [ "build-system" ] as TOML allows */
            char name[64] = "";
            sscanf(p, "[ %63[^] \t]", name);
            in_build_system = !strcmp(name, "build-system") || !strcmp(name, "\"build-system\"");
            continue;
        }
        if (in_build_system && !strncmp(p, "build-backend", 13))
            key = p + 13;
        else if (!strncmp(p, "build-system.build-backend", 26))
            key = p + 26;
        else
            continue;
        while (*key == ' ' || *key == '\t')
            key++;
        if (*key++ != '=')
            continue;
        while (*key == ' ' || *key == '\t')
            key++;
        if (*key == '"' || *key == '\'') {
            char *end = strchr(key + 1, *key);
            if (end)
                value = ft_xstrndup(key + 1, (size_t)(end - key - 1));
        }
    }
    fclose(f);
    return value;
}

static int has_file(const char *project, const char *name)
{
    char *path = ft_xasprintf("%s/%s", project, name);
    int ok = access(path, F_OK) == 0;
    free(path);
    return ok;
}

int ft_build_detect(const char *project, ft_build_backend *out, char **why)
{
    char *backend = pyproject_backend(project);
    int rc = 0;

    *why = NULL;
    if (backend && !strcmp(backend, "mesonpy"))
        *out = FT_BUILD_MESON_PYTHON;
    else if (backend && !strcmp(backend, "scikit_build_core.build"))
        *out = FT_BUILD_SCIKIT_BUILD_CORE;
    else if (backend && (!strcmp(backend, "setuptools.build_meta") || !strncmp(backend, "setuptools.build_meta:", 22)))
        *out = FT_BUILD_SETUPTOOLS;
    else if (backend) {
        *why = ft_xasprintf("pyproject.toml names build-backend \"%s\"; build-ext builds setuptools (Cython "
                            "included), meson-python (\"mesonpy\") and scikit-build-core projects only",
                            backend);
        rc = -1;
    } else if (has_file(project, "setup.py") || has_file(project, "pyproject.toml"))
        /* PEP 517: a pyproject.toml without build-backend means setuptools' legacy backend */
        *out = FT_BUILD_SETUPTOOLS;
    else if (has_file(project, "meson.build")) {
        *why = ft_xstrdup("meson.build without a pyproject.toml: meson-python needs one with "
                          "[build-system] build-backend = \"mesonpy\" and the [project] name and version");
        rc = -1;
    } else {
        *why = ft_xstrdup("no setup.py, pyproject.toml or meson.build: not a Python project folder");
        rc = -1;
    }
    free(backend);
    return rc;
}
