/*
 * Call recording: the caller's audio and the assistant's audio as two 8 kHz WAV files,
 * written through the core's streaming WAV writer. Both files get one frame at every
 * tick, silence included, so they stay aligned sample for sample and can be mixed or
 * played side by side.
 *
 * The writes go through stdio's buffer; on a slow disk a flush can still block the
 * thread that records. The recording stops growing at `max_seconds` (see
 * media_recorder_write).
 */
#ifndef PERMANENCE_MEDIA_RECORDER_H
#define PERMANENCE_MEDIA_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "wav.h"

/* Longest recording: 4 hours, far below the WAV size limit of 4 GB. */
#define MEDIA_RECORDER_MAX_SECONDS (4u * 3600u)

struct media_recorder {
	struct wav_writer caller;
	struct wav_writer assistant;
	uint64_t samples;       /* per stream */
	uint64_t max_samples;
	bool truncated;         /* frames were refused past max_samples */
};

/*
 * Open both files (created or truncated). `max_seconds` is 1 to MEDIA_RECORDER_MAX_SECONDS.
 * Returns 0, EINVAL, or the errno of the file that failed (no file is left open).
 */
int media_recorder_open(struct media_recorder *recorder, const char *caller_path,
			const char *assistant_path, unsigned max_seconds);

/*
 * Append `count` samples to each stream; NULL writes silence for that stream. Returns 0,
 * EFBIG once max_seconds is reached (the frame is dropped and `truncated` set; the files
 * stay valid), or EIO.
 */
int media_recorder_write(struct media_recorder *recorder, const int16_t *caller,
			 const int16_t *assistant, size_t count);

/* Finish both files (sizes in their headers) and close them. Returns 0 or EIO. */
int media_recorder_close(struct media_recorder *recorder);

#endif
