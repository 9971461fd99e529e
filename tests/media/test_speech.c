/*
 * Voice activity, end of speech, barge-in and the noise watchdog on real and synthesised
 * audio: the corpus's recorded speech, espeak-ng fixtures in French and English, noise,
 * music, coughs, clicks, and speech over the echo of a prompt. The thresholds are the
 * behaviour promised in bargein.h and vad.h with a margin over bench_vad's figures.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_util.h"
#include "bargein.h"
#include "call_sim.h"
#include "media.h"
#include "test.h"
#include "vad.h"
#include "watchdog.h"

#define SPEECH_DB (-24.0)

static void load_fixture(struct audio_clip *clip, const char *name)
{
	TEST_REQUIRE(audio_clip_fixture(clip, name) == 0);
	audio_set_active_db(clip->pcm, clip->count, SPEECH_DB);
}

/* A caller line: `lead_ms` of background, the clip, `tail_ms` of background. */
static void make_line(struct audio_clip *line, const struct audio_clip *speech, unsigned lead_ms,
		      unsigned tail_ms, double noise_db, uint32_t seed)
{
	size_t lead = lead_ms * 8u, total = lead + speech->count + tail_ms * 8u;

	TEST_REQUIRE(audio_clip_alloc(line, total) == 0);
	audio_pink_noise(line->pcm, total, noise_db, &seed);
	audio_mix(line->pcm, total, lead, speech->pcm, speech->count, 0.0);
}

static void run_line(const struct audio_clip *line, struct call_sim_result *r)
{
	struct call_sim_config c = {0};

	c.caller = line->pcm;
	c.caller_count = line->count;
	c.erl_db = -1.0;
	TEST_REQUIRE(call_sim_run(&c, r) == 0);
}

static void test_vad_settings_checked(void)
{
	struct media_vad_settings s;
	struct media_vad *vad = NULL;
	char error[160];

	media_vad_settings_default(&s);
	TEST_EQ_INT(media_vad_settings_check(&s, error, sizeof(error)), 0);
	s.long_silence_ms = 200;  /* below short_silence_ms */
	TEST_EQ_INT(media_vad_settings_check(&s, error, sizeof(error)), EINVAL);
	TEST_CHECK(strstr(error, "long_silence_ms = 200") != NULL);
	TEST_EQ_INT(media_vad_create(&vad, &s), EINVAL);
	TEST_CHECK(vad == NULL);
	media_vad_settings_default(&s);
	s.voicing = NAN;
	TEST_EQ_INT(media_vad_settings_check(&s, error, sizeof(error)), EINVAL);
	TEST_CHECK(strstr(error, "voicing") != NULL);
	media_vad_settings_default(&s);
	s.no_input_ms = 100;
	TEST_EQ_INT(media_vad_settings_check(&s, NULL, 0), EINVAL);
	s.no_input_ms = 0;
	TEST_EQ_INT(media_vad_settings_check(&s, NULL, 0), 0);
}

static void test_vad_silence_and_noise_quiet(void)
{
	struct media_vad *vad;
	struct media_vad_result r;
	struct audio_clip noise;
	int16_t zero[MEDIA_FRAME_SAMPLES] = {0};
	uint32_t seed = 5;
	unsigned starts = 0;

	TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
	for (int f = 0; f < 500; f++) {
		media_vad_process(vad, zero, &r);
		TEST_REQUIRE(r.event == MEDIA_VAD_SILENCE);
	}
	/* Steady white and pink noise, and mains hum, at telephone levels: no speech. */
	TEST_REQUIRE(audio_clip_alloc(&noise, 8000 * 10) == 0);
	audio_white_noise(noise.pcm, noise.count, -45.0, &seed);
	for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= noise.count; i += MEDIA_FRAME_SAMPLES) {
		media_vad_process(vad, noise.pcm + i, &r);
		starts += r.event == MEDIA_VAD_SPEECH_START;
	}
	audio_line_noise(noise.pcm, noise.count, -40.0, &seed);
	for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= noise.count; i += MEDIA_FRAME_SAMPLES) {
		media_vad_process(vad, noise.pcm + i, &r);
		starts += r.event == MEDIA_VAD_SPEECH_START;
	}
	TEST_EQ_INT(starts, 0);
	audio_clip_free(&noise);
	media_vad_destroy(vad);
}

/* Onset and end of speech on each synthesised turn, in quiet and in noise. */
static void test_vad_latency_on_turns(void)
{
	static const char *names[] = {"fr_request", "fr_move", "fr_stop", "fr_name", "en_request",
				      "en_stop", "fr_oui", "fr_non", "en_yes"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (int noisy = 0; noisy < 2; noisy++) {
			struct audio_clip speech, line;
			struct call_sim_result r;
			size_t on, off;
			double onset_ms, end_ms;

			load_fixture(&speech, names[i]);
			on = 8000 + audio_speech_onset(speech.pcm, speech.count);
			off = 8000 + audio_speech_offset(speech.pcm, speech.count);
			make_line(&line, &speech, 1000, 3000, noisy ? SPEECH_DB - 15.0 : -70.0,
				  (uint32_t)i + 1);
			run_line(&line, &r);
			TEST_EQ_INT(r.utterances, 1);
			if (r.utterances != 1) {
				fprintf(stderr, "%s noisy=%d: %u utterances\n", names[i], noisy,
					r.utterances);
				goto next;
			}
			onset_ms = ((double)(r.utterance[0].start_frame + 1) * 160 - on) / 8.0;
			end_ms = ((double)(r.utterance[0].end_frame + 1) * 160 - off) / 8.0;
			fprintf(stderr, "%-10s %s: onset %+5.0f ms, end %+5.0f ms\n", names[i],
				noisy ? "noise" : "quiet", onset_ms, end_ms);
			/* Speech start is confirmed within 300 ms of the first loud frame. */
			TEST_CHECK(onset_ms >= 0.0 && onset_ms <= 300.0);
			/* The turn ends within 1.2 s of the last word: never a long fixed wait. */
			TEST_CHECK(end_ms >= 200.0 && end_ms <= 1200.0);
			TEST_EQ_INT(r.utterance[0].end, MEDIA_VAD_END_SILENCE);
next:
			audio_clip_free(&speech);
			audio_clip_free(&line);
		}
	}
}

/* A one-word reply ends sooner than a sentence with the same trailing silence. */
static void test_vad_short_answer_ends_sooner(void)
{
	struct audio_clip oui, sentence, line;
	struct call_sim_result r;
	double oui_end, sentence_end;

	load_fixture(&oui, "fr_oui");
	load_fixture(&sentence, "fr_request");
	make_line(&line, &oui, 1000, 3000, -70.0, 1);
	run_line(&line, &r);
	TEST_REQUIRE(r.utterances == 1);
	oui_end = ((double)(r.utterance[0].end_frame + 1) * 160 - 8000 -
		   audio_speech_offset(oui.pcm, oui.count)) / 8.0;
	audio_clip_free(&line);
	make_line(&line, &sentence, 1000, 3000, -70.0, 1);
	run_line(&line, &r);
	TEST_REQUIRE(r.utterances == 1);
	sentence_end = ((double)(r.utterance[0].end_frame + 1) * 160 - 8000 -
			audio_speech_offset(sentence.pcm, sentence.count)) / 8.0;
	fprintf(stderr, "end of turn: oui %.0f ms, sentence %.0f ms\n", oui_end, sentence_end);
	TEST_CHECK(oui_end <= 600.0);
	TEST_CHECK(sentence_end >= oui_end + 200.0);
	audio_clip_free(&oui);
	audio_clip_free(&sentence);
	audio_clip_free(&line);
}

/* The utterance handed over starts before the onset (pre-roll) and contains the whole turn. */
static void test_vad_utterance_has_preroll(void)
{
	struct media_vad *vad;
	struct media_vad_result r;
	struct audio_clip speech, line;
	const int16_t *pcm = NULL;
	size_t count = 0, on, off, start_sample = 0;
	int ends = 0;

	load_fixture(&speech, "fr_stop");
	make_line(&line, &speech, 1000, 3000, -70.0, 3);
	on = 8000 + audio_speech_onset(speech.pcm, speech.count);
	off = 8000 + audio_speech_offset(speech.pcm, speech.count);
	TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
	TEST_EQ_INT(media_vad_utterance(vad, &pcm, &count), ENOENT);
	for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= line.count; i += MEDIA_FRAME_SAMPLES) {
		media_vad_process(vad, line.pcm + i, &r);
		if (r.event == MEDIA_VAD_SPEECH_START) {
			TEST_EQ_INT(media_vad_utterance(vad, &pcm, &count), 0);
			start_sample = i + MEDIA_FRAME_SAMPLES - count;
		}
		if (r.event == MEDIA_VAD_SPEECH_END) {
			ends++;
			TEST_EQ_INT(media_vad_utterance(vad, &pcm, &count), 0);
			break;
		}
	}
	TEST_EQ_INT(ends, 1);
	/* At least 250 ms of audio before the first loud frame, and the last word kept. */
	TEST_CHECK(start_sample + 2000 <= on);
	TEST_CHECK(start_sample + count >= off);
	TEST_CHECK(start_sample + count <= off + 8000 * 0.25);
	/* The copy is the caller's audio. */
	TEST_CHECK(memcmp(pcm, line.pcm + start_sample, count * sizeof(int16_t)) == 0);
	media_vad_process(vad, line.pcm, &r);
	TEST_EQ_INT(media_vad_utterance(vad, &pcm, &count), ENOENT);
	media_vad_destroy(vad);
	audio_clip_free(&speech);
	audio_clip_free(&line);
}

/* Recorded speech from the corpus: every digit and command is found, once. */
static void test_vad_corpus_recordings(void)
{
	static const char *files[] = {
		"audio/fsdd_digits_en_8k/0_george_0.wav", "audio/fsdd_digits_en_8k/3_nicolas_0.wav",
		"audio/fsdd_digits_en_8k/7_yweweler_0.wav", "audio/fsdd_digits_en_8k/8_theo_0.wav",
		"audio/speech_to_phrase_16k/fr/annuler.wav",
		"audio/speech_to_phrase_16k/fr/quelle heure est-il.wav",
		"audio/speech_to_phrase_16k/en/what time is it.wav"};
	unsigned found = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct audio_clip speech, line;
		struct call_sim_result r;

		TEST_REQUIRE(audio_clip_corpus(&speech, files[i]) == 0);
		audio_set_active_db(speech.pcm, speech.count, SPEECH_DB);
		make_line(&line, &speech, 1000, 3000, SPEECH_DB - 20.0, 9);
		run_line(&line, &r);
		if (r.utterances == 1 && r.utterance[0].end == MEDIA_VAD_END_SILENCE)
			found++;
		else
			fprintf(stderr, "%s: %u utterances\n", files[i], r.utterances);
		audio_clip_free(&speech);
		audio_clip_free(&line);
	}
	TEST_EQ_INT(found, sizeof(files) / sizeof(files[0]));
}

/* 35 s of read sentences: pauses between sentences end turns; nothing is cut at 15 s. */
static void test_vad_long_recording_turns(void)
{
	struct audio_clip speech, line;
	struct call_sim_result r;
	unsigned cut = 0;

	TEST_REQUIRE(audio_clip_corpus(&speech, "audio/OSR_us_000_0034_8k.wav") == 0);
	audio_set_active_db(speech.pcm, speech.count, SPEECH_DB);
	make_line(&line, &speech, 500, 2000, SPEECH_DB - 25.0, 4);
	run_line(&line, &r);
	for (unsigned i = 0; i < r.utterances; i++)
		cut += r.utterance[i].end == MEDIA_VAD_END_MAX_LENGTH;
	fprintf(stderr, "OSR: %u utterances\n", r.utterances);
	/* Ten Harvard sentences; a slow reader's pause may split one or merge two. */
	TEST_CHECK(r.utterances >= 7 && r.utterances <= 14);
	TEST_EQ_INT(cut, 0);
	audio_clip_free(&speech);
	audio_clip_free(&line);
}

static void test_vad_max_length_cuts(void)
{
	struct media_vad_settings s;
	struct media_vad *vad;
	struct media_vad_result r;
	struct audio_clip music;
	const int16_t *pcm;
	size_t count;
	int ends = 0;

	media_vad_settings_default(&s);
	s.max_utterance_ms = 3000;
	TEST_REQUIRE(media_vad_create(&vad, &s) == 0);
	/*
	 * A tone with a 40 ms dropout every second: loud and voiced, no pause long enough to
	 * end a turn, and the dropouts keep the noise floor down.
	 */
	TEST_REQUIRE(audio_clip_alloc(&music, 8000 * 8) == 0);
	for (size_t i = 0; i < music.count; i++)
		music.pcm[i] = i % 8000 < 320 ? 0
			       : (int16_t)(3000.0 * sin(i * 2.0 * M_PI * 220.0 / 8000.0));
	for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= music.count; i += MEDIA_FRAME_SAMPLES) {
		media_vad_process(vad, music.pcm + i, &r);
		if (r.event == MEDIA_VAD_SPEECH_END) {
			TEST_EQ_INT(r.end, MEDIA_VAD_END_MAX_LENGTH);
			TEST_EQ_INT(media_vad_utterance(vad, &pcm, &count), 0);
			TEST_CHECK(count <= (3000 + 300 + 600) * 8);
			ends++;
		}
	}
	TEST_CHECK(ends >= 2);
	audio_clip_free(&music);
	media_vad_destroy(vad);
}

static void test_vad_no_input_once(void)
{
	struct media_vad_settings s;
	struct media_vad *vad;
	struct media_vad_result r;
	int16_t zero[MEDIA_FRAME_SAMPLES] = {0};
	int reports = 0, at = -1;

	media_vad_settings_default(&s);
	s.no_input_ms = 1000;
	TEST_REQUIRE(media_vad_create(&vad, &s) == 0);
	for (int f = 0; f < 100; f++) {
		media_vad_process(vad, zero, &r);
		TEST_REQUIRE(r.event != MEDIA_VAD_NO_INPUT);  /* not armed yet */
	}
	media_vad_expect_input(vad);
	for (int f = 0; f < 300; f++) {
		media_vad_process(vad, zero, &r);
		if (r.event == MEDIA_VAD_NO_INPUT) {
			reports++;
			at = f;
		}
	}
	TEST_EQ_INT(reports, 1);
	TEST_EQ_INT(at, 49);  /* the 50th frame: 1000 ms */
	media_vad_expect_input(vad);
	media_vad_cancel_input(vad);
	for (int f = 0; f < 100; f++) {
		media_vad_process(vad, zero, &r);
		TEST_CHECK(r.event != MEDIA_VAD_NO_INPUT);
	}
	media_vad_destroy(vad);
}

/* An onset before the limit cancels the no-input report. */
static void test_vad_speech_cancels_no_input(void)
{
	struct media_vad_settings s;
	struct media_vad *vad;
	struct media_vad_result r;
	struct audio_clip speech, line;
	int no_input = 0, starts = 0;

	media_vad_settings_default(&s);
	s.no_input_ms = 2000;
	load_fixture(&speech, "fr_oui");
	make_line(&line, &speech, 1000, 4000, -70.0, 2);
	TEST_REQUIRE(media_vad_create(&vad, &s) == 0);
	media_vad_expect_input(vad);
	for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= line.count; i += MEDIA_FRAME_SAMPLES) {
		media_vad_process(vad, line.pcm + i, &r);
		no_input += r.event == MEDIA_VAD_NO_INPUT;
		starts += r.event == MEDIA_VAD_SPEECH_START;
	}
	TEST_EQ_INT(starts, 1);
	TEST_EQ_INT(no_input, 0);
	media_vad_destroy(vad);
	audio_clip_free(&speech);
	audio_clip_free(&line);
}

/* Garbage input: full-scale square waves, alternating extremes, random bytes. */
static void test_vad_garbage_input(void)
{
	struct media_vad *vad;
	struct media_bargein *b;
	struct media_vad_result r;
	struct media_bargein_decision d;
	struct media_playback play = {true, false, 1000, NULL};
	int16_t frame[MEDIA_FRAME_SAMPLES];
	uint32_t seed = 1;

	TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
	TEST_REQUIRE(media_bargein_create(&b, NULL) == 0);
	for (int f = 0; f < 3000; f++) {
		for (int i = 0; i < MEDIA_FRAME_SAMPLES; i++) {
			seed = seed * 1664525u + 1013904223u;
			frame[i] = f % 3 == 0 ? (int16_t)(seed >> 16)
				   : f % 3 == 1 ? (i % 2 ? INT16_MIN : INT16_MAX)
						: INT16_MIN;
		}
		play.sent = f % 2 ? frame : NULL;
		media_vad_process(vad, frame, &r);
		media_bargein_process(b, frame, &play, r.event, &d);
		TEST_REQUIRE(isfinite(r.features.level_db));
		TEST_REQUIRE(r.features.periodicity >= 0.0 && r.features.periodicity <= 1.0 + 1e-9);
	}
	media_bargein_destroy(b);
	media_vad_destroy(vad);
}

/* Barge-in: one caller clip inserted at 2.5 s under a prompt with an echo. */
struct scenario {
	const char *prompt;
	bool question;
	size_t echo_delay;
	double erl_db;
	double caller_db;
};

static void run_scenario(const struct scenario *sc, const struct audio_clip *event,
			 size_t at, struct call_sim_result *r)
{
	struct audio_clip prompt, line;
	struct call_sim_config c = {0};
	size_t total;
	uint32_t seed = 21;

	TEST_REQUIRE(audio_clip_fixture(&prompt, sc->prompt) == 0);
	audio_set_active_db(prompt.pcm, prompt.count, -18.0);
	total = prompt.count + 4 * 8000;
	TEST_REQUIRE(audio_clip_alloc(&line, total) == 0);
	audio_pink_noise(line.pcm, total, -62.0, &seed);
	if (event)
		audio_mix(line.pcm, total, at, event->pcm, event->count, 0.0);
	c.prompt = prompt.pcm;
	c.prompt_count = prompt.count;
	c.question = sc->question;
	c.caller = line.pcm;
	c.caller_count = total;
	c.echo_delay = sc->echo_delay;
	c.erl_db = sc->erl_db;
	TEST_REQUIRE(call_sim_run(&c, r) == 0);
	audio_clip_free(&prompt);
	audio_clip_free(&line);
}

static const struct scenario statement_echo = {"prompt_greeting", false, 512, 20.0, SPEECH_DB};

static void test_bargein_settings_checked(void)
{
	struct media_bargein_settings s;
	struct media_bargein *b = NULL;
	char error[160];

	media_bargein_settings_default(&s);
	TEST_EQ_INT(media_bargein_settings_check(&s, error, sizeof(error)), 0);
	s.stop_ms = 50;
	TEST_EQ_INT(media_bargein_settings_check(&s, error, sizeof(error)), EINVAL);
	TEST_CHECK(strstr(error, "stop_ms = 50") != NULL);
	TEST_EQ_INT(media_bargein_create(&b, &s), EINVAL);
	TEST_CHECK(b == NULL);
	media_bargein_settings_default(&s);
	s.echo_tail_ms = 5000;
	TEST_EQ_INT(media_bargein_settings_check(&s, error, sizeof(error)), EINVAL);
	TEST_CHECK(strstr(error, "echo_tail_ms") != NULL);
}

/* Real sentences stop the prompt: the pause within about 200 ms, the flush after. */
static void test_bargein_sentences_stop_prompt(void)
{
	static const char *names[] = {"fr_request", "fr_move", "fr_stop", "fr_name", "en_request",
				      "en_stop"};
	static const struct scenario echoes[] = {
		{"prompt_greeting", false, 0, -1.0, SPEECH_DB},
		{"prompt_greeting", false, 512, 20.0, SPEECH_DB},
	};

	for (size_t e = 0; e < 2; e++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			struct audio_clip speech;
			struct call_sim_result r;
			size_t at = 20000, on;
			double pause_ms;

			load_fixture(&speech, names[i]);
			on = at + audio_speech_onset(speech.pcm, speech.count);
			run_scenario(&echoes[e], &speech, at, &r);
			pause_ms = ((double)(r.first_pause_frame + 1) * 160 - on) / 8.0;
			fprintf(stderr, "%-10s echo=%zu: pause %+.0f ms, stop %ld, delivered %u\n",
				names[i], e, pause_ms, r.stop_frame, r.delivered);
			TEST_CHECK(r.first_pause_frame >= 0);
			TEST_CHECK(pause_ms >= 0.0 && pause_ms <= 400.0);
			TEST_CHECK(r.stop_frame >= 0);
			TEST_CHECK(r.prompt_flushed > 0);
			TEST_EQ_INT(r.delivered, 1);
			audio_clip_free(&speech);
		}
	}
}

/* Backchannels during a statement: the prompt pauses at most and goes on to the end. */
static void test_bargein_backchannels_resume(void)
{
	static const char *names[] = {"fr_oui", "fr_ouais", "fr_daccord", "fr_mm", "en_yes",
				      "en_okay"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct audio_clip speech;
		struct call_sim_result r;

		load_fixture(&speech, names[i]);
		run_scenario(&statement_echo, &speech, 20000, &r);
		fprintf(stderr, "%-10s pauses %u resumes %u stop %ld delivered %u\n", names[i],
			r.pauses, r.resumes, r.stop_frame, r.delivered);
		TEST_EQ_INT(r.stop_frame, -1);
		TEST_EQ_INT(r.prompt_flushed, 0);
		TEST_EQ_INT(r.pauses, r.resumes);
		TEST_EQ_INT(r.delivered, 0);
		audio_clip_free(&speech);
	}
}

/* A cough or clicks never stop the prompt and are never delivered. */
static void test_bargein_cough_and_clicks_ignored(void)
{
	struct audio_clip cough, clicks;
	struct call_sim_result r;
	uint32_t seed = 8;

	TEST_REQUIRE(audio_clip_alloc(&cough, 3200) == 0);
	audio_cough(cough.pcm, cough.count, SPEECH_DB + 6.0, &seed);
	run_scenario(&statement_echo, &cough, 20000, &r);
	TEST_EQ_INT(r.stop_frame, -1);
	TEST_EQ_INT(r.delivered, 0);
	/* Without echo the cough does not even pause it. */
	{
		struct scenario quiet = statement_echo;

		quiet.erl_db = -1.0;
		run_scenario(&quiet, &cough, 20000, &r);
		TEST_EQ_INT(r.pauses, 0);
		TEST_EQ_INT(r.stop_frame, -1);
	}
	TEST_REQUIRE(audio_clip_alloc(&clicks, 8000) == 0);
	audio_clicks(clicks.pcm, clicks.count, 150, SPEECH_DB, &seed);
	run_scenario(&statement_echo, &clicks, 20000, &r);
	TEST_EQ_INT(r.pauses, 0);
	TEST_EQ_INT(r.stop_frame, -1);
	TEST_EQ_INT(r.delivered, 0);
	audio_clip_free(&cough);
	audio_clip_free(&clicks);
}

/* The prompt's own echo, at several delays and losses, never interrupts it. */
static void test_bargein_echo_alone_ignored(void)
{
	static const struct scenario echoes[] = {
		{"prompt_greeting", false, 256, 6.0, 0},
		{"prompt_greeting", false, 512, 20.0, 0},
		{"prompt_greeting", false, 1280, 12.0, 0},
		{"prompt_slots", true, 800, 10.0, 0},
		{"prompt_confirm", false, 2400, 15.0, 0},
	};

	for (size_t e = 0; e < sizeof(echoes) / sizeof(echoes[0]); e++) {
		struct call_sim_result r;

		run_scenario(&echoes[e], NULL, 0, &r);
		TEST_EQ_INT(r.pauses, 0);
		TEST_EQ_INT(r.stop_frame, -1);
		TEST_EQ_INT(r.delivered, 0);
	}
}

/* "oui" over the end of a question is its answer: the prompt stops, delivered once. */
static void test_bargein_answer_to_question(void)
{
	static const struct scenario question = {"prompt_slots", true, 512, 20.0, SPEECH_DB};
	struct audio_clip prompt, oui;
	struct call_sim_result r;

	TEST_REQUIRE(audio_clip_fixture(&prompt, "prompt_slots") == 0);
	load_fixture(&oui, "fr_oui");
	/* Over the last second of the question. */
	run_scenario(&question, &oui, prompt.count - 8000, &r);
	TEST_CHECK(r.stop_frame >= 0);
	TEST_EQ_INT(r.delivered, 1);
	/* Just after it ended, in its echo tail. */
	run_scenario(&question, &oui, prompt.count + 800, &r);
	TEST_EQ_INT(r.delivered, 1);
	/* Well after it: the delivered utterance is the answer, not the prompt's echo. */
	run_scenario(&question, &oui, prompt.count + 8000, &r);
	TEST_EQ_INT(r.delivered, 1);
	for (unsigned i = 0; i < r.utterances; i++) {
		if (r.utterance[i].delivered)
			TEST_CHECK(r.utterance[i].start_frame * 160 >= prompt.count + 8000);
	}
	audio_clip_free(&prompt);
	audio_clip_free(&oui);
}

/* Speech with no prompt: barge-in stays idle and every utterance is delivered. */
static void test_bargein_idle_delivers(void)
{
	struct media_vad *vad;
	struct media_bargein *b;
	struct media_vad_result v;
	struct media_bargein_decision d;
	struct media_playback idle = {false, false, 0, NULL};
	struct audio_clip speech, line;
	unsigned ends = 0, delivered = 0;

	load_fixture(&speech, "fr_name");
	make_line(&line, &speech, 500, 2000, -65.0, 6);
	TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
	TEST_REQUIRE(media_bargein_create(&b, NULL) == 0);
	for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= line.count; i += MEDIA_FRAME_SAMPLES) {
		media_vad_process(vad, line.pcm + i, &v);
		media_bargein_process(b, line.pcm + i, &idle, v.event, &d);
		TEST_REQUIRE(d.action == MEDIA_BARGEIN_NONE);
		TEST_REQUIRE(d.state == MEDIA_BARGEIN_IDLE);
		if (v.event == MEDIA_VAD_SPEECH_END) {
			ends++;
			delivered += d.deliver;
		}
	}
	TEST_CHECK(ends >= 1);
	TEST_EQ_INT(delivered, ends);
	TEST_EQ_STR(media_bargein_state_name(MEDIA_BARGEIN_PAUSED), "paused");
	TEST_EQ_STR(media_bargein_action_name(MEDIA_BARGEIN_STOP), "stop");
	media_bargein_destroy(b);
	media_vad_destroy(vad);
	audio_clip_free(&speech);
	audio_clip_free(&line);
}

/*
 * Ten minutes of hold music: the first stretch is reported (the VAD cuts it at its
 * maximum length), after which the floor has risen to the music and the VAD hears
 * silence, so the no-input timeout takes over. The dialogue is never left waiting: every
 * 25 s contains a report or a second of silence. Memory stays flat: nothing here grows.
 */
static void test_watchdog_hold_music(void)
{
	struct media_watchdog w;
	struct media_vad *vad;
	struct media_vad_result r;
	struct audio_clip music;
	enum media_watchdog_kind kind = MEDIA_WATCHDOG_NOISE;
	unsigned reports = 0, since_attention = 0, worst = 0, quiet = 0;

	TEST_EQ_INT(media_watchdog_init(&w, 1000, 1000), EINVAL);
	TEST_EQ_INT(media_watchdog_init(&w, 20000, 50), EINVAL);
	TEST_REQUIRE(media_watchdog_init(&w, 20000, 1000) == 0);
	TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
	TEST_REQUIRE(audio_clip_alloc(&music, 8000 * 60) == 0);
	audio_music(music.pcm, music.count, -22.0);
	for (int minute = 0; minute < 10; minute++) {
		for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= music.count; i += MEDIA_FRAME_SAMPLES) {
			media_vad_process(vad, music.pcm + i, &r);
			quiet = r.event == MEDIA_VAD_SILENCE ? quiet + 1 : 0;
			since_attention++;
			if (media_watchdog_feed(&w, &r, &kind)) {
				reports++;
				since_attention = 0;
			}
			if (quiet >= 50)
				since_attention = 0;
			if (since_attention > worst)
				worst = since_attention;
		}
	}
	fprintf(stderr, "hold music: %u reports, longest wait %u ms\n", reports,
		worst * MEDIA_FRAME_MS);
	TEST_CHECK(reports >= 1);
	TEST_CHECK(worst * MEDIA_FRAME_MS <= 25000);
	TEST_EQ_INT(kind, MEDIA_WATCHDOG_MUSIC);
	TEST_EQ_STR(media_watchdog_kind_name(kind), "music");
	audio_clip_free(&music);
	media_vad_destroy(vad);
}

/* A conversation with normal turns is never reported. */
static void test_watchdog_quiet_on_turns(void)
{
	struct media_watchdog w;
	struct media_vad *vad;
	struct media_vad_result r;
	struct audio_clip speech;
	enum media_watchdog_kind kind;
	unsigned reports = 0;

	TEST_REQUIRE(media_watchdog_init(&w, 20000, 1000) == 0);
	TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
	TEST_REQUIRE(audio_clip_corpus(&speech, "audio/OSR_us_000_0034_8k.wav") == 0);
	audio_set_active_db(speech.pcm, speech.count, SPEECH_DB);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= speech.count; i += MEDIA_FRAME_SAMPLES) {
			media_vad_process(vad, speech.pcm + i, &r);
			reports += media_watchdog_feed(&w, &r, &kind);
		}
	}
	TEST_EQ_INT(reports, 0);
	audio_clip_free(&speech);
	media_vad_destroy(vad);
}

/* A crowd (three readers over each other, no pause) for 60 s is reported, repeatedly. */
static void test_watchdog_endless_crowd(void)
{
	struct media_watchdog w;
	struct media_vad *vad;
	struct media_vad_result r;
	struct audio_clip speech, crowd;
	enum media_watchdog_kind kind;
	unsigned reports = 0;

	TEST_REQUIRE(media_watchdog_init(&w, 20000, 1000) == 0);
	TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
	TEST_REQUIRE(audio_clip_corpus(&speech, "audio/OSR_us_000_0034_8k.wav") == 0);
	TEST_REQUIRE(audio_clip_alloc(&crowd, 8000 * 60) == 0);
	for (size_t start = 0; start < crowd.count; start += speech.count / 3)
		for (int voice = 0; voice < 3; voice++)
			audio_mix(crowd.pcm, crowd.count, start + (size_t)voice * 5000, speech.pcm,
				  speech.count, -6.0);
	for (size_t i = 0; i + MEDIA_FRAME_SAMPLES <= crowd.count; i += MEDIA_FRAME_SAMPLES) {
		media_vad_process(vad, crowd.pcm + i, &r);
		reports += media_watchdog_feed(&w, &r, &kind);
	}
	fprintf(stderr, "crowd: %u reports\n", reports);
	TEST_CHECK(reports >= 2);
	audio_clip_free(&speech);
	audio_clip_free(&crowd);
	media_vad_destroy(vad);
}

static const struct test_case cases[] = {
	TEST_CASE(test_vad_settings_checked),
	TEST_CASE(test_vad_silence_and_noise_quiet),
	TEST_CASE(test_vad_latency_on_turns),
	TEST_CASE(test_vad_short_answer_ends_sooner),
	TEST_CASE(test_vad_utterance_has_preroll),
	TEST_CASE(test_vad_corpus_recordings),
	TEST_CASE(test_vad_long_recording_turns),
	TEST_CASE(test_vad_max_length_cuts),
	TEST_CASE(test_vad_no_input_once),
	TEST_CASE(test_vad_speech_cancels_no_input),
	TEST_CASE(test_vad_garbage_input),
	TEST_CASE(test_bargein_settings_checked),
	TEST_CASE(test_bargein_sentences_stop_prompt),
	TEST_CASE(test_bargein_backchannels_resume),
	TEST_CASE(test_bargein_cough_and_clicks_ignored),
	TEST_CASE(test_bargein_echo_alone_ignored),
	TEST_CASE(test_bargein_answer_to_question),
	TEST_CASE(test_bargein_idle_delivers),
	TEST_CASE(test_watchdog_hold_music),
	TEST_CASE(test_watchdog_quiet_on_turns),
	TEST_CASE(test_watchdog_endless_crowd),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
