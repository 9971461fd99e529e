#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "civil.h"
#include "demo.h"
#include "sched.h"
#include "store.h"
#include "test.h"
#include "tz.h"

/* ---- Helpers ---- */

static int64_t utc_of(int y, int mo, int d, int h, int mi)
{
	struct civil_time t = {y, mo, d, h, mi, 0};

	return civil_time_to_seconds(&t);
}

static int64_t paris(int y, int mo, int d, int h, int mi)
{
	struct tz *tz;
	struct civil_time t = {y, mo, d, h, mi, 0};
	int64_t utc = 0;

	if (tz_open(&tz, "Europe/Paris") == 0) {
		if (tz_from_local(tz, &t, &utc, NULL) != 0)
			utc = 0;
		tz_close(tz);
	}
	return utc;
}

struct fixture {
	char path[512];
	struct store *st;
	struct agenda *agenda;
};

static void fixture_open(struct fixture *f, int64_t now)
{
	static int opened;
	char message[300];
	const char *why;
	char name[32];

	/* A fresh file each time, so one case can open several fixtures. */
	snprintf(name, sizeof(name), "demo-%d.db", opened++);
	test_tmp_path(f->path, sizeof(f->path), name);
	TEST_REQUIRE(store_open(&f->st, f->path, STORE_CREATE, &why) == 0);
	TEST_REQUIRE(store_migrate(f->st) == 0);
	if (agenda_demo_create(f->st, now, message, sizeof(message)) != 0) {
		fprintf(stderr, "demo: %s\n", message);
		TEST_REQUIRE(false);
	}
	TEST_REQUIRE(agenda_open(&f->agenda, f->st, message, sizeof(message)) == 0);
}

static void fixture_close(struct fixture *f)
{
	agenda_close(f->agenda);
	store_close(f->st);
}

static int practitioner(struct fixture *f, const char *name)
{
	return agenda_practitioner_find(f->agenda, name);
}

static int type(struct fixture *f, const char *code)
{
	return agenda_type_find(f->agenda, code);
}

static struct sched_query query_of(struct fixture *f, const char *type_code, int practitioner_index,
				   int64_t now, int64_t from, int64_t to)
{
	struct sched_query q = {0};

	q.type = type(f, type_code);
	q.practitioner = practitioner_index;
	q.now = now;
	q.from = from;
	q.to = to;
	q.latest_min = 1440;
	q.max_results = 3;
	return q;
}

static struct agenda_booking booking_of(struct fixture *f, const char *type_code,
					const char *practitioner_name, int64_t start, int64_t now)
{
	struct agenda_booking b = {0};

	b.type = type(f, type_code);
	b.practitioner = practitioner(f, practitioner_name);
	b.start = start;
	b.now = now;
	b.patient.id = 1; /* Sophie Durand, a known patient of the demo */
	b.source = "cli";
	b.actor = "test";
	return b;
}

/* ---- Holidays ---- */

static void holidays_2026_national(void)
{
	struct sched_holiday list[SCHED_MAX_HOLIDAYS_PER_YEAR];
	size_t n = sched_holidays_of_year(2026, 0, list, SCHED_MAX_HOLIDAYS_PER_YEAR);

	TEST_EQ_INT(n, 11);
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 5, 14), 0, NULL)); /* Ascension */
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 5, 25), 0, NULL)); /* Whit Monday */
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 4, 6), 0, NULL));  /* Easter Monday */
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 7, 14), 0, NULL));
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 11, 11), 0, NULL));
	TEST_CHECK(!sched_is_holiday(civil_days_from_date(2026, 4, 3), 0, NULL)); /* Good Friday */
	TEST_CHECK(!sched_is_holiday(civil_days_from_date(2026, 12, 26), 0, NULL));
	TEST_CHECK(!sched_is_holiday(civil_days_from_date(2026, 5, 15), 0, NULL));
	for (size_t i = 1; i < n; i++)
		TEST_CHECK(list[i - 1].day < list[i].day);
}

static void holidays_other_years(void)
{
	/* Easter-based days move: Ascension 2027 is 6 May, Whit Monday 2030 is 10 June. */
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2027, 5, 6), 0, NULL));
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2030, 6, 10), 0, NULL));
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2025, 4, 21), 0, NULL));
	TEST_CHECK(!sched_is_holiday(civil_days_from_date(2025, 5, 14), 0, NULL));
}

static void holidays_regions(void)
{
	unsigned regions = 0;
	const char *bad = NULL;
	struct sched_holiday h;

	TEST_EQ_INT(sched_regions_parse("alsace-moselle", &regions, &bad), 0);
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 4, 3), regions, &h));
	TEST_EQ_STR(h.name_fr, "Vendredi saint");
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 12, 26), regions, NULL));
	TEST_EQ_INT(sched_regions_parse("reunion, guadeloupe", &regions, &bad), 0);
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 12, 20), regions, NULL));
	TEST_CHECK(sched_is_holiday(civil_days_from_date(2026, 5, 27), regions, NULL));
	TEST_CHECK(!sched_is_holiday(civil_days_from_date(2026, 5, 22), regions, NULL));
	TEST_EQ_INT(sched_regions_parse("bretagne", &regions, &bad), EINVAL);
	TEST_EQ_STR(bad, "bretagne");
	TEST_EQ_INT(sched_regions_parse("", &regions, &bad), 0);
	TEST_EQ_INT(regions, 0);
}

/* ---- Daylight saving ---- */

static void dst_spring_week(void)
{
	struct fixture f;
	int64_t now = paris(2026, 3, 26, 10, 0);
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	size_t count = 0;

	fixture_open(&f, now);
	/* Saturday 28 March: Dr Martin from 09:00 local, which is 08:00 UTC (UTC+1). */
	q = query_of(&f, "consultation", practitioner(&f, "Martin"), now,
		     paris(2026, 3, 28, 0, 0), paris(2026, 3, 29, 0, 0));
	q.adjacent = true;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count > 0);
	TEST_EQ_INT(slots[0].start, utc_of(2026, 3, 28, 8, 0));
	/* Monday 30 March, after the change: 08:30 local is 06:30 UTC (UTC+2). */
	q.from = paris(2026, 3, 30, 0, 0);
	q.to = paris(2026, 3, 31, 0, 0);
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count > 0);
	TEST_EQ_INT(slots[0].start, utc_of(2026, 3, 30, 6, 30));
	/* Sunday 29 March, the change itself: closed. */
	q.from = paris(2026, 3, 29, 0, 0);
	q.to = paris(2026, 3, 30, 0, 0);
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_EQ_INT(count, 0);
	fixture_close(&f);
}

static void dst_autumn_week(void)
{
	struct fixture f;
	int64_t now = paris(2026, 10, 22, 10, 0);
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	struct agenda_booking b;
	struct agenda_outcome out;
	size_t count = 0;

	fixture_open(&f, now);
	q = query_of(&f, "consultation", practitioner(&f, "Martin"), now,
		     paris(2026, 10, 24, 0, 0), paris(2026, 10, 25, 0, 0));
	q.adjacent = true;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count > 0);
	TEST_EQ_INT(slots[0].start, utc_of(2026, 10, 24, 7, 0));
	q.from = paris(2026, 10, 26, 0, 0);
	q.to = paris(2026, 10, 27, 0, 0);
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count > 0);
	TEST_EQ_INT(slots[0].start, utc_of(2026, 10, 26, 7, 30));
	/* Booking that slot stores the UTC instant. */
	b = booking_of(&f, "consultation", "Martin", utc_of(2026, 10, 26, 7, 30), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	TEST_EQ_INT(out.appointment.start_utc, utc_of(2026, 10, 26, 7, 30));
	TEST_EQ_INT(out.appointment.end_utc, utc_of(2026, 10, 26, 7, 45));
	fixture_close(&f);
}

/* A practitioner who works through the night never gets a slot in the skipped hour. */
static void dst_skipped_hour_pure(void)
{
	struct tz *tz;
	struct sched_window night = {7, 0, 6 * 60, INT64_MIN, INT64_MAX};
	struct sched_practitioner p = {1, true, 1, &night, 0, NULL};
	struct sched_type t = {1, 15, true, true, 0};
	struct sched_rules rules = {0};
	struct sched_agenda agenda = {0};
	struct sched_query q = {0};
	struct sched_slot slots[SCHED_MAX_RESULTS];
	size_t count = 0;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	rules.tz = tz;
	rules.slot_step_min = 15;
	rules.horizon_days = 30;
	rules.practitioner_count = 1;
	rules.practitioners = &p;
	rules.type_count = 1;
	rules.types = &t;
	agenda.rules = &rules;
	agenda.from = paris(2026, 3, 28, 0, 0);
	agenda.to = paris(2026, 3, 31, 0, 0);
	q.practitioner = 0;
	q.now = paris(2026, 3, 28, 0, 0);
	q.from = paris(2026, 3, 29, 0, 0);
	q.to = paris(2026, 3, 30, 0, 0);
	q.latest_min = 1440;
	q.adjacent = true;
	q.max_results = SCHED_MAX_RESULTS;
	TEST_EQ_INT(sched_search(&agenda, &q, slots, &count, NULL), 0);
	/* 6 hours of 15-minute slots minus the 4 that fall in 02:00-03:00. */
	TEST_EQ_INT(count, 20);
	for (size_t i = 0; i < count; i++) {
		struct civil_time local = tz_to_local(tz, slots[i].start, NULL);

		TEST_CHECK(local.hour != 2);
	}
	TEST_EQ_INT(slots[8].start, utc_of(2026, 3, 29, 1, 0)); /* 03:00 local, UTC+2 */
	tz_close(tz);
}

/* ---- Calendar rules ---- */

static void holidays_have_no_slots(void)
{
	struct fixture f;
	int64_t now = paris(2026, 5, 11, 9, 0);
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	struct agenda_booking b;
	struct agenda_outcome out;
	size_t count = 0;

	fixture_open(&f, now);
	q = query_of(&f, "consultation", -1, now, paris(2026, 5, 14, 0, 0), paris(2026, 5, 15, 0, 0));
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_EQ_INT(count, 0);
	q.from = paris(2026, 5, 25, 0, 0);
	q.to = paris(2026, 5, 26, 0, 0);
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_EQ_INT(count, 0);
	/* The day after Ascension is a normal Friday. */
	q.from = paris(2026, 5, 15, 0, 0);
	q.to = paris(2026, 5, 16, 0, 0);
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_EQ_INT(count, 3);
	b = booking_of(&f, "consultation", "Martin", paris(2026, 5, 14, 9, 0), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_HOLIDAY);
	fixture_close(&f);
}

static void benali_never_wednesday(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	int benali;
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	struct agenda_booking b;
	struct agenda_outcome out;
	size_t count = 0;

	fixture_open(&f, now);
	benali = practitioner(&f, "Dr Benali");
	TEST_REQUIRE(benali >= 0);
	q = query_of(&f, "consultation", benali, now, now, paris(2026, 8, 1, 0, 0));
	q.weekdays = 1u << 3;
	q.max_results = SCHED_MAX_RESULTS;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_EQ_INT(count, 0);
	q.weekdays = 0;
	q.adjacent = false;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_EQ_INT(count, SCHED_MAX_RESULTS);
	for (size_t i = 0; i < count; i++) {
		int64_t day = tz_day_of(agenda_tz(f.agenda), slots[i].start);

		TEST_CHECK(civil_weekday(day) != 3);
		TEST_EQ_INT(slots[i].practitioner, benali);
	}
	b = booking_of(&f, "consultation", "Benali", paris(2026, 6, 3, 9, 0), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_CLOSED);
	fixture_close(&f);
}

static void paediatric_only_moreau(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	enum sched_verdict verdict = SCHED_OK;
	struct agenda_booking b;
	struct agenda_outcome out;
	size_t count = 0;

	fixture_open(&f, now);
	q = query_of(&f, "suivi-pediatrique", -1, now, now, paris(2026, 7, 1, 0, 0));
	q.max_results = 10;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_EQ_INT(count, 10);
	for (size_t i = 0; i < count; i++)
		TEST_EQ_INT(slots[i].practitioner, practitioner(&f, "Moreau"));
	q.practitioner = practitioner(&f, "Martin");
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, &verdict), EPERM);
	TEST_EQ_INT(verdict, SCHED_WRONG_PRACTITIONER);
	b = booking_of(&f, "suivi-pediatrique", "Martin", paris(2026, 6, 2, 9, 0), now);
	b.patient.id = 2; /* Lucas Durand */
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_WRONG_PRACTITIONER);
	b = booking_of(&f, "suivi-pediatrique", "Moreau", paris(2026, 6, 2, 9, 0), now);
	b.patient.id = 2;
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	fixture_close(&f);
}

static void new_patient_needs_first_consultation(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	enum sched_verdict verdict = SCHED_OK;
	struct agenda_booking b;
	struct agenda_outcome out;
	size_t count = 0;

	fixture_open(&f, now);
	q = query_of(&f, "consultation", -1, now, now, paris(2026, 7, 1, 0, 0));
	q.new_patient = true;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, &verdict), EPERM);
	TEST_EQ_INT(verdict, SCHED_NEW_PATIENT_TYPE);

	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 2, 9, 0), now);
	b.patient.id = 0;
	snprintf(b.patient.last_name, sizeof(b.patient.last_name), "Rousseau");
	snprintf(b.patient.first_name, sizeof(b.patient.first_name), "Inès");
	snprintf(b.patient.birth_date, sizeof(b.patient.birth_date), "1990-01-15");
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_NEW_PATIENT_TYPE);
	TEST_CHECK(out.new_patient);
	/* Nothing was written: the patient created in the failed transaction is gone. */
	{
		struct store_patient *list = NULL;
		size_t n = 0;

		TEST_EQ_INT(store_patients_find_by_name(f.st, "rousseau", "1990-01-15", &list, &n), 0);
		TEST_EQ_INT(n, 0);
		free(list);
	}
	b.type = type(&f, "premiere-consultation");
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	TEST_EQ_INT(out.appointment.end_utc - out.appointment.start_utc, 30 * 60);
	fixture_close(&f);
}

static void notice_around_midnight(void)
{
	struct fixture f;
	struct store_practice practice;
	char message[300];
	int64_t now = paris(2026, 6, 1, 23, 30); /* Monday 23:30 */
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	struct agenda_booking b;
	struct agenda_outcome out;
	size_t count = 0;

	fixture_open(&f, paris(2026, 6, 1, 9, 0));
	/* Ten hours of notice from 23:30 end at 09:30 the next morning. */
	TEST_REQUIRE(store_practice_get(f.st, &practice) == 0);
	practice.min_notice_min = 600;
	TEST_REQUIRE(store_practice_put(f.st, &practice) == 0);
	TEST_REQUIRE(agenda_reload(f.agenda, message, sizeof(message)) == 0);
	q = query_of(&f, "consultation", practitioner(&f, "Martin"), now, now,
		     paris(2026, 6, 10, 0, 0));
	q.adjacent = true;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count == 3);
	TEST_EQ_INT(slots[0].start, paris(2026, 6, 2, 9, 30));
	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 2, 9, 15), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_TOO_SOON);
	b.start = paris(2026, 6, 2, 9, 30);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	/* Just after midnight, the same notice reaches 10:05: the first slot is 10:15. */
	q.now = paris(2026, 6, 2, 0, 5);
	q.from = q.now;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count > 0);
	TEST_EQ_INT(slots[0].start, paris(2026, 6, 2, 10, 15));
	fixture_close(&f);
}

static void search_across_new_year(void)
{
	struct fixture f;
	int64_t now = paris(2026, 12, 30, 18, 0);
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	size_t count = 0;

	fixture_open(&f, paris(2026, 12, 1, 9, 0));
	q = query_of(&f, "consultation", practitioner(&f, "Martin"), now, now,
		     paris(2027, 1, 10, 0, 0));
	q.max_results = 4;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count == 4);
	/*
	 * 30 Dec at 18:00: the evening is inside the notice, so the morning, afternoon and
	 * evening of 31 Dec come first, then 2 Jan (1 Jan is closed).
	 */
	TEST_EQ_INT(slots[0].start, paris(2026, 12, 31, 8, 30));
	TEST_EQ_INT(slots[1].start, paris(2026, 12, 31, 14, 0));
	TEST_EQ_INT(slots[2].start, paris(2026, 12, 31, 18, 0));
	TEST_EQ_INT(slots[3].start, paris(2027, 1, 2, 9, 0));
	for (size_t i = 0; i < count; i++)
		TEST_CHECK(tz_day_of(agenda_tz(f.agenda), slots[i].start) !=
			   civil_days_from_date(2027, 1, 1));
	fixture_close(&f);
}

static void search_spreads_results(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 7, 0);
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	size_t count = 0;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	q = query_of(&f, "consultation", practitioner(&f, "Martin"), now, now,
		     paris(2026, 6, 20, 0, 0));
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count == 3);
	TEST_EQ_INT(slots[0].start, paris(2026, 6, 1, 8, 30));
	TEST_EQ_INT(slots[1].start, paris(2026, 6, 1, 14, 0));
	TEST_EQ_INT(slots[2].start, paris(2026, 6, 1, 18, 0));
	/* With four, the fourth comes from the next morning. */
	q.max_results = 4;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count == 4);
	TEST_EQ_INT(slots[3].start, paris(2026, 6, 2, 8, 30));
	q.max_results = 3;
	q.adjacent = true;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count == 3);
	TEST_EQ_INT(slots[1].start - slots[0].start, 15 * 60);
	TEST_EQ_INT(slots[2].start - slots[1].start, 15 * 60);
	/* Parts of the day and time bounds. */
	q.adjacent = false;
	q.parts = SCHED_PART_EVENING;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count == 3);
	for (size_t i = 0; i < count; i++) {
		struct civil_time t = tz_to_local(agenda_tz(f.agenda), slots[i].start, NULL);

		TEST_CHECK(t.hour >= 18);
	}
	q.parts = 0;
	q.earliest_min = 10 * 60;
	q.latest_min = 11 * 60;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count == 3);
	for (size_t i = 0; i < count; i++) {
		struct civil_time t = tz_to_local(agenda_tz(f.agenda), slots[i].start, NULL);

		TEST_CHECK(t.hour == 10);
	}
	fixture_close(&f);
}

static void urgent_reserve_released(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 2, 8, 0); /* Tuesday */
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	struct agenda_booking b;
	struct agenda_outcome out;
	size_t count = 0;
	bool seen_noon = false;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	/* Dr Martin keeps 12:00-12:30 for urgent same-day requests. */
	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 2, 12, 0), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_RESERVED);
	b.urgent = true;
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	TEST_CHECK(out.appointment.urgent);
	/* 12:15 is released at 10:15, two hours before it starts. */
	b.urgent = false;
	b.start = paris(2026, 6, 2, 12, 15);
	b.now = paris(2026, 6, 2, 10, 14);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_RESERVED);
	q = query_of(&f, "consultation", practitioner(&f, "Martin"), paris(2026, 6, 2, 10, 15),
		     paris(2026, 6, 2, 11, 30), paris(2026, 6, 2, 13, 0));
	q.adjacent = true;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	for (size_t i = 0; i < count; i++)
		seen_noon |= slots[i].start == paris(2026, 6, 2, 12, 15);
	TEST_CHECK(seen_noon);
	b.now = paris(2026, 6, 2, 10, 15);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	fixture_close(&f);
}

static void absences_and_closures(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 7, 0);
	struct store_absence away = {0};
	char message[300];
	struct agenda_booking b;
	struct agenda_outcome out;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	away.practitioner_id = agenda_practitioner(f.agenda, practitioner(&f, "Martin"))->id;
	away.start_utc = paris(2026, 6, 8, 0, 0);
	away.end_utc = paris(2026, 6, 13, 0, 0);
	snprintf(away.reason, sizeof(away.reason), "congés");
	TEST_REQUIRE(store_absence_add(f.st, &away) == 0);
	away.practitioner_id = 0;
	away.start_utc = paris(2026, 6, 15, 14, 0);
	away.end_utc = paris(2026, 6, 15, 19, 0);
	TEST_REQUIRE(store_absence_add(f.st, &away) == 0);
	TEST_REQUIRE(agenda_reload(f.agenda, message, sizeof(message)) == 0);

	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 9, 9, 0), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_ABSENT);
	b = booking_of(&f, "consultation", "Benali", paris(2026, 6, 9, 9, 0), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	b = booking_of(&f, "consultation", "Benali", paris(2026, 6, 15, 15, 0), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_HOLIDAY);
	fixture_close(&f);
}

static void booking_verdicts(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	struct agenda_booking b;
	struct agenda_outcome out;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	b = booking_of(&f, "consultation", "Martin", paris(2026, 5, 29, 9, 0), now);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_PAST);
	b.start = paris(2026, 6, 1, 9, 30);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_TOO_SOON);
	b.start = paris(2026, 6, 2, 9, 10); /* off the 15-minute grid */
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_CLOSED);
	b.start = paris(2026, 6, 2, 12, 30); /* lunch */
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_CLOSED);
	b.start = paris(2026, 6, 2, 12, 15); /* reserved, and would end at 12:30: fine if urgent */
	b.urgent = true;
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	b.urgent = false;
	b.start = paris(2026, 12, 1, 9, 0); /* beyond the 90-day horizon */
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_BEYOND_HORIZON);
	b.start = paris(2026, 6, 2, 9, 0);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_TAKEN);
	/* A 30-minute appointment overlapping the booked 15 minutes is also taken. */
	b.type = type(&f, "premiere-consultation");
	b.start = paris(2026, 6, 2, 8, 45);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_TAKEN);
	fixture_close(&f);
}

static void idempotent_retry(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	struct agenda_booking b;
	struct agenda_outcome first, again;
	struct store_appointment *list = NULL;
	size_t count = 0;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 3, 10, 0), now);
	b.idempotency_key = "call-42-book-1";
	TEST_EQ_INT(agenda_book(f.agenda, &b, &first), 0);
	TEST_EQ_INT(first.verdict, SCHED_OK);
	TEST_CHECK(!first.replayed);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &again), 0);
	TEST_EQ_INT(again.verdict, SCHED_OK);
	TEST_CHECK(again.replayed);
	TEST_EQ_INT(again.appointment.id, first.appointment.id);
	TEST_EQ_INT(store_appointments_range(f.st, paris(2026, 6, 3, 0, 0), paris(2026, 6, 4, 0, 0),
					     0, &list, &count),
		    0);
	TEST_EQ_INT(count, 1);
	free(list);
	fixture_close(&f);
}

static void booking_keeps_call_id(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	struct agenda_booking b;
	struct agenda_outcome out;
	struct store_appointment stored;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 3, 11, 0), now);
	b.call_id = "call-7f3a";
	b.reason = "mal de gorge";
	b.source = "phone";
	TEST_REQUIRE(agenda_book(f.agenda, &b, &out) == 0 && out.verdict == SCHED_OK);
	TEST_EQ_INT(store_appointment_get(f.st, out.appointment.id, &stored), 0);
	TEST_EQ_STR(stored.call_id, "call-7f3a");
	TEST_EQ_STR(stored.reason, "mal de gorge");
	TEST_EQ_STR(stored.source, "phone");
	fixture_close(&f);
}

static void cancel_frees_slot(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	struct agenda_booking b;
	struct agenda_outcome out;
	struct store_appointment_event *events = NULL;
	size_t count = 0;
	int64_t id;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 3, 10, 0), now);
	TEST_REQUIRE(agenda_book(f.agenda, &b, &out) == 0 && out.verdict == SCHED_OK);
	id = out.appointment.id;
	TEST_EQ_INT(agenda_cancel(f.agenda, id, "test", NULL, now, &out), 0);
	TEST_EQ_INT(out.appointment.status, STORE_APPOINTMENT_CANCELLED);
	TEST_EQ_INT(agenda_cancel(f.agenda, id, "test", NULL, now, &out), EALREADY);
	TEST_EQ_INT(agenda_cancel(f.agenda, 999999, "test", NULL, now, &out), ENOENT);
	TEST_EQ_INT(agenda_book(f.agenda, &b, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	TEST_EQ_INT(store_appointment_events_list(f.st, id, &events, &count), 0);
	TEST_EQ_INT(count, 2);
	if (count == 2) {
		TEST_EQ_STR(events[0].action, "book");
		TEST_EQ_STR(events[1].action, "cancel");
	}
	free(events);
	fixture_close(&f);
}

static void move_keeps_history(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	struct agenda_booking b;
	struct agenda_outcome out;
	struct agenda_move m = {0};
	struct store_appointment old;
	int64_t id;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 3, 10, 0), now);
	TEST_REQUIRE(agenda_book(f.agenda, &b, &out) == 0 && out.verdict == SCHED_OK);
	id = out.appointment.id;
	m.appointment_id = id;
	m.practitioner = -1;
	m.start = paris(2026, 6, 3, 10, 15); /* overlaps nothing but itself */
	m.now = now;
	m.actor = "test";
	TEST_EQ_INT(agenda_move(f.agenda, &m, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_OK);
	TEST_EQ_INT(out.previous_id, id);
	TEST_EQ_INT(out.appointment.start_utc, paris(2026, 6, 3, 10, 15));
	TEST_EQ_INT(store_appointment_get(f.st, id, &old), 0);
	TEST_EQ_INT(old.status, STORE_APPOINTMENT_MOVED);
	TEST_EQ_INT(old.replaced_by, out.appointment.id);
	/* Moving to another practitioner, onto a taken slot, is refused. */
	b.start = paris(2026, 6, 4, 9, 0);
	b.practitioner = practitioner(&f, "Benali");
	TEST_REQUIRE(agenda_book(f.agenda, &b, &out) == 0 && out.verdict == SCHED_OK);
	m.appointment_id = old.replaced_by;
	m.practitioner = practitioner(&f, "Benali");
	m.start = paris(2026, 6, 4, 9, 0);
	TEST_EQ_INT(agenda_move(f.agenda, &m, &out), 0);
	TEST_EQ_INT(out.verdict, SCHED_TAKEN);
	TEST_EQ_INT(agenda_move(f.agenda, &(struct agenda_move){.appointment_id = id, .practitioner = -1,
							      .start = paris(2026, 6, 5, 9, 0), .now = now},
				&out),
		    EALREADY);
	fixture_close(&f);
}

/* Fail each write step of a move in turn: the original must stay booked every time. */
static void move_failure_leaves_original(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	struct agenda_booking b;
	struct agenda_outcome out;
	int64_t id;
	int failures_seen = 0;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	b = booking_of(&f, "consultation", "Martin", paris(2026, 6, 3, 10, 0), now);
	TEST_REQUIRE(agenda_book(f.agenda, &b, &out) == 0 && out.verdict == SCHED_OK);
	id = out.appointment.id;
	for (int step = 1; step <= 12; step++) {
		struct agenda_move m = {0};
		struct store_appointment original;
		struct store_appointment *list = NULL;
		size_t count = 0;
		int err;

		m.appointment_id = id;
		m.practitioner = -1;
		m.start = paris(2026, 6, 5, 14, 0);
		m.now = now;
		m.idempotency_key = "move-once";
		db_fail_after(store_db(f.st), step);
		err = agenda_move(f.agenda, &m, &out);
		db_fail_after(store_db(f.st), 0);
		if (!err) {
			/* The move finally went through: every step before it failed cleanly. */
			TEST_EQ_INT(out.verdict, SCHED_OK);
			break;
		}
		failures_seen++;
		TEST_EQ_INT(err, EIO);
		TEST_EQ_INT(store_appointment_get(f.st, id, &original), 0);
		TEST_EQ_INT(original.status, STORE_APPOINTMENT_BOOKED);
		TEST_EQ_INT(original.start_utc, paris(2026, 6, 3, 10, 0));
		TEST_EQ_INT(store_appointments_range(f.st, paris(2026, 6, 5, 0, 0),
						     paris(2026, 6, 6, 0, 0), 0, &list, &count),
			    0);
		TEST_EQ_INT(count, 0);
		free(list);
	}
	TEST_CHECK(failures_seen >= 5);
	fixture_close(&f);
}

/* Twenty processes race for one slot on one SQLite file: one booking, nineteen "taken". */
static void twenty_racers_one_slot(void)
{
	struct fixture f;
	int64_t now = paris(2026, 6, 1, 9, 0);
	int64_t start = paris(2026, 6, 3, 10, 0);
	pid_t pids[20];
	int booked = 0, taken = 0, other = 0;
	struct store_appointment *list = NULL;
	size_t count = 0;
	struct timespec t0, t1;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	fixture_close(&f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 20; i++) {
		pids[i] = fork();
		TEST_REQUIRE(pids[i] >= 0);
		if (pids[i] == 0) {
			struct store *st;
			struct agenda *agenda;
			struct agenda_booking b = {0};
			struct agenda_outcome out;
			char message[300];
			int code = 3;

			if (store_open(&st, f.path, 0, NULL) == 0 &&
			    agenda_open(&agenda, st, message, sizeof(message)) == 0) {
				b.type = agenda_type_find(agenda, "consultation");
				b.practitioner = agenda_practitioner_find(agenda, "Martin");
				b.start = start;
				b.now = now;
				b.patient.id = 1 + i % 5;
				b.actor = "racer";
				if (agenda_book(agenda, &b, &out) == 0)
					code = out.verdict == SCHED_OK ? 0 : out.verdict == SCHED_TAKEN ? 1 : 2;
				agenda_close(agenda);
				store_close(st);
			}
			_exit(code);
		}
	}
	for (int i = 0; i < 20; i++) {
		int status = 0;

		waitpid(pids[i], &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			booked++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
			taken++;
		else
			other++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("    20 racers: %d booked, %d taken, %d other in %.1f ms\n", booked, taken, other,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	TEST_EQ_INT(booked, 1);
	TEST_EQ_INT(taken, 19);
	TEST_EQ_INT(other, 0);

	TEST_REQUIRE(store_open(&f.st, f.path, 0, NULL) == 0);
	TEST_EQ_INT(store_appointments_range(f.st, start, start + 900, 0, &list, &count), 0);
	TEST_EQ_INT(count, 1);
	free(list);
	store_close(f.st);
}

/* ---- Practitioners, patients, validation ---- */

static void practitioner_names(void)
{
	struct fixture f;
	char name[200];

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	TEST_EQ_INT(practitioner(&f, "Martin"), 0);
	TEST_EQ_INT(practitioner(&f, "dr benali"), 1);
	TEST_EQ_INT(practitioner(&f, "Docteur BENALI"), 1);
	TEST_EQ_INT(practitioner(&f, "Julien Moreau"), 2);
	TEST_EQ_INT(practitioner(&f, "le docteur Moreau"), 2);
	TEST_EQ_INT(practitioner(&f, "Dupont"), -1);
	TEST_EQ_INT(practitioner(&f, ""), -1);
	TEST_EQ_INT(practitioner(&f, "dr"), -1);
	agenda_practitioner_name(f.agenda, 0, name, sizeof(name));
	TEST_EQ_STR(name, "Dr Claire Martin");
	fixture_close(&f);
}

static void patients_found_by_name_or_phone(void)
{
	struct fixture f;
	struct agenda_patient who = {0};
	struct store_patient *list = NULL;
	size_t count = 0;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	snprintf(who.last_name, sizeof(who.last_name), "LEFEVRE");
	snprintf(who.birth_date, sizeof(who.birth_date), "1958-03-12");
	TEST_EQ_INT(agenda_patients_find(f.agenda, &who, &list, &count), 0);
	TEST_EQ_INT(count, 1);
	if (count)
		TEST_EQ_STR(list[0].last_name, "Lefèvre");
	free(list);
	snprintf(who.birth_date, sizeof(who.birth_date), "1958-03-13");
	TEST_EQ_INT(agenda_patients_find(f.agenda, &who, &list, &count), 0);
	TEST_EQ_INT(count, 0);
	free(list);

	/* A family shares a number: the phone finds both, the name picks among them. */
	memset(&who, 0, sizeof(who));
	snprintf(who.phone, sizeof(who.phone), "+33612345678");
	TEST_EQ_INT(agenda_patients_find(f.agenda, &who, &list, &count), 0);
	TEST_EQ_INT(count, 2);
	free(list);
	snprintf(who.last_name, sizeof(who.last_name), "durand");
	TEST_EQ_INT(agenda_patients_find(f.agenda, &who, &list, &count), 0);
	TEST_EQ_INT(count, 2);
	free(list);
	snprintf(who.last_name, sizeof(who.last_name), "Martin");
	TEST_EQ_INT(agenda_patients_find(f.agenda, &who, &list, &count), 0);
	TEST_EQ_INT(count, 0);
	free(list);
	fixture_close(&f);
}

/* Each issue reads in French and English, naming who is concerned. */
static void rules_issue_sentences(void)
{
	struct sched_window bad = {.weekday = 2, .start_min = 12 * 60, .end_min = 8 * 60 + 30};
	struct sched_practitioner pr = {.id = 1, .active = true, .window_count = 1,
					.windows = &bad};
	struct sched_type type = {.id = 1, .duration_min = 300, .active = true};
	struct sched_rules rules = {.slot_step_min = 15, .horizon_days = 90,
				    .practitioner_count = 1, .practitioners = &pr};
	struct sched_issue issue;
	char text[300];

	TEST_EQ_INT(sched_rules_check(&rules, &issue), EINVAL);
	TEST_EQ_INT(issue.kind, SCHED_ISSUE_HOURS_ORDER);
	sched_issue_describe(&issue, "fr", "Dr Karim Benali", text, sizeof(text));
	TEST_EQ_STR(text, "Les horaires (Dr Karim Benali), mardi : 12 h-8 h 30 finit avant de"
			  " commencer ou sort de la journée.");
	sched_issue_describe(&issue, "en", NULL, text, sizeof(text));
	TEST_EQ_STR(text, "opening hours of practitioner 1 on Tuesday: 12:00-08:30 ends before it"
			  " starts or leaves the day");

	bad.end_min = 13 * 60;
	rules.type_count = 1;
	rules.types = &type;
	TEST_EQ_INT(sched_rules_check(&rules, &issue), EINVAL);
	TEST_EQ_INT(issue.kind, SCHED_ISSUE_TYPE_DURATION);
	sched_issue_describe(&issue, "fr", "« Consultation »", text, sizeof(text));
	TEST_EQ_STR(text, "Type de rendez-vous « Consultation » : durée invalide (300 minutes, de 5"
			  " à 240).");

	type.duration_min = 20;
	rules.slot_step_min = 7;
	TEST_EQ_INT(sched_rules_check(&rules, &issue), EINVAL);
	sched_issue_describe(&issue, "fr", NULL, text, sizeof(text));
	TEST_CHECK(strstr(text, "Pas de la grille invalide (7 minutes)") == text);

	rules.slot_step_min = 15;
	TEST_EQ_INT(sched_rules_check(&rules, &issue), 0);
	TEST_EQ_INT(issue.kind, SCHED_ISSUE_NONE);
}

static void rules_validation(void)
{
	struct fixture f;
	struct store_opening o = {0};
	struct store_practice practice;
	struct agenda *again = NULL;
	char message[300];

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	o.practitioner_id = agenda_practitioner(f.agenda, 0)->id;
	o.weekday = 1;
	o.start_min = 12 * 60;
	o.end_min = 15 * 60;
	TEST_REQUIRE(store_opening_add(f.st, &o) == 0);
	TEST_EQ_INT(agenda_reload(f.agenda, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "overlap") != NULL);
	TEST_CHECK(strstr(message, "Monday") != NULL);
	o.start_min = 15 * 60;
	o.end_min = 14 * 60;
	TEST_EQ_INT(store_opening_add(f.st, &o), EINVAL);
	store_close(f.st);
	agenda_close(f.agenda);

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	TEST_REQUIRE(store_practice_get(f.st, &practice) == 0);
	snprintf(practice.timezone, sizeof(practice.timezone), "Europe/Lyon");
	TEST_REQUIRE(store_practice_put(f.st, &practice) == 0);
	TEST_EQ_INT(agenda_open(&again, f.st, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "Europe/Lyon") != NULL);
	TEST_CHECK(again == NULL);
	fixture_close(&f);
}

static void overseas_practice(void)
{
	struct fixture f;
	struct store_practice practice;
	char message[300];
	struct sched_query q;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	struct tz *cayenne;
	size_t count = 0;
	int64_t now;

	fixture_open(&f, paris(2026, 5, 20, 9, 0));
	TEST_REQUIRE(store_practice_get(f.st, &practice) == 0);
	snprintf(practice.timezone, sizeof(practice.timezone), "America/Cayenne");
	snprintf(practice.holiday_regions, sizeof(practice.holiday_regions), "guyane");
	TEST_REQUIRE(store_practice_put(f.st, &practice) == 0);
	TEST_REQUIRE(agenda_reload(f.agenda, message, sizeof(message)) == 0);
	TEST_REQUIRE(tz_open(&cayenne, "America/Cayenne") == 0);
	{
		struct civil_time t = {2026, 6, 9, 7, 0, 0};

		TEST_REQUIRE(tz_from_local(cayenne, &t, &now, NULL) == 0);
	}
	q = query_of(&f, "consultation", practitioner(&f, "Martin"), now, now, now + 3 * 86400);
	q.adjacent = true;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	TEST_REQUIRE(count > 0);
	/* 8:30 in Cayenne is 11:30 UTC; 10 June (abolition day in Guyane) is skipped. */
	TEST_EQ_INT(slots[0].start, utc_of(2026, 6, 9, 11, 30));
	q.from = now + 86400;
	q.to = now + 2 * 86400;
	TEST_EQ_INT(agenda_search(f.agenda, &q, slots, &count, NULL), 0);
	for (size_t i = 0; i < count; i++)
		TEST_CHECK(tz_day_of(cayenne, slots[i].start) != civil_days_from_date(2026, 6, 10));
	tz_close(cayenne);
	fixture_close(&f);
}

static const struct test_case cases[] = {
	TEST_CASE(holidays_2026_national),
	TEST_CASE(holidays_other_years),
	TEST_CASE(holidays_regions),
	TEST_CASE(dst_spring_week),
	TEST_CASE(dst_autumn_week),
	TEST_CASE(dst_skipped_hour_pure),
	TEST_CASE(holidays_have_no_slots),
	TEST_CASE(benali_never_wednesday),
	TEST_CASE(paediatric_only_moreau),
	TEST_CASE(new_patient_needs_first_consultation),
	TEST_CASE(notice_around_midnight),
	TEST_CASE(search_across_new_year),
	TEST_CASE(search_spreads_results),
	TEST_CASE(urgent_reserve_released),
	TEST_CASE(absences_and_closures),
	TEST_CASE(booking_verdicts),
	TEST_CASE(idempotent_retry),
	TEST_CASE(booking_keeps_call_id),
	TEST_CASE(cancel_frees_slot),
	TEST_CASE(move_keeps_history),
	TEST_CASE(move_failure_leaves_original),
	TEST_CASE(twenty_racers_one_slot),
	TEST_CASE(practitioner_names),
	TEST_CASE(patients_found_by_name_or_phone),
	TEST_CASE(rules_issue_sentences),
	TEST_CASE(rules_validation),
	TEST_CASE(overseas_practice),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
