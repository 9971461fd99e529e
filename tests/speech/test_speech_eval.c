/* Recognition accuracy on the corpus, with floors a regression would break. The figures
 * measured on the reference machine are in docs/benchmarks.md; the floors sit a few points
 * below them, because they hold for these recordings and this model only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "speech_eval.h"
#include "test.h"

static const struct speech_eval_row *find_row(const struct speech_eval_report *report,
					      const char *set, const char *condition)
{
	for (size_t i = 0; i < report->count; i++)
		if (strcmp(report->rows[i].set, set) == 0 &&
		    strcmp(report->rows[i].condition, condition) == 0)
			return &report->rows[i];
	return NULL;
}

static void accuracy_floors(void)
{
	static const char *conditions[] = {"clean", "g711a"};
	struct speech_eval_options options = {getenv("PERMANENCE_CORPUS_DIR"), NULL, NULL, NULL};
	struct speech_eval_report report;

	TEST_REQUIRE(options.corpus_dir != NULL);
	TEST_REQUIRE(speech_eval_asr(&options, &report) == 0);
	TEST_EQ_INT(report.count, 6);
	for (size_t i = 0; i < 2; i++) {
		const struct speech_eval_row *digits = find_row(&report, "digits", conditions[i]);
		const struct speech_eval_row *commands = find_row(&report, "commands", conditions[i]);
		const struct speech_eval_row *harvard = find_row(&report, "harvard", conditions[i]);

		TEST_REQUIRE(digits && commands && harvard);
		TEST_EQ_INT(digits->utterances, 60);
		TEST_CHECK(speech_eval_accuracy(digits) >= 0.70);
		/* Of the digits accepted without a check question, most are right. */
		TEST_CHECK(digits->accepted_correct >= 0.85 * digits->accepted);
		TEST_EQ_INT(commands->oov, 4);
		TEST_CHECK(speech_eval_accuracy(commands) >= 0.65);
		TEST_EQ_INT(commands->oov_accepted, 0);
		TEST_CHECK(commands->accepted_correct >= 0.65 * commands->accepted);
		TEST_EQ_INT(harvard->words, 73);
		TEST_CHECK(speech_eval_wer(harvard) <= 0.40);
	}
	TEST_CHECK(report.decoder_kb > 0);
}

static void word_errors_and_alaw(void)
{
	unsigned words;

	TEST_EQ_INT(speech_eval_word_errors("The cat sat.", "the cat sat", &words), 0);
	TEST_EQ_INT(words, 3);
	TEST_EQ_INT(speech_eval_word_errors("the cat sat", "the bat sat down", &words), 2);
	TEST_EQ_INT(speech_eval_word_errors("neighbor's house", "neighbors house", &words), 1);
	TEST_EQ_INT(speech_eval_word_errors("", "noise", &words), 1);
	TEST_EQ_INT(words, 0);
	/* A-law keeps 13 bits of range with about 5 % relative error, and its code table is
	 * fixed: 0 is 0xD5, full scale 0xAA and 0x2A. */
	TEST_EQ_INT(speech_alaw_encode(0), 0xd5);
	TEST_EQ_INT(speech_alaw_encode(32767), 0xaa);
	TEST_EQ_INT(speech_alaw_encode(-32768), 0x2a);
	for (int v = -32768; v <= 32767; v += 7) {
		int back = speech_alaw_decode(speech_alaw_encode((int16_t)v));

		if (!TEST_CHECK(abs(back - v) <= 16 + abs(v) / 16))
			break;
	}
	for (int code = 0; code < 256; code++)
		if (!TEST_EQ_INT(speech_alaw_encode(speech_alaw_decode((unsigned char)code)), code))
			break;
}

static void missing_corpus(void)
{
	struct speech_eval_options options = {"/nonexistent-corpus", NULL, NULL, NULL};
	struct speech_eval_report report;

	TEST_EQ_INT(speech_eval_asr(&options, &report), ENOENT);
}

static const struct test_case cases[] = {
	TEST_CASE(word_errors_and_alaw),
	TEST_CASE(missing_corpus),
	TEST_CASE(accuracy_floors),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
