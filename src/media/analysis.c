/* Frame features (level, periodicity, zero crossings) and the minimum-statistics floor. */
#include <math.h>
#include <string.h>

#include "analysis.h"

/*
 * Second-order Butterworth high-pass at 150 Hz for 8 kHz (bilinear transform): keeps the
 * harmonics of low voices, which carry their periodicity, and removes 50/100 Hz hum.
 */
#define HP_B0 0.92006
#define HP_B1 (-1.84012)
#define HP_B2 0.92006
#define HP_A1 (-1.83373)
#define HP_A2 0.84651

void media_analyser_reset(struct media_analyser *analyser)
{
	memset(analyser, 0, sizeof(*analyser));
}

double media_level_db(const int16_t *samples, unsigned count)
{
	double sum = 0.0;

	for (unsigned i = 0; i < count; i++)
		sum += (double)samples[i] * samples[i];
	if (count == 0 || sum <= 0.0)
		return MEDIA_SILENCE_DB;
	sum /= (double)count * 32768.0 * 32768.0;
	return fmax(10.0 * log10(sum), MEDIA_SILENCE_DB);
}

static void high_pass(struct media_analyser *a, const int16_t *in, int16_t *out)
{
	for (unsigned i = 0; i < MEDIA_FRAME_SAMPLES; i++) {
		double x = in[i];
		double y = HP_B0 * x + HP_B1 * a->x1 + HP_B2 * a->x2 - HP_A1 * a->y1 - HP_A2 * a->y2;

		a->x2 = a->x1;
		a->x1 = x;
		a->y2 = a->y1;
		a->y1 = y;
		out[i] = (int16_t)lrint(fmax(-32768.0, fmin(32767.0, y)));
	}
	/* Keep denormals out of the recursion after long silence. */
	if (fabs(a->y1) < 1e-9 && fabs(a->y2) < 1e-9)
		a->y1 = a->y2 = 0.0;
}

/*
 * Normalised autocorrelation over 40 ms (previous and current frame), highest over the
 * pitch lags. Integer sums are exact: 320 products of 2^30 stay far below 2^63. The two
 * energies of each lag are differences of running sums of squares, so only the cross
 * products are summed per lag.
 */
static double periodicity(const int16_t *window, unsigned size, unsigned *best_lag)
{
	/* energy[i]: sum of the squares of window[0..i-1]. */
	int64_t energy[2 * MEDIA_FRAME_SAMPLES + 1];
	double best = 0.0;

	*best_lag = 0;
	energy[0] = 0;
	for (unsigned n = 0; n < size; n++)
		energy[n + 1] = energy[n] + (int32_t)window[n] * window[n];
	for (unsigned lag = MEDIA_PITCH_LAG_MIN; lag <= MEDIA_PITCH_LAG_MAX; lag++) {
		int64_t cross = 0;
		int64_t head = energy[size] - energy[lag]; /* window[lag..size-1] */
		int64_t tail = energy[size - lag];         /* window[0..size-1-lag] */
		double r;

		for (unsigned n = lag; n < size; n++)
			cross += (int32_t)window[n] * window[n - lag];
		if (head == 0 || tail == 0 || cross <= 0)
			continue;
		r = (double)cross / sqrt((double)head * (double)tail);
		if (r > best) {
			best = r;
			*best_lag = lag;
		}
	}
	return best;
}

void media_analyser_run_gated(struct media_analyser *analyser, const int16_t *frame,
			      double pitch_min_db, struct media_features *features)
{
	int16_t window[2 * MEDIA_FRAME_SAMPLES];
	int16_t *current = window + MEDIA_FRAME_SAMPLES;
	unsigned crossings = 0;

	memcpy(window, analyser->previous, sizeof(analyser->previous));
	high_pass(analyser, frame, current);
	memcpy(analyser->previous, current, sizeof(analyser->previous));

	features->level_db = media_level_db(current, MEDIA_FRAME_SAMPLES);
	for (unsigned i = 1; i < MEDIA_FRAME_SAMPLES; i++) {
		if ((frame[i] < 0) != (frame[i - 1] < 0))
			crossings++;
	}
	features->zero_crossings = (double)crossings / (MEDIA_FRAME_SAMPLES - 1);
	features->periodicity = 0.0;
	features->pitch_lag = 0;
	if (features->level_db >= fmax(pitch_min_db, MEDIA_PITCH_MIN_DB))
		features->periodicity = periodicity(window, 2 * MEDIA_FRAME_SAMPLES,
						    &features->pitch_lag);
}

void media_analyser_run(struct media_analyser *analyser, const int16_t *frame,
			struct media_features *features)
{
	media_analyser_run_gated(analyser, frame, MEDIA_PITCH_MIN_DB, features);
}

void media_floor_init(struct media_floor *floor, unsigned window_ms, double initial_db)
{
	unsigned frames = window_ms / MEDIA_FRAME_MS;

	memset(floor, 0, sizeof(*floor));
	floor->block_frames = frames >= MEDIA_FLOOR_BLOCKS ? frames / MEDIA_FLOOR_BLOCKS : 1;
	floor->initial_db = initial_db;
	floor->floor_db = initial_db;
	for (unsigned i = 0; i < MEDIA_FLOOR_BLOCKS; i++)
		floor->minima[i] = HUGE_VAL;
}

double media_floor_update(struct media_floor *floor, double level_db)
{
	double lowest = HUGE_VAL;

	if (level_db < floor->minima[floor->block])
		floor->minima[floor->block] = level_db;
	if (++floor->frames_in_block >= floor->block_frames) {
		floor->frames_in_block = 0;
		floor->block = (floor->block + 1) % MEDIA_FLOOR_BLOCKS;
		if (floor->blocks_filled < MEDIA_FLOOR_BLOCKS)
			floor->blocks_filled++;
		/* The oldest sub-window is dropped by starting it afresh. */
		floor->minima[floor->block] = HUGE_VAL;
	}
	for (unsigned i = 0; i < MEDIA_FLOOR_BLOCKS; i++)
		lowest = fmin(lowest, floor->minima[i]);
	/* Until two sub-windows have been seen, the assumed floor caps the estimate. */
	if (floor->blocks_filled < 2)
		lowest = fmin(lowest, floor->initial_db);
	floor->floor_db = lowest;
	return lowest;
}
