/*
 * Worker pool for synthesis and recognition.
 *
 * Threads: N recognition workers share one bounded queue, and each holds its own
 * instance of every configured recognition engine (one pocketsphinx decoder per worker).
 * Each configured synthesis engine gets one dedicated thread with its own bounded queue,
 * because espeak-ng and flite keep process-wide state and must only be called from one
 * thread. A full queue rejects the job at once with EAGAIN; nothing grows without bound.
 *
 * Callbacks run on the worker thread that did the job. The caller bridges them to its own
 * event loop (the SIP layer posts them to libre's mqueue), so they must be short and must
 * not call back into the pool for the same job except speech_pool_cancel().
 *
 * Cancellation: once speech_pool_cancel() returns, the job's callback is neither running
 * nor will it run, so the caller may free what the callback's argument points to. A
 * recognition already running is told to stop (the HTTP engine aborts its request) and
 * its result is dropped.
 *
 * Shutdown: speech_pool_drain() waits for every queued job to complete;
 * speech_pool_destroy() drops queued jobs without calling their callbacks, waits for the
 * running ones, joins the threads and frees the engines.
 */
#ifndef PERMANENCE_SPEECH_POOL_H
#define PERMANENCE_SPEECH_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prompt_cache.h"
#include "recog.h"

struct speech_pool;

struct speech_pool_config {
	unsigned workers;   /* recognition workers; 0: one per online core (1..64) */
	size_t queue_max;   /* jobs waiting per queue (1..4096) */
	size_t cache_bytes; /* prompt cache size; 0: no cache */

	/* Synthesis engine and voice per language; a NULL engine disables that language. */
	const char *synth_engine_fr;
	const char *synth_engine_en;
	const char *voice_fr; /* NULL: the engine's default voice */
	const char *voice_en;

	/* Recognition: the engine for requests with a grammar (used for the languages it
	 * supports), and the open-vocabulary engine per language. NULL disables. */
	const char *recog_grammar_engine;
	const char *recog_open_engine_fr;
	const char *recog_open_engine_en;
	struct speech_recog_config recog;
};

/*
 * Defaults: workers 0, queue_max 64, a 32 MiB cache, espeak-ng for French (voice "fr"),
 * flite for English (voice "slt"), pocketsphinx for grammars and for open English, no
 * French recognition until an http server is configured (recog_open_engine_fr = "http"
 * with recog.http_url).
 */
void speech_pool_config_init(struct speech_pool_config *config);

/*
 * Start the threads and open every engine on the thread that will use it. Returns 0, or
 * the first engine's error (ENOENT for an unknown engine name, EIO for missing model
 * files, EINVAL for invalid settings), EAGAIN when a thread cannot start, ENOMEM.
 */
int speech_pool_create(struct speech_pool **poolp, const struct speech_pool_config *config);
void speech_pool_destroy(struct speech_pool *pool);

/* Wait until every queued and running job has completed. */
void speech_pool_drain(struct speech_pool *pool);

/* One piece of a synthesis job's output, valid during the callback. */
struct speech_synth_event {
	uint64_t job;
	int err;              /* 0, or the job's error (then last is true and no audio) */
	const char *error;    /* message for err, or "" */
	const int16_t *samples; /* 8 kHz PCM of one sentence */
	size_t count;
	unsigned index;       /* sentence number */
	bool last;            /* the job's final event */
	bool cached;          /* the sentence came from the prompt cache */
};

typedef void(speech_synth_h)(const struct speech_synth_event *event, void *arg);

/*
 * Queue synthesis of text (copied) in lang with the configured engine and voice for that
 * language (voice overrides it when not NULL). synth_h receives each sentence in order;
 * the final call has last set, or err set on failure. On success *job (may be NULL)
 * receives the job id. Returns 0, EINVAL for invalid arguments or text longer than
 * SPEECH_TEXT_MAX, ENOTSUP when no engine serves lang, EAGAIN when the queue is full,
 * ESHUTDOWN while the pool is being destroyed, ENOMEM. On error synth_h is never called.
 */
int speech_pool_synthesize(struct speech_pool *pool, const char *text, const char *lang,
			   const char *voice, const char *call_id, speech_synth_h *synth_h,
			   void *arg, uint64_t *job);

/* The outcome of a recognition job, valid during the callback. */
struct speech_recog_event {
	uint64_t job;
	int err;           /* 0 or an error of speech_recog_run() */
	const char *error; /* message for err, or "" */
	const struct speech_recog_result *result; /* valid when err is 0 */
};

typedef void(speech_recog_h)(const struct speech_recog_event *event, void *arg);

/*
 * Queue recognition of request (samples, grammar and strings are copied; audio past the
 * configured maximum is not copied, and the result is marked truncated). The engine is the
 * grammar engine when a grammar is given and it serves the language, else the language's
 * open engine. recog_h is called once. Returns 0, EINVAL, ENOTSUP when no engine serves
 * the language, EAGAIN when the queue is full, ESHUTDOWN, ENOMEM. On error recog_h is
 * never called.
 */
int speech_pool_recognize(struct speech_pool *pool, const struct speech_recog_request *request,
			  speech_recog_h *recog_h, void *arg, uint64_t *job);

/*
 * Cancel a job: a queued job is removed, a running one has its remaining callbacks
 * suppressed (waiting for a callback in progress on another thread to return). Returns 0,
 * or ENOENT when the job is unknown or has already completed.
 */
int speech_pool_cancel(struct speech_pool *pool, uint64_t job);

/*
 * Synthesise the fixed prompts of a language into the prompt cache, sentence by sentence,
 * on that language's synthesis thread, and wait for it. Returns 0, ENOTSUP when the pool
 * has no cache or no engine for lang, or the first synthesis error (*failed, may be NULL,
 * receives the prompt's index).
 */
int speech_pool_warm(struct speech_pool *pool, const char *lang, const char *const *texts,
		     size_t count, size_t *failed);

/* Recognition times are counted in buckets of 10 ms up to 2 s, the last one open. */
#define SPEECH_POOL_TIME_BUCKET_MS 10
#define SPEECH_POOL_TIME_BUCKETS 200

struct speech_pool_stats {
	unsigned workers;         /* recognition workers */
	unsigned synth_threads;
	size_t queued;            /* jobs waiting, all queues */
	size_t running;
	uint64_t completed;
	uint64_t rejected_full;   /* submissions refused with EAGAIN */
	uint64_t cancelled;
	/* Per recognition: time in the queue before a worker took it, and time running. */
	uint64_t recog_wait_ms[SPEECH_POOL_TIME_BUCKETS];
	uint64_t recog_run_ms[SPEECH_POOL_TIME_BUCKETS];
	struct speech_cache_stats cache; /* zero without a cache */
};

void speech_pool_get_stats(struct speech_pool *pool, struct speech_pool_stats *stats);

#endif
