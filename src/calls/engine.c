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

static void buffer_add(struct text_buffer *b, const char *text)
{
	size_t n = strlen(text);

	if (b->err)
		return;
	if (b->len + n + 2 > b->cap) {
		size_t cap = (b->len + n + 2) * 2;
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
	b->data[b->len++] = '|';
	b->data[b->len] = '\0';
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

void calls_engine_destroy(struct calls_engine *engine)
{
	for (size_t i = 0; i < CALLS_GRAMMAR_CACHE; i++)
		calls_grammar_release(engine->grammars[i]);
	calls_nlu_release(engine->current);
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
	if (err) {
		calls_grammar_release(grammar);
		return err;
	}
	*grammarp = cache_insert(engine, grammar);
	return 0;
}
