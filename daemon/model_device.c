/* Device records: value = MASTER_FP, SUB_FP, MASTER_NOT_AFTER,
 * SUB_NOT_AFTER (each when set), FLAGS; secret = MASTER_SECRET,
 * SUB_SECRET (each when set). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "model_internal.h"
#include "usersock.h"

static const int fp_attr[SLOT_COUNT] = { CREDSTORE_A_MASTER_FP, CREDSTORE_A_SUB_FP };
static const int secret_attr[SLOT_COUNT] = { CREDSTORE_A_MASTER_SECRET, CREDSTORE_A_SUB_SECRET };
static const int not_after_attr[SLOT_COUNT] = { CREDSTORE_A_MASTER_NOT_AFTER,
						 CREDSTORE_A_SUB_NOT_AFTER };

void model_device_wipe(struct model_device *d)
{
	OPENSSL_cleanse(d, sizeof(*d));
}

static int put_device_attrs(const struct model_device *d, struct nl_msg *value,
			    struct nl_msg *secret)
{
	int r = nla_put_u32(value, CREDSTORE_A_FLAGS, d->flags);

	for (int s = 0; s < SLOT_COUNT && !r; s++) {
		if (d->has_fp[s])
			r = nla_put(value, fp_attr[s], CREDSTORE_FINGERPRINT_LEN, d->fp[s]);
		if (!r && d->has_fp[s] && d->not_after[s])
			r = nla_put_u64(value, not_after_attr[s], d->not_after[s]);
		if (!r && d->secret_len[s])
			r = nla_put(secret, secret_attr[s], (int)d->secret_len[s], d->secret[s]);
	}
	return r;
}

int model_device_encode(const struct model_device *d, struct store_record *r, struct cs_err *err)
{
	struct nl_msg *value = model_attrs_new(), *secret = model_attrs_new();
	bool has_secret = d->secret_len[SLOT_MASTER] || d->secret_len[SLOT_SUB];
	int ret = model_record_key(r, STORE_REC_DEVICE, d->id, err);

	if (!ret && (!value || !secret || put_device_attrs(d, value, secret) < 0))
		ret = cs_err_set(err, ENOMEM, "out of memory");
	if (!ret)
		ret = model_attrs_take(value, (void **)&r->value, &r->value_len, err);
	else
		nlmsg_free(value);
	if (!ret && has_secret)
		ret = model_attrs_take(secret, (void **)&r->secret, &r->secret_len, err);
	else
		cs_msg_wipe_free(secret);	/* a secret put before a failure */
	return ret;
}

static int get_slot(struct nlattr **tb, struct model_device *d, int s, struct cs_err *err)
{
	struct nlattr *fp = tb[fp_attr[s]];

	if (fp && nla_len(fp) != CREDSTORE_FINGERPRINT_LEN)
		return cs_err_set(err, EBADMSG, "device '%s' has a malformed fingerprint", d->id);
	if (fp) {
		d->has_fp[s] = true;
		memcpy(d->fp[s], nla_data(fp), CREDSTORE_FINGERPRINT_LEN);
	}
	if (fp && tb[not_after_attr[s]])
		d->not_after[s] = nla_get_u64(tb[not_after_attr[s]]);
	return 0;
}

uint32_t model_device_record_flags(const struct store_record *r)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];

	if (model_attrs_parse(r->value, r->value_len, tb, NULL) || !tb[CREDSTORE_A_FLAGS])
		return 0;
	return nla_get_u32(tb[CREDSTORE_A_FLAGS]);
}

int model_device_decode(const struct store_record *r, struct model_device *d, struct cs_err *err)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	int ret;

	memset(d, 0, sizeof(*d));
	ret = model_record_key_string(r, d->id, sizeof(d->id), err);
	if (!ret)
		ret = model_attrs_parse(r->value, r->value_len, tb, err);
	if (!ret && tb[CREDSTORE_A_FLAGS])
		d->flags = nla_get_u32(tb[CREDSTORE_A_FLAGS]);
	for (int s = 0; s < SLOT_COUNT && !ret; s++)
		ret = get_slot(tb, d, s, err);
	if (!ret && r->secret)
		ret = model_attrs_parse(r->secret, r->secret_len, tb, err);
	for (int s = 0; s < SLOT_COUNT && !ret && r->secret; s++) {
		struct nlattr *a = tb[secret_attr[s]];

		if (a) {
			d->secret_len[s] = (size_t)nla_len(a);
			memcpy(d->secret[s], nla_data(a), d->secret_len[s]);
		}
	}
	if (ret)
		model_device_wipe(d);
	return ret;
}

int model_device_decode_public(const struct store_record *r, struct model_device *d,
			       struct cs_err *err)
{
	struct store_record pub = *r;

	pub.secret = NULL;
	pub.secret_len = 0;
	return model_device_decode(&pub, d, err);
}
