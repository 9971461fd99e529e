#include "mock_whisper.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "wav.h"

#define MAX_CANNED 16
#define MAX_UPLOAD (8u * 1024u * 1024u)
#define HUGE_BODY (100u * 1024u * 1024u)
#define HANG_LIMIT_MS 30000

struct canned {
	unsigned duration_ms;
	char text[256];
};

struct mock_whisper {
	struct MHD_Daemon *daemon;
	unsigned port;
	char *api_key;
	pthread_mutex_t lock;
	struct canned canned[MAX_CANNED];
	size_t canned_count;
	unsigned requests;
	char last_model[64], last_language[16], last_format[32];
	volatile bool stopping;
};

struct upload {
	struct MHD_PostProcessor *post;
	uint8_t *file;
	size_t file_len;
	bool too_large;
	char model[64], language[16], format[32];
};

static void copy_field(char *out, size_t size, const char *data, uint64_t off, size_t len)
{
	size_t used = strlen(out);

	if (off != used || used + len >= size)
		return;
	memcpy(out + used, data, len);
	out[used + len] = '\0';
}

static enum MHD_Result post_field(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *filename, const char *content_type,
				  const char *transfer_encoding, const char *data, uint64_t off,
				  size_t size)
{
	struct upload *upload = cls;

	if (strcmp(key, "file") == 0) {
		if (upload->file_len + size > MAX_UPLOAD) {
			upload->too_large = true;
			return MHD_NO;
		}
		memcpy(upload->file + upload->file_len, data, size);
		upload->file_len += size;
	} else if (strcmp(key, "model") == 0) {
		copy_field(upload->model, sizeof(upload->model), data, off, size);
	} else if (strcmp(key, "language") == 0) {
		copy_field(upload->language, sizeof(upload->language), data, off, size);
	} else if (strcmp(key, "response_format") == 0) {
		copy_field(upload->format, sizeof(upload->format), data, off, size);
	}
	return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *connection, unsigned status,
			     const char *body)
{
	struct MHD_Response *response = MHD_create_response_from_buffer(
		strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result result;

	MHD_add_response_header(response, "Content-Type", "application/json");
	result = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return result;
}

static ssize_t huge_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	size_t left = HUGE_BODY - (size_t)pos;

	if (pos >= HUGE_BODY)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (max > left)
		max = left;
	memset(buf, 'a', max);
	return (ssize_t)max;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* JSON-escape text (quotes and backslashes; the canned texts hold nothing else). */
static void json_escape(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 2 < size; in++) {
		if (*in == '"' || *in == '\\')
			out[n++] = '\\';
		out[n++] = *in;
	}
	out[n] = '\0';
}

static enum MHD_Result transcribe(struct mock_whisper *mock, struct MHD_Connection *connection,
				  struct upload *upload)
{
	struct wav_audio audio;
	const char *text = NULL;
	char escaped[300], body[2048];
	unsigned duration_ms;

	if (upload->too_large)
		return reply(connection, 413, "{\"error\":{\"message\":\"file too large\"}}");
	if (wav_read_buffer(&audio, upload->file, upload->file_len) != 0)
		return reply(connection, 400, "{\"error\":{\"message\":\"invalid audio file\"}}");
	if (audio.rate != 16000 || !upload->model[0] || !upload->language[0]) {
		wav_audio_free(&audio);
		return reply(connection, 400, "{\"error\":{\"message\":\"need 16 kHz audio, "
					      "a model and a language\"}}");
	}
	duration_ms = (unsigned)(audio.count * 1000 / audio.rate);
	wav_audio_free(&audio);

	pthread_mutex_lock(&mock->lock);
	for (size_t i = 0; i < mock->canned_count; i++) {
		unsigned d = mock->canned[i].duration_ms;

		if (duration_ms + 40 >= d && duration_ms <= d + 40)
			text = mock->canned[i].text;
	}
	json_escape(text ? text : "", escaped, sizeof(escaped));
	pthread_mutex_unlock(&mock->lock);

	if (strcmp(upload->format, "verbose_json") == 0)
		snprintf(body, sizeof(body),
			 "{\"task\":\"transcribe\",\"language\":\"%s\",\"duration\":%.2f,"
			 "\"text\":\" %s\",\"segments\":[{\"id\":0,\"start\":0.0,\"end\":%.2f,"
			 "\"text\":\" %s\",\"avg_logprob\":-0.2,\"no_speech_prob\":0.1}]}",
			 upload->language, duration_ms / 1000.0, escaped, duration_ms / 1000.0,
			 escaped);
	else
		snprintf(body, sizeof(body), "{\"text\":\" %s\"}", escaped);
	return reply(connection, 200, body);
}

static enum MHD_Result misbehave(struct mock_whisper *mock, struct MHD_Connection *connection,
				 const char *url)
{
	if (strncmp(url, "/error500/", 10) == 0)
		return reply(connection, 500, "{\"error\":{\"message\":\"model crashed\"}}");
	if (strncmp(url, "/garbage/", 9) == 0)
		return reply(connection, 200, "<html><body>Bad Gateway</body></html>\x01\x02");
	if (strncmp(url, "/notext/", 8) == 0)
		return reply(connection, 200, "{\"txt\": 3}");
	if (strncmp(url, "/huge/", 6) == 0) {
		struct MHD_Response *response =
			MHD_create_response_from_callback(HUGE_BODY, 64 * 1024, huge_body, NULL, NULL);
		enum MHD_Result result = MHD_queue_response(connection, 200, response);

		MHD_destroy_response(response);
		return result;
	}
	if (strncmp(url, "/hang/", 6) == 0) {
		for (int waited = 0; waited < HANG_LIMIT_MS && !mock->stopping; waited += 10)
			sleep_ms(10);
		return MHD_NO;
	}
	return reply(connection, 404, "{\"error\":{\"message\":\"not found\"}}");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *data_size, void **state)
{
	struct mock_whisper *mock = cls;
	struct upload *upload = *state;
	const char *auth;
	char expected[160];

	if (!upload) {
		upload = calloc(1, sizeof(*upload));
		if (!upload)
			return MHD_NO;
		upload->file = malloc(MAX_UPLOAD);
		upload->post = MHD_create_post_processor(connection, 64 * 1024, post_field, upload);
		*state = upload;
		return upload->file ? MHD_YES : MHD_NO;
	}
	if (*data_size > 0) {
		if (upload->post)
			MHD_post_process(upload->post, data, *data_size);
		*data_size = 0;
		return MHD_YES;
	}

	pthread_mutex_lock(&mock->lock);
	mock->requests++;
	snprintf(mock->last_model, sizeof(mock->last_model), "%s", upload->model);
	snprintf(mock->last_language, sizeof(mock->last_language), "%s", upload->language);
	snprintf(mock->last_format, sizeof(mock->last_format), "%s", upload->format);
	pthread_mutex_unlock(&mock->lock);

	if (strcmp(method, "POST") != 0)
		return reply(connection, 405, "{\"error\":{\"message\":\"POST only\"}}");
	if (mock->api_key) {
		auth = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization");
		snprintf(expected, sizeof(expected), "Bearer %s", mock->api_key);
		if (!auth || strcmp(auth, expected) != 0)
			return reply(connection, 401, "{\"error\":{\"message\":\"invalid key\"}}");
	}
	if (strcmp(url, "/v1/audio/transcriptions") == 0)
		return transcribe(mock, connection, upload);
	return misbehave(mock, connection, url);
}

static void request_done(void *cls, struct MHD_Connection *connection, void **state,
			 enum MHD_RequestTerminationCode code)
{
	struct upload *upload = *state;

	if (!upload)
		return;
	if (upload->post)
		MHD_destroy_post_processor(upload->post);
	free(upload->file);
	free(upload);
	*state = NULL;
}

int mock_whisper_start(struct mock_whisper **mockp, const char *api_key)
{
	struct mock_whisper *mock = calloc(1, sizeof(*mock));
	struct sockaddr_in addr = {0};
	const union MHD_DaemonInfo *info;

	if (!mock)
		return ENOMEM;
	pthread_mutex_init(&mock->lock, NULL);
	mock->api_key = api_key ? strdup(api_key) : NULL;
	addr.sin_family = AF_INET;
	addr.sin_port = 0;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	mock->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
						MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
					0, NULL, NULL, handle, mock, MHD_OPTION_SOCK_ADDR, &addr,
					MHD_OPTION_NOTIFY_COMPLETED, request_done, mock,
					MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
	if (!mock->daemon) {
		mock_whisper_stop(mock);
		return EIO;
	}
	info = MHD_get_daemon_info(mock->daemon, MHD_DAEMON_INFO_BIND_PORT);
	mock->port = info ? info->port : 0;
	*mockp = mock;
	return 0;
}

void mock_whisper_stop(struct mock_whisper *mock)
{
	if (!mock)
		return;
	mock->stopping = true;
	if (mock->daemon)
		MHD_stop_daemon(mock->daemon);
	pthread_mutex_destroy(&mock->lock);
	free(mock->api_key);
	free(mock);
}

unsigned mock_whisper_port(const struct mock_whisper *mock)
{
	return mock->port;
}

void mock_whisper_add(struct mock_whisper *mock, unsigned duration_ms, const char *text)
{
	pthread_mutex_lock(&mock->lock);
	if (mock->canned_count < MAX_CANNED) {
		mock->canned[mock->canned_count].duration_ms = duration_ms;
		snprintf(mock->canned[mock->canned_count].text,
			 sizeof(mock->canned[mock->canned_count].text), "%s", text);
		mock->canned_count++;
	}
	pthread_mutex_unlock(&mock->lock);
}

unsigned mock_whisper_requests(struct mock_whisper *mock)
{
	unsigned count;

	pthread_mutex_lock(&mock->lock);
	count = mock->requests;
	pthread_mutex_unlock(&mock->lock);
	return count;
}

void mock_whisper_last_field(struct mock_whisper *mock, const char *name, char *out, size_t size)
{
	const char *value = "";

	pthread_mutex_lock(&mock->lock);
	if (strcmp(name, "model") == 0)
		value = mock->last_model;
	else if (strcmp(name, "language") == 0)
		value = mock->last_language;
	else if (strcmp(name, "response_format") == 0)
		value = mock->last_format;
	snprintf(out, size, "%s", value);
	pthread_mutex_unlock(&mock->lock);
}
