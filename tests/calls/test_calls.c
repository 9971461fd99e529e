/*
 * Whole calls through the calls service, with sipp as the caller's SIP side and a media
 * peer (calls_peer.c) as its audio, on loopback in a private network namespace: a French
 * booking made with keypad keys, an English booking made by speech, barge-in, transfers,
 * silence, the RFC 4475 torture messages during a call, and `permanence serve` itself
 * stopped by SIGTERM during a call or given a bad configuration. Also the early end of a
 * turn (calls.end_of_turn_ms) on recorded digits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "agenda.h"
#include "calls_peer.h"
#include "calls_priv.h"
#include "calls_test_util.h"
#include "live.h"
#include "recog.h"
#include "sip_test_util.h"
#include "test.h"
#include "vad.h"
#include "wav.h"

#define SOPHIE_NUMBER "+33612345678"
#define THOMAS_NUMBER "+447700900123"

/* ---- Configuration mapping ---- */

static void config_maps_sip_keys(void)
{
	struct config config;
	struct sip_config sip;
	char error[300] = "";

	config_defaults(&config);
	snprintf(config.sip_listen, sizeof(config.sip_listen), "127.0.0.1:5099");
	snprintf(config.sip_transports, sizeof(config.sip_transports), "udp");
	snprintf(config.registrar, sizeof(config.registrar), "sip:provider.example");
	snprintf(config.sip_username, sizeof(config.sip_username), "cabinet");
	snprintf(config.sip_password, sizeof(config.sip_password), "secret");
	config.rtp_port_min = 12000;
	config.rtp_port_max = 12400;
	config.rtp_timeout_s = 45;
	config.register_expiry_s = 900;

	TEST_EQ_INT(calls_sip_config(&config, "sip:desk@192.0.2.7", &sip, error, sizeof(error)), 0);
	TEST_EQ_STR(error, "");
	TEST_EQ_STR(sip.listen_address, "127.0.0.1");
	TEST_EQ_INT(sip.sip_port, 5099);
	TEST_CHECK(sip.udp);
	TEST_CHECK(!sip.tcp);
	TEST_EQ_INT(sip.rtp_port_min, 12000);
	TEST_EQ_INT(sip.rtp_port_max, 12400);
	TEST_EQ_INT(sip.max_calls, 199);
	TEST_EQ_INT(sip.rtp_timeout_s, 45);
	TEST_EQ_STR(sip.registrar_uri, "sip:provider.example");
	TEST_EQ_STR(sip.username, "cabinet");
	TEST_EQ_STR(sip.password, "secret");
	TEST_EQ_INT(sip.register_expires_s, 900);
	TEST_EQ_STR(sip.transfer_target, "sip:desk@192.0.2.7");
	TEST_EQ_STR(sip.tls_certificate, "");

	snprintf(config.sip_listen, sizeof(config.sip_listen), "[::1]:5098");
	TEST_EQ_INT(calls_sip_config(&config, "", &sip, error, sizeof(error)), 0);
	TEST_EQ_STR(sip.listen_address, "::1");
	TEST_EQ_INT(sip.sip_port, 5098);
}

static void config_rejects_bad_values(void)
{
	static const struct {
		const char *key;
		const char *value;
		const char *message;
	} cases[] = {
		{"sip.listen", "localhost", "sip.listen"},
		{"sip.listen", "127.0.0.1:70000", "sip.listen"},
		{"sip.listen", "127.0.0.1:", "sip.listen"},
		{"sip.listen", "[::1]5060", "sip.listen"},
		{"sip.listen", "0.0.0.0:5060", "wildcard"},
		{"sip.tls_listen", "127.0.0.1:5061", "sip.tls_certificate"},
		{"sip.registrar", "sip:provider.example", "sip.username"},
		{"sip.rtp_port_min", "10001", "rtp"},
		{"sip.rtp_port_max", "10100", "sip.max_calls"},
	};

	for (size_t i = 0; i < TEST_COUNT(cases); i++) {
		struct config config;
		struct sip_config sip;
		char error[300] = "", set_error[200];

		config_defaults(&config);
		TEST_REQUIRE(config_set(&config, cases[i].key, cases[i].value, set_error,
					sizeof(set_error)) == 0);
		TEST_EQ_INT(calls_sip_config(&config, "", &sip, error, sizeof(error)), EINVAL);
		if (!TEST_CHECK(strstr(error, cases[i].message) != NULL))
			fprintf(stderr, "    %s = %s: message \"%s\" lacks \"%s\"\n", cases[i].key,
				cases[i].value, error, cases[i].message);
	}

	/* TLS on another address than sip.listen. */
	{
		struct config config;
		struct sip_config sip;
		char error[300] = "";

		config_defaults(&config);
		snprintf(config.sip_tls_listen, sizeof(config.sip_tls_listen), "127.0.0.2:5061");
		snprintf(config.sip_tls_certificate, sizeof(config.sip_tls_certificate), "/x.pem");
		TEST_EQ_INT(calls_sip_config(&config, "", &sip, error, sizeof(error)), EINVAL);
		TEST_CHECK(strstr(error, "sip.tls_listen") != NULL);
	}
}

static void config_maps_speech_keys(void)
{
	struct config config;
	struct speech_pool_config pool;
	char error[300] = "";

	config_defaults(&config);
	TEST_EQ_INT(calls_speech_config(&config, 100, &pool, error, sizeof(error)), 0);
	TEST_EQ_STR(pool.synth_engine_fr, "espeak-ng");
	TEST_EQ_STR(pool.synth_engine_en, "flite");
	TEST_EQ_STR(pool.recog_grammar_engine, "pocketsphinx");
	TEST_EQ_STR(pool.recog_open_engine_en, "pocketsphinx");
	TEST_CHECK(pool.recog_open_engine_fr == NULL);
	TEST_EQ_INT(pool.queue_max, 400);
	TEST_CHECK(pool.recog.uncertain_below == (float)config.asr_min_confidence);

	/* French by an HTTP server needs its address. */
	snprintf(config.asr_engine_fr, sizeof(config.asr_engine_fr), "http");
	TEST_EQ_INT(calls_speech_config(&config, 100, &pool, error, sizeof(error)), EINVAL);
	TEST_CHECK(strstr(error, "speech.asr_http_url") != NULL);
	snprintf(config.asr_http_url, sizeof(config.asr_http_url), "http://127.0.0.1:8081");
	TEST_EQ_INT(calls_speech_config(&config, 100, &pool, error, sizeof(error)), 0);
	TEST_EQ_STR(pool.recog_open_engine_fr, "http");
	TEST_EQ_STR(pool.recog.http_url, "http://127.0.0.1:8081");

	/* No English recognition: keypad only. */
	snprintf(config.asr_engine_en, sizeof(config.asr_engine_en), "none");
	TEST_EQ_INT(calls_speech_config(&config, 2000, &pool, error, sizeof(error)), 0);
	TEST_CHECK(pool.recog_grammar_engine == NULL);
	TEST_CHECK(pool.recog_open_engine_en == NULL);
	TEST_EQ_INT(pool.queue_max, 4096);
}

/* Percentiles read from time buckets: the top of the bucket a rank falls in. */
static void bucket_percentile_table(void)
{
	const uint64_t buckets[5] = {0, 5, 3, 0, 2}; /* 10 values in 50 ms buckets */
	const uint64_t empty[3] = {0};
	struct calls_stats stats = {0};

	TEST_EQ_INT(calls_bucket_percentile(buckets, 5, 50, 0), 100);
	TEST_EQ_INT(calls_bucket_percentile(buckets, 5, 50, 50), 100);
	TEST_EQ_INT(calls_bucket_percentile(buckets, 5, 50, 51), 150);
	TEST_EQ_INT(calls_bucket_percentile(buckets, 5, 50, 80), 150);
	TEST_EQ_INT(calls_bucket_percentile(buckets, 5, 50, 81), 250);
	TEST_EQ_INT(calls_bucket_percentile(buckets, 5, 50, 100), 250);
	TEST_EQ_INT(calls_bucket_percentile(empty, 3, 50, 50), -1);
	TEST_EQ_INT(calls_reply_percentile(&stats, 50), -1);
	stats.replies = 4;
	stats.reply_ms_buckets[9] = 4;
	TEST_EQ_INT(calls_reply_percentile(&stats, 95), 500);
}

static void prompts_fixed_sentences(void)
{
	char **texts = NULL;
	size_t count = 0;
	bool greeting = false, open = false;

	TEST_REQUIRE(calls_prompts_fixed(NLU_LANG_FR, "Cabinet des Lilas", NULL, &texts, &count) == 0);
	TEST_CHECK(count > 100);
	for (size_t i = 0; i < count; i++) {
		TEST_CHECK(strchr(texts[i], '{') == NULL);
		greeting |= !strcmp(texts[i], "Cabinet des Lilas, bonjour.");
		open |= !strcmp(texts[i], "Que puis-je faire pour vous ?");
	}
	TEST_CHECK(greeting);
	TEST_CHECK(open);
	calls_prompts_free(texts, count);

	TEST_REQUIRE(calls_prompts_fixed(NLU_LANG_EN, "Cabinet des Lilas", NULL, &texts, &count) == 0);
	open = false;
	for (size_t i = 0; i < count; i++)
		open |= !strcmp(texts[i], "How can I help you?");
	TEST_CHECK(open);
	calls_prompts_free(texts, count);

	/* With the practice's database: its own greeting and answers too. */
	{
		struct test_server s;
		struct store *st = NULL;
		const char *why = NULL;
		bool greeting_override = false;

		test_server_init(&s, "fr");
		test_server_setting(&s, "greeting.fr", "Maison de santé {practice}, bonjour. Veuillez patienter.");
		TEST_REQUIRE(store_open(&st, s.db, 0, &why) == 0);
		TEST_REQUIRE(calls_prompts_fixed(NLU_LANG_FR, "des Lilas", st, &texts, &count) == 0);
		for (size_t i = 0; i < count; i++)
			greeting_override |= !strcmp(texts[i], "Maison de santé des Lilas, bonjour.");
		TEST_CHECK(greeting_override);
		calls_prompts_free(texts, count);
		store_close(st);
	}
}

static void grammar_filter_keeps_known_words(void)
{
	struct calls_engine engine;
	char *out = NULL;
	const char *jsgf =
		"#JSGF V1.0;\n\ngrammar t;\n\n"
		"public <utterance> = <answer> | <extra> | <redflag>;\n\n"
		"<answer> = (monday | zorblax | next week | ten-thirty)+;\n"
		"<extra> = benali | doctor benali;\n"
		"<redflag> = chest pain | i can't breathe;\n";

	TEST_REQUIRE(calls_engine_init(&engine) == 0);
	TEST_REQUIRE(calls_engine_load_words(&engine, "/usr/share/pocketsphinx/model/en-us/"
						      "cmudict-en-us.dict") == 0);
	TEST_CHECK(engine.words.count > 100000);
	TEST_CHECK(calls_words_known(&engine.words, "doctor martin"));
	TEST_CHECK(!calls_words_known(&engine.words, "doctor benali"));
	TEST_CHECK(calls_words_known(&engine.words, "ten-thirty"));
	TEST_CHECK(calls_words_known(&engine.words, "g"));

	TEST_EQ_INT(calls_grammar_filter(&engine.words, jsgf, &out), 0);
	TEST_REQUIRE(out != NULL);
	TEST_CHECK(strstr(out, "public <utterance> = <answer> | <redflag>;") != NULL);
	TEST_CHECK(strstr(out, "<answer> = (monday | next week | ten-thirty)+;") != NULL);
	TEST_CHECK(strstr(out, "<extra>") == NULL);
	TEST_CHECK(strstr(out, "<redflag> = chest pain | i can't breathe;") != NULL);
	if (!TEST_CHECK(strstr(out, "zorblax") == NULL))
		fprintf(stderr, "%s\n", out);
	free(out);

	/* Nothing left at all. */
	TEST_EQ_INT(calls_grammar_filter(&engine.words,
					 "public <utterance> = <a>;\n<a> = zorblax;\n", &out),
		    ENOENT);
	calls_engine_destroy(&engine);
}

/* Every English grammar for the demo practice compiles in pocketsphinx once filtered. */
static void grammars_compile_for_demo(void)
{
	struct test_server s;
	struct calls_engine engine;
	struct calls_nlu *nlu = NULL;
	struct store *st = NULL;
	struct agenda *agenda = NULL;
	struct speech_recog_config rc;
	struct speech_recog *recog = NULL;
	const char *why = NULL;
	const char *extras[] = {"doctor benali", "thomas girard", "friday"};
	char message[200];
	int16_t noise[8000];
	uint32_t state = 1;

	test_server_init(&s, "en");
	TEST_REQUIRE(calls_engine_init(&engine) == 0);
	speech_recog_config_init(&rc);
	TEST_REQUIRE(calls_engine_load_words(&engine, rc.ps_dict) == 0);
	TEST_REQUIRE(store_open(&st, s.db, 0, &why) == 0);
	TEST_REQUIRE(agenda_open(&agenda, st, message, sizeof(message)) == 0);
	TEST_REQUIRE(calls_engine_nlu(&engine, agenda, &nlu) == 0);
	TEST_REQUIRE(speech_recog_create(&recog, "pocketsphinx", &rc) == 0);
	/* Loud enough to be decoded, so that the grammar is compiled. */
	for (size_t i = 0; i < TEST_COUNT(noise); i++) {
		state = state * 1664525u + 1013904223u;
		noise[i] = (int16_t)((int32_t)state >> 20);
	}
	for (int expect = 0; expect < NLU_EXPECT_COUNT; expect++) {
		struct calls_grammar *grammar = NULL;
		struct speech_recog_result result;
		struct speech_recog_request request = {
			.samples = noise, .count = TEST_COUNT(noise), .rate = 8000, .lang = "en",
			.expectation = nlu_expect_name((enum nlu_expect)expect)};
		int err;

		TEST_REQUIRE(calls_engine_grammar(&engine, nlu, NLU_LANG_EN, (enum nlu_expect)expect,
						  extras, 3, &grammar) == 0);
		TEST_CHECK(strstr(grammar->text, "benali") == NULL);
		TEST_CHECK(strstr(grammar->text, "thomas girard") != NULL);
		request.grammar = grammar->text;
		err = speech_recog_run(recog, &request, &result);
		if (!TEST_EQ_INT(err, 0))
			fprintf(stderr, "    %s: %s\n", nlu_expect_name((enum nlu_expect)expect),
				speech_recog_error(recog));
		calls_grammar_release(grammar);
	}
	speech_recog_destroy(recog);
	calls_nlu_release(nlu);
	agenda_close(agenda);
	store_close(st);
	calls_engine_destroy(&engine);
}

/* ---- Calls ---- */

struct key_step {
	unsigned pause_ms;
	char key;
};

/* INFO requests for keys, sent by sipp after the pauses given. */
static char *info_keys(const struct key_step *steps, size_t count, const char *caller,
		       unsigned *cseq)
{
	size_t cap = 4096 * (count + 1), len = 0;
	char *out = calloc(1, cap);

	TEST_REQUIRE(out != NULL);
	for (size_t i = 0; i < count; i++) {
		char pause[16], key[2] = {steps[i].key, 0}, seq[16];
		struct test_subst subs[] = {
			{"PAUSE_MS", pause}, {"KEY", key}, {"CSEQ", seq}, {"CALLER", caller}};
		char *part;

		snprintf(pause, sizeof(pause), "%u", steps[i].pause_ms);
		snprintf(seq, sizeof(seq), "%u", (*cseq)++);
		part = test_template("frag_key.xml", subs, 4);
		TEST_REQUIRE(part && len + strlen(part) + 1 < cap);
		memcpy(out + len, part, strlen(part) + 1);
		len += strlen(part);
		free(part);
	}
	return out;
}

static char *end_wait_bye(unsigned wait_ms)
{
	char wait[16];
	struct test_subst subs[] = {{"WAIT_MS", wait}};

	snprintf(wait, sizeof(wait), "%u", wait_ms);
	return test_template("end_wait_bye.xml", subs, 1);
}

static char *end_hangup(unsigned hold_ms)
{
	char hold[16];
	struct test_subst subs[] = {{"HOLD_MS", hold}};

	snprintf(hold, sizeof(hold), "%u", hold_ms);
	return test_template("end_hangup.xml", subs, 1);
}

/* Start a caller: its media peer, then sipp with the scenario parts. */
static pid_t call_begin(struct test_server *s, struct calls_peer *peer, const char *caller,
			const char *actions, const char *end, const char *label)
{
	char name[64];
	const char *path;
	pid_t pid;

	TEST_REQUIRE(calls_peer_start(peer) == 0);
	snprintf(name, sizeof(name), "%s.xml", label);
	path = test_caller_scenario(s, name, caller, peer->port, actions, end);
	pid = test_sipp_start(s, path, label);
	TEST_REQUIRE(pid > 0);
	return pid;
}

/* The keys of a French booking for Sophie Durand, any doctor, the first free slot. */
static const struct key_step booking_keys[] = {
	{4000, '1'}, /* book */
	{4000, '1'}, /* for Sophie */
	{5000, '9'}, /* any doctor */
	{5000, '1'}, /* the first free slots */
	{6000, '1'}, /* the first one offered */
	{7000, '1'}, /* yes, book it */
	{7000, '2'}, /* nothing else */
};

/* Check that the newest call booked an appointment from the phone; returns the call. */
static void check_booked(struct test_server *s, struct store_call *call, const char *lang)
{
	struct store_appointment appointment;

	TEST_REQUIRE(test_last_call(s->db, call));
	if (!TEST_EQ_STR(call->outcome, "booked"))
		test_dump_call(call);
	TEST_EQ_STR(call->channel, "sip");
	TEST_EQ_STR(call->lang, lang);
	TEST_CHECK(call->ended_utc != 0);
	TEST_REQUIRE(test_call_appointment(s->db, call->id, &appointment));
	TEST_EQ_INT(appointment.status, STORE_APPOINTMENT_BOOKED);
	TEST_EQ_STR(appointment.source, "phone");
	TEST_CHECK(appointment.start_utc > (int64_t)time(NULL));
}

static void keypad_booking_fr(void)
{
	struct test_server s;
	struct calls_peer peer;
	struct store_call call;
	struct wav_audio assistant = {0};
	unsigned cseq = 2;
	char *keys, *end, path[900];
	pid_t sipp;

	test_server_init(&s, "fr");
	s.config.recording = true;
	test_server_start(&s);
	keys = info_keys(booking_keys, TEST_COUNT(booking_keys), SOPHIE_NUMBER, &cseq);
	end = end_wait_bye(30000);
	sipp = call_begin(&s, &peer, SOPHIE_NUMBER, keys, end, "caller");
	free(keys);
	free(end);

	/* The assistant hangs up after its goodbye: sipp gets the BYE. */
	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 150000), 0);
	TEST_CHECK(calls_peer_frames(&peer) > 1000);
	calls_peer_stop(&peer);
	test_server_stop(&s);

	check_booked(&s, &call, "fr");
	TEST_EQ_INT(test_transcript_count(&call, "digits", NULL), 7);
	TEST_EQ_INT(test_transcript_count(&call, "say", "recording.notice"), 1);
	TEST_EQ_INT(test_transcript_count(&call, "ask", "ask.which.booking"), 1);

	/* Both sides recorded, aligned, with the assistant's speech in them. */
	snprintf(path, sizeof(path), "%s/recordings/%s-caller.wav", s.dir, call.id);
	TEST_CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/recordings/%s-assistant.wav", s.dir, call.id);
	TEST_REQUIRE(wav_read_file(&assistant, path) == 0);
	TEST_CHECK(assistant.count > 30 * 8000);
	{
		unsigned loud = 0;

		for (size_t i = 0; i + 160 <= assistant.count; i += 160) {
			double energy = 0;

			for (size_t j = 0; j < 160; j++)
				energy += (double)assistant.samples[i + j] * assistant.samples[i + j];
			loud += energy / 160 > 1000.0 * 1000.0;
		}
		TEST_CHECK(loud > 500);
	}
	wav_audio_free(&assistant);
	store_call_release(&call);
}

/* Drop the quiet start and end of synthesised speech, so timing starts on the voice. */
static void trim_quiet(int16_t **pcm, size_t *count)
{
	size_t first = 0, last = *count;

	while (first < last && abs((*pcm)[first]) < 1000)
		first++;
	while (last > first && abs((*pcm)[last - 1]) < 1000)
		last--;
	memmove(*pcm, *pcm + first, (last - first) * sizeof(int16_t));
	*count = last - first;
}

static void spoken_booking_en(void)
{
	static const char *const lines[] = {
		"i would like to make an appointment",
		"girard",
		"doctor martin",
		"friday afternoon",
		"the first one",
		"yes",
		"no thanks",
	};
	int16_t *audio[TEST_COUNT(lines)];
	size_t counts[TEST_COUNT(lines)];
	struct test_server s;
	struct calls_peer peer;
	struct store_call call;
	struct calls_stats stats;
	char *end;
	pid_t sipp;

	test_server_init(&s, "en");
	s.config.recording = true; /* both sides kept in the case's folder, for a failure */
	/* The caller's voice is flite's rms; the assistant speaks with slt. */
	for (size_t i = 0; i < TEST_COUNT(lines); i++) {
		TEST_REQUIRE(test_synthesize("flite", "rms", "en", lines[i], &audio[i], &counts[i]) == 0);
		trim_quiet(&audio[i], &counts[i]);
	}
	test_server_start(&s);
	end = end_wait_bye(200000);
	sipp = call_begin(&s, &peer, THOMAS_NUMBER, "", end, "caller");
	free(end);

	TEST_REQUIRE(calls_peer_wait_speech(&peer, 0, 30000));
	for (size_t i = 0; i < TEST_COUNT(lines); i++) {
		int64_t sent;

		/* The request cuts the long greeting, as callers do; the answers come once the
		 * question has been asked. */
		if (i == 0)
			usleep(3000000);
		else
			TEST_CHECK(calls_peer_wait_quiet(&peer, 1500, 60000));
		TEST_REQUIRE(calls_peer_say(&peer, audio[i], counts[i]) == 0);
		TEST_CHECK(calls_peer_wait_sent(&peer, 20000));
		sent = calls_peer_now_ns();
		if (!calls_peer_wait_speech(&peer, sent, 20000))
			fprintf(stderr, "    no reply to \"%s\"\n", lines[i]);
		free(audio[i]);
	}
	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 60000), 0);
	calls_peer_stop(&peer);
	calls_get_stats(s.calls, &stats);
	test_server_stop(&s);

	check_booked(&s, &call, "en");
	TEST_EQ_INT(stats.utterances, TEST_COUNT(lines));
	TEST_EQ_INT(stats.recognitions_failed, 0);
	/* Confident answers end their turn before the VAD's silence (calls.end_of_turn_ms),
	 * and none is split: one utterance per line above. */
	TEST_CHECK(stats.turns_ended_early >= 1);
	{
		struct store_appointment appointment;
		struct store *st = NULL;
		struct store_practitioner *list = NULL;
		size_t count = 0;
		const char *why = NULL;
		int64_t martin = 0;

		TEST_REQUIRE(test_call_appointment(s.db, call.id, &appointment));
		TEST_REQUIRE(store_open(&st, s.db, 0, &why) == 0);
		TEST_REQUIRE(store_practitioners_list(st, &list, &count) == 0);
		for (size_t i = 0; i < count; i++) {
			if (!strcmp(list[i].last_name, "Martin"))
				martin = list[i].id;
		}
		free(list);
		store_close(st);
		TEST_EQ_INT(appointment.practitioner_id, martin);
	}
	store_call_release(&call);
}

/* ---- Early end of a turn ---- */

#define EARLY_TAIL_FRAMES 10 /* line.c's VAD_TAIL_FRAMES: the VAD keeps 200 ms of silence */

/* The utterance a line sends early after `trailing` silent frames: the VAD's utterance so
 * far, less the silence past the tail the VAD keeps. */
static size_t early_count(size_t count, unsigned trailing)
{
	size_t extra = trailing > EARLY_TAIL_FRAMES
			       ? (size_t)(trailing - EARLY_TAIL_FRAMES) * MEDIA_FRAME_SAMPLES
			       : 0;

	return count > extra ? count - extra : 0;
}

/*
 * A spoken digit, then silence, through the VAD frame by frame as a line runs it. The
 * audio sent after 200 or 300 ms of silence is the audio the VAD hands over 200 ms or more
 * later, at the end of the turn. So the early decode gives the same confident words.
 */
static void early_audio_is_turn_audio(void)
{
	static const struct {
		const char *file;
		const char *digit;
	} cases[] = {
		{"audio/fsdd_digits_en_8k/9_george_0.wav", "nine"},
		{"audio/fsdd_digits_en_8k/7_george_0.wav", "seven"},
		{"audio/fsdd_digits_en_8k/1_lucas_0.wav", "one"},
	};
	static const char grammar[] =
		"#JSGF V1.0; grammar digits; public <digit> = zero | oh | one | two | three | four"
		" | five | six | seven | eight | nine;";
	static const unsigned early_frames[] = {10, 15};
	struct speech_recog_config config;
	struct speech_recog *recog = NULL;

	speech_recog_config_init(&config);
	TEST_REQUIRE(speech_recog_create(&recog, "pocketsphinx", &config) == 0);
	for (size_t c = 0; c < TEST_COUNT(cases); c++) {
		for (size_t e = 0; e < TEST_COUNT(early_frames); e++) {
			struct wav_audio audio;
			struct media_vad *vad = NULL;
			char path[512];
			int16_t *early = NULL, *line = NULL;
			size_t early_size = 0, total, line_count;
			unsigned trailing = 0, frame_at_early = 0, frame_at_end = 0;
			uint32_t seed = 1;
			struct speech_recog_result early_result, end_result;
			struct speech_recog_request request = {.rate = 8000, .lang = "en",
							       .expectation = "digits",
							       .grammar = grammar};

			TEST_REQUIRE(wav_read_file(&audio, sip_test_corpus_path(path, sizeof(path),
						   cases[c].file)) == 0);
			TEST_REQUIRE(audio.rate == 8000);
			/* 0.5 s of faint noise, the digit, then 1.5 s of the same noise. */
			total = 4000 + audio.count + 12000;
			total -= total % MEDIA_FRAME_SAMPLES;
			line = calloc(total, sizeof(int16_t));
			TEST_REQUIRE(line != NULL);
			for (size_t i = 0; i < total; i++) {
				seed = seed * 1103515245u + 12345u;
				line[i] = (int16_t)((int)((seed >> 16) % 17) - 8);
			}
			memcpy(line + 4000, audio.samples, audio.count * sizeof(int16_t));
			line_count = total;
			TEST_REQUIRE(media_vad_create(&vad, NULL) == 0);
			for (size_t f = 0; f * MEDIA_FRAME_SAMPLES < line_count && !frame_at_end; f++) {
				struct media_vad_result vr;
				const int16_t *samples;
				size_t count;

				media_vad_process(vad, line + f * MEDIA_FRAME_SAMPLES, &vr);
				if (vr.event == MEDIA_VAD_SPEECH_END) {
					frame_at_end = (unsigned)f;
					TEST_REQUIRE(media_vad_utterance(vad, &samples, &count) == 0);
					TEST_EQ_INT(count, early_size);
					TEST_CHECK(early && memcmp(early, samples, count * sizeof(int16_t)) == 0);
					request.samples = samples;
					request.count = count;
					TEST_EQ_INT(speech_recog_run(recog, &request, &end_result), 0);
					break;
				}
				if (vr.event != MEDIA_VAD_SPEECH || vr.speech_frame) {
					trailing = 0;
					continue;
				}
				if (++trailing != early_frames[e] || early)
					continue;
				TEST_REQUIRE(media_vad_utterance(vad, &samples, &count) == 0);
				early_size = early_count(count, trailing);
				early = malloc(early_size * sizeof(int16_t));
				TEST_REQUIRE(early != NULL);
				memcpy(early, samples, early_size * sizeof(int16_t));
				frame_at_early = (unsigned)f;
			}
			TEST_CHECK(frame_at_early > 0);
			/* The VAD waits 400 ms after a short answer. */
			TEST_CHECK(frame_at_end >= frame_at_early + 20 - early_frames[e]);
			request.samples = early;
			request.count = early_size;
			TEST_EQ_INT(speech_recog_run(recog, &request, &early_result), 0);
			TEST_EQ_STR(early_result.text, cases[c].digit);
			TEST_EQ_STR(early_result.text, end_result.text);
			TEST_CHECK(early_result.confidence == end_result.confidence);
			if (!TEST_EQ_INT(early_result.verdict, SPEECH_VERDICT_ACCEPTED))
				fprintf(stderr, "    %s: confidence %.2f\n", cases[c].file,
					(double)early_result.confidence);
			media_vad_destroy(vad);
			free(early);
			free(line);
			wav_audio_free(&audio);
		}
	}
	speech_recog_destroy(recog);
}

/* Loud frames the caller heard in [from, to), in ms after `origin`. */
static unsigned loud_ms(struct calls_peer *peer, int64_t origin, int from_ms, int to_ms)
{
	return calls_peer_loud_between(peer, origin + (int64_t)from_ms * 1000000,
				       origin + (int64_t)to_ms * 1000000);
}

/* The instant of the last loud frame heard in [from, to), or `from` when none. */
static int64_t last_loud_in(struct calls_peer *peer, int64_t from, int64_t to)
{
	int64_t last = from;

	pthread_mutex_lock(&peer->lock);
	for (size_t i = 0; i < peer->frame_count; i++) {
		const struct peer_frame *f = &peer->frames[i];

		if (f->arrival_ns >= from && f->arrival_ns < to && f->level_db > PEER_LOUD_DB)
			last = f->arrival_ns;
	}
	pthread_mutex_unlock(&peer->lock);
	return last;
}

static void barge_in_stops_prompt(void)
{
	struct test_server s;
	struct calls_peer peer;
	struct store_call call;
	int16_t *pcm = NULL;
	size_t count = 0;
	int64_t prompt_start, speech_start, last;
	int speech_ms;
	char *end;
	pid_t sipp;

	test_server_init(&s, "fr");
	TEST_REQUIRE(test_synthesize("flite", "rms", "en", "I would like to make an appointment please",
				     &pcm, &count) == 0);
	trim_quiet(&pcm, &count);
	speech_ms = (int)(count / 8);
	test_server_start(&s);
	end = end_hangup(16000);
	sipp = call_begin(&s, &peer, SOPHIE_NUMBER, "", end, "caller");
	free(end);

	/* The greeting and the first question run about 14 s; speak 2 s into them. */
	TEST_REQUIRE(calls_peer_wait_speech(&peer, 0, 30000));
	prompt_start = calls_peer_last_loud_ns(&peer);
	usleep(2000000);
	TEST_REQUIRE(calls_peer_say(&peer, pcm, count) == 0);
	TEST_CHECK(calls_peer_wait_sent(&peer, 10000));
	speech_start = peer.speech_started_ns;
	usleep(300000);

	TEST_CHECK(calls_peer_loud_between(&peer, prompt_start, speech_start) > 50);
	last = last_loud_in(&peer, speech_start, speech_start + (int64_t)speech_ms * 1000000);
	fprintf(stderr, "    prompt heard until %lld ms after the caller began to speak\n",
		(long long)((last - speech_start) / 1000000));
	TEST_CHECK(last - speech_start <= 300 * 1000000LL);
	TEST_EQ_INT(loud_ms(&peer, speech_start, 300, speech_ms), 0);

	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 60000), 0);
	calls_peer_stop(&peer);
	test_server_stop(&s);
	TEST_REQUIRE(test_last_call(s.db, &call));
	if (!TEST_CHECK(test_transcript_count(&call, "barge_in", NULL) >= 1))
		test_dump_call(&call);
	store_call_release(&call);
	free(pcm);
}

/* A cough-like burst: broadband noise, sharp attack, decaying over 0.4 s, -18 dBFS peak. */
static void make_cough(int16_t *pcm, size_t count)
{
	uint32_t state = 12345;

	for (size_t i = 0; i < count; i++) {
		double t = (double)i / (double)count;
		double envelope = (t < 0.05 ? t / 0.05 : 1.0) * (1.0 - t) * (1.0 - t);
		double white;

		state = state * 1664525u + 1013904223u;
		white = (double)(int32_t)state / 2147483648.0;
		pcm[i] = (int16_t)(white * envelope * 4000.0);
	}
}

/* The longest run of quiet frames heard in [from, to), in ms. */
static int longest_quiet_ms(struct calls_peer *peer, int64_t from, int64_t to)
{
	int longest = 0, run = 0;

	pthread_mutex_lock(&peer->lock);
	for (size_t i = 0; i < peer->frame_count; i++) {
		const struct peer_frame *f = &peer->frames[i];

		if (f->arrival_ns < from || f->arrival_ns >= to)
			continue;
		run = f->level_db > PEER_LOUD_DB ? 0 : run + 20;
		if (run > longest)
			longest = run;
	}
	pthread_mutex_unlock(&peer->lock);
	return longest;
}

static void cough_keeps_prompt(void)
{
	struct test_server s;
	struct calls_peer peer;
	struct store_call call;
	int16_t cough[3200];
	int64_t cough_start;
	unsigned loud, before;
	int gap;
	char *end;
	pid_t sipp;

	test_server_init(&s, "fr");
	make_cough(cough, TEST_COUNT(cough));
	test_server_start(&s);
	end = end_hangup(12000);
	sipp = call_begin(&s, &peer, SOPHIE_NUMBER, "", end, "caller");
	free(end);

	TEST_REQUIRE(calls_peer_wait_speech(&peer, 0, 30000));
	usleep(2000000);
	TEST_REQUIRE(calls_peer_say(&peer, cough, TEST_COUNT(cough)) == 0);
	TEST_CHECK(calls_peer_wait_sent(&peer, 5000));
	cough_start = peer.speech_started_ns;
	usleep(1800000);

	/* The prompt went on: as much speech in the 1.5 s after the cough began as in the
	 * 1.5 s before, and no gap a pause would leave (the cough and resume_ms). */
	before = calls_peer_loud_between(&peer, cough_start - 1500000000LL, cough_start);
	loud = calls_peer_loud_between(&peer, cough_start, cough_start + 1500000000LL);
	gap = longest_quiet_ms(&peer, cough_start, cough_start + 1500000000LL);
	fprintf(stderr, "    loud frames: %u of 75 before the cough, %u after; longest gap after"
		" %d ms\n", before, loud, gap);
	TEST_CHECK(loud + 10 >= before);
	TEST_CHECK(gap < 500);

	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 60000), 0);
	calls_peer_stop(&peer);
	test_server_stop(&s);
	TEST_REQUIRE(test_last_call(s.db, &call));
	if (!TEST_EQ_INT(test_transcript_count(&call, "barge_in", NULL), 0))
		test_dump_call(&call);
	store_call_release(&call);
}

/* The registry's state of the one call in progress, or "". */
static void live_state(struct test_server *s, char *out, size_t size)
{
	struct live_call *list = NULL;
	size_t count = 0;
	uint64_t version;

	out[0] = '\0';
	if (live_registry_snapshot(s->live, &list, &count, &version) == 0 && count == 1)
		snprintf(out, size, "%s", list[0].state);
	free(list);
}

static void same_key_twice(void)
{
	struct test_server s;
	struct calls_peer peer;
	struct store_call call;
	char state[32];
	int64_t t;
	char *end;
	pid_t sipp;

	test_server_init(&s, "fr");
	test_server_start(&s);
	end = end_hangup(20000);
	sipp = call_begin(&s, &peer, SOPHIE_NUMBER, "", end, "caller");
	free(end);

	TEST_REQUIRE(calls_peer_wait_speech(&peer, 0, 30000));
	live_state(&s, state, sizeof(state));
	TEST_EQ_STR(state, "greeting");
	/* Key 1 by RFC 4733 during the greeting: book. */
	calls_peer_press(&peer, '1');
	TEST_CHECK(calls_peer_wait_sent(&peer, 5000));
	t = calls_peer_now_ns();
	TEST_CHECK(calls_peer_wait_speech(&peer, t, 10000));
	usleep(300000);
	live_state(&s, state, sizeof(state));
	TEST_EQ_STR(state, "speaking");
	TEST_CHECK(calls_peer_wait_quiet(&peer, 1500, 30000));
	live_state(&s, state, sizeof(state));
	TEST_EQ_STR(state, "listening");
	/* The same key again: for Sophie. */
	calls_peer_press(&peer, '1');
	TEST_CHECK(calls_peer_wait_sent(&peer, 5000));
	t = calls_peer_now_ns();
	TEST_CHECK(calls_peer_wait_speech(&peer, t, 10000));

	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 60000), 0);
	calls_peer_stop(&peer);
	test_server_stop(&s);
	TEST_REQUIRE(test_last_call(s.db, &call));
	TEST_EQ_INT(test_transcript_count(&call, "digits", NULL), 2);
	TEST_EQ_INT(test_transcript_count(&call, "ask", "ask.which.booking"), 1);
	if (!TEST_EQ_INT(test_transcript_count(&call, "ask", "ask.practitioner"), 1))
		test_dump_call(&call);
	store_call_release(&call);
}

/* A caller asks for the secretariat (key 0) and answers the REFER with `status`. */
/* Wait until the dashboard shows the call in a state; false on timeout. */
static bool wait_live_state(struct test_server *s, const char *state, unsigned timeout_ms)
{
	char now[32];

	for (unsigned waited = 0; waited < timeout_ms; waited += 50) {
		live_state(s, now, sizeof(now));
		if (!strcmp(now, state))
			return true;
		usleep(50000);
	}
	return false;
}

static void transfer_call(const char *status, bool accepted, struct test_server *s,
			  struct store_call *call)
{
	struct calls_peer peer;
	struct key_step zero[] = {{4000, '0'}};
	unsigned cseq = 2;
	char actions[32768], wait[] = "20000", seq[16];
	char *keys, *refer, *notify = NULL, *end;
	pid_t sipp;

	int16_t *name = NULL;
	size_t name_count = 0;

	test_server_init(s, accepted ? "fr" : "en");
	/* Before the server opens flite: a process has one instance of it. */
	TEST_REQUIRE(test_synthesize("flite", "rms", "en", "girard", &name, &name_count) == 0);
	trim_quiet(&name, &name_count);
	test_server_start(s);
	keys = info_keys(zero, 1, accepted ? SOPHIE_NUMBER : THOMAS_NUMBER, &cseq);
	{
		struct test_subst subs[] = {{"WAIT_MS", wait}, {"REFER_STATUS", status}};

		refer = test_template("frag_refer.xml", subs, 2);
	}
	if (accepted) {
		struct test_subst subs[] = {{"CSEQ", seq}, {"CALLER", SOPHIE_NUMBER}};

		snprintf(seq, sizeof(seq), "%u", cseq++);
		notify = test_template("frag_notify.xml", subs, 2);
	}
	/* Refused, the call goes on: the failure, the callback question, the name, the
	 * confirmation and "anything else?" take about 30 s of speech. */
	end = end_wait_bye(accepted ? 30000 : 75000);
	TEST_REQUIRE(keys && refer && end && (!accepted || notify));
	snprintf(actions, sizeof(actions), "%s%s%s", keys, refer, notify ? notify : "");
	sipp = call_begin(s, &peer, accepted ? SOPHIE_NUMBER : THOMAS_NUMBER, actions, end,
			  "caller");
	free(keys);
	free(refer);
	free(notify);
	free(end);

	if (!accepted) {
		/* Back with the assistant, which asks the name for a callback request: say it,
		 * then end the call with key 2 when asked for anything else. */
		TEST_CHECK(wait_live_state(s, "transferring", 20000));
		TEST_CHECK(wait_live_state(s, "speaking", 20000));
		TEST_CHECK(wait_live_state(s, "listening", 30000));
		TEST_REQUIRE(calls_peer_say(&peer, name, name_count) == 0);
		TEST_CHECK(calls_peer_wait_sent(&peer, 10000));
		TEST_CHECK(wait_live_state(s, "speaking", 20000));
		TEST_CHECK(wait_live_state(s, "listening", 30000));
		calls_peer_press(&peer, '2');
	}
	free(name);
	TEST_EQ_INT(test_sipp_wait(s, sipp, "caller", 90000), 0);
	calls_peer_stop(&peer);
	test_server_stop(s);
	TEST_REQUIRE(test_last_call(s->db, call));
}

static void transfer_accepted(void)
{
	struct test_server s;
	struct store_call call;

	transfer_call("202 Accepted", true, &s, &call);
	if (!TEST_EQ_STR(call.outcome, "transferred"))
		test_dump_call(&call);
	TEST_EQ_INT(test_transcript_count(&call, "transfer", NULL), 1);
	store_call_release(&call);
}

static void transfer_refused(void)
{
	struct test_server s;
	struct store_call call;
	struct store *st = NULL;
	struct store_task *tasks = NULL;
	size_t count = 0;
	const char *why = NULL;
	bool callback = false;

	transfer_call("603 Decline", false, &s, &call);
	TEST_EQ_INT(test_transcript_count(&call, "transfer", NULL), 1);
	TEST_EQ_INT(test_transcript_count(&call, "transfer_result", NULL), 1);
	TEST_REQUIRE(store_open(&st, s.db, 0, &why) == 0);
	TEST_REQUIRE(store_tasks_list(st, true, &tasks, &count) == 0);
	for (size_t i = 0; i < count; i++)
		callback |= !strcmp(tasks[i].call_id, call.id) && !strcmp(tasks[i].kind, "callback");
	store_tasks_free(tasks, count);
	store_close(st);
	if (!TEST_CHECK(callback))
		test_dump_call(&call);
	TEST_CHECK(strcmp(call.outcome, "transferred") != 0);
	store_call_release(&call);
}

static void silence_reprompts_then_ends(void)
{
	struct test_server s;
	struct calls_peer peer;
	struct store_call call;
	char *end;
	pid_t sipp;

	test_server_init(&s, "fr");
	s.config.no_input_timeout_s = 2;
	test_server_start(&s);
	end = end_wait_bye(90000);
	sipp = call_begin(&s, &peer, SOPHIE_NUMBER, "", end, "caller");
	free(end);

	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 120000), 0);
	calls_peer_stop(&peer);
	test_server_stop(&s);
	TEST_REQUIRE(test_last_call(s.db, &call));
	if (!TEST_EQ_STR(call.outcome, "no_input"))
		test_dump_call(&call);
	TEST_EQ_INT(test_transcript_count(&call, "silence", NULL), 2);
	TEST_EQ_INT(test_transcript_count(&call, "end", NULL), 1);
	TEST_EQ_INT(test_transcript_count(&call, "ask", "ask.open"), 2);
	store_call_release(&call);
}

/* ---- The RFC 4475 messages during a call ---- */

static void torture_spares_call(void)
{
	struct test_server s;
	struct calls_peer peer;
	unsigned cseq = 2, sent = 0;
	char *keys, *end, path[1024], relative[160], replies[512];
	char list_path[1024];
	uint8_t *list;
	size_t list_len;
	char *line, *save = NULL;
	pid_t sipp;
	int n;

	test_server_init(&s, "fr");
	test_server_start(&s);
	keys = info_keys(booking_keys, TEST_COUNT(booking_keys), SOPHIE_NUMBER, &cseq);
	end = end_wait_bye(30000);
	sipp = call_begin(&s, &peer, SOPHIE_NUMBER, keys, end, "caller");
	free(keys);
	free(end);
	TEST_REQUIRE(calls_peer_wait_speech(&peer, 0, 30000));

	TEST_REQUIRE(sip_test_read_file(sip_test_source_path(list_path, sizeof(list_path),
							     "tests/sip/rfc4475_expect.tsv"),
					&list, &list_len) == 0);
	for (line = strtok_r((char *)list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char file[64];
		uint8_t *data;
		size_t len;

		if (line[0] == '#' || sscanf(line, "%63[^\t]", file) != 1)
			continue;
		snprintf(relative, sizeof(relative), "sip/rfc4475/%s", file);
		if (!TEST_CHECK(sip_test_read_file(sip_test_corpus_path(path, sizeof(path), relative),
						   &data, &len) == 0))
			continue;
		(void)sip_test_udp_exchange(0, s.sip_port, data, len, 50, NULL, replies,
					    sizeof(replies));
		(void)sip_test_tcp_exchange(s.sip_port, data, len, 50, replies, sizeof(replies));
		free(data);
		sent++;
	}
	free(list);
	TEST_EQ_INT(sent, 49);

	{
		char options[512];

		snprintf(options, sizeof(options),
			 "OPTIONS sip:permanence@127.0.0.1:%u SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-calls-after;rport\r\n"
			 "From: <sip:monitor@127.0.0.1>;tag=m1\r\nTo: <sip:permanence@127.0.0.1>\r\n"
			 "Call-ID: calls-after-torture\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
			 "Content-Length: 0\r\n\r\n", s.sip_port);
		n = sip_test_udp_exchange(5999, s.sip_port, options, strlen(options), 1000,
					  "calls-after-torture", replies, sizeof(replies));
		TEST_EQ_INT(n, 1);
		TEST_CHECK(strncmp(replies, "SIP/2.0 200", 11) == 0);
	}

	/* The booking went through to its end. */
	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 150000), 0);
	calls_peer_stop(&peer);
	test_server_stop(&s);
	{
		struct store *st = NULL;
		struct store_call *calls = NULL;
		size_t count = 0;
		const char *why = NULL;
		bool booked = false;

		TEST_REQUIRE(store_open(&st, s.db, 0, &why) == 0);
		TEST_REQUIRE(store_calls_list(st, 100, 0, &calls, &count) == 0);
		for (size_t i = 0; i < count; i++) {
			booked |= !strcmp(calls[i].outcome, "booked") &&
				  !strcmp(calls[i].caller_number, SOPHIE_NUMBER);
			/* Every call the torture messages opened was closed with a record. */
			TEST_CHECK(calls[i].ended_utc != 0);
		}
		store_calls_free(calls, count);
		store_close(st);
		TEST_CHECK(booked);
	}
}

/* ---- permanence serve ---- */

static pid_t serve_start(const char *dir, char *const extra[], const char *log_name)
{
	char log[700];
	char *argv[24] = {PERMANENCE_BIN, "serve"};
	size_t n = 2;

	for (size_t i = 0; extra[i] && n < 23; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if (snprintf(log, sizeof(log), "%s/%s", dir, log_name) >= (int)sizeof(log))
		return -1;
	return sip_test_spawn(argv, log);
}

/* Whether the server answers OPTIONS on `port` within `timeout_ms`. */
static bool serve_ready(uint16_t port, unsigned timeout_ms)
{
	char options[512], replies[256];

	snprintf(options, sizeof(options),
		 "OPTIONS sip:permanence@127.0.0.1:%u SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5998;branch=z9hG4bK-ready;rport\r\n"
		 "From: <sip:monitor@127.0.0.1>;tag=r1\r\nTo: <sip:permanence@127.0.0.1>\r\n"
		 "Call-ID: serve-ready\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		 "Content-Length: 0\r\n\r\n", port);
	for (unsigned waited = 0; waited < timeout_ms; waited += 250) {
		if (sip_test_udp_exchange(0, port, options, strlen(options), 250, "serve-ready",
					  replies, sizeof(replies)) == 1)
			return true;
	}
	return false;
}

static bool file_contains(const char *path, const char *text)
{
	uint8_t *data;
	size_t len;
	bool found;

	if (sip_test_read_file(path, &data, &len) != 0)
		return false;
	found = strstr((const char *)data, text) != NULL;
	free(data);
	return found;
}

static void sigterm_ends_call_in_grace(void)
{
	struct test_server s;
	struct calls_peer peer;
	struct store_call call;
	char conf[700], log[700];
	char *end;
	int64_t t0, elapsed_ms;
	pid_t server, sipp;
	int status;

	test_server_init(&s, "fr");
	s.config.shutdown_grace_s = 3;
	snprintf(conf, sizeof(conf), "%s/permanence.conf", s.dir);
	test_server_write_config(&s, conf);
	server = serve_start(s.dir, (char *[]){"--config", conf, NULL}, "serve.log");
	TEST_REQUIRE(server > 0);
	TEST_REQUIRE(serve_ready(s.sip_port, 60000));

	/* A caller who says nothing and would stay 60 s. */
	end = end_wait_bye(60000);
	sipp = call_begin(&s, &peer, SOPHIE_NUMBER, "", end, "caller");
	free(end);
	TEST_REQUIRE(calls_peer_wait_speech(&peer, 0, 30000));

	t0 = calls_peer_now_ns();
	TEST_REQUIRE(kill(server, SIGTERM) == 0);
	status = sip_test_wait(server, 30000);
	elapsed_ms = (calls_peer_now_ns() - t0) / 1000000;
	snprintf(log, sizeof(log), "%s/serve.log", s.dir);
	if (!TEST_EQ_INT(status, 0))
		sip_test_dump_file("permanence serve", log);
	fprintf(stderr, "    the server stopped %lld ms after SIGTERM\n", (long long)elapsed_ms);
	TEST_CHECK(elapsed_ms >= 2500);
	TEST_CHECK(elapsed_ms <= 3000 + 8000);
	/* The caller was hung up on, and the call left its record. */
	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 20000), 0);
	calls_peer_stop(&peer);
	TEST_REQUIRE(test_last_call(s.db, &call));
	TEST_CHECK(call.ended_utc != 0);
	TEST_CHECK(call.outcome[0] != '\0');
	TEST_CHECK(file_contains(log, "grace period over"));
	store_call_release(&call);
}

static void sigterm_lets_call_finish(void)
{
	struct test_server s;
	struct calls_peer peer;
	struct store_call call;
	char conf[700];
	char *end;
	int64_t t0, elapsed_ms;
	pid_t server, sipp;

	test_server_init(&s, "fr");
	s.config.shutdown_grace_s = 30;
	snprintf(conf, sizeof(conf), "%s/permanence.conf", s.dir);
	test_server_write_config(&s, conf);
	server = serve_start(s.dir, (char *[]){"--config", conf, NULL}, "serve.log");
	TEST_REQUIRE(server > 0);
	TEST_REQUIRE(serve_ready(s.sip_port, 60000));

	end = end_hangup(8000);
	sipp = call_begin(&s, &peer, SOPHIE_NUMBER, "", end, "caller");
	free(end);
	TEST_REQUIRE(calls_peer_wait_speech(&peer, 0, 30000));
	t0 = calls_peer_now_ns();
	TEST_REQUIRE(kill(server, SIGTERM) == 0);
	/* A new call is refused meanwhile. */
	{
		struct calls_peer second;
		char *end2 = end_wait_bye(5000);
		pid_t refused = call_begin(&s, &second, THOMAS_NUMBER, "", end2, "refused");

		TEST_CHECK(sip_test_wait(refused, 30000) != 0);
		calls_peer_stop(&second);
		free(end2);
	}
	TEST_EQ_INT(test_sipp_wait(&s, sipp, "caller", 30000), 0);
	TEST_EQ_INT(sip_test_wait(server, 30000), 0);
	elapsed_ms = (calls_peer_now_ns() - t0) / 1000000;
	fprintf(stderr, "    the server stopped %lld ms after SIGTERM\n", (long long)elapsed_ms);
	TEST_CHECK(elapsed_ms < 20000);
	calls_peer_stop(&peer);
	TEST_REQUIRE(test_last_call(s.db, &call));
	TEST_CHECK(call.ended_utc != 0);
	TEST_EQ_STR(call.outcome, "abandoned");
	store_call_release(&call);
}

static void serve_rejects_bad_config(void)
{
	static const struct {
		const char *lines;
		int status;
		const char *message;
	} cases[] = {
		{"[sip]\nlisten = nonsense\n", 2, "sip.listen"},
		{"[sip]\nlisten = 127.0.0.1:5060\nrtp_port_min = 10001\n", 2, "rtp"},
		{"[sip]\nlisten = 127.0.0.1:5060\ntls_listen = 127.0.0.1:5061\n", 2,
		 "sip.tls_certificate"},
		{"[speech]\nasr_fr = http\n", 2, "speech.asr_http_url"},
		{"[sip]\nlisten = 127.0.0.1:5060\nregistrar = sip:trunk.example\n", 2, "sip.username"},
		{"[sip]\nbogus = 1\n", 2, "bogus"},
		{"[calls]\nno_input_timeout = 0\n", 2, "calls.no_input_timeout"},
	};
	struct test_server s;

	test_server_init(&s, "fr");
	for (size_t i = 0; i < TEST_COUNT(cases); i++) {
		char conf[700], log[700], text[2048];
		pid_t server;
		int status;

		snprintf(conf, sizeof(conf), "%s/bad%zu.conf", s.dir, i);
		snprintf(text, sizeof(text), "[practice]\ndb = %s\n[http]\nlisten = off\n%s", s.db,
			 cases[i].lines);
		TEST_REQUIRE(sip_test_write_file(conf, text) == 0);
		snprintf(log, sizeof(log), "bad%zu.log", i);
		server = serve_start(s.dir, (char *[]){"--config", conf, NULL}, log);
		status = sip_test_wait(server, 60000);
		snprintf(log, sizeof(log), "%s/bad%zu.log", s.dir, i);
		TEST_EQ_INT(status, cases[i].status);
		if (!TEST_CHECK(file_contains(log, cases[i].message)))
			sip_test_dump_file(cases[i].lines, log);
	}

	/* The SIP port taken by another program. */
	{
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(s.sip_port)};
		char conf[700], log[700], text[2048];
		pid_t server;

		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		TEST_REQUIRE(bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
		snprintf(conf, sizeof(conf), "%s/busy.conf", s.dir);
		snprintf(text, sizeof(text),
			 "[practice]\ndb = %s\n[http]\nlisten = off\n[sip]\nlisten = 127.0.0.1:%u\n",
			 s.db, s.sip_port);
		TEST_REQUIRE(sip_test_write_file(conf, text) == 0);
		server = serve_start(s.dir, (char *[]){"--config", conf, NULL}, "busy.log");
		TEST_EQ_INT(sip_test_wait(server, 60000), 1);
		snprintf(log, sizeof(log), "%s/busy.log", s.dir);
		if (!TEST_CHECK(file_contains(log, "already in use")))
			sip_test_dump_file("busy port", log);
		close(fd);
	}
}

static void serve_creates_demo_practice(void)
{
	struct test_server s;
	char db[700], listen[64];
	struct store *st = NULL;
	struct agenda *agenda = NULL;
	const char *why = NULL;
	char message[200];
	pid_t server;

	test_server_init(&s, "fr");
	/* A database path that does not exist yet, in a new folder. */
	snprintf(db, sizeof(db), "%s/fresh", s.dir);
	TEST_REQUIRE(mkdir(db, 0750) == 0);
	snprintf(db, sizeof(db), "%s/fresh/demo.db", s.dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", s.sip_port);
	server = serve_start(s.dir, (char *[]){"--db", db, "--sip-listen", listen, "--http-listen",
					       "off", NULL}, "serve.log");
	TEST_REQUIRE(server > 0);
	TEST_CHECK(serve_ready(s.sip_port, 60000));
	TEST_REQUIRE(kill(server, SIGTERM) == 0);
	TEST_EQ_INT(sip_test_wait(server, 30000), 0);

	TEST_REQUIRE(store_open(&st, db, 0, &why) == 0);
	TEST_EQ_INT(agenda_open(&agenda, st, message, sizeof(message)), 0);
	if (agenda)
		TEST_EQ_STR(agenda_practice(agenda)->name, "Cabinet médical des Tilleuls");
	agenda_close(agenda);
	store_close(st);
}

static const struct test_case cases[] = {
	TEST_CASE(config_maps_sip_keys),
	TEST_CASE(config_rejects_bad_values),
	TEST_CASE(config_maps_speech_keys),
	TEST_CASE(bucket_percentile_table),
	TEST_CASE(prompts_fixed_sentences),
	TEST_CASE(grammar_filter_keeps_known_words),
	TEST_CASE(grammars_compile_for_demo),
	TEST_CASE(keypad_booking_fr),
	TEST_CASE(early_audio_is_turn_audio),
	TEST_CASE(spoken_booking_en),
	TEST_CASE(barge_in_stops_prompt),
	TEST_CASE(cough_keeps_prompt),
	TEST_CASE(same_key_twice),
	TEST_CASE(transfer_accepted),
	TEST_CASE(transfer_refused),
	TEST_CASE(silence_reprompts_then_ends),
	TEST_CASE(torture_spares_call),
	TEST_CASE(sigterm_ends_call_in_grace),
	TEST_CASE(sigterm_lets_call_finish),
	TEST_CASE(serve_rejects_bad_config),
	TEST_CASE(serve_creates_demo_practice),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
