/*
 * Speech synthesis behind an engine interface.
 *
 * Engines are registered by name: "espeak-ng" (also "espeak"; French and English voices)
 * and "flite" (English only, more natural). Both keep process-wide state (espeak-ng's
 * synthesiser, flite's registered voices and lexicon), so a process has at most one
 * instance of each, and that instance must only be used by one thread at a time: the
 * worker pool gives each engine its own dedicated thread.
 *
 * Output is always 8 kHz 16-bit mono PCM (SPEECH_RATE). Text is normalised first
 * (speech_text_normalize()) so that what the dialogue writes, such as
 * "mardi 3 mars à 10 h 30", is read the way a person says it.
 */
#ifndef PERMANENCE_SPEECH_SYNTH_H
#define PERMANENCE_SPEECH_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "speech.h"

struct speech_synth;
struct speech_cache;

/* One piece of streamed audio: the 8 kHz PCM of one sentence, valid during the call. */
struct speech_chunk {
	const int16_t *samples;
	size_t count;
	unsigned index;       /* 0-based sentence number */
	bool last;            /* no chunk follows */
	bool cached;          /* the audio came from the prompt cache */
	const char *sentence; /* the normalised sentence spoken (debug logs only) */
};

/* Receives each chunk; a non-zero return stops the stream and is returned by it. */
typedef int(speech_chunk_h)(const struct speech_chunk *chunk, void *arg);

/* Return true when an engine of that name is compiled in. */
bool speech_synth_engine_exists(const char *engine);
/* Return the names of the compiled-in engines, NULL-terminated. */
const char *const *speech_synth_engine_names(void);
/* Return true when the engine serves that language. */
bool speech_synth_engine_supports(const char *engine, const char *lang);

/*
 * Create an instance of a named engine. Returns 0, ENOENT for an unknown engine name,
 * EBUSY when this process already has an instance of that engine, EIO when the
 * engine's data cannot be loaded, ENOMEM.
 */
int speech_synth_create(struct speech_synth **synthp, const char *engine);
void speech_synth_destroy(struct speech_synth *synth);
const char *speech_synth_name(const struct speech_synth *synth);

/* The message of the last failed call on this instance, or "". */
const char *speech_synth_error(const struct speech_synth *synth);

/*
 * Synthesise one text whole, without splitting it, into *audio at 8 kHz (allocated
 * here). The text is normalised for lang first. voice is an engine voice name ("fr",
 * "en-us", "en-us+f3" for espeak; "slt", "rms", "awb", "kal" for flite), or NULL for the
 * language's default. Returns 0, EINVAL for an empty, invalid UTF-8 or too long text
 * (SPEECH_TEXT_MAX) or an invalid language, ENOTSUP when the engine lacks the language,
 * ENOENT for an unknown voice, EIO when the engine fails, ENOMEM.
 */
int speech_synth_speak(struct speech_synth *synth, const char *text, const char *lang,
		       const char *voice, struct speech_audio *audio);

/*
 * Synthesise a text sentence by sentence and hand each sentence's audio to chunk_h as
 * soon as it is ready, so the first sentence can play while the rest is synthesised.
 * With a cache (may be NULL), each sentence is looked up first and stored after
 * synthesis. Errors are those of speech_synth_speak(), or chunk_h's non-zero return.
 */
int speech_synth_stream(struct speech_synth *synth, struct speech_cache *cache, const char *text,
			const char *lang, const char *voice, speech_chunk_h *chunk_h, void *arg);

/*
 * Write the engine's phoneme transcription of a normalised text (espeak-ng's ASCII
 * phoneme mnemonics, clauses separated by spaces) into a malloc'd *phonemes. Returns 0,
 * ENOTSUP for an engine without phoneme output (flite), or the errors of
 * speech_synth_speak().
 */
int speech_synth_phonemes(struct speech_synth *synth, const char *text, const char *lang,
			  const char *voice, char **phonemes);

/*
 * Rewrite text into words the engines read well in lang: times ("10 h 30", "10h30",
 * "10:30" become "10 heures 30"; "12 h" is "midi"), numeric dates ("03/03/2026"),
 * ordinals ("1er", "2e"), abbreviations ("M.", "Dr", "RDV", "tél.", "n°") and symbols
 * ("€", "%"). The result is written to out (NUL-terminated). Returns 0, EINVAL for an
 * invalid language, ENOSPC when out is too small.
 */
int speech_text_normalize(const char *text, const char *lang, char *out, size_t size);

/*
 * Copy the next sentence of *cursor into out, without surrounding spaces, and advance
 * *cursor past it. Sentences end at ". ", "! ", "? ", "…", ";" or a line break, but not
 * after a known abbreviation or inside a number; a sentence longer than out is cut at
 * the last comma or space that fits. Returns the sentence's length, 0 at the end of text.
 */
size_t speech_text_next_sentence(const char **cursor, char *out, size_t size);

#endif
