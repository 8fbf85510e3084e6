/* credstored's two listening sockets, admin and query, AF_UNIX
 * SOCK_SEQPACKET in the runtime directory: passed by systemd (socket
 * activation: they exist before the daemon runs, so nobody can take the
 * names while it restarts), or made here.  Either way the daemon sets
 * their modes: admin 0660 in the admin group, query 0666. */
#ifndef CREDSTORE_LISTEN_H
#define CREDSTORE_LISTEN_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/un.h>

#include "conn.h"
#include "error.h"

struct listeners {
	struct watch watch[CONN_SOCKETS];	/* WATCH_LISTENER */
	int fd[CONN_SOCKETS];
	struct sockaddr_un addr[CONN_SOCKETS];
	bool activated;				/* by systemd, which keeps them */
};

/* dir as cs_runtime_dir(); admin_gid: the admin socket's group. */
int listeners_open(struct listeners *l, const char *dir, gid_t admin_gid, struct cs_err *err);
/* Close; the sockets made here are removed. */
void listeners_close(struct listeners *l);

#endif
