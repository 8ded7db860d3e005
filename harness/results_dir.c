/* The --out folder: results.json rewritten as the run goes, one folder per finding. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "results_io.h"

/* A folder name from a signature: "race:write_bytes|_io_BytesIO_seek_impl" -> "race-write_bytes-_io_BytesIO_seek_impl". */
static void slug(char *out, size_t n, const char *sig)
{
    size_t k = 0;
    for (const char *p = sig; *p && k + 1 < n; p++)
        out[k++] = isalnum((unsigned char)*p) || *p == '_' || *p == '.' ? *p : '-';
    out[k] = '\0';
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

int ft_results_save_dir(const ft_results *r, const char *dir)
{
    char *path = NULL, name[120];
    json_t *doc;
    int rc = 0;

    if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || asprintf(&path, "%s/findings", dir) < 0) {
        ft_error("cannot create output folder %s: %s", dir, strerror(errno));
        return -1;
    }
    mkdir(path, 0755);
    free(path);
    doc = ft_results_to_json(r);
    for (size_t i = 0; i < r->nfindings; i++) {
        const ft_finding *f = &r->findings[i];
        char *fdir = NULL, *file = NULL;
        struct stat st;
        slug(name, sizeof name, f->signature);
        if (asprintf(&fdir, "%s/findings/%03zu-%s", dir, i + 1, name) < 0)
            abort();
        if (stat(fdir, &st) != 0) { /* the first report never changes: write it once */
            mkdir(fdir, 0755);
            if (asprintf(&file, "%s/report.txt", fdir) < 0)
                abort();
            rc |= write_text(file, f->report ? f->report : "");
            free(file);
        }
        if (asprintf(&file, "%s/finding.json", fdir) < 0)
            abort();
        rc |= ft_json_write_atomic(json_array_get(json_object_get(doc, "findings"), i), file);
        free(file);
        free(fdir);
    }
    if (asprintf(&path, "%s/results.json", dir) < 0)
        abort();
    rc |= ft_json_write_atomic(doc, path);
    free(path);
    json_decref(doc);
    return rc ? -1 : 0;
}
