/* The load of bench-tls: threads that each, over and over, open a TCP
 * connection to the proxy, make a full TLS handshake with a device
 * certificate (no resumption), send a request and read the backend's
 * answer (HTTP/1.x 200), which proves the proxy admitted the device (or,
 * for nginx, that the request was served).  Prints the number of
 * admitted round trips and of failures; with LATENCY_FILE, appends there
 * each admitted round trip's time in microseconds, one a line (the
 * caller takes the percentiles).
 * usage: tls-bench-client PORT CERT KEY SECONDS THREADS [LATENCY_FILE] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/ssl.h>

static SSL_CTX *ctx;
static struct sockaddr_in proxy;
static struct timespec deadline;
static atomic_long admitted, failed;

/* Each thread's round-trip times, in microseconds. */
struct times {
	long *us;
	size_t n, size;
};

static const char request[] = "GET / HTTP/1.0\r\n\r\n";

static long now_us(struct timespec *now)
{
	clock_gettime(CLOCK_MONOTONIC, now);
	return now->tv_sec * 1000000L + now->tv_nsec / 1000;
}

static int before_deadline(const struct timespec *now)
{
	return now->tv_sec < deadline.tv_sec ||
	       (now->tv_sec == deadline.tv_sec && now->tv_nsec < deadline.tv_nsec);
}

static void record(struct times *t, long us)
{
	if (t->n == t->size) {
		long *more = realloc(t->us, (t->size ? 2 * t->size : 1024) * sizeof(*more));

		if (!more)
			return;
		t->us = more;
		t->size = t->size ? 2 * t->size : 1024;
	}
	t->us[t->n++] = us;
}

/* One connection: 1 when the backend's answer came back. */
static int round_trip(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, ok = 0;
	SSL *ssl = NULL;
	char buf[512];

	if (fd < 0)
		return 0;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&proxy, sizeof(proxy)) == 0 && (ssl = SSL_new(ctx)) &&
	    SSL_set_fd(ssl, fd) && SSL_connect(ssl) == 1 &&
	    SSL_write(ssl, request, sizeof(request) - 1) > 0)
		ok = SSL_read(ssl, buf, sizeof(buf)) >= 12 && memcmp(buf, "HTTP/1.", 7) == 0 &&
		     memcmp(buf + 8, " 200", 4) == 0;
	SSL_free(ssl);
	close(fd);
	return ok;
}

static void *load(void *arg)
{
	struct times *t = arg;
	struct timespec now;
	long start = now_us(&now);

	while (before_deadline(&now)) {
		int ok = round_trip();
		long end = now_us(&now);

		if (ok) {
			atomic_fetch_add(&admitted, 1);
			record(t, end - start);
		} else {
			atomic_fetch_add(&failed, 1);
		}
		start = end;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t threads[64];
	struct times times[64] = { 0 };
	FILE *latency = NULL;
	int n;

	if (argc < 6 || argc > 7 || (n = atoi(argv[5])) < 1 || n > 64) {
		fprintf(stderr, "usage: tls-bench-client PORT CERT KEY SECONDS THREADS [LATENCY_FILE]\n");
		return 2;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	/* The client does not check the server: its cost would only slow
	 * the load, and the proxy's certificate is the same in both runs. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "tls-bench-client: cannot load %s / %s\n", argv[2], argv[3]);
		return 2;
	}
	proxy.sin_family = AF_INET;
	proxy.sin_port = htons(atoi(argv[1]));
	proxy.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += atoi(argv[4]);
	for (int i = 0; i < n; i++)
		pthread_create(&threads[i], NULL, load, &times[i]);
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	printf("%ld %ld\n", atomic_load(&admitted), atomic_load(&failed));
	if (argc == 7 && !(latency = fopen(argv[6], "a")))
		perror(argv[6]);
	for (int i = 0; i < n; i++) {
		for (size_t j = 0; latency && j < times[i].n; j++)
			fprintf(latency, "%ld\n", times[i].us[j]);
		free(times[i].us);
	}
	if (latency)
		fclose(latency);
	SSL_CTX_free(ctx);
	return 0;
}
