/* A fork server that outlives the command (see server_daemon.h).
 *
 * Every command pays one interpreter start-up under TSan (about 0.45 s) before its first worker;
 * shrink, init and sweeps run many commands. This server keeps an initialised interpreter between
 * commands. It never runs target code and never forks a worker itself: each connecting command gets
 * a handler forked from it, and the handler forks that command's workers, so a worker is exactly
 * as fresh as one a per-command server forks. Commands find it by a socket whose name is a key of
 * everything the interpreter was started with (server_registry.c): a rebuilt binary, another
 * interpreter or another environment never reaches it. */
#include "server_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <Python.h>

#include "clock.h"
#include "exit_codes.h"
#include "fork_server.h"
#include "unix_socket.h"

static volatile sig_atomic_t stop_requested;
static void on_stop(int sig) { stop_requested = sig; }

/* Binds and listens on `path`, owner-only. -1 with errno. */
static int listen_on(const char *path, struct stat *bound)
{
    struct sockaddr_un addr;
    int fd;
    if (ft_unix_address(&addr, path) < 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    mode_t old = umask(077);
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (rc < 0 || listen(fd, 16) < 0 || stat(path, bound) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* SOCKET.pid, written whole (a temporary file renamed), for `ftstress server list` and `stop`. */
static int write_pid_file(const char *path)
{
    char *tmp = NULL, *final = NULL;
    int ok = -1;
    if (asprintf(&tmp, "%s.pid.tmp", path) < 0 || asprintf(&final, "%s.pid", path) < 0)
        goto out;
    FILE *f = fopen(tmp, "w");
    if (!f)
        goto out;
    int written = fprintf(f, "%d\n", (int)getpid()) > 0;
    if (fclose(f) == 0 && written && rename(tmp, final) == 0)
        ok = 0;
out:
    free(tmp);
    free(final);
    return ok;
}

/* Removes the socket and pid file, but only while they are still this server's: a newer server of
 * the same key may have replaced them after this one stopped answering. */
static void remove_own_files(const char *path, const struct stat *bound)
{
    struct stat now;
    char *pid_path = NULL;
    if (stat(path, &now) == 0 && now.st_ino == bound->st_ino && now.st_dev == bound->st_dev) {
        size_t n = strlen(path);
        unlink(path);
        if (n > 5 && !strcmp(path + n - 5, ".sock")) { /* and the lock file commands started it under */
            char *lock = strdup(path);
            if (lock) {
                strcpy(lock + n - 5, ".lock");
                unlink(lock);
                free(lock);
            }
        }
    }
    if (asprintf(&pid_path, "%s.pid", path) >= 0) {
        FILE *f = fopen(pid_path, "r");
        int pid = 0;
        if (f) {
            if (fscanf(f, "%d", &pid) != 1)
                pid = 0;
            fclose(f);
        }
        if (pid == (int)getpid())
            unlink(pid_path);
        free(pid_path);
    }
}

/* A handler for one command: a fork of this server that forks the command's workers. */
static int start_handler(int listen_fd, int conn, pid_t client)
{
    PyOS_BeforeFork();
    pid_t h = fork();
    if (h == 0) {
        PyOS_AfterFork_Child();
        signal(SIGTERM, SIG_DFL); /* `server stop` ends the server, not the commands it is serving */
        close(listen_fd);
        _exit(ft_fork_server_handle(conn, (int)client));
    }
    int err = errno;
    PyOS_AfterFork_Parent();
    close(conn);
    errno = err;
    return h > 0 ? 0 : -1;
}

int ft_server_daemon_main(const char *socket_path, double idle_seconds)
{
    struct stat bound;
    struct sigaction sa = {.sa_handler = on_stop};
    int listen_fd = listen_on(socket_path, &bound), handlers = 0;
    int64_t last_active = ft_now_ns();

    if (listen_fd < 0) {
        fprintf(stderr, "ftstress server: cannot listen on %s: %s\n", socket_path, strerror(errno));
        return FT_EXIT_CANNOT_RUN;
    }
    if (write_pid_file(socket_path) < 0)
        fprintf(stderr, "ftstress server: cannot write %s.pid: %s (`ftstress server stop` will not find it; it "
                        "still ends when idle)\n", socket_path, strerror(errno));
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    fprintf(stderr, "ftstress server %d: listening on %s, ending after %.0f s without a command\n", (int)getpid(),
            socket_path, idle_seconds);
    while (!stop_requested) {
        struct pollfd p = {.fd = listen_fd, .events = POLLIN};
        int ready = poll(&p, 1, 1000);
        while (waitpid(-1, NULL, WNOHANG) > 0) { /* a command's handler ended: it is done */
            handlers--;
            last_active = ft_now_ns();
        }
        if (ready < 0 && errno != EINTR)
            break;
        if (ready > 0 && (p.revents & POLLIN)) {
            int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
            struct ucred peer;
            socklen_t len = sizeof peer;
            if (conn < 0)
                continue;
            if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0 || peer.uid != getuid()) {
                close(conn); /* the folder is owner-only; this is a second check, not the first */
                continue;
            }
            if (start_handler(listen_fd, conn, peer.pid) == 0)
                handlers++;
            else
                fprintf(stderr, "ftstress server: cannot fork a handler for command %d: %s\n", (int)peer.pid,
                        strerror(errno));
            last_active = ft_now_ns();
        }
        if (handlers <= 0 && (double)(ft_now_ns() - last_active) / 1e9 >= idle_seconds)
            break;
    }
    close(listen_fd);
    remove_own_files(socket_path, &bound);
    fprintf(stderr, "ftstress server %d: %s\n", (int)getpid(), stop_requested ? "stopped" : "idle, ending");
    return 0;
}
