/* Silence, comfort noise and tones. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "media.h"
#include "tone.h"

#define RAMP_MS 5

void media_silence_fill(int16_t *out, size_t count)
{
	if (count > 0)
		memset(out, 0, count * sizeof(*out));
}

int media_comfort_noise_init(struct media_comfort_noise *noise, double level_db,
			     uint32_t seed)
{
	if (!(level_db >= -90.0 && level_db <= -40.0))
		return EINVAL;
	noise->state = seed;
	/* A uniform distribution on [-a, a] has mean power a^2 / 3. */
	noise->amplitude = 32768.0 * sqrt(3.0 * pow(10.0, level_db / 10.0));
	return 0;
}

void media_comfort_noise_fill(struct media_comfort_noise *noise, int16_t *out, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		double uniform;

		noise->state = noise->state * 1664525u + 1013904223u;
		uniform = (double)(noise->state >> 8) / (double)(1u << 24) * 2.0 - 1.0;
		out[i] = (int16_t)lrint(uniform * noise->amplitude);
	}
}

int media_tone_start(struct media_tone *tone, double frequency_hz, double level_db,
		     unsigned duration_ms)
{
	if (!(frequency_hz >= 100.0 && frequency_hz <= 3400.0) ||
	    !(level_db >= -60.0 && level_db <= -3.0) || duration_ms < 10 || duration_ms > 10000)
		return EINVAL;
	memset(tone, 0, sizeof(*tone));
	tone->step = 2.0 * M_PI * frequency_hz / MEDIA_RATE;
	/* A sine of peak a has mean power a^2 / 2. */
	tone->amplitude = 32768.0 * sqrt(2.0 * pow(10.0, level_db / 10.0));
	tone->length = (size_t)duration_ms * MEDIA_RATE / 1000;
	tone->ramp = (size_t)RAMP_MS * MEDIA_RATE / 1000;
	return 0;
}

void media_tone_beep(struct media_tone *tone)
{
	media_tone_start(tone, 1000.0, -16.0, 250);
}

static double envelope(const struct media_tone *tone)
{
	size_t from_end = tone->length - tone->position - 1;
	size_t edge = tone->position < from_end ? tone->position : from_end;

	if (edge >= tone->ramp)
		return 1.0;
	return 0.5 - 0.5 * cos(M_PI * (double)edge / (double)tone->ramp);
}

size_t media_tone_fill(struct media_tone *tone, int16_t *out, size_t count)
{
	size_t written = 0;

	while (written < count && tone->position < tone->length) {
		double value = tone->amplitude * envelope(tone) * sin(tone->phase);

		out[written++] = (int16_t)lrint(fmax(-32767.0, fmin(32767.0, value)));
		tone->phase = fmod(tone->phase + tone->step, 2.0 * M_PI);
		tone->position++;
	}
	media_silence_fill(out + written, count - written);
	return written;
}

bool media_tone_done(const struct media_tone *tone)
{
	return tone->position >= tone->length;
}
