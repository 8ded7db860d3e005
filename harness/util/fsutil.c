/* File-system helpers shared by commands. */
#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

int ft_mkdirs(const char *path)
{
    char *p = ft_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                rc = -1;
            *s = '/';
        }
    if (rc == 0 && mkdir(p, 0755) != 0 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

void ft_site_folders(const ft_strlist *extra, ft_strlist *out)
{
    struct stat st;
    char *abs;
    if (stat(".ftstress/site", &st) == 0 && S_ISDIR(st.st_mode) && (abs = realpath(".ftstress/site", NULL))) {
        ft_strlist_push(out, abs);
        free(abs);
    }
    ft_strlist_push(out, FTSTRESS_BUNDLED_SITE);
    for (size_t i = 0; extra && i < extra->count; i++) {
        abs = realpath(extra->items[i], NULL);
        ft_strlist_push(out, abs ? abs : extra->items[i]);
        free(abs);
    }
}
