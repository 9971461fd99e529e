/*
 * Cancelling, moving and checking an appointment: once the patient is identified, their
 * upcoming appointments are listed (theirs only), one is chosen, and the change is
 * confirmed before it is made. A move searches, offers and confirms like a booking,
 * keeping the type and, unless the caller asks otherwise, the practitioner.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dialogue_priv.h"

static void say_appointment(struct dialogue *d, struct dialogue_actions *out,
			    const struct dialogue_appointment *a)
{
	char slot[160], who[160];
	struct msg_param params[] = {{"slot", slot}, {"practitioner", who}};

	dialogue_speak_slot(d, d->lang, a->start, slot, sizeof(slot));
	dialogue_speak_practitioner(d, d->lang, a->practitioner, who, sizeof(who));
	dialogue_say(d, out, "appointments.one", params, 2);
}

/* Speak the patient's upcoming appointments before a new one is booked. */
static void say_already_booked(struct dialogue *d, struct dialogue_actions *out)
{
	char items[DIALOGUE_MAX_APPOINTMENTS][240];
	const char *pointers[DIALOGUE_MAX_APPOINTMENTS];
	char list[DIALOGUE_TEXT_MAX], count[24];
	struct msg_param params[] = {{"count", count}, {"list", list}};

	for (size_t i = 0; i < d->appointment_count; i++) {
		char slot[160], who[160];
		struct msg_param item[] = {{"slot", slot}, {"practitioner", who}};

		dialogue_speak_slot(d, d->lang, d->appointments[i].start, slot, sizeof(slot));
		dialogue_speak_practitioner(d, d->lang, d->appointments[i].practitioner, who,
					    sizeof(who));
		dialogue_message(d, d->lang, "appointments.already.item", item, 2, items[i],
				 sizeof(items[i]));
		pointers[i] = items[i];
	}
	dialogue_join_all(d, d->lang, pointers, d->appointment_count, list, sizeof(list));
	snprintf(count, sizeof(count), "%zu", d->appointment_count);
	dialogue_say(d, out, d->appointment_count == 1 ? "appointments.already.one"
						       : "appointments.already.list", params, 2);
}

static void selected(struct dialogue *d, struct dialogue_actions *out)
{
	const struct dialogue_appointment *a = &d->appointments[d->selected];
	struct dialogue_form *f = &d->form;

	if (d->goal == DIALOGUE_GOAL_CANCEL) {
		d->confirm = DIALOGUE_CONFIRM_CANCEL;
		dialogue_ask(d, out, DIALOGUE_STATE_CONFIRM);
		return;
	}
	/* Move: same type; the same practitioner unless the caller named another. */
	f->type = a->type;
	f->type_named = true;
	f->urgent = false;
	if (f->practitioner < 0 && !f->practitioner_any)
		f->practitioner = a->practitioner;
	if (f->when_count == 0 && !f->soonest)
		say_appointment(d, out, a);
	dialogue_slots_advance(d, out);
}

void dialogue_manage_advance(struct dialogue *d, struct dialogue_actions *out)
{
	if (!dialogue_identify(d, out))
		return;
	if (!d->listed) {
		dialogue_request(d, out, DIALOGUE_ACTION_LIST_APPOINTMENTS)->patient_id =
			d->id.patient.id;
		return;
	}
	if (d->appointment_count == 0) {
		dialogue_say(d, out, "appointments.none", NULL, 0);
		dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
		return;
	}
	if (d->selected >= 0) {
		selected(d, out);
		return;
	}
	if (d->appointment_count == 1) {
		d->selected = 0;
		selected(d, out);
		return;
	}
	dialogue_ask(d, out, DIALOGUE_STATE_ASK_APPOINTMENT);
}

static void read_appointments(struct dialogue *d, struct dialogue_actions *out)
{
	char items[DIALOGUE_MAX_APPOINTMENTS][240];
	const char *pointers[DIALOGUE_MAX_APPOINTMENTS];
	char list[DIALOGUE_TEXT_MAX], count[24];
	struct msg_param params[] = {{"count", count}, {"list", list}};
	struct dialogue_done done = {DIALOGUE_ACTION_SAY, 0, 0, 0, -1, -1, "check"};

	if (d->appointment_count == 1) {
		say_appointment(d, out, &d->appointments[0]);
	} else {
		for (size_t i = 0; i < d->appointment_count; i++) {
			char slot[160], who[160], n[24];
			struct msg_param item[] = {{"n", n}, {"slot", slot}, {"practitioner", who}};

			snprintf(n, sizeof(n), "%zu", i + 1);
			dialogue_speak_slot(d, d->lang, d->appointments[i].start, slot, sizeof(slot));
			dialogue_speak_practitioner(d, d->lang, d->appointments[i].practitioner, who,
						    sizeof(who));
			dialogue_message(d, d->lang, "appointments.item", item, 3, items[i],
					 sizeof(items[i]));
			pointers[i] = items[i];
		}
		dialogue_join_all(d, d->lang, pointers, d->appointment_count, list, sizeof(list));
		snprintf(count, sizeof(count), "%zu", d->appointment_count);
		dialogue_say(d, out, "appointments.list", params, 2);
	}
	dialogue_record_done(d, &done);
	dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
}

void dialogue_on_appointments(struct dialogue *d, const struct dialogue_event *ev,
			      struct dialogue_actions *out)
{
	size_t count = ev->appointment_count;

	if (d->goal == DIALOGUE_GOAL_BOOK) {
		/* The listing only informs a booking: a failed one does not stop it. */
		d->listed = true;
		d->appointment_count = 0;
		if (!ev->error && count > 0) {
			d->appointment_count = count > DIALOGUE_MAX_APPOINTMENTS ? DIALOGUE_MAX_APPOINTMENTS
										: count;
			memcpy(d->appointments, ev->appointments,
			       d->appointment_count * sizeof(*ev->appointments));
			say_already_booked(d, out);
		}
		dialogue_book_advance(d, out);
		return;
	}
	if (ev->error) {
		dialogue_say(d, out, "search.failed", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	if (count > DIALOGUE_MAX_APPOINTMENTS)
		count = DIALOGUE_MAX_APPOINTMENTS;
	d->listed = true;
	d->appointment_count = count;
	d->selected = -1;
	if (count)
		memcpy(d->appointments, ev->appointments, count * sizeof(*ev->appointments));
	if (d->goal == DIALOGUE_GOAL_CHECK && count > 0) {
		read_appointments(d, out);
		return;
	}
	dialogue_manage_advance(d, out);
}

/* Whether an instant falls on a day or at a time the caller named. */
static bool matches(const struct nlu_when *w, int64_t start)
{
	return start >= w->start && start < w->end;
}

void dialogue_on_appointment(struct dialogue *d, const struct nlu_result *r,
			     struct dialogue_actions *out)
{
	const struct nlu_entities *e = &r->entities;
	int match = -1;

	if (e->choice >= 1 && (size_t)e->choice <= d->appointment_count) {
		match = e->choice - 1;
	} else {
		for (size_t i = 0; i < d->appointment_count; i++) {
			bool hit = false;

			for (size_t w = 0; w < e->when_count && w < NLU_MAX_WHEN; w++)
				hit = hit || matches(&e->when[w], d->appointments[i].start);
			if (hit)
				match = match == -1 ? (int)i : -2;
		}
	}
	if (match < 0) {
		dialogue_not_understood(d, out);
		return;
	}
	d->selected = match;
	selected(d, out);
}

void dialogue_on_cancelled(struct dialogue *d, const struct dialogue_event *ev,
			   struct dialogue_actions *out)
{
	const struct dialogue_appointment *a = &d->appointments[d->selected];
	char slot[160];
	struct msg_param params[] = {{"slot", slot}};

	if (ev->error == EALREADY || ev->error == ENOENT) {
		dialogue_say(d, out, "cancel.already", NULL, 0);
	} else if (ev->error) {
		dialogue_say(d, out, "cancel.failed", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	} else {
		struct dialogue_done done = {DIALOGUE_ACTION_CANCEL, a->id, 0, a->start,
					     a->practitioner, a->type, ""};

		dialogue_record_done(d, &done);
		dialogue_speak_slot(d, d->lang, a->start, slot, sizeof(slot));
		dialogue_say(d, out, "cancelled", params, 1);
	}
	d->listed = false;
	d->selected = -1;
	dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
}

void dialogue_on_moved(struct dialogue *d, const struct dialogue_event *ev,
		       struct dialogue_actions *out)
{
	struct dialogue_form *f = &d->form;

	if (ev->error == EALREADY || ev->error == ENOENT) {
		dialogue_say(d, out, "cancel.already", NULL, 0);
		d->listed = false;
		d->selected = -1;
		dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
		return;
	}
	if (ev->error) {
		dialogue_say(d, out, "move.failed", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	if (ev->verdict == SCHED_OK) {
		char slot[160], who[160];
		struct msg_param params[] = {{"slot", slot}, {"practitioner", who}};
		struct dialogue_done done = {DIALOGUE_ACTION_MOVE, ev->appointment.id,
					     d->appointments[d->selected].id, ev->appointment.start,
					     ev->appointment.practitioner, ev->appointment.type, ""};

		dialogue_record_done(d, &done);
		dialogue_speak_slot(d, d->lang, ev->appointment.start, slot, sizeof(slot));
		dialogue_speak_practitioner(d, d->lang, ev->appointment.practitioner, who,
					    sizeof(who));
		dialogue_say(d, out, "moved", params, 2);
		d->listed = false;
		d->selected = -1;
		dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
		return;
	}
	f->attempts++;
	if (f->attempts >= 3) {
		dialogue_say(d, out, "move.failed", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	dialogue_say(d, out, "book.taken", NULL, 0);
	dialogue_forget_search(d);
	dialogue_slots_advance(d, out);
}
