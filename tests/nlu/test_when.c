/*
 * Dates and times: the table of cases in cases/when.tsv, daylight-saving days checked in
 * UTC, and bad or very long input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlu_priv.h"
#include "test.h"
#include "tsv.h"
#include "when_format.h"

static struct nlu *engine(void)
{
	struct nlu *nlu = NULL;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	return nlu;
}

/* Understand text at a local reference time in a zone; the result stays in *result. */
static void understand(const struct nlu *nlu, enum nlu_lang lang, const struct tz *tz,
		       const char *now_local, const char *text, struct nlu_when_result *result)
{
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	int64_t now;

	TEST_REQUIRE(tokens != NULL);
	TEST_REQUIRE(tz_parse_iso8601(tz, now_local, &now, NULL) == 0);
	TEST_REQUIRE(nlu_tokenize(text, lang, tokens) == 0);
	nlu_tokens_normalize(nlu, lang, 0, tokens);
	TEST_EQ_INT(nlu_when_extract(nlu, lang, tokens, now, tz, result), 0);
	free(tokens);
}

static void when_table(void)
{
	struct nlu *nlu = engine();
	struct tsv tsv;
	size_t rows = 0;

	TEST_REQUIRE(tsv_open(&tsv, "tests/nlu/cases/when.tsv") == 0);
	while (tsv_next(&tsv)) {
		struct nlu_when_result result;
		struct tz *tz;
		char got[1024];
		enum nlu_lang lang = strcmp(tsv_field(&tsv, 0), "en") == 0 ? NLU_LANG_EN : NLU_LANG_FR;

		rows++;
		TEST_REQUIRE(tz_open(&tz, tsv_field(&tsv, 1)) == 0);
		understand(nlu, lang, tz, tsv_field(&tsv, 2), tsv_field(&tsv, 3), &result);
		when_format(&result, tz, got, sizeof(got));
		if (!TEST_EQ_STR(got, tsv_field(&tsv, 4)))
			fprintf(stderr, "    line %u: \"%s\"\n", tsv.line, tsv_field(&tsv, 3));
		tz_close(tz);
	}
	TEST_CHECK(rows >= 250);
	tsv_close(&tsv);
	nlu_destroy(nlu);
}

/* The spring day in Paris lasts 23 hours, the autumn day 25: never 86400 seconds. */
static void dst_day_lengths(void)
{
	struct nlu *nlu = engine();
	struct nlu_when_result r;
	struct tz *tz;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	understand(nlu, NLU_LANG_FR, tz, "2026-03-27T14:00", "dimanche", &r);
	TEST_REQUIRE(r.count == 1);
	TEST_EQ_INT(r.item[0].when.end - r.item[0].when.start, 23 * 3600);

	understand(nlu, NLU_LANG_FR, tz, "2026-10-24T10:00", "demain", &r);
	TEST_REQUIRE(r.count == 1);
	TEST_EQ_INT(r.item[0].when.end - r.item[0].when.start, 25 * 3600);

	/* The week of the spring change is 7 days of which one lasts 23 hours. */
	understand(nlu, NLU_LANG_FR, tz, "2026-03-25T10:00", "cette semaine", &r);
	TEST_REQUIRE(r.count == 1);
	TEST_EQ_INT(r.item[0].when.end - r.item[0].when.start, 7 * 86400 - 3600);

	/* 02:30 does not exist on 29 March: the clocks jump to 03:30 (01:30 UTC). */
	understand(nlu, NLU_LANG_FR, tz, "2026-03-27T14:00", "dimanche à 2h30", &r);
	TEST_REQUIRE(r.count == 1);
	TEST_EQ_INT(r.item[0].when.start, 1774747800); /* 2026-03-29T01:30:00Z */

	/* 02:30 happens twice on 25 October: the first one (00:30 UTC) is taken. */
	understand(nlu, NLU_LANG_FR, tz, "2026-10-24T10:00", "demain à 2h30", &r);
	TEST_REQUIRE(r.count == 1);
	TEST_EQ_INT(r.item[0].when.start, 1792888200); /* 2026-10-25T00:30:00Z */

	/* The morning after the change still starts at 08:00 local time. */
	understand(nlu, NLU_LANG_FR, tz, "2026-03-28T10:00", "lundi matin", &r);
	TEST_REQUIRE(r.count == 1);
	TEST_EQ_INT(r.item[0].when.start, 1774850400); /* 2026-03-30T06:00:00Z */
	tz_close(tz);
	nlu_destroy(nlu);
}

/* The reference instant is respected to the minute: just before and just after a time. */
static void time_still_ahead(void)
{
	struct nlu *nlu = engine();
	struct nlu_when_result r;
	struct tz *tz;
	char got[256];

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	understand(nlu, NLU_LANG_FR, tz, "2026-06-10T13:59", "à 14h", &r);
	when_format(&r, tz, got, sizeof(got));
	TEST_EQ_STR(got, "2026-06-10T14:00..2026-06-10T15:00 hour 14:00-15:00");
	understand(nlu, NLU_LANG_FR, tz, "2026-06-10T14:01", "à 14h", &r);
	when_format(&r, tz, got, sizeof(got));
	TEST_EQ_STR(got, "2026-06-11T14:00..2026-06-11T15:00 hour 14:00-15:00");
	understand(nlu, NLU_LANG_FR, tz, "2026-06-10T23:59", "le 10", &r);
	when_format(&r, tz, got, sizeof(got));
	TEST_EQ_STR(got, "2026-06-10T00:00..2026-06-11T00:00 day");
	understand(nlu, NLU_LANG_FR, tz, "2026-06-11T00:00", "le 10", &r);
	when_format(&r, tz, got, sizeof(got));
	TEST_EQ_STR(got, "2026-07-10T00:00..2026-07-11T00:00 day");
	tz_close(tz);
	nlu_destroy(nlu);
}

/* Spans point at the words that said each preference. */
static void spans_in_text(void)
{
	struct nlu *nlu = engine();
	struct nlu_when_result r;
	struct tz *tz;
	const char *text = "Bonjour, plutôt mardi matin ou jeudi à 14h30 merci";

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	understand(nlu, NLU_LANG_FR, tz, "2026-03-30T09:00", text, &r);
	TEST_REQUIRE(r.count == 2);
	TEST_CHECK(strncmp(text + r.item[0].span.start, "mardi matin",
			   r.item[0].span.end - r.item[0].span.start) == 0);
	TEST_EQ_INT(r.item[0].span.end - r.item[0].span.start, strlen("mardi matin"));
	TEST_CHECK(strncmp(text + r.item[1].span.start, "jeudi à 14h30",
			   r.item[1].span.end - r.item[1].span.start) == 0);
	TEST_EQ_INT(r.item[1].span.end - r.item[1].span.start, strlen("jeudi à 14h30"));
	TEST_CHECK(!r.item[0].past);
	understand(nlu, NLU_LANG_FR, tz, "2026-03-30T09:00", "hier", &r);
	TEST_REQUIRE(r.count == 1);
	TEST_CHECK(r.item[0].past);
	tz_close(tz);
	nlu_destroy(nlu);
}

static void alternatives_bounded(void)
{
	struct nlu *nlu = engine();
	struct nlu_when_result r;
	struct tz *tz;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	understand(nlu, NLU_LANG_FR, tz, "2026-03-30T09:00",
		   "lundi ou mardi ou mercredi ou jeudi ou vendredi ou samedi", &r);
	TEST_EQ_INT(r.count, NLU_MAX_WHEN);
	TEST_CHECK(r.truncated);
	tz_close(tz);
	nlu_destroy(nlu);
}

/* Garbage, huge numbers, very long input and bad arguments: no crash, bounded output. */
static void bad_input_bounded(void)
{
	static const char *const garbage[] = {
		"\xff\xfe\xfd", "99999999999999999999 heures", "le 99999999999", "à 9999h9999",
		"entre et et et", "du au au du", "dans dans dans", "ou ou ou", "pas pas pas",
		"----////::::....", "le le le le le", "0/0/0", "00:00:00:00:00", "1er 2e 3e 4e",
		"mi-", "fin", "début de", "il y a", "pendant", "12h-", "-12h", "avant après",
		"quatre-vingt-dix-neuf mille milliards de jours", "dans 99999 jours",
		"dans 1000 ans", "il y a 5000 ans",
	};
	struct nlu *nlu = engine();
	struct nlu_when_result r;
	struct nlu_tokens tokens;
	struct tz *tz;
	char *huge;
	size_t size = 64 * 1024;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	for (size_t i = 0; i < TEST_COUNT(garbage); i++) {
		understand(nlu, NLU_LANG_FR, tz, "2026-03-30T09:00", garbage[i], &r);
		TEST_CHECK(r.count <= NLU_MAX_WHEN);
		for (size_t k = 0; k < r.count; k++)
			TEST_CHECK(r.item[k].when.start <= r.item[k].when.end);
	}
	huge = malloc(size + 1);
	TEST_REQUIRE(huge != NULL);
	for (size_t i = 0; i < size; i += 8)
		memcpy(huge + i, "mardi , ", 8);
	huge[size] = '\0';
	understand(nlu, NLU_LANG_FR, tz, "2026-03-30T09:00", huge, &r);
	TEST_CHECK(r.count <= NLU_MAX_WHEN);
	free(huge);

	nlu_tokenize("demain", NLU_LANG_FR, &tokens);
	TEST_EQ_INT(nlu_when_extract(NULL, NLU_LANG_FR, &tokens, 0, tz, &r), EINVAL);
	TEST_EQ_INT(nlu_when_extract(nlu, (enum nlu_lang)9, &tokens, 0, tz, &r), EINVAL);
	TEST_EQ_INT(nlu_when_extract(nlu, NLU_LANG_FR, &tokens, 0, NULL, &r), EINVAL);
	tz_close(tz);
	nlu_destroy(nlu);
}

/* Token 0 of text, tokenised and indexed in lang, may start a date or a time. */
static bool first_may_start(const struct nlu *nlu, enum nlu_lang lang, const char *text)
{
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	bool may;

	TEST_REQUIRE(tokens != NULL);
	TEST_REQUIRE(nlu_tokenize(text, lang, tokens) == 0);
	nlu_tokens_index(nlu, lang, tokens);
	TEST_REQUIRE(tokens->count > 0);
	may = nlu_when_token_may_start(nlu, lang, &tokens->token[0]);
	free(tokens);
	return may;
}

/* True when the category id is one of struct nlu_categories or nlu_date_categories. */
static bool parser_category(const struct nlu *nlu, int id)
{
	const int *cat = (const int *)&nlu->cat;
	const int *dcat = (const int *)&nlu->dcat;

	for (size_t i = 0; i < sizeof(nlu->cat) / sizeof(int); i++)
		if (cat[i] == id)
			return true;
	for (size_t i = 0; i < sizeof(nlu->dcat) / sizeof(int); i++)
		if (dcat[i] == id)
			return true;
	return false;
}

/* Every number and date phrase of the lexicon starts at a token the scan tries. */
static void lexicon_starts_never_skipped(void)
{
	struct nlu *nlu = engine();
	size_t checked = 0;

	for (size_t i = 0; i < nlu_lexicon_size(nlu->lexicon); i++) {
		const struct nlu_lex_entry *e = nlu_lexicon_entry(nlu->lexicon, i);

		if (!parser_category(nlu, e->category_id))
			continue;
		checked++;
		if (!first_may_start(nlu, e->lang, e->phrase))
			fprintf(stderr, "skipped: %s (%s)\n", e->phrase, e->category);
		TEST_CHECK(first_may_start(nlu, e->lang, e->phrase));
	}
	TEST_CHECK(checked > 500);
	nlu_destroy(nlu);
}

/* Words the grammars compare with, digits and punctuation are tried; other words not. */
static void start_words_table(void)
{
	static const struct {
		enum nlu_lang lang;
		const char *text;
		bool may_start;
	} rows[] = {
		{NLU_LANG_FR, "le", true},	   {NLU_LANG_FR, "au", true},
		{NLU_LANG_FR, "du", true},	   {NLU_LANG_FR, "en", true},
		{NLU_LANG_FR, "vers", true},	   {NLU_LANG_FR, "avant", true},
		{NLU_LANG_FR, "semaine", true},   {NLU_LANG_FR, "mois", true},
		{NLU_LANG_FR, "une", true},	   {NLU_LANG_FR, "et", true},
		{NLU_LANG_FR, "ou", true},	   {NLU_LANG_FR, "lundi", true},
		{NLU_LANG_FR, "Demain", true},	   {NLU_LANG_FR, "août", true},
		{NLU_LANG_FR, "midi", true},	   {NLU_LANG_FR, "jusqu'au", true},
		{NLU_LANG_FR, "14", true},	   {NLU_LANG_FR, ",", true},
		{NLU_LANG_EN, "the", true},	   {NLU_LANG_EN, "on", true},
		{NLU_LANG_EN, "for", true},	   {NLU_LANG_EN, "at", true},
		{NLU_LANG_EN, "a", true},	   {NLU_LANG_EN, "next", true},
		{NLU_LANG_EN, "upcoming", true},  {NLU_LANG_EN, "until", true},
		{NLU_LANG_EN, "week", true},	   {NLU_LANG_EN, "twenty", true},
		{NLU_LANG_EN, "noon", true},	   {NLU_LANG_EN, "3rd", true},
		{NLU_LANG_FR, "annuler", false},  {NLU_LANG_FR, "rendez-vous", false},
		{NLU_LANG_EN, "cancel", false},   {NLU_LANG_EN, "appointment", false},
		{NLU_LANG_EN, "doctor", false},
	};
	struct nlu *nlu = engine();

	for (size_t i = 0; i < TEST_COUNT(rows); i++) {
		if (first_may_start(nlu, rows[i].lang, rows[i].text) != rows[i].may_start)
			fprintf(stderr, "row %zu: %s\n", i, rows[i].text);
		TEST_CHECK(first_may_start(nlu, rows[i].lang, rows[i].text) == rows[i].may_start);
	}
	nlu_destroy(nlu);
}

/* A skipped word before a date leaves the date and its span as they were. */
static void skipped_word_keeps_date(void)
{
	struct nlu *nlu = engine();
	struct nlu_when_result alone, after;
	struct tz *tz;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	understand(nlu, NLU_LANG_FR, tz, "2026-03-30T09:00", "lundi prochain", &alone);
	understand(nlu, NLU_LANG_FR, tz, "2026-03-30T09:00", "annuler lundi prochain", &after);
	TEST_EQ_INT(alone.count, 1);
	TEST_EQ_INT(after.count, 1);
	TEST_CHECK(alone.item[0].when.start == after.item[0].when.start);
	TEST_CHECK(alone.item[0].when.end == after.item[0].when.end);
	TEST_EQ_INT(after.item[0].token_from, 1);
	TEST_EQ_INT(after.item[0].token_to, 3);
	tz_close(tz);
	nlu_destroy(nlu);
}

static const struct test_case cases[] = {
	TEST_CASE(lexicon_starts_never_skipped),
	TEST_CASE(start_words_table),
	TEST_CASE(skipped_word_keeps_date),
	TEST_CASE(when_table),
	TEST_CASE(dst_day_lengths),
	TEST_CASE(time_still_ahead),
	TEST_CASE(spans_in_text),
	TEST_CASE(alternatives_bounded),
	TEST_CASE(bad_input_bounded),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
