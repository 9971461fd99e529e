/*
 * Booking. The type, the practitioner and the caller's preferred times become one search
 * per preference ("mardi ou jeudi matin" is two). Two or three of the slots found are
 * offered, and the chosen one is read back for an explicit yes before it is booked.
 * Moving an appointment goes through the same search, offer and confirmation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogue_priv.h"
#include "tz.h"

size_t dialogue_eligible_practitioners(const struct dialogue *d, int type, int *list,
				       size_t size)
{
	uint64_t mask = type >= 0 && (size_t)type < d->type_count ? d->types[type].practitioner_mask
								   : 0;
	size_t count = 0;

	for (size_t i = 0; i < d->practitioner_count && count < size; i++) {
		if (!d->practitioners[i].active)
			continue;
		if (mask && !(mask & ((uint64_t)1 << i)))
			continue;
		list[count++] = (int)i;
	}
	return count;
}

void dialogue_forget_search(struct dialogue *d)
{
	struct dialogue_form *f = &d->form;

	f->searched = false;
	f->fallback = false;
	f->found_count = 0;
	f->offer_count = 0;
	f->chosen = -1;
	f->plan_count = 0;
	f->plan_next = 0;
}

/*
 * Copy the time preferences that are not over ("depuis hier" says when symptoms began,
 * not when to come). Returns false, leaving `when` alone, when none is left.
 */
static bool future_whens(const struct dialogue *d, const struct nlu_entities *e,
			 struct nlu_when *when, size_t *count)
{
	size_t kept = 0;

	for (size_t i = 0; i < e->when_count && i < NLU_MAX_WHEN; i++)
		kept += e->when[i].end > d->now;
	if (kept == 0)
		return false;
	kept = 0;
	for (size_t i = 0; i < e->when_count && i < NLU_MAX_WHEN; i++) {
		if (e->when[i].end > d->now)
			when[kept++] = e->when[i];
	}
	*count = kept;
	return true;
}

bool dialogue_absorb_preferences(struct dialogue *d, const struct nlu_result *r)
{
	struct dialogue_form *f = &d->form;
	const struct nlu_entities *e = &r->entities;
	bool changed = false;

	if (e->appointment_type >= 0 && (size_t)e->appointment_type < d->type_count &&
	    d->goal != DIALOGUE_GOAL_MOVE && d->types[e->appointment_type].active &&
	    (e->appointment_type != f->type || !f->type_named)) {
		f->type = e->appointment_type;
		f->type_named = true;
		changed = true;
	}
	if (e->practitioner >= 0 && (size_t)e->practitioner < d->practitioner_count &&
	    d->practitioners[e->practitioner].active && e->practitioner != f->practitioner) {
		f->practitioner = e->practitioner;
		f->practitioner_any = false;
		changed = true;
	} else if (e->practitioner_any && e->practitioner < 0 && !f->practitioner_any) {
		f->practitioner = -1;
		f->practitioner_any = true;
		changed = true;
	}
	if (future_whens(d, e, f->when, &f->when_count)) {
		f->soonest = false;
		changed = true;
	}
	if (e->new_patient)
		d->id.new_hint = true;
	return changed;
}

/* The type to book: named by the caller, else what the patient calls for. */
static void decide_type(struct dialogue *d)
{
	struct dialogue_form *f = &d->form;
	const struct dialogue_identity *id = &d->id;

	if (d->goal == DIALOGUE_GOAL_MOVE)
		return;
	if (f->type_named && f->type >= 0) {
		if (id->new_patient && !d->types[f->type].new_patient_allowed &&
		    d->type_new_patient >= 0)
			f->type = d->type_new_patient;
	} else if (id->new_patient && d->type_new_patient >= 0) {
		f->type = d->type_new_patient;
	} else if (!f->urgent && id->is_child && d->type_child >= 0 && !f->child_type_refused) {
		f->type = d->type_child;
	} else {
		f->type = d->type_default;
	}
}

/* ---- Search ---- */

static int64_t day_end(const struct dialogue *d, int64_t instant)
{
	return tz_day_start(d->tz, tz_day_of(d->tz, instant) + 1);
}

/* The query of one step of the search plan; false when it has nothing left to search. */
static bool build_query(const struct dialogue *d, size_t index, struct sched_query *q)
{
	const struct dialogue_form *f = &d->form;
	int64_t horizon_end = d->now + (int64_t)d->horizon_days * 86400;

	memset(q, 0, sizeof(*q));
	q->type = f->type;
	q->practitioner = f->practitioner_any || f->practitioner < 0 ? -1 : f->practitioner;
	q->now = d->now;
	q->new_patient = d->id.new_patient;
	q->max_results = DIALOGUE_MAX_OFFER;
	q->latest_min = 1440;
	if (f->urgent) {
		q->urgent = true;
		q->adjacent = true;
		q->from = d->now + (int64_t)d->urgent_lead_min * 60;
		q->to = day_end(d, d->now);
	} else if (f->fallback) {
		q->from = d->now;
		for (size_t i = 0; i < f->when_count; i++) {
			if (i == 0 || f->when[i].start < q->from)
				q->from = f->when[i].start;
		}
		if (q->from < d->now)
			q->from = d->now;
		q->to = horizon_end;
	} else if (f->soonest || f->when_count == 0) {
		q->from = d->now;
		q->to = horizon_end;
	} else {
		const struct nlu_when *w = &f->when[index];

		if (w->end <= d->now)
			return false;
		q->from = w->start > d->now ? w->start : d->now;
		q->to = w->end;
		if (w->grain == NLU_GRAIN_MINUTE || w->grain == NLU_GRAIN_HOUR) {
			/* "jeudi à 10 h": that time if free, else the next ones that day. */
			int64_t end = day_end(d, w->start);

			q->to = end > q->to ? end : q->to;
			q->adjacent = true;
		} else if (w->minute_to > w->minute_from) {
			q->earliest_min = w->minute_from > 0 ? w->minute_from : 0;
			q->latest_min = w->minute_to < 1440 ? w->minute_to : 1440;
		}
		if (w->weekday_exclude)
			q->weekdays = 0xFEu & ~w->weekday_exclude;
	}
	return q->to > q->from;
}

static void search_next(struct dialogue *d, struct dialogue_actions *out);

static void search_start(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	dialogue_forget_search(d);
	f->plan_count = f->urgent || f->soonest || f->when_count == 0 ? 1 : f->when_count;
	search_next(d, out);
}

/* Decide the type again (the patient may have turned out new) and search from scratch. */
static void restart_search(struct dialogue *d, struct dialogue_actions *out)
{
	decide_type(d);
	search_start(d, out);
}

static void ask_other_practitioner_or_task(struct dialogue *d, struct dialogue_actions *out)
{
	int eligible[SCHED_MAX_PRACTITIONERS];
	struct dialogue_form *f = &d->form;

	if (!f->practitioner_any && f->practitioner >= 0 &&
	    dialogue_eligible_practitioners(d, f->type, eligible, SCHED_MAX_PRACTITIONERS) > 1) {
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_OTHER_PRACTITIONER);
		return;
	}
	dialogue_say(d, out, "no_slots.task", NULL, 0);
	dialogue_task_with_number(d, out, "callback", DIALOGUE_TASK_NO_SLOT);
}

/* No urgent slot today (or the caller turned them down): a person, or a priority task. */
static void urgent_without_slot(struct dialogue *d, struct dialogue_actions *out, bool none)
{
	char key[32];
	const char *text;

	if (none)
		dialogue_say(d, out, "urgent.none", NULL, 0);
	if (dialogue_secretariat_open(d)) {
		dialogue_transfer(d, out, DIALOGUE_TASK_URGENT);
		return;
	}
	snprintf(key, sizeof(key), "urgent.after_hours.%s", d->lang == NLU_LANG_EN ? "en" : "fr");
	text = dialogue_setting(d, key);
	if (text)
		dialogue_say_text(d, out, "urgent.after_hours", text);
	else
		dialogue_say(d, out, "urgent.after_hours", NULL, 0);
	dialogue_task_with_number(d, out, "urgent", DIALOGUE_TASK_URGENT);
}

static int compare_slots(const void *a, const void *b)
{
	const struct sched_slot *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->practitioner - y->practitioner;
}

/* Offer up to three slots, taking each preference's best in turn, in time order. */
static void pick_offer(struct dialogue *d)
{
	struct dialogue_form *f = &d->form;
	bool taken[sizeof(f->found) / sizeof(f->found[0])] = {false};

	f->offer_count = 0;
	for (size_t round = 0; round < DIALOGUE_MAX_OFFER; round++) {
		for (size_t plan = 0; plan < f->plan_count; plan++) {
			size_t seen = 0;

			for (size_t i = 0; i < f->found_count; i++) {
				if (f->found_plan[i] != plan)
					continue;
				if (seen++ != round || taken[i])
					continue;
				if (f->offer_count < DIALOGUE_MAX_OFFER) {
					f->offer[f->offer_count++] = f->found[i];
					taken[i] = true;
				}
			}
		}
	}
	qsort(f->offer, f->offer_count, sizeof(f->offer[0]), compare_slots);
	f->chosen = -1;
}

static void search_done(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	f->searched = true;
	if (f->found_count == 0) {
		if (f->urgent) {
			urgent_without_slot(d, out, true);
		} else if (f->when_count > 0 && !f->soonest && !f->fallback) {
			/* Nothing at the times asked: look from there on, without constraints. */
			f->fallback = true;
			f->plan_count = 1;
			f->plan_next = 0;
			f->searched = false;
			search_next(d, out);
		} else {
			if (!f->practitioner_any && f->practitioner >= 0) {
				char who[160];
				struct msg_param params[] = {{"practitioner", who}};

				dialogue_speak_practitioner(d, d->lang, f->practitioner, who, sizeof(who));
				dialogue_say(d, out, "no_slots.practitioner", params, 1);
			}
			ask_other_practitioner_or_task(d, out);
		}
		return;
	}
	pick_offer(d);
	if (f->fallback)
		dialogue_say(d, out, "offer.fallback", NULL, 0);
	if (f->urgent)
		dialogue_say(d, out, "urgent.offer", NULL, 0);
	dialogue_ask(d, out, DIALOGUE_STATE_OFFER);
}

static void search_next(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;
	struct sched_query q;

	while (f->plan_next < f->plan_count) {
		if (build_query(d, f->plan_next, &q)) {
			dialogue_request(d, out, DIALOGUE_ACTION_SEARCH)->query = q;
			return;
		}
		f->plan_next++;
	}
	if (f->found_count == 0 && !f->fallback && !f->urgent && f->when_count > 0 && !f->soonest) {
		bool future = false;

		for (size_t i = 0; i < f->when_count; i++)
			future = future || f->when[i].end > d->now;
		if (!future) {
			/* Every preference is in the past: ask again rather than guess. */
			dialogue_say(d, out, "when.past", NULL, 0);
			f->when_count = 0;
			f->searched = false;
			dialogue_ask(d, out, DIALOGUE_STATE_ASK_WHEN);
			return;
		}
	}
	search_done(d, out);
}

static void add_found(struct dialogue_form *f, const struct sched_slot *slots, size_t count,
		      size_t plan)
{
	size_t room = sizeof(f->found) / sizeof(f->found[0]);

	for (size_t i = 0; i < count && f->found_count < room; i++) {
		bool duplicate = false;

		for (size_t j = 0; j < f->found_count; j++)
			duplicate = duplicate || (f->found[j].start == slots[i].start &&
						  f->found[j].practitioner == slots[i].practitioner);
		if (duplicate)
			continue;
		f->found_plan[f->found_count] = (unsigned char)plan;
		f->found[f->found_count++] = slots[i];
	}
}

void dialogue_on_slots(struct dialogue *d, const struct dialogue_event *ev,
		       struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	if (ev->error == EPERM) {
		if (ev->verdict == SCHED_NEW_PATIENT_TYPE && !d->id.new_patient) {
			d->id.new_patient = true;
			dialogue_say(d, out, "new_patient.type", NULL, 0);
			restart_search(d, out);
			return;
		}
		if (!f->type_named && f->type == d->type_child && !f->child_type_refused) {
			/* The practitioner asked for does not do the child type: a consultation. */
			f->child_type_refused = true;
			restart_search(d, out);
			return;
		}
		if (f->practitioner >= 0 && !f->practitioner_any) {
			char who[160];
			struct msg_param params[] = {{"practitioner", who}};

			dialogue_speak_practitioner(d, d->lang, f->practitioner, who, sizeof(who));
			dialogue_say(d, out, "search.wrong_practitioner", params, 1);
			dialogue_ask(d, out, DIALOGUE_STATE_ASK_OTHER_PRACTITIONER);
			return;
		}
		/* Nobody takes this type for this patient: the staff will arrange it. */
		f->plan_next = f->plan_count;
		search_next(d, out);
		return;
	}
	if (ev->error && ev->error != EINVAL && ev->error != ERANGE) {
		dialogue_say(d, out, "search.failed", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	if (!ev->error)
		add_found(f, ev->slots, ev->slot_count, f->plan_next);
	f->plan_next++;
	search_next(d, out);
}

/* ---- The booking flow ---- */

void dialogue_slots_advance(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	if (!f->urgent && f->when_count == 0 && !f->soonest) {
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_WHEN);
		return;
	}
	if (!f->searched || f->offer_count == 0) {
		restart_search(d, out);
		return;
	}
	if (f->chosen >= 0)
		dialogue_ask(d, out, DIALOGUE_STATE_CONFIRM);
	else
		dialogue_ask(d, out, DIALOGUE_STATE_OFFER);
}

void dialogue_book_advance(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	if (!dialogue_identify(d, out))
		return;
	if (d->goal == DIALOGUE_GOAL_BOOK && d->id.patient.id > 0 && !d->listed) {
		/* Mention what is already booked, so that a patient does not book twice by mistake. */
		dialogue_request(d, out, DIALOGUE_ACTION_LIST_APPOINTMENTS)->patient_id =
			d->id.patient.id;
		return;
	}
	decide_type(d);
	if (!f->urgent && f->practitioner < 0 && !f->practitioner_any) {
		int eligible[SCHED_MAX_PRACTITIONERS];
		size_t count = dialogue_eligible_practitioners(d, f->type, eligible,
							       SCHED_MAX_PRACTITIONERS);

		if (count == 1) {
			f->practitioner = eligible[0];
		} else if (count > 1) {
			dialogue_ask(d, out, DIALOGUE_STATE_ASK_PRACTITIONER);
			return;
		} else {
			f->practitioner_any = true;
		}
	}
	dialogue_slots_advance(d, out);
}

void dialogue_start_urgent(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	d->goal = DIALOGUE_GOAL_URGENT;
	if (d->intent == NLU_INTENT_NONE)
		d->intent = NLU_INTENT_BOOK;
	memset(f, 0, sizeof(*f));
	f->type = -1;
	f->practitioner = -1;
	f->practitioner_any = true;
	f->chosen = -1;
	f->urgent = true;
	d->id.lenient = false;
	if (!d->urgent_announced) {
		d->urgent_announced = true;
		dialogue_say(d, out, "urgent.ack", NULL, 0);
	}
	dialogue_book_advance(d, out);
}

void dialogue_on_practitioner(struct dialogue *d, const struct nlu_result *r,
			      struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;
	const struct nlu_entities *e = &r->entities;

	if (e->choice >= 1 && (size_t)e->choice <= d->choice_count) {
		/* "Le premier": a choice in the list, not the first of the month. */
		f->practitioner = d->choice_map[e->choice - 1];
		f->practitioner_any = false;
		dialogue_forget_search(d);
		dialogue_advance(d, out);
		return;
	}
	if (future_whens(d, e, f->when, &f->when_count))
		f->soonest = false;
	if (e->practitioner >= 0 && (size_t)e->practitioner < d->practitioner_count &&
	    d->practitioners[e->practitioner].active) {
		f->practitioner = e->practitioner;
		f->practitioner_any = false;
	} else if (e->practitioner_any || r->intent == NLU_INTENT_DONT_KNOW) {
		f->practitioner = -1;
		f->practitioner_any = true;
	} else if (e->when_count > 0) {
		/* A day instead of a doctor: kept, and the doctor asked again. */
		dialogue_prompt(d, out, DIALOGUE_PROMPT_NORMAL);
		return;
	} else {
		dialogue_not_understood(d, out);
		return;
	}
	dialogue_forget_search(d);
	dialogue_advance(d, out);
}

void dialogue_on_when(struct dialogue *d, const struct nlu_result *r,
		      struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;
	const struct nlu_entities *e = &r->entities;
	bool practitioner = e->practitioner >= 0 && (size_t)e->practitioner < d->practitioner_count;

	if (practitioner) {
		f->practitioner = e->practitioner;
		f->practitioner_any = false;
	}
	if (e->when_count > 0) {
		if (!future_whens(d, e, f->when, &f->when_count)) {
			dialogue_say(d, out, "when.past", NULL, 0);
			dialogue_prompt(d, out, DIALOGUE_PROMPT_NORMAL);
			return;
		}
		f->soonest = false;
	} else if (r->intent == NLU_INTENT_DONT_KNOW || (e->practitioner_any && !practitioner)) {
		/* "Peu importe", "le plus tôt possible", key 1. */
		f->soonest = true;
		f->when_count = 0;
	} else if (!practitioner) {
		dialogue_not_understood(d, out);
		return;
	}
	dialogue_forget_search(d);
	dialogue_advance(d, out);
}

/* Whether an instant falls within a time preference. */
static bool when_contains(const struct dialogue *d, const struct nlu_when *w, int64_t start)
{
	struct civil_time t;
	int minute;

	if (start < w->start || start >= w->end)
		return false;
	if (w->weekday_exclude & (1u << civil_weekday(tz_day_of(d->tz, start))))
		return false;
	if (w->grain == NLU_GRAIN_MINUTE || w->grain == NLU_GRAIN_HOUR ||
	    w->minute_to <= w->minute_from)
		return true;
	t = tz_to_local(d->tz, start, NULL);
	minute = t.hour * 60 + t.minute;
	return minute >= w->minute_from && minute < w->minute_to;
}

/* The one item among `count` starts that the caller's words designate; -1 none, -2 several. */
static int match_when(const struct dialogue *d, const struct nlu_entities *e,
		      const int64_t *starts, size_t count)
{
	int match = -1;

	for (size_t i = 0; i < count; i++) {
		bool hit = false;

		for (size_t w = 0; w < e->when_count && w < NLU_MAX_WHEN; w++)
			hit = hit || when_contains(d, &e->when[w], starts[i]);
		if (!hit)
			continue;
		if (match >= 0)
			return -2;
		match = (int)i;
	}
	return match;
}

static void choose_offer(struct dialogue *d, int index, struct dialogue_actions *out)
{
	d->form.chosen = index;
	d->confirm = d->goal == DIALOGUE_GOAL_MOVE ? DIALOGUE_CONFIRM_MOVE : DIALOGUE_CONFIRM_BOOK;
	dialogue_ask(d, out, DIALOGUE_STATE_CONFIRM);
}

/* "Non, plutôt jeudi", "avec le docteur Benali plutôt": search again with it. */
static bool apply_correction(struct dialogue *d, const struct nlu_result *r,
			     struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;
	const struct nlu_entities *e = &r->entities;
	bool changed = false;

	if (e->practitioner >= 0 && (size_t)e->practitioner < d->practitioner_count &&
	    d->practitioners[e->practitioner].active && e->practitioner != f->practitioner) {
		f->practitioner = e->practitioner;
		f->practitioner_any = false;
		changed = true;
	}
	if (future_whens(d, e, f->when, &f->when_count)) {
		f->soonest = false;
		changed = true;
	}
	if (!changed)
		return false;
	if (f->urgent) {
		/* An urgent request stays on today's urgent slots whatever time is named. */
		f->when_count = 0;
	}
	dialogue_forget_search(d);
	dialogue_advance(d, out);
	return true;
}

static void refuse_offer(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	dialogue_forget_search(d);
	f->retry_when = true;
	f->when_count = 0;
	f->soonest = false;
	if (f->urgent) {
		urgent_without_slot(d, out, false);
		return;
	}
	dialogue_ask(d, out, DIALOGUE_STATE_ASK_WHEN);
}

void dialogue_on_offer(struct dialogue *d, const struct nlu_result *r,
		       struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;
	const struct nlu_entities *e = &r->entities;
	int64_t starts[DIALOGUE_MAX_OFFER];
	int match;

	if (e->choice >= 1 && (size_t)e->choice <= f->offer_count) {
		choose_offer(d, e->choice - 1, out);
		return;
	}
	for (size_t i = 0; i < f->offer_count; i++)
		starts[i] = f->offer[i].start;
	match = e->when_count ? match_when(d, e, starts, f->offer_count) : -1;
	if (match >= 0) {
		choose_offer(d, match, out);
		return;
	}
	if (match == -2) {
		dialogue_prompt(d, out, DIALOGUE_PROMPT_WHICH);
		return;
	}
	if (apply_correction(d, r, out))
		return;
	if (r->intent == NLU_INTENT_YES) {
		if (f->offer_count == 1)
			choose_offer(d, 0, out);
		else
			dialogue_prompt(d, out, DIALOGUE_PROMPT_WHICH);
		return;
	}
	if (r->intent == NLU_INTENT_NO) {
		refuse_offer(d, out);
		return;
	}
	dialogue_not_understood(d, out);
}

static void request_booking(struct dialogue *d, struct dialogue_actions *out)
{
	const struct dialogue_form *f = &d->form;
	const struct sched_slot *slot = &f->offer[f->chosen];
	const struct dialogue_identity *id = &d->id;

	if (d->confirm == DIALOGUE_CONFIRM_MOVE) {
		struct dialogue_move_request *m =
			&dialogue_request(d, out, DIALOGUE_ACTION_MOVE)->move;

		m->appointment_id = d->appointments[d->selected].id;
		m->practitioner = slot->practitioner;
		m->start = slot->start;
		return;
	}
	{
		struct dialogue_book_request *b = &dialogue_request(d, out, DIALOGUE_ACTION_BOOK)->book;

		b->type = f->type;
		b->practitioner = slot->practitioner;
		b->start = slot->start;
		b->urgent = f->urgent;
		b->patient.id = id->patient.id;
		snprintf(b->patient.last_name, sizeof(b->patient.last_name), "%s",
			 id->patient.last_name);
		snprintf(b->patient.first_name, sizeof(b->patient.first_name), "%s",
			 id->patient.first_name);
		snprintf(b->patient.birth_date, sizeof(b->patient.birth_date), "%s",
			 id->patient.birth_date);
		snprintf(b->patient.phone, sizeof(b->patient.phone), "%s", d->caller_number);
		snprintf(b->reason, sizeof(b->reason), "%s", d->reason);
	}
}

void dialogue_on_confirm(struct dialogue *d, const struct nlu_result *r,
			 struct dialogue_actions *out)
{
	if (d->confirm == DIALOGUE_CONFIRM_CANCEL) {
		if (r->intent == NLU_INTENT_YES) {
			dialogue_request(d, out, DIALOGUE_ACTION_CANCEL)->move.appointment_id =
				d->appointments[d->selected].id;
		} else if (r->intent == NLU_INTENT_NO) {
			dialogue_say(d, out, "cancel.kept", NULL, 0);
			dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
		} else {
			dialogue_not_understood(d, out);
		}
		return;
	}
	/* A correction wins over the yes or no it comes with: "non, plutôt jeudi". */
	if (apply_correction(d, r, out))
		return;
	if (r->intent == NLU_INTENT_YES)
		request_booking(d, out);
	else if (r->intent == NLU_INTENT_NO)
		refuse_offer(d, out);
	else
		dialogue_not_understood(d, out);
}

void dialogue_on_other_practitioner(struct dialogue *d, const struct nlu_result *r,
				    struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	if (r->intent == NLU_INTENT_YES) {
		f->practitioner = -1;
		f->practitioner_any = true;
		f->type_named = f->type_named && d->goal != DIALOGUE_GOAL_MOVE;
		dialogue_forget_search(d);
		dialogue_advance(d, out);
	} else if (r->intent == NLU_INTENT_NO) {
		dialogue_say(d, out, "no_slots.task", NULL, 0);
		dialogue_task_with_number(d, out, "callback", DIALOGUE_TASK_NO_SLOT);
	} else {
		dialogue_not_understood(d, out);
	}
}

static void say_booked(struct dialogue *d, const struct dialogue_appointment *a,
		       struct dialogue_actions *out)
{
	char slot[160], who[160], name[160], key[32];
	struct msg_param params[] = {{"slot", slot}, {"practitioner", who}, {"name", name}};
	const struct dialogue_identity *id = &d->id;
	bool self = id->relation == NLU_PATIENT_SELF || id->relation == NLU_PATIENT_UNKNOWN;
	const char *documents;

	dialogue_speak_slot(d, d->lang, a->start, slot, sizeof(slot));
	dialogue_speak_practitioner(d, d->lang, a->practitioner, who, sizeof(who));
	snprintf(name, sizeof(name), "%s", id->patient.first_name[0] ? id->patient.first_name
								     : id->patient.last_name);
	dialogue_say(d, out, self ? "booked.self" : "booked.other", params, 3);
	if (d->form.urgent)
		dialogue_say(d, out, "urgent.worse", NULL, 0);
	snprintf(key, sizeof(key), "answer.documents.%s", d->lang == NLU_LANG_EN ? "en" : "fr");
	documents = dialogue_setting(d, key);
	if (documents && (id->new_patient || id->is_child))
		dialogue_say_text(d, out, "answer.documents", documents);
	else
		dialogue_say(d, out, "booked.cancel_hint", NULL, 0);
}

void dialogue_on_booked(struct dialogue *d, const struct dialogue_event *ev,
			struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	if (ev->error) {
		dialogue_say(d, out, "book.failed", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	if (ev->verdict == SCHED_OK) {
		struct dialogue_done done = {DIALOGUE_ACTION_BOOK, ev->appointment.id, 0,
					     ev->appointment.start, ev->appointment.practitioner,
					     ev->appointment.type, ""};

		if (ev->appointment.patient_id)
			d->id.patient.id = ev->appointment.patient_id;
		if (ev->new_patient)
			d->id.new_patient = true;
		dialogue_record_done(d, &done);
		say_booked(d, &ev->appointment, out);
		dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
		return;
	}
	if (ev->verdict == SCHED_NEW_PATIENT_TYPE && !d->id.new_patient) {
		d->id.new_patient = true;
		dialogue_say(d, out, "new_patient.type", NULL, 0);
		restart_search(d, out);
		return;
	}
	f->attempts++;
	if (f->attempts >= 3) {
		dialogue_say(d, out, "book.failed", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	dialogue_say(d, out, "book.taken", NULL, 0);
	restart_search(d, out);
}
