/*
 * HTTP engine: the OpenAI-compatible transcription API that self-hosted Whisper servers
 * offer (whisper.cpp's server, faster-whisper servers).
 *
 *   POST {url}/v1/audio/transcriptions, multipart/form-data:
 *     file=<16 kHz 16-bit mono WAV>, model, language, response_format
 *   Authorization: Bearer KEY (only when a key is configured)
 *   200 {"text": "..."}; with verbose_json also "segments": [{"avg_logprob",
 *   "no_speech_prob", ...}]
 *
 * The response body is bounded (http_max_response), redirects are not followed, and the
 * whole exchange has a time limit. One curl handle per instance keeps the connection
 * alive between requests.
 */
#include "recog_priv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#define TRANSCRIPTIONS_PATH "/v1/audio/transcriptions"

static const char *const http_languages[] = {"fr", "en", NULL};

struct http_state {
	CURL *curl;
	char *endpoint;
	char *model;
	char *authorization; /* "Authorization: Bearer KEY", or NULL */
	char *response_format;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_response;
	float default_confidence;
};

struct http_body {
	char *data;
	size_t len;
	size_t max;
	bool too_large;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void http_close(void *statep)
{
	struct http_state *state = statep;

	if (!state)
		return;
	if (state->curl)
		curl_easy_cleanup(state->curl);
	free(state->endpoint);
	free(state->model);
	free(state->authorization);
	free(state->response_format);
	free(state);
}

static char *endpoint_from_url(const char *url)
{
	size_t len = strlen(url), path_len = strlen(TRANSCRIPTIONS_PATH);
	char *endpoint;

	while (len > 0 && url[len - 1] == '/')
		len--;
	if (len >= path_len && strncmp(url + len - path_len, TRANSCRIPTIONS_PATH, path_len) == 0)
		path_len = 0;
	endpoint = malloc(len + path_len + 1);
	if (!endpoint)
		return NULL;
	memcpy(endpoint, url, len);
	memcpy(endpoint + len, TRANSCRIPTIONS_PATH, path_len);
	endpoint[len + path_len] = '\0';
	return endpoint;
}

static int http_open(void **statep, const struct speech_recog_config *config, char *error)
{
	struct http_state *state;
	const char *format = config->http_response_format ? config->http_response_format : "json";

	pthread_once(&curl_once, curl_init);
	if (curl_init_result != CURLE_OK) {
		speech_error_format(error, "libcurl initialisation failed: %s",
			 curl_easy_strerror(curl_init_result));
		return EIO;
	}
	if (!config->http_url || (strncmp(config->http_url, "http://", 7) != 0 &&
				  strncmp(config->http_url, "https://", 8) != 0)) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "missing or invalid transcription server address '%s': give "
			 "http://HOST:PORT or https://HOST:PORT",
			 config->http_url ? config->http_url : "");
		return EINVAL;
	}
	if (strcmp(format, "json") != 0 && strcmp(format, "verbose_json") != 0) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "invalid response format '%s': use json or verbose_json", format);
		return EINVAL;
	}
	if (config->http_timeout_ms <= 0 || config->http_connect_timeout_ms <= 0 ||
	    config->http_max_response < 64 || !config->http_model || !config->http_model[0]) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "invalid transcription settings: timeouts must be positive, the response "
			 "maximum at least 64 bytes, and a model named");
		return EINVAL;
	}
	state = calloc(1, sizeof(*state));
	if (!state)
		return ENOMEM;
	state->curl = curl_easy_init();
	state->endpoint = endpoint_from_url(config->http_url);
	state->model = strdup(config->http_model);
	state->response_format = strdup(format);
	if (config->http_api_key && config->http_api_key[0]) {
		size_t len = strlen(config->http_api_key) + 32;

		state->authorization = malloc(len);
		if (state->authorization)
			snprintf(state->authorization, len, "Authorization: Bearer %s",
				 config->http_api_key);
	}
	state->connect_timeout_ms = config->http_connect_timeout_ms;
	state->timeout_ms = config->http_timeout_ms;
	state->max_response = config->http_max_response;
	state->default_confidence = config->http_confidence;
	if (!state->curl || !state->endpoint || !state->model || !state->response_format ||
	    (config->http_api_key && config->http_api_key[0] && !state->authorization)) {
		http_close(state);
		return ENOMEM;
	}
	*statep = state;
	return 0;
}

static void put_le16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v & 0xffff);
	put_le16(p + 2, v >> 16);
}

/* A 16-bit mono PCM WAV file in memory, little-endian as RIFF requires. */
static uint8_t *wav_encode(const int16_t *samples, size_t count, unsigned rate, size_t *size)
{
	uint32_t data_bytes = (uint32_t)(count * 2);
	uint8_t *wav = malloc(44 + (size_t)data_bytes);

	if (!wav)
		return NULL;
	memcpy(wav, "RIFF", 4);
	put_le32(wav + 4, 36 + data_bytes);
	memcpy(wav + 8, "WAVEfmt ", 8);
	put_le32(wav + 16, 16);
	put_le16(wav + 20, 1); /* PCM */
	put_le16(wav + 22, 1); /* mono */
	put_le32(wav + 24, rate);
	put_le32(wav + 28, rate * 2);
	put_le16(wav + 32, 2);
	put_le16(wav + 34, 16);
	memcpy(wav + 36, "data", 4);
	put_le32(wav + 40, data_bytes);
	for (size_t i = 0; i < count; i++)
		put_le16(wav + 44 + 2 * i, (uint16_t)samples[i]);
	*size = 44 + (size_t)data_bytes;
	return wav;
}

static size_t body_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_body *body = arg;
	size_t len = size * nmemb;

	if (len > body->max - body->len) {
		body->too_large = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	memcpy(body->data + body->len, data, len);
	body->len += len;
	body->data[body->len] = '\0';
	return len;
}

static int mime_field(curl_mime *mime, const char *name, const char *value)
{
	curl_mimepart *part = curl_mime_addpart(mime);

	if (!part || curl_mime_name(part, name) != CURLE_OK ||
	    curl_mime_data(part, value, CURL_ZERO_TERMINATED) != CURLE_OK)
		return ENOMEM;
	return 0;
}

static int build_form(struct http_state *state, curl_mime *mime, const uint8_t *wav,
		      size_t wav_size, const char *lang)
{
	curl_mimepart *part = curl_mime_addpart(mime);

	if (!part || curl_mime_name(part, "file") != CURLE_OK ||
	    curl_mime_data(part, (const char *)wav, wav_size) != CURLE_OK ||
	    curl_mime_filename(part, "audio.wav") != CURLE_OK ||
	    curl_mime_type(part, "audio/wav") != CURLE_OK)
		return ENOMEM;
	if (mime_field(mime, "model", state->model) || mime_field(mime, "language", lang) ||
	    mime_field(mime, "response_format", state->response_format))
		return ENOMEM;
	return 0;
}

/* Printable start of a body for an error message. */
static void body_excerpt(const struct http_body *body, char *out, size_t size)
{
	size_t n = body->len < size - 1 ? body->len : size - 1;

	for (size_t i = 0; i < n; i++)
		out[i] = isprint((unsigned char)body->data[i]) ? body->data[i] : ' ';
	out[n] = '\0';
}

/* Called by curl several times a second while a transfer runs; non-zero aborts it. */
static int transfer_progress(void *arg, curl_off_t download_total, curl_off_t downloaded,
			     curl_off_t upload_total, curl_off_t uploaded)
{
	const atomic_bool *cancel = arg;

	return atomic_load(cancel) ? 1 : 0;
}

static int send_request(struct http_state *state, curl_mime *mime, struct http_body *body,
			const atomic_bool *cancel, long *status, char *error)
{
	struct curl_slist *headers = NULL, *more;
	CURLcode rc;
	int err = 0;

	headers = curl_slist_append(NULL, "Accept: application/json");
	if (headers && state->authorization) {
		more = curl_slist_append(headers, state->authorization);
		if (!more) {
			curl_slist_free_all(headers);
			headers = NULL;
		} else {
			headers = more;
		}
	}
	if (!headers)
		return ENOMEM;
	curl_easy_reset(state->curl);
	curl_easy_setopt(state->curl, CURLOPT_URL, state->endpoint);
	curl_easy_setopt(state->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(state->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(state->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(state->curl, CURLOPT_CONNECTTIMEOUT_MS, state->connect_timeout_ms);
	curl_easy_setopt(state->curl, CURLOPT_TIMEOUT_MS, state->timeout_ms);
	curl_easy_setopt(state->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(state->curl, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(state->curl, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(state->curl, CURLOPT_WRITEDATA, body);
	if (cancel) {
		curl_easy_setopt(state->curl, CURLOPT_XFERINFOFUNCTION, transfer_progress);
		curl_easy_setopt(state->curl, CURLOPT_XFERINFODATA, (void *)cancel);
		curl_easy_setopt(state->curl, CURLOPT_NOPROGRESS, 0L);
	}

	rc = curl_easy_perform(state->curl);
	curl_easy_getinfo(state->curl, CURLINFO_RESPONSE_CODE, status);
	if (rc == CURLE_WRITE_ERROR && body->too_large) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "transcription response from %s larger than %zu bytes", state->endpoint,
			 body->max);
		err = EMSGSIZE;
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		speech_error_format(error, "transcription request cancelled");
		err = ECANCELED;
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "transcription server %s timed out after %ld ms", state->endpoint,
			 state->timeout_ms);
		err = ETIMEDOUT;
	} else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "cannot connect to transcription server %s: %s", state->endpoint,
			 curl_easy_strerror(rc));
		err = ECONNREFUSED;
	} else if (rc != CURLE_OK) {
		speech_error_format(error, "transcription request to %s failed: %s",
			 state->endpoint, curl_easy_strerror(rc));
		err = EIO;
	}
	curl_easy_setopt(state->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(state->curl, CURLOPT_MIMEPOST, NULL);
	curl_slist_free_all(headers);
	return err;
}

/* Copy text into out: control characters become spaces, runs of spaces collapse, the
 * ends are trimmed, and a text too long is cut at a word boundary. */
static void copy_transcript(const char *text, char *out, size_t size)
{
	size_t len = 0;
	bool space = true;

	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool is_space = c < 0x20 || c == 0x7f || c == ' ';

		if (is_space) {
			if (!space && len + 1 < size)
				out[len++] = ' ';
			space = true;
			continue;
		}
		if (len + 1 >= size) {
			while (len > 0 && out[len - 1] != ' ')
				len--;
			break;
		}
		out[len++] = (char)c;
		space = false;
	}
	while (len > 0 && out[len - 1] == ' ')
		len--;
	out[len] = '\0';
}

/* Confidence from verbose_json segments: exp(mean avg_logprob) times the chance that the
 * segment holds speech, weighted by segment duration. Returns -1 without segments. */
static double segments_confidence(json_t *segments)
{
	double weighted = 0.0, total = 0.0;
	size_t index;
	json_t *segment;

	if (!json_is_array(segments) || json_array_size(segments) == 0)
		return -1.0;
	json_array_foreach(segments, index, segment) {
		json_t *logprob = json_object_get(segment, "avg_logprob");
		json_t *no_speech = json_object_get(segment, "no_speech_prob");
		double start = json_number_value(json_object_get(segment, "start"));
		double end = json_number_value(json_object_get(segment, "end"));
		double weight = end > start ? end - start : 1.0;
		double p;

		if (!json_is_number(logprob))
			return -1.0;
		p = exp(json_number_value(logprob));
		if (json_is_number(no_speech))
			p *= 1.0 - json_number_value(no_speech);
		weighted += weight * p;
		total += weight;
	}
	return total > 0.0 ? weighted / total : -1.0;
}

static int parse_response(struct http_state *state, const struct http_body *body,
			  struct speech_recog_result *result, char *error)
{
	json_error_t json_error;
	json_t *root, *text;
	double confidence;
	int err = 0;

	root = json_loadb(body->data, body->len, JSON_REJECT_DUPLICATES, &json_error);
	text = root ? json_object_get(root, "text") : NULL;
	if (!json_is_string(text)) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "transcription server %s sent no JSON object with a \"text\" string%s%s",
			 state->endpoint, root ? "" : ": ", root ? "" : json_error.text);
		err = EBADMSG;
		goto out;
	}
	copy_transcript(json_string_value(text), result->text, sizeof(result->text));
	confidence = segments_confidence(json_object_get(root, "segments"));
	result->confidence = confidence >= 0.0 ? (float)confidence : state->default_confidence;
out:
	json_decref(root);
	return err;
}

static int http_recognize(void *statep, const struct speech_recog_request *request,
			  struct speech_recog_result *result, char *error)
{
	struct http_state *state = statep;
	struct http_body body = {NULL, 0, state->max_response, false};
	curl_mime *mime = NULL;
	uint8_t *wav;
	size_t wav_size;
	long status = 0;
	int err;

	wav = wav_encode(request->samples, request->count, request->rate, &wav_size);
	body.data = malloc(state->max_response + 1);
	mime = curl_mime_init(state->curl);
	if (!wav || !body.data || !mime) {
		err = ENOMEM;
		goto out;
	}
	body.data[0] = '\0';
	err = build_form(state, mime, wav, wav_size, request->lang);
	if (err)
		goto out;
	err = send_request(state, mime, &body, request->cancel, &status, error);
	if (err)
		goto out;
	if (status != 200) {
		char excerpt[96];

		body_excerpt(&body, excerpt, sizeof(excerpt));
		speech_error_format(error, "transcription server %s answered HTTP %ld: %s",
			 state->endpoint, status, excerpt);
		err = EIO;
		goto out;
	}
	err = parse_response(state, &body, result, error);
out:
	curl_mime_free(mime);
	free(body.data);
	free(wav);
	return err;
}

const struct speech_recog_ops speech_recog_http_ops = {
	.name = "http",
	.languages = http_languages,
	.grammar = false,
	.rate = 16000,
	.open = http_open,
	.close = http_close,
	.recognize = http_recognize,
};
