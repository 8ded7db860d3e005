/* Unix-domain socket addresses (see unix_socket.h). */
#include "unix_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int ft_unix_address(struct sockaddr_un *addr, const char *path)
{
    size_t len = strlen(path);
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    if (len >= sizeof addr->sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(addr->sun_path, path, len + 1);
    return 0;
}
