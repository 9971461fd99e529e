/*
 * Parsers for the pieces of SIP text the user agent reads itself: caller identity
 * (P-Asserted-Identity, From), keypad digits in INFO bodies, the status line of a
 * message/sipfrag NOTIFY body, and the SDP part of a multipart body.
 *
 * Inputs are byte ranges that need not be NUL-terminated; every function stays inside
 * them and writes only into the bounded outputs it is given. No libre, no I/O.
 */
#ifndef PERMANENCE_SIP_TEXT_H
#define PERMANENCE_SIP_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Maximum length of a phone number returned, digits and '+' included. */
#define SIP_NUMBER_MAX 32

/*
 * Read the phone number of one identity header value: a name-addr or addr-spec with a
 * sip:, sips: or tel: URI, such as `"Cabinet" <sip:+33123456789@trunk;user=phone>`.
 * Visual separators ('-', '.', '(', ')') are dropped; escapes are decoded. Writes the
 * number ('+' and digits, '*', '#') into `number` (size >= SIP_NUMBER_MAX + 1). Returns
 * 0, ENOENT when the user part is not a phone number ("anonymous", a name), EBADMSG when
 * no URI can be read, EINVAL for bad arguments.
 */
int sip_identity_number(const char *value, size_t len, char *number, size_t size);

/* Whether a URI or header value uses the tel: scheme (preferred in P-Asserted-Identity). */
int sip_identity_is_tel(const char *value, size_t len);

/*
 * Read the key of an application/dtmf-relay body ("Signal=5\r\nDuration=160\r\n").
 * Event codes 10-15 stand for '*', '#', 'A'-'D'. Returns 0 with the digit, EBADMSG.
 */
int sip_dtmf_relay_parse(const char *body, size_t len, char *digit);

/* Read the key of an application/dtmf body ("5", or an event code "10"). 0 or EBADMSG. */
int sip_dtmf_body_parse(const char *body, size_t len, char *digit);

/* Read the status of a message/sipfrag body ("SIP/2.0 200 OK"). 0 or EBADMSG. */
int sip_sipfrag_status(const char *body, size_t len, uint16_t *scode);

/*
 * Find the first part of type `type` (such as "application/sdp") in a multipart body
 * whose Content-Type parameters are `params` (they hold the boundary). Returns 0 and the
 * part's body range, ENOENT when no part has that type, EBADMSG for a malformed body.
 */
int sip_multipart_find(const char *params, size_t params_len, const char *body, size_t len,
		       const char *type, const char **part, size_t *part_len);

/*
 * Whether a comma-separated list of media ranges (an Accept value) allows `type`
 * ("application/sdp"), by name or through a wildcard range. Returns 1 or 0.
 */
int sip_accept_allows(const char *value, size_t len, const char *type);

#endif
