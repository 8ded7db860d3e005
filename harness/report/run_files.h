/* The files a run writes below its output folder: fresh every run, bounded by design. */
#ifndef FTSTRESS_RUN_FILES_H
#define FTSTRESS_RUN_FILES_H

#include <stddef.h>

/* Caps, in bytes, of what one scenario's logs may grow to over a run, and of events.jsonl. */
#define FT_TSAN_LOG_CAP (16L << 20)
#define FT_WORKER_LOG_CAP (4L << 20)
#define FT_EVENTS_LOG_CAP (64L << 20)
/* Reports of one finding written to events.jsonl in full; later ones are only counted. */
#define FT_EVENTS_REPORTS_PER_FINDING 20

/* Removes what an earlier run left in `out_dir` (logs/, findings/, events.jsonl, results.json),
 * so that nothing of it is mistaken for this run's. 0, or -1 with a message printed. */
int ft_run_files_fresh(const char *out_dir);

/* OUT/logs/SCENARIO, created; malloc'd. */
char *ft_scenario_log_dir(const char *out_dir, const char *scenario);

/* The last `max` bytes of a file as a string, or NULL if it cannot be read. malloc'd. */
char *ft_read_tail(const char *path, size_t max);

/* Appends file `part` (one worker's log) to `into` (the scenario's log) while `into` stays under
 * `cap`, then removes `part`. When the cap cuts data, one line in `into` and one warning per run say
 * so. */
void ft_log_merge(const char *part, const char *into, long cap);

#endif
