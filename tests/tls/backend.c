/* The plaintext backend of the TLS tests and the benchmark: it answers an
 * HTTP request with a short page naming the backend, and echoes anything
 * else back until the other side closes.  It listens on 127.0.0.1 and
 * prints its port on stdout.
 * usage: tls-backend [PORT]        (0 or none: any free port) */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char page[] =
	"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
	"hello from the backend\n";

static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	char buf[16384];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (n >= 4 && memcmp(buf, "GET ", 4) == 0) {
			/* A request fits one read in these tests. */
			if (write(fd, page, sizeof(page) - 1) < 0)
				perror("tls-backend: write");
			break;
		}
		if (write(fd, buf, n) != n)
			break;
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_port = htons(argc > 1 ? atoi(argv[1]) : 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		perror("tls-backend");
		return 1;
	}
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	for (;;) {
		pthread_t t;
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		if (pthread_create(&t, NULL, serve, (void *)(long)c) != 0)
			close(c);
		else
			pthread_detach(t);
	}
}
