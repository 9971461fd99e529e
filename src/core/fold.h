/*
 * Text folding for matching what people say or type against names and words: accents
 * and other marks removed, ligatures and typographic signs turned into ASCII ("cœur" ->
 * "coeur", "’" -> "'"), lower case. Uses ICU transforms; thread-safe.
 */
#ifndef PERMANENCE_FOLD_H
#define PERMANENCE_FOLD_H

#include <stddef.h>

/*
 * Fold UTF-8 text into out (NUL-terminated). Invalid UTF-8 bytes become U+FFFD before
 * folding. Returns the length written, or -1 when out is too small (out then contains
 * an empty string) or ICU fails.
 */
int text_fold(const char *in, char *out, size_t size);

#endif
