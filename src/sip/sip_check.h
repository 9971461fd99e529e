/*
 * Checks on a request that libre decoded, before the user agent acts on it. They reject
 * with 400 what RFC 3261 calls malformed: missing or repeated headers, CSeq out of range
 * or naming another method, a Content-Length larger than the body. A Request-URI scheme
 * we cannot serve gets 416, and option tags in Require that we do not support get 420. libre's decoder is lenient, so these are the checks that turn its
 * output into the right error response.
 *
 * Needs libre's headers (struct sip_msg); no I/O.
 */
#ifndef PERMANENCE_SIP_CHECK_H
#define PERMANENCE_SIP_CHECK_H

#include <re.h>

struct sip_check {
	uint16_t scode;	     /* 0 when the request may go on, else the status to send */
	const char *reason;  /* reason phrase for scode */
	const char *problem; /* what is wrong, for the log */
	char headers[192];   /* extra header lines for the response, CRLF-terminated */
};

/*
 * Check a request. On return check->scode is 0, or the error status with its reason
 * phrase and any header the response needs (Unsupported for 420). A request that does
 * not even name its method (msg->req false) is reported with 400.
 */
void sip_check_request(const struct sip_msg *msg, struct sip_check *check);

#endif
