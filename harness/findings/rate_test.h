/* A sequential test of whether a candidate's hit rate is worse than a reference's: per round
 * (binomial) and per second of run time (Poisson), so a cut that makes rounds shorter cannot buy
 * a smaller scenario with a rarer bug. Used by `ftstress shrink` to accept or undo a cut. */
#ifndef FTSTRESS_RATE_TEST_H
#define FTSTRESS_RATE_TEST_H

/* What one or more runs measured: rounds in which the finding showed, rounds run, seconds spent. */
typedef struct ft_rate_counts {
    long hits, rounds;
    double seconds;
} ft_rate_counts;

typedef enum ft_rate_verdict {
    FT_RATE_NOT_WORSE, /* per round not below the reference's with the test's confidence, per second not likely so */
    FT_RATE_WORSE,     /* one of them is below `ratio` times the reference's, with confidence */
    FT_RATE_UNDECIDED, /* the counts are too small to say: measure more */
} ft_rate_verdict;

/* The error rates of the test: 5% of not-worse candidates called worse (a cut missed), 5% of
 * candidates at half the rate called not worse (a reproducer traded away). */
#define FT_RATE_ALPHA 0.05
#define FT_RATE_BETA 0.05
#define FT_RATE_WORSE_RATIO 0.5

/* Wald's sequential probability ratio test of H0 "the candidate's rate equals the reference's"
 * against H1 "it is `ratio` times the reference's", for the per-round rate and the per-second
 * rate (the latter only when both sides have seconds). WORSE when either test accepts H1,
 * NOT_WORSE when the per-round test accepts H0 and the per-second likelihood favours H0, else
 * UNDECIDED. The reference rates are smoothed
 * ((hits + 0.5) / (rounds + 1)) so a reference that hit every round does not make one miss
 * decisive. A reference without hits gives WORSE (there is nothing to keep). */
ft_rate_verdict ft_rate_compare(const ft_rate_counts *ref, const ft_rate_counts *cand, double ratio, double alpha,
                                double beta);

/* The log-likelihood ratios the verdict came from, for messages and tests. */
void ft_rate_llr(const ft_rate_counts *ref, const ft_rate_counts *cand, double ratio, double *per_round,
                 double *per_second);

/* Rounds a run should have so that a reference-rate candidate shows about `want` hits in it: at
 * least `min_rounds`, at most `max_rounds`. */
long ft_rate_rounds_for_hits(const ft_rate_counts *ref, double want, long min_rounds, long max_rounds);

#endif
