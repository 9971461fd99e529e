/*
 * espeak-ng engine. espeak-ng keeps one synthesiser per process behind global state, so
 * synth.c lets a process open it once, and callers use it from one thread.
 */
#include "synth_priv.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <espeak-ng/speak_lib.h>

/* Words per minute: espeak-ng's default of 175 is fast for a telephone line. */
#define ESPEAK_WORDS_PER_MINUTE 160

/* Maximum length of a phoneme transcription, in bytes. */
#define ESPEAK_PHONEMES_MAX 65536u

static const char *const espeak_languages[] = {"fr", "en", NULL};

struct espeak_state {
	unsigned rate;
	char voice[72]; /* the voice currently selected, to skip re-selecting it */
};

/* Collects synthesised samples; user_data of every event points at it. */
struct espeak_sink {
	struct speech_pcm pcm;
	int err;
};

static int espeak_collect(short *samples, int count, espeak_EVENT *events)
{
	struct espeak_sink *sink = events ? events->user_data : NULL;

	if (!sink || !samples || count <= 0)
		return 0;
	sink->err = speech_pcm_append(&sink->pcm, samples, (size_t)count);
	return sink->err ? 1 : 0; /* 1 aborts the synthesis */
}

/*
 * espeak-ng is initialised once per process and never terminated: with 1.51,
 * espeak_Terminate() followed by a second espeak_Initialize() leaves a later
 * espeak_Terminate() waiting for ever on the library's internal thread. Its memory stays
 * reachable through the library's globals until the process exits.
 */
static pthread_once_t espeak_once = PTHREAD_ONCE_INIT;
static int espeak_rate;

static void espeak_start(void)
{
	espeak_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 0);
	if (espeak_rate > 0)
		espeak_SetSynthCallback(espeak_collect);
}

static int espeak_open(void **statep, char *error)
{
	struct espeak_state *state;
	int rate;

	state = calloc(1, sizeof(*state));
	if (!state)
		return ENOMEM;
	pthread_once(&espeak_once, espeak_start);
	rate = espeak_rate;
	if (rate <= 0) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "espeak-ng could not load its data (is espeak-ng-data installed?)");
		free(state);
		return EIO;
	}
	state->rate = (unsigned)rate;
	espeak_SetParameter(espeakRATE, ESPEAK_WORDS_PER_MINUTE, 0);
	*statep = state;
	return 0;
}

static void espeak_close(void *statep)
{
	free(statep);
}

static int espeak_select_voice(struct espeak_state *state, const char *lang, const char *voice,
			       char *error)
{
	const char *name = voice ? voice : strcmp(lang, "fr") == 0 ? "fr" : "en-us";
	espeak_ERROR rc;

	if (strcmp(state->voice, name) == 0)
		return 0;
	rc = espeak_SetVoiceByName(name);
	if (rc != EE_OK) {
		/* Not a voice name ("en-us", "fr", "en-us+f3"): try it as a language tag, so
		 * "en-gb" or "fr-fr" select the voice for that language. */
		espeak_VOICE wanted = {.languages = name};

		rc = espeak_SetVoiceByProperties(&wanted);
	}
	if (rc != EE_OK) {
		state->voice[0] = '\0';
		snprintf(error, SPEECH_ERROR_MAX,
			 "unknown espeak-ng voice '%s' ('espeak-ng --voices' lists them)", name);
		return ENOENT;
	}
	snprintf(state->voice, sizeof(state->voice), "%s", name);
	/* Selecting a voice resets the speaking rate. */
	espeak_SetParameter(espeakRATE, ESPEAK_WORDS_PER_MINUTE, 0);
	return 0;
}

static int espeak_synthesize(void *statep, const char *text, const char *lang, const char *voice,
			     struct speech_audio *audio, char *error)
{
	struct espeak_state *state = statep;
	struct espeak_sink sink = {{NULL, 0, 0, (size_t)SYNTH_MAX_SECONDS * state->rate}, 0};
	espeak_ERROR rc;
	int err;

	err = espeak_select_voice(state, lang, voice, error);
	if (err)
		return err;
	rc = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL,
			  &sink);
	if (sink.err == EFBIG) {
		snprintf(error, SPEECH_ERROR_MAX, "speech longer than %u seconds",
			 SYNTH_MAX_SECONDS);
		err = EFBIG;
	} else if (sink.err) {
		err = sink.err;
	} else if (rc != EE_OK) {
		snprintf(error, SPEECH_ERROR_MAX, "espeak-ng synthesis failed (error %d)", (int)rc);
		err = EIO;
	}
	if (err) {
		free(sink.pcm.samples);
		return err;
	}
	audio->samples = sink.pcm.samples;
	audio->count = sink.pcm.count;
	audio->rate = state->rate;
	return 0;
}

static int espeak_phonemes(void *statep, const char *text, const char *lang, const char *voice,
			   char **phonemesp, char *error)
{
	struct espeak_state *state = statep;
	const void *cursor = text;
	size_t len = 0;
	char *out;
	int err;

	err = espeak_select_voice(state, lang, voice, error);
	if (err)
		return err;
	out = malloc(ESPEAK_PHONEMES_MAX);
	if (!out)
		return ENOMEM;
	out[0] = '\0';
	/* espeak_TextToPhonemes() returns one clause per call and advances the cursor. */
	while (cursor) {
		const char *clause = espeak_TextToPhonemes(&cursor, espeakCHARS_UTF8, 0);
		size_t clause_len = clause ? strlen(clause) : 0;

		if (clause_len == 0)
			continue;
		if (len + clause_len + 2 > ESPEAK_PHONEMES_MAX) {
			free(out);
			snprintf(error, SPEECH_ERROR_MAX, "phoneme output longer than %u bytes",
				 ESPEAK_PHONEMES_MAX);
			return EFBIG;
		}
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, clause, clause_len + 1);
		len += clause_len;
	}
	*phonemesp = out;
	return 0;
}

const struct speech_synth_ops speech_synth_espeak_ops = {
	.name = "espeak-ng",
	.languages = espeak_languages,
	.open = espeak_open,
	.close = espeak_close,
	.synthesize = espeak_synthesize,
	.phonemes = espeak_phonemes,
};
