/* Turns command-line paths into scenario files (folders walked recursively, in sorted order). */
#include "scenario.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int has_yaml_suffix(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Appends the YAML files under `dir` to `files`, depth first, each folder in sorted order so that
 * every machine sees the same scenario order (sharding depends on it). */
static void walk(const char *dir, ft_strlist *files, ft_diags *diags)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    ft_strlist names = {0};

    if (!d) {
        ft_diags_add(diags, dir, 0, 0, "cannot open folder: %s", strerror(errno));
        return;
    }
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            ft_strlist_push(&names, e->d_name);
    closedir(d);
    qsort(names.items, names.count, sizeof *names.items, by_name);
    for (size_t i = 0; i < names.count; i++) {
        char *path = NULL;
        struct stat st;
        path = ft_xasprintf("%s/%s", dir, names.items[i]);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            walk(path, files, diags);
        else if (has_yaml_suffix(names.items[i]))
            ft_strlist_push(files, path);
        free(path);
    }
    ft_strlist_free(&names);
}

int ft_scenarios_load(const char *const *paths, size_t npaths, ft_scenario_set *set, ft_diags *diags)
{
    ft_strlist files = {0};
    size_t before = diags->count;

    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        char *p = ft_xstrdup(paths[i]);
        size_t n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
            p[--n] = '\0';
        if (stat(p, &st) != 0)
            ft_diags_add(diags, p, 0, 0, "no such scenario file or folder");
        else if (S_ISDIR(st.st_mode))
            walk(p, &files, diags);
        else
            ft_strlist_push(&files, p);
        free(p);
    }
    for (size_t i = 0; i < files.count; i++) {
        size_t first = set->count;
        ft_scenarios_load_file(files.items[i], set, diags);
        /* Names identify scenarios in results, baselines and shards: they must be unique. */
        for (size_t j = first; j < set->count; j++)
            for (size_t k = 0; k < j; k++)
                if (!strcmp(set->items[j].name, set->items[k].name)) {
                    ft_diags_add(diags, set->items[j].file, set->items[j].line, 1,
                                 "duplicate scenario name '%s' (also at %s:%d)", set->items[j].name,
                                 set->items[k].file, set->items[k].line);
                    break;
                }
    }
    if (files.count == 0 && diags->count == before)
        ft_diags_add(diags, npaths ? paths[0] : ".", 0, 0, "no scenario files (*.yaml, *.yml) found");
    ft_strlist_free(&files);
    return diags->count == before ? 0 : -1;
}
