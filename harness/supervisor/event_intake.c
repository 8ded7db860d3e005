/* The supervisor's event loop body: reading every worker's pipes, decoding each line into results,
 * and keeping events.jsonl. A worker's end is acted on only after all three of its pipes reached
 * EOF (worker_end.c), so every event it sent is kept first. */
#include "job.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event_decode.h"
#include "job_slots.h"
#include "log.h"
#include "run_files.h"

/* One line of events.jsonl. Bounded by design: a finding's first reports are written in full,
 * later ones only counted (results.json has the counts), and the file as a whole has a cap. */
static void log_event(job *j, const char *line, int parsed, long finding_count)
{
    static int capped;
    int n;
    if (!j->events_log || !*line || finding_count > FT_EVENTS_REPORTS_PER_FINDING)
        return;
    if (*j->events_logged > FT_EVENTS_LOG_CAP) {
        if (!capped++)
            ft_warn("events.jsonl reached its cap of %ld MiB: later events are not written there (results.json "
                    "still counts every report)", FT_EVENTS_LOG_CAP >> 20);
        return;
    }
    n = fprintf(j->events_log, "{\"scenario\":\"%s\",\"worker\":%d,\"event\":%s}\n", j->s->name, (int)j->proc.pid,
                parsed ? line : "null");
    if (n < 0 || fflush(j->events_log) != 0) {
        ft_warn("cannot write events.jsonl: %s; no more events are written there", strerror(errno));
        fclose(j->events_log);
        j->events_log = NULL;
        return;
    }
    *j->events_logged += n;
}

/* A report says more than the hook could pass on: say once per run which limit cut it. */
static void warn_cut_report(const json_t *ev)
{
    static int warned_items, warned_frames;
    const char *keys[] = {"mops_cut", "threads_cut", "locs_cut", "stacks_cut"};
    for (size_t k = 0; k < 4 && !warned_items; k++)
        if (json_integer_value(json_object_get(ev, keys[k])) > 0 && !warned_items++)
            ft_warn("a TSan report had more than 16 accesses, threads, locations or stacks; the rest were not "
                    "kept (MAX_ITEMS in harness/inside_tsan/tsan_hook.c)");
    if (!warned_frames && json_is_true(json_object_get(ev, "frames_cut")) && !warned_frames++)
        ft_warn("a stack deeper than 128 frames was cut (MAX_FRAMES in harness/inside_tsan/tsan_hook.c)");
}

void ft_job_on_event_line(void *ctx, char *line)
{
    job *j = ctx;
    json_error_t err;
    json_t *ev = *line ? json_loads(line, 0, &err) : NULL;
    ft_event kind;
    long count = 0;

    if (!ev) {
        size_t n = strlen(line);
        log_event(j, line, 0, 0);
        if (n && line[n - 1] != '}')
            ft_warn("a message from worker %d was cut off when the worker ended (%zu bytes, kept in events.jsonl): "
                    "%.80s...", (int)j->proc.pid, n, line);
        else if (n)
            ft_warn("unreadable event from worker %d (kept in events.jsonl): %s: %.120s", (int)j->proc.pid, err.text,
                    line);
        return;
    }
    kind = ft_event_decode(ev);
    if (kind == FT_EV_LOST)
        ft_warn("worker %d could not encode an event (scenario '%s'): %s", (int)j->proc.pid, j->s->name,
                json_string_value(json_object_get(ev, "message")) ?: "?");
    if (kind == FT_EV_REPORT) {
        json_object_set_new(ev, "worker", json_integer(j->proc.pid)); /* racing objects are per process */
        count = ft_results_report(j->results, j->sc, ev, j->now - j->started);
        warn_cut_report(ev);
    }
    else {
        if (ft_event_is_final(kind))
            j->got_done = 1; /* "stopped": setup_once failed, its error finding is already sent */
        if (ft_event_is_fatal(kind, ev))
            j->got_fatal = 1;
        if (kind == FT_EV_EXERCISE_TARGETS)
            j->targets_known = 1;
        ft_results_event(j->results, j->sc, kind, ev, j->now - j->started);
    }
    log_event(j, line, 1, count);
    json_decref(ev);
}

int ft_jobs_read_pipes(job *js, size_t n, double now, int wait_ms)
{
    struct pollfd pfd[3 * FT_MAX_JOBS];
    job *owner[3 * FT_MAX_JOBS];
    int kind[3 * FT_MAX_JOBS], nfd = 0;

    for (size_t i = 0; i < n; i++) {
        job *j = &js[i];
        int fds[3] = {j->proc.events_fd, j->proc.reports_fd, j->proc.stacks_fd};
        if (!j->active)
            continue;
        for (int k = 0; k < 3; k++)
            if (fds[k] >= 0 && nfd < 3 * FT_MAX_JOBS) {
                pfd[nfd] = (struct pollfd){.fd = fds[k], .events = POLLIN};
                owner[nfd] = j;
                kind[nfd++] = k;
            }
    }
    if (poll(pfd, (nfds_t)nfd, wait_ms) < 0 && errno != EINTR)
        return -1;
    for (int k = 0; k < nfd; k++) {
        job *j = owner[k];
        long got;
        if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        j->now = now;
        if (kind[k] == 0)
            got = ft_linebuf_read(&j->events, j->proc.events_fd, ft_job_on_event_line, j);
        else if (kind[k] == 1)
            got = ft_linebuf_read(&j->reports, j->proc.reports_fd, ft_job_on_event_line, j);
        else
            got = ft_linebuf_read_raw(&j->stacks, j->proc.stacks_fd);
        if (got <= 0 && !(got < 0 && errno == EINTR)) {
            int *fd = kind[k] == 0 ? &j->proc.events_fd : kind[k] == 1 ? &j->proc.reports_fd : &j->proc.stacks_fd;
            close(*fd);
            *fd = -1;
        }
    }
    return 0;
}
