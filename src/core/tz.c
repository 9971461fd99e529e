#include "tz.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

struct tz {
	char id[64];
	size_t count;      /* number of offset changes */
	int64_t *changes;  /* instants of the changes, ascending */
	int *offsets;      /* offsets[i] applies from changes[i - 1] to changes[i]; count + 1 */
};

static int read_offset(UCalendar *cal, UDate when, int *offset)
{
	UErrorCode status = U_ZERO_ERROR;
	int32_t zone, dst;

	ucal_setMillis(cal, when, &status);
	zone = ucal_get(cal, UCAL_ZONE_OFFSET, &status);
	dst = ucal_get(cal, UCAL_DST_OFFSET, &status);
	if (U_FAILURE(status))
		return EINVAL;
	*offset = (zone + dst) / 1000;
	return 0;
}

static bool zone_known(const UChar *id)
{
	UChar canonical[128];
	UBool system_id = 0;
	UErrorCode status = U_ZERO_ERROR;

	ucal_getCanonicalTimeZoneID(id, -1, canonical, 128, &system_id, &status);
	return U_SUCCESS(status) && system_id;
}

static int load_changes(struct tz *tz, UCalendar *cal)
{
	const UDate first = (UDate)(civil_days_from_date(TZ_FIRST_YEAR, 1, 1) * 86400) * 1000.0;
	const UDate last = (UDate)(civil_days_from_date(TZ_LAST_YEAR + 1, 1, 1) * 86400) * 1000.0;
	size_t capacity = 64;
	UDate when = first;
	int offset;

	tz->changes = malloc(capacity * sizeof(*tz->changes));
	tz->offsets = malloc((capacity + 1) * sizeof(*tz->offsets));
	if (!tz->changes || !tz->offsets)
		return ENOMEM;
	if (read_offset(cal, first, &offset))
		return EINVAL;
	tz->offsets[0] = offset;

	for (;;) {
		UErrorCode status = U_ZERO_ERROR;
		UDate next;

		ucal_setMillis(cal, when, &status);
		if (!ucal_getTimeZoneTransitionDate(cal, UCAL_TZ_TRANSITION_NEXT, &next, &status) ||
		    U_FAILURE(status) || next >= last)
			break;
		when = next;
		if (read_offset(cal, next, &offset))
			return EINVAL;
		/* Some changes only move time between standard and daylight parts. */
		if (offset == tz->offsets[tz->count])
			continue;
		if (tz->count == capacity) {
			int64_t *changes;
			int *offsets;

			capacity *= 2;
			changes = realloc(tz->changes, capacity * sizeof(*changes));
			if (!changes)
				return ENOMEM;
			tz->changes = changes;
			offsets = realloc(tz->offsets, (capacity + 1) * sizeof(*offsets));
			if (!offsets)
				return ENOMEM;
			tz->offsets = offsets;
		}
		tz->changes[tz->count] = (int64_t)(next / 1000.0);
		tz->offsets[++tz->count] = offset;
	}
	return 0;
}

int tz_open(struct tz **tzp, const char *zone_id)
{
	UChar id16[64];
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *cal;
	struct tz *tz;
	int err;

	if (!zone_id || !zone_id[0] || strlen(zone_id) >= sizeof(tz->id))
		return EINVAL;
	u_strFromUTF8(id16, 64, NULL, zone_id, -1, &status);
	if (U_FAILURE(status) || !zone_known(id16))
		return EINVAL;

	cal = ucal_open(id16, -1, "en_US_POSIX", UCAL_GREGORIAN, &status);
	if (U_FAILURE(status))
		return EINVAL;
	tz = calloc(1, sizeof(*tz));
	if (!tz) {
		ucal_close(cal);
		return ENOMEM;
	}
	snprintf(tz->id, sizeof(tz->id), "%s", zone_id);
	err = load_changes(tz, cal);
	ucal_close(cal);
	if (err) {
		tz_close(tz);
		return err;
	}
	*tzp = tz;
	return 0;
}

void tz_close(struct tz *tz)
{
	if (!tz)
		return;
	free(tz->changes);
	free(tz->offsets);
	free(tz);
}

const char *tz_id(const struct tz *tz)
{
	return tz->id;
}

int tz_offset_at(const struct tz *tz, int64_t utc)
{
	size_t lo = 0, hi = tz->count;

	/* Find the number of changes at or before utc. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->changes[mid] <= utc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return tz->offsets[lo];
}

struct civil_time tz_to_local(const struct tz *tz, int64_t utc, int *offset_s)
{
	int offset = tz_offset_at(tz, utc);

	if (offset_s)
		*offset_s = offset;
	return civil_time_from_seconds(utc + offset);
}

/*
 * Find the instants whose wall-clock time is `wall` (seconds, read as UTC): each offset
 * in force within two days is tried. Returns how many (0, 1 or 2) were written, ascending.
 */
static int solve_wall_time(const struct tz *tz, int64_t wall, int64_t found[2])
{
	const int64_t window = 2 * 86400;
	int candidates[8];
	int candidate_count = 0;
	int n = 0;

	size_t lo = 0, hi = tz->count;

	candidates[candidate_count++] = tz_offset_at(tz, wall - window);
	/* Binary search for the first change after wall - window, then walk the window. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->changes[mid] <= wall - window)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < tz->count && tz->changes[i] < wall + window && candidate_count < 8;
	     i++)
		candidates[candidate_count++] = tz->offsets[i + 1];
	for (int i = 0; i < candidate_count; i++) {
		int64_t utc = wall - candidates[i];
		bool seen = false;

		if (tz_offset_at(tz, utc) != candidates[i])
			continue;
		for (int k = 0; k < n; k++)
			seen |= found[k] == utc;
		if (!seen && n < 2)
			found[n++] = utc;
	}
	if (n == 2 && found[1] < found[0]) {
		int64_t t = found[0];

		found[0] = found[1];
		found[1] = t;
	}
	return n;
}

int tz_from_local(const struct tz *tz, const struct civil_time *local, int64_t *utc,
		  unsigned *flags)
{
	int64_t found[2];
	int n;

	if (flags)
		*flags = 0;
	if (!civil_time_valid(local))
		return EINVAL;
	n = solve_wall_time(tz, civil_time_to_seconds(local), found);
	if (n == 0)
		return ENOENT;
	if (n == 2 && flags)
		*flags |= TZ_AMBIGUOUS;
	*utc = found[0];
	return 0;
}

int64_t tz_from_local_lenient(const struct tz *tz, const struct civil_time *local)
{
	int64_t wall = civil_time_to_seconds(local);
	int64_t found[2];

	if (solve_wall_time(tz, wall, found) > 0)
		return found[0];
	/* In a gap: the offset before the gap maps the time just past its end. */
	return wall - tz_offset_at(tz, wall - 2 * 86400);
}

int64_t tz_day_start(const struct tz *tz, int64_t day)
{
	struct civil_date d = civil_date_from_days(day);
	struct civil_time t = {d.year, d.month, d.day, 0, 0, 0};

	return tz_from_local_lenient(tz, &t);
}

int64_t tz_day_of(const struct tz *tz, int64_t utc)
{
	int64_t wall = utc + tz_offset_at(tz, utc);

	return wall >= 0 ? wall / 86400 : -((-wall + 86399) / 86400);
}

int tz_format_iso8601(const struct tz *tz, int64_t utc, char *buf, size_t size)
{
	int offset;
	struct civil_time t = tz_to_local(tz, utc, &offset);
	int magnitude = offset < 0 ? -offset : offset;

	if (size < 26)
		return ENOSPC;
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", t.year, t.month, t.day,
		 t.hour, t.minute, t.second, offset < 0 ? '-' : '+', magnitude / 3600,
		 magnitude % 3600 / 60);
	return 0;
}

static bool take_digits(const char **p, int count, int *value)
{
	int v = 0;

	for (int i = 0; i < count; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += count;
	*value = v;
	return true;
}

/* Parse "Z", "+HH:MM", "+HHMM" or "+HH" at *p. */
static bool take_offset(const char **p, int *offset)
{
	int sign, hours, minutes = 0;

	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*offset = 0;
		return true;
	}
	if (**p != '+' && **p != '-')
		return false;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (!take_digits(p, 2, &hours))
		return false;
	if (**p == ':')
		(*p)++;
	if (**p >= '0' && **p <= '9' && !take_digits(p, 2, &minutes))
		return false;
	if (hours > 23 || minutes > 59)
		return false;
	*offset = sign * (hours * 3600 + minutes * 60);
	return true;
}

int tz_parse_iso8601(const struct tz *tz, const char *text, int64_t *utc, const char **why)
{
	struct civil_time t = {0};
	const char *p = text;
	const char *reason = NULL;
	bool has_offset = false;
	int offset = 0;
	int err = 0;

	if (!take_digits(&p, 4, &t.year) || *p++ != '-' || !take_digits(&p, 2, &t.month) ||
	    *p++ != '-' || !take_digits(&p, 2, &t.day)) {
		reason = "expected YYYY-MM-DD at the start";
		err = EINVAL;
		goto out;
	}
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!take_digits(&p, 2, &t.hour) || *p++ != ':' || !take_digits(&p, 2, &t.minute)) {
			reason = "expected HH:MM after the date";
			err = EINVAL;
			goto out;
		}
		if (*p == ':') {
			p++;
			if (!take_digits(&p, 2, &t.second)) {
				reason = "expected two digits of seconds";
				err = EINVAL;
				goto out;
			}
			/* Fractions of a second are accepted and dropped. */
			if (*p == '.' || *p == ',') {
				p++;
				while (*p >= '0' && *p <= '9')
					p++;
			}
		}
	}
	if (*p) {
		if (!take_offset(&p, &offset) || *p) {
			reason = "expected Z or an offset such as +02:00 at the end";
			err = EINVAL;
			goto out;
		}
		has_offset = true;
	}
	if (!civil_date_valid(t.year, t.month, t.day)) {
		reason = "this date does not exist";
		err = EINVAL;
		goto out;
	}
	if (!civil_time_valid(&t)) {
		reason = "hour, minute or second out of range";
		err = EINVAL;
		goto out;
	}
	if (has_offset) {
		*utc = civil_time_to_seconds(&t) - offset;
	} else {
		err = tz_from_local(tz, &t, utc, NULL);
		if (err == ENOENT)
			reason = "this local time is skipped by a daylight-saving change";
	}
out:
	if (why)
		*why = reason;
	return err;
}
