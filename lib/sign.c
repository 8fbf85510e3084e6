/* Signing: the request that replaces reading a private key.  credstored
 * alone answers it (the module holds no key). */
#include <errno.h>
#include <string.h>

#include "conn.h"
#include "fingerprint.h"

struct sign_reply {
	struct credstore *cs;
	void *sig;
	size_t *sig_len;
	int answered;
};

static int on_signature(struct nlattr **tb, void *arg)
{
	struct sign_reply *r = arg;
	size_t len;

	if (!tb[CREDSTORE_A_SIGNATURE])
		return cs_err_set(&r->cs->err, EBADMSG, "credstored's answer has no signature");
	len = (size_t)nla_len(tb[CREDSTORE_A_SIGNATURE]);
	if (len > *r->sig_len)
		return cs_err_set(&r->cs->err, ENOSPC, "the signature (%zu bytes) does not fit in %zu",
				  len, *r->sig_len);
	memcpy(r->sig, nla_data(tb[CREDSTORE_A_SIGNATURE]), len);
	*r->sig_len = len;
	r->answered = 1;
	return 0;
}

static int put_params(struct nl_msg *req, const struct credstore_sign_params *p,
		      const void *data, size_t len)
{
	return nla_put_string(req, CREDSTORE_A_NAME, p->identity) < 0 ||
	       nla_put(req, CREDSTORE_A_SIGN_KEY_ID, CREDSTORE_FINGERPRINT_LEN, p->key_id) < 0 ||
	       nla_put_u8(req, CREDSTORE_A_SIGN_SCHEME, (uint8_t)p->scheme) < 0 ||
	       (p->digest && nla_put_string(req, CREDSTORE_A_SIGN_DIGEST, p->digest) < 0) ||
	       (p->scheme == CREDSTORE_SIGN_RSA_PSS && p->salt_len >= 0 &&
		nla_put_u32(req, CREDSTORE_A_SIGN_SALT_LEN, (uint32_t)p->salt_len) < 0) ||
	       nla_put(req, CREDSTORE_A_SIGN_DATA, (int)len, data) < 0 ? -EMSGSIZE : 0;
}

int credstore_sign(struct credstore *cs, const struct credstore_sign_params *p,
		   const void *data, size_t len, void *sig, size_t *sig_len)
{
	struct sign_reply r = { .cs = cs, .sig = sig, .sig_len = sig_len };
	struct nl_msg *req;
	int ret;

	cs_err_clear(&cs->err);
	if (cs->transport != CREDSTORE_TRANSPORT_DAEMON)
		return cs_err_set(&cs->err, EOPNOTSUPP, "only credstored signs: connect with "
				  "CREDSTORE_TRANSPORT_DAEMON");
	if (!p->identity || strlen(p->identity) >= CREDSTORE_NAME_MAX)
		return cs_err_set(&cs->err, EINVAL, "no identity name, or one too long");
	if (len < 1 || len > CREDSTORE_SIGN_DATA_MAX)
		return cs_err_set(&cs->err, EINVAL, "credstored signs 1 to %d bytes, not %zu",
				  CREDSTORE_SIGN_DATA_MAX, len);
	req = cs_conn_request(cs, CREDSTORE_DAEMON_CMD_SIGN, 0);
	if (req && put_params(req, p, data, len) < 0) {
		nlmsg_free(req);
		return cs_err_set(&cs->err, EINVAL, "invalid signing parameters");
	}
	ret = cs_conn_transact(cs, req, on_signature, &r);
	if (!ret && !r.answered)
		ret = cs_err_set(&cs->err, EBADMSG, "credstored did not answer the signature");
	return ret;
}

int credstore_key_id(const EVP_PKEY *public_key, uint8_t id[CREDSTORE_FINGERPRINT_LEN])
{
	return cs_key_id(public_key, id);
}
