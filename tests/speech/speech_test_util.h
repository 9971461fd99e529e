/* Helpers shared by the speech tests: corpus files and simple signal checks. */
#ifndef PERMANENCE_SPEECH_TEST_UTIL_H
#define PERMANENCE_SPEECH_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "wav.h"

/* Read tests/corpus/audio/NAME; aborts the case when it cannot. */
void corpus_audio(const char *name, struct wav_audio *audio);

/* Root mean square of samples, 0 for none. */
double pcm_rms(const int16_t *samples, size_t count);

#endif
