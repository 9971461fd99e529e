/*
 * Barge-in: while the assistant speaks, decide whether the caller's audio is real speech
 * that must stop the prompt, a backchannel ("oui", "mm", "d'accord") that must not, or
 * something else (a cough, a click, line noise, the echo of the prompt itself). Pure:
 * fed one caller frame, the frame sent to the caller and the VAD's event at each 20 ms
 * tick; time is counted in frames.
 *
 * Caller speech, for barge-in, is a frame that is loud and voiced:
 *   loud:   level >= max(noise floor + threshold_db,
 *                        echo estimate + echo_margin_db,
 *                        min_level_db)
 *   voiced: loud, and periodicity >= voicing (a pitch between 60 and 400 Hz).
 * Coughs, clicks, breath and line noise are broadband and aperiodic, so they are loud
 * but not voiced, and never count. The echo estimate is the loudest frame sent to the
 * caller at the echo's delay (one frame either side), minus the echo return loss (ERL):
 * echo is a delayed, attenuated copy of what was sent. Delay and ERL are learnt while no
 * caller speech is suspected: for every delay up to echo_tail_ms, a running mean of the
 * attenuation from the frame sent then to the caller's frame now; the echo's delay is
 * where that mean is lowest, and the mean there is the ERL (from erl_initial_db at
 * first, within 0 dB and erl_max_db).
 *
 * States and transitions (action reported in brackets):
 *
 *   IDLE       no prompt playing. Any prompt that starts   -> LISTENING
 *   LISTENING  voiced caller speech adds up to pause_ms, with gaps of at most gap_ms
 *                                                          -> PAUSED  [PAUSE]
 *   PAUSED     the caller segment (loud frames, gaps shorter than resume_ms) spans
 *              stop_ms from its first to its last loud frame -> STOPPED [STOP]
 *              the segment ends first (resume_ms without a loud frame, or the VAD ends
 *              the utterance):
 *                 the prompt is a question with at most answer_window_ms left to play:
 *                 a short answer                            -> STOPPED [STOP]
 *                 otherwise a backchannel                   -> LISTENING [RESUME]
 *   STOPPED    waits for the prompt to end (the caller flushed it) -> IDLE
 *
 * PAUSE means: stop sending prompt audio now (send silence), keep the queue. RESUME:
 * continue from where it paused. STOP: flush the queue, the prompt is over. The prompt
 * thus goes quiet about pause_ms after the caller's first voiced frame, and a
 * backchannel costs a gap of its length plus resume_ms instead of the whole prompt.
 *
 * Each utterance the VAD reports ends with a verdict, given once, on the frame of its
 * MEDIA_VAD_SPEECH_END: deliver it to recognition, or drop it. An utterance is delivered
 * when it started with no prompt playing and no echo possible; or when it stopped the
 * prompt; or when it was not taken for a backchannel and had at least three voiced caller
 * frames after the prompt and its echo were over (the caller spoke as the prompt ended).
 * It is dropped otherwise: a backchannel, or the prompt's echo and whatever else stayed
 * under the barge-in thresholds.
 *
 * NOTE: echo is handled by level only. An echo louder than erl_initial_db - echo_margin_db
 * below the prompt before the ERL adapts, or delayed by more than echo_tail_ms, can
 * pause the prompt; a caller quieter than the echo estimate plus echo_margin_db cannot
 * interrupt. There is no echo canceller.
 */
#ifndef PERMANENCE_MEDIA_BARGEIN_H
#define PERMANENCE_MEDIA_BARGEIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vad.h"

/* Settings, with their defaults and accepted bounds (inclusive). */
struct media_bargein_settings {
	double threshold_db;        /* 12; 3..40: caller level above the noise floor */
	double echo_margin_db;      /* 6; 0..30: caller level above the echo estimate */
	double min_level_db;        /* -50; -80..-20: nothing quieter interrupts (dBFS) */
	double voicing;             /* 0.5; 0.1..0.95: periodicity of a voiced frame */
	double erl_initial_db;      /* 6; 0..40: echo return loss assumed at first */
	double erl_max_db;          /* 40; erl_initial_db..60 */
	unsigned echo_tail_ms;      /* 400; 20..1000: longest echo delay covered */
	unsigned pause_ms;          /* 120; 40..1000: voiced speech that pauses the prompt */
	unsigned stop_ms;           /* 700; pause_ms..5000: caller segment that stops it */
	unsigned gap_ms;            /* 60; 0..500: gap tolerated before the pause */
	unsigned resume_ms;         /* 300; 60..2000: silence that ends a caller segment */
	unsigned answer_window_ms;  /* 2500; 0..30000: see PAUSED above */
	unsigned noise_window_ms;   /* 2000; 400..10000: noise floor memory */
};

void media_bargein_settings_default(struct media_bargein_settings *settings);
/* Returns 0 or EINVAL with a message naming the first value out of bounds. */
int media_bargein_settings_check(const struct media_bargein_settings *settings, char *error,
				 size_t error_size);

/* State of the assistant's side at this tick. */
struct media_playback {
	bool prompt_active;        /* a prompt is playing or paused by barge-in */
	bool question;             /* the prompt is a question and expects a reply */
	unsigned remaining_ms;     /* prompt audio not yet sent; UINT32_MAX when unknown */
	const int16_t *sent;       /* the frame sent to the caller this tick, NULL for none */
};

enum media_bargein_action {
	MEDIA_BARGEIN_NONE,
	MEDIA_BARGEIN_PAUSE,   /* stop sending the prompt, keep its audio */
	MEDIA_BARGEIN_RESUME,  /* send the prompt again from where it paused */
	MEDIA_BARGEIN_STOP,    /* flush the prompt: the caller has the floor */
};

enum media_bargein_state {
	MEDIA_BARGEIN_IDLE,
	MEDIA_BARGEIN_LISTENING,
	MEDIA_BARGEIN_PAUSED,
	MEDIA_BARGEIN_STOPPED,
};

struct media_bargein_decision {
	enum media_bargein_action action;
	enum media_bargein_state state;   /* after this frame */
	bool deliver;          /* on the SPEECH_END frame: hand the utterance to recognition */
	bool caller_voiced;    /* this frame counts as caller speech */
	double threshold_db;   /* level a caller frame needed at this tick */
	double erl_db;         /* current echo return loss estimate */
};

struct media_bargein;

/* Create a decision object; `settings` NULL takes the defaults. 0, EINVAL or ENOMEM. */
int media_bargein_create(struct media_bargein **bargein,
			 const struct media_bargein_settings *settings);
void media_bargein_destroy(struct media_bargein *bargein);

/*
 * Decide on one tick: `caller` is the caller's frame (MEDIA_FRAME_SAMPLES samples),
 * `playback` the assistant's side, `vad_event` what the VAD reported for the same frame.
 * Never allocates.
 */
void media_bargein_process(struct media_bargein *bargein, const int16_t *caller,
			   const struct media_playback *playback, enum media_vad_event vad_event,
			   struct media_bargein_decision *decision);

/*
 * Decide as media_bargein_process() does, from the frame's features computed elsewhere,
 * so that a call whose VAD already analysed the frame does not analyse it twice.
 * `features` must come from an analyser that has seen the same frames since both were
 * reset, and that searched the pitch down to at least this object's min_level_db. The
 * VAD's media_vad_result.features qualify when the VAD's min_level_db is not above it.
 * Never allocates. The analyser inside this object is then unused.
 */
void media_bargein_process_features(struct media_bargein *bargein,
				    const struct media_features *features,
				    const struct media_playback *playback,
				    enum media_vad_event vad_event,
				    struct media_bargein_decision *decision);
/* The settings this object was created with. */
const struct media_bargein_settings *media_bargein_settings_get(const struct media_bargein *bargein);

const char *media_bargein_state_name(enum media_bargein_state state);
const char *media_bargein_action_name(enum media_bargein_action action);

#endif
