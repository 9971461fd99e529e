/*
 * The calls service: start, reload and stop.
 *
 * Two practice settings follow the configuration file, because the dialogue reads them
 * from the database: `transfer.target` (the file's sip.transfer_target wins when it is
 * set: the dialogue offers transfers only when a target exists) and `recording` (on
 * when the file's calls.recording is on, so the greeting tells the caller). They are
 * written at start and on reload; docs/settings.md says so.
 */
#include "calls_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "log.h"
#include "speech_pool.h"
#include "store.h"

/* Dialogue workers: the store's writers queue behind one lock anyway, and a session's
 * step takes a few milliseconds, so two threads keep up with hundreds of calls. */
#define DIALOGUE_WORKERS 2
/* Sentences synthesised into the prompt cache per job. */
#define WARM_BATCH 8
/* How often the stop checks whether the calls in progress are over. */
#define STOP_POLL_MS 100

static void settings_from_config(const struct config *config, struct calls_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->lang = strcmp(config->language, "en") == 0 ? NLU_LANG_EN : NLU_LANG_FR;
	s->max_calls = (unsigned)config->max_calls;
	s->recording = config->recording;
	s->no_input_ms = (unsigned)config->no_input_timeout_s * 1000;
	s->shutdown_grace_s = (unsigned)config->shutdown_grace_s;
	s->asr_min_confidence = (float)config->asr_min_confidence;
	s->end_of_turn_ms = (unsigned)config->end_of_turn_ms;
	snprintf(s->transfer_target, sizeof(s->transfer_target), "%s", config->transfer_target);
}

void calls_settings_get(struct calls *calls, struct calls_settings *settings)
{
	pthread_mutex_lock(&calls->lock);
	*settings = calls->settings;
	pthread_mutex_unlock(&calls->lock);
}

void calls_stat_add(struct calls *calls, size_t field, uint64_t amount)
{
	pthread_mutex_lock(&calls->lock);
	*(uint64_t *)((char *)&calls->stats + field) += amount;
	pthread_mutex_unlock(&calls->lock);
}

void calls_stat_reply(struct calls *calls, int64_t ms)
{
	size_t buckets = sizeof(calls->stats.reply_ms_buckets) /
			 sizeof(calls->stats.reply_ms_buckets[0]);
	size_t bucket = ms < 0 ? 0 : (size_t)(ms / CALLS_REPLY_BUCKET_MS);

	if (bucket >= buckets)
		bucket = buckets - 1;
	pthread_mutex_lock(&calls->lock);
	calls->stats.reply_ms_buckets[bucket]++;
	calls->stats.replies++;
	pthread_mutex_unlock(&calls->lock);
}

void calls_get_stats(struct calls *calls, struct calls_stats *stats)
{
	pthread_mutex_lock(&calls->lock);
	*stats = calls->stats;
	pthread_mutex_unlock(&calls->lock);
	speech_pool_get_stats(calls->pool, &stats->speech);
}

int calls_bucket_percentile(const uint64_t *buckets, size_t count, unsigned bucket_ms,
			    double percentile)
{
	uint64_t total = 0, seen = 0, rank;

	for (size_t i = 0; i < count; i++)
		total += buckets[i];
	if (!total)
		return -1;
	rank = (uint64_t)((percentile / 100.0) * (double)total + 0.999999);
	if (rank < 1)
		rank = 1;
	for (size_t i = 0; i < count; i++) {
		seen += buckets[i];
		if (seen >= rank)
			return (int)((i + 1) * bucket_ms);
	}
	return (int)(count * bucket_ms);
}

int calls_reply_percentile(const struct calls_stats *stats, double percentile)
{
	if (!stats->replies)
		return -1;
	return calls_bucket_percentile(stats->reply_ms_buckets,
				       sizeof(stats->reply_ms_buckets) /
					       sizeof(stats->reply_ms_buckets[0]),
				       CALLS_REPLY_BUCKET_MS, percentile);
}

uint16_t calls_sip_port(const struct calls *calls, const char *transport)
{
	return calls && calls->ua ? sip_ua_port(calls->ua, transport) : 0;
}

unsigned calls_active(const struct calls *calls)
{
	return calls ? atomic_load(&calls->active) : 0;
}

/*
 * Write the practice settings the file decides: transfer.target when the file names a
 * target, recording when the file turns it on. Returns 0 or the store's error.
 */
static int mirror_settings(struct store *st, const struct calls_settings *s)
{
	char value[CALLS_TARGET_MAX];
	int err = 0;

	if (s->transfer_target[0] &&
	    (store_setting_get(st, "transfer.target", value, sizeof(value)) != 0 ||
	     strcmp(value, s->transfer_target) != 0)) {
		err = store_setting_put(st, "transfer.target", s->transfer_target);
		if (!err)
			log_notice(CALLS_LOG, NULL, "practice setting transfer.target set from"
				   " sip.transfer_target");
	}
	if (!err && s->recording &&
	    (store_setting_get(st, "recording", value, sizeof(value)) != 0 ||
	     strcmp(value, "on") != 0)) {
		err = store_setting_put(st, "recording", "on");
		if (!err)
			log_notice(CALLS_LOG, NULL, "practice setting recording turned on by"
				   " calls.recording");
	}
	return err;
}

/* The target transfers go to: the file's, else the practice setting. */
static void transfer_target(struct store *st, const struct calls_settings *s, char *out,
			    size_t size)
{
	if (s->transfer_target[0]) {
		snprintf(out, size, "%s", s->transfer_target);
		return;
	}
	if (store_setting_get(st, "transfer.target", out, size) != 0)
		out[0] = '\0';
}

int calls_make_dir(const char *path)
{
	char partial[CONFIG_TEXT_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(partial))
		return EINVAL;
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(partial, path, i);
		partial[i] = '\0';
		if (mkdir(partial, 0750) != 0 && errno != EEXIST)
			return errno;
	}
	return 0;
}

/*
 * Read the practice (name, settings) once on this thread, write the mirrored settings
 * and fill the user agent's transfer target.
 */
static int read_practice(struct calls *calls, char *target, size_t target_size, char *error,
			 size_t size)
{
	struct store *st = NULL;
	struct agenda *agenda = NULL;
	const char *why = NULL;
	char message[300];
	int err;

	err = store_open(&st, calls->config.db_path, 0, &why);
	if (err) {
		snprintf(error, size, "cannot open the database %s: %s; create it with"
			 " 'permanence init --demo'", calls->config.db_path, why ? why : strerror(err));
		return err;
	}
	err = agenda_open(&agenda, st, message, sizeof(message));
	if (err) {
		snprintf(error, size, "%s: cannot read the agenda: %s", calls->config.db_path,
			 message);
		store_close(st);
		return err;
	}
	snprintf(calls->practice_name, sizeof(calls->practice_name), "%s",
		 agenda_practice(agenda)->name);
	err = mirror_settings(st, &calls->settings);
	if (err)
		snprintf(error, size, "%s: cannot write the practice settings: %s",
			 calls->config.db_path, store_errmsg(st));
	transfer_target(st, &calls->settings, target, target_size);
	agenda_close(agenda);
	store_close(st);
	return err;
}

/* Fill the prompt cache, the practice's language first; runs beside the calls. */
static void *warm_main(void *arg)
{
	struct calls *calls = arg;
	enum nlu_lang order[2] = {calls->settings.lang,
				  calls->settings.lang == NLU_LANG_FR ? NLU_LANG_EN : NLU_LANG_FR};
	int64_t t0 = calls_monotonic_ms();
	struct store *st = NULL;
	const char *why = NULL;
	size_t total = 0;

	/* The practice's own texts too; without the database, the catalogues alone. */
	if (store_open(&st, calls->config.db_path, 0, &why) != 0)
		st = NULL;
	for (int i = 0; i < 2 && !atomic_load(&calls->stopping); i++) {
		const char *lang = order[i] == NLU_LANG_EN ? "en" : "fr";
		char **texts = NULL;
		size_t count = 0, failed = 0;
		int err;

		err = calls_prompts_fixed(order[i], calls->practice_name, st, &texts, &count);
		if (err) {
			log_err(CALLS_LOG, NULL, "cannot list the %s prompts: %s", lang, strerror(err));
			continue;
		}
		/* A few sentences at a time: a call's own synthesis waits behind one batch only. */
		for (size_t at = 0; at < count && !atomic_load(&calls->stopping); at += WARM_BATCH) {
			size_t n = count - at < WARM_BATCH ? count - at : WARM_BATCH;

			err = speech_pool_warm(calls->pool, lang, (const char *const *)texts + at, n,
					       &failed);
			if (err == ENOTSUP)
				break; /* no synthesis for this language */
			if (err)
				log_warning(CALLS_LOG, NULL, "prompt cache (%s): \"%s\" failed: %s", lang,
					    texts[at + failed], strerror(err));
			else
				total += n;
		}
		calls_prompts_free(texts, count);
	}
	store_close(st);
	log_info(CALLS_LOG, NULL, "prompt cache filled: %zu sentences in %lld ms", total,
		 (long long)(calls_monotonic_ms() - t0));
	return NULL;
}

static int start_speech(struct calls *calls, char *error, size_t size)
{
	struct speech_pool_config pc;
	int err;

	err = calls_speech_config(&calls->config, (unsigned)calls->config.max_calls, &pc, error,
				  size);
	if (err)
		return err;
	/* Grammars keep only the words pocketsphinx has: one unknown word fails a grammar. */
	if (pc.recog_grammar_engine && !strcmp(pc.recog_grammar_engine, "pocketsphinx") &&
	    calls_engine_load_words(&calls->engine, pc.recog.ps_dict) != 0)
		log_warning(CALLS_LOG, NULL, "cannot read the pocketsphinx dictionary %s: grammars"
			    " are not checked against it", pc.recog.ps_dict);
	err = speech_pool_create(&calls->pool, &pc);
	if (err)
		snprintf(error, size,
			 "the speech engines could not start (%s): check speech.tts_fr, speech.tts_en,"
			 " speech.asr_fr, speech.asr_en and that their packages are installed"
			 " (see the log)", strerror(err));
	return err;
}

static int start_sip(struct calls *calls, const char *target, char *error, size_t size)
{
	struct sip_config sc;
	struct sip_handler handler;
	int err;

	err = calls_sip_config(&calls->config, target, &sc, error, size);
	if (err)
		return err;
	err = calls_line_handler(calls, &handler);
	if (err)
		return err;
	err = sip_ua_start(&calls->ua, &sc, &handler);
	if (err == EADDRINUSE)
		snprintf(error, size, "sip.listen %s: the port is already in use (another"
			 " permanence or a SIP server?); choose another port", calls->config.sip_listen);
	else if (err)
		snprintf(error, size, "the SIP user agent could not start on %s: %s (see the log)",
			 calls->config.sip_listen, strerror(err));
	return err;
}

int calls_start(struct calls **callsp, const struct config *config,
		struct live_registry *live, char *error, size_t size)
{
	struct calls *calls;
	char target[CALLS_TARGET_MAX];
	int err;

	*callsp = NULL;
	error[0] = '\0';
	calls = calloc(1, sizeof(*calls));
	if (!calls)
		return ENOMEM;
	calls->config = *config;
	calls->live = live;
	calls->pid = (long)getpid();
	calls->started_s = (uint64_t)time(NULL);
	settings_from_config(config, &calls->settings);
	snprintf(calls->recordings_dir, sizeof(calls->recordings_dir), "%s",
		 config->recordings_dir);
	pthread_mutex_init(&calls->lock, NULL);
	err = calls_engine_init(&calls->engine);
	if (err) {
		pthread_mutex_destroy(&calls->lock);
		free(calls);
		return err;
	}

	err = read_practice(calls, target, sizeof(target), error, size);
	if (!err && config->recording && (err = calls_make_dir(config->recordings_dir)) != 0)
		snprintf(error, size, "calls.recordings_dir: cannot create %s: %s",
			 config->recordings_dir, strerror(err));
	if (!err)
		err = start_speech(calls, error, size);
	if (!err)
		err = calls_workers_start(calls, DIALOGUE_WORKERS, error, size);
	if (!err)
		err = start_sip(calls, target, error, size);
	if (err) {
		calls_stop(calls);
		return err;
	}
	if (pthread_create(&calls->warm_thread, NULL, warm_main, calls) == 0)
		calls->warm_started = true;
	else
		log_warning(CALLS_LOG, NULL, "no thread to fill the prompt cache: prompts are"
			    " synthesised when first said");
	log_notice(CALLS_LOG, NULL, "taking calls on %s (%s%s), at most %d at once",
		   config->sip_listen, config->sip_transports,
		   config->sip_tls_certificate[0] ? ", tls" : "", config->max_calls);
	*callsp = calls;
	return 0;
}

int calls_reconfigure(struct calls *calls, const struct config *config)
{
	struct calls_settings fresh;
	struct store *st = NULL;
	const char *why = NULL;
	int err;

	if (config->rtp_timeout_s != calls->config.rtp_timeout_s)
		log_notice(CALLS_LOG, NULL, "sip.rtp_timeout changes on the next restart");
	if (config->asr_http_timeout_s != calls->config.asr_http_timeout_s)
		log_notice(CALLS_LOG, NULL, "speech.asr_http_timeout changes on the next restart");
	if (config->recording && calls_make_dir(config->recordings_dir) != 0)
		log_err(CALLS_LOG, NULL, "calls.recordings_dir: cannot create %s",
			config->recordings_dir);
	settings_from_config(config, &fresh);
	pthread_mutex_lock(&calls->lock);
	calls->settings = fresh;
	pthread_mutex_unlock(&calls->lock);

	err = store_open(&st, calls->config.db_path, 0, &why);
	if (!err) {
		err = mirror_settings(st, &fresh);
		if (err)
			log_err(CALLS_LOG, NULL, "cannot write the practice settings: %s",
				store_errmsg(st));
		store_close(st);
	} else {
		log_err(CALLS_LOG, NULL, "cannot open %s to write the practice settings: %s",
			calls->config.db_path, why ? why : strerror(err));
	}
	return err;
}

void calls_shutdown(struct calls *calls)
{
	if (!calls || atomic_exchange(&calls->stopping, true))
		return;
	if (calls->ua && sip_ua_shutdown(calls->ua) != 0)
		log_warning(CALLS_LOG, NULL, "the SIP user agent had already stopped");
}

/* Let the calls in progress finish within the grace period, then hang up the rest. */
static void wait_for_calls(struct calls *calls)
{
	struct calls_settings s;
	int64_t deadline;

	calls_settings_get(calls, &s);
	deadline = calls_monotonic_ms() + (int64_t)s.shutdown_grace_s * 1000;
	if (atomic_load(&calls->active))
		log_notice(CALLS_LOG, NULL, "%u calls in progress may finish within %u s",
			   atomic_load(&calls->active), s.shutdown_grace_s);
	while (atomic_load(&calls->active) && calls_monotonic_ms() < deadline)
		usleep(STOP_POLL_MS * 1000);
	if (atomic_load(&calls->active) && calls_line_hangup_all(calls) != 0)
		log_warning(CALLS_LOG, NULL, "could not hang up the remaining calls");
}

void calls_stop(struct calls *calls)
{
	if (!calls)
		return;
	if (calls->ua) {
		/* A start that failed half-way stops without the grace period. */
		calls_shutdown(calls);
		wait_for_calls(calls);
		sip_ua_wait(calls->ua);
	}
	atomic_store(&calls->stopping, true);
	if (calls->warm_started)
		pthread_join(calls->warm_thread, NULL);
	/* No speech callback after this, so nothing more reaches the workers... */
	speech_pool_destroy(calls->pool);
	/* ...which write the record of every call that ended. */
	if (calls->workers)
		calls_workers_stop(calls);
	sip_ua_destroy(calls->ua);
	calls_line_release(calls);
	calls_engine_destroy(&calls->engine);
	pthread_mutex_destroy(&calls->lock);
	if (calls->stats.offered)
		log_notice(CALLS_LOG, NULL, "calls stopped: %llu answered, %llu refused",
			   (unsigned long long)calls->stats.offered,
			   (unsigned long long)calls->stats.rejected);
	free(calls);
}
