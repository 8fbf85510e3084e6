#include "flash_log.h"
#include "log.h"

void flash_log_event(const struct store_event *ev, void *arg)
{
	(void)arg;
	switch (ev->kind) {
	case STORE_EVENT_RETIRED:
		log_msg(LOG_WARNING, "flash: eraseblock %u retired (marked bad) after: %s",
			ev->eraseblock, ev->reason);
		break;
	case STORE_EVENT_RELOCATED:
		log_msg(LOG_WARNING, "flash: %u segment(s) relocated after a failed program or erase "
			"on eraseblock %u: %s", ev->count, ev->eraseblock, ev->reason);
		break;
	case STORE_EVENT_SCRUBBED:
		log_msg(LOG_NOTICE, "flash: %u scrub(s) after %s on eraseblock %u", ev->count,
			ev->reason, ev->eraseblock);
		break;
	case STORE_EVENT_LOST:
		log_msg(LOG_ERR, "flash: %u commit(s) lost to %s at mount (eraseblock %u)",
			ev->count, ev->reason, ev->eraseblock);
		break;
	case STORE_EVENT_TAMPERED:
		log_msg(LOG_CRIT, "store: tampering on eraseblock %u: %s; not applied, nor what "
			"depends on it", ev->eraseblock, ev->reason);
		break;
	case STORE_EVENT_ROLLBACK:
		log_msg(LOG_CRIT, "store: %s", ev->reason);
		break;
	}
}

void flash_log_mounted(struct store *s)
{
	struct store_status st;

	store_status(s, &st);
	if (st.bad_blocks)
		log_msg(LOG_NOTICE, "flash: %u bad eraseblock(s) at mount", st.bad_blocks);
}
