/* The targets' symbolized C entry points kept between commands (entry_cache.h).
 *
 * A file per shared object: {"key": the object's identity, "symbols": {offset: [function, object]}}.
 * The file's name is a hash of the key and the key is compared whole when read, so an object that
 * was rebuilt, copied over or touched (its size, inode or times differ) starts from nothing. Only
 * what the symbolizer named is kept: an address it could not name is asked again next time. A
 * write is a temporary file renamed into place, so a reader sees an old file or a new one; two
 * workers writing at once can only lose each other's additions, never mix them. */
#include "entry_cache.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

typedef struct object_cache {
    char *path;      /* as the loader names the object */
    uintptr_t base;  /* where it is loaded */
    int usable;      /* its file could be identified */
    int dirty;       /* gained entries since it was read */
    char *file;      /* its cache file */
    json_t *key;     /* its identity */
    json_t *symbols; /* offset (decimal) -> [function, object] */
} object_cache;

static char *folder;
static object_cache *objects;
static size_t nobjects;

void ft_entry_cache_use(const char *dir)
{
    free(folder);
    folder = dir && *dir ? ft_xstrdup(dir) : NULL;
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The object's identity: its path and what stat says of the file behind it now. */
static json_t *identity(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return NULL;
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "path", path, "dev", (json_int_t)st.st_dev, "ino",
                     (json_int_t)st.st_ino, "size", (json_int_t)st.st_size, "mtime_s", (json_int_t)st.st_mtim.tv_sec,
                     "mtime_ns", (json_int_t)st.st_mtim.tv_nsec, "ctime_s", (json_int_t)st.st_ctim.tv_sec, "ctime_ns",
                     (json_int_t)st.st_ctim.tv_nsec);
}

/* Reads what the cache keeps of `o`, or starts it empty. */
static void load(object_cache *o)
{
    char *text = json_dumps(o->key, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return;
    o->file = ft_xasprintf("%s/%016llx.json", folder, (unsigned long long)fnv(text));
    free(text);
    json_t *doc = json_load_file(o->file, 0, NULL), *kept = json_object_get(doc, "symbols");
    o->symbols = json_equal(json_object_get(doc, "key"), o->key) && json_is_object(kept) ? json_incref(kept) : json_object();
    json_decref(doc);
    o->usable = o->symbols != NULL;
}

/* The cache of the object holding `fn` and fn's offset in it, or NULL when there is none to use. */
static object_cache *object_of(const void *fn, char offset[32])
{
    Dl_info info;
    if (!folder || !fn || !dladdr(fn, &info) || !info.dli_fname || info.dli_fname[0] != '/')
        return NULL;
    snprintf(offset, 32, "%llu", (unsigned long long)((uintptr_t)fn - (uintptr_t)info.dli_fbase));
    for (size_t i = 0; i < nobjects; i++)
        if (objects[i].base == (uintptr_t)info.dli_fbase && !strcmp(objects[i].path, info.dli_fname))
            return objects[i].usable ? &objects[i] : NULL;
    objects = ft_xrealloc(objects, (nobjects + 1) * sizeof *objects);
    object_cache *o = &objects[nobjects++];
    *o = (object_cache){.path = ft_xstrdup(info.dli_fname), .base = (uintptr_t)info.dli_fbase};
    if ((o->key = identity(o->path)))
        load(o);
    return o->usable ? o : NULL;
}

static int is_symbol(const json_t *v)
{
    return json_is_array(v) && json_array_size(v) == 2 && json_is_string(json_array_get(v, 0)) &&
           json_is_string(json_array_get(v, 1));
}

int ft_entry_cache_get(const void *fn, json_t **symbol)
{
    char offset[32];
    object_cache *o = object_of(fn, offset);
    json_t *v = o ? json_object_get(o->symbols, offset) : NULL;
    if (!is_symbol(v))
        return 0;
    *symbol = json_deep_copy(v);
    return *symbol != NULL;
}

void ft_entry_cache_put(const void *fn, const json_t *symbol)
{
    char offset[32];
    object_cache *o = symbol && is_symbol(symbol) ? object_of(fn, offset) : NULL;
    if (o && json_object_set_new(o->symbols, offset, json_deep_copy(symbol)) == 0)
        o->dirty = 1;
}

/* Writes one object's file whole: a temporary file of this process, renamed over the old one. */
static void save(const object_cache *o)
{
    json_t *doc = json_pack("{s:O, s:O}", "key", o->key, "symbols", o->symbols);
    char *tmp = ft_xasprintf("%s.%d.tmp", o->file, (int)getpid());
    if (!doc || json_dump_file(doc, tmp, JSON_COMPACT) < 0 || rename(tmp, o->file) < 0)
        unlink(tmp); /* no cache for it this time: the next command symbolizes again */
    json_decref(doc);
    free(tmp);
}

void ft_entry_cache_save(void)
{
    for (size_t i = 0; i < nobjects; i++) {
        object_cache *o = &objects[i];
        if (o->usable && o->dirty)
            save(o);
        free(o->path);
        free(o->file);
        json_decref(o->key);
        json_decref(o->symbols);
    }
    free(objects);
    objects = NULL;
    nobjects = 0;
}
