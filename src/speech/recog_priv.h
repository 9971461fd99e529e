/* Recognition engines' private interface: what an engine implements to be registered. */
#ifndef PERMANENCE_SPEECH_RECOG_PRIV_H
#define PERMANENCE_SPEECH_RECOG_PRIV_H

#include <stdbool.h>

#include "recog.h"

struct speech_recog_ops {
	const char *name;
	const char *const *languages; /* NULL-terminated */
	bool grammar;                 /* honours JSGF grammars */
	unsigned rate;                /* sample rate the engine needs, Hz */
	/* Open the engine with copies of what it needs from config. On failure return an
	 * errno value with a message in error (SPEECH_ERROR_MAX bytes). */
	int (*open)(void **state, const struct speech_recog_config *config, char *error);
	void (*close)(void *state);
	/* Recognise a checked, non-empty request whose samples are already at ops->rate and
	 * cut to the maximum length. Fill text, confidence, speech_start_ms, speech_end_ms,
	 * grammar_used and the engine's diagnostics; recog.c fills the rest. */
	int (*recognize)(void *state, const struct speech_recog_request *request,
			 struct speech_recog_result *result, char *error);
};

/* Write a message into an engine's error buffer (SPEECH_ERROR_MAX bytes), cut if long. */
void speech_error_format(char *error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern const struct speech_recog_ops speech_recog_pocketsphinx_ops;
extern const struct speech_recog_ops speech_recog_http_ops;

#endif
