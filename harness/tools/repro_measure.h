/* `ftstress repro --measure`: runs the written script standalone a few times, each stopping at its
 * first ThreadSanitizer report, and counts the rounds it took, so the script's bound on rounds comes
 * from the rate a standalone process has, not from the harness's. */
#ifndef FTSTRESS_REPRO_MEASURE_H
#define FTSTRESS_REPRO_MEASURE_H

/* What the standalone runs measured: runs that reported, rounds run over all runs (each run up to
 * and including the round of its first report), seconds of wall time. */
typedef struct repro_measured {
    int runs, reported;
    long rounds;
    double seconds;
} repro_measured;

/* The lines the script prints on stderr, which the measurement reads back. */
#define REPRO_REPORTED_LINE "ftstress-repro: a ThreadSanitizer report by round "
#define REPRO_CLEAN_LINE "ftstress-repro: no ThreadSanitizer report in "

/* Runs `python script --rounds bound --max-seconds max_seconds` `runs` times with its stderr in a
 * file under `tmpdir`, and adds up what the runs printed. A run that printed neither line is left
 * out of the counts (its stderr's tail is shown); -1 (said why) when no run could be counted. */
int repro_measure(const char *python, const char *script, const char *tmpdir, int runs, long bound,
                  double max_seconds, repro_measured *m);

/* Rounds that show the report with 99% probability at the lower 95% (Wilson) bound of the measured
 * per-round rate; -1 when no run reported. */
long repro_rounds_for_99(const repro_measured *m, double *rate, double *lo);

#endif
