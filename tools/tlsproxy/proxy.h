/* credstore-tlsproxy: the state shared by its parts. */
#ifndef TLSPROXY_PROXY_H
#define TLSPROXY_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/ssl.h>

/* Something registered with the event loop: the epoll data points here. */
struct watch {
	void (*on_event)(struct watch *w, uint32_t events);
};

struct conn;

struct proxy {
	int epfd;
	SSL_CTX *ctx;			/* for new handshakes; open ones hold theirs */
	struct sockaddr_storage backend;
	socklen_t backend_len;
	bool quiet;			/* log refusals and errors only */
	bool no_client_cert;		/* no device admission: any client */
	unsigned int setup_ms;		/* handshake and backend connect, at most */
	unsigned int n_conns;		/* open connections */
	struct conn *conns;		/* every open connection, newest first */
	struct conn *closed;		/* closed, to free after the batch */
};

/* epoll_ctl with the watch as data.  0, or -errno. */
int proxy_watch(struct proxy *px, int op, int fd, struct watch *w, uint32_t events);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t proxy_now_ms(void);

/* One line on stderr, prefixed with the program's name. */
__attribute__((format(printf, 1, 2)))
void proxy_log(const char *fmt, ...);

#endif
