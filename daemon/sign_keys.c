/* A short list (a store holds a few identities) of parsed signing keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pki.h"
#include "sign_keys.h"

struct cached {
	struct sign_identity id;
	struct cached *next;
};

struct sign_keys {
	struct cached *head;
};

struct sign_keys *sign_keys_new(void)
{
	return calloc(1, sizeof(struct sign_keys));
}

static void cached_free(struct cached *c)
{
	for (int k = 0; k < SIGN_KEY_COUNT; k++) {
		for (int i = 0; i < SIGN_PREPARED_MAX; i++)
			EVP_PKEY_CTX_free(c->id.prepared[k][i].ctx);
		EVP_PKEY_free(c->id.key[k]);
	}
	free(c);
}

static void forget_all(struct sign_keys *keys)
{
	while (keys->head) {
		struct cached *c = keys->head;

		keys->head = c->next;
		cached_free(c);
	}
}

void sign_keys_free(struct sign_keys *keys)
{
	if (!keys)
		return;
	forget_all(keys);
	free(keys);
}

static void forget(struct sign_keys *keys, const char *name)
{
	for (struct cached **p = &keys->head; *p; p = &(*p)->next)
		if (strcmp((*p)->id.name, name) == 0) {
			struct cached *c = *p;

			*p = c->next;
			cached_free(c);
			return;
		}
}

void sign_keys_forget(struct sign_keys *keys, const struct model_txn *t)
{
	if (!keys)
		return;
	if (t->cleared & (1u << STORE_REC_IDENTITY)) {
		forget_all(keys);
		return;
	}
	for (size_t i = 0; i < t->n_changes; i++)
		if (t->changes[i].type == STORE_REC_IDENTITY)
			forget(keys, t->changes[i].key);
}

/* A stored key that does not parse is left out: SIGN then says the key
 * is not there, and the store's own checks report the damage. */
static void load_key(struct sign_identity *id, int slot, const uint8_t *der, size_t len)
{
	if (!der)
		return;
	id->key[slot] = cs_pki_parse_key(der, len, NULL, NULL);
	if (id->key[slot] && cs_key_id(id->key[slot], id->key_id[slot]) < 0) {
		EVP_PKEY_free(id->key[slot]);
		id->key[slot] = NULL;
	}
}

static int load(struct model *m, const char *name, struct cached **out, struct cs_err *err)
{
	struct model_identity mi;
	struct cached *c;
	int r = model_get_identity(m, NULL, name, &mi, err);

	if (r == -ENOENT || (!r && !mi.chain)) {
		if (!r)
			model_identity_release(&mi);
		return cs_err_set(err, ENOENT, "no identity '%s'", name);
	}
	if (r)
		return r;
	c = calloc(1, sizeof(*c));
	if (!c) {
		model_identity_release(&mi);
		return cs_err_set(err, ENOMEM, "out of memory");
	}
	memcpy(c->id.name, mi.name, sizeof(c->id.name));
	c->id.has_signers = mi.has_signers;
	c->id.signers = mi.signers;
	load_key(&c->id, SIGN_KEY_CURRENT, mi.key, mi.key_len);
	load_key(&c->id, SIGN_KEY_PREVIOUS, mi.previous_key, mi.previous_key_len);
	model_identity_release(&mi);
	*out = c;
	return 0;
}

int sign_keys_get(struct sign_keys *keys, struct model *m, const char *name,
		  struct sign_identity **out, struct cs_err *err)
{
	struct cached *c;
	int r;

	for (c = keys->head; c; c = c->next)
		if (strcmp(c->id.name, name) == 0) {
			*out = &c->id;
			return 0;
		}
	r = load(m, name, &c, err);
	if (r)
		return r;
	c->next = keys->head;
	keys->head = c;
	*out = &c->id;
	return 0;
}
