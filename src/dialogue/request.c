/*
 * Requests for the staff (prescription renewals, results, paperwork, callbacks), the
 * practice's answers to usual questions, transfers, emergencies and goodbyes. The
 * assistant gives no medical advice and reads out no result: it passes the request on
 * and says who will call back, on which number.
 */
#include <stdio.h>
#include <string.h>

#include "dialogue_priv.h"
#include "phone.h"
#include "tz.h"

bool dialogue_secretariat_open(const struct dialogue *d)
{
	return d->hours_valid && d->transfer_target[0] &&
	       dialogue_hours_open(&d->hours, d->tz, d->regions, d->now);
}

static bool have_number(struct dialogue *d)
{
	if (!d->callback_number[0] && d->caller_number[0])
		snprintf(d->callback_number, sizeof(d->callback_number), "%s", d->caller_number);
	return d->callback_number[0] != '\0';
}

static const char *lang_code(enum nlu_lang lang)
{
	return lang == NLU_LANG_EN ? "en" : "fr";
}

/* A setting in the call's language: "answer.hours" -> "answer.hours.fr". */
static const char *setting_in_lang(const struct dialogue *d, const char *base)
{
	char key[64];

	snprintf(key, sizeof(key), "%s.%s", base, lang_code(d->lang));
	return dialogue_setting(d, key);
}

static void speak_number(const char *e164, char *buf, size_t size)
{
	phone_format_national(e164, buf, size);
}

/* When the secretariat opens next, spoken; false when unknown. */
static bool next_opening(const struct dialogue *d, char *buf, size_t size)
{
	int64_t next;

	if (!d->hours_valid ||
	    dialogue_hours_next(&d->hours, d->tz, d->regions, d->now, &next) != 0)
		return false;
	dialogue_speak_slot(d, d->lang, next, buf, size);
	return true;
}

/* ---- Tasks ---- */

static void flag_text(const struct dialogue *d, char *buf, size_t size)
{
	char key[48];

	snprintf(key, sizeof(key), "flag.%s", nlu_flag_name(d->triage.flag));
	if (!catalogue_template(d->catalogue, d->staff_lang, key))
		snprintf(key, sizeof(key), "flag.none");
	dialogue_message(d, d->staff_lang, key, NULL, 0, buf, size);
}

/* "Sophie Durand (date de naissance 12/04/1985)" for the staff. */
static void who_text(const struct dialogue *d, char *buf, size_t size)
{
	const struct dialogue_identity *id = &d->id;
	char name[140], birth[16];
	struct msg_param params[] = {{"name", name}, {"birth", birth}};

	if (id->identified) {
		dialogue_patient_name(&id->patient, name, sizeof(name));
		snprintf(birth, sizeof(birth), "%s", id->patient.birth_date);
		if (birth[0]) {
			struct civil_date date;

			if (civil_date_parse(id->patient.birth_date, &date) == 0)
				dialogue_speak_birth(&date, birth, sizeof(birth));
		}
	} else {
		snprintf(name, sizeof(name), "%s%s%s", id->first_name,
			 id->first_name[0] && id->last_name[0] ? " " : "", id->last_name);
		birth[0] = '\0';
		if (id->has_birth)
			dialogue_speak_birth(&id->birth, birth, sizeof(birth));
	}
	if (!name[0])
		dialogue_message(d, d->staff_lang, "staff.who.unknown", NULL, 0, buf, size);
	else
		dialogue_message(d, d->staff_lang, birth[0] ? "staff.who.born" : "staff.who", params,
				 2, buf, size);
}

static const char *summary_key(enum dialogue_task_purpose purpose, const char *kind)
{
	switch (purpose) {
	case DIALOGUE_TASK_EMERGENCY:
		return "staff.task.emergency";
	case DIALOGUE_TASK_URGENT:
		return "staff.task.urgent";
	case DIALOGUE_TASK_HANGUP:
		return "staff.task.urgent_abandoned";
	case DIALOGUE_TASK_CALLBACK:
		return "staff.task.callback";
	case DIALOGUE_TASK_HANDOFF:
		return "staff.task.handoff";
	case DIALOGUE_TASK_NO_SLOT:
		return "staff.task.no_slot";
	case DIALOGUE_TASK_REQUEST:
		break;
	}
	if (strcmp(kind, "prescription") == 0)
		return "staff.task.prescription";
	if (strcmp(kind, "results") == 0)
		return "staff.task.results";
	return "staff.task.paperwork";
}

void dialogue_create_task(struct dialogue *d, struct dialogue_actions *out, const char *kind,
			  enum dialogue_task_purpose purpose)
{
	struct dialogue_task_request *t =
		&dialogue_request(d, out, DIALOGUE_ACTION_CREATE_TASK)->task;
	const struct dialogue_identity *id = &d->id;
	char who[200], number[32], flag[96];
	const char *request = d->request_text[0] ? d->request_text : d->first_request;
	struct msg_param params[] = {{"who", who}, {"number", number}, {"flag", flag},
				     {"dial", d->triage.dial[0] ? d->triage.dial : "15"},
				     {"request", request}};

	d->task_purpose = purpose;
	have_number(d);
	snprintf(t->kind, sizeof(t->kind), "%s", kind);
	t->priority = purpose == DIALOGUE_TASK_EMERGENCY ? 0
		      : purpose == DIALOGUE_TASK_URGENT || purpose == DIALOGUE_TASK_HANGUP ||
				d->triage.level >= NLU_URGENCY_URGENT
			      ? 1
			      : 2;
	t->patient_id = id->identified ? id->patient.id : 0;
	t->practitioner = d->form.practitioner_any ? -1 : d->form.practitioner;
	snprintf(t->callback_number, sizeof(t->callback_number), "%s", d->callback_number);
	catalogue_copy_utf8(t->request, sizeof(t->request), request);
	if (id->identified) {
		dialogue_patient_name(&id->patient, t->patient_name, sizeof(t->patient_name));
		snprintf(t->birth_date, sizeof(t->birth_date), "%s", id->patient.birth_date);
	} else {
		snprintf(t->patient_name, sizeof(t->patient_name), "%s%s%s", id->first_name,
			 id->first_name[0] && id->last_name[0] ? " " : "", id->last_name);
		if (id->has_birth)
			civil_date_format(&id->birth, t->birth_date, sizeof(t->birth_date));
	}
	who_text(d, who, sizeof(who));
	if (d->callback_number[0])
		speak_number(d->callback_number, number, sizeof(number));
	else
		dialogue_message(d, d->staff_lang, "staff.no_number", NULL, 0, number,
				 sizeof(number));
	flag_text(d, flag, sizeof(flag));
	dialogue_message(d, d->staff_lang, summary_key(purpose, kind), params, 5, t->summary,
			 sizeof(t->summary));
}

void dialogue_task_with_number(struct dialogue *d, struct dialogue_actions *out,
			       const char *kind, enum dialogue_task_purpose purpose)
{
	if (have_number(d)) {
		d->task_after_phone = false;
		dialogue_create_task(d, out, kind, purpose);
		return;
	}
	d->task_after_phone = true;
	snprintf(d->task_kind, sizeof(d->task_kind), "%s", kind);
	d->task_after_purpose = purpose;
	dialogue_ask(d, out, DIALOGUE_STATE_ASK_PHONE);
}

static const char *goal_task_kind(enum dialogue_goal goal)
{
	switch (goal) {
	case DIALOGUE_GOAL_PRESCRIPTION:
		return "prescription";
	case DIALOGUE_GOAL_RESULTS:
		return "results";
	default:
		return "paperwork";
	}
}

void dialogue_request_advance(struct dialogue *d, struct dialogue_actions *out)
{
	if (d->goal == DIALOGUE_GOAL_RESULTS && !d->results_announced) {
		d->results_announced = true;
		dialogue_say(d, out, "results.no_phone", NULL, 0);
	}
	if (!dialogue_identify(d, out))
		return;
	if (!d->request_text[0]) {
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_DETAILS);
		return;
	}
	dialogue_task_with_number(d, out, goal_task_kind(d->goal), DIALOGUE_TASK_REQUEST);
}

void dialogue_callback_advance(struct dialogue *d, struct dialogue_actions *out)
{
	if (!dialogue_identify(d, out))
		return;
	dialogue_task_with_number(d, out, "callback", DIALOGUE_TASK_CALLBACK);
}

bool dialogue_callback_unnamed_ok(struct dialogue *d)
{
	return d->goal == DIALOGUE_GOAL_CALLBACK && have_number(d);
}

void dialogue_callback_unnamed(struct dialogue *d, struct dialogue_actions *out)
{
	/* The staff call the number back and ask the name then. */
	d->id.identified = true;
	dialogue_create_task(d, out, "callback", DIALOGUE_TASK_CALLBACK);
}

static bool blank_text(const char *text)
{
	return text[strspn(text, " \t\r\n.,!?")] == '\0';
}

void dialogue_on_details(struct dialogue *d, const char *text, struct dialogue_actions *out)
{
	if (!text || blank_text(text)) {
		dialogue_not_understood(d, out);
		return;
	}
	catalogue_copy_utf8(d->request_text, sizeof(d->request_text), text);
	dialogue_advance(d, out);
}

void dialogue_on_phone(struct dialogue *d, const struct nlu_result *r,
		       struct dialogue_actions *out)
{
	char e164[24];

	if (!r->entities.phone[0] ||
	    phone_to_e164(r->entities.phone, e164, sizeof(e164)) != 0) {
		dialogue_not_understood(d, out);
		return;
	}
	snprintf(d->callback_number, sizeof(d->callback_number), "%s", e164);
	if (d->task_after_phone) {
		char kind[sizeof(d->task_kind)];

		snprintf(kind, sizeof(kind), "%s", d->task_kind);
		d->task_after_phone = false;
		dialogue_create_task(d, out, kind, d->task_after_purpose);
		return;
	}
	dialogue_advance(d, out);
}

static void say_task_done(struct dialogue *d, const struct dialogue_event *ev,
			  struct dialogue_actions *out)
{
	char number[32], when[160], key[48];
	struct msg_param params[] = {{"number", number}, {"when", when}};
	bool closed = !dialogue_secretariat_open(d) && next_opening(d, when, sizeof(when));

	speak_number(d->callback_number, number, sizeof(number));
	switch (d->task_purpose) {
	case DIALOGUE_TASK_REQUEST:
		snprintf(key, sizeof(key), "task.done.%s", goal_task_kind(d->goal));
		break;
	case DIALOGUE_TASK_URGENT:
		snprintf(key, sizeof(key), "task.done.urgent");
		break;
	case DIALOGUE_TASK_NO_SLOT:
		snprintf(key, sizeof(key), "task.done.no_slot");
		break;
	default:
		snprintf(key, sizeof(key), closed ? "task.done.callback.closed" : "task.done.callback");
		break;
	}
	dialogue_say(d, out, key, params, 2);
	(void)ev;
}

void dialogue_on_task(struct dialogue *d, const struct dialogue_event *ev,
		      struct dialogue_actions *out)
{
	enum dialogue_task_purpose purpose = d->task_purpose;
	struct dialogue_done done = {DIALOGUE_ACTION_CREATE_TASK, ev->task_id, 0, 0, -1, -1, ""};

	if (purpose == DIALOGUE_TASK_HANGUP) {
		if (!ev->error) {
			snprintf(done.what, sizeof(done.what), "urgent");
			dialogue_record_done(d, &done);
		}
		d->state = DIALOGUE_STATE_ENDED;
		return;
	}
	if (purpose == DIALOGUE_TASK_EMERGENCY) {
		/* The instruction was said twice; the call ends so the caller can dial. */
		if (!ev->error) {
			snprintf(done.what, sizeof(done.what), "emergency");
			dialogue_record_done(d, &done);
		}
		dialogue_end(d, out);
		return;
	}
	if (ev->error) {
		dialogue_say(d, out, "task.failed", NULL, 0);
		d->end_outcome = "failed";
		dialogue_end(d, out);
		return;
	}
	snprintf(done.what, sizeof(done.what), "%s",
		 purpose == DIALOGUE_TASK_REQUEST ? goal_task_kind(d->goal)
		 : purpose == DIALOGUE_TASK_URGENT ? "urgent" : "callback");
	dialogue_record_done(d, &done);
	say_task_done(d, ev, out);
	if (purpose == DIALOGUE_TASK_HANDOFF) {
		dialogue_goodbye(d, out, NULL);
		return;
	}
	dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
}

/* ---- People ---- */

void dialogue_transfer(struct dialogue *d, struct dialogue_actions *out,
		       enum dialogue_task_purpose why)
{
	struct dialogue_action *a;

	d->transfer_why = why;
	/* The announcement and the transfer are emitted together, never one without the other. */
	dialogue_say(d, out, "transfer.announce", NULL, 0);
	a = dialogue_request(d, out, DIALOGUE_ACTION_TRANSFER);
	snprintf(a->target, sizeof(a->target), "%s", d->transfer_target);
}

void dialogue_human(struct dialogue *d, struct dialogue_actions *out)
{
	if (d->intent == NLU_INTENT_NONE)
		d->intent = NLU_INTENT_HUMAN;
	if (dialogue_secretariat_open(d) && !d->transfer_failed) {
		dialogue_transfer(d, out, DIALOGUE_TASK_CALLBACK);
		return;
	}
	if (d->goal == DIALOGUE_GOAL_CALLBACK && dialogue_callback_unnamed_ok(d)) {
		dialogue_callback_unnamed(d, out);
		return;
	}
	if (!d->transfer_failed)
		dialogue_say(d, out, "secretariat.closed", NULL, 0);
	d->goal = DIALOGUE_GOAL_CALLBACK;
	dialogue_callback_advance(d, out);
}

void dialogue_handoff(struct dialogue *d, struct dialogue_actions *out, bool not_understood)
{
	char when[160];
	struct msg_param params[] = {{"when", when}};

	if (not_understood)
		dialogue_say(d, out, "handoff.intro", NULL, 0);
	if (dialogue_secretariat_open(d) && !d->transfer_failed) {
		dialogue_transfer(d, out, DIALOGUE_TASK_HANDOFF);
		return;
	}
	if (have_number(d)) {
		dialogue_create_task(d, out, d->triage.level >= NLU_URGENCY_URGENT ? "urgent"
										  : "callback",
				     DIALOGUE_TASK_HANDOFF);
		return;
	}
	if (next_opening(d, when, sizeof(when)))
		dialogue_say(d, out, "secretariat.reopens", params, 1);
	d->end_outcome = "failed";
	dialogue_say(d, out, "goodbye.call_back", NULL, 0);
	dialogue_end(d, out);
}

void dialogue_on_transferred(struct dialogue *d, const struct dialogue_event *ev,
			     struct dialogue_actions *out)
{
	struct dialogue_done done = {DIALOGUE_ACTION_TRANSFER, 0, 0, 0, -1, -1, ""};

	snprintf(done.what, sizeof(done.what), "%s", ev->transferred ? "ok" : "failed");
	dialogue_record_done(d, &done);
	if (ev->transferred) {
		dialogue_end(d, out);
		return;
	}
	d->transfer_failed = true;
	dialogue_say(d, out, "transfer.failed", NULL, 0);
	switch (d->transfer_why) {
	case DIALOGUE_TASK_URGENT:
		dialogue_task_with_number(d, out, "urgent", DIALOGUE_TASK_URGENT);
		break;
	case DIALOGUE_TASK_HANDOFF:
		if (have_number(d)) {
			dialogue_create_task(d, out, "callback", DIALOGUE_TASK_HANDOFF);
		} else {
			dialogue_say(d, out, "goodbye.call_back", NULL, 0);
			dialogue_end(d, out);
		}
		break;
	default:
		d->goal = DIALOGUE_GOAL_CALLBACK;
		dialogue_callback_advance(d, out);
		break;
	}
}

/* ---- Answers, emergencies, goodbyes ---- */

void dialogue_answer(struct dialogue *d, enum nlu_intent intent, struct dialogue_actions *out)
{
	struct dialogue_done done = {DIALOGUE_ACTION_SAY, 0, 0, 0, -1, -1, ""};
	const char *text;

	if (d->intent == NLU_INTENT_NONE)
		d->intent = intent;
	snprintf(done.what, sizeof(done.what), "%s", nlu_intent_name(intent));
	if (intent == NLU_INTENT_HOURS) {
		text = setting_in_lang(d, "answer.hours");
		if (text)
			dialogue_say_text(d, out, "answer.hours", text);
		else
			dialogue_say(d, out, "answer.unknown", NULL, 0);
	} else if (intent == NLU_INTENT_ADDRESS) {
		struct msg_param params[] = {{"address", d->practice_address}};

		text = setting_in_lang(d, "answer.address");
		if (text)
			dialogue_say_text(d, out, "answer.address", text);
		else if (d->practice_address[0])
			dialogue_say(d, out, "answer.address.default", params, 1);
		else
			dialogue_say(d, out, "answer.unknown", NULL, 0);
	} else {
		const char *fees = setting_in_lang(d, "answer.fees");
		const char *payment = setting_in_lang(d, "answer.payment");

		if (fees)
			dialogue_say_text(d, out, "answer.fees", fees);
		if (payment)
			dialogue_say_text(d, out, "answer.payment", payment);
		if (!fees && !payment)
			dialogue_say(d, out, "answer.unknown", NULL, 0);
	}
	dialogue_record_done(d, &done);
}

void dialogue_emergency(struct dialogue *d, const struct nlu_result *r,
			struct dialogue_actions *out)
{
	const char *dial = r->triage.dial[0] ? r->triage.dial : "15";
	struct msg_param params[] = {{"dial", dial}};
	bool suicide = strcmp(dial, "3114") == 0;
	const char *text = suicide ? NULL : setting_in_lang(d, "emergency");
	size_t first;

	d->triage = r->triage;
	snprintf(d->triage.dial, sizeof(d->triage.dial), "%s", dial);
	d->goal = DIALOGUE_GOAL_EMERGENCY;
	if (d->intent == NLU_INTENT_NONE)
		d->intent = NLU_INTENT_EMERGENCY;
	if (r->entities.reason[0] && !d->reason[0])
		snprintf(d->reason, sizeof(d->reason), "%s", r->entities.reason);
	first = out->count;
	if (text) {
		char expanded[DIALOGUE_TEXT_MAX];

		catalogue_expand(text, params, 1, expanded, sizeof(expanded));
		dialogue_say_text(d, out, "emergency", expanded);
	} else {
		dialogue_say(d, out, suicide ? "emergency.suicide" : "emergency", params, 1);
	}
	dialogue_say(d, out, suicide ? "emergency.suicide.repeat" : "emergency.repeat", params, 1);
	for (size_t i = first; i < out->count; i++)
		out->items[i].interruptible = false;
	dialogue_create_task(d, out, "emergency", DIALOGUE_TASK_EMERGENCY);
}

void dialogue_goodbye(struct dialogue *d, struct dialogue_actions *out, const char *lead_key)
{
	if (lead_key)
		dialogue_say(d, out, lead_key, NULL, 0);
	/* "I have recorded nothing" only when nothing was done or answered. */
	dialogue_say(d, out, d->done_count ? "goodbye" : "goodbye.nothing", NULL, 0);
	dialogue_end(d, out);
}
