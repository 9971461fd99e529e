/*
 * A stand-in for a Whisper transcription server, for tests: libmicrohttpd on 127.0.0.1,
 * a port the system picks, serving the OpenAI-compatible POST /v1/audio/transcriptions.
 *
 * It returns a canned transcription for uploaded audio whose duration matches one
 * registered with mock_whisper_add() (16 kHz mono WAV only), and misbehaves on request
 * when the path starts with a mode:
 *   /error500/...  HTTP 500          /garbage/...  200 with a body that is not JSON
 *   /notext/...    200 {"txt": 3}    /huge/...     200 with a 100 MB body
 *   /hang/...      no response until the client gives up or the mock stops
 */
#ifndef PERMANENCE_TEST_MOCK_WHISPER_H
#define PERMANENCE_TEST_MOCK_WHISPER_H

#include <stddef.h>

struct mock_whisper;

/* Start the server; api_key, when not NULL, must come as "Authorization: Bearer KEY"
 * (else 401). Returns 0 or an errno value. */
int mock_whisper_start(struct mock_whisper **mockp, const char *api_key);
void mock_whisper_stop(struct mock_whisper *mock);
unsigned mock_whisper_port(const struct mock_whisper *mock);

/* Register the transcription returned for uploads lasting duration_ms (within 40 ms).
 * Up to 16 entries. */
void mock_whisper_add(struct mock_whisper *mock, unsigned duration_ms, const char *text);

/* Requests received so far, and form fields of the last one ("" when absent). */
unsigned mock_whisper_requests(struct mock_whisper *mock);
void mock_whisper_last_field(struct mock_whisper *mock, const char *name, char *out,
			     size_t size);

#endif
