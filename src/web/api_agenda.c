/*
 * The agenda: practitioners, appointment types, appointments by day or week, free slots,
 * and booking, cancelling and moving through the agenda service, so that every rule and
 * the single-transaction guarantees hold as they do on the telephone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "civil.h"
#include "phone.h"
#include "tz.h"
#include "web_priv.h"

#define AGENDA_MAX_DAYS 14
#define SLOTS_MAX_DAYS 60

static json_t *practitioner_json(struct agenda *agenda, int index)
{
	const struct store_practitioner *p = agenda_practitioner(agenda, index);
	char name[200];

	agenda_practitioner_name(agenda, index, name, sizeof(name));
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s}", "id", (json_int_t)p->id, "title",
			 p->title, "first_name", p->first_name, "last_name", p->last_name,
			 "specialty", p->specialty, "active", p->active, "name", name);
}

void web_api_practitioners(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	json_t *list;

	if (!agenda)
		return;
	list = json_array();
	for (size_t i = 0; i < agenda_practitioner_count(agenda); i++)
		json_array_append_new(list, practitioner_json(agenda, (int)i));
	web_reply_json(req, 200, json_pack("{s:o}", "practitioners", list));
}

void web_api_types(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_type_restriction *restrictions = NULL;
	size_t restriction_count = 0;
	json_t *list;
	int err;

	if (!agenda)
		return;
	err = store_type_restrictions_list(req->ctx->st, &restrictions, &restriction_count);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	list = json_array();
	for (size_t i = 0; i < agenda_type_count(agenda); i++) {
		const struct store_appointment_type *t = agenda_type(agenda, (int)i);
		json_t *ids = json_array();

		for (size_t r = 0; r < restriction_count; r++) {
			if (restrictions[r].type_id == t->id)
				json_array_append_new(ids, json_integer(restrictions[r].practitioner_id));
		}
		json_array_append_new(list,
				      json_pack("{s:I, s:s, s:s, s:s, s:i, s:b, s:b, s:o}", "id",
						(json_int_t)t->id, "code", t->code, "label_fr",
						t->label_fr, "label_en", t->label_en, "duration_min",
						t->duration_min, "new_patient_allowed",
						t->new_patient_allowed, "active", t->active,
						"practitioner_ids", ids));
	}
	free(restrictions);
	web_reply_json(req, 200, json_pack("{s:o}", "types", list));
}

/*
 * The practitioner a request may look at: a practitioner account sees only its own
 * agenda. Returns the id (0 for all) or -1 after replying.
 */
static int64_t allowed_practitioner(struct web_request *req, struct agenda *agenda,
				    int64_t requested)
{
	if (req->user.role == WEB_ROLE_PRACTITIONER) {
		if (requested && requested != req->user.practitioner_id) {
			web_reply_error(req, 403, "forbidden", "a practitioner sees only their own agenda");
			return -1;
		}
		return req->user.practitioner_id ? req->user.practitioner_id : -1;
	}
	if (requested && agenda_practitioner_index(agenda, requested) < 0) {
		web_reply_error(req, 404, "not_found", "no practitioner %lld", (long long)requested);
		return -1;
	}
	return requested;
}

static json_t *appointment_json(struct web_request *req, struct agenda *agenda,
				const struct store_appointment *a)
{
	const struct tz *tz = agenda_tz(agenda);
	const struct store_appointment_type *type =
		agenda_type(agenda, agenda_type_index(agenda, a->type_id));
	struct store_patient p;
	json_t *out;

	out = json_pack("{s:I, s:o, s:o, s:I, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "id",
			(json_int_t)a->id, "start", web_instant_json(tz, a->start_utc), "end",
			web_instant_json(tz, a->end_utc), "practitioner_id",
			(json_int_t)a->practitioner_id, "type", type ? type->code : "", "type_label_fr",
			type ? type->label_fr : "", "type_label_en", type ? type->label_en : "",
			"urgent", a->urgent, "reason", a->reason, "source", a->source, "status",
			store_appointment_status_name(a->status));
	if (store_patient_get(req->ctx->st, a->patient_id, &p) == 0)
		json_object_set_new(out, "patient",
				    json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)p.id,
					      "last_name", p.last_name, "first_name", p.first_name,
					      "birth_date", p.birth_date, "phone", p.phone));
	return out;
}

static json_t *openings_json(struct web_request *req, int64_t practitioner_id)
{
	struct store_opening *openings = NULL;
	size_t count = 0;
	json_t *list = json_array();

	if (store_openings_list(req->ctx->st, &openings, &count) != 0)
		return list;
	for (size_t i = 0; i < count; i++) {
		const struct store_opening *o = &openings[i];

		if (practitioner_id && o->practitioner_id != practitioner_id)
			continue;
		json_array_append_new(list, json_pack("{s:I, s:i, s:i, s:i, s:s, s:s}",
						      "practitioner_id", (json_int_t)o->practitioner_id,
						      "weekday", o->weekday, "start_min", o->start_min,
						      "end_min", o->end_min, "valid_from", o->valid_from,
						      "valid_until", o->valid_until));
	}
	free(openings);
	return list;
}

static json_t *absences_json(struct web_request *req, const struct tz *tz, int64_t from,
			     int64_t to, int64_t practitioner_id, int *err)
{
	struct store_absence *absences = NULL;
	size_t count = 0;
	json_t *list;

	*err = store_absences_list(req->ctx->st, from, to, &absences, &count);
	if (*err)
		return NULL;
	list = json_array();
	for (size_t i = 0; i < count; i++) {
		const struct store_absence *a = &absences[i];

		if (practitioner_id && a->practitioner_id && a->practitioner_id != practitioner_id)
			continue;
		json_array_append_new(list, json_pack("{s:I, s:I, s:o, s:o, s:s}", "id",
						      (json_int_t)a->id, "practitioner_id",
						      (json_int_t)a->practitioner_id, "start",
						      web_instant_json(tz, a->start_utc), "end",
						      web_instant_json(tz, a->end_utc), "reason",
						      a->reason));
	}
	free(absences);
	return list;
}

void web_api_agenda(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_appointment *list = NULL;
	int64_t from, days, requested, practitioner_id, to;
	size_t count = 0;
	const struct tz *tz;
	json_t *items, *absences;
	char detail[96];
	int err;

	if (!agenda)
		return;
	tz = agenda_tz(agenda);
	if (!web_query_instant(req, tz, "from", tz_day_start(tz, tz_day_of(tz, req->now)), &from) ||
	    !web_query_int(req, "days", 1, 1, AGENDA_MAX_DAYS, &days) ||
	    !web_query_int(req, "practitioner", 0, 0, INT64_MAX, &requested))
		return;
	practitioner_id = allowed_practitioner(req, agenda, requested);
	if (practitioner_id < 0)
		return;
	from = tz_day_start(tz, tz_day_of(tz, from));
	to = tz_day_start(tz, tz_day_of(tz, from) + days);
	err = store_appointments_range(req->ctx->st, from, to, practitioner_id, &list, &count);
	absences = err ? NULL : absences_json(req, tz, from, to, practitioner_id, &err);
	if (err) {
		free(list);
		web_reply_store_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < count; i++)
		json_array_append_new(items, appointment_json(req, agenda, &list[i]));
	free(list);
	snprintf(detail, sizeof(detail), "%lld days from %lld, practitioner %lld", (long long)days,
		 (long long)from, (long long)practitioner_id);
	web_audit(req, "view", "agenda", NULL, 0, detail);
	web_reply_json(req, 200,
		       json_pack("{s:o, s:o, s:o, s:o, s:o, s:i}", "from", web_instant_json(tz, from),
				 "to", web_instant_json(tz, to), "appointments", items, "absences",
				 absences, "openings", openings_json(req, practitioner_id),
				 "slot_step_min", agenda_practice(agenda)->slot_step_min));
}

/* A type given by code or by id. */
static int find_type(struct agenda *agenda, const char *text)
{
	char *end;
	long long id = strtoll(text, &end, 10);

	if (*text && !*end)
		return agenda_type_index(agenda, id);
	return agenda_type_find(agenda, text);
}

void web_api_slots(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct sched_slot slots[SCHED_MAX_RESULTS];
	struct sched_query q = {0};
	enum sched_verdict verdict = SCHED_OK;
	int64_t requested, practitioner_id, days, max, from;
	const char *type = web_query(req, "type");
	size_t count = 0;
	json_t *list;
	int err;

	if (!agenda)
		return;
	if (!web_query_instant(req, agenda_tz(agenda), "from", req->now, &from) ||
	    !web_query_int(req, "days", 14, 1, SLOTS_MAX_DAYS, &days) ||
	    !web_query_int(req, "max", 12, 1, SCHED_MAX_RESULTS, &max) ||
	    !web_query_int(req, "practitioner", 0, 0, INT64_MAX, &requested))
		return;
	practitioner_id = allowed_practitioner(req, agenda, requested);
	if (practitioner_id < 0)
		return;
	q.type = type ? find_type(agenda, type) : -1;
	if (q.type < 0) {
		web_reply_error(req, 400, "invalid_parameter", "missing or unknown type '%.32s'",
				type ? type : "");
		return;
	}
	q.practitioner = practitioner_id ? agenda_practitioner_index(agenda, practitioner_id) : -1;
	q.from = from;
	q.to = from + days * 86400;
	q.latest_min = 1440;
	q.now = req->now;
	q.urgent = web_query(req, "urgent") && strcmp(web_query(req, "urgent"), "true") == 0;
	q.adjacent = true;
	q.max_results = (size_t)max;
	err = agenda_search(agenda, &q, slots, &count, &verdict);
	if (err == EPERM) {
		web_reply_verdict(req, verdict);
		return;
	}
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	list = json_array();
	for (size_t i = 0; i < count; i++)
		json_array_append_new(
			list, json_pack("{s:o, s:o, s:I}", "start",
					web_instant_json(agenda_tz(agenda), slots[i].start), "end",
					web_instant_json(agenda_tz(agenda), slots[i].end),
					"practitioner_id",
					(json_int_t)agenda_practitioner(agenda, slots[i].practitioner)->id));
	web_reply_json(req, 200, json_pack("{s:o}", "slots", list));
}

/* Read the patient object of a booking: an id, or details to find or create. */
static bool read_patient(struct web_request *req, struct agenda_patient *p)
{
	json_t *member = json_object_get(req->json, "patient");
	json_t *saved = req->json;
	char phone[64] = "";
	bool ok;

	if (!json_is_object(member)) {
		web_reply_error(req, 400, "missing_field", "missing object 'patient'");
		return false;
	}
	req->json = member;
	ok = web_body_int(req, "id", false, 1, INT64_MAX, &p->id) &&
	     web_body_string(req, "last_name", false, p->last_name, sizeof(p->last_name)) &&
	     web_body_string(req, "first_name", false, p->first_name, sizeof(p->first_name)) &&
	     web_body_string(req, "birth_date", false, p->birth_date, sizeof(p->birth_date)) &&
	     web_body_string(req, "phone", false, phone, sizeof(phone));
	req->json = saved;
	if (!ok)
		return false;
	if (phone[0] && phone_to_e164(phone, p->phone, sizeof(p->phone)) != 0) {
		web_reply_error(req, 400, "invalid_field", "invalid phone number '%s'", phone);
		return false;
	}
	if (p->birth_date[0]) {
		struct civil_date d;

		if (civil_date_parse(p->birth_date, &d) != 0) {
			web_reply_error(req, 400, "invalid_field", "birth_date must be YYYY-MM-DD");
			return false;
		}
	}
	if (!p->id && !p->last_name[0]) {
		web_reply_error(req, 400, "missing_field", "give the patient's id or last name");
		return false;
	}
	return true;
}

/* The start instant of the body, and the practitioner by id (as an index). */
static bool read_slot(struct web_request *req, struct agenda *agenda, bool practitioner_required,
		      int64_t *start, int *practitioner)
{
	char start_text[40];
	int64_t practitioner_id = 0;

	if (!web_body_string(req, "start", true, start_text, sizeof(start_text)) ||
	    !web_body_int(req, "practitioner_id", practitioner_required, 1, INT64_MAX,
			  &practitioner_id))
		return false;
	if (web_parse_instant(agenda_tz(agenda), start_text, start) != 0) {
		web_reply_error(req, 400, "invalid_field", "start must be an ISO 8601 time");
		return false;
	}
	*practitioner = -1;
	if (!practitioner_id)
		return true;
	if (allowed_practitioner(req, agenda, practitioner_id) < 0)
		return false;
	*practitioner = agenda_practitioner_index(agenda, practitioner_id);
	return true;
}

static void reply_changed(struct web_request *req, struct agenda *agenda, unsigned status,
			  const struct agenda_outcome *outcome, const char *action)
{
	char id_text[24];
	json_t *doc = appointment_json(req, agenda, &outcome->appointment);

	json_object_set_new(doc, "replayed", json_boolean(outcome->replayed));
	if (outcome->previous_id)
		json_object_set_new(doc, "previous_id", json_integer(outcome->previous_id));
	snprintf(id_text, sizeof(id_text), "%lld", (long long)outcome->appointment.id);
	web_audit(req, action, "appointment", id_text, outcome->appointment.patient_id, NULL);
	web_reply_json(req, status, doc);
}

void web_api_book(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct agenda_booking b = {0};
	struct agenda_outcome outcome;
	char type[40] = "", reason[256] = "", key[80] = "";
	int err;

	if (!agenda || !web_body_string(req, "type", true, type, sizeof(type)) ||
	    !read_slot(req, agenda, true, &b.start, &b.practitioner) ||
	    !read_patient(req, &b.patient) ||
	    !web_body_bool(req, "urgent", false, &b.urgent) ||
	    !web_body_string(req, "reason", false, reason, sizeof(reason)) ||
	    !web_body_string(req, "idempotency_key", false, key, sizeof(key)))
		return;
	b.type = find_type(agenda, type);
	if (b.type < 0) {
		web_reply_error(req, 400, "invalid_field", "unknown appointment type '%s'", type);
		return;
	}
	b.reason = reason;
	b.source = "staff";
	b.actor = req->user.username;
	b.idempotency_key = key[0] ? key : NULL;
	b.now = req->now;
	err = agenda_book(agenda, &b, &outcome);
	if (err == EEXIST) {
		web_reply_error(req, 409, "idempotency_conflict",
				"this idempotency key was used for another operation");
		return;
	}
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	if (outcome.verdict != SCHED_OK) {
		web_reply_verdict(req, outcome.verdict);
		return;
	}
	reply_changed(req, agenda, outcome.replayed ? 200 : 201, &outcome, "book");
}

/* Check that a practitioner account touches only its own appointments. */
static bool appointment_allowed(struct web_request *req, int64_t id)
{
	struct store_appointment a;
	int err = store_appointment_get(req->ctx->st, id, &a);

	if (err == ENOENT || (!err && req->user.role == WEB_ROLE_PRACTITIONER &&
			      a.practitioner_id != req->user.practitioner_id)) {
		web_reply_error(req, 404, "not_found", "no appointment %lld", (long long)id);
		return false;
	}
	if (err) {
		web_reply_store_error(req, err);
		return false;
	}
	return true;
}

static void reply_change_error(struct web_request *req, int err, int64_t id)
{
	if (err == ENOENT)
		web_reply_error(req, 404, "not_found", "no appointment %lld", (long long)id);
	else if (err == EALREADY)
		web_reply_error(req, 409, "not_booked",
				"appointment %lld is already cancelled or moved", (long long)id);
	else if (err == EEXIST)
		web_reply_error(req, 409, "idempotency_conflict",
				"this idempotency key was used for another operation");
	else
		web_reply_store_error(req, err);
}

void web_api_cancel(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct agenda_outcome outcome;
	const char *key = web_query(req, "idempotency_key");
	int64_t id;
	int err;

	if (!agenda || !web_param_id(req, 0, &id) || !appointment_allowed(req, id))
		return;
	err = agenda_cancel(agenda, id, req->user.username, key, req->now, &outcome);
	if (err) {
		reply_change_error(req, err, id);
		return;
	}
	reply_changed(req, agenda, 200, &outcome, "cancel");
}

void web_api_move(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct agenda_move m = {0};
	struct agenda_outcome outcome;
	char key[80] = "";
	int64_t id;
	int err;

	if (!agenda || !web_param_id(req, 0, &id) || !appointment_allowed(req, id) ||
	    !read_slot(req, agenda, false, &m.start, &m.practitioner) ||
	    !web_body_string(req, "idempotency_key", false, key, sizeof(key)))
		return;
	m.appointment_id = id;
	m.actor = req->user.username;
	m.idempotency_key = key[0] ? key : NULL;
	m.now = req->now;
	err = agenda_move(agenda, &m, &outcome);
	if (err) {
		reply_change_error(req, err, id);
		return;
	}
	if (outcome.verdict != SCHED_OK) {
		web_reply_verdict(req, outcome.verdict);
		return;
	}
	reply_changed(req, agenda, 200, &outcome, "move");
}
