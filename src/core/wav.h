/*
 * WAV files: read RIFF/WAVE audio as 16-bit mono PCM, write 16-bit mono PCM.
 *
 * Reading accepts PCM 8/16-bit, G.711 A-law (format 6) and mu-law (format 7),
 * WAVE_FORMAT_EXTENSIBLE with a PCM sub-format, any rate, and several channels (mixed
 * down to one). Other encodings are rejected with ENOTSUP.
 */
#ifndef PERMANENCE_WAV_H
#define PERMANENCE_WAV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Largest file read: an hour at 48 kHz stereo 16-bit is about 690 MB; be far below. */
#define WAV_MAX_BYTES (64u * 1024u * 1024u)

struct wav_audio {
	int16_t *samples;  /* mono samples, malloc'd; free with wav_audio_free() */
	size_t count;      /* number of samples */
	unsigned rate;     /* samples per second */
};

/*
 * Read a whole WAV file. Returns 0, ENOENT or another errno when the file cannot be read,
 * EINVAL when it is not a well-formed WAV file, ENOTSUP for an unsupported encoding,
 * EFBIG when it is larger than WAV_MAX_BYTES.
 */
int wav_read_file(struct wav_audio *audio, const char *path);
/* Same, from a buffer in memory. */
int wav_read_buffer(struct wav_audio *audio, const uint8_t *data, size_t size);
void wav_audio_free(struct wav_audio *audio);

/* Write 16-bit mono PCM as a WAV file. Returns 0 or an errno value. */
int wav_write_file(const char *path, const int16_t *samples, size_t count, unsigned rate);

/*
 * Streaming writer for recordings: wav_writer_open() writes a header, wav_writer_append()
 * adds samples, wav_writer_close() fixes the sizes in the header and closes the file.
 */
struct wav_writer {
	FILE *file;
	uint32_t data_bytes;
	unsigned rate;
};

int wav_writer_open(struct wav_writer *writer, const char *path, unsigned rate);
int wav_writer_append(struct wav_writer *writer, const int16_t *samples, size_t count);
int wav_writer_close(struct wav_writer *writer);

#endif
