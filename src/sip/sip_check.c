/*
 * Request checks applied after libre has decoded a message.
 */
#include "sip_check.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static void reject(struct sip_check *check, uint16_t scode, const char *reason,
		   const char *problem)
{
	check->scode = scode;
	check->reason = reason;
	check->problem = problem;
}

/* A decimal number of at most `digits` digits and at most `max`; leading zeros allowed. */
static bool pl_number(const struct pl *pl, size_t digits, uint64_t max, uint64_t *value)
{
	uint64_t v = 0;
	size_t i = 0, significant = 0;

	while (i < pl->l && strchr(" \t\r\n", pl->p[i]))
		i++;
	if (i == pl->l)
		return false;
	for (; i < pl->l && pl->p[i] >= '0' && pl->p[i] <= '9'; i++) {
		if (significant || pl->p[i] != '0')
			significant++;
		if (significant > digits)
			return false;
		v = v * 10 + (uint64_t)(pl->p[i] - '0');
	}
	while (i < pl->l && strchr(" \t\r\n", pl->p[i]))
		i++;
	if (i != pl->l || v > max)
		return false;
	if (value)
		*value = v;
	return true;
}

static bool check_present(const struct sip_msg *msg, struct sip_check *check)
{
	if (!pl_isset(&msg->via.sentby) || !sip_msg_hdr(msg, SIP_HDR_VIA)) {
		reject(check, 400, "Missing Via", "no Via header");
		return false;
	}
	if (!pl_isset(&msg->from.auri) || !pl_isset(&msg->to.auri)) {
		reject(check, 400, "Missing From or To", "no From or To header");
		return false;
	}
	if (!pl_isset(&msg->callid)) {
		reject(check, 400, "Missing Call-ID", "no Call-ID header");
		return false;
	}
	if (!sip_msg_hdr(msg, SIP_HDR_CSEQ)) {
		reject(check, 400, "Missing CSeq", "no CSeq header");
		return false;
	}
	return true;
}

static bool check_single(const struct sip_msg *msg, struct sip_check *check)
{
	static const struct {
		enum sip_hdrid id;
		const char *problem;
	} single[] = {
		{SIP_HDR_FROM, "more than one From header"},
		{SIP_HDR_TO, "more than one To header"},
		{SIP_HDR_CALL_ID, "more than one Call-ID header"},
		{SIP_HDR_CSEQ, "more than one CSeq header"},
		{SIP_HDR_MAX_FORWARDS, "more than one Max-Forwards header"},
		{SIP_HDR_CONTENT_LENGTH, "more than one Content-Length header"},
		{SIP_HDR_CONTENT_TYPE, "more than one Content-Type header"},
		{SIP_HDR_EXPIRES, "more than one Expires header"},
	};

	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
		if (sip_msg_hdr_count(msg, single[i].id) > 1) {
			reject(check, 400, "Multiple Values In Single-Value Header",
			       single[i].problem);
			return false;
		}
	}
	return true;
}

static bool check_numbers(const struct sip_msg *msg, struct sip_check *check)
{
	const struct sip_hdr *cseq = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	struct pl number = cseq->val;
	uint64_t clen;

	/* RFC 3261 8.1.1.5: the CSeq number is below 2^31. */
	/* The value may be folded over lines: "0009\r\n  INVITE". */
	for (number.l = 0; number.l < cseq->val.l && !strchr(" \t\r\n", cseq->val.p[number.l]);
	     number.l++)
		;
	if (!pl_number(&number, 10, 0x7fffffffu, NULL)) {
		reject(check, 400, "Bad CSeq", "CSeq number is not a number below 2^31");
		return false;
	}
	if (pl_cmp(&msg->cseq.met, &msg->met) != 0) {
		reject(check, 400, "CSeq Method Mismatch",
		       "CSeq method differs from the request method");
		return false;
	}
	if (pl_isset(&msg->maxfwd) && !pl_number(&msg->maxfwd, 3, 255, NULL)) {
		reject(check, 400, "Bad Max-Forwards", "Max-Forwards is not a number up to 255");
		return false;
	}
	if (pl_isset(&msg->expires) && !pl_number(&msg->expires, 10, 0xffffffffu, NULL)) {
		reject(check, 400, "Bad Expires", "Expires is not a number of seconds");
		return false;
	}
	if (msg->clen.p) {
		if (!pl_number(&msg->clen, 10, 0xffffffffu, &clen)) {
			reject(check, 400, "Bad Content-Length", "Content-Length is not a number");
			return false;
		}
		/* RFC 3261 18.3: over UDP a Content-Length larger than the datagram's body
		 * gets 400. Over TCP libre only hands over complete messages. */
		if (clen > mbuf_get_left(msg->mb)) {
			reject(check, 400, "Content-Length Too Large",
			       "Content-Length is larger than the body received");
			return false;
		}
	}
	return true;
}

static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-.!%*_+`'~", c) != NULL;
}

/* A display name before '<' is a quoted string or tokens separated by spaces. */
static bool name_addr_valid(const struct pl *value)
{
	size_t i = 0;
	bool quoted = false;

	while (i < value->l && (value->p[i] == ' ' || value->p[i] == '\t'))
		i++;
	if (i < value->l && value->p[i] == '"') {
		for (i++; i < value->l; i++) {
			if (value->p[i] == '\\' && i + 1 < value->l) {
				i++;
			} else if (value->p[i] == '"') {
				quoted = true;
				i++;
				break;
			}
		}
		if (!quoted)
			return false;
	}

	if (!memchr(value->p, '<', value->l))
		return true; /* an addr-spec: libre has checked its URI */

	for (; i < value->l && value->p[i] != '<'; i++) {
		char c = value->p[i];

		if (quoted && c != ' ' && c != '\t')
			return false;
		if (!token_char(c) && c != ' ' && c != '\t')
			return false;
	}
	return true;
}

static bool contact_handler(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;

	/* RFC 3261 20.10: a URI with '?' or ',' must be in angle brackets. */
	if (!memchr(hdr->val.p, '<', hdr->val.l) && memchr(hdr->val.p, '?', hdr->val.l))
		return true;
	return !name_addr_valid(&hdr->val);
}

static bool check_addresses(const struct sip_msg *msg, struct sip_check *check)
{
	const struct sip_hdr *from = sip_msg_hdr(msg, SIP_HDR_FROM);
	const struct sip_hdr *to = sip_msg_hdr(msg, SIP_HDR_TO);

	if (!from || !to || !name_addr_valid(&from->val) || !name_addr_valid(&to->val)) {
		reject(check, 400, "Bad From or To", "malformed display name in From or To");
		return false;
	}
	if (sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_handler, NULL)) {
		reject(check, 400, "Bad Contact", "malformed Contact header");
		return false;
	}
	return true;
}

static bool check_request_uri(const struct sip_msg *msg, struct sip_check *check)
{
	if (pl_strcasecmp(&msg->uri.scheme, "sip") && pl_strcasecmp(&msg->uri.scheme, "sips") &&
	    pl_strcasecmp(&msg->uri.scheme, "tel")) {
		reject(check, 416, "Unsupported URI Scheme", "Request-URI scheme is not sip or tel");
		return false;
	}
	/* RFC 3261 19.1.1: header fields are not allowed in a Request-URI. A '?' in the
	 * user part is allowed, so this relies on libre's URI parser. */
	if (pl_isset(&msg->uri.headers)) {
		reject(check, 400, "Headers In Request-URI", "Request-URI carries header fields");
		return false;
	}
	return true;
}

static bool require_handler(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
	struct sip_check *check = arg;
	size_t used = strlen(check->headers);
	int n;
	(void)msg;

	if (!hdr->val.l)
		return false;
	n = snprintf(check->headers + used, sizeof(check->headers) - used, "%s%.*s",
		     used ? ", " : "Unsupported: ", (int)hdr->val.l, hdr->val.p);
	if (n < 0 || (size_t)n >= sizeof(check->headers) - used - 2)
		return true; /* the list is long enough to explain the 420 */
	return false;
}

static bool check_require(const struct sip_msg *msg, struct sip_check *check)
{
	size_t used;

	/* RFC 3261 8.2.2.3: Require does not apply to ACK and CANCEL. We support no
	 * extension that a request could require. */
	if (!pl_strcmp(&msg->met, "ACK") || !pl_strcmp(&msg->met, "CANCEL"))
		return true;
	if (!sip_msg_hdr(msg, SIP_HDR_REQUIRE))
		return true;

	check->headers[0] = '\0';
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_REQUIRE, require_handler, check);
	if (!check->headers[0])
		return true;

	used = strlen(check->headers);
	if (used + 3 > sizeof(check->headers))
		used = sizeof(check->headers) - 3;
	memcpy(check->headers + used, "\r\n", 3);
	reject(check, 420, "Bad Extension", "Require lists an unsupported extension");
	return false;
}

void sip_check_request(const struct sip_msg *msg, struct sip_check *check)
{
	memset(check, 0, sizeof(*check));

	if (!msg || !msg->req) {
		reject(check, 400, "Bad Request", "not a request");
		return;
	}

	if (!check_present(msg, check) || !check_single(msg, check) ||
	    !check_numbers(msg, check) || !check_addresses(msg, check) ||
	    !check_request_uri(msg, check))
		return;

	(void)check_require(msg, check);
}
