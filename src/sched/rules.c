#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sched.h"

static const char *const weekdays_en[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday",
					  "Friday", "Saturday", "Sunday"};
static const char *const weekdays_fr[] = {"", "lundi", "mardi", "mercredi", "jeudi",
					  "vendredi", "samedi", "dimanche"};

static int window_issue(const struct sched_window *w, size_t practitioner, bool reserve,
			struct sched_issue *issue)
{
	issue->practitioner = practitioner;
	issue->reserve = reserve;
	if (w->weekday < 1 || w->weekday > 7) {
		issue->kind = SCHED_ISSUE_WEEKDAY;
		issue->value = w->weekday;
		return EINVAL;
	}
	if (w->start_min < 0 || w->end_min > 1440 || w->start_min >= w->end_min) {
		issue->kind = SCHED_ISSUE_HOURS_ORDER;
		issue->weekday = w->weekday;
		issue->first_start = w->start_min;
		issue->first_end = w->end_min;
		return EINVAL;
	}
	return 0;
}

static bool validity_overlaps(const struct sched_window *a, const struct sched_window *b)
{
	return a->valid_from <= b->valid_until && b->valid_from <= a->valid_until;
}

int sched_rules_check(const struct sched_rules *rules, struct sched_issue *issue)
{
	memset(issue, 0, sizeof(*issue));
	if (rules->slot_step_min < 5 || rules->slot_step_min > 120 || 1440 % rules->slot_step_min) {
		issue->kind = SCHED_ISSUE_SLOT_STEP;
		issue->value = rules->slot_step_min;
		return EINVAL;
	}
	if (rules->min_notice_min < 0 || rules->urgent_release_min < 0 || rules->horizon_days < 1) {
		issue->kind = SCHED_ISSUE_NEGATIVE_DELAY;
		return EINVAL;
	}
	for (size_t p = 0; p < rules->practitioner_count; p++) {
		const struct sched_practitioner *pr = &rules->practitioners[p];

		for (size_t i = 0; i < pr->window_count; i++) {
			const struct sched_window *w = &pr->windows[i];

			if (window_issue(w, p, false, issue))
				return EINVAL;
			if (w->valid_from > w->valid_until) {
				issue->kind = SCHED_ISSUE_VALIDITY_ORDER;
				return EINVAL;
			}
			for (size_t k = 0; k < i; k++) {
				const struct sched_window *o = &pr->windows[k];

				if (o->weekday == w->weekday && o->start_min < w->end_min &&
				    w->start_min < o->end_min && validity_overlaps(o, w)) {
					issue->kind = SCHED_ISSUE_HOURS_OVERLAP;
					issue->weekday = w->weekday;
					issue->first_start = o->start_min;
					issue->first_end = o->end_min;
					issue->second_start = w->start_min;
					issue->second_end = w->end_min;
					return EINVAL;
				}
			}
		}
		for (size_t i = 0; i < pr->reserve_count; i++) {
			if (window_issue(&pr->reserves[i], p, true, issue))
				return EINVAL;
		}
	}
	for (size_t t = 0; t < rules->type_count; t++) {
		if (rules->types[t].duration_min < 5 || rules->types[t].duration_min > 240) {
			issue->kind = SCHED_ISSUE_TYPE_DURATION;
			issue->type = t;
			issue->value = rules->types[t].duration_min;
			return EINVAL;
		}
	}
	return 0;
}

/* "08:00-12:00" in English, "8 h-12 h" or "8 h 30-12 h" in French. */
static void span_text(int start, int end, bool fr, char *buf, size_t size)
{
	char a[16], b[16];
	int minutes[2] = {start, end};
	char *out[2] = {a, b};

	for (int i = 0; i < 2; i++) {
		int h = minutes[i] / 60, m = minutes[i] % 60;

		if (!fr)
			snprintf(out[i], sizeof(a), "%02d:%02d", h, m);
		else if (m)
			snprintf(out[i], sizeof(a), "%d h %02d", h, m);
		else
			snprintf(out[i], sizeof(a), "%d h", h);
	}
	snprintf(buf, size, "%s-%s", a, b);
}

void sched_issue_describe(const struct sched_issue *issue, const char *lang, const char *who,
			  char *buf, size_t size)
{
	bool fr = strcmp(lang, "fr") == 0;
	int day = issue->weekday >= 1 && issue->weekday <= 7 ? issue->weekday : 0;
	const char *weekday = fr ? weekdays_fr[day] : weekdays_en[day];
	char name[160], first[40], second[40];
	const char *subject = issue->reserve ? (fr ? "le créneau réservé aux urgences" : "urgent reserve")
					  : (fr ? "les horaires" : "opening hours");

	if (issue->kind == SCHED_ISSUE_TYPE_DURATION)
		snprintf(name, sizeof(name), "%s", who ? who : "");
	else if (who)
		snprintf(name, sizeof(name), "%s", who);
	else
		snprintf(name, sizeof(name), fr ? "praticien n° %zu" : "practitioner %zu",
			 issue->practitioner + 1);
	span_text(issue->first_start, issue->first_end, fr, first, sizeof(first));
	span_text(issue->second_start, issue->second_end, fr, second, sizeof(second));
	switch (issue->kind) {
	case SCHED_ISSUE_SLOT_STEP:
		snprintf(buf, size, fr ? "Pas de la grille invalide (%d minutes) : choisissez de 5 à"
				       " 120 minutes, qui divisent une journée."
				    : "invalid slot step %d minutes: use 5 to 120, dividing a day",
			 issue->value);
		break;
	case SCHED_ISSUE_NEGATIVE_DELAY:
		snprintf(buf, size, "%s",
			 fr ? "Le délai de prévenance, l'heure de libération des urgences et l'horizon"
			      " de réservation ne peuvent pas être négatifs."
			    : "notice, release time and horizon must not be negative");
		break;
	case SCHED_ISSUE_WEEKDAY:
		snprintf(buf, size, fr ? "%s (%s) : jour de la semaine invalide (%d, de 1 à 7)."
				       : "%s of %s: invalid weekday %d (1 to 7)",
			 subject, name, issue->value);
		break;
	case SCHED_ISSUE_HOURS_ORDER:
		snprintf(buf, size, fr ? "%s (%s), %s : %s finit avant de commencer ou sort de la"
				       " journée."
				       : "%s of %s on %s: %s ends before it starts or leaves the day",
			 subject, name, weekday, first);
		break;
	case SCHED_ISSUE_VALIDITY_ORDER:
		snprintf(buf, size, fr ? "Les horaires (%s) finissent d'être valables avant de"
				       " commencer à l'être."
				       : "opening hours of %s: valid_until is before valid_from",
			 name);
		break;
	case SCHED_ISSUE_HOURS_OVERLAP:
		snprintf(buf, size, fr ? "Les horaires (%s) se chevauchent le %s : %s et %s."
				       : "opening hours of %s on %s overlap: %s and %s",
			 name, weekday, first, second);
		break;
	case SCHED_ISSUE_TYPE_DURATION:
		if (!who)
			snprintf(name, sizeof(name), fr ? "n° %zu" : "%zu", issue->type + 1);
		snprintf(buf, size, fr ? "Type de rendez-vous %s : durée invalide (%d minutes, de 5"
				       " à 240)."
				       : "appointment type %s: invalid duration %d minutes (5 to 240)",
			 name, issue->value);
		break;
	default:
		snprintf(buf, size, "%s", fr ? "Réglages valides." : "valid rules");
		break;
	}
	/* French sentences start with a capital even when `subject` opens them. */
	if (fr && buf[0] == 'l')
		buf[0] = 'L';
}

int sched_rules_validate(const struct sched_rules *rules, char *message, size_t size)
{
	struct sched_issue issue;
	int err = sched_rules_check(rules, &issue);

	message[0] = '\0';
	if (err)
		sched_issue_describe(&issue, "en", NULL, message, size);
	return err;
}
