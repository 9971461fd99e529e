/*
 * Per-frame features of 8 kHz telephone audio, and an adaptive noise floor. Used by the
 * voice-activity detector, the barge-in decision and the noise watchdog.
 *
 * Levels are in dBFS: 0 dB is the mean power of a full-scale square wave (32768 squared),
 * so a full-scale sine is -3 dBFS and digital silence reads MEDIA_SILENCE_DB.
 */
#ifndef PERMANENCE_MEDIA_ANALYSIS_H
#define PERMANENCE_MEDIA_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "media.h"

#define MEDIA_SILENCE_DB (-100.0)

/* Pitch lags searched, in samples at 8 kHz: 400 Hz down to 60 Hz. */
#define MEDIA_PITCH_LAG_MIN 20
#define MEDIA_PITCH_LAG_MAX 133
/* Below this level a frame has no usable pitch: the search is skipped. */
#define MEDIA_PITCH_MIN_DB (-65.0)

struct media_features {
	double level_db;      /* mean power after a 150 Hz high-pass, dBFS */
	double periodicity;   /* 0..1: peak normalised autocorrelation over the pitch lags */
	double zero_crossings;/* 0..1: share of adjacent samples that change sign */
	unsigned pitch_lag;   /* lag of the peak, samples; 0 when the frame is too quiet */
};

/*
 * The analyser keeps the previous frame (the pitch search looks at 40 ms) and the state of
 * its high-pass filter, which removes mains hum (50 Hz and its first harmonics) that
 * would otherwise look periodic. Initialise with media_analyser_reset(); no allocation.
 */
struct media_analyser {
	double x1, x2, y1, y2;                    /* biquad state */
	int16_t previous[MEDIA_FRAME_SAMPLES];    /* high-passed previous frame */
};

void media_analyser_reset(struct media_analyser *analyser);
/* Compute the features of one 20 ms frame (MEDIA_FRAME_SAMPLES samples). */
void media_analyser_run(struct media_analyser *analyser, const int16_t *frame,
			struct media_features *features);
/*
 * Compute the features as media_analyser_run() does, but search the pitch only when the
 * frame's level is at least `pitch_min_db` (and MEDIA_PITCH_MIN_DB). Quieter frames get
 * periodicity 0 and pitch lag 0. The search is most of the work, so a caller that reads
 * the periodicity only above some level passes that level.
 */
void media_analyser_run_gated(struct media_analyser *analyser, const int16_t *frame,
			      double pitch_min_db, struct media_features *features);

/* Return the mean power of `count` samples in dBFS, MEDIA_SILENCE_DB for silence. */
double media_level_db(const int16_t *samples, unsigned count);

/*
 * Noise floor by minimum statistics: the lowest frame level over a sliding window, kept
 * as the minima of eight sub-windows so memory stays fixed. Speech has pauses and stop
 * closures every few hundred milliseconds, so the minimum over a window of a second or
 * two follows the noise and not the speech. A steady noise that starts raises the floor
 * within one window. Until two sub-windows have passed, the floor is the lower of the
 * frames seen and `initial_db`, so a call that starts with speech is not taken as noise.
 */
#define MEDIA_FLOOR_BLOCKS 8

struct media_floor {
	double minima[MEDIA_FLOOR_BLOCKS];
	double initial_db;
	unsigned block_frames;   /* frames per sub-window */
	unsigned frames_in_block;
	unsigned block;          /* index of the current sub-window */
	unsigned blocks_filled;  /* sub-windows completed, up to MEDIA_FLOOR_BLOCKS */
	double floor_db;
};

/* Start a floor over `window_ms` (at least 8 frames) that assumes `initial_db` at first. */
void media_floor_init(struct media_floor *floor, unsigned window_ms, double initial_db);
/* Add one frame's level and return the updated floor in dBFS. */
double media_floor_update(struct media_floor *floor, double level_db);

#endif
