/* credstore-tlsproxy: a TLS front end for devices.  It terminates TLS with
 * a server identity from credstore, admits a client device by its
 * certificate's master or sub fingerprint, and relays the plaintext to a
 * backend.  When the store says the identity changed, new handshakes get
 * a new context while open connections keep the one they started with. */
#include <errno.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "number.h"
#include "relay.h"
#include "user.h"
#include "source.h"
#include "version.h"

static void usage(FILE *out)
{
	fprintf(out,
"Usage: credstore-tlsproxy [OPTIONS] -l ADDR:PORT -b ADDR:PORT\n"
"TLS front end for devices: serves a server identity from credstore, admits\n"
"a client certificate whose SHA-256 fingerprint is a device's master or sub,\n"
"and forwards the plaintext to a backend.\n"
"\n"
"  -l, --listen=ADDR:PORT      accept TLS here (port 0: any, printed at start)\n"
"  -b, --backend=ADDR:PORT     forward the plaintext here\n"
"  -i, --identity=NAME         the store's server identity (default: default)\n"
"  -a, --require-anchor        client chains must also reach a trust anchor\n"
"      --allow-expired         admit a device certificate past its notAfter\n"
"                              (refused by default)\n"
"      --no-client-cert        ask no client certificate: serve the identity to\n"
"                              any client (web browsers; the backend then\n"
"                              authenticates its users)\n"
"  -t, --transport=WHICH       auto (default), kernel or daemon\n"
"  -u, --daemon-user=USER      the user credstored runs as (default: root)\n"
"  -n, --no-cache              ask the store at every handshake (by default a\n"
"                              verdict is reused until the store announces a\n"
"                              change of devices)\n"
"      --handshake-timeout=S   close a connection not relaying after S seconds\n"
"                              (TLS handshake and backend connection; default 10)\n"
"      --max-connections=N     accept no more than N at once; the rest wait in\n"
"                              the listen backlog (default 1024)\n"
"Without the store (PEM mode):\n"
"  -c, --cert=FILE             server certificate chain, leaf first\n"
"  -k, --key=FILE              its private key\n"
"  -p, --pins=FILE             devices: \"DEVICE-ID MASTER-FP [SUB-FP]\" a line\n"
"      --ca=FILE               trust anchors for --require-anchor\n"
"\n"
"  -q, --quiet                 log refusals and errors only\n"
"  -h, --help                  this text\n"
"  -V, --version               the version\n");
}

struct options {
	const char *listen, *backend;
	struct source_config source;
	unsigned int handshake_timeout, max_conns;
	bool quiet;
};

/* A whole number in [1, max]. */
static int parse_count(const char *text, unsigned int max, unsigned int *out)
{
	unsigned long n;

	if (cs_parse_uint(text, 1, max, &n) < 0)
		return -1;
	*out = (unsigned int)n;
	return 0;
}

static int parse_transport(const char *text, enum credstore_transport *t)
{
	static const char *const names[] = { "auto", "kernel", "daemon" };

	for (int i = 0; i < 3; i++)
		if (strcmp(text, names[i]) == 0) {
			*t = (enum credstore_transport)i;
			return 0;
		}
	return -1;
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "credstore-tlsproxy: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'credstore-tlsproxy --help'.\n");
	return -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CA = 256, OPT_HANDSHAKE_TIMEOUT, OPT_MAX_CONNECTIONS, OPT_ALLOW_EXPIRED,
	       OPT_NO_CLIENT_CERT };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "backend", required_argument, NULL, 'b' },
		{ "identity", required_argument, NULL, 'i' },
		{ "require-anchor", no_argument, NULL, 'a' },
		{ "allow-expired", no_argument, NULL, OPT_ALLOW_EXPIRED },
		{ "no-client-cert", no_argument, NULL, OPT_NO_CLIENT_CERT },
		{ "transport", required_argument, NULL, 't' },
		{ "daemon-user", required_argument, NULL, 'u' },
		{ "no-cache", no_argument, NULL, 'n' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "pins", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT },
		{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c;

	o->source.identity = "default";
	o->handshake_timeout = 10;
	o->max_conns = 1024;
	o->source.store.flags = CREDSTORE_CACHE_VERDICTS;
	while ((c = getopt_long(argc, argv, "l:b:i:at:u:nc:k:p:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': o->listen = optarg; break;
		case 'b': o->backend = optarg; break;
		case 'i': o->source.identity = optarg; break;
		case 'a': o->source.require_anchor = true; break;
		case OPT_ALLOW_EXPIRED: o->source.allow_expired = true; break;
		case 't':
			if (parse_transport(optarg, &o->source.store.transport) < 0)
				return bad_usage("unknown transport '%s' (auto, kernel, daemon)", optarg);
			break;
		case 'u':
			if (cs_parse_user(optarg, &o->source.store.daemon_uid) < 0)
				return bad_usage("no such user: %s", optarg);
			break;
		case 'n': o->source.store.flags &= ~CREDSTORE_CACHE_VERDICTS; break;
		case 'c': o->source.cert_file = optarg; break;
		case 'k': o->source.key_file = optarg; break;
		case 'p': o->source.pins_file = optarg; break;
		case OPT_CA: o->source.ca_file = optarg; break;
		case OPT_NO_CLIENT_CERT: o->source.no_client_cert = true; break;
		case OPT_HANDSHAKE_TIMEOUT:
			if (parse_count(optarg, 3600, &o->handshake_timeout) < 0)
				return bad_usage("--handshake-timeout=%s: seconds, 1 to 3600", optarg);
			break;
		case OPT_MAX_CONNECTIONS:
			if (parse_count(optarg, 1000000, &o->max_conns) < 0)
				return bad_usage("--max-connections=%s: 1 to 1000000", optarg);
			break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("credstore-tlsproxy %s\n", CREDSTORE_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (!o->listen || !o->backend)
		return bad_usage("%s", "both --listen and --backend are needed");
	if ((o->source.cert_file || o->source.key_file || o->source.pins_file) &&
	    !(o->source.cert_file && o->source.key_file && o->source.pins_file))
		return bad_usage("%s", "PEM mode needs --cert, --key and --pins together");
	if (o->source.ca_file && !o->source.cert_file)
		return bad_usage("%s", "--ca belongs to PEM mode");
	if (o->source.no_client_cert && (o->source.require_anchor || o->source.pins_file))
		return bad_usage("%s", "--no-client-cert admits no device: no --require-anchor or --pins");
	return 0;
}

/* "host:port" or "[v6]:port" to an address. */
static int resolve(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai;
	char host[256];
	const char *colon = strrchr(text, ':');
	size_t hlen = colon ? (size_t)(colon - text) : 0;
	int ret;

	if (!colon || hlen >= sizeof(host) || !colon[1]) {
		fprintf(stderr, "credstore-tlsproxy: %s: want ADDR:PORT\n", text);
		return -1;
	}
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	ret = getaddrinfo(host, colon + 1, &hints, &ai);
	if (ret) {
		fprintf(stderr, "credstore-tlsproxy: %s: %s\n", text, gai_strerror(ret));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void describe(const struct sockaddr *sa, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN], port[NI_MAXSERV];

	if (getnameinfo(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						      : sizeof(struct sockaddr_in),
			host, sizeof(host), port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(out, size, "?");
	else if (sa->sa_family == AF_INET6)
		snprintf(out, size, "[%s]:%s", host, port);
	else
		snprintf(out, size, "%s:%s", host, port);
}

static int open_listener(const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;
	char where[128];

	if (resolve(text, &ss, &len) < 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		fprintf(stderr, "credstore-tlsproxy: cannot listen on %s: %s\n", text, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	describe((struct sockaddr *)&ss, where, sizeof(where));
	proxy_log("listening on %s", where);
	return fd;
}

struct front {
	struct proxy px;
	struct source *source;
	int listen_fd;
	struct watch listener, notifications, signals;
	int signal_fd;
	unsigned int max_conns;
	uint64_t fds_awaited_until;	/* ms: accept() ran out of descriptors */
	bool accepting;			/* the listener is watched */
	bool stop;
};

#define FRONT_OF(w, member) ((struct front *)((char *)(w) - offsetof(struct front, member)))

/* A changed identity, anchor or CRL: new handshakes get a new context;
 * connections hold a reference to the one they started with.  A removed
 * identity is served no more: new connections are refused until it is
 * back. */
static void reload(struct front *f)
{
	char why[CREDSTORE_MESSAGE_MAX];
	bool gone;
	SSL_CTX *ctx = source_new_ctx(f->source, why, &gone);

	if (!ctx && !gone) {
		proxy_log("the store changed but the new context failed, keeping the old one: %s", why);
		return;
	}
	if (!ctx && f->px.ctx)
		proxy_log("%s: refusing new connections until it is back", why);
	SSL_CTX_free(f->px.ctx);
	f->px.ctx = ctx;
	if (ctx)
		proxy_log("the store changed: new handshakes use the reloaded identity");
}

static bool listed(void *arg, const char *device)
{
	const struct source_news *news = arg;

	for (size_t i = 0; i < news->n_revoked; i++)
		if (!strcmp(news->revoked[i], device))
			return true;
	return false;
}

static bool revoked_now(void *arg, const char *device)
{
	return source_device_revoked(arg, device);
}

/* What the store announced: a context to rebuild, sessions to cut. */
static void read_news(struct front *f)
{
	struct source_news news;

	source_read(f->source, &news);
	if (news.n_revoked)
		relay_cut_devices(&f->px, listed, &news, "was revoked");
	if (news.recheck)
		relay_cut_devices(&f->px, revoked_now, f->source, "is revoked");
	if (news.reload)
		reload(f);
	source_news_release(&news);
}

static void on_notification(struct watch *w, uint32_t events)
{
	(void)events;
	read_news(FRONT_OF(w, notifications));
}

/* At --max-connections the listener is not watched: new connections wait
 * in the kernel's backlog until one closes.  When accept() ran out of
 * file descriptors, likewise for a second (watched, a connection that
 * cannot be accepted would wake the loop again at once). */
static void accept_while_room(struct front *f)
{
	bool room = f->px.n_conns < f->max_conns && proxy_now_ms() >= f->fds_awaited_until;

	if (room == f->accepting)
		return;
	if (proxy_watch(&f->px, room ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, f->listen_fd,
			&f->listener, EPOLLIN) < 0) {
		proxy_log("watching the listener: %s", strerror(errno));
		return;
	}
	f->accepting = room;
	if (room) {
		proxy_log("%u connections open: accepting again", f->px.n_conns);
	} else if (f->px.n_conns >= f->max_conns) {
		proxy_log("%u connections open, the limit (--max-connections): new ones wait",
			  f->px.n_conns);
	}
}

static void on_listener(struct watch *w, uint32_t events)
{
	struct front *f = FRONT_OF(w, listener);
	struct sockaddr_storage ss;
	socklen_t len;
	char peer[128];
	int fd;

	(void)events;
	/* A change the store announced before this device connected must
	 * apply to it: read notifications first. */
	read_news(f);
	while (f->px.n_conns < f->max_conns) {
		len = sizeof(ss);
		fd = accept4(f->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			proxy_log("%u connections open and no file descriptor left (%s): new ones "
				  "wait", f->px.n_conns, strerror(errno));
			f->fds_awaited_until = proxy_now_ms() + 1000;
			return;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				proxy_log("accept: %s", strerror(errno));
			return;
		}
		describe((struct sockaddr *)&ss, peer, sizeof(peer));
		relay_start(&f->px, fd, peer);
	}
}

static void on_signal(struct watch *w, uint32_t events)
{
	(void)events;
	FRONT_OF(w, signals)->stop = true;
}

/* Each connection takes two descriptors (device and backend); the usual
 * soft limit of 1024 would stop the proxy near 500 of them. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int setup(struct front *f, const struct options *o)
{
	char why[CREDSTORE_MESSAGE_MAX];
	sigset_t mask;
	bool gone;

	f->px.quiet = o->quiet;
	f->px.no_client_cert = o->source.no_client_cert;
	f->px.setup_ms = o->handshake_timeout * 1000;
	f->max_conns = o->max_conns;
	raise_fd_limit();
	if (resolve(o->backend, &f->px.backend, &f->px.backend_len) < 0)
		return -1;
	f->source = source_open(&o->source, why);
	if (!f->source || !(f->px.ctx = source_new_ctx(f->source, why, &gone))) {
		fprintf(stderr, "credstore-tlsproxy: %s\n", why);
		return -1;
	}
	f->px.epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	f->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	f->listen_fd = open_listener(o->listen);
	if (f->px.epfd < 0 || f->signal_fd < 0 || f->listen_fd < 0)
		return -1;
	f->listener.on_event = on_listener;
	f->notifications.on_event = on_notification;
	f->signals.on_event = on_signal;
	if (proxy_watch(&f->px, EPOLL_CTL_ADD, f->listen_fd, &f->listener, EPOLLIN) < 0 ||
	    proxy_watch(&f->px, EPOLL_CTL_ADD, f->signal_fd, &f->signals, EPOLLIN) < 0 ||
	    (source_events_fd(f->source) >= 0 &&
	     proxy_watch(&f->px, EPOLL_CTL_ADD, source_events_fd(f->source), &f->notifications,
			 EPOLLIN) < 0))
		return -1;
	f->accepting = true;
	proxy_log("serving identity %s from %s, forwarding to %s",
		  o->source.cert_file ? o->source.cert_file : o->source.identity,
		  source_name(f->source), o->backend);
	return 0;
}

static void teardown(struct front *f)
{
	relay_close_all(&f->px);
	SSL_CTX_free(f->px.ctx);
	source_close(f->source);
	if (f->listen_fd >= 0)
		close(f->listen_fd);
	if (f->signal_fd >= 0)
		close(f->signal_fd);
	if (f->px.epfd >= 0)
		close(f->px.epfd);
}

int main(int argc, char **argv)
{
	struct front f = { .listen_fd = -1, .signal_fd = -1, .px.epfd = -1 };
	struct epoll_event events[64];
	struct options o = { 0 };
	int ret = 1;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	if (setup(&f, &o) == 0) {
		ret = 0;
		while (!f.stop) {
			int timeout = relay_expire(&f.px), n;

			accept_while_room(&f);
			if (!f.accepting && f.px.n_conns < f.max_conns &&	/* waiting for fds */
			    (timeout < 0 || timeout > 1000))
				timeout = 1000;
			n = epoll_wait(f.px.epfd, events, 64, timeout);

			if (n < 0 && errno != EINTR) {
				proxy_log("epoll_wait: %s", strerror(errno));
				ret = 1;
				break;
			}
			for (int i = 0; i < n; i++) {
				struct watch *w = events[i].data.ptr;

				w->on_event(w, events[i].events);
			}
			relay_reap(&f.px);
		}
	}
	teardown(&f);
	return ret;
}
