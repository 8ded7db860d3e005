/* Finding, starting, listing and stopping the fork servers that outlive commands (see server_registry.h). */
#include "server_registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unix_socket.h"
#include "xalloc.h"

#define START_WAIT_MS 120000 /* a new server's interpreter start-up under TSan on a loaded machine */

extern char **environ;

char *ft_server_dir(char **why)
{
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    char *dir = runtime && *runtime == '/' ? ft_xasprintf("%s/ftstress", runtime)
                                           : ft_xasprintf("/tmp/ftstress-%d", (int)getuid());
    struct stat st;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        *why = ft_xasprintf("cannot create %s: %s", dir, strerror(errno));
    } else if (lstat(dir, &st) < 0) {
        *why = ft_xasprintf("cannot read %s: %s", dir, strerror(errno));
    } else if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
        *why = ft_xasprintf("%s is not a folder of yours closed to others", dir);
    } else
        return dir;
    free(dir);
    return NULL;
}

/* --- the key ---------------------------------------------------------------------------------- */

static void mix(uint64_t *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        *h ^= p[i];
        *h *= 1099511628211ULL; /* FNV-1a */
    }
}

static void mix_str(uint64_t *h, const char *s) { mix(h, s ? s : "", strlen(s ? s : "") + 1); }

static void mix_file(uint64_t *h, const char *path)
{
    struct stat st;
    mix_str(h, path);
    if (stat(path, &st) == 0) {
        mix(h, &st.st_dev, sizeof st.st_dev);
        mix(h, &st.st_ino, sizeof st.st_ino);
        mix(h, &st.st_size, sizeof st.st_size);
        mix(h, &st.st_mtim, sizeof st.st_mtim);
    }
}

static int mix_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    /* the program itself has an empty name here: /proc/self/exe is it */
    mix_file(data, info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "/proc/self/exe");
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Variables that differ between shells but reach nothing a worker does. */
static int volatile_variable(const char *kv)
{
    static const char *const names[] = {"PWD=", "OLDPWD=", "SHLVL=", "_=", "FTSTRESS_SUPERVISOR_PID="};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strncmp(kv, names[i], strlen(names[i])))
            return 1;
    return 0;
}

/* Everything but the seed and the scenario's `env`: what a seed file is kept per. */
static uint64_t base_key(const char *tsan_options)
{
    uint64_t h = 14695981039346656037ULL;
    size_t n = 0;
    char cwd[4096];
    mix_str(&h, "ftstress-server-1");
    dl_iterate_phdr(mix_object, &h);
    mix_str(&h, tsan_options);
    mix_str(&h, getcwd(cwd, sizeof cwd) ? cwd : "?");
    while (environ[n])
        n++;
    char **sorted = ft_xcalloc(n + 1, sizeof *sorted);
    memcpy(sorted, environ, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    for (size_t i = 0; i < n; i++)
        if (!volatile_variable(sorted[i]))
            mix_str(&h, sorted[i]);
    free(sorted);
    return h;
}

static char *full_key(uint64_t base, unsigned long seed, const ft_strlist *env)
{
    uint64_t h = base;
    mix(&h, &seed, sizeof seed);
    mix_str(&h, "env");
    for (size_t i = 0; env && i < env->count; i++)
        mix_str(&h, env->items[i]);
    return ft_xasprintf("%016llx", (unsigned long long)h);
}

char *ft_server_key(unsigned long seed, const char *tsan_options, const ft_strlist *env)
{
    return full_key(base_key(tsan_options), seed, env);
}

double ft_server_idle_seconds(void)
{
    const char *v = getenv("FTSTRESS_SERVER_IDLE");
    char *end;
    double s = v ? strtod(v, &end) : 0;
    return v && end != v && !*end && s > 0 ? s : FT_SERVER_IDLE_DEFAULT;
}

/* --- connecting and starting ---------------------------------------------------------------- */

static int try_connect(const char *path)
{
    struct sockaddr_un addr;
    int fd;
    if (ft_unix_address(&addr, path) < 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* Starts the server in a session of its own, its output in DIR/KEY.log, holding none of this
 * command's descriptors (a test runner waiting for the command's pipes must not wait for it). */
static int spawn_server(const char *path, const char *log, char *const *argv, char *const *envp, pid_t *pid)
{
    size_t n = 0;
    while (argv[n])
        n++;
    char idle[32], **args = ft_xcalloc(n + 5, sizeof *args);
    snprintf(idle, sizeof idle, "%g", ft_server_idle_seconds());
    memcpy(args, argv, n * sizeof *args);
    args[n] = "--listen";
    args[n + 1] = (char *)path;
    args[n + 2] = "--idle";
    args[n + 3] = idle;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    int err = posix_spawn(pid, args[0], &fa, &attr, args, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    free(args);
    errno = err;
    return err ? -1 : 0;
}

/* Marks the server of `key` used now (its pid file's time), for the cap below. */
static void mark_used(const char *dir, const char *key)
{
    char *pid_path = ft_xasprintf("%s/%s.sock.pid", dir, key);
    utimensat(AT_FDCWD, pid_path, NULL, 0);
    free(pid_path);
}

typedef struct oldest {
    int count;
    pid_t pid;
    struct timespec used;
} oldest;

static int note_oldest(FILE *out, const char *dir, const char *sock, pid_t pid, void *ctx)
{
    oldest *o = ctx;
    struct stat st;
    char *pid_path = ft_xasprintf("%s/%s.pid", dir, sock);
    (void)out;
    if (stat(pid_path, &st) == 0 && (!o->count || st.st_mtim.tv_sec < o->used.tv_sec ||
                                     (st.st_mtim.tv_sec == o->used.tv_sec && st.st_mtim.tv_nsec < o->used.tv_nsec))) {
        o->pid = pid;
        o->used = st.st_mtim;
    }
    o->count++;
    free(pid_path);
    return 1;
}

static int each_server_in(const char *dir, FILE *out, int (*fn)(FILE *, const char *, const char *, pid_t, void *),
                          void *ctx);

/* At most FT_SERVER_MAX servers are kept: before another starts, the least recently used ends. */
static void make_room(const char *dir)
{
    for (int tries = 0; tries < 16; tries++) {
        oldest o = {0};
        each_server_in(dir, NULL, note_oldest, &o);
        if (o.count < FT_SERVER_MAX || o.pid <= 0)
            return;
        kill(o.pid, SIGTERM);
        for (int i = 0; i < 100 && kill(o.pid, 0) == 0; i++) { /* it removes its socket as it ends */
            struct timespec pause = {0, 10000000};
            nanosleep(&pause, NULL);
        }
    }
}

int ft_server_connect(const char *dir, const char *key, char *const *argv, char *const *envp, int *started,
                      char **why)
{
    char *path = ft_xasprintf("%s/%s.sock", dir, key), *lock_path = ft_xasprintf("%s/%s.lock", dir, key);
    char *log = ft_xasprintf("%s/%s.log", dir, key);
    int fd = try_connect(path), lock = -1;
    pid_t pid = -1;

    *started = 0;
    if (fd >= 0) {
        mark_used(dir, key);
        goto out;
    }
    /* Nobody answers: under the lock, so that commands starting together start one server. */
    lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) < 0) {
        *why = ft_xasprintf("cannot lock %s: %s", lock_path, strerror(errno));
        goto out;
    }
    fd = try_connect(path);
    if (fd >= 0) {
        mark_used(dir, key);
        goto out;
    }
    make_room(dir);
    unlink(path); /* a socket nobody answers on is a server that ended without removing it */
    if (spawn_server(path, log, argv, envp, &pid) < 0) {
        *why = ft_xasprintf("cannot start it: %s", strerror(errno));
        goto out;
    }
    *started = 1;
    for (int waited = 0; waited < START_WAIT_MS; waited += 10) {
        struct timespec pause = {0, 10000000};
        int status;
        if ((fd = try_connect(path)) >= 0)
            break;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            *why = ft_xasprintf("it ended while starting (exit status %d; its log is %s)",
                                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), log);
            goto out;
        }
        nanosleep(&pause, NULL);
    }
    if (fd < 0)
        *why = ft_xasprintf("it did not listen within %d s (its log is %s)", START_WAIT_MS / 1000, log);
out:
    if (lock >= 0)
        close(lock); /* and with it the lock */
    free(path);
    free(lock_path);
    free(log);
    return fd;
}

/* --- list and stop ---------------------------------------------------------------------------- */

/* The pid in SOCKET.pid if that process is this user's server listening on SOCKET, else 0. */
static pid_t server_pid(const char *dir, const char *sock_name)
{
    char *pid_path = ft_xasprintf("%s/%s.pid", dir, sock_name), *sock = ft_xasprintf("%s/%s", dir, sock_name);
    char cmdline[8192], proc[64];
    int pid = 0, matches = 0;
    FILE *f = fopen(pid_path, "r");
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    snprintf(proc, sizeof proc, "/proc/%d/cmdline", pid);
    int fd = pid > 0 ? open(proc, O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == getuid()) {
        ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
        /* its arguments are NUL-separated: "--listen" then the socket's path */
        for (ssize_t i = 0; n > 0 && i < n && !matches; i += (ssize_t)strnlen(cmdline + i, (size_t)(n - i)) + 1)
            matches = !strcmp(cmdline + i, "--listen") && i + 9 < n && !strcmp(cmdline + i + 9, sock);
    }
    if (fd >= 0)
        close(fd);
    free(pid_path);
    free(sock);
    return matches ? (pid_t)pid : 0;
}

/* Calls fn for each running server of `dir`; returns the sum of what fn returned. */
static int each_server_in(const char *dir, FILE *out, int (*fn)(FILE *, const char *, const char *, pid_t, void *),
                          void *ctx)
{
    int count = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".sock"))
            continue;
        pid_t pid = server_pid(dir, e->d_name);
        if (pid > 0)
            count += fn(out, dir, e->d_name, pid, ctx);
    }
    if (d)
        closedir(d);
    return count;
}

static int each_server(FILE *out, int (*fn)(FILE *, const char *, const char *, pid_t, void *))
{
    char *why = NULL, *dir = ft_server_dir(&why);
    if (!dir) {
        fprintf(out, "no servers: %s\n", why);
        free(why);
        return 0;
    }
    int count = each_server_in(dir, out, fn, NULL);
    free(dir);
    return count;
}

static int print_server(FILE *out, const char *dir, const char *sock, pid_t pid, void *ctx)
{
    (void)ctx;
    fprintf(out, "server %d  key %.*s  log %s/%.*s.log\n", (int)pid, (int)(strlen(sock) - 5), sock, dir,
            (int)(strlen(sock) - 5), sock);
    return 1;
}

static int stop_server(FILE *out, const char *dir, const char *sock, pid_t pid, void *ctx)
{
    (void)dir, (void)ctx;
    if (kill(pid, SIGTERM) < 0)
        return 0;
    fprintf(out, "stopped server %d (key %.*s)\n", (int)pid, (int)(strlen(sock) - 5), sock);
    return 1;
}

int ft_server_list(FILE *out) { return each_server(out, print_server); }

int ft_server_stop_all(FILE *out) { return each_server(out, stop_server); }
