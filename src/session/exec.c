/* The store actions a dialogue asks for, run through the agenda service. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "log.h"
#include "session_priv.h"

static const char *source_of(const struct session *s)
{
	return strcmp(s->channel, "sip") == 0 ? "phone" : "chat";
}

/* A key per change the call makes, so a retried request never acts twice. */
static void idempotency_key(struct session *s, const char *operation, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s:%u", s->call_id, operation, ++s->idempotency_counter);
}

static void to_dialogue_appointment(const struct session *s, const struct store_appointment *a,
				    struct dialogue_appointment *out)
{
	out->id = a->id;
	out->start = a->start_utc;
	out->practitioner = agenda_practitioner_index(s->agenda, a->practitioner_id);
	out->type = agenda_type_index(s->agenda, a->type_id);
	out->patient_id = a->patient_id;
	out->urgent = a->urgent;
}

static void search(struct session *s, const struct dialogue_action *a,
		   struct dialogue_event *result)
{
	size_t count = 0;
	enum sched_verdict verdict = SCHED_OK;

	result->error = agenda_search(s->agenda, &a->query, s->slots, &count, &verdict);
	result->slots = s->slots;
	result->slot_count = result->error ? 0 : count;
	result->verdict = verdict;
	if (result->error && result->error != EPERM && result->error != EINVAL &&
	    result->error != ERANGE)
		log_err("session", s->call_id, "searching slots failed: %s", strerror(result->error));
}

static void book(struct session *s, const struct dialogue_action *a, int64_t now,
		 struct dialogue_event *result)
{
	struct agenda_booking booking = {0};
	struct agenda_outcome outcome;
	char key[96];

	idempotency_key(s, "book", key, sizeof(key));
	booking.type = a->book.type;
	booking.practitioner = a->book.practitioner;
	booking.start = a->book.start;
	booking.patient.id = a->book.patient.id;
	snprintf(booking.patient.last_name, sizeof(booking.patient.last_name), "%s",
		 a->book.patient.last_name);
	snprintf(booking.patient.first_name, sizeof(booking.patient.first_name), "%s",
		 a->book.patient.first_name);
	snprintf(booking.patient.birth_date, sizeof(booking.patient.birth_date), "%s",
		 a->book.patient.birth_date);
	snprintf(booking.patient.phone, sizeof(booking.patient.phone), "%s", a->book.patient.phone);
	booking.urgent = a->book.urgent;
	booking.reason = a->book.reason[0] ? a->book.reason : NULL;
	booking.source = source_of(s);
	/* NOTE: store_appointment_insert() binds call_id as a number, so the agenda keeps a
	 * wrong call id; the call record's summary lists the appointment instead. */
	booking.call_id = s->call_id;
	booking.actor = "assistant";
	booking.idempotency_key = key;
	booking.now = now;
	result->error = agenda_book(s->agenda, &booking, &outcome);
	if (result->error)
		return;
	result->verdict = outcome.verdict;
	result->new_patient = outcome.new_patient;
	if (outcome.verdict == SCHED_OK)
		to_dialogue_appointment(s, &outcome.appointment, &result->appointment);
	else
		log_info("session", s->call_id, "booking rejected by the agenda: %s",
			 sched_verdict_name(outcome.verdict));
}

static void cancel(struct session *s, const struct dialogue_action *a, int64_t now,
		   struct dialogue_event *result)
{
	struct agenda_outcome outcome;
	char key[96];

	idempotency_key(s, "cancel", key, sizeof(key));
	result->error = agenda_cancel(s->agenda, a->move.appointment_id, "assistant", key, now,
				      &outcome);
	if (!result->error)
		to_dialogue_appointment(s, &outcome.appointment, &result->appointment);
}

static void move(struct session *s, const struct dialogue_action *a, int64_t now,
		 struct dialogue_event *result)
{
	struct agenda_move request = {0};
	struct agenda_outcome outcome;
	char key[96];

	idempotency_key(s, "move", key, sizeof(key));
	request.appointment_id = a->move.appointment_id;
	request.practitioner = a->move.practitioner;
	request.start = a->move.start;
	request.actor = "assistant";
	request.call_id = s->call_id;
	request.idempotency_key = key;
	request.now = now;
	result->error = agenda_move(s->agenda, &request, &outcome);
	if (result->error)
		return;
	result->verdict = outcome.verdict;
	if (outcome.verdict == SCHED_OK)
		to_dialogue_appointment(s, &outcome.appointment, &result->appointment);
}

static void find_patient(struct session *s, const struct dialogue_action *a,
			 struct dialogue_event *result)
{
	struct agenda_patient details = {0};
	struct store_patient *list = NULL;
	size_t count = 0;

	details.id = a->find.id;
	snprintf(details.last_name, sizeof(details.last_name), "%s", a->find.last_name);
	snprintf(details.first_name, sizeof(details.first_name), "%s", a->find.first_name);
	snprintf(details.birth_date, sizeof(details.birth_date), "%s", a->find.birth_date);
	snprintf(details.phone, sizeof(details.phone), "%s", a->find.phone);
	result->error = agenda_patients_find(s->agenda, &details, &list, &count);
	result->patients = s->patients;
	if (result->error) {
		log_err("session", s->call_id, "finding the patient failed: %s",
			store_errmsg(s->store));
		return;
	}
	if (count > DIALOGUE_MAX_PATIENTS)
		count = DIALOGUE_MAX_PATIENTS;
	for (size_t i = 0; i < count; i++) {
		struct dialogue_patient *p = &s->patients[i];

		p->id = list[i].id;
		snprintf(p->last_name, sizeof(p->last_name), "%s", list[i].last_name);
		snprintf(p->first_name, sizeof(p->first_name), "%s", list[i].first_name);
		snprintf(p->birth_date, sizeof(p->birth_date), "%s", list[i].birth_date);
	}
	result->patient_count = count;
	log_debug("session", s->call_id, "patient lookup: %zu found", count);
	free(list);
}

static void list_appointments(struct session *s, const struct dialogue_action *a, int64_t now,
			      struct dialogue_event *result)
{
	struct store_appointment *list = NULL;
	size_t count = 0;

	result->error = store_appointments_for_patient(s->store, a->patient_id, now, &list, &count);
	result->appointments = s->appointments;
	if (result->error) {
		log_err("session", s->call_id, "listing appointments failed: %s",
			store_errmsg(s->store));
		return;
	}
	for (size_t i = 0; i < count && result->appointment_count < DIALOGUE_MAX_APPOINTMENTS; i++) {
		/* Only appointments that have not started yet can be moved or cancelled. */
		if (list[i].start_utc <= now)
			continue;
		to_dialogue_appointment(s, &list[i], &s->appointments[result->appointment_count++]);
	}
	free(list);
}

static char *task_details(const struct session *s, const struct dialogue_task_request *t)
{
	struct dialogue_summary summary;
	json_t *details, *cues;
	char *text;

	dialogue_summary(s->dialogue, &summary);
	cues = json_array();
	for (size_t i = 0; i < summary.triage.cue_count && i < NLU_MAX_CUES; i++)
		json_array_append_new(cues, json_pack("{s:s, s:s, s:b}", "text",
						      summary.triage.cues[i].text, "rule",
						      summary.triage.cues[i].rule, "negated",
						      summary.triage.cues[i].negated));
	details = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "request",
			    t->request, "patient_name", t->patient_name, "birth_date",
			    t->birth_date, "callback_number", t->callback_number, "urgency",
			    nlu_urgency_name(summary.triage.level), "flag",
			    nlu_flag_name(summary.triage.flag), "dial", summary.triage.dial, "cues",
			    cues, "language", summary.lang == NLU_LANG_EN ? "en" : "fr", "channel",
			    s->channel);
	if (!details)
		return NULL;
	text = json_dumps(details, JSON_COMPACT);
	json_decref(details);
	return text;
}

static void create_task(struct session *s, const struct dialogue_action *a, int64_t now,
			struct dialogue_event *result)
{
	const struct dialogue_task_request *t = &a->task;
	struct store_task task = {0};
	const struct store_practitioner *practitioner =
		t->practitioner >= 0 ? agenda_practitioner(s->agenda, t->practitioner) : NULL;

	task.created_utc = now;
	task.updated_utc = now;
	snprintf(task.kind, sizeof(task.kind), "%s", t->kind);
	task.priority = t->priority;
	snprintf(task.status, sizeof(task.status), "open");
	snprintf(task.call_id, sizeof(task.call_id), "%s", s->call_id);
	task.patient_id = t->patient_id;
	task.practitioner_id = practitioner ? practitioner->id : 0;
	snprintf(task.caller_number, sizeof(task.caller_number), "%s",
		 t->callback_number[0] ? t->callback_number : s->caller_number);
	snprintf(task.summary, sizeof(task.summary), "%s", t->summary);
	task.details_json = task_details(s, t);
	if (!task.details_json) {
		result->error = ENOMEM;
		return;
	}
	result->error = store_task_add(s->store, &task);
	free(task.details_json);
	if (result->error) {
		log_err("session", s->call_id, "creating a %s task failed: %s", t->kind,
			store_errmsg(s->store));
		return;
	}
	result->task_id = task.id;
	log_info("session", s->call_id, "created %s task %lld (priority %d)", t->kind,
		 (long long)task.id, t->priority);
}

void session_execute(struct session *s, const struct dialogue_action *action, int64_t now,
		     struct dialogue_event *result)
{
	memset(result, 0, sizeof(*result));
	result->now = now;
	switch (action->kind) {
	case DIALOGUE_ACTION_SEARCH:
		result->kind = DIALOGUE_EVENT_SLOTS_FOUND;
		search(s, action, result);
		break;
	case DIALOGUE_ACTION_BOOK:
		result->kind = DIALOGUE_EVENT_BOOKED;
		book(s, action, now, result);
		break;
	case DIALOGUE_ACTION_CANCEL:
		result->kind = DIALOGUE_EVENT_CANCELLED;
		cancel(s, action, now, result);
		break;
	case DIALOGUE_ACTION_MOVE:
		result->kind = DIALOGUE_EVENT_MOVED;
		move(s, action, now, result);
		break;
	case DIALOGUE_ACTION_FIND_PATIENT:
		result->kind = DIALOGUE_EVENT_PATIENTS_FOUND;
		find_patient(s, action, result);
		break;
	case DIALOGUE_ACTION_LIST_APPOINTMENTS:
		result->kind = DIALOGUE_EVENT_APPOINTMENTS_LISTED;
		list_appointments(s, action, now, result);
		break;
	case DIALOGUE_ACTION_CREATE_TASK:
		result->kind = DIALOGUE_EVENT_TASK_CREATED;
		create_task(s, action, now, result);
		break;
	default:
		/* Driver actions never reach here; an unknown one is answered as failed. */
		result->kind = DIALOGUE_EVENT_COUNT;
		result->error = EINVAL;
		break;
	}
}
