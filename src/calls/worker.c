/*
 * Dialogue workers: a few threads, each with its own store connection and agenda, that
 * run the calls' sessions. A call is pinned to one worker (its number modulo the worker
 * count), so its events are handled in the order they were queued, and a session is only
 * ever used by the thread that created it.
 *
 * For each event the worker calls session_handle() and turns what it returns into a
 * turn for the loop thread: the sentences to speak (with their language), the transfer
 * or the end, and the question asked with its recognition grammar.
 *
 * The agenda a worker gives new calls is reopened when it is older than a minute, so
 * changes made on the dashboard (hours, practitioners) reach the next calls; a call keeps
 * the agenda and language engine it started with.
 */
#include "calls_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "fold.h"
#include "live.h"
#include "log.h"
#include "phone.h"
#include "sip.h"
#include "store.h"

/* Events waiting per worker before non-essential ones are dropped. */
#define WORKER_QUEUE_MAX 4096
/* Age after which a worker reopens its agenda for new calls. */
#define AGENDA_REFRESH_MS 60000
/* Names of the caller's number's patients kept as recognition phrases. */
#define CALLER_NAMES_MAX 16
#define PHRASE_MAX 96

/* An agenda and the language engine built for it; freed once no call uses them. */
struct generation {
	struct generation *next;
	struct agenda *agenda;
	struct calls_nlu *nlu;
	unsigned refs;        /* calls using it, plus one while it is the current one */
	int64_t opened_ms;
	/* Folded ways to name each practitioner, per language: "doctor martin", "martin". */
	size_t phrase_count[2];
	char (*phrases[2])[PHRASE_MAX];
};

/* One call's conversation. */
struct conv {
	struct conv *next;
	uint64_t number;
	struct calls_call_info info;
	struct session *session;
	struct generation *gen;
	enum nlu_lang lang;       /* the language spoken now */
	unsigned turns;
	bool failed;              /* the session could not start; the call is hung up */
	size_t name_count;
	char names[CALLER_NAMES_MAX][PHRASE_MAX];
};

struct calls_worker {
	struct calls *calls;
	unsigned index;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct calls_event *head;
	struct calls_event **tail;
	size_t count;
	bool stop;
	unsigned dropped;

	/* Worker thread only. */
	struct store *store;
	struct generation *current;
	struct generation *retired; /* older generations still used by calls */
	struct conv *convs;
};

struct calls_event *calls_event_new(enum calls_event_kind kind, uint64_t number)
{
	struct calls_event *event = calloc(1, sizeof(*event));

	if (!event)
		return NULL;
	event->kind = kind;
	event->number = number;
	event->now = (int64_t)time(NULL);
	return event;
}

void calls_event_free(struct calls_event *event)
{
	if (!event)
		return;
	free(event->text);
	free(event);
}

void calls_worker_push(struct calls *calls, struct calls_event *event)
{
	struct calls_worker *w = &calls->workers[event->number % calls->worker_count];
	bool essential = event->kind == CALLS_EVENT_CREATE || event->kind == CALLS_EVENT_HANGUP;
	unsigned dropped = 0;

	pthread_mutex_lock(&w->lock);
	if (!essential && w->count >= WORKER_QUEUE_MAX) {
		dropped = ++w->dropped;
		pthread_mutex_unlock(&w->lock);
		if (dropped == 1 || dropped % 1000 == 0)
			log_warning(CALLS_LOG, NULL,
				    "dialogue worker %u has %d events waiting: %u events dropped",
				    w->index, WORKER_QUEUE_MAX, dropped);
		calls_event_free(event);
		return;
	}
	event->next = NULL;
	*w->tail = event;
	w->tail = &event->next;
	w->count++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* ---- Generations ---- */

static void generation_free(struct generation *gen)
{
	agenda_close(gen->agenda);
	calls_nlu_release(gen->nlu);
	for (int l = 0; l < 2; l++)
		free(gen->phrases[l]);
	free(gen);
}

/* Fold a phrase to lower-case ASCII words; false when nothing usable is left. */
static bool fold_phrase(const char *text, char *out, size_t size)
{
	if (text_fold(text, out, size) < 0 || !out[0])
		return false;
	for (char *p = out; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!(islower(c) || c == ' ' || c == '\'' || c == '-'))
			return false;
	}
	return true;
}

static void gen_phrases(struct generation *gen)
{
	size_t count = agenda_practitioner_count(gen->agenda);
	static const char *const titles[2] = {[NLU_LANG_FR] = "docteur", [NLU_LANG_EN] = "doctor"};

	for (int l = 0; l < 2; l++) {
		gen->phrases[l] = calloc(count * 3 + 1, sizeof(*gen->phrases[l]));
		if (!gen->phrases[l])
			continue;
		for (size_t i = 0; i < count; i++) {
			const struct store_practitioner *p = agenda_practitioner(gen->agenda, (int)i);
			char text[PHRASE_MAX * 2];

			if (!p->active)
				continue;
			if (fold_phrase(p->last_name, gen->phrases[l][gen->phrase_count[l]],
					PHRASE_MAX))
				gen->phrase_count[l]++;
			snprintf(text, sizeof(text), "%s %s", titles[l], p->last_name);
			if (fold_phrase(text, gen->phrases[l][gen->phrase_count[l]], PHRASE_MAX))
				gen->phrase_count[l]++;
			snprintf(text, sizeof(text), "%s %s", p->first_name, p->last_name);
			if (fold_phrase(text, gen->phrases[l][gen->phrase_count[l]], PHRASE_MAX))
				gen->phrase_count[l]++;
		}
	}
}

/* The generation for a new call: the current one, reopened when it is old. */
static struct generation *generation_take(struct calls_worker *w)
{
	struct generation *gen;
	char message[300];
	int64_t now = calls_monotonic_ms();
	int err;

	if (w->current && now - w->current->opened_ms < AGENDA_REFRESH_MS) {
		w->current->refs++;
		return w->current;
	}
	gen = calloc(1, sizeof(*gen));
	if (!gen)
		goto keep;
	err = agenda_open(&gen->agenda, w->store, message, sizeof(message));
	if (err) {
		log_err(CALLS_LOG, NULL, "worker %u: reading the agenda failed (%s): %s", w->index,
			strerror(err), message);
		free(gen);
		goto keep;
	}
	err = calls_engine_nlu(&w->calls->engine, gen->agenda, &gen->nlu);
	if (err) {
		log_err(CALLS_LOG, NULL, "worker %u: building the language engine failed: %s",
			w->index, strerror(err));
		agenda_close(gen->agenda);
		free(gen);
		goto keep;
	}
	gen_phrases(gen);
	gen->opened_ms = now;
	gen->refs = 2; /* current, and the new call */
	if (w->current) {
		if (--w->current->refs == 0) {
			generation_free(w->current);
		} else {
			w->current->next = w->retired;
			w->retired = w->current;
		}
	}
	w->current = gen;
	return gen;
keep:
	/* Keep the agenda in use rather than refuse the call; it is retried next call. */
	if (w->current) {
		w->current->opened_ms = now;
		w->current->refs++;
	}
	return w->current;
}

static void generation_release(struct calls_worker *w, struct generation *gen)
{
	if (!gen || --gen->refs > 0)
		return;
	for (struct generation **p = &w->retired; *p; p = &(*p)->next) {
		if (*p == gen) {
			*p = gen->next;
			break;
		}
	}
	generation_free(gen);
}

/* ---- Turns ---- */

void calls_turn_free(struct calls_turn *turn)
{
	if (!turn)
		return;
	for (size_t i = 0; i < turn->count; i++)
		free(turn->items[i].text);
	calls_grammar_release(turn->grammar);
	free(turn);
}

/* Add a phrase once; `words` (may be NULL) leaves out what the recogniser cannot say. */
static void extras_add(const char **extras, size_t *count, const char *phrase,
		       const struct calls_words *words)
{
	if (*count >= CALLS_EXTRA_MAX || !phrase[0] || (words && !calls_words_known(words, phrase)))
		return;
	for (size_t i = 0; i < *count; i++) {
		if (strcmp(extras[i], phrase) == 0)
			return;
	}
	extras[(*count)++] = phrase;
}

/*
 * The words of a question that name what it offers: capitalised words that do not start
 * a sentence ("Thomas", "Friday", "March", "Benali"), folded. `words` receives them.
 */
static size_t question_words(const char *text, char (*words)[PHRASE_MAX], size_t max)
{
	size_t count = 0;
	bool sentence_start = true;
	const char *p = text;

	while (*p && count < max) {
		size_t len = strcspn(p, " ,.;:?!()«»\"\n");
		char word[PHRASE_MAX];

		if (len && len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			if (!sentence_start && len > 1 && isupper((unsigned char)word[0]) &&
			    fold_phrase(word, words[count], PHRASE_MAX))
				count++;
			sentence_start = false;
		}
		p += len;
		while (*p && strchr(" ,.;:?!()«»\"\n", *p)) {
			if (*p == '.' || *p == '?' || *p == '!' || *p == ':')
				sentence_start = true;
			p++;
		}
	}
	return count;
}

/* The grammar for the question `ask` of a turn, with the phrases it offers. */
static void turn_grammar(struct calls_worker *w, struct conv *conv, struct calls_turn *turn,
			 const char *ask_text)
{
	const char *extras[CALLS_EXTRA_MAX];
	char words[24][PHRASE_MAX];
	size_t count = 0, word_count;
	int lang = turn->lang == NLU_LANG_EN ? NLU_LANG_EN : NLU_LANG_FR;
	const struct calls_words *known = lang == NLU_LANG_EN ? &w->calls->engine.words : NULL;
	int err;

	for (size_t i = 0; i < conv->gen->phrase_count[lang]; i++)
		extras_add(extras, &count, conv->gen->phrases[lang][i], known);
	word_count = question_words(ask_text, words, 24);
	for (size_t i = 0; i < word_count; i++)
		extras_add(extras, &count, words[i], known);
	if (turn->expect == NLU_EXPECT_NAME) {
		for (size_t i = 0; i < conv->name_count; i++)
			extras_add(extras, &count, conv->names[i], known);
	}
	err = calls_engine_grammar(&w->calls->engine, conv->gen->nlu, turn->lang, turn->expect,
				   extras, count, &turn->grammar);
	if (err)
		log_warning(CALLS_LOG, conv->info.call_id,
			    "no recognition grammar for %s: %s", nlu_expect_name(turn->expect),
			    strerror(err));
}

static void post_turn(struct calls_worker *w, struct conv *conv,
		      const struct session_output *out)
{
	struct calls_turn *turn = calloc(1, sizeof(*turn));
	const char *ask_text = NULL;

	if (!turn) {
		log_err(CALLS_LOG, conv->info.call_id, "out of memory: the reply is lost");
		return;
	}
	turn->calls = w->calls;
	turn->number = conv->number;
	for (size_t i = 0; i < out->count; i++) {
		const struct session_output_item *o = &out->items[i];
		struct calls_item *item = &turn->items[turn->count];

		switch (o->kind) {
		case DIALOGUE_ACTION_SAY:
		case DIALOGUE_ACTION_ASK:
			item->kind = CALLS_ITEM_SPEECH;
			item->text = strdup(o->text);
			if (!item->text)
				continue;
			item->lang = conv->lang;
			item->question = o->kind == DIALOGUE_ACTION_ASK;
			item->interruptible = o->interruptible;
			turn->count++;
			if (o->kind == DIALOGUE_ACTION_ASK) {
				turn->has_question = true;
				turn->expect = o->expect;
				snprintf(turn->keys, sizeof(turn->keys), "%s", o->keys);
				ask_text = o->text;
			}
			break;
		case DIALOGUE_ACTION_TRANSFER:
			item->kind = CALLS_ITEM_TRANSFER;
			snprintf(item->target, sizeof(item->target), "%s", o->target);
			turn->count++;
			break;
		case DIALOGUE_ACTION_END:
			item->kind = CALLS_ITEM_END;
			turn->count++;
			break;
		case DIALOGUE_ACTION_SET_LANGUAGE:
			conv->lang = o->lang;
			log_info(CALLS_LOG, conv->info.call_id, "language switched to %s",
				 o->lang == NLU_LANG_EN ? "en" : "fr");
			break;
		default:
			break;
		}
	}
	turn->lang = conv->lang;
	if (turn->has_question)
		turn_grammar(w, conv, turn, ask_text);
	if (turn->count == 0 && !turn->has_question) {
		calls_turn_free(turn);
		return;
	}
	conv->turns++;
	if (calls_line_post_turn(w->calls, turn) != 0)
		log_warning(CALLS_LOG, conv->info.call_id, "the call is over: reply dropped");
}

/* ---- Events ---- */

static struct conv *conv_find(struct calls_worker *w, uint64_t number)
{
	for (struct conv *c = w->convs; c; c = c->next) {
		if (c->number == number)
			return c;
	}
	return NULL;
}

/* Names of the patients registered with the caller's number, as recognition phrases. */
static void caller_names(struct calls_worker *w, struct conv *conv)
{
	struct store_patient *list = NULL;
	char e164[24];
	size_t count = 0;

	if (!conv->info.caller[0] || phone_to_e164(conv->info.caller, e164, sizeof(e164)) != 0)
		return;
	if (store_patients_find_by_phone(w->store, e164, &list, &count) != 0)
		return;
	for (size_t i = 0; i < count && conv->name_count + 3 <= CALLER_NAMES_MAX; i++) {
		char full[PHRASE_MAX * 2];

		if (fold_phrase(list[i].last_name, conv->names[conv->name_count], PHRASE_MAX))
			conv->name_count++;
		if (fold_phrase(list[i].first_name, conv->names[conv->name_count], PHRASE_MAX))
			conv->name_count++;
		snprintf(full, sizeof(full), "%s %s", list[i].first_name, list[i].last_name);
		if (fold_phrase(full, conv->names[conv->name_count], PHRASE_MAX))
			conv->name_count++;
	}
	free(list);
}

/* Whether the practice records calls: the file's calls.recording or the setting. */
static bool recording_on(struct calls_worker *w, const struct conv *conv)
{
	char value[16];

	if (conv->info.settings.recording)
		return true;
	if (store_setting_get(w->store, "recording", value, sizeof(value)) != 0)
		return false;
	return strcmp(value, "on") == 0 || strcmp(value, "yes") == 0 ||
	       strcmp(value, "true") == 0 || strcmp(value, "1") == 0;
}

static void on_create(struct calls_worker *w, struct calls_event *ev)
{
	struct conv *conv = calloc(1, sizeof(*conv));
	struct session_config sc = {0};
	int err;

	if (!conv) {
		log_err(CALLS_LOG, ev->info.call_id, "out of memory: hanging up");
		(void)sip_ua_hangup(w->calls->ua, ev->number);
		return;
	}
	conv->number = ev->number;
	conv->info = ev->info;
	conv->lang = ev->info.settings.lang;
	conv->next = w->convs;
	w->convs = conv;

	conv->gen = generation_take(w);
	if (!conv->gen) {
		log_err(CALLS_LOG, conv->info.call_id, "no agenda to answer with: hanging up");
		conv->failed = true;
		(void)sip_ua_hangup(w->calls->ua, conv->number);
		return;
	}
	sc.agenda = conv->gen->agenda;
	sc.nlu = conv->gen->nlu->nlu;
	sc.call_id = conv->info.call_id;
	sc.channel = "sip";
	sc.caller_number = conv->info.caller;
	sc.called_number = conv->info.called;
	sc.lang = conv->lang == NLU_LANG_EN ? "en" : "fr";
	sc.live = w->calls->live;
	err = session_create(&conv->session, &sc, ev->now);
	if (err) {
		log_err(CALLS_LOG, conv->info.call_id, "the session could not start (%s): hanging up",
			strerror(err));
		conv->failed = true;
		(void)sip_ua_hangup(w->calls->ua, conv->number);
		return;
	}
	caller_names(w, conv);
	if (recording_on(w, conv) && calls_line_post_recording(w->calls, conv->number, true))
		log_warning(CALLS_LOG, conv->info.call_id, "the call ended before its recording began");
}

static void on_dialogue(struct calls_worker *w, struct conv *conv, struct calls_event *ev)
{
	struct dialogue_event de = {0};
	const struct session_output *out = NULL;
	int err;

	de.kind = ev->dialogue;
	de.now = ev->now;
	de.text = ev->text ? ev->text : "";
	de.confidence = ev->confidence;
	de.digits = ev->digits;
	de.transferred = ev->transferred;
	err = session_handle(conv->session, &de, &out);
	if (err) {
		/* EBUSY: a caller event while the transfer is pending; the dialogue keeps its state. */
		log_notice(CALLS_LOG, conv->info.call_id, "the dialogue did not take a %s event: %s",
			   dialogue_event_name(de.kind), strerror(err));
		return;
	}
	log_debug(CALLS_LOG, conv->info.call_id, "%s -> %s, %zu actions",
		  dialogue_event_name(de.kind), session_state_name(conv->session), out->count);
	post_turn(w, conv, out);
}

/* Show on the dashboard whether the assistant speaks or listens. */
static void on_playback(struct calls_worker *w, struct conv *conv, struct calls_event *ev)
{
	struct live_call *list = NULL;
	size_t count = 0;
	uint64_t version;

	if (!w->calls->live || !conv->session || session_ended(conv->session))
		return;
	if (live_registry_snapshot(w->calls->live, &list, &count, &version) != 0)
		return;
	for (size_t i = 0; i < count; i++) {
		struct live_call *call = &list[i];

		if (strcmp(call->call_id, conv->info.call_id) != 0)
			continue;
		if (strcmp(call->state, "transferring") == 0 || strcmp(call->state, "ringing") == 0)
			break;
		snprintf(call->state, sizeof(call->state), "%s",
			 strcmp(ev->live_state, "speaking") == 0 && conv->turns <= 1 ? "greeting"
											 : ev->live_state);
		call->updated_utc = ev->now;
		(void)live_registry_update(w->calls->live, call);
		break;
	}
	free(list);
}

static void conv_close(struct calls_worker *w, struct conv *conv, int64_t now)
{
	for (struct conv **p = &w->convs; *p; p = &(*p)->next) {
		if (*p == conv) {
			*p = conv->next;
			break;
		}
	}
	if (conv->session) {
		struct dialogue_event hangup = {.kind = DIALOGUE_EVENT_HANGUP, .now = now};
		const struct session_output *out;

		if (session_handle(conv->session, &hangup, &out) != 0)
			log_warning(CALLS_LOG, conv->info.call_id, "the dialogue did not take the hang-up");
		session_destroy(conv->session);
	}
	generation_release(w, conv->gen);
	free(conv);
	calls_stat_add(w->calls, offsetof(struct calls_stats, records_pending), (uint64_t)-1);
}

static void handle(struct calls_worker *w, struct calls_event *ev)
{
	struct conv *conv;

	if (ev->kind == CALLS_EVENT_CREATE) {
		on_create(w, ev);
		return;
	}
	conv = conv_find(w, ev->number);
	if (!conv)
		return; /* the call failed to start or is over */
	switch (ev->kind) {
	case CALLS_EVENT_DIALOGUE:
		if (!conv->failed)
			on_dialogue(w, conv, ev);
		break;
	case CALLS_EVENT_PLAYBACK:
		on_playback(w, conv, ev);
		break;
	case CALLS_EVENT_HANGUP:
		conv_close(w, conv, ev->now);
		break;
	default:
		break;
	}
}

static void *worker_main(void *arg)
{
	struct calls_worker *w = arg;

	for (;;) {
		struct calls_event *batch;

		pthread_mutex_lock(&w->lock);
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		batch = w->head;
		w->head = NULL;
		w->tail = &w->head;
		w->count = 0;
		pthread_mutex_unlock(&w->lock);
		if (!batch)
			break; /* stopping, and nothing left */
		while (batch) {
			struct calls_event *next = batch->next;

			handle(w, batch);
			calls_event_free(batch);
			batch = next;
		}
	}
	/* The loop has ended every call; a session still open missed its hang-up. */
	while (w->convs) {
		log_warning(CALLS_LOG, w->convs->info.call_id, "closing a session left open");
		conv_close(w, w->convs, (int64_t)time(NULL));
	}
	return NULL;
}

int calls_workers_start(struct calls *calls, unsigned count, char *error, size_t size)
{
	const char *why = NULL;
	int err = 0;

	calls->workers = calloc(count, sizeof(*calls->workers));
	if (!calls->workers)
		return ENOMEM;
	calls->worker_count = count;
	for (unsigned i = 0; i < count; i++) {
		struct calls_worker *w = &calls->workers[i];

		w->calls = calls;
		w->index = i;
		w->tail = &w->head;
		pthread_mutex_init(&w->lock, NULL);
		pthread_cond_init(&w->cond, NULL);
	}
	for (unsigned i = 0; i < count && !err; i++) {
		struct calls_worker *w = &calls->workers[i];

		err = store_open(&w->store, calls->config.db_path, 0, &why);
		if (err) {
			snprintf(error, size, "cannot open the database %s: %s", calls->config.db_path,
				 why ? why : strerror(err));
			break;
		}
		/* The first generation now, so that a broken agenda fails the start. */
		w->current = generation_take(w);
		if (!w->current) {
			snprintf(error, size, "cannot read the agenda of %s; see the log",
				 calls->config.db_path);
			err = EIO;
			break;
		}
		w->current->refs--; /* taken for no call */
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			snprintf(error, size, "cannot start a dialogue worker: %s", strerror(err));
			break;
		}
		w->running = true;
	}
	return err;
}

void calls_workers_stop(struct calls *calls)
{
	for (unsigned i = 0; i < calls->worker_count; i++) {
		struct calls_worker *w = &calls->workers[i];

		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
	for (unsigned i = 0; i < calls->worker_count; i++) {
		struct calls_worker *w = &calls->workers[i];
		struct calls_event *ev = w->head;

		if (w->running)
			pthread_join(w->thread, NULL);
		while (ev) {
			struct calls_event *next = ev->next;

			calls_event_free(ev);
			ev = next;
		}
		while (w->convs)
			conv_close(w, w->convs, (int64_t)time(NULL));
		while (w->retired) {
			struct generation *gen = w->retired;

			w->retired = gen->next;
			generation_free(gen);
		}
		if (w->current)
			generation_free(w->current);
		store_close(w->store);
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
	}
	free(calls->workers);
	calls->workers = NULL;
	calls->worker_count = 0;
}
