/*
 * Civil (calendar) dates and wall-clock times in the proleptic Gregorian calendar, with
 * no time zone. Days are counted from 1970-01-01 (day 0); weekdays are ISO 8601:
 * 1 = Monday ... 7 = Sunday. Pure arithmetic, valid for years 1 to 9999.
 */
#ifndef PERMANENCE_CIVIL_H
#define PERMANENCE_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

struct civil_date {
	int year;
	int month; /* 1-12 */
	int day;   /* 1-31 */
};

struct civil_time {
	int year;
	int month;
	int day;
	int hour;   /* 0-23 */
	int minute; /* 0-59 */
	int second; /* 0-59 */
};

bool civil_is_leap_year(int year);
int civil_days_in_month(int year, int month);
/* True when the date exists (no 30 February, no month 13). */
bool civil_date_valid(int year, int month, int day);
bool civil_time_valid(const struct civil_time *t);

/* Days since 1970-01-01 of a valid date. */
int64_t civil_days_from_date(int year, int month, int day);
struct civil_date civil_date_from_days(int64_t days);
/* ISO weekday of a day number: 1 = Monday ... 7 = Sunday. */
int civil_weekday(int64_t days);

/* Easter Sunday (Gregorian computus) of a year, as a day number. */
int64_t civil_easter_sunday(int year);

/* Seconds since 1970-01-01T00:00 of a wall-clock time read as if it were UTC. */
int64_t civil_time_to_seconds(const struct civil_time *t);
struct civil_time civil_time_from_seconds(int64_t seconds);

/*
 * Parse "YYYY-MM-DD" into a date. Returns 0, or EINVAL when the text is not of that
 * form or the date does not exist.
 */
int civil_date_parse(const char *text, struct civil_date *date);
/* Write "YYYY-MM-DD" into buf (at least 11 bytes). */
void civil_date_format(const struct civil_date *date, char *buf, int size);

/* Minutes since midnight of "HH:MM"; returns 0 or EINVAL. "24:00" is accepted as 1440. */
int civil_minutes_parse(const char *text, int *minutes);

#endif
