/* build-ext after a failed build: the project's own build notes and the environment switches its
 * setup.py reads. A build from Debian's sources often needs one: xxhash's XXHASH_LINK_SO=1 (Debian's
 * tarball has no bundled xxHash), python-isal's PYTHON_ISAL_LINK_DYNAMIC=1 (no bundled isa-l; its
 * failure is "make: No rule to make target 'Makefile.unx'", which names neither). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_notes.h"
#include "log.h"
#include "strlist.h"
#include "xalloc.h"

/* The names in os.getenv("NAME"), os.environ.get("NAME") and os.environ["NAME"] in `path`. */
static void env_names(const char *path, ft_strlist *out)
{
    static const char *const calls[] = {"getenv(", "environ.get(", "environ[", NULL};
    char line[4096];
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) {
        for (int c = 0; calls[c]; c++) {
            for (char *p = strstr(line, calls[c]); p; p = strstr(p + 1, calls[c])) {
                char *q = p + strlen(calls[c]), *end;
                while (*q == ' ')
                    q++;
                if (*q != '"' && *q != '\'')
                    continue;
                end = strchr(q + 1, *q);
                if (!end || end == q + 1 || end - q > 64)
                    continue;
                char *name = ft_xstrndup(q + 1, (size_t)(end - q - 1));
                int seen = 0;
                for (size_t i = 0; i < out->count && !seen; i++)
                    seen = !strcmp(out->items[i], name);
                if (!seen && strcmp(name, "CC") && strcmp(name, "CFLAGS") && strcmp(name, "LDFLAGS"))
                    ft_strlist_push(out, name);
                free(name);
            }
        }
    }
    if (f)
        fclose(f);
}

void ft_build_point_at_notes(const char *project)
{
    static const char *const notes[] = {"README.rst", "README.md", "README", "README.txt", "INSTALL", "INSTALL.md",
                                        "INSTALL.rst", "BUILDING.md", "docs/index.rst", "docs/install.rst", NULL};
    char *setup = ft_xasprintf("%s/setup.py", project);
    ft_strlist names = {0};
    env_names(setup, &names);
    free(setup);
    if (names.count) {
        size_t len = 1;
        for (size_t i = 0; i < names.count; i++)
            len += strlen(names.items[i]) + 2;
        char *list = ft_xcalloc(len, 1);
        for (size_t i = 0; i < names.count; i++) {
            if (i)
                strcat(list, ", ");
            strcat(list, names.items[i]);
        }
        ft_info("its setup.py reads these environment variables, which pass through build-ext: %s "
                "(a Debian source often needs the one that links a system library instead of a bundled copy)",
                list);
        free(list);
    }
    ft_strlist_free(&names);
    for (int i = 0; notes[i]; i++) {
        char *path = ft_xasprintf("%s/%s", project, notes[i]);
        int there = access(path, R_OK) == 0;
        if (there)
            ft_info("if it stopped before compiling, %s says how the project builds: its switches, and the "
                    "-dev packages to apt-get install",
                    path);
        free(path);
        if (there)
            return;
    }
}
