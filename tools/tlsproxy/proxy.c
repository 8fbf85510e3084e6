/* What every part of the proxy shares: its log, its clock, and the
 * registration of a watch with the event loop. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <time.h>

#include "proxy.h"

void proxy_log(const char *fmt, ...)
{
	va_list ap;

	fputs("credstore-tlsproxy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t proxy_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int proxy_watch(struct proxy *px, int op, int fd, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(px->epfd, op, fd, &ev) < 0 ? -errno : 0;
}
