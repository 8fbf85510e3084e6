/* The trust anchors' CRLs.  Only credstored has them (a CRL may be
 * several MiB, more than the module's tables take): each comes in parts,
 * one request each, so that no answer is larger than an attribute and a
 * reader that stops reading holds up nobody. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>

#include "conn.h"

/* Restarts of a CRL that changed while it was read, at most. */
#define CHANGED_RETRIES 3

struct names {
	char (*name)[CREDSTORE_NAME_MAX];
	size_t n, cap;
};

static int on_anchor_name(struct nlattr **tb, void *arg)
{
	struct names *names = arg;

	if (!tb[CREDSTORE_A_NAME])
		return -EBADMSG;
	if (names->n == names->cap) {
		size_t cap = names->cap ? 2 * names->cap : 16;
		void *p = realloc(names->name, cap * sizeof(*names->name));

		if (!p)
			return -ENOMEM;
		names->name = p;
		names->cap = cap;
	}
	nla_strlcpy(names->name[names->n++], tb[CREDSTORE_A_NAME], CREDSTORE_NAME_MAX);
	return 0;
}

struct part {
	struct credstore *cs;
	uint8_t *der;
	size_t len, total;
	uint32_t parts;
	uint64_t this_update;		/* with total: which CRL this is */
};

static int on_part(struct nlattr **tb, void *arg)
{
	struct part *p = arg;
	struct nlattr *blob = tb[CREDSTORE_A_ADMIN_BLOB];
	size_t total;

	if (!blob || !tb[CREDSTORE_A_CRL_LEN] || !tb[CREDSTORE_A_CRL_PARTS] ||
	    !tb[CREDSTORE_A_CRL_THIS_UPDATE])
		return cs_err_set(&p->cs->err, EBADMSG, "credstored sent a malformed CRL part");
	total = nla_get_u32(tb[CREDSTORE_A_CRL_LEN]);
	if (!p->der) {
		p->der = malloc(total ? total : 1);
		p->total = total;
		p->parts = nla_get_u32(tb[CREDSTORE_A_CRL_PARTS]);
		p->this_update = nla_get_u64(tb[CREDSTORE_A_CRL_THIS_UPDATE]);
		if (!p->der)
			return cs_err_set(&p->cs->err, ENOMEM, "out of memory");
	}
	/* Other changes of the store do not matter, another CRL does. */
	if (total != p->total || nla_get_u64(tb[CREDSTORE_A_CRL_THIS_UPDATE]) != p->this_update)
		return -EAGAIN;		/* it changed meanwhile: read it again */
	if (p->len + (size_t)nla_len(blob) > p->total)
		return cs_err_set(&p->cs->err, EBADMSG, "credstored sent more CRL than it said");
	memcpy(p->der + p->len, nla_data(blob), (size_t)nla_len(blob));
	p->len += (size_t)nla_len(blob);
	return 0;
}

/* One anchor's CRL into crls; none (-ENOENT) is not an error. */
static int fetch(struct credstore *cs, struct cs_client *daemon, const char *name,
		 STACK_OF(X509_CRL) *crls)
{
	struct part p = { .cs = cs };
	int ret = 0;

	for (uint32_t i = 0; !ret && (i == 0 || i < p.parts); i++) {
		struct nl_msg *req = cs_client_request(CREDSTORE_ADMIN_CMD_GET_CRL, 0);

		if (!req || nla_put_string(req, CREDSTORE_A_NAME, name) ||
		    nla_put_u32(req, CREDSTORE_A_CRL_PART, i)) {
			nlmsg_free(req);
			ret = cs_err_set(&cs->err, ENOMEM, "out of memory");
			break;
		}
		ret = cs_client_transact(daemon, req, on_part, &p, &cs->err);
	}
	if (ret == -ENOENT) {
		cs_err_clear(&cs->err);
		ret = 0;
	} else if (!ret) {
		const unsigned char *q = p.der;
		X509_CRL *crl = p.len == p.total ? d2i_X509_CRL(NULL, &q, (long)p.len) : NULL;

		if (!crl || !sk_X509_CRL_push(crls, crl)) {
			X509_CRL_free(crl);
			ret = cs_err_set(&cs->err, EBADMSG, "the CRL of anchor %s is unreadable", name);
		}
	}
	free(p.der);
	return ret;
}

int credstore_get_crls(struct credstore *cs, STACK_OF(X509_CRL) **out)
{
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	struct names names = { 0 };
	struct cs_client *daemon;
	int ret;

	*out = NULL;
	cs_err_clear(&cs->err);
	if (!crls)
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	ret = cs_conn_dump(cs, CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, on_anchor_name, &names);
	if (!ret && names.n)
		ret = cs_conn_daemon(cs, &daemon);
	for (size_t i = 0; !ret && i < names.n; i++) {
		int tries = 0;

		do
			ret = fetch(cs, daemon, names.name[i], crls);
		while (ret == -EAGAIN && ++tries < CHANGED_RETRIES);
		if (ret == -EAGAIN)
			ret = cs_err_set(&cs->err, EAGAIN, "the CRL of anchor %s kept changing",
					 names.name[i]);
	}
	free(names.name);
	if (ret) {
		sk_X509_CRL_pop_free(crls, X509_CRL_free);
		return ret < 0 ? ret : -EIO;
	}
	*out = crls;
	return 0;
}
