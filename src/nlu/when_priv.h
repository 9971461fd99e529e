/*
 * Dates and times, between the parser (when_parse.c) and the resolver (when_resolve.c).
 *
 * The parser turns tokens into descriptions that do not depend on the reference instant
 * ("the Tuesday of next week", "15:30", "the morning"); the resolver turns each
 * description into a UTC interval for a given "now" and zone. Conventions (what "mardi
 * prochain" means, the hours of "le matin") are in docs/nlu-conventions.md.
 */
#ifndef PERMANENCE_NLU_WHEN_PRIV_H
#define PERMANENCE_NLU_WHEN_PRIV_H

#include "nlu_priv.h"

/* Which fields of a struct dt_date are set. */
#define DT_DAY 0x001        /* day of month */
#define DT_MONTH 0x002
#define DT_YEAR 0x004
#define DT_WEEKDAY 0x008
#define DT_REL 0x010        /* today + rel_days (+ rel_months, rel_years) */
#define DT_WEEK 0x020       /* the calendar week week_offset weeks from this one */
#define DT_MONTH_REL 0x040  /* the month month_offset months from this one */
#define DT_YEAR_REL 0x080   /* the year year_offset years from this one */
#define DT_NEXT_DAYS 0x100  /* span_days days from today + rel_days: "les 3 prochains jours" */
#define DT_NEXT_WEEKS 0x200 /* span weeks from the week week_offset: "les 3 prochaines semaines" */
#define DT_NEXT_MONTHS 0x400 /* span months from the month month_offset */
#define DT_NTH 0x800        /* the nth weekday (or day when weekday is 0) of a month */
#define DT_WEEK_OF 0x1000   /* the calendar week that contains the date */

/* How a weekday is placed relative to today. */
enum dt_weekday_mode {
	WD_AFTER_TODAY = 0, /* a bare weekday: its first occurrence after today */
	WD_FROM_TODAY,      /* "ce mardi", "this Tuesday": today counts */
	WD_NEXT_WEEK,       /* "mardi prochain", "next Tuesday": in next calendar week */
	WD_LAST,            /* "mardi dernier": its last occurrence before today */
	WD_IN_WEEK,         /* "mardi de la semaine prochaine": in week week_offset */
};

/* A part of a week, month or year: "début", "mi-", "fin", "première quinzaine". */
enum dt_period_part {
	PART_NONE = 0,
	PART_BEGIN,
	PART_MIDDLE,
	PART_END,
	PART_FIRST_HALF,
	PART_SECOND_HALF,
	PART_WEEKEND,   /* Saturday and Sunday of a week */
	PART_WORKWEEK,  /* "en semaine": Monday to Friday */
};

/* A date as said, before it is placed relative to today. */
struct dt_date {
	unsigned set;
	int day;
	int month;
	int year;
	bool year_two_digits;    /* "20/02/14": resolved to the closest century */
	int weekday;             /* 1 = Monday .. 7 = Sunday */
	enum dt_weekday_mode wd_mode;
	int later_days;          /* "mardi en huit": 7 days after the weekday */
	int week_offset;
	int month_offset;
	int year_offset;
	int rel_days;
	int rel_months;
	int rel_years;
	int span_days;
	int span;                /* DT_NEXT_WEEKS, DT_NEXT_MONTHS: how many */
	int nth;                 /* DT_NTH: 1 = first .. 5, -1 = last */
	enum dt_period_part part;
	int part_from;           /* the part's window, from struct nlu's period windows */
	int part_to;
	bool this_;              /* "ce", "this": the current period, today allowed */
};

/* Meridiem of a clock time: how an hour from 1 to 12 reads. */
enum dt_meridiem {
	MER_NONE = 0,
	MER_AM,
	MER_PM,
	MER_NIGHT, /* "at night": 6-11 are evening hours, 1-5 early morning */
};

struct dt_clock {
	int hour;        /* as said: 0-24 */
	int minute;
	bool has_minute; /* minutes were said, even ":00": the grain is the minute */
	bool explicit24; /* a 24-hour form: "07:30", "17h", "0h", "midi" */
	bool marked;     /* said with a mark ("h", ":", "pm", "heures"), not a bare number */
	bool named;      /* "midi", "minuit", "noon": never moved by a meridiem */
	enum dt_meridiem meridiem;
};

enum dt_time_kind {
	TM_NONE = 0,
	TM_CLOCK,    /* a point: "14h30" */
	TM_PART,     /* a part of the day: from..to */
	TM_RANGE,    /* two clocks: "entre 10h et 11h" */
	TM_NOW_REL,  /* now + rel_minutes: "dans une heure" */
};

struct dt_time {
	enum dt_time_kind kind;
	struct dt_clock a;        /* the clock, or the start of a range */
	struct dt_clock b;        /* the end of a range */
	int from;                 /* TM_PART: local minutes [from, to) */
	int to;
	enum dt_meridiem hint;    /* TM_PART: how a bare hour said with it reads */
	bool today;               /* "tonight", "ce soir": today even when passed */
	int rel_minutes;
};

/* A time preference after parsing: a date, a time of day, or both, with bounds. */
struct dt_item {
	bool has_date;
	bool has_date_end;        /* a date range: date .. date_end, both included */
	bool has_time;
	struct dt_date date;
	struct dt_date date_end;
	struct dt_time time;
	bool date_after;          /* "à partir du 8 mars": the date and what follows */
	bool date_after_strict;   /* "après le 8 mars": from the day after */
	bool date_before;         /* "avant le 15": from today until the day before */
	bool date_until;          /* "jusqu'au 15": until the day itself */
	bool time_after;          /* "après 17h": from the time to the end of the day */
	bool time_before;         /* "avant midi": from the start of the day to the time */
	bool time_inclusive;      /* "dès le matin", "jusqu'au soir": the part itself counts */
	unsigned weekday_exclude; /* bit 1 = Monday .. bit 7 = Sunday */
	int exclude_from;         /* a part of the day excluded: "pas le matin"; -1 when none */
	int exclude_to;
	size_t token_from;
	size_t token_to;
};

/*
 * Resolve one item against today's local date and time in `tz`. Returns 0, ENOENT when
 * the date does not exist (30 February) or EINVAL for fields out of range.
 */
int dt_item_resolve(const struct dt_item *item, int64_t now, const struct tz *tz,
		    struct nlu_when *when, bool *past);

#endif
