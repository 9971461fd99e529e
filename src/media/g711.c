/* G.711 on librem's tables, with the full-scale negative sample handled. */
#include <errno.h>
#include <stdint.h>

#include <rem_g711.h>

#include "media.h"

const char *media_codec_name(enum media_codec codec)
{
	switch (codec) {
	case MEDIA_CODEC_PCMU:
		return "PCMU";
	case MEDIA_CODEC_PCMA:
		return "PCMA";
	}
	return "unknown";
}

/*
 * librem negates a negative sample inside int16_t, so -32768 stays negative and indexes
 * before its tables. -32767 lies in the same (last) G.711 interval, so the code is equal.
 */
static int16_t clamp_full_scale(int16_t sample)
{
	return sample == INT16_MIN ? (int16_t)(INT16_MIN + 1) : sample;
}

uint8_t media_g711_alaw_encode(int16_t sample)
{
	return g711_pcm2alaw(clamp_full_scale(sample));
}

uint8_t media_g711_ulaw_encode(int16_t sample)
{
	return g711_pcm2ulaw(clamp_full_scale(sample));
}

int16_t media_g711_alaw_decode(uint8_t code)
{
	return g711_alaw2pcm(code);
}

/*
 * librem 0.6 decodes the two mu-law zero codes (0xFF, 0x7F) to +2 and -2; G.711's
 * reconstruction level for that interval is 0.
 */
int16_t media_g711_ulaw_decode(uint8_t code)
{
	if ((code & 0x7F) == 0x7F)
		return 0;
	return g711_ulaw2pcm(code);
}

int media_g711_encode(enum media_codec codec, const int16_t *pcm, size_t count, uint8_t *out)
{
	switch (codec) {
	case MEDIA_CODEC_PCMA:
		for (size_t i = 0; i < count; i++)
			out[i] = media_g711_alaw_encode(pcm[i]);
		return 0;
	case MEDIA_CODEC_PCMU:
		for (size_t i = 0; i < count; i++)
			out[i] = media_g711_ulaw_encode(pcm[i]);
		return 0;
	}
	return EINVAL;
}

int media_g711_decode(enum media_codec codec, const uint8_t *in, size_t count, int16_t *pcm)
{
	switch (codec) {
	case MEDIA_CODEC_PCMA:
		for (size_t i = 0; i < count; i++)
			pcm[i] = media_g711_alaw_decode(in[i]);
		return 0;
	case MEDIA_CODEC_PCMU:
		for (size_t i = 0; i < count; i++)
			pcm[i] = media_g711_ulaw_decode(in[i]);
		return 0;
	}
	return EINVAL;
}
