/* Lifts the worker's channel descriptors out of scenario code's reach (worker_fds.h). */
#include "worker_fds.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "worker_channel.h"

ft_worker_fds ft_worker_fd = {FT_FD_EVENTS, FT_FD_REPORTS, FT_FD_STACKS, FT_FD_CONTROL};

/* The lowest number lifted descriptors may take: 1000, or lower when the soft limit is lower,
 * leaving the four of them room below it. */
static int lift_base(void)
{
    struct rlimit rl;
    int base = 1000;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 1024)
        base = (int)rl.rlim_cur - 8;
    return base < 10 ? 10 : base;
}

static int lift(int fd, int base)
{
    int high = fcntl(fd, F_DUPFD_CLOEXEC, base);
    if (high < 0)
        return fd; /* not open, or no room above the base: keep it where it is */
    close(fd);
    return high;
}

void ft_worker_fds_park(int fd)
{
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0)
        return; /* nothing to park with: the number stays as it was */
    if (null != fd) {
        dup3(null, fd, O_CLOEXEC);
        close(null);
    }
}

void ft_worker_fds_lift(void)
{
    int base = lift_base();
    ft_worker_fd.events = lift(FT_FD_EVENTS, base);
    ft_worker_fd.reports = lift(FT_FD_REPORTS, base);
    ft_worker_fd.stacks = lift(FT_FD_STACKS, base);
    ft_worker_fd.control = lift(FT_FD_CONTROL, base);
    for (int fd = FT_FD_EVENTS; fd <= FT_FD_SERVER; fd++)
        if (fcntl(fd, F_GETFD) < 0)
            ft_worker_fds_park(fd);
}
