/*
 * Test and benchmark audio: loading corpus files at 8 kHz (resampled with speexdsp when
 * needed), synthetic signals (noise, music, coughs, clicks, line noise), mixing, echo,
 * and independent measurements of what a clip contains.
 */
#ifndef PERMANENCE_TEST_AUDIO_UTIL_H
#define PERMANENCE_TEST_AUDIO_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct audio_clip {
	int16_t *pcm;   /* 8 kHz mono, malloc'd */
	size_t count;
};

/* Load a WAV file as 8 kHz; other rates go through the speexdsp resampler. 0 or errno. */
int audio_clip_load(struct audio_clip *clip, const char *path);
/* Load a file under PERMANENCE_CORPUS_DIR. */
int audio_clip_corpus(struct audio_clip *clip, const char *relative);
/* Load tests/media/fixtures/NAME.wav under PERMANENCE_SOURCE_DIR. */
int audio_clip_fixture(struct audio_clip *clip, const char *name);
/* Allocate `count` samples of silence. 0 or ENOMEM. */
int audio_clip_alloc(struct audio_clip *clip, size_t count);
void audio_clip_free(struct audio_clip *clip);

/* Mean power of one 20 ms frame, dBFS (as media_level_db, computed here independently). */
double audio_frame_db(const int16_t *frame);
/* Mean power of the frames within 20 dB of the loudest: the level of the speech. */
double audio_active_db(const int16_t *pcm, size_t count);
/* Multiply by `gain_db`, saturating. */
void audio_gain(int16_t *pcm, size_t count, double gain_db);
/* Scale so audio_active_db() becomes `level_db`. */
void audio_set_active_db(int16_t *pcm, size_t count, double level_db);
/* Add `src` times `gain_db` into `dst` from sample `offset`, saturating, within dst. */
void audio_mix(int16_t *dst, size_t dst_count, size_t offset, const int16_t *src,
	       size_t src_count, double gain_db);
/*
 * Add an echo of `src` into `dst`: delayed by `delay` samples, attenuated by `erl_db`, and
 * low-passed (one pole at about 2.5 kHz) as a hybrid and a codec round trip would.
 */
void audio_add_echo(int16_t *dst, size_t count, const int16_t *src, size_t delay, double erl_db);

/* Synthetic signals, each at `level_db` dBFS mean power except where noted. */
void audio_white_noise(int16_t *pcm, size_t count, double level_db, uint32_t *seed);
void audio_pink_noise(int16_t *pcm, size_t count, double level_db, uint32_t *seed);
/* Hold music: a melody of harmonic notes over a sustained chord. */
void audio_music(int16_t *pcm, size_t count, double level_db);
/* A cough: 0.4 s band-limited noise burst, sharp attack, decaying; `level_db` is its loudest frame. */
void audio_cough(int16_t *pcm, size_t count, double level_db, uint32_t *seed);
/* Clicks: 2 ms broadband impulses every `interval_ms`, peak `level_db` frame. */
void audio_clicks(int16_t *pcm, size_t count, unsigned interval_ms, double level_db,
		  uint32_t *seed);
/* Line noise: 50 Hz hum with harmonics and a hiss 10 dB below it. */
void audio_line_noise(int16_t *pcm, size_t count, double level_db, uint32_t *seed);

/*
 * Speech boundaries on a clean clip: the first and last 20 ms frames within 30 dB of the
 * loudest frame and 15 dB above the quietest tenth. Sample indexes; end is exclusive.
 */
size_t audio_speech_onset(const int16_t *pcm, size_t count);
size_t audio_speech_offset(const int16_t *pcm, size_t count);

struct audio_stats {
	size_t frames;
	double loud_db;        /* 90th percentile frame level */
	double quiet_db;       /* 10th percentile frame level */
	double voiced_share;   /* share of frames within 25 dB of loud_db that are periodic */
	double zcr_loud;       /* mean zero-crossing rate of those frames */
	size_t clipped;        /* samples at full scale */
};

/* Describe a clip with measurements independent of the media module. */
void audio_measure(const int16_t *pcm, size_t count, struct audio_stats *stats);

#endif
