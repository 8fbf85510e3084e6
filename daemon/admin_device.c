/* device add | reset-fingerprint | reset-secret | promote | drop-sub |
 * set-flags | remove.  A new credential becomes the sub (the device keeps
 * working with the master while it moves over) unless the master is asked
 * for; promote makes the sub the master. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "server.h"

#define GENERATED_SECRET_BYTES 32

static int check_device_id(const char *id, struct cs_err *err)
{
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._:@-", *p))
			return cs_err_set(err, EINVAL,
					  "device id '%s': use letters, digits and . _ : @ - only", id);
	return 0;
}

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
	if (a && nla_len(a) == 0)
		return cs_err_set(err, EINVAL, "the secret is empty");
	if (a) {
		*len = (size_t)nla_len(a);
		memcpy(secret, nla_data(a), *len);
	}
	return 0;
}

static int check_fingerprint_free(struct cmd_ctx *c, const char *id, struct cs_err *err)
{
	char owner[CREDSTORE_DEVICE_ID_MAX];
	int r;

	if (!c->tb[CREDSTORE_A_FINGERPRINT])
		return 0;
	r = model_fingerprint_owner(c->txn, nla_data(c->tb[CREDSTORE_A_FINGERPRINT]), id, owner);
	if (r < 0)
		return cs_err_set(err, -r, "checking that the fingerprint is free: %s",
				  strerror(-r));
	if (r)
		return cs_err_set(err, EEXIST, "that fingerprint belongs to device '%s'", owner);
	return 0;
}

/* The sub, unless the master is asked for or there is no master yet (a
 * sub needs a master to rotate from). */
static int slot_of(struct cmd_ctx *c, bool has_master)
{
	return c->tb[CREDSTORE_A_ADMIN_MASTER] || !has_master ? SLOT_MASTER : SLOT_SUB;
}

int admin_device_add(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d = { 0 };
	const char *id = attr_string(c->tb, CREDSTORE_A_DEVICE_ID);
	int r = need_name(c->tb, CREDSTORE_A_DEVICE_ID, "device id", err);

	if (!r)
		r = check_device_id(id, err);
	if (!r && model_get_device_public(&c->d->model, c->txn, id, &d, err) == 0)
		r = cs_err_set(err, EEXIST, "device '%s' exists", id);
	model_device_wipe(&d);
	if (!r)
		r = check_fingerprint_free(c, id, err);
	if (!r) {
		snprintf(d.id, sizeof(d.id), "%s", id);
		if (c->tb[CREDSTORE_A_FINGERPRINT]) {
			d.has_fp[SLOT_MASTER] = true;
			memcpy(d.fp[SLOT_MASTER], nla_data(c->tb[CREDSTORE_A_FINGERPRINT]),
			       CREDSTORE_FINGERPRINT_LEN);
		}
		r = take_secret(c, d.secret[SLOT_MASTER], &d.secret_len[SLOT_MASTER], err);
	}
	if (!r)
		r = model_put_device(c->txn, &d, err);
	model_device_wipe(&d);
	return r;
}

int admin_device_reset_fingerprint(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d;
	int slot;
	int r = need_attr(c->tb, CREDSTORE_A_FINGERPRINT, "fingerprint", err);

	if (!r)
		r = load_device(c, &d, err);
	if (!r)
		r = check_fingerprint_free(c, d.id, err);
	if (!r) {
		slot = slot_of(c, d.has_fp[SLOT_MASTER]);
		d.has_fp[slot] = true;
		memcpy(d.fp[slot], nla_data(c->tb[CREDSTORE_A_FINGERPRINT]), CREDSTORE_FINGERPRINT_LEN);
		r = model_put_device(c->txn, &d, err);
	}
	model_device_wipe(&d);
	return r;
}

int admin_device_reset_secret(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d;
	uint8_t secret[CREDSTORE_SECRET_MAX];
	size_t len;
	int slot;
	int r = load_device(c, &d, err);

	if (!r)
		r = take_secret(c, secret, &len, err);
	if (!r && !len)
		r = cs_err_set(err, EINVAL, "missing secret: give one or ask for one to be generated");
	if (!r) {
		slot = slot_of(c, d.secret_len[SLOT_MASTER] > 0);
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
	OPENSSL_cleanse(d->fp[SLOT_SUB], sizeof(d->fp[SLOT_SUB]));
	OPENSSL_cleanse(d->secret[SLOT_SUB], sizeof(d->secret[SLOT_SUB]));
	d->secret_len[SLOT_SUB] = 0;
}

int admin_device_promote(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d;
	int r = load_device(c, &d, err);

	if (!r && !d.has_fp[SLOT_SUB] && !d.secret_len[SLOT_SUB])
		r = cs_err_set(err, ENOENT, "device '%s' has no sub credential to promote", d.id);
	if (!r) {
		if (d.has_fp[SLOT_SUB]) {
			d.has_fp[SLOT_MASTER] = true;
			memcpy(d.fp[SLOT_MASTER], d.fp[SLOT_SUB], CREDSTORE_FINGERPRINT_LEN);
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

int admin_device_set_flags(struct cmd_ctx *c, struct cs_err *err)
{
	struct model_device d;
	int r = need_attr(c->tb, CREDSTORE_A_FLAGS, "flags", err);

	if (!r && (nla_get_u32(c->tb[CREDSTORE_A_FLAGS]) & ~(uint32_t)CREDSTORE_DEVICE_F_ALL))
		r = cs_err_set(err, EINVAL, "unknown device flags %#x", nla_get_u32(c->tb[CREDSTORE_A_FLAGS]));
	if (!r)
		r = load_device(c, &d, err);
	if (!r) {
		uint32_t bits = nla_get_u32(c->tb[CREDSTORE_A_FLAGS]);

		d.flags = c->tb[CREDSTORE_A_ADMIN_CLEAR] ? d.flags & ~bits : d.flags | bits;
		r = model_put_device(c->txn, &d, err);
	}
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
