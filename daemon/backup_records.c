#include <errno.h>
#include <netlink/msg.h>

#include "backup_records.h"

const uint8_t backup_types[4] = { STORE_REC_IDENTITY, STORE_REC_ANCHOR, STORE_REC_DEVICE,
				   STORE_REC_CRL };

static struct nla_policy backup_policy[BACKUP_A_MAX + 1] = {
	[BACKUP_A_TYPE] = { .type = NLA_U8 },
	[BACKUP_A_KEY] = { .type = NLA_UNSPEC, .minlen = 1, .maxlen = STORE_RECORD_KEY_MAX },
	[BACKUP_A_VALUE] = { .type = NLA_UNSPEC },
	[BACKUP_A_SECRET] = { .type = NLA_UNSPEC },
};

size_t backup_record_size(const struct store_record *r)
{
	return (size_t)nla_total_size(0) + (size_t)nla_total_size(1) +
	       (size_t)nla_total_size((int)r->key_len) + (size_t)nla_total_size((int)r->value_len) +
	       (r->secret ? (size_t)nla_total_size((int)r->secret_len) : 0);
}

int backup_put_record(struct nl_msg *msg, const struct store_record *r)
{
	struct nlattr *nest = nla_nest_start(msg, BACKUP_A_RECORD);

	if (!nest || nla_put_u8(msg, BACKUP_A_TYPE, r->type) ||
	    nla_put(msg, BACKUP_A_KEY, (int)r->key_len, r->key) ||
	    nla_put(msg, BACKUP_A_VALUE, (int)r->value_len, r->value) ||
	    (r->secret && nla_put(msg, BACKUP_A_SECRET, (int)r->secret_len, r->secret)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int backup_get_record(struct nlattr *nest, struct store_record *r, struct cs_err *err)
{
	struct nlattr *tb[BACKUP_A_MAX + 1];
	int ret = nla_type(nest) == BACKUP_A_RECORD
		  ? nla_parse_nested(tb, BACKUP_A_MAX, nest, backup_policy) : -1;

	if (ret < 0 || !tb[BACKUP_A_TYPE] || !tb[BACKUP_A_KEY] || !tb[BACKUP_A_VALUE])
		return cs_err_set(err, EBADMSG, "the backup holds a malformed record");
	*r = (struct store_record){
		.type = nla_get_u8(tb[BACKUP_A_TYPE]),
		.key = nla_data(tb[BACKUP_A_KEY]),
		.key_len = (size_t)nla_len(tb[BACKUP_A_KEY]),
		.value = nla_data(tb[BACKUP_A_VALUE]),
		.value_len = (size_t)nla_len(tb[BACKUP_A_VALUE]),
	};
	if (tb[BACKUP_A_SECRET]) {
		r->secret = nla_data(tb[BACKUP_A_SECRET]);
		r->secret_len = (size_t)nla_len(tb[BACKUP_A_SECRET]);
	}
	return 0;
}
