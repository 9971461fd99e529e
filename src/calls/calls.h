/*
 * Phone calls end to end: the SIP user agent, the speech engines and the conversation
 * engine joined into a service that answers the practice's calls.
 *
 * calls_start() maps the configuration onto the SIP user agent and the speech pool,
 * builds the shared language engine from the practice's agenda, starts a few dialogue
 * workers and takes calls. For each call, the SIP loop thread runs the media (voice
 * activity, end of speech, barge-in, noise watchdog, recording, playback) and the
 * dialogue worker the call is pinned to runs its session against the store. Synthesis
 * and recognition run on the speech pool. docs/ARCHITECTURE.md ("Calls") draws the path
 * and the threads.
 *
 * Threads: calls_start(), calls_reconfigure(), calls_shutdown() and calls_stop() are
 * called by the program's main thread (the one that takes the signals with sigwait());
 * the getters may be called from any thread.
 */
#ifndef PERMANENCE_CALLS_H
#define PERMANENCE_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sip.h"
#include "speech_pool.h"

struct calls;
struct live_registry;

/*
 * Start taking calls with `config` (copied). `live` (may be NULL) receives the calls in
 * progress for the dashboard and must outlive the service. Opens the database, builds the
 * language engine, starts the speech engines (pocketsphinx loads its model here), the
 * dialogue workers and the SIP user agent, and fills the prompt cache in the background.
 * Returns 0; EINVAL for a configuration the user agent or the engines reject; ENOENT,
 * EIO for a database that cannot be opened or read; EADDRINUSE when the SIP port is
 * taken; ENOMEM. On an error `error` holds a sentence that names the setting or the file
 * and what to do.
 */
int calls_start(struct calls **callsp, const struct config *config,
		struct live_registry *live, char *error, size_t size);

/*
 * Apply the keys a reload (SIGHUP) may change: practice.language, sip.max_calls,
 * sip.transfer_target, calls.recording, calls.shutdown_grace, calls.no_input_timeout,
 * speech.asr_min_confidence. Calls in progress keep the values they started with; the
 * grace period applies to the next stop. sip.rtp_timeout and speech.asr_http_timeout need
 * a restart (a notice says so when they changed). Returns 0, or the store's error when
 * the practice settings that mirror the file cannot be written (the rest is applied).
 */
int calls_reconfigure(struct calls *calls, const struct config *config);

/*
 * Stop taking calls: new INVITEs get 503 and the registration is removed. Calls in
 * progress go on. Returns at once; calling it again does nothing.
 */
void calls_shutdown(struct calls *calls);

/*
 * Stop the service: stop taking calls (as calls_shutdown()), let calls in progress
 * finish within calls.shutdown_grace seconds, hang up the rest, write every call's
 * record, then stop the workers and the engines and free everything. NULL is ignored.
 */
void calls_stop(struct calls *calls);

/* Local port of a SIP listener ("udp", "tcp", "tls"), or 0 when it is off. */
uint16_t calls_sip_port(const struct calls *calls, const char *transport);

/* Number of calls in progress (between the INVITE and the end of the call). */
unsigned calls_active(const struct calls *calls);

/* Counters since the start, for tests, benchmarks and the logs. */
struct calls_stats {
	uint64_t offered;          /* calls answered */
	uint64_t rejected;         /* INVITEs turned away by the call limit or a failure */
	uint64_t ended;            /* calls over (their record is written by their worker) */
	uint64_t records_pending;  /* calls over whose session has not yet been closed */
	uint64_t utterances;       /* utterances sent to recognition */
	uint64_t recognitions_failed; /* recognition errors (the caller heard "not understood") */
	uint64_t barge_ins;        /* prompts stopped by the caller's speech */
	uint64_t digits;           /* keypad entries given to the dialogue */
	uint64_t silences;         /* no-input timeouts and noise reports given to the dialogue */
	uint64_t synth_failures;   /* sentences that could not be synthesised in time */
	uint64_t turns_ended_early; /* turns ended by a confident answer (calls.end_of_turn_ms) */
	uint64_t replies;          /* replies timed below */
	/* Time from the caller's end of speech (the last speech frame heard) to the first
	 * packet of the reply, per reply: counts in 50 ms buckets (10 s), the last one open. */
	uint64_t reply_ms_buckets[200];
	struct speech_pool_stats speech;
};

#define CALLS_REPLY_BUCKET_MS 50

void calls_get_stats(struct calls *calls, struct calls_stats *stats);

/*
 * The value of a reply-time percentile (0 to 100) from the stats' buckets, in ms (the top
 * of its bucket), or -1 when no reply was timed.
 */
int calls_reply_percentile(const struct calls_stats *stats, double percentile);

/*
 * The value of a percentile (0 to 100) from `count` buckets of `bucket_ms` each: the top
 * of the bucket it falls in, in ms, or -1 when the buckets are empty.
 */
int calls_bucket_percentile(const uint64_t *buckets, size_t count, unsigned bucket_ms,
			    double percentile);

/*
 * Fill `sip` from `config`: sip.listen into address and port, the transports, TLS, the
 * public address, RTP ports and timeout, registration, the call limit, and the transfer
 * target `transfer_target` (the file's sip.transfer_target, else the practice's
 * transfer.target; may be empty). Returns 0, or EINVAL with a sentence in `error` naming
 * the setting, the value and what to do.
 */
int calls_sip_config(const struct config *config, const char *transfer_target,
		     struct sip_config *sip, char *error, size_t size);

/*
 * Fill `pool` from the [speech] keys. Strings point into `config`, which must outlive the
 * speech pool's creation. `max_calls` sizes the job queues. Returns 0, or EINVAL with a
 * sentence in `error` (an http engine without speech.asr_http_url).
 */
int calls_speech_config(const struct config *config, unsigned max_calls,
			struct speech_pool_config *pool, char *error, size_t size);

#endif
