/* A fork server's requests: receiving one, its arguments, and putting its descriptors where a
 * worker expects them. Shared by the server's loop and its zygotes (zygote.h). */
#include "fork_request.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int ft_proc_self_count(const char *what)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/%s", what);
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int ft_thread_count(void)
{
    return ft_proc_self_count("task");
}

/* Receives one request on `sock`: its argument block and its descriptors. 0 at EOF, -1 on a broken one. */
ssize_t ft_fork_receive(int sock, char *buf, size_t size, int fds[FT_FORK_NFDS])
{
    union {
        char space[CMSG_SPACE(sizeof(int) * FT_FORK_NFDS)];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = buf, .iov_len = size - 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                         .msg_controllen = sizeof control.space};
    ssize_t n;
    struct cmsghdr *c;

    while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (n <= 0)
        return n;
    for (int i = 0; i < FT_FORK_NFDS; i++)
        fds[i] = -1;
    c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof(int) * FT_FORK_NFDS) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
        if (c && c->cmsg_type == SCM_RIGHTS) { /* never keep what a broken request brought */
            int got[FT_FORK_NFDS];
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            memcpy(got, CMSG_DATA(c), (k < FT_FORK_NFDS ? k : FT_FORK_NFDS) * sizeof(int));
            for (size_t i = 0; i < k && i < FT_FORK_NFDS; i++)
                close(got[i]);
        }
        return -1;
    }
    memcpy(fds, CMSG_DATA(c), sizeof(int) * FT_FORK_NFDS);
    buf[n] = '\0';
    return n;
}

int ft_fork_forward(int sock, const char *buf, size_t len, const int fds[FT_FORK_NFDS])
{
    union {
        char space[CMSG_SPACE(sizeof(int) * FT_FORK_NFDS)];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                         .msg_controllen = sizeof control.space};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * FT_FORK_NFDS);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * FT_FORK_NFDS);
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Splits the NUL-separated argument block into an argv; argv[0] is a fixed program name, as getopt skips it. */
int ft_fork_split_args(char *buf, size_t len, char **argv, int max)
{
    int argc = 0;
    argv[argc++] = "__worker";
    for (size_t off = 0; off < len && argc < max - 1; off += strlen(buf + off) + 1)
        argv[argc++] = buf + off;
    argv[argc] = NULL;
    return argc;
}

/* Moves the request's descriptors onto the numbers a worker expects. Each is first lifted above
 * every target number, so that no dup2 overwrites a descriptor still to be moved. */
int ft_fork_place_descriptors(int fds[FT_FORK_NFDS])
{
    static const int targets[FT_FORK_NFDS] = {FT_FD_EVENTS, FT_FD_REPORTS, FT_FD_STACKS,
                                              FT_FD_STATUS, FT_FD_CONTROL, FT_FD_SCENARIO, STDOUT_FILENO};
    for (int i = 0; i < FT_FORK_NFDS; i++) {
        int high = fcntl(fds[i], F_DUPFD, 16);
        if (high < 0)
            return -1;
        close(fds[i]);
        fds[i] = high;
    }
    close(FT_FD_SERVER);
    for (int i = 0; i < FT_FORK_NFDS; i++) {
        if (dup2(fds[i], targets[i]) < 0)
            return -1;
        close(fds[i]);
    }
    return dup2(STDOUT_FILENO, STDERR_FILENO) < 0 ? -1 : 0;
}

