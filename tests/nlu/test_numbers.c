/*
 * Numbers in words and digits: the product's own table of cases and the Duckling
 * numeral corpus, minus the rows listed in numbers_excluded.tsv.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlu_priv.h"
#include "test.h"
#include "tsv.h"

static bool lang_parse(const char *text, enum nlu_lang *lang)
{
	if (strcasecmp(text, "fr") == 0)
		*lang = NLU_LANG_FR;
	else if (strcasecmp(text, "en") == 0)
		*lang = NLU_LANG_EN;
	else
		return false;
	return true;
}

static bool same_value(double actual, double expected)
{
	return fabs(actual - expected) <= 1e-9 * fmax(1.0, fabs(expected));
}

/* Parse the number at the first token of text; false when none starts there. */
static bool read_number(const struct nlu *nlu, enum nlu_lang lang, const char *text,
			struct nlu_number *number)
{
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	bool ok;

	TEST_REQUIRE(tokens != NULL);
	nlu_tokenize(text, lang, tokens);
	nlu_tokens_normalize(nlu, lang, 0, tokens);
	ok = nlu_number_parse(nlu, lang, tokens, 0, 0, number);
	free(tokens);
	return ok;
}

static void numbers_table(void)
{
	struct nlu *nlu;
	struct tsv tsv;
	size_t rows = 0;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	TEST_REQUIRE(tsv_open(&tsv, "tests/nlu/cases/numbers.tsv") == 0);
	while (tsv_next(&tsv)) {
		enum nlu_lang lang = NLU_LANG_FR;
		struct nlu_number n;
		const char *text = tsv_field(&tsv, 1);
		double expected = strtod(tsv_field(&tsv, 2), NULL);
		bool ordinal = strcmp(tsv_field(&tsv, 3), "ordinal") == 0;

		rows++;
		TEST_REQUIRE(lang_parse(tsv_field(&tsv, 0), &lang));
		if (!TEST_CHECK(read_number(nlu, lang, text, &n))) {
			fprintf(stderr, "    line %u: no number in \"%s\"\n", tsv.line, text);
			continue;
		}
		if (!TEST_CHECK(same_value(n.real, expected)) || !TEST_CHECK(n.ordinal == ordinal))
			fprintf(stderr, "    line %u: \"%s\" read as %g%s, expected %g%s\n", tsv.line,
				text, n.real, n.ordinal ? " (ordinal)" : "", expected,
				ordinal ? " (ordinal)" : "");
	}
	TEST_CHECK(rows >= 200);
	tsv_close(&tsv);
	nlu_destroy(nlu);
}

static bool excluded(const char *lang, const char *text, bool *seen, size_t seen_count)
{
	struct tsv tsv;
	size_t i = 0;
	bool found = false;

	TEST_REQUIRE(tsv_open(&tsv, "tests/nlu/numbers_excluded.tsv") == 0);
	while (tsv_next(&tsv)) {
		if (strcasecmp(tsv_field(&tsv, 0), lang) == 0 && strcmp(tsv_field(&tsv, 1), text) == 0) {
			found = true;
			if (i < seen_count)
				seen[i] = true;
		}
		i++;
	}
	tsv_close(&tsv);
	return found;
}

static void duckling_corpus(const char *path)
{
	struct nlu *nlu;
	struct tsv tsv;
	bool seen[64] = {false};
	size_t rows = 0, passed = 0, skipped = 0;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	TEST_REQUIRE(tsv_open(&tsv, path) == 0);
	while (tsv_next(&tsv)) {
		enum nlu_lang lang = NLU_LANG_FR;
		struct nlu_number n;
		const char *text = tsv_field(&tsv, 1);
		double expected = strtod(tsv_field(&tsv, 2), NULL);

		TEST_REQUIRE(lang_parse(tsv_field(&tsv, 0), &lang));
		if (excluded(tsv_field(&tsv, 0), text, seen, 64)) {
			skipped++;
			continue;
		}
		rows++;
		if (read_number(nlu, lang, text, &n) && same_value(n.real, expected)) {
			passed++;
			continue;
		}
		TEST_CHECK(!"row read as expected");
		fprintf(stderr, "    %s:%u: \"%s\" expected %g\n", path, tsv.line, text, expected);
	}
	fprintf(stderr, "    %s: %zu of %zu rows in scope pass, %zu excluded\n", path, passed, rows,
		skipped);
	TEST_CHECK(rows > 40);
	tsv_close(&tsv);
	nlu_destroy(nlu);
}

static void duckling_numerals_fr(void)
{
	duckling_corpus("tests/corpus/numbers/duckling_numeral_fr.tsv");
}

static void duckling_numerals_en(void)
{
	duckling_corpus("tests/corpus/numbers/duckling_numeral_en.tsv");
}

/* Every excluded row names a row that exists, so the list cannot hide a typo. */
static void exclusions_exist(void)
{
	struct tsv ex;

	TEST_REQUIRE(tsv_open(&ex, "tests/nlu/numbers_excluded.tsv") == 0);
	while (tsv_next(&ex)) {
		char path[128];
		struct tsv corpus;
		bool found = false;

		snprintf(path, sizeof(path), "tests/corpus/numbers/duckling_numeral_%s.tsv",
			 tsv_field(&ex, 0));
		TEST_REQUIRE(tsv_open(&corpus, path) == 0);
		while (tsv_next(&corpus) && !found)
			found = strcmp(tsv_field(&corpus, 1), tsv_field(&ex, 1)) == 0;
		tsv_close(&corpus);
		if (!TEST_CHECK(found))
			fprintf(stderr, "    excluded row not in the corpus: %s\n", tsv_field(&ex, 1));
		TEST_CHECK(strlen(tsv_field(&ex, 2)) > 10);
	}
	tsv_close(&ex);
}

/* Options narrow the reading: a day or an hour is one small number. */
static void options_narrow(void)
{
	struct nlu *nlu;
	struct nlu_tokens tokens;
	struct nlu_number n;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	nlu_tokenize("100 000", NLU_LANG_FR, &tokens);
	TEST_CHECK(nlu_number_parse(nlu, NLU_LANG_FR, &tokens, 0, NLU_NUM_INTEGER, &n));
	TEST_EQ_INT(n.value, 100);
	TEST_EQ_INT(n.token_count, 1);

	nlu_tokenize("nineteen fifty eight", NLU_LANG_EN, &tokens);
	TEST_CHECK(nlu_number_parse(nlu, NLU_LANG_EN, &tokens, 0, NLU_NUM_SMALL, &n));
	TEST_EQ_INT(n.value, 19);
	TEST_CHECK(nlu_number_parse(nlu, NLU_LANG_EN, &tokens, 0, 0, &n));
	TEST_EQ_INT(n.value, 1958);
	TEST_EQ_INT(n.token_count, 3);

	nlu_tokenize("deux cent mille", NLU_LANG_FR, &tokens);
	TEST_CHECK(nlu_number_parse(nlu, NLU_LANG_FR, &tokens, 0, NLU_NUM_SMALL, &n));
	TEST_EQ_INT(n.value, 2);

	nlu_tokenize("oh six", NLU_LANG_EN, &tokens);
	TEST_CHECK(nlu_number_parse(nlu, NLU_LANG_EN, &tokens, 0, NLU_NUM_SMALL, &n));
	TEST_EQ_INT(n.value, 6);
	TEST_EQ_INT(n.digit_count, 2);

	nlu_tokenize("06", NLU_LANG_FR, &tokens);
	TEST_CHECK(nlu_number_parse(nlu, NLU_LANG_FR, &tokens, 0, 0, &n));
	TEST_EQ_INT(n.digit_count, 2);
	TEST_CHECK(n.digits_form);

	nlu_tokenize("bonjour oh", NLU_LANG_EN, &tokens);
	TEST_CHECK(!nlu_number_parse(nlu, NLU_LANG_EN, &tokens, 0, 0, &n));
	TEST_CHECK(!nlu_number_parse(nlu, NLU_LANG_EN, &tokens, 1, 0, &n));
	TEST_CHECK(!nlu_number_parse(nlu, NLU_LANG_EN, &tokens, 2, 0, &n));
	nlu_destroy(nlu);
}

static void huge_numbers_bounded(void)
{
	struct nlu *nlu;
	struct nlu_tokens tokens;
	struct nlu_number n;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	nlu_tokenize("99999999999999999999999", NLU_LANG_FR, &tokens);
	TEST_CHECK(!nlu_number_parse(nlu, NLU_LANG_FR, &tokens, 0, 0, &n));
	nlu_tokenize("mille milliards de milliards de milliards", NLU_LANG_FR, &tokens);
	if (nlu_number_parse(nlu, NLU_LANG_FR, &tokens, 0, 0, &n))
		TEST_CHECK(n.value <= 1000000000000000LL);
	nlu_tokenize("999 999.999.999.999.999.999", NLU_LANG_FR, &tokens);
	if (nlu_number_parse(nlu, NLU_LANG_FR, &tokens, 0, 0, &n))
		TEST_CHECK(n.value <= 1000000000000000LL);
	nlu_tokenize("a billion billion billion thousand", NLU_LANG_EN, &tokens);
	if (nlu_number_parse(nlu, NLU_LANG_EN, &tokens, 0, 0, &n))
		TEST_CHECK(n.value <= 1000000000000000LL);
	nlu_destroy(nlu);
}

static const struct test_case cases[] = {
	TEST_CASE(numbers_table),
	TEST_CASE(duckling_numerals_fr),
	TEST_CASE(duckling_numerals_en),
	TEST_CASE(exclusions_exist),
	TEST_CASE(options_narrow),
	TEST_CASE(huge_numbers_bounded),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
