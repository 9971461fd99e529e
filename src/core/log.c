#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int current_level = LOGL_INFO;
static _Atomic bool timestamps = true;

void log_set_level(enum log_level level)
{
	atomic_store(&current_level, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&current_level);
}

void log_set_timestamps(bool on)
{
	atomic_store(&timestamps, on);
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOGL_ERR:
		return "error";
	case LOGL_WARNING:
		return "warning";
	case LOGL_NOTICE:
		return "notice";
	case LOGL_INFO:
		return "info";
	case LOGL_DEBUG:
		return "debug";
	}
	return "?";
}

int log_level_parse(const char *text, enum log_level *level)
{
	static const enum log_level all[] = {LOGL_ERR, LOGL_WARNING, LOGL_NOTICE, LOGL_INFO,
					     LOGL_DEBUG};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(text, level_name(all[i])) == 0) {
			*level = all[i];
			return 0;
		}
	}
	return EINVAL;
}

void log_write(enum log_level level, const char *module, const char *call_id,
	       const char *fmt, ...)
{
	char line[2048];
	size_t len = 0;
	va_list ap;
	int n;

	if (!log_enabled(level))
		return;

	if (atomic_load(&timestamps)) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		len += strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		n = snprintf(line + len, sizeof(line) - len, ".%03ldZ ", ts.tv_nsec / 1000000);
		len += n > 0 ? (size_t)n : 0;
	}
	n = snprintf(line + len, sizeof(line) - len, "%s %s: ", level_name(level),
		     module ? module : "main");
	len += n > 0 ? (size_t)n : 0;
	if (call_id && call_id[0] && len < sizeof(line)) {
		n = snprintf(line + len, sizeof(line) - len, "[%s] ", call_id);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len < sizeof(line)) {
		va_start(ap, fmt);
		n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
		va_end(ap);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len >= sizeof(line) - 1)
		len = sizeof(line) - 2; /* a longer message is cut, never split */
	line[len++] = '\n';
	line[len] = '\0';
	fputs(line, stderr);
}

bool log_ratelimit_allow(struct log_ratelimit *limit, unsigned *suppressed)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	*suppressed = 0;
	if (ts.tv_sec - limit->window_start >= (long long)limit->interval_s) {
		*suppressed = limit->suppressed;
		limit->window_start = ts.tv_sec;
		limit->count = 0;
		limit->suppressed = 0;
	}
	if (limit->count < limit->burst) {
		limit->count++;
		return true;
	}
	limit->suppressed++;
	return false;
}
