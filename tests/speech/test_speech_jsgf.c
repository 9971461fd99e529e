/* Invalid JSGF grammars: each gets a clear error and the decoder keeps working.
 *
 * In its own binary because sphinxbase's JSGF parser leaks a few bytes of its parse tree
 * on every syntax error; CMakeLists.txt suppresses leaks from inside that parser (yyparse)
 * for this binary only. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "recog.h"
#include "speech_test_util.h"
#include "test.h"

static const char *digits_grammar =
	"#JSGF V1.0; grammar digits; public <digit> = zero | oh | one | two | three | four | "
	"five | six | seven | eight | nine;";

static int recognise(struct speech_recog *recog, const struct wav_audio *audio, const char *lang,
		     const char *expectation, const char *grammar,
		     struct speech_recog_result *result)
{
	struct speech_recog_request request = {audio->samples, audio->count, audio->rate, lang,
					       expectation, grammar, "test-call", NULL};

	return speech_recog_run(recog, &request, result);
}

static struct speech_recog *pocketsphinx_open(unsigned max_audio_ms)
{
	struct speech_recog_config config;
	struct speech_recog *recog;

	speech_recog_config_init(&config);
	if (max_audio_ms)
		config.max_audio_ms = max_audio_ms;
	TEST_REQUIRE(speech_recog_create(&recog, "pocketsphinx", &config) == 0);
	return recog;
}

static void invalid_grammars_rejected(void)
{
	static const char *bad[] = {
		"",
		"this is not jsgf",
		"#JSGF V1.0; grammar g; public <a> = ;",
		"#JSGF V1.0; grammar g; public <a> = (yes | no;",
		"#JSGF V1.0; grammar g; <a> = yes;",
		"#JSGF V1.0; grammar g; public <a> = yes | \"unterminated;",
		"#JSGF V1.0; grammar g; public <a> = /abc/ yes;",
		"#JSGF V1.0 grammar",
		"#JSGF V1.0; grammar g; public <a> = | yes;",
		"#JSGF V1.0; grammar g; public <a> yes;",
		"#JSGF V1.0; grammar g; public <a> = [yes;",
		"#JSGF V1.0; grammar g; public <a> = yes",
		"#JSGF V1.0; grammar g; public <a> = <undefined> | two;",
	};
	struct speech_recog *recog = pocketsphinx_open(0);
	struct speech_recog_result result;
	struct wav_audio audio;

	corpus_audio("fsdd_digits_en_8k/2_theo_0.wav", &audio);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = recognise(recog, &audio, "en", "bad", bad[i], &result);

		if (!TEST_EQ_INT(err, EINVAL))
			fprintf(stderr, "    grammar %zu: %s\n", i, bad[i]);
		TEST_CHECK(speech_recog_error(recog)[0] != '\0');
		TEST_EQ_STR(result.text, "");
	}
	/* A word missing from the dictionary is named in the message. */
	TEST_EQ_INT(recognise(recog, &audio, "en", "names",
			      "#JSGF V1.0; grammar n; public <n> = doctor zzqxw;", &result),
		    EINVAL);
	TEST_CHECK(strstr(speech_recog_error(recog), "zzqxw") != NULL);
	/* Syntax the parser accepts without a complaint must not crash either. */
	TEST_CHECK(recognise(recog, &audio, "en", "odd",
			     "#JSGF V1.0; grammar g; public <a> = two <a> | two;", &result) >= 0);
	/* The decoder still works afterwards. */
	TEST_EQ_INT(recognise(recog, &audio, "en", "digits", digits_grammar, &result), 0);
	TEST_EQ_STR(result.text, "two");
	wav_audio_free(&audio);
	speech_recog_destroy(recog);
}

static const struct test_case cases[] = {
	TEST_CASE(invalid_grammars_rejected),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
