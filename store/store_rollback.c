/* The store's generation bound to a monotonic counter off the partition
 * (FORMAT.md, "Rollback").  An internal record says which counter value,
 * c0, goes with its own generation, g0; generation g goes with
 * c0 + g - g0.  A mount compares the counter with that value: lower, it
 * catches up (a cut before the advance); higher, the flash is older than
 * the counter and changes are refused until an administrator accepts it. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "counter.h"
#include "store_int.h"

static const char binding_name[] = "rollback counter";

struct store_record rollback_binding(uint64_t c0, uint8_t value[8])
{
	for (int i = 0; i < 8; i++)
		value[i] = (uint8_t)(c0 >> 8 * i);
	return (struct store_record){ STORE_REC_INTERNAL, binding_name, sizeof(binding_name),
				      value, 8, NULL, 0 };
}

/* The counter value that goes with the store's generation; false if the
 * store holds no binding. */
static bool expected(struct store *s, uint64_t *value)
{
	const struct rec *r = index_find(s, STORE_REC_INTERNAL, binding_name,
					 sizeof(binding_name));
	uint64_t c0 = 0;

	if (!r || r->value_len != 8)
		return false;
	for (int i = 7; i >= 0; i--)
		c0 = c0 << 8 | rec_data(r)[r->key_len + i];
	*value = c0 + (s->gen - r->gen);
	return true;
}

__attribute__((format(printf, 3, 4)))
static void say(struct store *s, enum store_rollback state, const char *fmt, ...)
{
	va_list ap;

	s->rollback = state;
	va_start(ap, fmt);
	vsnprintf(s->rollback_reason, sizeof(s->rollback_reason), fmt, ap);
	va_end(ap);
	store_report(s, STORE_EVENT_ROLLBACK, UINT32_MAX, 1, s->rollback_reason);
}

int rollback_advance(struct store *s)
{
	struct cs_err err = { 0 };
	uint64_t want;
	int rc;

	if (!s->counter || changes_refused(s) || !expected(s, &want))
		return 0;
	s->counter_expected = want;
	rc = counter_advance(s->counter, want, &err);
	if (rc) {
		say(s, STORE_ROLLBACK_LAGGING, "%s not advanced to %" PRIu64 " after a commit "
		    "(durable; the next commit tries again): %s", s->counter->name, want,
		    err.msg);
		return rc;
	}
	s->counter_value = want;
	s->rollback = STORE_ROLLBACK_OK;
	s->rollback_reason[0] = '\0';
	return 0;
}

enum rollback_action rollback_judge(struct store *s)
{
	struct cs_err err = { 0 };
	uint64_t c, want = 0;
	bool bound;

	s->rollback = s->counter ? STORE_ROLLBACK_OK : STORE_ROLLBACK_OFF;
	if (!s->counter)
		return ROLLBACK_NOTHING;
	if (counter_read(s->counter, &c, &err)) {
		say(s, STORE_ROLLBACK_UNAVAILABLE, "changes refused: the rollback counter cannot "
		    "be read: %s", err.msg);
		return ROLLBACK_NOTHING;
	}
	bound = expected(s, &want);
	s->counter_value = c;
	s->counter_expected = want;
	if (!bound && !c)
		return ROLLBACK_BIND;		/* the counter's first use */
	if (!bound)
		say(s, STORE_ROLLBACK_UNBOUND, "changes refused: this store was never bound to %s, "
		    "which is in use (%" PRIu64 "): an older image, or one made elsewhere? "
		    "credctl store accept-rollback takes it", s->counter->name, c);
	else if (!c)
		say(s, STORE_ROLLBACK_DETECTED, "changes refused: %s reads 0 (reset, or another "
		    "one) but this store is bound to it at %" PRIu64 "; credctl store "
		    "accept-rollback takes it", s->counter->name, want);
	else if (c > want && s->lost_commits)
		say(s, STORE_ROLLBACK_DETECTED, "changes refused: the flash is older than %s by %"
		    PRIu64 " generation(s): %" PRIu64 " commit(s) were lost to unreadable pages; "
		    "credctl store accept-rollback takes it as it is", s->counter->name, c - want,
		    s->lost_commits);
	else if (c > want)
		say(s, STORE_ROLLBACK_DETECTED, "changes refused: the flash is older than %s by %"
		    PRIu64 " generation(s) (an older image written back, or the log cut short); "
		    "credctl store accept-rollback takes it", s->counter->name, c - want);
	else if (c < want && rollback_advance(s) == -ERANGE)
		return ROLLBACK_BIND;		/* too far behind to catch up */
	return ROLLBACK_NOTHING;
}

void rollback_bind_failed(struct store *s, const char *why)
{
	say(s, STORE_ROLLBACK_UNBOUND, "changes refused: binding this store to %s failed (%s); "
	    "credctl store accept-rollback tries again", s->counter->name, why);
}

void rollback_skip_generations(struct store *s, uint64_t c)
{
	uint64_t want;

	if (expected(s, &want) && c > want)
		s->gen += c - want;
}

int rollback_refuses(struct store *s)
{
	return changes_refused(s) ? cs_err_set(s->err, EROFS, "%s", s->rollback_reason) : 0;
}
