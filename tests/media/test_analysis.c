/*
 * The per-frame analysis, made cheaper without changing a decision. The pitch search
 * with running energies returns exactly what the plain search returned. A gated search
 * differs only on frames too quiet to matter. A barge-in object fed the VAD's features
 * decides exactly as one that analyses the frame itself. The VAD's utterance buffer,
 * which grows with the speech, keeps every sample.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "audio_util.h"
#include "bargein.h"
#include "vad.h"
#include "test.h"

#define FRAME MEDIA_FRAME_SAMPLES

/* The plain search, every sum per lag, as a reference for the faster one. */
static double reference_periodicity(const int16_t *window, unsigned size, unsigned *best_lag)
{
	double best = 0.0;

	*best_lag = 0;
	for (unsigned lag = MEDIA_PITCH_LAG_MIN; lag <= MEDIA_PITCH_LAG_MAX; lag++) {
		int64_t cross = 0, head = 0, tail = 0;
		double r;

		for (unsigned n = lag; n < size; n++) {
			cross += (int64_t)window[n] * window[n - lag];
			head += (int64_t)window[n] * window[n];
			tail += (int64_t)window[n - lag] * window[n - lag];
		}
		if (head == 0 || tail == 0 || cross <= 0)
			continue;
		r = (double)cross / sqrt((double)head * (double)tail);
		if (r > best) {
			best = r;
			*best_lag = lag;
		}
	}
	return best;
}

/*
 * A test line of 12 s: harmonic tones gliding from 110 to 250 Hz at three levels, pink
 * noise at -40 and -62 dBFS, digital silence, a full-scale square wave, music, and white
 * noise at -58 dBFS.
 */
static size_t make_line(int16_t **pcmp)
{
	size_t second = 8000, count = 12 * second;
	int16_t *pcm = calloc(count, sizeof(*pcm));
	uint32_t seed = 7;

	TEST_REQUIRE(pcm != NULL);
	for (size_t i = 0; i < 3 * second; i++) {
		double f0 = 110.0 + 140.0 * (double)i / (3.0 * (double)second);
		double v = 0.0;

		for (int h = 1; h <= 8; h++)
			v += sin(2.0 * M_PI * f0 * h * (double)i / 8000.0) / h;
		double gain = 12000.0;

		if (i < second)
			gain = 400.0;
		else if (i < 2 * second)
			gain = 4000.0;
		pcm[i] = (int16_t)lrint(v * gain);
	}
	audio_pink_noise(pcm + 3 * second, 2 * second, -40.0, &seed);
	audio_pink_noise(pcm + 5 * second, second, -62.0, &seed);
	/* pcm[6s..7s) stays digital silence. */
	for (size_t i = 7 * second; i < 8 * second; i++)
		pcm[i] = (i / 20) % 2 ? 32767 : -32768;
	audio_music(pcm + 8 * second, 2 * second, -30.0);
	audio_white_noise(pcm + 10 * second, 2 * second, -58.0, &seed);
	*pcmp = pcm;
	return count;
}

static void test_pitch_search_matches_the_plain_one(void)
{
	struct media_analyser analyser, mirror;
	int16_t *pcm;
	size_t count = make_line(&pcm);
	int16_t previous[FRAME] = {0};
	unsigned searched = 0, voiced = 0;

	media_analyser_reset(&analyser);
	media_analyser_reset(&mirror);
	for (size_t f = 0; f + FRAME <= count; f += FRAME) {
		struct media_features got, loud;
		int16_t window[2 * FRAME];
		double expected = 0.0;
		unsigned expected_lag = 0;

		media_analyser_run(&analyser, pcm + f, &got);
		/* The high-passed frames, as the analyser keeps them, for the reference. */
		memcpy(window, previous, sizeof(previous));
		memcpy(window + FRAME, analyser.previous, sizeof(analyser.previous));
		memcpy(previous, analyser.previous, sizeof(previous));
		if (got.level_db >= MEDIA_PITCH_MIN_DB) {
			expected = reference_periodicity(window, 2 * FRAME, &expected_lag);
			searched++;
		}
		if (!TEST_CHECK(got.periodicity == expected && got.pitch_lag == expected_lag))
			fprintf(stderr, "    frame %zu: %.17g lag %u, expected %.17g lag %u\n", f / FRAME,
				got.periodicity, got.pitch_lag, expected, expected_lag);
		voiced += got.periodicity >= 0.5;
		/* A gate at -50 dBFS: the same features above it, no pitch below it. */
		media_analyser_run_gated(&mirror, pcm + f, -50.0, &loud);
		TEST_CHECK(loud.level_db == got.level_db);
		TEST_CHECK(loud.zero_crossings == got.zero_crossings);
		if (got.level_db >= -50.0) {
			TEST_CHECK(loud.periodicity == got.periodicity);
			TEST_CHECK(loud.pitch_lag == got.pitch_lag);
		} else {
			TEST_CHECK(loud.periodicity == 0.0 && loud.pitch_lag == 0);
		}
	}
	/* The line has voiced seconds and quiet ones: both paths were exercised. */
	TEST_CHECK(searched > 200 && searched < count / FRAME);
	TEST_CHECK(voiced > 100);
	free(pcm);
}

/* A gate below MEDIA_PITCH_MIN_DB does not search quieter frames than before. */
static void test_gate_never_below_the_pitch_floor(void)
{
	struct media_analyser a, b;
	int16_t frame[FRAME];
	struct media_features fa, fb;

	for (int i = 0; i < FRAME; i++)
		frame[i] = (int16_t)lrint(8.0 * sin(2.0 * M_PI * 200.0 * i / 8000.0));
	media_analyser_reset(&a);
	media_analyser_reset(&b);
	for (int k = 0; k < 5; k++) {
		media_analyser_run(&a, frame, &fa);
		media_analyser_run_gated(&b, frame, -120.0, &fb);
	}
	TEST_CHECK(fa.level_db < MEDIA_PITCH_MIN_DB);
	TEST_CHECK(fb.periodicity == 0.0 && fb.pitch_lag == 0);
	TEST_CHECK(fa.periodicity == 0.0);
}

static bool same_decision(const struct media_bargein_decision *a,
			  const struct media_bargein_decision *b)
{
	return a->action == b->action && a->state == b->state && a->deliver == b->deliver &&
	       a->caller_voiced == b->caller_voiced && a->threshold_db == b->threshold_db &&
	       a->erl_db == b->erl_db;
}

/*
 * One caller line, a prompt played over it with its echo: the barge-in object fed the
 * VAD's features and the one that analyses the frame itself decide alike on every frame.
 */
static void run_pair(const int16_t *caller, size_t count, const int16_t *prompt,
		     size_t prompt_count, const struct media_vad_settings *vs,
		     unsigned *actions)
{
	struct media_vad *vad = NULL;
	struct media_bargein *own = NULL, *fed = NULL;
	size_t differing = 0;

	TEST_REQUIRE(media_vad_create(&vad, vs) == 0);
	TEST_REQUIRE(media_bargein_create(&own, NULL) == 0);
	TEST_REQUIRE(media_bargein_create(&fed, NULL) == 0);
	TEST_REQUIRE(media_vad_settings_get(vad)->min_level_db <=
		     media_bargein_settings_get(fed)->min_level_db);
	for (size_t f = 0; f + FRAME <= count; f += FRAME) {
		struct media_playback playback = {0};
		struct media_vad_result v;
		struct media_bargein_decision a, b;
		int16_t in[FRAME];
		bool playing = f + FRAME <= prompt_count;

		memcpy(in, caller + f, sizeof(in));
		/* The prompt's echo, 20 ms late and 20 dB down. */
		if (f >= FRAME && f <= prompt_count) {
			for (int i = 0; i < FRAME; i++) {
				long sum = in[i] + prompt[f - FRAME + (size_t)i] / 10;

				sum = sum > 32767 ? 32767 : sum;
				sum = sum < -32768 ? -32768 : sum;
				in[i] = (int16_t)sum;
			}
		}
		playback.prompt_active = playing;
		playback.question = true;
		playback.remaining_ms = playing ? (unsigned)((prompt_count - f) / 8) : 0;
		playback.sent = playing ? prompt + f : NULL;
		media_vad_process(vad, in, &v);
		media_bargein_process(own, in, &playback, v.event, &a);
		media_bargein_process_features(fed, &v.features, &playback, v.event, &b);
		if (!same_decision(&a, &b) && differing++ < 5)
			fprintf(stderr, "    frame %zu: %s/%s vs %s/%s\n", f / FRAME,
				media_bargein_action_name(a.action), media_bargein_state_name(a.state),
				media_bargein_action_name(b.action), media_bargein_state_name(b.state));
		*actions += a.action != MEDIA_BARGEIN_NONE;
	}
	TEST_EQ_INT((int)differing, 0);
	media_bargein_destroy(own);
	media_bargein_destroy(fed);
	media_vad_destroy(vad);
}

static void test_bargein_on_vad_features_decides_alike(void)
{
	struct audio_clip sentence = {0}, greeting = {0};
	struct media_vad_settings quiet;
	int16_t *caller, *prompt;
	size_t count = 8000 * 12, prompt_count = 8000 * 8;
	uint32_t seed = 11;
	unsigned actions = 0;

	TEST_REQUIRE(audio_clip_fixture(&sentence, "fr_move") == 0);
	TEST_REQUIRE(audio_clip_fixture(&greeting, "fr_name") == 0);
	caller = calloc(count, sizeof(*caller));
	prompt = calloc(prompt_count, sizeof(*prompt));
	TEST_REQUIRE(caller && prompt);
	audio_pink_noise(caller, count, -62.0, &seed);
	/* The caller speaks under the prompt at 2.5 s, and again after it at 9 s. */
	audio_set_active_db(sentence.pcm, sentence.count, -24.0);
	audio_mix(caller, count, 20000, sentence.pcm, sentence.count, 0.0);
	audio_mix(caller, count, 72000, sentence.pcm, sentence.count, 0.0);
	for (size_t at = 0; at < prompt_count; at += greeting.count)
		memcpy(prompt + at, greeting.pcm,
		       (prompt_count - at < greeting.count ? prompt_count - at : greeting.count) *
			       sizeof(*prompt));
	audio_set_active_db(prompt, prompt_count, -18.0);

	run_pair(caller, count, prompt, prompt_count, NULL, &actions);
	/* A VAD that hears quieter frames than the barge-in may share its analysis too. */
	media_vad_settings_default(&quiet);
	quiet.min_level_db = -70.0;
	run_pair(caller, count, prompt, prompt_count, &quiet, &actions);
	/* The line made the barge-in act, so the comparison covered its decisions. */
	TEST_CHECK(actions > 0);
	free(caller);
	free(prompt);
	audio_clip_free(&sentence);
	audio_clip_free(&greeting);
}

/* Half a second of quiet, `seconds` of harmonic tones around 120 Hz, then 2.5 s of quiet. */
static size_t voiced_line(int16_t **pcmp, unsigned seconds)
{
	size_t count = (size_t)8000 * (seconds + 3);
	int16_t *pcm = calloc(count, sizeof(*pcm));
	uint32_t seed = 3;

	TEST_REQUIRE(pcm != NULL);
	audio_pink_noise(pcm, count, -65.0, &seed);
	for (size_t i = 4000; i < 4000 + (size_t)8000 * seconds; i++) {
		double f0 = 120.0 + 30.0 * sin(2.0 * M_PI * (double)i / 16000.0);
		double v = 0.0;

		for (int h = 1; h <= 6; h++)
			v += sin(2.0 * M_PI * f0 * h * (double)i / 8000.0) / h;
		pcm[i] = (int16_t)lrint(v * 2500.0 + pcm[i]);
	}
	*pcmp = pcm;
	return count;
}

/* Feed the line until SPEECH_END; check the utterance is the line's samples, in order. */
static void check_utterance(unsigned seconds, enum media_vad_end expected_end,
			    size_t min_samples)
{
	struct media_vad *vad = NULL;
	int16_t *pcm;
	size_t count = voiced_line(&pcm, seconds);
	const int16_t *samples = NULL;
	size_t got = 0, start = count;
	enum media_vad_end end = MEDIA_VAD_END_NONE;

	TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
	for (size_t f = 0; f + FRAME <= count && end == MEDIA_VAD_END_NONE; f += FRAME) {
		struct media_vad_result r;

		media_vad_process(vad, pcm + f, &r);
		if (r.event == MEDIA_VAD_SPEECH_END) {
			end = r.end;
			TEST_REQUIRE(media_vad_utterance(vad, &samples, &got) == 0);
		}
	}
	TEST_EQ_INT((int)end, (int)expected_end);
	TEST_CHECK(got >= min_samples);
	/* The utterance starts on a frame boundary of the line, pre-roll included. */
	for (size_t f = 0; samples && got >= FRAME && f + FRAME <= count; f += FRAME) {
		if (memcmp(pcm + f, samples, FRAME * sizeof(*pcm)) == 0) {
			start = f;
			break;
		}
	}
	TEST_REQUIRE(start + got <= count);
	TEST_CHECK(memcmp(pcm + start, samples, got * sizeof(*pcm)) == 0);
	media_vad_destroy(vad);
	free(pcm);
}

/* The buffer grows while the caller speaks and keeps every sample across the growth. */
static void test_vad_buffer_grows_with_speech(void)
{
	/* Eight seconds: the first second's buffer doubles three times. */
	check_utterance(8, MEDIA_VAD_END_SILENCE, (size_t)8000 * 8);
	/* Past max_utterance_ms (15 s): the buffer reaches its capacity and the cut comes. */
	check_utterance(18, MEDIA_VAD_END_MAX_LENGTH, (size_t)8000 * 15);
}

static const struct test_case cases[] = {
	TEST_CASE(test_vad_buffer_grows_with_speech),
	TEST_CASE(test_pitch_search_matches_the_plain_one),
	TEST_CASE(test_gate_never_below_the_pitch_floor),
	TEST_CASE(test_bargein_on_vad_features_decides_alike),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
