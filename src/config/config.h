/*
 * The server's configuration file: sections of "key = value" lines, read against a table
 * that gives each key its type, bounds, default and whether a reload (SIGHUP) applies it.
 * See permanence.conf.sample for every key with its comment.
 *
 * Syntax: "[section]" starts a section, and "key = value" sets a key of the current
 * section. A line starting with "#" or ";" is a comment, and so is " #" and what follows
 * it on a value line. A value in double quotes keeps its spaces and "#" signs. Keys are
 * written "section.key" in messages and in config_set().
 */
#ifndef PERMANENCE_CONFIG_H
#define PERMANENCE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_TEXT_MAX 256

struct config {
	/* [practice] */
	char db_path[CONFIG_TEXT_MAX];
	char language[4];          /* "fr" or "en": the language calls start in */

	/* [sip] */
	char sip_listen[CONFIG_TEXT_MAX];     /* ADDR:PORT for UDP and TCP */
	char sip_transports[32];              /* "udp", "tcp", "udp,tcp" */
	char sip_tls_listen[CONFIG_TEXT_MAX]; /* ADDR:PORT, used with a certificate */
	char sip_tls_certificate[CONFIG_TEXT_MAX]; /* PEM with certificate and key */
	char sip_public_address[CONFIG_TEXT_MAX]; /* address put in SDP and Contact */
	int rtp_port_min;
	int rtp_port_max;
	int rtp_timeout_s;
	int max_calls;
	char registrar[CONFIG_TEXT_MAX];      /* sip:provider.example; empty: no registration */
	char sip_username[128];
	char sip_password[128];
	int register_expiry_s;
	char transfer_target[CONFIG_TEXT_MAX]; /* SIP URI of the secretariat */

	/* [speech] */
	char tts_engine_fr[32];
	char tts_engine_en[32];
	char asr_engine_fr[32];
	char asr_engine_en[32];
	char asr_http_url[CONFIG_TEXT_MAX];   /* OpenAI-compatible /v1/audio/transcriptions */
	char asr_http_key[CONFIG_TEXT_MAX];
	char asr_http_model[64];
	int asr_http_timeout_s;
	int speech_workers;                   /* 0: one per core */
	double asr_min_confidence;

	/* [http] */
	char http_listen[CONFIG_TEXT_MAX];
	char http_tls_certificate[CONFIG_TEXT_MAX];
	char http_tls_key[CONFIG_TEXT_MAX];

	/* [calls] */
	bool recording;
	char recordings_dir[CONFIG_TEXT_MAX];
	int shutdown_grace_s;                 /* how long calls in progress may finish */
	int no_input_timeout_s;
	int end_of_turn_ms;                   /* 0: the VAD's silence alone ends a turn */

	/* [log] */
	char log_level[16];
};

/* Fill every field with its default. */
void config_defaults(struct config *config);

/*
 * Read a configuration file over the current values (start from config_defaults()).
 * Returns 0; ENOENT or another errno when the file cannot be read; EINVAL for a syntax
 * error, an unknown key or a value out of bounds, with "FILE:LINE: message" in `error`.
 */
int config_load(struct config *config, const char *path, char *error, size_t size);

/*
 * Set one key ("sip.listen") from text, as a line of the file would. Returns 0 or EINVAL
 * with the message in `error`. Command-line overrides use this.
 */
int config_set(struct config *config, const char *key, const char *value, char *error,
	       size_t size);

/* Whether a key can change on reload (SIGHUP) without a restart. */
bool config_key_reloadable(const char *key);

#endif
