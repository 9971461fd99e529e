#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "sched.h"

/* No appointment is longer than a day, so an overlap search looks back one day at most. */
#define MAX_APPOINTMENT_SECONDS 86400
/* Unchosen candidates kept for the second and third selection passes. */
#define POOL_SIZE 256
/* Candidates of one day, all practitioners together. */
#define DAY_CANDIDATES 2048

static const struct {
	const char *name;
	const char *fr;
	const char *en;
} verdicts[SCHED_VERDICT_COUNT] = {
	[SCHED_OK] = {"ok", "Ce créneau est libre.", "This slot is free."},
	[SCHED_PAST] = {"past", "Ce créneau est déjà passé.", "This slot is in the past."},
	[SCHED_TOO_SOON] = {"too_soon", "Ce créneau est trop proche pour être réservé.",
			    "This slot is too soon to be booked."},
	[SCHED_BEYOND_HORIZON] = {"beyond_horizon",
				  "Ce créneau est trop loin : l'agenda n'est pas encore ouvert.",
				  "This slot is too far ahead: the agenda is not open yet."},
	[SCHED_CLOSED] = {"closed", "Le praticien ne consulte pas à cette heure-là.",
			  "The practitioner does not see patients at that time."},
	[SCHED_HOLIDAY] = {"holiday", "Le cabinet est fermé ce jour-là.",
			   "The practice is closed that day."},
	[SCHED_ABSENT] = {"absent", "Le praticien est absent à cette date.",
			  "The practitioner is away on that date."},
	[SCHED_TAKEN] = {"taken", "Ce créneau vient d'être pris.", "This slot has just been taken."},
	[SCHED_RESERVED] = {"reserved", "Ce créneau est réservé aux urgences du jour.",
			    "This slot is kept for same-day urgent requests."},
	[SCHED_WRONG_PRACTITIONER] = {"wrong_practitioner",
				      "Ce type de rendez-vous n'est pas assuré par ce praticien.",
				      "This practitioner does not offer this type of appointment."},
	[SCHED_NEW_PATIENT_TYPE] = {"new_patient_type",
				    "Pour un nouveau patient, il faut une première consultation.",
				    "A new patient needs a first consultation."},
	[SCHED_INACTIVE] = {"inactive", "Ce praticien ou ce type de rendez-vous n'est plus proposé.",
			    "This practitioner or appointment type is no longer offered."},
};

const char *sched_verdict_name(enum sched_verdict verdict)
{
	return (unsigned)verdict < SCHED_VERDICT_COUNT ? verdicts[verdict].name : "unknown";
}

const char *sched_verdict_message(enum sched_verdict verdict, const char *lang)
{
	if ((unsigned)verdict >= SCHED_VERDICT_COUNT)
		return "?";
	return lang && strcmp(lang, "en") == 0 ? verdicts[verdict].en : verdicts[verdict].fr;
}

/* ---- Local days ---- */

/* The mapping from local minutes to instants over one day. */
struct day_frame {
	int64_t day;
	int weekday;
	int64_t start;   /* instant of local midnight (or the first instant of the day) */
	bool uniform;    /* no offset change during the day: minutes map linearly */
};

static void day_frame_init(struct day_frame *frame, const struct tz *tz, int64_t day)
{
	int64_t next = tz_day_start(tz, day + 1);

	frame->day = day;
	frame->weekday = civil_weekday(day);
	frame->start = tz_day_start(tz, day);
	frame->uniform = next - frame->start == 86400 &&
			 tz_offset_at(tz, frame->start) == tz_offset_at(tz, next - 1);
}

/* Instant of a local minute of the frame's day; false when the clocks skip it. */
static bool frame_instant(const struct day_frame *frame, const struct tz *tz, int minute,
			  int64_t *instant)
{
	struct civil_date d;
	struct civil_time t;

	if (frame->uniform) {
		*instant = frame->start + (int64_t)minute * 60;
		return true;
	}
	d = civil_date_from_days(frame->day);
	t = (struct civil_time){d.year, d.month, d.day, minute / 60, minute % 60, 0};
	return tz_from_local(tz, &t, instant, NULL) == 0;
}

static bool window_applies(const struct sched_window *w, const struct day_frame *frame)
{
	return w->weekday == frame->weekday && frame->day >= w->valid_from &&
	       frame->day <= w->valid_until;
}

static bool is_closed_day(const struct sched_rules *rules, int64_t day)
{
	size_t lo = 0, hi = rules->extra_holiday_count;

	if (sched_is_holiday(day, rules->holiday_regions, NULL))
		return true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rules->extra_holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rules->extra_holiday_count && rules->extra_holidays[lo] == day;
}

static unsigned part_of_minute(int minute)
{
	if (minute < 13 * 60)
		return SCHED_PART_MORNING;
	if (minute < 18 * 60)
		return SCHED_PART_AFTERNOON;
	return SCHED_PART_EVENING;
}

/* ---- Interval checks ---- */

static bool closure_overlaps(const struct sched_rules *rules, int practitioner, int64_t start,
			     int64_t end)
{
	for (size_t i = 0; i < rules->closure_count; i++) {
		const struct sched_closure *c = &rules->closures[i];

		if (c->start >= end)
			break;
		if (c->end > start && (c->practitioner < 0 || c->practitioner == practitioner))
			return true;
	}
	return false;
}

/* Index of the first busy interval that starts at or after `instant`. */
static size_t busy_lower_bound(const struct sched_busy *busy, size_t count, int64_t instant)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (busy[mid].start < instant)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool busy_overlaps(const struct sched_agenda *agenda, int practitioner, int64_t start,
			  int64_t end, int64_t ignore_id)
{
	const struct sched_busy *busy = agenda->busy[practitioner];
	size_t count = agenda->busy_count[practitioner];
	size_t i = busy_lower_bound(busy, count, end);

	/* Every interval starting before `end` and ending after `start` overlaps. */
	while (i > 0) {
		const struct sched_busy *b = &busy[--i];

		if (b->start <= start - MAX_APPOINTMENT_SECONDS)
			break;
		if (b->end > start && b->appointment_id != ignore_id)
			return true;
	}
	return false;
}

static size_t busy_count_between(const struct sched_agenda *agenda, int practitioner,
				 int64_t from, int64_t to)
{
	const struct sched_busy *busy = agenda->busy[practitioner];
	size_t count = agenda->busy_count[practitioner];

	return busy_lower_bound(busy, count, to) - busy_lower_bound(busy, count, from);
}

/* Whether a local slot falls in an urgent reserve that is not released yet at `now`. */
static bool reserved_unreleased(const struct sched_rules *rules,
				const struct sched_practitioner *p, const struct day_frame *frame,
				int minute, int duration, int64_t start, int64_t now)
{
	if (start - now <= (int64_t)rules->urgent_release_min * 60)
		return false;
	for (size_t i = 0; i < p->reserve_count; i++) {
		const struct sched_window *r = &p->reserves[i];

		if (r->weekday == frame->weekday && minute < r->end_min &&
		    minute + duration > r->start_min)
			return true;
	}
	return false;
}

static bool type_allows(const struct sched_type *type, int practitioner)
{
	return type->practitioner_mask == 0 || (type->practitioner_mask >> practitioner) & 1u;
}

/* ---- Check one slot ---- */

/* Whether [minute, minute + duration) fits one of the practitioner's windows, on the grid. */
static bool on_grid(const struct sched_rules *rules, const struct sched_practitioner *p,
		    const struct day_frame *frame, int minute, int duration)
{
	for (size_t i = 0; i < p->window_count; i++) {
		const struct sched_window *w = &p->windows[i];

		if (!window_applies(w, frame))
			continue;
		if (minute >= w->start_min && minute + duration <= w->end_min &&
		    (minute - w->start_min) % rules->slot_step_min == 0)
			return true;
	}
	return false;
}

static int64_t horizon_end(const struct sched_rules *rules, int64_t now)
{
	return tz_day_start(rules->tz, tz_day_of(rules->tz, now) + rules->horizon_days + 1);
}

enum sched_verdict sched_check(const struct sched_agenda *agenda,
			       const struct sched_request *request)
{
	const struct sched_rules *rules = agenda->rules;
	const struct sched_type *type;
	const struct sched_practitioner *p;
	struct day_frame frame;
	struct civil_time local;
	int64_t end;
	int minute;

	if (request->type < 0 || (size_t)request->type >= rules->type_count ||
	    request->practitioner < 0 || (size_t)request->practitioner >= rules->practitioner_count)
		return SCHED_INACTIVE;
	type = &rules->types[request->type];
	p = &rules->practitioners[request->practitioner];
	end = request->start + (int64_t)type->duration_min * 60;

	if (!type->active || !p->active)
		return SCHED_INACTIVE;
	if (!type_allows(type, request->practitioner))
		return SCHED_WRONG_PRACTITIONER;
	if (request->new_patient && !type->new_patient_allowed)
		return SCHED_NEW_PATIENT_TYPE;
	if (request->start < request->now)
		return SCHED_PAST;
	if (!request->urgent && request->start < request->now + (int64_t)rules->min_notice_min * 60)
		return SCHED_TOO_SOON;
	if (request->start >= horizon_end(rules, request->now))
		return SCHED_BEYOND_HORIZON;

	day_frame_init(&frame, rules->tz, tz_day_of(rules->tz, request->start));
	local = tz_to_local(rules->tz, request->start, NULL);
	minute = local.hour * 60 + local.minute;
	if (is_closed_day(rules, frame.day) || closure_overlaps(rules, -1, request->start, end))
		return SCHED_HOLIDAY;
	if (local.second != 0 || !on_grid(rules, p, &frame, minute, type->duration_min))
		return SCHED_CLOSED;
	if (closure_overlaps(rules, request->practitioner, request->start, end))
		return SCHED_ABSENT;
	if (!request->urgent && reserved_unreleased(rules, p, &frame, minute, type->duration_min,
						    request->start, request->now))
		return SCHED_RESERVED;
	if (busy_overlaps(agenda, request->practitioner, request->start, end,
			  request->ignore_appointment))
		return SCHED_TAKEN;
	return SCHED_OK;
}

/* ---- Search ---- */

struct candidate {
	int64_t start;
	int64_t end;
	int practitioner;
	int64_t day;
	unsigned part;
};

struct selection {
	bool spread;
	size_t max;
	size_t chosen_count;
	struct candidate chosen[SCHED_MAX_RESULTS];
	size_t pool_count;
	struct candidate pool[POOL_SIZE];
};

static bool bucket_used(const struct selection *sel, const struct candidate *c)
{
	for (size_t i = 0; i < sel->chosen_count; i++) {
		if (sel->chosen[i].day == c->day && sel->chosen[i].part == c->part)
			return true;
	}
	return false;
}

/* First pass, in time order: one slot per part of a day (every slot when not spreading). */
static void selection_offer(struct selection *sel, const struct candidate *c)
{
	if (sel->chosen_count == sel->max)
		return;
	if (!sel->spread || !bucket_used(sel, c)) {
		sel->chosen[sel->chosen_count++] = *c;
		return;
	}
	if (sel->pool_count < POOL_SIZE)
		sel->pool[sel->pool_count++] = *c;
}

static bool far_from_chosen(const struct selection *sel, const struct candidate *c)
{
	for (size_t i = 0; i < sel->chosen_count; i++) {
		int64_t gap = c->start - sel->chosen[i].start;

		if (gap < 3600 && gap > -3600)
			return false;
	}
	return true;
}

static int compare_candidates(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->practitioner - y->practitioner;
}

/* Second and third passes, when the range ended before the first filled the results. */
static void selection_finish(struct selection *sel)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sel->pool_count && sel->chosen_count < sel->max; i++) {
			struct candidate *c = &sel->pool[i];

			if (c->practitioner < 0)
				continue;
			if (pass == 0 && !far_from_chosen(sel, c))
				continue;
			sel->chosen[sel->chosen_count++] = *c;
			c->practitioner = -1;
		}
	}
	qsort(sel->chosen, sel->chosen_count, sizeof(sel->chosen[0]), compare_candidates);
}

struct search {
	const struct sched_agenda *agenda;
	const struct sched_rules *rules;
	const struct sched_query *query;
	const struct sched_type *type;
	int64_t from;
	int64_t to;
	struct candidate *day;
	size_t day_count;
};

static void collect_practitioner_day(struct search *s, int practitioner,
				     const struct day_frame *frame)
{
	const struct sched_practitioner *p = &s->rules->practitioners[practitioner];
	const struct sched_query *q = s->query;
	int duration = s->type->duration_min;
	int step = s->rules->slot_step_min;

	for (size_t i = 0; i < p->window_count; i++) {
		const struct sched_window *w = &p->windows[i];

		if (!window_applies(w, frame))
			continue;
		for (int minute = w->start_min; minute + duration <= w->end_min; minute += step) {
			struct candidate c;

			if (minute < q->earliest_min || minute + duration > q->latest_min)
				continue;
			c.part = part_of_minute(minute);
			if (q->parts && !(q->parts & c.part))
				continue;
			if (!frame_instant(frame, s->rules->tz, minute, &c.start))
				continue;
			if (c.start < s->from || c.start >= s->to)
				continue;
			c.end = c.start + (int64_t)duration * 60;
			if (closure_overlaps(s->rules, practitioner, c.start, c.end))
				continue;
			if (!q->urgent && reserved_unreleased(s->rules, p, frame, minute, duration,
							      c.start, q->now))
				continue;
			if (busy_overlaps(s->agenda, practitioner, c.start, c.end, 0))
				continue;
			if (s->day_count == DAY_CANDIDATES)
				return;
			c.practitioner = practitioner;
			c.day = frame->day;
			s->day[s->day_count++] = c;
		}
	}
}

/* Offer the day's candidates in time order; one practitioner per start time. */
static void offer_day(struct search *s, const struct day_frame *frame, struct selection *sel)
{
	int64_t day_end = frame->start + 86400 + 3600;

	qsort(s->day, s->day_count, sizeof(s->day[0]), compare_candidates);
	for (size_t i = 0; i < s->day_count;) {
		size_t k = i + 1, best = i;
		size_t best_load = (size_t)-1;

		while (k < s->day_count && s->day[k].start == s->day[i].start)
			k++;
		if (k - i > 1) {
			for (size_t j = i; j < k; j++) {
				size_t load = busy_count_between(s->agenda, s->day[j].practitioner,
								 frame->start, day_end);

				if (load < best_load) {
					best_load = load;
					best = j;
				}
			}
		}
		selection_offer(sel, &s->day[best]);
		i = k;
	}
}

static int validate_query(const struct sched_agenda *agenda, const struct sched_query *q,
			  enum sched_verdict *verdict)
{
	const struct sched_rules *rules = agenda->rules;
	const struct sched_type *type;

	if (q->type < 0 || (size_t)q->type >= rules->type_count ||
	    q->practitioner < -1 || q->practitioner >= (int)rules->practitioner_count ||
	    q->max_results == 0 || q->max_results > SCHED_MAX_RESULTS || q->from >= q->to ||
	    q->earliest_min < 0 || q->latest_min > 1440 || q->earliest_min >= q->latest_min)
		return EINVAL;
	type = &rules->types[q->type];
	if (!type->active || (q->practitioner >= 0 && !rules->practitioners[q->practitioner].active)) {
		*verdict = SCHED_INACTIVE;
		return EPERM;
	}
	if (q->new_patient && !type->new_patient_allowed) {
		*verdict = SCHED_NEW_PATIENT_TYPE;
		return EPERM;
	}
	if (q->practitioner >= 0 && !type_allows(type, q->practitioner)) {
		*verdict = SCHED_WRONG_PRACTITIONER;
		return EPERM;
	}
	return 0;
}

int sched_search(const struct sched_agenda *agenda, const struct sched_query *query,
		 struct sched_slot *slots, size_t *count, enum sched_verdict *verdict)
{
	const struct sched_rules *rules = agenda->rules;
	enum sched_verdict unused;
	struct selection *sel = NULL;
	struct search s = {agenda, rules, query, NULL, 0, 0, NULL, 0};
	int64_t notice_from, first_day, last_day;
	int err;

	*count = 0;
	if (!verdict)
		verdict = &unused;
	*verdict = SCHED_OK;
	err = validate_query(agenda, query, verdict);
	if (err)
		return err;
	s.type = &rules->types[query->type];

	/* Clamp the range to the minimum notice and the booking horizon. */
	notice_from = query->now + (query->urgent ? 0 : (int64_t)rules->min_notice_min * 60);
	s.from = query->from > notice_from ? query->from : notice_from;
	s.to = query->to < horizon_end(rules, query->now) ? query->to
							  : horizon_end(rules, query->now);
	if (s.from >= s.to)
		return 0;
	if (s.from < agenda->from || s.to > agenda->to)
		return ERANGE;

	sel = calloc(1, sizeof(*sel));
	s.day = malloc(DAY_CANDIDATES * sizeof(*s.day));
	if (!sel || !s.day) {
		err = ENOMEM;
		goto out;
	}
	sel->spread = !query->adjacent;
	sel->max = query->max_results;

	first_day = tz_day_of(rules->tz, s.from);
	last_day = tz_day_of(rules->tz, s.to - 1);
	for (int64_t day = first_day; day <= last_day && sel->chosen_count < sel->max; day++) {
		struct day_frame frame;

		day_frame_init(&frame, rules->tz, day);
		if (query->weekdays && !(query->weekdays & (1u << frame.weekday)))
			continue;
		if (is_closed_day(rules, day))
			continue;
		s.day_count = 0;
		for (size_t p = 0; p < rules->practitioner_count; p++) {
			if (query->practitioner >= 0 && (int)p != query->practitioner)
				continue;
			if (!rules->practitioners[p].active || !type_allows(s.type, (int)p))
				continue;
			collect_practitioner_day(&s, (int)p, &frame);
		}
		offer_day(&s, &frame, sel);
	}
	selection_finish(sel);
	for (size_t i = 0; i < sel->chosen_count; i++) {
		slots[i].start = sel->chosen[i].start;
		slots[i].end = sel->chosen[i].end;
		slots[i].practitioner = sel->chosen[i].practitioner;
	}
	*count = sel->chosen_count;
out:
	free(sel);
	free(s.day);
	return err;
}
