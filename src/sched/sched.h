/*
 * Scheduling rules: which slots of the practice's agenda can be offered and booked.
 *
 * Pure: every function reads only its arguments (the rules, the booked intervals, the
 * query with its "now") and writes only its outputs, so tables of cases test it and a
 * struct sched_rules can be shared between threads. Instants are UTC seconds; opening
 * hours and day parts are local minutes since midnight in the practice's zone, and every
 * conversion goes through core/tz.h, so daylight-saving days are handled by the zone.
 *
 * The agenda is a grid: a slot starts at an opening window's start plus a multiple of
 * the practice's slot step, lasts its type's duration, and must fit inside the window.
 */
#ifndef PERMANENCE_SCHED_H
#define PERMANENCE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tz.h"

#define SCHED_MAX_PRACTITIONERS 64
#define SCHED_MAX_TYPES 64
#define SCHED_MAX_RESULTS 32

/* Day parts, for queries ("le matin"): local start times in [from, to) minutes. */
enum sched_part {
	SCHED_PART_MORNING = 0x1,   /* starts before 13:00 */
	SCHED_PART_AFTERNOON = 0x2, /* starts from 13:00 to before 18:00 */
	SCHED_PART_EVENING = 0x4,   /* starts at 18:00 or later */
};

/* Optional holiday sets a practice adds to the national French holidays. */
enum sched_region {
	SCHED_REGION_ALSACE_MOSELLE = 0x01, /* Good Friday, 26 December */
	SCHED_REGION_GUADELOUPE = 0x02,     /* abolition of slavery: 27 May */
	SCHED_REGION_MARTINIQUE = 0x04,     /* 22 May */
	SCHED_REGION_GUYANE = 0x08,         /* 10 June */
	SCHED_REGION_REUNION = 0x10,        /* 20 December */
	SCHED_REGION_MAYOTTE = 0x20,        /* 27 April */
	SCHED_REGION_SAINT_MARTIN = 0x40,   /* 28 May */
	SCHED_REGION_SAINT_BARTHELEMY = 0x80, /* 9 October */
};

/* Why a slot cannot be booked; SCHED_OK when it can. */
enum sched_verdict {
	SCHED_OK = 0,
	SCHED_PAST,              /* starts before now */
	SCHED_TOO_SOON,          /* inside the minimum notice */
	SCHED_BEYOND_HORIZON,    /* later than the booking horizon */
	SCHED_CLOSED,            /* outside the practitioner's opening hours or off the grid */
	SCHED_HOLIDAY,           /* a public holiday or a closure of the practice */
	SCHED_ABSENT,            /* the practitioner is away */
	SCHED_TAKEN,             /* overlaps a booked appointment */
	SCHED_RESERVED,          /* kept for urgent same-day requests until its release */
	SCHED_WRONG_PRACTITIONER, /* this type is not taken by this practitioner */
	SCHED_NEW_PATIENT_TYPE,  /* a new patient needs another type (a first consultation) */
	SCHED_INACTIVE,          /* practitioner or type switched off */
	SCHED_VERDICT_COUNT
};

/* A stable English code for logs and JSON ("taken", "holiday", ...). */
const char *sched_verdict_name(enum sched_verdict verdict);
/* A sentence for people, in French ("fr") or English ("en"). */
const char *sched_verdict_message(enum sched_verdict verdict, const char *lang);

struct sched_window {
	int weekday;        /* 1 = Monday ... 7 = Sunday */
	int start_min;      /* local minutes since midnight */
	int end_min;
	int64_t valid_from;  /* first day number it applies to (civil.h), INT64_MIN for always */
	int64_t valid_until; /* last day number, INT64_MAX for always */
};

struct sched_practitioner {
	int64_t id;
	bool active;
	size_t window_count;
	const struct sched_window *windows;
	size_t reserve_count; /* windows kept for urgent requests (valid_* unused) */
	const struct sched_window *reserves;
};

struct sched_type {
	int64_t id;
	int duration_min;
	bool new_patient_allowed;
	bool active;
	/* Practitioners (by index) who take this type; 0 means every practitioner. */
	uint64_t practitioner_mask;
};

/* A closed interval of time: practitioner index, or -1 for the whole practice. */
struct sched_closure {
	int practitioner;
	int64_t start;
	int64_t end;
};

struct sched_rules {
	const struct tz *tz;
	int slot_step_min;
	int min_notice_min;
	int urgent_release_min;
	int horizon_days;
	unsigned holiday_regions; /* enum sched_region bits */
	size_t practitioner_count;
	const struct sched_practitioner *practitioners;
	size_t type_count;
	const struct sched_type *types;
	/* Practice-specific closed days (day numbers), sorted. */
	size_t extra_holiday_count;
	const int64_t *extra_holidays;
	/* Absences and closures, sorted by start. */
	size_t closure_count;
	const struct sched_closure *closures;
};

/* A booked interval: what the agenda already holds. */
struct sched_busy {
	int64_t start;
	int64_t end;
	int64_t appointment_id;
};

/*
 * The booked intervals known for [from, to), per practitioner index, each list sorted by
 * start. Searches and checks outside [from, to) are refused with ERANGE.
 */
struct sched_agenda {
	const struct sched_rules *rules;
	int64_t from;
	int64_t to;
	const struct sched_busy *busy[SCHED_MAX_PRACTITIONERS];
	size_t busy_count[SCHED_MAX_PRACTITIONERS];
};

struct sched_query {
	int type;            /* index into rules->types */
	int practitioner;    /* index, or -1 for any practitioner who takes the type */
	int64_t from;        /* UTC range to search; clamped to now + notice and the horizon */
	int64_t to;
	unsigned parts;      /* enum sched_part bits; 0 for any */
	unsigned weekdays;   /* bit (1 << weekday) allowed; 0 for any */
	int earliest_min;    /* the slot starts at or after this local minute (0 for free) */
	int latest_min;      /* and ends at or before this one (1440 for free) */
	int64_t now;
	bool urgent;         /* an urgent same-day request: may take reserved slots */
	bool new_patient;
	bool adjacent;       /* return the first slots in order, without spreading them */
	size_t max_results;  /* 1 to SCHED_MAX_RESULTS */
};

struct sched_slot {
	int64_t start;
	int64_t end;
	int practitioner; /* index into rules->practitioners */
};

/*
 * Find up to query->max_results free slots, soonest first. Unless query->adjacent, the
 * results are spread: at most one per part of a day (morning, afternoon, evening) at
 * first, then slots at least an hour from those already taken, then any. With practitioner -1, a time offered once goes to
 * the practitioner with the fewest appointments that day.
 *
 * Returns 0 with *count set (possibly 0); EINVAL for an invalid query (index out of
 * range, max_results 0 or too large, from >= to); ERANGE when the range is not covered by
 * the agenda. A rule that makes every slot impossible whatever the time (a type the
 * practitioner does not take, a type a new patient cannot book) returns EPERM with
 * *verdict (may be NULL) telling which.
 */
int sched_search(const struct sched_agenda *agenda, const struct sched_query *query,
		 struct sched_slot *slots, size_t *count, enum sched_verdict *verdict);

struct sched_request {
	int type;
	int practitioner;
	int64_t start;
	int64_t now;
	bool urgent;
	bool new_patient;
	int64_t ignore_appointment; /* a move: the appointment being moved does not block */
};

/* Check one slot against every rule; returns SCHED_OK or the first rule it breaks. */
enum sched_verdict sched_check(const struct sched_agenda *agenda,
			       const struct sched_request *request);

/* ---- Holidays ---- */

struct sched_holiday {
	int64_t day;         /* day number (civil.h) */
	const char *name_fr;
	const char *name_en;
};

#define SCHED_MAX_HOLIDAYS_PER_YEAR 16

/* French public holidays of a year with the regional sets in `regions`, sorted by day. */
size_t sched_holidays_of_year(int year, unsigned regions, struct sched_holiday *out,
			      size_t size);
/* Whether a day is a public holiday (national or in `regions`); *holiday may be NULL. */
bool sched_is_holiday(int64_t day, unsigned regions, struct sched_holiday *holiday);
/*
 * Parse a comma-separated list of region codes ("alsace-moselle,reunion") into bits.
 * Returns 0, or EINVAL with *bad (may be NULL) pointing at the unknown code.
 */
int sched_regions_parse(const char *text, unsigned *regions, const char **bad);

/* A mistake in a practice's rules, described in the reader's language by the caller. */
enum sched_issue_kind {
	SCHED_ISSUE_NONE = 0,
	SCHED_ISSUE_SLOT_STEP,      /* value: the step in minutes */
	SCHED_ISSUE_NEGATIVE_DELAY, /* notice, release time or horizon */
	SCHED_ISSUE_WEEKDAY,        /* practitioner, reserve; value: the weekday */
	SCHED_ISSUE_HOURS_ORDER,    /* practitioner, reserve, weekday, first window */
	SCHED_ISSUE_VALIDITY_ORDER, /* practitioner: valid_until before valid_from */
	SCHED_ISSUE_HOURS_OVERLAP,  /* practitioner, weekday, first and second windows */
	SCHED_ISSUE_TYPE_DURATION,  /* type; value: the duration in minutes */
};

struct sched_issue {
	enum sched_issue_kind kind;
	size_t practitioner;       /* index in the rules */
	size_t type;               /* index in the rules */
	bool reserve;              /* an urgent reserve rather than opening hours */
	int weekday;               /* 1 Monday .. 7 Sunday */
	int value;
	int first_start, first_end;   /* minutes from midnight */
	int second_start, second_end;
};

/*
 * Check rules for mistakes a practice can make in its settings: windows that end before
 * they start or overlap for the same practitioner and weekday, a duration out of range...
 * Returns 0, or EINVAL with *issue describing the first mistake found.
 */
int sched_rules_check(const struct sched_rules *rules, struct sched_issue *issue);

/*
 * Write a sentence for an issue in `lang` ("fr" or "en") into buf. `who` names the
 * practitioner or the appointment type concerned, or is NULL to use its number.
 */
void sched_issue_describe(const struct sched_issue *issue, const char *lang, const char *who,
			  char *buf, size_t size);

/* sched_rules_check() with an English message naming the value, for logs and the CLI. */
int sched_rules_validate(const struct sched_rules *rules, char *message, size_t size);

#endif
