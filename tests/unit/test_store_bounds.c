/* Bounded decoding: a commit whose CRC and MAC are right (a writer with the
 * key and a bug) but whose operations break
 * the format's limits (a length past STORE_VALUE_MAX or STORE_SECRET_MAX,
 * a seal shorter than its overhead, an unknown type or flag, an op count
 * that disagrees with the payload, a part marker of an impossible shape)
 * is refused whole at mount: counted in lost_commits, nothing of it
 * applied, no read past a buffer (ASan and UBSan watch the reads and
 * iteration that follow), and the store takes commits after it.  Each
 * case (tests/attack/malformed.c) is a libFuzzer seed too. */
#include "attack.h"
#include "insider.h"
#include "malformed.h"
#include "store_helpers.h"
#include "tap.h"

#define ROOM	(96 * 1024)

static int touch(const struct store_record *r, void *arg)
{
	*(size_t *)arg += r->value_len + r->secret_len;
	return 0;
}

static void refused(const struct malformed *b)
{
	struct fixture fx;
	static uint8_t payload[ROOM];
	struct store_record r;
	struct store_status st = { 0 };
	size_t bytes = 0;
	uint16_t ops;
	uint32_t len = b->craft(payload, ROOM, &ops);
	int rc;

	fixture_open(&fx, test_nand(8), NULL);
	test_put(fx.s, STORE_REC_DEVICE, "honest", "value", "secret");
	store_unmount(fx.s);
	fx.s = NULL;
	/* written so by someone with the key: the MAC does not stop it */
	rc = attack_append(fx.f, payload, len, ops) || insider_reseal(fx.f, fx.o.key);
	fx.s = test_mount(fx.f, &fx.o, false);
	if (fx.s) {
		store_status(fx.s, &st);
		for (uint8_t t = 1; t <= STORE_REC_TYPE_MAX; t++)
			store_iterate(fx.s, t, NULL, 0, touch, &bytes, NULL);
	}
	ok(!rc && fx.s && st.lost_commits == 1 &&
	   store_get(fx.s, STORE_REC_DEVICE, MALFORMED_KEY, strlen(MALFORMED_KEY), &r,
		     NULL) == -ENOENT &&
	   test_has(fx.s, STORE_REC_DEVICE, "honest", "value", "secret") &&
	   !test_put(fx.s, STORE_REC_DEVICE, "after", "value", NULL),
	   "%s: the commit is refused whole, the rest is read and the store takes commits",
	   b->what);
	fixture_close(&fx);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < malformed_count; i++)
		refused(&malformed_payloads[i]);
	return tap_done();
}
