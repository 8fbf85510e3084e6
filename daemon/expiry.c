#include <stdio.h>
#include <time.h>
#include <openssl/x509.h>

#include "cert_policy.h"
#include "expiry.h"
#include "log.h"
#include "notify.h"
#include "pki.h"

struct sweep {
	struct daemon *d;
	uint64_t gen;
	unsigned int expiring, expired;
};

static void report(struct sweep *s, uint8_t kind, const char *key, const char *what,
		   uint64_t not_after)
{
	long days = cs_days_until(not_after);
	char date[32];

	if (!not_after || days >= (long)s->d->policy.expiry_warning_days)
		return;
	cs_format_time(not_after, date);
	if ((long long)not_after < (long long)time(NULL)) {
		log_msg(LOG_WARNING, "%s has EXPIRED (%s)", what, date);
		s->expired++;
	} else {
		log_msg(LOG_WARNING, "%s is EXPIRING in %ld day%s (%s)", what, days,
			days == 1 ? "" : "s", date);
		s->expiring++;
	}
	notify_expiry(s->d->conns, kind, key, (long long)not_after < (long long)time(NULL),
		      not_after, s->gen);
}

static uint64_t first_cert_not_after(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *cert = der ? d2i_X509(NULL, &p, (long)len) : NULL;
	uint64_t t = cert ? cert_not_after(cert) : 0;

	X509_free(cert);
	return t;
}

static int sweep_identity(const struct store_record *r, void *arg)
{
	struct sweep *s = arg;
	struct model_identity id;
	char what[CREDSTORE_NAME_MAX + 32];

	if (model_identity_decode(r, &id, NULL) == 0 && id.chain) {
		snprintf(what, sizeof(what), "identity '%s'", id.name);
		report(s, CREDSTORE_KIND_IDENTITY, id.name, what,
		       first_cert_not_after(id.chain, id.chain_len));
	}
	model_identity_release(&id);
	return 0;
}

static int sweep_anchor(const struct store_record *r, void *arg)
{
	struct sweep *s = arg;
	struct model_anchor a;
	char what[CREDSTORE_NAME_MAX + 32];

	if (model_anchor_decode(r, &a, NULL) == 0) {
		snprintf(what, sizeof(what), "anchor '%s'", a.name);
		report(s, CREDSTORE_KIND_ANCHOR, a.name, what, first_cert_not_after(a.cert, a.cert_len));
	}
	model_anchor_release(&a);
	return 0;
}

/* A device is as close to expiry as the sooner of its certificates. */
static int sweep_device(const struct store_record *r, void *arg)
{
	struct sweep *s = arg;
	struct model_device d;
	char what[CREDSTORE_DEVICE_ID_MAX + 48];
	int slot = -1;

	if (model_device_decode(r, &d, NULL) == 0)
		for (int i = 0; i < SLOT_COUNT; i++)
			if (d.not_after[i] && (slot < 0 || d.not_after[i] < d.not_after[slot]))
				slot = i;
	if (slot >= 0) {
		snprintf(what, sizeof(what), "the %s certificate of device '%s'",
			 slot == SLOT_MASTER ? "master" : "sub", d.id);
		report(s, CREDSTORE_KIND_DEVICE, d.id, what, d.not_after[slot]);
	}
	model_device_wipe(&d);
	return 0;
}

void expiry_sweep(struct daemon *d)
{
	struct sweep s = { .d = d, .gen = store_generation(d->model.store) };

	model_iterate_public(&d->model, STORE_REC_IDENTITY, NULL, sweep_identity, &s, NULL);
	model_iterate_public(&d->model, STORE_REC_ANCHOR, NULL, sweep_anchor, &s, NULL);
	model_iterate_public(&d->model, STORE_REC_DEVICE, NULL, sweep_device, &s, NULL);
	if (s.expiring || s.expired)
		log_msg(LOG_NOTICE, "expiry check: %u expiring within %u days, %u expired",
			s.expiring, d->policy.expiry_warning_days, s.expired);
}

void expiry_check_due(struct daemon *d)
{
	int64_t now = monotonic_ms();

	if (now < d->expiry_due_ms)
		return;
	expiry_sweep(d);
	d->expiry_due_ms = now + (int64_t)d->policy.expiry_check_s * 1000;
}
