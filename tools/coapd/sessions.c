/* The open DTLS sessions and their devices, and ending the sessions of a
 * device that may no longer connect when the store announces its change
 * (revoked or removed), as credstore-mosquitto.so does.  The PSK callback
 * refuses such a device at its next handshake; this ends the sessions it
 * already holds.
 *
 * libcoap 4.3.1 has a public call that ends a server session:
 * coap_session_disconnected() drops its queued traffic and observations
 * and frees its DTLS state; the session, left in state NONE, is reaped
 * in libcoap's next round (after a SERVER_SESSION_DEL event), so the
 * device's next packet, even from the same port, starts a new handshake,
 * which the PSK callback refuses.
 * The store's notifications reach sessions_check() through events.c.
 * Pointers kept here leave the table at DTLS_CLOSED, DTLS_ERROR,
 * SESSION_CLOSED and SERVER_SESSION_DEL, before libcoap frees a session. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "coapd.h"

static struct open_session {
	coap_session_t *session;
	char id[CREDSTORE_DEVICE_ID_MAX];
} *open_sessions;
static size_t n_open, cap_open;

void sessions_add(coap_session_t *session)
{
	struct open_session *grown;

	sessions_remove(session);	/* a renegotiation: connected again */
	if (n_open == cap_open) {
		size_t cap = cap_open ? 2 * cap_open : 16;

		grown = realloc(open_sessions, cap * sizeof(*grown));
		if (!grown) {
			fprintf(stderr, "credstore-coapd: out of memory: a revoke will not end this "
				"session\n");
			return;
		}
		open_sessions = grown;
		cap_open = cap;
	}
	open_sessions[n_open].session = session;
	session_device(session, open_sessions[n_open].id);
	n_open++;
}

void sessions_remove(const coap_session_t *session)
{
	for (size_t i = 0; i < n_open; i++)
		if (open_sessions[i].session == session) {
			open_sessions[i] = open_sessions[--n_open];
			return;
		}
}

void sessions_free(void)
{
	free(open_sessions);
	open_sessions = NULL;
	n_open = cap_open = 0;
}

static void end_sessions(const char *device_id, const char *why)
{
	char peer[64];
	size_t i = 0;

	while (i < n_open) {
		coap_session_t *session = open_sessions[i].session;

		if (strcmp(open_sessions[i].id, device_id)) {
			i++;
			continue;
		}
		/* Out of the table first: the disconnect reports DTLS_CLOSED. */
		open_sessions[i] = open_sessions[--n_open];
		session_peer(session, peer, sizeof(peer));
		fprintf(stderr, "credstore-coapd: device %s was %s: ending its session from %s\n",
			device_id, why, peer);
		coap_session_disconnected(session, COAP_NACK_NOT_DELIVERABLE);
	}
}

/* May the device still connect?  Not when it is gone or revoked. */
static void check_device(struct psk_source *src, const char *device_id)
{
	struct credstore_device d;
	int r;

	if (!coapd_store(src))
		return;
	r = credstore_get_device(src->cs, device_id, &d);
	if (r == -ENOENT)
		end_sessions(device_id, "removed");
	else if (r == 0 && (d.flags & CREDSTORE_DEVICE_F_REVOKED))
		end_sessions(device_id, "revoked");
	else if (r < 0) {
		fprintf(stderr, "credstore-coapd: cannot check device %s: %s\n", device_id,
			credstore_last_error(src->cs));
		coapd_store_failed(src, r);
	}
}

/* Check the devices of the open sessions: all of them (only == NULL), or
 * one.  The ids are copied first: ending sessions reorders the table. */
void sessions_check(struct psk_source *src, const char *only)
{
	char (*ids)[CREDSTORE_DEVICE_ID_MAX];
	size_t n = 0;

	if (!n_open)
		return;
	ids = malloc(n_open * sizeof(*ids));
	if (!ids) {
		fprintf(stderr, "credstore-coapd: out of memory checking sessions\n");
		return;
	}
	for (size_t i = 0; i < n_open; i++) {
		size_t j;

		if (only && strcmp(only, open_sessions[i].id))
			continue;
		for (j = 0; j < n && strcmp(ids[j], open_sessions[i].id); j++)
			;
		if (j == n)
			memcpy(ids[n++], open_sessions[i].id, CREDSTORE_DEVICE_ID_MAX);
	}
	for (size_t j = 0; j < n; j++)
		check_device(src, ids[j]);
	free(ids);
}

size_t sessions_open(void)
{
	return n_open;
}
