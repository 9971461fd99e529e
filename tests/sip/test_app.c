/*
 * The test application: callbacks on the libre thread, a log read by the test thread.
 */
#include "test_app.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wav.h"

static struct test_app_call *find(struct test_app *app, struct sip_call *call)
{
	uint64_t number = sip_call_number(call);

	for (unsigned i = 0; i < app->count; i++) {
		if (app->calls[i].number == number)
			return &app->calls[i];
	}
	return NULL;
}

static int offered(struct sip_call *call, const struct sip_call_info *info, void *arg)
{
	struct test_app *app = arg;
	struct test_app_call *c;

	pthread_mutex_lock(&app->lock);
	if (app->count >= TEST_APP_MAX_CALLS) {
		pthread_mutex_unlock(&app->lock);
		return 486;
	}
	c = &app->calls[app->count++];
	memset(c, 0, sizeof(*c));
	c->number = sip_call_number(call);
	c->call = call;
	snprintf(c->call_id, sizeof(c->call_id), "%s", info->call_id);
	snprintf(c->caller, sizeof(c->caller), "%s", info->caller);
	snprintf(c->called, sizeof(c->called), "%s", info->called);
	c->codec = info->codec;
	c->late_offer = info->late_offer;
	c->transfer_status = -1;
	c->end_reason = -1;
	tmr_init(&c->hangup_tmr);
	pthread_mutex_unlock(&app->lock);

	sip_call_set_arg(call, app);
	return app->options.reject_status;
}

static void hangup_timeout(void *arg)
{
	sip_call_hangup(arg);
}

static void started(struct sip_call *call, void *arg)
{
	struct test_app *app = arg;
	struct test_app_call *c;
	char path[512];

	pthread_mutex_lock(&app->lock);
	c = find(app, call);
	if (c) {
		c->started = true;
		c->codec = sip_call_info(call)->codec;
		if (app->options.record_dir) {
			snprintf(path, sizeof(path), "%s/call-%llu-caller.wav",
				 app->options.record_dir, (unsigned long long)c->number);
			char assistant[512];

			snprintf(assistant, sizeof(assistant), "%s/call-%llu-assistant.wav",
				 app->options.record_dir, (unsigned long long)c->number);
			c->recording = media_recorder_open(&c->recorder, path, assistant, 600) == 0;
		}
		if (app->options.hangup_after_ms)
			tmr_start(&c->hangup_tmr, app->options.hangup_after_ms, hangup_timeout,
				  call);
	}
	pthread_mutex_unlock(&app->lock);

	if (app->prompt) {
		(void)sip_call_play(call, app->prompt, app->prompt_samples);
		(void)sip_call_mark(call, 1);
	}
}

static void audio(struct sip_call *call, const int16_t *pcm, size_t samples, void *arg)
{
	struct test_app *app = arg;
	struct test_app_call *c;
	double energy = 0;

	pthread_mutex_lock(&app->lock);
	c = find(app, call);
	if (c) {
		c->audio_frames++;
		for (size_t i = 0; i < samples; i++) {
			double v = fabs((double)pcm[i]);

			energy += (double)pcm[i] * pcm[i];
			if (v > c->audio_peak)
				c->audio_peak = v;
		}
		/* -40 dBFS RMS: speech is well above it, comfort noise well below. */
		if (sqrt(energy / (double)samples) > 327.0)
			c->loud_frames++;
		if (c->recording)
			(void)media_recorder_write(&c->recorder, pcm, NULL, samples);
	}
	pthread_mutex_unlock(&app->lock);
}

static void digit(struct sip_call *call, char key, enum sip_digit_source source, void *arg)
{
	struct test_app *app = arg;
	struct test_app_call *c;
	size_t n;

	pthread_mutex_lock(&app->lock);
	c = find(app, call);
	if (c) {
		n = strlen(c->digits);
		if (n < TEST_APP_MAX_DIGITS) {
			c->digits[n] = key;
			c->sources[n] = source;
		}
	}
	pthread_mutex_unlock(&app->lock);

	if (key == app->options.transfer_key)
		(void)sip_call_transfer(call, NULL);
	else if (key == app->options.hangup_key)
		sip_call_hangup(call);
	else if (key == app->options.flush_key)
		sip_call_flush(call);
}

static void mark(struct sip_call *call, uint64_t id, bool completed, void *arg)
{
	struct test_app *app = arg;
	struct test_app_call *c;
	(void)id;

	pthread_mutex_lock(&app->lock);
	c = find(app, call);
	if (c) {
		if (completed)
			c->marks_completed++;
		else
			c->marks_flushed++;
	}
	pthread_mutex_unlock(&app->lock);
}

static void transfer(struct sip_call *call, const struct sip_transfer_result *result, void *arg)
{
	struct test_app *app = arg;
	struct test_app_call *c;

	pthread_mutex_lock(&app->lock);
	c = find(app, call);
	if (c) {
		c->transfer_status = (int)result->status;
		c->transfer_scode = result->scode;
	}
	pthread_mutex_unlock(&app->lock);
}

static void ended(struct sip_call *call, enum sip_end_reason reason, void *arg)
{
	struct test_app *app = arg;
	struct test_app_call *c;

	pthread_mutex_lock(&app->lock);
	c = find(app, call);
	if (c) {
		c->end_reason = (int)reason;
		c->call = NULL;
		tmr_cancel(&c->hangup_tmr);
		if (c->recording) {
			(void)media_recorder_close(&c->recorder);
			c->recording = false;
		}
	}
	pthread_mutex_unlock(&app->lock);
}

int test_app_init(struct test_app *app, const struct test_app_options *options,
		  struct sip_handler *handler)
{
	memset(app, 0, sizeof(*app));
	app->options = *options;
	pthread_mutex_init(&app->lock, NULL);

	if (options->prompt_wav) {
		struct wav_audio wav;
		int err = wav_read_file(&wav, options->prompt_wav);

		if (err)
			return err;
		if (wav.rate != SIP_AUDIO_RATE) {
			wav_audio_free(&wav);
			return ENOTSUP;
		}
		app->prompt = wav.samples;
		app->prompt_samples = wav.count;
	}

	memset(handler, 0, sizeof(*handler));
	handler->offered = offered;
	handler->started = started;
	handler->audio = audio;
	handler->digit = digit;
	handler->mark = mark;
	handler->transfer = transfer;
	handler->ended = ended;
	handler->arg = app;
	return 0;
}

void test_app_close(struct test_app *app)
{
	for (unsigned i = 0; i < app->count; i++) {
		if (app->calls[i].recording)
			(void)media_recorder_close(&app->calls[i].recorder);
	}
	free(app->prompt);
	pthread_mutex_destroy(&app->lock);
}

bool test_app_call(struct test_app *app, unsigned index, struct test_app_call *out)
{
	bool found;

	pthread_mutex_lock(&app->lock);
	found = index < app->count;
	if (found)
		*out = app->calls[index];
	pthread_mutex_unlock(&app->lock);
	return found;
}

unsigned test_app_count(struct test_app *app)
{
	unsigned n;

	pthread_mutex_lock(&app->lock);
	n = app->count;
	pthread_mutex_unlock(&app->lock);
	return n;
}

static unsigned ended_count(struct test_app *app)
{
	unsigned n = 0;

	pthread_mutex_lock(&app->lock);
	for (unsigned i = 0; i < app->count; i++)
		n += app->calls[i].end_reason >= 0;
	pthread_mutex_unlock(&app->lock);
	return n;
}

bool test_app_wait_ended(struct test_app *app, unsigned count, unsigned timeout_ms)
{
	for (unsigned waited = 0; waited <= timeout_ms; waited += 10) {
		if (ended_count(app) >= count)
			return true;
		struct timespec ts = {0, 10000000};

		nanosleep(&ts, NULL);
	}
	return false;
}

bool test_app_wait_digits(struct test_app *app, unsigned index, unsigned digits,
			  unsigned timeout_ms)
{
	struct test_app_call c;

	for (unsigned waited = 0; waited <= timeout_ms; waited += 10) {
		if (test_app_call(app, index, &c) && strlen(c.digits) >= digits)
			return true;
		struct timespec ts = {0, 10000000};

		nanosleep(&ts, NULL);
	}
	return false;
}
