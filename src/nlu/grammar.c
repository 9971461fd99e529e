/*
 * JSGF grammars for speech recognisers, written from the lexicon: one rule of phrases
 * per kind of answer the dialogue expects, and every red-flag phrase in every grammar.
 *
 * Answers that combine words freely (a date, a phone number, a spelled name) are written
 * as a sequence of words of their kind ("jeudi prochain à dix heures" is five date
 * words), which recognisers handle well and which the parser then reads. Phrases with
 * characters a JSGF token cannot hold (digits, '/', quotes) are left out.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_priv.h"

/* Largest grammar written; the lexicon's full open-request grammar is near 20 KiB. */
#define GRAMMAR_MAX (1u << 20)
/* Phrases kept per rule. */
#define RULE_PHRASES_MAX 1024
#define PHRASE_MAX 128

struct writer {
	char *buf;
	size_t len;
	size_t cap;
	int err;
};

struct phrases {
	size_t count;
	char text[RULE_PHRASES_MAX][PHRASE_MAX];
};

static void put(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			w->err = EINVAL;
			return;
		}
		if (w->len + (size_t)n < w->cap) {
			w->len += (size_t)n;
			return;
		}
		if (w->cap >= GRAMMAR_MAX) {
			w->err = ENOMEM;
			return;
		}
		{
			size_t cap = w->cap * 2 > GRAMMAR_MAX ? GRAMMAR_MAX : w->cap * 2;
			char *grown = realloc(w->buf, cap);

			if (!grown) {
				w->err = ENOMEM;
				return;
			}
			w->buf = grown;
			w->cap = cap;
		}
	}
}

/*
 * Write a phrase as JSGF tokens: lower case, single spaces. Returns false when it contains
 * a character that is not a letter, an apostrophe, a hyphen or a space.
 */
static bool phrase_clean(const char *in, char *out, size_t size)
{
	size_t n = 0;
	bool space = true;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		unsigned char c = *p;

		if (c == ' ' || c == '\t') {
			if (!space && n + 1 < size)
				out[n++] = ' ';
			space = true;
			continue;
		}
		if (!(c >= 0x80 || isalpha(c) || c == '\'' || c == '-'))
			return false;
		if (n + 1 >= size)
			return false;
		out[n++] = c < 0x80 ? (char)tolower(c) : (char)c;
		space = false;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n > 0;
}

static void phrase_add(struct phrases *p, const char *text)
{
	char clean[PHRASE_MAX];

	if (!text || !phrase_clean(text, clean, sizeof(clean)) || p->count == RULE_PHRASES_MAX)
		return;
	for (size_t i = 0; i < p->count; i++) {
		if (strcmp(p->text[i], clean) == 0)
			return;
	}
	memcpy(p->text[p->count++], clean, sizeof(clean));
}

/* Rows tagged "abbr" or "written" are spellings, not words a caller says. */
static bool spoken(const struct nlu_lex_entry *row)
{
	return !strstr(row->tags, "abbr") && !strstr(row->tags, "written");
}

static void add_category(struct phrases *p, const struct nlu *nlu, enum nlu_lang lang,
			 const char *category, int64_t max_value)
{
	const struct nlu_lex_entry *rows;
	int id = nlu_lexicon_category_id(nlu->lexicon, category);
	size_t n = id >= 0 ? nlu_lexicon_category(nlu->lexicon, lang, id, &rows) : 0;

	for (size_t i = 0; i < n; i++) {
		if (max_value >= 0 && (!rows[i].numeric || rows[i].number > max_value))
			continue;
		if (!spoken(&rows[i]))
			continue;
		phrase_add(p, rows[i].phrase);
	}
}

static void add_concept(struct phrases *p, const struct nlu *nlu, enum nlu_lang lang,
			const char *concept)
{
	const struct nlu_rules *rules = nlu->rules;

	for (size_t i = 0; i < rules->concept_rows[lang]; i++) {
		const struct nlu_lex_entry *row = &rules->concept_first[lang][i];

		if (strcmp(row->value, concept) == 0 && spoken(row))
			phrase_add(p, row->phrase);
	}
}

static void add_names(struct phrases *p, const struct nlu *nlu, enum nlu_lang lang)
{
	char full[PHRASE_MAX];
	const char *title = lang == NLU_LANG_EN ? "doctor" : "docteur";

	for (size_t i = 0; i < nlu->practitioner_count; i++) {
		const struct nlu_practitioner *pr = &nlu->practitioners[i];

		phrase_add(p, pr->last_name);
		if (pr->first_name && pr->last_name) {
			snprintf(full, sizeof(full), "%s %s", pr->first_name, pr->last_name);
			phrase_add(p, full);
		}
		if (pr->last_name) {
			snprintf(full, sizeof(full), "%s %s", title, pr->last_name);
			phrase_add(p, full);
		}
	}
}

static void rule_write(struct writer *w, const char *name, const struct phrases *p,
		       bool repeated)
{
	if (p->count == 0)
		return;
	put(w, "<%s> = ", name);
	if (repeated)
		put(w, "(");
	for (size_t i = 0; i < p->count; i++)
		put(w, "%s%s", i ? " | " : "", p->text[i]);
	put(w, repeated ? ")+;\n" : ";\n");
}

/* The phrases of the answer an expectation calls for, and whether they repeat. */
static bool answer_phrases(const struct nlu *nlu, enum nlu_lang lang, enum nlu_expect expect,
			   struct phrases *p)
{
	static const char *const answers[] = {"yes", "no", "nothanks", "dontknow", "repeat",
					      "human", NULL};
	static const char *const glue_fr[] = {"le", "la", "à", "au", "de", "du", "en", "et",
					      "vers", "plutôt", "ou", NULL};
	static const char *const glue_en[] = {"on", "at", "the", "in", "of", "and", "or",
					      "around", "next", "this", NULL};
	const char *const *glue = lang == NLU_LANG_EN ? glue_en : glue_fr;

	switch (expect) {
	case NLU_EXPECT_YES_NO:
		for (size_t k = 0; answers[k]; k++)
			add_concept(p, nlu, lang, answers[k]);
		return false;
	case NLU_EXPECT_DATE:
	case NLU_EXPECT_BIRTH_DATE: {
		static const char *const cats[] = {"weekday", "month", "relday", "daypart",
						   "hour_mark", "minute_phrase", "clock", "next",
						   "this", "last", "ordinal", NULL};

		for (size_t k = 0; cats[k]; k++)
			add_category(p, nlu, lang, cats[k], -1);
		add_category(p, nlu, lang, "number", -1);
		for (size_t k = 0; glue[k]; k++)
			phrase_add(p, glue[k]);
		return true;
	}
	case NLU_EXPECT_PHONE:
		add_category(p, nlu, lang, "number", 99);
		return true;
	case NLU_EXPECT_DIGITS:
		add_category(p, nlu, lang, "number", 9);
		return true;
	case NLU_EXPECT_SLOT_CHOICE:
		add_category(p, nlu, lang, "ordinal", 20);
		add_category(p, nlu, lang, "number", 20);
		add_concept(p, nlu, lang, "optionword");
		add_concept(p, nlu, lang, "choiceref");
		add_concept(p, nlu, lang, "yes");
		add_concept(p, nlu, lang, "no");
		for (size_t k = 0; glue[k]; k++)
			phrase_add(p, glue[k]);
		return true;
	case NLU_EXPECT_NAME:
		add_names(p, nlu, lang);
		add_category(p, nlu, lang, "letter", -1);
		return true;
	case NLU_EXPECT_TYPE:
		add_category(p, nlu, lang, "apptype", -1);
		for (size_t i = 0; i < nlu->type_count; i++)
			phrase_add(p, lang == NLU_LANG_EN ? nlu->types[i].label_en
							   : nlu->types[i].label_fr);
		return false;
	case NLU_EXPECT_PRACTITIONER:
		add_names(p, nlu, lang);
		add_category(p, nlu, lang, "specialty", -1);
		add_concept(p, nlu, lang, "anypractitioner");
		return false;
	case NLU_EXPECT_OPEN:
	default:
		add_category(p, nlu, lang, "intent.phrase", -1);
		for (size_t k = 0; answers[k]; k++)
			add_concept(p, nlu, lang, answers[k]);
		return false;
	}
}

int nlu_grammar_jsgf(const struct nlu *nlu, enum nlu_lang lang, enum nlu_expect expect,
		     const char *const *extra, size_t extra_count, char **jsgf)
{
	struct writer w = {0};
	struct phrases *answer = NULL, *flags = NULL, *extras = NULL;
	bool repeated;
	int err;

	if (!jsgf)
		return EINVAL;
	*jsgf = NULL;
	if (!nlu || (lang != NLU_LANG_FR && lang != NLU_LANG_EN) || (int)expect < 0 ||
	    expect >= NLU_EXPECT_COUNT || (extra_count && !extra))
		return EINVAL;
	answer = calloc(1, sizeof(*answer));
	flags = calloc(1, sizeof(*flags));
	extras = calloc(1, sizeof(*extras));
	w.cap = 16 * 1024;
	w.buf = malloc(w.cap);
	if (!answer || !flags || !extras || !w.buf) {
		err = ENOMEM;
		goto out;
	}
	repeated = answer_phrases(nlu, lang, expect, answer);
	add_category(flags, nlu, lang, "triage.phrase", -1);
	for (size_t i = 0; i < extra_count; i++)
		phrase_add(extras, extra[i]);

	put(&w, "#JSGF V1.0;\n\ngrammar permanence_%s_%s;\n\n", lang == NLU_LANG_EN ? "en" : "fr",
	    nlu_expect_name(expect));
	put(&w, "public <utterance> = ");
	if (answer->count)
		put(&w, "<answer> | ");
	if (extras->count)
		put(&w, "<extra> | ");
	put(&w, "<redflag>;\n\n");
	rule_write(&w, "answer", answer, repeated);
	rule_write(&w, "extra", extras, false);
	rule_write(&w, "redflag", flags, false);
	err = w.err;
	if (!err && flags->count == 0)
		err = EINVAL; /* the lexicon lost its red-flag phrases */
out:
	free(answer);
	free(flags);
	free(extras);
	if (err) {
		free(w.buf);
		return err;
	}
	*jsgf = w.buf;
	return 0;
}
