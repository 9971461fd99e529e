/*
 * The configuration file's [sip] and [speech] keys mapped onto the user agent's and the
 * speech pool's settings.
 */
#include "calls_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The user agent's own call limit: the file's sip.max_calls is enforced per INVITE, so a
 * reload can raise it up to this. */
#define SIP_MAX_CALLS_CAP 2000
/* The user agent's grace period: the service runs its own, so a reload can change it. */
#define SIP_GRACE_CAP_S 3600
/* Audio queued in the user agent per call: the service feeds it one frame ahead. */
#define SIP_PLAYBACK_S 1

/*
 * Split "ADDRESS:PORT" or "[IPv6]:PORT". Returns 0, or EINVAL for text of another form or
 * a port outside 0-65535.
 */
static int split_listen(const char *text, char *address, size_t size, uint16_t *port)
{
	const char *colon;
	const char *host = text;
	size_t host_len;
	char *end = NULL;
	long number;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return EINVAL;
		host = text + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon)
			return EINVAL;
		host_len = (size_t)(colon - text);
	}
	if (host_len == 0 || host_len >= size)
		return EINVAL;
	number = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || number < 0 || number > 65535)
		return EINVAL;
	memcpy(address, host, host_len);
	address[host_len] = '\0';
	*port = (uint16_t)number;
	return 0;
}

/* Copy a setting into a field; false when it does not fit. */
static bool copy_text(char *out, size_t size, const char *text)
{
	return (size_t)snprintf(out, size, "%s", text) < size;
}

int calls_sip_config(const struct config *config, const char *transfer_target,
		     struct sip_config *sip, char *error, size_t size)
{
	char tls_address[SIP_CONFIG_ADDRESS_MAX];

	sip_config_init(sip);
	if (split_listen(config->sip_listen, sip->listen_address, sizeof(sip->listen_address),
			 &sip->sip_port)) {
		snprintf(error, size,
			 "sip.listen: invalid value '%s' (expected ADDRESS:PORT, such as 127.0.0.1:5060"
			 " or [::1]:5060)", config->sip_listen);
		return EINVAL;
	}
	sip->udp = strstr(config->sip_transports, "udp") != NULL;
	sip->tcp = strstr(config->sip_transports, "tcp") != NULL;

	if (config->sip_tls_listen[0] && !config->sip_tls_certificate[0]) {
		snprintf(error, size,
			 "sip.tls_listen is set but sip.tls_certificate is empty: give the PEM file"
			 " with the certificate and its key, or empty sip.tls_listen");
		return EINVAL;
	}
	if (config->sip_tls_certificate[0]) {
		(void)copy_text(sip->tls_certificate, sizeof(sip->tls_certificate),
				config->sip_tls_certificate); /* same size */
		if (config->sip_tls_listen[0]) {
			if (split_listen(config->sip_tls_listen, tls_address, sizeof(tls_address),
					 &sip->tls_port)) {
				snprintf(error, size,
					 "sip.tls_listen: invalid value '%s' (expected ADDRESS:PORT, such as"
					 " 127.0.0.1:5061)", config->sip_tls_listen);
				return EINVAL;
			}
			if (strcmp(tls_address, sip->listen_address) != 0) {
				snprintf(error, size,
					 "sip.tls_listen: address '%s' differs from sip.listen's '%s'; SIP"
					 " over TLS listens on the same address, so give the same one",
					 tls_address, sip->listen_address);
				return EINVAL;
			}
		}
	}
	if (!copy_text(sip->public_address, sizeof(sip->public_address),
		       config->sip_public_address)) {
		snprintf(error, size, "sip.public_address: '%s' is too long for an IP address",
			 config->sip_public_address);
		return EINVAL;
	}

	sip->rtp_port_min = (uint16_t)config->rtp_port_min;
	sip->rtp_port_max = (uint16_t)config->rtp_port_max;
	sip->rtp_timeout_s = (unsigned)config->rtp_timeout_s;

	if (!copy_text(sip->registrar_uri, sizeof(sip->registrar_uri), config->registrar) ||
	    !copy_text(sip->username, sizeof(sip->username), config->sip_username) ||
	    !copy_text(sip->password, sizeof(sip->password), config->sip_password)) {
		snprintf(error, size, "sip.registrar, sip.username or sip.password is too long");
		return EINVAL;
	}
	sip->register_expires_s = (unsigned)config->register_expiry_s;
	if (config->registrar[0] && !config->sip_username[0]) {
		snprintf(error, size,
			 "sip.registrar is set but sip.username is empty: give the account's user"
			 " name, or empty sip.registrar");
		return EINVAL;
	}
	if (!copy_text(sip->transfer_target, sizeof(sip->transfer_target),
		       transfer_target ? transfer_target : "")) {
		snprintf(error, size, "the transfer target is longer than %zu bytes",
			 sizeof(sip->transfer_target) - 1);
		return EINVAL;
	}

	/* Each call takes two RTP ports: the range bounds the calls a reload may allow. */
	sip->max_calls = SIP_MAX_CALLS_CAP;
	if (config->rtp_port_max > config->rtp_port_min + 2 &&
	    (unsigned)(config->rtp_port_max - config->rtp_port_min - 2) / 2 < sip->max_calls)
		sip->max_calls = (unsigned)(config->rtp_port_max - config->rtp_port_min - 2) / 2;
	if (sip->max_calls == 0)
		sip->max_calls = 1;
	if ((unsigned)config->max_calls > sip->max_calls) {
		snprintf(error, size,
			 "sip.max_calls %d needs %d RTP ports but sip.rtp_port_min %d to"
			 " sip.rtp_port_max %d gives %d: widen the range or lower sip.max_calls",
			 config->max_calls, config->max_calls * 2 + 2, config->rtp_port_min,
			 config->rtp_port_max, config->rtp_port_max - config->rtp_port_min);
		return EINVAL;
	}
	sip->playback_max_s = SIP_PLAYBACK_S;
	sip->shutdown_grace_s = SIP_GRACE_CAP_S;
	if (sip_config_validate(sip, error, size) != 0)
		return EINVAL;
	return 0;
}

static const char *engine_or_null(const char *name)
{
	return strcmp(name, "none") == 0 ? NULL : name;
}

int calls_speech_config(const struct config *config, unsigned max_calls,
			struct speech_pool_config *pool, char *error, size_t size)
{
	size_t queue = (size_t)max_calls * 4;

	speech_pool_config_init(pool);
	pool->workers = (unsigned)config->speech_workers;
	pool->queue_max = queue < 64 ? 64 : queue > 4096 ? 4096 : queue;
	pool->synth_engine_fr = config->tts_engine_fr;
	pool->synth_engine_en = config->tts_engine_en;

	/* Grammars go to pocketsphinx when it serves English; French has no grammar engine. */
	pool->recog_grammar_engine =
		strcmp(config->asr_engine_en, "pocketsphinx") == 0 ? "pocketsphinx" : NULL;
	pool->recog_open_engine_en = engine_or_null(config->asr_engine_en);
	pool->recog_open_engine_fr = engine_or_null(config->asr_engine_fr);
	if ((strcmp(config->asr_engine_fr, "http") == 0 ||
	     strcmp(config->asr_engine_en, "http") == 0) &&
	    !config->asr_http_url[0]) {
		snprintf(error, size,
			 "speech.asr_%s is http but speech.asr_http_url is empty: give the address"
			 " of an OpenAI-compatible transcription server, or choose another engine",
			 strcmp(config->asr_engine_fr, "http") == 0 ? "fr" : "en");
		return EINVAL;
	}
	pool->recog.http_url = config->asr_http_url[0] ? config->asr_http_url : NULL;
	pool->recog.http_api_key = config->asr_http_key[0] ? config->asr_http_key : NULL;
	pool->recog.http_model = config->asr_http_model;
	pool->recog.http_timeout_ms = (long)config->asr_http_timeout_s * 1000;
	pool->recog.uncertain_below = (float)config->asr_min_confidence;
	return 0;
}
