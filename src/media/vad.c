/* Voice activity and end-of-speech detection: see vad.h for the rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vad.h"

/* Gaps of up to this many frames do not break an onset candidate. */
#define ONSET_GAP_FRAMES 2
/* A candidate that has not become speech after onset plus this many frames restarts. */
#define CANDIDATE_EXTRA_FRAMES 25
/* Trailing silence kept at the end of an utterance. */
#define TAIL_FRAMES 10
/* Speech frames that fit in the utterance buffer before it first grows (1 s). */
#define INITIAL_SPEECH_FRAMES 50

struct media_vad {
	struct media_vad_settings settings;
	struct media_analyser analyser;
	struct media_floor floor;

	/* Settings in frames. */
	unsigned onset_frames;
	unsigned preroll_frames;
	unsigned candidate_max;
	unsigned max_frames;
	unsigned no_input_frames;

	/* Recent frames for the pre-roll: a ring of history_frames frames. */
	int16_t *history;
	unsigned history_frames;
	unsigned history_next;
	unsigned history_count;

	/* Onset candidate while in silence. */
	unsigned candidate_frames;   /* frames since the candidate's first speech frame */
	unsigned candidate_speech;   /* speech frames among them */
	unsigned candidate_voiced;   /* voiced frames among them */
	unsigned candidate_gap;      /* trailing non-speech frames */

	/* Utterance. */
	bool in_speech;
	bool finished;               /* an ended utterance is readable until the next frame */
	int16_t *utterance;
	size_t utterance_count;      /* samples */
	size_t utterance_allocated;  /* samples; grows up to utterance_capacity */
	size_t utterance_capacity;   /* samples: pre-roll, onset and max_utterance_ms */
	size_t speech_end;           /* samples up to the end of the last speech frame */
	unsigned utterance_frames;
	unsigned speech_frames;
	unsigned silence_frames;

	/* No-input count. */
	bool expecting;
	unsigned waited_frames;
};

void media_vad_settings_default(struct media_vad_settings *s)
{
	s->threshold_db = 10.0;
	s->continue_db = 6.0;
	s->min_level_db = -55.0;
	s->initial_floor_db = -60.0;
	s->voicing = 0.5;
	s->onset_ms = 60;
	s->preroll_ms = 300;
	s->short_silence_ms = 400;
	s->long_silence_ms = 900;
	s->short_speech_ms = 600;
	s->long_speech_ms = 2500;
	s->max_utterance_ms = 15000;
	s->no_input_ms = 6000;
	s->noise_window_ms = 2000;
}

static int out_of_bounds(char *error, size_t size, const char *name, double value, double low,
			 double high)
{
	if (size > 0)
		snprintf(error, size, "invalid VAD setting %s = %g: expected %g to %g", name,
			 value, low, high);
	return EINVAL;
}

#define CHECK_RANGE(field, low, high)                                                    \
	do {                                                                             \
		double value_ = (double)s->field;                                     \
		if (!(value_ >= (double)(low) && value_ <= (double)(high)))           \
			return out_of_bounds(error, error_size, #field, value_,       \
					     (double)(low), (double)(high));          \
	} while (0)

int media_vad_settings_check(const struct media_vad_settings *s, char *error,
			     size_t error_size)
{
	CHECK_RANGE(threshold_db, 3.0, 30.0);
	CHECK_RANGE(continue_db, 1.0, s->threshold_db);
	CHECK_RANGE(min_level_db, -80.0, -20.0);
	CHECK_RANGE(initial_floor_db, -90.0, -30.0);
	CHECK_RANGE(voicing, 0.1, 0.95);
	CHECK_RANGE(onset_ms, 20, 500);
	CHECK_RANGE(preroll_ms, 0, 1000);
	CHECK_RANGE(short_silence_ms, 100, 3000);
	CHECK_RANGE(long_silence_ms, s->short_silence_ms, 5000);
	CHECK_RANGE(short_speech_ms, 100, 10000);
	CHECK_RANGE(long_speech_ms, s->short_speech_ms, 30000);
	CHECK_RANGE(max_utterance_ms, 1000, 60000);
	if (s->no_input_ms != 0)
		CHECK_RANGE(no_input_ms, 500, 60000);
	CHECK_RANGE(noise_window_ms, 400, 10000);
	if (error_size > 0)
		error[0] = '\0';
	return 0;
}

int media_vad_create(struct media_vad **vadp, const struct media_vad_settings *settings)
{
	struct media_vad *vad;
	struct media_vad_settings defaults;
	int err;

	*vadp = NULL;
	if (!settings) {
		media_vad_settings_default(&defaults);
		settings = &defaults;
	}
	err = media_vad_settings_check(settings, NULL, 0);
	if (err)
		return err;
	vad = calloc(1, sizeof(*vad));
	if (!vad)
		return ENOMEM;
	vad->settings = *settings;
	vad->onset_frames = MEDIA_MS_TO_FRAMES(settings->onset_ms);
	vad->preroll_frames = MEDIA_MS_TO_FRAMES(settings->preroll_ms);
	vad->candidate_max = vad->onset_frames + CANDIDATE_EXTRA_FRAMES;
	vad->max_frames = MEDIA_MS_TO_FRAMES(settings->max_utterance_ms);
	vad->no_input_frames = MEDIA_MS_TO_FRAMES(settings->no_input_ms);
	vad->history_frames = vad->preroll_frames + vad->candidate_max + 1;
	vad->utterance_capacity =
		(size_t)(vad->history_frames + vad->max_frames) * MEDIA_FRAME_SAMPLES;

	/* Room for an onset, its pre-roll and a second of speech. Most turns are short, so
	 * only the longest reach the maximum (about 250 KB at the default 15 s). */
	vad->utterance_allocated = (size_t)(vad->history_frames + INITIAL_SPEECH_FRAMES) *
				   MEDIA_FRAME_SAMPLES;
	if (vad->utterance_allocated > vad->utterance_capacity)
		vad->utterance_allocated = vad->utterance_capacity;
	vad->history = calloc((size_t)vad->history_frames * MEDIA_FRAME_SAMPLES, sizeof(int16_t));
	vad->utterance = malloc(vad->utterance_allocated * sizeof(int16_t));
	if (!vad->history || !vad->utterance) {
		media_vad_destroy(vad);
		return ENOMEM;
	}
	media_analyser_reset(&vad->analyser);
	media_floor_init(&vad->floor, settings->noise_window_ms, settings->initial_floor_db);
	*vadp = vad;
	return 0;
}

void media_vad_destroy(struct media_vad *vad)
{
	if (!vad)
		return;
	free(vad->history);
	free(vad->utterance);
	free(vad);
}

static void candidate_clear(struct media_vad *vad)
{
	vad->candidate_frames = 0;
	vad->candidate_speech = 0;
	vad->candidate_voiced = 0;
	vad->candidate_gap = 0;
}

void media_vad_reset(struct media_vad *vad)
{
	candidate_clear(vad);
	vad->in_speech = false;
	vad->finished = false;
	vad->utterance_count = 0;
	vad->history_count = 0;
}

void media_vad_expect_input(struct media_vad *vad)
{
	vad->expecting = vad->no_input_frames > 0;
	vad->waited_frames = 0;
}

void media_vad_cancel_input(struct media_vad *vad)
{
	vad->expecting = false;
}

static void history_push(struct media_vad *vad, const int16_t *frame)
{
	memcpy(vad->history + (size_t)vad->history_next * MEDIA_FRAME_SAMPLES, frame,
	       MEDIA_FRAME_SAMPLES * sizeof(int16_t));
	vad->history_next = (vad->history_next + 1) % vad->history_frames;
	if (vad->history_count < vad->history_frames)
		vad->history_count++;
}

/* Open an utterance with the candidate and the pre-roll before it, oldest frame first. */
static void utterance_open(struct media_vad *vad)
{
	unsigned frames = vad->candidate_frames + vad->preroll_frames;

	if (frames > vad->history_count)
		frames = vad->history_count;
	vad->utterance_count = 0;
	for (unsigned i = 0; i < frames; i++) {
		unsigned slot = (vad->history_next + vad->history_frames - frames + i) %
				vad->history_frames;

		memcpy(vad->utterance + vad->utterance_count,
		       vad->history + (size_t)slot * MEDIA_FRAME_SAMPLES,
		       MEDIA_FRAME_SAMPLES * sizeof(int16_t));
		vad->utterance_count += MEDIA_FRAME_SAMPLES;
	}
	vad->speech_end = vad->utterance_count - (size_t)vad->candidate_gap * MEDIA_FRAME_SAMPLES;
	vad->utterance_frames = vad->candidate_frames;
	vad->speech_frames = vad->candidate_speech;
	vad->silence_frames = vad->candidate_gap;
	vad->in_speech = true;
	vad->expecting = false;
	candidate_clear(vad);
}

/* Trailing silence that ends the turn, in frames, after `speech` frames of speech. */
static unsigned end_silence_frames(const struct media_vad *vad, unsigned speech)
{
	const struct media_vad_settings *s = &vad->settings;
	unsigned speech_ms = speech * MEDIA_FRAME_MS;
	unsigned silence_ms;

	if (speech_ms <= s->short_speech_ms) {
		silence_ms = s->short_silence_ms;
	} else if (speech_ms >= s->long_speech_ms) {
		silence_ms = s->long_silence_ms;
	} else {
		double t = (double)(speech_ms - s->short_speech_ms) /
			   (double)(s->long_speech_ms - s->short_speech_ms);

		silence_ms = s->short_silence_ms +
			     (unsigned)(t * (s->long_silence_ms - s->short_silence_ms));
	}
	return MEDIA_MS_TO_FRAMES(silence_ms);
}

static void silence_step(struct media_vad *vad, bool speech, bool voiced,
			 struct media_vad_result *result)
{
	if (speech) {
		if (vad->candidate_frames >= vad->candidate_max)
			candidate_clear(vad);
		vad->candidate_frames++;
		vad->candidate_speech++;
		vad->candidate_gap = 0;
		if (voiced)
			vad->candidate_voiced++;
	} else if (vad->candidate_frames > 0) {
		vad->candidate_frames++;
		if (++vad->candidate_gap > ONSET_GAP_FRAMES)
			candidate_clear(vad);
	}

	if (vad->candidate_voiced >= vad->onset_frames) {
		utterance_open(vad);
		result->event = MEDIA_VAD_SPEECH_START;
		return;
	}
	if (vad->expecting && ++vad->waited_frames >= vad->no_input_frames) {
		vad->expecting = false;
		result->event = MEDIA_VAD_NO_INPUT;
		return;
	}
	result->event = MEDIA_VAD_SILENCE;
}

/* Make room for one more frame, doubling the buffer up to its capacity. */
static bool utterance_reserve(struct media_vad *vad)
{
	size_t needed = vad->utterance_count + MEDIA_FRAME_SAMPLES;
	size_t size = 2 * vad->utterance_allocated;
	int16_t *grown;

	if (needed <= vad->utterance_allocated)
		return true;
	if (size > vad->utterance_capacity)
		size = vad->utterance_capacity;
	if (size < needed)
		return false;
	grown = realloc(vad->utterance, size * sizeof(*grown));
	if (!grown)
		return false;
	vad->utterance = grown;
	vad->utterance_allocated = size;
	return true;
}

static void speech_step(struct media_vad *vad, const int16_t *frame, bool speech,
			struct media_vad_result *result)
{
	/* Out of memory, the utterance ends here as if it had reached its maximum length. */
	bool room = utterance_reserve(vad);
	size_t tail;

	if (room) {
		memcpy(vad->utterance + vad->utterance_count, frame,
		       MEDIA_FRAME_SAMPLES * sizeof(int16_t));
		vad->utterance_count += MEDIA_FRAME_SAMPLES;
	}
	vad->utterance_frames++;
	if (speech) {
		vad->speech_frames++;
		vad->silence_frames = 0;
		vad->speech_end = vad->utterance_count;
	} else {
		vad->silence_frames++;
	}

	if (vad->silence_frames >= end_silence_frames(vad, vad->speech_frames)) {
		result->event = MEDIA_VAD_SPEECH_END;
		result->end = MEDIA_VAD_END_SILENCE;
	} else if (vad->utterance_frames >= vad->max_frames || !room) {
		result->event = MEDIA_VAD_SPEECH_END;
		result->end = MEDIA_VAD_END_MAX_LENGTH;
	} else {
		result->event = MEDIA_VAD_SPEECH;
		return;
	}
	tail = vad->speech_end + (size_t)TAIL_FRAMES * MEDIA_FRAME_SAMPLES;
	if (tail < vad->utterance_count)
		vad->utterance_count = tail;
	vad->in_speech = false;
	vad->finished = true;
}

void media_vad_process(struct media_vad *vad, const int16_t *frame,
		       struct media_vad_result *result)
{
	const struct media_vad_settings *s = &vad->settings;
	double floor_db, above;
	bool speech, voiced;

	memset(result, 0, sizeof(*result));
	if (vad->finished) {
		vad->finished = false;
		vad->utterance_count = 0;
	}
	/* Periodicity counts only for speech frames, which are at least min_level_db. */
	media_analyser_run_gated(&vad->analyser, frame, s->min_level_db, &result->features);
	floor_db = media_floor_update(&vad->floor, result->features.level_db);
	above = result->features.level_db - floor_db;
	speech = result->features.level_db >= s->min_level_db &&
		 above >= (vad->in_speech ? s->continue_db : s->threshold_db);
	voiced = speech && result->features.periodicity >= s->voicing;
	history_push(vad, frame);

	if (vad->in_speech)
		speech_step(vad, frame, speech, result);
	else
		silence_step(vad, speech, voiced, result);

	result->speech_frame = speech;
	result->voiced = voiced;
	result->speech_ms = (vad->in_speech || vad->finished) ? vad->speech_frames * MEDIA_FRAME_MS
							       : 0;
	result->floor_db = floor_db;
}

const struct media_vad_settings *media_vad_settings_get(const struct media_vad *vad)
{
	return &vad->settings;
}

int media_vad_utterance(const struct media_vad *vad, const int16_t **samples, size_t *count)
{
	if (!vad->in_speech && !vad->finished) {
		*samples = NULL;
		*count = 0;
		return ENOENT;
	}
	*samples = vad->utterance;
	*count = vad->utterance_count;
	return 0;
}

const char *media_vad_event_name(enum media_vad_event event)
{
	switch (event) {
	case MEDIA_VAD_SILENCE:
		return "silence";
	case MEDIA_VAD_SPEECH_START:
		return "speech-start";
	case MEDIA_VAD_SPEECH:
		return "speech";
	case MEDIA_VAD_SPEECH_END:
		return "speech-end";
	case MEDIA_VAD_NO_INPUT:
		return "no-input";
	}
	return "unknown";
}
