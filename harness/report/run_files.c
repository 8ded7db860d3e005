/* The files a run writes below its output folder: fresh every run, bounded by design.
 *
 * Each worker writes its own log files (worker-N.log, TSan's tsan.PID). Once the supervisor has
 * read what it needs from them (a crash's last words), they are appended to one capped log per
 * scenario and removed, so a long run leaves a bounded folder and a crash is never read from
 * another worker's log. */
#include "run_files.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        ft_warn("cannot remove %s from an earlier run: %s", path, strerror(errno));
    return 0;
}

int ft_run_files_fresh(const char *out_dir)
{
    static const char *const entries[] = {"logs", "findings", "events.jsonl", "results.json"};
    for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
        char *path = ft_xasprintf("%s/%s", out_dir, entries[i]);
        struct stat st;
        if (lstat(path, &st) == 0)
            nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(path);
    }
    if (ft_mkdirs(out_dir) != 0) {
        ft_error("cannot create output folder %s: %s", out_dir, strerror(errno));
        return -1;
    }
    return 0;
}

char *ft_scenario_log_dir(const char *out_dir, const char *scenario)
{
    char *dir = ft_xasprintf("%s/logs/%s", out_dir, scenario);
    if (ft_mkdirs(dir) != 0)
        ft_warn("cannot create %s: %s (worker logs will be missing)", dir, strerror(errno));
    return dir;
}

char *ft_read_tail(const char *path, size_t max)
{
    FILE *f = fopen(path, "r");
    char *text;
    long n;
    size_t got;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, (size_t)n > max ? n - (long)max : 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    text = ft_xmalloc(max + 1);
    got = fread(text, 1, max, f);
    fclose(f);
    text[got] = '\0';
    if (!got) {
        free(text);
        return NULL;
    }
    return text;
}

void ft_log_merge(const char *part, const char *into, long cap)
{
    static int warned;
    struct stat st;
    FILE *in = fopen(part, "r"), *out;
    char buf[65536];
    size_t n;
    long size;

    if (!in)
        return;
    size = stat(into, &st) == 0 ? (long)st.st_size : 0;
    out = fopen(into, "a");
    if (!out) {
        ft_warn("cannot append to %s: %s (%s is kept)", into, strerror(errno), part);
        fclose(in);
        return;
    }
    int ok = 1;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (size + (long)n > cap) {
            fprintf(out, "\n[ftstress: this log reached its cap of %ld MiB; later workers' logs were not kept "
                         "(FT_*_LOG_CAP in harness/report/run_files.h)]\n", cap >> 20);
            if (!warned++)
                ft_warn("a log reached its cap of %ld MiB (%s); later workers' logs are not kept", cap >> 20, into);
            size = cap + 1;
            break;
        }
        if (fwrite(buf, 1, n, out) != n) {
            ft_warn("cannot write %s: %s (%s is kept)", into, strerror(errno), part);
            ok = 0;
            break;
        }
        size += (long)n;
    }
    fclose(in);
    if (fclose(out) != 0) {
        ft_warn("cannot write %s: %s (%s is kept)", into, strerror(errno), part);
        ok = 0;
    }
    if (ok)
        unlink(part);
}
