/* JSON helpers: writing a document so that a reader never sees half of it, string lists as arrays. */
#include "json_file.h"

#include <stdlib.h>
#include <unistd.h>

#include "xalloc.h"

int ft_json_write_atomic(const json_t *doc, const char *path)
{
    char *tmp = NULL;
    int rc;
    tmp = ft_xasprintf("%s.tmp.%d", path, (int)getpid());
    rc = json_dump_file(doc, tmp, JSON_INDENT(2));
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

json_t *ft_strlist_to_json(const ft_strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->count; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}
