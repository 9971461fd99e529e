/*
 * Prompt cache: synthesised 8 kHz PCM by (engine, voice, language, sentence text),
 * bounded in bytes, least recently used entries evicted first. Thread-safe: one mutex
 * guards the table, and lookups return a copy, so no entry is ever shared.
 *
 * Synthesis caches sentence by sentence (speech_synth_stream() with a cache), so a fixed
 * prompt given to speech_cache_warm() is found again when a reply contains it as one of
 * its sentences.
 */
#ifndef PERMANENCE_SPEECH_PROMPT_CACHE_H
#define PERMANENCE_SPEECH_PROMPT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "speech.h"

struct speech_cache;
struct speech_synth;

struct speech_cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t insertions;
	uint64_t evictions;
	size_t entries;
	size_t bytes;     /* audio, keys and bookkeeping, as counted against the maximum */
	size_t max_bytes;
};

/* Create an empty cache holding at most max_bytes. Returns 0, EINVAL for 0, ENOMEM. */
int speech_cache_create(struct speech_cache **cachep, size_t max_bytes);
void speech_cache_destroy(struct speech_cache *cache);

/*
 * Copy the audio stored for the key into *audio (malloc'd, 8 kHz) and mark the entry
 * as recently used. voice NULL stands for the engine's default voice. Returns 0 on a hit,
 * ENOENT on a miss, EINVAL for a NULL key part, ENOMEM. Counts a hit or a miss.
 */
int speech_cache_get(struct speech_cache *cache, const char *engine, const char *voice,
		     const char *lang, const char *text, struct speech_audio *audio);

/*
 * Store a copy of 8 kHz samples for the key, replacing an older entry, and evict the
 * least recently used entries until the total fits. Returns 0, EFBIG when the entry
 * alone is larger than the cache, EINVAL, ENOMEM.
 */
int speech_cache_put(struct speech_cache *cache, const char *engine, const char *voice,
		     const char *lang, const char *text, const int16_t *samples, size_t count);

void speech_cache_get_stats(struct speech_cache *cache, struct speech_cache_stats *stats);

/*
 * Synthesise the fixed prompts with synth (on the calling thread, which must be the only
 * one using synth) and store each of their sentences. Returns 0, or the first error of
 * speech_synth_stream(); *failed (may be NULL) receives the index of the prompt that
 * failed.
 */
int speech_cache_warm(struct speech_cache *cache, struct speech_synth *synth, const char *lang,
		      const char *voice, const char *const *texts, size_t count, size_t *failed);

#endif
