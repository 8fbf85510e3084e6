#include "notify.h"

static struct nl_msg *event_new(uint8_t kind, int key_attr, const char *key, uint64_t gen)
{
	struct nl_msg *msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + 256);

	if (msg && (!genlmsg_put(msg, 0, 0, CREDSTORE_USERSOCK_TYPE, 0, 0, CREDSTORE_CMD_NOTIFY,
				 CREDSTORE_GENL_VERSION) ||
		    nla_put_u8(msg, CREDSTORE_A_KIND, kind) < 0 ||
		    (key && nla_put_string(msg, key_attr, key) < 0) ||
		    nla_put_u64(msg, CREDSTORE_A_GENERATION, gen) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void send_event(struct conns *set, struct nl_msg *event, struct nl_msg *lost)
{
	for (struct conn *c = conns_first(set), *next; c; c = next) {
		next = c->next;		/* a broken subscriber is closed on the way */
		if (c->subscribed)
			conn_send_event(c, nlmsg_hdr(event ? event : lost), nlmsg_hdr(lost));
	}
}

void notify_snapshot(struct conns *set, uint64_t gen)
{
	struct nl_msg *snapshot = event_new(CREDSTORE_KIND_SNAPSHOT, 0, NULL, gen);

	if (snapshot)
		send_event(set, NULL, snapshot);
	nlmsg_free(snapshot);
}

void notify_changes(struct conns *set, const struct model_txn *t, uint64_t gen)
{
	struct nl_msg *lost = event_new(CREDSTORE_KIND_SNAPSHOT, 0, NULL, gen);

	if (!lost)
		return;
	if (t->cleared)
		send_event(set, NULL, lost);
	for (size_t i = 0; i < t->n_changes && !t->cleared; i++) {
		const struct model_change *c = &t->changes[i];
		struct nl_msg *event = event_new(model_kind(c->type), c->type == STORE_REC_DEVICE
						 ? CREDSTORE_A_DEVICE_ID : CREDSTORE_A_NAME, c->key, gen);

		/* Out of memory: the subscribers hear that anything may have changed. */
		send_event(set, event, lost);
		nlmsg_free(event);
	}
	nlmsg_free(lost);
}
