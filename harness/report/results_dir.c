/* The --out folder: results.json rewritten as the run goes, one folder per finding. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "results_io.h"
#include "xalloc.h"

/* A folder name from a signature: "race:write_bytes|_io_BytesIO_seek_impl" -> "race-write_bytes-_io_BytesIO_seek_impl". */
static void slug(char *out, size_t n, const char *sig)
{
    size_t k = 0;
    for (const char *p = sig; *p && k + 1 < n; p++)
        out[k++] = isalnum((unsigned char)*p) || *p == '_' || *p == '.' ? *p : '-';
    out[k] = '\0';
}

/* Writes `text` to `path` atomically (a temporary file renamed over it); 0, or -1 with the reason said. */
static int write_text(const char *path, const char *text)
{
    char *tmp = ft_xasprintf("%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok) {
        ft_error("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

int ft_results_save_dir(const ft_results *r, const char *dir)
{
    char *path = NULL, name[120];
    json_t *doc;
    int rc = 0;

    path = ft_xasprintf("%s/findings", dir);
    if (ft_mkdirs(path) != 0) {
        ft_error("cannot create output folder %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    doc = ft_results_to_json(r);
    for (size_t i = 0; i < r->nfindings; i++) {
        const ft_finding *f = &r->findings[i];
        char *fdir = NULL, *file = NULL;
        struct stat st;
        slug(name, sizeof name, f->signature);
        fdir = ft_xasprintf("%s/findings/%03zu-%s", dir, i + 1, name);
        if (stat(fdir, &st) != 0) { /* the first report never changes: write it once per run */
            if (ft_mkdirs(fdir) != 0)
                ft_error("cannot create %s: %s", fdir, strerror(errno));
            file = ft_xasprintf("%s/report.txt", fdir);
            rc |= write_text(file, f->report ? f->report : "");
            free(file);
        }
        file = ft_xasprintf("%s/finding.json", fdir);
        rc |= ft_json_write_atomic(json_array_get(json_object_get(doc, "findings"), i), file);
        free(file);
        free(fdir);
    }
    path = ft_xasprintf("%s/results.json", dir);
    if (ft_json_write_atomic(doc, path) != 0) {
        ft_error("cannot write %s: %s", path, strerror(errno));
        rc = -1;
    }
    free(path);
    json_decref(doc);
    return rc ? -1 : 0;
}
