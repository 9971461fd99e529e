#include "wav.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
	FORMAT_PCM = 1,
	FORMAT_ALAW = 6,
	FORMAT_MULAW = 7,
	FORMAT_EXTENSIBLE = 0xFFFE,
};

static uint16_t read_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* G.711 expansion as specified by ITU-T G.711 (segment + mantissa, sign bit). */
static int16_t alaw_to_linear(uint8_t code)
{
	int value, segment;

	code ^= 0x55;
	value = (code & 0x0F) << 4;
	segment = (code & 0x70) >> 4;
	if (segment == 0)
		value += 8;
	else
		value = (value + 0x108) << (segment - 1);
	return (int16_t)((code & 0x80) ? value : -value);
}

static int16_t mulaw_to_linear(uint8_t code)
{
	int value;

	code = (uint8_t)~code;
	value = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4);
	return (int16_t)((code & 0x80) ? 0x84 - value : value - 0x84);
}

struct wav_format {
	unsigned format;
	unsigned channels;
	unsigned rate;
	unsigned bits;
	unsigned block_align;
};

static int parse_format(struct wav_format *fmt, const uint8_t *chunk, uint32_t size)
{
	if (size < 16)
		return EINVAL;
	fmt->format = read_u16(chunk);
	fmt->channels = read_u16(chunk + 2);
	fmt->rate = read_u32(chunk + 4);
	fmt->block_align = read_u16(chunk + 12);
	fmt->bits = read_u16(chunk + 14);
	if (fmt->format == FORMAT_EXTENSIBLE) {
		/* The sub-format GUID starts with the plain format code. */
		if (size < 40)
			return EINVAL;
		fmt->format = read_u16(chunk + 24);
	}
	if (fmt->channels == 0 || fmt->channels > 8 || fmt->rate == 0 || fmt->rate > 384000)
		return EINVAL;
	if (fmt->format == FORMAT_PCM && fmt->bits != 8 && fmt->bits != 16)
		return ENOTSUP;
	if ((fmt->format == FORMAT_ALAW || fmt->format == FORMAT_MULAW) && fmt->bits != 8)
		return EINVAL;
	if (fmt->format != FORMAT_PCM && fmt->format != FORMAT_ALAW && fmt->format != FORMAT_MULAW)
		return ENOTSUP;
	if (fmt->block_align != fmt->channels * fmt->bits / 8)
		return EINVAL;
	return 0;
}

static int16_t decode_sample(const struct wav_format *fmt, const uint8_t *p)
{
	switch (fmt->format) {
	case FORMAT_ALAW:
		return alaw_to_linear(p[0]);
	case FORMAT_MULAW:
		return mulaw_to_linear(p[0]);
	default:
		if (fmt->bits == 8)
			return (int16_t)((p[0] - 128) << 8);
		return (int16_t)read_u16(p);
	}
}

static int decode_data(struct wav_audio *audio, const struct wav_format *fmt,
		       const uint8_t *data, uint32_t size)
{
	size_t frames = size / fmt->block_align;
	unsigned sample_bytes = fmt->bits / 8;

	audio->samples = malloc((frames ? frames : 1) * sizeof(int16_t));
	if (!audio->samples)
		return ENOMEM;
	for (size_t i = 0; i < frames; i++) {
		const uint8_t *frame = data + i * fmt->block_align;
		long sum = 0;

		for (unsigned c = 0; c < fmt->channels; c++)
			sum += decode_sample(fmt, frame + c * sample_bytes);
		audio->samples[i] = (int16_t)(sum / (long)fmt->channels);
	}
	audio->count = frames;
	audio->rate = fmt->rate;
	return 0;
}

int wav_read_buffer(struct wav_audio *audio, const uint8_t *data, size_t size)
{
	struct wav_format fmt = {0};
	bool have_format = false;
	size_t pos = 12;
	int err;

	memset(audio, 0, sizeof(*audio));
	if (size < 12 || memcmp(data, "RIFF", 4) != 0 || memcmp(data + 8, "WAVE", 4) != 0)
		return EINVAL;
	if (size > WAV_MAX_BYTES)
		return EFBIG;

	while (pos + 8 <= size) {
		const uint8_t *chunk = data + pos + 8;
		uint32_t chunk_size = read_u32(data + pos + 4);
		size_t available = size - pos - 8;

		if (memcmp(data + pos, "fmt ", 4) == 0) {
			if (chunk_size > available)
				return EINVAL;
			err = parse_format(&fmt, chunk, chunk_size);
			if (err)
				return err;
			have_format = true;
		} else if (memcmp(data + pos, "data", 4) == 0) {
			if (!have_format)
				return EINVAL;
			/* Streams written live often leave the size unset: take what is there. */
			if (chunk_size > available)
				chunk_size = (uint32_t)available;
			return decode_data(audio, &fmt, chunk, chunk_size);
		}
		if (chunk_size > available)
			return EINVAL;
		pos += 8 + (size_t)chunk_size + (chunk_size & 1);
	}
	return EINVAL;
}

int wav_read_file(struct wav_audio *audio, const char *path)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;
	int err = 0;

	memset(audio, 0, sizeof(*audio));
	if (!file)
		return errno;
	if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 ||
	    fseek(file, 0, SEEK_SET) != 0) {
		err = EIO;
		goto out;
	}
	if ((unsigned long)size > WAV_MAX_BYTES) {
		err = EFBIG;
		goto out;
	}
	data = malloc(size ? (size_t)size : 1);
	if (!data) {
		err = ENOMEM;
		goto out;
	}
	if (fread(data, 1, (size_t)size, file) != (size_t)size) {
		err = EIO;
		goto out;
	}
	err = wav_read_buffer(audio, data, (size_t)size);
out:
	free(data);
	fclose(file);
	return err;
}

void wav_audio_free(struct wav_audio *audio)
{
	free(audio->samples);
	memset(audio, 0, sizeof(*audio));
}

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)v);
	put_u16(p + 2, (uint16_t)(v >> 16));
}

static void make_header(uint8_t header[44], unsigned rate, uint32_t data_bytes)
{
	memcpy(header, "RIFF", 4);
	put_u32(header + 4, 36 + data_bytes);
	memcpy(header + 8, "WAVEfmt ", 8);
	put_u32(header + 16, 16);
	put_u16(header + 20, FORMAT_PCM);
	put_u16(header + 22, 1);
	put_u32(header + 24, rate);
	put_u32(header + 28, rate * 2);
	put_u16(header + 32, 2);
	put_u16(header + 34, 16);
	memcpy(header + 36, "data", 4);
	put_u32(header + 40, data_bytes);
}

int wav_writer_open(struct wav_writer *writer, const char *path, unsigned rate)
{
	uint8_t header[44];

	memset(writer, 0, sizeof(*writer));
	writer->file = fopen(path, "wb");
	if (!writer->file)
		return errno;
	writer->rate = rate;
	make_header(header, rate, 0);
	if (fwrite(header, 1, sizeof(header), writer->file) != sizeof(header)) {
		fclose(writer->file);
		writer->file = NULL;
		return EIO;
	}
	return 0;
}

int wav_writer_append(struct wav_writer *writer, const int16_t *samples, size_t count)
{
	uint8_t buf[512];

	if (!writer->file)
		return EBADF;
	if ((uint64_t)writer->data_bytes + count * 2 > 0xFFFFFFF0u)
		return EFBIG;
	while (count > 0) {
		size_t n = count < sizeof(buf) / 2 ? count : sizeof(buf) / 2;

		for (size_t i = 0; i < n; i++)
			put_u16(buf + 2 * i, (uint16_t)samples[i]);
		if (fwrite(buf, 2, n, writer->file) != n)
			return EIO;
		writer->data_bytes += (uint32_t)(n * 2);
		samples += n;
		count -= n;
	}
	return 0;
}

int wav_writer_close(struct wav_writer *writer)
{
	uint8_t header[44];
	int err = 0;

	if (!writer->file)
		return 0;
	make_header(header, writer->rate, writer->data_bytes);
	if (fseek(writer->file, 0, SEEK_SET) != 0 ||
	    fwrite(header, 1, sizeof(header), writer->file) != sizeof(header))
		err = EIO;
	if (fclose(writer->file) != 0 && !err)
		err = EIO;
	writer->file = NULL;
	return err;
}

int wav_write_file(const char *path, const int16_t *samples, size_t count, unsigned rate)
{
	struct wav_writer writer;
	int err = wav_writer_open(&writer, path, rate);

	if (err)
		return err;
	err = wav_writer_append(&writer, samples, count);
	if (err) {
		wav_writer_close(&writer);
		return err;
	}
	return wav_writer_close(&writer);
}
