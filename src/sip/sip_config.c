/*
 * Defaults and validation of struct sip_config.
 */
#include "sip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void sip_config_init(struct sip_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->udp = true;
	cfg->tcp = true;
	cfg->sip_port = 5060;
	cfg->tls_port = 5061;
	snprintf(cfg->contact_user, sizeof(cfg->contact_user), "permanence");
	cfg->rtp_port_min = 10000;
	cfg->rtp_port_max = 20000;
	cfg->rtp_timeout_s = 30;
	cfg->jitter_ms = 60;
	cfg->register_expires_s = 600;
	cfg->transfer_timeout_s = 60;
	cfg->max_calls = 8;
	cfg->answer_delay_ms = 0;
	cfg->playback_max_s = 30;
	cfg->shutdown_grace_s = 30;
}

static int fail(char *message, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *message, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (message && size) {
		va_start(ap, fmt);
		vsnprintf(message, size, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

static bool text_terminated(const char *text, size_t size)
{
	return memchr(text, '\0', size) != NULL;
}

static bool ip_literal(const char *text, bool *wildcard)
{
	unsigned char buf[16];
	static const unsigned char zero[16];

	if (inet_pton(AF_INET, text, buf) == 1) {
		*wildcard = memcmp(buf, zero, 4) == 0;
		return true;
	}
	if (inet_pton(AF_INET6, text, buf) == 1) {
		*wildcard = memcmp(buf, zero, 16) == 0;
		return true;
	}
	return false;
}

/* A SIP or SIPS URI with a host part: "sip:host", "sip:user@host;params". */
static bool sip_uri_plausible(const char *uri)
{
	const char *host;

	if (strncasecmp(uri, "sip:", 4) == 0)
		host = uri + 4;
	else if (strncasecmp(uri, "sips:", 5) == 0)
		host = uri + 5;
	else
		return false;

	if (strchr(host, '@'))
		host = strchr(host, '@') + 1;
	if (!*host || *host == ';' || *host == ':')
		return false;
	for (const char *p = uri; *p; p++) {
		if (*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || (unsigned char)*p >= 0x7f)
			return false;
	}
	return true;
}

static bool token_plausible(const char *text)
{
	if (!*text)
		return false;
	for (const char *p = text; *p; p++) {
		if (*p <= ' ' || strchr("<>\"@:;,/?\\", *p) || (unsigned char)*p >= 0x7f)
			return false;
	}
	return true;
}

static int check_texts(const struct sip_config *cfg, char *message, size_t size)
{
	const struct {
		const char *name;
		const char *value;
		size_t size;
	} texts[] = {
		{"listen_address", cfg->listen_address, sizeof(cfg->listen_address)},
		{"tls_certificate", cfg->tls_certificate, sizeof(cfg->tls_certificate)},
		{"tls_key", cfg->tls_key, sizeof(cfg->tls_key)},
		{"public_address", cfg->public_address, sizeof(cfg->public_address)},
		{"contact_user", cfg->contact_user, sizeof(cfg->contact_user)},
		{"registrar_uri", cfg->registrar_uri, sizeof(cfg->registrar_uri)},
		{"username", cfg->username, sizeof(cfg->username)},
		{"auth_username", cfg->auth_username, sizeof(cfg->auth_username)},
		{"password", cfg->password, sizeof(cfg->password)},
		{"transfer_target", cfg->transfer_target, sizeof(cfg->transfer_target)},
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (!text_terminated(texts[i].value, texts[i].size))
			return fail(message, size, "sip %s is longer than %zu characters: shorten it",
				    texts[i].name, texts[i].size - 1);
	}
	return 0;
}

static int check_addresses(const struct sip_config *cfg, char *message, size_t size)
{
	bool wildcard = false;

	if (cfg->listen_address[0]) {
		if (!ip_literal(cfg->listen_address, &wildcard))
			return fail(message, size,
				    "sip listen_address \"%s\" is not an IP address: write an IPv4 or "
				    "IPv6 address of this server, or leave it empty for the address "
				    "of the default route",
				    cfg->listen_address);
		if (wildcard)
			return fail(message, size,
				    "sip listen_address \"%s\" is a wildcard, which cannot be written "
				    "in Contact and SDP: write the server's own address, and set "
				    "public_address when it is behind NAT",
				    cfg->listen_address);
	}
	if (cfg->public_address[0]) {
		if (!ip_literal(cfg->public_address, &wildcard) || wildcard)
			return fail(message, size,
				    "sip public_address \"%s\" is not a usable IP address: write the "
				    "public IPv4 or IPv6 address of the NAT router",
				    cfg->public_address);
	}
	if (!token_plausible(cfg->contact_user))
		return fail(message, size,
			    "sip contact_user \"%s\" is empty or has characters not allowed in a SIP "
			    "user part: use letters, digits, '-', '_' or '.'",
			    cfg->contact_user);
	return 0;
}

static int check_transports(const struct sip_config *cfg, char *message, size_t size)
{
	bool tls = cfg->tls_certificate[0] != '\0';

	if (!cfg->udp && !cfg->tcp && !tls)
		return fail(message, size,
			    "sip has no transport: turn on udp or tcp, or set tls_certificate");
	if ((cfg->udp || cfg->tcp) && tls && cfg->sip_port != 0 && cfg->sip_port == cfg->tls_port)
		return fail(message, size,
			    "sip tls_port %u is the same as sip_port: give TLS its own port "
			    "(5061 by default)",
			    cfg->tls_port);
	if (cfg->tls_key[0] && !tls)
		return fail(message, size,
			    "sip tls_key is set without tls_certificate: set tls_certificate to the "
			    "PEM certificate file, or remove tls_key");
	return 0;
}

static int check_media(const struct sip_config *cfg, char *message, size_t size)
{
	if (cfg->rtp_port_min < 1024 || cfg->rtp_port_min % 2 != 0)
		return fail(message, size,
			    "sip rtp_port_min %u is invalid: use an even port of 1024 or more",
			    cfg->rtp_port_min);
	if (cfg->rtp_port_max < cfg->rtp_port_min + 2u * cfg->max_calls + 2u)
		return fail(message, size,
			    "sip RTP port range %u-%u is too small for max_calls %u: each call "
			    "needs two ports, so widen the range to at least %u ports",
			    cfg->rtp_port_min, cfg->rtp_port_max, cfg->max_calls,
			    2u * cfg->max_calls + 2u);
	if (cfg->rtp_timeout_s > 3600)
		return fail(message, size,
			    "sip rtp_timeout_s %u is over an hour: use 0 to turn the timeout off, "
			    "or a value such as 30",
			    cfg->rtp_timeout_s);
	if (cfg->jitter_ms < 20 || cfg->jitter_ms > 200 || cfg->jitter_ms % 10 != 0)
		return fail(message, size,
			    "sip jitter_ms %u is invalid: use a multiple of 10 from 20 to 200",
			    cfg->jitter_ms);
	if (cfg->playback_max_s < 1 || cfg->playback_max_s > 600)
		return fail(message, size,
			    "sip playback_max_s %u is invalid: use 1 to 600 seconds",
			    cfg->playback_max_s);
	return 0;
}

static int check_registration(const struct sip_config *cfg, char *message, size_t size)
{
	if (!cfg->registrar_uri[0]) {
		if (cfg->username[0] || cfg->password[0])
			return fail(message, size,
				    "sip username or password is set without registrar_uri: set "
				    "registrar_uri (\"sip:sip.example.fr\") or remove them");
		return 0;
	}
	if (!sip_uri_plausible(cfg->registrar_uri))
		return fail(message, size,
			    "sip registrar_uri \"%s\" is not a SIP URI: write it as "
			    "\"sip:registrar.example.fr\"",
			    cfg->registrar_uri);
	if (!token_plausible(cfg->username))
		return fail(message, size,
			    "sip username \"%s\" is empty or invalid: set the account name given "
			    "by the SIP provider",
			    cfg->username);
	if (cfg->auth_username[0] && strpbrk(cfg->auth_username, "\"\\\r\n"))
		return fail(message, size,
			    "sip auth_username contains a quote, backslash or line break: remove it");
	if (cfg->register_expires_s < 60 || cfg->register_expires_s > 86400)
		return fail(message, size,
			    "sip register_expires_s %u is invalid: use 60 to 86400 seconds "
			    "(600 is usual)",
			    cfg->register_expires_s);
	return 0;
}

static int check_calls(const struct sip_config *cfg, char *message, size_t size)
{
	if (cfg->transfer_target[0] && !sip_uri_plausible(cfg->transfer_target))
		return fail(message, size,
			    "sip transfer_target \"%s\" is not a SIP URI: write it as "
			    "\"sip:secretariat@pbx.example.fr\"",
			    cfg->transfer_target);
	if (cfg->transfer_timeout_s < 5 || cfg->transfer_timeout_s > 600)
		return fail(message, size,
			    "sip transfer_timeout_s %u is invalid: use 5 to 600 seconds",
			    cfg->transfer_timeout_s);
	if (cfg->max_calls < 1 || cfg->max_calls > 2000)
		return fail(message, size, "sip max_calls %u is invalid: use 1 to 2000",
			    cfg->max_calls);
	if (cfg->answer_delay_ms > 30000)
		return fail(message, size,
			    "sip answer_delay_ms %u is over 30 seconds: callers would hang up; "
			    "use 0 to 30000",
			    cfg->answer_delay_ms);
	if (cfg->shutdown_grace_s > 3600)
		return fail(message, size,
			    "sip shutdown_grace_s %u is over an hour: use 0 to 3600",
			    cfg->shutdown_grace_s);
	return 0;
}

int sip_config_validate(const struct sip_config *cfg, char *message, size_t size)
{
	int err;

	if (!cfg)
		return fail(message, size, "sip configuration is missing");
	if (message && size)
		message[0] = '\0';

	err = check_texts(cfg, message, size);
	if (!err)
		err = check_addresses(cfg, message, size);
	if (!err)
		err = check_transports(cfg, message, size);
	if (!err)
		err = check_calls(cfg, message, size);
	if (!err)
		err = check_media(cfg, message, size);
	if (!err)
		err = check_registration(cfg, message, size);
	return err;
}
