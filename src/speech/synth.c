#include "synth.h"
#include "synth_priv.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "prompt_cache.h"

static const struct speech_synth_ops *const engines[] = {
	&speech_synth_espeak_ops,
	&speech_synth_flite_ops,
};

#define ENGINE_COUNT (sizeof(engines) / sizeof(engines[0]))

/* Engines keep process-wide state, so each may be opened once per process. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static bool engine_open[ENGINE_COUNT];

struct speech_synth {
	const struct speech_synth_ops *ops;
	size_t index;
	void *state;
	char error[SPEECH_ERROR_MAX];
};

static int engine_index(const char *name, size_t *index)
{
	/* "espeak" is accepted for "espeak-ng", the name the settings use. */
	if (name && strcmp(name, "espeak") == 0)
		name = "espeak-ng";
	for (size_t i = 0; name && i < ENGINE_COUNT; i++) {
		if (strcmp(engines[i]->name, name) == 0) {
			*index = i;
			return 0;
		}
	}
	return ENOENT;
}

bool speech_synth_engine_exists(const char *engine)
{
	size_t index;

	return engine_index(engine, &index) == 0;
}

const char *const *speech_synth_engine_names(void)
{
	static const char *names[ENGINE_COUNT + 1];

	for (size_t i = 0; i < ENGINE_COUNT; i++)
		names[i] = engines[i]->name;
	names[ENGINE_COUNT] = NULL;
	return names;
}

bool speech_synth_engine_supports(const char *engine, const char *lang)
{
	size_t index;

	if (engine_index(engine, &index) != 0 || !lang)
		return false;
	for (const char *const *l = engines[index]->languages; *l; l++)
		if (strcmp(*l, lang) == 0)
			return true;
	return false;
}

int speech_pcm_append(struct speech_pcm *pcm, const int16_t *samples, size_t count)
{
	if (count > pcm->max - pcm->count)
		return EFBIG;
	if (pcm->count + count > pcm->capacity) {
		size_t capacity = pcm->capacity ? pcm->capacity : 8192;
		int16_t *grown;

		while (capacity < pcm->count + count)
			capacity *= 2;
		if (capacity > pcm->max)
			capacity = pcm->max;
		grown = realloc(pcm->samples, capacity * sizeof(int16_t));
		if (!grown)
			return ENOMEM;
		pcm->samples = grown;
		pcm->capacity = capacity;
	}
	memcpy(pcm->samples + pcm->count, samples, count * sizeof(int16_t));
	pcm->count += count;
	return 0;
}

static int set_error(struct speech_synth *synth, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(struct speech_synth *synth, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(synth->error, sizeof(synth->error), fmt, ap);
	va_end(ap);
	return err;
}

int speech_synth_create(struct speech_synth **synthp, const char *engine)
{
	struct speech_synth *synth;
	char error[SPEECH_ERROR_MAX] = "";
	size_t index;
	int err;

	*synthp = NULL;
	if (engine_index(engine, &index) != 0) {
		log_err("speech", NULL, "unknown synthesis engine '%s'; use espeak or flite",
			engine ? engine : "(null)");
		return ENOENT;
	}
	synth = calloc(1, sizeof(*synth));
	if (!synth)
		return ENOMEM;
	synth->ops = engines[index];
	synth->index = index;

	pthread_mutex_lock(&open_lock);
	if (engine_open[index]) {
		pthread_mutex_unlock(&open_lock);
		free(synth);
		log_err("speech", NULL, "synthesis engine %s is already open in this process",
			engine);
		return EBUSY;
	}
	err = synth->ops->open(&synth->state, error);
	if (!err)
		engine_open[index] = true;
	pthread_mutex_unlock(&open_lock);
	if (err) {
		log_err("speech", NULL, "cannot open synthesis engine %s: %s", engine, error);
		free(synth);
		return err;
	}
	*synthp = synth;
	return 0;
}

void speech_synth_destroy(struct speech_synth *synth)
{
	if (!synth)
		return;
	pthread_mutex_lock(&open_lock);
	synth->ops->close(synth->state);
	engine_open[synth->index] = false;
	pthread_mutex_unlock(&open_lock);
	free(synth);
}

const char *speech_synth_name(const struct speech_synth *synth)
{
	return synth->ops->name;
}

const char *speech_synth_error(const struct speech_synth *synth)
{
	return synth->error;
}

/* Check the request and normalise the text into a buffer allocated here. */
static int prepare_text(struct speech_synth *synth, const char *text, const char *lang,
			char **normalized)
{
	size_t len;
	char *buf;
	int err;

	*normalized = NULL;
	synth->error[0] = '\0';
	if (!speech_lang_valid(lang))
		return set_error(synth, EINVAL, "invalid language '%s': use fr or en",
				 lang ? lang : "(null)");
	if (!speech_synth_engine_supports(synth->ops->name, lang))
		return set_error(synth, ENOTSUP, "engine %s has no voice for language %s",
				 synth->ops->name, lang);
	if (!text)
		return set_error(synth, EINVAL, "no text to synthesise");
	len = strlen(text);
	if (len > SPEECH_TEXT_MAX)
		return set_error(synth, EINVAL, "text of %zu bytes is longer than the maximum %u",
				 len, SPEECH_TEXT_MAX);
	if (!speech_text_utf8_valid(text))
		return set_error(synth, EINVAL, "text is not valid UTF-8");
	/* Expansions ("h" to "heures") grow the text; twice the length plus slack is ample
	 * for the rules in text.c, and ENOSPC reports the rare case where it is not. */
	buf = malloc(len * 3 + 64);
	if (!buf)
		return ENOMEM;
	err = speech_text_normalize(text, lang, buf, len * 3 + 64);
	if (err) {
		free(buf);
		return set_error(synth, err, "text too long after normalisation");
	}
	*normalized = buf;
	return 0;
}

/* True when text contains no letter or digit (bytes of multi-byte UTF-8 sequences count
 * as letters), so there is nothing to speak. */
static bool blank(const char *text)
{
	for (; *text; text++)
		if (isalnum((unsigned char)*text) || (unsigned char)*text >= 0x80)
			return false;
	return true;
}

/* Synthesise normalised text and bring it to 8 kHz. */
static int speak_normalized(struct speech_synth *synth, const char *text, const char *lang,
			    const char *voice, struct speech_audio *audio)
{
	struct speech_audio native = {0};
	int err;

	if (voice && strlen(voice) > 64)
		return set_error(synth, ENOENT, "voice name longer than 64 bytes");
	err = synth->ops->synthesize(synth->state, text, lang, voice, &native, synth->error);
	if (err)
		return err;
	err = speech_resample(native.samples, native.count, native.rate, SPEECH_RATE, audio);
	speech_audio_free(&native);
	if (err)
		return set_error(synth, err, "resampling to 8 kHz failed");
	return 0;
}

int speech_synth_speak(struct speech_synth *synth, const char *text, const char *lang,
		       const char *voice, struct speech_audio *audio)
{
	char *normalized;
	int err;

	memset(audio, 0, sizeof(*audio));
	audio->rate = SPEECH_RATE;
	err = prepare_text(synth, text, lang, &normalized);
	if (err)
		return err;
	if (blank(normalized)) {
		free(normalized);
		return set_error(synth, EINVAL, "no text to synthesise");
	}
	err = speak_normalized(synth, normalized, lang, voice, audio);
	free(normalized);
	return err;
}

/* Audio for one normalised sentence, from the cache when it has it. */
static int speak_sentence(struct speech_synth *synth, struct speech_cache *cache,
			  const char *sentence, const char *lang, const char *voice,
			  struct speech_audio *audio, bool *cached)
{
	int err;

	*cached = cache && speech_cache_get(cache, synth->ops->name, voice, lang, sentence,
					     audio) == 0;
	if (*cached)
		return 0;
	err = speak_normalized(synth, sentence, lang, voice, audio);
	if (err || !cache)
		return err;
	/* A failure to cache costs only a later synthesis: report it and go on. */
	err = speech_cache_put(cache, synth->ops->name, voice, lang, sentence, audio->samples,
			       audio->count);
	if (err)
		log_debug("speech", NULL, "sentence of %zu samples not cached: error %d",
			  audio->count, err);
	return 0;
}

int speech_synth_stream(struct speech_synth *synth, struct speech_cache *cache, const char *text,
			const char *lang, const char *voice, speech_chunk_h *chunk_h, void *arg)
{
	char sentences[2][SPEECH_TEXT_MAX + 1];
	char *current = sentences[0], *next = sentences[1];
	const char *cursor;
	char *normalized;
	unsigned index = 0;
	size_t len;
	int err;

	err = prepare_text(synth, text, lang, &normalized);
	if (err)
		return err;
	cursor = normalized;
	len = speech_text_next_sentence(&cursor, current, SPEECH_TEXT_MAX + 1);
	if (len == 0) {
		err = set_error(synth, EINVAL, "no text to synthesise");
		goto out;
	}
	/* The next sentence is found before the current one is spoken, so the chunk can
	 * tell whether it is the last; finding it is cheap next to synthesis. */
	while (len > 0) {
		struct speech_audio audio;
		struct speech_chunk chunk;
		size_t next_len = speech_text_next_sentence(&cursor, next, SPEECH_TEXT_MAX + 1);
		bool cached;
		char *swap;

		err = speak_sentence(synth, cache, current, lang, voice, &audio, &cached);
		if (err)
			goto out;
		chunk = (struct speech_chunk){audio.samples, audio.count, index++, next_len == 0,
					      cached, current};
		err = chunk_h(&chunk, arg);
		speech_audio_free(&audio);
		if (err)
			goto out;
		swap = current;
		current = next;
		next = swap;
		len = next_len;
	}
out:
	free(normalized);
	return err;
}

int speech_synth_phonemes(struct speech_synth *synth, const char *text, const char *lang,
			  const char *voice, char **phonemes)
{
	char *normalized;
	int err;

	*phonemes = NULL;
	if (!synth->ops->phonemes)
		return set_error(synth, ENOTSUP, "engine %s has no phoneme output",
				 synth->ops->name);
	err = prepare_text(synth, text, lang, &normalized);
	if (err)
		return err;
	err = synth->ops->phonemes(synth->state, normalized, lang, voice, phonemes,
				   synth->error);
	free(normalized);
	return err;
}
