/* Tests of recognition (pocketsphinx with grammars, the HTTP back end against a mock
 * Whisper server on loopback) and of the worker pool. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "mock_whisper.h"
#include "nlu.h"
#include "recog.h"
#include "speech_pool.h"
#include "speech_test_util.h"
#include "test.h"

static const char *digits_grammar =
	"#JSGF V1.0; grammar digits; public <digit> = zero | oh | one | two | three | four | "
	"five | six | seven | eight | nine;";

static const char *yes_no_grammar =
	"#JSGF V1.0; grammar yesno; public <answer> = yes | no | yes please | no thanks;";

static struct speech_recog *pocketsphinx_open(unsigned max_audio_ms)
{
	struct speech_recog_config config;
	struct speech_recog *recog;

	speech_recog_config_init(&config);
	if (max_audio_ms)
		config.max_audio_ms = max_audio_ms;
	config.ps_grammar_cache = 2;
	TEST_REQUIRE(speech_recog_create(&recog, "pocketsphinx", &config) == 0);
	return recog;
}

static int recognise(struct speech_recog *recog, const struct wav_audio *audio, const char *lang,
		     const char *expectation, const char *grammar,
		     struct speech_recog_result *result)
{
	struct speech_recog_request request = {audio->samples, audio->count, audio->rate, lang,
					       expectation, grammar, "test-call", NULL};

	return speech_recog_run(recog, &request, result);
}

static void digits_with_grammar(void)
{
	static const char *files[] = {"1_jackson_0.wav", "3_lucas_0.wav", "7_yweweler_0.wav",
				      "9_george_0.wav"};
	static const char *expected[] = {"one", "three", "seven", "nine"};
	struct speech_recog *recog = pocketsphinx_open(0);

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct speech_recog_result result;
		struct wav_audio audio;
		char name[128];

		snprintf(name, sizeof(name), "fsdd_digits_en_8k/%s", files[i]);
		corpus_audio(name, &audio);
		TEST_EQ_INT(audio.rate, 8000);
		TEST_EQ_INT(recognise(recog, &audio, "en", "digits", digits_grammar, &result), 0);
		TEST_EQ_STR(result.text, expected[i]);
		TEST_EQ_STR(result.engine, "pocketsphinx");
		TEST_CHECK(result.grammar_used);
		TEST_CHECK(result.confidence >= 0.0f && result.confidence <= 1.0f);
		TEST_CHECK(result.audio_ms > 200 && result.audio_ms < 2000);
		TEST_CHECK(result.speech_end_ms > result.speech_start_ms);
		TEST_CHECK(result.speech_end_ms <= result.audio_ms + 10);
		wav_audio_free(&audio);
	}
	speech_recog_destroy(recog);
}

static void grammar_switching(void)
{
	static const char *commands =
		"#JSGF V1.0; grammar commands; public <command> = what time is it | "
		"what's the weather | lock the front door;";
	struct speech_recog *recog = pocketsphinx_open(0); /* two compiled grammars kept */
	struct speech_recog_result result;
	struct wav_audio digit, phrase;

	corpus_audio("fsdd_digits_en_8k/1_lucas_0.wav", &digit);
	corpus_audio("speech_to_phrase_16k/en/lock the Front Door.wav", &phrase);
	/* Three grammars through a cache of two: every path compiles, reuses and evicts. */
	for (int round = 0; round < 2; round++) {
		TEST_EQ_INT(recognise(recog, &digit, "en", "digits", digits_grammar, &result), 0);
		TEST_EQ_STR(result.text, "one");
		TEST_EQ_INT(recognise(recog, &phrase, "en", "open", commands, &result), 0);
		TEST_EQ_STR(result.text, "lock the front door");
		TEST_EQ_INT(recognise(recog, &digit, "en", "yes_no", yes_no_grammar, &result), 0);
	}
	/* The same grammar text under another expectation is compiled separately. */
	TEST_EQ_INT(recognise(recog, &digit, "en", "choice", digits_grammar, &result), 0);
	TEST_EQ_STR(result.text, "one");
	wav_audio_free(&digit);
	wav_audio_free(&phrase);
	speech_recog_destroy(recog);
}

static void bad_audio_handled(void)
{
	struct speech_recog *recog = pocketsphinx_open(3000);
	struct speech_recog_request request = {NULL, 0, 8000, "en", "digits", digits_grammar, NULL, NULL};
	struct speech_recog_result result;
	struct wav_audio audio;
	size_t long_count = 10u * 60u * 8000u;
	int16_t *samples;

	/* Empty audio: a rejected result, not an error. */
	TEST_EQ_INT(speech_recog_run(recog, &request, &result), 0);
	TEST_EQ_STR(result.text, "");
	TEST_EQ_INT(result.verdict, SPEECH_VERDICT_REJECTED);
	TEST_EQ_INT(result.audio_ms, 0);

	/* Ten minutes are cut to the maximum (3 s here) and marked. */
	samples = calloc(long_count, sizeof(int16_t));
	TEST_REQUIRE(samples != NULL);
	corpus_audio("fsdd_digits_en_8k/1_lucas_0.wav", &audio);
	memcpy(samples + 4000, audio.samples, audio.count * sizeof(int16_t));
	request.samples = samples;
	request.count = long_count;
	TEST_EQ_INT(speech_recog_run(recog, &request, &result), 0);
	TEST_CHECK(result.truncated);
	TEST_EQ_INT(result.audio_ms, 3000);
	TEST_EQ_STR(result.text, "one");

	/* Clipped audio: the digit amplified 30 times and cut at full scale. */
	for (size_t i = 0; i < audio.count; i++) {
		long v = (long)audio.samples[i] * 30;

		if (v > 32767)
			v = 32767;
		if (v < -32768)
			v = -32768;
		audio.samples[i] = (int16_t)v;
	}
	TEST_EQ_INT(recognise(recog, &audio, "en", "digits", digits_grammar, &result), 0);
	TEST_CHECK(result.confidence >= 0.0f && result.confidence <= 1.0f);

	/* Full-scale square wave and digital silence: nothing to accept. */
	for (size_t i = 0; i < 16000; i++)
		samples[i] = (int16_t)((i / 20) % 2 ? 32767 : -32768);
	request.count = 16000;
	TEST_EQ_INT(speech_recog_run(recog, &request, &result), 0);
	TEST_CHECK(result.verdict != SPEECH_VERDICT_ACCEPTED);
	memset(samples, 0, 16000 * sizeof(int16_t));
	TEST_EQ_INT(speech_recog_run(recog, &request, &result), 0);
	TEST_EQ_INT(result.verdict, SPEECH_VERDICT_REJECTED);
	TEST_EQ_INT(result.audio_ms, 2000);

	/* Invalid requests. */
	request.samples = NULL;
	TEST_EQ_INT(speech_recog_run(recog, &request, &result), EINVAL);
	request.samples = samples;
	request.rate = 0;
	TEST_EQ_INT(speech_recog_run(recog, &request, &result), EINVAL);
	request.rate = 8000;
	request.lang = "de";
	TEST_EQ_INT(speech_recog_run(recog, &request, &result), EINVAL);
	request.lang = "fr";
	TEST_EQ_INT(speech_recog_run(recog, &request, &result), ENOTSUP);
	TEST_CHECK(strstr(speech_recog_error(recog), "http") != NULL);
	free(samples);
	wav_audio_free(&audio);
	speech_recog_destroy(recog);
}

static void out_of_grammar_not_accepted(void)
{
	static const char *commands =
		"#JSGF V1.0; grammar commands; public <command> = what time is it | "
		"what's the weather | lock the front door | cancel timer | next | pause;";
	static const char *oov[] = {"oov_1.wav", "oov_3.wav"};
	struct speech_recog *recog = pocketsphinx_open(0);

	for (size_t i = 0; i < sizeof(oov) / sizeof(oov[0]); i++) {
		struct speech_recog_result result;
		struct wav_audio audio;
		char name[128];

		snprintf(name, sizeof(name), "speech_to_phrase_16k/en/%s", oov[i]);
		corpus_audio(name, &audio);
		TEST_EQ_INT(recognise(recog, &audio, "en", "open", commands, &result), 0);
		TEST_CHECK(result.verdict != SPEECH_VERDICT_ACCEPTED);
		wav_audio_free(&audio);
	}
	speech_recog_destroy(recog);
}

static void missing_words_derived(void)
{
	struct speech_recog *recog = pocketsphinx_open(0);
	struct speech_recog_result result;
	struct wav_audio audio;

	corpus_audio("fsdd_digits_en_8k/9_lucas_0.wav", &audio);
	/* British spellings, letter names, a suffix, a hyphenated number and an abbreviation,
	 * none of them in cmudict as written. */
	TEST_EQ_INT(recognise(recog, &audio, "en", "words",
			      "#JSGF V1.0; grammar w; public <w> = immunisation | paediatrician | "
			      "aitch | eff | zed | gp | morningish | ninety-nine | colour | nine;",
			      &result), 0);
	TEST_EQ_STR(result.text, "nine");
	TEST_EQ_INT(recognise(recog, &audio, "en", "words",
			      "#JSGF V1.0; grammar w; public <w> = nine | xqzvbt;", &result), EINVAL);
	TEST_CHECK(strstr(speech_recog_error(recog), "xqzvbt") != NULL);
	wav_audio_free(&audio);
	speech_recog_destroy(recog);
}

/* Every English grammar the language understanding writes compiles in pocketsphinx. */
static void nlu_grammars_compile(void)
{
	static const char *extra[] = {"doctor martin", "tuesday at nine thirty"};
	struct speech_recog *recog = pocketsphinx_open(0);
	struct speech_recog_result result;
	struct nlu_vocabulary vocabulary = {0};
	struct wav_audio audio;
	struct nlu *nlu;

	TEST_REQUIRE(nlu_create(&nlu, &vocabulary) == 0);
	corpus_audio("fsdd_digits_en_8k/5_lucas_0.wav", &audio);
	for (int e = 0; e < NLU_EXPECT_COUNT; e++) {
		char *grammar = NULL;
		int err;

		TEST_REQUIRE(nlu_grammar_jsgf(nlu, NLU_LANG_EN, (enum nlu_expect)e, extra, 2,
					      &grammar) == 0);
		err = recognise(recog, &audio, "en", nlu_expect_name((enum nlu_expect)e), grammar,
				&result);
		if (!TEST_EQ_INT(err, 0))
			fprintf(stderr, "    %s: %s\n", nlu_expect_name((enum nlu_expect)e),
				speech_recog_error(recog));
		free(grammar);
	}
	wav_audio_free(&audio);
	nlu_destroy(nlu);
	speech_recog_destroy(recog);
}

/*
 * A digit as a call's VAD hands it over (300 ms of faint line noise before, 200 ms after)
 * is decoded without padding: the same words, sure enough to be accepted, as the digit
 * cut at its first phone, which needs the padding.
 */
static void quiet_edges_need_no_padding(void)
{
	static const char *files[] = {"9_george_0.wav", "7_george_0.wav", "1_lucas_0.wav"};
	static const char *expected[] = {"nine", "seven", "one"};
	struct speech_recog *recog = pocketsphinx_open(0);

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct speech_recog_result tight, framed;
		struct wav_audio audio, line;
		char name[128];
		uint32_t seed = 3;

		snprintf(name, sizeof(name), "fsdd_digits_en_8k/%s", files[i]);
		corpus_audio(name, &audio);
		line = audio;
		line.count = 2400 + audio.count + 1600;
		line.samples = calloc(line.count, sizeof(int16_t));
		TEST_REQUIRE(line.samples != NULL);
		for (size_t j = 0; j < line.count; j++) {
			seed = seed * 1103515245u + 12345u;
			line.samples[j] = (int16_t)((int)((seed >> 16) % 17) - 8);
		}
		memcpy(line.samples + 2400, audio.samples, audio.count * sizeof(int16_t));
		TEST_EQ_INT(recognise(recog, &audio, "en", "digits", digits_grammar, &tight), 0);
		TEST_EQ_INT(recognise(recog, &line, "en", "digits", digits_grammar, &framed), 0);
		TEST_EQ_STR(tight.text, expected[i]);
		TEST_EQ_STR(framed.text, expected[i]);
		if (!TEST_EQ_INT(framed.verdict, SPEECH_VERDICT_ACCEPTED))
			fprintf(stderr, "    %s: confidence %.2f\n", files[i], (double)framed.confidence);
		free(line.samples);
		wav_audio_free(&audio);
	}
	speech_recog_destroy(recog);
}

/* Names of the entries of a folder, as one string "a b c" (empty when none). */
static void folder_list(const char *path, char *out, size_t size)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	size_t len = 0;

	out[0] = '\0';
	if (!dir)
		return;
	while ((entry = readdir(dir)) != NULL && len + 1 < size) {
		if (entry->d_name[0] == '.')
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "", entry->d_name);
	}
	closedir(dir);
}

/*
 * The phone loop decodes the grammar decode's score file. No score of a caller's speech
 * stays in the folder after a recognition, the folder goes with the engine, and a folder
 * that no open engine has locked is removed when the next engine starts. A result
 * is the same before and after a much longer utterance made the decoder grow its buffers,
 * because growing them once switched the feature extractor to live normalisation for good.
 */
static void scores_shared_and_removed(void)
{
	struct speech_recog_result first, again, tight, longer;
	struct wav_audio audio, line, long_line;
	char base[512], folder[1024], names[512], stale[600], alive[600], own[64];
	char lock_path[1100];
	struct speech_recog *recog;
	uint32_t seed = 5;
	FILE *file;
	int lock_fd;

	test_tmp_path(base, sizeof(base), "asr-scratch");
	TEST_REQUIRE(mkdir(base, 0700) == 0 || errno == EEXIST);
	/* A folder left by an engine that was not closed (its lock file free), with a score
	 * file in it, and a folder whose lock file is locked, as by an open engine. */
	snprintf(stale, sizeof(stale), "%s/permanence-asr-999999-abcdef", base);
	snprintf(alive, sizeof(alive), "%s/permanence-asr-1-abcdef", base);
	TEST_REQUIRE(mkdir(stale, 0700) == 0 && mkdir(alive, 0700) == 0);
	snprintf(folder, sizeof(folder), "%s/000000001.sen", stale);
	file = fopen(folder, "w");
	TEST_REQUIRE(file != NULL);
	fputs("scores", file);
	fclose(file);
	snprintf(folder, sizeof(folder), "%s/.lock", stale);
	file = fopen(folder, "w");
	TEST_REQUIRE(file != NULL);
	fclose(file);
	snprintf(folder, sizeof(folder), "%s/.lock", alive);
	lock_fd = open(folder, O_RDWR | O_CREAT, 0600);
	TEST_REQUIRE(lock_fd >= 0);
	TEST_REQUIRE(flock(lock_fd, LOCK_EX) == 0);

	TEST_REQUIRE(setenv("TMPDIR", base, 1) == 0);
	recog = pocketsphinx_open(0);
	unsetenv("TMPDIR");
	TEST_CHECK(access(stale, F_OK) != 0);
	TEST_CHECK(access(alive, F_OK) == 0);
	unlink(folder);
	close(lock_fd);
	rmdir(alive);
	folder_list(base, names, sizeof(names));
	snprintf(own, sizeof(own), "permanence-asr-%ld-", (long)getpid());
	TEST_CHECK(strncmp(names, own, strlen(own)) == 0);
	TEST_CHECK(strchr(names, ' ') == NULL);
	snprintf(folder, sizeof(folder), "%s/%s", base, names);
	snprintf(lock_path, sizeof(lock_path), "%s/.lock", folder);
	lock_fd = open(lock_path, O_RDONLY);
	TEST_CHECK(lock_fd >= 0);
	TEST_CHECK(flock(lock_fd, LOCK_EX | LOCK_NB) != 0); /* the engine has locked its folder */
	close(lock_fd);

	corpus_audio("fsdd_digits_en_8k/9_george_0.wav", &audio);
	line = audio;
	line.count = 2400 + audio.count + 1600;
	long_line = audio;
	long_line.count = 8000 * 12 + audio.count;
	line.samples = calloc(line.count, sizeof(int16_t));
	long_line.samples = calloc(long_line.count, sizeof(int16_t));
	TEST_REQUIRE(line.samples && long_line.samples);
	for (size_t j = 0; j < long_line.count; j++) {
		seed = seed * 1103515245u + 12345u;
		long_line.samples[j] = (int16_t)((int)((seed >> 16) % 17) - 8);
		if (j < line.count)
			line.samples[j] = long_line.samples[j];
	}
	memcpy(line.samples + 2400, audio.samples, audio.count * sizeof(int16_t));
	memcpy(long_line.samples + 8000 * 6, audio.samples, audio.count * sizeof(int16_t));

	TEST_EQ_INT(recognise(recog, &line, "en", "digits", digits_grammar, &first), 0);
	TEST_EQ_STR(first.text, "nine");
	TEST_CHECK(first.confidence > 0.0f);
	folder_list(folder, names, sizeof(names));
	TEST_EQ_STR(names, "");
	TEST_EQ_INT(recognise(recog, &audio, "en", "digits", digits_grammar, &tight), 0);
	TEST_EQ_STR(tight.text, "nine");
	TEST_EQ_INT(recognise(recog, &long_line, "en", "digits", digits_grammar, &longer), 0);
	TEST_EQ_STR(longer.text, "nine");
	folder_list(folder, names, sizeof(names));
	TEST_EQ_STR(names, "");
	TEST_EQ_INT(recognise(recog, &line, "en", "digits", digits_grammar, &again), 0);
	TEST_EQ_STR(again.text, first.text);
	TEST_CHECK(again.acoustic_margin == first.acoustic_margin);
	TEST_CHECK(again.confidence == first.confidence);

	speech_recog_destroy(recog);
	TEST_CHECK(access(folder, F_OK) != 0);
	free(line.samples);
	free(long_line.samples);
	wav_audio_free(&audio);
}

/* Open a recogniser that makes its score folder in `base`, and write the folder's path
 * to `folder`. */
static struct speech_recog *pocketsphinx_open_in(const char *base, char *folder, size_t size)
{
	struct speech_recog *recog;
	char names[512];

	TEST_REQUIRE(mkdir(base, 0700) == 0 || errno == EEXIST);
	TEST_REQUIRE(setenv("TMPDIR", base, 1) == 0);
	recog = pocketsphinx_open(0);
	unsetenv("TMPDIR");
	folder_list(base, names, sizeof(names));
	TEST_REQUIRE(names[0] != '\0' && strchr(names, ' ') == NULL);
	snprintf(folder, size, "%s/%s", base, names);
	return recog;
}

/*
 * The confidence is the same whether the phone loop reads the shared score file or
 * decodes the audio again. A folder inside the score folder forces the second way,
 * because the score file is then not the folder's only entry. Covers the grammars and
 * the open model.
 */
static void shared_scores_match_a_new_decode(void)
{
	struct speech_recog *shared, *again;
	struct wav_audio digit, sentence;
	char base[512], shared_folder[1024], again_folder[1024], blocker[1100];

	test_tmp_path(base, sizeof(base), "asr-shared");
	shared = pocketsphinx_open_in(base, shared_folder, sizeof(shared_folder));
	test_tmp_path(base, sizeof(base), "asr-again");
	again = pocketsphinx_open_in(base, again_folder, sizeof(again_folder));
	snprintf(blocker, sizeof(blocker), "%s/keep", again_folder);
	TEST_REQUIRE(mkdir(blocker, 0700) == 0);

	corpus_audio("fsdd_digits_en_8k/7_george_0.wav", &digit);
	corpus_audio("OSR_us_000_0034_8k.wav", &sentence);
	if (sentence.count > 8000 * 3)
		sentence.count = 8000 * 3; /* the first sentence */
	for (int open = 0; open < 2; open++) {
		const struct wav_audio *audio = open ? &sentence : &digit;
		const char *expectation = open ? NULL : "digits";
		const char *grammar = open ? NULL : digits_grammar;
		struct speech_recog_result a, b;

		TEST_EQ_INT(recognise(shared, audio, "en", expectation, grammar, &a), 0);
		TEST_EQ_INT(recognise(again, audio, "en", expectation, grammar, &b), 0);
		TEST_CHECK(a.text[0] != '\0');
		TEST_EQ_STR(a.text, b.text);
		if (!TEST_CHECK(a.acoustic_margin == b.acoustic_margin))
			fprintf(stderr, "    %s: margin %.3f from the file, %.3f from the audio\n",
				open ? "open" : "digits", (double)a.acoustic_margin,
				(double)b.acoustic_margin);
		TEST_CHECK(a.confidence == b.confidence);
	}
	rmdir(blocker);
	speech_recog_destroy(shared);
	speech_recog_destroy(again);
	wav_audio_free(&digit);
	wav_audio_free(&sentence);
}

/*
 * A decode whose start fails half-way fails, and the next one works once the cause is
 * gone. Here pocketsphinx cannot create the score file because the folder was moved
 * away (and then back).
 */
static void decoder_recovers_from_failed_start(void)
{
	struct speech_recog_result before, result;
	struct speech_recog *recog;
	struct wav_audio audio;
	char base[512], folder[1024], moved[1100];

	test_tmp_path(base, sizeof(base), "asr-lost");
	recog = pocketsphinx_open_in(base, folder, sizeof(folder));
	snprintf(moved, sizeof(moved), "%s.moved", folder);
	corpus_audio("fsdd_digits_en_8k/9_george_0.wav", &audio);
	for (int open = 0; open < 2; open++) {
		const char *expectation = open ? NULL : "digits";
		const char *grammar = open ? NULL : digits_grammar;

		TEST_EQ_INT(recognise(recog, &audio, "en", expectation, grammar, &before), 0);
		TEST_CHECK(before.text[0] != '\0');
		TEST_REQUIRE(rename(folder, moved) == 0);
		TEST_EQ_INT(recognise(recog, &audio, "en", expectation, grammar, &result), EIO);
		TEST_REQUIRE(rename(moved, folder) == 0);
		if (!TEST_EQ_INT(recognise(recog, &audio, "en", expectation, grammar, &result), 0))
			fprintf(stderr, "    %s\n", speech_recog_error(recog));
		TEST_EQ_STR(result.text, before.text);
		TEST_CHECK(result.acoustic_margin == before.acoustic_margin);
	}
	speech_recog_destroy(recog);
	TEST_CHECK(access(folder, F_OK) != 0);
	wav_audio_free(&audio);
}

static void verdict_helper(void)
{
	struct speech_recog_result result = {.confidence = 0.7f};

	TEST_EQ_INT(speech_recog_verdict(&result, 0.5f), SPEECH_VERDICT_REJECTED);
	strcpy(result.text, "yes");
	TEST_EQ_INT(speech_recog_verdict(&result, 0.5f), SPEECH_VERDICT_ACCEPTED);
	TEST_EQ_INT(speech_recog_verdict(&result, 0.8f), SPEECH_VERDICT_UNCERTAIN);
	TEST_EQ_STR(speech_verdict_name(SPEECH_VERDICT_UNCERTAIN), "uncertain");
	TEST_CHECK(speech_recog_engine_supports("pocketsphinx", "en", true));
	TEST_CHECK(!speech_recog_engine_supports("pocketsphinx", "fr", false));
	TEST_CHECK(speech_recog_engine_supports("http", "fr", false));
	TEST_CHECK(!speech_recog_engine_supports("http", "fr", true));
	TEST_CHECK(!speech_recog_engine_exists("vosk"));
}

/* An http engine pointed at the mock; path selects the mock's behaviour. */
static struct speech_recog *http_open(struct mock_whisper *mock, const char *path,
				      const char *format, const char *key, long timeout_ms)
{
	struct speech_recog_config config;
	struct speech_recog *recog;
	char url[128];

	speech_recog_config_init(&config);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", mock_whisper_port(mock), path);
	config.http_url = url;
	config.http_response_format = format;
	config.http_api_key = key;
	config.http_timeout_ms = timeout_ms;
	config.http_model = "large-v3";
	TEST_REQUIRE(speech_recog_create(&recog, "http", &config) == 0);
	return recog;
}

static void http_transcribes(void)
{
	struct mock_whisper *mock;
	struct speech_recog *recog;
	struct speech_recog_result result;
	struct wav_audio audio;
	char field[64];

	TEST_REQUIRE(mock_whisper_start(&mock, NULL) == 0);
	corpus_audio("speech_to_phrase_16k/fr/quelle heure est-il.wav", &audio);
	mock_whisper_add(mock, (unsigned)(audio.count * 1000 / audio.rate), "Quelle heure est-il ?");

	recog = http_open(mock, "", "json", NULL, 5000);
	TEST_EQ_INT(recognise(recog, &audio, "fr", NULL, NULL, &result), 0);
	TEST_EQ_STR(result.text, "Quelle heure est-il ?");
	TEST_EQ_STR(result.engine, "http");
	TEST_CHECK(!result.grammar_used);
	TEST_CHECK(result.confidence > 0.59f && result.confidence < 0.61f);
	TEST_EQ_INT(result.verdict, SPEECH_VERDICT_ACCEPTED);
	mock_whisper_last_field(mock, "language", field, sizeof(field));
	TEST_EQ_STR(field, "fr");
	mock_whisper_last_field(mock, "model", field, sizeof(field));
	TEST_EQ_STR(field, "large-v3");
	mock_whisper_last_field(mock, "response_format", field, sizeof(field));
	TEST_EQ_STR(field, "json");

	/* Telephone audio (8 kHz) is upsampled to 16 kHz before upload; a grammar is not
	 * sent, the text comes back as dictation. */
	{
		struct wav_audio digit;
		struct speech_recog_request request;

		corpus_audio("fsdd_digits_en_8k/5_lucas_0.wav", &digit);
		mock_whisper_add(mock, (unsigned)(digit.count * 1000 / digit.rate), "Five.");
		request = (struct speech_recog_request){digit.samples, digit.count, digit.rate,
							"en", "digits", digits_grammar, NULL, NULL};
		TEST_EQ_INT(speech_recog_run(recog, &request, &result), 0);
		TEST_EQ_STR(result.text, "Five.");
		TEST_CHECK(!result.grammar_used);
		wav_audio_free(&digit);
	}
	speech_recog_destroy(recog);

	/* verbose_json carries a score: exp(-0.2) * (1 - 0.1) = 0.737. */
	recog = http_open(mock, "/v1/audio/transcriptions", "verbose_json", NULL, 5000);
	TEST_EQ_INT(recognise(recog, &audio, "fr", NULL, NULL, &result), 0);
	TEST_EQ_STR(result.text, "Quelle heure est-il ?");
	TEST_CHECK(result.confidence > 0.73f && result.confidence < 0.74f);
	speech_recog_destroy(recog);
	TEST_EQ_INT(mock_whisper_requests(mock), 3);
	wav_audio_free(&audio);
	mock_whisper_stop(mock);
}

static void http_sends_key(void)
{
	struct mock_whisper *mock;
	struct speech_recog *recog;
	struct speech_recog_result result;
	struct wav_audio audio;

	TEST_REQUIRE(mock_whisper_start(&mock, "s3cret") == 0);
	corpus_audio("fsdd_digits_en_8k/0_theo_0.wav", &audio);
	mock_whisper_add(mock, (unsigned)(audio.count * 1000 / audio.rate), "zero");
	recog = http_open(mock, "", "json", NULL, 5000);
	TEST_EQ_INT(recognise(recog, &audio, "en", NULL, NULL, &result), EIO);
	TEST_CHECK(strstr(speech_recog_error(recog), "401") != NULL);
	speech_recog_destroy(recog);
	recog = http_open(mock, "", "json", "wrong", 5000);
	TEST_EQ_INT(recognise(recog, &audio, "en", NULL, NULL, &result), EIO);
	speech_recog_destroy(recog);
	recog = http_open(mock, "", "json", "s3cret", 5000);
	TEST_EQ_INT(recognise(recog, &audio, "en", NULL, NULL, &result), 0);
	TEST_EQ_STR(result.text, "zero");
	speech_recog_destroy(recog);
	wav_audio_free(&audio);
	mock_whisper_stop(mock);
}

static void http_server_failures(void)
{
	static const struct {
		const char *path;
		int err;
		const char *message_part;
	} cases[] = {
		{"/error500", EIO, "HTTP 500"},
		{"/garbage", EBADMSG, "text"},
		{"/notext", EBADMSG, "text"},
		{"/huge", EMSGSIZE, "larger than"},
		{"/hang", ETIMEDOUT, "timed out"},
	};
	struct mock_whisper *mock;
	struct speech_recog_result result;
	struct wav_audio audio;

	TEST_REQUIRE(mock_whisper_start(&mock, NULL) == 0);
	corpus_audio("fsdd_digits_en_8k/6_theo_0.wav", &audio);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct speech_recog *recog = http_open(mock, cases[i].path, "json", NULL, 700);

		TEST_EQ_INT(recognise(recog, &audio, "en", NULL, NULL, &result), cases[i].err);
		if (!TEST_CHECK(strstr(speech_recog_error(recog), cases[i].message_part) != NULL))
			fprintf(stderr, "    %s: %s\n", cases[i].path, speech_recog_error(recog));
		TEST_EQ_STR(result.text, "");
		speech_recog_destroy(recog);
	}
	wav_audio_free(&audio);
	mock_whisper_stop(mock);
}

static void http_bad_settings(void)
{
	struct speech_recog_config config;
	struct speech_recog *recog;
	struct speech_recog_result result;
	struct wav_audio audio;
	struct mock_whisper *mock;
	unsigned port;
	char url[64];

	speech_recog_config_init(&config);
	TEST_EQ_INT(speech_recog_create(&recog, "http", &config), EINVAL); /* no address */
	config.http_url = "ftp://127.0.0.1/";
	TEST_EQ_INT(speech_recog_create(&recog, "http", &config), EINVAL);
	config.http_url = "http://127.0.0.1:1";
	config.http_response_format = "srt";
	TEST_EQ_INT(speech_recog_create(&recog, "http", &config), EINVAL);
	config.http_response_format = "json";
	config.http_timeout_ms = 0;
	TEST_EQ_INT(speech_recog_create(&recog, "http", &config), EINVAL);
	TEST_EQ_INT(speech_recog_create(&recog, "kaldi", &config), ENOENT);

	/* A server that has gone away: connection refused, reported as such. */
	TEST_REQUIRE(mock_whisper_start(&mock, NULL) == 0);
	port = mock_whisper_port(mock);
	mock_whisper_stop(mock);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	config.http_url = url;
	config.http_timeout_ms = 2000;
	TEST_REQUIRE(speech_recog_create(&recog, "http", &config) == 0);
	corpus_audio("fsdd_digits_en_8k/6_theo_0.wav", &audio);
	TEST_EQ_INT(recognise(recog, &audio, "fr", NULL, NULL, &result), ECONNREFUSED);
	TEST_CHECK(strstr(speech_recog_error(recog), "cannot connect") != NULL);
	wav_audio_free(&audio);
	speech_recog_destroy(recog);
}

/* Collects pool callbacks for one test. */
struct collector {
	pthread_mutex_t lock;
	unsigned synth_events;
	unsigned synth_last;
	int synth_err;
	size_t samples;
	unsigned cached;
	unsigned recog_events;
	int recog_err;
	char text[SPEECH_TRANSCRIPT_MAX];
	unsigned cancel_after;     /* cancel the job from its own callback after N events */
	struct speech_pool *pool;
	uint64_t job;
	unsigned delay_ms;         /* slow callback, to fill queues */
};

static void collector_init(struct collector *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void on_synth(const struct speech_synth_event *event, void *arg)
{
	struct collector *c = arg;

	pthread_mutex_lock(&c->lock);
	c->synth_events++;
	c->samples += event->count;
	if (event->cached)
		c->cached++;
	if (event->last)
		c->synth_last++;
	if (event->err)
		c->synth_err = event->err;
	pthread_mutex_unlock(&c->lock);
	if (c->cancel_after && c->synth_events == c->cancel_after)
		TEST_EQ_INT(speech_pool_cancel(c->pool, event->job), 0);
}

static void on_recog(const struct speech_recog_event *event, void *arg)
{
	struct collector *c = arg;

	if (c->delay_ms)
		sleep_ms(c->delay_ms);
	pthread_mutex_lock(&c->lock);
	c->recog_events++;
	c->recog_err = event->err;
	if (!event->err)
		snprintf(c->text, sizeof(c->text), "%s", event->result->text);
	pthread_mutex_unlock(&c->lock);
}

static struct speech_pool *pool_open(unsigned workers, size_t queue_max)
{
	struct speech_pool_config config;
	struct speech_pool *pool;

	speech_pool_config_init(&config);
	config.workers = workers;
	config.queue_max = queue_max;
	config.cache_bytes = 8u * 1024u * 1024u;
	TEST_REQUIRE(speech_pool_create(&pool, &config) == 0);
	return pool;
}

static void pool_synthesises_and_recognises(void)
{
	struct speech_pool *pool = pool_open(2, 16);
	struct speech_pool_stats stats;
	struct collector fr, en, digit;
	struct wav_audio audio;
	struct speech_recog_request request;
	uint64_t job = 0;

	collector_init(&fr);
	collector_init(&en);
	collector_init(&digit);
	TEST_EQ_INT(speech_pool_synthesize(pool, "Bonjour. Votre rendez-vous est à 10 h 30.", "fr",
					   NULL, "call-1", on_synth, &fr, &job), 0);
	TEST_CHECK(job > 0);
	TEST_EQ_INT(speech_pool_synthesize(pool, "Hello. Goodbye.", "en", NULL, "call-2",
					   on_synth, &en, NULL), 0);
	corpus_audio("fsdd_digits_en_8k/8_lucas_0.wav", &audio);
	request = (struct speech_recog_request){audio.samples, audio.count, audio.rate, "en",
						"digits", digits_grammar, "call-3", NULL};
	TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &digit, NULL), 0);
	wav_audio_free(&audio); /* the pool copied the samples */
	speech_pool_drain(pool);

	TEST_EQ_INT(fr.synth_events, 2);
	TEST_EQ_INT(fr.synth_last, 1);
	TEST_EQ_INT(fr.synth_err, 0);
	TEST_CHECK(fr.samples > 8000);
	TEST_EQ_INT(en.synth_events, 2);
	TEST_EQ_INT(digit.recog_events, 1);
	TEST_EQ_INT(digit.recog_err, 0);
	TEST_EQ_STR(digit.text, "eight");

	speech_pool_get_stats(pool, &stats);
	TEST_EQ_INT(stats.workers, 2);
	TEST_EQ_INT(stats.synth_threads, 2);
	TEST_EQ_INT(stats.completed, 3);
	TEST_EQ_INT(stats.queued, 0);
	TEST_EQ_INT(stats.running, 0);
	speech_pool_destroy(pool);
}

static void pool_rejects_when_full(void)
{
	struct speech_pool *pool = pool_open(1, 2);
	struct speech_pool_stats stats;
	struct collector c;
	struct wav_audio audio;
	struct speech_recog_request request;
	unsigned accepted = 0, full = 0;

	collector_init(&c);
	c.delay_ms = 50; /* each callback keeps the only worker busy for a while */
	corpus_audio("fsdd_digits_en_8k/1_theo_0.wav", &audio);
	request = (struct speech_recog_request){audio.samples, audio.count, audio.rate, "en",
						"digits", digits_grammar, NULL, NULL};
	for (int i = 0; i < 10; i++) {
		int err = speech_pool_recognize(pool, &request, on_recog, &c, NULL);

		if (err == 0)
			accepted++;
		else if (TEST_EQ_INT(err, EAGAIN))
			full++;
	}
	TEST_CHECK(full > 0);
	TEST_CHECK(accepted >= 2);
	speech_pool_drain(pool);
	TEST_EQ_INT(c.recog_events, accepted);
	speech_pool_get_stats(pool, &stats);
	TEST_EQ_INT(stats.rejected_full, full);
	wav_audio_free(&audio);
	speech_pool_destroy(pool);
}

static void pool_cancels_jobs(void)
{
	struct speech_pool *pool = pool_open(1, 8);
	struct collector slow, cancelled, streamed;
	struct wav_audio audio;
	struct speech_recog_request request;
	uint64_t first, second;

	collector_init(&slow);
	collector_init(&cancelled);
	collector_init(&streamed);
	slow.delay_ms = 300;
	corpus_audio("fsdd_digits_en_8k/2_lucas_0.wav", &audio);
	request = (struct speech_recog_request){audio.samples, audio.count, audio.rate, "en",
						"digits", digits_grammar, NULL, NULL};
	TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &slow, &first), 0);
	TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &cancelled, &second), 0);
	/* The second waits behind the first: cancelling removes it. */
	TEST_EQ_INT(speech_pool_cancel(pool, second), 0);
	TEST_EQ_INT(speech_pool_cancel(pool, second), ENOENT);
	TEST_EQ_INT(speech_pool_cancel(pool, 987654), ENOENT);

	/* A stream cancelled from its own first callback delivers nothing more. */
	streamed.cancel_after = 1;
	streamed.pool = pool;
	TEST_EQ_INT(speech_pool_synthesize(pool, "Un. Deux. Trois. Quatre.", "fr", NULL, NULL,
					   on_synth, &streamed, NULL), 0);
	speech_pool_drain(pool);
	TEST_EQ_INT(slow.recog_events, 1);
	TEST_EQ_INT(cancelled.recog_events, 0);
	TEST_EQ_INT(streamed.synth_events, 1);
	TEST_EQ_INT(streamed.synth_last, 0);

	/* Cancelling a running recognition: its callback never comes. */
	TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &cancelled, &first), 0);
	while (speech_pool_cancel(pool, first) != 0) {
		/* Already finished before the cancel: then it must have reported. */
		if (cancelled.recog_events == 1)
			break;
	}
	speech_pool_drain(pool);
	TEST_CHECK(cancelled.recog_events <= 1);
	wav_audio_free(&audio);
	speech_pool_destroy(pool);
}

static void pool_destroy_drops_queued(void)
{
	struct speech_pool *pool = pool_open(1, 16);
	struct collector c;
	struct wav_audio audio;
	struct speech_recog_request request;

	collector_init(&c);
	c.delay_ms = 200;
	corpus_audio("fsdd_digits_en_8k/3_theo_0.wav", &audio);
	request = (struct speech_recog_request){audio.samples, audio.count, audio.rate, "en",
						"digits", digits_grammar, NULL, NULL};
	for (int i = 0; i < 6; i++)
		TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &c, NULL), 0);
	sleep_ms(50);
	speech_pool_destroy(pool); /* waits for the running job, drops the rest */
	TEST_CHECK(c.recog_events <= 1);
	wav_audio_free(&audio);
}

static void pool_warms_cache(void)
{
	static const char *prompts[] = {"Bonjour, cabinet médical du docteur Martin.",
					"Je n'ai pas compris. Pouvez-vous répéter ?"};
	struct speech_pool *pool = pool_open(1, 8);
	struct speech_pool_stats stats;
	struct collector c;
	size_t failed = 0;

	collector_init(&c);
	TEST_EQ_INT(speech_pool_warm(pool, "fr", prompts, 2, &failed), 0);
	speech_pool_get_stats(pool, &stats);
	TEST_EQ_INT(stats.cache.entries, 3);
	TEST_EQ_INT(speech_pool_synthesize(pool, prompts[1], "fr", NULL, NULL, on_synth, &c, NULL), 0);
	speech_pool_drain(pool);
	TEST_EQ_INT(c.synth_events, 2);
	TEST_EQ_INT(c.cached, 2);
	speech_pool_get_stats(pool, &stats);
	TEST_EQ_INT(stats.cache.hits, 2);
	speech_pool_destroy(pool);
}

static void pool_bad_requests(void)
{
	struct speech_pool_config config;
	struct speech_pool *pool;
	struct collector c;
	struct speech_recog_request request = {NULL, 0, 8000, "fr", NULL, NULL, NULL, NULL};

	speech_pool_config_init(&config);
	config.workers = 100;
	TEST_EQ_INT(speech_pool_create(&pool, &config), EINVAL);
	config.workers = 1;
	config.synth_engine_fr = "flite";
	TEST_EQ_INT(speech_pool_create(&pool, &config), EINVAL);
	config.synth_engine_fr = "mbrola";
	TEST_EQ_INT(speech_pool_create(&pool, &config), ENOENT);
	config.synth_engine_fr = "espeak";
	config.recog_open_engine_fr = "pocketsphinx";
	TEST_EQ_INT(speech_pool_create(&pool, &config), EINVAL);
	config.recog_open_engine_fr = "http"; /* but no address */
	TEST_EQ_INT(speech_pool_create(&pool, &config), EINVAL);

	collector_init(&c);
	pool = pool_open(1, 4);
	/* No French recognition is configured by default. */
	TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &c, NULL), ENOTSUP);
	request.lang = "es";
	TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &c, NULL), EINVAL);
	TEST_EQ_INT(speech_pool_synthesize(pool, "Hola", "es", NULL, NULL, on_synth, &c, NULL), EINVAL);
	TEST_EQ_INT(speech_pool_synthesize(pool, NULL, "fr", NULL, NULL, on_synth, &c, NULL), EINVAL);
	TEST_EQ_INT(speech_pool_warm(pool, "fr", NULL, 1, NULL), EINVAL);
	/* A failing synthesis reports once, with last set. */
	TEST_EQ_INT(speech_pool_synthesize(pool, "Hello", "en", "nobody", NULL, on_synth, &c, NULL), 0);
	speech_pool_drain(pool);
	TEST_EQ_INT(c.synth_events, 1);
	TEST_EQ_INT(c.synth_last, 1);
	TEST_EQ_INT(c.synth_err, ENOENT);
	speech_pool_destroy(pool);
}

static void pool_french_over_http(void)
{
	struct speech_pool_config config;
	struct speech_pool *pool;
	struct mock_whisper *mock;
	struct collector c;
	struct wav_audio audio;
	struct speech_recog_request request;
	char url[64];

	TEST_REQUIRE(mock_whisper_start(&mock, NULL) == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", mock_whisper_port(mock));
	corpus_audio("speech_to_phrase_16k/fr/annuler.wav", &audio);
	mock_whisper_add(mock, (unsigned)(audio.count * 1000 / audio.rate), "Annuler.");
	speech_pool_config_init(&config);
	config.workers = 1;
	config.recog_open_engine_fr = "http";
	config.recog.http_url = url;
	TEST_REQUIRE(speech_pool_create(&pool, &config) == 0);
	collector_init(&c);
	/* A French grammar goes to the open engine, since pocketsphinx has no French. */
	request = (struct speech_recog_request){audio.samples, audio.count, audio.rate, "fr",
						"yes_no", "#JSGF V1.0; grammar g; public <a> = oui;",
						NULL, NULL};
	TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &c, NULL), 0);
	speech_pool_drain(pool);
	TEST_EQ_INT(c.recog_err, 0);
	TEST_EQ_STR(c.text, "Annuler.");
	speech_pool_destroy(pool);
	wav_audio_free(&audio);
	mock_whisper_stop(mock);
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A caller who hangs up while the transcription server is still thinking frees the
 * worker at once instead of after the HTTP time limit. */
static void pool_cancel_stops_http(void)
{
	struct speech_pool_config config;
	struct speech_pool *pool;
	struct mock_whisper *mock;
	struct collector c;
	struct wav_audio audio;
	struct speech_recog_request request;
	uint64_t job;
	double started;
	char url[64];

	TEST_REQUIRE(mock_whisper_start(&mock, NULL) == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hang", mock_whisper_port(mock));
	speech_pool_config_init(&config);
	config.workers = 1;
	config.recog_open_engine_fr = "http";
	config.recog.http_url = url;
	config.recog.http_timeout_ms = 60000; /* the mock gives up after 30 s */
	TEST_REQUIRE(speech_pool_create(&pool, &config) == 0);
	collector_init(&c);
	corpus_audio("speech_to_phrase_16k/fr/annuler.wav", &audio);
	request = (struct speech_recog_request){audio.samples, audio.count, audio.rate, "fr",
						NULL, NULL, NULL, NULL};
	TEST_EQ_INT(speech_pool_recognize(pool, &request, on_recog, &c, &job), 0);
	for (int i = 0; i < 500 && mock_whisper_requests(mock) == 0; i++)
		sleep_ms(10);
	TEST_EQ_INT(mock_whisper_requests(mock), 1);
	started = monotonic_s();
	TEST_EQ_INT(speech_pool_cancel(pool, job), 0);
	speech_pool_drain(pool);
	/* A bound far above the abort (curl checks several times a second), far below the
	 * 30 s the request would otherwise wait. */
	TEST_CHECK(monotonic_s() - started < 10.0);
	TEST_EQ_INT(c.recog_events, 0);
	speech_pool_destroy(pool);
	wav_audio_free(&audio);
	mock_whisper_stop(mock);
}

static const struct test_case cases[] = {
	TEST_CASE(digits_with_grammar),
	TEST_CASE(grammar_switching),
	TEST_CASE(bad_audio_handled),
	TEST_CASE(out_of_grammar_not_accepted),
	TEST_CASE(missing_words_derived),
	TEST_CASE(nlu_grammars_compile),
	TEST_CASE(quiet_edges_need_no_padding),
	TEST_CASE(scores_shared_and_removed),
	TEST_CASE(shared_scores_match_a_new_decode),
	TEST_CASE(decoder_recovers_from_failed_start),
	TEST_CASE(verdict_helper),
	TEST_CASE(http_transcribes),
	TEST_CASE(http_sends_key),
	TEST_CASE(http_server_failures),
	TEST_CASE(http_bad_settings),
	TEST_CASE(pool_synthesises_and_recognises),
	TEST_CASE(pool_rejects_when_full),
	TEST_CASE(pool_cancels_jobs),
	TEST_CASE(pool_destroy_drops_queued),
	TEST_CASE(pool_warms_cache),
	TEST_CASE(pool_bad_requests),
	TEST_CASE(pool_french_over_http),
	TEST_CASE(pool_cancel_stops_http),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
