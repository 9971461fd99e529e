/*
 * Speech recognition behind an engine interface.
 *
 * Engines are registered by name:
 *   "pocketsphinx"  CMU PocketSphinx 5prealpha with the free US English model. A request
 *                   with a JSGF grammar is constrained to it (the way to get usable
 *                   accuracy on telephone audio); a request without one uses the open
 *                   en-us language model. English only.
 *   "http"          an OpenAI-compatible POST /v1/audio/transcriptions server
 *                   (whisper.cpp server, faster-whisper servers) for open dictation in
 *                   French or English. Grammars are not sent; the dialogue's language
 *                   understanding reads the text.
 *
 * An instance is used by one thread at a time; the worker pool gives each worker its own.
 * Every result carries a confidence in 0..1; speech_recog_verdict() turns it into
 * accepted, uncertain (the dialogue asks a check question or offers the keypad) or
 * rejected (nothing usable was heard), so a weak result is never used as a silent guess.
 */
#ifndef PERMANENCE_SPEECH_RECOG_H
#define PERMANENCE_SPEECH_RECOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "speech.h"

/* Maximum transcript length, in bytes; a longer one is cut at a word boundary. */
#define SPEECH_TRANSCRIPT_MAX 1024u
/* Largest JSGF grammar accepted, in bytes. */
#define SPEECH_GRAMMAR_MAX (256u * 1024u)

struct speech_recog;

/* Settings for every engine; speech_recog_config_init() fills in the defaults. Strings are
 * copied by speech_recog_create(). */
struct speech_recog_config {
	/* pocketsphinx: model files (defaults: Debian's pocketsphinx-en-us package). */
	const char *ps_hmm_dir;      /* acoustic model folder */
	const char *ps_dict;         /* pronunciation dictionary */
	const char *ps_lm;           /* open-vocabulary language model */
	unsigned ps_grammar_cache;   /* compiled grammars kept per decoder (1..256) */

	/* http: the server's base address, e.g. "http://127.0.0.1:8080"; the path
	 * /v1/audio/transcriptions is appended unless the address already ends with it. */
	const char *http_url;
	const char *http_model;           /* "model" form field */
	const char *http_api_key;         /* sent as "Authorization: Bearer KEY"; NULL: none */
	const char *http_response_format; /* "json" or "verbose_json" */
	long http_connect_timeout_ms;
	long http_timeout_ms;             /* whole request, upload to last byte */
	size_t http_max_response;         /* bytes; a longer body fails with EMSGSIZE */

	/* Every engine. */
	unsigned max_audio_ms;   /* longer audio is cut to this and marked truncated */
	float uncertain_below;   /* confidence under this is uncertain */
	float http_confidence;   /* confidence given to http text when the server sends no
				  * score (response_format "json") */
};

void speech_recog_config_init(struct speech_recog_config *config);

struct speech_recog_request {
	const int16_t *samples; /* mono PCM */
	size_t count;
	unsigned rate;          /* Hz; telephone audio is SPEECH_RATE */
	const char *lang;       /* "en" or "fr" */
	/* The dialogue's expectation ("yes_no", "date", ...), for logs and as part of the
	 * compiled-grammar cache key; NULL or "" for an open request. */
	const char *expectation;
	/* JSGF grammar text (from nlu_grammar_jsgf()), or NULL for open vocabulary. */
	const char *grammar;
	const char *call_id;    /* for logs; may be NULL */
	/* Set to true by another thread to abandon the request (the caller hung up); the
	 * engine then stops at its next check and returns ECANCELED. May be NULL. */
	const atomic_bool *cancel;
};

enum speech_verdict {
	SPEECH_VERDICT_ACCEPTED = 0,
	SPEECH_VERDICT_UNCERTAIN, /* text found, confidence under the threshold */
	SPEECH_VERDICT_REJECTED,  /* no text: silence, noise, or nothing in the grammar */
};

struct speech_recog_result {
	char text[SPEECH_TRANSCRIPT_MAX]; /* lower case words, fillers removed; may be "" */
	float confidence;                 /* 0..1; see docs/speech.md for its calibration */
	enum speech_verdict verdict;      /* from confidence and the configured threshold */
	bool truncated;                   /* the audio was cut to max_audio_ms */
	bool grammar_used;                /* decoded against the request's grammar */
	char engine[16];                  /* engine that produced the result */
	unsigned audio_ms;                /* duration of the audio decoded */
	unsigned speech_start_ms;         /* first word's start, 0 when none */
	unsigned speech_end_ms;           /* last word's end, 0 when none */
	unsigned decode_ms;               /* wall-clock time spent by the engine */
	/* pocketsphinx only: path score of the hypothesis minus that of a free phone loop,
	 * per 10 ms frame (pocketsphinx score units), from which confidence is computed. */
	float acoustic_margin;
};

/* Return true when an engine of that name is compiled in. */
bool speech_recog_engine_exists(const char *engine);
/* Return true when the engine recognises lang; with_grammar asks for grammar support. */
bool speech_recog_engine_supports(const char *engine, const char *lang, bool with_grammar);

/*
 * Create an instance of a named engine with the given settings (copied). pocketsphinx
 * loads its acoustic model and dictionary here (about a second, tens of megabytes; see
 * docs/benchmarks.md). Returns 0, ENOENT for an unknown engine name, EINVAL for invalid
 * settings (an http engine without an address), EIO when model files cannot be loaded,
 * ENOMEM.
 */
int speech_recog_create(struct speech_recog **recogp, const char *engine,
			const struct speech_recog_config *config);
void speech_recog_destroy(struct speech_recog *recog);
const char *speech_recog_name(const struct speech_recog *recog);

/* The message of the last failed call on this instance, or "". */
const char *speech_recog_error(const struct speech_recog *recog);

/*
 * Recognise one utterance. Audio of any rate is resampled to what the engine needs;
 * audio longer than max_audio_ms is cut (result->truncated). Empty audio gives an empty,
 * rejected result. Returns 0 (also for an empty or rejected result), EINVAL for an
 * invalid request (NULL samples with a count, zero rate, invalid language, a grammar
 * larger than SPEECH_GRAMMAR_MAX or one the engine cannot compile: see
 * speech_recog_error()), ENOTSUP for a language the engine lacks, and for http: ETIMEDOUT,
 * ECONNREFUSED, EIO (an HTTP error status), EMSGSIZE (response too large), EBADMSG
 * (response not a transcription), ENOMEM.
 */
int speech_recog_run(struct speech_recog *recog, const struct speech_recog_request *request,
		     struct speech_recog_result *result);

/* Classify a result against a confidence threshold. */
enum speech_verdict speech_recog_verdict(const struct speech_recog_result *result,
					 float uncertain_below);
const char *speech_verdict_name(enum speech_verdict verdict);

#endif
