#include "when_format.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Append to buf at *n, never past size. */
static void put(char *buf, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n >= size)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, size - *n, fmt, ap);
	va_end(ap);
	if (w > 0)
		*n += (size_t)w < size - *n ? (size_t)w : size - *n - 1;
}

static void put_time(char *buf, size_t size, size_t *n, const struct tz *tz, int64_t utc)
{
	struct civil_time t = tz_to_local(tz, utc, NULL);

	put(buf, size, n, "%04d-%02d-%02dT%02d:%02d", t.year, t.month, t.day, t.hour, t.minute);
}

void when_format(const struct nlu_when_result *result, const struct tz *tz, char *buf,
		 size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < result->count; i++) {
		const struct nlu_when *w = &result->item[i].when;

		if (i)
			put(buf, size, &n, " ; ");
		put_time(buf, size, &n, tz, w->start);
		put(buf, size, &n, "..");
		put_time(buf, size, &n, tz, w->end);
		put(buf, size, &n, " %s", nlu_grain_name(w->grain));
		if (w->minute_from != 0 || w->minute_to != 1440)
			put(buf, size, &n, " %02d:%02d-%02d:%02d", w->minute_from / 60,
			    w->minute_from % 60, w->minute_to / 60, w->minute_to % 60);
		if (w->weekday_exclude) {
			const char *sep = " not=";

			for (int d = 1; d <= 7; d++) {
				if (!(w->weekday_exclude & (1u << d)))
					continue;
				put(buf, size, &n, "%s%d", sep, d);
				sep = ",";
			}
		}
		if (w->open_start)
			put(buf, size, &n, " open_start");
		if (w->open_end)
			put(buf, size, &n, " open_end");
	}
	if (result->duration_days)
		put(buf, size, &n, "%sduration=%dd", n ? " " : "", result->duration_days);
	else if (result->duration_minutes)
		put(buf, size, &n, "%sduration=%dm", n ? " " : "", result->duration_minutes);
	if (n == 0)
		snprintf(buf, size, "none");
}
