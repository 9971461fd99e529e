/*
 * Concepts and rules: compiling "triage" and "intent" rows, covering an utterance with
 * concept hits, finding rule matches and reading their scope.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_priv.h"

static int fail(char *why, size_t why_size, const struct nlu_lex_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t why_size, const struct nlu_lex_entry *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || why_size == 0)
		return EINVAL;
	n = snprintf(why, why_size, "%s:%u: ", e ? e->path : "lexicon", e ? e->line : 0);
	if (n < 0 || (size_t)n >= why_size)
		return EINVAL;
	va_start(ap, fmt);
	vsnprintf(why + n, why_size - (size_t)n, fmt, ap);
	va_end(ap);
	return EINVAL;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int nlu_concept_id(const struct nlu_rules *rules, const char *name)
{
	const char *const *found;

	found = bsearch(&name, rules->concept_name, rules->concept_count, sizeof(const char *),
			compare_strings);
	return found ? (int)(found - rules->concept_name) : -1;
}

/* Gather the distinct concept names of both languages, sorted, plus "number". */
static int concepts_collect(struct nlu_rules *rules, const struct nlu_lexicon *lex, char *why,
			    size_t why_size)
{
	static const char builtin_number[] = "number";
	const char **all;
	size_t n = 0, total = 1;
	int err = 0;

	for (int lang = 0; lang < 2; lang++) {
		rules->concept_rows[lang] = nlu_lexicon_category(
			lex, (enum nlu_lang)lang, rules->category_concept, &rules->concept_first[lang]);
		total += rules->concept_rows[lang];
	}
	all = malloc(total * sizeof(*all));
	if (!all)
		return ENOMEM;
	all[n++] = builtin_number;
	for (int lang = 0; lang < 2; lang++) {
		for (size_t i = 0; i < rules->concept_rows[lang]; i++) {
			const struct nlu_lex_entry *row = &rules->concept_first[lang][i];

			if (!row->value[0]) {
				err = fail(why, why_size, row, "concept row without a name");
				goto out;
			}
			all[n++] = row->value;
		}
	}
	qsort(all, n, sizeof(*all), compare_strings);
	rules->concept_count = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(all[i - 1], all[i]) == 0)
			continue;
		if (rules->concept_count == NLU_CONCEPTS_MAX) {
			err = fail(why, why_size, NULL, "more than %d distinct concepts",
				   NLU_CONCEPTS_MAX);
			goto out;
		}
		rules->concept_name[rules->concept_count++] = all[i];
	}
	for (int lang = 0; lang < 2; lang++) {
		size_t count = rules->concept_rows[lang];

		rules->concept_of_row[lang] = calloc(count ? count : 1, sizeof(int));
		if (!rules->concept_of_row[lang]) {
			err = ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < count; i++)
			rules->concept_of_row[lang][i] =
				nlu_concept_id(rules, rules->concept_first[lang][i].value);
	}
out:
	free(all);
	return err;
}

static bool flag_parse(const char *name, size_t len, enum nlu_flag *flag)
{
	for (int f = NLU_FLAG_NONE; f < NLU_FLAG_COUNT; f++) {
		const char *s = nlu_flag_name((enum nlu_flag)f);

		if (strlen(s) == len && strncmp(s, name, len) == 0) {
			*flag = (enum nlu_flag)f;
			return true;
		}
	}
	return false;
}

static bool intent_parse(const char *name, enum nlu_intent *intent)
{
	for (int i = NLU_INTENT_NONE; i < NLU_INTENT_COUNT; i++) {
		if (strcmp(nlu_intent_name((enum nlu_intent)i), name) == 0) {
			*intent = (enum nlu_intent)i;
			return true;
		}
	}
	return false;
}

static bool expect_parse(const char *list, size_t len, unsigned *mask)
{
	size_t at = 0;

	while (at < len) {
		size_t end = at;
		bool found = false;

		while (end < len && list[end] != ',')
			end++;
		for (int x = 0; x < NLU_EXPECT_COUNT; x++) {
			const char *s = nlu_expect_name((enum nlu_expect)x);

			if (strlen(s) == end - at && strncmp(s, list + at, end - at) == 0) {
				*mask |= 1u << x;
				found = true;
			}
		}
		if (!found)
			return false;
		at = end + 1;
	}
	return true;
}

/* Apply one "key=value" or "key" tag to a rule. */
static int tag_apply(struct nlu_rule *rule, const char *tag, size_t len, char *why,
		     size_t why_size)
{
	const char *eq = memchr(tag, '=', len);
	size_t klen = eq ? (size_t)(eq - tag) : len;
	const char *val = eq ? eq + 1 : "";
	size_t vlen = eq ? len - klen - 1 : 0;
	char num[16];

#define KEY(k) (klen == sizeof(k) - 1 && strncmp(tag, k, klen) == 0)
	if (KEY("ordered") && !eq) {
		rule->ordered = true;
	} else if (KEY("when") && !eq) {
		rule->needs_when = true;
	} else if (KEY("alone") && !eq) {
		rule->alone = true;
	} else if (KEY("anywhere") && !eq) {
		rule->anywhere = true;
	} else if (KEY("imminent") && !eq) {
		rule->imminent = true;
	} else if (KEY("window") && vlen > 0 && vlen < sizeof(num)) {
		memcpy(num, val, vlen);
		num[vlen] = '\0';
		rule->window = atoi(num);
		if (rule->window < 1 || rule->window > 64)
			return fail(why, why_size, rule->entry, "invalid window '%s'", num);
	} else if (KEY("weight") && vlen > 0 && vlen < sizeof(num)) {
		memcpy(num, val, vlen);
		num[vlen] = '\0';
		rule->weight = strtof(num, NULL);
		if (!(rule->weight > 0.0f && rule->weight <= 1.0f))
			return fail(why, why_size, rule->entry, "invalid weight '%s'", num);
	} else if (KEY("flag") && flag_parse(val, vlen, &rule->flag)) {
	} else if (KEY("requires") && flag_parse(val, vlen, &rule->requires)) {
	} else if (KEY("level") && vlen == 9 && strncmp(val, "emergency", 9) == 0) {
		rule->level = NLU_URGENCY_EMERGENCY;
	} else if (KEY("level") && vlen == 6 && strncmp(val, "urgent", 6) == 0) {
		rule->level = NLU_URGENCY_URGENT;
	} else if (KEY("level") && vlen == 3 && strncmp(val, "cue", 3) == 0) {
		rule->cue_only = true;
	} else if (KEY("expect") && expect_parse(val, vlen, &rule->expect_mask)) {
	} else {
		return fail(why, why_size, rule->entry, "invalid tag '%.*s'", (int)len, tag);
	}
#undef KEY
	return 0;
}

static int rule_compile(struct nlu_rules *rules, const struct nlu_lex_entry *e,
			enum nlu_rule_kind kind, struct nlu_rule *rule, char *why, size_t why_size)
{
	const char *t = e->tags;
	int err;

	memset(rule, 0, sizeof(*rule));
	rule->entry = e;
	rule->lang = e->lang;
	rule->kind = kind;
	rule->window = NLU_RULE_WINDOW_DEFAULT;
	if (e->token_count > NLU_RULE_TERMS_MAX)
		return fail(why, why_size, e, "more than %d concepts in a rule", NLU_RULE_TERMS_MAX);
	for (size_t k = 0; k < e->token_count; k++) {
		int id = nlu_concept_id(rules, e->tokens[k]);

		if (id < 0)
			return fail(why, why_size, e, "unknown concept '%s'", e->tokens[k]);
		rule->term[rule->term_count++] = id;
	}
	while (*t) {
		size_t len = 0;

		while (*t == ' ')
			t++;
		while (t[len] && t[len] != ' ')
			len++;
		if (len) {
			err = tag_apply(rule, t, len, why, why_size);
			if (err)
				return err;
		}
		t += len;
	}
	if (kind == NLU_RULE_TRIAGE) {
		if (rule->flag == NLU_FLAG_NONE)
			return fail(why, why_size, e, "triage rule without flag=");
		if (rule->level == NLU_URGENCY_NONE && !rule->cue_only)
			return fail(why, why_size, e, "triage rule without level=");
	} else {
		if (!intent_parse(e->value, &rule->intent))
			return fail(why, why_size, e, "unknown intent '%s'", e->value);
		if (rule->weight == 0.0f)
			return fail(why, why_size, e, "intent rule without weight=");
	}
	return 0;
}

static int rules_compile(struct nlu_rules *rules, const struct nlu_lexicon *lex, char *why,
			 size_t why_size)
{
	const int category[2] = {nlu_lexicon_category_id(lex, "triage"),
				 nlu_lexicon_category_id(lex, "intent")};
	const enum nlu_rule_kind kind[2] = {NLU_RULE_TRIAGE, NLU_RULE_INTENT};
	size_t total = 0;
	int err;

	for (int lang = 0; lang < 2; lang++) {
		for (int c = 0; c < 2; c++) {
			const struct nlu_lex_entry *rows;

			total += nlu_lexicon_category(lex, (enum nlu_lang)lang, category[c], &rows);
		}
	}
	rules->rules = calloc(total ? total : 1, sizeof(*rules->rules));
	if (!rules->rules)
		return ENOMEM;
	for (int lang = 0; lang < 2; lang++) {
		for (int c = 0; c < 2; c++) {
			const struct nlu_lex_entry *rows;
			size_t count = nlu_lexicon_category(lex, (enum nlu_lang)lang, category[c],
							    &rows);

			for (size_t i = 0; i < count; i++) {
				err = rule_compile(rules, &rows[i], kind[c],
						   &rules->rules[rules->rule_count], why, why_size);
				if (err)
					return err;
				rules->rule_count++;
			}
		}
	}
	return 0;
}

static void ids_find(struct nlu_rules *rules)
{
	struct nlu_concept_ids *id = &rules->id;

	id->neg = nlu_concept_id(rules, "neg");
	id->plus = nlu_concept_id(rules, "plus");
	id->ne = nlu_concept_id(rules, "ne");
	id->plusneg = nlu_concept_id(rules, "plusneg");
	id->resolved = nlu_concept_id(rules, "resolved");
	id->resolvedpost = nlu_concept_id(rules, "resolvedpost");
	id->ago = nlu_concept_id(rules, "ago");
	id->agopost = nlu_concept_id(rules, "agopost");
	id->yearprefix = nlu_concept_id(rules, "yearprefix");
	id->history = nlu_concept_id(rules, "history");
	id->since = nlu_concept_id(rules, "since");
	id->chronic = nlu_concept_id(rules, "chronic");
	id->unitlong = nlu_concept_id(rules, "unitlong");
	id->unitweek = nlu_concept_id(rules, "unitweek");
	id->unitday = nlu_concept_id(rules, "unitday");
	id->unitshort = nlu_concept_id(rules, "unitshort");
	id->now = nlu_concept_id(rules, "now");
	id->first = nlu_concept_id(rules, "first");
	id->third = nlu_concept_id(rules, "third");
	id->boundary = nlu_concept_id(rules, "boundary");
	id->number = nlu_concept_id(rules, "number");
	id->polite = nlu_concept_id(rules, "polite");
	id->fever = nlu_concept_id(rules, "fever");
	id->highfever = nlu_concept_id(rules, "highfever");
	id->infant = nlu_concept_id(rules, "infant");
	id->newborn = nlu_concept_id(rules, "newborn");
	id->bornago = nlu_concept_id(rules, "bornago");
}

int nlu_rules_create(struct nlu_rules **rulesp, const struct nlu_lexicon *lex, char *why,
		     size_t why_size)
{
	struct nlu_rules *rules = calloc(1, sizeof(*rules));
	int err;

	*rulesp = NULL;
	if (!rules)
		return ENOMEM;
	rules->category_concept = nlu_lexicon_category_id(lex, "concept");
	rules->category_patient = nlu_lexicon_category_id(lex, "patient");
	err = concepts_collect(rules, lex, why, why_size);
	if (err)
		goto out;
	err = rules_compile(rules, lex, why, why_size);
	if (err)
		goto out;
	ids_find(rules);
out:
	if (err) {
		nlu_rules_destroy(rules);
		return err;
	}
	*rulesp = rules;
	return 0;
}

void nlu_rules_destroy(struct nlu_rules *rules)
{
	if (!rules)
		return;
	free(rules->concept_of_row[0]);
	free(rules->concept_of_row[1]);
	free(rules->rules);
	free(rules);
}

/* ---- Scanning an utterance ---- */

static void hit_add(struct nlu_scan *scan, int concept, size_t start, size_t end,
		    const struct nlu_lex_entry *entry)
{
	struct nlu_hit *h;

	if (concept < 0 || scan->hit_count == NLU_HITS_MAX)
		return;
	h = &scan->hit[scan->hit_count];
	h->concept = (uint16_t)concept;
	h->start = (uint16_t)start;
	h->end = (uint16_t)end;
	h->entry = entry;
	scan->hit_count++;
}

/* Concept of a matched row, or -1 when the row is of another category. */
static int row_concept(const struct nlu_rules *rules, enum nlu_lang lang,
		       const struct nlu_lex_entry *e)
{
	if (e->category_id == rules->category_concept) {
		ptrdiff_t i = e - rules->concept_first[lang];

		if (i >= 0 && (size_t)i < rules->concept_rows[lang])
			return rules->concept_of_row[lang][i];
		return -1;
	}
	if (e->category_id == rules->category_patient && rules->category_patient >= 0)
		return strcmp(e->value, "self") == 0 ? rules->id.first : rules->id.third;
	return -1;
}

static bool is_clause_punct(const struct nlu_token *t)
{
	return t->kind == NLU_TOKEN_PUNCT && t->len == 1 && strchr(".,;!?:", t->text[0]);
}

static bool is_sentence_punct(const struct nlu_token *t)
{
	return t->kind == NLU_TOKEN_PUNCT && t->len == 1 && strchr(".!?", t->text[0]);
}

void nlu_scan_build(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		    struct nlu_scan *scan)
{
	const struct nlu_rules *rules = nlu->rules;
	const struct nlu_lex_entry *found[32];
	uint16_t clause = 0, phrase = 0;
	size_t pos = 0;

	scan->rules = rules;
	scan->tokens = tokens;
	scan->lang = lang;
	scan->hit_count = 0;
	for (size_t c = 0; c < NLU_CONCEPTS_MAX; c++)
		scan->first_hit[c] = -1;

	while (pos < tokens->count) {
		size_t n = nlu_lexicon_matches(nlu->lexicon, lang, tokens, pos, found, 32);
		size_t best = 0;

		if (n > 32)
			n = 32;
		for (size_t k = 0; k < n; k++) {
			if (row_concept(rules, lang, found[k]) >= 0 && found[k]->token_count > best)
				best = found[k]->token_count;
		}
		if (best == 0) {
			if (tokens->token[pos].kind == NLU_TOKEN_NUMBER)
				hit_add(scan, rules->id.number, pos, pos + 1, NULL);
			pos++;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			if (found[k]->token_count == best)
				hit_add(scan, row_concept(rules, lang, found[k]), pos, pos + best,
					found[k]);
		}
		pos += best;
	}

	/* Phrases end at sentence punctuation and before boundary words; clauses also at
	 * commas and colons. */
	for (size_t i = 0; i < tokens->count; i++)
		scan->clause[i] = 0;
	for (size_t h = 0; h < scan->hit_count; h++) {
		if (scan->hit[h].concept == rules->id.boundary)
			scan->clause[scan->hit[h].start] = 1;
	}
	for (size_t i = 0; i < tokens->count; i++) {
		const struct nlu_token *t = &tokens->token[i];

		if (scan->clause[i] != 0 && i > 0) {
			phrase++;
			clause++;
		}
		scan->sentence_end[i] = is_sentence_punct(t);
		scan->phrase[i] = phrase;
		scan->clause[i] = clause;
		if (is_sentence_punct(t) || (t->kind == NLU_TOKEN_PUNCT && t->text[0] == ';')) {
			phrase++;
			clause++;
		} else if (is_clause_punct(t)) {
			clause++;
		}
	}

	/* Index hits by concept, in order of position. */
	for (size_t h = scan->hit_count; h-- > 0;) {
		scan->next_hit[h] = scan->first_hit[scan->hit[h].concept];
		scan->first_hit[scan->hit[h].concept] = (int16_t)h;
	}
}

int nlu_scan_find(const struct nlu_scan *scan, int concept, size_t from, size_t to)
{
	if (concept < 0)
		return -1;
	for (int h = scan->first_hit[concept]; h >= 0; h = scan->next_hit[h]) {
		if (scan->hit[h].start >= from && scan->hit[h].start < to)
			return h;
	}
	return -1;
}

bool nlu_scan_has_at(const struct nlu_scan *scan, int concept, size_t pos)
{
	if (concept < 0)
		return false;
	for (int h = scan->first_hit[concept]; h >= 0; h = scan->next_hit[h]) {
		if (scan->hit[h].start <= pos && pos < scan->hit[h].end)
			return true;
	}
	return false;
}

/* ---- Matching rules ---- */

static size_t distance(const struct nlu_hit *a, const struct nlu_hit *b)
{
	return a->start > b->start ? (size_t)(a->start - b->start) : (size_t)(b->start - a->start);
}

/* Complete a match anchored at hit `anchor` of the rule's first term. */
static bool match_complete(const struct nlu_scan *scan, const struct nlu_rule *rule,
			   size_t anchor, struct nlu_match *m)
{
	const struct nlu_hit *a = &scan->hit[anchor];
	size_t start = a->start, end = a->end, prev_end = a->end;

	m->term_hit[0] = anchor;
	m->term_count = rule->term_count;
	for (size_t k = 1; k < rule->term_count; k++) {
		int best = -1;

		for (int h = scan->first_hit[rule->term[k]]; h >= 0; h = scan->next_hit[h]) {
			const struct nlu_hit *c = &scan->hit[h];
			bool used = false;

			for (size_t j = 0; j < k; j++)
				used = used || m->term_hit[j] == (size_t)h;
			if (used ||
			    (!rule->anywhere && scan->phrase[c->start] != scan->phrase[a->start]))
				continue;
			if (rule->ordered && c->start < prev_end)
				continue;
			if (best < 0 || distance(c, a) < distance(&scan->hit[best], a))
				best = h;
			if (rule->ordered)
				break;
		}
		if (best < 0)
			return false;
		m->term_hit[k] = (size_t)best;
		prev_end = scan->hit[best].end;
		if (scan->hit[best].start < start)
			start = scan->hit[best].start;
		if (scan->hit[best].end > end)
			end = scan->hit[best].end;
	}
	if (rule->term_count > 1 && !rule->anywhere && end - start > (size_t)rule->window)
		return false;
	m->start = start;
	m->end = end;
	return true;
}

size_t nlu_rule_matches(const struct nlu_rules *rules, const struct nlu_scan *scan,
			const struct nlu_rule *rule, struct nlu_match *out, size_t max)
{
	size_t n = 0;

	(void)rules;
	if (rule->lang != scan->lang)
		return 0;
	for (size_t k = 0; k < rule->term_count; k++) {
		if (scan->first_hit[rule->term[k]] < 0)
			return 0;
	}
	for (int h = scan->first_hit[rule->term[0]]; h >= 0 && n < max; h = scan->next_hit[h]) {
		if (match_complete(scan, rule, (size_t)h, &out[n]))
			n++;
	}
	return n;
}

bool nlu_match_alone(const struct nlu_scan *scan, const struct nlu_match *match)
{
	const struct nlu_tokens *tokens = scan->tokens;

	for (size_t i = 0; i < tokens->count; i++) {
		if (i >= match->start && i < match->end)
			continue;
		if (tokens->token[i].kind == NLU_TOKEN_PUNCT)
			continue;
		if (nlu_scan_has_at(scan, scan->rules->id.polite, i))
			continue;
		return false;
	}
	return true;
}
