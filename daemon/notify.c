#include "notify.h"

/* What one notification says (see CREDSTORE_CMD_NOTIFY). */
struct notice {
	uint8_t kind;
	const char *key;		/* NULL for a snapshot */
	uint8_t event;
	bool has_flags;			/* a device that is still there */
	uint32_t flags;
	uint64_t not_after;		/* EXPIRING, EXPIRED */
};

static struct nl_msg *event_new(const struct notice *n, uint64_t gen)
{
	struct nl_msg *msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + 256);
	int key_attr = n->kind == CREDSTORE_KIND_DEVICE ? CREDSTORE_A_DEVICE_ID : CREDSTORE_A_NAME;

	if (msg && (!genlmsg_put(msg, 0, 0, CREDSTORE_USERSOCK_TYPE, 0, 0, CREDSTORE_CMD_NOTIFY,
				 CREDSTORE_GENL_VERSION) ||
		    nla_put_u8(msg, CREDSTORE_A_KIND, n->kind) < 0 ||
		    (n->key && nla_put_string(msg, key_attr, n->key) < 0) ||
		    nla_put_u64(msg, CREDSTORE_A_GENERATION, gen) < 0 ||
		    (n->event && nla_put_u8(msg, CREDSTORE_A_EVENT, n->event) < 0) ||
		    (n->has_flags && nla_put_u32(msg, CREDSTORE_A_FLAGS, n->flags) < 0) ||
		    (n->not_after && nla_put_u64(msg, CREDSTORE_A_NOT_AFTER, n->not_after) < 0))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Anything may have changed. */
static struct nl_msg *snapshot_new(uint64_t gen)
{
	return event_new(&(struct notice){ .kind = CREDSTORE_KIND_SNAPSHOT }, gen);
}

static void send_event(struct conns *set, struct nl_msg *event, struct nl_msg *lost)
{
	for (struct conn *c = conns_first(set), *next; c; c = next) {
		next = c->next;		/* a broken subscriber is closed on the way */
		if (c->subscribed)
			conn_send_event(c, nlmsg_hdr(event ? event : lost), nlmsg_hdr(lost));
	}
}

/* Out of memory for one event: the subscribers hear that anything may
 * have changed (lost, a SNAPSHOT). */
static void send_notice(struct conns *set, const struct notice *n, struct nl_msg *lost,
			uint64_t gen)
{
	struct nl_msg *event = event_new(n, gen);

	send_event(set, event, lost);
	nlmsg_free(event);
}

void notify_snapshot(struct conns *set, uint64_t gen)
{
	struct nl_msg *snapshot = snapshot_new(gen);

	if (snapshot)
		send_event(set, NULL, snapshot);
	nlmsg_free(snapshot);
}

void notify_changes(struct conns *set, const struct model_txn *t, uint64_t gen)
{
	struct nl_msg *lost = snapshot_new(gen);

	if (!lost)
		return;
	if (t->cleared)
		send_event(set, NULL, lost);
	for (size_t i = 0; i < t->n_changes && !t->cleared; i++) {
		const struct model_change *c = &t->changes[i];
		struct notice n = { .kind = model_kind(c->type), .key = c->key };

		if (!n.kind)
			continue;	/* a CRL part: its anchor changes too */
		n.event = c->deleted ? CREDSTORE_EVENT_REMOVED : CREDSTORE_EVENT_CHANGED;
		n.has_flags = c->type == STORE_REC_DEVICE && !c->deleted;
		if (n.has_flags)
			n.flags = model_device_record_flags(&c->rec);
		send_notice(set, &n, lost, gen);
	}
	nlmsg_free(lost);
}

void notify_expiry(struct conns *set, uint8_t kind, const char *key, bool expired,
		   uint64_t not_after, uint64_t gen)
{
	struct notice n = { .kind = kind, .key = key, .not_after = not_after,
			    .event = expired ? CREDSTORE_EVENT_EXPIRED : CREDSTORE_EVENT_EXPIRING };
	struct nl_msg *lost = snapshot_new(gen);

	if (lost)
		send_notice(set, &n, lost, gen);
	nlmsg_free(lost);
}
