#include "speech_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "synth.h"

#define MAX_WORKERS 64u
#define MAX_QUEUE 4096u
/* Distinct engines: espeak and flite for synthesis, pocketsphinx and http for recognition. */
#define MAX_SYNTH_ENGINES 2
#define MAX_RECOG_ENGINES 3

enum job_kind {
	JOB_SYNTH,
	JOB_RECOG,
	JOB_WARM,
};

/* A warm-up job's outcome, for the thread waiting in speech_pool_warm(). */
struct warm_result {
	bool done;
	int err;
	size_t failed;
};

struct job {
	struct job *next;
	uint64_t id;
	enum job_kind kind;
	bool cancelled;
	bool in_callback; /* a callback of this job is running */
	void *arg;
	char *call_id;

	/* JOB_SYNTH and JOB_WARM */
	char *text;
	char lang[3];
	char *voice;
	speech_synth_h *synth_h;
	const char *const *texts; /* JOB_WARM: the caller's prompts, valid while it waits */
	size_t text_count;
	struct warm_result *warm;

	/* JOB_RECOG */
	struct speech_recog_request request;
	atomic_bool cancel; /* set by speech_pool_cancel() to stop the engine */
	int16_t *samples;
	char *grammar;
	char *expectation;
	unsigned engine; /* index into the pool's recognition engines */
	speech_recog_h *recog_h;
	int64_t queued_ms; /* when it was submitted, monotonic */
};

struct job_queue {
	struct job *head, *tail;
	size_t count;
	pthread_cond_t ready;
};

struct worker {
	struct speech_pool *pool;
	pthread_t thread;
	bool started;
	struct job_queue *queue;
	struct job *current;
	int synth_index; /* -1 for a recognition worker */
	struct speech_synth *synth;
	struct speech_recog *recogs[MAX_RECOG_ENGINES];
	bool init_done;
	int init_err;
};

struct speech_pool {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a worker started, a job or a callback ended */
	bool stopping;
	uint64_t next_id;

	const struct speech_recog_config *recog_config; /* only during speech_pool_create() */
	size_t queue_max;
	unsigned max_audio_ms;

	char *synth_engines[MAX_SYNTH_ENGINES];
	unsigned synth_engine_count;
	int synth_for_lang[2]; /* index into synth_engines for fr, en; -1: none */
	char *voices[2];

	char *recog_engines[MAX_RECOG_ENGINES];
	unsigned recog_engine_count;
	int grammar_engine;    /* index into recog_engines, -1: none */
	int open_for_lang[2];  /* fr, en */

	struct job_queue recog_queue;
	struct job_queue synth_queues[MAX_SYNTH_ENGINES];
	struct worker *workers; /* recognition workers, then one per synthesis engine */
	unsigned worker_count;
	unsigned recog_workers;

	struct speech_cache *cache;
	size_t running;
	uint64_t completed, rejected_full, cancelled;
	uint64_t recog_wait_ms[SPEECH_POOL_TIME_BUCKETS]; /* see struct speech_pool_stats */
	uint64_t recog_run_ms[SPEECH_POOL_TIME_BUCKETS];
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void time_count(uint64_t *buckets, int64_t ms)
{
	int64_t bucket = ms / SPEECH_POOL_TIME_BUCKET_MS;

	if (bucket < 0)
		bucket = 0;
	if (bucket >= SPEECH_POOL_TIME_BUCKETS)
		bucket = SPEECH_POOL_TIME_BUCKETS - 1;
	buckets[bucket]++;
}

static int lang_index(const char *lang)
{
	if (!lang)
		return -1;
	if (strcmp(lang, "fr") == 0)
		return 0;
	if (strcmp(lang, "en") == 0)
		return 1;
	return -1;
}

void speech_pool_config_init(struct speech_pool_config *config)
{
	memset(config, 0, sizeof(*config));
	config->workers = 0;
	config->queue_max = 64;
	config->cache_bytes = 32u * 1024u * 1024u;
	config->synth_engine_fr = "espeak-ng";
	config->synth_engine_en = "flite";
	config->voice_fr = NULL;
	config->voice_en = NULL;
	config->recog_grammar_engine = "pocketsphinx";
	config->recog_open_engine_fr = NULL;
	config->recog_open_engine_en = "pocketsphinx";
	speech_recog_config_init(&config->recog);
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	free(job->call_id);
	free(job->text);
	free(job->voice);
	free(job->samples);
	free(job->grammar);
	free(job->expectation);
	free(job);
}

static void queue_push(struct job_queue *queue, struct job *job)
{
	job->next = NULL;
	if (queue->tail)
		queue->tail->next = job;
	else
		queue->head = job;
	queue->tail = job;
	queue->count++;
	pthread_cond_signal(&queue->ready);
}

static struct job *queue_pop(struct job_queue *queue)
{
	struct job *job = queue->head;

	if (!job)
		return NULL;
	queue->head = job->next;
	if (!queue->head)
		queue->tail = NULL;
	queue->count--;
	job->next = NULL;
	return job;
}

/* Unlink the job with that id; NULL when the queue has none. */
static struct job *queue_remove(struct job_queue *queue, uint64_t id)
{
	struct job *prev = NULL;

	for (struct job *job = queue->head; job; prev = job, job = job->next) {
		if (job->id != id)
			continue;
		if (prev)
			prev->next = job->next;
		else
			queue->head = job->next;
		if (queue->tail == job)
			queue->tail = prev;
		queue->count--;
		job->next = NULL;
		return job;
	}
	return NULL;
}

/* Mark the start of a callback; false when the job was cancelled. */
static bool callback_begin(struct speech_pool *pool, struct job *job)
{
	bool allowed;

	pthread_mutex_lock(&pool->lock);
	allowed = !job->cancelled;
	if (allowed)
		job->in_callback = true;
	pthread_mutex_unlock(&pool->lock);
	return allowed;
}

static void callback_end(struct speech_pool *pool, struct job *job)
{
	pthread_mutex_lock(&pool->lock);
	job->in_callback = false;
	pthread_cond_broadcast(&pool->changed);
	pthread_mutex_unlock(&pool->lock);
}

struct synth_context {
	struct worker *worker;
	struct job *job;
};

static int synth_chunk(const struct speech_chunk *chunk, void *arg)
{
	struct synth_context *context = arg;
	struct job *job = context->job;
	struct speech_synth_event event = {
		.job = job->id,
		.error = "",
		.samples = chunk->samples,
		.count = chunk->count,
		.index = chunk->index,
		.last = chunk->last,
		.cached = chunk->cached,
	};

	if (!callback_begin(context->worker->pool, job))
		return ECANCELED;
	job->synth_h(&event, job->arg);
	callback_end(context->worker->pool, job);
	return 0;
}

static void run_synth(struct worker *worker, struct job *job)
{
	struct speech_pool *pool = worker->pool;
	struct synth_context context = {worker, job};
	int err;

	err = speech_synth_stream(worker->synth, pool->cache, job->text, job->lang, job->voice,
				  synth_chunk, &context);
	if (err == ECANCELED || !err)
		return;
	log_warning("speech", job->call_id, "synthesis failed: %s",
		    speech_synth_error(worker->synth));
	if (callback_begin(pool, job)) {
		struct speech_synth_event event = {
			.job = job->id,
			.err = err,
			.error = speech_synth_error(worker->synth),
			.last = true,
		};

		job->synth_h(&event, job->arg);
		callback_end(pool, job);
	}
}

static void run_recog(struct worker *worker, struct job *job)
{
	struct speech_recog *recog = worker->recogs[job->engine];
	struct speech_recog_result result;
	struct speech_recog_event event = {.job = job->id, .error = ""};
	int64_t start = monotonic_ms();

	event.err = speech_recog_run(recog, &job->request, &result);
	pthread_mutex_lock(&worker->pool->lock);
	time_count(worker->pool->recog_wait_ms, start - job->queued_ms);
	time_count(worker->pool->recog_run_ms, monotonic_ms() - start);
	pthread_mutex_unlock(&worker->pool->lock);
	if (event.err)
		event.error = speech_recog_error(recog);
	else
		event.result = &result;
	if (callback_begin(worker->pool, job)) {
		job->recog_h(&event, job->arg);
		callback_end(worker->pool, job);
	}
}

static void run_warm(struct worker *worker, struct job *job)
{
	struct speech_pool *pool = worker->pool;
	size_t failed = 0;
	int err;

	err = speech_cache_warm(pool->cache, worker->synth, job->lang, job->voice, job->texts,
				job->text_count, &failed);
	if (err)
		log_err("speech", NULL, "prompt %zu of %zu could not be synthesised: %s", failed,
			job->text_count, speech_synth_error(worker->synth));
	pthread_mutex_lock(&pool->lock);
	job->warm->err = err;
	job->warm->failed = failed;
	job->warm->done = true;
	pthread_cond_broadcast(&pool->changed);
	pthread_mutex_unlock(&pool->lock);
}

static int worker_open_engines(struct worker *worker)
{
	struct speech_pool *pool = worker->pool;
	int err;

	if (worker->synth_index >= 0)
		return speech_synth_create(&worker->synth, pool->synth_engines[worker->synth_index]);
	for (unsigned i = 0; i < pool->recog_engine_count; i++) {
		err = speech_recog_create(&worker->recogs[i], pool->recog_engines[i],
					  pool->recog_config);
		if (err)
			return err;
	}
	return 0;
}

static void worker_close_engines(struct worker *worker)
{
	speech_synth_destroy(worker->synth);
	worker->synth = NULL;
	for (unsigned i = 0; i < MAX_RECOG_ENGINES; i++) {
		speech_recog_destroy(worker->recogs[i]);
		worker->recogs[i] = NULL;
	}
}

static void *worker_main(void *arg)
{
	struct worker *worker = arg;
	struct speech_pool *pool = worker->pool;
	int err = worker_open_engines(worker);

	pthread_mutex_lock(&pool->lock);
	worker->init_err = err;
	worker->init_done = true;
	pthread_cond_broadcast(&pool->changed);
	while (!err) {
		struct job *job;

		while (!worker->queue->head && !pool->stopping)
			pthread_cond_wait(&worker->queue->ready, &pool->lock);
		if (pool->stopping)
			break;
		job = queue_pop(worker->queue);
		worker->current = job;
		pool->running++;
		pthread_mutex_unlock(&pool->lock);

		if (job->kind == JOB_SYNTH)
			run_synth(worker, job);
		else if (job->kind == JOB_RECOG)
			run_recog(worker, job);
		else
			run_warm(worker, job);

		pthread_mutex_lock(&pool->lock);
		worker->current = NULL;
		pool->running--;
		pool->completed++;
		job_free(job);
		pthread_cond_broadcast(&pool->changed);
	}
	pthread_mutex_unlock(&pool->lock);
	worker_close_engines(worker);
	return NULL;
}

/* Add name to a list of distinct engine names; returns its index or -1 on ENOMEM. */
static int engine_list_add(char **list, unsigned *count, unsigned max, const char *name)
{
	for (unsigned i = 0; i < *count; i++)
		if (strcmp(list[i], name) == 0)
			return (int)i;
	if (*count == max)
		return -1;
	list[*count] = strdup(name);
	if (!list[*count])
		return -1;
	return (int)(*count)++;
}

static int configure_synthesis(struct speech_pool *pool, const struct speech_pool_config *config)
{
	const char *engines[2] = {config->synth_engine_fr, config->synth_engine_en};
	const char *voices[2] = {config->voice_fr, config->voice_en};
	static const char *const langs[2] = {"fr", "en"};

	for (int i = 0; i < 2; i++) {
		pool->synth_for_lang[i] = -1;
		if (voices[i] && !(pool->voices[i] = strdup(voices[i])))
			return ENOMEM;
		if (!engines[i])
			continue;
		if (!speech_synth_engine_supports(engines[i], langs[i])) {
			log_err("speech", NULL, "synthesis engine '%s' cannot speak language %s",
				engines[i], langs[i]);
			return speech_synth_engine_exists(engines[i]) ? EINVAL : ENOENT;
		}
		pool->synth_for_lang[i] = engine_list_add(pool->synth_engines,
							  &pool->synth_engine_count,
							  MAX_SYNTH_ENGINES, engines[i]);
		if (pool->synth_for_lang[i] < 0)
			return ENOMEM;
	}
	return 0;
}

static int configure_recognition(struct speech_pool *pool, const struct speech_pool_config *config)
{
	const char *open[2] = {config->recog_open_engine_fr, config->recog_open_engine_en};
	static const char *const langs[2] = {"fr", "en"};

	pool->grammar_engine = -1;
	if (config->recog_grammar_engine) {
		if (!speech_recog_engine_exists(config->recog_grammar_engine)) {
			log_err("speech", NULL, "unknown recognition engine '%s'",
				config->recog_grammar_engine);
			return ENOENT;
		}
		pool->grammar_engine = engine_list_add(pool->recog_engines,
						       &pool->recog_engine_count, MAX_RECOG_ENGINES,
						       config->recog_grammar_engine);
		if (pool->grammar_engine < 0)
			return ENOMEM;
	}
	for (int i = 0; i < 2; i++) {
		pool->open_for_lang[i] = -1;
		if (!open[i])
			continue;
		if (!speech_recog_engine_supports(open[i], langs[i], false)) {
			log_err("speech", NULL, "recognition engine '%s' cannot recognise language %s",
				open[i], langs[i]);
			return speech_recog_engine_exists(open[i]) ? EINVAL : ENOENT;
		}
		pool->open_for_lang[i] = engine_list_add(pool->recog_engines,
							 &pool->recog_engine_count,
							 MAX_RECOG_ENGINES, open[i]);
		if (pool->open_for_lang[i] < 0)
			return ENOMEM;
	}
	return 0;
}

static unsigned default_workers(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < 1)
		return 1;
	return cores > (long)MAX_WORKERS ? MAX_WORKERS : (unsigned)cores;
}

static int start_workers(struct speech_pool *pool, unsigned recog_workers)
{
	int err = 0;

	pool->recog_workers = pool->recog_engine_count ? recog_workers : 0;
	pool->worker_count = pool->recog_workers + pool->synth_engine_count;
	pool->workers = calloc(pool->worker_count ? pool->worker_count : 1, sizeof(*pool->workers));
	if (!pool->workers)
		return ENOMEM;
	for (unsigned i = 0; i < pool->worker_count; i++) {
		struct worker *worker = &pool->workers[i];

		worker->pool = pool;
		worker->synth_index = i < pool->recog_workers ? -1 : (int)(i - pool->recog_workers);
		worker->queue = worker->synth_index < 0 ? &pool->recog_queue
							: &pool->synth_queues[worker->synth_index];
		if (pthread_create(&worker->thread, NULL, worker_main, worker) != 0)
			return EAGAIN;
		worker->started = true;
	}
	/* Wait for every engine to open, on the thread that will use it. */
	pthread_mutex_lock(&pool->lock);
	for (unsigned i = 0; i < pool->worker_count; i++) {
		while (!pool->workers[i].init_done)
			pthread_cond_wait(&pool->changed, &pool->lock);
		if (!err)
			err = pool->workers[i].init_err;
	}
	pthread_mutex_unlock(&pool->lock);
	return err;
}

int speech_pool_create(struct speech_pool **poolp, const struct speech_pool_config *config)
{
	struct speech_pool *pool;
	unsigned workers = config->workers ? config->workers : default_workers();
	int err;

	*poolp = NULL;
	if (workers > MAX_WORKERS || config->queue_max == 0 || config->queue_max > MAX_QUEUE) {
		log_err("speech", NULL, "invalid pool settings: workers %u (1..%u), queue %zu (1..%u)",
			workers, MAX_WORKERS, config->queue_max, MAX_QUEUE);
		return EINVAL;
	}
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return ENOMEM;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->changed, NULL);
	pthread_cond_init(&pool->recog_queue.ready, NULL);
	for (int i = 0; i < MAX_SYNTH_ENGINES; i++)
		pthread_cond_init(&pool->synth_queues[i].ready, NULL);
	pool->next_id = 1;
	pool->queue_max = config->queue_max;
	pool->max_audio_ms = config->recog.max_audio_ms;
	pool->recog_config = &config->recog;

	err = configure_synthesis(pool, config);
	if (!err)
		err = configure_recognition(pool, config);
	if (!err && config->cache_bytes > 0)
		err = speech_cache_create(&pool->cache, config->cache_bytes);
	if (!err)
		err = start_workers(pool, workers);
	pool->recog_config = NULL;
	if (err) {
		speech_pool_destroy(pool);
		return err;
	}
	log_info("speech", NULL, "speech pool started: %u recognition workers, %u synthesis threads",
		 pool->recog_workers, pool->synth_engine_count);
	*poolp = pool;
	return 0;
}

void speech_pool_destroy(struct speech_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	for (int q = -1; q < MAX_SYNTH_ENGINES; q++) {
		struct job_queue *queue = q < 0 ? &pool->recog_queue : &pool->synth_queues[q];
		struct job *job;

		while ((job = queue_pop(queue)) != NULL) {
			/* A warm-up waiter must not wait for ever. */
			if (job->warm) {
				job->warm->err = ESHUTDOWN;
				job->warm->done = true;
			}
			job_free(job);
		}
		pthread_cond_broadcast(&queue->ready);
	}
	pthread_cond_broadcast(&pool->changed);
	pthread_mutex_unlock(&pool->lock);

	for (unsigned i = 0; pool->workers && i < pool->worker_count; i++)
		if (pool->workers[i].started)
			pthread_join(pool->workers[i].thread, NULL);
	free(pool->workers);
	speech_cache_destroy(pool->cache);
	for (unsigned i = 0; i < MAX_SYNTH_ENGINES; i++)
		free(pool->synth_engines[i]);
	for (unsigned i = 0; i < MAX_RECOG_ENGINES; i++)
		free(pool->recog_engines[i]);
	free(pool->voices[0]);
	free(pool->voices[1]);
	pthread_cond_destroy(&pool->recog_queue.ready);
	for (int i = 0; i < MAX_SYNTH_ENGINES; i++)
		pthread_cond_destroy(&pool->synth_queues[i].ready);
	pthread_cond_destroy(&pool->changed);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

static size_t queued_jobs(struct speech_pool *pool)
{
	size_t count = pool->recog_queue.count;

	for (int i = 0; i < MAX_SYNTH_ENGINES; i++)
		count += pool->synth_queues[i].count;
	return count;
}

void speech_pool_drain(struct speech_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	while (!pool->stopping && (queued_jobs(pool) > 0 || pool->running > 0))
		pthread_cond_wait(&pool->changed, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
}

/* Queue a job, giving it an id. Takes ownership of job on success. */
static int submit(struct speech_pool *pool, struct job_queue *queue, struct job *job,
		  uint64_t *id)
{
	int err = 0;

	pthread_mutex_lock(&pool->lock);
	if (pool->stopping) {
		err = ESHUTDOWN;
	} else if (queue->count >= pool->queue_max) {
		pool->rejected_full++;
		err = EAGAIN;
	} else {
		job->id = pool->next_id++;
		if (id)
			*id = job->id;
		queue_push(queue, job);
	}
	pthread_mutex_unlock(&pool->lock);
	if (err == EAGAIN)
		log_warning("speech", job->call_id, "speech queue full (%zu jobs): job rejected",
			    pool->queue_max);
	return err;
}

static int copy_string(char **out, const char *in)
{
	*out = NULL;
	if (!in)
		return 0;
	*out = strdup(in);
	return *out ? 0 : ENOMEM;
}

int speech_pool_synthesize(struct speech_pool *pool, const char *text, const char *lang,
			   const char *voice, const char *call_id, speech_synth_h *synth_h,
			   void *arg, uint64_t *id)
{
	int lang_i = lang_index(lang);
	struct job *job;
	int err;

	if (!text || !synth_h || lang_i < 0 || strlen(text) > SPEECH_TEXT_MAX)
		return EINVAL;
	if (pool->synth_for_lang[lang_i] < 0)
		return ENOTSUP;
	job = calloc(1, sizeof(*job));
	if (!job)
		return ENOMEM;
	job->kind = JOB_SYNTH;
	job->synth_h = synth_h;
	job->arg = arg;
	memcpy(job->lang, lang, 3);
	err = copy_string(&job->text, text);
	if (!err)
		err = copy_string(&job->voice, voice ? voice : pool->voices[lang_i]);
	if (!err)
		err = copy_string(&job->call_id, call_id);
	if (!err)
		err = submit(pool, &pool->synth_queues[pool->synth_for_lang[lang_i]], job, id);
	if (err)
		job_free(job);
	return err;
}

/* The recognition engine index for a request, or -1. */
static int recog_engine_for(struct speech_pool *pool, const struct speech_recog_request *request,
			    int lang_i)
{
	if (request->grammar && pool->grammar_engine >= 0 &&
	    speech_recog_engine_supports(pool->recog_engines[pool->grammar_engine],
					 request->lang, true))
		return pool->grammar_engine;
	return pool->open_for_lang[lang_i];
}

static int copy_request(struct speech_pool *pool, struct job *job,
			const struct speech_recog_request *request)
{
	size_t max = (size_t)((unsigned long long)pool->max_audio_ms * request->rate / 1000) + 1;
	size_t count = request->count < max ? request->count : max;
	int err;

	job->request = *request;
	/* One sample past the maximum is kept so the engine reports the cut. */
	job->samples = malloc((count ? count : 1) * sizeof(int16_t));
	if (!job->samples)
		return ENOMEM;
	if (count)
		memcpy(job->samples, request->samples, count * sizeof(int16_t));
	job->request.samples = job->samples;
	job->request.count = count;
	memcpy(job->lang, request->lang, 3);
	job->request.lang = job->lang;
	err = copy_string(&job->grammar, request->grammar);
	if (!err)
		err = copy_string(&job->expectation, request->expectation);
	if (!err)
		err = copy_string(&job->call_id, request->call_id);
	job->request.grammar = job->grammar;
	job->request.expectation = job->expectation;
	job->request.call_id = job->call_id;
	atomic_init(&job->cancel, false);
	job->request.cancel = &job->cancel;
	return err;
}

int speech_pool_recognize(struct speech_pool *pool, const struct speech_recog_request *request,
			  speech_recog_h *recog_h, void *arg, uint64_t *id)
{
	int lang_i = lang_index(request ? request->lang : NULL);
	struct job *job;
	int engine, err;

	if (!request || !recog_h || lang_i < 0 || request->rate == 0 ||
	    (!request->samples && request->count > 0) ||
	    (request->grammar && strlen(request->grammar) > SPEECH_GRAMMAR_MAX))
		return EINVAL;
	engine = recog_engine_for(pool, request, lang_i);
	if (engine < 0 || pool->recog_workers == 0)
		return ENOTSUP;
	job = calloc(1, sizeof(*job));
	if (!job)
		return ENOMEM;
	job->kind = JOB_RECOG;
	job->recog_h = recog_h;
	job->arg = arg;
	job->engine = (unsigned)engine;
	job->queued_ms = monotonic_ms();
	err = copy_request(pool, job, request);
	if (!err)
		err = submit(pool, &pool->recog_queue, job, id);
	if (err)
		job_free(job);
	return err;
}

int speech_pool_cancel(struct speech_pool *pool, uint64_t id)
{
	pthread_t self = pthread_self();
	int err = ENOENT;

	pthread_mutex_lock(&pool->lock);
	for (int q = -1; q < MAX_SYNTH_ENGINES && err; q++) {
		struct job_queue *queue = q < 0 ? &pool->recog_queue : &pool->synth_queues[q];
		struct job *job = queue_remove(queue, id);

		if (job && !job->warm) {
			job_free(job);
			pool->cancelled++;
			err = 0;
		} else if (job) {
			queue_push(queue, job); /* warm-up jobs are not cancellable */
		}
	}
	for (unsigned i = 0; i < pool->worker_count && err; i++) {
		struct worker *worker = &pool->workers[i];

		if (!worker->current || worker->current->id != id || worker->current->cancelled ||
		    worker->current->kind == JOB_WARM)
			continue;
		worker->current->cancelled = true;
		atomic_store(&worker->current->cancel, true);
		pool->cancelled++;
		err = 0;
		/* Wait out a callback running on another thread; the worker clears current
		 * before it frees the job, so the id check keeps this safe. */
		while (!pthread_equal(worker->thread, self) && worker->current &&
		       worker->current->id == id && worker->current->in_callback)
			pthread_cond_wait(&pool->changed, &pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	return err;
}

int speech_pool_warm(struct speech_pool *pool, const char *lang, const char *const *texts,
		     size_t count, size_t *failed)
{
	struct warm_result warm = {false, 0, 0};
	int lang_i = lang_index(lang);
	struct job *job;
	int err;

	if (lang_i < 0 || (!texts && count > 0))
		return EINVAL;
	if (!pool->cache || pool->synth_for_lang[lang_i] < 0)
		return ENOTSUP;
	job = calloc(1, sizeof(*job));
	if (!job)
		return ENOMEM;
	job->kind = JOB_WARM;
	job->texts = texts;
	job->text_count = count;
	job->warm = &warm;
	memcpy(job->lang, lang, 3);
	err = copy_string(&job->voice, pool->voices[lang_i]);
	if (!err)
		err = submit(pool, &pool->synth_queues[pool->synth_for_lang[lang_i]], job, NULL);
	if (err) {
		job_free(job);
		return err;
	}
	pthread_mutex_lock(&pool->lock);
	while (!warm.done)
		pthread_cond_wait(&pool->changed, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
	if (warm.err && failed)
		*failed = warm.failed;
	return warm.err;
}

void speech_pool_get_stats(struct speech_pool *pool, struct speech_pool_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	pthread_mutex_lock(&pool->lock);
	stats->workers = pool->recog_workers;
	stats->synth_threads = pool->synth_engine_count;
	stats->queued = queued_jobs(pool);
	stats->running = pool->running;
	stats->completed = pool->completed;
	stats->rejected_full = pool->rejected_full;
	stats->cancelled = pool->cancelled;
	memcpy(stats->recog_wait_ms, pool->recog_wait_ms, sizeof(stats->recog_wait_ms));
	memcpy(stats->recog_run_ms, pool->recog_run_ms, sizeof(stats->recog_run_ms));
	pthread_mutex_unlock(&pool->lock);
	if (pool->cache)
		speech_cache_get_stats(pool->cache, &stats->cache);
}
