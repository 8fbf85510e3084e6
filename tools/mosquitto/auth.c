/* Who may connect: a client certificate whose SHA-256 fingerprint is a
 * device's master or sub; or username = device id with the device's
 * master or sub secret as password; or, when the client id ends in
 * "_TIMESTAMP", a password of 64 hex digits = HMAC-SHA256(secret,
 * TIMESTAMP), checked by the store.  Every decision is logged. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <mosquitto.h>

#include "fingerprint.h"
#include "plugin.h"

#define HMAC_HEX_LEN	(2 * CREDSTORE_HMAC_LEN)
#define TIMESTAMP_MAX	20	/* digits: milliseconds fit in 13 */

static const char *match_name(enum credstore_match m)
{
	return m == CREDSTORE_MATCH_MASTER ? "master" : "sub";
}

static const char *client_id(const struct mosquitto *client)
{
	const char *id = mosquitto_client_id(client);

	return id ? id : "";
}

__attribute__((format(printf, 2, 3)))
static int refuse(const struct mosquitto *client, const char *fmt, ...)
{
	char why[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "credstore: refused client '%.64s' from %s: %s",
			     client_id(client), mosquitto_client_address(client), why);
	return MOSQ_ERR_AUTH;
}

/* The store could not answer: refuse, and connect again next time. */
static int store_failed(struct plugin *p, const struct mosquitto *client, int err)
{
	int r = refuse(client, "the store did not answer: %s",
		       p->cs ? credstore_last_error(p->cs) : "not reachable");

	plugin_store_failed(p, err);
	return r;
}

static int admit(struct plugin *p, const struct mosquitto *client, const char *device_id,
		 enum credstore_match m, const char *how)
{
	if (sessions_add(p, client, device_id))
		return MOSQ_ERR_NOMEM;
	mosquitto_log_printf(MOSQ_LOG_NOTICE,
			     "credstore: admitted device %s (%s %s) from %s as client '%.64s'",
			     device_id, match_name(m), how, mosquitto_client_address(client),
			     client_id(client));
	return MOSQ_ERR_SUCCESS;
}

static int by_certificate(struct plugin *p, struct mosquitto *client, X509 *cert,
			  const char *username)
{
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	char hex[CS_FINGERPRINT_HEX_LEN + 1];
	struct credstore_verdict v;
	struct credstore *cs;
	int r;

	if (cs_fingerprint_of_cert(cert, fp))
		return refuse(client, "cannot hash its certificate");
	cs_fingerprint_format(fp, hex);
	cs = plugin_store(p);
	if (!cs)
		return store_failed(p, client, -ECONNREFUSED);
	r = credstore_verify_fingerprint(cs, fp, NULL, &v);
	if (r < 0)
		return store_failed(p, client, r);
	if (v.match == CREDSTORE_MATCH_NONE)
		return refuse(client, "certificate %s is no device's master or sub", hex);
	/* The device id is the username, so that ACLs can name it. */
	if (username && strcmp(username, v.device_id))
		return refuse(client, "certificate of device %s with username '%.64s'", v.device_id,
			      username);
	if (mosquitto_set_username(client, v.device_id) != MOSQ_ERR_SUCCESS)
		return refuse(client, "cannot set its username to %s", v.device_id);
	return admit(p, client, v.device_id, v.match, "certificate");
}

/* "anything_1764650000": the digits after the client id's last '_', or
 * NULL when it does not end so. */
static const char *hmac_timestamp(const char *id)
{
	const char *ts = strrchr(id, '_');
	size_t n;

	if (!ts)
		return NULL;
	ts++;
	n = strspn(ts, "0123456789");
	return n >= 1 && n <= TIMESTAMP_MAX && ts[n] == '\0' ? ts : NULL;
}

/* Unix seconds (up to 11 digits) or milliseconds (13), within the window
 * around the broker's clock. */
static bool timestamp_fresh(const struct plugin *p, const char *ts)
{
	size_t digits = strlen(ts);
	long long t = strtoll(ts, NULL, 10), now = (long long)time(NULL);

	if (!p->hmac_window)
		return true;
	if (digits == 13)
		t /= 1000;
	else if (digits > 11)
		return false;
	return llabs(t - now) <= (long long)p->hmac_window;
}

static bool parse_mac(const char *hex, uint8_t mac[CREDSTORE_HMAC_LEN])
{
	for (size_t i = 0; i < CREDSTORE_HMAC_LEN; i++) {
		unsigned int byte;

		if (!isxdigit((unsigned char)hex[2 * i]) || !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return false;
		mac[i] = (uint8_t)byte;
	}
	return hex[HMAC_HEX_LEN] == '\0';
}

static int by_password(struct plugin *p, struct mosquitto *client, const char *username,
		       const char *password)
{
	size_t ulen = strlen(username), plen = strlen(password);
	const char *ts = hmac_timestamp(client_id(client));
	uint8_t mac[CREDSTORE_HMAC_LEN];
	enum credstore_match m = CREDSTORE_MATCH_NONE;
	struct credstore *cs;
	int r;

	if (ulen == 0 || ulen >= CREDSTORE_DEVICE_ID_MAX)
		return refuse(client, "the username is no device id (1 to %d characters, got %zu)",
			      CREDSTORE_DEVICE_ID_MAX - 1, ulen);
	if (plen == 0)
		return refuse(client, "device %s sent an empty password", username);
	cs = plugin_store(p);
	if (!cs)
		return store_failed(p, client, -ECONNREFUSED);
	if (ts && plen == HMAC_HEX_LEN && parse_mac(password, mac)) {
		if (!timestamp_fresh(p, ts))
			return refuse(client, "device %s: timestamp %s is not within %u s of the broker's clock",
				      username, ts, p->hmac_window);
		r = credstore_verify_hmac(cs, username, ts, strlen(ts), mac, &m);
		OPENSSL_cleanse(mac, sizeof(mac));
		if (r < 0)
			return store_failed(p, client, r);
		if (m != CREDSTORE_MATCH_NONE)
			return admit(p, client, username, m, "secret's HMAC");
	}
	if (plen > CREDSTORE_SECRET_MAX)
		return refuse(client, "device %s: a password of %zu bytes is no secret (at most %d)",
			      username, plen, CREDSTORE_SECRET_MAX);
	r = credstore_verify_secret(cs, username, password, plen, &m);
	if (r < 0)
		return store_failed(p, client, r);
	if (m == CREDSTORE_MATCH_NONE)
		return refuse(client, "no such device %s, or the password is none of its secrets",
			      username);
	return admit(p, client, username, m, "secret");
}

int auth_basic(struct plugin *p, struct mosquitto_evt_basic_auth *ed)
{
	X509 *cert = mosquitto_client_certificate(ed->client);
	int r;

	if (cert) {
		r = by_certificate(p, ed->client, cert, ed->username);
		X509_free(cert);
		return r;
	}
	/* Neither: an anonymous client, for allow_anonymous to decide. */
	if (!ed->username && !ed->password)
		return MOSQ_ERR_PLUGIN_DEFER;
	if (!ed->username)
		return refuse(ed->client, "a password without a username");
	if (!ed->password)
		return refuse(ed->client, "username '%.64s' without a password", ed->username);
	return by_password(p, ed->client, ed->username, ed->password);
}
