/*
 * Time zones: conversions between UTC instants and the wall-clock time of an IANA zone.
 *
 * Zone rules come from ICU. tz_open() reads every offset change of the zone between
 * 1900 and 2200 into a table, so a struct tz is immutable afterwards: it can be shared
 * between threads and each conversion is a binary search. Instants are seconds since
 * 1970-01-01T00:00:00Z; offsets are seconds east of UTC.
 */
#ifndef PERMANENCE_TZ_H
#define PERMANENCE_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "civil.h"

struct tz;

/* First and last year whose offset changes are read from ICU. */
#define TZ_FIRST_YEAR 1900
#define TZ_LAST_YEAR 2199

/* Outcome flags of tz_from_local(). */
#define TZ_AMBIGUOUS 0x1 /* the wall time occurs twice (autumn change): earlier one taken */

/*
 * Open an IANA zone such as "Europe/Paris" or "America/Cayenne". Returns 0, EINVAL when
 * ICU does not know the zone id, or ENOMEM. Release with tz_close().
 */
int tz_open(struct tz **tzp, const char *zone_id);
void tz_close(struct tz *tz);
/* The zone id as given to tz_open(). */
const char *tz_id(const struct tz *tz);

/* Offset from UTC in seconds at an instant. */
int tz_offset_at(const struct tz *tz, int64_t utc);
/* Wall-clock time at an instant; *offset_s (may be NULL) receives the offset in use. */
struct civil_time tz_to_local(const struct tz *tz, int64_t utc, int *offset_s);

/*
 * Instant of a wall-clock time. Returns 0 (setting TZ_AMBIGUOUS in *flags, which may be
 * NULL, when the time occurs twice and the earlier instant was taken), EINVAL when the
 * fields are out of range, or ENOENT when the time does not exist in the zone, as in
 * the hour skipped on a spring daylight-saving day.
 */
int tz_from_local(const struct tz *tz, const struct civil_time *local, int64_t *utc,
		  unsigned *flags);
/*
 * Like tz_from_local() but a time in a gap is moved forward by the length of the gap,
 * as clocks do (02:30 on a spring change in Paris becomes 03:30). For day boundaries.
 */
int64_t tz_from_local_lenient(const struct tz *tz, const struct civil_time *local);

/* Instant of local midnight at the start of a day number (see civil.h). */
int64_t tz_day_start(const struct tz *tz, int64_t day);
/* Day number of the local date at an instant. */
int64_t tz_day_of(const struct tz *tz, int64_t utc);

/*
 * Write an instant as ISO 8601 with its local offset, "2026-03-30T08:30:00+02:00", into
 * buf. Returns 0 or ENOSPC when size is below 26.
 */
int tz_format_iso8601(const struct tz *tz, int64_t utc, char *buf, size_t size);

/*
 * Parse ISO 8601: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "YYYY-MM-DDTHH:MM:SS", each
 * optionally followed by "Z", "+HH:MM", "+HHMM" or "+HH" (a space may stand for "T").
 * Without an offset the time is read as wall-clock time in tz, and a bare date as
 * its local midnight. Returns 0, EINVAL for text of another form or a date that does not
 * exist (with the reason in *why when why is not NULL), or ENOENT for a wall-clock time
 * skipped by a daylight-saving change.
 */
int tz_parse_iso8601(const struct tz *tz, const char *text, int64_t *utc, const char **why);

#endif
