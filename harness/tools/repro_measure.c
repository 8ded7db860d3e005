/* `ftstress repro --measure`: the standalone script's own per-round rate of a first TSan report,
 * measured by running it, and the rounds that find the report with 99% probability from it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child_run.h"
#include "clock.h"
#include "hit_rate.h"
#include "log.h"
#include "repro_measure.h"
#include "xalloc.h"

/* Reads the script's verdict line from `log`: 1 reported in the first *round rounds (the report's
 * round counted), 0 none in *round rounds, -1 neither line (the tail of the log is printed). */
static int read_verdict(const char *log, long *round)
{
    FILE *f = fopen(log, "r");
    char *line = NULL;
    size_t cap = 0;
    int found = -1;
    if (!f) {
        ft_error("cannot read %s: %s", log, strerror(errno));
        return -1;
    }
    while (getline(&line, &cap, f) > 0) {
        if (!strncmp(line, REPRO_REPORTED_LINE, sizeof REPRO_REPORTED_LINE - 1) &&
            sscanf(line + sizeof REPRO_REPORTED_LINE - 1, "%ld", round) == 1)
            found = 1;
        else if (!strncmp(line, REPRO_CLEAN_LINE, sizeof REPRO_CLEAN_LINE - 1) &&
                 sscanf(line + sizeof REPRO_CLEAN_LINE - 1, "%ld", round) == 1)
            found = 0;
    }
    if (found < 0) {
        long size = ftell(f), from = size > 3000 ? size - 3000 : 0;
        fseek(f, from, SEEK_SET);
        fprintf(stderr, "--- the end of the script's stderr (%s) ---\n", log);
        while (getline(&line, &cap, f) > 0)
            fputs(line, stderr);
    }
    free(line);
    fclose(f);
    return found;
}

int repro_measure(const char *python, const char *script, const char *tmpdir, int runs, long bound,
                  double max_seconds, repro_measured *m)
{
    char *log = ft_xasprintf("%s/standalone.log", tmpdir);
    char *bound_s = ft_xasprintf("%ld", bound), *secs_s = ft_xasprintf("%g", max_seconds);
    char *argv[] = {(char *)python, (char *)script, "--rounds", bound_s, "--max-seconds", secs_s, NULL};
    int rc = 0;

    memset(m, 0, sizeof *m);
    for (int i = 0; i < runs; i++) {
        int64_t t0 = ft_now_ns();
        int status = ft_child_run(argv, "/dev/null", log, 0, NULL);
        double secs = (double)(ft_now_ns() - t0) / 1e9;
        long round = 0;
        int verdict = status < 0 ? -1 : read_verdict(log, &round);
        if (status < 0)
            ft_error("cannot run %s %s: %s", python, script, strerror(errno));
        if (verdict < 0) {
            /* seen once in about 20 runs of a seeded race (exit 66, an empty stderr; the cause is not
             * known yet): the run is left out of the counts, not guessed */
            ft_warn("%s: standalone run %d of %d exited %d without saying whether TSan reported: not counted", script,
                    i + 1, runs, status);
            continue;
        }
        m->runs++;
        m->seconds += secs;
        m->reported += verdict;
        m->rounds += round;
        if (verdict)
            ft_info("measuring %s standalone: run %d of %d: a TSan report by round %ld (%.1f s)", script, i + 1, runs,
                    round, secs);
        else
            ft_info("measuring %s standalone: run %d of %d: no TSan report in %ld rounds (%.1f s)", script, i + 1,
                    runs, round, secs);
    }
    if (!m->runs) {
        ft_error("%s: no standalone run said whether TSan reported", script);
        rc = -1;
    }
    unlink(log);
    free(log);
    free(bound_s);
    free(secs_s);
    return rc;
}

long repro_rounds_for_99(const repro_measured *m, double *rate, double *lo)
{
    double hi;
    *rate = m->rounds ? (double)m->reported / (double)m->rounds : 0;
    ft_wilson(m->reported, m->rounds, FT_Z95, lo, &hi);
    if (!m->reported)
        return -1;
    return ft_rounds_for(*lo, 0.99);
}
