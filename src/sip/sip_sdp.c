/*
 * SDP parsing, negotiation and printing for one G.711 audio stream.
 */
#include "sip_sdp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A view of part of the body: not NUL-terminated. */
struct span {
	const char *p;
	size_t len;
};

static bool span_eq(struct span s, const char *text)
{
	size_t n = strlen(text);

	return s.len == n && memcmp(s.p, text, n) == 0;
}

/* Take the next token separated by spaces or tabs; false at the end. */
static bool span_token(struct span *rest, struct span *token)
{
	while (rest->len && (*rest->p == ' ' || *rest->p == '\t')) {
		rest->p++;
		rest->len--;
	}
	if (!rest->len)
		return false;

	token->p = rest->p;
	token->len = 0;
	while (rest->len && *rest->p != ' ' && *rest->p != '\t') {
		rest->p++;
		rest->len--;
		token->len++;
	}
	return true;
}

/* Parse a decimal number of at most `max`; false on anything else. */
static bool span_uint(struct span s, unsigned max, unsigned *value)
{
	unsigned long v = 0;

	if (!s.len || s.len > 10)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s.p[i] - '0');
	}
	if (v > max)
		return false;
	*value = (unsigned)v;
	return true;
}

/* Copy into a fixed field; false when it does not fit. */
static bool span_copy(struct span s, char *dst, size_t size)
{
	if (s.len >= size)
		return false;
	memcpy(dst, s.p, s.len);
	dst[s.len] = '\0';
	return true;
}

static bool address_chars(struct span s)
{
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '.' || c == ':' || c == '-'))
			return false;
	}
	return s.len > 0;
}

/* "IN IP4 192.0.2.1" or "IN IP6 2001:db8::1", with an optional "/ttl" suffix. */
static int parse_connection(struct span value, char *address, size_t size)
{
	struct span net, type, addr;

	if (!span_token(&value, &net) || !span_token(&value, &type) ||
	    !span_token(&value, &addr))
		return EBADMSG;
	if (!span_eq(net, "IN") || !(span_eq(type, "IP4") || span_eq(type, "IP6")))
		return EBADMSG;

	for (size_t i = 0; i < addr.len; i++) {
		if (addr.p[i] == '/') {
			addr.len = i;
			break;
		}
	}
	if (!address_chars(addr) || !span_copy(addr, address, size))
		return EBADMSG;
	return 0;
}

static int parse_media(struct sip_sdp *sdp, struct span value)
{
	struct sip_sdp_media *m;
	struct span type, port, proto, fmt;
	unsigned number;

	if (sdp->media_count >= SIP_SDP_MAX_MEDIA)
		return E2BIG;

	m = &sdp->media[sdp->media_count];
	memset(m, 0, sizeof(*m));
	m->dir = -1;

	if (!span_token(&value, &type) || !span_token(&value, &port) ||
	    !span_token(&value, &proto))
		return EBADMSG;

	/* "port/count" requests several consecutive ports, and only the first is used. */
	for (size_t i = 0; i < port.len; i++) {
		if (port.p[i] == '/') {
			port.len = i;
			break;
		}
	}
	if (!span_uint(port, 65535, &number))
		return EBADMSG;
	m->port = (uint16_t)number;

	if (!span_copy(type, m->type, sizeof(m->type)) ||
	    !span_copy(proto, m->proto, sizeof(m->proto)))
		return EBADMSG;

	while (span_token(&value, &fmt)) {
		if (!m->first_format[0] && !span_copy(fmt, m->first_format, sizeof(m->first_format)))
			return EBADMSG;
		if (!span_uint(fmt, 127, &number) || m->format_count >= SIP_SDP_MAX_FORMATS)
			continue;
		m->formats[m->format_count].pt = (int)number;
		m->formats[m->format_count].channels = 1;
		m->format_count++;
	}
	if (!m->first_format[0])
		return EBADMSG;

	sdp->media_count++;
	return 0;
}

static struct sip_sdp_format *format_find(struct sip_sdp_media *m, int pt)
{
	for (unsigned i = 0; i < m->format_count; i++) {
		if (m->formats[i].pt == pt)
			return &m->formats[i];
	}
	return NULL;
}

/*
 * "8 PCMA/8000", "101 telephone-event/8000" or "96 opus/48000/2". A malformed mapping is
 * ignored rather than fatal: real offers carry lines such as "a=rtpmap:31 LPC" (RFC 4475
 * 3.1.1.3), and a static payload type keeps its meaning without one.
 */
static void parse_rtpmap(struct sip_sdp_media *m, struct span value)
{
	struct span pt_text, encoding, name, rate = {NULL, 0}, channels = {NULL, 0};
	struct sip_sdp_format *f, parsed;
	unsigned pt, number;
	size_t i;

	if (!span_token(&value, &pt_text) || !span_token(&value, &encoding))
		return;
	if (!span_uint(pt_text, 127, &pt))
		return;
	f = format_find(m, (int)pt);
	if (!f)
		return; /* a mapping for a format not on the m= line */

	name = encoding;
	for (i = 0; i < encoding.len && encoding.p[i] != '/'; i++)
		;
	name.len = i;
	if (i < encoding.len) {
		rate.p = encoding.p + i + 1;
		rate.len = encoding.len - i - 1;
		for (i = 0; i < rate.len && rate.p[i] != '/'; i++)
			;
		if (i < rate.len) {
			channels.p = rate.p + i + 1;
			channels.len = rate.len - i - 1;
			rate.len = i;
		}
	}

	parsed = *f;
	parsed.channels = 1;
	if (!span_copy(name, parsed.name, sizeof(parsed.name)) || !parsed.name[0])
		return;
	if (!span_uint(rate, 1000000, &parsed.rate))
		return;
	if (channels.len) {
		if (!span_uint(channels, 255, &number) || number == 0)
			return;
		parsed.channels = number;
	}
	*f = parsed;
}

static int direction_of(struct span attribute)
{
	if (span_eq(attribute, "sendrecv"))
		return SIP_SDP_SENDRECV;
	if (span_eq(attribute, "sendonly"))
		return SIP_SDP_SENDONLY;
	if (span_eq(attribute, "recvonly"))
		return SIP_SDP_RECVONLY;
	if (span_eq(attribute, "inactive"))
		return SIP_SDP_INACTIVE;
	return -1;
}

static int parse_attribute(struct sip_sdp *sdp, struct span value)
{
	struct sip_sdp_media *m = sdp->media_count ? &sdp->media[sdp->media_count - 1] : NULL;
	struct span name = value, rest = {NULL, 0}, port;
	unsigned number;
	int dir;

	for (size_t i = 0; i < value.len; i++) {
		if (value.p[i] == ':') {
			name.len = i;
			rest.p = value.p + i + 1;
			rest.len = value.len - i - 1;
			break;
		}
	}

	dir = direction_of(name);
	if (dir >= 0) {
		if (m)
			m->dir = dir;
		else
			sdp->dir = dir;
		return 0;
	}
	if (!m)
		return 0; /* other session-level attributes do not matter here */

	if (span_eq(name, "rtpmap")) {
		parse_rtpmap(m, rest);
		return 0;
	}
	if (span_eq(name, "ptime")) {
		/* Some agents write "20.0"; keep the whole milliseconds. */
		for (size_t i = 0; i < rest.len; i++) {
			if (rest.p[i] == '.') {
				rest.len = i;
				break;
			}
		}
		if (span_uint(rest, 1000, &number))
			m->ptime = number;
		return 0;
	}
	if (span_eq(name, "rtcp")) {
		if (span_token(&rest, &port) && span_uint(port, 65535, &number))
			m->rtcp_port = (uint16_t)number;
		return 0;
	}
	return 0;
}

static int parse_line(struct sip_sdp *sdp, char type, struct span value, bool *version_seen)
{
	struct sip_sdp_media *m = sdp->media_count ? &sdp->media[sdp->media_count - 1] : NULL;

	switch (type) {
	case 'v':
		if (!span_eq(value, "0"))
			return EBADMSG;
		*version_seen = true;
		return 0;
	case 'c':
		if (m)
			return parse_connection(value, m->address, sizeof(m->address));
		return parse_connection(value, sdp->address, sizeof(sdp->address));
	case 'm':
		return parse_media(sdp, value);
	case 'a':
		return parse_attribute(sdp, value);
	default:
		return 0; /* o=, s=, t=, b=, i=, ... carry nothing we use */
	}
}

int sip_sdp_parse(struct sip_sdp *sdp, const char *text, size_t len)
{
	bool version_seen = false;
	size_t pos = 0;
	int err;

	if (!sdp || (!text && len))
		return EINVAL;
	if (len > SIP_SDP_MAX_BYTES)
		return EMSGSIZE;

	memset(sdp, 0, sizeof(*sdp));
	sdp->dir = SIP_SDP_SENDRECV;

	while (pos < len) {
		size_t end = pos;
		struct span value;

		while (end < len && text[end] != '\n' && text[end] != '\r')
			end++;

		if (end > pos) {
			char type = text[pos];

			if (end - pos < 2 || text[pos + 1] != '=' || type < 'a' || type > 'z')
				return EBADMSG;
			value.p = text + pos + 2;
			value.len = end - pos - 2;
			for (size_t i = 0; i < value.len; i++) {
				if (value.p[i] == '\0')
					return EBADMSG;
			}
			err = parse_line(sdp, type, value, &version_seen);
			if (err)
				return err;
		}

		pos = end;
		while (pos < len && (text[pos] == '\r' || text[pos] == '\n'))
			pos++;
	}

	return version_seen ? 0 : EBADMSG;
}

int sip_sdp_dir_reverse(int dir)
{
	switch (dir) {
	case SIP_SDP_SENDONLY:
		return SIP_SDP_RECVONLY;
	case SIP_SDP_RECVONLY:
		return SIP_SDP_SENDONLY;
	case SIP_SDP_INACTIVE:
		return SIP_SDP_INACTIVE;
	default:
		return SIP_SDP_SENDRECV;
	}
}

const char *sip_sdp_dir_name(int dir)
{
	switch (dir) {
	case SIP_SDP_SENDONLY:
		return "sendonly";
	case SIP_SDP_RECVONLY:
		return "recvonly";
	case SIP_SDP_INACTIVE:
		return "inactive";
	default:
		return "sendrecv";
	}
}

/* 1 for PCMA, 0 for PCMU, -1 for anything else. Static types may omit a=rtpmap. */
static int g711_kind(const struct sip_sdp_format *f)
{
	if (f->name[0]) {
		if (f->rate != 8000 || f->channels != 1)
			return -1;
		if (strcasecmp(f->name, "PCMA") == 0)
			return 1;
		if (strcasecmp(f->name, "PCMU") == 0)
			return 0;
		return -1;
	}
	if (f->pt == 8)
		return 1;
	if (f->pt == 0)
		return 0;
	return -1;
}

static bool audio_rtp_stream(const struct sip_sdp_media *m)
{
	return m->port != 0 && strcmp(m->type, "audio") == 0 && strcasecmp(m->proto, "RTP/AVP") == 0;
}

static int pick_codec(const struct sip_sdp_media *m, int prefer_alaw, int *pt, bool *alaw)
{
	int first = -1;

	for (unsigned i = 0; i < m->format_count; i++) {
		int kind = g711_kind(&m->formats[i]);

		if (kind < 0)
			continue;
		if (first < 0)
			first = (int)i;
		if (prefer_alaw >= 0 && kind == prefer_alaw) {
			*pt = m->formats[i].pt;
			*alaw = kind == 1;
			return 0;
		}
	}
	if (first < 0)
		return ENOTSUP;

	*pt = m->formats[first].pt;
	*alaw = g711_kind(&m->formats[first]) == 1;
	return 0;
}

static int pick_dtmf(const struct sip_sdp_media *m)
{
	for (unsigned i = 0; i < m->format_count; i++) {
		const struct sip_sdp_format *f = &m->formats[i];

		if (strcasecmp(f->name, "telephone-event") == 0 && f->rate == 8000)
			return f->pt;
	}
	return -1;
}

int sip_sdp_negotiate(const struct sip_sdp *sdp, int prefer_alaw,
		      struct sip_sdp_choice *choice)
{
	if (!sdp || !choice)
		return EINVAL;

	for (unsigned i = 0; i < sdp->media_count; i++) {
		const struct sip_sdp_media *m = &sdp->media[i];
		const char *address;

		if (!audio_rtp_stream(m))
			continue;

		memset(choice, 0, sizeof(*choice));
		if (pick_codec(m, prefer_alaw, &choice->codec_pt, &choice->alaw))
			continue;

		address = m->address[0] ? m->address : sdp->address;
		if (!address[0])
			return EBADMSG;

		choice->media = i;
		choice->dtmf_pt = pick_dtmf(m);
		snprintf(choice->address, sizeof(choice->address), "%s", address);
		choice->port = m->port;
		choice->rtcp_port = m->rtcp_port ? m->rtcp_port : (uint16_t)(m->port + 1);
		choice->dir = m->dir >= 0 ? m->dir : sdp->dir;
		choice->ptime = m->ptime;

		/* RFC 2543 put a call on hold with c=0.0.0.0 rather than a=sendonly. */
		if (strcmp(address, "0.0.0.0") == 0)
			choice->dir = SIP_SDP_INACTIVE;
		return 0;
	}
	return ENOTSUP;
}

/* Appends to a fixed buffer and remembers the first overflow. */
struct printer {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void print(struct printer *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void print(struct printer *pr, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (pr->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(pr->buf + pr->len, pr->size - pr->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= pr->size - pr->len) {
		pr->overflow = true;
		return;
	}
	pr->len += (size_t)n;
}

static const char *ip_version(const char *address)
{
	return strchr(address, ':') ? "IP6" : "IP4";
}

static void print_session(struct printer *pr, const struct sip_sdp_local *local)
{
	print(pr, "v=0\r\n");
	print(pr, "o=- %" PRIu64 " %" PRIu64 " IN %s %s\r\n", local->session_id, local->version,
	      ip_version(local->address), local->address);
	print(pr, "s=-\r\n");
	print(pr, "c=IN %s %s\r\n", ip_version(local->address), local->address);
	print(pr, "t=0 0\r\n");
}

static void print_audio(struct printer *pr, int codec_pt, bool alaw, int dtmf_pt, int dir)
{
	print(pr, "a=rtpmap:%d %s/8000\r\n", codec_pt, alaw ? "PCMA" : "PCMU");
	if (dtmf_pt >= 0) {
		print(pr, "a=rtpmap:%d telephone-event/8000\r\n", dtmf_pt);
		print(pr, "a=fmtp:%d 0-15\r\n", dtmf_pt);
	}
	print(pr, "a=ptime:20\r\n");
	print(pr, "a=%s\r\n", sip_sdp_dir_name(dir));
}

static int finish(struct printer *pr, size_t *len)
{
	if (pr->overflow)
		return ENOSPC;
	if (len)
		*len = pr->len;
	return 0;
}

int sip_sdp_answer_print(char *buf, size_t size, const struct sip_sdp *offer,
			 const struct sip_sdp_choice *choice,
			 const struct sip_sdp_local *local, size_t *len)
{
	struct printer pr = {buf, size, 0, false};

	if (!buf || !size || !offer || !choice || !local || !local->address)
		return EINVAL;
	buf[0] = '\0';

	print_session(&pr, local);
	for (unsigned i = 0; i < offer->media_count; i++) {
		const struct sip_sdp_media *m = &offer->media[i];

		if (i != choice->media) {
			print(&pr, "m=%s 0 %s %s\r\n", m->type, m->proto, m->first_format);
			continue;
		}
		print(&pr, "m=audio %u RTP/AVP %d", local->port, choice->codec_pt);
		if (choice->dtmf_pt >= 0)
			print(&pr, " %d", choice->dtmf_pt);
		print(&pr, "\r\n");
		print_audio(&pr, choice->codec_pt, choice->alaw, choice->dtmf_pt,
			    local->dir & sip_sdp_dir_reverse(choice->dir));
	}
	return finish(&pr, len);
}

int sip_sdp_offer_print(char *buf, size_t size, const struct sip_sdp_local *local,
			int only_alaw, int dtmf_pt, size_t *len)
{
	struct printer pr = {buf, size, 0, false};

	if (!buf || !size || !local || !local->address || dtmf_pt < 96 || dtmf_pt > 127)
		return EINVAL;
	buf[0] = '\0';

	print_session(&pr, local);
	if (only_alaw == 1)
		print(&pr, "m=audio %u RTP/AVP 8 %d\r\n", local->port, dtmf_pt);
	else if (only_alaw == 0)
		print(&pr, "m=audio %u RTP/AVP 0 %d\r\n", local->port, dtmf_pt);
	else
		print(&pr, "m=audio %u RTP/AVP 8 0 %d\r\n", local->port, dtmf_pt);

	if (only_alaw != 0)
		print(&pr, "a=rtpmap:8 PCMA/8000\r\n");
	if (only_alaw != 1)
		print(&pr, "a=rtpmap:0 PCMU/8000\r\n");
	print(&pr, "a=rtpmap:%d telephone-event/8000\r\n", dtmf_pt);
	print(&pr, "a=fmtp:%d 0-15\r\n", dtmf_pt);
	print(&pr, "a=ptime:20\r\n");
	print(&pr, "a=%s\r\n", sip_sdp_dir_name(local->dir));
	return finish(&pr, len);
}
