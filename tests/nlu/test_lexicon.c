/*
 * Tokens, normalisation and the lexicon: tables of utterances with the tokens expected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "nlu_priv.h"
#include "test.h"

static struct nlu *engine(void)
{
	struct nlu *nlu = NULL;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	return nlu;
}

/* Tokens joined by spaces, after tokenising only (no normalisation). */
static const struct {
	enum nlu_lang lang;
	const char *text;
	const char *tokens;
} tokenize_cases[] = {
	{NLU_LANG_FR, "Bonjour", "bonjour"},
	{NLU_LANG_FR, "l'après-midi", "le apres midi"},
	{NLU_LANG_FR, "L’après-midi", "le apres midi"},
	{NLU_LANG_FR, "aujourd'hui", "aujourd'hui"},
	{NLU_LANG_FR, "aujourd’hui à 14h30", "aujourd'hui a 14 h 30"},
	{NLU_LANG_FR, "jusqu'à demain", "jusque a demain"},
	{NLU_LANG_FR, "qu'il vienne", "que il vienne"},
	{NLU_LANG_FR, "j'ai mal", "je ai mal"},
	{NLU_LANG_FR, "d'accord", "de accord"},
	{NLU_LANG_FR, "soixante-dix-huit", "soixante dix huit"},
	{NLU_LANG_FR, "ŒUVRE Cœur", "oeuvre coeur"},
	{NLU_LANG_FR, "le 03/03", "le 03 / 03"},
	{NLU_LANG_FR, "12.03.1958", "12 . 03 . 1958"},
	{NLU_LANG_FR, "2 - 15", "2 - 15"},
	{NLU_LANG_FR, "1er mars", "1 er mars"},
	{NLU_LANG_FR, "«\u00a0oui\u00a0»", "oui"},
	{NLU_LANG_FR, "  \t ", ""},
	{NLU_LANG_FR, "", ""},
	{NLU_LANG_FR, "+33 6 12", "+ 33 6 12"},
	{NLU_LANG_FR, "M, A, R, T, I, N", "m , a , r , t , i , n"},
	{NLU_LANG_FR, "ÉTÉ", "ete"},
	{NLU_LANG_FR, "'quoted'", "quoted"},
	{NLU_LANG_EN, "o'clock", "o'clock"},
	{NLU_LANG_EN, "l'apres", "l'apres"},
	{NLU_LANG_EN, "3rd of March", "3 rd of march"},
	{NLU_LANG_EN, "2:30 pm", "2 : 30 pm"},
	{NLU_LANG_EN, "twenty-two", "twenty two"},
	{NLU_LANG_EN, "Don’t", "don't"},
	{NLU_LANG_EN, "Straße", "strasse"},
	{NLU_LANG_EN, "well…", "well ."},
};

static void tokenize_table(void)
{
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	char joined[512];

	TEST_REQUIRE(tokens != NULL);
	for (size_t i = 0; i < TEST_COUNT(tokenize_cases); i++) {
		TEST_EQ_INT(nlu_tokenize(tokenize_cases[i].text, tokenize_cases[i].lang, tokens), 0);
		nlu_tokens_join(tokens, 0, tokens->count, joined, sizeof(joined));
		if (!TEST_EQ_STR(joined, tokenize_cases[i].tokens))
			fprintf(stderr, "    for \"%s\"\n", tokenize_cases[i].text);
	}
	free(tokens);
}

/*
 * Words whose accented letters the tokenizer folds without ICU, and others that still
 * take ICU: every word must read as text_fold() reads it, or as its bytes when ICU fails.
 */
static const char *const fold_words[] = {
	"Août", "DÉCEMBRE", "février", "à", "À", "ça", "ÇA", "ÿ", "Ÿ", "ñandú", "Øre", "cœur",
	"Æsir", "straße", "þorn", "ÐÐ", "É\xcc\x81", "e\xcc\x81t\xc3\xa9", "x\xc3", "\xc3z",
	"\xc3\xc3\xa9", "x\xc3\xc0", "Ēté", "ÀÉÎÕÜÝàéîõüýÿ",
};

/* Check that `word`, tokenised alone, is one token whose text is text_fold() of it. */
static bool token_reads_as_fold(struct nlu_tokens *tokens, enum nlu_lang lang, const char *word)
{
	char expected[4 * NLU_TOKEN_TEXT_MAX];

	if (text_fold(word, expected, sizeof(expected)) < 0)
		snprintf(expected, sizeof(expected), "%s", word);
	TEST_EQ_INT(nlu_tokenize(word, lang, tokens), 0);
	if (!TEST_EQ_INT(tokens->count, 1))
		return false;
	return TEST_EQ_STR(tokens->token[0].text, expected);
}

static void tokenize_latin1_as_icu(void)
{
	static const enum nlu_lang langs[] = {NLU_LANG_FR, NLU_LANG_EN};
	/* Each code point alone, inside a word and after a capital. */
	static const char *const around[][2] = {{"", ""}, {"x", "y"}, {"A", ""}};
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	char word[16];

	TEST_REQUIRE(tokens != NULL);
	for (size_t l = 0; l < 2; l++) {
		for (unsigned cp = 0xC0; cp <= 0xFF; cp++) {
			for (size_t k = 0; k < TEST_COUNT(around); k++) {
				snprintf(word, sizeof(word), "%s%c%c%s", around[k][0], 0xC3,
					 0x80 + (cp - 0xC0), around[k][1]);
				if (!token_reads_as_fold(tokens, langs[l], word))
					fprintf(stderr, "    for U+%04X in \"%s\"\n", cp, word);
			}
		}
		for (size_t i = 0; i < TEST_COUNT(fold_words); i++) {
			if (!token_reads_as_fold(tokens, langs[l], fold_words[i]))
				fprintf(stderr, "    for \"%s\"\n", fold_words[i]);
		}
	}
	free(tokens);
}

static void tokenize_spans(void)
{
	struct nlu_tokens tokens;
	const char *text = "L'après-midi, à 14h30";

	TEST_EQ_INT(nlu_tokenize(text, NLU_LANG_FR, &tokens), 0);
	TEST_REQUIRE(tokens.count == 8);
	/* "L'" */
	TEST_EQ_INT(tokens.token[0].start, 0);
	TEST_EQ_INT(tokens.token[0].end, 2);
	TEST_CHECK(tokens.token[0].flags & NLU_TOKEN_ELIDED);
	TEST_CHECK(tokens.token[0].flags & NLU_TOKEN_CAPITAL);
	/* "après" is 6 bytes in UTF-8 */
	TEST_EQ_INT(tokens.token[1].start, 2);
	TEST_EQ_INT(tokens.token[1].end, 8);
	TEST_CHECK(tokens.token[2].flags & NLU_TOKEN_HYPHEN_BEFORE);
	TEST_EQ_STR(tokens.token[3].text, ",");
	TEST_EQ_INT(tokens.token[3].kind, NLU_TOKEN_PUNCT);
	TEST_EQ_STR(tokens.token[4].text, "a");
	TEST_CHECK(tokens.token[4].flags & NLU_TOKEN_SPACE_BEFORE);
	TEST_EQ_INT(tokens.token[5].kind, NLU_TOKEN_NUMBER);
	TEST_CHECK(!(tokens.token[6].flags & NLU_TOKEN_SPACE_BEFORE));
	TEST_EQ_INT(tokens.token[7].end, strlen(text));
	struct nlu_span span = nlu_tokens_span(&tokens, 5, 8);
	TEST_EQ_INT(span.start, strlen("L'après-midi, à "));
	TEST_EQ_INT(span.end, strlen(text));
}

static void tokenize_bad_input(void)
{
	struct nlu_tokens tokens;
	/* Invalid UTF-8: a lone continuation byte, a truncated sequence, an overlong form. */
	static const char garbage[] = "\x80\xff abc \xc3 \xe2\x82 \xc0\xaf 12";

	TEST_EQ_INT(nlu_tokenize(NULL, NLU_LANG_FR, &tokens), EINVAL);
	TEST_EQ_INT(nlu_tokenize("x", (enum nlu_lang)7, &tokens), EINVAL);
	TEST_EQ_INT(nlu_tokenize(garbage, NLU_LANG_FR, &tokens), 0);
	TEST_CHECK(tokens.count >= 2);
	TEST_EQ_STR(tokens.token[tokens.count - 1].text, "12");
	for (size_t i = 0; i < tokens.count; i++) {
		TEST_CHECK(tokens.token[i].end <= sizeof(garbage) - 1);
		TEST_CHECK(tokens.token[i].len < NLU_TOKEN_TEXT_MAX);
	}
}

static void tokenize_long_input(void)
{
	size_t size = 3 * NLU_INPUT_MAX;
	char *text = malloc(size + 1);
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));

	TEST_REQUIRE(text && tokens);
	/* Many short words: the token table fills first. */
	for (size_t i = 0; i < size; i += 2) {
		text[i] = 'a';
		text[i + 1] = ' ';
	}
	text[size] = '\0';
	TEST_EQ_INT(nlu_tokenize(text, NLU_LANG_FR, tokens), 0);
	TEST_EQ_INT(tokens->count, NLU_TOKENS_MAX);
	TEST_CHECK(tokens->truncated);

	/* One endless word: cut to the token size, at a character boundary. */
	for (size_t i = 0; i + 2 <= size; i += 2)
		memcpy(text + i, "\xc3\xa9", 2);
	text[size] = '\0';
	TEST_EQ_INT(nlu_tokenize(text, NLU_LANG_FR, tokens), 0);
	TEST_EQ_INT(tokens->count, 1);
	TEST_CHECK(tokens->truncated);
	TEST_CHECK(tokens->token[0].flags & NLU_TOKEN_CUT);
	TEST_CHECK(tokens->token[0].len <= NLU_TOKEN_TEXT_MAX - 1);
	TEST_EQ_INT(tokens->token[0].text[0], 'e');
	TEST_CHECK(tokens->token[0].end <= NLU_INPUT_MAX);
	free(text);
	free(tokens);
}

static const struct {
	enum nlu_lang lang;
	const char *text;
	const char *normalized;
} normalize_cases[] = {
	{NLU_LANG_FR, "euh le le mardi", "le mardi"},
	{NLU_LANG_FR, "je je voudrais euh un rendez-vous", "je voudrais un rendez vous"},
	{NLU_LANG_FR, "euuuh bah jeudi hein", "jeudi"},
	{NLU_LANG_FR, "zéro six douze douze", "zero six douze douze"},
	{NLU_LANG_FR, "L L", "l l"},
	{NLU_LANG_FR, "le euh le mardi", "le mardi"},
	{NLU_LANG_FR, "Hmmm, oui", ", oui"},
	{NLU_LANG_EN, "um I uh need an appointment", "i need an appointment"},
	{NLU_LANG_EN, "ummm next next Tuesday", "next tuesday"},
	{NLU_LANG_EN, "oh six", "oh six"},
	{NLU_LANG_EN, "er erm", ""},
};

static void normalize_table(void)
{
	struct nlu *nlu = engine();
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	char joined[512];

	TEST_REQUIRE(tokens != NULL);
	for (size_t i = 0; i < TEST_COUNT(normalize_cases); i++) {
		nlu_tokenize(normalize_cases[i].text, normalize_cases[i].lang, tokens);
		nlu_tokens_normalize(nlu, normalize_cases[i].lang, 0, tokens);
		nlu_tokens_join(tokens, 0, tokens->count, joined, sizeof(joined));
		if (!TEST_EQ_STR(joined, normalize_cases[i].normalized))
			fprintf(stderr, "    for \"%s\"\n", normalize_cases[i].text);
	}
	nlu_tokenize("ben euh Ben", NLU_LANG_FR, tokens);
	nlu_tokens_normalize(nlu, NLU_LANG_FR, NLU_NORM_KEEP_FILLERS, tokens);
	TEST_EQ_INT(tokens->count, 3);
	free(tokens);
	nlu_destroy(nlu);
}

static void join_bounded(void)
{
	struct nlu_tokens tokens;
	char small[8];

	nlu_tokenize("un deux trois", NLU_LANG_FR, &tokens);
	TEST_EQ_INT(nlu_tokens_join(&tokens, 0, tokens.count, small, sizeof(small)), ENOSPC);
	TEST_EQ_STR(small, "un deux");
	TEST_EQ_INT(nlu_tokens_join(&tokens, 0, 99, small, sizeof(small)), ENOSPC);
	TEST_EQ_INT(nlu_tokens_join(&tokens, 1, 2, small, sizeof(small)), 0);
	TEST_EQ_STR(small, "deux");
}

static void lexicon_lookups(void)
{
	struct nlu *nlu = engine();
	const struct nlu_lexicon *lex = nlu->lexicon;
	const struct nlu_lex_entry *e, *all[8];
	struct nlu_tokens tokens;
	int number = nlu_lexicon_category_id(lex, "number");
	size_t n;

	TEST_REQUIRE(number >= 0);
	TEST_EQ_STR(nlu_lexicon_category_name(lex, number), "number");
	TEST_EQ_INT(nlu_lexicon_category_id(lex, "no.such.category"), -1);
	TEST_CHECK(nlu_lexicon_category_name(lex, -1) == NULL);
	TEST_CHECK(nlu_lexicon_size(lex) > 100);

	/* Multi-word phrases win over their first word. */
	nlu_tokenize("quatre-vingt-dix", NLU_LANG_FR, &tokens);
	e = nlu_lexicon_match(lex, NLU_LANG_FR, number, &tokens, 0);
	TEST_REQUIRE(e != NULL);
	TEST_EQ_INT(e->token_count, 2);
	TEST_EQ_INT(e->number, 80);
	TEST_CHECK(e->numeric);
	TEST_EQ_STR(e->path, "fr/numbers.tsv");
	e = nlu_lexicon_match(lex, NLU_LANG_FR, number, &tokens, 2);
	TEST_REQUIRE(e != NULL);
	TEST_EQ_INT(e->number, 10);
	TEST_CHECK(nlu_lexicon_match(lex, NLU_LANG_FR, number, &tokens, 3) == NULL);
	TEST_CHECK(nlu_lexicon_match(lex, NLU_LANG_EN, number, &tokens, 0) == NULL);

	nlu_tokenize("a couple of days", NLU_LANG_EN, &tokens);
	n = nlu_lexicon_matches(lex, NLU_LANG_EN, &tokens, 0, all, 8);
	TEST_CHECK(n >= 2);
	TEST_EQ_INT(all[0]->token_count, 3);
	TEST_EQ_STR(all[0]->category, "number_mod");

	e = nlu_lexicon_find(lex, NLU_LANG_FR, number, "Zéro");
	TEST_REQUIRE(e != NULL);
	TEST_EQ_INT(e->number, 0);
	TEST_CHECK(nlu_lexicon_find(lex, NLU_LANG_FR, number, "quatre vingt dix") == NULL);
	TEST_CHECK(nlu_lexicon_find(lex, NLU_LANG_FR, -1, "") == NULL);

	n = nlu_lexicon_category(lex, NLU_LANG_EN, number, &e);
	TEST_CHECK(n > 30);
	for (size_t i = 0; i < n; i++) {
		TEST_EQ_INT(e[i].lang, NLU_LANG_EN);
		TEST_EQ_INT(e[i].category_id, number);
	}
	TEST_EQ_INT(nlu_lexicon_category(lex, NLU_LANG_EN, -1, &e), 0);
	TEST_CHECK(e == NULL);
	nlu_destroy(nlu);
}

/* True when every token of the row's phrase is at tokens[pos ..]. */
static bool row_at(const struct nlu_lex_entry *e, const struct nlu_tokens *tokens, size_t pos)
{
	if (pos + e->token_count > tokens->count)
		return false;
	for (size_t k = 0; k < e->token_count; k++)
		if (strcmp(e->tokens[k], tokens->token[pos + k].text) != 0)
			return false;
	return true;
}

/*
 * A match of one category finds the row a plain walk over that category finds: the
 * longest phrase, the first row among equals. Tried at every row's own phrase, for its
 * category and for each category of the row after it, with and without the token index.
 */
static void lexicon_match_by_category(void)
{
	struct nlu *nlu = engine();
	const struct nlu_lexicon *lex = nlu->lexicon;
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	size_t size = nlu_lexicon_size(lex), tried = 0;

	TEST_REQUIRE(tokens != NULL);
	for (size_t i = 0; i < size; i++) {
		const struct nlu_lex_entry *row = nlu_lexicon_entry(lex, i);
		const struct nlu_lex_entry *next = nlu_lexicon_entry(lex, i + 1);
		int categories[2] = {row->category_id, next ? next->category_id : -1};

		if (nlu_tokenize(row->phrase, row->lang, tokens) != 0 || tokens->count == 0)
			continue;
		for (int indexed = 0; indexed < 2; indexed++) {
			if (indexed)
				nlu_tokens_index(nlu, row->lang, tokens);
			for (int c = 0; c < 2; c++) {
				const struct nlu_lex_entry *rows, *want = NULL, *got;
				size_t n;

				if (categories[c] < 0)
					continue;
				n = nlu_lexicon_category(lex, row->lang, categories[c], &rows);
				for (size_t k = 0; k < n; k++)
					if (row_at(&rows[k], tokens, 0) &&
					    (!want || rows[k].token_count > want->token_count))
						want = &rows[k];
				got = nlu_lexicon_match(lex, row->lang, categories[c], tokens, 0);
				TEST_CHECK(got == want);
				if (got != want)
					fprintf(stderr, "  %s:%u \"%s\" category %d\n", row->path,
						row->line, row->phrase, categories[c]);
				tried++;
			}
		}
	}
	TEST_CHECK(tried > size);
	/* A category no row of the word has, and ids out of range, find nothing. */
	nlu_tokenize("mardi", NLU_LANG_FR, tokens);
	nlu_tokens_index(nlu, NLU_LANG_FR, tokens);
	TEST_CHECK(nlu_lexicon_match(lex, NLU_LANG_FR, nlu->cat.number, tokens, 0) == NULL);
	TEST_CHECK(nlu_lexicon_match(lex, NLU_LANG_FR, nlu->cat.weekday, tokens, 0) != NULL);
	TEST_CHECK(nlu_lexicon_match(lex, NLU_LANG_FR, 100000, tokens, 0) == NULL);
	TEST_CHECK(nlu_lexicon_match(lex, NLU_LANG_FR, nlu->cat.weekday, tokens, 1) == NULL);
	free(tokens);
	nlu_destroy(nlu);
}

/* Every embedded row parses and is found again by its own phrase. */
static void lexicon_rows_round_trip(void)
{
	struct nlu *nlu = engine();
	const struct nlu_lexicon *lex = nlu->lexicon;

	for (size_t i = 0; i < nlu_lexicon_size(lex); i++) {
		const struct nlu_lex_entry *e = nlu_lexicon_entry(lex, i);
		const struct nlu_lex_entry *found =
			nlu_lexicon_find(lex, e->lang, e->category_id, e->phrase);

		if (!TEST_CHECK(found != NULL))
			fprintf(stderr, "    %s:%u: '%s'\n", e->path, e->line, e->phrase);
		TEST_CHECK(e->token_count >= 1);
	}
	TEST_CHECK(nlu_lexicon_entry(lex, nlu_lexicon_size(lex)) == NULL);
	nlu_destroy(nlu);
}

static void lexicon_malformed(void)
{
	static const struct {
		const char *data;
		const char *why;
	} bad[] = {
		{"un\tnumber\n", "fr/test.tsv:1: expected phrase, category and value"},
		{"# comment\n\t number\t1\n", "fr/test.tsv:2: empty phrase"},
		{"un\tNumber\t1\n", "fr/test.tsv:1: invalid category 'Number'"},
		{"un\t\t1\n", "fr/test.tsv:1: invalid category ''"},
		{",\tpunct\t1\n", NULL},
		{"a b c d e f g h i j k l m n o p q\tlong\t1\n", "fr/test.tsv:1: phrase"},
		{"   \tx\t1\n", "fr/test.tsv:1: empty phrase"},
		{"«»\tx\t1\n", "fr/test.tsv:1: phrase '«»' has no words"},
	};
	struct nlu_lexicon *lex;
	char why[200];

	for (size_t i = 0; i < TEST_COUNT(bad); i++) {
		struct nlu_lexicon_source src = {"fr", "fr/test.tsv", bad[i].data,
						 strlen(bad[i].data)};
		int err = nlu_lexicon_create(&lex, &src, 1, why, sizeof(why));

		if (!bad[i].why) {
			TEST_EQ_INT(err, 0);
			nlu_lexicon_destroy(lex);
			continue;
		}
		TEST_EQ_INT(err, EINVAL);
		TEST_CHECK(lex == NULL);
		if (!TEST_CHECK(strncmp(why, bad[i].why, strlen(bad[i].why)) == 0))
			fprintf(stderr, "    why: %s\n", why);
	}

	struct nlu_lexicon_source other = {"de", "de/x.tsv", "eins\tnumber\t1\n", 14};
	TEST_EQ_INT(nlu_lexicon_create(&lex, &other, 1, why, sizeof(why)), EINVAL);
	struct nlu_lexicon_source nul = {"fr", "fr/x.tsv", "un\0\tnumber\t1\n", 13};
	TEST_EQ_INT(nlu_lexicon_create(&lex, &nul, 1, NULL, 0), EINVAL);
}

static void lexicon_empty_and_crlf(void)
{
	struct nlu_lexicon_source src = {"en", "en/x.tsv", "# only\r\none\tnumber\t1\ttag\r\n",
					 26};
	struct nlu_lexicon *lex;
	const struct nlu_lex_entry *e;

	TEST_EQ_INT(nlu_lexicon_create(&lex, NULL, 0, NULL, 0), 0);
	TEST_EQ_INT(nlu_lexicon_size(lex), 0);
	TEST_CHECK(nlu_lexicon_find(lex, NLU_LANG_FR, -1, "un") == NULL);
	nlu_lexicon_destroy(lex);

	TEST_EQ_INT(nlu_lexicon_create(&lex, &src, 1, NULL, 0), 0);
	TEST_EQ_INT(nlu_lexicon_size(lex), 1);
	e = nlu_lexicon_entry(lex, 0);
	TEST_EQ_STR(e->tags, "tag");
	TEST_EQ_STR(e->value, "1");
	TEST_EQ_INT(e->line, 2);
	nlu_lexicon_destroy(lex);
}

static void engine_vocabulary_copied(void)
{
	char first[] = "Claire", last[] = "Martin";
	struct nlu_practitioner p = {first, last, "generaliste"};
	struct nlu_appointment_type t = {"consultation", "Consultation", "Consultation"};
	struct nlu_vocabulary v = {&p, 1, &t, 1};
	struct nlu_vocabulary broken = {NULL, 2, NULL, 0};
	struct nlu *nlu;

	TEST_EQ_INT(nlu_create(&nlu, &v), 0);
	first[0] = 'X';
	last[0] = 'X';
	TEST_EQ_STR(nlu->practitioners[0].first_name, "Claire");
	TEST_EQ_STR(nlu->practitioners[0].last_name, "Martin");
	TEST_EQ_STR(nlu->types[0].code, "consultation");
	TEST_EQ_INT(nlu->practitioner_count, 1);
	nlu_destroy(nlu);
	TEST_EQ_INT(nlu_create(&nlu, &broken), EINVAL);
	TEST_CHECK(nlu == NULL);
	nlu_destroy(NULL);
}

static const struct test_case cases[] = {
	TEST_CASE(tokenize_table),
	TEST_CASE(tokenize_latin1_as_icu),
	TEST_CASE(tokenize_spans),
	TEST_CASE(tokenize_bad_input),
	TEST_CASE(tokenize_long_input),
	TEST_CASE(normalize_table),
	TEST_CASE(join_bounded),
	TEST_CASE(lexicon_lookups),
	TEST_CASE(lexicon_match_by_category),
	TEST_CASE(lexicon_rows_round_trip),
	TEST_CASE(lexicon_malformed),
	TEST_CASE(lexicon_empty_and_crlf),
	TEST_CASE(engine_vocabulary_copied),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
