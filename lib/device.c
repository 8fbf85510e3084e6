/* A device's record: its fingerprints and flags for anyone, its secrets
 * for privileged front ends. */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>

#include "conn.h"

static int request_device(struct credstore *cs, uint8_t cmd, const char *device_id,
			  cs_reply_fn fn, void *arg)
{
	struct nl_msg *req;

	cs_err_clear(&cs->err);
	if (strlen(device_id) >= CREDSTORE_DEVICE_ID_MAX)
		return cs_err_set(&cs->err, EINVAL, "a device id has at most %d characters",
				  CREDSTORE_DEVICE_ID_MAX - 1);
	req = cs_conn_request(cs, cmd, 0);
	if (req && nla_put_string(req, CREDSTORE_A_DEVICE_ID, device_id) < 0) {
		nlmsg_free(req);
		req = NULL;
	}
	return cs_conn_transact(cs, req, fn, arg);
}

/* Copy a binary attribute: exactly max bytes, or (len set) at most. */
static int copy_attr(const struct nlattr *a, void *to, size_t max, size_t *len)
{
	size_t n = (size_t)nla_len(a);

	if (len ? n > max : n != max)
		return -1;
	memcpy(to, nla_data(a), n);
	if (len)
		*len = n;
	return 0;
}

struct device_reply {
	struct credstore *cs;
	struct credstore_device *dev;
};

static int on_device(struct nlattr **tb, void *arg)
{
	struct device_reply *r = arg;
	struct credstore_device *dev = r->dev;

	if (!tb[CREDSTORE_A_DEVICE_ID])
		return cs_err_set(&r->cs->err, EBADMSG, "the store's device reply has no id");
	nla_strlcpy(dev->id, tb[CREDSTORE_A_DEVICE_ID], sizeof(dev->id));
	if (tb[CREDSTORE_A_FLAGS])
		dev->flags = nla_get_u32(tb[CREDSTORE_A_FLAGS]);
	dev->has_master_fp = tb[CREDSTORE_A_MASTER_FP] != NULL;
	dev->has_sub_fp = tb[CREDSTORE_A_SUB_FP] != NULL;
	if ((dev->has_master_fp && copy_attr(tb[CREDSTORE_A_MASTER_FP], dev->master_fp,
					     CREDSTORE_FINGERPRINT_LEN, NULL)) ||
	    (dev->has_sub_fp && copy_attr(tb[CREDSTORE_A_SUB_FP], dev->sub_fp,
					  CREDSTORE_FINGERPRINT_LEN, NULL)))
		return cs_err_set(&r->cs->err, EBADMSG, "the store sent a malformed fingerprint");
	return 0;
}

int credstore_get_device(struct credstore *cs, const char *device_id,
			 struct credstore_device *out)
{
	struct device_reply r = { .cs = cs, .dev = out };

	memset(out, 0, sizeof(*out));
	return request_device(cs, CREDSTORE_CMD_GET_DEVICE, device_id, on_device, &r);
}

struct secrets_reply {
	struct credstore *cs;
	struct credstore_secrets *sec;
};

static int on_secrets(struct nlattr **tb, void *arg)
{
	struct secrets_reply *r = arg;

	if (tb[CREDSTORE_A_FLAGS])
		r->sec->flags = nla_get_u32(tb[CREDSTORE_A_FLAGS]);
	if ((tb[CREDSTORE_A_MASTER_SECRET] &&
	     copy_attr(tb[CREDSTORE_A_MASTER_SECRET], r->sec->master, CREDSTORE_SECRET_MAX,
		       &r->sec->master_len)) ||
	    (tb[CREDSTORE_A_SUB_SECRET] &&
	     copy_attr(tb[CREDSTORE_A_SUB_SECRET], r->sec->sub, CREDSTORE_SECRET_MAX,
		       &r->sec->sub_len)))
		return cs_err_set(&r->cs->err, EBADMSG, "the store sent a malformed secret");
	return 0;
}

int credstore_get_device_secrets(struct credstore *cs, const char *device_id,
				 struct credstore_secrets *out)
{
	struct secrets_reply r = { .cs = cs, .sec = out };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = request_device(cs, CREDSTORE_CMD_GET_DEVICE_SECRETS, device_id, on_secrets, &r);
	if (ret)
		OPENSSL_cleanse(out, sizeof(*out));
	return ret;
}
