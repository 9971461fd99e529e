/*
 * Entities read from concepts, lexicon categories and the practice vocabulary: the
 * patient, a new patient, the practitioner and specialty, the appointment type, a
 * choice among offered slots, a correction, the language asked for and the
 * reason for the visit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_priv.h"

/* ---- The vocabulary, tokenised once ---- */

static void name_tokenise(const char *text, struct nlu_name_tokens *out, struct nlu_tokens *scratch)
{
	memset(out, 0, sizeof(*out));
	if (!text || nlu_tokenize(text, NLU_LANG_FR, scratch) != 0)
		return;
	for (size_t i = 0; i < scratch->count && out->count < NLU_NAME_TOKENS_MAX; i++) {
		if (scratch->token[i].kind == NLU_TOKEN_PUNCT)
			continue;
		memcpy(out->token[out->count++], scratch->token[i].text, NLU_TOKEN_TEXT_MAX);
	}
}

int nlu_vocab_index_create(struct nlu_vocab_index **indexp, const struct nlu *nlu)
{
	struct nlu_vocab_index *ix = calloc(1, sizeof(*ix));
	struct nlu_tokens *scratch = malloc(sizeof(*scratch));
	size_t np = nlu->practitioner_count, nt = nlu->type_count;
	int err = ENOMEM;

	*indexp = NULL;
	if (!ix || !scratch)
		goto out;
	ix->first_name = calloc(np + 1, sizeof(*ix->first_name));
	ix->last_name = calloc(np + 1, sizeof(*ix->last_name));
	ix->label[0] = calloc(nt + 1, sizeof(*ix->label[0]));
	ix->label[1] = calloc(nt + 1, sizeof(*ix->label[1]));
	ix->code = calloc(nt + 1, sizeof(*ix->code));
	if (!ix->first_name || !ix->last_name || !ix->label[0] || !ix->label[1] || !ix->code)
		goto out;
	for (size_t i = 0; i < np; i++) {
		name_tokenise(nlu->practitioners[i].first_name, &ix->first_name[i], scratch);
		name_tokenise(nlu->practitioners[i].last_name, &ix->last_name[i], scratch);
	}
	for (size_t i = 0; i < nt; i++) {
		name_tokenise(nlu->types[i].label_fr, &ix->label[0][i], scratch);
		name_tokenise(nlu->types[i].label_en, &ix->label[1][i], scratch);
		name_tokenise(nlu->types[i].code, &ix->code[i], scratch);
	}
	ix->practitioner_count = np;
	ix->type_count = nt;
	err = 0;
out:
	free(scratch);
	if (err) {
		nlu_vocab_index_destroy(ix);
		return err;
	}
	*indexp = ix;
	return 0;
}

void nlu_vocab_index_destroy(struct nlu_vocab_index *ix)
{
	if (!ix)
		return;
	free(ix->first_name);
	free(ix->last_name);
	free(ix->label[0]);
	free(ix->label[1]);
	free(ix->code);
	free(ix);
}

/* ---- Helpers ---- */

static bool concept_at(const struct nlu_scan *scan, int concept, size_t pos)
{
	return nlu_scan_has_at(scan, concept, pos);
}

static int concept_id(const struct nlu *nlu, const char *name)
{
	return nlu_concept_id(nlu->rules, name);
}

/* Hits of a concept that are not negated; returns the first, or -1. */
static int first_unnegated(const struct nlu *nlu, const struct nlu_scan *scan, int concept)
{
	if (concept < 0)
		return -1;
	for (int h = scan->first_hit[concept]; h >= 0; h = scan->next_hit[h]) {
		struct nlu_match m = {.start = scan->hit[h].start, .end = scan->hit[h].end,
				      .term_count = 1, .term_hit = {(size_t)h}};
		struct nlu_scope scope;

		nlu_scope_read(nlu, scan, &m, &scope);
		if (!scope.negated)
			return h;
	}
	return -1;
}

static void mark(bool *explained, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < NLU_TOKENS_MAX; i++)
		explained[i] = true;
}

/* Levenshtein distance of two short words, capped at 3. */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[NLU_TOKEN_TEXT_MAX + 1];

	if (la >= NLU_TOKEN_TEXT_MAX || lb >= NLU_TOKEN_TEXT_MAX)
		return 3;
	if ((la > lb ? la - lb : lb - la) > 2)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb] > 3 ? 3 : row[lb];
}

/*
 * Length in tokens of a name heard at raw->token[pos], or 0. Exact tokens match. A name
 * of five letters or more also matches one edit away ("benali" for "Benaly") or split in
 * two ("ben ali"), because speech recognisers write unknown names that way.
 */
static size_t name_at(const struct nlu_tokens *raw, size_t pos, const struct nlu_name_tokens *name)
{
	const char *single;
	char joined[NLU_TOKEN_TEXT_MAX * 2];

	if (name->count == 0 || pos >= raw->count)
		return 0;
	if (pos + name->count <= raw->count) {
		size_t k = 0;

		while (k < name->count && strcmp(raw->token[pos + k].text, name->token[k]) == 0)
			k++;
		if (k == name->count)
			return k;
	}
	if (name->count != 1)
		return 0;
	single = name->token[0];
	if (strlen(single) < 5 || raw->token[pos].kind != NLU_TOKEN_WORD)
		return 0;
	if (edit_distance(raw->token[pos].text, single) <= 1)
		return 1;
	if (pos + 1 < raw->count && raw->token[pos + 1].kind == NLU_TOKEN_WORD) {
		snprintf(joined, sizeof(joined), "%s%s", raw->token[pos].text,
			 raw->token[pos + 1].text);
		if (edit_distance(joined, single) <= 1)
			return 2;
	}
	return 0;
}

static bool word_in(const struct nlu_tokens *t, size_t i, const char *const *words)
{
	for (size_t k = 0; words[k]; k++) {
		if (nlu_token_is(t, i, words[k]))
			return true;
	}
	return false;
}

/* ---- Practitioner ---- */

static const char *const title_words[] = {"docteur", "docteure", "dr", "doctor", "doc",
					  "medecin", "professeur", NULL};
static const char *const with_words[] = {"avec", "chez", "voir", "with", "see", "by", NULL};
static const char *const own_name_words[] = {"appelle", "nom", "name", "suis", "i'm", "im",
					     "am", NULL};

static bool title_before(const struct nlu_tokens *raw, size_t pos)
{
	return (pos > 0 && word_in(raw, pos - 1, title_words)) ||
	       (pos > 1 && raw->token[pos - 1].kind == NLU_TOKEN_PUNCT &&
		word_in(raw, pos - 2, title_words));
}

/* Mark the normalised tokens said within raw tokens [from, to), by their byte spans. */
static void mark_raw(const struct nlu_scan *scan, const struct nlu_tokens *raw, size_t from,
		     size_t to, bool *explained)
{
	uint32_t start, end;

	if (from >= to || to > raw->count)
		return;
	start = raw->token[from].start;
	end = raw->token[to - 1].end;
	for (size_t i = 0; i < scan->tokens->count && i < NLU_TOKENS_MAX; i++) {
		if (scan->tokens->token[i].start >= start && scan->tokens->token[i].end <= end)
			explained[i] = true;
	}
}

static void practitioner_read(const struct nlu *nlu, const struct nlu_scan *scan,
			      const struct nlu_tokens *raw, enum nlu_expect expect,
			      struct nlu_entities *e, bool *explained)
{
	const struct nlu_vocab_index *ix = nlu->vocab;
	size_t found_at = 0, found_len = 0;

	for (size_t pos = 0; pos < raw->count && e->practitioner < 0; pos++) {
		for (size_t p = 0; p < ix->practitioner_count; p++) {
			size_t first = name_at(raw, pos, &ix->first_name[p]);
			size_t last = name_at(raw, pos + first, &ix->last_name[p]);
			bool titled = title_before(raw, pos);
			bool by_context = expect == NLU_EXPECT_PRACTITIONER ||
					  (pos > 0 && word_in(raw, pos - 1, with_words));
			bool own = pos > 0 && word_in(raw, pos - 1, own_name_words);

			size_t len = 0;

			if (first && last && !own) {
				len = first + last;
			} else if ((last = name_at(raw, pos, &ix->last_name[p])) &&
				   (titled || (by_context && !own && expect != NLU_EXPECT_NAME))) {
				len = last;
			} else if (first && (titled || expect == NLU_EXPECT_PRACTITIONER) && !own) {
				len = first;
			}
			if (len) {
				e->practitioner = (int)p;
				found_at = pos;
				found_len = len;
				break;
			}
		}
	}
	if (found_len)
		mark_raw(scan, raw, found_at, found_at + found_len, explained);
}

static void specialty_read(const struct nlu *nlu, const struct nlu_scan *scan,
			   struct nlu_entities *e, bool *explained)
{
	const struct nlu_tokens *t = scan->tokens;
	int category = nlu_lexicon_category_id(nlu->lexicon, "specialty");
	size_t matches = 0;
	int found = -1;

	if (category < 0)
		return;
	for (size_t pos = 0; pos < t->count && !e->specialty[0]; pos++) {
		const struct nlu_lex_entry *row =
			nlu_lexicon_match(nlu->lexicon, scan->lang, category, t, pos);

		if (!row)
			continue;
		snprintf(e->specialty, sizeof(e->specialty), "%s", row->value);
		mark(explained, pos, pos + row->token_count);
	}
	if (!e->specialty[0] || e->practitioner >= 0)
		return;
	for (size_t p = 0; p < nlu->practitioner_count; p++) {
		const char *s = nlu->practitioners[p].specialty;

		if (s && strcmp(s, e->specialty) == 0) {
			matches++;
			found = (int)p;
		}
	}
	if (matches == 1)
		e->practitioner = found;
}

/* ---- Appointment type ---- */

static bool name_tokens_equal(const struct nlu_name_tokens *n, const struct nlu_lex_entry *row)
{
	if (n->count != row->token_count)
		return false;
	for (size_t k = 0; k < n->count; k++) {
		if (strcmp(n->token[k], row->tokens[k]) != 0)
			return false;
	}
	return true;
}

static bool name_tokens_contain(const struct nlu_name_tokens *n, const char *word)
{
	for (size_t k = 0; k < n->count; k++) {
		if (strcmp(n->token[k], word) == 0)
			return true;
	}
	return false;
}

/* The vocabulary type a lexicon type row names: same code, else a label with its word. */
static int type_of_row(const struct nlu *nlu, const struct nlu_lex_entry *row)
{
	const struct nlu_vocab_index *ix = nlu->vocab;
	char code[NLU_TOKEN_TEXT_MAX * 2];
	struct nlu_name_tokens value;

	for (size_t i = 0; i < ix->type_count; i++) {
		if (nlu->types[i].code && strcmp(nlu->types[i].code, row->value) == 0)
			return (int)i;
	}
	/* "premiere-consultation" is tokenised like a label: compare word by word. */
	snprintf(code, sizeof(code), "%s", row->value);
	memset(&value, 0, sizeof(value));
	for (char *w = strtok(code, "-_ "); w && value.count < NLU_NAME_TOKENS_MAX;
	     w = strtok(NULL, "-_ "))
		snprintf(value.token[value.count++], NLU_TOKEN_TEXT_MAX, "%s", w);
	for (size_t i = 0; i < ix->type_count; i++) {
		bool all = value.count > 0;

		for (size_t k = 0; k < value.count; k++)
			all = all && (name_tokens_contain(&ix->code[i], value.token[k]) ||
				      name_tokens_contain(&ix->label[0][i], value.token[k]) ||
				      name_tokens_contain(&ix->label[1][i], value.token[k]));
		if (all)
			return (int)i;
	}
	for (size_t i = 0; i < ix->type_count; i++) {
		if (name_tokens_equal(&ix->label[0][i], row) || name_tokens_equal(&ix->label[1][i], row))
			return (int)i;
	}
	return -1;
}

static void type_read(const struct nlu *nlu, const struct nlu_scan *scan, struct nlu_entities *e)
{
	const struct nlu_vocab_index *ix = nlu->vocab;
	const struct nlu_tokens *t = scan->tokens;
	int category = nlu_lexicon_category_id(nlu->lexicon, "apptype");
	size_t best_len = 0;

	/* The practice's own labels first, longest first: "Première consultation". */
	for (size_t pos = 0; pos < t->count; pos++) {
		for (size_t i = 0; i < ix->type_count; i++) {
			const struct nlu_name_tokens *label = &ix->label[scan->lang][i];
			size_t k = 0;

			while (k < label->count && pos + k < t->count &&
			       strcmp(t->token[pos + k].text, label->token[k]) == 0)
				k++;
			if (k == label->count && k > best_len) {
				best_len = k;
				e->appointment_type = (int)i;
			}
		}
	}
	if (category < 0)
		return;
	for (size_t pos = 0; pos < t->count; pos++) {
		const struct nlu_lex_entry *row =
			nlu_lexicon_match(nlu->lexicon, scan->lang, category, t, pos);
		int type;

		if (!row || row->token_count <= best_len)
			continue;
		type = type_of_row(nlu, row);
		if (type >= 0) {
			best_len = row->token_count;
			e->appointment_type = type;
		}
	}
}

/* ---- Patient ---- */

static void patient_read(const struct nlu *nlu, const struct nlu_scan *scan,
			 struct nlu_entities *e, bool *explained)
{
	const struct nlu_rules *rules = nlu->rules;
	const struct nlu_tokens *t = scan->tokens;
	static const char *const for_words[] = {"pour", "for", NULL};
	bool chosen_after_for = false;

	for (size_t h = 0; h < scan->hit_count; h++) {
		const struct nlu_hit *hit = &scan->hit[h];
		struct nlu_match m = {.start = hit->start, .end = hit->end, .term_count = 1,
				      .term_hit = {h}};
		struct nlu_scope scope;
		bool after_for;

		if (!hit->entry || hit->entry->category_id != rules->category_patient)
			continue;
		nlu_scope_read(nlu, scan, &m, &scope);
		if (scope.negated)
			continue;
		mark(explained, hit->start, hit->end);
		after_for = hit->start > 0 && word_in(t, hit->start - 1, for_words);
		if (e->patient != NLU_PATIENT_UNKNOWN && (chosen_after_for || !after_for))
			continue;
		for (int p = NLU_PATIENT_SELF; p <= NLU_PATIENT_OTHER; p++) {
			if (strcmp(nlu_patient_name((enum nlu_patient)p), hit->entry->value) == 0)
				e->patient = (enum nlu_patient)p;
		}
		chosen_after_for = after_for;
	}
}

/* ---- Choice ---- */

static bool ordinal_is_date(const struct nlu *nlu, const struct nlu_tokens *t, size_t after)
{
	return after < t->count &&
	       (nlu_lexicon_match(nlu->lexicon, NLU_LANG_FR, nlu->cat.month, t, after) ||
		nlu_lexicon_match(nlu->lexicon, NLU_LANG_EN, nlu->cat.month, t, after) ||
		nlu_token_is(t, after, "of"));
}

static int option_match(const struct nlu_input *input, const struct nlu_tokens *t, size_t from,
			enum nlu_lang lang)
{
	struct nlu_tokens *opt = malloc(sizeof(*opt));
	int best = 0, best_score = 0;
	bool tie = false;

	if (!opt)
		return 0;
	for (size_t o = 0; o < input->option_count && input->options; o++) {
		int score = 0;

		if (!input->options[o] || nlu_tokenize(input->options[o], lang, opt) != 0)
			continue;
		for (size_t i = from; i < t->count; i++) {
			if (t->token[i].kind == NLU_TOKEN_PUNCT)
				continue;
			for (size_t k = 0; k < opt->count; k++) {
				if (strcmp(opt->token[k].text, t->token[i].text) == 0) {
					score += t->token[i].kind == NLU_TOKEN_NUMBER ? 2 : 1;
					break;
				}
			}
		}
		if (score > best_score) {
			best_score = score;
			best = (int)o + 1;
			tie = false;
		} else if (score == best_score && score > 0) {
			tie = true;
		}
	}
	free(opt);
	return tie ? 0 : best;
}

static void choice_read(const struct nlu *nlu, const struct nlu_scan *scan,
			const struct nlu_input *input, struct nlu_entities *e, bool *explained,
			struct nlu_token_range *span)
{
	static const char *const articles[] = {"le", "la", "les", "the", "l", NULL};
	const struct nlu_tokens *t = scan->tokens;
	bool expecting = input->expect == NLU_EXPECT_SLOT_CHOICE ||
			 input->expect == NLU_EXPECT_DIGITS;
	int choiceref = concept_id(nlu, "choiceref");
	int optionword = concept_id(nlu, "optionword");
	int anyprac = concept_id(nlu, "anypractitioner");
	struct nlu_number number;
	int h;

	for (size_t pos = 0; pos < t->count && e->choice == 0; pos++) {
		const struct nlu_lex_entry *row =
			nlu_lexicon_match(nlu->lexicon, scan->lang, nlu->cat.ordinal, t, pos);
		bool article = pos > 0 && word_in(t, pos - 1, articles);

		if (!row || !row->numeric || concept_at(scan, anyprac, pos))
			continue;
		if (!(article || expecting) || ordinal_is_date(nlu, t, pos + row->token_count))
			continue;
		if (row->number < 0)
			e->choice = input->option_count ? (int)input->option_count : -1;
		else
			e->choice = (int)row->number;
		span->from = pos > 0 && article ? pos - 1 : pos;
		span->to = pos + row->token_count;
		mark(explained, span->from, span->to);
	}
	/* "option 2", "numéro deux". */
	if (e->choice == 0 && (h = first_unnegated(nlu, scan, optionword)) >= 0 &&
	    nlu_number_parse(nlu, scan->lang, t, scan->hit[h].end, NLU_NUM_SMALL, &number) &&
	    number.value >= 1 && number.value <= 20) {
		e->choice = (int)number.value;
		span->from = scan->hit[h].start;
		span->to = scan->hit[h].end + number.token_count;
		mark(explained, span->from, span->to);
	}
	/* "celui de 10 h", "the one at three": compared with the options offered. */
	if (e->choice == 0 && (h = first_unnegated(nlu, scan, choiceref)) >= 0 && input->options)
		e->choice = option_match(input, t, scan->hit[h].end, scan->lang);
	/* A bare small number when a choice is expected. */
	if (e->choice == 0 && expecting && t->count > 0 &&
	    nlu_number_parse(nlu, scan->lang, t, 0, NLU_NUM_SMALL, &number) &&
	    number.token_count == t->count && number.value >= 1 && number.value <= 20 &&
	    input->expect == NLU_EXPECT_SLOT_CHOICE)
		e->choice = (int)number.value;
	if (e->choice == 0 && input->options && input->expect == NLU_EXPECT_SLOT_CHOICE)
		e->choice = option_match(input, t, 0, scan->lang);
}

/* ---- Language, correction, new patient ---- */

static void language_read(const struct nlu *nlu, const struct nlu_scan *scan, enum nlu_lang lang,
			  struct nlu_entities *e)
{
	const int ids[2] = {concept_id(nlu, "langfr"), concept_id(nlu, "langen")};

	e->language = lang == NLU_LANG_FR ? NLU_LANG_EN : NLU_LANG_FR;
	/* "je ne parle pas bien français", "I don't speak English". */
	if (first_unnegated(nlu, scan, concept_id(nlu, "langnotfr")) >= 0) {
		e->language = NLU_LANG_EN;
		return;
	}
	if (first_unnegated(nlu, scan, concept_id(nlu, "langnoten")) >= 0) {
		e->language = NLU_LANG_FR;
		return;
	}
	for (int l = 0; l < 2; l++) {
		if (ids[l] < 0)
			continue;
		for (int h = scan->first_hit[ids[l]]; h >= 0; h = scan->next_hit[h]) {
			struct nlu_match m = {.start = scan->hit[h].start, .end = scan->hit[h].end,
					      .term_count = 1, .term_hit = {(size_t)h}};
			struct nlu_scope scope;

			nlu_scope_read(nlu, scan, &m, &scope);
			/* "je ne parle pas anglais": the other language is wanted. */
			e->language = scope.negated ? (enum nlu_lang)(1 - l) : (enum nlu_lang)l;
			return;
		}
	}
}

static bool entities_present(const struct nlu_entities *e)
{
	return e->when_count > 0 || e->practitioner >= 0 || e->appointment_type >= 0 ||
	       e->choice != 0 || e->phone[0] || e->has_birth_date || e->last_name[0];
}

static void correction_read(const struct nlu *nlu, const struct nlu_scan *scan,
			    const struct nlu_input *input, struct nlu_result *r)
{
	const struct nlu_tokens *t = scan->tokens;
	size_t first = 0;

	if (first_unnegated(nlu, scan, concept_id(nlu, "correction")) >= 0) {
		r->correction = true;
		return;
	}
	while (first < t->count && t->token[first].kind == NLU_TOKEN_PUNCT)
		first++;
	/* "non, jeudi": a no followed by a new value replaces the last answer. */
	if (first < t->count && (nlu_token_is(t, first, "non") || nlu_token_is(t, first, "no")) &&
	    input->expect != NLU_EXPECT_OPEN && entities_present(&r->entities))
		r->correction = true;
}

/* ---- Reason ---- */

static const char *const edge_words[] = {
	"le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "au", "aux", "a", "en",
	"mon", "ma", "mes", "son", "sa", "ses", "qui", "que", "est", "ce", "c", "pour",
	"the", "an", "my", "his", "her", "some", "of", "for", "to", "is", "with", "and", "et",
	"very", "tres", "un", "peu", "he's", "she's", "been", "i've", "has", "have", "i", "he",
	"she", "it", "it's", "il", "elle", "je", NULL};

static void reason_read(const struct nlu *nlu, const struct nlu_scan *scan, const bool *explained,
			struct nlu_entities *e)
{
	const struct nlu_tokens *t = scan->tokens;
	int intro = concept_id(nlu, "reasonintro");
	size_t from = t->count, to;
	char *out = e->reason;
	size_t len = 0;

	/* Without "pour", "parce que", "j'ai": from the first symptom on. */
	for (size_t k = 0; k < 3 && from >= t->count; k++) {
		static const char *const symptoms[] = {"pain", "symptom", "severepain"};
		int id = concept_id(nlu, symptoms[k]);

		if (id >= 0 && scan->first_hit[id] >= 0 && intro >= 0 && scan->first_hit[intro] < 0)
			from = scan->hit[scan->first_hit[id]].start;
	}
	for (int h = intro >= 0 ? scan->first_hit[intro] : -1; h >= 0 && from >= t->count;
	     h = scan->next_hit[h]) {
		size_t end = scan->hit[h].end;
		bool content = false;

		if (end >= t->count)
			continue;
		for (size_t i = end; i < t->count && scan->clause[i] == scan->clause[end]; i++)
			content = content || (!explained[i] && t->token[i].kind != NLU_TOKEN_PUNCT &&
					      !word_in(t, i, edge_words));
		if (content) {
			from = end;
			break;
		}
	}
	if (from >= t->count)
		return;
	to = from;
	while (to < t->count && scan->clause[to] == scan->clause[from])
		to++;
	while (from < to && (explained[from] || t->token[from].kind == NLU_TOKEN_PUNCT ||
			     word_in(t, from, edge_words)))
		from++;
	while (to > from && (explained[to - 1] || t->token[to - 1].kind == NLU_TOKEN_PUNCT ||
			     word_in(t, to - 1, edge_words)))
		to--;
	for (size_t i = from; i < to; i++) {
		size_t n = t->token[i].len;

		if (explained[i])
			continue;
		if (len + n + 2 > sizeof(e->reason))
			break;
		if (len)
			out[len++] = ' ';
		memcpy(out + len, t->token[i].text, n);
		len += n;
		out[len] = '\0';
	}
}

/* Tokens that are part of the request rather than its reason. */
static void explain_request_words(const struct nlu *nlu, const struct nlu_scan *scan,
				  bool *explained)
{
	static const char *const names[] = {
		"polite", "appointment", "want", "take", "bookit", "seedoctor", "available",
		"yes", "no", "thanks", "bye", "reasonintro", "first", "title", "newpatient",
		"anypractitioner", "correction", "urgentword", "myappointment", "provider",
		"findprovider", NULL};

	for (size_t k = 0; names[k]; k++) {
		int id = concept_id(nlu, names[k]);

		for (int h = id >= 0 ? scan->first_hit[id] : -1; h >= 0; h = scan->next_hit[h])
			mark(explained, scan->hit[h].start, scan->hit[h].end);
	}
}

void nlu_entities_read(const struct nlu *nlu, const struct nlu_scan *scan,
		       const struct nlu_tokens *raw, const struct nlu_input *input,
		       bool *explained, struct nlu_result *result, struct nlu_token_range *choice)
{
	struct nlu_entities *e = &result->entities;

	patient_read(nlu, scan, e, explained);
	e->new_patient = first_unnegated(nlu, scan, concept_id(nlu, "newpatient")) >= 0;
	e->practitioner_any = first_unnegated(nlu, scan, concept_id(nlu, "anypractitioner")) >= 0;
	practitioner_read(nlu, scan, raw, input->expect, e, explained);
	specialty_read(nlu, scan, e, explained);
	type_read(nlu, scan, e);
	choice->from = choice->to = 0;
	choice_read(nlu, scan, input, e, explained, choice);
	language_read(nlu, scan, input->lang, e);
	correction_read(nlu, scan, input, result);
	explain_request_words(nlu, scan, explained);
	reason_read(nlu, scan, explained, e);
}
