/* Pronunciations for grammar words missing from pocketsphinx's dictionary. */
#ifndef PERMANENCE_SPEECH_RECOG_WORDS_H
#define PERMANENCE_SPEECH_RECOG_WORDS_H

#include <pocketsphinx.h>

/*
 * Add to the decoder's dictionary every word of a JSGF text that it lacks but whose
 * pronunciation can be derived from words it has (see recog_words.c); *added counts
 * them. Words that cannot be derived are left out, for the grammar's compilation to
 * report. Returns 0, or -1 when pocketsphinx rejects a derived pronunciation.
 */
int speech_words_complete(ps_decoder_t *decoder, const char *grammar, unsigned *added);

#endif
