// SPDX-License-Identifier: GPL-2.0
/*
 * Queries, open to every user.  Each looks the served tables up under
 * rcu_read_lock() without taking a lock; replies are allocated before the
 * read section (GFP_KERNEL may sleep) or, for certificate chains, sized
 * from an entry held by reference.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include "msg.h"
#include "netlink-gen.h"
#include "publish.h"
#include "query.h"

static int cs_fill_status(struct sk_buff *msg)
{
	struct cs_tables *t;
	int err;

	rcu_read_lock();
	t = cs_tables_live();
	err = cs_fill_generation(msg, READ_ONCE(t->generation)) ||
	      nla_put_u32(msg, CREDSTORE_A_STATUS_IDENTITIES,
			  READ_ONCE(t->count[CREDSTORE_KIND_IDENTITY])) ||
	      nla_put_u32(msg, CREDSTORE_A_STATUS_ANCHORS,
			  READ_ONCE(t->count[CREDSTORE_KIND_ANCHOR])) ||
	      nla_put_u32(msg, CREDSTORE_A_STATUS_DEVICES,
			  READ_ONCE(t->count[CREDSTORE_KIND_DEVICE])) ||
	      nla_put_u32(msg, CREDSTORE_A_STATUS_BYTES,
			  min_t(u64, READ_ONCE(t->bytes), U32_MAX));
	rcu_read_unlock();
	if (err ||
	    nla_put_u32(msg, CREDSTORE_A_STATUS_MAX_ENTRIES,
			cs_tables_max_entries()) ||
	    nla_put_u32(msg, CREDSTORE_A_STATUS_MAX_BYTES,
			cs_tables_max_bytes()) ||
	    nla_put_u8(msg, CREDSTORE_A_STATUS_PUBLISHER, cs_publisher_attached()))
		return -EMSGSIZE;
	return 0;
}

int credstore_nl_get_status_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = cs_req_none(info);
	if (err)
		return err;
	msg = cs_reply_new(info, NLMSG_GOODSIZE, &hdr);
	if (!msg)
		return -ENOMEM;
	err = cs_fill_status(msg);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return cs_reply_send(msg, hdr, info);
}

/*
 * Queries are refused with -EAGAIN until credstored's first snapshot is
 * served: after a load (or a reload under running front ends) "no such
 * device" would be a false answer, and a front end would end the sessions
 * of every device it asked about.  -EAGAIN says: keep them, ask again.
 */
int cs_require_published(struct netlink_ext_ack *extack)
{
	if (cs_tables_ready())
		return 0;
	NL_SET_ERR_MSG(extack,
		       "nothing is published yet: credstored has not published to the module since it was loaded");
	return -EAGAIN;
}

/*
 * Reply with the identity or anchor named in the request: @fill puts its
 * attributes in a message of @size(entry) bytes.
 */
int cs_reply_named(struct genl_info *info, u8 kind,
		   size_t (*size)(const struct cs_named *n),
		   int (*fill)(struct sk_buff *msg, const struct cs_named *n,
			       u64 generation))
{
	struct cs_named *n;
	struct sk_buff *msg;
	const char *name;
	u64 generation;
	void *hdr;
	int err;

	err = cs_req_name(info, &name) ?: cs_require_published(info->extack);
	if (err)
		return err;
	n = cs_named_get(kind, name, &generation);
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CREDSTORE_A_NAME],
				    "no such name is published");
		return -ENOENT;
	}
	err = -ENOMEM;
	msg = cs_reply_new(info, size(n), &hdr);
	if (!msg)
		goto out;
	err = fill(msg, n, generation);
	if (err)
		cs_reply_free(msg);
	else
		err = cs_reply_send(msg, hdr, info);
out:
	cs_named_put(n);
	return err;
}

/*
 * Reply with the device whose id the request names: @fill puts its
 * attributes, found under rcu_read_lock(), in a message of @size bytes.
 */
int cs_reply_device(struct genl_info *info, size_t size,
		    int (*fill)(struct sk_buff *msg, const struct cs_device *dev,
				u64 generation))
{
	struct cs_device *dev;
	struct cs_tables *t;
	struct sk_buff *msg;
	const char *id;
	void *hdr;
	int err;

	err = cs_req_device_id(info, &id) ?: cs_require_published(info->extack);
	if (err)
		return err;
	msg = cs_reply_new(info, size, &hdr);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	t = cs_tables_live();
	dev = cs_device_find(t, id);
	if (dev)
		err = fill(msg, dev, READ_ONCE(t->generation));
	rcu_read_unlock();
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[CREDSTORE_A_DEVICE_ID],
				    "no such device is published");
		err = -ENOENT;
	}
	if (err) {
		cs_reply_free(msg);
		return err;
	}
	return cs_reply_send(msg, hdr, info);
}

static int cs_fill_named_reply(struct sk_buff *msg, const struct cs_named *n,
			       u64 generation)
{
	return cs_fill_named(msg, n) ?: cs_fill_generation(msg, generation);
}

int credstore_nl_get_identity_doit(struct sk_buff *skb, struct genl_info *info)
{
	return cs_reply_named(info, CREDSTORE_KIND_IDENTITY, cs_named_msg_size,
			      cs_fill_named_reply);
}

int credstore_nl_get_anchor_doit(struct sk_buff *skb, struct genl_info *info)
{
	return cs_reply_named(info, CREDSTORE_KIND_ANCHOR, cs_named_msg_size,
			      cs_fill_named_reply);
}

static int cs_fill_device_reply(struct sk_buff *msg,
				const struct cs_device *dev, u64 generation)
{
	return cs_fill_device(msg, dev) ?: cs_fill_generation(msg, generation);
}

int credstore_nl_get_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	return cs_reply_device(info, CS_DEVICE_MSG_SIZE, cs_fill_device_reply);
}

/* A verdict: what matched, or that the device's flags refused it. */
struct cs_verdict {
	u8 match;
	bool refused;
	u32 flags;
	char id[CREDSTORE_DEVICE_ID_MAX];
};

/*
 * MATCH, and the device's id when it matched; a refusal for the device's
 * flags names the device and its flags (see enum credstore_device_flags).
 */
static int cs_reply_match(struct genl_info *info, struct sk_buff *msg,
			  void *hdr, const struct cs_verdict *v)
{
	bool named = v->match != CREDSTORE_MATCH_NONE || v->refused;

	if (nla_put_u8(msg, CREDSTORE_A_MATCH, v->match) ||
	    (named && nla_put_string(msg, CREDSTORE_A_DEVICE_ID, v->id)) ||
	    (v->refused && nla_put_u32(msg, CREDSTORE_A_FLAGS, v->flags))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return cs_reply_send(msg, hdr, info);
}

static bool cs_sub_usable(const struct cs_device *dev)
{
	return !(dev->flags & (CREDSTORE_DEVICE_F_SUB_DISABLED |
			       CREDSTORE_DEVICE_F_NO_SUB));
}

/* What @dev holds (@held) after its flags have their say. */
static void cs_judge(struct cs_verdict *v, const struct cs_device *dev,
		     u8 held)
{
	v->match = held;
	if (held && ((dev->flags & CREDSTORE_DEVICE_F_REVOKED) ||
		     (held == CREDSTORE_MATCH_SUB && !cs_sub_usable(dev)))) {
		v->match = CREDSTORE_MATCH_NONE;
		v->refused = true;
	}
	v->flags = dev->flags;
	if (held)
		strscpy(v->id, dev->id, sizeof(v->id));
}

static u8 cs_held_fp(const struct cs_device *dev, const u8 *fp)
{
	if ((dev->has & CS_HAS_MASTER_FP) &&
	    !memcmp(dev->master_fp, fp, CREDSTORE_FINGERPRINT_LEN))
		return CREDSTORE_MATCH_MASTER;
	if ((dev->has & CS_HAS_SUB_FP) &&
	    !memcmp(dev->sub_fp, fp, CREDSTORE_FINGERPRINT_LEN))
		return CREDSTORE_MATCH_SUB;
	return CREDSTORE_MATCH_NONE;
}

int credstore_nl_verify_fingerprint_doit(struct sk_buff *skb,
					 struct genl_info *info)
{
	struct cs_verdict v = { .match = CREDSTORE_MATCH_NONE };
	u8 held = CREDSTORE_MATCH_NONE;
	const char *id = NULL;
	struct cs_device *dev;
	struct cs_tables *t;
	struct sk_buff *msg;
	const u8 *fp;
	void *hdr;
	int err;

	if (cs_req_missing(info, CREDSTORE_A_FINGERPRINT))
		return -EINVAL;
	fp = nla_data(info->attrs[CREDSTORE_A_FINGERPRINT]);
	if (info->attrs[CREDSTORE_A_DEVICE_ID]) {
		err = cs_req_device_id(info, &id);
		if (err)
			return err;
	}
	err = cs_require_published(info->extack);
	if (err)
		return err;
	msg = cs_reply_new(info, CS_DEVICE_MSG_SIZE, &hdr);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	t = cs_tables_live();
	if (id) {
		dev = cs_device_find(t, id);
		if (dev)
			held = cs_held_fp(dev, fp);
	} else {
		dev = cs_device_find_fp(t, fp, &held);
	}
	if (dev)
		cs_judge(&v, dev, held);
	rcu_read_unlock();
	return cs_reply_match(info, msg, hdr, &v);
}

/*
 * A secret's (or an HMAC's) verdict: a revoked device is refused whatever
 * was given, so that the answer never tells a right secret from a wrong
 * one; @sub is false already when the sub may not be used.
 */
static void cs_judge_secret(struct cs_verdict *v, u32 flags, bool master,
			    bool sub)
{
	v->match = master ? CREDSTORE_MATCH_MASTER :
		   sub ? CREDSTORE_MATCH_SUB : CREDSTORE_MATCH_NONE;
	if (flags & CREDSTORE_DEVICE_F_REVOKED) {
		v->match = CREDSTORE_MATCH_NONE;
		v->refused = true;
		v->flags = flags;
	}
}

/*
 * Constant time in everything secret: both zero-padded buffers are compared
 * whole and the lengths folded in, so that the time tells neither the
 * stored secret's length nor whether the device has one.
 */
static bool cs_secret_eq(const u8 *stored, u8 stored_len,
			 const u8 given[CREDSTORE_SECRET_MAX], u8 given_len)
{
	unsigned long diff;

	diff = crypto_memneq(stored, given, CREDSTORE_SECRET_MAX);
	diff |= stored_len ^ given_len;	/* given_len is never 0 */
	return !diff;
}

static void cs_match_secret(struct cs_verdict *v, const struct cs_device *dev,
			    const u8 given[CREDSTORE_SECRET_MAX], u8 len)
{
	bool master, sub;

	/* Both compared always: the time does not tell which matched. */
	master = cs_secret_eq(dev->master_secret, dev->master_secret_len,
			      given, len);
	sub = cs_secret_eq(dev->sub_secret, dev->sub_secret_len, given, len) &&
	      cs_sub_usable(dev);
	cs_judge_secret(v, dev->flags, master, sub);
}

int credstore_nl_verify_secret_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct cs_verdict v = { .match = CREDSTORE_MATCH_NONE };
	u8 given[CREDSTORE_SECRET_MAX] = {};
	struct nlattr *secret;
	struct cs_device *dev;
	struct sk_buff *msg;
	const char *id;
	void *hdr;
	int err;
	u8 len;

	if (cs_req_missing(info, CREDSTORE_A_SECRET))
		return -EINVAL;
	/* Copied and wiped first: no error leaves it in the request. */
	secret = info->attrs[CREDSTORE_A_SECRET];
	len = nla_len(secret);	/* the policy: at most CREDSTORE_SECRET_MAX */
	memcpy(given, nla_data(secret), len);
	cs_nla_wipe(secret);
	err = cs_req_device_id(info, &id);
	if (!err && !len) {
		NL_SET_ERR_MSG_ATTR(info->extack, secret, "attribute is empty");
		err = -EINVAL;
	}
	if (!err)
		err = cs_require_published(info->extack);
	msg = err ? NULL : cs_reply_new(info, CS_DEVICE_MSG_SIZE, &hdr);
	if (msg) {
		rcu_read_lock();
		dev = cs_device_find(cs_tables_live(), id);
		if (dev)
			cs_match_secret(&v, dev, given, len);
		rcu_read_unlock();
	}
	memzero_explicit(given, sizeof(given));
	if (err)
		return err;
	if (!msg)
		return -ENOMEM;
	strscpy(v.id, id, sizeof(v.id));
	return cs_reply_match(info, msg, hdr, &v);
}

/* A device's two secrets, copied out of the read section. */
struct cs_secrets {
	u8 key[2][CREDSTORE_SECRET_MAX];
	u8 len[2];
	bool sub_usable;
	u32 flags;
};

/*
 * Is @mac HMAC-SHA256(key, @data)?  An absent secret (@key_len 0) is
 * computed all the same, with an empty key, and never matches: the time
 * does not tell which secrets exist.
 */
static bool cs_hmac_eq(struct crypto_shash *tfm, const u8 *key, u8 key_len,
		       const u8 *data, int data_len, const u8 *mac)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 out[CREDSTORE_HMAC_LEN];
	bool eq;
	int err;

	desc->tfm = tfm;
	err = crypto_shash_setkey(tfm, key, key_len) ?:
	      crypto_shash_digest(desc, data, data_len, out);
	eq = !err && key_len &&
	     !crypto_memneq(out, mac, CREDSTORE_HMAC_LEN);
	shash_desc_zero(desc);
	memzero_explicit(out, sizeof(out));
	return eq;
}

int credstore_nl_verify_hmac_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cs_verdict v = { .match = CREDSTORE_MATCH_NONE };
	struct crypto_shash *tfm;
	struct cs_secrets *sec;
	struct cs_device *dev;
	struct sk_buff *msg;
	const u8 *data, *mac;
	const char *id;
	bool master, sub;
	int err, len;
	void *hdr;

	err = cs_req_device_id(info, &id);
	if (err)
		return err;
	if (cs_req_missing(info, CREDSTORE_A_HMAC_MESSAGE) ||
	    cs_req_missing(info, CREDSTORE_A_HMAC))
		return -EINVAL;
	data = nla_data(info->attrs[CREDSTORE_A_HMAC_MESSAGE]);
	len = nla_len(info->attrs[CREDSTORE_A_HMAC_MESSAGE]);
	if (!len) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[CREDSTORE_A_HMAC_MESSAGE],
				    "the message is empty");
		return -EINVAL;
	}
	mac = nla_data(info->attrs[CREDSTORE_A_HMAC]);
	err = cs_require_published(info->extack);
	if (err)
		return err;

	sec = kzalloc(sizeof(*sec), GFP_KERNEL);
	if (!sec)
		return -ENOMEM;
	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm)) {
		kfree_sensitive(sec);
		return PTR_ERR(tfm);
	}
	msg = cs_reply_new(info, CS_DEVICE_MSG_SIZE, &hdr);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	/* The HMAC may not run under rcu_read_lock(): copy the secrets. */
	rcu_read_lock();
	dev = cs_device_find(cs_tables_live(), id);
	if (dev) {
		memcpy(sec->key[0], dev->master_secret, dev->master_secret_len);
		sec->len[0] = dev->master_secret_len;
		memcpy(sec->key[1], dev->sub_secret, dev->sub_secret_len);
		sec->len[1] = dev->sub_secret_len;
		sec->sub_usable = cs_sub_usable(dev);
		sec->flags = dev->flags;
	}
	rcu_read_unlock();
	if (dev) {
		master = cs_hmac_eq(tfm, sec->key[0], sec->len[0], data, len, mac);
		sub = cs_hmac_eq(tfm, sec->key[1], sec->len[1], data, len, mac) &&
		      sec->sub_usable;
		cs_judge_secret(&v, sec->flags, master, sub);
	}
	strscpy(v.id, id, sizeof(v.id));
	err = cs_reply_match(info, msg, hdr, &v);
out:
	crypto_free_shash(tfm);
	kfree_sensitive(sec);
	return err;
}
