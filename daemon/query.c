/* The queries, answered by the daemon on its sockets with the module's
 * semantics (for clients where credstore.ko is absent, and for credctl). */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>

#include "publisher.h"
#include "server.h"

int query_status(struct cmd_ctx *c, struct cs_err *err)
{
	struct store_status st;
	struct nl_msg *m = c->reply;

	store_status(c->d->model.store, &st);
	return reply_put(nla_put_u64(m, CREDSTORE_A_GENERATION, st.generation) ||
			 nla_put_u32(m, CREDSTORE_A_STATUS_IDENTITIES, st.records[STORE_REC_IDENTITY]) ||
			 nla_put_u32(m, CREDSTORE_A_STATUS_ANCHORS, st.records[STORE_REC_ANCHOR]) ||
			 nla_put_u32(m, CREDSTORE_A_STATUS_DEVICES, st.records[STORE_REC_DEVICE]) ||
			 nla_put_u8(m, CREDSTORE_A_STATUS_PUBLISHER,
				    c->d->publisher && publisher_active(c->d->publisher)) ? -1 : 0,
			 err);
}

static int put_generation(struct cmd_ctx *c)
{
	return nla_put_u64(c->reply, CREDSTORE_A_GENERATION, store_generation(c->d->model.store));
}

static int fill_identity(struct nl_msg *m, const void *arg)
{
	const struct model_identity *id = arg;

	return nla_put_string(m, CREDSTORE_A_NAME, id->name) ||
	       nla_put(m, CREDSTORE_A_CHAIN, (int)id->chain_len, id->chain) ||
	       (id->has_signers && nla_put_u32(m, CREDSTORE_A_SIGNERS, id->signers)) ? -1 : 0;
}

static int fill_anchor(struct nl_msg *m, const void *arg)
{
	const struct model_anchor *a = arg;
	const struct model_crl_info *crl = &a->crl;

	return nla_put_string(m, CREDSTORE_A_NAME, a->name) ||
	       nla_put(m, CREDSTORE_A_CHAIN, (int)a->cert_len, a->cert) ||
	       (crl->len && (nla_put_u32(m, CREDSTORE_A_CRL_LEN, crl->len) ||
			     nla_put_u32(m, CREDSTORE_A_CRL_ENTRIES, crl->entries) ||
			     nla_put_u64(m, CREDSTORE_A_CRL_THIS_UPDATE, crl->this_update))) ||
	       (crl->next_update && nla_put_u64(m, CREDSTORE_A_CRL_NEXT_UPDATE, crl->next_update))
	       ? -1 : 0;
}

static int fill_device(struct nl_msg *m, const void *arg)
{
	const struct model_device *d = arg;

	return nla_put_string(m, CREDSTORE_A_DEVICE_ID, d->id) ||
	       nla_put_u32(m, CREDSTORE_A_FLAGS, d->flags) ||
	       (d->has_fp[SLOT_MASTER] &&
		nla_put(m, CREDSTORE_A_MASTER_FP, CREDSTORE_FINGERPRINT_LEN, d->fp[SLOT_MASTER])) ||
	       (d->has_fp[SLOT_SUB] &&
		nla_put(m, CREDSTORE_A_SUB_FP, CREDSTORE_FINGERPRINT_LEN, d->fp[SLOT_SUB])) ||
	       (d->not_after[SLOT_MASTER] &&
		nla_put_u64(m, CREDSTORE_A_MASTER_NOT_AFTER, d->not_after[SLOT_MASTER])) ||
	       (d->not_after[SLOT_SUB] &&
		nla_put_u64(m, CREDSTORE_A_SUB_NOT_AFTER, d->not_after[SLOT_SUB])) ? -1 : 0;
}

/* ---- single lookups ---- */

int query_get_identity(struct cmd_ctx *c, bool with_key, struct model_identity *id,
		       struct cs_err *err)
{
	const char *name = attr_string(c->tb, CREDSTORE_A_NAME);
	int r = need_name(c->tb, CREDSTORE_A_NAME, "identity name", err);

	if (!r)
		r = with_key ? model_get_identity(&c->d->model, NULL, name, id, err)
			     : model_get_identity_public(&c->d->model, name, id, err);
	if (r == -ENOENT || (!r && !id->chain)) {
		model_identity_release(id);
		r = cs_err_set(err, ENOENT, "no identity '%s'", name);
	}
	return r;
}

int query_identity(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_identity id = { 0 };
	int r = query_get_identity(c, false, &id, err);

	if (!r)
		r = reply_put(fill_identity(c->reply, &id) || put_generation(c), err);
	model_identity_release(&id);
	return r;
}

int query_anchor(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_anchor a = { 0 };
	const char *name = attr_string(c->tb, CREDSTORE_A_NAME);
	int r = need_name(c->tb, CREDSTORE_A_NAME, "anchor name", err);

	if (!r)
		r = model_get_anchor(&c->d->model, NULL, name, &a, err);
	if (r == -ENOENT)
		r = cs_err_set(err, ENOENT, "no anchor '%s'", name);
	if (!r)
		r = reply_put(fill_anchor(c->reply, &a) || put_generation(c), err);
	model_anchor_release(&a);
	return r;
}

/* with_secrets: unsealed too; else nothing is. */
static int load_device(struct cmd_ctx *c, bool with_secrets, struct model_device *d,
		       struct cs_err *err)
{
	const char *id = attr_string(c->tb, CREDSTORE_A_DEVICE_ID);

	return with_secrets ? model_get_device(&c->d->model, NULL, id, d, err)
			    : model_get_device_public(&c->d->model, NULL, id, d, err);
}

static int get_device(struct cmd_ctx *c, bool with_secrets, struct model_device *d,
		      struct cs_err *err)
{
	const char *id = attr_string(c->tb, CREDSTORE_A_DEVICE_ID);
	int r = need_name(c->tb, CREDSTORE_A_DEVICE_ID, "device id", err);

	memset(d, 0, sizeof(*d));
	if (!r)
		r = load_device(c, with_secrets, d, err);
	return r == -ENOENT ? cs_err_set(err, ENOENT, "unknown device '%s'", id) : r;
}

int query_device(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d;
	int r = get_device(c, false, &d, err);

	if (!r)
		r = reply_put(fill_device(c->reply, &d) || put_generation(c), err);
	model_device_wipe(&d);
	return r;
}

int query_device_secrets(struct cmd_ctx *c, struct cs_err *err)
{
	static const int attr[SLOT_COUNT] = { CREDSTORE_A_MASTER_SECRET, CREDSTORE_A_SUB_SECRET };
	struct model_device d;
	int r = get_device(c, true, &d, err);

	if (!r)
		r = reply_put(nla_put_string(c->reply, CREDSTORE_A_DEVICE_ID, d.id), err);
	if (!r)
		r = reply_put(nla_put_u32(c->reply, CREDSTORE_A_FLAGS, d.flags), err);
	for (int s = 0; s < SLOT_COUNT && !r; s++)
		if (d.secret_len[s])
			r = reply_put(nla_put(c->reply, attr[s], (int)d.secret_len[s], d.secret[s]), err);
	model_device_wipe(&d);
	return r;
}

/* ---- verification: an unknown device matches nothing (no error) ---- */

/* 1: found; 0: no such device; negative: error. */
static int find_device(struct cmd_ctx *c, bool with_secrets, struct model_device *d,
		       struct cs_err *err)
{
	int r = need_name(c->tb, CREDSTORE_A_DEVICE_ID, "device id", err);

	memset(d, 0, sizeof(*d));
	if (!r)
		r = load_device(c, with_secrets, d, err);
	return r == -ENOENT ? 0 : r == 0 ? 1 : r;
}

static bool sub_usable(const struct model_device *d)
{
	return !(d->flags & (CREDSTORE_DEVICE_F_SUB_DISABLED | CREDSTORE_DEVICE_F_NO_SUB));
}

/* The credential a device holds, before its flags have their say: the
 * reply names a device refused for its flags (see credstore_device_flags). */
struct verdict {
	uint8_t match;
	bool refused;		/* it was the device's, but its flags say no */
};

static struct verdict apply_flags(const struct model_device *d, uint8_t held)
{
	struct verdict v = { held, false };

	if (held && ((d->flags & CREDSTORE_DEVICE_F_REVOKED) ||
		     (held == CREDSTORE_MATCH_SUB && !sub_usable(d))))
		v = (struct verdict){ CREDSTORE_MATCH_NONE, true };
	return v;
}

/* For a secret, a refusal must not tell whether the secret was right: a
 * revoked device is refused whatever was given, a disabled sub is no
 * match like any wrong secret. */
static struct verdict apply_flags_secret(const struct model_device *d, uint8_t held)
{
	if (d->flags & CREDSTORE_DEVICE_F_REVOKED)
		return (struct verdict){ CREDSTORE_MATCH_NONE, true };
	if (held == CREDSTORE_MATCH_SUB && !sub_usable(d))
		held = CREDSTORE_MATCH_NONE;
	return (struct verdict){ held, false };
}

static struct verdict match_fingerprint(const struct model_device *d, const uint8_t *fp)
{
	uint8_t held = CREDSTORE_MATCH_NONE;

	if (d->has_fp[SLOT_MASTER] && !CRYPTO_memcmp(d->fp[SLOT_MASTER], fp, CREDSTORE_FINGERPRINT_LEN))
		held = CREDSTORE_MATCH_MASTER;
	else if (d->has_fp[SLOT_SUB] && !CRYPTO_memcmp(d->fp[SLOT_SUB], fp, CREDSTORE_FINGERPRINT_LEN))
		held = CREDSTORE_MATCH_SUB;
	return apply_flags(d, held);
}

static int put_verdict(struct cmd_ctx *c, struct verdict v, const char *id, uint32_t flags,
		       struct cs_err *err)
{
	bool named = v.match != CREDSTORE_MATCH_NONE || v.refused;

	return reply_put(nla_put_u8(c->reply, CREDSTORE_A_MATCH, v.match) ||
			 (named && nla_put_string(c->reply, CREDSTORE_A_DEVICE_ID, id)) ||
			 (v.refused && nla_put_u32(c->reply, CREDSTORE_A_FLAGS, flags)), err);
}

/* Constant time in the secrets' contents: both sides are compared over
 * the whole buffer, zero-padded, and the lengths folded in. */
static bool secret_equal(const uint8_t *stored, size_t stored_len, const uint8_t *given,
			 size_t given_len)
{
	uint8_t a[CREDSTORE_SECRET_MAX] = { 0 }, b[CREDSTORE_SECRET_MAX] = { 0 };
	int diff;

	memcpy(a, stored, stored_len);
	memcpy(b, given, given_len);
	diff = CRYPTO_memcmp(a, b, sizeof(a)) | (stored_len != given_len) | (stored_len == 0);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	return diff == 0;
}

struct fp_search {
	const uint8_t *fp;
	struct verdict v;
	uint32_t flags;
	char id[CREDSTORE_DEVICE_ID_MAX];
};

static void found(struct fp_search *s, const struct model_device *d)
{
	s->v = match_fingerprint(d, s->fp);
	s->flags = d->flags;
	memcpy(s->id, d->id, sizeof(s->id));
}

static int search_fingerprint(const struct model_device *d, void *arg)
{
	struct fp_search *s = arg;

	found(s, d);
	return s->v.match != CREDSTORE_MATCH_NONE || s->v.refused;
}

/* Without the id, the device index finds the holder: nothing is walked
 * and nothing is unsealed, whatever the caller sends. */
int query_verify_fingerprint(struct cmd_ctx *c, struct cs_err *err)
{
	struct fp_search s = { 0 };
	struct model_device d;
	int r = need_attr(c->tb, CREDSTORE_A_FINGERPRINT, "fingerprint", err);

	if (r)
		return r;
	s.fp = nla_data(c->tb[CREDSTORE_A_FINGERPRINT]);
	if (c->tb[CREDSTORE_A_DEVICE_ID]) {
		r = find_device(c, false, &d, err);
		if (r == 1)
			found(&s, &d);
		r = r < 0 ? r : 0;
		model_device_wipe(&d);
	} else {
		model_devices_with_fingerprint(&c->d->model, s.fp, search_fingerprint, &s);
	}
	return r ? r : put_verdict(c, s.v, s.id, s.flags, err);
}

/* The verdict for a device whose master and sub tested as given (both
 * tested always: the time does not tell which); d is all zero when there
 * is no such device. */
static int reply_match(struct cmd_ctx *c, const struct model_device *d, bool master, bool sub,
		       struct cs_err *err)
{
	struct verdict v = apply_flags_secret(d, master ? CREDSTORE_MATCH_MASTER
						 : sub ? CREDSTORE_MATCH_SUB : CREDSTORE_MATCH_NONE);

	return put_verdict(c, v, d->id, d->flags, err);
}

int query_verify_secret(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d = { 0 };
	struct nlattr *given = c->tb[CREDSTORE_A_SECRET];
	bool master = false, sub = false;
	int r = need_attr(c->tb, CREDSTORE_A_SECRET, "secret", err);

	if (!r)
		r = find_device(c, true, &d, err);
	if (r == 1) {
		size_t len = (size_t)nla_len(given);

		master = secret_equal(d.secret[SLOT_MASTER], d.secret_len[SLOT_MASTER],
				      nla_data(given), len);
		sub = secret_equal(d.secret[SLOT_SUB], d.secret_len[SLOT_SUB], nla_data(given), len);
	}
	if (r >= 0)
		r = reply_match(c, &d, master, sub, err);
	model_device_wipe(&d);
	return r;
}

/* HMAC-SHA256, set up once: fetching the algorithms is most of the cost
 * of a one-shot HMAC() in OpenSSL 3.  The daemon is single-threaded. */
static EVP_MAC_CTX *hmac_sha256(void)
{
	static EVP_MAC_CTX *base;
	EVP_MAC *mac;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	if (!base) {
		mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		base = mac ? EVP_MAC_CTX_new(mac) : NULL;
		EVP_MAC_free(mac);
		if (base && !EVP_MAC_CTX_set_params(base, params)) {
			EVP_MAC_CTX_free(base);
			base = NULL;
		}
	}
	return base ? EVP_MAC_CTX_dup(base) : NULL;
}

/* Is mac HMAC-SHA256(key = secret, message)?  Constant time in the
 * secret and the mac; an absent secret (length 0) is computed with an
 * empty key all the same and never matches. */
static bool hmac_equal(const uint8_t *secret, size_t secret_len, const struct nlattr *message,
		       const uint8_t *mac)
{
	static const uint8_t empty[1];
	EVP_MAC_CTX *ctx = hmac_sha256();
	uint8_t out[EVP_MAX_MD_SIZE];
	size_t out_len = 0;
	bool ok = ctx && EVP_MAC_init(ctx, secret_len ? secret : empty, secret_len, NULL) &&
		  EVP_MAC_update(ctx, nla_data(message), (size_t)nla_len(message)) &&
		  EVP_MAC_final(ctx, out, &out_len, sizeof(out));

	ok = ok & (out_len == CREDSTORE_HMAC_LEN) &
	     (CRYPTO_memcmp(out, mac, CREDSTORE_HMAC_LEN) == 0) & (secret_len != 0);
	EVP_MAC_CTX_free(ctx);
	OPENSSL_cleanse(out, sizeof(out));
	return ok;
}

int query_verify_hmac(struct cmd_ctx *c, struct cs_err *err)
{
	struct nlattr *message = c->tb[CREDSTORE_A_HMAC_MESSAGE];
	struct model_device d = { 0 };
	bool master = false, sub = false;
	int r = need_attr(c->tb, CREDSTORE_A_HMAC_MESSAGE, "HMAC message", err);

	if (!r)
		r = need_attr(c->tb, CREDSTORE_A_HMAC, "HMAC", err);
	if (!r)
		r = find_device(c, true, &d, err);
	if (r == 1) {
		const uint8_t *mac = nla_data(c->tb[CREDSTORE_A_HMAC]);

		master = hmac_equal(d.secret[SLOT_MASTER], d.secret_len[SLOT_MASTER], message, mac);
		sub = hmac_equal(d.secret[SLOT_SUB], d.secret_len[SLOT_SUB], message, mac);
	}
	if (r >= 0)
		r = reply_match(c, &d, master, sub, err);
	model_device_wipe(&d);
	return r;
}

/* ---- dumps: one page after the cursor ---- */

struct dump_state {
	struct cmd_ctx *c;
	struct cs_err *err;
	unsigned int sent;
	int ret;
};

static int dump_one(struct dump_state *s, int (*fill)(struct nl_msg *, const void *),
		    const void *entry)
{
	s->ret = dump_send(s->c, fill, entry, s->err);
	if (s->ret)
		return 1;
	return ++s->sent == CS_USERSOCK_DUMP_PAGE;
}

static int dump_identity(const struct store_record *r, void *arg)
{
	struct dump_state *s = arg;
	struct model_identity id;
	int stop = 0;

	if (model_identity_decode(r, &id, NULL) == 0 && id.chain)
		stop = dump_one(s, fill_identity, &id);
	model_identity_release(&id);
	return stop;
}

static int dump_anchor(const struct store_record *r, void *arg)
{
	struct dump_state *s = arg;
	struct model_anchor a;
	int stop = 0;

	if (model_anchor_decode(r, &a, NULL) == 0)
		stop = dump_one(s, fill_anchor, &a);
	model_anchor_release(&a);
	return stop;
}

static int dump_device(const struct store_record *r, void *arg)
{
	struct dump_state *s = arg;
	struct model_device d;
	int stop = 0;

	if (model_device_decode(r, &d, NULL) == 0)
		stop = dump_one(s, fill_device, &d);
	model_device_wipe(&d);
	return stop;
}

static int dump_type(struct cmd_ctx *c, uint8_t type, int cursor_attr,
		     int (*fn)(const struct store_record *, void *), struct cs_err *err)
{
	struct dump_state s = { .c = c, .err = err };
	int r = model_iterate_public(&c->d->model, type, attr_string(c->tb, cursor_attr), fn, &s,
				     err);

	return s.ret ? s.ret : r < 0 ? r : 0;
}

int query_identity_dump(struct cmd_ctx *c, struct cs_err *err)
{
	return dump_type(c, STORE_REC_IDENTITY, CREDSTORE_A_NAME, dump_identity, err);
}

int query_anchor_dump(struct cmd_ctx *c, struct cs_err *err)
{
	return dump_type(c, STORE_REC_ANCHOR, CREDSTORE_A_NAME, dump_anchor, err);
}

int query_device_dump(struct cmd_ctx *c, struct cs_err *err)
{
	return dump_type(c, STORE_REC_DEVICE, CREDSTORE_A_DEVICE_ID, dump_device, err);
}

/* The connection hears every change from now on (daemon/notify.c). */
int query_subscribe(struct cmd_ctx *c, struct cs_err *err)
{
	(void)err;
	c->conn->subscribed = true;
	return 0;
}
