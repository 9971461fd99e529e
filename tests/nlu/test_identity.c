/*
 * Identity entities: phone numbers, dates of birth and names, from tables of cases, the
 * Duckling phone corpus, and the entities filled for each expectation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlu_priv.h"
#include "test.h"
#include "tsv.h"

static struct nlu *engine(void)
{
	struct nlu *nlu = NULL;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	return nlu;
}

static enum nlu_lang lang_of(const char *text)
{
	return strcmp(text, "en") == 0 ? NLU_LANG_EN : NLU_LANG_FR;
}

/* Tokens as nlu_parse() gives them: raw keeps fillers, tokens are normalised. */
struct utterance {
	struct nlu_tokens raw;
	struct nlu_tokens tokens;
};

static struct utterance *read_utterance(const struct nlu *nlu, enum nlu_lang lang,
					const char *text)
{
	struct utterance *u = malloc(sizeof(*u));

	TEST_REQUIRE(u != NULL);
	TEST_REQUIRE(nlu_tokenize(text, lang, &u->raw) == 0);
	u->tokens = u->raw;
	nlu_tokens_normalize(nlu, lang, 0, &u->tokens);
	return u;
}

static const char *or_dash(const char *s)
{
	return s[0] ? s : "-";
}

static void phones_table(void)
{
	struct nlu *nlu = engine();
	struct tsv tsv;
	size_t rows = 0;

	TEST_REQUIRE(tsv_open(&tsv, "tests/nlu/cases/phones.tsv") == 0);
	while (tsv_next(&tsv)) {
		enum nlu_lang lang = lang_of(tsv_field(&tsv, 0));
		struct utterance *u = read_utterance(nlu, lang, tsv_field(&tsv, 2));
		char e164[20] = "";
		int err = nlu_phone_extract(nlu, lang, &u->tokens, tsv_field(&tsv, 1)[0] == '1', e164,
					    sizeof(e164), NULL);

		rows++;
		if (!TEST_EQ_STR(err ? "-" : e164, tsv_field(&tsv, 3)))
			fprintf(stderr, "    line %u: \"%s\"\n", tsv.line, tsv_field(&tsv, 2));
		free(u);
	}
	TEST_CHECK(rows >= 50);
	tsv_close(&tsv);
	nlu_destroy(nlu);
}

static bool phone_excluded(const char *text)
{
	struct tsv tsv;
	bool found = false;

	TEST_REQUIRE(tsv_open(&tsv, "tests/nlu/phones_excluded.tsv") == 0);
	while (tsv_next(&tsv) && !found)
		found = strcmp(tsv_field(&tsv, 0), text) == 0;
	tsv_close(&tsv);
	return found;
}

/* Duckling writes "(+1) 6507018887" or national digits; E.164 is derived from them. */
static bool duckling_e164(const char *value, char *out, size_t size)
{
	char digits[32];
	size_t n = 0;
	bool plus = strncmp(value, "(+", 2) == 0;

	for (const char *p = value; *p && n + 1 < sizeof(digits); p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	if (plus)
		return snprintf(out, size, "+%s", digits) < (int)size;
	if (n == 10 && digits[0] == '0')
		return snprintf(out, size, "+33%s", digits + 1) < (int)size;
	return false;
}

static void duckling_phones(void)
{
	struct nlu *nlu = engine();
	struct tsv tsv;
	size_t rows = 0, excluded = 0;

	TEST_REQUIRE(tsv_open(&tsv, "tests/corpus/numbers/duckling_phone_numbers.tsv") == 0);
	while (tsv_next(&tsv)) {
		const char *text = tsv_field(&tsv, 0);
		struct utterance *u;
		char expected[32], got[20] = "";

		if (phone_excluded(text)) {
			excluded++;
			continue;
		}
		rows++;
		TEST_REQUIRE(duckling_e164(tsv_field(&tsv, 1), expected, sizeof(expected)));
		u = read_utterance(nlu, NLU_LANG_FR, text);
		if (nlu_phone_extract(nlu, NLU_LANG_FR, &u->tokens, true, got, sizeof(got), NULL) != 0)
			got[0] = '\0';
		if (!TEST_EQ_STR(got, expected))
			fprintf(stderr, "    \"%s\"\n", text);
		free(u);
	}
	fprintf(stderr, "    %zu Duckling phone rows in scope, %zu excluded\n", rows, excluded);
	TEST_CHECK(rows >= 8);
	tsv_close(&tsv);
	nlu_destroy(nlu);
}

static void birth_dates_table(void)
{
	struct nlu *nlu = engine();
	struct tsv tsv;
	struct tz *tz;
	size_t rows = 0;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	TEST_REQUIRE(tsv_open(&tsv, "tests/nlu/cases/birth_dates.tsv") == 0);
	while (tsv_next(&tsv)) {
		enum nlu_lang lang = lang_of(tsv_field(&tsv, 0));
		struct utterance *u = read_utterance(nlu, lang, tsv_field(&tsv, 3));
		struct civil_date date;
		char now_text[32], got[16] = "-";
		int64_t now;
		int err;

		rows++;
		snprintf(now_text, sizeof(now_text), "%sT10:00", tsv_field(&tsv, 1));
		TEST_REQUIRE(tz_parse_iso8601(tz, now_text, &now, NULL) == 0);
		err = nlu_birth_date_extract(nlu, lang, &u->tokens, now, tz,
					     tsv_field(&tsv, 2)[0] == '1', &date, NULL);
		if (!err)
			civil_date_format(&date, got, sizeof(got));
		if (!TEST_EQ_STR(got, tsv_field(&tsv, 4)))
			fprintf(stderr, "    line %u: \"%s\"\n", tsv.line, tsv_field(&tsv, 3));
		free(u);
	}
	TEST_CHECK(rows >= 40);
	tsv_close(&tsv);
	tz_close(tz);
	nlu_destroy(nlu);
}

static void names_table(void)
{
	struct nlu *nlu = engine();
	struct tsv tsv;
	size_t rows = 0;

	TEST_REQUIRE(tsv_open(&tsv, "tests/nlu/cases/names.tsv") == 0);
	while (tsv_next(&tsv)) {
		enum nlu_lang lang = lang_of(tsv_field(&tsv, 0));
		struct utterance *u = read_utterance(nlu, lang, tsv_field(&tsv, 2));
		char last[64], first[64];

		rows++;
		nlu_name_extract(nlu, lang, &u->raw, tsv_field(&tsv, 1)[0] == '1', last, sizeof(last),
				 first, sizeof(first));
		if (!TEST_EQ_STR(or_dash(last), tsv_field(&tsv, 3)) ||
		    !TEST_EQ_STR(or_dash(first), tsv_field(&tsv, 4)))
			fprintf(stderr, "    line %u: \"%s\"\n", tsv.line, tsv_field(&tsv, 2));
		free(u);
	}
	TEST_CHECK(rows >= 40);
	tsv_close(&tsv);
	nlu_destroy(nlu);
}

/* Names and numbers are cut to their fields, never written past them. */
static void identity_bounded(void)
{
	struct nlu *nlu = engine();
	struct utterance *u;
	char small[4], last[64], first[64];
	char long_name[400];
	char spelled[800];
	size_t n = 0;

	u = read_utterance(nlu, NLU_LANG_FR, "06 12 34 56 78");
	TEST_EQ_INT(nlu_phone_extract(nlu, NLU_LANG_FR, &u->tokens, true, small, sizeof(small),
				      NULL),
		    ENOSPC);
	free(u);

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	u = read_utterance(nlu, NLU_LANG_FR, long_name);
	nlu_name_extract(nlu, NLU_LANG_FR, &u->raw, true, last, sizeof(last), first, sizeof(first));
	TEST_CHECK(strlen(last) < sizeof(last));
	free(u);

	for (int i = 0; i < 200 && n + 4 < sizeof(spelled); i++)
		n += (size_t)snprintf(spelled + n, sizeof(spelled) - n, "%c ", 'a' + i % 26);
	u = read_utterance(nlu, NLU_LANG_FR, spelled);
	nlu_name_extract(nlu, NLU_LANG_FR, &u->raw, true, last, sizeof(last), first, sizeof(first));
	TEST_CHECK(strlen(last) < sizeof(last));
	free(u);

	u = read_utterance(nlu, NLU_LANG_FR,
			   "06 06 06 06 06 06 06 06 06 06 06 06 06 06 06 06 06 06 06 06 06 06");
	TEST_EQ_INT(nlu_phone_extract(nlu, NLU_LANG_FR, &u->tokens, true, last, 20, NULL), ENOENT);
	free(u);
	nlu_destroy(nlu);
}

/* The expectation steers which entity a date or a number becomes. */
static void entities_follow_expectation(void)
{
	struct nlu *nlu = engine();
	struct tz *tz;
	struct nlu_input input;
	struct nlu_entities e;
	struct utterance *u;
	char date[16];

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	memset(&input, 0, sizeof(input));
	input.lang = NLU_LANG_FR;
	input.tz = tz;
	TEST_REQUIRE(tz_parse_iso8601(tz, "2026-03-30T09:00", &input.now, NULL) == 0);

	input.text = "le 12 mars 58";
	input.expect = NLU_EXPECT_BIRTH_DATE;
	u = read_utterance(nlu, NLU_LANG_FR, input.text);
	memset(&e, 0, sizeof(e));
	TEST_EQ_INT(nlu_entities_extract(nlu, &input, &u->tokens, &u->raw, &e), 0);
	TEST_CHECK(e.has_birth_date);
	civil_date_format(&e.birth_date, date, sizeof(date));
	TEST_EQ_STR(date, "1958-03-12");
	TEST_EQ_INT(e.when_count, 0);
	free(u);

	input.text = "le 12 avril";
	input.expect = NLU_EXPECT_DATE;
	u = read_utterance(nlu, NLU_LANG_FR, input.text);
	memset(&e, 0, sizeof(e));
	TEST_EQ_INT(nlu_entities_extract(nlu, &input, &u->tokens, &u->raw, &e), 0);
	TEST_CHECK(!e.has_birth_date);
	TEST_EQ_INT(e.when_count, 1);
	free(u);

	input.text = "zéro six douze trente-quatre cinquante-six soixante-dix-huit";
	input.expect = NLU_EXPECT_PHONE;
	u = read_utterance(nlu, NLU_LANG_FR, input.text);
	memset(&e, 0, sizeof(e));
	TEST_EQ_INT(nlu_entities_extract(nlu, &input, &u->tokens, &u->raw, &e), 0);
	TEST_EQ_STR(e.phone, "+33612345678");
	TEST_EQ_STR(e.digits, "0612345678");
	free(u);

	input.text = "un deux trois";
	input.expect = NLU_EXPECT_DIGITS;
	u = read_utterance(nlu, NLU_LANG_FR, input.text);
	memset(&e, 0, sizeof(e));
	TEST_EQ_INT(nlu_entities_extract(nlu, &input, &u->tokens, &u->raw, &e), 0);
	TEST_EQ_STR(e.digits, "123");
	TEST_EQ_STR(e.phone, "");
	free(u);

	input.text = "M A R T I N";
	input.expect = NLU_EXPECT_NAME;
	u = read_utterance(nlu, NLU_LANG_FR, input.text);
	memset(&e, 0, sizeof(e));
	TEST_EQ_INT(nlu_entities_extract(nlu, &input, &u->tokens, &u->raw, &e), 0);
	TEST_EQ_STR(e.last_name, "MARTIN");
	TEST_EQ_INT(e.when_count, 0);
	free(u);

	input.text = "pendant une demi-heure";
	input.expect = NLU_EXPECT_OPEN;
	u = read_utterance(nlu, NLU_LANG_FR, input.text);
	memset(&e, 0, sizeof(e));
	TEST_EQ_INT(nlu_entities_extract(nlu, &input, &u->tokens, &u->raw, &e), 0);
	TEST_EQ_INT(e.duration_minutes, 30);

	input.lang = (enum nlu_lang)5;
	TEST_EQ_INT(nlu_entities_extract(nlu, &input, &u->tokens, &u->raw, &e), EINVAL);
	free(u);
	tz_close(tz);
	nlu_destroy(nlu);
}

static const struct test_case cases[] = {
	TEST_CASE(phones_table),
	TEST_CASE(duckling_phones),
	TEST_CASE(birth_dates_table),
	TEST_CASE(names_table),
	TEST_CASE(identity_bounded),
	TEST_CASE(entities_follow_expectation),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
