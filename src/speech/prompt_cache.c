#include "prompt_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

/* Key parts are joined with the unit separator, which no voice or text contains. */
#define KEY_SEPARATOR '\x1f'

struct cache_entry {
	struct cache_entry *next_in_bucket;
	struct cache_entry *newer, *older; /* recency list */
	uint64_t hash;
	char *key;
	size_t key_len;
	int16_t *samples;
	size_t count;
	size_t bytes;
};

struct speech_cache {
	pthread_mutex_t lock;
	struct cache_entry **buckets;
	size_t bucket_count; /* a power of two */
	struct cache_entry *newest, *oldest;
	struct speech_cache_stats stats;
};

static uint64_t fnv1a(const char *data, size_t len)
{
	uint64_t hash = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		hash ^= (unsigned char)data[i];
		hash *= 0x100000001b3ull;
	}
	return hash;
}

static char *make_key(const char *engine, const char *voice, const char *lang, const char *text,
		      size_t *len)
{
	const char *parts[4] = {engine, voice ? voice : "", lang, text};
	size_t total = 0, at = 0;
	char *key;

	for (int i = 0; i < 4; i++)
		total += strlen(parts[i]) + 1;
	key = malloc(total);
	if (!key)
		return NULL;
	for (int i = 0; i < 4; i++) {
		size_t part_len = strlen(parts[i]);

		memcpy(key + at, parts[i], part_len);
		at += part_len;
		key[at++] = i < 3 ? KEY_SEPARATOR : '\0';
	}
	*len = total - 1;
	return key;
}

int speech_cache_create(struct speech_cache **cachep, size_t max_bytes)
{
	struct speech_cache *cache;

	*cachep = NULL;
	if (max_bytes == 0)
		return EINVAL;
	cache = calloc(1, sizeof(*cache));
	if (!cache)
		return ENOMEM;
	cache->bucket_count = 256;
	cache->buckets = calloc(cache->bucket_count, sizeof(*cache->buckets));
	if (!cache->buckets) {
		free(cache);
		return ENOMEM;
	}
	pthread_mutex_init(&cache->lock, NULL);
	cache->stats.max_bytes = max_bytes;
	*cachep = cache;
	return 0;
}

static void entry_free(struct cache_entry *entry)
{
	free(entry->key);
	free(entry->samples);
	free(entry);
}

void speech_cache_destroy(struct speech_cache *cache)
{
	struct cache_entry *entry, *older;

	if (!cache)
		return;
	for (entry = cache->newest; entry; entry = older) {
		older = entry->older;
		entry_free(entry);
	}
	free(cache->buckets);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

static struct cache_entry **bucket_slot(struct speech_cache *cache, uint64_t hash,
					const char *key, size_t key_len)
{
	struct cache_entry **slot = &cache->buckets[hash & (cache->bucket_count - 1)];

	while (*slot && ((*slot)->hash != hash || (*slot)->key_len != key_len ||
			 memcmp((*slot)->key, key, key_len) != 0))
		slot = &(*slot)->next_in_bucket;
	return slot;
}

static void recency_unlink(struct speech_cache *cache, struct cache_entry *entry)
{
	if (entry->newer)
		entry->newer->older = entry->older;
	else
		cache->newest = entry->older;
	if (entry->older)
		entry->older->newer = entry->newer;
	else
		cache->oldest = entry->newer;
	entry->newer = entry->older = NULL;
}

static void recency_push(struct speech_cache *cache, struct cache_entry *entry)
{
	entry->older = cache->newest;
	entry->newer = NULL;
	if (cache->newest)
		cache->newest->newer = entry;
	cache->newest = entry;
	if (!cache->oldest)
		cache->oldest = entry;
}

static void entry_remove(struct speech_cache *cache, struct cache_entry *entry)
{
	struct cache_entry **slot = bucket_slot(cache, entry->hash, entry->key, entry->key_len);

	*slot = entry->next_in_bucket;
	recency_unlink(cache, entry);
	cache->stats.entries--;
	cache->stats.bytes -= entry->bytes;
	entry_free(entry);
}

/* Double the bucket array when entries outnumber buckets; on ENOMEM keep the old one. */
static void maybe_grow(struct speech_cache *cache)
{
	size_t count = cache->bucket_count * 2;
	struct cache_entry **buckets;

	if (cache->stats.entries <= cache->bucket_count)
		return;
	buckets = calloc(count, sizeof(*buckets));
	if (!buckets)
		return;
	for (struct cache_entry *e = cache->newest; e; e = e->older) {
		struct cache_entry **slot = &buckets[e->hash & (count - 1)];

		e->next_in_bucket = *slot;
		*slot = e;
	}
	free(cache->buckets);
	cache->buckets = buckets;
	cache->bucket_count = count;
}

int speech_cache_get(struct speech_cache *cache, const char *engine, const char *voice,
		     const char *lang, const char *text, struct speech_audio *audio)
{
	struct cache_entry *entry;
	size_t key_len;
	uint64_t hash;
	char *key;
	int err = 0;

	memset(audio, 0, sizeof(*audio));
	audio->rate = SPEECH_RATE;
	if (!engine || !lang || !text)
		return EINVAL;
	key = make_key(engine, voice, lang, text, &key_len);
	if (!key)
		return ENOMEM;
	hash = fnv1a(key, key_len);

	pthread_mutex_lock(&cache->lock);
	entry = *bucket_slot(cache, hash, key, key_len);
	if (!entry) {
		cache->stats.misses++;
		err = ENOENT;
		goto out;
	}
	audio->samples = malloc((entry->count ? entry->count : 1) * sizeof(int16_t));
	if (!audio->samples) {
		err = ENOMEM;
		goto out;
	}
	memcpy(audio->samples, entry->samples, entry->count * sizeof(int16_t));
	audio->count = entry->count;
	recency_unlink(cache, entry);
	recency_push(cache, entry);
	cache->stats.hits++;
out:
	pthread_mutex_unlock(&cache->lock);
	free(key);
	return err;
}

int speech_cache_put(struct speech_cache *cache, const char *engine, const char *voice,
		     const char *lang, const char *text, const int16_t *samples, size_t count)
{
	struct cache_entry *entry, **slot;
	int err = 0;

	if (!engine || !lang || !text || (!samples && count > 0))
		return EINVAL;
	entry = calloc(1, sizeof(*entry));
	if (!entry)
		return ENOMEM;
	entry->key = make_key(engine, voice, lang, text, &entry->key_len);
	entry->samples = malloc((count ? count : 1) * sizeof(int16_t));
	if (!entry->key || !entry->samples) {
		entry_free(entry);
		return ENOMEM;
	}
	if (count)
		memcpy(entry->samples, samples, count * sizeof(int16_t));
	entry->count = count;
	entry->hash = fnv1a(entry->key, entry->key_len);
	entry->bytes = count * sizeof(int16_t) + entry->key_len + 1 + sizeof(*entry);

	pthread_mutex_lock(&cache->lock);
	if (entry->bytes > cache->stats.max_bytes) {
		err = EFBIG;
		goto out;
	}
	slot = bucket_slot(cache, entry->hash, entry->key, entry->key_len);
	if (*slot)
		entry_remove(cache, *slot);
	while (cache->oldest && cache->stats.bytes + entry->bytes > cache->stats.max_bytes) {
		entry_remove(cache, cache->oldest);
		cache->stats.evictions++;
	}
	slot = bucket_slot(cache, entry->hash, entry->key, entry->key_len);
	*slot = entry;
	recency_push(cache, entry);
	cache->stats.entries++;
	cache->stats.bytes += entry->bytes;
	cache->stats.insertions++;
	maybe_grow(cache);
	entry = NULL;
out:
	pthread_mutex_unlock(&cache->lock);
	if (entry)
		entry_free(entry);
	return err;
}

void speech_cache_get_stats(struct speech_cache *cache, struct speech_cache_stats *stats)
{
	pthread_mutex_lock(&cache->lock);
	*stats = cache->stats;
	pthread_mutex_unlock(&cache->lock);
}

static int discard_chunk(const struct speech_chunk *chunk, void *arg)
{
	return 0;
}

int speech_cache_warm(struct speech_cache *cache, struct speech_synth *synth, const char *lang,
		      const char *voice, const char *const *texts, size_t count, size_t *failed)
{
	for (size_t i = 0; i < count; i++) {
		int err = speech_synth_stream(synth, cache, texts[i], lang, voice, discard_chunk,
					      NULL);

		if (err) {
			if (failed)
				*failed = i;
			return err;
		}
	}
	return 0;
}
