#include "civil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool civil_is_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int civil_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && civil_is_leap_year(year))
		return 29;
	return days[month - 1];
}

bool civil_date_valid(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
	       day <= civil_days_in_month(year, month);
}

bool civil_time_valid(const struct civil_time *t)
{
	return civil_date_valid(t->year, t->month, t->day) && t->hour >= 0 && t->hour < 24 &&
	       t->minute >= 0 && t->minute < 60 && t->second >= 0 && t->second < 60;
}

/*
 * Day counting over 400-year eras of 146097 days, with the year starting on 1 March so
 * that the leap day falls at the end of the counting year.
 */
int64_t civil_days_from_date(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t year_of_era = y - era * 400;
	int64_t month_index = month > 2 ? month - 3 : month + 9;
	int64_t day_of_year = (153 * month_index + 2) / 5 + day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

	return era * 146097 + day_of_era - 719468;
}

struct civil_date civil_date_from_days(int64_t days)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t day_of_era = z - era * 146097;
	int64_t year_of_era =
		(day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t month_index = (5 * day_of_year + 2) / 153;
	struct civil_date d;

	d.day = (int)(day_of_year - (153 * month_index + 2) / 5 + 1);
	d.month = (int)(month_index < 10 ? month_index + 3 : month_index - 9);
	d.year = (int)(year_of_era + era * 400 + (d.month <= 2));
	return d;
}

int civil_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	int64_t w = (days + 3) % 7;

	if (w < 0)
		w += 7;
	return (int)w + 1;
}

/* Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
int64_t civil_easter_sunday(int year)
{
	int a = year % 19;
	int b = year / 100;
	int c = year % 100;
	int d = b / 4;
	int e = b % 4;
	int f = (b + 8) / 25;
	int g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4;
	int k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return civil_days_from_date(year, month, day);
}

int64_t civil_time_to_seconds(const struct civil_time *t)
{
	return civil_days_from_date(t->year, t->month, t->day) * 86400 + t->hour * 3600 +
	       t->minute * 60 + t->second;
}

struct civil_time civil_time_from_seconds(int64_t seconds)
{
	int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
	int64_t rest = seconds - days * 86400;
	struct civil_date d = civil_date_from_days(days);
	struct civil_time t;

	t.year = d.year;
	t.month = d.month;
	t.day = d.day;
	t.hour = (int)(rest / 3600);
	t.minute = (int)(rest % 3600 / 60);
	t.second = (int)(rest % 60);
	return t;
}

static bool read_digits(const char *s, int count, int *value)
{
	int v = 0;

	for (int i = 0; i < count; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return true;
}

int civil_date_parse(const char *text, struct civil_date *date)
{
	int y, m, d;

	if (strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return EINVAL;
	if (!read_digits(text, 4, &y) || !read_digits(text + 5, 2, &m) ||
	    !read_digits(text + 8, 2, &d))
		return EINVAL;
	if (!civil_date_valid(y, m, d))
		return EINVAL;
	date->year = y;
	date->month = m;
	date->day = d;
	return 0;
}

void civil_date_format(const struct civil_date *date, char *buf, int size)
{
	snprintf(buf, (size_t)size, "%04d-%02d-%02d", date->year, date->month, date->day);
}

int civil_minutes_parse(const char *text, int *minutes)
{
	int h, m;

	if (strlen(text) != 5 || text[2] != ':')
		return EINVAL;
	if (!read_digits(text, 2, &h) || !read_digits(text + 3, 2, &m))
		return EINVAL;
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return EINVAL;
	*minutes = h * 60 + m;
	return 0;
}
