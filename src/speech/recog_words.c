/*
 * Pronunciations for grammar words missing from the CMU dictionary, so a grammar written
 * in British English or with letter names still compiles. A missing word is derived from
 * words the dictionary has: a letter name ("aitch" is the letter h), an American spelling
 * ("immunisation", "paediatrician"), a known suffix ("morningish"), the parts of a
 * hyphenated word, or the letters of a short abbreviation ("gp"). A word none of these
 * explain stays missing, and compiling the grammar reports it.
 */
#include "recog_words.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sphinxbase/ckd_alloc.h>

#define WORD_MAX 64
#define PHONES_MAX 512

/* Words spelt differently in cmudict, including the names of letters. */
static const struct {
	const char *word;
	const char *as;
} aliases[] = {
	{"aitch", "h"}, {"haitch", "h"}, {"cee", "c"},   {"ef", "f"},   {"eff", "f"},
	{"ess", "s"},   {"ell", "l"},    {"em", "m"},    {"en", "n"},   {"ar", "r"},
	{"ex", "x"},    {"wye", "y"},    {"zee", "z"},   {"nought", "naught"},
};

/* Words cmudict lacks in every spelling. */
static const struct {
	const char *word;
	const char *phones;
} fixed[] = {
	{"zed", "Z EH D"},
};

/* Endings that turn a British spelling into the American one cmudict uses. */
static const struct {
	const char *from;
	const char *to;
	bool suffix_only;
} spellings[] = {
	{"isation", "ization", false}, {"ise", "ize", true}, {"ised", "ized", true},
	{"ising", "izing", true},      {"yse", "yze", true}, {"our", "or", false},
	{"tre", "ter", true},          {"ogue", "og", true}, {"ae", "e", false},
	{"oe", "e", false},            {"ll", "l", false},
};

/* Suffixes cmudict words take without changing their own sounds. */
static const struct {
	const char *suffix;
	const char *phones;
} suffixes[] = {
	{"ish", "IH SH"}, {"'s", "Z"}, {"s", "Z"}, {"ly", "L IY"}, {"ness", "N AH S"},
};

/* Look word up; on success copy its phones into out. */
static bool lookup(ps_decoder_t *decoder, const char *word, char *out, size_t size)
{
	char *phones = ps_lookup_word(decoder, word);

	if (!phones)
		return false;
	snprintf(out, size, "%s", phones);
	ckd_free(phones);
	return true;
}

/* Replace the first (or, for a suffix, the final) occurrence of from by to. */
static bool respell(const char *word, const char *from, const char *to, bool suffix_only,
		    char *out, size_t size)
{
	size_t len = strlen(word), from_len = strlen(from);
	const char *at;

	if (suffix_only)
		at = len >= from_len && strcmp(word + len - from_len, from) == 0 ? word + len - from_len
										  : NULL;
	else
		at = strstr(word, from);
	if (!at)
		return false;
	snprintf(out, size, "%.*s%s%s", (int)(at - word), word, to, at + from_len);
	return true;
}

static bool derive(ps_decoder_t *decoder, const char *word, char *out, size_t size, int depth);

static bool derive_spelling(ps_decoder_t *decoder, const char *word, char *out, size_t size,
			    int depth)
{
	char variant[WORD_MAX + 8];

	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++)
		if (respell(word, spellings[i].from, spellings[i].to, spellings[i].suffix_only,
			    variant, sizeof(variant)) &&
		    derive(decoder, variant, out, size, depth + 1))
			return true;
	return false;
}

static bool derive_suffix(ps_decoder_t *decoder, const char *word, char *out, size_t size,
			  int depth)
{
	size_t len = strlen(word);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t suffix_len = strlen(suffixes[i].suffix);
		char base[WORD_MAX + 1], phones[PHONES_MAX];

		if (len <= suffix_len + 2 || strcmp(word + len - suffix_len, suffixes[i].suffix) != 0)
			continue;
		snprintf(base, sizeof(base), "%.*s", (int)(len - suffix_len), word);
		if (derive(decoder, base, phones, sizeof(phones) - 16, depth + 1) &&
		    strlen(phones) + strlen(suffixes[i].phones) + 2 <= size) {
			snprintf(out, size, "%s %s", phones, suffixes[i].phones);
			return true;
		}
	}
	return false;
}

/* Join the pronunciations of parts split at separator, or of each letter. */
static bool derive_parts(ps_decoder_t *decoder, const char *word, char *out, size_t size,
			 int depth, bool letters)
{
	char part[WORD_MAX + 1], phones[PHONES_MAX];
	size_t used = 0;
	const char *p = word;

	out[0] = '\0';
	while (*p) {
		size_t len = letters ? 1 : strcspn(p, "-");

		snprintf(part, sizeof(part), "%.*s", (int)len, p);
		if (len == 0 || !derive(decoder, part, phones, sizeof(phones), depth + 1))
			return false;
		used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s",
					 used ? " " : "", phones);
		if (used >= size)
			return false;
		p += len;
		if (*p == '-')
			p++;
	}
	return used > 0;
}

static bool has_vowel(const char *word)
{
	return strpbrk(word, "aeiouy") != NULL;
}

static bool derive(ps_decoder_t *decoder, const char *word, char *out, size_t size, int depth)
{
	if (depth > 3 || strlen(word) > WORD_MAX)
		return false;
	if (lookup(decoder, word, out, size))
		return true;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(word, aliases[i].word) == 0)
			return lookup(decoder, aliases[i].as, out, size);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (strcmp(word, fixed[i].word) == 0) {
			snprintf(out, size, "%s", fixed[i].phones);
			return true;
		}
	}
	if (strchr(word, '-'))
		return derive_parts(decoder, word, out, size, depth, false);
	if (strlen(word) <= 4 && !has_vowel(word))
		return derive_parts(decoder, word, out, size, depth, true);
	return derive_spelling(decoder, word, out, size, depth) ||
	       derive_suffix(decoder, word, out, size, depth);
}

/* The next word of a JSGF text at *p, skipping rule names, weights, tags, the header and
 * the grammar's own name. Returns false at the end. */
static bool next_word(const char **p, char *word, size_t size)
{
	const char *s = *p;
	bool skip_next = false;

	for (;;) {
		size_t len;

		while (*s && !(isalnum((unsigned char)*s) || *s == '\'' || *s == '<' || *s == '/' ||
			       *s == '{' || *s == '#'))
			s++;
		if (!*s)
			break;
		if (*s == '<' || *s == '/' || *s == '{' || *s == '#') {
			const char *end = strchr(s + 1, *s == '<' ? '>' : *s == '/' ? '/' : *s == '{' ? '}' : ';');

			s = end ? end + 1 : s + strlen(s);
			continue;
		}
		len = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'-_.");
		if (skip_next || len >= size || (len == 6 && strncmp(s, "public", 6) == 0) ||
		    (len == 6 && strncmp(s, "import", 6) == 0)) {
			skip_next = false;
			s += len;
			continue;
		}
		if (len == 7 && strncmp(s, "grammar", 7) == 0) {
			skip_next = true;
			s += len;
			continue;
		}
		memcpy(word, s, len);
		word[len] = '\0';
		*p = s + len;
		return true;
	}
	*p = s;
	return false;
}

int speech_words_complete(ps_decoder_t *decoder, const char *grammar, unsigned *added)
{
	const char *p = grammar;
	char word[WORD_MAX + 1], phones[PHONES_MAX];

	*added = 0;
	while (next_word(&p, word, sizeof(word))) {
		char *known = ps_lookup_word(decoder, word);

		if (known) {
			ckd_free(known);
			continue;
		}
		if (!derive(decoder, word, phones, sizeof(phones), 0))
			continue;
		if (ps_add_word(decoder, word, phones, FALSE) < 0)
			return -1;
		(*added)++;
	}
	return 0;
}
