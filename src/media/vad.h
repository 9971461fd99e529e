/*
 * Voice activity and end-of-speech detection on 8 kHz call audio, one 20 ms frame at a
 * time. Pure: time is counted in frames, nothing is read from a clock.
 *
 * A frame is a speech frame when its level is `threshold_db` above the adaptive noise
 * floor (analysis.h) and above `min_level_db`; it is voiced when its periodicity is at
 * least `voicing`. States:
 *
 *   SILENCE --(onset_ms of voiced speech frames, gaps of 40 ms at most)--> SPEECH
 *   SPEECH  --(trailing silence long enough, or max_utterance_ms)--------> SILENCE
 *
 * Inside an utterance a frame still counts as speech down to `continue_db` above the
 * floor, so weak word endings do not end the turn. The trailing silence that ends a turn
 * depends on how much speech came before it: `short_silence_ms` after at most
 * `short_speech_ms` of speech (a "oui" is answered quickly), growing linearly to
 * `long_silence_ms` at `long_speech_ms` and beyond (a caller pausing mid-sentence is not
 * cut off).
 *
 * The utterance handed over at the end starts `preroll_ms` before the first speech frame
 * of the onset, so the recogniser hears the start of the word, and keeps at most 200 ms
 * of the trailing silence.
 */
#ifndef PERMANENCE_MEDIA_VAD_H
#define PERMANENCE_MEDIA_VAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

/* Settings, with their defaults and their accepted bounds (inclusive). */
struct media_vad_settings {
	double threshold_db;        /* 10; 3..30: speech level above the floor for onset */
	double continue_db;         /* 6; 1..threshold_db: level above the floor inside speech */
	double min_level_db;        /* -55; -80..-20: nothing quieter is speech (dBFS) */
	double initial_floor_db;    /* -60; -90..-30: floor assumed until measured (dBFS) */
	double voicing;             /* 0.5; 0.1..0.95: periodicity of a voiced frame */
	unsigned onset_ms;          /* 60; 20..500: voiced speech before speech start */
	unsigned preroll_ms;        /* 300; 0..1000: audio kept before the onset */
	unsigned short_silence_ms;  /* 400; 100..3000: end of turn after a short answer */
	unsigned long_silence_ms;   /* 900; short_silence_ms..5000: end of turn in long speech */
	unsigned short_speech_ms;   /* 600; 100..10000: speech up to this long is short */
	unsigned long_speech_ms;    /* 2500; short_speech_ms..30000 */
	unsigned max_utterance_ms;  /* 15000; 1000..60000: an utterance is cut here */
	unsigned no_input_ms;       /* 6000; 0 (off) or 500..60000: see media_vad_expect_input */
	unsigned noise_window_ms;   /* 2000; 400..10000: noise floor memory */
};

/* Fill `settings` with the defaults above. */
void media_vad_settings_default(struct media_vad_settings *settings);
/*
 * Check every setting against its bounds. Returns 0, or EINVAL with a message naming the
 * first value out of bounds written to `error` (`error_size` bytes, may be 0).
 */
int media_vad_settings_check(const struct media_vad_settings *settings, char *error,
			     size_t error_size);

enum media_vad_event {
	MEDIA_VAD_SILENCE,       /* no utterance in progress */
	MEDIA_VAD_SPEECH_START,  /* an utterance starts at this frame (onset confirmed) */
	MEDIA_VAD_SPEECH,        /* the utterance goes on */
	MEDIA_VAD_SPEECH_END,    /* the utterance ended; media_vad_utterance() has it */
	MEDIA_VAD_NO_INPUT,      /* no_input_ms passed since media_vad_expect_input() */
};

enum media_vad_end {
	MEDIA_VAD_END_NONE,
	MEDIA_VAD_END_SILENCE,     /* trailing silence: the natural end of a turn */
	MEDIA_VAD_END_MAX_LENGTH,  /* cut at max_utterance_ms */
};

struct media_vad_result {
	enum media_vad_event event;
	enum media_vad_end end;        /* with MEDIA_VAD_SPEECH_END */
	bool speech_frame;             /* this frame counts as speech */
	bool voiced;                   /* this frame is voiced and loud enough for speech */
	unsigned speech_ms;            /* speech frames in the current utterance, in ms */
	double floor_db;               /* the noise floor after this frame */
	/* The frame's features; the pitch is searched only in frames at least min_level_db
	 * loud (others have periodicity 0), since no quieter frame can be speech. */
	struct media_features features;
};

struct media_vad;

/*
 * Create a detector. Returns 0, EINVAL for settings out of bounds (see
 * media_vad_settings_check; `settings` NULL takes the defaults) or ENOMEM. The utterance
 * buffer starts with room for the pre-roll and a second of speech.
 */
int media_vad_create(struct media_vad **vad, const struct media_vad_settings *settings);
void media_vad_destroy(struct media_vad *vad);

/* The settings this detector was created with. */
const struct media_vad_settings *media_vad_settings_get(const struct media_vad *vad);

/*
 * Process one frame of MEDIA_FRAME_SAMPLES caller samples and report what happened.
 * Allocates only when an utterance outgrows its buffer, which then doubles, up to the
 * pre-roll plus max_utterance_ms. If that allocation fails, the utterance ends on this
 * frame with MEDIA_VAD_END_MAX_LENGTH.
 */
void media_vad_process(struct media_vad *vad, const int16_t *frame,
		       struct media_vad_result *result);

/*
 * Give the audio of the current utterance: during SPEECH the samples so far (for
 * streaming recognition), after SPEECH_END the finished utterance until the next
 * media_vad_process() call. The samples belong to the detector. Returns 0 or ENOENT when
 * there is no utterance.
 */
int media_vad_utterance(const struct media_vad *vad, const int16_t **samples, size_t *count);

/*
 * Start (or restart) the no-input count: if no speech starts within no_input_ms, one
 * MEDIA_VAD_NO_INPUT is reported. Call it when the assistant stops talking and waits. An
 * onset cancels the count. Does nothing when no_input_ms is 0.
 */
void media_vad_expect_input(struct media_vad *vad);
/* Stop the no-input count (the assistant talks again, or the caller typed digits). */
void media_vad_cancel_input(struct media_vad *vad);

/* Forget the utterance in progress (after a transfer, say); the noise floor is kept. */
void media_vad_reset(struct media_vad *vad);

/* Return the name of an event, for logs. */
const char *media_vad_event_name(enum media_vad_event event);

#endif
