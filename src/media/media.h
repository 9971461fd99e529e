/*
 * Telephone audio as this program handles it: 8 kHz, 16-bit signed mono PCM, in frames
 * of 20 ms (160 samples), carried over RTP as G.711 A-law (PCMA) or mu-law (PCMU).
 *
 * The media module is pure signal processing and audio plumbing: no threads, no clock
 * reads, no I/O except the recorder. Each object is used from one thread, and only its
 * create function allocates, so the per-frame path never does.
 *
 * Headers: media.h (this one: constants and G.711), queue.h (bounded PCM queue),
 * pacer.h (20 ms send schedule), analysis.h (frame features, noise floor), vad.h
 * (voice activity and end of speech), bargein.h (barge-in decisions), watchdog.h
 * (endless noise or music), tone.h (silence, comfort noise, beeps), recorder.h (call
 * recording).
 */
#ifndef PERMANENCE_MEDIA_H
#define PERMANENCE_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#define MEDIA_RATE 8000           /* samples per second */
#define MEDIA_FRAME_MS 20         /* one RTP packet */
#define MEDIA_FRAME_SAMPLES 160   /* MEDIA_RATE * MEDIA_FRAME_MS / 1000 */

/* Convert a duration in milliseconds to whole 20 ms frames, rounding up. */
#define MEDIA_MS_TO_FRAMES(ms) (((ms) + MEDIA_FRAME_MS - 1) / MEDIA_FRAME_MS)

/* G.711 variants, numbered as their static RTP payload types (RFC 3551). */
enum media_codec {
	MEDIA_CODEC_PCMU = 0,
	MEDIA_CODEC_PCMA = 8,
};

/* Return "PCMU", "PCMA" or "unknown": the SDP encoding name. */
const char *media_codec_name(enum media_codec codec);

/*
 * Encode one sample with librem's tables. These wrappers fix the one input librem 0.6
 * gets wrong: -32768, whose negation overflows int16_t, so librem reads before its A-law
 * table and returns mu-law silence. It is coded as -32767, which lies in the same G.711
 * interval and so gets the standard's code.
 */
uint8_t media_g711_alaw_encode(int16_t sample);
uint8_t media_g711_ulaw_encode(int16_t sample);
/*
 * Decode one code to the 16-bit value of its G.711 reconstruction level: librem's tables,
 * except the mu-law zero codes, which librem decodes to +2 and -2 instead of 0.
 */
int16_t media_g711_alaw_decode(uint8_t code);
int16_t media_g711_ulaw_decode(uint8_t code);

/*
 * Encode `count` samples from `pcm` into `out` (`count` bytes). Returns 0, or EINVAL for a
 * codec that is not PCMA or PCMU (then `out` is untouched).
 */
int media_g711_encode(enum media_codec codec, const int16_t *pcm, size_t count, uint8_t *out);
/* Decode `count` bytes from `in` into `pcm` (`count` samples). Returns 0 or EINVAL. */
int media_g711_decode(enum media_codec codec, const uint8_t *in, size_t count, int16_t *pcm);

#endif
