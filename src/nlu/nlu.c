/*
 * The engine: building it from the embedded lexicon and the practice vocabulary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rules_priv.h"

static size_t string_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copy s into the block at *at; NULL stays NULL. */
static const char *string_copy(char **at, const char *s)
{
	char *copy;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	copy = *at;
	memcpy(copy, s, n);
	*at += n;
	return copy;
}

static int vocabulary_copy(struct nlu *nlu, const struct nlu_vocabulary *v)
{
	size_t size = 1;
	char *at;

	if (!v)
		return 0;
	if ((v->practitioner_count && !v->practitioners) || (v->type_count && !v->types))
		return EINVAL;
	for (size_t i = 0; i < v->practitioner_count; i++)
		size += string_size(v->practitioners[i].first_name) +
			string_size(v->practitioners[i].last_name) +
			string_size(v->practitioners[i].specialty);
	for (size_t i = 0; i < v->type_count; i++)
		size += string_size(v->types[i].code) + string_size(v->types[i].label_fr) +
			string_size(v->types[i].label_en);
	nlu->vocabulary_strings = malloc(size);
	nlu->practitioners = calloc(v->practitioner_count + 1, sizeof(*nlu->practitioners));
	nlu->types = calloc(v->type_count + 1, sizeof(*nlu->types));
	if (!nlu->vocabulary_strings || !nlu->practitioners || !nlu->types)
		return ENOMEM;
	at = nlu->vocabulary_strings;
	for (size_t i = 0; i < v->practitioner_count; i++) {
		nlu->practitioners[i].first_name = string_copy(&at, v->practitioners[i].first_name);
		nlu->practitioners[i].last_name = string_copy(&at, v->practitioners[i].last_name);
		nlu->practitioners[i].specialty = string_copy(&at, v->practitioners[i].specialty);
	}
	for (size_t i = 0; i < v->type_count; i++) {
		nlu->types[i].code = string_copy(&at, v->types[i].code);
		nlu->types[i].label_fr = string_copy(&at, v->types[i].label_fr);
		nlu->types[i].label_en = string_copy(&at, v->types[i].label_en);
	}
	nlu->practitioner_count = v->practitioner_count;
	nlu->type_count = v->type_count;
	return 0;
}

static void date_categories_find(struct nlu *nlu)
{
	const struct nlu_lexicon *lex = nlu->lexicon;
	struct nlu_date_categories *c = &nlu->dcat;

	c->month = nlu_lexicon_category_id(lex, "month");
	c->weekday = nlu_lexicon_category_id(lex, "weekday");
	c->relday = nlu_lexicon_category_id(lex, "relday");
	c->daypart = nlu_lexicon_category_id(lex, "daypart");
	c->daypart_lead = nlu_lexicon_category_id(lex, "daypart_lead");
	c->clock = nlu_lexicon_category_id(lex, "clock");
	c->hour_mark = nlu_lexicon_category_id(lex, "hour_mark");
	c->minute_phrase = nlu_lexicon_category_id(lex, "minute_phrase");
	c->minute_before = nlu_lexicon_category_id(lex, "minute_before");
	c->minute_past = nlu_lexicon_category_id(lex, "minute_before_past");
	c->minute_to = nlu_lexicon_category_id(lex, "minute_before_to");
	c->meridiem = nlu_lexicon_category_id(lex, "meridiem");
	c->unit = nlu_lexicon_category_id(lex, "unit");
	c->next = nlu_lexicon_category_id(lex, "next");
	c->last = nlu_lexicon_category_id(lex, "last");
	c->this_ = nlu_lexicon_category_id(lex, "this");
	c->week_later = nlu_lexicon_category_id(lex, "week_later");
	c->period_part = nlu_lexicon_category_id(lex, "period_part");
	c->range_start = nlu_lexicon_category_id(lex, "range_start");
	c->range_end = nlu_lexicon_category_id(lex, "range_end");
	c->bound_after = nlu_lexicon_category_id(lex, "bound_after");
	c->bound_before = nlu_lexicon_category_id(lex, "bound_before");
	c->or_ = nlu_lexicon_category_id(lex, "or");
	c->except = nlu_lexicon_category_id(lex, "except");
	c->except_gap = nlu_lexicon_category_id(lex, "except_gap");
	c->in = nlu_lexicon_category_id(lex, "in");
	c->ago = nlu_lexicon_category_id(lex, "ago");
	c->soonest = nlu_lexicon_category_id(lex, "soonest");
	c->later = nlu_lexicon_category_id(lex, "later");
	c->duration = nlu_lexicon_category_id(lex, "duration");
	c->approx = nlu_lexicon_category_id(lex, "approx");
}

static const char *const period_units[NLU_PERIOD_UNITS] = {"week", "month", "year"};
static const char *const period_names[NLU_PART_NAMES] = {"begin", "middle", "end", "first_half",
							 "second_half"};

/* Read "period_window" rows: phrase "week", value "begin 0-2". */
static int period_windows_read(struct nlu *nlu)
{
	int cat = nlu_lexicon_category_id(nlu->lexicon, "period_window");

	for (int lang = 0; lang < 2; lang++) {
		const struct nlu_lex_entry *e;
		size_t n = nlu_lexicon_category(nlu->lexicon, (enum nlu_lang)lang, cat, &e);

		for (size_t i = 0; i < n; i++) {
			char name[16];
			int from, to, unit = -1, part = -1;

			if (sscanf(e[i].value, "%15s %d-%d", name, &from, &to) != 3 || from >= to) {
				log_err("nlu", NULL, "invalid lexicon: %s:%u: period window '%s'", e[i].path,
					e[i].line, e[i].value);
				return EINVAL;
			}
			for (int k = 0; k < NLU_PERIOD_UNITS; k++)
				if (strcmp(e[i].phrase, period_units[k]) == 0)
					unit = k;
			for (int k = 0; k < NLU_PART_NAMES; k++)
				if (strcmp(name, period_names[k]) == 0)
					part = k;
			if (unit < 0 || part < 0) {
				log_err("nlu", NULL, "invalid lexicon: %s:%u: unknown period '%s %s'",
					e[i].path, e[i].line, e[i].phrase, name);
				return EINVAL;
			}
			nlu->period_window[lang][unit][part].from = from;
			nlu->period_window[lang][unit][part].to = to;
		}
	}
	return 0;
}

static void categories_find(struct nlu *nlu)
{
	const struct nlu_lexicon *lex = nlu->lexicon;

	nlu->cat.filler = nlu_lexicon_category_id(lex, "filler");
	nlu->cat.number = nlu_lexicon_category_id(lex, "number");
	nlu->cat.ordinal = nlu_lexicon_category_id(lex, "ordinal");
	nlu->cat.number_mod = nlu_lexicon_category_id(lex, "number_mod");
	nlu->cat.month = nlu_lexicon_category_id(lex, "month");
	nlu->cat.weekday = nlu_lexicon_category_id(lex, "weekday");
	nlu->cat.letter = nlu_lexicon_category_id(lex, "letter");
	nlu->cat.decimal_point = nlu_lexicon_category_id(lex, "decimal_point");
	nlu->cat.ordinal_suffix = nlu_lexicon_category_id(lex, "ordinal_suffix");
	nlu->cat.number_suffix = nlu_lexicon_category_id(lex, "number_suffix");
}

int nlu_create(struct nlu **nlup, const struct nlu_vocabulary *vocabulary)
{
	struct nlu *nlu = calloc(1, sizeof(*nlu));
	char why[256];
	int err;

	*nlup = NULL;
	if (!nlu)
		return ENOMEM;
	err = nlu_lexicon_create(&nlu->lexicon, nlu_lexicon_sources, nlu_lexicon_source_count,
				 why, sizeof(why));
	if (err) {
		if (err == EINVAL)
			log_err("nlu", NULL, "invalid lexicon: %s", why);
		goto out;
	}
	categories_find(nlu);
	date_categories_find(nlu);
	err = period_windows_read(nlu);
	if (!err)
		err = nlu_when_starts_create(nlu, &nlu->when_starts);
	if (!err)
		err = vocabulary_copy(nlu, vocabulary);
	if (err)
		goto out;
	err = nlu_rules_create(&nlu->rules, nlu->lexicon, why, sizeof(why));
	if (err) {
		if (err == EINVAL)
			log_err("nlu", NULL, "invalid lexicon rule: %s", why);
		goto out;
	}
	err = nlu_vocab_index_create(&nlu->vocab, nlu);
out:
	if (err) {
		nlu_destroy(nlu);
		return err;
	}
	*nlup = nlu;
	return 0;
}

void nlu_destroy(struct nlu *nlu)
{
	if (!nlu)
		return;
	nlu_vocab_index_destroy(nlu->vocab);
	nlu_rules_destroy(nlu->rules);
	nlu_lexicon_destroy(nlu->lexicon);
	free(nlu->when_starts);
	free(nlu->practitioners);
	free(nlu->types);
	free(nlu->vocabulary_strings);
	free(nlu);
}

const char *nlu_grain_name(enum nlu_grain grain)
{
	switch (grain) {
	case NLU_GRAIN_NONE:
		return "none";
	case NLU_GRAIN_MINUTE:
		return "minute";
	case NLU_GRAIN_HOUR:
		return "hour";
	case NLU_GRAIN_PART_OF_DAY:
		return "part_of_day";
	case NLU_GRAIN_DAY:
		return "day";
	case NLU_GRAIN_WEEK:
		return "week";
	case NLU_GRAIN_MONTH:
		return "month";
	case NLU_GRAIN_YEAR:
		return "year";
	}
	return "none";
}

void nlu_tokens_index(const struct nlu *nlu, enum nlu_lang lang, struct nlu_tokens *tokens)
{
	nlu_lexicon_index_tokens(nlu->lexicon, lang, tokens);
}
