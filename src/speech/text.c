/*
 * Text preparation for synthesis: normalisation of what engines misread, and sentence
 * splitting for streaming.
 *
 * espeak-ng 1.51 reads "10 h 30" as "dix ache trente", "1 h" as "un ache", "2e" as
 * "deux e", "M." as "em" followed by a pause, and "12/03" as "douze zéro trois". The rules
 * below rewrite those forms into plain words. English abbreviations are spelt out too, so
 * that neither engine nor the sentence splitter stops at "Dr.".
 */
#include "synth.h"
#include "synth_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct text_out {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void out_bytes(struct text_out *out, const char *s, size_t n)
{
	if (out->len + n + 1 > out->size) {
		out->overflow = true;
		return;
	}
	memcpy(out->buf + out->len, s, n);
	out->len += n;
	out->buf[out->len] = '\0';
}

static void out_str(struct text_out *out, const char *s)
{
	out_bytes(out, s, strlen(s));
}

static void out_int(struct text_out *out, int value)
{
	char digits[16];

	snprintf(digits, sizeof(digits), "%d", value);
	out_str(out, digits);
}

/* Bytes of a multi-byte UTF-8 sequence count as letters, so "é" joins a word. */
static bool is_word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

static bool at_word_start(const char *text, const char *p)
{
	return p == text || !is_word_byte((unsigned char)p[-1]);
}

static bool at_word_end(const char *p)
{
	return !is_word_byte((unsigned char)*p);
}

/* Read 1 to max_digits digits at *p; returns the count read and the value in *value. */
static int read_number(const char **p, int max_digits, int *value)
{
	int n = 0, v = 0;

	while (n < max_digits && isdigit((unsigned char)(*p)[n])) {
		v = v * 10 + ((*p)[n] - '0');
		n++;
	}
	if (n == 0 || isdigit((unsigned char)(*p)[n]))
		return 0;
	*p += n;
	*value = v;
	return n;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

bool speech_text_utf8_valid(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		unsigned char c = *p;
		int extra;
		unsigned long cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			extra = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (int i = 1; i <= extra; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		p += extra + 1;
	}
	return true;
}

/* French cardinal words for 0..99, as written since the 1990 spelling reform allows. */
static void fr_cardinal(int n, char *buf, size_t size)
{
	static const char *const small[] = {
		"zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
		"dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept",
		"dix-huit", "dix-neuf",
	};
	static const char *const tens[] = {
		"", "", "vingt", "trente", "quarante", "cinquante", "soixante", "soixante",
		"quatre-vingt", "quatre-vingt",
	};
	int ten = n / 10, unit = n % 10;

	if (n < 20) {
		snprintf(buf, size, "%s", small[n]);
		return;
	}
	if (ten == 7 || ten == 9)
		unit += 10;
	if (unit == 0)
		snprintf(buf, size, "%s%s", tens[ten], ten == 8 ? "s" : "");
	else if ((unit == 1 || unit == 11) && ten != 8 && ten != 9)
		snprintf(buf, size, "%s et %s", tens[ten], small[unit]);
	else
		snprintf(buf, size, "%s-%s", tens[ten], small[unit]);
}

/* French ordinal words for 2..99: "deuxième", "vingt et unième", "quatre-vingtième". */
static void fr_ordinal(int n, char *buf, size_t size)
{
	char word[64];
	size_t len;

	fr_cardinal(n, word, sizeof(word));
	len = strlen(word);
	if (len > 0 && word[len - 1] == 's') /* quatre-vingts */
		word[--len] = '\0';
	if (len >= 4 && strcmp(word + len - 4, "cinq") == 0) {
		snprintf(buf, size, "%su%s", word, "ième");
	} else if (len >= 4 && strcmp(word + len - 4, "neuf") == 0) {
		word[len - 1] = 'v';
		snprintf(buf, size, "%sième", word);
	} else if (word[len - 1] == 'e') {
		word[len - 1] = '\0';
		snprintf(buf, size, "%sième", word);
	} else {
		snprintf(buf, size, "%sième", word);
	}
}

/* "10 h 30", "10h30", "10h", "10:30" in French; returns the bytes consumed or 0. */
static size_t fr_time(const char *p, struct text_out *out)
{
	const char *start = p, *after_h;
	int hour, minutes = -1;

	if (!read_number(&p, 2, &hour))
		return 0;
	if (*p == ':') {
		p++;
		if (read_number(&p, 2, &minutes) != 2)
			return 0;
	} else {
		p = skip_spaces(p);
		if (*p != 'h' && *p != 'H')
			return 0;
		p++;
		if (!at_word_end(p) && !isdigit((unsigned char)*p))
			return 0;
		after_h = p;
		p = skip_spaces(p);
		if (!read_number(&p, 2, &minutes))
			p = after_h;
	}
	if (!at_word_end(p) || hour > 24 || minutes > 59)
		return 0;

	if (hour == 0 || hour == 24)
		out_str(out, "minuit");
	else if (hour == 12)
		out_str(out, "midi");
	else if (hour == 1)
		out_str(out, "une heure");
	else if (hour == 21)
		out_str(out, "vingt et une heures");
	else {
		out_int(out, hour);
		out_str(out, " heures");
	}
	if (minutes > 0) {
		out_str(out, " ");
		out_int(out, minutes);
	}
	return (size_t)(p - start);
}

/* "03/03/2026" or "3/3" in French: "3 mars 2026", "1er avril". */
static size_t fr_date(const char *p, struct text_out *out)
{
	static const char *const months[] = {
		"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
		"septembre", "octobre", "novembre", "décembre",
	};
	const char *start = p;
	int day, month, year = -1;

	if (!read_number(&p, 2, &day) || *p != '/')
		return 0;
	p++;
	if (!read_number(&p, 2, &month))
		return 0;
	if (*p == '/') {
		const char *year_start = ++p;

		if (read_number(&p, 4, &year) != 4)
			p = year_start - 1, year = -1;
	}
	if (!at_word_end(p) || day < 1 || day > 31 || month < 1 || month > 12)
		return 0;
	if (day == 1)
		out_str(out, "1er");
	else
		out_int(out, day);
	out_str(out, " ");
	out_str(out, months[month - 1]);
	if (year >= 0) {
		out_str(out, " ");
		out_int(out, year);
	}
	return (size_t)(p - start);
}

/* "1er", "1re", "1ère", "2e", "2ème", "2ᵉ" in French. */
static size_t fr_ordinal_suffix(const char *p, struct text_out *out)
{
	static const struct {
		const char *suffix;
		int feminine; /* 1 for "1re"; -1 for suffixes only used after 2 and above */
	} suffixes[] = {
		{"er", 0}, {"re", 1}, {"ère", 1}, {"ème", -1}, {"eme", -1}, {"ᵉ", -1}, {"e", -1},
	};
	const char *start = p;
	char word[64];
	int n;

	if (!read_number(&p, 2, &n) || n < 1)
		return 0;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t len = strlen(suffixes[i].suffix);

		if (strncmp(p, suffixes[i].suffix, len) != 0 || !at_word_end(p + len))
			continue;
		if (n == 1) {
			out_str(out, suffixes[i].feminine == 1 ? "première" : "premier");
		} else {
			if (suffixes[i].feminine != -1)
				return 0;
			fr_ordinal(n, word, sizeof(word));
			out_str(out, word);
		}
		return (size_t)(p + len - start);
	}
	return 0;
}

struct abbreviation {
	const char *written;
	const char *spoken;
	bool before_name; /* only when a capitalised word follows ("M. Dupont") */
};

static const struct abbreviation fr_abbreviations[] = {
	{"M.", "monsieur", true},     {"MM.", "messieurs", true}, {"Mme", "madame", false},
	{"Mmes", "mesdames", false},  {"Mlle", "mademoiselle", false},
	{"Dr.", "docteur", false},    {"Dr", "docteur", false},   {"Dre", "docteure", false},
	{"Pr.", "professeur", false}, {"Pr", "professeur", false},
	{"RDV", "rendez-vous", false}, {"rdv", "rendez-vous", false},
	{"Rdv", "rendez-vous", false}, {"tél.", "téléphone", false},
	{"Tél.", "téléphone", false}, {"tel.", "téléphone", false},
	{"n°", "numéro", false},      {"N°", "numéro", false},
	{"€", "euros", false},        {"%", "pour cent", false},
	{"&", "et", false},
};

static const struct abbreviation en_abbreviations[] = {
	{"Dr.", "Doctor", false}, {"Dr", "Doctor", true}, {"Mr.", "Mister", false},
	{"Mr", "Mister", true},   {"Mrs.", "Missus", false}, {"Mrs", "Missus", true},
	{"Ms.", "Miz", false},    {"Prof.", "Professor", false}, {"appt", "appointment", false},
	{"No.", "number", false}, {"€", "euros", false},  {"%", "percent", false},
	{"&", "and", false},      {"£", "pounds", false},
};

static size_t abbreviation_at(const char *text, const char *p, const struct abbreviation *table,
			      size_t count, struct text_out *out)
{
	for (size_t i = 0; i < count; i++) {
		const char *w = table[i].written;
		size_t len = strlen(w);
		const char *next;
		bool symbol = !is_word_byte((unsigned char)w[0]) || strcmp(w, "€") == 0 ||
			      strcmp(w, "£") == 0;

		if (strncmp(p, w, len) != 0)
			continue;
		if (!symbol && !at_word_start(text, p))
			continue;
		/* A word ends after the abbreviation unless it ends with a dot or is a symbol. */
		if (!symbol && w[len - 1] != '.' && !at_word_end(p + len))
			continue;
		next = skip_spaces(p + len);
		if (table[i].before_name && !isupper((unsigned char)*next))
			continue;
		if (symbol && out->len > 0 && out->buf[out->len - 1] != ' ')
			out_str(out, " ");
		out_str(out, table[i].spoken);
		if (symbol && is_word_byte((unsigned char)p[len]))
			out_str(out, " ");
		return len;
	}
	return 0;
}

/* Non-breaking and narrow non-breaking spaces, used before French ":;?!" and in
 * "10 h 30", become plain spaces so the rules see one kind of space. */
static size_t special_space(const char *p)
{
	if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0)
		return 2;
	if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0xaf || (unsigned char)p[2] == 0x89))
		return 3;
	if (*p == '\t' || *p == '\r')
		return 1;
	return 0;
}

/* A copy of text with every special space made a plain one; malloc'd. */
static char *plain_spaces(const char *text)
{
	char *copy = malloc(strlen(text) + 1), *q = copy;

	if (!copy)
		return NULL;
	for (const char *p = text; *p;) {
		size_t len = special_space(p);

		if (len > 0) {
			*q++ = ' ';
			p += len;
		} else {
			*q++ = *p++;
		}
	}
	*q = '\0';
	return copy;
}

int speech_text_normalize(const char *input, const char *lang, char *out_buf, size_t size)
{
	struct text_out out = {out_buf, size, 0, false};
	bool french;
	const char *p;
	char *text;

	if (!input || !out_buf || size == 0 || !speech_lang_valid(lang))
		return EINVAL;
	out_buf[0] = '\0';
	french = strcmp(lang, "fr") == 0;
	text = plain_spaces(input);
	if (!text)
		return ENOMEM;

	for (p = text; *p && !out.overflow;) {
		size_t used = 0;

		if (isdigit((unsigned char)*p) && at_word_start(text, p) && french) {
			if ((used = fr_time(p, &out)) || (used = fr_date(p, &out)) ||
			    (used = fr_ordinal_suffix(p, &out))) {
				p += used;
				continue;
			}
		}
		used = french ? abbreviation_at(text, p, fr_abbreviations,
						sizeof(fr_abbreviations) / sizeof(fr_abbreviations[0]),
						&out)
			      : abbreviation_at(text, p, en_abbreviations,
						sizeof(en_abbreviations) / sizeof(en_abbreviations[0]),
						&out);
		if (used) {
			p += used;
			continue;
		}
		used = 1;
		out_bytes(&out, p, used);
		p += used;
	}
	free(text);
	return out.overflow ? ENOSPC : 0;
}

/* Words after which a dot does not end a sentence. */
static bool abbreviation_before_dot(const char *start, const char *dot)
{
	static const char *const words[] = {
		"M", "MM", "Mme", "Mlle", "Dr", "Pr", "St", "Ste", "tél", "Tél", "tel", "Mr", "Mrs",
		"Ms", "Prof", "No", "env", "etc", "av", "bd", "cf", "vs",
	};
	const char *word = dot;
	size_t len;

	while (word > start && isalpha((unsigned char)word[-1]))
		word--;
	len = (size_t)(dot - word);
	if (len == 0)
		return false;
	/* A single capital is an initial: "J. Martin". */
	if (len == 1 && isupper((unsigned char)*word))
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len && strncmp(word, words[i], len) == 0)
			return true;
	return false;
}

/* Length of the sentence-ending mark at p, 0 when p does not end a sentence. */
static size_t sentence_end_at(const char *start, const char *p)
{
	size_t len = 0;

	if (*p == '\n')
		return 1;
	if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x80 &&
	    (unsigned char)p[2] == 0xa6)
		len = 3;
	else if (*p == '.' || *p == '!' || *p == '?' || *p == ';')
		len = 1;
	else
		return 0;
	if (*p == '.' && isdigit((unsigned char)p[1]))
		return 0;
	if (*p == '.' && abbreviation_before_dot(start, p))
		return 0;
	/* Take repeated marks and closing quotes with it: "?!", "...", "»", ")". */
	for (;;) {
		const char *q = p + len;

		if (*q == '.' || *q == '!' || *q == '?' || *q == ')' || *q == '"')
			len++;
		else if ((unsigned char)q[0] == 0xc2 && (unsigned char)q[1] == 0xbb)
			len += 2;
		else if (*q == ' ' && (unsigned char)q[1] == 0xc2 && (unsigned char)q[2] == 0xbb)
			len += 3; /* French spacing: "Oui ? »" */
		else if ((unsigned char)q[0] == 0xe2 && (unsigned char)q[1] == 0x80 &&
			 (unsigned char)q[2] == 0xa6)
			len += 3;
		else
			break;
	}
	if (p[len] != '\0' && !isspace((unsigned char)p[len]) && special_space(p + len) == 0)
		return 0;
	return len;
}

static bool has_word(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (is_word_byte((unsigned char)s[i]))
			return true;
	return false;
}

/* Cut point for a sentence longer than max bytes: after the last comma, else the last
 * space, else at max; never inside a UTF-8 sequence. */
static size_t cut_long(const char *s, size_t max)
{
	size_t i;

	for (i = max; i > max / 2; i--)
		if (s[i - 1] == ',')
			return i;
	for (i = max; i > max / 2; i--)
		if (s[i] == ' ')
			return i;
	i = max;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

size_t speech_text_next_sentence(const char **cursor, char *out, size_t size)
{
	const char *text = *cursor;

	if (!out || size < 2) {
		return 0;
	}
	for (;;) {
		const char *s = text, *p;
		size_t len, mark = 0;

		while (*s && (isspace((unsigned char)*s) || special_space(s)))
			s += special_space(s) ? special_space(s) : 1;
		if (!*s) {
			*cursor = s;
			out[0] = '\0';
			return 0;
		}
		for (p = s; *p; p++)
			if ((mark = sentence_end_at(*cursor, p)) > 0)
				break;
		len = (size_t)(p - s) + mark;
		if (len > size - 1)
			len = cut_long(s, size - 1);
		text = s + len;
		*cursor = text;
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		if (!has_word(s, len))
			continue;
		memcpy(out, s, len);
		out[len] = '\0';
		return len;
	}
}
