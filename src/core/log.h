/*
 * Service logging: one line per event on standard error, with a level, a module name
 * and, for anything about a call, the call id.
 *
 * Rules every module follows: no patient data (names, dates of birth, phone numbers,
 * transcripts) at LOGL_INFO or above; such details go to LOGL_DEBUG only. The level is
 * checked before the message is formatted. Thread-safe: a line is written whole.
 */
#ifndef PERMANENCE_LOG_H
#define PERMANENCE_LOG_H

#include <stdbool.h>

/* Syslog severities, so operators read them the usual way. */
enum log_level {
	LOGL_ERR = 3,
	LOGL_WARNING = 4,
	LOGL_NOTICE = 5,
	LOGL_INFO = 6,
	LOGL_DEBUG = 7,
};

/* Set the most detailed level written; LOGL_INFO by default. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "error", "warning", "notice", "info" or "debug"; returns 0 or EINVAL. */
int log_level_parse(const char *text, enum log_level *level);
/* Prefix every line with an ISO 8601 UTC time stamp (on by default). */
void log_set_timestamps(bool on);

void log_write(enum log_level level, const char *module, const char *call_id,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_enabled(level) ((level) <= log_get_level())

#define log_err(module, call_id, ...) log_write(LOGL_ERR, module, call_id, __VA_ARGS__)
#define log_warning(module, call_id, ...) log_write(LOGL_WARNING, module, call_id, __VA_ARGS__)
#define log_notice(module, call_id, ...) log_write(LOGL_NOTICE, module, call_id, __VA_ARGS__)
#define log_info(module, call_id, ...) log_write(LOGL_INFO, module, call_id, __VA_ARGS__)
#define log_debug(module, call_id, ...)                                  \
	do {                                                             \
		if (log_enabled(LOGL_DEBUG))                             \
			log_write(LOGL_DEBUG, module, call_id, __VA_ARGS__); \
	} while (0)



/*
 * A limit on repeated messages: at most `burst` lines per `interval_s` seconds. A caller
 * keeps one per message kind (a flood of malformed SIP packets, say).
 */
struct log_ratelimit {
	unsigned burst;
	unsigned interval_s;
	long long window_start; /* CLOCK_MONOTONIC seconds */
	unsigned count;
	unsigned suppressed;
};

#define LOG_RATELIMIT_INIT(burst, interval_s) {(burst), (interval_s), 0, 0, 0}

/*
 * Return true when one more line may be written now. When a new window opens after lines
 * were dropped, *suppressed is set to how many were dropped, so the caller can say so.
 * Not thread-safe: keep each limiter on one thread.
 */
bool log_ratelimit_allow(struct log_ratelimit *limit, unsigned *suppressed);

#endif
