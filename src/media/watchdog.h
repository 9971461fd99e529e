/*
 * Noise and hold-music watchdog. Fed the VAD's result for every caller frame, it reports
 * when the line has been busy for `limit_ms` without a pause, or when the VAD cuts an
 * utterance at its maximum length: music on hold, a television, a crowd. The dialogue
 * then re-prompts, and after repeated reports ends the call or transfers it. Steady
 * noise and music with a steady level need no watchdog: the VAD's noise floor rises to
 * them within its window, the line reads as silence, and the no-input timeout applies.
 *
 * "Busy" time starts at a speech onset and runs on, through the VAD's utterance ends,
 * until `quiet_ms` pass without a speech frame. Music and crowds keep the VAD starting
 * and ending utterances without such a pause, while a caller taking a turn leaves one
 * when the assistant replies. After a report the count starts again, so a line that stays busy
 * is reported every `limit_ms`. Memory is a few counters, however long the call.
 *
 * NOTE: a caller who talks for `limit_ms` without ever pausing for `quiet_ms` is
 * reported too; with 20 s and 1 s that is rare on a telephone, and the VAD cuts an
 * utterance at its maximum length anyway.
 */
#ifndef PERMANENCE_MEDIA_WATCHDOG_H
#define PERMANENCE_MEDIA_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#include "vad.h"

/* Bounds of the settings, inclusive. */
#define MEDIA_WATCHDOG_LIMIT_MIN_MS 2000
#define MEDIA_WATCHDOG_LIMIT_MAX_MS 300000
#define MEDIA_WATCHDOG_QUIET_MIN_MS 100
#define MEDIA_WATCHDOG_QUIET_MAX_MS 10000

enum media_watchdog_kind {
	MEDIA_WATCHDOG_NOISE,   /* mostly aperiodic: noise, crowd, traffic */
	MEDIA_WATCHDOG_MUSIC,   /* mostly periodic: music, tones */
};

struct media_watchdog {
	unsigned limit_frames;
	unsigned quiet_frames;
	unsigned busy;          /* frames in the current busy stretch */
	unsigned speech;        /* speech frames in it */
	unsigned voiced;        /* voiced speech frames in it */
	unsigned quiet;         /* consecutive frames without speech */
	uint64_t reports;
};

/*
 * Start a watchdog that reports after `limit_ms` of busy line (2 s to 300 s; 20 s is a
 * reasonable value for a telephone dialogue) and clears after `quiet_ms` without speech
 * (100 ms to 10 s; 1 s suits). Returns 0 or EINVAL.
 */
int media_watchdog_init(struct media_watchdog *watchdog, unsigned limit_ms, unsigned quiet_ms);

/*
 * Account one frame. Returns true on the frame the limit is reached, with *kind set from
 * the share of voiced frames among the stretch's speech frames (at least half: music).
 */
bool media_watchdog_feed(struct media_watchdog *watchdog, const struct media_vad_result *vad,
			 enum media_watchdog_kind *kind);

const char *media_watchdog_kind_name(enum media_watchdog_kind kind);

#endif
