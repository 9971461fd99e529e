/*
 * Internals of the language-understanding library, shared by its source files.
 *
 * The pipeline for one utterance:
 *   1. nlu_tokenize() cuts the text into tokens with their byte spans in the original,
 *      folds case and accents (core/fold.h, ICU), writes French elisions out ("l'" is
 *      "le") and keeps punctuation as one-character tokens.
 *   2. nlu_tokens_normalize() drops fillers ("euh", "um") and repeated words ("le le
 *      mardi"), using the lexicon's "filler" category.
 *   3. Extraction runs on the normalised tokens: numbers (nlu_number_parse), dates and
 *      times (nlu_when_extract), identity (phone, birth date, names), intents and red
 *      flags (nlu_parse).
 *
 * The lexicon is data: src/nlu/lexicon/<lang>/<name>.tsv, embedded at build time and
 * parsed once by nlu_create() into an immutable struct nlu_lexicon. Rows are
 * "phrase<TAB>category<TAB>value[<TAB>tags]"; '#' starts a comment line. A phrase is
 * tokenised like an utterance, so "l'après-midi" matches the tokens "le apres midi".
 *
 * Everything here is pure and bounded: fixed arrays, no clock, no globals (the embedded
 * lexicon sources are const data).
 */
#ifndef PERMANENCE_NLU_PRIV_H
#define PERMANENCE_NLU_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nlu.h"

/* ---- Tokens ---- */

/* Bytes of an utterance read; the rest is ignored and the tokens are marked truncated. */
#define NLU_INPUT_MAX 4096
/* Tokens kept per utterance; further tokens are dropped and marked truncated. */
#define NLU_TOKENS_MAX 256
/* Bytes of one folded token, NUL included; a longer word is cut at a character boundary. */
#define NLU_TOKEN_TEXT_MAX 48

enum nlu_token_kind {
	NLU_TOKEN_WORD = 0,   /* letters, possibly with an inner apostrophe: "aujourd'hui" */
	NLU_TOKEN_NUMBER,     /* ASCII digits only: "14" in "14h30" */
	NLU_TOKEN_PUNCT,      /* one punctuation character: ":", "/", ".", ",", "-", "+" */
};

/* Token flags. */
#define NLU_TOKEN_SPACE_BEFORE 0x01  /* whitespace separates it from the previous token */
#define NLU_TOKEN_HYPHEN_BEFORE 0x02 /* a hyphen joined it to the previous word: "dix-sept" */
#define NLU_TOKEN_ELIDED 0x04        /* an elision written out: "l'" is "le", "qu'" is "que" */
#define NLU_TOKEN_CAPITAL 0x08       /* its first letter was upper case in the text */
#define NLU_TOKEN_CUT 0x10           /* longer than NLU_TOKEN_TEXT_MAX - 1 bytes: cut */

struct nlu_token {
	char text[NLU_TOKEN_TEXT_MAX]; /* folded: lower case, no accents, NUL-terminated */
	uint8_t len;                   /* strlen(text) */
	uint8_t kind;                  /* enum nlu_token_kind */
	uint16_t flags;
	uint32_t start;                /* byte span [start, end) in the original text */
	uint32_t end;
	/* Lexicon phrases starting with this word, found once by nlu_tokens_normalize():
	 * NLU_LEX_UNKNOWN until then, 0 for none, else 1 + a lexicon bucket index. Code
	 * that rewrites `text` afterwards sets it back to NLU_LEX_UNKNOWN. */
	uint32_t lex_bucket;
	uint8_t lex_lang;
	/* The categories of those phrases: NLU_LEX_MASK_CATEGORIES bits, or NULL. */
	const uint64_t *lex_categories;
};

#define NLU_LEX_UNKNOWN UINT32_MAX
/* Category ids below this are kept in a bit mask per word (lexicon.c). */
#define NLU_LEX_MASK_CATEGORIES 256

/*
 * False when no lexicon phrase of that category can start at this token, known without a
 * lookup once the token was indexed (nlu_tokens_index()); true when it may.
 */
static inline bool nlu_token_may_start(const struct nlu_token *t, enum nlu_lang lang,
				       int category_id)
{
	if (t->lex_bucket == NLU_LEX_UNKNOWN || t->lex_lang != (uint8_t)lang)
		return true;
	if (t->lex_bucket == 0 || category_id < 0)
		return t->lex_bucket != 0;
	if (category_id >= NLU_LEX_MASK_CATEGORIES)
		return true;
	return (t->lex_categories[category_id / 64] >> (category_id % 64)) & 1;
}

struct nlu_tokens {
	const char *source;            /* the original text, not owned */
	size_t count;
	bool truncated;                /* text or token count went past the maxima */
	struct nlu_token token[NLU_TOKENS_MAX];
};

/*
 * Cut UTF-8 text into folded tokens. French elisions (l', d', j', qu', n', s', m', t',
 * c', jusqu', lorsqu', puisqu') become separate written-out words; an apostrophe inside
 * any other word stays in it ("aujourd'hui", "o'clock"). A hyphen between two letters
 * only separates words; elsewhere it is a punctuation token. Letters and digits are
 * split apart: "14h30" is "14" "h" "30". Returns 0, or EINVAL for a NULL text or an
 * unknown language; too long an input is truncated, never rejected.
 */
int nlu_tokenize(const char *text, enum nlu_lang lang, struct nlu_tokens *tokens);

/* Options of nlu_tokens_normalize(). */
#define NLU_NORM_KEEP_FILLERS 0x1 /* keep "euh", "ben" (a name may be "Ben") */
#define NLU_NORM_KEEP_REPEATS 0x2 /* keep repeated words */

struct nlu;

/*
 * Remove fillers (lexicon category "filler") and disfluent repetitions ("le le mardi",
 * "je je voudrais") in place. A repeated number word or single letter is kept, because
 * "douze douze" in a phone number and "L L" in a spelled name are meant.
 */
void nlu_tokens_normalize(const struct nlu *nlu, enum nlu_lang lang, unsigned options,
			  struct nlu_tokens *tokens);

/*
 * Look every token up in the lexicon once, so later matches at that token skip the hash
 * probe. nlu_tokens_normalize() calls it; matching works without it, only slower.
 */
void nlu_tokens_index(const struct nlu *nlu, enum nlu_lang lang, struct nlu_tokens *tokens);

/*
 * Write tokens [from, to) separated by single spaces into buf (always NUL-terminated).
 * Returns 0, or ENOSPC when the text was cut to fit.
 */
int nlu_tokens_join(const struct nlu_tokens *tokens, size_t from, size_t to, char *buf,
		    size_t size);

/* True when token i exists and its folded text is `word`. */
bool nlu_token_is(const struct nlu_tokens *tokens, size_t i, const char *word);

/* A span of the original text, in bytes: [start, end). */
struct nlu_span {
	uint32_t start;
	uint32_t end;
};

/* Byte span of tokens [from, to) in the original text; to > from. */
struct nlu_span nlu_tokens_span(const struct nlu_tokens *tokens, size_t from, size_t to);

/* ---- Lexicon ---- */

/* One embedded lexicon file (generated by lexicon/embed.cmake). */
struct nlu_lexicon_source {
	const char *lang;  /* "fr" or "en": the folder name */
	const char *path;  /* "fr/numbers.tsv", for error messages */
	const char *data;  /* file contents, NUL-terminated */
	size_t size;
};

extern const struct nlu_lexicon_source nlu_lexicon_sources[];
extern const size_t nlu_lexicon_source_count;

/* Words of a phrase kept per lexicon row. */
#define NLU_LEX_PHRASE_TOKENS_MAX 16

/* One lexicon row. Strings live in the lexicon and stay valid until nlu_destroy(). */
struct nlu_lex_entry {
	const char *phrase;        /* as written in the file */
	const char *category;      /* "number", "weekday", "filler", "intent.book", ... */
	const char *value;         /* third column: "1", "monday", "08:00-12:00", ... */
	const char *tags;          /* fourth column, "" when absent */
	int64_t number;            /* value read as a decimal integer when `numeric` */
	bool numeric;
	enum nlu_lang lang;
	int category_id;           /* see nlu_lexicon_category_id() */
	size_t token_count;        /* 1..NLU_LEX_PHRASE_TOKENS_MAX */
	const char *const *tokens; /* the phrase tokenised and folded */
	const char *path;          /* source file, "fr/numbers.tsv" */
	unsigned line;             /* 1-based line in that file */
	unsigned tag_bits;         /* NLU_TAG_* found in tags, for the hot paths */
};

/* Tags the number, date and identity code test on every match (see lexicon/README.md). */
#define NLU_TAG_ABBR 0x001
#define NLU_TAG_AMBIGUOUS 0x002
#define NLU_TAG_ALONE 0x004
#define NLU_TAG_DIGIT_ONLY 0x008
#define NLU_TAG_MULTIPLIER 0x010
#define NLU_TAG_PLURAL 0x020
#define NLU_TAG_WEAK 0x040
#define NLU_TAG_AM 0x080
#define NLU_TAG_PM 0x100
#define NLU_TAG_NIGHT 0x200
#define NLU_TAG_TODAY_PM 0x400

/* True when a comma- or space-separated tag is among the row's tags. */
bool nlu_lex_has_tag(const struct nlu_lex_entry *entry, const char *tag);

struct nlu_lexicon;

/*
 * Parse every embedded source into a lexicon. Returns 0, ENOMEM, or EINVAL when a row is
 * malformed (fewer than three columns, an empty phrase or category, a category other
 * than [a-z0-9_.], more than NLU_LEX_PHRASE_TOKENS_MAX words); the file and line are
 * then written to *why (at most why_size bytes) when why is not NULL.
 */
int nlu_lexicon_create(struct nlu_lexicon **lexp, const struct nlu_lexicon_source *sources,
		       size_t source_count, char *why, size_t why_size);
void nlu_lexicon_destroy(struct nlu_lexicon *lex);

/* Small integer id of a category name, or -1 when no row uses it. */
int nlu_lexicon_category_id(const struct nlu_lexicon *lex, const char *category);
/* Name of a category id, or NULL. */
const char *nlu_lexicon_category_name(const struct nlu_lexicon *lex, int category_id);

/*
 * Rows of one category in one language, contiguous and sorted by phrase (byte order of
 * the folded tokens). Returns their count and sets *entries to the first (NULL when 0).
 */
size_t nlu_lexicon_category(const struct nlu_lexicon *lex, enum nlu_lang lang,
			    int category_id, const struct nlu_lex_entry **entries);

/*
 * Longest row of a category (any category when category_id is -1) whose phrase equals
 * the tokens starting at tokens->token[pos]. Returns the row, or NULL; the match covers
 * entry->token_count tokens.
 */
const struct nlu_lex_entry *nlu_lexicon_match(const struct nlu_lexicon *lex,
					      enum nlu_lang lang, int category_id,
					      const struct nlu_tokens *tokens, size_t pos);

/*
 * Every row whose phrase matches at tokens->token[pos], longest first, whatever the
 * category. Writes at most max pointers into out and returns how many matched (which
 * may exceed max).
 */
size_t nlu_lexicon_matches(const struct nlu_lexicon *lex, enum nlu_lang lang,
			   const struct nlu_tokens *tokens, size_t pos,
			   const struct nlu_lex_entry **out, size_t max);

/*
 * Row of a category whose phrase, tokenised and folded like an utterance, equals
 * `phrase` tokenised the same way ("Après-midi" finds "après-midi"). Returns the row or
 * NULL.
 */
const struct nlu_lex_entry *nlu_lexicon_find(const struct nlu_lexicon *lex,
					     enum nlu_lang lang, int category_id,
					     const char *phrase);

/* Cache in each token the lexicon bucket of its word (see nlu_tokens_index()). */
void nlu_lexicon_index_tokens(const struct nlu_lexicon *lex, enum nlu_lang lang,
			      struct nlu_tokens *tokens);

/*
 * Bucket numbers, as cached in struct nlu_token's lex_bucket: 0 when no phrase starts
 * with the word, else 1 + the bucket's index.
 * - nlu_lexicon_bucket_limit(): one past the largest number.
 * - nlu_lexicon_bucket_of(): the number of a folded word in a language.
 * - nlu_lexicon_bucket_has(): whether a phrase of the category starts with that bucket's
 *   word, false for bucket 0 or a number past the limit.
 */
uint32_t nlu_lexicon_bucket_limit(const struct nlu_lexicon *lex);
uint32_t nlu_lexicon_bucket_of(const struct nlu_lexicon *lex, enum nlu_lang lang, const char *word);
bool nlu_lexicon_bucket_has(const struct nlu_lexicon *lex, uint32_t bucket, int category_id);

/* Total rows, and row i (0 <= i < count) in (language, category, phrase) order. */
size_t nlu_lexicon_size(const struct nlu_lexicon *lex);
const struct nlu_lex_entry *nlu_lexicon_entry(const struct nlu_lexicon *lex, size_t i);

/* ---- The engine ---- */

/* Category ids looked up once in nlu_create(), for the hot paths; -1 when absent. */
struct nlu_rules;
struct nlu_vocab_index;

struct nlu_categories {
	int filler;
	int number;       /* cardinal number words: value is the number */
	int ordinal;      /* "premier", "third": value is the rank */
	int number_mod;   /* "a few", "a dozen": approximate counts, value is the number */
	int month;        /* value 1..12 */
	int weekday;      /* value 1 (Monday) .. 7 (Sunday) */
	int letter;       /* spelled letters: "b", "bé", "double v"; value is the letter */
	int decimal_point;  /* "virgule", "point" */
	int ordinal_suffix; /* "er" in "1er", "rd" in "3rd" */
	int number_suffix;  /* "k" in "100k" */
};

/* Category ids of the date and time words (lexicon/<lang>/dates.tsv). */
struct nlu_date_categories {
	int month, weekday, relday, daypart, daypart_lead, clock, hour_mark, minute_phrase;
	int minute_before, minute_past, minute_to, meridiem, unit;
	int next, last, this_, week_later, period_part;
	int range_start, range_end, bound_after, bound_before, or_, except, except_gap;
	int in, ago, later, duration, approx;
	int soonest; /* "le plus tôt possible": the earliest slot from today */
};

/* Units and parts of struct nlu's period windows. */
enum nlu_period_unit { NLU_PERIOD_WEEK, NLU_PERIOD_MONTH, NLU_PERIOD_YEAR, NLU_PERIOD_UNITS };
enum nlu_period_name {
	NLU_PART_BEGIN,
	NLU_PART_MIDDLE,
	NLU_PART_END,
	NLU_PART_FIRST_HALF,
	NLU_PART_SECOND_HALF,
	NLU_PART_NAMES
};

/* A part of a week, month or year: [from, to) in days from Monday, days or months. */
struct nlu_period_window {
	int from;
	int to;
};

struct nlu {
	struct nlu_lexicon *lexicon;
	/* Read from the lexicon's "period_window" rows; {0, 0} when a language has none. */
	struct nlu_period_window period_window[2][NLU_PERIOD_UNITS][NLU_PART_NAMES];
	struct nlu_categories cat;
	struct nlu_date_categories dcat;
	/* The practice vocabulary, copied from nlu_create()'s argument. */
	struct nlu_practitioner *practitioners;
	size_t practitioner_count;
	struct nlu_appointment_type *types;
	size_t type_count;
	char *vocabulary_strings;  /* one block that the copied strings point into */
	struct nlu_rules *rules;   /* concepts, red-flag and intent rules (rules_priv.h) */
	struct nlu_vocab_index *vocab; /* the vocabulary tokenised (rules_priv.h) */
	/* Bit per lexicon bucket: its word may start a date (nlu_when_starts_create()). */
	uint64_t *when_starts;
};

/* ---- Numbers ---- */

/* A number said or written, starting at some token. */
struct nlu_number {
	int64_t value;        /* integer part; the whole value when !fraction */
	double real;          /* the value as a double, decimals included */
	bool fraction;        /* decimals were given: "6,7" */
	bool ordinal;         /* "troisième", "3rd", "1er" */
	bool digits_form;     /* written with digits, not words */
	int digit_count;      /* digits said or written, leading zeros included ("oh six": 2) */
	size_t token_count;   /* tokens consumed, at least 1 on success */
};

/* Options of nlu_number_parse(). */
#define NLU_NUM_INTEGER 0x1 /* digits alone: no groups ("100 000"), decimals or "k" */
#define NLU_NUM_SMALL 0x2   /* one number below 100, or one digit token: a day, an hour */

/*
 * Read the number starting at tokens->token[pos]: digits ("1.200.000", "6,7", "100k"),
 * words ("soixante-dix-huit", "quatre-vingt-dix-sept", "vingt et un", "septante",
 * "a hundred and five", "twenty-two") or ordinals ("premier", "3rd", "deuxième").
 * English readings by digit groups are understood: "one twenty two" is 122, "nineteen
 * fifty eight" is 1958. Returns true and fills *number, or false when no number starts
 * there.
 */
bool nlu_number_parse(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		      size_t pos, unsigned options, struct nlu_number *number);

/* ---- Dates and times ---- */

/* One time preference found in an utterance, with where it was said. */
struct nlu_when_match {
	struct nlu_when when;
	struct nlu_span span;   /* bytes of the original text that said it */
	size_t token_from;      /* tokens [token_from, token_to) */
	size_t token_to;
	bool past;              /* ends before the reference day: "hier", "lundi dernier" */
};

struct nlu_when_result {
	size_t count;
	struct nlu_when_match item[NLU_MAX_WHEN];
	bool truncated;          /* more alternatives were said than NLU_MAX_WHEN */
	int duration_minutes;    /* "pendant une heure": 60; 0 when none was said */
	int duration_days;       /* "pour 10 jours": 10; 0 when none was said */
	struct nlu_span duration_span;
};

/*
 * Find the time preferences in normalised tokens and resolve them against `now` in
 * zone `tz`, following docs/nlu-conventions.md: alternatives ("mardi ou jeudi") become
 * separate items, exclusions ("pas le lundi") apply to every item, a bare date is never
 * in the past. Returns 0, or EINVAL for a NULL argument or an unknown language; finding
 * nothing is not an error (result->count is 0).
 */
int nlu_when_extract(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		     int64_t now, const struct tz *tz, struct nlu_when_result *result);

/*
 * Build the set of lexicon buckets whose word may start a date or a time: a phrase of a
 * number or date category starts with it, or a grammar compares a token with it. One
 * bit per bucket number (see nlu_lexicon_bucket_limit()); free() it. Returns 0 or
 * ENOMEM.
 */
int nlu_when_starts_create(const struct nlu *nlu, uint64_t **starts);

/*
 * False when no date or time grammar can start at token t, so nlu_when_extract() skips
 * it. That is a word indexed in `lang` that starts no date or number phrase and is not a
 * word the grammars compare with. True otherwise, and always for a token not indexed.
 */
bool nlu_when_token_may_start(const struct nlu *nlu, enum nlu_lang lang,
			      const struct nlu_token *t);

/* A calendar date as written or said, before any year is chosen. */
struct nlu_calendar {
	int day;              /* 1-31 */
	int month;            /* 1-12 */
	int year;             /* as said: 1958, or 58 when two_digit_year */
	bool has_year;
	bool two_digit_year;  /* "12/03/58", "cinquante-huit" */
	size_t token_count;
};

/*
 * Read a day, a month and maybe a year starting at tokens->token[pos], in every order
 * the language uses: "le 12 mars 1958", "12/03/1958", "12 03 58", "douze mars
 * cinquante-huit", "March 12th, 1958", "12th of March 58", "3/12/1958" (English is
 * month first). Returns true and fills *date, or false.
 */
bool nlu_calendar_parse(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
			size_t pos, struct nlu_calendar *date);

/* ---- Identity ---- */

/*
 * Find a phone number: digits in any grouping ("06 12 34 56 78", "06.12.34.56.78"), in
 * words by pairs ("zéro six, douze, trente-quatre") or digit by digit, "double six",
 * with "+33", "0033" or "plus trente-trois". Writes E.164 ("+33612345678") into e164: a
 * French national number (10 digits from 0) takes +33, an international one keeps its
 * code, and in English a 10-digit number from 2-9 is North American (+1). When
 * `expected` is false (the caller was not asked for a number) at least 9 digits or a
 * "+" are needed. Returns 0, ENOENT when no usable number was said, or ENOSPC when e164
 * is smaller than 17 bytes.
 */
int nlu_phone_extract(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		      bool expected, char *e164, size_t size, struct nlu_span *span);

/*
 * Find a date of birth: a calendar date with a year, or with two-digit years read as
 * the latest year not in the future ("58" is 1958 in 2026, "12" is 2012). A date in the
 * future or more than 130 years ago is rejected. When `expected` is false a cue is
 * needed ("né le", "date de naissance", "born on", "date of birth"). Returns 0 or ENOENT.
 */
int nlu_birth_date_extract(const struct nlu *nlu, enum nlu_lang lang,
			   const struct nlu_tokens *tokens, int64_t now, const struct tz *tz,
			   bool expected, struct civil_date *date, struct nlu_span *span);

/*
 * Find a person's name, said ("Claire Martin", "je m'appelle Martin") or spelled
 * ("M, A, R, T, I, N", "M comme Marcel", "B E N A L I", "double L", "trait d'union").
 * Names are written in upper-case ASCII into last and first (empty when not said); a
 * spelled name wins over the words. The lexicon's "first_name" rows tell a first name
 * from a last name said first ("Martin Claire"). When `expected` is false a cue is
 * needed ("je m'appelle", "mon nom est", "my name is"). `raw` must be tokenised without
 * removing fillers, since "Ben" is a name. Returns 0 or ENOENT.
 */
int nlu_name_extract(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *raw,
		     bool expected, char *last, size_t last_size, char *first, size_t first_size);

/*
 * Fill the entities this part of the library owns from one utterance: time preferences
 * and duration, phone (E.164), date of birth, names, and the digits said, steered by
 * input->expect (with NLU_EXPECT_BIRTH_DATE a date is a birth date, not a preference).
 * `tokens` are normalised, `raw` tokenised only. Fields it does not own are left alone.
 * Returns 0 or EINVAL.
 */
int nlu_entities_extract(const struct nlu *nlu, const struct nlu_input *input,
			 const struct nlu_tokens *tokens, const struct nlu_tokens *raw,
			 struct nlu_entities *entities);

#endif
