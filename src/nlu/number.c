/*
 * Numbers in digits and in words, French and English.
 *
 * Words come from the lexicon (category "number": each word's value); this file composes
 * them:
 *   below 100   French: "dix-sept" (10 + 7), "vingt et un", "soixante-dix-huit" (60 +
 *               18), "quatre-vingt-dix-sept" (80 + 17); English: "twenty-two".
 *   below 1000  "trois cents", "cent dix-huit", "dix-neuf cent", "a hundred and five".
 *   scales      1000, 10^6, 10^9 multiply the group before them; a larger scale after a
 *               smaller one multiplies everything so far ("three thousand millions").
 *   groups      English years and numbers read by pairs: "nineteen fifty eight" is
 *               1958, "one twenty two" is 122.
 * Digits may carry groups ("100 000", "1.200.000", "3,000,000"), decimals ("6,7" in
 * French, "1.1" in English), a multiplier ("100k", "3M") or an ordinal suffix ("1er",
 * "3rd").
 */
#include <string.h>

#include "nlu_priv.h"

/* Values past this are not read as numbers: no caller gives a secretary such a figure. */
#define NUMBER_MAX 1000000000000000LL

struct reader {
	const struct nlu *nlu;
	enum nlu_lang lang;
	const struct nlu_tokens *tokens;
	unsigned options;
	int decimal_point; /* category ids */
	int ordinal_suffix;
	int number_suffix;
};

/* A partial reading: its value, how many tokens, whether it ended on an ordinal word. */
struct part {
	int64_t value;
	size_t len;
	bool ordinal;
	int digits; /* digits said, for "oh six" */
};

static const struct nlu_lex_entry *entry_at(const struct reader *r, int category, size_t pos)
{
	if (category < 0 || pos >= r->tokens->count ||
	    r->tokens->token[pos].kind != NLU_TOKEN_WORD ||
	    !nlu_token_may_start(&r->tokens->token[pos], r->lang, category))
		return NULL;
	return nlu_lexicon_match(r->nlu->lexicon, r->lang, category, r->tokens, pos);
}

/* A number word at pos, not a digit-only one ("oh") nor a multiplier ("dozen"). */
static const struct nlu_lex_entry *word_at(const struct reader *r, size_t pos)
{
	const struct nlu_lex_entry *e = entry_at(r, r->nlu->cat.number, pos);

	if (!e || !e->numeric || ((e)->tag_bits & NLU_TAG_DIGIT_ONLY) || ((e)->tag_bits & NLU_TAG_MULTIPLIER))
		return NULL;
	return e;
}

/* An ordinal word at pos usable inside a compound ("unième", "third"). */
static const struct nlu_lex_entry *ordinal_at(const struct reader *r, size_t pos, bool first)
{
	const struct nlu_lex_entry *e = entry_at(r, r->nlu->cat.ordinal, pos);

	if (!e || !e->numeric || e->number < 1)
		return NULL;
	if (!first && ((e)->tag_bits & NLU_TAG_ALONE))
		return NULL;
	return e;
}

static bool is_tens(int64_t v)
{
	return v >= 20 && v <= 90 && v % 10 == 0;
}

/* A unit word (1..9) or its ordinal at pos, to end a compound. */
static bool unit_at(const struct reader *r, size_t pos, int64_t lo, int64_t hi, struct part *p)
{
	const struct nlu_lex_entry *e = word_at(r, pos);

	if (e && e->number >= lo && e->number <= hi) {
		p->value = e->number;
		p->len = e->token_count;
		p->ordinal = false;
		return true;
	}
	e = ordinal_at(r, pos, false);
	if (e && e->number >= lo && e->number <= hi) {
		p->value = e->number;
		p->len = e->token_count;
		p->ordinal = true;
		return true;
	}
	return false;
}

/* French 10..19: "dix", "onze".."seize", "dix-sept".."dix-neuf". */
static bool teen_fr(const struct reader *r, size_t pos, struct part *p)
{
	struct part unit;

	if (!unit_at(r, pos, 10, 16, p))
		return false;
	if (p->value == 10 && !p->ordinal && unit_at(r, pos + p->len, 7, 9, &unit)) {
		p->value = 10 + unit.value;
		p->len += unit.len;
		p->ordinal = unit.ordinal;
	}
	return true;
}

static bool below_100_fr(const struct reader *r, size_t pos, struct part *p)
{
	const struct nlu_lex_entry *e = word_at(r, pos);
	struct part more;
	size_t next;

	memset(p, 0, sizeof(*p));
	if (!e) {
		e = ordinal_at(r, pos, true);
		if (!e || e->number >= 100)
			return false;
		p->value = e->number;
		p->len = e->token_count;
		p->ordinal = true;
		return true;
	}
	if (e->number >= 100)
		return false;
	if (e->number >= 10 && e->number <= 16)
		return teen_fr(r, pos, p);
	p->value = e->number;
	p->len = e->token_count;
	if (!is_tens(e->number))
		return true;

	next = pos + p->len;
	/* "vingt et un", "soixante et onze", "vingt et unième". */
	if (nlu_token_is(r->tokens, next, "et") && e->number != 80 &&
	    unit_at(r, next + 1, 1, 1, &more)) {
		p->value += more.value;
		p->len += 1 + more.len;
		p->ordinal = more.ordinal;
		return true;
	}
	if (nlu_token_is(r->tokens, next, "et") && e->number == 60 &&
	    unit_at(r, next + 1, 11, 11, &more)) {
		p->value += more.value;
		p->len += 1 + more.len;
		p->ordinal = more.ordinal;
		return true;
	}
	/* "soixante-dix-huit", "quatre-vingt-douze": 60 and 80 take 10..19. */
	if ((e->number == 60 || e->number == 80) && teen_fr(r, next, &more)) {
		p->value += more.value;
		p->len += more.len;
		p->ordinal = more.ordinal;
		return true;
	}
	if (unit_at(r, next, 1, 9, &more)) {
		p->value += more.value;
		p->len += more.len;
		p->ordinal = more.ordinal;
		return true;
	}
	/* "trente 3": a tens word and a single digit. */
	if (next < r->tokens->count && r->tokens->token[next].kind == NLU_TOKEN_NUMBER &&
	    r->tokens->token[next].len == 1 && r->tokens->token[next].text[0] != '0') {
		p->value += r->tokens->token[next].text[0] - '0';
		p->len++;
	}
	return true;
}

static bool below_100_en(const struct reader *r, size_t pos, struct part *p)
{
	const struct nlu_lex_entry *e = entry_at(r, r->nlu->cat.number, pos);
	struct part more;

	memset(p, 0, sizeof(*p));
	if (e && e->numeric && ((e)->tag_bits & NLU_TAG_DIGIT_ONLY)) {
		/* "oh six": a zero said before a digit. */
		if (!unit_at(r, pos + e->token_count, 0, 9, &more) || more.ordinal)
			return false;
		p->value = more.value;
		p->len = e->token_count + more.len;
		p->digits = 2;
		return true;
	}
	e = word_at(r, pos);
	if (!e) {
		e = ordinal_at(r, pos, true);
		if (!e || e->number >= 100)
			return false;
		p->value = e->number;
		p->len = e->token_count;
		p->ordinal = true;
		return true;
	}
	if (e->number >= 100)
		return false;
	p->value = e->number;
	p->len = e->token_count;
	/* "zero three" read as the pair "03", like "oh three". */
	if (e->number == 0 && unit_at(r, pos + p->len, 1, 9, &more) && !more.ordinal) {
		p->value = more.value;
		p->len += more.len;
		p->digits = 2;
		return true;
	}
	if (is_tens(e->number) && unit_at(r, pos + p->len, 1, 9, &more)) {
		p->value += more.value;
		p->len += more.len;
		p->ordinal = more.ordinal;
	}
	return true;
}

static bool below_100(const struct reader *r, size_t pos, struct part *p)
{
	return r->lang == NLU_LANG_FR ? below_100_fr(r, pos, p) : below_100_en(r, pos, p);
}

/* The value of a number word at pos when it is exactly `value` (100, 1000, ...). */
static bool scale_at(const struct reader *r, size_t pos, int64_t value, size_t *len)
{
	const struct nlu_lex_entry *e = word_at(r, pos);

	if (!e || e->number != value)
		return false;
	*len = e->token_count;
	return true;
}

static bool hundredth_at(const struct reader *r, size_t pos, int64_t value, size_t *len)
{
	const struct nlu_lex_entry *e = ordinal_at(r, pos, false);

	if (!e || e->number != value)
		return false;
	*len = e->token_count;
	return true;
}

/* The word "and" in English between parts of a number ("a hundred and five"). */
static size_t and_at(const struct reader *r, size_t pos)
{
	return r->lang == NLU_LANG_EN && nlu_token_is(r->tokens, pos, "and") ? 1 : 0;
}

/* 0..999, or "dix-neuf cent" (1900) and "nineteen hundred". */
static bool below_1000(const struct reader *r, size_t pos, struct part *p)
{
	struct part tail;
	size_t len = 0, skip;
	int64_t hundreds = 0;

	memset(p, 0, sizeof(*p));
	if (r->lang == NLU_LANG_EN && nlu_token_is(r->tokens, pos, "a") &&
	    scale_at(r, pos + 1, 100, &len)) {
		hundreds = 1;
		len += 1;
	} else if (scale_at(r, pos, 100, &len)) {
		hundreds = 1;
	} else if (r->lang == NLU_LANG_EN && nlu_token_is(r->tokens, pos, "a") &&
		   hundredth_at(r, pos + 1, 100, &len)) {
		p->value = 100;
		p->len = len + 1;
		p->ordinal = true;
		return true;
	} else if (hundredth_at(r, pos, 100, &len)) {
		p->value = 100;
		p->len = len;
		p->ordinal = true;
		return true;
	} else {
		if (!below_100(r, pos, p))
			return false;
		if (p->ordinal || p->digits || p->value < 1)
			return true;
		if (scale_at(r, pos + p->len, 100, &len) &&
		    (r->lang == NLU_LANG_EN ? p->value <= 99 : p->value >= 2 && p->value <= 19)) {
			hundreds = p->value;
			len += p->len;
		} else if (hundredth_at(r, pos + p->len, 100, &len)) {
			p->value *= 100;
			p->len += len;
			p->ordinal = true;
			return true;
		} else {
			return true;
		}
	}
	p->value = hundreds * 100;
	p->len = len;
	p->ordinal = false;
	skip = and_at(r, pos + len);
	if (below_100(r, pos + len + skip, &tail) && !tail.digits) {
		p->value += tail.value;
		p->len += skip + tail.len;
		p->ordinal = tail.ordinal;
	}
	return true;
}

/* Scales: "mille", "thousand", "million", "milliard", "billion". */
static bool any_scale_at(const struct reader *r, size_t pos, int64_t *scale, size_t *len,
			 bool *ordinal)
{
	static const int64_t scales[] = {1000, 1000000, 1000000000};

	for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
		if (scale_at(r, pos, scales[i], len)) {
			*scale = scales[i];
			*ordinal = false;
			return true;
		}
		if (hundredth_at(r, pos, scales[i], len)) {
			*scale = scales[i];
			*ordinal = true;
			return true;
		}
	}
	return false;
}

/* A whole number in words: groups below 1000 joined by scales. */
static bool words_full(const struct reader *r, size_t pos, struct part *out)
{
	int64_t total = 0, last_scale = 0;
	size_t at = pos;
	struct part group;
	bool any = false;

	memset(out, 0, sizeof(*out));
	for (;;) {
		int64_t scale;
		size_t len, skip = 0;
		bool ordinal;

		memset(&group, 0, sizeof(group));
		if (any)
			skip = and_at(r, at);
		if (!below_1000(r, at + skip, &group)) {
			group.len = 0;
			skip = 0;
		}
		if (group.ordinal || group.digits) {
			if (group.digits && any)
				break;
			total += group.value;
			at += skip + group.len;
			any = true;
			out->ordinal = group.ordinal;
			out->digits = group.digits;
			break;
		}
		if (r->lang == NLU_LANG_EN && group.len == 0 && !any &&
		    nlu_token_is(r->tokens, at, "a") && any_scale_at(r, at + 1, &scale, &len, &ordinal)) {
			/* "a thousand" */
			group.value = 1;
			group.len = 1;
		}
		if (!any_scale_at(r, at + skip + group.len, &scale, &len, &ordinal)) {
			if (group.len) {
				total += group.value;
				at += skip + group.len;
				any = true;
			}
			break;
		}
		/* "mille" alone is one thousand; "thousand millions" multiplies what came before. */
		if (group.len == 0 && group.value == 0 && !any)
			group.value = 1;
		if (last_scale && scale > last_scale)
			total = (total + group.value) * scale;
		else
			total += group.value * scale;
		if (total > NUMBER_MAX)
			return false;
		last_scale = scale;
		at += skip + group.len + len;
		any = true;
		if (ordinal) {
			out->ordinal = true;
			break;
		}
	}
	if (!any)
		return false;
	out->value = total;
	out->len = at - pos;
	return true;
}

/*
 * English numbers read in pairs of digits: "nineteen fifty eight", "twenty twenty",
 * "one twenty two", "twenty oh five". `first` was read alone, below 100.
 */
static bool pair_reading(const struct reader *r, size_t pos, const struct part *first,
			 struct part *out)
{
	struct part second;

	if (r->lang != NLU_LANG_EN || first->ordinal || first->digits || first->value < 1 ||
	    first->value > 99)
		return false;
	if (!below_100_en(r, pos + first->len, &second))
		return false;
	if (second.value < 10 && !second.digits)
		return false;
	out->value = first->value * 100 + second.value;
	out->len = first->len + second.len;
	out->ordinal = second.ordinal;
	out->digits = 0;
	return true;
}

static int digit_count(int64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static bool words_number(const struct reader *r, size_t pos, struct nlu_number *n)
{
	struct part p, pair;
	const struct nlu_lex_entry *dozen;

	if (r->options & NLU_NUM_SMALL) {
		if (!below_100(r, pos, &p))
			return false;
	} else {
		if (!words_full(r, pos, &p))
			return false;
		/* A pair reading applies when the first pair used no hundreds nor scale. */
		if (below_100(r, pos, &pair) && pair.len == p.len)
			pair_reading(r, pos, &pair, &p);
		/* "two dozen", "two hundred dozens". */
		dozen = entry_at(r, r->nlu->cat.number, pos + p.len);
		if (!p.ordinal && dozen && dozen->numeric && ((dozen)->tag_bits & NLU_TAG_MULTIPLIER) &&
		    p.value * dozen->number <= NUMBER_MAX) {
			p.value *= dozen->number;
			p.len += dozen->token_count;
		}
	}
	n->value = p.value;
	n->real = (double)p.value;
	n->ordinal = p.ordinal;
	n->digits_form = false;
	n->digit_count = p.digits ? p.digits : digit_count(p.value);
	n->token_count = p.len;
	return true;
}

static bool token_digits(const struct nlu_token *t, int64_t *value)
{
	int64_t v = 0;

	if (t->kind != NLU_TOKEN_NUMBER || t->len > 15)
		return false;
	for (size_t i = 0; i < t->len; i++)
		v = v * 10 + (t->text[i] - '0');
	*value = v;
	return true;
}

static bool glued(const struct nlu_tokens *tokens, size_t pos)
{
	return pos < tokens->count &&
	       !(tokens->token[pos].flags & (NLU_TOKEN_SPACE_BEFORE | NLU_TOKEN_HYPHEN_BEFORE));
}

/* Thousands groups after a head of 1 to 3 digits: "100 000", "1.200.000", "3,000,000". */
static size_t digit_groups(const struct reader *r, size_t pos, int64_t *value, int *digits)
{
	const struct nlu_tokens *tk = r->tokens;
	char sep = r->lang == NLU_LANG_FR ? '.' : ',';
	size_t at = pos + 1;

	if (tk->token[pos].len > 3)
		return 1;
	for (;;) {
		int64_t group;

		/* French also groups with a space: "100 000". */
		if (r->lang == NLU_LANG_FR && at < tk->count && tk->token[at].len == 3 &&
		    (tk->token[at].flags & NLU_TOKEN_SPACE_BEFORE) &&
		    token_digits(&tk->token[at], &group)) {
			at += 1;
		} else if (at + 1 < tk->count && tk->token[at].kind == NLU_TOKEN_PUNCT &&
			   tk->token[at].text[0] == sep && glued(tk, at) && glued(tk, at + 1) &&
			   tk->token[at + 1].len == 3 && token_digits(&tk->token[at + 1], &group)) {
			at += 2;
		} else {
			break;
		}
		if (*value > NUMBER_MAX / 1000)
			break;
		*value = *value * 1000 + group;
		*digits += 3;
	}
	return at - pos;
}

/* Decimals after the integer part at `at`: ",7" in French, ".5" in English, or said. */
static size_t decimals(const struct reader *r, size_t at, double *fraction)
{
	const struct nlu_tokens *tk = r->tokens;
	char sep = r->lang == NLU_LANG_FR ? ',' : '.';
	double scale = 0.1, f = 0;
	size_t len = 0;

	if (at + 1 < tk->count && tk->token[at].kind == NLU_TOKEN_PUNCT &&
	    tk->token[at].text[0] == sep && glued(tk, at) && glued(tk, at + 1) &&
	    tk->token[at + 1].kind == NLU_TOKEN_NUMBER) {
		len = 2;
		at += 1;
	} else if (entry_at(r, r->decimal_point, at) && at + 1 < tk->count &&
		   tk->token[at + 1].kind == NLU_TOKEN_NUMBER) {
		len = 2;
		at += 1;
	} else {
		return 0;
	}
	for (size_t i = 0; i < tk->token[at].len && i < 15; i++) {
		f += (tk->token[at].text[i] - '0') * scale;
		scale /= 10;
	}
	*fraction = f;
	return len;
}

/* Multiplier glued to digits ("100k", "3M") or a scale word after them ("3 million"). */
static size_t multiplier(const struct reader *r, size_t at, double *factor)
{
	const struct nlu_lex_entry *e;

	if (glued(r->tokens, at)) {
		e = entry_at(r, r->number_suffix, at);
		if (e && e->numeric) {
			*factor = (double)e->number;
			return e->token_count;
		}
	}
	e = entry_at(r, r->nlu->cat.number, at);
	if (e && e->numeric &&
	    (e->number == 1000 || e->number == 1000000 || e->number == 1000000000 ||
	     ((e)->tag_bits & NLU_TAG_MULTIPLIER))) {
		*factor = (double)e->number;
		return e->token_count;
	}
	return 0;
}

static bool digits_number(const struct reader *r, size_t pos, struct nlu_number *n)
{
	const struct nlu_tokens *tk = r->tokens;
	int64_t value;
	int digits;
	size_t at, len;
	double real, fraction = 0, factor;
	const struct nlu_lex_entry *suffix;

	if (!token_digits(&tk->token[pos], &value))
		return false;
	digits = tk->token[pos].len;
	at = pos + 1;
	if (!(r->options & (NLU_NUM_INTEGER | NLU_NUM_SMALL))) {
		at = pos + digit_groups(r, pos, &value, &digits);
		len = decimals(r, at, &fraction);
		at += len;
		n->fraction = len > 0;
	}
	real = (double)value + fraction;
	if (!(r->options & (NLU_NUM_INTEGER | NLU_NUM_SMALL))) {
		len = multiplier(r, at, &factor);
		if (len && real * factor <= (double)NUMBER_MAX) {
			real *= factor;
			at += len;
			n->fraction = real != (double)(int64_t)real;
		}
	}
	n->value = (int64_t)real;
	n->real = real;
	n->digits_form = true;
	n->digit_count = digits;
	/* "1er", "3rd", "15e": an ordinal suffix glued to an integer. */
	suffix = n->fraction ? NULL : entry_at(r, r->ordinal_suffix, at);
	if (suffix && glued(tk, at) && at == pos + 1) {
		n->ordinal = true;
		at += suffix->token_count;
	}
	n->token_count = at - pos;
	return true;
}

/* ".77" and ",0012G": a number written without its integer part. */
static bool bare_fraction(const struct reader *r, size_t pos, struct nlu_number *n)
{
	const struct nlu_tokens *tk = r->tokens;
	double fraction, factor;
	size_t len, more;

	if (r->options & (NLU_NUM_INTEGER | NLU_NUM_SMALL))
		return false;
	len = decimals(r, pos, &fraction);
	if (!len)
		return false;
	if (tk->token[pos].kind == NLU_TOKEN_PUNCT && pos > 0 && glued(tk, pos) &&
	    tk->token[pos - 1].kind == NLU_TOKEN_NUMBER)
		return false;
	more = multiplier(r, pos + len, &factor);
	if (more)
		fraction *= factor;
	n->value = (int64_t)fraction;
	n->real = fraction;
	n->fraction = fraction != (double)(int64_t)fraction;
	n->digits_form = tk->token[pos].kind == NLU_TOKEN_PUNCT;
	n->digit_count = tk->token[pos + 1].len;
	n->token_count = len + more;
	return true;
}

/* Words followed by a decimal part or a scale: "two point two million", "six virgule sept". */
static void words_decimals(const struct reader *r, size_t pos, struct nlu_number *n)
{
	size_t at = pos + n->token_count;
	double fraction = 0, factor;
	size_t len;

	if (n->ordinal || (r->options & (NLU_NUM_INTEGER | NLU_NUM_SMALL)))
		return;
	if (entry_at(r, r->decimal_point, at)) {
		struct part p;

		/* The decimals are said as digits ("point seven seven") or as a number. */
		if (at + 1 < r->tokens->count && r->tokens->token[at + 1].kind == NLU_TOKEN_NUMBER) {
			len = decimals(r, at, &fraction);
		} else if (below_100(r, at + 1, &p) && !p.ordinal) {
			double scale = p.value >= 10 ? 0.01 : 0.1;

			fraction = (double)p.value * scale;
			len = 1 + p.len;
		} else {
			len = 0;
		}
		if (len) {
			n->real = (double)n->value + fraction;
			n->fraction = true;
			at += len;
			n->token_count += len;
		}
	}
	len = multiplier(r, at, &factor);
	if (len && n->fraction && factor >= 1000) {
		n->real *= factor;
		n->value = (int64_t)n->real;
		n->fraction = n->real != (double)n->value;
		n->token_count += len;
	}
}

bool nlu_number_parse(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		      size_t pos, unsigned options, struct nlu_number *number)
{
	struct reader r = {nlu, lang, tokens, options, -1, -1, -1};
	const struct nlu_lex_entry *e;
	bool ok;

	memset(number, 0, sizeof(*number));
	if (pos >= tokens->count)
		return false;
	r.decimal_point = nlu->cat.decimal_point;
	r.ordinal_suffix = nlu->cat.ordinal_suffix;
	r.number_suffix = nlu->cat.number_suffix;

	switch (tokens->token[pos].kind) {
	case NLU_TOKEN_NUMBER:
		return digits_number(&r, pos, number);
	case NLU_TOKEN_PUNCT:
		return bare_fraction(&r, pos, number);
	default:
		break;
	}
	ok = words_number(&r, pos, number);
	if (ok) {
		words_decimals(&r, pos, number);
		return true;
	}
	if (options & NLU_NUM_SMALL)
		return false;
	/* "point 77", "a couple", "a dozen", "two dozen". */
	if (bare_fraction(&r, pos, number))
		return true;
	e = entry_at(&r, nlu->cat.number_mod, pos);
	if (e && e->numeric) {
		number->value = e->number;
		number->real = (double)e->number;
		number->digit_count = digit_count(e->number);
		number->token_count = e->token_count;
		return true;
	}
	return false;
}
