/*
 * Tokens: cutting an utterance into folded words, numbers and punctuation, and removing
 * fillers and repetitions.
 */
#include <errno.h>
#include <string.h>

#include "fold.h"
#include "nlu_priv.h"

enum char_class {
	CHAR_SPACE,
	CHAR_LETTER,
	CHAR_DIGIT,
	CHAR_APOSTROPHE,
	CHAR_HYPHEN,
	CHAR_PUNCT,  /* a punctuation token of its own */
	CHAR_IGNORED, /* quotes and marks that separate words but carry nothing */
};

/* Decode one UTF-8 code point at s[*i] (len bytes in all); invalid bytes read as U+FFFD. */
static unsigned utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned c = s[*i];
	size_t need;
	unsigned cp;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		cp = c & 0x07;
	} else {
		(*i)++;
		return 0xFFFD;
	}
	if (*i + need >= len) {
		(*i)++;
		return 0xFFFD;
	}
	for (size_t k = 1; k <= need; k++) {
		unsigned b = s[*i + k];

		if ((b & 0xC0) != 0x80) {
			(*i)++;
			return 0xFFFD;
		}
		cp = (cp << 6) | (b & 0x3F);
	}
	*i += need + 1;
	return cp;
}

static enum char_class classify(unsigned cp)
{
	if (cp < 0x80) {
		if (cp >= '0' && cp <= '9')
			return CHAR_DIGIT;
		if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
			return CHAR_LETTER;
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
		    cp == '\v' || cp < 0x20 || cp == 0x7F)
			return CHAR_SPACE;
		if (cp == '\'' || cp == '`')
			return CHAR_APOSTROPHE;
		if (cp == '-')
			return CHAR_HYPHEN;
		if (cp == '"' || cp == '_' || cp == '*' || cp == '~' || cp == '^' || cp == '|' ||
		    cp == '\\' || cp == '[' || cp == ']' || cp == '{' || cp == '}' || cp == '<' ||
		    cp == '>')
			return CHAR_IGNORED;
		return CHAR_PUNCT;
	}
	switch (cp) {
	case 0x00A0: /* no-break space */
	case 0x2000: case 0x2001: case 0x2002: case 0x2003: case 0x2004: case 0x2005:
	case 0x2006: case 0x2007: case 0x2008: case 0x2009: case 0x200A: case 0x200B:
	case 0x202F: /* narrow no-break space, before ":" in French typography */
	case 0x205F: case 0x3000: case 0xFEFF:
		return CHAR_SPACE;
	case 0x2018: case 0x2019: case 0x02BC: case 0x00B4: case 0x2032:
		return CHAR_APOSTROPHE;
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212:
		return CHAR_HYPHEN;
	case 0x00AB: case 0x00BB: case 0x201C: case 0x201D: case 0x201E: case 0x2039:
	case 0x203A: case 0x00A8:
		return CHAR_IGNORED;
	case 0x2026: /* ellipsis */
	case 0x00BF: case 0x00A1: case 0x00B7:
		return CHAR_PUNCT;
	default:
		return CHAR_LETTER;
	}
}

/* classify() of each ASCII code point, for the tokenizer's fast path. */
static const unsigned char ascii_class[128] = {
	CHAR_SPACE, CHAR_SPACE, CHAR_SPACE, CHAR_SPACE,
	CHAR_SPACE, CHAR_SPACE, CHAR_SPACE, CHAR_SPACE,
	CHAR_SPACE, CHAR_SPACE, CHAR_SPACE, CHAR_SPACE,
	CHAR_SPACE, CHAR_SPACE, CHAR_SPACE, CHAR_SPACE,
	CHAR_SPACE, CHAR_SPACE, CHAR_SPACE, CHAR_SPACE,
	CHAR_SPACE, CHAR_SPACE, CHAR_SPACE, CHAR_SPACE,
	CHAR_SPACE, CHAR_SPACE, CHAR_SPACE, CHAR_SPACE,
	CHAR_SPACE, CHAR_SPACE, CHAR_SPACE, CHAR_SPACE,
	CHAR_SPACE, CHAR_PUNCT, CHAR_IGNORED, CHAR_PUNCT,
	CHAR_PUNCT, CHAR_PUNCT, CHAR_PUNCT, CHAR_APOSTROPHE,
	CHAR_PUNCT, CHAR_PUNCT, CHAR_IGNORED, CHAR_PUNCT,
	CHAR_PUNCT, CHAR_HYPHEN, CHAR_PUNCT, CHAR_PUNCT,
	CHAR_DIGIT, CHAR_DIGIT, CHAR_DIGIT, CHAR_DIGIT,
	CHAR_DIGIT, CHAR_DIGIT, CHAR_DIGIT, CHAR_DIGIT,
	CHAR_DIGIT, CHAR_DIGIT, CHAR_PUNCT, CHAR_PUNCT,
	CHAR_IGNORED, CHAR_PUNCT, CHAR_IGNORED, CHAR_PUNCT,
	CHAR_PUNCT, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_IGNORED,
	CHAR_IGNORED, CHAR_IGNORED, CHAR_IGNORED, CHAR_IGNORED,
	CHAR_APOSTROPHE, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_LETTER,
	CHAR_LETTER, CHAR_LETTER, CHAR_LETTER, CHAR_IGNORED,
	CHAR_IGNORED, CHAR_IGNORED, CHAR_IGNORED, CHAR_SPACE,
};

/* French elided words, folded, and how they are written out. */
static const struct {
	const char *prefix;
	const char *full;
} elisions[] = {
	{"l", "le"},	     {"d", "de"},	    {"j", "je"},	{"qu", "que"},
	{"n", "ne"},	     {"s", "se"},	    {"m", "me"},	{"t", "te"},
	{"c", "ce"},	     {"jusqu", "jusque"},   {"lorsqu", "lorsque"},
	{"puisqu", "puisque"}, {"quoiqu", "quoique"},
};

struct tokenizer {
	const unsigned char *text;
	size_t len;
	enum nlu_lang lang;
	struct nlu_tokens *out;
	bool full; /* the token table is full: stop */
};

static struct nlu_token *token_add(struct tokenizer *tk, enum nlu_token_kind kind, size_t start,
				   size_t end, unsigned flags)
{
	struct nlu_token *t;

	if (tk->out->count >= NLU_TOKENS_MAX) {
		tk->out->truncated = true;
		tk->full = true;
		return NULL;
	}
	t = &tk->out->token[tk->out->count++];
	memset(t, 0, sizeof(*t));
	t->kind = (uint8_t)kind;
	t->flags = (uint16_t)flags;
	t->lex_bucket = NLU_LEX_UNKNOWN;
	t->lex_categories = NULL;
	t->start = (uint32_t)start;
	t->end = (uint32_t)end;
	return t;
}

/* Cut a folded UTF-8 string to fit, at a character boundary. */
static void text_set(struct nlu_token *t, const char *text, size_t len)
{
	if (len > NLU_TOKEN_TEXT_MAX - 1) {
		len = NLU_TOKEN_TEXT_MAX - 1;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
		t->flags |= NLU_TOKEN_CUT;
	}
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	t->len = (uint8_t)len;
}

/*
 * Base letter of each code point from U+00C0 to U+00FF that text_fold() ("NFD;
 * [:Nonspacing Mark:] Remove; Latin-ASCII; Lower; NFC") turns into one ASCII letter by
 * dropping its accent, or 0 for the others (Æ, Ð, ×, Ø, Þ, ß and their lower cases).
 */
static const char latin1_base[64] = {
	'a', 'a', 'a', 'a', 'a', 'a', 0,   'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
	0,   'n', 'o', 'o', 'o', 'o', 'o', 0,   0,   'u', 'u', 'u', 'u', 'y', 0,   0,
	'a', 'a', 'a', 'a', 'a', 'a', 0,   'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
	0,   'n', 'o', 'o', 'o', 'o', 'o', 0,   0,   'u', 'u', 'u', 'u', 'y', 0,   'y',
};

/*
 * Fold a word of ASCII and accented Latin-1 letters ("août", "Décembre") as text_fold()
 * does, without ICU. Returns false, with out undefined, when another code point occurs.
 * out has room for at least len + 1 bytes.
 */
static bool latin1_fold(const char *in, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		unsigned char next;

		if (c < 0x80) {
			out[n++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : (char)c;
			continue;
		}
		/* U+00C0 to U+00FF are 0xC3 0x80 to 0xC3 0xBF in UTF-8. */
		if (c != 0xC3 || i + 1 >= len)
			return false;
		next = (unsigned char)in[i + 1];
		if (next < 0x80 || next > 0xBF || !latin1_base[next - 0x80])
			return false;
		out[n++] = latin1_base[next - 0x80];
		i++;
	}
	out[n] = '\0';
	return true;
}

/* Fold the bytes [start, end) of a word into the token, with typographic apostrophes as "'". */
static void word_fold(struct tokenizer *tk, struct nlu_token *t, size_t start, size_t end)
{
	char raw[4 * NLU_TOKEN_TEXT_MAX];
	char folded[4 * NLU_TOKEN_TEXT_MAX];
	size_t n = 0, i = start;
	bool ascii = true;

	/* A plain ASCII word is only lowered, in one pass: most words take this path. A
	 * byte from 0x80 up ends the pass and the word takes the general path below. */
	for (size_t k = start; k < end && n + 1 < sizeof(raw); k++) {
		char c = (char)tk->text[k];

		if (tk->text[k] >= 0x80) {
			ascii = false;
			break;
		}
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		raw[n++] = c == '`' ? '\'' : c;
	}
	for (size_t k = start + n; k < end && ascii; k++)
		ascii = tk->text[k] < 0x80;
	if (ascii) {
		if (n > 0 && tk->text[start] >= 'A' && tk->text[start] <= 'Z')
			t->flags |= NLU_TOKEN_CAPITAL;
		if (end - start >= sizeof(raw))
			t->flags |= NLU_TOKEN_CUT;
		text_set(t, raw, n);
		return;
	}
	n = 0;

	/* Copy the word with apostrophes made ASCII; a word past the buffer is cut. */
	while (i < end) {
		size_t at = i;
		unsigned cp = utf8_next(tk->text, tk->len, &i);
		size_t width = i - at;

		if (classify(cp) == CHAR_APOSTROPHE) {
			if (n + 1 >= sizeof(raw))
				break;
			raw[n++] = '\'';
			continue;
		}
		if (n + width >= sizeof(raw)) {
			t->flags |= NLU_TOKEN_CUT;
			break;
		}
		if (cp >= 0x80)
			ascii = false;
		memcpy(raw + n, tk->text + at, width);
		n += width;
	}
	raw[n] = '\0';
	if ((unsigned char)raw[0] >= 'A' && (unsigned char)raw[0] <= 'Z')
		t->flags |= NLU_TOKEN_CAPITAL;
	if (ascii) {
		for (size_t k = 0; k < n; k++)
			if (raw[k] >= 'A' && raw[k] <= 'Z')
				raw[k] = (char)(raw[k] - 'A' + 'a');
		text_set(t, raw, n);
		return;
	}
	/* A capital accented letter ("État") is a capital too. */
	{
		size_t k = 0;
		unsigned first = utf8_next((const unsigned char *)raw, n, &k);

		if ((first >= 0xC0 && first <= 0xDE && first != 0xD7) ||
		    (first >= 0x100 && first < 0x180 && (first & 1) == 0))
			t->flags |= NLU_TOKEN_CAPITAL;
	}
	if (latin1_fold(raw, n, folded)) {
		text_set(t, folded, strlen(folded));
		return;
	}
	if (text_fold(raw, folded, sizeof(folded)) < 0) {
		/* ICU failed or the folded text did not fit: keep the raw bytes. */
		text_set(t, raw, n);
		return;
	}
	text_set(t, folded, strlen(folded));
}

/*
 * Emit a word [start, end). In French a leading elision ("l'", "qu'") becomes its own
 * written-out token; `apos` is the offset of the first apostrophe or SIZE_MAX.
 */
static void word_emit(struct tokenizer *tk, size_t start, size_t end, size_t apos, unsigned flags)
{
	struct nlu_token *t;

	if (tk->lang == NLU_LANG_FR && apos != SIZE_MAX && apos > start) {
		char prefix[8];
		size_t plen = apos - start;
		size_t after = apos;

		utf8_next(tk->text, tk->len, &after);
		if (plen < sizeof(prefix) && after < end) {
			for (size_t k = 0; k < plen; k++) {
				char c = (char)tk->text[start + k];

				prefix[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
			}
			prefix[plen] = '\0';
			for (size_t e = 0; e < sizeof(elisions) / sizeof(elisions[0]); e++) {
				if (strcmp(prefix, elisions[e].prefix) != 0)
					continue;
				t = token_add(tk, NLU_TOKEN_WORD, start, after,
					      flags | NLU_TOKEN_ELIDED);
				if (!t)
					return;
				if (tk->text[start] >= 'A' && tk->text[start] <= 'Z')
					t->flags |= NLU_TOKEN_CAPITAL;
				text_set(t, elisions[e].full, strlen(elisions[e].full));
				/* The rest is one plain word: French never elides twice. */
				word_emit(tk, after, end, SIZE_MAX, 0);
				return;
			}
		}
	}
	t = token_add(tk, NLU_TOKEN_WORD, start, end, flags);
	if (t)
		word_fold(tk, t, start, end);
}

static void number_emit(struct tokenizer *tk, size_t start, size_t end, unsigned flags)
{
	struct nlu_token *t = token_add(tk, NLU_TOKEN_NUMBER, start, end, flags);

	if (t)
		text_set(t, (const char *)tk->text + start, end - start);
}

static void punct_emit(struct tokenizer *tk, unsigned cp, size_t start, size_t end,
		       unsigned flags)
{
	struct nlu_token *t = token_add(tk, NLU_TOKEN_PUNCT, start, end, flags);
	char c;

	if (!t)
		return;
	/* Non-ASCII marks read as their ASCII kin: "…" is ".", "¿" and "¡" are "?" and "!". */
	if (cp < 0x80)
		c = (char)cp;
	else if (cp == 0x2026 || cp == 0x00B7)
		c = '.';
	else if (cp == 0x00BF)
		c = '?';
	else
		c = '!';
	t->text[0] = c;
	t->text[1] = '\0';
	t->len = 1;
}

/* Class of the code point at byte i, or CHAR_SPACE at the end. */
static enum char_class class_at(const struct tokenizer *tk, size_t i)
{
	if (i >= tk->len)
		return CHAR_SPACE;
	return classify(utf8_next(tk->text, tk->len, &i));
}

int nlu_tokenize(const char *text, enum nlu_lang lang, struct nlu_tokens *tokens)
{
	struct tokenizer tk;
	size_t i = 0;
	unsigned pending = 0; /* flags for the next token */
	enum char_class prev = CHAR_SPACE;

	if (!text || !tokens || (lang != NLU_LANG_FR && lang != NLU_LANG_EN))
		return EINVAL;
	tokens->source = text;
	tokens->count = 0;
	tokens->truncated = false;
	tk.text = (const unsigned char *)text;
	tk.len = strnlen(text, NLU_INPUT_MAX + 1);
	tk.lang = lang;
	tk.out = tokens;
	tk.full = false;
	if (tk.len > NLU_INPUT_MAX) {
		/* Cut at a character boundary so no token ends inside a sequence. */
		tk.len = NLU_INPUT_MAX;
		while (tk.len > 0 && (tk.text[tk.len] & 0xC0) == 0x80)
			tk.len--;
		tokens->truncated = true;
	}

	while (i < tk.len && !tk.full) {
		size_t start = i;
		unsigned cp;
		enum char_class cls;

		/* Plain ASCII letters and spaces, the common case, skip the decoder. */
		if (tk.text[i] < 0x80) {
			cp = tk.text[i++];
			cls = ascii_class[cp];
		} else {
			cp = utf8_next(tk.text, tk.len, &i);
			cls = classify(cp);
		}

		switch (cls) {
		case CHAR_SPACE:
		case CHAR_IGNORED:
			pending |= NLU_TOKEN_SPACE_BEFORE;
			break;
		case CHAR_HYPHEN:
			/* Between two letters a hyphen only joins words: "dix-sept". */
			if (prev == CHAR_LETTER && class_at(&tk, i) == CHAR_LETTER) {
				pending |= NLU_TOKEN_HYPHEN_BEFORE;
				break;
			}
			punct_emit(&tk, '-', start, i, pending);
			pending = 0;
			break;
		case CHAR_APOSTROPHE:
			/* A quote mark that is not inside a word. */
			pending |= NLU_TOKEN_SPACE_BEFORE;
			break;
		case CHAR_PUNCT:
			punct_emit(&tk, cp, start, i, pending);
			pending = 0;
			break;
		case CHAR_DIGIT:
			while (i < tk.len && tk.text[i] >= '0' && tk.text[i] <= '9')
				i++;
			number_emit(&tk, start, i, pending);
			pending = 0;
			cls = CHAR_DIGIT;
			break;
		case CHAR_LETTER: {
			size_t apos = SIZE_MAX;

			/* A word runs over letters and inner apostrophes. */
			for (;;) {
				size_t at = i;
				enum char_class next;

				if (i >= tk.len)
					break;
				if (tk.text[i] < 0x80)
					next = ascii_class[tk.text[i++]];
				else
					next = classify(utf8_next(tk.text, tk.len, &i));
				if (next == CHAR_LETTER)
					continue;
				if (next == CHAR_APOSTROPHE && class_at(&tk, i) == CHAR_LETTER) {
					if (apos == SIZE_MAX)
						apos = at;
					continue;
				}
				i = at;
				break;
			}
			word_emit(&tk, start, i, apos, pending);
			pending = 0;
			break;
		}
		}
		prev = cls;
	}
	return 0;
}

/* Fold runs of three or more equal letters into one: "euuuh" is "euh", "hmmm" is "hm". */
static void squeeze(const char *in, char *out, size_t size)
{
	size_t n = 0, i = 0;

	while (in[i] && n + 1 < size) {
		size_t run = 1;

		while (in[i + run] == in[i])
			run++;
		for (size_t k = 0; k < (run >= 3 ? 1 : run) && n + 1 < size; k++)
			out[n++] = in[i];
		i += run;
	}
	out[n] = '\0';
}

static bool is_filler(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		      size_t i)
{
	const struct nlu_lex_entry *e;
	struct nlu_tokens one;

	if (nlu->cat.filler < 0 || tokens->token[i].kind != NLU_TOKEN_WORD)
		return false;
	if (tokens->token[i].lex_bucket == 0 && tokens->token[i].len < 4)
		return false;
	/* Most words start no filler phrase, which their category bits show without a lookup. */
	e = NULL;
	if (nlu_token_may_start(&tokens->token[i], lang, nlu->cat.filler))
		e = nlu_lexicon_match(nlu->lexicon, lang, nlu->cat.filler, tokens, i);
	if (e && e->token_count == 1)
		return true;
	/* A drawn-out filler: "euuuh", "ummm"; only a word with a letter three times in a row. */
	{
		const char *w = tokens->token[i].text;
		bool drawn = false;

		for (size_t k = 2; w[k] && !drawn; k++)
			drawn = w[k] == w[k - 1] && w[k] == w[k - 2];
		if (!drawn)
			return false;
	}
	one.source = tokens->source;
	one.count = 1;
	one.truncated = false;
	one.token[0] = tokens->token[i];
	squeeze(tokens->token[i].text, one.token[0].text, sizeof(one.token[0].text));
	one.token[0].len = (uint8_t)strlen(one.token[0].text);
	one.token[0].lex_bucket = NLU_LEX_UNKNOWN;
	if (one.token[0].len == tokens->token[i].len)
		return false;
	e = nlu_lexicon_match(nlu->lexicon, lang, nlu->cat.filler, &one, 0);
	return e != NULL;
}

static bool is_number_word(const struct nlu *nlu, enum nlu_lang lang,
			   const struct nlu_tokens *tokens, size_t i)
{
	if (tokens->token[i].kind == NLU_TOKEN_NUMBER)
		return true;
	return nlu->cat.number >= 0 &&
	       nlu_lexicon_match(nlu->lexicon, lang, nlu->cat.number, tokens, i) != NULL;
}

void nlu_tokens_normalize(const struct nlu *nlu, enum nlu_lang lang, unsigned options,
			  struct nlu_tokens *tokens)
{
	size_t kept = 0;

	/* Look every word up once; the compaction below keeps what was found. */
	nlu_tokens_index(nlu, lang, tokens);
	for (size_t i = 0; i < tokens->count; i++) {
		struct nlu_token *t = &tokens->token[i];

		if (!(options & NLU_NORM_KEEP_FILLERS) && is_filler(nlu, lang, tokens, i))
			continue;
		/* "le le mardi": a word said twice in a row, unless it is a number or a letter.
		 * The comparison is with the last kept token, so fillers in between vanish. */
		if (!(options & NLU_NORM_KEEP_REPEATS) && kept > 0 && t->kind == NLU_TOKEN_WORD &&
		    t->len > 1 && t->text[0] == tokens->token[kept - 1].text[0] &&
		    strcmp(t->text, tokens->token[kept - 1].text) == 0 &&
		    !is_number_word(nlu, lang, tokens, i))
			continue;
		if (kept != i)
			tokens->token[kept] = *t;
		kept++;
	}
	tokens->count = kept;
}

int nlu_tokens_join(const struct nlu_tokens *tokens, size_t from, size_t to, char *buf,
		    size_t size)
{
	size_t n = 0;
	int err = 0;

	if (size == 0)
		return ENOSPC;
	if (to > tokens->count)
		to = tokens->count;
	for (size_t i = from; i < to; i++) {
		const struct nlu_token *t = &tokens->token[i];
		size_t need = t->len + (n > 0 ? 1 : 0);

		if (n + need + 1 > size) {
			err = ENOSPC;
			break;
		}
		if (n > 0)
			buf[n++] = ' ';
		memcpy(buf + n, t->text, t->len);
		n += t->len;
	}
	buf[n] = '\0';
	return err;
}

bool nlu_token_is(const struct nlu_tokens *tokens, size_t i, const char *word)
{
	return i < tokens->count && tokens->token[i].text[0] == word[0] &&
	       strcmp(tokens->token[i].text, word) == 0;
}

struct nlu_span nlu_tokens_span(const struct nlu_tokens *tokens, size_t from, size_t to)
{
	struct nlu_span span = {0, 0};

	if (from >= tokens->count || to <= from)
		return span;
	if (to > tokens->count)
		to = tokens->count;
	span.start = tokens->token[from].start;
	span.end = tokens->token[to - 1].end;
	return span;
}
