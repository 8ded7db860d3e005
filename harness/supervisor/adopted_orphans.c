/* The processes the supervisor adopts as a child subreaper and nobody waits for: reaped here.
 *
 * The supervisor is a child subreaper (fork_client.c) so that workers forked by a fork server,
 * grandchildren whose middle process exits, become its children and are waited for. The same makes
 * it the parent of whatever a worker leaves behind: TSan's llvm-symbolizer, which a worker starts
 * at its first report and which outlives it by a moment, and any process a scenario started and
 * did not wait for. Nobody waits for those, so each stayed a zombie until the run ended: one per
 * worker that reported anything, 49 after 30 s of fresh-process rounds, thousands in a night
 * (a pids limit of a container or CI runner is reached long before that). */
#include "adopted_orphans.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The process's name (comm) and state from /proc/PID/stat: "PID (COMM) S ...". */
static int read_stat(pid_t pid, char *comm, size_t size, char *state)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open || close[1] != ' ' || !close[2])
        return -1;
    snprintf(comm, size, "%.*s", (int)(close - open - 1), open + 1);
    *state = close[2];
    return 0;
}

static int is_mine(pid_t pid, const pid_t *mine, size_t nmine)
{
    for (size_t i = 0; i < nmine; i++)
        if (mine[i] == pid)
            return 1;
    return 0;
}

/* Reaps the zombies among the children listed in one thread's /proc/self/task/TID/children. */
static size_t reap_listed(const char *path, const char *own, const pid_t *mine, size_t nmine)
{
    FILE *f = fopen(path, "r");
    size_t reaped = 0;
    int pid;
    if (!f)
        return 0;
    while (fscanf(f, "%d", &pid) == 1) {
        char comm[64], state;
        /* a process of this program is a worker, a fork server or a middle process: never taken here */
        if (is_mine(pid, mine, nmine) || read_stat(pid, comm, sizeof comm, &state) < 0 || state != 'Z' ||
            !strcmp(comm, own))
            continue;
        reaped += waitpid(pid, NULL, WNOHANG) == pid;
    }
    fclose(f);
    return reaped;
}

size_t ft_reap_adopted_orphans(const pid_t *mine, size_t nmine)
{
    char own[64], state;
    size_t reaped = 0;
    DIR *tasks;
    struct dirent *d;
    if (read_stat(getpid(), own, sizeof own, &state) < 0 || !(tasks = opendir("/proc/self/task")))
        return 0; /* no /proc: the zombies wait for the end of the run, as before */
    /* an adopted child is listed under whichever thread the kernel made its parent */
    while ((d = readdir(tasks))) {
        char path[96];
        if (d->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/children", d->d_name);
        reaped += reap_listed(path, own, mine, nmine);
    }
    closedir(tasks);
    return reaped;
}
