#include "speech_test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "test.h"

void corpus_audio(const char *name, struct wav_audio *audio)
{
	const char *root = getenv("PERMANENCE_CORPUS_DIR");
	char path[1024];

	TEST_REQUIRE(root != NULL);
	snprintf(path, sizeof(path), "%s/audio/%s", root, name);
	TEST_REQUIRE(wav_read_file(audio, path) == 0);
}

double pcm_rms(const int16_t *samples, size_t count)
{
	double sum = 0.0;

	for (size_t i = 0; i < count; i++)
		sum += (double)samples[i] * samples[i];
	return count ? sqrt(sum / (double)count) : 0.0;
}
