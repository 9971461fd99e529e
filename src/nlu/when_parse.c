/*
 * Dates and times: from tokens to time preferences.
 *
 * A scan reads the tokens left to right into atoms (a date, a time of day, a range, an
 * alternative "ou", an exclusion "pas le lundi", a duration), each recognised by a small
 * hand-written grammar over the lexicon categories of lexicon/<lang>/dates.tsv. The atoms
 * are then grouped into items: a date and a time said together are one item, "ou" and
 * "et" start another, and what one alternative leaves unsaid is taken from its
 * neighbour ("demain à 10h ou à 14h" is tomorrow twice). when_resolve.c places each item
 * relative to the reference instant.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "when_priv.h"

/*
 * Numbers and parts of the day read at each token, kept for the utterance. The grammars
 * try the same token as a day, an hour, a count and a year. They also try a part of the
 * day both as the first end of a range and as a time. Reading each once saves that work.
 */
#define MEMO_TOKENS 64 /* tokens past this are read each time */

struct scan_memo {
	uint64_t known[2]; /* bit per token: [small, integer] */
	uint64_t found[2];
	struct nlu_number number[2][MEMO_TOKENS];
	uint64_t part_known; /* bit per token: day_part() was read there */
	uint8_t part_len[MEMO_TOKENS]; /* its result: tokens read, 0 for none */
	struct dt_time part[MEMO_TOKENS];
};

struct parser {
	const struct nlu *nlu;
	const struct nlu_date_categories *c;
	enum nlu_lang lang;
	const struct nlu_tokens *tk;
	size_t n;
	struct scan_memo *memo; /* may be NULL */
	/* Every token was indexed in `lang`, so lx() reads its category bits directly. */
	bool indexed;
	/* 1 + the last token that may start a unit or a weekday, 0 for none: a relative
	 * date reads one at or after its first token. */
	size_t unit_end;
};

enum atom_kind {
	ATOM_DATE,
	ATOM_DATE_RANGE,
	ATOM_TIME,
	ATOM_OR,
	ATOM_EXCEPT,
	ATOM_DURATION,
	ATOM_AFTER,   /* a bound on what follows: "après", "à partir de" */
	ATOM_BEFORE,  /* "avant", "jusqu'à" */
};

struct atom {
	enum atom_kind kind;
	size_t from;
	size_t to;
	struct dt_date date;
	struct dt_date date_end;
	struct dt_time time;
	unsigned weekdays;  /* ATOM_EXCEPT */
	int part_from;      /* ATOM_EXCEPT of a part of the day, or -1 */
	int part_to;
	int minutes;        /* ATOM_DURATION in minutes, or */
	int days;           /* in days */
	bool inclusive;     /* ATOM_AFTER "à partir de", ATOM_BEFORE "jusqu'à" */
};

#define ATOMS_MAX 32
#define GROUPS_MAX 8

/* ---- Token helpers ---- */

/* nlu_token_may_start() at token p < ps->n, without its checks when all are indexed. */
static inline bool may_start(const struct parser *ps, size_t p, int category)
{
	const uint64_t *bits = ps->tk->token[p].lex_categories;

	if (!ps->indexed)
		return nlu_token_may_start(&ps->tk->token[p], ps->lang, category);
	if (!bits || category < 0)
		return bits != NULL;
	return category >= NLU_LEX_MASK_CATEGORIES || ((bits[category / 64] >> (category % 64)) & 1);
}

static inline const struct nlu_lex_entry *lx(const struct parser *ps, int category, size_t p)
{
	if (category < 0 || p >= ps->n || !may_start(ps, p, category))
		return NULL;
	return nlu_lexicon_match(ps->nlu->lexicon, ps->lang, category, ps->tk, p);
}

/* Callers pass word as a string literal (here or in a skip_any() list) that start_words[]
 * lists, because the scan tries no grammar at a word unless the table lists it or a
 * lexicon category of the parser starts with it. tests/nlu/test_when_words.c checks both. */
static inline bool is(const struct parser *ps, size_t p, const char *word)
{
	const char *text;

	if (p >= ps->n)
		return false;
	text = ps->tk->token[p].text;
	return text[0] == word[0] && strcmp(text, word) == 0;
}

static bool is_punct(const struct parser *ps, size_t p, char c)
{
	return p < ps->n && ps->tk->token[p].kind == NLU_TOKEN_PUNCT && ps->tk->token[p].text[0] == c;
}

static bool is_number(const struct parser *ps, size_t p)
{
	return p < ps->n && ps->tk->token[p].kind == NLU_TOKEN_NUMBER;
}

/* True when token p follows the previous one with no space. */
static bool glued(const struct parser *ps, size_t p)
{
	return p < ps->n && p > 0 &&
	       !(ps->tk->token[p].flags & (NLU_TOKEN_SPACE_BEFORE | NLU_TOKEN_HYPHEN_BEFORE));
}

/* Skip any of the words in a NULL-terminated list at p; returns the new position. */
static size_t skip_any(const struct parser *ps, size_t p, const char *const *words)
{
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; words[i]; i++) {
			if (is(ps, p, words[i])) {
				p++;
				again = true;
				break;
			}
		}
	}
	return p;
}

static size_t skip_punct(const struct parser *ps, size_t p, char c)
{
	return is_punct(ps, p, c) ? p + 1 : p;
}

/* nlu_number_parse() through the utterance's memo; which is 0 (small) or 1 (integer). */
static bool number_at(const struct parser *ps, size_t p, int which, struct nlu_number *num)
{
	struct scan_memo *m = p < MEMO_TOKENS ? ps->memo : NULL;
	uint64_t bit = 1ULL << (p % 64);
	bool ok;

	if (p >= ps->n)
		return false;
	if (m && (m->known[which] & bit)) {
		*num = m->number[which][p];
		return (m->found[which] & bit) != 0;
	}
	ok = nlu_number_parse(ps->nlu, ps->lang, ps->tk, p,
			      which == 0 ? NLU_NUM_SMALL : NLU_NUM_INTEGER, num);
	if (m) {
		m->known[which] |= bit;
		if (ok)
			m->found[which] |= bit;
		m->number[which][p] = *num;
	}
	return ok;
}

/* A small number (below 100) at p: a day, an hour, minutes. */
static bool small_number(const struct parser *ps, size_t p, struct nlu_number *num)
{
	if (p >= ps->n)
		return false;
	if (ps->tk->token[p].kind == NLU_TOKEN_NUMBER && ps->tk->token[p].len > 2)
		return false;
	return number_at(ps, p, 0, num);
}

/* A count for "dans 3 jours", "in a couple of days": 1 for "un", "a". */
static size_t quantity(const struct parser *ps, size_t p, int *value)
{
	struct nlu_number num;

	if (is(ps, p, "un") || is(ps, p, "une") || is(ps, p, "a") || is(ps, p, "an") ||
	    is(ps, p, "one")) {
		*value = 1;
		return 1;
	}
	if (!number_at(ps, p, 1, &num) || num.ordinal ||
	    num.fraction || num.value < 1 || num.value > 1000)
		return 0;
	*value = (int)num.value;
	return num.token_count;
}

/* ---- Where a date or a time may start ---- */

/*
 * Every word the grammars compare with is(), skip_any() or strcmp() on a token's text.
 * A token that matches none of these and starts no phrase of a category the parser reads is
 * skipped by the scan, so a word missing here would silently stop being read.
 * tests/nlu/test_when_words.c reads this file and fails when a compared word is missing
 * here, when a word here is compared nowhere, or when a comparison's word is not a literal.
 * NOTE: a word that starts no lexicon phrase in a language has no bucket to mark, so the
 * scan skips it in that language whatever this table lists: "au" is not tried in English,
 * nor "the" in French. "ish", "ci", "hence" and "partir" are skipped in both languages,
 * and no grammar starts at them.
 */
static const char *const start_words[] = {
	"a", "about", "after", "an", "and", "apres", "around", "at", "au", "avant", "back",
	"by", "ce", "ci", "current", "day", "de", "des", "du", "during", "en", "environ",
	"et", "for", "from", "h", "half", "hence", "heure", "hour", "in", "ish", "jour",
	"jusque", "la", "le", "les", "m", "moins", "mois", "month", "more", "next", "ni",
	"nor", "now", "of", "on", "one", "or", "ou", "partir", "semaine", "since", "the",
	"this", "through", "thru", "till", "to", "today", "un", "une", "until", "upcoming",
	"vers", "week",
};

/* Both category structs are plain lists of category ids, read here as arrays of int. */
_Static_assert(sizeof(struct nlu_categories) % sizeof(int) == 0, "ids only");
_Static_assert(sizeof(struct nlu_date_categories) % sizeof(int) == 0, "ids only");

/* Bucket 0, a word no phrase starts with, stays clear: the scan skips such words. */
static void starts_mark(uint64_t *starts, uint32_t bucket)
{
	if (bucket)
		starts[bucket / 64] |= 1ULL << (bucket % 64);
}

int nlu_when_starts_create(const struct nlu *nlu, uint64_t **starts)
{
	const struct nlu_lexicon *lex = nlu->lexicon;
	const int *ids[2] = {(const int *)&nlu->cat, (const int *)&nlu->dcat};
	const size_t id_counts[2] = {sizeof(nlu->cat) / sizeof(int), sizeof(nlu->dcat) / sizeof(int)};
	uint32_t limit = nlu_lexicon_bucket_limit(lex);
	uint64_t *set = calloc(limit / 64 + 1, sizeof(*set));

	*starts = NULL;
	if (!set)
		return ENOMEM;
	for (uint32_t bucket = 1; bucket < limit; bucket++) {
		for (size_t s = 0; s < 2; s++) {
			for (size_t k = 0; k < id_counts[s]; k++) {
				if (nlu_lexicon_bucket_has(lex, bucket, ids[s][k]))
					starts_mark(set, bucket);
			}
		}
	}
	for (size_t i = 0; i < sizeof(start_words) / sizeof(start_words[0]); i++) {
		starts_mark(set, nlu_lexicon_bucket_of(lex, NLU_LANG_FR, start_words[i]));
		starts_mark(set, nlu_lexicon_bucket_of(lex, NLU_LANG_EN, start_words[i]));
	}
	*starts = set;
	return 0;
}

bool nlu_when_token_may_start(const struct nlu *nlu, enum nlu_lang lang,
			      const struct nlu_token *t)
{
	if (t->kind != NLU_TOKEN_WORD || t->lex_bucket == NLU_LEX_UNKNOWN ||
	    t->lex_lang != (uint8_t)lang || !nlu->when_starts)
		return true;
	return (nlu->when_starts[t->lex_bucket / 64] >> (t->lex_bucket % 64)) & 1;
}

/* ---- Calendar dates ---- */

static size_t month_at(const struct parser *ps, size_t p, bool allow_abbr, int *month)
{
	const struct nlu_lex_entry *e = lx(ps, ps->c->month, p);

	if (!e || !e->numeric)
		return 0;
	if ((((e)->tag_bits & NLU_TAG_ABBR) || ((e)->tag_bits & NLU_TAG_AMBIGUOUS)) && !allow_abbr &&
	    !(((e)->tag_bits & NLU_TAG_AMBIGUOUS) && ps->n == e->token_count))
		return 0;
	*month = (int)e->number;
	return e->token_count + (is_punct(ps, p + e->token_count, '.') ? 1 : 0);
}

static size_t weekday_at(const struct parser *ps, size_t p, bool whole, int *weekday)
{
	const struct nlu_lex_entry *e = lx(ps, ps->c->weekday, p);
	size_t after;

	if (!e || !e->numeric || ((e)->tag_bits & NLU_TAG_PLURAL))
		return 0;
	after = p + e->token_count;
	if (((e)->tag_bits & NLU_TAG_ABBR) && !whole && !is_punct(ps, after, '.') && !is_punct(ps, after, ',') &&
	    !is_number(ps, after) && !lx(ps, ps->c->month, after))
		return 0;
	*weekday = (int)e->number;
	return e->token_count + (is_punct(ps, after, '.') ? 1 : 0);
}

/* True when what follows a number makes it a time or a quantity, not a day. */
static bool number_is_not_day(const struct parser *ps, size_t p)
{
	return lx(ps, ps->c->hour_mark, p) || is_punct(ps, p, ':') || lx(ps, ps->c->unit, p) ||
	       lx(ps, ps->c->meridiem, p) || is_punct(ps, p, '%');
}

static size_t day_number(const struct parser *ps, size_t p, int *day, bool *ordinal)
{
	struct nlu_number num;

	if (!small_number(ps, p, &num) || num.fraction || num.value < 1 || num.value > 31)
		return 0;
	/* "le 3e jour d'octobre", "the 20th day of next month". */
	if (num.ordinal && (is(ps, p + num.token_count, "jour") || is(ps, p + num.token_count, "day")) &&
	    (is(ps, p + num.token_count + 1, "de") || is(ps, p + num.token_count + 1, "of") ||
	     is(ps, p + num.token_count + 1, "du"))) {
		*day = (int)num.value;
		*ordinal = true;
		return num.token_count;
	}
	if (number_is_not_day(ps, p + num.token_count))
		return 0;
	/* "Thu 9-11am": a number that starts a range of hours is not a day. */
	if (is_punct(ps, p + num.token_count, '-') && is_number(ps, p + num.token_count + 1) &&
	    (lx(ps, ps->c->meridiem, p + num.token_count + 2) ||
	     lx(ps, ps->c->hour_mark, p + num.token_count + 2)))
		return 0;
	*day = (int)num.value;
	*ordinal = num.ordinal;
	return num.token_count;
}

/* A year: 4 digits, 2 digits when allowed, or words ("deux mille vingt-six"). */
static size_t year_at(const struct parser *ps, size_t p, bool allow_two, int *year, bool *two)
{
	const struct nlu_token *t;
	struct nlu_number num;

	if (p >= ps->n)
		return 0;
	t = &ps->tk->token[p];
	*two = false;
	if (t->kind == NLU_TOKEN_NUMBER) {
		if (lx(ps, ps->c->hour_mark, p + 1) || is_punct(ps, p + 1, ':') ||
		    lx(ps, ps->c->unit, p + 1) || lx(ps, ps->c->meridiem, p + 1))
			return 0;
		if (t->len == 4) {
			*year = (t->text[0] - '0') * 1000 + (t->text[1] - '0') * 100 +
				(t->text[2] - '0') * 10 + (t->text[3] - '0');
			return *year >= 1900 && *year <= 2199 ? 1 : 0;
		}
		if (t->len == 2 && allow_two) {
			*year = (t->text[0] - '0') * 10 + (t->text[1] - '0');
			*two = true;
			return 1;
		}
		return 0;
	}
	if (!number_at(ps, p, 1, &num) || num.ordinal ||
	    number_is_not_day(ps, p + num.token_count))
		return 0;
	if (num.value >= 1900 && num.value <= 2199) {
		*year = (int)num.value;
		return num.token_count;
	}
	if (allow_two && num.value >= 0 && num.value < 100 && num.token_count >= 1) {
		*year = (int)num.value;
		*two = true;
		return num.token_count;
	}
	return 0;
}

static bool digits_value(const struct nlu_token *t, int max_len, int *value)
{
	int v = 0;

	if (t->kind != NLU_TOKEN_NUMBER || t->len > max_len)
		return false;
	for (size_t i = 0; i < t->len; i++)
		v = v * 10 + (t->text[i] - '0');
	*value = v;
	return true;
}

/* Day and month of two numbers, in the order the language writes them. */
static bool day_month_order(const struct parser *ps, int a, int b, int *day, int *month)
{
	if (ps->lang == NLU_LANG_EN && a <= 12) {
		*month = a;
		*day = b;
	} else {
		*day = a;
		*month = b;
	}
	if (*month < 1 || *month > 12) {
		/* "14/4": the English order is impossible, the other one is not. */
		if (ps->lang != NLU_LANG_EN || b > 12)
			return false;
		*day = a;
		*month = b;
	}
	return *day >= 1 && *day <= 31;
}

/*
 * Written dates: "2015-03-03", "3/15", "15/02/2013", "31/Oct/1974", "9/2012", "12.03.1958".
 * Every part is glued to the next; a two-part form needs "/".
 */
static size_t numeric_date(const struct parser *ps, size_t p, struct dt_date *d)
{
	const struct nlu_tokens *tk = ps->tk;
	int a, b, c, month;
	char sep;
	size_t q;

	if (!digits_value(&tk->token[p], 4, &a) || p + 2 >= ps->n + 1 || !glued(ps, p + 1) ||
	    tk->token[p + 1].kind != NLU_TOKEN_PUNCT)
		return 0;
	sep = tk->token[p + 1].text[0];
	if (sep != '/' && sep != '-' && sep != '.')
		return 0;
	q = p + 2;
	if (!glued(ps, q))
		return 0;
	/* "31/Oct/1974": a month name in the middle. */
	if (month_at(ps, q, true, &month)) {
		size_t m = q + 1;

		if (!is_punct(ps, m, sep) || !glued(ps, m) || !glued(ps, m + 1) ||
		    !digits_value(&tk->token[m + 1], 4, &c) || a < 1 || a > 31)
			return 0;
		d->set |= DT_DAY | DT_MONTH | DT_YEAR;
		d->day = a;
		d->month = month;
		d->year = c;
		d->year_two_digits = tk->token[m + 1].len == 2;
		return m + 2 - p;
	}
	if (!digits_value(&tk->token[q], 4, &b))
		return 0;
	if (tk->token[p].len == 4) {
		/* Year first: "2015-03-03", "2014/10". */
		d->year = a;
		d->set |= DT_YEAR | DT_MONTH;
		d->month = b;
		if (is_punct(ps, q + 1, sep) && glued(ps, q + 1) && glued(ps, q + 2) &&
		    digits_value(&tk->token[q + 2], 2, &c)) {
			d->set |= DT_DAY;
			d->day = c;
			q += 2;
		}
		return b >= 1 && b <= 12 && a >= 1900 ? q + 1 - p : 0;
	}
	if (tk->token[p].len > 2)
		return 0;
	if (is_punct(ps, q + 1, sep) && glued(ps, q + 1) && glued(ps, q + 2) &&
	    digits_value(&tk->token[q + 2], 4, &c) &&
	    (tk->token[q + 2].len == 2 || tk->token[q + 2].len == 4) && tk->token[q].len <= 2) {
		if (!day_month_order(ps, a, b, &d->day, &d->month))
			return 0;
		d->set |= DT_DAY | DT_MONTH | DT_YEAR;
		d->year = c;
		d->year_two_digits = tk->token[q + 2].len == 2;
		return q + 3 - p;
	}
	if (sep != '/')
		return 0;
	if (tk->token[q].len == 4) {
		/* "9/2012": a month. */
		if (a < 1 || a > 12)
			return 0;
		d->set |= DT_MONTH | DT_YEAR;
		d->month = a;
		d->year = b;
		return q + 1 - p;
	}
	if (tk->token[q].len > 2 || !day_month_order(ps, a, b, &d->day, &d->month))
		return 0;
	/* "4/13/1": a third part that is no year makes it no date. */
	if (is_punct(ps, q + 1, sep) && glued(ps, q + 1))
		return 0;
	d->set |= DT_DAY | DT_MONTH;
	return q + 1 - p;
}

/* "17 02 2014", "le 20 2 14": a day, a month and maybe a year written apart. */
static size_t spaced_date(const struct parser *ps, size_t p, bool article, struct dt_date *d)
{
	const struct nlu_tokens *tk = ps->tk;
	int day, month, year;

	if (!digits_value(&tk->token[p], 2, &day) || !is_number(ps, p + 1) ||
	    !digits_value(&tk->token[p + 1], 2, &month) || glued(ps, p + 1) || month < 1 ||
	    month > 12 || day < 1 || day > 31 || number_is_not_day(ps, p + 2))
		return 0;
	/* "06 12 34 56 78" is a phone number: a fourth number after the year makes it no date. */
	if (is_number(ps, p + 2) && !glued(ps, p + 2) && digits_value(&tk->token[p + 2], 4, &year) &&
	    (tk->token[p + 2].len == 2 || tk->token[p + 2].len == 4) &&
	    !number_is_not_day(ps, p + 3) && !is_number(ps, p + 3)) {
		d->set |= DT_DAY | DT_MONTH | DT_YEAR;
		d->day = day;
		d->month = month;
		d->year = year;
		d->year_two_digits = tk->token[p + 2].len == 2;
		return 3;
	}
	/* Two numbers alone read as a date only after "le" or as the whole utterance. */
	if (!article && !(p == 0 && ps->n == 2))
		return 0;
	if (is_number(ps, p + 2))
		return 0;
	d->set |= DT_DAY | DT_MONTH;
	d->day = day;
	d->month = month;
	return 2;
}

/* "of this month", "du mois prochain": the month of a bare day. */
static size_t month_of_day(const struct parser *ps, size_t p, struct dt_date *d)
{
	static const char *const lead[] = {"of", "de", "du", "the", "ce", "this", "le", NULL};
	size_t q = skip_any(ps, p, lead);
	const struct nlu_lex_entry *e;
	int offset = 0;

	if (q == p)
		return 0;
	if (lx(ps, ps->c->this_, q) && !is(ps, q, "ce"))
		q++;
	e = lx(ps, ps->c->next, q);
	if (e && is(ps, q + e->token_count, "month")) {
		offset = 1;
		q += e->token_count;
	}
	if (!is(ps, q, "mois") && !is(ps, q, "month"))
		return 0;
	q++;
	if (is(ps, q, "ci"))
		q++;
	e = lx(ps, ps->c->next, q);
	if (e) {
		offset = 1;
		q += e->token_count;
	}
	d->set |= DT_MONTH_REL;
	d->month_offset = offset;
	return q - p;
}

/*
 * Day, month and year in any order the languages use: "mardi 3 mars 2026", "le 1er",
 * "March 3rd, 2015", "the 3rd of March", "Sunday, March 6", "12/03/1958", "15juin".
 */
static size_t calendar(const struct parser *ps, size_t p, bool article, bool month_alone_ok,
		       struct dt_date *d)
{
	size_t q = p, n;
	int weekday, month, day, year;
	bool ordinal, two;

	n = weekday_at(ps, q, ps->n == 1, &weekday);
	if (n) {
		d->set |= DT_WEEKDAY;
		d->weekday = weekday;
		q += n;
		q = skip_punct(ps, q, ',');
		if (is(ps, q, "le") || is(ps, q, "the"))
			q++;
	}
	if (is_number(ps, q) && (n = numeric_date(ps, q, d)) != 0)
		return q + n - p;
	/* "2024 August", "2024-Aug". */
	if (is_number(ps, q) && ps->tk->token[q].len == 4 && year_at(ps, q, false, &year, &two)) {
		size_t r = q + 1;

		if ((is_punct(ps, r, '-') || is_punct(ps, r, '/')) && glued(ps, r))
			r++;
		n = month_at(ps, r, true, &month);
		if (n) {
			d->set |= DT_MONTH | DT_YEAR;
			d->month = month;
			d->year = year;
			return r + n - p;
		}
	}

	/* Month first: "March 3rd", "mars 2015", "Aug 10, 2012", "February the 15th". Whether
	 * an abbreviation may stand is worked out only at a word that may start a month. */
	n = 0;
	if (q < ps->n && ps->c->month >= 0 && may_start(ps, q, ps->c->month))
		n = month_at(ps, q, is_number(ps, q + 1) || is_punct(ps, q + 1, '.') || d->set ||
					    month_alone_ok || is(ps, q + 1, "the") ||
					    day_number(ps, q + 1, &day, &ordinal) ||
					    ((is_punct(ps, q + 1, '-') || is_punct(ps, q + 1, '/')) &&
					     glued(ps, q + 1) && is_number(ps, q + 2)),
			     &month);
	if (n) {
		size_t r = q + n, s;

		r = skip_punct(ps, r, ',');
		/* "Sep-2012", "June of 2022". */
		if (((is_punct(ps, r, '-') || is_punct(ps, r, '/')) && glued(ps, r)) ||
		    ((is(ps, r, "of") || is(ps, r, "de")) && is_number(ps, r + 1)))
			if (year_at(ps, r + 1, false, &year, &two))
				r++;
		s = is(ps, r, "the") ? r + 1 : r;
		n = day_number(ps, s, &day, &ordinal);
		if (n && !year_at(ps, s, false, &year, &two)) {
			d->set |= DT_DAY | DT_MONTH;
			d->day = day;
			d->month = month;
			r = skip_punct(ps, s + n, ',');
			n = year_at(ps, r, true, &year, &two);
			if (n) {
				d->set |= DT_YEAR;
				d->year = year;
				d->year_two_digits = two;
				r += n;
			}
			return r - p;
		}
		n = year_at(ps, r, ps->lang == NLU_LANG_EN && glued(ps, r) == false, &year, &two);
		if (n) {
			d->set |= DT_MONTH | DT_YEAR;
			d->month = month;
			d->year = year;
			d->year_two_digits = two;
			return r + n - p;
		}
		if (d->set || month_alone_ok || !((lx(ps, ps->c->month, q))->tag_bits & NLU_TAG_ABBR)) {
			if (!(d->set & DT_WEEKDAY) && !month_alone_ok && ps->n > 1 &&
			    ps->lang == NLU_LANG_EN)
				return d->set ? q - p : 0;
			d->set |= DT_MONTH;
			d->month = month;
			return q + (n = month_at(ps, q, true, &month)) - p;
		}
		return d->set ? q - p : 0;
	}

	/* Day first: "le 3 mars", "3rd of March 2015", "le 3", "17 02 2014". */
	if (is(ps, q, "the"))
		q++, article = true;
	if (is_number(ps, q) && (n = spaced_date(ps, q, article, d)) != 0)
		return q + n - p;
	n = day_number(ps, q, &day, &ordinal);
	if (n) {
		size_t r = q + n;
		size_t s = skip_any(ps, r, (const char *const[]){"of", "de", "du", "jour", "day", NULL});

		s = skip_punct(ps, s, ',');
		if (is(ps, s, "mois") && is(ps, s + 1, "de"))
			s += 2;
		n = month_at(ps, s, true, &month);
		if (n) {
			d->set |= DT_DAY | DT_MONTH;
			d->day = day;
			d->month = month;
			r = skip_punct(ps, s + n, ',');
			n = year_at(ps, r, true, &year, &two);
			if (n) {
				d->set |= DT_YEAR;
				d->year = year;
				d->year_two_digits = two;
				r += n;
			}
			return r - p;
		}
		size_t m, after_day = skip_any(ps, r, (const char *const[]){"jour", "day", NULL});

		m = month_of_day(ps, after_day, d);
		if (m || article || ordinal || (d->set & DT_WEEKDAY)) {
			d->set |= DT_DAY;
			d->day = day;
			return (m ? after_day + m : r) - p;
		}
	}
	return d->set ? q - p : 0;
}

static size_t unit_offset(const struct parser *ps, size_t p, int *offset);

/*
 * "le premier mercredi du mois prochain", "the last Friday of October", "le dernier jour
 * d'octobre 2015", "first Monday of this month".
 */
static size_t nth_of_month(const struct parser *ps, size_t p, struct dt_date *d)
{
	static const char *const lead[] = {"de", "du", "of", "in", NULL};
	static const char *const articles[] = {"the", "le", "la", "ce", "this", NULL};
	const struct nlu_lex_entry *e = lx(ps, ps->nlu->cat.ordinal, p);
	struct nlu_number num;
	struct dt_date probe;
	size_t q, r, n;
	int nth, weekday = 0, month, year;
	bool two;

	if (!e && !is_number(ps, p) &&
	    !(p < ps->n && may_start(ps, p, ps->nlu->cat.number)))
		return 0;
	if (e && e->numeric && (e->number == -1 || (e->number >= 1 && e->number <= 5))) {
		nth = (int)e->number;
		q = p + e->token_count;
	} else if (small_number(ps, p, &num) && num.ordinal && num.value >= 1 && num.value <= 5) {
		nth = (int)num.value;
		q = p + num.token_count;
	} else {
		return 0;
	}
	n = weekday_at(ps, q, true, &weekday);
	if (n)
		q += n;
	else if (is(ps, q, "jour") || is(ps, q, "day"))
		q++;
	else
		return 0;
	r = skip_any(ps, q, lead);
	if (r == q)
		return 0;
	q = skip_any(ps, r, articles);
	memset(&probe, 0, sizeof(probe));
	n = month_at(ps, q, true, &month);
	if (n) {
		probe.set = DT_MONTH;
		probe.month = month;
		q += n;
		n = year_at(ps, q, false, &year, &two);
		if (n) {
			probe.set |= DT_YEAR;
			probe.year = year;
			q += n;
		}
	} else if (is(ps, q, "mois") || is(ps, q, "month")) {
		int offset = 0;

		q++;
		q += unit_offset(ps, q, &offset);
		probe.set = DT_MONTH_REL;
		probe.month_offset = offset;
	} else {
		const struct nlu_lex_entry *m = lx(ps, ps->c->next, r);
		int offset = 0;

		if (m)
			offset = 1;
		else if ((m = lx(ps, ps->c->last, r)) != NULL)
			offset = -1;
		else if ((m = lx(ps, ps->c->this_, r)) == NULL)
			return 0;
		q = r + m->token_count;
		if (!is(ps, q, "month"))
			return 0;
		q++;
		probe.set = DT_MONTH_REL;
		probe.month_offset = offset;
	}
	*d = probe;
	d->set |= DT_NTH | (weekday ? DT_WEEKDAY : 0);
	d->nth = nth;
	d->weekday = weekday;
	return q - p;
}

/* The modifier after a unit: +1 "prochaine", -1 "dernière", 0 when none. */
static size_t unit_offset(const struct parser *ps, size_t p, int *offset)
{
	const struct nlu_lex_entry *e = lx(ps, ps->c->next, p);

	if (e) {
		*offset = 1;
		return e->token_count;
	}
	e = lx(ps, ps->c->last, p);
	if (e) {
		*offset = -1;
		return e->token_count;
	}
	if (is(ps, p, "after") && is(ps, p + 1, "next")) {
		*offset = 2;
		return 2;
	}
	return 0;
}

/* "la semaine prochaine", "next month", "cette année", "ce week-end", "en semaine". */
static size_t period(const struct parser *ps, size_t p, int pre_offset, bool pre_set,
		     struct dt_date *d)
{
	const struct nlu_lex_entry *e = lx(ps, ps->c->unit, p);
	size_t q;
	int offset = pre_offset;

	if (!e)
		return 0;
	q = p + e->token_count;
	q += unit_offset(ps, q, &offset);
	if (q == p + e->token_count && !pre_set)
		return 0;
	if (strcmp(e->value, "week") == 0 || strcmp(e->value, "weekend") == 0) {
		d->set |= DT_WEEK;
		d->week_offset = offset;
		if (strcmp(e->value, "weekend") == 0)
			d->part = PART_WEEKEND;
	} else if (strcmp(e->value, "month") == 0) {
		d->set |= DT_MONTH_REL;
		d->month_offset = offset;
	} else if (strcmp(e->value, "year") == 0) {
		d->set |= DT_YEAR_REL;
		d->year_offset = offset;
	} else {
		return 0;
	}
	return q - p;
}

/* "début avril", "fin du mois", "en fin de semaine", "mi-décembre", "the end of March". */
static size_t period_part(const struct parser *ps, size_t p, struct dt_date *d)
{
	static const char *const lead[] = {"de", "du", "of", "the", "la", "le", "this", NULL};
	const struct nlu_lex_entry *e = lx(ps, ps->c->period_part, p);
	enum dt_period_part part;
	size_t q, n;
	int month, year;
	bool two;

	if (!e)
		return 0;
	if (strcmp(e->value, "begin") == 0)
		part = PART_BEGIN;
	else if (strcmp(e->value, "middle") == 0)
		part = PART_MIDDLE;
	else if (strcmp(e->value, "end") == 0)
		part = PART_END;
	else if (strcmp(e->value, "first_half") == 0)
		part = PART_FIRST_HALF;
	else
		part = PART_SECOND_HALF;
	q = skip_any(ps, p + e->token_count, lead);
	if (is(ps, q, "mois") && is(ps, q + 1, "de"))
		q += 2;
	n = month_at(ps, q, true, &month);
	if (n) {
		d->set |= DT_MONTH;
		d->month = month;
		d->part = part;
		q += n;
		n = year_at(ps, q, false, &year, &two);
		if (n) {
			d->set |= DT_YEAR;
			d->year = year;
			q += n;
		}
		return q - p;
	}
	n = year_at(ps, q, false, &year, &two);
	if (n) {
		d->set |= DT_YEAR;
		d->year = year;
		d->part = part;
		return q + n - p;
	}
	{
		/* "end of next week", "le début de la semaine prochaine". */
		const struct nlu_lex_entry *m;
		int offset = 0;

		q = skip_any(ps, q, (const char *const[]){"around", NULL});
		if ((m = lx(ps, ps->c->this_, q)) != NULL) {
			q += m->token_count;
		} else if ((m = lx(ps, ps->c->next, q)) != NULL) {
			offset = 1;
			q += m->token_count;
		} else if ((m = lx(ps, ps->c->last, q)) != NULL) {
			offset = -1;
			q += m->token_count;
		}
		q = skip_any(ps, q, (const char *const[]){"around", NULL});
		n = period(ps, q, offset, true, d);
	}
	if (!n)
		return 0;
	if ((d->set & DT_WEEK) && part == PART_FIRST_HALF)
		return 0;
	d->part = part;
	return q + n - p;
}

/* After a weekday: "prochain", "dernier", "en huit", "de la semaine prochaine". */
static size_t weekday_modifier(const struct parser *ps, size_t p, struct dt_date *d)
{
	static const char *const lead[] = {"de", "of", "la", "the", "from", NULL};
	const struct nlu_lex_entry *e;
	size_t q;
	int offset = 0;

	e = lx(ps, ps->c->week_later, p);
	if (e) {
		/* "mardi en huit" said on a Tuesday is a week from today. */
		d->later_days = (int)e->number;
		d->wd_mode = WD_FROM_TODAY;
		return e->token_count;
	}
	q = skip_any(ps, p, lead);
	if (lx(ps, ps->c->this_, q) && (is(ps, q + 1, "semaine") || is(ps, q + 1, "week"))) {
		d->wd_mode = WD_IN_WEEK;
		d->week_offset = 0;
		return q + 2 - p;
	}
	e = lx(ps, ps->c->next, q);
	if (e && is(ps, q + e->token_count, "week")) {
		d->wd_mode = WD_IN_WEEK;
		d->week_offset = 1;
		return q + e->token_count + 1 - p;
	}
	e = lx(ps, ps->c->last, q);
	if (e && is(ps, q + e->token_count, "week")) {
		d->wd_mode = WD_IN_WEEK;
		d->week_offset = -1;
		return q + e->token_count + 1 - p;
	}
	if (is(ps, q, "semaine") || is(ps, q, "week")) {
		size_t n = unit_offset(ps, q + 1, &offset);

		if (n) {
			d->wd_mode = WD_IN_WEEK;
			d->week_offset = offset;
			return q + 1 + n - p;
		}
	}
	if (is(ps, p, "after") && is(ps, p + 1, "next")) {
		/* "Friday after next": the Friday after the coming one. */
		d->wd_mode = WD_AFTER_TODAY;
		d->later_days = 7;
		return 2;
	}
	e = lx(ps, ps->c->next, p);
	if (e) {
		d->wd_mode = WD_NEXT_WEEK;
		return e->token_count;
	}
	e = lx(ps, ps->c->last, p);
	if (e) {
		d->wd_mode = WD_LAST;
		return e->token_count;
	}
	return 0;
}

/* Copy the language's window of a week, month or year part into the date. */
static void part_window(const struct parser *ps, struct dt_date *d)
{
	enum nlu_period_unit unit;
	int name;

	switch (d->part) {
	case PART_BEGIN:
		name = NLU_PART_BEGIN;
		break;
	case PART_MIDDLE:
		name = NLU_PART_MIDDLE;
		break;
	case PART_END:
		name = NLU_PART_END;
		break;
	case PART_FIRST_HALF:
		name = NLU_PART_FIRST_HALF;
		break;
	case PART_SECOND_HALF:
		name = NLU_PART_SECOND_HALF;
		break;
	default:
		return;
	}
	if (d->set & (DT_WEEK))
		unit = NLU_PERIOD_WEEK;
	else if (d->set & (DT_MONTH | DT_MONTH_REL))
		unit = NLU_PERIOD_MONTH;
	else
		unit = NLU_PERIOD_YEAR;
	d->part_from = ps->nlu->period_window[ps->lang][unit][name].from;
	d->part_to = ps->nlu->period_window[ps->lang][unit][name].to;
}

/*
 * A date: a calendar date, a relative day, a week, month or year, or a part of one,
 * with its modifiers ("mardi prochain", "next week", "ce lundi", "le mois dernier").
 */
static size_t parse_date_said(const struct parser *ps, size_t p, struct dt_date *d)
{
	static const char *const articles[] = {"le", "la", "les", "the", NULL};
	const struct nlu_lex_entry *e;
	size_t q = p, n;
	bool article = false, month_alone_ok = false;
	int pre_offset = 0;
	bool pre_set = false, pre_this = false, pre_last = false, pre_next = false;

	memset(d, 0, sizeof(*d));
	if (is(ps, q, "on") || is(ps, q, "for"))
		q++;
	if (p > 0 && (is(ps, p - 1, "en") || is(ps, p - 1, "in") || is(ps, p - 1, "of") ||
		      is(ps, p - 1, "until") || is(ps, p - 1, "from") || is(ps, p - 1, "since") ||
		      is(ps, p - 1, "during")))
		month_alone_ok = true;
	e = lx(ps, ps->c->relday, q);
	if (e && e->numeric) {
		d->set |= DT_REL;
		d->rel_days = (int)e->number;
		return q + e->token_count - p;
	}
	if ((is(ps, q, "au") || is(ps, q, "le")) && is(ps, q + 1, "mois") && is(ps, q + 2, "de")) {
		q += 3;
		month_alone_ok = true;
	}
	if (is(ps, q, "en") && lx(ps, ps->c->month, q + 1)) {
		q++;
		month_alone_ok = true;
	}
	/* "en semaine": working days of this week. */
	if (is(ps, q, "en") && is(ps, q + 1, "semaine") && !lx(ps, ps->c->next, q + 2) &&
	    !lx(ps, ps->c->last, q + 2)) {
		d->set |= DT_WEEK;
		d->part = PART_WORKWEEK;
		return q + 2 - p;
	}
	n = period_part(ps, q, d);
	if (n)
		return q + n - p;
	n = nth_of_month(ps, q, d);
	if (n)
		return q + n - p;
	if (skip_any(ps, q, articles) != q) {
		article = true;
		q = skip_any(ps, q, articles);
		n = period_part(ps, q, d);
		if (n)
			return q + n - p;
		n = nth_of_month(ps, q, d);
		if (n)
			return q + n - p;
	}
	/* "à partir du 15", "jusqu'au 10": the article is inside the bound just read. */
	if (p >= 2 && (is(ps, p - 1, "du") || is(ps, p - 1, "au")) &&
	    (is(ps, p - 2, "partir") || is(ps, p - 2, "jusque") || is(ps, p - 2, "apres") ||
	     is(ps, p - 2, "avant") || is(ps, p - 2, "des")))
		article = true;

	e = lx(ps, ps->c->relday, q);
	if (e && e->numeric) {
		d->set |= DT_REL;
		d->rel_days = (int)e->number;
		return q + e->token_count - p;
	}
	if ((e = lx(ps, ps->c->this_, q)) != NULL) {
		pre_this = pre_set = true;
		q += e->token_count;
	} else if (ps->lang == NLU_LANG_EN && (e = lx(ps, ps->c->next, q)) != NULL) {
		pre_next = pre_set = true;
		pre_offset = 1;
		q += e->token_count;
	} else if (ps->lang == NLU_LANG_EN && (e = lx(ps, ps->c->last, q)) != NULL) {
		pre_last = pre_set = true;
		pre_offset = -1;
		q += e->token_count;
	} else if (is(ps, q, "current") || is(ps, q, "upcoming")) {
		pre_set = true;
		pre_offset = is(ps, q, "upcoming") ? 1 : 0;
		q++;
	}
	/* "la semaine du 6 octobre", "the week of October 6th": the week that contains it. */
	if ((is(ps, q, "semaine") && (is(ps, q + 1, "du") || is(ps, q + 1, "de"))) ||
	    (is(ps, q, "week") && is(ps, q + 1, "of"))) {
		struct dt_date day = {0};

		n = calendar(ps, q + 2, true, false, &day);
		if (n && (day.set & DT_DAY)) {
			*d = day;
			d->set |= DT_WEEK_OF;
			return q + 2 + n - p;
		}
		memset(d, 0, sizeof(*d));
	}
	n = period(ps, q, pre_offset, pre_set || article, d);
	if (n && (pre_set || d->week_offset || d->month_offset || d->year_offset ||
		  (d->set & DT_WEEK && d->part == PART_WEEKEND)))
		return q + n - p;
	memset(d, 0, sizeof(*d));

	n = calendar(ps, q, article, month_alone_ok || pre_set, d);
	if (!n)
		return 0;
	q += n;
	if ((d->set & DT_WEEKDAY) && !(d->set & DT_DAY)) {
		n = weekday_modifier(ps, q, d);
		q += n;
		if (!n) {
			if (pre_next)
				d->wd_mode = WD_NEXT_WEEK;
			else if (pre_last)
				d->wd_mode = WD_LAST;
			else if (pre_this)
				d->wd_mode = WD_FROM_TODAY;
		}
	}
	d->this_ = pre_this;
	return q - p;
}

static size_t parse_date(const struct parser *ps, size_t p, struct dt_date *d)
{
	size_t n = parse_date_said(ps, p, d);

	if (n)
		part_window(ps, d);
	return n;
}

/* ---- Times of day ---- */

static enum dt_meridiem meridiem_of_tag(const struct nlu_lex_entry *e)
{
	if (((e)->tag_bits & NLU_TAG_AM))
		return MER_AM;
	if (((e)->tag_bits & NLU_TAG_NIGHT))
		return MER_NIGHT;
	return MER_PM;
}

static size_t meridiem_at(const struct parser *ps, size_t p, enum dt_meridiem *m)
{
	const struct nlu_lex_entry *e = lx(ps, ps->c->meridiem, p);
	size_t n;

	if (!e)
		return 0;
	if (((e)->tag_bits & NLU_TAG_ABBR) && !glued(ps, p))
		return 0;
	*m = strcmp(e->value, "am") == 0 ? MER_AM : MER_PM;
	n = e->token_count;
	if (is_punct(ps, p + n, '.'))
		n++;
	return n;
}

/* Minutes after an hour mark: "30", "trente", "et quart", "moins le quart", "moins dix". */
static size_t minutes_after(const struct parser *ps, size_t p, struct dt_clock *c)
{
	const struct nlu_lex_entry *e = lx(ps, ps->c->minute_phrase, p);
	struct nlu_number num;
	size_t q = p;

	if (e && e->numeric) {
		if (e->number < 0) {
			c->hour = c->hour == 0 ? 23 : c->hour - 1;
			c->minute = 60 + (int)e->number;
		} else {
			c->minute = (int)e->number;
		}
		c->has_minute = true;
		return e->token_count;
	}
	if (is(ps, q, "moins") && small_number(ps, q + 1, &num) && num.value > 0 && num.value < 60 &&
	    !num.ordinal) {
		q += 1 + num.token_count;
		if (lx(ps, ps->c->unit, q) && strcmp(lx(ps, ps->c->unit, q)->value, "minute") == 0)
			q++;
		c->hour = c->hour == 0 ? 23 : c->hour - 1;
		c->minute = 60 - (int)num.value;
		c->has_minute = true;
		return q - p;
	}
	if (is(ps, q, "et") && small_number(ps, q + 1, &num) && lx(ps, ps->c->unit, q + 1 + num.token_count))
		q++;
	if (small_number(ps, q, &num) && !num.ordinal && num.value >= 0 && num.value < 60 &&
	    !lx(ps, ps->c->hour_mark, q + num.token_count) &&
	    !(lx(ps, ps->c->unit, q + num.token_count) &&
	      strcmp(lx(ps, ps->c->unit, q + num.token_count)->value, "minute") != 0)) {
		if (num.digits_form && ps->tk->token[q].len != 2 && !glued(ps, q))
			return 0;
		q += num.token_count;
		if (lx(ps, ps->c->unit, q) && strcmp(lx(ps, ps->c->unit, q)->value, "minute") == 0)
			q++;
		else if (is(ps, q, "m") && glued(ps, q))
			q++;
		c->minute = (int)num.value;
		c->has_minute = true;
		return q - p;
	}
	return 0;
}

/* "quarter past two", "ten to five", "20 minutes past 3pm", "half three". */
static size_t minutes_before_hour(const struct parser *ps, size_t p, struct dt_clock *c)
{
	const struct nlu_lex_entry *e = lx(ps, ps->c->minute_before, p);
	struct nlu_number num;
	const struct nlu_lex_entry *clock;
	int minutes;
	size_t q;

	if (e && e->numeric) {
		minutes = (int)e->number;
		q = p + e->token_count;
	} else if (is(ps, p, "half") && ps->lang == NLU_LANG_EN) {
		minutes = 30;
		q = p + 1;
	} else {
		bool said_minutes = false;

		if (!small_number(ps, p, &num) || num.ordinal || num.value < 1 || num.value > 59)
			return 0;
		q = p + num.token_count;
		if (lx(ps, ps->c->unit, q) && strcmp(lx(ps, ps->c->unit, q)->value, "minute") == 0) {
			q++;
			said_minutes = true;
		}
		/* "ten to five" but not "13 to 15 July": minutes without the word are 1-30. */
		if (!said_minutes && num.value > 30)
			return 0;
		if (lx(ps, ps->c->minute_past, q))
			minutes = (int)num.value;
		else if (lx(ps, ps->c->minute_to, q))
			minutes = -(int)num.value;
		else
			return 0;
		q++;
		if (!said_minutes && (!small_number(ps, q, &num) || num.value > 12 ||
				      lx(ps, ps->c->month, q + num.token_count)) &&
		    !lx(ps, ps->c->clock, q))
			return 0;
	}
	clock = lx(ps, ps->c->clock, q);
	if (clock) {
		c->hour = clock->value[0] == '1' ? 12 : 0;
		c->explicit24 = true;
		c->named = true;
		q += clock->token_count;
	} else if (small_number(ps, q, &num) && !num.ordinal && num.value <= 24) {
		c->hour = (int)num.value;
		c->explicit24 = num.value > 12;
		q += num.token_count;
		if (lx(ps, ps->c->hour_mark, q))
			q += lx(ps, ps->c->hour_mark, q)->token_count;
	} else {
		return 0;
	}
	if (minutes < 0) {
		c->hour = c->hour == 0 ? 23 : c->hour - 1;
		minutes += 60;
	}
	c->minute = minutes;
	c->has_minute = true;
	return q - p;
}

/* "1230pm", "tonight 815": an hour and minutes written as one number. */
static bool packed_clock(const struct parser *ps, size_t p, struct dt_clock *c)
{
	int v;

	if (!digits_value(&ps->tk->token[p], 4, &v) || ps->tk->token[p].len < 3)
		return false;
	if (v / 100 > 24 || v % 100 > 59)
		return false;
	c->hour = v / 100;
	c->minute = v % 100;
	c->has_minute = true;
	c->explicit24 = ps->tk->token[p].len == 4 && ps->tk->token[p].text[0] == '0';
	return true;
}

static size_t day_part(const struct parser *ps, size_t p, struct dt_time *tm);

/* A clock time starting with a number: "14h30", "2:30 pm", "3 heures et quart", "at 5". */
static size_t number_clock(const struct parser *ps, size_t p, bool bare_ok, struct dt_clock *c)
{
	struct nlu_number num;
	const struct nlu_lex_entry *mark;
	struct dt_time part;
	size_t q, n;
	bool words;

	if (!small_number(ps, p, &num) || num.ordinal || num.fraction) {
		/* "1230pm", "330 p.m.", "at 1030": a meridiem or four digits after "at". */
		if (is_number(ps, p) && packed_clock(ps, p, c)) {
			n = meridiem_at(ps, p + 1, &c->meridiem);
			c->marked = n > 0;
			/* "at 730 in the evening", "tonight 815", "at 150ish". */
			if (n || day_part(ps, p + 1, &part) || is(ps, p + 1, "ish") ||
			    (bare_ok && (ps->tk->token[p].len == 4 || !is(ps, p - 1, "at")) &&
			     !is_punct(ps, p + 1, ',') && !is_punct(ps, p + 1, '.') &&
			     !lx(ps, ps->c->unit, p + 1)))
				return 1 + n + (is(ps, p + 1, "ish") ? 1 : 0);
		}
		return 0;
	}
	if (num.value > 24)
		return 0;
	words = !num.digits_form;
	c->hour = (int)num.value;
	c->explicit24 = num.value == 0 || num.value > 12 ||
			(num.digits_form && ps->tk->token[p].text[0] == '0');
	q = p + num.token_count;
	if (is(ps, q, "ish"))
		q++;

	mark = lx(ps, ps->c->hour_mark, q);
	if (mark && !(strcmp(ps->tk->token[q].text, "h") == 0 && !glued(ps, q) &&
		      !is_number(ps, q + 1) && ps->lang == NLU_LANG_EN)) {
		bool written = strcmp(ps->tk->token[q].text, "h") == 0;

		q += mark->token_count;
		n = minutes_after(ps, q, c);
		/* "14h75": glued digits that are no minutes make no time. */
		if (!n && is_number(ps, q) && glued(ps, q))
			return 0;
		q += n;
		/* "8h10m00": seconds are not kept. */
		if (is_number(ps, q) && glued(ps, q))
			q++;
		c->marked = true;
		/* Written French is 24-hour: "7h30", "3h00" (not the spoken "3 heures 30"). */
		if (ps->lang == NLU_LANG_FR && num.digits_form && c->has_minute && written)
			c->explicit24 = true;
		n = meridiem_at(ps, q, &c->meridiem);
		return q + n - p;
	}
	if (is_punct(ps, q, ':') && glued(ps, q) && glued(ps, q + 1) && is_number(ps, q + 1) &&
	    ps->tk->token[q + 1].len == 2) {
		int minute;

		digits_value(&ps->tk->token[q + 1], 2, &minute);
		if (minute > 59)
			return 0;
		c->minute = minute;
		c->has_minute = true;
		c->marked = true;
		if (ps->lang == NLU_LANG_FR)
			c->explicit24 = true;
		q += 2;
		if (is_punct(ps, q, ':') && glued(ps, q) && is_number(ps, q + 1) && glued(ps, q + 1)) {
			int second;

			digits_value(&ps->tk->token[q + 1], 2, &second);
			if (second > 59 || ps->tk->token[q + 1].len != 2)
				return 0;
			q += 2;
		}
		return q + meridiem_at(ps, q, &c->meridiem) - p;
	}
	/* "at 12.30", "6.13 AM". */
	if (is_punct(ps, q, '.') && glued(ps, q) && glued(ps, q + 1) && is_number(ps, q + 1) &&
	    ps->tk->token[q + 1].len == 2) {
		struct dt_clock probe = *c;
		int minute;

		digits_value(&ps->tk->token[q + 1], 2, &minute);
		n = meridiem_at(ps, q + 2, &probe.meridiem);
		if (minute <= 59 && (n || bare_ok)) {
			*c = probe;
			c->minute = minute;
			c->has_minute = true;
			c->marked = true;
			return q + 2 + n - p;
		}
	}
	n = meridiem_at(ps, q, &c->meridiem);
	if (n) {
		c->marked = true;
		return q + n - p;
	}
	/* "two thirty", "at 3 15", "twelve oh three", "nine fifty nine a m". */
	if ((words || bare_ok) && small_number(ps, q, &num) && !num.ordinal &&
	    (num.value >= 10 || num.digit_count == 2) && num.value < 60 &&
	    (!num.digits_form || (bare_ok && ps->tk->token[q].len == 2)) &&
	    !lx(ps, ps->c->unit, q + num.token_count) &&
	    !lx(ps, ps->c->hour_mark, q + num.token_count) &&
	    !is_punct(ps, q + num.token_count, ':') && !lx(ps, ps->c->month, q + num.token_count) &&
	    (bare_ok || meridiem_at(ps, q + num.token_count, &c->meridiem) ||
	     day_part(ps, q + num.token_count, &part) || ps->n == q + num.token_count)) {
		c->minute = (int)num.value;
		c->has_minute = true;
		q += num.token_count;
		n = meridiem_at(ps, q, &c->meridiem);
		c->marked = n > 0;
		return q + n - p;
	}
	/* "four in the evening", "5 du soir": the part of the day that follows makes it a time. */
	if (day_part(ps, q, &part) && !lx(ps, ps->c->this_, q))
		bare_ok = true;
	if (bare_ok && !lx(ps, ps->c->unit, q) && !lx(ps, ps->c->month, q) && !is_number(ps, q) &&
	    !is_punct(ps, q, '%') && !is_punct(ps, q, '/') && !is_punct(ps, q, '.') &&
	    !is_punct(ps, q, ',') && !(is_punct(ps, q, '-') && is_number(ps, q + 1)))
		return q - p;
	return 0;
}

/* "le matin", "cet après-midi", "in the evening", "tonight", "en fin de matinée". */
static size_t day_part_read(const struct parser *ps, size_t p, struct dt_time *tm)
{
	const struct nlu_lex_entry *e = NULL;
	size_t q = p;
	bool today = false;

	/* Skip "en", "dans la", "this"... one word at a time (lexicon "daypart_lead"), so a
	 * phrase that starts with one of them ("the pm") is still found. */
	while (q < ps->n) {
		const struct nlu_lex_entry *t;

		e = lx(ps, ps->c->daypart, q);
		if (e)
			break;
		if (lx(ps, ps->c->daypart_lead, q)) {
			q++;
			continue;
		}
		t = lx(ps, ps->c->this_, q);
		if (!t)
			break;
		today = true;
		q += t->token_count;
	}
	if (!e)
		return 0;
	memset(tm, 0, sizeof(*tm));
	tm->kind = TM_PART;
	tm->from = (e->value[0] - '0') * 600 + (e->value[1] - '0') * 60 + (e->value[3] - '0') * 10 +
		   (e->value[4] - '0');
	tm->to = (e->value[6] - '0') * 600 + (e->value[7] - '0') * 60 + (e->value[9] - '0') * 10 +
		 (e->value[10] - '0');
	tm->hint = meridiem_of_tag(e);
	tm->today = today || ((e)->tag_bits & NLU_TAG_TODAY_PM);
	return q + e->token_count - p;
}

/* A part of the day at p ("ce soir", "the morning") through the utterance's memo; tm is
 * written only when one is found. */
static size_t day_part(const struct parser *ps, size_t p, struct dt_time *tm)
{
	struct scan_memo *m = p < MEMO_TOKENS ? ps->memo : NULL;
	uint64_t bit = 1ULL << (p % 64);
	size_t n;

	if (m && (m->part_known & bit)) {
		if (m->part_len[p])
			*tm = m->part[p];
		return m->part_len[p];
	}
	n = day_part_read(ps, p, tm);
	if (m && n <= UINT8_MAX) {
		m->part_known |= bit;
		m->part_len[p] = (uint8_t)n;
		if (n)
			m->part[p] = *tm;
	}
	return n;
}

static size_t parse_time(const struct parser *ps, size_t p, bool bare_ok, bool endpoint,
			 struct dt_time *tm)
{
	static const char *const lead[] = {"at", "a", "vers", "around", "@", "for", "by", NULL};
	const struct nlu_lex_entry *e;
	struct dt_clock c;
	size_t q = p, n;

	memset(tm, 0, sizeof(*tm));
	memset(&c, 0, sizeof(c));
	n = day_part(ps, q, tm);
	if (n)
		return n;
	if (skip_any(ps, q, lead) != q) {
		q = skip_any(ps, q, lead);
		bare_ok = true;
	}
	while ((e = lx(ps, ps->c->approx, q)) != NULL) {
		q += e->token_count;
		bare_ok = true;
	}
	if (is(ps, q, "a") && ps->lang == NLU_LANG_FR)
		q++;

	e = lx(ps, ps->c->clock, q);
	if (e) {
		c.hour = e->value[0] == '1' ? 12 : 0;
		c.explicit24 = true;
		c.marked = true;
		c.named = true;
		q += e->token_count;
		n = minutes_after(ps, q, &c);
		q += n;
	} else if (!endpoint && (n = minutes_before_hour(ps, q, &c)) != 0) {
		q += n;
		q += meridiem_at(ps, q, &c.meridiem);
		c.marked = true;
	} else if ((n = number_clock(ps, q, bare_ok, &c)) != 0) {
		q += n;
	} else {
		return 0;
	}
	tm->kind = TM_CLOCK;
	tm->a = c;
	return q - p;
}

/* ---- Relative dates, durations, exclusions ---- */

static int unit_days(const char *unit)
{
	if (strcmp(unit, "day") == 0)
		return 1;
	if (strcmp(unit, "week") == 0)
		return 7;
	if (strcmp(unit, "fortnight") == 0)
		return 14;
	return 0;
}

static int unit_minutes(const char *unit)
{
	if (strcmp(unit, "minute") == 0)
		return 1;
	if (strcmp(unit, "hour") == 0)
		return 60;
	if (strcmp(unit, "half_hour") == 0)
		return 30;
	if (strcmp(unit, "quarter_hour") == 0)
		return 15;
	return 0;
}

/* A count and a unit: "trois jours", "a couple of weeks", "une demi-heure", "quinze jours". */
static size_t amount(const struct parser *ps, size_t p, int *count, const char **unit)
{
	const struct nlu_lex_entry *e, *mod;
	size_t q = p, n;

	e = lx(ps, ps->c->unit, q);
	if (e && (unit_minutes(e->value) == 30 || unit_minutes(e->value) == 15 ||
		  strcmp(e->value, "fortnight") == 0) &&
	    !is(ps, q, "heure") && !is(ps, q, "hour")) {
		*count = 1;
		*unit = e->value;
		return e->token_count;
	}
	if (is(ps, q, "a") || is(ps, q, "an") || is(ps, q, "un") || is(ps, q, "une")) {
		e = lx(ps, ps->c->unit, q + 1);
		if (e && unit_minutes(e->value) != 1) {
			*count = 1;
			*unit = e->value;
			return 1 + e->token_count;
		}
	}
	mod = lx(ps, ps->nlu->cat.number_mod, q);
	if (mod && mod->numeric) {
		*count = (int)mod->number;
		q += mod->token_count;
	} else {
		n = quantity(ps, q, count);
		if (!n)
			return 0;
		q += n;
	}
	if (is(ps, q, "more") || is(ps, q, "de") || is(ps, q, "of"))
		q += lx(ps, ps->c->unit, q + 1) ? 1 : 0;
	e = lx(ps, ps->c->unit, q);
	if (!e || strcmp(e->value, "weekend") == 0)
		return 0;
	/* A bare "h" is an hour mark ("14h"), not a unit, unless a count came first in words. */
	if (strcmp(ps->tk->token[q].text, "h") == 0 && glued(ps, q))
		return 0;
	*unit = e->value;
	/* "dans huit jours" is a week, "dans quinze jours" two weeks. */
	if (ps->lang == NLU_LANG_FR && strcmp(e->value, "day") == 0 && (*count == 8 || *count == 15))
		*count = *count == 8 ? 7 : 14;
	return q + e->token_count - p;
}

/* Apply count units from today to a date or a time: "dans 3 jours", "in 2 hours". */
static bool offset_atom(int count, const char *unit, int sign, struct atom *a)
{
	int minutes = unit_minutes(unit), days = unit_days(unit);

	memset(a, 0, sizeof(*a));
	a->part_from = -1;
	if (minutes) {
		a->kind = ATOM_TIME;
		a->time.kind = TM_NOW_REL;
		a->time.rel_minutes = sign * count * minutes;
		return true;
	}
	a->kind = ATOM_DATE;
	a->date.set = DT_REL;
	if (days)
		a->date.rel_days = sign * count * days;
	else if (strcmp(unit, "month") == 0)
		a->date.rel_months = sign * count;
	else if (strcmp(unit, "year") == 0)
		a->date.rel_years = sign * count;
	else
		return false;
	return true;
}

/* "the next 3 days", "les 2 dernières semaines", "next 3 months": whole days, weeks, months. */
static bool span_atom(const char *unit, int count, int sign, struct atom *a)
{
	int days = unit_days(unit);

	memset(a, 0, sizeof(*a));
	a->kind = ATOM_DATE;
	if (strcmp(unit, "week") == 0) {
		a->date.set = DT_NEXT_WEEKS;
		a->date.week_offset = sign > 0 ? 1 : -count;
		a->date.span = count;
	} else if (strcmp(unit, "month") == 0) {
		a->date.set = DT_NEXT_MONTHS;
		a->date.month_offset = sign > 0 ? 1 : -count;
		a->date.span = count;
	} else if (days) {
		a->date.set = DT_NEXT_DAYS;
		a->date.rel_days = sign > 0 ? 1 : -count * days;
		a->date.span_days = count * days;
	} else {
		return false;
	}
	return true;
}

/*
 * "dans trois jours", "in two weeks", "il y a deux jours", "3 days later", "d'ici 2
 * semaines", "les 3 prochains jours", "next 3 days".
 */
static size_t parse_relative(const struct parser *ps, size_t p, struct atom *a)
{
	const struct nlu_lex_entry *e;
	const char *unit;
	size_t q = p, n;
	int count, sign = 1;
	bool within = false;

	/* Every form reads a unit ("jours", "weeks") or a weekday at or after p. */
	if (p >= ps->unit_end)
		return 0;
	/* Only a count, a unit, "dans", "il y a", "les" or "next" can start one. */
	if (p >= ps->n || (ps->tk->token[p].kind == NLU_TOKEN_PUNCT) ||
	    (ps->tk->token[p].kind == NLU_TOKEN_WORD &&
	     !may_start(ps, p, ps->c->in) &&
	     !may_start(ps, p, ps->c->ago) &&
	     !may_start(ps, p, ps->c->next) &&
	     !may_start(ps, p, ps->c->last) &&
	     !may_start(ps, p, ps->c->unit) &&
	     !may_start(ps, p, ps->nlu->cat.number) &&
	     !may_start(ps, p, ps->nlu->cat.number_mod) &&
	     !is(ps, p, "les") && !is(ps, p, "the") && !is(ps, p, "un") && !is(ps, p, "une") &&
	     !is(ps, p, "a") && !is(ps, p, "an")))
		return 0;
	e = lx(ps, ps->c->in, q);
	if (!e)
		e = lx(ps, ps->c->ago, q);
	if (e) {
		sign = strcmp(e->value, "ago") == 0 ? -1 : 1;
		within = strcmp(e->value, "within") == 0;
		q += e->token_count;
		while ((e = lx(ps, ps->c->approx, q)) != NULL)
			q += e->token_count;
		n = amount(ps, q, &count, &unit);
		if (!n)
			return 0;
		q += n;
		if (within && unit_days(unit)) {
			memset(a, 0, sizeof(*a));
			a->part_from = -1;
			a->kind = ATOM_DATE;
			a->date.set = DT_NEXT_DAYS;
			a->date.span_days = count * unit_days(unit) + 1;
			return q - p;
		}
		return offset_atom(count, unit, sign, a) ? q - p : 0;
	}
	/* "les 3 prochains jours", "the next 3 days", "3 semaines suivantes", "past 2 weeks". */
	q = skip_any(ps, q, (const char *const[]){"les", "the", NULL});
	{
		int s = 0;
		size_t r = q;
		const struct nlu_lex_entry *u;

		if ((e = lx(ps, ps->c->next, r)) != NULL || (e = lx(ps, ps->c->last, r)) != NULL) {
			s = lx(ps, ps->c->next, r) ? 1 : -1;
			r += e->token_count;
			n = quantity(ps, r, &count);
			r += n;
		} else if ((n = quantity(ps, r, &count)) != 0) {
			r += n;
			if ((e = lx(ps, ps->c->next, r)) != NULL ||
			    (e = lx(ps, ps->c->last, r)) != NULL) {
				s = lx(ps, ps->c->next, r) ? 1 : -1;
				r += e->token_count;
			}
		}
		u = n ? lx(ps, ps->c->unit, r) : NULL;
		if (s == 0 && u && n) {
			/* "3 semaines suivantes", "2 semaines passées": the modifier comes last. */
			size_t t = r + u->token_count;

			if ((e = lx(ps, ps->c->next, t)) != NULL || (e = lx(ps, ps->c->last, t)) != NULL) {
				s = lx(ps, ps->c->next, t) ? 1 : -1;
				if (span_atom(u->value, count, s, a))
					return t + e->token_count - p;
			}
		}
		if (s != 0 && u && span_atom(u->value, count, s, a))
			return r + u->token_count - p;
	}
	/* "2 sundays from now", "2 thursdays ago": the nth such weekday after or before today. */
	n = quantity(ps, q, &count);
	if (n && count <= 52) {
		const struct nlu_lex_entry *w = lx(ps, ps->c->weekday, q + n);

		if (w && w->numeric && ((w)->tag_bits & NLU_TAG_PLURAL)) {
			size_t r = q + n + w->token_count;
			int direction = 0;

			if (is(ps, r, "from") && is(ps, r + 1, "now")) {
				direction = 1;
				r += 2;
			} else if ((e = lx(ps, ps->c->ago, r)) != NULL || is(ps, r, "back")) {
				direction = -1;
				r += e ? e->token_count : 1;
			}
			if (direction) {
				memset(a, 0, sizeof(*a));
				a->kind = ATOM_DATE;
				a->date.set = DT_WEEKDAY;
				a->date.weekday = (int)w->number;
				a->date.wd_mode = direction > 0 ? WD_AFTER_TODAY : WD_LAST;
				a->date.later_days = direction * 7 * (count - 1);
				return r - p;
			}
		}
	}
	/* "3 days later", "deux jours plus tard", "two weeks ago", "a week from now". */
	n = amount(ps, q, &count, &unit);
	if (!n)
		return 0;
	q += n;
	/* "2 days after tomorrow", "a week before yesterday", "deux jours après demain". */
	e = lx(ps, ps->c->bound_after, q);
	if (!e)
		e = lx(ps, ps->c->bound_before, q);
	if (e && unit_days(unit)) {
		const struct nlu_lex_entry *rel = lx(ps, ps->c->relday, q + e->token_count);
		int direction = lx(ps, ps->c->bound_after, q) ? 1 : -1;

		if (rel && rel->numeric) {
			memset(a, 0, sizeof(*a));
			a->kind = ATOM_DATE;
			a->date.set = DT_REL;
			a->date.rel_days = (int)rel->number + direction * count * unit_days(unit);
			return q + e->token_count + rel->token_count - p;
		}
	}
	e = lx(ps, ps->c->later, q);
	if (e) {
		q += e->token_count;
		if (is(ps, q, "now") || is(ps, q, "today"))
			q++;
		return offset_atom(count, unit, 1, a) ? q - p : 0;
	}
	if (is(ps, q, "from") && (is(ps, q + 1, "now") || is(ps, q + 1, "today")))
		return offset_atom(count, unit, 1, a) ? q + 2 - p : 0;
	if (is(ps, q, "hence"))
		return offset_atom(count, unit, 1, a) ? q + 1 - p : 0;
	e = lx(ps, ps->c->ago, q);
	if (e)
		return offset_atom(count, unit, -1, a) ? q + e->token_count - p : 0;
	return 0;
}

/* "pendant une heure", "for 30 minutes", "pour une demi-heure". */
static size_t parse_duration(const struct parser *ps, size_t p, struct atom *a)
{
	const struct nlu_lex_entry *e = lx(ps, ps->c->duration, p);
	const char *unit;
	size_t q, n;
	int count;

	if (!e)
		return 0;
	q = p + e->token_count;
	q = skip_any(ps, q, (const char *const[]){"about", "environ", NULL});
	n = amount(ps, q, &count, &unit);
	if (!n || (!unit_minutes(unit) && !unit_days(unit)) || count > 24 * 60)
		return 0;
	memset(a, 0, sizeof(*a));
	a->kind = ATOM_DURATION;
	/* "pour 10 jours": days are kept apart from minutes, as they stretch a date. */
	if (unit_days(unit))
		a->days = count * unit_days(unit);
	else
		a->minutes = count * unit_minutes(unit);
	return q + n - p;
}

/* "pas le lundi", "sauf mercredi et jeudi", "any day but Friday", "pas le matin". */
static size_t parse_except(const struct parser *ps, size_t p, struct atom *a)
{
	static const char *const joins[] = {"et", "ni", "and", "or", "ou", "nor", NULL};
	const struct nlu_lex_entry *e = lx(ps, ps->c->except, p);
	size_t q, last = 0;
	struct dt_time tm;

	if (!e)
		return 0;
	memset(a, 0, sizeof(*a));
	a->kind = ATOM_EXCEPT;
	a->part_from = -1;
	q = p + e->token_count;
	for (int gap = 0; gap < 3 && q < ps->n; gap++) {
		const struct nlu_lex_entry *w = lx(ps, ps->c->weekday, q);
		size_t n;

		if (w && w->numeric) {
			a->weekdays |= 1u << w->number;
			q += w->token_count;
			last = q;
			q = skip_punct(ps, q, ',');
			q = skip_any(ps, q, joins);
			gap = -1;
			continue;
		}
		n = day_part(ps, q, &tm);
		if (n && a->part_from < 0) {
			a->part_from = tm.from;
			a->part_to = tm.to;
			q += n;
			last = q;
			gap = -1;
			continue;
		}
		if (!lx(ps, ps->c->except_gap, q))
			break;
		q++;
	}
	if (!last)
		return 0;
	return last - p;
}

/* ---- Ranges ---- */

enum end_kind { END_NONE, END_DATE, END_TIME, END_NUMBER };

struct endpoint {
	enum end_kind kind;
	size_t date_len; /* tokens parse_date() read at the start, 0 for none, even if not kept */
	struct dt_date date;
	struct dt_time time;
	int number;
	bool article;
};

static size_t endpoint(const struct parser *ps, size_t p, struct endpoint *ep)
{
	struct nlu_number num;
	size_t n;

	memset(ep, 0, sizeof(*ep));
	ep->article = is(ps, p, "le") || is(ps, p, "the");
	n = parse_date(ps, p, &ep->date);
	ep->date_len = n;
	if (n && !(ep->date.set & DT_NEXT_DAYS)) {
		ep->kind = END_DATE;
		return n;
	}
	n = parse_time(ps, p, false, true, &ep->time);
	if (n && ep->time.kind == TM_CLOCK) {
		ep->kind = END_TIME;
		return n;
	}
	if (ep->article)
		p++;
	if (small_number(ps, p, &num) && !num.fraction && num.value >= 0 && num.value <= 31) {
		ep->kind = END_NUMBER;
		ep->number = (int)num.value;
		return num.token_count + (ep->article ? 1 : 0);
	}
	return 0;
}

/* Fill the fields one end of a date range leaves unsaid from the other: "du 13 au 15 juillet". */
static void fill_date(struct dt_date *d, const struct dt_date *from, bool d_is_start)
{
	if (d->set & (DT_REL | DT_WEEK | DT_MONTH_REL) || from->set & (DT_REL | DT_WEEK))
		return;
	if (!(d->set & DT_MONTH) && (from->set & DT_MONTH) && (d->set & DT_DAY)) {
		d->set |= DT_MONTH;
		d->month = from->month;
	}
	if (!(d->set & DT_YEAR) && (from->set & DT_YEAR) && (d->set & DT_MONTH)) {
		d->set |= DT_YEAR;
		d->year = from->year;
		d->year_two_digits = from->year_two_digits;
		/* "From December to May 2022": the start is in the year before. */
		if (d_is_start && d->month > from->month)
			d->year--;
		else if (!d_is_start && d->month < from->month)
			d->year++;
	}
}

static struct dt_clock number_as_clock(int number)
{
	struct dt_clock c;

	memset(&c, 0, sizeof(c));
	c.hour = number;
	c.explicit24 = number == 0 || number > 12;
	return c;
}

/* Both ends of a time range read a bare hour alike: "1am-3", "12-3pm". */
static void range_meridiem(struct dt_time *tm)
{
	if (tm->b.meridiem == MER_NONE && tm->a.meridiem != MER_NONE && !tm->b.explicit24) {
		tm->b.meridiem = tm->a.meridiem;
		if (tm->a.meridiem == MER_PM && tm->b.hour < tm->a.hour && tm->a.hour != 12)
			tm->b.meridiem = MER_AM;
	}
	if (tm->a.meridiem == MER_NONE && tm->b.meridiem != MER_NONE && !tm->a.explicit24 &&
	    (tm->a.hour <= tm->b.hour || tm->a.hour == 12))
		tm->a.meridiem = tm->b.meridiem;
	/* "de 9h à 5h": a bare end before the start is read after it. */
	if (tm->a.explicit24 && !tm->b.explicit24 && tm->b.meridiem == MER_NONE && tm->b.hour < 12 &&
	    tm->b.hour + 12 > tm->a.hour && tm->b.hour < tm->a.hour)
		tm->b.meridiem = MER_PM;
	if (!tm->a.explicit24 && tm->a.meridiem == MER_NONE && tm->b.explicit24 && tm->b.hour > 12 &&
	    tm->a.hour + 12 <= tm->b.hour && tm->a.hour >= 1)
		tm->a.meridiem = MER_PM;
	if (!tm->a.explicit24 && tm->a.meridiem == MER_NONE && tm->b.explicit24 &&
	    tm->a.hour >= 8 && tm->a.hour < tm->b.hour)
		tm->a.meridiem = MER_AM;
}

/*
 * "entre 10h et 11h", "de 9h30 à 11h", "13h-15h", "du 13 au 15 juillet", "10 juin au 1er
 * juillet", "between 2 and 3 pm", "August 10 - 22, 2012".
 */
static size_t parse_range(const struct parser *ps, size_t p, const struct endpoint *first,
			  size_t first_len, struct atom *a)
{
	const struct nlu_lex_entry *start = lx(ps, ps->c->range_start, p);
	const struct nlu_lex_entry *join;
	struct endpoint x, y;
	size_t q = p, n;
	bool between = false, days_words = false;

	if (start) {
		between = strcmp(start->value, "between") == 0;
		days_words = is(ps, p, "du") || is(ps, p, "from");
		q += start->token_count;
	}
	/* The caller may have read the first end already. */
	if (first && !start) {
		x = *first;
		n = first_len;
	} else {
		n = endpoint(ps, q, &x);
	}
	if (!n)
		return 0;
	q += n;
	join = lx(ps, ps->c->range_end, q);
	if (!join) {
		join = lx(ps, ps->c->bound_before, q);
		if (!join || strcmp(join->value, "until") != 0)
			return 0;
	}
	if (between && strcmp(join->value, "and") != 0)
		return 0;
	if (!between && strcmp(join->value, "and") == 0)
		return 0;
	if (!start && !is_punct(ps, q, '-') && !is(ps, q, "au") && !is(ps, q, "to") &&
	    !is(ps, q, "through") && !is(ps, q, "jusque") && !is(ps, q, "till") &&
	    !is(ps, q, "until") && !is(ps, q, "thru"))
		return 0;
	days_words = days_words || is(ps, q, "au") || is(ps, q, "jusque");
	/* "15 to noon" is a quarter to twelve, not a range from 15. */
	if (!start && x.kind == END_NUMBER && !is_punct(ps, q, '-') && !is(ps, q, "au") &&
	    !is(ps, q, "jusque")) {
		struct endpoint probe;

		if (!endpoint(ps, q + join->token_count, &probe) || probe.kind != END_DATE)
			return 0;
	}
	q += join->token_count;
	n = endpoint(ps, q, &y);
	if (!n)
		return 0;
	q += n;

	memset(a, 0, sizeof(*a));
	if (x.kind == END_NUMBER && y.kind == END_NUMBER && !x.article && !y.article) {
		struct dt_time part;
		enum dt_meridiem m;

		/* "from 3 to 4 in the afternoon", "de 5 à 7 du soir": hours. */
		if (day_part(ps, q, &part) || meridiem_at(ps, q, &m))
			days_words = false;
	}
	if (x.kind == END_TIME || y.kind == END_TIME ||
	    (x.kind == END_NUMBER && y.kind == END_NUMBER && start && !days_words && !x.article &&
	     !y.article && x.number <= 24 && y.number <= 24)) {
		if (x.kind == END_DATE || y.kind == END_DATE)
			return 0;
		if (x.kind == END_TIME && (x.time.kind != TM_CLOCK))
			return 0;
		a->kind = ATOM_TIME;
		a->time.kind = TM_RANGE;
		a->time.a = x.kind == END_TIME ? x.time.a : number_as_clock(x.number);
		a->time.b = y.kind == END_TIME ? y.time.a : number_as_clock(y.number);
		/* "I'm at 10 - 20" is no range of hours: one end needs a mark ("h", "pm"), or a
		 * part of the day must follow ("10 - 11 at night"). */
		if (!start && !a->time.a.marked && !a->time.b.marked) {
			struct dt_time part;
			enum dt_meridiem m;

			if (!day_part(ps, q, &part) && !meridiem_at(ps, q, &m))
				return 0;
		}
		if (a->time.a.hour > 24 || a->time.b.hour > 24)
			return 0;
		range_meridiem(&a->time);
	} else if (x.kind == END_DATE || y.kind == END_DATE ||
		   (x.kind == END_NUMBER && y.kind == END_NUMBER && (days_words || x.article))) {
		if (x.kind == END_NUMBER) {
			if (x.number < 1)
				return 0;
			x.date.set = DT_DAY;
			x.date.day = x.number;
		}
		if (y.kind == END_NUMBER) {
			if (y.number < 1)
				return 0;
			y.date.set = DT_DAY;
			y.date.day = y.number;
		}
		if ((x.date.set & (DT_DAY | DT_WEEKDAY | DT_MONTH)) == DT_WEEKDAY &&
		    (y.date.set & (DT_DAY | DT_WEEKDAY | DT_MONTH)) == DT_WEEKDAY) {
			/* "lundi au vendredi" */
		} else if ((x.date.set & DT_DAY) != (y.date.set & DT_DAY) &&
			   !((x.date.set | y.date.set) & DT_REL)) {
			return 0;
		}
		fill_date(&y.date, &x.date, false);
		fill_date(&x.date, &y.date, true);
		a->kind = ATOM_DATE_RANGE;
		a->date = x.date;
		a->date_end = y.date;
	} else {
		return 0;
	}
	return q - p;
}

bool nlu_calendar_parse(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
			size_t pos, struct nlu_calendar *date)
{
	struct parser ps = {nlu, &nlu->dcat, lang, tokens, tokens->count, NULL, false,
			    tokens->count};
	struct dt_date d;
	size_t q = pos, n;

	memset(date, 0, sizeof(*date));
	memset(&d, 0, sizeof(d));
	if (is(&ps, q, "le") || is(&ps, q, "the") || is(&ps, q, "on"))
		q++;
	n = calendar(&ps, q, q != pos, false, &d);
	if (!n || (d.set & (DT_DAY | DT_MONTH)) != (DT_DAY | DT_MONTH))
		return false;
	date->day = d.day;
	date->month = d.month;
	date->has_year = (d.set & DT_YEAR) != 0;
	date->year = d.year;
	date->two_digit_year = d.year_two_digits;
	date->token_count = q + n - pos;
	return true;
}

/* ---- Scan ---- */

static size_t scan_one(const struct parser *ps, size_t p, bool bare_ok, struct atom *a)
{
	const struct nlu_lex_entry *e;
	size_t n;

	struct endpoint x;
	size_t x_len = 0;
	bool x_read = false;

	memset(a, 0, sizeof(*a));
	a->part_from = -1;
	if (lx(ps, ps->c->range_start, p)) {
		if ((n = parse_range(ps, p, NULL, 0, a)) != 0)
			return n;
	} else {
		/* The first end of a range is read once and reused when no range follows. */
		x_len = endpoint(ps, p, &x);
		x_read = true;
		if (x_len && (n = parse_range(ps, p, &x, x_len, a)) != 0)
			return n;
	}
	if ((n = parse_relative(ps, p, a)) != 0)
		return n;
	if ((n = parse_duration(ps, p, a)) != 0)
		return n;
	memset(a, 0, sizeof(*a));
	a->part_from = -1;
	if (x_len && x.kind == END_DATE) {
		a->kind = ATOM_DATE;
		a->date = x.date;
		return x_len;
	}
	if (!x_len) {
		/* The first end already read the date here: the grammar would give the same. */
		if (x_read) {
			a->date = x.date;
			n = x.date_len;
		} else {
			n = parse_date(ps, p, &a->date);
		}
		if (n) {
			a->kind = ATOM_DATE;
			return n;
		}
	}
	/* A clock read as the first end with a mark ("4 pm", "14h30") reads the same alone,
	 * unless minutes before an hour could start here ("10 past 4"). */
	if (x_len && x.kind == END_TIME && x.time.kind == TM_CLOCK && x.time.a.marked &&
	    !lx(ps, ps->c->minute_before, p) && !lx(ps, ps->c->minute_past, p + 1) &&
	    !lx(ps, ps->c->minute_to, p + 1) && !lx(ps, ps->c->unit, p + 1)) {
		a->kind = ATOM_TIME;
		a->time = x.time;
		return x_len;
	}
	if ((n = parse_time(ps, p, bare_ok, false, &a->time)) != 0) {
		a->kind = ATOM_TIME;
		return n;
	}
	e = lx(ps, ps->c->bound_after, p);
	if (e) {
		a->kind = ATOM_AFTER;
		a->inclusive = strcmp(e->value, "from") == 0;
		return e->token_count;
	}
	e = lx(ps, ps->c->bound_before, p);
	if (e) {
		a->kind = ATOM_BEFORE;
		a->inclusive = strcmp(e->value, "until") == 0;
		return e->token_count;
	}
	if ((n = parse_except(ps, p, a)) != 0)
		return n;
	e = lx(ps, ps->c->or_, p);
	if (e || is(ps, p, "et") || is(ps, p, "and") || is_punct(ps, p, ',')) {
		a->kind = ATOM_OR;
		return e ? e->token_count : 1;
	}
	return 0;
}

static size_t scan(const struct parser *ps, struct atom *atoms, size_t max)
{
	size_t count = 0, p = 0;

	while (p < ps->n && count < max) {
		struct atom *a = &atoms[count];
		/* A bare hour is a time right after a date, a part of the day or a bound:
		 * "lundi à 5", "evening 4", "anytime after 3". */
		bool bare_ok = count > 0 && atoms[count - 1].to == p &&
			       (atoms[count - 1].kind == ATOM_DATE ||
				atoms[count - 1].kind == ATOM_AFTER ||
				atoms[count - 1].kind == ATOM_BEFORE ||
				(atoms[count - 1].kind == ATOM_TIME &&
				 atoms[count - 1].time.kind == TM_PART));
		size_t n, run = 0, q = p;

		/* "06 12 34 56 78": four numbers in a row or more are a phone number, not a date. */
		if (is(ps, q, "le") || is(ps, q, "au") || is(ps, q, "the"))
			q++;
		while (is_number(ps, q + run) && ps->tk->token[q + run].len <= 4 &&
		       (run == 0 || !glued(ps, q + run) ||
			(is_punct(ps, q + run - 1, '.') && glued(ps, q + run - 1))))
			run++;
		if (run < 4) {
			/* Digits grouped with dots or dashes: "06.12.34.56.78". */
			size_t k = q;

			run = 0;
			while (is_number(ps, k) && ps->tk->token[k].len <= 4) {
				run++;
				if (!(k + 2 < ps->n && glued(ps, k + 1) && glued(ps, k + 2) &&
				      (is_punct(ps, k + 1, '.') || is_punct(ps, k + 1, '-') ||
				       is_punct(ps, k + 1, ' '))))
					break;
				k += 2;
			}
			if (run >= 4) {
				p = k + 1;
				continue;
			}
		} else {
			p = q + run;
			continue;
		}
		/* No grammar can start at a word that starts no date phrase and is not one the
		 * grammars compare with: trying them there would find nothing. */
		if (!nlu_when_token_may_start(ps->nlu, ps->lang, &ps->tk->token[p])) {
			p++;
			continue;
		}
		n = scan_one(ps, p, bare_ok, a);

		if (!n) {
			int v;

			/* "32 août": a day that cannot be is no date, nor is the month after it. */
			if (digits_value(&ps->tk->token[p], 2, &v) && v > 31 && lx(ps, ps->c->month, p + 1)) {
				p += 2;
				continue;
			}
			/* "2024/13/1", "1.10.30.4": a written number that is no date is skipped whole. */
			if (is_number(ps, p))
				while (p + 2 < ps->n && glued(ps, p + 1) && glued(ps, p + 2) &&
				       ps->tk->token[p + 1].kind == NLU_TOKEN_PUNCT &&
				       is_number(ps, p + 2) && ps->tk->token[p + 1].text[0] != ':')
					p += 2;
			p++;
			continue;
		}
		a->from = p;
		a->to = p + n;
		/* A comma or "and" between two things that are not alternatives is noise. */
		if (a->kind == ATOM_OR && (count == 0 || atoms[count - 1].kind == ATOM_OR ||
					   atoms[count - 1].kind == ATOM_EXCEPT)) {
			p += n;
			continue;
		}
		count++;
		p += n;
	}
	return count;
}

/* ---- Grouping ---- */

struct group {
	struct dt_item item;
	bool used;
};

static bool part_only(const struct dt_item *it)
{
	return it->has_time && it->time.kind == TM_PART;
}

/* Put a clock and a part of the day said together into one time: "8 heures ce soir". */
static bool merge_time(struct dt_item *it, const struct dt_time *tm)
{
	if (!it->has_time) {
		it->time = *tm;
		it->has_time = true;
		return true;
	}
	if (it->time.kind == TM_PART && (tm->kind == TM_CLOCK || tm->kind == TM_RANGE)) {
		struct dt_time part = it->time;

		it->time = *tm;
		it->time.hint = part.hint;
		it->time.today = part.today;
		return true;
	}
	if ((it->time.kind == TM_CLOCK || it->time.kind == TM_RANGE) && tm->kind == TM_PART) {
		it->time.hint = tm->hint;
		it->time.today = it->time.today || tm->today;
		return true;
	}
	return false;
}

/* Combine a second date said with the first: "la semaine prochaine, mardi". */
static bool merge_date(struct dt_item *it, const struct dt_date *d)
{
	if (!it->has_date) {
		it->date = *d;
		it->has_date = true;
		return true;
	}
	if ((it->date.set == DT_WEEK) && it->date.part == PART_NONE && d->set == DT_WEEKDAY &&
	    d->wd_mode == WD_AFTER_TODAY && !d->later_days) {
		int offset = it->date.week_offset;

		it->date = *d;
		it->date.wd_mode = WD_IN_WEEK;
		it->date.week_offset = offset;
		return true;
	}
	if (d->set == DT_WEEK && d->part == PART_NONE && it->date.set == DT_WEEKDAY &&
	    it->date.wd_mode == WD_AFTER_TODAY && !it->date.later_days) {
		it->date.wd_mode = WD_IN_WEEK;
		it->date.week_offset = d->week_offset;
		return true;
	}
	return false;
}

static void span_add(struct dt_item *it, const struct atom *a)
{
	if (it->token_from == it->token_to) {
		it->token_from = a->from;
		it->token_to = a->to;
		return;
	}
	if (a->from < it->token_from)
		it->token_from = a->from;
	if (a->to > it->token_to)
		it->token_to = a->to;
}

static bool group_empty(const struct group *g)
{
	return !g->item.has_date && !g->item.has_time;
}

static size_t group_atoms(const struct atom *atoms, size_t count, struct group *groups,
			  size_t max, unsigned *exclude, int *part_from, int *part_to,
			  int *duration, int *duration_days, size_t *duration_from,
			  size_t *duration_to)
{
	size_t n = 0;
	struct group *g;
	int pending = 0; /* 1 after, 2 before */
	bool inclusive = false;
	size_t pending_from = 0;

	memset(&groups[0], 0, sizeof(groups[0]));
	g = &groups[0];
	for (size_t i = 0; i < count; i++) {
		const struct atom *a = &atoms[i];

		switch (a->kind) {
		case ATOM_OR:
			/* "après 10h et avant midi" is one window, not two choices. */
			if (i + 1 < count && atoms[i + 1].kind == ATOM_BEFORE && g->item.time_after)
				continue;
			if (!group_empty(g) && n + 1 < max) {
				g->used = true;
				g = &groups[++n];
				memset(g, 0, sizeof(*g));
			}
			continue;
		case ATOM_EXCEPT:
			*exclude |= a->weekdays;
			if (a->part_from >= 0) {
				*part_from = a->part_from;
				*part_to = a->part_to;
			}
			continue;
		case ATOM_DURATION:
			*duration = a->minutes;
			*duration_days = a->days;
			*duration_from = a->from;
			*duration_to = a->to;
			continue;
		case ATOM_AFTER:
		case ATOM_BEFORE:
			pending = a->kind == ATOM_AFTER ? 1 : 2;
			inclusive = a->inclusive;
			pending_from = a->from;
			continue;
		case ATOM_DATE:
		case ATOM_DATE_RANGE:
			if (!merge_date(&g->item, &a->date) || (a->kind == ATOM_DATE_RANGE && g->item.has_date_end)) {
				if (n + 1 >= max)
					break;
				g->used = true;
				g = &groups[++n];
				memset(g, 0, sizeof(*g));
				merge_date(&g->item, &a->date);
			}
			if (a->kind == ATOM_DATE_RANGE) {
				g->item.date = a->date;
				g->item.date_end = a->date_end;
				g->item.has_date_end = true;
			}
			if (pending == 1) {
				g->item.date_after = inclusive;
				g->item.date_after_strict = !inclusive;
			} else if (pending == 2) {
				g->item.date_before = !inclusive;
				g->item.date_until = inclusive;
			}
			break;
		case ATOM_TIME:
			/* "later than 3:30pm but before 6pm": the two bounds make one range. */
			if (pending == 2 && g->item.has_time && g->item.time_after &&
			    g->item.time.kind == TM_CLOCK && a->time.kind == TM_CLOCK) {
				g->item.time.kind = TM_RANGE;
				g->item.time.b = a->time.a;
				g->item.time_after = false;
				range_meridiem(&g->item.time);
				break;
			}
			if (!merge_time(&g->item, &a->time)) {
				if (n + 1 >= max)
					break;
				g->used = true;
				g = &groups[++n];
				memset(g, 0, sizeof(*g));
				merge_time(&g->item, &a->time);
			}
			if (pending == 1)
				g->item.time_after = true;
			else if (pending == 2)
				g->item.time_before = true;
			break;
		}
		if (pending) {
			struct atom bound = *a;

			bound.from = pending_from;
			span_add(&g->item, &bound);
		}
		span_add(&g->item, a);
		g->used = true;
		pending = 0;
	}
	if (!group_empty(g))
		n++;
	return n;
}

/* Fill the fields one alternative leaves unsaid from its neighbour. */
static void share_between_groups(struct group *groups, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct dt_item *it = &groups[i].item;

		if (!it->has_date) {
			for (size_t k = i; k-- > 0;) {
				if (groups[k].item.has_date) {
					it->date = groups[k].item.date;
					it->has_date = true;
					break;
				}
			}
		}
		if (!it->has_date) {
			for (size_t k = i + 1; k < n; k++) {
				if (groups[k].item.has_date && !groups[k].item.has_date_end) {
					it->date = groups[k].item.date;
					it->has_date = true;
					break;
				}
			}
		}
	}
	/* "mardi ou jeudi matin", "mardi ou mercredi, pas avant 10h": a part of the day or
	 * a bound said last applies to every alternative. */
	if (n > 1 && (part_only(&groups[n - 1].item) || groups[n - 1].item.time_after ||
		      groups[n - 1].item.time_before)) {
		const struct dt_item *last = &groups[n - 1].item;

		for (size_t i = 0; i + 1 < n; i++) {
			if (!groups[i].item.has_time) {
				groups[i].item.time = last->time;
				groups[i].item.has_time = true;
				groups[i].item.time_after = last->time_after;
				groups[i].item.time_before = last->time_before;
				groups[i].item.time_inclusive = last->time_inclusive;
			}
		}
	}
}

/*
 * "Le plus tôt possible", "as soon as possible": with no other time said, the caller
 * takes the earliest slot, so the preference is every day from now to the horizon.
 */
static void add_soonest(const struct parser *ps, int64_t now, const struct tz *tz,
			struct nlu_when_result *result)
{
	for (size_t p = 0; p < ps->n; p++) {
		const struct nlu_lex_entry *e = lx(ps, ps->c->soonest, p);
		struct nlu_when_match *m = &result->item[0];

		if (!e)
			continue;
		memset(m, 0, sizeof(*m));
		m->when.start = now;
		m->when.end = tz_day_start(tz, tz_day_of(tz, now) + NLU_HORIZON_DAYS);
		m->when.grain = NLU_GRAIN_NONE;
		m->when.minute_from = 0;
		m->when.minute_to = 1440;
		m->when.open_end = true;
		m->token_from = p;
		m->token_to = p + e->token_count;
		m->span = nlu_tokens_span(ps->tk, p, p + e->token_count);
		result->count = 1;
		return;
	}
}

int nlu_when_extract(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		     int64_t now, const struct tz *tz, struct nlu_when_result *result)
{
	struct parser ps;
	struct scan_memo memo;
	struct atom atoms[ATOMS_MAX];
	struct group groups[GROUPS_MAX];
	size_t count, n;
	unsigned exclude = 0;
	int part_from = -1, part_to = -1, duration = 0, duration_days = 0;
	size_t duration_from = 0, duration_to = 0;

	if (!nlu || !tokens || !tz || !result || (lang != NLU_LANG_FR && lang != NLU_LANG_EN))
		return EINVAL;
	memset(result, 0, sizeof(*result));
	ps.nlu = nlu;
	ps.c = &nlu->dcat;
	ps.lang = lang;
	ps.tk = tokens;
	ps.n = tokens->count;
	/* Only the memo's bits are cleared: a number is read before it is used. */
	memo.known[0] = memo.known[1] = 0;
	memo.found[0] = memo.found[1] = 0;
	memo.part_known = 0;
	ps.memo = &memo;
	ps.indexed = true;
	for (size_t i = 0; i < tokens->count; i++) {
		if (tokens->token[i].lex_bucket == NLU_LEX_UNKNOWN ||
		    tokens->token[i].lex_lang != (uint8_t)lang)
			ps.indexed = false;
	}
	ps.unit_end = 0;
	for (size_t i = tokens->count; i-- > 0;) {
		if (may_start(&ps, i, ps.c->unit) || may_start(&ps, i, ps.c->weekday)) {
			ps.unit_end = i + 1;
			break;
		}
	}

	count = scan(&ps, atoms, ATOMS_MAX);
	n = group_atoms(atoms, count, groups, GROUPS_MAX, &exclude, &part_from, &part_to, &duration,
			&duration_days, &duration_from, &duration_to);
	share_between_groups(groups, n);
	if (n == 0 && (exclude || part_from >= 0)) {
		memset(&groups[0], 0, sizeof(groups[0]));
		for (size_t i = 0; i < count; i++) {
			if (atoms[i].kind == ATOM_EXCEPT)
				span_add(&groups[0].item, &atoms[i]);
		}
		n = 1;
	}
	result->duration_days = duration_days;
	if (duration || duration_days) {
		result->duration_minutes = duration;
		result->duration_span = nlu_tokens_span(tokens, duration_from, duration_to);
	}
	for (size_t i = 0; i < n; i++) {
		struct dt_item *it = &groups[i].item;
		struct nlu_when_match *m;

		it->weekday_exclude = exclude;
		it->exclude_from = part_from;
		it->exclude_to = part_to;
		if (result->count == NLU_MAX_WHEN) {
			result->truncated = true;
			break;
		}
		m = &result->item[result->count];
		/* "à 16h pour 30 minutes": the appointment starts at the time said. */
		if (duration && it->has_time && it->time.kind == TM_CLOCK)
			it->time_after = false;
		/* "from 18th Dec for 10 days": the days from the date on. */
		if (duration_days && it->has_date && !it->has_time && !it->has_date_end) {
			it->date_after = false;
			it->date_after_strict = false;
		}
		if (dt_item_resolve(it, now, tz, &m->when, &m->past) != 0)
			continue;
		if (duration_days && it->has_date && !it->has_time && !it->has_date_end &&
		    m->when.grain == NLU_GRAIN_DAY) {
			m->when.end = tz_day_start(tz, tz_day_of(tz, m->when.start) + duration_days);
			m->when.open_end = false;
		}
		if (duration && it->has_time && it->time.kind == TM_CLOCK && !it->time_before) {
			m->when.end = m->when.start + (int64_t)duration * 60;
			m->when.grain = NLU_GRAIN_MINUTE;
			m->when.minute_to = m->when.minute_from + duration < 1440
						    ? m->when.minute_from + duration
						    : 1440;
			m->when.open_end = false;
		}
		/* Weekday bits: bit 1 is Monday, as in struct nlu_when. */
		m->when.weekday_exclude = exclude;
		m->token_from = it->token_from;
		m->token_to = it->token_to;
		m->span = nlu_tokens_span(tokens, it->token_from, it->token_to);
		result->count++;
	}
	if (result->count == 0)
		add_soonest(&ps, now, tz, result);
	return 0;
}
