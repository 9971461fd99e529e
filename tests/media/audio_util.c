/* Test audio: loading, synthesis, mixing and measurement. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_resampler.h>

#include "audio_util.h"
#include "wav.h"

#define RATE 8000
#define FRAME 160

static int resample(struct audio_clip *clip, const struct wav_audio *audio)
{
	SpeexResamplerState *st;
	spx_uint32_t in_len = (spx_uint32_t)audio->count;
	spx_uint32_t out_len = (spx_uint32_t)((uint64_t)audio->count * RATE / audio->rate + 64);
	int err = 0;

	clip->pcm = calloc(out_len, sizeof(int16_t));
	if (!clip->pcm)
		return ENOMEM;
	st = speex_resampler_init(1, audio->rate, RATE, SPEEX_RESAMPLER_QUALITY_DEFAULT, &err);
	if (!st) {
		free(clip->pcm);
		clip->pcm = NULL;
		return EINVAL;
	}
	speex_resampler_skip_zeros(st);
	speex_resampler_process_int(st, 0, audio->samples, &in_len, clip->pcm, &out_len);
	speex_resampler_destroy(st);
	clip->count = out_len;
	return 0;
}

int audio_clip_load(struct audio_clip *clip, const char *path)
{
	struct wav_audio audio;
	int err;

	memset(clip, 0, sizeof(*clip));
	err = wav_read_file(&audio, path);
	if (err)
		return err;
	if (audio.rate == RATE) {
		clip->pcm = audio.samples;
		clip->count = audio.count;
		return 0;
	}
	err = resample(clip, &audio);
	wav_audio_free(&audio);
	return err;
}

int audio_clip_corpus(struct audio_clip *clip, const char *relative)
{
	const char *dir = getenv("PERMANENCE_CORPUS_DIR");
	char path[1024];

	if (!dir)
		return ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, relative);
	return audio_clip_load(clip, path);
}

int audio_clip_fixture(struct audio_clip *clip, const char *name)
{
	const char *dir = getenv("PERMANENCE_SOURCE_DIR");
	char path[1024];

	if (!dir)
		dir = PERMANENCE_SOURCE_DIR;
	snprintf(path, sizeof(path), "%s/tests/media/fixtures/%s.wav", dir, name);
	return audio_clip_load(clip, path);
}

int audio_clip_alloc(struct audio_clip *clip, size_t count)
{
	clip->pcm = calloc(count ? count : 1, sizeof(int16_t));
	clip->count = clip->pcm ? count : 0;
	return clip->pcm ? 0 : ENOMEM;
}

void audio_clip_free(struct audio_clip *clip)
{
	free(clip->pcm);
	clip->pcm = NULL;
	clip->count = 0;
}

static int16_t saturate(double x)
{
	if (x > 32767.0)
		return 32767;
	if (x < -32768.0)
		return -32768;
	return (int16_t)lrint(x);
}

double audio_frame_db(const int16_t *frame)
{
	double sum = 0.0;

	for (int i = 0; i < FRAME; i++)
		sum += (double)frame[i] * frame[i];
	if (sum <= 0.0)
		return -100.0;
	return fmax(-100.0, 10.0 * log10(sum / FRAME / (32768.0 * 32768.0)));
}

static double loudest_frame_db(const int16_t *pcm, size_t count)
{
	double loudest = -100.0;

	for (size_t f = 0; f + FRAME <= count; f += FRAME)
		loudest = fmax(loudest, audio_frame_db(pcm + f));
	return loudest;
}

double audio_active_db(const int16_t *pcm, size_t count)
{
	double loudest = loudest_frame_db(pcm, count), power = 0.0;
	size_t n = 0;

	for (size_t f = 0; f + FRAME <= count; f += FRAME) {
		double db = audio_frame_db(pcm + f);

		if (db >= loudest - 20.0) {
			power += pow(10.0, db / 10.0);
			n++;
		}
	}
	return n ? 10.0 * log10(power / (double)n) : -100.0;
}

void audio_gain(int16_t *pcm, size_t count, double gain_db)
{
	double g = pow(10.0, gain_db / 20.0);

	for (size_t i = 0; i < count; i++)
		pcm[i] = saturate(pcm[i] * g);
}

void audio_set_active_db(int16_t *pcm, size_t count, double level_db)
{
	audio_gain(pcm, count, level_db - audio_active_db(pcm, count));
}

void audio_mix(int16_t *dst, size_t dst_count, size_t offset, const int16_t *src,
	       size_t src_count, double gain_db)
{
	double g = pow(10.0, gain_db / 20.0);

	for (size_t i = 0; i < src_count && offset + i < dst_count; i++)
		dst[offset + i] = saturate(dst[offset + i] + src[i] * g);
}

void audio_add_echo(int16_t *dst, size_t count, const int16_t *src, size_t delay, double erl_db)
{
	double g = pow(10.0, -erl_db / 20.0), y = 0.0;
	const double a = 0.85;  /* one-pole low-pass, corner near 2.5 kHz at 8 kHz */

	for (size_t i = delay; i < count; i++) {
		y = a * src[i - delay] + (1.0 - a) * y;
		dst[i] = saturate(dst[i] + y * g);
	}
}

static double uniform(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return (double)(*seed >> 8) / (double)(1u << 24) * 2.0 - 1.0;
}

/* Scale a double buffer so its mean power is `level_db`, then store it. */
static void store_at_level(int16_t *pcm, const double *x, size_t count, double level_db)
{
	double power = 0.0, g;

	for (size_t i = 0; i < count; i++)
		power += x[i] * x[i];
	power /= count ? (double)count : 1.0;
	g = power > 0.0 ? 32768.0 * sqrt(pow(10.0, level_db / 10.0) / power) : 0.0;
	for (size_t i = 0; i < count; i++)
		pcm[i] = saturate(x[i] * g);
}

void audio_white_noise(int16_t *pcm, size_t count, double level_db, uint32_t *seed)
{
	double *x = malloc(count * sizeof(*x));

	if (!x)
		abort();
	for (size_t i = 0; i < count; i++)
		x[i] = uniform(seed);
	store_at_level(pcm, x, count, level_db);
	free(x);
}

void audio_pink_noise(int16_t *pcm, size_t count, double level_db, uint32_t *seed)
{
	double *x = malloc(count * sizeof(*x));
	double b0 = 0, b1 = 0, b2 = 0;

	if (!x)
		abort();
	/* Three first-order sections approximate a -3 dB per octave slope. */
	for (size_t i = 0; i < count; i++) {
		double w = uniform(seed);

		b0 = 0.99765 * b0 + w * 0.0990460;
		b1 = 0.96300 * b1 + w * 0.2965164;
		b2 = 0.57000 * b2 + w * 1.0526913;
		x[i] = b0 + b1 + b2 + w * 0.1848;
	}
	store_at_level(pcm, x, count, level_db);
	free(x);
}

static double note_hz(int semitones_from_a4)
{
	return 440.0 * pow(2.0, semitones_from_a4 / 12.0);
}

void audio_music(int16_t *pcm, size_t count, double level_db)
{
	static const int melody[] = {3, 7, 10, 15, 14, 10, 7, 5, 3, 5, 7, 10, 8, 7, 5, 2};
	static const int chords[][3] = {{-9, -5, -2}, {-4, 0, 3}, {-7, -3, 0}, {-2, 2, 5}};
	const size_t note_len = RATE * 3 / 10;
	double *x = malloc(count * sizeof(*x));

	if (!x)
		abort();
	for (size_t i = 0; i < count; i++) {
		size_t note = i / note_len, in_note = i % note_len;
		double t = (double)i / RATE;
		double env = fmin(1.0, in_note / 80.0) * exp(-2.0 * in_note / (double)note_len);
		double f = note_hz(melody[note % 16]);
		const int *chord = chords[(note / 8) % 4];
		double v = 0.0;

		for (int h = 1; h <= 4; h++)
			v += env * sin(2.0 * M_PI * f * h * t) / h;
		for (int c = 0; c < 3; c++)
			v += 0.3 * sin(2.0 * M_PI * note_hz(chord[c]) * t);
		x[i] = v;
	}
	store_at_level(pcm, x, count, level_db);
	free(x);
}

void audio_cough(int16_t *pcm, size_t count, double level_db, uint32_t *seed)
{
	double *x = malloc(count * sizeof(*x));
	double hp = 0.0, prev = 0.0, lp = 0.0, peak, g;
	size_t attack = RATE / 100;  /* 10 ms */

	if (!x)
		abort();
	for (size_t i = 0; i < count; i++) {
		double w = uniform(seed);
		double t = (double)i / RATE;
		double env;

		/* Band-limit to the 200 Hz - 3 kHz region where a cough's energy lies. */
		hp = 0.85 * (hp + w - prev);
		prev = w;
		lp = 0.6 * hp + 0.4 * lp;
		if (i < attack)
			env = (double)i / attack;
		else
			env = exp(-(t - 0.01) / 0.09) + 0.35 * exp(-fabs(t - 0.22) / 0.04);
		x[i] = lp * env;
	}
	/* Level refers to the loudest 20 ms frame. */
	peak = 0.0;
	for (size_t f = 0; f + FRAME <= count; f += FRAME) {
		double p = 0.0;

		for (size_t i = f; i < f + FRAME; i++)
			p += x[i] * x[i];
		peak = fmax(peak, p / FRAME);
	}
	g = peak > 0.0 ? 32768.0 * sqrt(pow(10.0, level_db / 10.0) / peak) : 0.0;
	for (size_t i = 0; i < count; i++)
		pcm[i] = saturate(x[i] * g);
	free(x);
}

void audio_clicks(int16_t *pcm, size_t count, unsigned interval_ms, double level_db,
		  uint32_t *seed)
{
	size_t interval = (size_t)interval_ms * RATE / 1000, width = RATE / 500;
	/* A 2 ms burst carrying a 20 ms frame's power at level_db. */
	double amp = 32768.0 * sqrt(pow(10.0, level_db / 10.0) * FRAME / width * 3.0);

	memset(pcm, 0, count * sizeof(*pcm));
	for (size_t start = interval / 2; start < count; start += interval) {
		for (size_t i = 0; i < width && start + i < count; i++)
			pcm[start + i] = saturate(uniform(seed) * amp);
	}
}

void audio_line_noise(int16_t *pcm, size_t count, double level_db, uint32_t *seed)
{
	double *x = malloc(count * sizeof(*x));

	if (!x)
		abort();
	for (size_t i = 0; i < count; i++) {
		double t = (double)i / RATE;

		x[i] = sin(2 * M_PI * 50 * t) + 0.5 * sin(2 * M_PI * 150 * t) +
		       0.25 * sin(2 * M_PI * 250 * t) + 0.3 * uniform(seed);
	}
	store_at_level(pcm, x, count, level_db);
	free(x);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Frame levels, sorted copy and thresholds for the speech boundaries. */
static double speech_threshold(const int16_t *pcm, size_t count)
{
	size_t frames = count / FRAME;
	double *levels = malloc((frames ? frames : 1) * sizeof(*levels));
	double loudest, quiet, threshold;

	if (!levels)
		abort();
	for (size_t f = 0; f < frames; f++)
		levels[f] = audio_frame_db(pcm + f * FRAME);
	qsort(levels, frames, sizeof(*levels), compare_double);
	loudest = frames ? levels[frames - 1] : -100.0;
	quiet = frames ? levels[frames / 10] : -100.0;
	threshold = fmax(loudest - 30.0, quiet + 15.0);
	free(levels);
	return threshold;
}

size_t audio_speech_onset(const int16_t *pcm, size_t count)
{
	double threshold = speech_threshold(pcm, count);

	for (size_t f = 0; f + FRAME <= count; f += FRAME) {
		if (audio_frame_db(pcm + f) >= threshold)
			return f;
	}
	return count;
}

size_t audio_speech_offset(const int16_t *pcm, size_t count)
{
	double threshold = speech_threshold(pcm, count);
	size_t end = 0;

	for (size_t f = 0; f + FRAME <= count; f += FRAME) {
		if (audio_frame_db(pcm + f) >= threshold)
			end = f + FRAME;
	}
	return end;
}

static double frame_periodicity(const int16_t *x, size_t n)
{
	double best = 0.0;

	for (size_t lag = 20; lag <= 133; lag++) {
		double c = 0, e0 = 0, e1 = 0;

		for (size_t i = lag; i < n; i++) {
			c += (double)x[i] * x[i - lag];
			e0 += (double)x[i] * x[i];
			e1 += (double)x[i - lag] * x[i - lag];
		}
		if (e0 > 0 && e1 > 0)
			best = fmax(best, c / sqrt(e0 * e1));
	}
	return best;
}

void audio_measure(const int16_t *pcm, size_t count, struct audio_stats *stats)
{
	size_t frames = count / FRAME, loud = 0, voiced = 0;
	double *levels = malloc((frames ? frames : 1) * sizeof(*levels));
	double *sorted = malloc((frames ? frames : 1) * sizeof(*sorted));
	double zcr = 0.0;

	if (!levels || !sorted)
		abort();
	memset(stats, 0, sizeof(*stats));
	stats->frames = frames;
	for (size_t f = 0; f < frames; f++)
		sorted[f] = levels[f] = audio_frame_db(pcm + f * FRAME);
	qsort(sorted, frames, sizeof(*sorted), compare_double);
	stats->loud_db = frames ? sorted[frames * 9 / 10] : -100.0;
	stats->quiet_db = frames ? sorted[frames / 10] : -100.0;
	for (size_t f = 1; f < frames; f++) {
		const int16_t *x = pcm + (f - 1) * FRAME;
		unsigned crossings = 0;

		if (levels[f] < stats->loud_db - 25.0)
			continue;
		loud++;
		if (frame_periodicity(x, 2 * FRAME) > 0.6)
			voiced++;
		for (size_t i = FRAME + 1; i < 2 * FRAME; i++)
			crossings += (x[i] < 0) != (x[i - 1] < 0);
		zcr += crossings / (double)(FRAME - 1);
	}
	for (size_t i = 0; i < count; i++)
		stats->clipped += pcm[i] == 32767 || pcm[i] == -32768;
	stats->voiced_share = loud ? (double)voiced / loud : 0.0;
	stats->zcr_loud = loud ? zcr / loud : 0.0;
	free(levels);
	free(sorted);
}
