/*
 * Speech: synthesis and recognition engines for telephone audio, the prompt cache and
 * the worker pool they run on.
 *
 * Telephone audio is 8 kHz, 16-bit, mono PCM (SPEECH_RATE). Synthesis output is
 * resampled to it; recognition input is resampled from it to what a model needs.
 * Languages are named "fr" or "en"; anything else is rejected with EINVAL.
 *
 * Errors follow the project's convention: 0 or a positive errno value. Engines keep the
 * text of their last error for people (speech_synth_error(), speech_recog_error()).
 */
#ifndef PERMANENCE_SPEECH_H
#define PERMANENCE_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sample rate of telephone audio, in Hz. */
#define SPEECH_RATE 8000u

/* Longest text given to synthesis in one request, in bytes of UTF-8. */
#define SPEECH_TEXT_MAX 4096u

/* Longest error message an engine keeps, in bytes. */
#define SPEECH_ERROR_MAX 256u

/* Mono 16-bit PCM at some rate; samples are malloc'd and freed with speech_audio_free(). */
struct speech_audio {
	int16_t *samples;
	size_t count;
	unsigned rate; /* Hz */
};

void speech_audio_free(struct speech_audio *audio);

/*
 * Resample mono PCM from in_rate to out_rate with speexdsp, into out (allocated here;
 * out->rate is set to out_rate). The output has count * out_rate / in_rate samples,
 * aligned with the input (the filter delay is removed). Equal rates copy. Returns 0,
 * EINVAL for a zero rate or NULL samples with a non-zero count, ENOMEM.
 */
int speech_resample(const int16_t *in, size_t count, unsigned in_rate, unsigned out_rate,
		    struct speech_audio *out);

/* Return true for a language this module serves: "fr" or "en". */
bool speech_lang_valid(const char *lang);

#endif
