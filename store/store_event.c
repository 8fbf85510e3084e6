/* The store's events (store.h, struct store_event): each is counted for
 * store_status and told to the user's hook as it happens. */
#include "store_int.h"

void store_report(struct store *s, enum store_event_kind kind, uint32_t block, uint32_t count,
		  const char *reason)
{
	struct store_event ev = { .kind = kind, .eraseblock = block, .count = count,
				  .reason = reason };

	switch (kind) {
	case STORE_EVENT_RETIRED:	/* counted from the blocks' states */
		break;
	case STORE_EVENT_RELOCATED:
		s->relocations += count;
		break;
	case STORE_EVENT_SCRUBBED:
		s->scrubs += count;
		break;
	case STORE_EVENT_LOST:
		s->lost_commits += count;
		break;
	case STORE_EVENT_TAMPERED:
		s->tampered += count;
		break;
	case STORE_EVENT_ROLLBACK:	/* store_status.rollback says it */
		break;
	}
	if (s->on_event)
		s->on_event(&ev, s->event_arg);
}
