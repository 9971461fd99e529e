/*
 * The date scan in src/nlu/when_parse.c skips a word that starts no date or number phrase
 * unless start_words[] in that file lists it, so a grammar word missing from that table
 * silently stops being read. This test reads the file (under PERMANENCE_SOURCE_DIR),
 * collects the string literals passed to is(), listed for skip_any() and compared with
 * strcmp() against a token's text, and checks them against start_words[] as written
 * there and against nlu_when_token_may_start(). A comparison with a word that is not a
 * string literal fails too, because this test cannot read it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlu_priv.h"
#include "test.h"

#define SOURCE_BYTES_MAX (1024 * 1024)
#define LEXEMES_MAX	 65536
#define WORDS_MAX	 512

enum lexeme_kind { LEXEME_NAME, LEXEME_STRING, LEXEME_NUMBER, LEXEME_CHAR, LEXEME_PUNCT };

/* One C token of the source: a name, a literal or one punctuation character. */
struct lexeme {
	enum lexeme_kind kind;
	const char *text; /* into the source; a string's text excludes its quotes */
	size_t len;
	unsigned line;
};

struct source {
	char *text;
	size_t count;
	struct lexeme lexeme[LEXEMES_MAX];
};

/* A word found in the source, with the line of its first use. */
struct word {
	char text[NLU_TOKEN_TEXT_MAX];
	unsigned line;
};

struct words {
	size_t count;
	struct word word[WORDS_MAX];
};

static char *file_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	size_t len;

	if (!f) {
		fprintf(stderr, "failed to open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	text = malloc(SOURCE_BYTES_MAX + 1);
	if (!text) {
		fclose(f);
		return NULL;
	}
	len = fread(text, 1, SOURCE_BYTES_MAX + 1, f);
	fclose(f);
	if (len > SOURCE_BYTES_MAX) {
		fprintf(stderr, "%s is larger than %d bytes\n", path, SOURCE_BYTES_MAX);
		free(text);
		return NULL;
	}
	text[len] = '\0';
	return text;
}

static bool lexeme_push(struct source *src, enum lexeme_kind kind, const char *text, size_t len,
			unsigned line)
{
	if (src->count == LEXEMES_MAX) {
		fprintf(stderr, "line %u: more than %d lexemes\n", line, LEXEMES_MAX);
		return false;
	}
	src->lexeme[src->count++] = (struct lexeme){kind, text, len, line};
	return true;
}

/* Cut C source into lexemes, without comments. Returns false on an unterminated comment or
 * literal, or past LEXEMES_MAX. */
static bool source_lex(struct source *src)
{
	const char *s = src->text;
	unsigned line = 1;

	src->count = 0;
	while (*s) {
		const char *from = s;

		if (*s == '\n') {
			line++;
			s++;
		} else if (isspace((unsigned char)*s)) {
			s++;
		} else if (s[0] == '/' && s[1] == '/') {
			while (*s && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");

			if (!end) {
				fprintf(stderr, "line %u: unterminated comment\n", line);
				return false;
			}
			for (; s < end; s++)
				line += *s == '\n';
			s = end + 2;
		} else if (*s == '"' || *s == '\'') {
			char quote = *s++;

			while (*s && *s != quote && *s != '\n')
				s += (s[0] == '\\' && s[1]) ? 2 : 1;
			if (*s != quote) {
				fprintf(stderr, "line %u: unterminated literal\n", line);
				return false;
			}
			if (!lexeme_push(src, quote == '"' ? LEXEME_STRING : LEXEME_CHAR,
					 from + 1, (size_t)(s - from - 1), line))
				return false;
			s++;
		} else if (isalpha((unsigned char)*s) || *s == '_') {
			while (isalnum((unsigned char)*s) || *s == '_')
				s++;
			if (!lexeme_push(src, LEXEME_NAME, from, (size_t)(s - from), line))
				return false;
		} else if (isdigit((unsigned char)*s)) {
			while (isalnum((unsigned char)*s) || *s == '_' || *s == '.')
				s++;
			if (!lexeme_push(src, LEXEME_NUMBER, from, (size_t)(s - from), line))
				return false;
		} else {
			if (!lexeme_push(src, LEXEME_PUNCT, s, 1, line))
				return false;
			s++;
		}
	}
	return true;
}

static bool lexeme_is(const struct source *src, size_t i, const char *text)
{
	return i < src->count && src->lexeme[i].len == strlen(text) &&
	       memcmp(src->lexeme[i].text, text, src->lexeme[i].len) == 0;
}

/* Lexeme i follows "." or "->": it names a member. */
static bool lexeme_is_member(const struct source *src, size_t i)
{
	if (i > 0 && lexeme_is(src, i - 1, "."))
		return true;
	return i > 1 && lexeme_is(src, i - 1, ">") && lexeme_is(src, i - 2, "-") &&
	       src->lexeme[i - 2].text + 1 == src->lexeme[i - 1].text;
}

/*
 * Split the arguments of the call whose '(' is lexeme open: arg[k] is the first lexeme of
 * argument k and arg[k + 1] - 1 its comma or the closing ')'. Returns the argument count
 * (at most max - 1), or 0 when the parentheses do not close.
 */
static size_t call_args(const struct source *src, size_t open, size_t *arg, size_t max)
{
	size_t count = 0;
	int depth = 0;

	arg[0] = open + 1;
	for (size_t i = open; i < src->count; i++) {
		char c = src->lexeme[i].kind == LEXEME_PUNCT ? src->lexeme[i].text[0] : '\0';

		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (--depth == 0) {
				if (count + 1 < max)
					arg[++count] = i + 1;
				return count;
			}
		} else if (c == ',' && depth == 1 && count + 2 < max) {
			arg[++count] = i + 1;
		}
	}
	return 0;
}

/* The call's closing ')' is followed by '{': a definition, not a call. */
static bool call_is_definition(const struct source *src, const size_t *arg, size_t count)
{
	return lexeme_is(src, arg[count], "{");
}

static bool words_add(struct words *words, const struct lexeme *l)
{
	for (size_t i = 0; i < words->count; i++)
		if (strlen(words->word[i].text) == l->len &&
		    memcmp(words->word[i].text, l->text, l->len) == 0)
			return true;
	if (words->count == WORDS_MAX || l->len == 0 || l->len >= NLU_TOKEN_TEXT_MAX) {
		fprintf(stderr,
			"line %u: cannot store \"%.*s\": empty, %d bytes or longer, or "
			"past %d words\n",
			l->line, (int)l->len, l->text, NLU_TOKEN_TEXT_MAX, WORDS_MAX);
		return false;
	}
	memcpy(words->word[words->count].text, l->text, l->len);
	words->word[words->count].text[l->len] = '\0';
	words->word[words->count].line = l->line;
	words->count++;
	return true;
}

/* Add every string literal between lexemes from and to (excluded). */
static bool words_add_strings(struct words *words, const struct source *src, size_t from,
			      size_t to)
{
	bool ok = true;

	for (size_t i = from; i < to; i++)
		if (src->lexeme[i].kind == LEXEME_STRING)
			ok &= words_add(words, &src->lexeme[i]);
	return ok;
}

/* An argument that is one string literal. */
static bool arg_is_string(const struct source *src, const size_t *arg, size_t k)
{
	return arg[k + 1] - arg[k] == 2 && src->lexeme[arg[k]].kind == LEXEME_STRING;
}

/* An argument that reads a member named text ("->text" or ".text"). */
static bool arg_reads_text(const struct source *src, const size_t *arg, size_t k)
{
	for (size_t i = arg[k] + 1; i < arg[k + 1]; i++)
		if (lexeme_is(src, i, "text") && lexeme_is_member(src, i))
			return true;
	return false;
}

/* is(ps, p, "word"): the third argument must be a literal, except skip_any()'s words[i]. */
static bool collect_is(struct words *words, const struct source *src, size_t at)
{
	size_t arg[8];
	size_t count = call_args(src, at + 1, arg, 8);
	unsigned line = src->lexeme[at].line;

	if (count != 3) {
		fprintf(stderr, "line %u: is() with %zu arguments\n", line, count);
		return false;
	}
	if (call_is_definition(src, arg, count))
		return true;
	if (arg_is_string(src, arg, 2))
		return words_add(words, &src->lexeme[arg[2]]);
	if (arg[3] - arg[2] == 5 && lexeme_is(src, arg[2], "words") &&
	    lexeme_is(src, arg[2] + 2, "i"))
		return true;
	fprintf(stderr,
		"line %u: is() compares with a word this test cannot read: list the "
		"word in start_words[] and pass it as a string literal\n",
		line);
	return false;
}

/* skip_any(ps, p, list): list is a compound literal or the name of an array declared above. */
static bool collect_skip_any(struct words *words, const struct source *src, size_t at)
{
	size_t arg[8];
	size_t count = call_args(src, at + 1, arg, 8);
	unsigned line = src->lexeme[at].line;
	size_t list = arg[2];

	if (count != 3) {
		fprintf(stderr, "line %u: skip_any() with %zu arguments\n", line, count);
		return false;
	}
	if (call_is_definition(src, arg, count))
		return true;
	if (lexeme_is(src, list, "(") && lexeme_is(src, arg[3] - 2, "}"))
		return words_add_strings(words, src, list, arg[3] - 1);
	if (arg[3] - list == 2 && src->lexeme[list].kind == LEXEME_NAME) {
		/* The nearest declaration "name[] = {" above the call, as C scoping finds it.
		 */
		for (size_t i = at; i-- > 0;) {
			if (src->lexeme[i].len == src->lexeme[list].len &&
			    memcmp(src->lexeme[i].text, src->lexeme[list].text,
				   src->lexeme[i].len) == 0 &&
			    lexeme_is(src, i + 1, "[") && lexeme_is(src, i + 2, "]") &&
			    lexeme_is(src, i + 3, "=") && lexeme_is(src, i + 4, "{")) {
				size_t end = i + 5;

				while (end < src->count && !lexeme_is(src, end, "}"))
					end++;
				return words_add_strings(words, src, i + 5, end);
			}
		}
	}
	fprintf(stderr,
		"line %u: skip_any() takes a list this test cannot read: use a "
		"compound literal or an array declared above the call\n",
		line);
	return false;
}

/* strcmp(token text, "word") in either order; a comparison of other strings is left out. */
static bool collect_strcmp(struct words *words, const struct source *src, size_t at)
{
	size_t arg[8];
	size_t count = call_args(src, at + 1, arg, 8);
	unsigned line = src->lexeme[at].line;

	if (count < 2) {
		fprintf(stderr, "line %u: %.*s() with %zu arguments\n", line,
			(int)src->lexeme[at].len, src->lexeme[at].text, count);
		return false;
	}
	for (size_t k = 0; k < 2; k++) {
		if (!arg_reads_text(src, arg, k))
			continue;
		if (arg_is_string(src, arg, 1 - k))
			return words_add(words, &src->lexeme[arg[1 - k]]);
		fprintf(stderr,
			"line %u: a token's text is compared with a word this test "
			"cannot read: compare with a string literal\n",
			line);
		return false;
	}
	return true;
}

/* Collect every word the grammars of the source compare with a token's text; *calls
 * counts the calls read. Returns false when a call's word cannot be read. */
static bool words_collect(struct words *words, const struct source *src, size_t *calls)
{
	static const char *const comparisons[] = {"strcmp", "strncmp", "strcasecmp",
						  "strncasecmp", "memcmp"};
	bool ok = true;

	words->count = 0;
	*calls = 0;
	for (size_t i = 0; i + 1 < src->count; i++) {
		if (lexeme_is_member(src, i) || !lexeme_is(src, i + 1, "("))
			continue;
		if (lexeme_is(src, i, "is")) {
			ok &= collect_is(words, src, i);
			++*calls;
		} else if (lexeme_is(src, i, "skip_any")) {
			ok &= collect_skip_any(words, src, i);
			++*calls;
		} else {
			for (size_t k = 0; k < TEST_COUNT(comparisons); k++) {
				if (lexeme_is(src, i, comparisons[k])) {
					ok &= collect_strcmp(words, src, i);
					++*calls;
				}
			}
		}
	}
	return ok;
}

static struct source *source_open(const char *relative)
{
	const char *root = getenv("PERMANENCE_SOURCE_DIR");
	struct source *src = malloc(sizeof(*src));
	char path[1024];

	TEST_REQUIRE(src != NULL);
	snprintf(path, sizeof(path), "%s/%s", root ? root : PERMANENCE_SOURCE_DIR, relative);
	src->text = file_read(path);
	TEST_REQUIRE(src->text != NULL);
	TEST_REQUIRE(source_lex(src));
	return src;
}

static void source_close(struct source *src)
{
	free(src->text);
	free(src);
}

static bool words_have(const struct words *words, const char *text)
{
	for (size_t i = 0; i < words->count; i++)
		if (strcmp(words->word[i].text, text) == 0)
			return true;
	return false;
}

/* The words of start_words[], read from its initializer in the source. */
static void table_read(const struct source *src, struct words *table)
{
	table->count = 0;
	for (size_t i = 0; i + 4 < src->count; i++) {
		if (lexeme_is(src, i, "start_words") && lexeme_is(src, i + 1, "[") &&
		    lexeme_is(src, i + 2, "]") && lexeme_is(src, i + 3, "=") &&
		    lexeme_is(src, i + 4, "{")) {
			size_t end = i + 5;

			while (end < src->count && !lexeme_is(src, end, "}"))
				end++;
			TEST_REQUIRE(words_add_strings(table, src, i + 5, end));
			return;
		}
	}
}

/* Tokenise and index text in lang; returns the token count and token 0 in *token. */
static size_t first_token(const struct nlu *nlu, enum nlu_lang lang, const char *text,
			  struct nlu_token *token)
{
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	size_t count;

	TEST_REQUIRE(tokens != NULL);
	TEST_REQUIRE(nlu_tokenize(text, lang, tokens) == 0);
	nlu_tokens_index(nlu, lang, tokens);
	count = tokens->count;
	if (count > 0)
		*token = tokens->token[0];
	free(tokens);
	return count;
}

/* The source of when_parse.c, the words its grammars compare with, and its table. */
struct fixture {
	struct source *src;
	struct words compared;
	struct words table;
};

static struct fixture *fixture_open(void)
{
	struct fixture *f = malloc(sizeof(*f));
	size_t calls;

	TEST_REQUIRE(f != NULL);
	f->src = source_open("src/nlu/when_parse.c");
	TEST_CHECK(words_collect(&f->compared, f->src, &calls));
	table_read(f->src, &f->table);
	/* A reader that finds nothing would pass whatever the table lists. */
	TEST_CHECK(calls > 100);
	TEST_CHECK(f->compared.count > 50);
	TEST_CHECK(f->table.count > 50);
	return f;
}

static void fixture_close(struct fixture *f)
{
	source_close(f->src);
	free(f);
}

/* Every word token compared in when_parse.c is listed in start_words[]. */
static void compared_words_listed(void)
{
	struct fixture *f = fixture_open();
	struct nlu *nlu = NULL;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	for (size_t i = 0; i < f->compared.count; i++) {
		const struct word *w = &f->compared.word[i];
		struct nlu_token token;

		if (!TEST_EQ_INT(first_token(nlu, NLU_LANG_FR, w->text, &token), 1)) {
			fprintf(stderr, "line %u: \"%s\" is not one token\n", w->line, w->text);
			continue;
		}
		/* A token's text is folded, so a literal that is not can never match one. */
		if (!TEST_EQ_STR(token.text, w->text))
			fprintf(stderr,
				"line %u: \"%s\" is not folded, so no token matches it\n",
				w->line, w->text);
		/* The scan tries every punctuation and number token. */
		if (token.kind != NLU_TOKEN_WORD)
			continue;
		if (!words_have(&f->table, w->text))
			fprintf(stderr,
				"line %u: \"%s\" is compared but missing from "
				"start_words[]\n",
				w->line, w->text);
		TEST_CHECK(words_have(&f->table, w->text));
	}
	nlu_destroy(nlu);
	fixture_close(f);
}

/* start_words[] lists no word that no grammar compares with: each one costs a try. */
static void listed_words_compared(void)
{
	struct fixture *f = fixture_open();

	for (size_t i = 0; i < f->table.count; i++) {
		const struct word *w = &f->table.word[i];

		if (!words_have(&f->compared, w->text))
			fprintf(stderr,
				"start_words[] lists \"%s\", which no grammar compares "
				"with\n",
				w->text);
		TEST_CHECK(words_have(&f->compared, w->text));
	}
	fixture_close(f);
}

/*
 * The scan tries each compared word in every language whose lexicon has a phrase
 * starting with it. In a language where none does, the token has no bucket to mark and
 * is skipped whatever start_words[] lists, so that pair is left out.
 */
static void compared_words_tried(void)
{
	static const enum nlu_lang langs[] = {NLU_LANG_FR, NLU_LANG_EN};
	static const char *const lang_names[] = {"fr", "en"};
	struct fixture *f = fixture_open();
	struct nlu *nlu = NULL;
	size_t tried_count = 0;

	TEST_REQUIRE(nlu_create(&nlu, NULL) == 0);
	for (size_t i = 0; i < f->compared.count; i++) {
		const struct word *w = &f->compared.word[i];

		for (size_t k = 0; k < TEST_COUNT(langs); k++) {
			struct nlu_token token;
			bool tried;

			if (first_token(nlu, langs[k], w->text, &token) != 1 ||
			    token.lex_bucket == 0)
				continue;
			tried = nlu_when_token_may_start(nlu, langs[k], &token);
			if (!tried)
				fprintf(stderr, "line %u: the scan skips \"%s\" (%s)\n",
					w->line, w->text, lang_names[k]);
			TEST_CHECK(tried);
			tried_count++;
		}
	}
	TEST_CHECK(tried_count > 50);
	nlu_destroy(nlu);
	fixture_close(f);
}

static const struct test_case cases[] = {
    TEST_CASE(compared_words_listed),
    TEST_CASE(listed_words_compared),
    TEST_CASE(compared_words_tried),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
