/*
 * Accuracy evaluation of speech recognition on the test corpus (tests/corpus/audio):
 *   digits    fsdd_digits_en_8k: spoken digits at 8 kHz, a digits grammar; accuracy
 *   harvard   OSR_us_000_0034_8k.wav and its transcript: the open model; word error rate.
 *             The 35 s recording is cut at its pauses, as the voice detector cuts a call,
 *             because pocketsphinx's open search drops the end of a long utterance.
 *   commands  speech_to_phrase_16k/en: a grammar of the commands (the transcript is the
 *             file name); oov_* files are speech outside the grammar and must not be
 *             accepted
 * Each set is decoded as given (commands are first brought to 8 kHz, the telephone rate)
 * and after a G.711 A-law round trip. With an http address, the French commands
 * (speech_to_phrase_16k/fr) are also sent to that server as open dictation.
 */
#ifndef PERMANENCE_SPEECH_EVAL_H
#define PERMANENCE_SPEECH_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SPEECH_EVAL_MAX_ROWS 16

struct speech_eval_options {
	const char *corpus_dir; /* the folder holding audio/ */
	const char *http_url;   /* NULL: no http rows */
	const char *http_model; /* NULL: the default */
	FILE *details;          /* one line per utterance when not NULL */
};

/* One engine on one set under one condition. */
struct speech_eval_row {
	char engine[16];
	char set[16];          /* "digits", "harvard", "commands", "commands_fr" */
	char expectation[16];  /* "digits", "commands", "open" */
	char condition[16];    /* "clean" or "g711a" */
	unsigned utterances;   /* in-grammar utterances (all, for open sets) */
	unsigned correct;      /* exact transcript matches */
	unsigned accepted;     /* results with verdict accepted */
	unsigned accepted_correct;
	unsigned oov;          /* out-of-grammar utterances */
	unsigned oov_accepted; /* of those, wrongly accepted */
	unsigned words;        /* reference words */
	unsigned word_errors;  /* substitutions, insertions and deletions */
	double audio_s;
	double decode_s;
};

struct speech_eval_report {
	struct speech_eval_row rows[SPEECH_EVAL_MAX_ROWS];
	size_t count;
	long decoder_kb; /* resident memory added by one pocketsphinx decoder, -1 unknown */
};

/*
 * Run the evaluation. Returns 0, ENOENT when a corpus file is missing, or an engine's
 * error (its message is logged).
 */
int speech_eval_asr(const struct speech_eval_options *options, struct speech_eval_report *report);

/* Ratios for a row; 0 when the denominator is 0. */
double speech_eval_accuracy(const struct speech_eval_row *row);
double speech_eval_wer(const struct speech_eval_row *row);
double speech_eval_rtf(const struct speech_eval_row *row);

/* Word errors (Levenshtein distance over words) between a reference and a hypothesis,
 * compared after lower-casing and removing punctuation other than apostrophes. */
unsigned speech_eval_word_errors(const char *reference, const char *hypothesis,
				 unsigned *reference_words);

/* G.711 A-law encoding and decoding of one sample (ITU-T G.711, segment encoding). */
unsigned char speech_alaw_encode(int16_t sample);
int16_t speech_alaw_decode(unsigned char code);

#endif
