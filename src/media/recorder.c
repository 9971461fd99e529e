/* Two aligned WAV streams on the core's writer. */
#include <errno.h>
#include <string.h>

#include "media.h"
#include "recorder.h"

int media_recorder_open(struct media_recorder *recorder, const char *caller_path,
			const char *assistant_path, unsigned max_seconds)
{
	int err;

	memset(recorder, 0, sizeof(*recorder));
	if (max_seconds < 1 || max_seconds > MEDIA_RECORDER_MAX_SECONDS)
		return EINVAL;
	err = wav_writer_open(&recorder->caller, caller_path, MEDIA_RATE);
	if (err)
		return err;
	err = wav_writer_open(&recorder->assistant, assistant_path, MEDIA_RATE);
	if (err) {
		wav_writer_close(&recorder->caller);
		return err;
	}
	recorder->max_samples = (uint64_t)max_seconds * MEDIA_RATE;
	return 0;
}

static int append(struct wav_writer *writer, const int16_t *samples, size_t count)
{
	static const int16_t silence[MEDIA_FRAME_SAMPLES];

	if (samples)
		return wav_writer_append(writer, samples, count);
	while (count > 0) {
		size_t n = count < MEDIA_FRAME_SAMPLES ? count : MEDIA_FRAME_SAMPLES;
		int err = wav_writer_append(writer, silence, n);

		if (err)
			return err;
		count -= n;
	}
	return 0;
}

int media_recorder_write(struct media_recorder *recorder, const int16_t *caller,
			 const int16_t *assistant, size_t count)
{
	int err;

	if (recorder->samples + count > recorder->max_samples) {
		recorder->truncated = true;
		return EFBIG;
	}
	err = append(&recorder->caller, caller, count);
	if (!err)
		err = append(&recorder->assistant, assistant, count);
	if (err)
		return err;
	recorder->samples += count;
	return 0;
}

int media_recorder_close(struct media_recorder *recorder)
{
	int err = wav_writer_close(&recorder->caller);
	int err2 = wav_writer_close(&recorder->assistant);

	return err ? err : err2;
}
