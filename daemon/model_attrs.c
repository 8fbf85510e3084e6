/* Store values and secrets are attribute streams, built and parsed with
 * libnl and checked against the protocol's own policy: one encoding for
 * flash, the wire and the publisher. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "model.h"
#include "model_internal.h"
#include "usersock.h"

struct nl_msg *model_attrs_new(void)
{
	struct nl_msg *msg = nlmsg_alloc_size(STORE_VALUE_MAX + 4096);

	if (msg && !nlmsg_put(msg, 0, 0, 0, 0, 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int model_attrs_take(struct nl_msg *msg, void **data, size_t *len, struct cs_err *err)
{
	struct nlmsghdr *nlh;
	int r = 0;

	if (!msg)
		return cs_err_set(err, ENOMEM, "out of memory");
	nlh = nlmsg_hdr(msg);
	*len = (size_t)nlmsg_datalen(nlh);
	*data = malloc(*len ? *len : 1);
	if (*data)
		memcpy(*data, nlmsg_data(nlh), *len);
	else
		r = cs_err_set(err, ENOMEM, "out of memory");
	cs_msg_wipe_free(msg);
	return r;
}

int model_attrs_parse(const void *data, size_t len, struct nlattr **tb, struct cs_err *err)
{
	int r = nla_parse(tb, CREDSTORE_ADMIN_A_MAX, (struct nlattr *)data, (int)len, cs_usersock_policy);

	return r < 0 ? cs_err_set(err, EBADMSG, "a stored record is malformed: %s", nl_geterror(r)) : 0;
}

void model_record_release(struct store_record *r)
{
	free((void *)r->key);
	free((void *)r->value);
	if (r->secret)
		OPENSSL_clear_free((void *)r->secret, r->secret_len);
	memset(r, 0, sizeof(*r));
}

/* Copy the record key (a NUL-free name or id) into a malloc'd buffer. */
int model_record_key(struct store_record *r, uint8_t type, const char *key, struct cs_err *err)
{
	r->type = type;
	r->key_len = strlen(key);
	r->key = strdup(key);
	return r->key ? 0 : cs_err_set(err, ENOMEM, "out of memory");
}

/* The record's key as a string into out (size bytes). */
int model_record_key_string(const struct store_record *r, char *out, size_t size,
			    struct cs_err *err)
{
	if (r->key_len == 0 || r->key_len >= size || memchr(r->key, '\0', r->key_len))
		return cs_err_set(err, EBADMSG, "a stored record has a bad key");
	memcpy(out, r->key, r->key_len);
	out[r->key_len] = '\0';
	return 0;
}

int model_attr_dup(const struct nlattr *a, uint8_t **out, size_t *len, struct cs_err *err)
{
	*len = (size_t)nla_len(a);
	*out = malloc(*len ? *len : 1);
	if (!*out)
		return cs_err_set(err, ENOMEM, "out of memory");
	memcpy(*out, nla_data(a), *len);
	return 0;
}

uint8_t model_kind(uint8_t type)
{
	static const uint8_t kind[STORE_REC_TYPE_MAX + 1] = {
		[STORE_REC_IDENTITY] = CREDSTORE_KIND_IDENTITY,
		[STORE_REC_ANCHOR] = CREDSTORE_KIND_ANCHOR,
		[STORE_REC_DEVICE] = CREDSTORE_KIND_DEVICE,
	};

	return type <= STORE_REC_TYPE_MAX ? kind[type] : 0;
}
