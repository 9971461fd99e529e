/*
 * flite engine, English only. flite's voices are registered process-wide (registering a
 * voice twice returns the same object), so synth.c lets a process open it once.
 */
#include "synth_priv.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flite/flite.h>

/* flite's voice libraries export these without a header. */
cst_voice *register_cmu_us_slt(const char *voxdir);
void unregister_cmu_us_slt(cst_voice *voice);
cst_voice *register_cmu_us_rms(const char *voxdir);
void unregister_cmu_us_rms(cst_voice *voice);
cst_voice *register_cmu_us_awb(const char *voxdir);
void unregister_cmu_us_awb(cst_voice *voice);
cst_voice *register_cmu_us_kal(const char *voxdir);
void unregister_cmu_us_kal(cst_voice *voice);

static const char *const flite_languages[] = {"en", NULL};

struct flite_voice {
	const char *name;
	cst_voice *(*register_voice)(const char *voxdir);
	void (*unregister_voice)(cst_voice *voice);
};

static const struct flite_voice flite_voices[] = {
	{"slt", register_cmu_us_slt, unregister_cmu_us_slt},
	{"rms", register_cmu_us_rms, unregister_cmu_us_rms},
	{"awb", register_cmu_us_awb, unregister_cmu_us_awb},
	{"kal", register_cmu_us_kal, unregister_cmu_us_kal},
};

#define FLITE_VOICE_COUNT (sizeof(flite_voices) / sizeof(flite_voices[0]))

/* Voices are registered when first used: each holds several megabytes. */
struct flite_state {
	cst_voice *voices[FLITE_VOICE_COUNT];
};

static int flite_open(void **statep, char *error)
{
	struct flite_state *state = calloc(1, sizeof(*state));

	if (!state)
		return ENOMEM;
	flite_init();
	*statep = state;
	return 0;
}

static void flite_close(void *statep)
{
	struct flite_state *state = statep;

	for (size_t i = 0; i < FLITE_VOICE_COUNT; i++)
		if (state->voices[i])
			flite_voices[i].unregister_voice(state->voices[i]);
	free(state);
}

static int flite_voice_get(struct flite_state *state, const char *name, cst_voice **voice,
			   char *error)
{
	if (!name)
		name = "slt";
	for (size_t i = 0; i < FLITE_VOICE_COUNT; i++) {
		if (strcmp(flite_voices[i].name, name) != 0)
			continue;
		if (!state->voices[i])
			state->voices[i] = flite_voices[i].register_voice(NULL);
		if (!state->voices[i]) {
			snprintf(error, SPEECH_ERROR_MAX, "flite voice %s could not be loaded", name);
			return EIO;
		}
		*voice = state->voices[i];
		return 0;
	}
	snprintf(error, SPEECH_ERROR_MAX, "unknown flite voice '%s'; use slt, rms, awb or kal",
		 name);
	return ENOENT;
}

static int flite_synthesize(void *statep, const char *text, const char *lang, const char *voice,
			    struct speech_audio *audio, char *error)
{
	struct flite_state *state = statep;
	jmp_buf on_error;
	jmp_buf *saved = cst_errjmp;
	cst_voice *selected;
	cst_wave *volatile wave = NULL;
	size_t count;
	int err;

	err = flite_voice_get(state, voice, &selected, error);
	if (err)
		return err;
	/* flite reports internal errors through cst_error(), which exits the process unless
	 * cst_errjmp is set. */
	cst_errjmp = &on_error;
	if (setjmp(on_error) == 0)
		wave = flite_text_to_wave(text, selected);
	cst_errjmp = saved;
	if (!wave || wave->num_samples < 0 || wave->num_channels != 1 || wave->sample_rate <= 0) {
		if (wave)
			delete_wave(wave);
		snprintf(error, SPEECH_ERROR_MAX, "flite synthesis failed");
		return EIO;
	}
	count = (size_t)wave->num_samples;
	if (count > (size_t)SYNTH_MAX_SECONDS * (size_t)wave->sample_rate) {
		delete_wave(wave);
		snprintf(error, SPEECH_ERROR_MAX, "speech longer than %u seconds",
			 SYNTH_MAX_SECONDS);
		return EFBIG;
	}
	audio->samples = malloc((count ? count : 1) * sizeof(int16_t));
	if (!audio->samples) {
		delete_wave(wave);
		return ENOMEM;
	}
	if (count)
		memcpy(audio->samples, wave->samples, count * sizeof(int16_t));
	audio->count = count;
	audio->rate = (unsigned)wave->sample_rate;
	delete_wave(wave);
	return 0;
}

const struct speech_synth_ops speech_synth_flite_ops = {
	.name = "flite",
	.languages = flite_languages,
	.open = flite_open,
	.close = flite_close,
	.synthesize = flite_synthesize,
	.phonemes = NULL,
};
