/*
 * Slot search latency: 20 practitioners over a year with 80 % of the slots taken.
 *
 * Builds the rules and the booked intervals in memory (the pure engine, no database),
 * then times many searches of the kinds a call makes: any or one practitioner, a start
 * date anywhere in the year, sometimes a part of the day or a weekday, three results.
 * Prints the median, p90, p99 and maximum in microseconds.
 *
 * Usage: bench_slot_search [searches (default 20000)] [taken percent (default 80)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "sched.h"
#include "tz.h"

#define PRACTITIONERS 20

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng_next(void)
{
	/* xorshift64*: a fixed seed keeps runs comparable. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Du;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int searches = argc > 1 ? atoi(argv[1]) : 20000;
	int taken_percent = argc > 2 ? atoi(argv[2]) : 80;
	static struct sched_window windows[10];
	static struct sched_practitioner practitioners[PRACTITIONERS];
	struct sched_type types[2] = {{1, 15, true, true, 0}, {2, 30, true, true, 0}};
	struct sched_rules rules = {0};
	struct sched_agenda agenda = {0};
	struct sched_busy *busy[PRACTITIONERS];
	size_t busy_count[PRACTITIONERS] = {0};
	struct tz *tz;
	int64_t first_day = civil_days_from_date(2027, 1, 4);
	int64_t year_start, year_end;
	double *latencies;
	size_t total_found = 0, busy_total = 0;

	if (searches <= 0 || taken_percent < 0 || taken_percent > 100) {
		fprintf(stderr, "usage: bench_slot_search [searches] [taken percent 0-100]\n");
		return 2;
	}
	if (tz_open(&tz, "Europe/Paris") != 0)
		return 1;
	for (int wd = 1; wd <= 5; wd++) {
		windows[(wd - 1) * 2] = (struct sched_window){wd, 510, 750, INT64_MIN, INT64_MAX};
		windows[(wd - 1) * 2 + 1] = (struct sched_window){wd, 840, 1140, INT64_MIN, INT64_MAX};
	}
	for (int p = 0; p < PRACTITIONERS; p++)
		practitioners[p] = (struct sched_practitioner){p + 1, true, 10, windows, 0, NULL};
	rules.tz = tz;
	rules.slot_step_min = 15;
	rules.horizon_days = 400;
	rules.practitioner_count = PRACTITIONERS;
	rules.practitioners = practitioners;
	rules.type_count = 2;
	rules.types = types;
	year_start = tz_day_start(tz, first_day);
	year_end = tz_day_start(tz, first_day + 365);

	/* Take each 15-minute cell of every working day with the given probability. */
	for (int p = 0; p < PRACTITIONERS; p++) {
		size_t capacity = 365 * 40;

		busy[p] = malloc(capacity * sizeof(*busy[p]));
		for (int64_t day = first_day; day < first_day + 365; day++) {
			int wd = civil_weekday(day);

			if (wd > 5 || sched_is_holiday(day, 0, NULL))
				continue;
			for (int w = 0; w < 2; w++) {
				const struct sched_window *win = &windows[(wd - 1) * 2 + w];

				for (int m = win->start_min; m + 15 <= win->end_min; m += 15) {
					struct civil_date d = civil_date_from_days(day);
					struct civil_time t = {d.year, d.month, d.day, m / 60, m % 60, 0};
					int64_t start;

					if ((int)(rng_next() % 100) >= taken_percent)
						continue;
					tz_from_local(tz, &t, &start, NULL);
					busy[p][busy_count[p]++] =
						(struct sched_busy){start, start + 900, (int64_t)busy_total++};
				}
			}
		}
		agenda.busy[p] = busy[p];
		agenda.busy_count[p] = busy_count[p];
	}
	agenda.rules = &rules;
	agenda.from = year_start;
	agenda.to = year_end;

	latencies = malloc((size_t)searches * sizeof(*latencies));
	for (int i = 0; i < searches; i++) {
		struct sched_query q = {0};
		struct sched_slot slots[SCHED_MAX_RESULTS];
		size_t count = 0;
		double t0;

		q.type = (int)(rng_next() % 2);
		q.practitioner = rng_next() % 3 == 0 ? -1 : (int)(rng_next() % PRACTITIONERS);
		q.now = year_start + (int64_t)(rng_next() % (300 * 86400));
		q.from = q.now;
		q.to = year_end;
		q.latest_min = 1440;
		q.max_results = 3;
		if (rng_next() % 4 == 0)
			q.parts = 1u << (rng_next() % 3);
		if (rng_next() % 4 == 0)
			q.weekdays = 1u << (1 + rng_next() % 5);
		t0 = now_us();
		if (sched_search(&agenda, &q, slots, &count, NULL) != 0) {
			fprintf(stderr, "search %d failed\n", i);
			return 1;
		}
		latencies[i] = now_us() - t0;
		total_found += count;
	}
	qsort(latencies, (size_t)searches, sizeof(*latencies), compare_double);
	printf("practitioners=%d taken=%d%% booked_intervals=%zu searches=%d results=%zu\n",
	       PRACTITIONERS, taken_percent, busy_total, searches, total_found);
	printf("latency_us median=%.1f p90=%.1f p99=%.1f max=%.1f\n", latencies[searches / 2],
	       latencies[searches * 90 / 100], latencies[searches * 99 / 100],
	       latencies[searches - 1]);
	for (int p = 0; p < PRACTITIONERS; p++)
		free(busy[p]);
	free(latencies);
	tz_close(tz);
	return 0;
}
