/* nlfuzz: random and mutated generic netlink messages to credstore.ko,
 * for the VM's policy fuzz case (tests/vm/cases/60-nl-fuzz.sh).
 *
 *   nlfuzz SEED COUNT
 *
 * Every command number (and a few beyond), every attribute type (and a
 * few beyond), lengths around each policy's bounds, nests within nests
 * (records), NLM_F_DUMP; half the messages are well-formed records whose
 * bytes are then flipped.  Each message asks for an ACK and its answer is
 * read, so the module's error paths run to the end.  Prints how many it
 * sent and how the module answered, by errno. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/credstore.h>

#define EXTRA_CMDS	3
#define EXTRA_ATTRS	3
#define MAX_ERRNO	200

static uint64_t rng;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Lengths at the edges of the policies: fixed sizes, string limits,
 * secret, key and chain maxima, each one off. */
static size_t pick_len(void)
{
	static const size_t edges[] = { 0, 1, 2, 3, 4, 7, 8, 9, 31, 32, 33, 63, 64, 65,
					CREDSTORE_KEY_MAX, CREDSTORE_KEY_MAX + 1,
					CREDSTORE_CHAIN_MAX - 64, CREDSTORE_CHAIN_MAX + 1 };

	return next() % 3 ? edges[next() % 14] : edges[next() % (sizeof(edges) / sizeof(edges[0]))];
}

static void put_random_attrs(struct nl_msg *msg, int depth);

static void put_random_attr(struct nl_msg *msg, int depth)
{
	int type = (int)(next() % (CREDSTORE_A_MAX + 1 + EXTRA_ATTRS));
	static uint8_t data[CREDSTORE_CHAIN_MAX + 2];
	size_t len = pick_len();

	if (depth < 3 && (type == CREDSTORE_A_RECORDS || type == CREDSTORE_A_RECORD || next() % 8 == 0)) {
		struct nlattr *nest = nla_nest_start(msg, type);

		if (nest) {
			put_random_attrs(msg, depth + 1);
			nla_nest_end(msg, nest);
		}
		return;
	}
	for (size_t i = 0; i < len; i++)
		data[i] = next() % 4 ? (uint8_t)('a' + next() % 26) : (uint8_t)next();
	if (len && next() % 2)
		data[len - 1] = 0;	/* a string, often */
	nla_put(msg, type, (int)len, data);
}

static void put_random_attrs(struct nl_msg *msg, int depth)
{
	for (int n = (int)(next() % 6); n > 0; n--)
		put_random_attr(msg, depth);
}

/* A well-formed record (as a publisher sends), for mutation. */
static void put_record(struct nl_msg *msg)
{
	struct nlattr *records = nla_nest_start(msg, CREDSTORE_A_RECORDS);
	struct nlattr *rec = nla_nest_start(msg, CREDSTORE_A_RECORD);
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN] = { 1 };

	nla_put_u64(msg, CREDSTORE_A_GENERATION, 7);
	nla_put_u8(msg, CREDSTORE_A_KIND, CREDSTORE_KIND_DEVICE);
	nla_put_string(msg, CREDSTORE_A_DEVICE_ID, "fuzz");
	nla_put(msg, CREDSTORE_A_MASTER_FP, sizeof(fp), fp);
	nla_put(msg, CREDSTORE_A_MASTER_SECRET, 4, "abcd");
	nla_put_u32(msg, CREDSTORE_A_FLAGS, 0);
	nla_nest_end(msg, rec);
	nla_nest_end(msg, records);
}

static void mutate(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	uint8_t *attrs = (uint8_t *)nlmsg_data(nlh) + GENL_HDRLEN;
	int len = nlmsg_datalen(nlh) - GENL_HDRLEN;

	for (int n = 1 + (int)(next() % 4); len > 0 && n > 0; n--)
		attrs[next() % (uint32_t)len] ^= (uint8_t)(1u << (next() % 8));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	(void)nla;
	*(int *)arg = e->error;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	*(int *)arg = 0;
	return NL_STOP;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	static unsigned long by_errno[MAX_ERRNO + 1];
	unsigned long count, sent = 0, unanswered = 0;
	struct timeval tv = { 2, 0 };
	int family, result;

	if (argc != 3) {
		fprintf(stderr, "usage: nlfuzz SEED COUNT\n");
		return 2;
	}
	rng = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ULL | 1;
	count = strtoul(argv[2], NULL, 0);
	if (!sk || !cb || genl_connect(sk) < 0 ||
	    (family = genl_ctrl_resolve(sk, CREDSTORE_GENL_NAME)) < 0) {
		fprintf(stderr, "nlfuzz: no generic netlink family %s\n", CREDSTORE_GENL_NAME);
		return 1;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &result);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &result);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, &result);
	for (unsigned long i = 0; i < count; i++) {
		struct nl_msg *msg = nlmsg_alloc_size(2 * CREDSTORE_CHAIN_MAX + 4096);
		uint8_t cmd = (uint8_t)(next() % (CREDSTORE_CMD_MAX + 1 + EXTRA_CMDS));
		int flags = NLM_F_ACK | (next() % 4 == 0 ? NLM_F_DUMP : 0);
		bool mutated = next() % 2;

		if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
					 next() % 8 ? CREDSTORE_GENL_VERSION : (uint8_t)next()))
			return 1;
		if (mutated) {
			nla_put_u64(msg, CREDSTORE_A_GENERATION, next() % 16);
			put_record(msg);
			mutate(msg);
		} else {
			put_random_attrs(msg, 0);
		}
		result = 1;
		if (nl_send_auto(sk, msg) >= 0) {
			sent++;
			while (result == 1 && nl_recvmsgs(sk, cb) >= 0)
				;
		}
		nlmsg_free(msg);
		if (result == 1)
			unanswered++;
		else if (-result >= 0 && -result <= MAX_ERRNO)
			by_errno[-result]++;
	}
	printf("sent %lu, unanswered %lu\n", sent, unanswered);
	for (int e = 0; e <= MAX_ERRNO; e++)
		if (by_errno[e])
			printf("  %-28s %lu\n", e ? strerror(e) : "accepted", by_errno[e]);
	nl_socket_free(sk);
	nl_cb_put(cb);
	return unanswered == sent ? 1 : 0;
}
