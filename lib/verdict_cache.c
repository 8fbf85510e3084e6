#include <stdlib.h>
#include <string.h>

#include "verdict_cache.h"

/* Direct-mapped: fingerprints are SHA-256 digests, their first bytes are
 * as good an index as any hash. */
#define SLOTS 1024

struct slot {
	bool valid;
	uint8_t fp[CREDSTORE_FINGERPRINT_LEN];
	struct credstore_verdict verdict;
};

struct verdict_cache {
	struct credstore_events *events;
	bool stale;
	struct slot slot[SLOTS];
};

struct verdict_cache *verdict_cache_new(struct credstore *cs)
{
	struct verdict_cache *cache = calloc(1, sizeof(*cache));

	if (!cache || credstore_events_open(cs, &cache->events) < 0) {
		free(cache);
		return NULL;
	}
	return cache;
}

void verdict_cache_free(struct verdict_cache *cache)
{
	if (!cache)
		return;
	credstore_events_close(cache->events);
	free(cache);
}

static void on_event(const struct credstore_event *event, void *arg)
{
	struct verdict_cache *cache = arg;

	if (event->kind == CREDSTORE_KIND_DEVICE || event->kind == CREDSTORE_KIND_SNAPSHOT)
		cache->stale = true;
}

/* Drop every verdict if the devices changed (or if we cannot tell). */
static void sync_with_store(struct verdict_cache *cache)
{
	cache->stale = false;
	if (credstore_events_read(cache->events, on_event, cache) < 0)
		cache->stale = true;
	if (cache->stale)
		memset(cache->slot, 0, sizeof(cache->slot));
}

static struct slot *slot_of(struct verdict_cache *cache, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN])
{
	return &cache->slot[(fp[0] | fp[1] << 8) % SLOTS];
}

bool verdict_cache_lookup(struct verdict_cache *cache, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			  struct credstore_verdict *out)
{
	struct slot *s;

	sync_with_store(cache);
	s = slot_of(cache, fp);
	if (!s->valid || memcmp(s->fp, fp, CREDSTORE_FINGERPRINT_LEN) != 0)
		return false;
	*out = s->verdict;
	return true;
}

void verdict_cache_store(struct verdict_cache *cache, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
			 const struct credstore_verdict *verdict)
{
	struct slot *s = slot_of(cache, fp);

	s->valid = true;
	memcpy(s->fp, fp, CREDSTORE_FINGERPRINT_LEN);
	s->verdict = *verdict;
}
