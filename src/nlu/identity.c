/*
 * Identity entities: phone numbers, dates of birth and names, as callers say them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nlu_priv.h"

/* Digits kept while reading a phone number; more is not a phone number. */
#define PHONE_DIGITS_MAX 20

static const struct nlu_lex_entry *lex_at(const struct nlu *nlu, enum nlu_lang lang,
					  const char *category, const struct nlu_tokens *tokens,
					  size_t pos)
{
	int id = nlu_lexicon_category_id(nlu->lexicon, category);

	if (id < 0 || pos >= tokens->count)
		return NULL;
	return nlu_lexicon_match(nlu->lexicon, lang, id, tokens, pos);
}

/* True when one of the category's phrases occurs anywhere in the tokens. */
static bool cue_present(const struct nlu *nlu, enum nlu_lang lang, const char *category,
			const struct nlu_tokens *tokens)
{
	for (size_t i = 0; i < tokens->count; i++)
		if (lex_at(nlu, lang, category, tokens, i))
			return true;
	return false;
}

/* ---- Phone numbers ---- */

static bool is_separator(const struct nlu_token *t)
{
	return t->kind == NLU_TOKEN_PUNCT && strchr(",.-/()", t->text[0]) != NULL;
}

/* Append the digits of one number said or written at pos; returns tokens used, or 0. */
static size_t phone_item(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tk,
			 size_t pos, char *digits, size_t *len)
{
	const struct nlu_token *t = &tk->token[pos];
	const struct nlu_lex_entry *repeat;
	struct nlu_number num;
	char item[8];
	size_t n, used = 0;
	int times = 1;

	if (t->kind == NLU_TOKEN_NUMBER) {
		if (*len + t->len > PHONE_DIGITS_MAX)
			return 0;
		memcpy(digits + *len, t->text, t->len);
		*len += t->len;
		return 1;
	}
	repeat = lex_at(nlu, lang, "spell_repeat", tk, pos);
	if (repeat && repeat->numeric && pos + 1 < tk->count) {
		times = (int)repeat->number;
		used = repeat->token_count;
	}
	if (!nlu_number_parse(nlu, lang, tk, pos + used, NLU_NUM_SMALL, &num) || num.ordinal ||
	    num.fraction || num.value < 0 || num.value > 99)
		return 0;
	if (times > 1 && num.value > 9)
		return 0;
	/* "zéro six" is two digits, "douze" two, "oh six" two, "six" one. */
	if (num.digit_count == 2 || num.value >= 10)
		snprintf(item, sizeof(item), "%02d", (int)num.value);
	else
		snprintf(item, sizeof(item), "%d", (int)num.value);
	n = strlen(item);
	for (int k = 0; k < times; k++) {
		if (*len + n > PHONE_DIGITS_MAX)
			return 0;
		memcpy(digits + *len, item, n);
		*len += n;
	}
	return used + num.token_count;
}

/* Turn the digits said into E.164; returns false when they make no number we can dial. */
static bool phone_e164(enum nlu_lang lang, bool plus, const char *digits, size_t len, char *out,
		       size_t size)
{
	const char *d = digits;

	if (!plus && len > 2 && d[0] == '0' && d[1] == '0') {
		plus = true;
		d += 2;
		len -= 2;
	}
	if (plus) {
		/* "+33 (0)6 12...": the trunk 0 after a country code is not dialled. */
		if (len > 2 && d[0] == '3' && d[1] == '3') {
			const char *national = d + 2;
			size_t nlen = len - 2;

			if (nlen == 10 && national[0] == '0') {
				national++;
				nlen--;
			}
			if (nlen != 9)
				return false;
			snprintf(out, size, "+33%.*s", (int)nlen, national);
			return true;
		}
		if (len < 8 || len > 15 || d[0] == '0')
			return false;
		snprintf(out, size, "+%.*s", (int)len, d);
		return true;
	}
	if (len == 10 && d[0] == '0' && d[1] != '0') {
		snprintf(out, size, "+33%.*s", 9, d + 1);
		return true;
	}
	if (lang == NLU_LANG_EN && len == 10 && d[0] >= '2' && d[0] <= '9') {
		snprintf(out, size, "+1%.*s", 10, d);
		return true;
	}
	if (lang == NLU_LANG_EN && len == 11 && d[0] == '1' && d[1] >= '2') {
		snprintf(out, size, "+%.*s", 11, d);
		return true;
	}
	return false;
}

int nlu_phone_extract(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		      bool expected, char *e164, size_t size, struct nlu_span *span)
{
	if (size < 17)
		return ENOSPC;
	e164[0] = '\0';
	for (size_t start = 0; start < tokens->count; start++) {
		char digits[PHONE_DIGITS_MAX + 1];
		size_t len = 0, pos = start, last = start, n;
		bool plus = false;
		const struct nlu_lex_entry *e;

		if (tokens->token[pos].kind == NLU_TOKEN_PUNCT && tokens->token[pos].text[0] == '(')
			pos++;
		if (pos < tokens->count && tokens->token[pos].kind == NLU_TOKEN_PUNCT &&
		    tokens->token[pos].text[0] == '+') {
			plus = true;
			pos++;
		} else if ((e = lex_at(nlu, lang, "phone_plus", tokens, pos)) != NULL) {
			plus = true;
			pos += e->token_count;
		}
		while (pos < tokens->count) {
			if (is_separator(&tokens->token[pos]) && len > 0) {
				pos++;
				continue;
			}
			n = phone_item(nlu, lang, tokens, pos, digits, &len);
			if (!n)
				break;
			pos += n;
			last = pos;
		}
		if (len == 0)
			continue;
		digits[len] = '\0';
		if ((expected || plus || len >= 9) && phone_e164(lang, plus, digits, len, e164, size)) {
			if (span)
				*span = nlu_tokens_span(tokens, start, last);
			return 0;
		}
		/* Nothing usable from here: go on after what was read. */
		if (last > start + 1)
			start = last - 1;
	}
	return ENOENT;
}

/* ---- Dates of birth ---- */

int nlu_birth_date_extract(const struct nlu *nlu, enum nlu_lang lang,
			   const struct nlu_tokens *tokens, int64_t now, const struct tz *tz,
			   bool expected, struct civil_date *date, struct nlu_span *span)
{
	struct civil_time today = tz_to_local(tz, now, NULL);

	if (!expected && !cue_present(nlu, lang, "birth_cue", tokens))
		return ENOENT;
	for (size_t pos = 0; pos < tokens->count; pos++) {
		struct nlu_calendar c;
		int year;

		if (!nlu_calendar_parse(nlu, lang, tokens, pos, &c) || !c.has_year)
			continue;
		year = c.year;
		/* "58": the latest such year that is not in the future. */
		if (c.two_digit_year) {
			year = today.year - today.year % 100 + c.year;
			if (year > today.year || (year == today.year &&
						  (c.month > today.month ||
						   (c.month == today.month && c.day > today.day))))
				year -= 100;
		}
		if (!civil_date_valid(year, c.month, c.day))
			continue;
		if (year > today.year || (year == today.year && (c.month > today.month ||
								   (c.month == today.month &&
								    c.day > today.day))))
			continue;
		if (year < today.year - 130)
			continue;
		date->year = year;
		date->month = c.month;
		date->day = c.day;
		if (span)
			*span = nlu_tokens_span(tokens, pos, pos + c.token_count);
		return 0;
	}
	return ENOENT;
}

/* ---- Names ---- */

/* Append text to a bounded upper-case name; returns false when it no longer fits. */
static bool name_append(char *name, size_t size, const char *text, size_t len)
{
	size_t n = strlen(name);

	if (n + len + 1 > size)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		name[n + i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	name[n + len] = '\0';
	return true;
}

/* A spelled letter at pos ("m", "emme", "double vé"); returns its length and letter. */
static size_t letter_at(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tk,
			size_t pos, char *letter)
{
	const struct nlu_lex_entry *e = lex_at(nlu, lang, "letter", tk, pos);

	if (!e || !e->value[0])
		return 0;
	*letter = e->value[0];
	return e->token_count;
}

/*
 * Read a spelled name from pos: letters, "M comme Marcel", "double L", signs. Returns the
 * tokens read and writes the letters. Letter names that are also words ("elle", "en",
 * "ce") make a spelling only with a one-character letter or a "comme" beside them, or
 * three letters in a row, so "elle en a" is no spelling.
 */
static size_t spelled_at(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tk,
			 size_t pos, char *out, size_t size, size_t *letters)
{
	size_t q = pos, end = pos, strong = 0;

	out[0] = '\0';
	*letters = 0;
	while (q < tk->count) {
		const struct nlu_lex_entry *e;
		char letter;
		size_t n, w;
		int times = 1;
		bool sure;

		if (tk->token[q].kind == NLU_TOKEN_PUNCT && (tk->token[q].text[0] == ',' ||
							     tk->token[q].text[0] == '.')) {
			q++;
			continue;
		}
		if ((e = lex_at(nlu, lang, "spell_skip", tk, q)) != NULL && *letters > 0) {
			q += e->token_count;
			continue;
		}
		if ((e = lex_at(nlu, lang, "spell_sign", tk, q)) != NULL && *letters > 0) {
			const char *sign = strcmp(e->value, "space") == 0 ? " " : e->value;

			if (!name_append(out, size, sign, 1))
				break;
			q += e->token_count;
			continue;
		}
		/* "double L", but "double vé" is the letter W. */
		e = lex_at(nlu, lang, "spell_repeat", tk, q);
		w = letter_at(nlu, lang, tk, q, &letter);
		if (e && e->numeric && (!w || letter != 'w') &&
		    letter_at(nlu, lang, tk, q + e->token_count, &letter)) {
			times = (int)e->number;
			q += e->token_count;
		}
		n = letter_at(nlu, lang, tk, q, &letter);
		if (!n)
			break;
		sure = times > 1 || tk->token[q].len == 1;
		q += n;
		/* "M comme Marcel", "M as in Mary": the word after confirms the letter. */
		e = lex_at(nlu, lang, "spell_as", tk, q);
		if (e && q + e->token_count < tk->count &&
		    tk->token[q + e->token_count].kind == NLU_TOKEN_WORD) {
			q += e->token_count + 1;
			sure = true;
		}
		for (int k = 0; k < times; k++)
			if (!name_append(out, size, &letter, 1))
				return 0;
		*letters += (size_t)times;
		strong += sure ? 1 : 0;
		end = q;
	}
	/* A trailing sign ("M A R T I N tiret") is dropped. */
	while (out[0] && (out[strlen(out) - 1] == '-' || out[strlen(out) - 1] == ' '))
		out[strlen(out) - 1] = '\0';
	if (*letters < 2 || (strong == 0 && *letters < 3))
		return 0;
	return end - pos;
}

static bool name_word(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tk,
		      size_t pos)
{
	const struct nlu_token *t = &tk->token[pos];

	static const char *const not_names[] = {
		"name_stop", "filler", "title", "month", "weekday", "relday", "unit", "daypart",
		"ordinal", "ordinal_suffix", "birth_cue", "phone_cue", "phone_plus", "name_lead",
		"spell_as", "spell_sign", "spell_repeat", "number_mod",
	};
	struct nlu_number num;

	if (t->kind != NLU_TOKEN_WORD || t->len < 2)
		return false;
	for (size_t i = 0; i < sizeof(not_names) / sizeof(not_names[0]); i++) {
		/* "Ben" written with a capital is a name, not the filler "ben". */
		if (strcmp(not_names[i], "filler") == 0 && (t->flags & NLU_TOKEN_CAPITAL))
			continue;
		if (lex_at(nlu, lang, not_names[i], tk, pos))
			return false;
	}
	if (nlu_number_parse(nlu, lang, tk, pos, NLU_NUM_SMALL, &num))
		return false;
	return true;
}

/* Words of one name: "Jean-Pierre", "de la Fontaine" keep their hyphens and spaces. */
static size_t name_words(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tk,
			 size_t pos, char *out, size_t size)
{
	size_t q = pos, word;

	out[0] = '\0';
	/* Particles count only when a name follows them: "de la Fontaine". */
	while (q < tk->count && lex_at(nlu, lang, "name_particle", tk, q))
		q++;
	if (q == tk->count || !name_word(nlu, lang, tk, q))
		q = pos;
	for (size_t i = pos; i < q; i++)
		if (!name_append(out, size, tk->token[i].text, tk->token[i].len) ||
		    !name_append(out, size, " ", 1))
			return 0;
	/* "N'Diaye", "D'Artagnan": an elided letter glued to the name belongs to it. */
	if (q == pos && q + 1 < tk->count && (tk->token[q].flags & NLU_TOKEN_ELIDED) &&
	    tk->token[q].end - tk->token[q].start == 2 && name_word(nlu, lang, tk, q + 1) &&
	    !(tk->token[q + 1].flags & NLU_TOKEN_SPACE_BEFORE)) {
		char prefix[2] = {tk->source[tk->token[q].start], '\''};

		if (prefix[0] >= 'a' && prefix[0] <= 'z')
			prefix[0] = (char)(prefix[0] - 'a' + 'A');
		if (!name_append(out, size, prefix, 2))
			return 0;
		q++;
	}
	word = q;
	while (q < tk->count && name_word(nlu, lang, tk, q)) {
		if (q > word && !(tk->token[q].flags & NLU_TOKEN_HYPHEN_BEFORE))
			break;
		if (q > word && !name_append(out, size, "-", 1))
			break;
		if (!name_append(out, size, tk->token[q].text, tk->token[q].len))
			break;
		q++;
	}
	return q > word ? q - pos : 0;
}

static bool is_first_name(const struct nlu *nlu, enum nlu_lang lang, const char *upper)
{
	char lower[64];
	size_t n = strlen(upper);
	int id = nlu_lexicon_category_id(nlu->lexicon, "first_name");

	if (n >= sizeof(lower) || id < 0)
		return false;
	for (size_t i = 0; i <= n; i++)
		lower[i] = upper[i] >= 'A' && upper[i] <= 'Z' ? (char)(upper[i] - 'A' + 'a') : upper[i];
	/* "JEAN-PIERRE": a compound first name is known by its first part. */
	if (strchr(lower, '-'))
		*strchr(lower, '-') = '\0';
	return nlu_lexicon_find(nlu->lexicon, lang, id, lower) != NULL;
}

/* Where the name starts: after a lead ("je m'appelle") and a title ("madame"). */
static size_t name_start(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tk,
			 bool expected, bool *first_only, bool *found)
{
	*found = false;
	*first_only = false;
	for (size_t i = 0; i < tk->count; i++) {
		const struct nlu_lex_entry *e = lex_at(nlu, lang, "name_lead", tk, i);
		size_t q;

		if (!e || (!expected && ((e)->tag_bits & NLU_TAG_WEAK)))
			continue;
		q = i + e->token_count;
		while (q < tk->count && (lex_at(nlu, lang, "title", tk, q) ||
					 (lex_at(nlu, lang, "filler", tk, q) &&
					  !(tk->token[q].flags & NLU_TOKEN_CAPITAL))))
			q++;
		*found = true;
		*first_only = strcmp(e->value, "first") == 0;
		return q;
	}
	return 0;
}

int nlu_name_extract(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *raw,
		     bool expected, char *last, size_t last_size, char *first, size_t first_size)
{
	char words[2][64], spelled[64];
	size_t count = 0, pos, letters;
	bool first_only, lead;

	if (last_size)
		last[0] = '\0';
	if (first_size)
		first[0] = '\0';
	pos = name_start(nlu, lang, raw, expected, &first_only, &lead);
	if (!lead && !expected)
		return ENOENT;

	/* Words and a spelling, in the order said. */
	spelled[0] = '\0';
	while (pos < raw->count) {
		size_t n;

		if (!spelled[0]) {
			n = spelled_at(nlu, lang, raw, pos, spelled, sizeof(spelled), &letters);
			if (n) {
				pos += n;
				continue;
			}
			spelled[0] = '\0';
		}
		if (count < 2 && (n = name_words(nlu, lang, raw, pos, words[count], 64)) != 0) {
			/* "Martin, M A R T I N": the word spelled again is one name. */
			if (!(spelled[0] && strcmp(words[count], spelled) == 0))
				count++;
			pos += n;
			continue;
		}
		if (count >= 2 && spelled[0])
			break;
		pos++;
	}
	if (spelled[0]) {
		/* The spelling is the last name; a word said before it that is not the same
		 * name is the first name. */
		snprintf(last, last_size, "%s", spelled);
		if (count >= 1 && strcmp(words[0], spelled) != 0 && first_size)
			snprintf(first, first_size, "%s", words[0]);
		if (first_only) {
			snprintf(first, first_size, "%s", spelled);
			last[0] = '\0';
		}
		return 0;
	}
	if (count == 0)
		return ENOENT;
	if (first_only) {
		snprintf(first, first_size, "%s", words[0]);
		return 0;
	}
	if (count == 1) {
		snprintf(last, last_size, "%s", words[0]);
		return 0;
	}
	/* Two names: the known first name is the first name, whatever the order. */
	if (!is_first_name(nlu, lang, words[0]) && is_first_name(nlu, lang, words[1])) {
		snprintf(last, last_size, "%s", words[0]);
		snprintf(first, first_size, "%s", words[1]);
	} else {
		snprintf(first, first_size, "%s", words[0]);
		snprintf(last, last_size, "%s", words[1]);
	}
	return 0;
}

/* ---- All of them ---- */

static void digits_said(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tk,
			char *out, size_t size)
{
	char digits[PHONE_DIGITS_MAX + 1];
	size_t len = 0;

	out[0] = '\0';
	for (size_t pos = 0; pos < tk->count;) {
		size_t n = phone_item(nlu, lang, tk, pos, digits, &len);

		if (n) {
			pos += n;
			continue;
		}
		if (len > 0 && !is_separator(&tk->token[pos]))
			break;
		pos++;
	}
	if (len >= size)
		len = size - 1;
	memcpy(out, digits, len);
	out[len] = '\0';
}

int nlu_entities_extract(const struct nlu *nlu, const struct nlu_input *input,
			 const struct nlu_tokens *tokens, const struct nlu_tokens *raw,
			 struct nlu_entities *entities)
{
	struct nlu_when_result when;
	enum nlu_expect expect;
	int err;

	if (!nlu || !input || !tokens || !raw || !entities || !input->tz ||
	    (input->lang != NLU_LANG_FR && input->lang != NLU_LANG_EN))
		return EINVAL;
	expect = input->expect;

	if (nlu_birth_date_extract(nlu, input->lang, tokens, input->now, input->tz,
				   expect == NLU_EXPECT_BIRTH_DATE, &entities->birth_date, NULL) == 0)
		entities->has_birth_date = true;
	if (expect != NLU_EXPECT_BIRTH_DATE && !entities->has_birth_date) {
		err = nlu_when_extract(nlu, input->lang, tokens, input->now, input->tz, &when);
		if (err)
			return err;
		/* A time in the past describes symptoms ("depuis hier"), never a preference. */
		entities->when_count = 0;
		for (size_t i = 0; i < when.count; i++) {
			if (!when.item[i].past)
				entities->when[entities->when_count++] = when.item[i].when;
		}
		entities->duration_minutes = when.duration_minutes;
	}
	nlu_phone_extract(nlu, input->lang, tokens,
			  expect == NLU_EXPECT_PHONE ||
				  cue_present(nlu, input->lang, "phone_cue", tokens),
			  entities->phone, sizeof(entities->phone), NULL);
	if (expect == NLU_EXPECT_NAME || expect == NLU_EXPECT_OPEN)
		nlu_name_extract(nlu, input->lang, raw, expect == NLU_EXPECT_NAME,
				 entities->last_name, sizeof(entities->last_name),
				 entities->first_name, sizeof(entities->first_name));
	if (expect == NLU_EXPECT_DIGITS || expect == NLU_EXPECT_PHONE)
		digits_said(nlu, input->lang, tokens, entities->digits, sizeof(entities->digits));
	return 0;
}
