/* csnl: a libnl-genl-3 client that drives every command of credstore.ko,
 * for the VM tests and the query benchmark. */
#ifndef CSNL_H
#define CSNL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/genl/genl.h>

/* One socket, resolved family, and how replies are shown. */
struct csnl {
	struct nl_sock *sk;
	int family;
	bool quiet;		/* count replies, print nothing (rate) */
	unsigned long replies;
};

/* conn.c: the socket, requests and their replies, extended ACKs */
int csnl_open(struct csnl *c);
void csnl_close(struct csnl *c);
struct nl_msg *csnl_request(struct csnl *c, int family, uint8_t cmd, int flags);
int csnl_transact(struct csnl *c, struct nl_msg *msg, const char *what);
int csnl_listen(struct csnl *c, unsigned long count, int timeout_s,
		const char *ready_file);
int csnl_rate(struct csnl *c, struct nl_msg *msg, double seconds);

/* attrs.c: names, printing and building of attributes */
int csnl_cmd_number(const char *name);
void csnl_print_attrs(struct nlattr *attrs, int len);
int csnl_put_raw_attrs(struct nl_msg *msg, char **tok, int n, int *used);
int csnl_put_records(struct nl_msg *msg, char **tok, int n);
int csnl_hex(const char *hex, uint8_t *out, size_t max);
void csnl_device_fp(char which, unsigned long i, uint8_t fp[32]);
int csnl_put_generated_devices(struct nl_msg *msg, const char *prefix,
			       char mtag, char stag, unsigned long from,
			       unsigned long to);

#endif
