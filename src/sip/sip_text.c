/*
 * Parsers for identity headers, DTMF INFO bodies, sipfrag status lines, multipart
 * bodies and Accept lists.
 */
#include "sip_text.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

struct span {
	const char *p;
	size_t len;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct span trim(struct span s)
{
	while (s.len && is_space(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_space(s.p[s.len - 1]))
		s.len--;
	return s;
}

static bool starts_with_nocase(struct span s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && strncasecmp(s.p, prefix, n) == 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Position just past a quoted string starting at s.p[i] == '"', or s.len if unbalanced. */
static size_t skip_quoted(struct span s, size_t i)
{
	for (i++; i < s.len; i++) {
		if (s.p[i] == '\\' && i + 1 < s.len)
			i++;
		else if (s.p[i] == '"')
			return i + 1;
	}
	return s.len;
}

/* The URI of a name-addr (between < and >) or of an addr-spec (up to header params). */
static int identity_uri(struct span value, struct span *uri)
{
	size_t i;

	value = trim(value);
	for (i = 0; i < value.len; i++) {
		if (value.p[i] == '"') {
			i = skip_quoted(value, i) - 1;
			if (i + 1 >= value.len)
				return EBADMSG;
			continue;
		}
		if (value.p[i] == '<') {
			size_t start = i + 1, end = start;

			while (end < value.len && value.p[end] != '>')
				end++;
			if (end >= value.len)
				return EBADMSG;
			uri->p = value.p + start;
			uri->len = end - start;
			*uri = trim(*uri);
			return uri->len ? 0 : EBADMSG;
		}
	}

	/* addr-spec: parameters after ';' belong to the header, not to the URI. */
	for (i = 0; i < value.len && value.p[i] != ';' && !is_space(value.p[i]); i++)
		;
	uri->p = value.p;
	uri->len = i;
	return uri->len ? 0 : EBADMSG;
}

/* The user part of a sip:/sips: URI or the number of a tel: URI. */
static int identity_user(struct span uri, struct span *user)
{
	size_t i;

	if (starts_with_nocase(uri, "tel:")) {
		user->p = uri.p + 4;
		user->len = uri.len - 4;
		for (i = 0; i < user->len && user->p[i] != ';'; i++)
			;
		user->len = i;
		return 0;
	}

	if (starts_with_nocase(uri, "sip:")) {
		user->p = uri.p + 4;
		user->len = uri.len - 4;
	} else if (starts_with_nocase(uri, "sips:")) {
		user->p = uri.p + 5;
		user->len = uri.len - 5;
	} else {
		return EBADMSG;
	}

	for (i = 0; i < user->len && user->p[i] != '@'; i++)
		;
	if (i == user->len)
		return ENOENT; /* no user part: "sip:host" */
	user->len = i;

	/* "user;par=value" keeps parameters in the user part (RFC 4475 3.1.1.9). */
	for (i = 0; i < user->len && user->p[i] != ';'; i++)
		;
	user->len = i;
	return 0;
}

int sip_identity_number(const char *value, size_t len, char *number, size_t size)
{
	struct span uri, user;
	size_t out = 0, digits = 0;
	int err;

	if (!value || !number || size < SIP_NUMBER_MAX + 1)
		return EINVAL;
	number[0] = '\0';

	err = identity_uri((struct span){value, len}, &uri);
	if (err)
		return err;
	err = identity_user(uri, &user);
	if (err)
		return err;

	for (size_t i = 0; i < user.len; i++) {
		char c = user.p[i];

		if (c == '%') {
			int hi = i + 2 < user.len ? hex_value(user.p[i + 1]) : -1;
			int lo = i + 2 < user.len ? hex_value(user.p[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				goto not_number;
			c = (char)(hi * 16 + lo);
			i += 2;
		}

		if (c == '-' || c == '.' || c == '(' || c == ')' || c == ' ')
			continue;
		if (c == '+' && out == 0) {
			number[out++] = c;
			continue;
		}
		if (!((c >= '0' && c <= '9') || c == '*' || c == '#'))
			goto not_number;
		if (out >= SIP_NUMBER_MAX)
			goto not_number;
		number[out++] = c;
		digits++;
	}

	number[out] = '\0';
	if (digits)
		return 0;

not_number:
	number[0] = '\0';
	return ENOENT;
}

int sip_identity_is_tel(const char *value, size_t len)
{
	struct span uri;

	if (!value || identity_uri((struct span){value, len}, &uri))
		return 0;
	return starts_with_nocase(uri, "tel:");
}

/* A key name or an RFC 4733 event code 0-15. */
static int key_from_text(struct span text, char *digit)
{
	static const char keys[] = "0123456789*#ABCD";

	text = trim(text);
	if (text.len == 1) {
		char c = text.p[0];

		if ((c >= '0' && c <= '9') || c == '*' || c == '#') {
			*digit = c;
			return 0;
		}
		if ((c >= 'A' && c <= 'D') || (c >= 'a' && c <= 'd')) {
			*digit = (char)(c & ~0x20);
			return 0;
		}
		return EBADMSG;
	}
	if (text.len == 2 && text.p[0] == '1' && text.p[1] >= '0' && text.p[1] <= '5') {
		*digit = keys[10 + (text.p[1] - '0')];
		return 0;
	}
	return EBADMSG;
}

int sip_dtmf_relay_parse(const char *body, size_t len, char *digit)
{
	size_t pos = 0;

	if (!body || !digit)
		return EINVAL;

	while (pos < len) {
		size_t end = pos, eq;
		struct span name, value;

		while (end < len && body[end] != '\n')
			end++;

		for (eq = pos; eq < end && body[eq] != '='; eq++)
			;
		if (eq < end) {
			name = trim((struct span){body + pos, eq - pos});
			value = (struct span){body + eq + 1, end - eq - 1};
			if (name.len == 6 && strncasecmp(name.p, "Signal", 6) == 0)
				return key_from_text(value, digit);
		}
		pos = end + 1;
	}
	return EBADMSG;
}

int sip_dtmf_body_parse(const char *body, size_t len, char *digit)
{
	if (!body || !digit)
		return EINVAL;
	return key_from_text((struct span){body, len}, digit);
}

int sip_sipfrag_status(const char *body, size_t len, uint16_t *scode)
{
	struct span s;
	unsigned value = 0;

	if (!body || !scode)
		return EINVAL;
	s = trim((struct span){body, len});
	if (!starts_with_nocase(s, "SIP/2.0 "))
		return EBADMSG;
	s.p += 8;
	s.len -= 8;

	for (int i = 0; i < 3; i++) {
		if ((size_t)i >= s.len || s.p[i] < '0' || s.p[i] > '9')
			return EBADMSG;
		value = value * 10 + (unsigned)(s.p[i] - '0');
	}
	if (s.len > 3 && s.p[3] != ' ' && s.p[3] != '\r' && s.p[3] != '\n')
		return EBADMSG;
	if (value < 100 || value > 699)
		return EBADMSG;

	*scode = (uint16_t)value;
	return 0;
}

/* The value of parameter `name` in ";a=b; name="x"" lists. */
static int param_value(struct span params, const char *name, struct span *value)
{
	size_t n = strlen(name), i = 0;

	while (i < params.len) {
		size_t end = i;
		struct span item, key, val;
		size_t eq;

		while (end < params.len && params.p[end] != ';') {
			if (params.p[end] == '"')
				end = skip_quoted(params, end);
			else
				end++;
		}
		item = trim((struct span){params.p + i, end - i});
		for (eq = 0; eq < item.len && item.p[eq] != '='; eq++)
			;
		key = trim((struct span){item.p, eq});
		if (eq < item.len && key.len == n && strncasecmp(key.p, name, n) == 0) {
			val = trim((struct span){item.p + eq + 1, item.len - eq - 1});
			if (val.len >= 2 && val.p[0] == '"' && val.p[val.len - 1] == '"') {
				val.p++;
				val.len -= 2;
			}
			*value = val;
			return 0;
		}
		i = end + 1;
	}
	return ENOENT;
}

/* Find "--boundary" at the start of a line, from `from`; returns its position or len. */
static size_t find_delimiter(const char *body, size_t len, size_t from, struct span boundary)
{
	for (size_t i = from; i + 2 + boundary.len <= len; i++) {
		if (i != 0 && body[i - 1] != '\n')
			continue;
		if (body[i] == '-' && body[i + 1] == '-' &&
		    memcmp(body + i + 2, boundary.p, boundary.len) == 0)
			return i;
	}
	return len;
}

/* Whether the part headers in [p, p+len) declare Content-Type `type`. */
static bool part_has_type(const char *p, size_t len, const char *type)
{
	size_t pos = 0;

	while (pos < len) {
		size_t end = pos;
		struct span line, value;

		while (end < len && p[end] != '\n')
			end++;
		line = trim((struct span){p + pos, end - pos});
		if (starts_with_nocase(line, "Content-Type:") || starts_with_nocase(line, "c:")) {
			size_t colon = (size_t)((const char *)memchr(line.p, ':', line.len) - line.p);
			size_t i;

			value = trim((struct span){line.p + colon + 1, line.len - colon - 1});
			for (i = 0; i < value.len && value.p[i] != ';'; i++)
				;
			value = trim((struct span){value.p, i});
			return value.len == strlen(type) && strncasecmp(value.p, type, value.len) == 0;
		}
		pos = end + 1;
	}
	return false;
}

int sip_multipart_find(const char *params, size_t params_len, const char *body, size_t len,
		       const char *type, const char **part, size_t *part_len)
{
	struct span boundary;
	size_t pos;

	if (!params || !body || !type || !part || !part_len)
		return EINVAL;
	if (param_value((struct span){params, params_len}, "boundary", &boundary) ||
	    boundary.len == 0 || boundary.len > 70)
		return EBADMSG;

	pos = find_delimiter(body, len, 0, boundary);
	if (pos == len)
		return EBADMSG;

	for (;;) {
		size_t line_end, headers_end, next, content_end;

		pos += 2 + boundary.len;
		if (pos + 2 <= len && body[pos] == '-' && body[pos + 1] == '-')
			return ENOENT; /* closing delimiter */

		line_end = pos;
		while (line_end < len && body[line_end] != '\n')
			line_end++;
		if (line_end >= len)
			return EBADMSG;

		/* Part headers end at the first empty line. */
		headers_end = line_end + 1;
		while (headers_end < len) {
			size_t e = headers_end;

			while (e < len && body[e] != '\n')
				e++;
			if (e >= len)
				return EBADMSG;
			if (e == headers_end || (e == headers_end + 1 && body[headers_end] == '\r')) {
				headers_end = e + 1;
				break;
			}
			headers_end = e + 1;
		}

		next = find_delimiter(body, len, headers_end, boundary);
		if (next == len)
			return EBADMSG;

		/* The line break before the delimiter belongs to the delimiter. */
		content_end = next;
		if (content_end > headers_end && body[content_end - 1] == '\n')
			content_end--;
		if (content_end > headers_end && body[content_end - 1] == '\r')
			content_end--;

		if (part_has_type(body + line_end + 1, headers_end - line_end - 1, type)) {
			*part = body + headers_end;
			*part_len = content_end - headers_end;
			return 0;
		}
		pos = next;
	}
}

int sip_accept_allows(const char *value, size_t len, const char *type)
{
	const char *slash = strchr(type, '/');
	size_t major = slash ? (size_t)(slash - type) : strlen(type);
	size_t i = 0;

	if (!value)
		return 0;

	while (i <= len) {
		size_t end = i, semi;
		struct span range;

		while (end < len && value[end] != ',')
			end++;
		range = trim((struct span){value + i, end - i});
		for (semi = 0; semi < range.len && range.p[semi] != ';'; semi++)
			;
		range = trim((struct span){range.p, semi});

		if (range.len == 3 && memcmp(range.p, "*/*", 3) == 0)
			return 1;
		if (range.len == strlen(type) && strncasecmp(range.p, type, range.len) == 0)
			return 1;
		if (range.len == major + 2 && strncasecmp(range.p, type, major) == 0 &&
		    range.p[major] == '/' && range.p[major + 1] == '*')
			return 1;
		i = end + 1;
	}
	return 0;
}
