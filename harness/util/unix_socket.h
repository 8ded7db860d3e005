/* The address of a Unix-domain socket by path, shared by the kept fork server and its clients. */
#ifndef FTSTRESS_UNIX_SOCKET_H
#define FTSTRESS_UNIX_SOCKET_H

#include <sys/un.h>

/* Fills `addr` for `path`. 0, or -1 with errno ENAMETOOLONG when the path does not fit sun_path
 * (the caller names the path in its message). */
int ft_unix_address(struct sockaddr_un *addr, const char *path);

#endif
