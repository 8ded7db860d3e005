/* A fork server that outlives the command: it listens on a socket and serves each command that connects. */
#ifndef FTSTRESS_SERVER_DAEMON_H
#define FTSTRESS_SERVER_DAEMON_H

/* With the interpreter up (fork_server.c): binds `socket_path` (owner-only, its folder checked by
 * the command that started it, server_registry.c), writes SOCKET_PATH.pid, and forks a handler per
 * connecting command of the same user (ft_fork_server_handle), so commands never share a process
 * that forks their workers. Ends after `idle_seconds` with no command connected, or at SIGTERM
 * (`ftstress server stop`), removing the socket and the pid file if they are still its own. */
int ft_server_daemon_main(const char *socket_path, double idle_seconds);

#endif
