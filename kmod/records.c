// SPDX-License-Identifier: GPL-2.0
/*
 * Published records: every CREDSTORE_A_RECORD of a CREDSTORE_A_RECORDS
 * nest becomes a table entry.  The policy has checked each attribute's
 * type and maximum length, and refused an attribute no record holds (a
 * private key among them: keys never leave credstored); here each kind of
 * record gets exactly its attributes, none of them empty.
 */
#include <linux/slab.h>
#include "msg.h"
#include "records.h"

#define A(attr) BIT_ULL(CREDSTORE_A_##attr)
/* The last attribute a record may hold (credstore_record_nl_policy). */
#define CS_RECORD_A_MAX CREDSTORE_A_FLAGS

struct cs_kind_attrs {
	u64 required;
	u64 allowed;
};

static const struct cs_kind_attrs cs_kind_attrs[] = {
	[CREDSTORE_KIND_IDENTITY] = {
		.required = A(KIND) | A(NAME) | A(CHAIN),
		.allowed = A(KIND) | A(NAME) | A(CHAIN),
	},
	[CREDSTORE_KIND_ANCHOR] = {
		.required = A(KIND) | A(NAME) | A(CHAIN),
		.allowed = A(KIND) | A(NAME) | A(CHAIN),
	},
	[CREDSTORE_KIND_DEVICE] = {
		.required = A(KIND) | A(DEVICE_ID),
		.allowed = A(KIND) | A(DEVICE_ID) | A(MASTER_FP) | A(SUB_FP) |
			   A(MASTER_SECRET) | A(SUB_SECRET) | A(FLAGS),
	},
};

static int cs_check_kind_attrs(const struct nlattr *rec, struct nlattr **tb,
			       u8 kind, struct netlink_ext_ack *extack)
{
	const struct cs_kind_attrs *ka = &cs_kind_attrs[kind];
	int i;

	for (i = 1; i <= CS_RECORD_A_MAX; i++) {
		if (tb[i] && !(ka->allowed & BIT_ULL(i))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "attribute does not belong to this kind of record");
			return -EINVAL;
		}
		if (tb[i] && !nla_len(tb[i])) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i], "attribute is empty");
			return -EINVAL;
		}
		if (!tb[i] && (ka->required & BIT_ULL(i))) {
			NL_SET_ERR_ATTR_MISS(extack, rec, i);
			NL_SET_ERR_MSG(extack, "record lacks an attribute its kind requires");
			return -EINVAL;
		}
	}
	return 0;
}

static int cs_parse_named(struct nlattr **tb, struct netlink_ext_ack *extack,
			  struct cs_record *r)
{
	const char *name;
	int err;

	err = cs_nla_name(tb[CREDSTORE_A_NAME], extack, &name);
	if (err)
		return err;
	r->named = cs_named_alloc(name, nla_data(tb[CREDSTORE_A_CHAIN]),
				  nla_len(tb[CREDSTORE_A_CHAIN]));
	return r->named ? 0 : -ENOMEM;
}

static void cs_copy_secret(u8 *to, u8 *len, const struct nlattr *nla)
{
	if (!nla)
		return;
	*len = nla_len(nla);
	memcpy(to, nla_data(nla), *len);
}

static int cs_check_device(struct nlattr **tb, const struct cs_device *dev,
			   struct netlink_ext_ack *extack)
{
	if (tb[CREDSTORE_A_SUB_FP] && !tb[CREDSTORE_A_MASTER_FP]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CREDSTORE_A_SUB_FP],
				    "a sub fingerprint needs a master fingerprint");
		return -EINVAL;
	}
	if (tb[CREDSTORE_A_SUB_SECRET] && !tb[CREDSTORE_A_MASTER_SECRET]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CREDSTORE_A_SUB_SECRET],
				    "a sub secret needs a master secret");
		return -EINVAL;
	}
	if (tb[CREDSTORE_A_SUB_FP] &&
	    !memcmp(dev->master_fp, dev->sub_fp, CREDSTORE_FINGERPRINT_LEN)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CREDSTORE_A_SUB_FP],
				    "the sub fingerprint is the master fingerprint");
		return -EINVAL;
	}
	return 0;
}

static int cs_parse_device(struct nlattr **tb, struct netlink_ext_ack *extack,
			   struct cs_record *r)
{
	struct cs_device *dev;
	const char *id;
	int err;

	err = cs_nla_device_id(tb[CREDSTORE_A_DEVICE_ID], extack, &id);
	if (err)
		return err;
	dev = cs_device_alloc();
	if (!dev)
		return -ENOMEM;
	r->dev = dev;
	strscpy(dev->id, id, sizeof(dev->id));
	if (tb[CREDSTORE_A_MASTER_FP]) {
		nla_memcpy(dev->master_fp, tb[CREDSTORE_A_MASTER_FP],
			   CREDSTORE_FINGERPRINT_LEN);
		dev->has |= CS_HAS_MASTER_FP;
	}
	if (tb[CREDSTORE_A_SUB_FP]) {
		nla_memcpy(dev->sub_fp, tb[CREDSTORE_A_SUB_FP],
			   CREDSTORE_FINGERPRINT_LEN);
		dev->has |= CS_HAS_SUB_FP;
	}
	cs_copy_secret(dev->master_secret, &dev->master_secret_len,
		       tb[CREDSTORE_A_MASTER_SECRET]);
	cs_copy_secret(dev->sub_secret, &dev->sub_secret_len,
		       tb[CREDSTORE_A_SUB_SECRET]);
	if (tb[CREDSTORE_A_FLAGS])
		dev->flags = nla_get_u32(tb[CREDSTORE_A_FLAGS]);
	r->flags = dev->flags;
	return cs_check_device(tb, dev, extack);
}

static int cs_record_parse(const struct nlattr *rec,
			   struct netlink_ext_ack *extack, struct cs_record *r)
{
	struct nlattr *tb[CS_RECORD_A_MAX + 1];
	int err;

	/* The op's policy (NLA_POLICY_NESTED) has validated every record
	 * strictly against credstore_record_nl_policy before the handler
	 * ran; this only indexes the attributes (and still refuses one past
	 * CS_RECORD_A_MAX).
	 */
	err = nla_parse_nested(tb, CS_RECORD_A_MAX, rec, NULL, extack);
	if (err)
		return err;
	if (!tb[CREDSTORE_A_KIND]) {
		NL_SET_ERR_ATTR_MISS(extack, rec, CREDSTORE_A_KIND);
		NL_SET_ERR_MSG(extack, "record lacks its kind");
		return -EINVAL;
	}
	r->kind = nla_get_u8(tb[CREDSTORE_A_KIND]);
	err = cs_check_kind_attrs(rec, tb, r->kind, extack);
	if (err)
		return err;
	nla_strscpy(r->key, tb[r->kind == CREDSTORE_KIND_DEVICE ?
			       CREDSTORE_A_DEVICE_ID : CREDSTORE_A_NAME],
		    sizeof(r->key));
	if (r->kind == CREDSTORE_KIND_DEVICE)
		return cs_parse_device(tb, extack, r);
	return cs_parse_named(tb, extack, r);
}

/*
 * Secrets leave no copy in the request once they are in the tables (or
 * refused): as WireGuard does with a private key it was given.
 */
void cs_records_wipe(const struct nlattr *records)
{
	const struct nlattr *rec, *nla;
	int rem, rem_rec;

	nla_for_each_nested(rec, records, rem_rec)
		nla_for_each_nested(nla, rec, rem)
			if (nla_type(nla) == CREDSTORE_A_MASTER_SECRET ||
			    nla_type(nla) == CREDSTORE_A_SUB_SECRET)
				memzero_explicit(nla_data(nla), nla_len(nla));
}

void cs_records_free(struct cs_record *recs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		cs_record_free(&recs[i]);
	kvfree(recs);
}

/* All of @records or nothing: on error, *@recs is NULL. */
int cs_records_parse(const struct nlattr *records,
		     struct netlink_ext_ack *extack,
		     struct cs_record **recs, unsigned int *n)
{
	const struct nlattr *rec;
	unsigned int count = 0, i = 0;
	int rem, err = 0;

	nla_for_each_nested(rec, records, rem)
		count++;
	if (!count) {
		NL_SET_ERR_MSG_ATTR(extack, records, "no record in RECORDS");
		return -EINVAL;
	}
	*recs = kvcalloc(count, sizeof(**recs), GFP_KERNEL);
	if (!*recs)
		return -ENOMEM;
	nla_for_each_nested(rec, records, rem) {
		err = cs_record_parse(rec, extack, &(*recs)[i++]);
		if (err)
			break;
	}
	if (err) {
		cs_records_free(*recs, i);
		*recs = NULL;
		return err;
	}
	*n = count;
	return 0;
}
