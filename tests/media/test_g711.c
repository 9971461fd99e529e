/*
 * G.711 against the standard, every code and every sample; the libre build settings; and
 * a real RTP capture decoded to speech.
 *
 * The reference below is built from ITU-T G.711's segment and mantissa definition, not
 * from librem's tables or bit tricks: a code has a sign bit, a 3-bit segment s and a 4-bit
 * mantissa m. A-law reconstruction levels on the 4096 scale are 2m+1 in segment 0 and
 * (2m+33) << (s-1) above; mu-law levels on the 8192 scale are ((2m+33) << s) - 33. 16-bit
 * PCM is the A-law scale times 8 and the mu-law scale times 4. A decision interval is the
 * reconstruction level plus or minus half the segment's step; the top interval extends to
 * full scale. A 16-bit sample is coded as its sign and its magnitude (so -1 is the
 * negative code of magnitude 1), which is how G.711 codes sign and magnitude apart.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <re.h>
#include <rem.h>

#include "media.h"
#include "audio_util.h"
#include "pcap_rtp.h"
#include "test.h"

struct level {
	int value;  /* reconstruction level, 16-bit scale, positive */
	int low;    /* decision interval [low, high) on the magnitude */
	int high;
};

/* Magnitude codes 0..127 (segment << 4 | mantissa) of A-law. */
static void alaw_levels(struct level levels[128])
{
	for (int s = 0; s < 8; s++) {
		for (int m = 0; m < 16; m++) {
			int step = s == 0 ? 2 : 2 << (s - 1);   /* 4096 scale */
			int value = s == 0 ? 2 * m + 1 : (2 * m + 33) << (s - 1);
			struct level *l = &levels[s << 4 | m];

			l->value = value * 8;
			l->low = (value * 2 - step) * 4;
			l->high = (value * 2 + step) * 4;
		}
	}
	levels[127].high = 32769;
}

static void ulaw_levels(struct level levels[128])
{
	for (int s = 0; s < 8; s++) {
		for (int m = 0; m < 16; m++) {
			int step = 2 << s;                       /* 8192 scale */
			int value = ((2 * m + 33) << s) - 33;
			struct level *l = &levels[s << 4 | m];

			l->value = value * 4;
			l->low = value * 4 - step * 2;
			l->high = value * 4 + step * 2;
		}
	}
	levels[0].low = 0;
	levels[127].high = 32769;
}

/* A-law: even bits inverted, sign bit 1 for positive. */
static int alaw_reference_decode(const struct level *levels, uint8_t code)
{
	uint8_t c = code ^ 0x55;
	int value = levels[c & 0x7F].value;

	return (c & 0x80) ? value : -value;
}

/* mu-law: all bits inverted, sign bit 1 for negative after inversion. */
static int ulaw_reference_decode(const struct level *levels, uint8_t code)
{
	uint8_t c = (uint8_t)~code;
	int value = levels[c & 0x7F].value;

	return (c & 0x80) ? -value : value;
}

static int find_level(const struct level *levels, int magnitude)
{
	for (int i = 0; i < 128; i++) {
		if (magnitude >= levels[i].low && magnitude < levels[i].high)
			return i;
	}
	return -1;
}

static uint8_t alaw_reference_encode(const struct level *levels, int sample)
{
	int index = find_level(levels, abs(sample));
	uint8_t c = (uint8_t)index;

	if (sample >= 0)
		c |= 0x80;
	return c ^ 0x55;
}

static uint8_t ulaw_reference_encode(const struct level *levels, int sample)
{
	int index = find_level(levels, abs(sample));
	uint8_t c = (uint8_t)index;

	if (sample < 0)
		c |= 0x80;
	return (uint8_t)~c;
}

static void test_reference_is_a_partition(void)
{
	struct level a[128], u[128];

	alaw_levels(a);
	ulaw_levels(u);
	TEST_EQ_INT(a[0].low, 0);
	TEST_EQ_INT(u[0].low, 0);
	for (int i = 1; i < 128; i++) {
		TEST_EQ_INT(a[i].low, a[i - 1].high);
		TEST_EQ_INT(u[i].low, u[i - 1].high);
	}
	/* Spot values printed in G.711's tables, scaled to 16 bits. */
	TEST_EQ_INT(a[127].value, 32256);
	TEST_EQ_INT(u[127].value, 32124);
	TEST_EQ_INT(a[0].value, 8);
	TEST_EQ_INT(u[0].value, 0);
	TEST_EQ_INT(u[16].value, 132);
}

static void test_alaw_decode_all_codes(void)
{
	struct level levels[128];
	int wrong = 0;

	alaw_levels(levels);
	for (int code = 0; code < 256; code++) {
		int expected = alaw_reference_decode(levels, (uint8_t)code);

		if (media_g711_alaw_decode((uint8_t)code) != expected ||
		    g711_alaw2pcm((uint8_t)code) != expected) {
			if (wrong++ < 5)
				fprintf(stderr, "A-law 0x%02x: got %d, want %d\n", code,
					media_g711_alaw_decode((uint8_t)code), expected);
		}
	}
	TEST_EQ_INT(wrong, 0);
	TEST_EQ_INT(media_g711_alaw_decode(0xD5), 8);
	TEST_EQ_INT(media_g711_alaw_decode(0x55), -8);
	TEST_EQ_INT(media_g711_alaw_decode(0xAA), 32256);
	TEST_EQ_INT(media_g711_alaw_decode(0x2A), -32256);
}

static void test_ulaw_decode_all_codes(void)
{
	struct level levels[128];
	int wrong = 0;

	ulaw_levels(levels);
	for (int code = 0; code < 256; code++) {
		int expected = ulaw_reference_decode(levels, (uint8_t)code);

		/* librem's own table is 2 off on the two zero codes; media.h corrects them. */
		int librem_error = abs(g711_ulaw2pcm((uint8_t)code) - expected);

		if (media_g711_ulaw_decode((uint8_t)code) != expected ||
		    librem_error > ((code & 0x7F) == 0x7F ? 2 : 0)) {
			if (wrong++ < 5)
				fprintf(stderr, "mu-law 0x%02x: got %d, want %d\n", code,
					media_g711_ulaw_decode((uint8_t)code), expected);
		}
	}
	TEST_EQ_INT(wrong, 0);
	TEST_EQ_INT(media_g711_ulaw_decode(0xFF), 0);
	TEST_EQ_INT(media_g711_ulaw_decode(0x7F), 0);
	TEST_EQ_INT(media_g711_ulaw_decode(0x80), 32124);
	TEST_EQ_INT(media_g711_ulaw_decode(0x00), -32124);
}

static void test_alaw_encode_all_samples(void)
{
	struct level levels[128];
	int wrong = 0;

	alaw_levels(levels);
	for (int x = -32768; x <= 32767; x++) {
		uint8_t expected = alaw_reference_encode(levels, x);
		uint8_t got = media_g711_alaw_encode((int16_t)x);

		if (got != expected && wrong++ < 5)
			fprintf(stderr, "A-law %d: got 0x%02x, want 0x%02x\n", x, got, expected);
	}
	TEST_EQ_INT(wrong, 0);
	TEST_EQ_INT(media_g711_alaw_encode(INT16_MIN), 0x2A);
	TEST_EQ_INT(media_g711_alaw_encode(INT16_MAX), 0xAA);
}

static void test_ulaw_encode_all_samples(void)
{
	struct level levels[128];
	int wrong = 0;

	ulaw_levels(levels);
	for (int x = -32768; x <= 32767; x++) {
		uint8_t expected = ulaw_reference_encode(levels, x);
		uint8_t got = media_g711_ulaw_encode((int16_t)x);

		if (got != expected && wrong++ < 5)
			fprintf(stderr, "mu-law %d: got 0x%02x, want 0x%02x\n", x, got, expected);
	}
	TEST_EQ_INT(wrong, 0);
	TEST_EQ_INT(media_g711_ulaw_encode(INT16_MIN), 0x00);
	TEST_EQ_INT(media_g711_ulaw_encode(INT16_MAX), 0x80);
}

/* librem itself, on every sample but -32768, which it cannot take (see media.h). */
static void test_librem_encode_matches(void)
{
	struct level a[128], u[128];
	int wrong = 0;

	alaw_levels(a);
	ulaw_levels(u);
	for (int x = -32767; x <= 32767; x++) {
		if (g711_pcm2alaw((int16_t)x) != alaw_reference_encode(a, x))
			wrong++;
		if (g711_pcm2ulaw((int16_t)x) != ulaw_reference_encode(u, x))
			wrong++;
	}
	TEST_EQ_INT(wrong, 0);
}

static void test_round_trips(void)
{
	struct level a[128], u[128];
	int worst_a = 0, worst_u = 0;

	alaw_levels(a);
	ulaw_levels(u);
	/* Code -> level -> the same code; mu-law's negative zero comes back positive. */
	for (int code = 0; code < 256; code++) {
		uint8_t c = (uint8_t)code;

		TEST_EQ_INT(media_g711_alaw_encode(media_g711_alaw_decode(c)), c);
		if (c != 0x7F)
			TEST_EQ_INT(media_g711_ulaw_encode(media_g711_ulaw_decode(c)), c);
	}
	TEST_EQ_INT(media_g711_ulaw_encode(media_g711_ulaw_decode(0x7F)), 0xFF);

	/* Sample -> code -> level stays inside the sample's decision interval. */
	for (int x = -32768; x <= 32767; x++) {
		int da = media_g711_alaw_decode(media_g711_alaw_encode((int16_t)x));
		int du = media_g711_ulaw_decode(media_g711_ulaw_encode((int16_t)x));
		int ia = find_level(a, abs(x)), iu = find_level(u, abs(x));
		int ea = abs(abs(da) - abs(x)), eu = abs(abs(du) - abs(x));

		if (ea > (a[ia].high - a[ia].low) / 2 + 1 && abs(x) < a[127].value)
			worst_a++;
		if (eu > (u[iu].high - u[iu].low) / 2 + 1 && abs(x) < u[127].value)
			worst_u++;
		if (x != 0 && da != 0 && (x < 0) != (da < 0))
			worst_a++;
	}
	TEST_EQ_INT(worst_a, 0);
	TEST_EQ_INT(worst_u, 0);
}

static void test_buffer_codec_checked(void)
{
	int16_t pcm[4] = {0, 1000, -1000, INT16_MIN};
	int16_t back[4];
	uint8_t coded[4] = {1, 2, 3, 4};

	TEST_EQ_INT(media_g711_encode((enum media_codec)3, pcm, 4, coded), EINVAL);
	TEST_EQ_INT(coded[0], 1);
	TEST_EQ_INT(media_g711_decode((enum media_codec)3, coded, 4, back), EINVAL);
	TEST_EQ_INT(media_g711_encode(MEDIA_CODEC_PCMA, pcm, 4, coded), 0);
	TEST_EQ_INT(media_g711_decode(MEDIA_CODEC_PCMA, coded, 4, back), 0);
	TEST_EQ_INT(back[0], 8);
	TEST_EQ_INT(back[3], -32256);
	TEST_EQ_INT(media_g711_encode(MEDIA_CODEC_PCMU, pcm, 4, coded), 0);
	TEST_EQ_INT(media_g711_decode(MEDIA_CODEC_PCMU, coded, 4, back), 0);
	TEST_EQ_INT(back[0], 0);
	TEST_EQ_INT(back[3], -32124);
	TEST_EQ_STR(media_codec_name(MEDIA_CODEC_PCMA), "PCMA");
	TEST_EQ_STR(media_codec_name(MEDIA_CODEC_PCMU), "PCMU");
	TEST_EQ_STR(media_codec_name((enum media_codec)3), "unknown");
}

/*
 * perm_libre's definitions must match the library's build: with HAVE_INET6 missing,
 * struct sa is too small for an IPv6 address and libre writes past it.
 */
static void test_libre_defines_match(void)
{
	struct sa sa;
	char text[64];

	TEST_REQUIRE(sizeof(sa.u) >= sizeof(struct sockaddr_in6));
	TEST_EQ_INT(sa_set_str(&sa, "::1", 5060), 0);
	TEST_EQ_INT(sa_af(&sa), AF_INET6);
	TEST_EQ_INT(sa_port(&sa), 5060);
	TEST_CHECK(sa_is_loopback(&sa));
	TEST_CHECK(re_snprintf(text, sizeof(text), "%J", &sa) > 0);
	TEST_EQ_STR(text, "[::1]:5060");
	TEST_EQ_INT(sa_set_str(&sa, "127.0.0.1", 5062), 0);
	TEST_CHECK(re_snprintf(text, sizeof(text), "%J", &sa) > 0);
	TEST_EQ_STR(text, "127.0.0.1:5062");
}

static void corpus_path(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("PERMANENCE_CORPUS_DIR");

	TEST_REQUIRE(dir != NULL);
	snprintf(buf, size, "%s/%s", dir, name);
}

static void test_capture_decodes_to_speech(void)
{
	struct pcap_rtp_stream stream;
	struct audio_stats stats;
	char path[1024];
	int16_t *pcm;

	corpus_path(path, sizeof(path), "sip/captures/g711a.pcap");
	TEST_REQUIRE(pcap_rtp_read_file(&stream, path, MEDIA_CODEC_PCMA) == 0);
	TEST_EQ_INT(stream.packets, 236);
	TEST_EQ_INT(stream.seq_gaps, 0);
	/* 30 ms packets: 240 samples each. */
	TEST_EQ_INT(stream.payload_size, 236 * 240);

	pcm = malloc(stream.payload_size * sizeof(*pcm));
	TEST_REQUIRE(pcm != NULL);
	TEST_EQ_INT(media_g711_decode(MEDIA_CODEC_PCMA, stream.payload, stream.payload_size, pcm),
		    0);
	audio_measure(pcm, stream.payload_size, &stats);
	fprintf(stderr, "capture: %zu frames, loud %.1f dBFS, quiet %.1f dBFS, voiced %.0f%%, "
		"clipped %zu, zero crossings %.2f\n", stats.frames, stats.loud_db,
		stats.quiet_db, 100.0 * stats.voiced_share, stats.clipped, stats.zcr_loud);
	/* Not silence: the loud frames are at conversational level. */
	TEST_CHECK(stats.loud_db > -35.0);
	/* Not steady noise: speech has pauses between syllables, 20 dB and more below. */
	TEST_CHECK(stats.loud_db - stats.quiet_db > 20.0);
	/* Voiced: periodic frames at a pitch, which noise lacks. */
	TEST_CHECK(stats.voiced_share > 0.2);
	/* Speech crosses zero far less often than white noise (about half the samples). */
	TEST_CHECK(stats.zcr_loud < 0.3);
	TEST_CHECK(stats.clipped < stats.frames * MEDIA_FRAME_SAMPLES / 1000);
	free(pcm);
	pcap_rtp_stream_free(&stream);
}

static uint8_t *read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long n;

	TEST_REQUIRE(f != NULL);
	TEST_REQUIRE(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	TEST_REQUIRE(n > 0 && fseek(f, 0, SEEK_SET) == 0);
	data = malloc((size_t)n);
	TEST_REQUIRE(data != NULL);
	TEST_REQUIRE(fread(data, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return data;
}

static void test_capture_reader_bad_input(void)
{
	struct pcap_rtp_stream stream;
	char path[1024];
	uint8_t *data;
	size_t size;
	uint32_t seed = 12345;
	int err;

	corpus_path(path, sizeof(path), "sip/captures/g711a.pcap");
	data = read_whole(path, &size);

	TEST_EQ_INT(pcap_rtp_read_buffer(&stream, data, 10, 8), EINVAL);
	TEST_EQ_INT(pcap_rtp_read_buffer(&stream, (const uint8_t *)"not a capture at all....", 24, 8),
		    EINVAL);
	TEST_EQ_INT(pcap_rtp_read_buffer(&stream, data, size, 0), ENOENT);
	TEST_CHECK(stream.payload == NULL);

	/* Every truncation is an error or a shorter stream, never a read past the end. */
	for (size_t cut = 0; cut < size; cut += 37) {
		err = pcap_rtp_read_buffer(&stream, data, cut, 8);
		TEST_CHECK(err == 0 || err == EINVAL || err == ENOENT);
		pcap_rtp_stream_free(&stream);
	}
	/* Random byte damage after the global header. */
	for (int round = 0; round < 200; round++) {
		uint8_t *copy = malloc(size);

		TEST_REQUIRE(copy != NULL);
		memcpy(copy, data, size);
		for (int k = 0; k < 20; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[24 + (seed >> 8) % (size - 24)] = (uint8_t)(seed >> 24);
		}
		err = pcap_rtp_read_buffer(&stream, copy, size, 8);
		TEST_CHECK(err == 0 || err == EINVAL || err == ENOENT);
		pcap_rtp_stream_free(&stream);
		free(copy);
	}
	free(data);

	corpus_path(path, sizeof(path), "sip/captures/missing.pcap");
	TEST_EQ_INT(pcap_rtp_read_file(&stream, path, 8), ENOENT);
	/* A capture with signalling only: no RTP audio in it. */
	corpus_path(path, sizeof(path), "sip/captures/dtmf_2833_1.pcap");
	err = pcap_rtp_read_file(&stream, path, 8);
	TEST_CHECK(err == ENOENT || err == 0);
	pcap_rtp_stream_free(&stream);
}

static const struct test_case cases[] = {
	TEST_CASE(test_reference_is_a_partition),
	TEST_CASE(test_alaw_decode_all_codes),
	TEST_CASE(test_ulaw_decode_all_codes),
	TEST_CASE(test_alaw_encode_all_samples),
	TEST_CASE(test_ulaw_encode_all_samples),
	TEST_CASE(test_librem_encode_matches),
	TEST_CASE(test_round_trips),
	TEST_CASE(test_buffer_codec_checked),
	TEST_CASE(test_libre_defines_match),
	TEST_CASE(test_capture_decodes_to_speech),
	TEST_CASE(test_capture_reader_bad_input),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
