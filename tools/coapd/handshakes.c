/* Handshakes in progress, to say which ones failed.  DTLS drops a record
 * that fails its MAC without a word (RFC 6347), so a device that uses
 * another key than its master secret is only seen not to finish: a
 * handshake whose key was handed out and that did not complete within
 * HANDSHAKE_SECONDS is logged as failed. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "coapd.h"

#define PENDING_MAX		64
#define HANDSHAKE_SECONDS	5

static struct pending {
	const coap_session_t *session;	/* NULL: a free slot */
	char id[CREDSTORE_DEVICE_ID_MAX];
	char peer[64];
	time_t since;
} pending[PENDING_MAX];

static struct pending *find(const coap_session_t *session)
{
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (pending[i].session == session)
			return &pending[i];
	return NULL;
}

static void failed(struct pending *p)
{
	fprintf(stderr, "credstore-coapd: handshake with %s failed (PSK identity %s): a device "
		"must use its master secret\n", p->peer, p->id);
	p->session = NULL;
}

void handshake_started(const coap_session_t *session, const char *device_id)
{
	struct pending *p = find(session), *oldest = &pending[0];

	for (size_t i = 0; !p && i < PENDING_MAX; i++) {
		if (!pending[i].session)
			p = &pending[i];
		else if (pending[i].since < oldest->since)
			oldest = &pending[i];
	}
	if (!p) {		/* full: the oldest is overdue anyway */
		failed(oldest);
		p = oldest;
	}
	p->session = session;
	p->since = time(NULL);
	snprintf(p->id, sizeof(p->id), "%s", device_id);
	session_peer(session, p->peer, sizeof(p->peer));
}

void handshake_ended(const coap_session_t *session, bool connected)
{
	struct pending *p = find(session);

	if (!p)
		return;
	if (connected)
		p->session = NULL;
	else
		failed(p);
}

void handshakes_expire(void)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < PENDING_MAX; i++)
		if (pending[i].session && now - pending[i].since >= HANDSHAKE_SECONDS)
			failed(&pending[i]);
}
