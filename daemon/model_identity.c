/* Identity records: value = CHAIN (absent while only a CSR key exists)
 * and SIGNERS; secret = KEY, MODEL_A_PENDING_KEY (a CSR's key, until
 * installed) and ADMIN_PREVIOUS_KEY (the key the last install replaced). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "model_internal.h"
#include "usersock.h"

/* A CSR's key in an identity's secret: the store's alone, never on the
 * wire.  40 is its number in the flash format (the protocol attribute it
 * once was); the kernel family's attributes stay below it. */
#define MODEL_A_PENDING_KEY	40
_Static_assert(CREDSTORE_A_MAX < MODEL_A_PENDING_KEY &&
	       MODEL_A_PENDING_KEY <= CREDSTORE_ADMIN_A_MAX,
	       "MODEL_A_PENDING_KEY clashes with a kernel attribute or is not parsed");

void model_key_free(uint8_t **key, size_t *len)
{
	if (*key)
		OPENSSL_clear_free(*key, *len);
	*key = NULL;
	*len = 0;
}

void model_identity_release(struct model_identity *id)
{
	free(id->chain);
	id->chain = NULL;
	id->chain_len = 0;
	model_key_free(&id->key, &id->key_len);
	model_key_free(&id->pending_key, &id->pending_key_len);
	model_key_free(&id->previous_key, &id->previous_key_len);
}

static int put_key(struct nl_msg *msg, int attr, const uint8_t *key, size_t len)
{
	return key ? nla_put(msg, attr, (int)len, key) : 0;
}

int model_identity_encode(const struct model_identity *id, struct store_record *r,
			  struct cs_err *err)
{
	struct nl_msg *value = model_attrs_new(), *secret = model_attrs_new();
	int ret = model_record_key(r, STORE_REC_IDENTITY, id->name, err);

	if (!ret && (!value || !secret ||
		     (id->chain && nla_put(value, CREDSTORE_A_CHAIN, (int)id->chain_len, id->chain) < 0) ||
		     (id->has_signers && nla_put_u32(value, CREDSTORE_A_SIGNERS, id->signers) < 0) ||
		     put_key(secret, CREDSTORE_A_KEY, id->key, id->key_len) < 0 ||
		     put_key(secret, MODEL_A_PENDING_KEY, id->pending_key,
			     id->pending_key_len) < 0 ||
		     put_key(secret, CREDSTORE_A_ADMIN_PREVIOUS_KEY, id->previous_key,
			     id->previous_key_len) < 0))
		ret = cs_err_set(err, EMSGSIZE, "identity '%s' is too large", id->name);
	if (!ret)
		ret = model_attrs_take(value, (void **)&r->value, &r->value_len, err);
	else
		nlmsg_free(value);
	if (!ret && (id->key || id->pending_key || id->previous_key))
		ret = model_attrs_take(secret, (void **)&r->secret, &r->secret_len, err);
	else
		cs_msg_wipe_free(secret);	/* a key put before a failure */
	return ret;
}

int model_identity_decode(const struct store_record *r, struct model_identity *id,
			  struct cs_err *err)
{
	struct nlattr *tb[CREDSTORE_ADMIN_A_MAX + 1];
	int ret;

	memset(id, 0, sizeof(*id));
	ret = model_record_key_string(r, id->name, sizeof(id->name), err);
	if (!ret)
		ret = model_attrs_parse(r->value, r->value_len, tb, err);
	if (!ret && tb[CREDSTORE_A_CHAIN])
		ret = model_attr_dup(tb[CREDSTORE_A_CHAIN], &id->chain, &id->chain_len, err);
	if (!ret && tb[CREDSTORE_A_SIGNERS]) {
		id->has_signers = true;
		id->signers = nla_get_u32(tb[CREDSTORE_A_SIGNERS]);
	}
	if (!ret && r->secret) {
		ret = model_attrs_parse(r->secret, r->secret_len, tb, err);
		if (!ret && tb[CREDSTORE_A_KEY])
			ret = model_attr_dup(tb[CREDSTORE_A_KEY], &id->key, &id->key_len, err);
		if (!ret && tb[MODEL_A_PENDING_KEY])
			ret = model_attr_dup(tb[MODEL_A_PENDING_KEY], &id->pending_key,
					     &id->pending_key_len, err);
		if (!ret && tb[CREDSTORE_A_ADMIN_PREVIOUS_KEY])
			ret = model_attr_dup(tb[CREDSTORE_A_ADMIN_PREVIOUS_KEY], &id->previous_key,
					     &id->previous_key_len, err);
	}
	if (ret)
		model_identity_release(id);
	return ret;
}
