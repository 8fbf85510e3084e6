/* What credstore.ko accepts of a published record (uapi/linux/credstore.h,
 * "Published records"), checked whenever a record is staged or imported:
 * a change the module would refuse is refused here, naming the limit, and
 * nothing is stored; so that the publisher is never refused for what an
 * administrator did.  A private key is never published: its bound
 * (CREDSTORE_KEY_MAX) is credstored's own. */
#include <errno.h>
#include <string.h>

#include "model.h"

/* @taker: who holds the limit, credstore.ko or credstored. */
static int check_size(size_t len, size_t max, const char *what, const char *name,
		      const char *taker, struct cs_err *err)
{
	if (len && len <= max)
		return 0;
	return cs_err_set(err, E2BIG, "%s '%s': %s of %zu bytes; %s takes 1 to %zu",
			  what, name, len ? "DER" : "empty", len, taker, max);
}

int model_identity_check(const struct model_identity *id, struct cs_err *err)
{
	int r = 0;

	if (id->chain)
		r = check_size(id->chain_len, CREDSTORE_CHAIN_MAX, "the certificate chain of identity",
			       id->name, "credstore.ko", err);
	if (!r && id->key)
		r = check_size(id->key_len, CREDSTORE_KEY_MAX, "the private key of identity",
			       id->name, "credstored", err);
	if (!r && id->pending_key)
		r = check_size(id->pending_key_len, CREDSTORE_KEY_MAX, "the private key of identity",
			       id->name, "credstored", err);
	return r;
}

int model_anchor_check(const struct model_anchor *a, struct cs_err *err)
{
	return check_size(a->cert_len, CREDSTORE_CHAIN_MAX, "the certificate of trust anchor",
			  a->name, "credstore.ko", err);
}

int model_device_check(const struct model_device *d, struct cs_err *err)
{
	if (d->has_fp[SLOT_SUB] && !d->has_fp[SLOT_MASTER])
		return cs_err_set(err, EINVAL, "device '%s': a sub fingerprint needs a master "
				  "fingerprint", d->id);
	if (d->has_fp[SLOT_SUB] &&
	    !memcmp(d->fp[SLOT_SUB], d->fp[SLOT_MASTER], CREDSTORE_FINGERPRINT_LEN))
		return cs_err_set(err, EINVAL, "device '%s': the sub fingerprint is the master "
				  "fingerprint; a rotation needs a new certificate", d->id);
	if (d->secret_len[SLOT_SUB] && !d->secret_len[SLOT_MASTER])
		return cs_err_set(err, EINVAL, "device '%s': a sub secret needs a master secret", d->id);
	return 0;
}
