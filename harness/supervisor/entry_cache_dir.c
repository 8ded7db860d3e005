/* The folder of the targets' entry cache for this ftstress and its symbolizer (entry_cache_dir.h). */
#include "entry_cache_dir.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server_registry.h"
#include "xalloc.h"

static void mix(uint64_t *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ p[i]) * 1099511628211ULL; /* FNV-1a */
}

/* A file's path and identity: what it names the symbols by changes when the file does. */
static void mix_file(uint64_t *h, const char *path)
{
    struct stat st;
    mix(h, path, strlen(path) + 1);
    if (stat(path, &st) == 0) {
        mix(h, &st.st_dev, sizeof st.st_dev);
        mix(h, &st.st_ino, sizeof st.st_ino);
        mix(h, &st.st_size, sizeof st.st_size);
        mix(h, &st.st_mtim, sizeof st.st_mtim);
        mix(h, &st.st_ctim, sizeof st.st_ctim);
    }
}

const char *ft_entry_cache_dir(const char *symbolizer)
{
    static char *dir;
    static int tried;
    if (tried)
        return dir;
    tried = 1;
    char *why = NULL, *servers = ft_server_dir(&why);
    uint64_t h = 14695981039346656037ULL;
    free(why);
    if (!servers)
        return NULL;
    mix_file(&h, "/proc/self/exe"); /* how the worker asks and what it keeps */
    mix_file(&h, symbolizer ? symbolizer : "");
    dir = ft_xasprintf("%s/entries-%016llx", servers, (unsigned long long)h);
    free(servers);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        free(dir);
        dir = NULL;
    }
    return dir;
}
