/* Starting a job's next worker: its arguments, environment and resolved scenario, forked from a
 * fork server when there is one for its environment, spawned otherwise. */
#include "job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "entry_cache_dir.h"
#include "log.h"
#include "perturb.h"
#include "run_files.h"
#include "scenario_json.h"
#include "tsan_options.h"
#include "xalloc.h"

int ft_job_start_worker(job *j, const ft_supervise_opts *o)
{
    const ft_scenario *s = j->s;
    long chunk = s->rounds_per_worker > 0 && s->rounds_per_worker < j->rounds_left ? s->rounds_per_worker
                                                                                 : j->rounds_left;
    char first[32], rounds[32], seed[32], hash_seed[32], threads[32], iters[32], spawned[32], parent[48], team[32];
    size_t nsites = o->sites ? o->sites->count : 0;
    /* sized for what this worker gets: no site folder or environment entry is ever left out */
    /* 12 option pairs at most (file, scenario, first-round, rounds, seed, hash-seed, perturb, spawned-ns,
     * threads, iterations, entry-cache, team-size), --zygote, --targets-known, --last-request, the
     * sites, and the closing NULL */
    char **args = ft_xcalloc(28 + 2 * nsites, sizeof *args), **env = ft_xcalloc(3 + s->env.count, sizeof *env);
    char *tsan = NULL, *log = NULL, *dir = ft_scenario_log_dir(o->out_dir, s->name);
    size_t na = 0, ne = 0;

    snprintf(first, sizeof first, "%ld", j->first_round);
    snprintf(rounds, sizeof rounds, "%ld", chunk);
    snprintf(seed, sizeof seed, "%lu", o->seed);
    args[na++] = "--file", args[na++] = s->file;
    args[na++] = "--scenario", args[na++] = s->name;
    args[na++] = "--first-round", args[na++] = first;
    args[na++] = "--rounds", args[na++] = rounds;
    args[na++] = "--seed", args[na++] = seed;
    if (o->hash_seed_given) { /* a spawned worker's interpreter; a forked one has its server's */
        snprintf(hash_seed, sizeof hash_seed, "%lu", o->hash_seed);
        args[na++] = "--hash-seed", args[na++] = hash_seed;
    }
    if (o->perturb) /* the worker derives every thread's schedule from the seed above */
        args[na++] = "--perturb", args[na++] = (char *)ft_perturb_name(o->perturb); /* never written */
    snprintf(spawned, sizeof spawned, "%lld", (long long)ft_now_ns());
    args[na++] = "--spawned-ns", args[na++] = spawned;
    if (o->threads > 0) {
        snprintf(threads, sizeof threads, "%d", o->threads);
        args[na++] = "--threads", args[na++] = threads;
    }
    if (o->iterations > 0) {
        snprintf(iters, sizeof iters, "%d", o->iterations);
        args[na++] = "--iterations", args[na++] = iters;
    }
    /* For a kept server: no worker is expected after this one (unless it ends early), so no spare
     * is forked for one; and the size of team its next spare worker starts ahead (spare_worker.h). */
    if (!j->others_pending && chunk >= j->rounds_left)
        args[na++] = "--last-request";
    int team_size = 0;
    for (size_t i = 0; i < s->nroles; i++)
        team_size += o->threads > 0 ? o->threads : s->roles[i].threads;
    snprintf(team, sizeof team, "%d", team_size);
    args[na++] = "--team-size", args[na++] = team;
    for (size_t i = 0; i < nsites; i++)
        args[na++] = "--site", args[na++] = o->sites->items[i];
    /* Fresh workers every few rounds: a fork server forks them from a zygote that has done the
     * scenario's imports once (worker/zygote.h). FTSTRESS_ZYGOTE=0 turns it off. */
    const char *zygote = getenv("FTSTRESS_ZYGOTE");
    if (s->rounds_per_worker > 0 && !(zygote && !strcmp(zygote, "0")))
        args[na++] = "--zygote";
    /* An earlier worker of this scenario sent where the targets' C code is: symbolizing it again
     * (an llvm-symbolizer process per worker, about 0.1 s) would only repeat it. */
    if (j->targets_known)
        args[na++] = "--targets-known";
    /* Where an earlier command kept what the symbolizer said of the same object files. */
    const char *entry_cache = ft_entry_cache_dir(o->symbolizer);
    if (entry_cache)
        args[na++] = "--entry-cache", args[na++] = (char *)entry_cache;
    args[na] = NULL;

    char *options = ft_worker_tsan_options(o->symbolizer);
    char *log_path = ft_xasprintf("%s/tsan", dir), *quoted = ft_tsan_quoted(log_path);
    tsan = ft_xasprintf("TSAN_OPTIONS=%s log_path=%s", options, quoted);
    free(options);
    free(log_path);
    free(quoted);
    log = ft_xasprintf("%s/worker-%d.log", dir, ++j->workers_started);
    /* The worker dies with its supervisor (PR_SET_PDEATHSIG) and checks it is still this one's child. */
    snprintf(parent, sizeof parent, "FTSTRESS_SUPERVISOR_PID=%d", (int)getpid());
    env[ne++] = tsan;
    env[ne++] = parent;
    for (size_t i = 0; i < s->env.count; i++)
        env[ne++] = s->env.items[i];
    env[ne] = NULL;

    /* The worker runs this resolved copy (overrides applied), not its own reading of the file. */
    json_t *resolved = ft_scenario_to_json(s);
    char *scenario_text = resolved ? json_dumps(resolved, JSON_COMPACT) : NULL;
    json_decref(resolved);
    if (!scenario_text) {
        ft_error("cannot encode scenario '%s' for its worker", s->name);
        free(tsan), free(log), free(dir), free(args), free(env);
        return -1;
    }
    /* A fork server's copy of an initialised interpreter when there is one for this environment;
     * otherwise (or when it fails) a spawned worker, which behaves the same, only starts slower. */
    char *tsan_log = ft_xasprintf("%s/tsan", dir);
    int rc = j->servers ? ft_fork_servers_start_worker(j->servers, &s->env, &j->proc, args, log, scenario_text, tsan_log)
                        : -1;
    j->forked = rc == 0;
    if (rc < 0)
        rc = ft_proc_spawn(&j->proc, args, env, log, scenario_text);
    free(tsan_log);
    free(scenario_text);
    if (rc < 0) {
        ft_error("cannot start a worker for '%s': %s", s->name, strerror(errno));
        unlink(log); /* opened for the worker that never came */
    }
    else {
        j->active = 1;
        j->got_done = j->got_fatal = j->stopped_early = 0;
        j->dump_sent_ns = j->killed_ns = 0;
        j->native = NULL;
        j->crash_tid = 0;
        j->spawned_ns = ft_now_ns();
        free(j->worker_log);
        j->worker_log = log, log = NULL;
        j->chunk_end = j->first_round + chunk;
        j->worker_first_round = j->first_round;
        j->first_round += chunk;
        j->rounds_left -= chunk;
        j->results->scenarios[j->sc].workers++;
        j->results->scenarios[j->sc].workers_forked += j->forked;
        ft_debug("worker %d (%s): %s rounds %s..+%s", (int)j->proc.pid, j->forked ? "forked" : "spawned", s->name,
                 first, rounds);
    }
    free(tsan);
    free(log);
    free(dir);
    free(args);
    free(env);
    return rc;
}

