/* credctl expiring: every certificate of the store (identities' leaves,
 * anchors, devices' certificates where one was given) that expires within
 * a window, soonest first; the exit code says whether there is any. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credctl.h"
#include "number.h"
#include "pki.h"

struct expiring {
	char kind[16], name[CREDSTORE_NAME_MAX + 8];
	uint64_t not_after;
};

struct scan {
	struct ctl *c;
	uint64_t until;			/* Unix seconds: the end of the window */
	struct expiring *found;
	size_t n, cap;
	int err;
};

static void consider(struct scan *s, const char *kind, const char *name, const char *slot,
		     uint64_t not_after)
{
	struct expiring *e;

	if (!not_after || not_after > s->until)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		void *p = realloc(s->found, cap * sizeof(*s->found));

		if (!p) {
			s->err = 1;
			return;
		}
		s->found = p;
		s->cap = cap;
	}
	e = &s->found[s->n++];
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	snprintf(e->name, sizeof(e->name), "%s%s%s", name, slot ? "/" : "", slot ? slot : "");
	e->not_after = not_after;
}

static uint64_t first_not_after(struct nlattr *chain)
{
	STACK_OF(X509) *certs = chain ? cs_pki_parse_certs(nla_data(chain), (size_t)nla_len(chain),
							   NULL) : NULL;
	uint64_t t = certs ? cs_pki_time(X509_get0_notAfter(sk_X509_value(certs, 0))) : 0;

	cs_pki_free_certs(certs);
	return t;
}

static int on_identity(struct nlattr **tb, void *arg)
{
	consider(arg, "identity", nla_get_string(tb[CREDSTORE_A_NAME]), NULL,
		 first_not_after(tb[CREDSTORE_A_CHAIN]));
	return 0;
}

static int on_anchor(struct nlattr **tb, void *arg)
{
	consider(arg, "anchor", nla_get_string(tb[CREDSTORE_A_NAME]), NULL,
		 first_not_after(tb[CREDSTORE_A_CHAIN]));
	return 0;
}

static int on_device(struct nlattr **tb, void *arg)
{
	const char *id = nla_get_string(tb[CREDSTORE_A_DEVICE_ID]);

	if (tb[CREDSTORE_A_MASTER_NOT_AFTER])
		consider(arg, "device", id, "master", nla_get_u64(tb[CREDSTORE_A_MASTER_NOT_AFTER]));
	if (tb[CREDSTORE_A_SUB_NOT_AFTER])
		consider(arg, "device", id, "sub", nla_get_u64(tb[CREDSTORE_A_SUB_NOT_AFTER]));
	return 0;
}

static int sooner(const void *a, const void *b)
{
	const struct expiring *x = a, *y = b;

	return x->not_after < y->not_after ? -1 : x->not_after > y->not_after;
}

static void print_found(struct scan *s, unsigned long window)
{
	struct ctl *c = s->c;

	if (s->n)
		qsort(s->found, s->n, sizeof(*s->found), sooner);
	out_begin(c);
	out_u64(c, "within_days", window / 86400);
	out_list_begin(c, "expiring");
	for (size_t i = 0; i < s->n; i++) {
		out_item_begin(c);
		out_str(c, "kind", s->found[i].kind);
		out_str(c, "name", s->found[i].name);
		out_expiry(c, NULL, s->found[i].not_after);
		out_bool(c, "expired", s->found[i].not_after < (uint64_t)time(NULL));
		out_item_end(c);
	}
	out_list_end(c);
	out_u64(c, "count", s->n);
	out_end(c);
}

static int run_expiring(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = { { "within", required_argument, NULL, 'w' }, { 0 } };
	struct scan s = { .c = c };
	unsigned long window = 30 * 86400UL;
	int ch, rc = EXIT_OK;

	while (!rc && (ch = ctl_getopt(c, argc, argv, "", opts)) != -1)
		if (ch != 'w')
			return EXIT_USAGE;
		else if (cs_parse_duration(optarg, 'd', 100 * 365 * 86400UL, &window) < 0)
			rc = ctl_usage(c, "--within %s: want a duration such as 30d, 12h or 90 (days)",
				       optarg);
	if (!rc)
		rc = no_more_args(c, argc, argv);
	s.until = (uint64_t)time(NULL) + window;
	if (!rc)
		rc = ctl_dump(c, CREDSTORE_CMD_GET_IDENTITY, CREDSTORE_A_NAME, on_identity, &s);
	if (!rc)
		rc = ctl_dump(c, CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, on_anchor, &s);
	if (!rc)
		rc = ctl_dump(c, CREDSTORE_CMD_GET_DEVICE, CREDSTORE_A_DEVICE_ID, on_device, &s);
	if (!rc && s.err)
		rc = ctl_usage(c, "out of memory");
	if (!rc) {
		print_found(&s, window);
		rc = s.n ? EXIT_EXPIRING : EXIT_OK;
	}
	free(s.found);
	return rc;
}

const struct subcmd expiring_cmds[] = {
	{ "expiring", "", "[--within DURATION]",
	  "Every certificate that expires within DURATION (default 30d; s, m, h or d, days when\n"
	  "no unit) or has expired: identities, anchors, and devices whose certificate was given\n"
	  "(--cert), soonest first.  Exit status 0 when there is none, 6 when there is.",
	  0, NULL, NULL, run_expiring },
	{ 0 }
};
