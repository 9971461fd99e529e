/*
 * The lexicon: rows of "phrase, category, value, tags" read from the embedded TSV files
 * into one immutable structure.
 *
 * Layout after nlu_lexicon_create():
 *   - entries[] sorted by (language, category id, folded tokens): a category of a
 *     language is one contiguous range, found in ranges[];
 *   - by_first[] contains pointers to the entries sorted by (language, first token,
 *     longest phrase first); an open-addressing hash table maps (language, first token)
 *     to its run in by_first[], so matching at a token costs one hash probe and a walk
 *     over the phrases that start with that word;
 *   - by_cat[] holds the same pointers with each bucket's run regrouped by category
 *     (by_first[] order kept inside a category), and runs[] gives each category's part
 *     of a bucket, in category order, so a match of one category walks only its own
 *     phrases.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlu_priv.h"

struct lex_range {
	size_t first;
	size_t count;
};

/* Categories a bucket's mask can tell apart; others are found by walking the bucket. */
#define LEX_MASK_CATEGORIES NLU_LEX_MASK_CATEGORIES

/* The phrases of one category in one bucket: by_cat[first .. first + count). */
struct lex_run {
	int category_id;
	uint32_t first;
	uint32_t count;
};

struct lex_bucket {
	uint32_t hash;  /* 0 marks an empty bucket */
	uint32_t first; /* run in by_first[] */
	uint32_t count;
	uint32_t runs_first; /* its categories: runs[runs_first ..], one per bit of the mask */
	uint32_t runs_count;
	/* Categories of the bucket's phrases, so most failed matches cost one bit test. */
	uint64_t categories[LEX_MASK_CATEGORIES / 64];
};

struct nlu_lexicon {
	char *text;                       /* copies of the sources, cut into fields */
	char *token_text;                 /* folded phrase tokens, NUL-separated */
	const char **token_ptrs;          /* entries' tokens point into this array */
	struct nlu_lex_entry *entries;
	size_t count;
	char **categories;                /* sorted names; the index is the id */
	size_t category_count;
	struct lex_range *ranges;         /* [lang * category_count + id] */
	const struct nlu_lex_entry **by_first;
	const struct nlu_lex_entry **by_cat;
	struct lex_run *runs;
	struct lex_bucket *buckets;
	size_t bucket_mask;
};

/* Growable arrays used while building; released once the lexicon is complete. */
struct builder {
	char *tok_text;
	size_t tok_text_len, tok_text_cap;
	size_t *tok_offsets;
	size_t tok_count, tok_cap;
	size_t *entry_first_token; /* per entry: index into tok_offsets */
	struct nlu_tokens *scratch;
	char *why;
	size_t why_size;
};

static int fail(struct builder *b, const char *path, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct builder *b, const char *path, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b->why || b->why_size == 0)
		return EINVAL;
	n = snprintf(b->why, b->why_size, "%s:%u: ", path, line);
	if (n >= 0 && (size_t)n < b->why_size) {
		va_start(ap, fmt);
		vsnprintf(b->why + n, b->why_size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

static uint32_t hash_key(enum nlu_lang lang, const char *word)
{
	uint32_t h = 2166136261u ^ (uint32_t)lang;

	for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h ? h : 1;
}

static int push_token(struct builder *b, const char *text, size_t len)
{
	if (b->tok_count == b->tok_cap) {
		size_t cap = b->tok_cap ? b->tok_cap * 2 : 1024;
		size_t *grown = realloc(b->tok_offsets, cap * sizeof(*grown));

		if (!grown)
			return ENOMEM;
		b->tok_offsets = grown;
		b->tok_cap = cap;
	}
	if (b->tok_text_len + len + 1 > b->tok_text_cap) {
		size_t cap = b->tok_text_cap ? b->tok_text_cap * 2 : 8192;
		char *grown;

		while (cap < b->tok_text_len + len + 1)
			cap *= 2;
		grown = realloc(b->tok_text, cap);
		if (!grown)
			return ENOMEM;
		b->tok_text = grown;
		b->tok_text_cap = cap;
	}
	b->tok_offsets[b->tok_count++] = b->tok_text_len;
	memcpy(b->tok_text + b->tok_text_len, text, len);
	b->tok_text[b->tok_text_len + len] = '\0';
	b->tok_text_len += len + 1;
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} known_tags[] = {
	{"abbr", NLU_TAG_ABBR},		  {"ambiguous", NLU_TAG_AMBIGUOUS},
	{"alone", NLU_TAG_ALONE},	  {"digit_only", NLU_TAG_DIGIT_ONLY},
	{"multiplier", NLU_TAG_MULTIPLIER}, {"plural", NLU_TAG_PLURAL},
	{"weak", NLU_TAG_WEAK},		  {"am", NLU_TAG_AM},
	{"pm", NLU_TAG_PM},		  {"night", NLU_TAG_NIGHT},
	{"today_pm", NLU_TAG_TODAY_PM},
};

bool nlu_lex_has_tag(const struct nlu_lex_entry *entry, const char *tag)
{
	size_t n = strlen(tag);

	for (const char *p = entry->tags; (p = strstr(p, tag)) != NULL; p += n)
		if ((p == entry->tags || p[-1] == ',' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
	return false;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static bool category_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return false;
	}
	return true;
}

static bool parse_integer(const char *s, int64_t *value)
{
	char *end;
	long long v;

	if (!*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*value = v;
	return true;
}

/* Cut one row into fields and tokenise its phrase; a blank or comment row yields 0 fields. */
static int row_parse(struct builder *b, char *line, const char *path, unsigned lineno,
		     enum nlu_lang lang, struct nlu_lex_entry *e, bool *is_row)
{
	char *field[4] = {NULL, NULL, NULL, NULL};
	size_t nfield = 0;
	char *p = line;
	char *start = trim(line);
	int err;

	*is_row = false;
	if (!*start || *start == '#')
		return 0;
	while (nfield < 4) {
		char *tab = strchr(p, '\t');

		field[nfield++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (nfield < 3)
		return fail(b, path, lineno, "expected phrase, category and value separated by tabs");
	for (size_t k = 0; k < nfield; k++)
		field[k] = trim(field[k]);
	if (!*field[0])
		return fail(b, path, lineno, "empty phrase");
	if (!category_valid(field[1]))
		return fail(b, path, lineno, "invalid category '%s': use a-z, 0-9, '_' and '.'",
			    field[1]);

	memset(e, 0, sizeof(*e));
	e->phrase = field[0];
	e->category = field[1];
	e->value = field[2];
	e->tags = nfield > 3 ? field[3] : "";
	e->numeric = parse_integer(e->value, &e->number);
	for (size_t k = 0; k < sizeof(known_tags) / sizeof(known_tags[0]); k++)
		if (nlu_lex_has_tag(e, known_tags[k].name))
			e->tag_bits |= known_tags[k].bit;
	e->lang = lang;
	e->path = path;
	e->line = lineno;

	nlu_tokenize(e->phrase, lang, b->scratch);
	if (b->scratch->count == 0)
		return fail(b, path, lineno, "phrase '%s' has no words", e->phrase);
	if (b->scratch->count > NLU_LEX_PHRASE_TOKENS_MAX || b->scratch->truncated)
		return fail(b, path, lineno, "phrase '%s' has more than %d words", e->phrase,
			    NLU_LEX_PHRASE_TOKENS_MAX);
	e->token_count = b->scratch->count;
	/* Tokens go to the builder; fix_tokens() points the entry at them later. */
	for (size_t k = 0; k < b->scratch->count; k++) {
		const struct nlu_token *t = &b->scratch->token[k];

		err = push_token(b, t->text, t->len);
		if (err)
			return err;
	}
	*is_row = true;
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_tokens(const struct nlu_lex_entry *x, const struct nlu_lex_entry *y)
{
	size_t n = x->token_count < y->token_count ? x->token_count : y->token_count;

	for (size_t k = 0; k < n; k++) {
		int c = strcmp(x->tokens[k], y->tokens[k]);

		if (c)
			return c;
	}
	return (x->token_count > y->token_count) - (x->token_count < y->token_count);
}

static int compare_entries(const void *a, const void *b)
{
	const struct nlu_lex_entry *x = a, *y = b;
	int c;

	if (x->lang != y->lang)
		return x->lang < y->lang ? -1 : 1;
	if (x->category_id != y->category_id)
		return x->category_id < y->category_id ? -1 : 1;
	c = compare_tokens(x, y);
	if (c)
		return c;
	c = strcmp(x->path, y->path);
	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/* Order of by_first[]: language, first word, longest phrase first, then entry order. */
static int compare_first(const void *a, const void *b)
{
	const struct nlu_lex_entry *x = *(const struct nlu_lex_entry *const *)a;
	const struct nlu_lex_entry *y = *(const struct nlu_lex_entry *const *)b;
	int c;

	if (x->lang != y->lang)
		return x->lang < y->lang ? -1 : 1;
	c = strcmp(x->tokens[0], y->tokens[0]);
	if (c)
		return c;
	if (x->token_count != y->token_count)
		return x->token_count > y->token_count ? -1 : 1;
	return (x > y) - (x < y);
}

static int lang_of(const char *name, enum nlu_lang *lang)
{
	if (strcmp(name, "fr") == 0)
		*lang = NLU_LANG_FR;
	else if (strcmp(name, "en") == 0)
		*lang = NLU_LANG_EN;
	else
		return EINVAL;
	return 0;
}

/* Copy the sources, cut them into rows and tokenise every phrase. */
static int read_rows(struct nlu_lexicon *lex, struct builder *b,
		     const struct nlu_lexicon_source *sources, size_t source_count)
{
	size_t total = 0, lines = 0, at = 0;
	int err;

	for (size_t s = 0; s < source_count; s++) {
		total += sources[s].size + 1;
		lines++;
		for (size_t k = 0; k < sources[s].size; k++)
			lines += sources[s].data[k] == '\n';
	}
	lex->text = malloc(total ? total : 1);
	lex->entries = calloc(lines ? lines : 1, sizeof(*lex->entries));
	b->entry_first_token = calloc(lines ? lines : 1, sizeof(*b->entry_first_token));
	if (!lex->text || !lex->entries || !b->entry_first_token)
		return ENOMEM;

	for (size_t s = 0; s < source_count; s++) {
		char *text = lex->text + at;
		unsigned lineno = 0;
		enum nlu_lang lang;
		char *line = text;

		if (lang_of(sources[s].lang, &lang))
			return fail(b, sources[s].path, 0, "folder '%s' is not a language (fr, en)",
				    sources[s].lang);
		if (memchr(sources[s].data, '\0', sources[s].size))
			return fail(b, sources[s].path, 0, "contains a NUL byte");
		memcpy(text, sources[s].data, sources[s].size);
		text[sources[s].size] = '\0';
		at += sources[s].size + 1;
		while (line) {
			char *nl = strchr(line, '\n');
			struct nlu_lex_entry *e = &lex->entries[lex->count];
			bool is_row;
			size_t first = b->tok_count;

			if (nl)
				*nl = '\0';
			lineno++;
			err = row_parse(b, line, sources[s].path, lineno, lang, e, &is_row);
			if (err)
				return err;
			if (is_row)
				b->entry_first_token[lex->count++] = first;
			line = nl ? nl + 1 : NULL;
		}
	}
	return 0;
}

/* Point every entry at its tokens, now that the token text no longer moves. */
static int fix_tokens(struct nlu_lexicon *lex, struct builder *b)
{
	lex->token_text = b->tok_text;
	b->tok_text = NULL;
	lex->token_ptrs = malloc((b->tok_count ? b->tok_count : 1) * sizeof(*lex->token_ptrs));
	if (!lex->token_ptrs)
		return ENOMEM;
	for (size_t k = 0; k < b->tok_count; k++)
		lex->token_ptrs[k] = lex->token_text + b->tok_offsets[k];
	for (size_t i = 0; i < lex->count; i++)
		lex->entries[i].tokens = lex->token_ptrs + b->entry_first_token[i];
	return 0;
}

static int assign_categories(struct nlu_lexicon *lex)
{
	size_t n = 0;

	lex->categories = malloc((lex->count ? lex->count : 1) * sizeof(*lex->categories));
	if (!lex->categories)
		return ENOMEM;
	for (size_t i = 0; i < lex->count; i++)
		lex->categories[n++] = (char *)lex->entries[i].category;
	qsort(lex->categories, n, sizeof(*lex->categories), compare_names);
	lex->category_count = 0;
	for (size_t i = 0; i < n; i++) {
		if (lex->category_count == 0 ||
		    strcmp(lex->categories[lex->category_count - 1], lex->categories[i]) != 0)
			lex->categories[lex->category_count++] = lex->categories[i];
	}
	for (size_t i = 0; i < lex->count; i++)
		lex->entries[i].category_id = nlu_lexicon_category_id(lex, lex->entries[i].category);
	return 0;
}

static int build_ranges(struct nlu_lexicon *lex)
{
	size_t slots = 2 * (lex->category_count ? lex->category_count : 1);

	lex->ranges = calloc(slots, sizeof(*lex->ranges));
	if (!lex->ranges)
		return ENOMEM;
	for (size_t i = 0; i < lex->count; i++) {
		const struct nlu_lex_entry *e = &lex->entries[i];
		struct lex_range *r =
			&lex->ranges[(size_t)e->lang * lex->category_count + (size_t)e->category_id];

		if (r->count == 0)
			r->first = i;
		r->count++;
	}
	return 0;
}

/*
 * Fill by_cat[] and runs[] for one bucket: its phrases grouped by category in category
 * order, by_first[] order kept inside each group (one pass over the bucket per
 * category).
 */
static void bucket_runs(struct nlu_lexicon *lex, struct lex_bucket *bk, size_t *run_count)
{
	uint32_t end = bk->first + bk->count, out = bk->first;
	int last = -1;

	bk->runs_first = (uint32_t)*run_count;
	bk->runs_count = 0;
	for (;;) {
		int next = -1;
		struct lex_run *r;

		/* The smallest category id above the last one grouped. */
		for (uint32_t k = bk->first; k < end; k++) {
			int id = lex->by_first[k]->category_id;

			if (id > last && (next < 0 || id < next))
				next = id;
		}
		if (next < 0)
			break;
		r = &lex->runs[(*run_count)++];
		r->category_id = next;
		r->first = out;
		r->count = 0;
		for (uint32_t k = bk->first; k < end; k++) {
			if (lex->by_first[k]->category_id == next) {
				lex->by_cat[out++] = lex->by_first[k];
				r->count++;
			}
		}
		bk->runs_count++;
		last = next;
	}
}

static int build_index(struct nlu_lexicon *lex)
{
	size_t cap = 16, run_count = 0;

	lex->by_first = malloc((lex->count ? lex->count : 1) * sizeof(*lex->by_first));
	lex->by_cat = malloc((lex->count ? lex->count : 1) * sizeof(*lex->by_cat));
	/* At most one run per entry. */
	lex->runs = malloc((lex->count ? lex->count : 1) * sizeof(*lex->runs));
	if (!lex->by_first || !lex->by_cat || !lex->runs)
		return ENOMEM;
	for (size_t i = 0; i < lex->count; i++)
		lex->by_first[i] = &lex->entries[i];
	qsort(lex->by_first, lex->count, sizeof(*lex->by_first), compare_first);

	while (cap < lex->count * 2)
		cap *= 2;
	lex->buckets = calloc(cap, sizeof(*lex->buckets));
	if (!lex->buckets)
		return ENOMEM;
	lex->bucket_mask = cap - 1;
	for (size_t i = 0; i < lex->count;) {
		const struct nlu_lex_entry *e = lex->by_first[i];
		size_t run = 1;
		uint32_t h = hash_key(e->lang, e->tokens[0]);
		size_t slot = h & lex->bucket_mask;

		while (i + run < lex->count && lex->by_first[i + run]->lang == e->lang &&
		       strcmp(lex->by_first[i + run]->tokens[0], e->tokens[0]) == 0)
			run++;
		while (lex->buckets[slot].hash)
			slot = (slot + 1) & lex->bucket_mask;
		lex->buckets[slot].hash = h;
		lex->buckets[slot].first = (uint32_t)i;
		lex->buckets[slot].count = (uint32_t)run;
		for (size_t k = i; k < i + run; k++) {
			int id = lex->by_first[k]->category_id;

			if (id >= 0 && id < LEX_MASK_CATEGORIES)
				lex->buckets[slot].categories[id / 64] |= 1ULL << (id % 64);
		}
		bucket_runs(lex, &lex->buckets[slot], &run_count);
		i += run;
	}
	return 0;
}

int nlu_lexicon_create(struct nlu_lexicon **lexp, const struct nlu_lexicon_source *sources,
		       size_t source_count, char *why, size_t why_size)
{
	struct nlu_lexicon *lex = calloc(1, sizeof(*lex));
	struct builder b;
	int err;

	memset(&b, 0, sizeof(b));
	b.why = why;
	b.why_size = why_size;
	if (why && why_size)
		why[0] = '\0';
	*lexp = NULL;
	b.scratch = malloc(sizeof(*b.scratch));
	if (!lex || !b.scratch) {
		err = ENOMEM;
		goto out;
	}
	err = read_rows(lex, &b, sources, source_count);
	if (!err)
		err = fix_tokens(lex, &b);
	if (!err)
		err = assign_categories(lex);
	if (!err) {
		qsort(lex->entries, lex->count, sizeof(*lex->entries), compare_entries);
		err = build_ranges(lex);
	}
	if (!err)
		err = build_index(lex);
out:
	free(b.tok_text);
	free(b.tok_offsets);
	free(b.entry_first_token);
	free(b.scratch);
	if (err) {
		nlu_lexicon_destroy(lex);
		return err;
	}
	*lexp = lex;
	return 0;
}

void nlu_lexicon_destroy(struct nlu_lexicon *lex)
{
	if (!lex)
		return;
	free(lex->text);
	free(lex->token_text);
	free(lex->token_ptrs);
	free(lex->entries);
	free(lex->categories);
	free(lex->ranges);
	free(lex->by_first);
	free(lex->by_cat);
	free(lex->runs);
	free(lex->buckets);
	free(lex);
}

int nlu_lexicon_category_id(const struct nlu_lexicon *lex, const char *category)
{
	size_t lo = 0, hi = lex->category_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(lex->categories[mid], category);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const char *nlu_lexicon_category_name(const struct nlu_lexicon *lex, int category_id)
{
	if (category_id < 0 || (size_t)category_id >= lex->category_count)
		return NULL;
	return lex->categories[category_id];
}

size_t nlu_lexicon_category(const struct nlu_lexicon *lex, enum nlu_lang lang,
			    int category_id, const struct nlu_lex_entry **entries)
{
	const struct lex_range *r;

	*entries = NULL;
	if (category_id < 0 || (size_t)category_id >= lex->category_count ||
	    (lang != NLU_LANG_FR && lang != NLU_LANG_EN))
		return 0;
	r = &lex->ranges[(size_t)lang * lex->category_count + (size_t)category_id];
	if (r->count)
		*entries = &lex->entries[r->first];
	return r->count;
}

/* The run of by_first[] whose phrases start with `word` in `lang`. */
static const struct lex_bucket *bucket_find(const struct nlu_lexicon *lex, enum nlu_lang lang,
					    const char *word);

/* The bucket of a token: cached by nlu_tokens_index(), else looked up. */
static const struct lex_bucket *token_bucket(const struct nlu_lexicon *lex, enum nlu_lang lang,
					     const struct nlu_token *t)
{
	if (t->lex_bucket != NLU_LEX_UNKNOWN && t->lex_lang == lang)
		return t->lex_bucket ? &lex->buckets[t->lex_bucket - 1] : NULL;
	return bucket_find(lex, lang, t->text);
}

void nlu_lexicon_index_tokens(const struct nlu_lexicon *lex, enum nlu_lang lang,
			      struct nlu_tokens *tokens)
{
	for (size_t i = 0; i < tokens->count; i++) {
		struct nlu_token *t = &tokens->token[i];
		const struct lex_bucket *bk = bucket_find(lex, lang, t->text);

		t->lex_bucket = bk ? (uint32_t)(bk - lex->buckets) + 1 : 0;
		t->lex_lang = (uint8_t)lang;
		t->lex_categories = bk ? bk->categories : NULL;
	}
}

static const struct lex_bucket *bucket_find(const struct nlu_lexicon *lex, enum nlu_lang lang,
					    const char *word)
{
	uint32_t h = hash_key(lang, word);
	size_t slot = h & lex->bucket_mask;

	if (!lex->buckets)
		return NULL;
	while (lex->buckets[slot].hash) {
		const struct lex_bucket *bk = &lex->buckets[slot];
		const struct nlu_lex_entry *e = lex->by_first[bk->first];

		if (bk->hash == h && e->lang == lang && strcmp(e->tokens[0], word) == 0)
			return bk;
		slot = (slot + 1) & lex->bucket_mask;
	}
	return NULL;
}

uint32_t nlu_lexicon_bucket_limit(const struct nlu_lexicon *lex)
{
	return lex->buckets ? (uint32_t)(lex->bucket_mask + 2) : 1;
}

uint32_t nlu_lexicon_bucket_of(const struct nlu_lexicon *lex, enum nlu_lang lang, const char *word)
{
	const struct lex_bucket *bk = bucket_find(lex, lang, word);

	return bk ? (uint32_t)(bk - lex->buckets) + 1 : 0;
}

bool nlu_lexicon_bucket_has(const struct nlu_lexicon *lex, uint32_t bucket, int category_id)
{
	const struct lex_bucket *bk;

	if (bucket == 0 || bucket >= nlu_lexicon_bucket_limit(lex) || category_id < 0)
		return false;
	bk = &lex->buckets[bucket - 1];
	for (uint32_t k = 0; k < bk->count; k++)
		if (lex->by_first[bk->first + k]->category_id == category_id)
			return true;
	return false;
}

static bool phrase_at(const struct nlu_lex_entry *e, const struct nlu_tokens *tokens, size_t pos)
{
	if (pos + e->token_count > tokens->count)
		return false;
	for (size_t k = 1; k < e->token_count; k++) {
		const char *word = tokens->token[pos + k].text;

		if (e->tokens[k][0] != word[0] || strcmp(e->tokens[k], word) != 0)
			return false;
	}
	return true;
}

/* The phrases of a category in a bucket, or NULL when it has none. */
/* Set bits of x, counted in a few instructions: without -mpopcnt, GCC's
 * __builtin_popcountll() is a call into libgcc. */
static inline unsigned bits_set(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

static const struct lex_run *bucket_run(const struct nlu_lexicon *lex,
					const struct lex_bucket *bk, int category_id)
{
	const struct lex_run *runs = &lex->runs[bk->runs_first];
	unsigned below = 0;

	if (category_id >= LEX_MASK_CATEGORIES) {
		for (uint32_t k = 0; k < bk->runs_count; k++)
			if (runs[k].category_id == category_id)
				return &runs[k];
		return NULL;
	}
	if (!(bk->categories[category_id / 64] & (1ULL << (category_id % 64))))
		return NULL;
	/* Runs are in category order, one per bit: the bits below this one count them. */
	for (int w = 0; w < category_id / 64; w++)
		below += bits_set(bk->categories[w]);
	if (category_id % 64)
		below += bits_set(bk->categories[category_id / 64] &
				  ((1ULL << (category_id % 64)) - 1));
	return &runs[below];
}

const struct nlu_lex_entry *nlu_lexicon_match(const struct nlu_lexicon *lex,
					      enum nlu_lang lang, int category_id,
					      const struct nlu_tokens *tokens, size_t pos)
{
	const struct lex_bucket *bk;

	if (pos >= tokens->count)
		return NULL;
	bk = token_bucket(lex, lang, &tokens->token[pos]);
	if (!bk)
		return NULL;
	if (category_id >= 0) {
		const struct lex_run *r = bucket_run(lex, bk, category_id);

		if (!r)
			return NULL;
		for (uint32_t k = 0; k < r->count; k++) {
			const struct nlu_lex_entry *e = lex->by_cat[r->first + k];

			if (phrase_at(e, tokens, pos))
				return e;
		}
		return NULL;
	}
	for (uint32_t k = 0; k < bk->count; k++) {
		const struct nlu_lex_entry *e = lex->by_first[bk->first + k];

		if (phrase_at(e, tokens, pos))
			return e;
	}
	return NULL;
}

size_t nlu_lexicon_matches(const struct nlu_lexicon *lex, enum nlu_lang lang,
			   const struct nlu_tokens *tokens, size_t pos,
			   const struct nlu_lex_entry **out, size_t max)
{
	const struct lex_bucket *bk;
	size_t n = 0;

	if (pos >= tokens->count)
		return 0;
	bk = token_bucket(lex, lang, &tokens->token[pos]);
	if (!bk)
		return 0;
	for (uint32_t k = 0; k < bk->count; k++) {
		const struct nlu_lex_entry *e = lex->by_first[bk->first + k];

		if (!phrase_at(e, tokens, pos))
			continue;
		if (n < max)
			out[n] = e;
		n++;
	}
	return n;
}

const struct nlu_lex_entry *nlu_lexicon_find(const struct nlu_lexicon *lex,
					     enum nlu_lang lang, int category_id,
					     const char *phrase)
{
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	const struct nlu_lex_entry *found = NULL;
	const struct lex_bucket *bk;

	if (!tokens)
		return NULL;
	if (nlu_tokenize(phrase, lang, tokens) || tokens->count == 0)
		goto out;
	bk = bucket_find(lex, lang, tokens->token[0].text);
	if (!bk)
		goto out;
	for (uint32_t k = 0; k < bk->count && !found; k++) {
		const struct nlu_lex_entry *e = lex->by_first[bk->first + k];

		if ((category_id < 0 || e->category_id == category_id) &&
		    e->token_count == tokens->count && phrase_at(e, tokens, 0))
			found = e;
	}
out:
	free(tokens);
	return found;
}

size_t nlu_lexicon_size(const struct nlu_lexicon *lex)
{
	return lex->count;
}

const struct nlu_lex_entry *nlu_lexicon_entry(const struct nlu_lexicon *lex, size_t i)
{
	return i < lex->count ? &lex->entries[i] : NULL;
}
