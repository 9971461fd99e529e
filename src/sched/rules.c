#include <errno.h>
#include <stdio.h>

#include "sched.h"

static const char *const weekday_names[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday",
					    "Friday", "Saturday", "Sunday"};

static int check_window(const struct sched_window *w, size_t practitioner, const char *what,
			char *message, size_t size)
{
	if (w->weekday < 1 || w->weekday > 7) {
		snprintf(message, size, "%s of practitioner %zu: invalid weekday %d (1 to 7)", what,
			 practitioner + 1, w->weekday);
		return EINVAL;
	}
	if (w->start_min < 0 || w->end_min > 1440 || w->start_min >= w->end_min) {
		snprintf(message, size,
			 "%s of practitioner %zu on %s: %02d:%02d-%02d:%02d ends before it starts"
			 " or leaves the day",
			 what, practitioner + 1, weekday_names[w->weekday], w->start_min / 60,
			 w->start_min % 60, w->end_min / 60, w->end_min % 60);
		return EINVAL;
	}
	return 0;
}

static bool validity_overlaps(const struct sched_window *a, const struct sched_window *b)
{
	return a->valid_from <= b->valid_until && b->valid_from <= a->valid_until;
}

int sched_rules_validate(const struct sched_rules *rules, char *message, size_t size)
{
	message[0] = '\0';
	if (rules->slot_step_min < 5 || rules->slot_step_min > 120 || 1440 % rules->slot_step_min) {
		snprintf(message, size, "invalid slot step %d minutes: use 5 to 120, dividing a day",
			 rules->slot_step_min);
		return EINVAL;
	}
	if (rules->min_notice_min < 0 || rules->urgent_release_min < 0 || rules->horizon_days < 1) {
		snprintf(message, size, "notice, release time and horizon must not be negative");
		return EINVAL;
	}
	for (size_t p = 0; p < rules->practitioner_count; p++) {
		const struct sched_practitioner *pr = &rules->practitioners[p];

		for (size_t i = 0; i < pr->window_count; i++) {
			const struct sched_window *w = &pr->windows[i];

			if (check_window(w, p, "opening hours", message, size))
				return EINVAL;
			if (w->valid_from > w->valid_until) {
				snprintf(message, size,
					 "opening hours of practitioner %zu: valid_until is before"
					 " valid_from",
					 p + 1);
				return EINVAL;
			}
			for (size_t k = 0; k < i; k++) {
				const struct sched_window *o = &pr->windows[k];

				if (o->weekday == w->weekday && o->start_min < w->end_min &&
				    w->start_min < o->end_min && validity_overlaps(o, w)) {
					snprintf(message, size,
						 "opening hours of practitioner %zu on %s overlap:"
						 " %02d:%02d-%02d:%02d and %02d:%02d-%02d:%02d",
						 p + 1, weekday_names[w->weekday], o->start_min / 60,
						 o->start_min % 60, o->end_min / 60, o->end_min % 60,
						 w->start_min / 60, w->start_min % 60, w->end_min / 60,
						 w->end_min % 60);
					return EINVAL;
				}
			}
		}
		for (size_t i = 0; i < pr->reserve_count; i++) {
			if (check_window(&pr->reserves[i], p, "urgent reserve", message, size))
				return EINVAL;
		}
	}
	for (size_t t = 0; t < rules->type_count; t++) {
		if (rules->types[t].duration_min < 5 || rules->types[t].duration_min > 240) {
			snprintf(message, size, "appointment type %zu: invalid duration %d minutes (5 to 240)",
				 t + 1, rules->types[t].duration_min);
			return EINVAL;
		}
	}
	return 0;
}
