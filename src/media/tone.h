/*
 * Audio the assistant's side generates itself: digital silence, comfort noise (a faint
 * hiss that tells the caller the line is alive), and tones such as a beep before a
 * message. Deterministic, no allocation.
 */
#ifndef PERMANENCE_MEDIA_TONE_H
#define PERMANENCE_MEDIA_TONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fill `count` samples with digital silence. */
void media_silence_fill(int16_t *out, size_t count);

/* White noise at a fixed level, from a linear congruential generator. */
struct media_comfort_noise {
	uint32_t state;
	double amplitude;  /* peak of the uniform distribution */
};

/*
 * Start comfort noise at `level_db` dBFS mean power (-90 to -40; -70 is a quiet line).
 * `seed` makes the sequence reproducible. Returns 0 or EINVAL.
 */
int media_comfort_noise_init(struct media_comfort_noise *noise, double level_db,
			     uint32_t seed);
void media_comfort_noise_fill(struct media_comfort_noise *noise, int16_t *out, size_t count);

/* A sine tone of fixed length with 5 ms raised-cosine ramps, so it starts and ends without a click. */
struct media_tone {
	double phase;        /* radians */
	double step;         /* radians per sample */
	double amplitude;
	size_t length;       /* samples */
	size_t position;
	size_t ramp;         /* samples */
};

/*
 * Start a tone of `frequency_hz` (100 to 3400: the telephone band), `level_db` dBFS of
 * the sine's mean power (-60 to -3), `duration_ms` (10 to 10,000). Returns 0 or EINVAL.
 */
int media_tone_start(struct media_tone *tone, double frequency_hz, double level_db,
		     unsigned duration_ms);
/* The beep: 1000 Hz, -16 dBFS, 250 ms. */
void media_tone_beep(struct media_tone *tone);
/*
 * Write the next `count` samples of the tone into `out`, silence once it has ended.
 * Returns the number of tone samples written.
 */
size_t media_tone_fill(struct media_tone *tone, int16_t *out, size_t count);
/* Return true once the whole tone has been written. */
bool media_tone_done(const struct media_tone *tone);

#endif
