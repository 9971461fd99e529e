#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_DOUBLE,
	CONFIG_BOOL,
	CONFIG_CHOICE, /* a string from a fixed list */
};

struct config_key {
	const char *name;       /* "section.key" */
	enum config_type type;
	size_t offset;
	size_t size;            /* strings: the field's size */
	double min, max;        /* numbers */
	const char *fallback;   /* default, as text */
	const char *choices;    /* CONFIG_CHOICE: "a|b|c" */
	bool reloadable;
};

#define STR(name, field, fallback, reload) \
	{name, CONFIG_STRING, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0, fallback, NULL, reload}
#define INT(name, field, min, max, fallback, reload) \
	{name, CONFIG_INT, offsetof(struct config, field), 0, min, max, fallback, NULL, reload}
#define DBL(name, field, min, max, fallback, reload) \
	{name, CONFIG_DOUBLE, offsetof(struct config, field), 0, min, max, fallback, NULL, reload}
#define BOOL(name, field, fallback, reload) \
	{name, CONFIG_BOOL, offsetof(struct config, field), 0, 0, 0, fallback, NULL, reload}
#define CHOICE(name, field, choices, fallback, reload) \
	{name, CONFIG_CHOICE, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0, fallback, choices, reload}

static const struct config_key keys[] = {
	STR("practice.db", db_path, "permanence.db", false),
	CHOICE("practice.language", language, "fr|en", "fr", true),

	STR("sip.listen", sip_listen, "127.0.0.1:5060", false),
	CHOICE("sip.transports", sip_transports, "udp|tcp|udp,tcp|tcp,udp", "udp,tcp", false),
	STR("sip.tls_listen", sip_tls_listen, "", false),
	STR("sip.tls_certificate", sip_tls_certificate, "", false),
	STR("sip.public_address", sip_public_address, "", false),
	INT("sip.rtp_port_min", rtp_port_min, 1024, 65534, "10000", false),
	INT("sip.rtp_port_max", rtp_port_max, 1025, 65535, "20000", false),
	INT("sip.rtp_timeout", rtp_timeout_s, 5, 3600, "30", true),
	INT("sip.max_calls", max_calls, 1, 2000, "100", true),
	STR("sip.registrar", registrar, "", false),
	STR("sip.username", sip_username, "", false),
	STR("sip.password", sip_password, "", false),
	INT("sip.register_expiry", register_expiry_s, 60, 86400, "600", false),
	STR("sip.transfer_target", transfer_target, "", true),

	CHOICE("speech.tts_fr", tts_engine_fr, "espeak-ng", "espeak-ng", false),
	CHOICE("speech.tts_en", tts_engine_en, "espeak-ng|flite", "flite", false),
	CHOICE("speech.asr_fr", asr_engine_fr, "none|http", "none", false),
	CHOICE("speech.asr_en", asr_engine_en, "none|pocketsphinx|http", "pocketsphinx", false),
	STR("speech.asr_http_url", asr_http_url, "", false),
	STR("speech.asr_http_key", asr_http_key, "", false),
	STR("speech.asr_http_model", asr_http_model, "whisper-1", false),
	INT("speech.asr_http_timeout", asr_http_timeout_s, 1, 120, "15", true),
	INT("speech.workers", speech_workers, 0, 64, "0", false),
	DBL("speech.asr_min_confidence", asr_min_confidence, 0, 1, "0.6", true),

	STR("http.listen", http_listen, "127.0.0.1:8080", false),
	STR("http.tls_certificate", http_tls_certificate, "", false),
	STR("http.tls_key", http_tls_key, "", false),

	BOOL("calls.recording", recording, "off", true),
	STR("calls.recordings_dir", recordings_dir, "recordings", false),
	INT("calls.shutdown_grace", shutdown_grace_s, 0, 3600, "30", true),
	INT("calls.no_input_timeout", no_input_timeout_s, 2, 60, "8", true),
	INT("calls.end_of_turn_ms", end_of_turn_ms, 0, 2000, "200", false),

	CHOICE("log.level", log_level, "error|warning|notice|info|debug", "info", true),
};

#define KEY_COUNT (sizeof(keys) / sizeof(keys[0]))

static const struct config_key *find_key(const char *name)
{
	for (size_t i = 0; i < KEY_COUNT; i++) {
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	}
	return NULL;
}

static bool in_choices(const char *value, const char *choices)
{
	size_t len = strlen(value);
	const char *p = choices;

	while (*p) {
		size_t n = strcspn(p, "|");

		if (n == len && strncmp(p, value, n) == 0)
			return true;
		p += n;
		if (*p == '|')
			p++;
	}
	return false;
}

static int apply(struct config *config, const struct config_key *key, const char *value,
		 char *error, size_t size)
{
	char *field = (char *)config + key->offset;
	char *end = NULL;

	switch (key->type) {
	case CONFIG_CHOICE:
		if (!in_choices(value, key->choices)) {
			snprintf(error, size, "%s: invalid value '%s' (use one of %s)", key->name, value,
				 key->choices);
			return EINVAL;
		}
		/* fall through */
	case CONFIG_STRING:
		if (strlen(value) >= key->size) {
			snprintf(error, size, "%s: value too long (%zu bytes at most)", key->name,
				 key->size - 1);
			return EINVAL;
		}
		snprintf(field, key->size, "%s", value);
		return 0;
	case CONFIG_INT: {
		long n = strtol(value, &end, 10);

		if (!value[0] || *end || n < (long)key->min || n > (long)key->max) {
			snprintf(error, size, "%s: invalid value '%s' (a whole number from %.0f to %.0f)",
				 key->name, value, key->min, key->max);
			return EINVAL;
		}
		*(int *)field = (int)n;
		return 0;
	}
	case CONFIG_DOUBLE: {
		double d = strtod(value, &end);

		if (!value[0] || *end || d < key->min || d > key->max) {
			snprintf(error, size, "%s: invalid value '%s' (a number from %g to %g)", key->name,
				 value, key->min, key->max);
			return EINVAL;
		}
		*(double *)field = d;
		return 0;
	}
	case CONFIG_BOOL:
		if (strcmp(value, "on") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "true") == 0) {
			*(bool *)field = true;
		} else if (strcmp(value, "off") == 0 || strcmp(value, "no") == 0 ||
			   strcmp(value, "false") == 0) {
			*(bool *)field = false;
		} else {
			snprintf(error, size, "%s: invalid value '%s' (use on or off)", key->name, value);
			return EINVAL;
		}
		return 0;
	}
	return EINVAL;
}

void config_defaults(struct config *config)
{
	char error[64];

	memset(config, 0, sizeof(*config));
	for (size_t i = 0; i < KEY_COUNT; i++)
		apply(config, &keys[i], keys[i].fallback, error, sizeof(error));
}

int config_set(struct config *config, const char *key, const char *value, char *error,
	       size_t size)
{
	const struct config_key *k = find_key(key);

	if (!k) {
		snprintf(error, size, "unknown key '%s'", key);
		return EINVAL;
	}
	return apply(config, k, value, error, size);
}

bool config_key_reloadable(const char *key)
{
	const struct config_key *k = find_key(key);

	return k && k->reloadable;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* Parse one line; returns 0 or EINVAL with the message (without the file position). */
static int parse_line(struct config *config, char *line, char *section, size_t section_size,
		      char *error, size_t size)
{
	char *s = trim(line), *eq, *key, *value;
	char full[160];

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (!close || *trim(close + 1) || close == s + 1) {
			snprintf(error, size, "invalid section header '%s' (expected [name])", s);
			return EINVAL;
		}
		*close = '\0';
		if (strlen(s + 1) >= section_size) {
			snprintf(error, size, "section name too long");
			return EINVAL;
		}
		snprintf(section, section_size, "%s", s + 1);
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq) {
		snprintf(error, size, "expected 'key = value' or '[section]', found '%s'", s);
		return EINVAL;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!section[0]) {
		snprintf(error, size, "key '%s' is outside any [section]", key);
		return EINVAL;
	}
	if (*value == '"') {
		char *close = strrchr(value + 1, '"');

		if (!close || *trim(close + 1)) {
			snprintf(error, size, "unterminated quoted value for '%s'", key);
			return EINVAL;
		}
		*close = '\0';
		value++;
	} else {
		/* An unquoted value ends at a comment. */
		char *hash = strstr(value, " #");

		if (hash)
			*hash = '\0';
		value = trim(value);
	}
	snprintf(full, sizeof(full), "%s.%s", section, key);
	return config_set(config, full, value, error, size);
}

int config_load(struct config *config, const char *path, char *error, size_t size)
{
	FILE *file = fopen(path, "r");
	char line[1024], section[64] = "", message[300];
	int number = 0, err = 0;

	if (!file) {
		err = errno;
		snprintf(error, size, "%s: %s", path, strerror(err));
		return err;
	}
	while (fgets(line, sizeof(line), file)) {
		number++;
		if (!strchr(line, '\n') && !feof(file)) {
			snprintf(error, size, "%s:%d: line too long (1023 bytes at most)", path, number);
			err = EINVAL;
			break;
		}
		err = parse_line(config, line, section, sizeof(section), message, sizeof(message));
		if (err) {
			snprintf(error, size, "%s:%d: %s", path, number, message);
			break;
		}
	}
	fclose(file);
	if (!err && config->rtp_port_min >= config->rtp_port_max) {
		snprintf(error, size, "%s: sip.rtp_port_min (%d) must be below sip.rtp_port_max (%d)",
			 path, config->rtp_port_min, config->rtp_port_max);
		err = EINVAL;
	}
	return err;
}
