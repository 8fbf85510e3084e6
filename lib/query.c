/* Queries: identities and trust anchors as OpenSSL objects, and the
 * verification of a device's fingerprint or secret. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "conn.h"
#include "verdict_cache.h"

/* Append the concatenated DER certificates of a CHAIN attribute. */
static int append_certs(struct credstore *cs, const struct nlattr *attr, STACK_OF(X509) *into)
{
	const unsigned char *p = nla_data(attr);
	const unsigned char *end = p + nla_len(attr);

	while (p < end) {
		X509 *cert = d2i_X509(NULL, &p, end - p);

		if (!cert || !sk_X509_push(into, cert)) {
			X509_free(cert);
			return cs_err_set(&cs->err, EBADMSG, "the store sent a malformed certificate");
		}
	}
	return 0;
}

struct identity_reply {
	struct credstore *cs;
	struct credstore_identity *id;
};

static int on_identity(struct nlattr **tb, void *arg)
{
	struct identity_reply *r = arg;

	if (!tb[CREDSTORE_A_CHAIN])
		return cs_err_set(&r->cs->err, EBADMSG, "the store's identity reply has no chain");
	return append_certs(r->cs, tb[CREDSTORE_A_CHAIN], r->id->chain);
}

static int request_by_name(struct credstore *cs, uint8_t cmd, const char *name,
			   cs_reply_fn fn, void *arg)
{
	struct nl_msg *req = cs_conn_request(cs, cmd, 0);

	if (req && nla_put_string(req, CREDSTORE_A_NAME, name) < 0) {
		nlmsg_free(req);
		req = NULL;
	}
	return cs_conn_transact(cs, req, fn, arg);
}

int credstore_get_identity(struct credstore *cs, const char *name,
			   struct credstore_identity **out)
{
	struct credstore_identity *id = calloc(1, sizeof(*id));
	struct identity_reply r = { .cs = cs, .id = id };
	int ret;

	*out = NULL;
	cs_err_clear(&cs->err);
	if (!id || !(id->chain = sk_X509_new_null())) {
		free(id);
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	}
	if (strlen(name) >= sizeof(id->name)) {
		credstore_identity_free(id);
		return cs_err_set(&cs->err, EINVAL, "identity name too long: %s", name);
	}
	strcpy(id->name, name);
	ret = request_by_name(cs, CREDSTORE_CMD_GET_IDENTITY, name, on_identity, &r);
	if (!ret && sk_X509_num(id->chain) == 0)
		ret = cs_err_set(&cs->err, EBADMSG, "the store's identity %s has no certificate", name);
	if (ret) {
		credstore_identity_free(id);
		return ret;
	}
	*out = id;
	return 0;
}

void credstore_identity_free(struct credstore_identity *id)
{
	if (!id)
		return;
	sk_X509_pop_free(id->chain, X509_free);
	free(id);
}

struct anchors_reply {
	struct credstore *cs;
	STACK_OF(X509) *anchors;
};

static int on_anchor(struct nlattr **tb, void *arg)
{
	struct anchors_reply *r = arg;

	if (!tb[CREDSTORE_A_CHAIN])
		return cs_err_set(&r->cs->err, EBADMSG, "the store's anchor reply has no certificate");
	return append_certs(r->cs, tb[CREDSTORE_A_CHAIN], r->anchors);
}

/* One anchor by name, or (name NULL) all of them. */
static int fetch_anchors(struct credstore *cs, const char *name, STACK_OF(X509) **out)
{
	struct anchors_reply r = { .cs = cs, .anchors = sk_X509_new_null() };
	int ret;

	*out = NULL;
	cs_err_clear(&cs->err);
	if (!r.anchors)
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	ret = name ? request_by_name(cs, CREDSTORE_CMD_GET_ANCHOR, name, on_anchor, &r)
		   : cs_conn_dump(cs, CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, on_anchor, &r);
	if (ret) {
		sk_X509_pop_free(r.anchors, X509_free);
		return ret;
	}
	*out = r.anchors;
	return 0;
}

int credstore_get_anchors(struct credstore *cs, STACK_OF(X509) **out)
{
	return fetch_anchors(cs, NULL, out);
}

int credstore_get_anchor(struct credstore *cs, const char *name, X509 **out)
{
	STACK_OF(X509) *anchors;
	int ret = fetch_anchors(cs, name, &anchors);

	*out = NULL;
	if (!ret && sk_X509_num(anchors) != 1)
		ret = cs_err_set(&cs->err, EBADMSG, "the store's anchor %s is not one certificate", name);
	if (!ret)
		*out = sk_X509_shift(anchors);
	sk_X509_pop_free(anchors, X509_free);
	return ret;
}

struct match_reply {
	struct credstore *cs;
	enum credstore_match match;
	char *device_id;		/* NULL: not wanted */
	uint32_t flags;			/* a refusal's */
	int answered;
};

static int on_match(struct nlattr **tb, void *arg)
{
	struct match_reply *r = arg;
	uint8_t match;

	if (!tb[CREDSTORE_A_MATCH])
		return cs_err_set(&r->cs->err, EBADMSG, "the store's verdict has no match");
	match = nla_get_u8(tb[CREDSTORE_A_MATCH]);
	if (match > CREDSTORE_MATCH_SUB)
		return cs_err_set(&r->cs->err, EBADMSG, "the store sent an unknown match %u", match);
	r->match = match;
	if (match != CREDSTORE_MATCH_NONE && !tb[CREDSTORE_A_DEVICE_ID])
		return cs_err_set(&r->cs->err, EBADMSG, "the store's verdict names no device");
	/* A refusal for the device's flags names the device too. */
	if (match == CREDSTORE_MATCH_NONE && tb[CREDSTORE_A_FLAGS])
		r->flags = nla_get_u32(tb[CREDSTORE_A_FLAGS]);
	if (r->device_id && tb[CREDSTORE_A_DEVICE_ID] && (match || r->flags))
		nla_strlcpy(r->device_id, tb[CREDSTORE_A_DEVICE_ID], CREDSTORE_DEVICE_ID_MAX);
	r->answered = 1;
	return 0;
}

static int verify(struct credstore *cs, struct nl_msg *req, struct match_reply *r)
{
	int ret = cs_conn_transact(cs, req, on_match, r);

	if (!ret && !r->answered)
		ret = cs_err_set(&cs->err, EBADMSG, "the store did not answer the verification");
	return ret;
}

static int put_device_id(struct nl_msg *req, const char *device_id)
{
	if (strlen(device_id) >= CREDSTORE_DEVICE_ID_MAX)
		return -EINVAL;
	return nla_put_string(req, CREDSTORE_A_DEVICE_ID, device_id) < 0 ? -EMSGSIZE : 0;
}

int credstore_verify_fingerprint(struct credstore *cs,
				 const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
				 const char *device_id, struct credstore_verdict *out)
{
	struct match_reply r = { .cs = cs, .device_id = out->device_id };
	struct nl_msg *req;
	int ret;

	memset(out, 0, sizeof(*out));
	cs_err_clear(&cs->err);
	if (!device_id && cs->verdicts && verdict_cache_lookup(cs->verdicts, fp, out))
		return 0;
	req = cs_conn_request(cs, CREDSTORE_CMD_VERIFY_FINGERPRINT, 0);
	if (!req)
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	ret = nla_put(req, CREDSTORE_A_FINGERPRINT, CREDSTORE_FINGERPRINT_LEN, fp) < 0 ? -EMSGSIZE : 0;
	if (!ret && device_id)
		ret = put_device_id(req, device_id);
	if (ret) {
		nlmsg_free(req);
		return cs_err_set(&cs->err, -ret, "invalid device id");
	}
	ret = verify(cs, req, &r);
	out->match = ret ? CREDSTORE_MATCH_NONE : r.match;
	out->flags = ret ? 0 : r.flags;
	if (out->match == CREDSTORE_MATCH_NONE && !out->flags)
		out->device_id[0] = '\0';
	if (!ret && !device_id && cs->verdicts)
		verdict_cache_store(cs->verdicts, fp, out);
	return ret;
}

/* A verification of one device's credential: attrs (two at most, the
 * second may be absent) after the id.  The request is wiped: it carries a
 * secret or an HMAC. */
struct credential {
	int attr;
	const void *data;
	size_t len;
};

static int verify_device(struct credstore *cs, uint8_t cmd, const char *device_id,
			 const struct credential *a, const struct credential *b,
			 enum credstore_match *out)
{
	struct match_reply r = { .cs = cs };
	struct nl_msg *req = cs_conn_request(cs, cmd, 0);
	int ret;

	if (!req)
		return cs_err_set(&cs->err, ENOMEM, "out of memory");
	ret = put_device_id(req, device_id);
	if (!ret && (nla_put(req, a->attr, (int)a->len, a->data) < 0 ||
		     (b && nla_put(req, b->attr, (int)b->len, b->data) < 0)))
		ret = -EMSGSIZE;
	if (ret) {
		cs_msg_wipe_free(req);
		return cs_err_set(&cs->err, -ret, "invalid device id");
	}
	ret = verify(cs, req, &r);
	if (!ret)
		*out = r.match;
	return ret;
}

int credstore_verify_secret(struct credstore *cs, const char *device_id,
			    const void *secret, size_t len, enum credstore_match *out)
{
	const struct credential c = { CREDSTORE_A_SECRET, secret, len };

	*out = CREDSTORE_MATCH_NONE;
	cs_err_clear(&cs->err);
	if (len < 1 || len > CREDSTORE_SECRET_MAX)
		return cs_err_set(&cs->err, EINVAL, "a secret has 1 to %d bytes", CREDSTORE_SECRET_MAX);
	return verify_device(cs, CREDSTORE_CMD_VERIFY_SECRET, device_id, &c, NULL, out);
}

int credstore_verify_hmac(struct credstore *cs, const char *device_id,
			  const void *message, size_t message_len,
			  const uint8_t mac[CREDSTORE_HMAC_LEN], enum credstore_match *out)
{
	const struct credential m = { CREDSTORE_A_HMAC_MESSAGE, message, message_len };
	const struct credential h = { CREDSTORE_A_HMAC, mac, CREDSTORE_HMAC_LEN };

	*out = CREDSTORE_MATCH_NONE;
	cs_err_clear(&cs->err);
	if (message_len < 1 || message_len > CREDSTORE_HMAC_MESSAGE_MAX)
		return cs_err_set(&cs->err, EINVAL, "an HMAC message has 1 to %d bytes",
				  CREDSTORE_HMAC_MESSAGE_MAX);
	return verify_device(cs, CREDSTORE_CMD_VERIFY_HMAC, device_id, &m, &h, out);
}
