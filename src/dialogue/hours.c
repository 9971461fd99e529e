/*
 * Opening hours of the secretariat, as a practice writes them in a setting:
 *
 *   hours  = group *(";" group)
 *   group  = days " " ranges        "1-5 08:30-12:30,14:00-18:00"
 *   days   = day-spec *("," day-spec), day-spec = D | D "-" D   (1 = Monday ... 7 = Sunday)
 *   ranges = range *("," range),     range = HH:MM "-" HH:MM    (start before end)
 *
 * Spaces around separators are allowed. Public holidays are closed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dialogue.h"
#include "sched.h"

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int parse_days(const char **pp, unsigned *weekdays)
{
	const char *p = *pp;

	*weekdays = 0;
	for (;;) {
		const char *next;
		int first, last;

		p = skip_spaces(p);
		if (*p < '1' || *p > '7')
			return EINVAL;
		first = last = *p++ - '0';
		if (*skip_spaces(p) == '-') {
			p = skip_spaces(skip_spaces(p) + 1);
			if (*p < '1' || *p > '7')
				return EINVAL;
			last = *p++ - '0';
			if (last < first)
				return EINVAL;
		}
		for (int wd = first; wd <= last; wd++)
			*weekdays |= 1u << wd;
		/* A comma continues the days; anything else ends them, left for the caller. */
		next = skip_spaces(p);
		if (*next != ',')
			break;
		p = next + 1;
	}
	*pp = p;
	return 0;
}

static int parse_time(const char **pp, int *minutes)
{
	char text[6];
	const char *p = skip_spaces(*pp);

	if (strlen(p) < 5)
		return EINVAL;
	memcpy(text, p, 5);
	text[5] = '\0';
	if (text[2] != ':' || civil_minutes_parse(text, minutes) != 0)
		return EINVAL;
	*pp = p + 5;
	return 0;
}

int dialogue_hours_parse(const char *text, struct dialogue_hours *hours)
{
	const char *p = text;

	memset(hours, 0, sizeof(*hours));
	if (!text)
		return EINVAL;
	for (;;) {
		unsigned weekdays;

		if (parse_days(&p, &weekdays) != 0 || (*p != ' ' && *p != '\t'))
			return EINVAL;
		for (;;) {
			int start, end;

			if (parse_time(&p, &start) != 0)
				return EINVAL;
			p = skip_spaces(p);
			if (*p++ != '-' || parse_time(&p, &end) != 0 || end <= start)
				return EINVAL;
			if (hours->count == DIALOGUE_HOURS_MAX)
				return EINVAL;
			hours->ranges[hours->count].weekdays = weekdays;
			hours->ranges[hours->count].start_min = start;
			hours->ranges[hours->count].end_min = end;
			hours->count++;
			p = skip_spaces(p);
			if (*p != ',')
				break;
			p++;
		}
		if (*p == '\0')
			return hours->count ? 0 : EINVAL;
		if (*p != ';')
			return EINVAL;
		p = skip_spaces(p + 1);
		if (*p == '\0')
			return 0;
	}
}

bool dialogue_hours_open(const struct dialogue_hours *hours, const struct tz *tz,
			 unsigned regions, int64_t now)
{
	struct civil_time t = tz_to_local(tz, now, NULL);
	int64_t day = tz_day_of(tz, now);
	unsigned weekday = (unsigned)civil_weekday(day);
	int minute = t.hour * 60 + t.minute;

	if (sched_is_holiday(day, regions, NULL))
		return false;
	for (size_t i = 0; i < hours->count; i++) {
		if ((hours->ranges[i].weekdays & (1u << weekday)) &&
		    minute >= hours->ranges[i].start_min && minute < hours->ranges[i].end_min)
			return true;
	}
	return false;
}

int dialogue_hours_next(const struct dialogue_hours *hours, const struct tz *tz,
			unsigned regions, int64_t now, int64_t *next)
{
	int64_t today = tz_day_of(tz, now);

	if (dialogue_hours_open(hours, tz, regions, now)) {
		*next = now;
		return 0;
	}
	for (int64_t day = today; day <= today + 14; day++) {
		unsigned weekday = (unsigned)civil_weekday(day);
		struct civil_date date = civil_date_from_days(day);
		int64_t best = 0;

		if (sched_is_holiday(day, regions, NULL))
			continue;
		for (size_t i = 0; i < hours->count; i++) {
			struct civil_time t = {date.year, date.month, date.day,
					       hours->ranges[i].start_min / 60,
					       hours->ranges[i].start_min % 60, 0};
			int64_t start;

			if (!(hours->ranges[i].weekdays & (1u << weekday)))
				continue;
			start = tz_from_local_lenient(tz, &t);
			if (start > now && (best == 0 || start < best))
				best = start;
		}
		if (best) {
			*next = best;
			return 0;
		}
	}
	return ENOENT;
}
