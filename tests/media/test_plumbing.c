/* The audio queue, the pacer, tones and the call recorder. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "media.h"
#include "pacer.h"
#include "queue.h"
#include "recorder.h"
#include "test.h"
#include "tone.h"
#include "wav.h"

static void test_queue_create_bounds(void)
{
	struct media_queue *q = (struct media_queue *)&q;

	TEST_EQ_INT(media_queue_create(&q, 0), EINVAL);
	TEST_CHECK(q == NULL);
	TEST_EQ_INT(media_queue_create(&q, MEDIA_QUEUE_MAX_SAMPLES + 1), EINVAL);
	TEST_EQ_INT(media_queue_create(&q, MEDIA_QUEUE_MAX_SAMPLES), 0);
	media_queue_destroy(q);
	media_queue_destroy(NULL);
}

static void test_queue_fifo_wraps(void)
{
	struct media_queue *q;
	int16_t in[500], out[MEDIA_FRAME_SAMPLES];
	int16_t next_in = 0, next_out = 0;
	size_t accepted;

	TEST_REQUIRE(media_queue_create(&q, 400) == 0);
	/* Many pushes and pops of unequal sizes cross the ring's end many times. */
	for (int round = 0; round < 200; round++) {
		size_t n = (size_t)(round * 37 % 170) + 1;

		for (size_t i = 0; i < n; i++)
			in[i] = next_in++;
		if (media_queue_space(q) >= n) {
			TEST_EQ_INT(media_queue_push(q, in, n, &accepted), 0);
			TEST_EQ_INT(accepted, n);
		} else {
			next_in = (int16_t)(next_in - n);
		}
		while (media_queue_level(q) >= MEDIA_FRAME_SAMPLES) {
			TEST_EQ_INT(media_queue_pop(q, out, MEDIA_FRAME_SAMPLES), MEDIA_FRAME_SAMPLES);
			for (int i = 0; i < MEDIA_FRAME_SAMPLES; i++)
				TEST_REQUIRE(out[i] == next_out++);
		}
	}
	media_queue_destroy(q);
}

static void test_queue_overflow_reported(void)
{
	struct media_queue *q;
	struct media_queue_stats stats;
	int16_t in[300] = {0};
	size_t accepted = 99;

	TEST_REQUIRE(media_queue_create(&q, 320) == 0);
	TEST_EQ_INT(media_queue_push(q, in, 300, &accepted), 0);
	TEST_EQ_INT(media_queue_push(q, in, 300, &accepted), ENOSPC);
	TEST_EQ_INT(accepted, 20);
	TEST_EQ_INT(media_queue_level(q), 320);
	TEST_EQ_INT(media_queue_space(q), 0);
	TEST_EQ_INT(media_queue_push(q, in, 1, NULL), ENOSPC);
	TEST_EQ_INT(media_queue_push(q, NULL, 0, NULL), 0);
	media_queue_stats(q, &stats);
	TEST_EQ_INT(stats.pushed, 320);
	TEST_EQ_INT(stats.overflowed, 281);
	media_queue_destroy(q);
}

static void test_queue_underrun_zero_fills(void)
{
	struct media_queue *q;
	struct media_queue_stats stats;
	int16_t in[100], out[MEDIA_FRAME_SAMPLES];

	for (int i = 0; i < 100; i++)
		in[i] = (int16_t)(i + 1);
	TEST_REQUIRE(media_queue_create(&q, 1000) == 0);
	media_queue_push(q, in, 100, NULL);
	memset(out, 0x55, sizeof(out));
	TEST_EQ_INT(media_queue_pop(q, out, MEDIA_FRAME_SAMPLES), 100);
	TEST_EQ_INT(out[99], 100);
	TEST_EQ_INT(out[100], 0);
	TEST_EQ_INT(out[MEDIA_FRAME_SAMPLES - 1], 0);
	memset(out, 0x55, sizeof(out));
	TEST_EQ_INT(media_queue_pop(q, out, MEDIA_FRAME_SAMPLES), 0);
	TEST_EQ_INT(out[0], 0);
	media_queue_stats(q, &stats);
	TEST_EQ_INT(stats.underruns, 1);
	TEST_EQ_INT(stats.empty_pops, 1);
	TEST_EQ_INT(stats.popped, 100);
	media_queue_destroy(q);
}

static void test_queue_flush_drops_all(void)
{
	struct media_queue *q;
	struct media_queue_stats stats;
	int16_t in[1000] = {0}, out[MEDIA_FRAME_SAMPLES];

	TEST_REQUIRE(media_queue_create(&q, 1000) == 0);
	media_queue_push(q, in, 700, NULL);
	media_queue_pop(q, out, MEDIA_FRAME_SAMPLES);
	TEST_EQ_INT(media_queue_flush(q), 540);
	TEST_EQ_INT(media_queue_level(q), 0);
	TEST_EQ_INT(media_queue_pop(q, out, MEDIA_FRAME_SAMPLES), 0);
	TEST_EQ_INT(media_queue_space(q), 1000);
	media_queue_stats(q, &stats);
	TEST_EQ_INT(stats.flushed, 540);
	TEST_EQ_INT(media_queue_flush(q), 0);
	media_queue_destroy(q);
}

#define MS 1000000LL

static void test_pacer_rejects_bad_settings(void)
{
	struct media_pacer p;

	TEST_EQ_INT(media_pacer_start(&p, 0, 0, 100 * MS, 5 * MS), EINVAL);
	TEST_EQ_INT(media_pacer_start(&p, 0, 20 * MS, 10 * MS, 5 * MS), EINVAL);
	TEST_EQ_INT(media_pacer_start(&p, 0, 20 * MS, 100 * MS, -1), EINVAL);
}

/*
 * A timer that always fires 1 to 4 ms late: the schedule must not drift, every frame goes
 * out at most 5 ms after its slot, and after 50,000 frames (1000 s) the count is exact.
 */
static void test_pacer_does_not_drift(void)
{
	struct media_pacer p;
	int64_t start = 123456789LL, now = start, next;
	uint64_t sent = 0, skipped;
	uint32_t seed = 99;
	unsigned due;

	TEST_REQUIRE(media_pacer_start(&p, start, MEDIA_PACER_PERIOD_NS, MEDIA_PACER_MAX_LAG_NS,
				       MEDIA_PACER_LATE_NS) == 0);
	while (sent < 50000) {
		media_pacer_poll(&p, now, &due, &skipped, &next);
		TEST_EQ_INT(skipped, 0);
		sent += due;
		TEST_REQUIRE(next > now);
		seed = seed * 1103515245u + 12345u;
		now = next + (int64_t)(1 + (seed >> 16) % 4) * MS;
	}
	TEST_EQ_INT(sent, 50000);
	TEST_EQ_INT(next, start + 50000LL * 20 * MS);
	TEST_EQ_INT(p.stats.late_frames, 0);
	TEST_CHECK(p.stats.max_lateness_ns <= 4 * MS);
	TEST_EQ_INT(p.stats.resyncs, 0);
}

static void test_pacer_catches_up_then_resyncs(void)
{
	struct media_pacer p;
	int64_t next;
	uint64_t skipped;
	unsigned due;

	TEST_REQUIRE(media_pacer_start(&p, 0, 20 * MS, 200 * MS, 5 * MS) == 0);
	media_pacer_poll(&p, 0, &due, &skipped, &next);
	TEST_EQ_INT(due, 1);
	TEST_EQ_INT(next, 20 * MS);
	/* Woken early: nothing due. */
	media_pacer_poll(&p, 10 * MS, &due, &skipped, &next);
	TEST_EQ_INT(due, 0);
	TEST_EQ_INT(next, 20 * MS);
	/* 50 ms late: frames 1, 2 and 3 go out now, frame 4 is due at 80 ms. */
	media_pacer_poll(&p, 70 * MS, &due, &skipped, &next);
	TEST_EQ_INT(due, 3);
	TEST_EQ_INT(next, 80 * MS);
	TEST_EQ_INT(p.stats.late_frames, 3);
	TEST_EQ_INT(p.stats.max_lateness_ns, 50 * MS);
	/* Stalled for 2 s: restart from now instead of a 100-frame burst. */
	media_pacer_poll(&p, 2080 * MS + 3 * MS, &due, &skipped, &next);
	TEST_EQ_INT(due, 1);
	TEST_EQ_INT(skipped, 100);
	TEST_EQ_INT(next, 2103 * MS);
	TEST_EQ_INT(p.stats.resyncs, 1);
	/* A clock that steps back sends nothing. */
	media_pacer_poll(&p, 1000 * MS, &due, &skipped, &next);
	TEST_EQ_INT(due, 0);
	TEST_CHECK(next > 1000 * MS);
}

static void test_tone_level_and_ramps(void)
{
	struct media_tone tone;
	int16_t out[MEDIA_FRAME_SAMPLES];
	size_t total = 0, n;
	double level;

	TEST_EQ_INT(media_tone_start(&tone, 50.0, -10.0, 100), EINVAL);
	TEST_EQ_INT(media_tone_start(&tone, 1000.0, 0.0, 100), EINVAL);
	TEST_EQ_INT(media_tone_start(&tone, 1000.0, -10.0, 5), EINVAL);
	media_tone_beep(&tone);
	n = media_tone_fill(&tone, out, MEDIA_FRAME_SAMPLES);
	TEST_EQ_INT(n, MEDIA_FRAME_SAMPLES);
	TEST_CHECK(abs(out[0]) < 50);  /* starts from silence, no click */
	total += n;
	n = media_tone_fill(&tone, out, MEDIA_FRAME_SAMPLES);
	level = media_level_db(out, MEDIA_FRAME_SAMPLES);
	TEST_CHECK(fabs(level - -16.0) < 0.3);
	total += n;
	while (!media_tone_done(&tone))
		total += media_tone_fill(&tone, out, MEDIA_FRAME_SAMPLES);
	TEST_EQ_INT(total, 2000);  /* 250 ms */
	TEST_EQ_INT(media_tone_fill(&tone, out, MEDIA_FRAME_SAMPLES), 0);
	TEST_EQ_INT(out[0], 0);
}

static void test_comfort_noise_level(void)
{
	struct media_comfort_noise cn;
	int16_t out[8000];

	TEST_EQ_INT(media_comfort_noise_init(&cn, -20.0, 1), EINVAL);
	TEST_EQ_INT(media_comfort_noise_init(&cn, -60.0, 1), 0);
	media_comfort_noise_fill(&cn, out, 8000);
	TEST_CHECK(fabs(media_level_db(out, 8000) - -60.0) < 0.5);
	media_silence_fill(out, 8000);
	TEST_EQ_INT(media_level_db(out, 8000), MEDIA_SILENCE_DB);
}

static void test_recorder_two_aligned_files(void)
{
	struct media_recorder rec;
	struct wav_audio caller, assistant;
	char caller_path[512], assistant_path[512];
	int16_t frame[MEDIA_FRAME_SAMPLES];

	test_tmp_path(caller_path, sizeof(caller_path), "caller.wav");
	test_tmp_path(assistant_path, sizeof(assistant_path), "assistant.wav");
	TEST_EQ_INT(media_recorder_open(&rec, caller_path, assistant_path, 0), EINVAL);
	TEST_REQUIRE(media_recorder_open(&rec, caller_path, assistant_path, 1) == 0);
	for (int i = 0; i < MEDIA_FRAME_SAMPLES; i++)
		frame[i] = (int16_t)(i * 10);
	/* 50 frames fill the one second allowed; the 51st is refused. */
	for (int f = 0; f < 50; f++)
		TEST_EQ_INT(media_recorder_write(&rec, f % 2 ? frame : NULL, f % 2 ? NULL : frame,
						 MEDIA_FRAME_SAMPLES), 0);
	TEST_EQ_INT(media_recorder_write(&rec, frame, frame, MEDIA_FRAME_SAMPLES), EFBIG);
	TEST_CHECK(rec.truncated);
	TEST_EQ_INT(media_recorder_close(&rec), 0);

	TEST_REQUIRE(wav_read_file(&caller, caller_path) == 0);
	TEST_REQUIRE(wav_read_file(&assistant, assistant_path) == 0);
	TEST_EQ_INT(caller.rate, 8000);
	TEST_EQ_INT(caller.count, 8000);
	TEST_EQ_INT(assistant.count, 8000);
	TEST_EQ_INT(caller.samples[5], 0);                        /* frame 0: caller silent */
	TEST_EQ_INT(assistant.samples[5], 50);
	TEST_EQ_INT(caller.samples[MEDIA_FRAME_SAMPLES + 5], 50);  /* frame 1: caller speaks */
	TEST_EQ_INT(assistant.samples[MEDIA_FRAME_SAMPLES + 5], 0);
	wav_audio_free(&caller);
	wav_audio_free(&assistant);
}

static void test_recorder_open_failure(void)
{
	struct media_recorder rec;
	char ok_path[512];

	test_tmp_path(ok_path, sizeof(ok_path), "ok.wav");
	TEST_EQ_INT(media_recorder_open(&rec, "/nonexistent-dir/a.wav", ok_path, 10), ENOENT);
	TEST_EQ_INT(media_recorder_open(&rec, ok_path, "/nonexistent-dir/b.wav", 10), ENOENT);
	TEST_CHECK(rec.caller.file == NULL);
}

static const struct test_case cases[] = {
	TEST_CASE(test_queue_create_bounds),
	TEST_CASE(test_queue_fifo_wraps),
	TEST_CASE(test_queue_overflow_reported),
	TEST_CASE(test_queue_underrun_zero_fills),
	TEST_CASE(test_queue_flush_drops_all),
	TEST_CASE(test_pacer_rejects_bad_settings),
	TEST_CASE(test_pacer_does_not_drift),
	TEST_CASE(test_pacer_catches_up_then_resyncs),
	TEST_CASE(test_tone_level_and_ramps),
	TEST_CASE(test_comfort_noise_level),
	TEST_CASE(test_recorder_two_aligned_files),
	TEST_CASE(test_recorder_open_failure),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
