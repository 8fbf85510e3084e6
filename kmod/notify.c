// SPDX-License-Identifier: GPL-2.0
/*
 * The multicast group "notify": the publisher announces each change after
 * it is visible to queries, so that a front end that reloads on the
 * message reads the new state.
 */
#include <net/genetlink.h>
#include "msg.h"
#include "family.h"
#include "netlink-gen.h"
#include "notify.h"

/*
 * @key: the record's name or id; NULL for a whole snapshot.  @event: what
 * happened to it (enum credstore_event_type); a device that is still there
 * is announced with its @flags, so that a front end cuts a revoked
 * device's open sessions without asking.
 */
void cs_notify(u8 kind, const char *key, u64 generation, u8 event, u32 flags)
{
	int key_attr = kind == CREDSTORE_KIND_DEVICE ? CREDSTORE_A_DEVICE_ID :
						       CREDSTORE_A_NAME;
	bool with_flags = kind == CREDSTORE_KIND_DEVICE &&
			  event == CREDSTORE_EVENT_CHANGED;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(1) + nla_total_size_64bit(8) +
			  nla_total_size(CREDSTORE_NAME_MAX) + nla_total_size(1) +
			  nla_total_size(4), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &cs_family, 0, CREDSTORE_CMD_NOTIFY);
	if (!hdr || nla_put_u8(msg, CREDSTORE_A_KIND, kind) ||
	    cs_fill_generation(msg, generation) ||
	    (key && nla_put_string(msg, key_attr, key)) ||
	    (event && nla_put_u8(msg, CREDSTORE_A_EVENT, event)) ||
	    (with_flags && nla_put_u32(msg, CREDSTORE_A_FLAGS, flags))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	/* Nobody listening (-ESRCH) is fine. */
	genlmsg_multicast(&cs_family, msg, 0, CREDSTORE_NLGRP_NOTIFY, GFP_KERNEL);
}
