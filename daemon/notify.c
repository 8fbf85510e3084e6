#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "notify.h"

static const uint8_t kind_of[STORE_REC_TYPE_MAX + 1] = {
	[STORE_REC_IDENTITY] = CREDSTORE_KIND_IDENTITY,
	[STORE_REC_ANCHOR] = CREDSTORE_KIND_ANCHOR,
	[STORE_REC_DEVICE] = CREDSTORE_KIND_DEVICE,
};

static void send_notify(struct nl_sock *sk, uint8_t kind, int key_attr, const char *key,
			uint64_t gen)
{
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK,
				   .nl_groups = 1u << (CREDSTORE_USERSOCK_GROUP - 1) };
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return;
	nlmsg_set_dst(msg, &dst);
	if (!genlmsg_put(msg, CREDSTORE_USERSOCK_PORT, 0, CREDSTORE_USERSOCK_TYPE, 0, 0,
			 CREDSTORE_CMD_NOTIFY, CREDSTORE_GENL_VERSION) ||
	    nla_put_u8(msg, CREDSTORE_A_KIND, kind) < 0 ||
	    (key && nla_put_string(msg, key_attr, key) < 0) ||
	    nla_put_u64(msg, CREDSTORE_A_GENERATION, gen) < 0) {
		nlmsg_free(msg);
		return;
	}
	/* Nobody listening is the common case, not an error. */
	cs_usersock_send(sk, msg);
}

void notify_changes(struct nl_sock *sk, const struct model_txn *t, uint64_t gen)
{
	if (t->cleared) {
		send_notify(sk, CREDSTORE_KIND_SNAPSHOT, 0, NULL, gen);
		return;
	}
	for (size_t i = 0; i < t->n_changes; i++) {
		const struct model_change *c = &t->changes[i];

		send_notify(sk, kind_of[c->type],
			    c->type == STORE_REC_DEVICE ? CREDSTORE_A_DEVICE_ID : CREDSTORE_A_NAME,
			    c->key, gen);
	}
}
