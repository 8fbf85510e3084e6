/* device add | reset-fingerprint | reset-secret | promote | drop-sub |
 * set-flags | remove.  A new credential becomes the sub (the device keeps
 * working with the master while it moves over) unless the master is asked
 * for; promote makes the sub the master. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cert_policy.h"
#include "log.h"
#include "pki.h"
#include "server.h"

#define GENERATED_SECRET_BYTES 32

static int load_device(struct cmd_ctx *c, struct model_device *d, struct cs_err *err)
{
	const char *id = attr_string(c->tb, CREDSTORE_A_DEVICE_ID);
	int r = need_name(c->tb, CREDSTORE_A_DEVICE_ID, "device id", err);

	if (!r)
		r = model_get_device(&c->d->model, c->txn, id, d, err);
	if (r == -ENOENT)
		r = cs_err_set(err, ENOENT, "unknown device '%s'", id);
	return r;
}

/* A random secret of printable characters (base64url), which the
 * administrator sees once, in the reply. */
static int generate_secret(struct cmd_ctx *c, uint8_t *secret, size_t *len, struct cs_err *err)
{
	unsigned char raw[GENERATED_SECRET_BYTES];
	unsigned char text[4 * GENERATED_SECRET_BYTES / 3 + 4];
	int n;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return cs_err_set(err, EIO, "no randomness for a secret");
	n = EVP_EncodeBlock(text, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	while (n > 0 && text[n - 1] == '=')
		n--;
	for (int i = 0; i < n; i++)
		text[i] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : text[i];
	memcpy(secret, text, (size_t)n);
	*len = (size_t)n;
	n = nla_put(c->reply, CREDSTORE_A_SECRET, n, text);
	OPENSSL_cleanse(text, sizeof(text));
	return reply_put(n, err);
}

/* The secret of the request, given or generated; 0 with *len 0 when
 * neither. */
static int take_secret(struct cmd_ctx *c, uint8_t *secret, size_t *len, struct cs_err *err)
{
	struct nlattr *a = c->tb[CREDSTORE_A_SECRET];

	*len = 0;
	if (a && c->tb[CREDSTORE_A_ADMIN_GENERATE])
		return cs_err_set(err, EINVAL, "give a secret or ask for one to be generated, not both");
	if (c->tb[CREDSTORE_A_ADMIN_GENERATE])
		return generate_secret(c, secret, len, err);
	if (a && (uint32_t)nla_len(a) < c->d->policy.min_secret_len)
		return cs_err_set(err, EINVAL, "the secret has %d bytes: credstored takes %u or more "
				  "(--min-secret-length)", nla_len(a), c->d->policy.min_secret_len);
	if (a) {
		*len = (size_t)nla_len(a);
		memcpy(secret, nla_data(a), *len);
	}
	return 0;
}

/* A device's certificate credential: its fingerprint and, when the
 * certificate itself was given, its notAfter. */
struct device_cert {
	bool given;
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	uint64_t not_after;
};

static int cert_credential(struct cmd_ctx *c, struct nlattr *pem, struct device_cert *dc,
			   struct cs_err *err)
{
	STACK_OF(X509) *certs = cs_pki_parse_certs(nla_data(pem), (size_t)nla_len(pem), err);
	X509 *cert = certs ? sk_X509_value(certs, 0) : NULL;
	int r = certs ? 0 : -EINVAL;

	if (!r)
		r = cs_pki_check_dates(cert, "the device certificate", err);
	if (!r)
		r = cert_check_strength(&c->d->policy, cert, "the device certificate", err);
	if (!r && cs_fingerprint_of_cert(cert, dc->fp) < 0)
		r = cs_err_set(err, EINVAL, "cannot digest the device certificate");
	if (!r) {
		dc->not_after = cert_not_after(cert);
		cert_warn_expiry(c, cert, "the device certificate");
	}
	cs_pki_free_certs(certs);
	return r;
}

/* The fingerprint or certificate of the request, if any; unique over all
 * devices, and never all zeroes (no certificate's). */
static int take_cert(struct cmd_ctx *c, const char *id, struct device_cert *dc,
		     struct cs_err *err)
{
	static const uint8_t zero[CREDSTORE_FINGERPRINT_LEN];
	struct nlattr *fp = c->tb[CREDSTORE_A_FINGERPRINT], *pem = c->tb[CREDSTORE_A_ADMIN_PEM];
	char owner[CREDSTORE_DEVICE_ID_MAX];
	int r = only_one(c->tb, CREDSTORE_A_FINGERPRINT, CREDSTORE_A_ADMIN_PEM,
			 "give a fingerprint or a certificate", err);

	memset(dc, 0, sizeof(*dc));
	if (r || (!fp && !pem))
		return r;
	dc->given = true;
	if (pem)
		r = cert_credential(c, pem, dc, err);
	else
		memcpy(dc->fp, nla_data(fp), CREDSTORE_FINGERPRINT_LEN);
	if (!r && !memcmp(dc->fp, zero, sizeof(zero)))
		r = cs_err_set(err, EINVAL, "an all-zero fingerprint is no certificate's");
	if (r)
		return r;
	r = model_fingerprint_owner(c->txn, dc->fp, id, owner);
	if (r < 0)
		return cs_err_set(err, -r, "checking that the fingerprint is free: %s",
				  strerror(-r));
	if (r)
		return cs_err_set(err, EEXIST, "that fingerprint belongs to device '%s'", owner);
	return 0;
}

/* Where a new credential goes: the sub, unless the master is asked for,
 * there is no master yet (a sub needs a master to rotate from) or the
 * device's profile has no sub.  Never into a disabled sub. */
static int slot_of(struct cmd_ctx *c, const struct model_device *d, bool has_master,
		   struct cs_err *err)
{
	if (c->tb[CREDSTORE_A_ADMIN_MASTER] || !has_master || (d->flags & CREDSTORE_DEVICE_F_NO_SUB))
		return SLOT_MASTER;
	if (d->flags & CREDSTORE_DEVICE_F_SUB_DISABLED)
		return cs_err_set(err, EINVAL, "sub disabled for device '%s': replace the master "
				  "(--master), or enable-sub first", d->id);
	return SLOT_SUB;
}

static void set_cert(struct model_device *d, int slot, const struct device_cert *dc)
{
	d->has_fp[slot] = true;
	memcpy(d->fp[slot], dc->fp, CREDSTORE_FINGERPRINT_LEN);
	d->not_after[slot] = dc->not_after;
}

int admin_device_add(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d = { 0 };
	struct device_cert dc = { 0 };
	const char *id = attr_string(c->tb, CREDSTORE_A_DEVICE_ID);
	uint32_t flags = c->tb[CREDSTORE_A_FLAGS] ? nla_get_u32(c->tb[CREDSTORE_A_FLAGS]) : 0;
	int r = need_new_name(c->tb, CREDSTORE_A_DEVICE_ID, "device id", err);

	if (!r && (flags & ~(uint32_t)CREDSTORE_DEVICE_F_NO_SUB))
		r = cs_err_set(err, EINVAL, "a new device takes the no-sub profile (flag %#x) only",
			       CREDSTORE_DEVICE_F_NO_SUB);
	if (!r && model_get_device_public(&c->d->model, c->txn, id, &d, err) == 0)
		r = cs_err_set(err, EEXIST, "device '%s' exists", id);
	model_device_wipe(&d);
	if (!r)
		r = take_cert(c, id, &dc, err);
	if (!r) {
		snprintf(d.id, sizeof(d.id), "%s", id);
		d.flags = flags;
		if (dc.given)
			set_cert(&d, SLOT_MASTER, &dc);
		r = take_secret(c, d.secret[SLOT_MASTER], &d.secret_len[SLOT_MASTER], err);
	}
	if (!r)
		r = model_put_device(c->txn, &d, err);
	model_device_wipe(&d);
	return r;
}

int admin_device_reset_fingerprint(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d = { 0 };
	struct device_cert dc = { 0 };
	int slot = 0;
	int r = load_device(c, &d, err);

	if (!r)
		r = take_cert(c, d.id, &dc, err);
	if (!r && !dc.given)
		r = cs_err_set(err, EINVAL, "missing fingerprint or certificate");
	if (!r)
		r = slot = slot_of(c, &d, d.has_fp[SLOT_MASTER], err);
	if (r >= 0) {
		set_cert(&d, slot, &dc);
		r = model_put_device(c->txn, &d, err);
	}
	model_device_wipe(&d);
	return r;
}

int admin_device_reset_secret(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d = { 0 };
	uint8_t secret[CREDSTORE_SECRET_MAX];
	size_t len = 0;
	int slot = 0;
	int r = load_device(c, &d, err);

	if (!r)
		r = slot = slot_of(c, &d, d.secret_len[SLOT_MASTER] > 0, err);
	if (r >= 0)
		r = take_secret(c, secret, &len, err);
	if (!r && !len)
		r = cs_err_set(err, EINVAL, "missing secret: give one or ask for one to be generated");
	if (!r) {
		memcpy(d.secret[slot], secret, len);
		d.secret_len[slot] = len;
		r = model_put_device(c->txn, &d, err);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	model_device_wipe(&d);
	return r;
}

static void clear_sub(struct model_device *d)
{
	d->has_fp[SLOT_SUB] = false;
	d->not_after[SLOT_SUB] = 0;
	OPENSSL_cleanse(d->fp[SLOT_SUB], sizeof(d->fp[SLOT_SUB]));
	OPENSSL_cleanse(d->secret[SLOT_SUB], sizeof(d->secret[SLOT_SUB]));
	d->secret_len[SLOT_SUB] = 0;
}

int admin_device_promote(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d;
	int r = load_device(c, &d, err);

	if (!r && (d.flags & CREDSTORE_DEVICE_F_NO_SUB))
		r = cs_err_set(err, EINVAL, "sub not allowed for device '%s' (profile no-sub): "
			       "nothing to promote", d.id);
	else if (!r && (d.flags & CREDSTORE_DEVICE_F_SUB_DISABLED))
		r = cs_err_set(err, EINVAL, "sub disabled for device '%s': enable-sub before "
			       "promoting it", d.id);
	else if (!r && !d.has_fp[SLOT_SUB] && !d.secret_len[SLOT_SUB])
		r = cs_err_set(err, ENOENT, "device '%s' has no sub credential to promote", d.id);
	if (!r) {
		if (d.has_fp[SLOT_SUB]) {
			d.has_fp[SLOT_MASTER] = true;
			memcpy(d.fp[SLOT_MASTER], d.fp[SLOT_SUB], CREDSTORE_FINGERPRINT_LEN);
			d.not_after[SLOT_MASTER] = d.not_after[SLOT_SUB];
		}
		if (d.secret_len[SLOT_SUB]) {
			memcpy(d.secret[SLOT_MASTER], d.secret[SLOT_SUB], d.secret_len[SLOT_SUB]);
			d.secret_len[SLOT_MASTER] = d.secret_len[SLOT_SUB];
		}
		clear_sub(&d);
		r = model_put_device(c->txn, &d, err);
	}
	model_device_wipe(&d);
	return r;
}

int admin_device_drop_sub(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d;
	int r = load_device(c, &d, err);

	if (!r) {
		clear_sub(&d);
		r = model_put_device(c->txn, &d, err);
	}
	model_device_wipe(&d);
	return r;
}

/* The rules of the profile: no sub under no-sub, and nothing to switch. */
static int check_flags(const struct model_device *d, uint32_t bits, bool set,
		       struct cs_err *err)
{
	bool has_sub = d->has_fp[SLOT_SUB] || d->secret_len[SLOT_SUB];

	if ((bits & CREDSTORE_DEVICE_F_NO_SUB) && set && has_sub)
		return cs_err_set(err, EBUSY, "device '%s' has a sub credential: promote or drop it "
				  "before the no-sub profile", d->id);
	if ((bits & CREDSTORE_DEVICE_F_SUB_DISABLED) &&
	    ((d->flags | (set ? bits : 0)) & CREDSTORE_DEVICE_F_NO_SUB))
		return cs_err_set(err, EINVAL, "sub not allowed for device '%s' (profile no-sub)",
				  d->id);
	return 0;
}

static void log_revocation(const struct model_device *d, uint32_t before)
{
	bool was = before & CREDSTORE_DEVICE_F_REVOKED, is = d->flags & CREDSTORE_DEVICE_F_REVOKED;

	if (was != is)
		log_msg(LOG_NOTICE, "device '%s' %s", d->id, is ? "revoked" : "reinstated");
}

int admin_device_set_flags(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d = { 0 };
	bool set = !c->tb[CREDSTORE_A_ADMIN_CLEAR];
	uint32_t bits = c->tb[CREDSTORE_A_FLAGS] ? nla_get_u32(c->tb[CREDSTORE_A_FLAGS]) : 0;
	uint32_t before = 0;
	int r = need_attr(c->tb, CREDSTORE_A_FLAGS, "flags", err);

	if (!r && (bits & ~(uint32_t)CREDSTORE_DEVICE_F_ALL))
		r = cs_err_set(err, EINVAL, "unknown device flags %#x", bits);
	if (!r)
		r = load_device(c, &d, err);
	if (!r)
		r = check_flags(&d, bits, set, err);
	if (!r) {
		before = d.flags;
		d.flags = set ? d.flags | bits : d.flags & ~bits;
		r = model_put_device(c->txn, &d, err);
	}
	if (!r)
		log_revocation(&d, before);
	model_device_wipe(&d);
	return r;
}

int admin_device_remove(struct cmd_ctx *c, struct cs_err *err)
{
	const char *id = attr_string(c->tb, CREDSTORE_A_DEVICE_ID);
	bool existed;
	int r = need_name(c->tb, CREDSTORE_A_DEVICE_ID, "device id", err);

	if (!r)
		r = model_delete(c->txn, STORE_REC_DEVICE, id, &existed, err);
	if (!r && !existed)
		r = cs_err_set(err, ENOENT, "unknown device '%s'", id);
	return r;
}
