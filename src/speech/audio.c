#include "speech.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_resampler.h>

/* Quality 5 of 10: speexdsp's default for non-real-time work; enough to keep aliasing
 * out of the telephone band when 22.05 kHz synthesis goes down to 8 kHz. */
#define RESAMPLE_QUALITY 5

/* Samples fed to speexdsp per call; its counts are 32-bit. */
#define RESAMPLE_BLOCK 16384u

void speech_audio_free(struct speech_audio *audio)
{
	if (!audio)
		return;
	free(audio->samples);
	audio->samples = NULL;
	audio->count = 0;
}

bool speech_lang_valid(const char *lang)
{
	return lang && (strcmp(lang, "fr") == 0 || strcmp(lang, "en") == 0);
}

/* Push `count` input samples (or zeros when in is NULL) and append what comes out. */
static int resample_push(SpeexResamplerState *state, const int16_t *in, size_t count,
			 int16_t *out, size_t out_max, size_t *out_used)
{
	static const int16_t zeros[256];

	while (count > 0) {
		spx_uint32_t in_len, out_len;
		const int16_t *src = in ? in : zeros;
		size_t block = in ? RESAMPLE_BLOCK : sizeof(zeros) / sizeof(zeros[0]);

		in_len = (spx_uint32_t)(count < block ? count : block);
		out_len = (spx_uint32_t)(out_max - *out_used);
		if (out_len == 0)
			return 0;
		if (speex_resampler_process_int(state, 0, src, &in_len, out + *out_used, &out_len) !=
		    RESAMPLER_ERR_SUCCESS)
			return EINVAL;
		*out_used += out_len;
		count -= in_len;
		if (in)
			in += in_len;
		if (in_len == 0 && out_len == 0)
			break;
	}
	return 0;
}

int speech_resample(const int16_t *in, size_t count, unsigned in_rate, unsigned out_rate,
		    struct speech_audio *out)
{
	SpeexResamplerState *state = NULL;
	size_t expected, used = 0;
	int err = 0, spx_err = 0;

	memset(out, 0, sizeof(*out));
	out->rate = out_rate;
	if (in_rate == 0 || out_rate == 0 || (!in && count > 0))
		return EINVAL;
	expected = (size_t)(((unsigned long long)count * out_rate) / in_rate);
	out->samples = malloc((expected + 1) * sizeof(int16_t));
	if (!out->samples)
		return ENOMEM;
	if (in_rate == out_rate) {
		if (count)
			memcpy(out->samples, in, count * sizeof(int16_t));
		out->count = count;
		return 0;
	}

	state = speex_resampler_init(1, in_rate, out_rate, RESAMPLE_QUALITY, &spx_err);
	if (!state) {
		err = spx_err == RESAMPLER_ERR_ALLOC_FAILED ? ENOMEM : EINVAL;
		goto out;
	}
	/* Drop the filter's leading delay so output sample i lines up with input time i. */
	speex_resampler_skip_zeros(state);
	err = resample_push(state, in, count, out->samples, expected, &used);
	if (err)
		goto out;
	/* Flush the delayed tail with silence until the expected length is reached. */
	err = resample_push(state, NULL, (size_t)speex_resampler_get_input_latency(state) * 2,
			    out->samples, expected, &used);
	if (err)
		goto out;
	memset(out->samples + used, 0, (expected - used) * sizeof(int16_t));
	out->count = expected;
out:
	if (state)
		speex_resampler_destroy(state);
	if (err)
		speech_audio_free(out);
	return err;
}
