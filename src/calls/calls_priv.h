/*
 * Internals of the calls service shared by its files:
 *   calls.c          start, reload, stop; the practice settings the file mirrors
 *   calls_config.c   configuration keys onto the user agent and the speech pool
 *   line.c           one call on the SIP loop thread: media, playback, keys, timers
 *   worker.c         dialogue workers: sessions, turns, the dashboard's states
 *   engine.c         the shared language engine and its grammars, rebuilt as the
 *                    practice's agenda changes
 *   prompts.c        the fixed sentences of the catalogues, for the prompt cache
 */
#ifndef PERMANENCE_CALLS_PRIV_H
#define PERMANENCE_CALLS_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calls.h"
#include "dialogue.h"
#include "nlu.h"
#include "session.h"

#define CALLS_LOG "calls"
/* Our call ids: "sip-<unix seconds>-<pid>-<call number>". */
#define CALLS_ID_MAX 64
#define CALLS_TARGET_MAX 256

/* The reloadable values a call takes when it starts. */
struct calls_settings {
	enum nlu_lang lang;                 /* practice.language */
	unsigned max_calls;                 /* sip.max_calls */
	bool recording;                     /* calls.recording */
	unsigned no_input_ms;               /* calls.no_input_timeout */
	unsigned shutdown_grace_s;          /* calls.shutdown_grace */
	float asr_min_confidence;           /* speech.asr_min_confidence */
	unsigned end_of_turn_ms;            /* calls.end_of_turn_ms; 0: off */
	char transfer_target[CALLS_TARGET_MAX]; /* sip.transfer_target; empty: the dialogue's */
};

struct agenda;

/* ---- engine.c: the language engine and grammars ---- */

/* A language engine built for one version of the practice's practitioners and types. */
struct calls_nlu {
	atomic_uint refs;
	uint64_t id;
	struct nlu *nlu;
	char *fingerprint; /* practitioners and types it was built from */
};

/*
 * A recognition grammar for one language, expectation and set of extra phrases, shared
 * by the calls that ask the same question. `base` is the same grammar without the extra
 * phrases, used when the recogniser rejects a word of them.
 */
struct calls_grammar {
	atomic_uint refs;
	enum nlu_lang lang;
	enum nlu_expect expect;
	char *key;
	char *text;
	struct calls_grammar *base; /* NULL when this grammar has no extra phrases */
	atomic_bool extras_rejected;
	uint64_t used;              /* cache clock of the last use, under the cache lock */
};

#define CALLS_GRAMMAR_CACHE 64
#define CALLS_EXTRA_MAX 48

/*
 * The words the grammar recogniser (pocketsphinx) can pronounce: its dictionary's words,
 * sorted. A grammar with one word outside it does not compile, so grammars are cut to
 * these words first.
 */
struct calls_words {
	char *buffer;         /* the words, NUL-separated */
	const char **sorted;
	size_t count;
};

struct calls_engine {
	pthread_mutex_t lock;
	struct calls_words words;   /* empty: grammars are not checked (no pocketsphinx) */
	struct calls_nlu *current;
	uint64_t next_id;
	struct calls_grammar *grammars[CALLS_GRAMMAR_CACHE];
	uint64_t clock;
};

int calls_engine_init(struct calls_engine *engine);
void calls_engine_destroy(struct calls_engine *engine);

/*
 * Read the recogniser's pronunciation dictionary (lines "word PHONES", variants
 * "word(2)") so that grammars for `check_lang` keep only the words it has. Returns 0 or
 * errno.
 */
int calls_engine_load_words(struct calls_engine *engine, const char *dictionary);

/*
 * Whether every word of a phrase is in the word list (a hyphenated word when its parts
 * are, a single letter always). True when no list is loaded.
 */
bool calls_words_known(const struct calls_words *words, const char *phrase);

/*
 * Rewrite a JSGF grammar keeping only the alternatives whose words are all known; a rule
 * left empty is removed with its references. *out is malloc'd. Returns 0, ENOMEM, or
 * ENOENT when nothing is left.
 */
int calls_grammar_filter(const struct calls_words *words, const char *jsgf, char **out);

/*
 * The language engine for an agenda: the current one when it was built from the same
 * practitioners and types, else a new one, which becomes current. The caller owns one
 * reference. Returns 0, ENOMEM or EINVAL.
 */
int calls_engine_nlu(struct calls_engine *engine, struct agenda *agenda,
		     struct calls_nlu **nlup);
void calls_nlu_release(struct calls_nlu *nlu);

/*
 * The grammar for a question: its language and expectation, with `extras` (folded
 * phrases, may be empty) in a grammar of their own. The caller owns one reference.
 * Returns 0, ENOMEM, or EINVAL when the language engine cannot write the grammar.
 */
int calls_engine_grammar(struct calls_engine *engine, const struct calls_nlu *nlu,
			 enum nlu_lang lang, enum nlu_expect expect,
			 const char *const *extras, size_t extra_count,
			 struct calls_grammar **grammarp);
void calls_grammar_ref(struct calls_grammar *grammar);
void calls_grammar_release(struct calls_grammar *grammar);

/* ---- worker.c: dialogue workers ---- */

enum calls_event_kind {
	CALLS_EVENT_CREATE,   /* a call was offered: open its session */
	CALLS_EVENT_DIALOGUE, /* an event for the session */
	CALLS_EVENT_PLAYBACK, /* the assistant started or stopped speaking (dashboard) */
	CALLS_EVENT_HANGUP,   /* the call is over: close the session, write its record */
};

/* The facts about a call that its session needs. */
struct calls_call_info {
	char call_id[CALLS_ID_MAX];
	char caller[64];
	char called[64];
	struct calls_settings settings;
};

struct calls_event {
	struct calls_event *next;
	enum calls_event_kind kind;
	uint64_t number;
	int64_t now;
	/* DIALOGUE */
	enum dialogue_event_kind dialogue;
	char *text;         /* UTTERANCE, malloc'd */
	float confidence;
	char digits[DIALOGUE_DIGITS_MAX + 1];
	bool transferred;
	/* PLAYBACK: a static state name for the dashboard */
	const char *live_state;
	/* CREATE */
	struct calls_call_info info;
};

struct calls_event *calls_event_new(enum calls_event_kind kind, uint64_t number);
void calls_event_free(struct calls_event *event);

/*
 * Queue an event for the worker the call is pinned to; the queue takes it. CREATE and
 * HANGUP always go in; other events are dropped (and freed, with a warning) past the
 * bound on waiting events. Any thread.
 */
void calls_worker_push(struct calls *calls, struct calls_event *event);

int calls_workers_start(struct calls *calls, unsigned count, char *error, size_t size);
/* Process every queued event, then stop and free the workers. */
void calls_workers_stop(struct calls *calls);

/* ---- line.c: the SIP loop side ---- */

enum calls_item_kind {
	CALLS_ITEM_SPEECH,   /* SAY or ASK text */
	CALLS_ITEM_TRANSFER,
	CALLS_ITEM_END,
};

struct calls_item {
	enum calls_item_kind kind;
	char *text;          /* SPEECH, malloc'd */
	enum nlu_lang lang;  /* SPEECH: the language to speak it in */
	bool question;       /* SPEECH from an ASK */
	bool interruptible;
	char target[CALLS_TARGET_MAX]; /* TRANSFER */
};

/* The session's output for one event, which the loop plays and carries out in order. */
struct calls_turn {
	struct calls *calls;
	uint64_t number;
	size_t count;
	struct calls_item items[SESSION_MAX_OUTPUT];
	/* The question asked, for recognition and the keypad; has_question false keeps the
	 * previous one (a result that only says something). */
	bool has_question;
	enum nlu_lang lang;
	enum nlu_expect expect;
	char keys[16];
	struct calls_grammar *grammar; /* owned reference, may be NULL */
};

/*
 * Hand a turn to the loop thread, which then owns it. Any thread. Returns 0 or the
 * user agent's error (the turn is then freed).
 */
int calls_line_post_turn(struct calls *calls, struct calls_turn *turn);
void calls_turn_free(struct calls_turn *turn);

/* Tell the loop whether to record the call (after the worker read the setting). */
int calls_line_post_recording(struct calls *calls, uint64_t number, bool recording);

/*
 * Fill the handler the user agent calls on the loop thread, and allocate the loop's
 * state. Returns 0 or ENOMEM.
 */
int calls_line_handler(struct calls *calls, struct sip_handler *handler);
/* Free the loop's state, once the loop has ended. */
void calls_line_release(struct calls *calls);

/* Hang up every call (grace period over); any thread. */
int calls_line_hangup_all(struct calls *calls);

/* ---- prompts.c ---- */

/*
 * The catalogue's sentences that have no parameter, in one language, with the practice's
 * name filled in, and, when `st` is not NULL, the sentences of the practice's texts in
 * that language (greeting, answers), for the prompt cache: a malloc'd array of malloc'd
 * strings. Returns 0, ENOMEM, EINVAL (a catalogue that does not parse).
 */
struct store;
int calls_prompts_fixed(enum nlu_lang lang, const char *practice_name, struct store *st,
			char ***textsp, size_t *countp);
void calls_prompts_free(char **texts, size_t count);

/* ---- calls.c ---- */

struct calls_worker;
struct calls_loop;
struct line;

struct calls {
	struct config config;         /* as started; reloadable keys in `settings` */
	pthread_mutex_t lock;         /* settings and stats */
	struct calls_settings settings;
	struct calls_stats stats;

	struct live_registry *live;
	struct sip_ua *ua;
	struct speech_pool *pool;
	struct calls_engine engine;
	char practice_name[128];
	char recordings_dir[CONFIG_TEXT_MAX];

	struct calls_worker *workers;
	unsigned worker_count;

	pthread_t warm_thread;
	bool warm_started;
	atomic_bool stopping;         /* no new call */
	atomic_uint active;           /* calls between `offered` and `ended` */
	struct line *lines;           /* loop thread: the calls in progress */
	struct calls_loop *loop;      /* loop thread: its timer */
	uint64_t started_s;           /* for call ids */
	long pid;
};

/* A copy of the settings in force. */
void calls_settings_get(struct calls *calls, struct calls_settings *settings);

/* Count one of the stats' events; `field` is an offset into struct calls_stats. */
void calls_stat_add(struct calls *calls, size_t field, uint64_t amount);
#define CALLS_STAT(calls, name) calls_stat_add((calls), offsetof(struct calls_stats, name), 1)
void calls_stat_reply(struct calls *calls, int64_t ms);

/* Create a folder and its parents (0750). Returns 0 or errno. */
int calls_make_dir(const char *path);

/* Milliseconds on the monotonic clock. */
int64_t calls_monotonic_ms(void);

#endif
