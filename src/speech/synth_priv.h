/* Synthesis engines' private interface: what an engine implements to be registered. */
#ifndef PERMANENCE_SPEECH_SYNTH_PRIV_H
#define PERMANENCE_SPEECH_SYNTH_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "speech.h"

/* Longest audio one synthesis call may produce, in seconds; past it the call fails. */
#define SYNTH_MAX_SECONDS 300u

struct speech_synth_ops {
	const char *name;
	const char *const *languages; /* NULL-terminated */
	/* Open the engine; *state is private to it. Returns 0 or an errno value and writes a
	 * message to error (SPEECH_ERROR_MAX bytes) on failure. */
	int (*open)(void **state, char *error);
	void (*close)(void *state);
	/* Synthesise normalised, valid UTF-8 text at the engine's own rate. */
	int (*synthesize)(void *state, const char *text, const char *lang, const char *voice,
			  struct speech_audio *audio, char *error);
	/* Optional: phoneme transcription into a malloc'd string. */
	int (*phonemes)(void *state, const char *text, const char *lang, const char *voice,
			char **phonemes, char *error);
};

extern const struct speech_synth_ops speech_synth_espeak_ops;
extern const struct speech_synth_ops speech_synth_flite_ops;

bool speech_text_utf8_valid(const char *text);

/*
 * A growable sample buffer with a hard maximum, for engines that deliver audio in
 * pieces. speech_pcm_append() returns 0, EFBIG past max samples, or ENOMEM.
 */
struct speech_pcm {
	int16_t *samples;
	size_t count;
	size_t capacity;
	size_t max;
};

int speech_pcm_append(struct speech_pcm *pcm, const int16_t *samples, size_t count);

#endif
