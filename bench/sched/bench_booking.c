/*
 * Booking throughput on SQLite: each booking is one agenda_book() call, so one write
 * transaction that re-reads the practitioner's agenda, checks every rule, inserts the
 * appointment and its history row, and commits.
 *
 * The database is the demo practice plus practitioners up to 20, in a file under
 * TMPDIR (default /tmp). Runs once with synchronous=NORMAL (WAL; a power cut may lose
 * the last commits, never corrupt) and once with synchronous=FULL (fsync per commit).
 *
 * Usage: bench_booking [bookings per run (default 5000)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "civil.h"
#include "demo.h"
#include "log.h"
#include "store.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add_practitioners(struct store *st, int total)
{
	for (int i = 3; i < total; i++) {
		struct store_practitioner p = {0};

		snprintf(p.title, sizeof(p.title), "Dr");
		snprintf(p.first_name, sizeof(p.first_name), "Bench");
		snprintf(p.last_name, sizeof(p.last_name), "Practitioner%02d", i);
		snprintf(p.specialty, sizeof(p.specialty), "generaliste");
		p.active = true;
		if (store_practitioner_add(st, &p) != 0)
			return 1;
		for (int wd = 1; wd <= 5; wd++) {
			struct store_opening o = {0, p.id, wd, 510, 750, "", ""};

			if (store_opening_add(st, &o) != 0)
				return 1;
			o.start_min = 840;
			o.end_min = 1140;
			if (store_opening_add(st, &o) != 0)
				return 1;
		}
	}
	return 0;
}

static int run(const char *path, enum db_durability durability, int bookings)
{
	struct store *st;
	struct agenda *agenda;
	char message[300];
	const char *why;
	/* Monday 4 January 2027, 07:00 in Paris: the whole horizon is ahead. */
	int64_t now = 1798956000;
	int done = 0, refused = 0;
	double t0, elapsed;

	unlink(path);
	if (store_open(&st, path, STORE_CREATE, &why) || store_migrate(st) ||
	    agenda_demo_create(st, now, message, sizeof(message)) || add_practitioners(st, 20)) {
		fprintf(stderr, "setup failed: %s\n", store_errmsg(st));
		return 1;
	}
	if (store_practice_get(st, &(struct store_practice){0}) != 0)
		return 1;
	{
		struct store_practice practice;

		store_practice_get(st, &practice);
		practice.booking_horizon_days = 730;
		practice.min_notice_min = 0;
		store_practice_put(st, &practice);
	}
	if (agenda_open(&agenda, st, message, sizeof(message)) != 0) {
		fprintf(stderr, "agenda: %s\n", message);
		return 1;
	}
	db_set_durability(store_db(st), durability);

	t0 = now_s();
	for (int64_t day = tz_day_of(agenda_tz(agenda), now) + 1; done + refused < bookings; day++) {
		if (civil_weekday(day) > 5)
			continue;
		for (int p = 0; p < 20 && done + refused < bookings; p++) {
			for (int m = 510; m + 15 <= 1140 && done + refused < bookings; m += 15) {
				struct agenda_booking b = {0};
				struct agenda_outcome out;

				if (m >= 750 && m < 840)
					continue;
				b.type = agenda_type_find(agenda, "consultation");
				b.practitioner = p;
				b.start = tz_day_start(agenda_tz(agenda), day) + (int64_t)m * 60;
				b.now = now;
				b.patient.id = 1 + (m / 15) % 5;
				b.actor = "bench";
				if (agenda_book(agenda, &b, &out) != 0) {
					fprintf(stderr, "booking failed: %s\n", store_errmsg(st));
					return 1;
				}
				if (out.verdict == SCHED_OK)
					done++;
				else
					refused++;
			}
		}
	}
	elapsed = now_s() - t0;
	printf("durability=%s bookings=%d refused=%d seconds=%.3f bookings_per_second=%.0f\n",
	       durability == DB_DURABILITY_FULL ? "full" : "normal", done, refused, elapsed,
	       (double)(done + refused) / elapsed);
	agenda_close(agenda);
	store_close(st);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	int bookings = argc > 1 ? atoi(argv[1]) : 5000;
	const char *tmp = getenv("TMPDIR");
	char path[512];

	log_set_level(LOGL_WARNING);
	if (bookings <= 0) {
		fprintf(stderr, "usage: bench_booking [bookings per run]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/permanence-bench-%ld.db", tmp ? tmp : "/tmp", (long)getpid());
	if (run(path, DB_DURABILITY_NORMAL, bookings) != 0)
		return 1;
	return run(path, DB_DURABILITY_FULL, bookings);
}
