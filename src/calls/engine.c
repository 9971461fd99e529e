/*
 * The language engine shared by every call, and the recognition grammars written from
 * it. The engine knows the practice's practitioners and appointment types in the
 * agenda's index order, so it is rebuilt when a worker's fresh agenda lists others;
 * calls in progress keep the engine they started with (reference counts).
 *
 * Grammars are cached by (engine, language, expectation, extra phrases): most calls ask
 * the same questions, and pocketsphinx keeps its compiled grammars by their text, so an
 * identical text is compiled once per decoder.
 */
#include "calls_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "log.h"

struct text_buffer {
	char *data;
	size_t len;
	size_t cap;
	int err;
};

/* Append text without a separator. */
static void buffer_write(struct text_buffer *b, const char *text, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *grown = realloc(b->data, cap);

		if (!grown) {
			b->err = ENOMEM;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, text, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buffer_put(struct text_buffer *b, const char *text)
{
	buffer_write(b, text, strlen(text));
}

/* Append text and a '|' separator. */
static void buffer_add(struct text_buffer *b, const char *text)
{
	buffer_put(b, text);
	buffer_write(b, "|", 1);
}

/* The practitioners and types an engine is built from, as one string. */
static int fingerprint(struct agenda *agenda, char **out)
{
	struct text_buffer b = {0};

	for (size_t i = 0; i < agenda_practitioner_count(agenda); i++) {
		const struct store_practitioner *p = agenda_practitioner(agenda, (int)i);

		buffer_add(&b, p->first_name);
		buffer_add(&b, p->last_name);
		buffer_add(&b, p->specialty);
	}
	buffer_add(&b, "#");
	for (size_t i = 0; i < agenda_type_count(agenda); i++) {
		const struct store_appointment_type *t = agenda_type(agenda, (int)i);

		buffer_add(&b, t->code);
		buffer_add(&b, t->label_fr);
		buffer_add(&b, t->label_en);
	}
	if (b.err) {
		free(b.data);
		return b.err;
	}
	*out = b.data;
	return 0;
}

int calls_engine_init(struct calls_engine *engine)
{
	memset(engine, 0, sizeof(*engine));
	engine->next_id = 1;
	return pthread_mutex_init(&engine->lock, NULL);
}

static int compare_words(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int calls_engine_load_words(struct calls_engine *engine, const char *dictionary)
{
	struct calls_words *w = &engine->words;
	FILE *file = fopen(dictionary, "r");
	char *line = NULL, *at;
	size_t line_cap = 0, cap = 1 << 20, used = 0, count = 0, slots = 1 << 17;
	ssize_t len;
	int err = 0;

	if (!file)
		return errno;
	w->buffer = malloc(cap);
	w->sorted = malloc(slots * sizeof(*w->sorted));
	if (!w->buffer || !w->sorted)
		err = ENOMEM;
	/* Word offsets first: the buffer may move while it grows. */
	while (!err && (len = getline(&line, &line_cap, file)) > 0) {
		size_t n = strcspn(line, " \t\r\n(");

		if (n == 0 || line[n] == '(')
			continue; /* a variant pronunciation of a word already listed */
		if (used + n + 1 > cap) {
			char *grown = realloc(w->buffer, cap * 2);

			if (!grown) {
				err = ENOMEM;
				break;
			}
			w->buffer = grown;
			cap *= 2;
		}
		if (count == slots) {
			const char **grown = realloc(w->sorted, slots * 2 * sizeof(*grown));

			if (!grown) {
				err = ENOMEM;
				break;
			}
			w->sorted = grown;
			slots *= 2;
		}
		memcpy(w->buffer + used, line, n);
		w->buffer[used + n] = '\0';
		w->sorted[count++] = (const char *)(uintptr_t)used;
		used += n + 1;
	}
	free(line);
	fclose(file);
	if (err || count == 0) {
		free(w->buffer);
		free(w->sorted);
		memset(w, 0, sizeof(*w));
		return err ? err : EINVAL;
	}
	at = w->buffer;
	for (size_t i = 0; i < count; i++)
		w->sorted[i] = at + (uintptr_t)w->sorted[i];
	qsort(w->sorted, count, sizeof(*w->sorted), compare_words);
	w->count = count;
	return 0;
}

static bool word_known(const struct calls_words *words, const char *word)
{
	const char *key = word;

	if (word[0] == '<' || (word[0] && !word[1]))
		return true; /* a rule reference, or a letter */
	if (bsearch(&key, words->sorted, words->count, sizeof(*words->sorted), compare_words))
		return true;
	if (strchr(word, '-')) {
		char copy[128], *save = NULL;

		snprintf(copy, sizeof(copy), "%s", word);
		for (char *part = strtok_r(copy, "-", &save); part; part = strtok_r(NULL, "-", &save)) {
			key = part;
			if (!bsearch(&key, words->sorted, words->count, sizeof(*words->sorted),
				     compare_words))
				return false;
		}
		return true;
	}
	return false;
}

bool calls_words_known(const struct calls_words *words, const char *phrase)
{
	char copy[512], *save = NULL;

	if (!words->count)
		return true;
	if (strlen(phrase) >= sizeof(copy))
		return false;
	memcpy(copy, phrase, strlen(phrase) + 1);
	for (char *word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		if (!word_known(words, word))
			return false;
	}
	return true;
}

/* Filter one rule's body ("a | b c" or "(a | b)+") into `b`; false when none is left. */
static bool filter_body(const struct calls_words *words, const char *body, size_t len,
			struct text_buffer *b)
{
	bool repeated = len > 3 && body[0] == '(' && body[len - 2] == ')' && body[len - 1] == '+';
	const char *p = repeated ? body + 1 : body;
	const char *end = repeated ? body + len - 2 : body + len;
	size_t kept = 0;

	while (p < end) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		const char *stop = bar ? bar : end;
		char alternative[512];
		size_t n;

		while (p < stop && *p == ' ')
			p++;
		n = (size_t)(stop - p);
		while (n && p[n - 1] == ' ')
			n--;
		if (n && n < sizeof(alternative)) {
			memcpy(alternative, p, n);
			alternative[n] = '\0';
			if (calls_words_known(words, alternative)) {
				if (!kept && repeated)
					buffer_put(b, "(");
				buffer_put(b, kept ? " | " : "");
				buffer_put(b, alternative);
				kept++;
			}
		}
		p = bar ? bar + 1 : end;
	}
	if (kept && repeated)
		buffer_put(b, ")+");
	return kept > 0;
}

int calls_grammar_filter(const struct calls_words *words, const char *jsgf, char **out)
{
	struct text_buffer rules = {0}, result = {0};
	char removed[16][64];
	size_t removed_count = 0;
	const char *public_line = NULL;
	size_t public_len = 0;

	*out = NULL;
	/* The rules, filtered; the public rule, which names them, is written after. */
	for (const char *line = jsgf; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *equals = memchr(line, '=', len);

		if (len > 7 && !strncmp(line, "public ", 7)) {
			public_line = line;
			public_len = len;
		} else if (line[0] == '<' && equals && len > 2 && line[len - 1] == ';') {
			size_t name_len = (size_t)(memchr(line, '>', len) ? (const char *)memchr(line, '>', len) - line + 1 : 0);
			const char *body = equals + 1;
			size_t body_len = (size_t)(line + len - 1 - body);
			struct text_buffer one = {0};

			while (body_len && *body == ' ') {
				body++;
				body_len--;
			}
			buffer_put(&one, "");
			if (name_len && filter_body(words, body, body_len, &one)) {
				buffer_write(&rules, line, (size_t)(body - line));
				buffer_put(&rules, one.data);
				buffer_put(&rules, ";\n");
			} else if (name_len && name_len < sizeof(removed[0]) && removed_count < 16) {
				memcpy(removed[removed_count], line, name_len);
				removed[removed_count++][name_len] = '\0';
			}
			free(one.data);
		} else {
			buffer_write(&result, line, len);
			buffer_put(&result, "\n");
		}
		line = eol ? eol + 1 : line + len;
	}
	if (public_line) {
		const char *equals = memchr(public_line, '=', public_len);
		size_t kept = 0;

		buffer_write(&result, public_line, (size_t)(equals - public_line + 1));
		for (const char *p = equals + 1; p < public_line + public_len;) {
			size_t n = strcspn(p, "|;");
			char ref[64];

			while (n && *p == ' ') {
				p++;
				n--;
			}
			snprintf(ref, sizeof(ref), "%.*s", (int)n, p);
			while (ref[0] && ref[strlen(ref) - 1] == ' ')
				ref[strlen(ref) - 1] = '\0';
			bool gone = !ref[0];

			for (size_t i = 0; i < removed_count && !gone; i++)
				gone = !strcmp(ref, removed[i]);
			if (!gone) {
				buffer_put(&result, kept++ ? " | " : " ");
				buffer_put(&result, ref);
			}
			p += n + 1;
		}
		buffer_put(&result, ";\n\n");
		if (!kept) {
			free(rules.data);
			free(result.data);
			return ENOENT;
		}
	}
	if (rules.data)
		buffer_put(&result, rules.data);
	free(rules.data);
	if (result.err) {
		free(result.data);
		return result.err;
	}
	*out = result.data;
	return 0;
}

void calls_engine_destroy(struct calls_engine *engine)
{
	for (size_t i = 0; i < CALLS_GRAMMAR_CACHE; i++)
		calls_grammar_release(engine->grammars[i]);
	calls_nlu_release(engine->current);
	free(engine->words.buffer);
	free(engine->words.sorted);
	pthread_mutex_destroy(&engine->lock);
}

void calls_nlu_release(struct calls_nlu *nlu)
{
	if (!nlu || atomic_fetch_sub(&nlu->refs, 1) != 1)
		return;
	nlu_destroy(nlu->nlu);
	free(nlu->fingerprint);
	free(nlu);
}

int calls_engine_nlu(struct calls_engine *engine, struct agenda *agenda,
		     struct calls_nlu **nlup)
{
	struct calls_nlu *built, *old = NULL;
	char *print = NULL;
	int err;

	*nlup = NULL;
	err = fingerprint(agenda, &print);
	if (err)
		return err;
	pthread_mutex_lock(&engine->lock);
	if (engine->current && strcmp(engine->current->fingerprint, print) == 0) {
		atomic_fetch_add(&engine->current->refs, 1);
		*nlup = engine->current;
		pthread_mutex_unlock(&engine->lock);
		free(print);
		return 0;
	}
	pthread_mutex_unlock(&engine->lock);

	/* Built outside the lock: it reads the whole lexicon. */
	built = calloc(1, sizeof(*built));
	if (!built) {
		free(print);
		return ENOMEM;
	}
	err = session_nlu_create(agenda, &built->nlu);
	if (err) {
		free(built);
		free(print);
		return err;
	}
	built->fingerprint = print;

	pthread_mutex_lock(&engine->lock);
	if (engine->current && strcmp(engine->current->fingerprint, print) == 0) {
		/* Another worker built the same one meanwhile. */
		atomic_fetch_add(&engine->current->refs, 1);
		*nlup = engine->current;
		pthread_mutex_unlock(&engine->lock);
		nlu_destroy(built->nlu);
		free(built->fingerprint);
		free(built);
		return 0;
	}
	built->id = engine->next_id++;
	atomic_store(&built->refs, 2); /* the engine's and the caller's */
	old = engine->current;
	engine->current = built;
	pthread_mutex_unlock(&engine->lock);
	if (old)
		log_notice(CALLS_LOG, NULL,
			   "practitioners or appointment types changed: language engine rebuilt");
	calls_nlu_release(old);
	*nlup = built;
	return 0;
}

void calls_grammar_ref(struct calls_grammar *grammar)
{
	if (grammar)
		atomic_fetch_add(&grammar->refs, 1);
}

void calls_grammar_release(struct calls_grammar *grammar)
{
	if (!grammar || atomic_fetch_sub(&grammar->refs, 1) != 1)
		return;
	calls_grammar_release(grammar->base);
	free(grammar->key);
	free(grammar->text);
	free(grammar);
}

static int grammar_key(const struct calls_nlu *nlu, enum nlu_lang lang, enum nlu_expect expect,
		       const char *const *extras, size_t extra_count, char **keyp)
{
	struct text_buffer b = {0};
	char head[64];

	snprintf(head, sizeof(head), "%llu %d %d", (unsigned long long)nlu->id, (int)lang,
		 (int)expect);
	buffer_add(&b, head);
	for (size_t i = 0; i < extra_count; i++)
		buffer_add(&b, extras[i]);
	if (b.err) {
		free(b.data);
		return b.err;
	}
	*keyp = b.data;
	return 0;
}

/* Look a grammar up by key and take a reference; NULL when it is not cached. */
static struct calls_grammar *cache_find(struct calls_engine *engine, const char *key)
{
	struct calls_grammar *found = NULL;

	pthread_mutex_lock(&engine->lock);
	for (size_t i = 0; i < CALLS_GRAMMAR_CACHE; i++) {
		struct calls_grammar *g = engine->grammars[i];

		if (g && strcmp(g->key, key) == 0) {
			g->used = ++engine->clock;
			calls_grammar_ref(g);
			found = g;
			break;
		}
	}
	pthread_mutex_unlock(&engine->lock);
	return found;
}

/* Insert a grammar, or return the one another thread inserted under the same key. */
static struct calls_grammar *cache_insert(struct calls_engine *engine,
					  struct calls_grammar *grammar)
{
	struct calls_grammar *evicted = NULL;
	size_t slot = 0;

	pthread_mutex_lock(&engine->lock);
	for (size_t i = 0; i < CALLS_GRAMMAR_CACHE; i++) {
		struct calls_grammar *g = engine->grammars[i];

		if (g && strcmp(g->key, grammar->key) == 0) {
			g->used = ++engine->clock;
			calls_grammar_ref(g);
			pthread_mutex_unlock(&engine->lock);
			calls_grammar_release(grammar);
			return g;
		}
		if (!g || (engine->grammars[slot] && g->used < engine->grammars[slot]->used))
			slot = i;
	}
	evicted = engine->grammars[slot];
	grammar->used = ++engine->clock;
	calls_grammar_ref(grammar); /* the cache's reference */
	engine->grammars[slot] = grammar;
	pthread_mutex_unlock(&engine->lock);
	calls_grammar_release(evicted);
	return grammar;
}

int calls_engine_grammar(struct calls_engine *engine, const struct calls_nlu *nlu,
			 enum nlu_lang lang, enum nlu_expect expect,
			 const char *const *extras, size_t extra_count,
			 struct calls_grammar **grammarp)
{
	struct calls_grammar *grammar, *base = NULL;
	char *key = NULL;
	int err;

	*grammarp = NULL;
	err = grammar_key(nlu, lang, expect, extras, extra_count, &key);
	if (err)
		return err;
	grammar = cache_find(engine, key);
	if (grammar) {
		free(key);
		*grammarp = grammar;
		return 0;
	}
	if (extra_count) {
		err = calls_engine_grammar(engine, nlu, lang, expect, NULL, 0, &base);
		if (err) {
			free(key);
			return err;
		}
	}
	grammar = calloc(1, sizeof(*grammar));
	if (!grammar) {
		free(key);
		calls_grammar_release(base);
		return ENOMEM;
	}
	atomic_store(&grammar->refs, 1);
	grammar->lang = lang;
	grammar->expect = expect;
	grammar->key = key;
	grammar->base = base;
	err = nlu_grammar_jsgf(nlu->nlu, lang, expect, extras, extra_count, &grammar->text);
	if (!err && lang == NLU_LANG_EN && engine->words.count) {
		char *filtered = NULL;

		err = calls_grammar_filter(&engine->words, grammar->text, &filtered);
		free(grammar->text);
		grammar->text = filtered;
	}
	if (err) {
		calls_grammar_release(grammar);
		return err;
	}
	*grammarp = cache_insert(engine, grammar);
	return 0;
}
