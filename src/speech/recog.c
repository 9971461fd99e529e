#include "recog.h"
#include "recog_priv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const struct speech_recog_ops *const engines[] = {
	&speech_recog_pocketsphinx_ops,
	&speech_recog_http_ops,
};

#define ENGINE_COUNT (sizeof(engines) / sizeof(engines[0]))

struct speech_recog {
	const struct speech_recog_ops *ops;
	void *state;
	unsigned max_audio_ms;
	float uncertain_below;
	char error[SPEECH_ERROR_MAX];
};

void speech_recog_config_init(struct speech_recog_config *config)
{
	memset(config, 0, sizeof(*config));
	config->ps_hmm_dir = "/usr/share/pocketsphinx/model/en-us/en-us";
	config->ps_dict = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
	config->ps_lm = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";
	config->ps_grammar_cache = 16;
	config->http_url = NULL;
	config->http_model = "whisper-1";
	config->http_api_key = NULL;
	config->http_response_format = "json";
	config->http_connect_timeout_ms = 2000;
	config->http_timeout_ms = 15000;
	config->http_max_response = 1024 * 1024;
	config->max_audio_ms = 60000;
	config->uncertain_below = 0.6f;
	config->http_confidence = 0.6f;
}

static const struct speech_recog_ops *engine_find(const char *name)
{
	for (size_t i = 0; name && i < ENGINE_COUNT; i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

bool speech_recog_engine_exists(const char *engine)
{
	return engine_find(engine) != NULL;
}

bool speech_recog_engine_supports(const char *engine, const char *lang, bool with_grammar)
{
	const struct speech_recog_ops *ops = engine_find(engine);

	if (!ops || !lang || (with_grammar && !ops->grammar))
		return false;
	for (const char *const *l = ops->languages; *l; l++)
		if (strcmp(*l, lang) == 0)
			return true;
	return false;
}

int speech_recog_create(struct speech_recog **recogp, const char *engine,
			const struct speech_recog_config *config)
{
	const struct speech_recog_ops *ops = engine_find(engine);
	struct speech_recog *recog;
	int err;

	*recogp = NULL;
	if (!ops) {
		log_err("speech", NULL, "unknown recognition engine '%s'; use pocketsphinx or http",
			engine ? engine : "(null)");
		return ENOENT;
	}
	if (config->max_audio_ms == 0 || !(config->uncertain_below >= 0.0f) ||
	    config->uncertain_below > 1.0f) {
		log_err("speech", NULL, "invalid recognition settings: max_audio_ms %u, "
			"uncertain_below %g (0..1)", config->max_audio_ms,
			(double)config->uncertain_below);
		return EINVAL;
	}
	recog = calloc(1, sizeof(*recog));
	if (!recog)
		return ENOMEM;
	recog->ops = ops;
	recog->max_audio_ms = config->max_audio_ms;
	recog->uncertain_below = config->uncertain_below;
	err = ops->open(&recog->state, config, recog->error);
	if (err) {
		log_err("speech", NULL, "cannot open recognition engine %s: %s", engine,
			recog->error);
		free(recog);
		return err;
	}
	*recogp = recog;
	return 0;
}

void speech_recog_destroy(struct speech_recog *recog)
{
	if (!recog)
		return;
	recog->ops->close(recog->state);
	free(recog);
}

const char *speech_recog_name(const struct speech_recog *recog)
{
	return recog->ops->name;
}

const char *speech_recog_error(const struct speech_recog *recog)
{
	return recog->error;
}

void speech_error_format(char *error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error, SPEECH_ERROR_MAX, fmt, ap);
	va_end(ap);
}

static int set_error(struct speech_recog *recog, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(struct speech_recog *recog, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(recog->error, sizeof(recog->error), fmt, ap);
	va_end(ap);
	return err;
}

static int check_request(struct speech_recog *recog, const struct speech_recog_request *request)
{
	if (!request->samples && request->count > 0)
		return set_error(recog, EINVAL, "no samples for %zu-sample audio", request->count);
	if (request->rate == 0 || request->rate > 192000)
		return set_error(recog, EINVAL, "invalid sample rate %u Hz", request->rate);
	if (!speech_lang_valid(request->lang))
		return set_error(recog, EINVAL, "invalid language '%s': use fr or en",
				 request->lang ? request->lang : "(null)");
	if (!speech_recog_engine_supports(recog->ops->name, request->lang, false))
		return set_error(recog, ENOTSUP, "engine %s does not recognise language %s%s",
				 recog->ops->name, request->lang,
				 strcmp(recog->ops->name, "pocketsphinx") == 0
					 ? " (its free model is English only; use the http engine)"
					 : "");
	if (request->grammar && strlen(request->grammar) > SPEECH_GRAMMAR_MAX)
		return set_error(recog, EINVAL, "grammar larger than %u bytes", SPEECH_GRAMMAR_MAX);
	if (request->expectation && strlen(request->expectation) > 64)
		return set_error(recog, EINVAL, "expectation name longer than 64 bytes");
	return 0;
}

enum speech_verdict speech_recog_verdict(const struct speech_recog_result *result,
					 float uncertain_below)
{
	if (result->text[0] == '\0')
		return SPEECH_VERDICT_REJECTED;
	if (!(result->confidence >= uncertain_below))
		return SPEECH_VERDICT_UNCERTAIN;
	return SPEECH_VERDICT_ACCEPTED;
}

const char *speech_verdict_name(enum speech_verdict verdict)
{
	switch (verdict) {
	case SPEECH_VERDICT_ACCEPTED:
		return "accepted";
	case SPEECH_VERDICT_UNCERTAIN:
		return "uncertain";
	case SPEECH_VERDICT_REJECTED:
		return "rejected";
	}
	return "?";
}

/* Below this RMS level (about -66 dBFS) the audio contains no speech. It is rejected
 * without decoding, so that no engine invents words in silence. */
#define SILENCE_RMS 16.0

static double rms(const int16_t *samples, size_t count)
{
	double sum = 0.0;

	for (size_t i = 0; i < count; i++)
		sum += (double)samples[i] * samples[i];
	return count ? sqrt(sum / (double)count) : 0.0;
}

static double monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int speech_recog_run(struct speech_recog *recog, const struct speech_recog_request *request,
		     struct speech_recog_result *result)
{
	struct speech_recog_request engine_request = *request;
	struct speech_audio audio = {0};
	size_t max_samples;
	double started;
	int err;

	memset(result, 0, sizeof(*result));
	snprintf(result->engine, sizeof(result->engine), "%s", recog->ops->name);
	result->verdict = SPEECH_VERDICT_REJECTED;
	recog->error[0] = '\0';
	err = check_request(recog, request);
	if (err)
		goto out;

	max_samples = (size_t)((unsigned long long)recog->max_audio_ms * request->rate / 1000);
	if (request->count > max_samples) {
		engine_request.count = max_samples;
		result->truncated = true;
		log_warning("speech", request->call_id,
			    "utterance of %zu ms cut to the maximum of %u ms",
			    (size_t)((unsigned long long)request->count * 1000 / request->rate),
			    recog->max_audio_ms);
	}
	result->audio_ms =
		(unsigned)((unsigned long long)engine_request.count * 1000 / request->rate);
	if (engine_request.count == 0 || rms(engine_request.samples, engine_request.count) < SILENCE_RMS)
		goto out;

	err = speech_resample(engine_request.samples, engine_request.count, request->rate,
			      recog->ops->rate, &audio);
	if (err) {
		set_error(recog, err, "resampling to %u Hz failed", recog->ops->rate);
		goto out;
	}
	engine_request.samples = audio.samples;
	engine_request.count = audio.count;
	engine_request.rate = audio.rate;

	started = monotonic_ms();
	err = recog->ops->recognize(recog->state, &engine_request, result, recog->error);
	result->decode_ms = (unsigned)(monotonic_ms() - started + 0.5);
	if (err) {
		result->text[0] = '\0';
		goto out;
	}
	if (!(result->confidence >= 0.0f))
		result->confidence = 0.0f;
	if (result->confidence > 1.0f)
		result->confidence = 1.0f;
	result->verdict = speech_recog_verdict(result, recog->uncertain_below);
out:
	speech_audio_free(&audio);
	if (err == ECANCELED) {
		log_info("speech", request->call_id, "recognition with %s cancelled",
			 recog->ops->name);
		return err;
	}
	if (err) {
		log_warning("speech", request->call_id, "recognition with %s failed: %s",
			    recog->ops->name, recog->error);
		return err;
	}
	log_info("speech", request->call_id,
		 "recognised with %s, expectation %s: %s, confidence %.2f, %u ms of audio in %u ms",
		 recog->ops->name, request->expectation && request->expectation[0]
					   ? request->expectation : "open",
		 speech_verdict_name(result->verdict), (double)result->confidence,
		 result->audio_ms, result->decode_ms);
	log_debug("speech", request->call_id, "transcript: \"%s\"", result->text);
	return 0;
}
