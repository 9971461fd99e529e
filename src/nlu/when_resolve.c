/*
 * Resolving parsed dates and times against the reference instant and zone.
 *
 * Days are counted as civil day numbers (core/civil.h) and turned into instants with
 * tz_from_local_lenient(), so a day is never assumed to last 86400 seconds: the spring
 * and autumn daylight-saving days in Europe/Paris last 23 and 25 hours.
 */
#include <errno.h>
#include <string.h>

#include "when_priv.h"

/* The last day number converted to a date by day_date(), for one item. */
struct day_memo {
	bool set;
	int64_t day;
	struct civil_date date;
};

/* Local state of the reference instant. */
struct today {
	int64_t day;     /* civil day number */
	int minute;      /* minutes since local midnight */
	struct civil_date date;
	int weekday;
	int64_t now;
	const struct tz *tz;
	struct day_memo *memo; /* written by day_date() */
};

/* Beyond this many days from 1970 today's day number and date are converted one from the
 * other, not shortcut: well inside the range where civil_days_from_date() and
 * civil_date_from_days() invert each other. */
#define TODAY_REUSE_DAYS_MAX 100000000

/* Civil date of a day number: today's is known, and an item's start and end are often
 * on one day, so most items convert at most one day. */
static struct civil_date day_date(const struct today *t, int64_t day)
{
	if (day == t->day && day > -TODAY_REUSE_DAYS_MAX && day < TODAY_REUSE_DAYS_MAX)
		return t->date;
	if (!t->memo->set || t->memo->day != day) {
		t->memo->date = civil_date_from_days(day);
		t->memo->day = day;
		t->memo->set = true;
	}
	return t->memo->date;
}

/* Instant of a local day number plus minutes; minutes may reach 1440 (next midnight). */
static int64_t instant(const struct today *t, int64_t day, int minutes)
{
	struct civil_date d;
	struct civil_time local;

	day += minutes / 1440;
	minutes %= 1440;
	d = day_date(t, day);
	local.year = d.year;
	local.month = d.month;
	local.day = d.day;
	local.hour = minutes / 60;
	local.minute = minutes % 60;
	local.second = 0;
	return tz_from_local_lenient(t->tz, &local);
}

static int64_t month_start(int year, int month)
{
	while (month > 12) {
		month -= 12;
		year++;
	}
	while (month < 1) {
		month += 12;
		year--;
	}
	return civil_days_from_date(year, month, 1);
}

/* Day number of today plus a number of months and years, the day clamped to the month. */
static int64_t add_months(const struct civil_date *from, int months)
{
	int year = from->year, month = from->month + months;
	int day;

	while (month > 12) {
		month -= 12;
		year++;
	}
	while (month < 1) {
		month += 12;
		year--;
	}
	day = from->day;
	if (day > civil_days_in_month(year, month))
		day = civil_days_in_month(year, month);
	return civil_days_from_date(year, month, day);
}

/* A two-digit year placed in the century that brings it closest to the current year. */
static int full_year(int yy, int current)
{
	int base = current - current % 100 + yy;

	if (base - current > 50)
		base -= 100;
	else if (current - base > 50)
		base += 100;
	return base;
}

static bool year_ok(int year)
{
	return year >= 1900 && year <= 2199;
}

/* Placement of a weekday relative to today. */
static int64_t weekday_day(const struct today *t, const struct dt_date *d)
{
	int64_t monday = t->day - (t->weekday - 1);
	int delta = d->weekday - t->weekday;

	switch (d->wd_mode) {
	case WD_FROM_TODAY:
		return t->day + (delta + 7) % 7 + d->later_days;
	case WD_NEXT_WEEK:
		return monday + 7 + (d->weekday - 1) + d->later_days;
	case WD_LAST:
		return t->day - ((t->weekday - d->weekday + 7) % 7 == 0 ? 7
								: (t->weekday - d->weekday + 7) % 7) +
		       d->later_days;
	case WD_IN_WEEK:
		return monday + 7 * d->week_offset + (d->weekday - 1) + d->later_days;
	case WD_AFTER_TODAY:
	default:
		return t->day + ((delta + 6) % 7) + 1 + d->later_days;
	}
}

/* First day on or after today whose day of month is `day`, in month `month` when set. */
static int day_of_month_next(const struct today *t, int day, int64_t *out)
{
	int year = t->date.year, month = t->date.month;

	for (int i = 0; i < 13; i++) {
		if (day <= civil_days_in_month(year, month)) {
			int64_t candidate = civil_days_from_date(year, month, day);

			if (candidate >= t->day) {
				*out = candidate;
				return 0;
			}
		}
		if (++month > 12) {
			month = 1;
			year++;
		}
	}
	return ENOENT;
}

/* "jeudi 15": the first Thursday the 15th from today, within two years. */
static bool weekday_and_day(const struct today *t, int weekday, int day, int64_t *out)
{
	int year = t->date.year, month = t->date.month;

	for (int i = 0; i < 25; i++) {
		if (day <= civil_days_in_month(year, month)) {
			int64_t candidate = civil_days_from_date(year, month, day);

			if (candidate >= t->day && civil_weekday(candidate) == weekday) {
				*out = candidate;
				return true;
			}
		}
		if (++month > 12) {
			month = 1;
			year++;
		}
	}
	return false;
}

/* Cut a month [first, end) to one of its parts (days 1-32, 32 being the month's end). */
static void month_part(const struct dt_date *d, int64_t *first, int64_t *end)
{
	int64_t month_first = *first, month_end = *end;

	if (d->part == PART_NONE || d->part_to <= d->part_from)
		return;
	*first = month_first + d->part_from - 1;
	*end = d->part_to >= 32 ? month_end : month_first + d->part_to - 1;
	if (*end > month_end)
		*end = month_end;
}

/* Cut a week starting on Monday `*first` to a part: days from Monday, weekend, workdays. */
static void week_part(const struct dt_date *d, int64_t *first, int64_t *end)
{
	int64_t monday = *first;

	switch (d->part) {
	case PART_WEEKEND:
		*first = monday + 5;
		*end = monday + 7;
		break;
	case PART_WORKWEEK:
		*end = monday + 5;
		break;
	case PART_NONE:
		break;
	default:
		if (d->part_to > d->part_from) {
			*first = monday + d->part_from;
			*end = monday + d->part_to;
		}
		break;
	}
}

/* "le premier mercredi du mois", "the last Friday of October", "le dernier jour d'octobre". */
static int nth_of_month(const struct dt_date *d, int64_t month_first, int64_t month_end,
			int64_t *day)
{
	if (d->weekday == 0) {
		*day = d->nth > 0 ? month_first + d->nth - 1 : month_end + d->nth;
		return *day >= month_first && *day < month_end ? 0 : ENOENT;
	}
	if (d->nth > 0) {
		int64_t first = month_first + (d->weekday - civil_weekday(month_first) + 7) % 7;

		*day = first + 7 * (d->nth - 1);
	} else {
		int64_t last = month_end - 1;

		*day = last - (civil_weekday(last) - d->weekday + 7) % 7 + 7 * (d->nth + 1);
	}
	return *day >= month_first && *day < month_end ? 0 : ENOENT;
}

static int resolve_month(const struct today *t, const struct dt_date *d, int64_t *first,
			 int64_t *end, enum nlu_grain *grain)
{
	int year, month;

	if (d->set & DT_MONTH_REL) {
		year = t->date.year;
		month = t->date.month + d->month_offset;
	} else {
		month = d->month;
		if (d->set & DT_YEAR)
			year = d->year_two_digits ? full_year(d->year, t->date.year) : d->year;
		else
			year = month >= t->date.month ? t->date.year : t->date.year + 1;
		if (!year_ok(year))
			return EINVAL;
	}
	*first = month_start(year, month);
	*end = month_start(year, month + 1);
	*grain = NLU_GRAIN_MONTH;
	if (d->set & DT_NTH) {
		int64_t day;
		int err = nth_of_month(d, *first, *end, &day);

		if (err)
			return err;
		/* "le premier mercredi de mars" already past: next year's. */
		if (day < t->day && !(d->set & (DT_YEAR | DT_MONTH_REL))) {
			int64_t next_first = month_start(year + 1, month);

			err = nth_of_month(d, next_first, month_start(year + 1, month + 1), &day);
			if (err)
				return err;
		}
		*first = day;
		*end = day + 1;
		*grain = NLU_GRAIN_DAY;
		return 0;
	}
	if (d->part != PART_NONE) {
		month_part(d, first, end);
		*grain = NLU_GRAIN_DAY;
		/* "en début de mois" said on the 12th: the next month's beginning. */
		if (*end <= t->day && (d->set & DT_MONTH_REL) && d->month_offset == 0 && !d->this_) {
			*first = month_start(year, month + 1);
			*end = month_start(year, month + 2);
			month_part(d, first, end);
		}
	}
	return 0;
}

static int resolve_year(const struct today *t, const struct dt_date *d, int64_t *first,
			int64_t *end, enum nlu_grain *grain)
{
	int year = (d->set & DT_YEAR_REL) ? t->date.year + d->year_offset : d->year;

	if (!year_ok(year))
		return EINVAL;
	*first = civil_days_from_date(year, 1, 1);
	*end = civil_days_from_date(year + 1, 1, 1);
	*grain = NLU_GRAIN_YEAR;
	if (d->part != PART_NONE && d->part_to > d->part_from) {
		*first = month_start(year, d->part_from);
		*end = month_start(year, d->part_to);
		*grain = NLU_GRAIN_MONTH;
		/* "en début d'année" said in December: next year's beginning. */
		if (*end <= t->day && (d->set & DT_YEAR_REL) && d->year_offset == 0 && !d->this_) {
			*first = month_start(year + 1, d->part_from);
			*end = month_start(year + 1, d->part_to);
		}
	}
	return 0;
}

/* Day, month and year as said: "le 3", "le 3 mars", "3/3/2015", "mardi 3". */
static int resolve_calendar(const struct today *t, const struct dt_date *d, int64_t *first)
{
	int year, month = d->month;

	if ((d->set & DT_DAY) && (d->set & DT_MONTH_REL)) {
		int64_t m = month_start(t->date.year, t->date.month + d->month_offset);
		struct civil_date md = civil_date_from_days(m);

		if (d->day > civil_days_in_month(md.year, md.month))
			return ENOENT;
		*first = m + d->day - 1;
		return 0;
	}
	if (!(d->set & DT_MONTH)) {
		/* "le 3": this month when still ahead, else next month. */
		if ((d->set & DT_WEEKDAY) && weekday_and_day(t, d->weekday, d->day, first))
			return 0;
		return day_of_month_next(t, d->day, first);
	}
	if (d->set & DT_YEAR) {
		year = d->year_two_digits ? full_year(d->year, t->date.year) : d->year;
		if (!year_ok(year) || !civil_date_valid(year, month, d->day))
			return year_ok(year) ? ENOENT : EINVAL;
		*first = civil_days_from_date(year, month, d->day);
		return 0;
	}
	/* "le 3 mars": this year unless already past, then next year. */
	year = t->date.year;
	if (month < t->date.month || (month == t->date.month && d->day < t->date.day))
		year++;
	if (!civil_date_valid(year, month, d->day))
		return ENOENT;
	*first = civil_days_from_date(year, month, d->day);
	/* "Fri, Jul 18" said when July 18 is a Thursday: next year's, when that is a Friday.
	 * NOTE: otherwise the date wins and the contradicting weekday is dropped silently. */
	if ((d->set & DT_WEEKDAY) && civil_weekday(*first) != d->weekday &&
	    civil_date_valid(year + 1, month, d->day) &&
	    civil_weekday(civil_days_from_date(year + 1, month, d->day)) == d->weekday)
		*first = civil_days_from_date(year + 1, month, d->day);
	return 0;
}

static int resolve_date(const struct today *t, const struct dt_date *d, int64_t *first,
			int64_t *end, enum nlu_grain *grain)
{
	*grain = NLU_GRAIN_DAY;
	if (d->set & DT_NEXT_DAYS) {
		*first = t->day + d->rel_days;
		*end = *first + d->span_days;
		return 0;
	}
	if (d->set & DT_NEXT_WEEKS) {
		*first = t->day - (t->weekday - 1) + 7 * d->week_offset;
		*end = *first + 7 * d->span;
		*grain = NLU_GRAIN_WEEK;
		return 0;
	}
	if (d->set & DT_NEXT_MONTHS) {
		*first = month_start(t->date.year, t->date.month + d->month_offset);
		*end = month_start(t->date.year, t->date.month + d->month_offset + d->span);
		*grain = NLU_GRAIN_MONTH;
		return 0;
	}
	if (d->set & DT_REL) {
		*first = t->day + d->rel_days;
		if (d->rel_months || d->rel_years) {
			struct civil_date base = civil_date_from_days(*first);

			*first = add_months(&base, d->rel_months + 12 * d->rel_years);
		}
		*end = *first + 1;
		return 0;
	}
	if ((d->set & DT_WEEKDAY) && !(d->set & (DT_DAY | DT_NTH))) {
		*first = weekday_day(t, d);
		*end = *first + 1;
		return 0;
	}
	if (d->set & DT_WEEK) {
		*first = t->day - (t->weekday - 1) + 7 * d->week_offset;
		*end = *first + 7;
		*grain = NLU_GRAIN_WEEK;
		if (d->part != PART_NONE) {
			int64_t monday = *first;

			week_part(d, first, end);
			*grain = NLU_GRAIN_DAY;
			/* "en fin de semaine" said on a Sunday: next week's. */
			if (*end <= t->day && d->week_offset == 0 && !d->this_) {
				*first = monday + 7;
				*end = *first + 7;
				week_part(d, first, end);
			}
		}
		return 0;
	}
	if (d->set & DT_DAY) {
		int err = resolve_calendar(t, d, first);

		*end = *first + 1;
		if (!err && (d->set & DT_WEEK_OF)) {
			*first -= civil_weekday(*first) - 1;
			*end = *first + 7;
			*grain = NLU_GRAIN_WEEK;
		}
		return err;
	}
	if (d->set & (DT_MONTH | DT_MONTH_REL))
		return resolve_month(t, d, first, end, grain);
	if (d->set & (DT_YEAR | DT_YEAR_REL))
		return resolve_year(t, d, first, end, grain);
	return EINVAL;
}

/* Local minutes of a clock time, reading a bare 1-12 hour with its meridiem or hint. */
static int clock_minutes(const struct dt_clock *c, enum dt_meridiem hint)
{
	int hour = c->hour;
	enum dt_meridiem m = c->meridiem != MER_NONE ? c->meridiem : hint;

	if (hour >= 1 && hour <= 12 && !c->named && m != MER_NONE) {
		switch (m) {
		case MER_AM:
			if (hour == 12)
				hour = 0;
			break;
		case MER_PM:
			if (hour < 12)
				hour += 12;
			break;
		case MER_NIGHT:
			if (hour == 12)
				hour = 0;
			else if (hour >= 6)
				hour += 12;
			break;
		default:
			break;
		}
	} else if (hour >= 1 && hour <= 7 && !c->explicit24 && m == MER_NONE) {
		/* The practice is closed at night: "à 3 heures" is 15:00. */
		hour += 12;
	}
	return hour * 60 + c->minute;
}

static int clock_length(const struct dt_clock *c)
{
	return c->has_minute ? 1 : 60;
}

/* The local minutes [from, to) of a time, and its grain. */
static void time_window(const struct dt_time *tm, int *from, int *to, enum nlu_grain *grain)
{
	switch (tm->kind) {
	case TM_CLOCK:
		*from = clock_minutes(&tm->a, tm->hint);
		*to = *from + clock_length(&tm->a);
		*grain = tm->a.has_minute ? NLU_GRAIN_MINUTE : NLU_GRAIN_HOUR;
		break;
	case TM_RANGE: {
		enum dt_meridiem hint = tm->hint;

		*from = clock_minutes(&tm->a, hint);
		/* "de 11h30 à 1h30": the end comes after the start. */
		*to = clock_minutes(&tm->b, hint);
		if (*to <= *from && tm->b.hour <= 12 && tm->b.meridiem == MER_NONE &&
		    *to + 720 > *from)
			*to += 720;
		if (*to <= *from)
			*to += 1440;
		*grain = tm->a.has_minute || tm->b.has_minute ? NLU_GRAIN_MINUTE : NLU_GRAIN_HOUR;
		break;
	}
	case TM_PART:
		*from = tm->from;
		*to = tm->to;
		*grain = NLU_GRAIN_PART_OF_DAY;
		break;
	default:
		*from = 0;
		*to = 1440;
		*grain = NLU_GRAIN_NONE;
		break;
	}
}

/* For a time without a date: today when the time is still ahead, else tomorrow. */
static int64_t day_for_time(const struct today *t, const struct dt_item *item, int from, int to)
{
	int64_t ahead;

	if (item->time.today)
		return t->day;
	if (item->time.kind == TM_PART || item->time_before || item->time.kind == TM_RANGE)
		ahead = instant(t, t->day, to);
	else if (item->time_after)
		ahead = instant(t, t->day, 1440);
	else
		ahead = instant(t, t->day, from);
	return ahead > t->now ? t->day : t->day + 1;
}

static int resolve_dates(const struct today *t, const struct dt_item *item, int64_t *first,
			 int64_t *end, enum nlu_grain *grain, bool *open_start, bool *open_end)
{
	int err = resolve_date(t, &item->date, first, end, grain);

	if (err)
		return err;
	if (item->has_date_end) {
		int64_t first2, end2;
		enum nlu_grain grain2;
		struct dt_date e = item->date_end;

		err = resolve_date(t, &e, &first2, &end2, &grain2);
		if (err)
			return err;
		/* "du lundi au vendredi": the end is the first such weekday from the start. */
		if (e.set == DT_WEEKDAY) {
			first2 = *first + (e.weekday - civil_weekday(*first) + 7) % 7;
			end2 = first2 + 1;
		}
		/* "du 28 décembre au 3 janvier": an end before the start is in the next year. */
		while (end2 <= *first && !(e.set & DT_YEAR) && (e.set & DT_MONTH)) {
			e.set |= DT_YEAR;
			e.year = civil_date_from_days(first2).year + 1;
			err = resolve_date(t, &e, &first2, &end2, &grain2);
			if (err)
				return err;
		}
		if (end2 > *end)
			*end = end2;
		*grain = NLU_GRAIN_DAY;
	}
	if (item->date_after || item->date_after_strict) {
		if (item->date_after_strict)
			*first = *end;
		*end = *first + NLU_HORIZON_DAYS;
		*open_end = true;
		*grain = NLU_GRAIN_DAY;
	} else if (item->date_before || item->date_until) {
		int64_t last = item->date_before ? *first : *end;

		*first = t->day < last ? t->day : last;
		*end = last;
		*open_start = true;
		*grain = NLU_GRAIN_DAY;
	}
	return 0;
}

/*
 * "pas le matin": narrow a free window to what the excluded part leaves. A part in the
 * middle of the day leaves two sides; the window keeps the afternoon after a morning
 * part and the hours before a later one.
 * NOTE: "pas l'après-midi" so loses the evening; a window holds one stretch of a day.
 */
static void exclude_part(const struct dt_item *item, int *from, int *to)
{
	if (item->exclude_from < 0)
		return;
	if (item->exclude_from < 720)
		*from = item->exclude_to > *from ? item->exclude_to : *from;
	else
		*to = item->exclude_from < *to ? item->exclude_from : *to;
	if (*to <= *from) {
		*from = 0;
		*to = 1440;
	}
}

int dt_item_resolve(const struct dt_item *item, int64_t now, const struct tz *tz,
		    struct nlu_when *when, bool *past)
{
	struct today t;
	struct day_memo memo = {false, 0, {0, 0, 0}};
	int offset;
	struct civil_time local = tz_to_local(tz, now, &offset);
	int64_t first, end;
	enum nlu_grain grain = NLU_GRAIN_NONE, time_grain = NLU_GRAIN_NONE;
	int from = 0, to = 1440;
	bool open_start = false, open_end = false;
	int err;

	t.date.year = local.year;
	t.date.month = local.month;
	t.date.day = local.day;
	/* tz_to_local() floored the local seconds to this day, so the day number is taken
	 * from them. Far from 1970 it is converted back from the date instead. */
	if (now / 86400 > -TODAY_REUSE_DAYS_MAX && now / 86400 < TODAY_REUSE_DAYS_MAX) {
		int64_t wall = now + offset;

		t.day = wall >= 0 ? wall / 86400 : -((-wall + 86399) / 86400);
	} else {
		t.day = civil_days_from_date(local.year, local.month, local.day);
	}
	t.minute = local.hour * 60 + local.minute;
	t.weekday = civil_weekday(t.day);
	t.now = now;
	t.tz = tz;
	t.memo = &memo;
	memset(when, 0, sizeof(*when));
	*past = false;

	if (item->has_time && item->time.kind == TM_NOW_REL) {
		when->start = now + (int64_t)item->time.rel_minutes * 60;
		when->start -= ((when->start % 60) + 60) % 60;
		when->end = when->start + 60;
		when->grain = NLU_GRAIN_MINUTE;
		when->minute_from = 0;
		when->minute_to = 1440;
		return 0;
	}
	if (item->has_time)
		time_window(&item->time, &from, &to, &time_grain);

	if (item->has_date) {
		err = resolve_dates(&t, item, &first, &end, &grain, &open_start, &open_end);
		if (err)
			return err;
	} else if (item->has_time) {
		first = day_for_time(&t, item, from, to);
		end = first + 1;
	} else {
		/* Only exclusions: "pas le lundi" leaves the coming weeks. */
		first = t.day;
		end = t.day + NLU_HORIZON_DAYS;
		grain = NLU_GRAIN_NONE;
	}

	if (item->has_time) {
		grain = time_grain;
		/* "après le déjeuner" starts when lunch ends; "dès le matin" when it starts. */
		if (item->time_after) {
			if (item->time.kind == TM_PART && !item->time_inclusive)
				from = to;
			to = 1440;
			open_end = true;
		} else if (item->time_before) {
			if (item->time.kind != TM_PART || !item->time_inclusive)
				to = from;
			from = 0;
			open_start = true;
		}
	} else {
		exclude_part(item, &from, &to);
	}
	when->start = instant(&t, first, from);
	when->end = instant(&t, end - 1, to);
	when->grain = grain;
	when->minute_from = from < 1440 ? from : 1440;
	when->minute_to = to < 1440 ? to : 1440;
	when->weekday_exclude = item->weekday_exclude;
	when->open_start = open_start;
	when->open_end = open_end;
	*past = end <= t.day;
	return 0;
}
