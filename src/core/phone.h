/*
 * Phone numbers as typed or sent by a carrier ("06 12 34 56 78", "+33 6 12 34 56 78",
 * "0033612345678", "tel:+33612345678", "+44 7700 900123") turned into E.164.
 * Numbers said aloud ("zéro six, douze...") are the language library's job.
 */
#ifndef PERMANENCE_PHONE_H
#define PERMANENCE_PHONE_H

#include <stddef.h>

/*
 * Write the E.164 form ("+33612345678") of a typed number into out (at least 17
 * bytes). A national French number (ten digits starting with 0) gets +33. Spaces, dots,
 * dashes, brackets and a "tel:" or "sip:" prefix are ignored. Returns 0, or EINVAL when
 * the text is not a phone number (letters, too few or too many digits).
 */
int phone_to_e164(const char *text, char *out, size_t size);

/* Write a French E.164 number in the national form "06 12 34 56 78"; others as given. */
void phone_format_national(const char *e164, char *out, size_t size);

#endif
