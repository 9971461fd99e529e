/* Barge-in decisions: see bargein.h for the rule and the state diagram. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bargein.h"

/* Sent audio below this level leaves no echo worth considering. */
#define FAR_ACTIVE_DB (-50.0)
/* Weight of one frame in the per-lag mean attenuation: a memory of about 20 frames. */
#define ECHO_ALPHA 0.05
/* Voiced caller frames that make an utterance worth delivering (60 ms). */
#define DELIVER_VOICED_FRAMES 3

struct utterance {
	bool open;
	bool during_prompt;    /* started while a prompt played or its echo could be heard */
	bool stopped;          /* stopped the prompt */
	bool backchannel;      /* last caller segment in it was taken for a backchannel */
	unsigned voiced;       /* voiced caller frames with no prompt and no echo on the line */
};

struct media_bargein {
	struct media_bargein_settings settings;
	struct media_analyser analyser;
	struct media_floor floor;

	unsigned pause_frames, stop_frames, gap_frames, resume_frames;

	/*
	 * Levels of the frames sent over the last echo tail (far_db[far_next] is the oldest).
	 * For each delay in frames, lag_mean_db is the mean attenuation from the frame sent
	 * that long ago to the caller's frame. The echo's delay is where that mean is lowest.
	 */
	double *far_db;
	double *lag_mean_db;
	unsigned far_frames;
	unsigned far_next;
	unsigned echo_lag;
	double erl_db;

	enum media_bargein_state state;
	unsigned candidate_frames;
	unsigned candidate_voiced;
	unsigned candidate_gap;
	unsigned segment_frames;     /* frames since the segment's first loud frame */
	unsigned segment_span;       /* the same, up to its last loud frame */
	unsigned segment_silence;

	struct utterance utterance;
};

void media_bargein_settings_default(struct media_bargein_settings *s)
{
	s->threshold_db = 12.0;
	s->echo_margin_db = 6.0;
	s->min_level_db = -50.0;
	s->voicing = 0.5;
	s->erl_initial_db = 6.0;
	s->erl_max_db = 40.0;
	s->echo_tail_ms = 400;
	s->pause_ms = 120;
	s->stop_ms = 700;
	s->gap_ms = 100;
	s->resume_ms = 300;
	s->answer_window_ms = 2500;
	s->noise_window_ms = 2000;
}

static int out_of_bounds(char *error, size_t size, const char *name, double value, double low,
			 double high)
{
	if (size > 0)
		snprintf(error, size, "invalid barge-in setting %s = %g: expected %g to %g",
			 name, value, low, high);
	return EINVAL;
}

#define CHECK_RANGE(field, low, high)                                                    \
	do {                                                                             \
		double value_ = (double)s->field;                                     \
		if (!(value_ >= (double)(low) && value_ <= (double)(high)))           \
			return out_of_bounds(error, error_size, #field, value_,       \
					     (double)(low), (double)(high));          \
	} while (0)

int media_bargein_settings_check(const struct media_bargein_settings *s, char *error,
				 size_t error_size)
{
	CHECK_RANGE(threshold_db, 3.0, 40.0);
	CHECK_RANGE(echo_margin_db, 0.0, 30.0);
	CHECK_RANGE(min_level_db, -80.0, -20.0);
	CHECK_RANGE(voicing, 0.1, 0.95);
	CHECK_RANGE(erl_initial_db, 0.0, 40.0);
	CHECK_RANGE(erl_max_db, s->erl_initial_db, 60.0);
	CHECK_RANGE(echo_tail_ms, 20, 1000);
	CHECK_RANGE(pause_ms, 40, 1000);
	CHECK_RANGE(stop_ms, s->pause_ms, 5000);
	CHECK_RANGE(gap_ms, 0, 500);
	CHECK_RANGE(resume_ms, 60, 2000);
	CHECK_RANGE(answer_window_ms, 0, 30000);
	CHECK_RANGE(noise_window_ms, 400, 10000);
	if (error_size > 0)
		error[0] = '\0';
	return 0;
}

int media_bargein_create(struct media_bargein **bargeinp,
			 const struct media_bargein_settings *settings)
{
	struct media_bargein_settings defaults;
	struct media_bargein *b;

	*bargeinp = NULL;
	if (!settings) {
		media_bargein_settings_default(&defaults);
		settings = &defaults;
	}
	if (media_bargein_settings_check(settings, NULL, 0))
		return EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return ENOMEM;
	b->settings = *settings;
	b->pause_frames = MEDIA_MS_TO_FRAMES(settings->pause_ms);
	b->stop_frames = MEDIA_MS_TO_FRAMES(settings->stop_ms);
	b->gap_frames = settings->gap_ms / MEDIA_FRAME_MS;
	b->resume_frames = MEDIA_MS_TO_FRAMES(settings->resume_ms);
	b->far_frames = MEDIA_MS_TO_FRAMES(settings->echo_tail_ms) + 1;
	b->far_db = malloc(b->far_frames * sizeof(*b->far_db));
	b->lag_mean_db = malloc(b->far_frames * sizeof(*b->lag_mean_db));
	if (!b->far_db || !b->lag_mean_db) {
		media_bargein_destroy(b);
		return ENOMEM;
	}
	for (unsigned i = 0; i < b->far_frames; i++) {
		b->far_db[i] = MEDIA_SILENCE_DB;
		b->lag_mean_db[i] = settings->erl_initial_db;
	}
	b->erl_db = settings->erl_initial_db;
	media_analyser_reset(&b->analyser);
	media_floor_init(&b->floor, settings->noise_window_ms, -60.0);
	*bargeinp = b;
	return 0;
}

void media_bargein_destroy(struct media_bargein *bargein)
{
	if (!bargein)
		return;
	free(bargein->far_db);
	free(bargein->lag_mean_db);
	free(bargein);
}

static void candidate_clear(struct media_bargein *b)
{
	b->candidate_frames = 0;
	b->candidate_voiced = 0;
	b->candidate_gap = 0;
}

/* Level of the frame sent `lag` frames ago (0: this tick). */
static double far_at(const struct media_bargein *b, unsigned lag)
{
	unsigned newest = (b->far_next + b->far_frames - 1) % b->far_frames;

	return b->far_db[(newest + b->far_frames - lag) % b->far_frames];
}

/* Record the level sent this tick; return the loudest over the echo tail. */
static double far_update(struct media_bargein *b, const int16_t *sent)
{
	double loudest = MEDIA_SILENCE_DB;

	b->far_db[b->far_next] = sent ? media_level_db(sent, MEDIA_FRAME_SAMPLES)
				      : MEDIA_SILENCE_DB;
	b->far_next = (b->far_next + 1) % b->far_frames;
	for (unsigned i = 0; i < b->far_frames; i++)
		loudest = fmax(loudest, b->far_db[i]);
	return loudest;
}

/*
 * Learn the echo path while the caller is not talking over the prompt. At the echo's
 * delay the caller's frame is the sent frame minus the ERL, every time. At other delays
 * the difference is larger on average, because the echo heard now came from another,
 * usually quieter, moment. The lowest mean gives the delay and the ERL.
 */
static void echo_learn(struct media_bargein *b, double level_db)
{
	unsigned best = 0;

	for (unsigned lag = 0; lag < b->far_frames; lag++) {
		double far = far_at(b, lag);

		if (far >= FAR_ACTIVE_DB)
			b->lag_mean_db[lag] += ECHO_ALPHA * (far - level_db - b->lag_mean_db[lag]);
		if (b->lag_mean_db[lag] < b->lag_mean_db[best])
			best = lag;
	}
	b->echo_lag = best;
	b->erl_db = fmax(0.0, fmin(b->lag_mean_db[best], b->settings.erl_max_db));
}

/*
 * The echo expected in this frame: the loudest frame sent around the learnt delay (one
 * frame either side, because the echo path smears a frame's energy), minus the ERL.
 */
static double echo_estimate(const struct media_bargein *b)
{
	double far = MEDIA_SILENCE_DB;

	for (int d = -1; d <= 1; d++) {
		int lag = (int)b->echo_lag + d;

		if (lag >= 0 && lag < (int)b->far_frames)
			far = fmax(far, far_at(b, (unsigned)lag));
	}
	return far - b->erl_db;
}

static enum media_bargein_action stop(struct media_bargein *b)
{
	b->state = MEDIA_BARGEIN_STOPPED;
	b->utterance.stopped = true;
	b->utterance.backchannel = false;
	return MEDIA_BARGEIN_STOP;
}

static enum media_bargein_action listening_step(struct media_bargein *b, bool loud, bool voiced)
{
	if (loud) {
		b->candidate_frames++;
		b->candidate_gap = 0;
		if (voiced)
			b->candidate_voiced++;
	} else if (b->candidate_frames > 0) {
		b->candidate_frames++;
		if (++b->candidate_gap > b->gap_frames)
			candidate_clear(b);
	}
	if (b->candidate_voiced < b->pause_frames)
		return MEDIA_BARGEIN_NONE;
	b->state = MEDIA_BARGEIN_PAUSED;
	b->segment_frames = b->candidate_frames;
	b->segment_span = b->candidate_frames - b->candidate_gap;
	b->segment_silence = b->candidate_gap;
	candidate_clear(b);
	return MEDIA_BARGEIN_PAUSE;
}

static enum media_bargein_action paused_step(struct media_bargein *b, bool loud,
					     const struct media_playback *playback,
					     enum media_vad_event vad_event)
{
	b->segment_frames++;
	if (loud) {
		b->segment_span = b->segment_frames;
		b->segment_silence = 0;
	} else {
		b->segment_silence++;
	}
	if (b->segment_span >= b->stop_frames)
		return stop(b);
	if (b->segment_silence < b->resume_frames && vad_event != MEDIA_VAD_SPEECH_END)
		return MEDIA_BARGEIN_NONE;

	/* The segment ended short of stop_ms. */
	if (playback->question && playback->remaining_ms <= b->settings.answer_window_ms)
		return stop(b);
	b->state = MEDIA_BARGEIN_LISTENING;
	b->utterance.backchannel = true;
	candidate_clear(b);
	return MEDIA_BARGEIN_RESUME;
}

static bool verdict(const struct utterance *u)
{
	if (!u->during_prompt || u->stopped)
		return true;
	return !u->backchannel && u->voiced >= DELIVER_VOICED_FRAMES;
}

void media_bargein_process(struct media_bargein *b, const int16_t *caller,
			   const struct media_playback *playback, enum media_vad_event vad_event,
			   struct media_bargein_decision *decision)
{
	struct media_features f;

	/* Periodicity counts only for loud frames, which are at least min_level_db. */
	media_analyser_run_gated(&b->analyser, caller, b->settings.min_level_db, &f);
	media_bargein_process_features(b, &f, playback, vad_event, decision);
}

void media_bargein_process_features(struct media_bargein *b, const struct media_features *features,
				    const struct media_playback *playback,
				    enum media_vad_event vad_event,
				    struct media_bargein_decision *decision)
{
	const struct media_bargein_settings *s = &b->settings;
	struct media_features f = *features;
	double floor_db, far_max_db, threshold;
	bool loud, voiced, echo_possible;

	memset(decision, 0, sizeof(*decision));
	floor_db = media_floor_update(&b->floor, f.level_db);
	far_max_db = far_update(b, playback->sent);
	echo_possible = far_max_db >= FAR_ACTIVE_DB;

	threshold = fmax(floor_db + s->threshold_db, s->min_level_db);
	if (echo_possible)
		threshold = fmax(threshold, echo_estimate(b) + s->echo_margin_db);
	loud = f.level_db >= threshold;
	voiced = loud && f.periodicity >= s->voicing;

	if (vad_event == MEDIA_VAD_SPEECH_START) {
		memset(&b->utterance, 0, sizeof(b->utterance));
		b->utterance.open = true;
		b->utterance.during_prompt = playback->prompt_active || echo_possible;
	}
	if (b->utterance.open && voiced && !playback->prompt_active && !echo_possible)
		b->utterance.voiced++;

	if (!playback->prompt_active) {
		b->state = MEDIA_BARGEIN_IDLE;
		candidate_clear(b);
	} else if (b->state == MEDIA_BARGEIN_IDLE) {
		b->state = MEDIA_BARGEIN_LISTENING;
	}

	switch (b->state) {
	case MEDIA_BARGEIN_LISTENING:
		if (echo_possible && b->candidate_frames == 0)
			echo_learn(b, f.level_db);
		decision->action = listening_step(b, loud, voiced);
		break;
	case MEDIA_BARGEIN_PAUSED:
		decision->action = paused_step(b, loud, playback, vad_event);
		break;
	case MEDIA_BARGEIN_IDLE:
	case MEDIA_BARGEIN_STOPPED:
		break;
	}

	if (vad_event == MEDIA_VAD_SPEECH_END && b->utterance.open) {
		decision->deliver = verdict(&b->utterance);
		b->utterance.open = false;
	}
	decision->state = b->state;
	decision->caller_voiced = voiced;
	decision->threshold_db = threshold;
	decision->erl_db = b->erl_db;
}

const struct media_bargein_settings *media_bargein_settings_get(const struct media_bargein *b)
{
	return &b->settings;
}

const char *media_bargein_state_name(enum media_bargein_state state)
{
	switch (state) {
	case MEDIA_BARGEIN_IDLE:
		return "idle";
	case MEDIA_BARGEIN_LISTENING:
		return "listening";
	case MEDIA_BARGEIN_PAUSED:
		return "paused";
	case MEDIA_BARGEIN_STOPPED:
		return "stopped";
	}
	return "unknown";
}

const char *media_bargein_action_name(enum media_bargein_action action)
{
	switch (action) {
	case MEDIA_BARGEIN_NONE:
		return "none";
	case MEDIA_BARGEIN_PAUSE:
		return "pause";
	case MEDIA_BARGEIN_RESUME:
		return "resume";
	case MEDIA_BARGEIN_STOP:
		return "stop";
	}
	return "unknown";
}
