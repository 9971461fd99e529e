/*
 * Settings for admins: the practice, the words the assistant says, practitioners,
 * appointment types, opening hours and absences. Every change runs in one transaction
 * and is committed only when the agenda's rule validation passes on the result, so an
 * invalid change is refused with the validation's message and nothing is written.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "civil.h"
#include "log.h"
#include "phone.h"
#include "tz.h"
#include "web_priv.h"

#define OPENINGS_MAX 64

/* The setting keys staff edit, with the longest value accepted. */
static const struct {
	const char *key;
	size_t max;
} known_settings[] = {
	{"greeting.fr", 600},        {"greeting.en", 600},
	{"emergency.fr", 600},       {"emergency.en", 600},
	{"transfer.target", 200},    {"secretariat.hours", 200},
	{"recording", 8},            {"practice.phone_e164", 24},
	{"answer.hours.fr", 1000},   {"answer.hours.en", 1000},
	{"answer.address.fr", 1000}, {"answer.address.en", 1000},
	{"answer.fees.fr", 1000},    {"answer.fees.en", 1000},
	{"answer.payment.fr", 1000}, {"answer.payment.en", 1000},
	{"answer.documents.fr", 1000}, {"answer.documents.en", 1000},
};

static size_t setting_max(const char *key)
{
	for (size_t i = 0; i < sizeof(known_settings) / sizeof(known_settings[0]); i++) {
		if (strcmp(known_settings[i].key, key) == 0)
			return known_settings[i].max;
	}
	return 0;
}

/* "1-5 08:30-12:30,14:00-18:00; 6 09:00-12:00": weekday ranges, then time ranges. */
static bool secretariat_hours_valid(const char *text)
{
	regex_t re;
	bool ok;

	if (regcomp(&re,
		    "^[1-7](-[1-7])? [0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]"
		    "(,[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9])*"
		    "(; ?[1-7](-[1-7])? [0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]"
		    "(,[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9])*)*$",
		    REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	ok = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* Check one setting's value; false after replying 422. */
static bool setting_valid(struct web_request *req, const char *key, const char *value)
{
	char e164[24];

	if (strcmp(key, "recording") == 0 && strcmp(value, "on") && strcmp(value, "off")) {
		web_reply_error(req, 422, "invalid_settings", "recording must be on or off");
		return false;
	}
	if (strcmp(key, "practice.phone_e164") == 0 && value[0] &&
	    phone_to_e164(value, e164, sizeof(e164)) != 0) {
		web_reply_error(req, 422, "invalid_settings", "invalid practice phone number '%s'",
				value);
		return false;
	}
	if (strcmp(key, "transfer.target") == 0 && value[0] && strncmp(value, "sip:", 4) &&
	    strncmp(value, "tel:", 4) && phone_to_e164(value, e164, sizeof(e164)) != 0) {
		web_reply_error(req, 422, "invalid_settings",
				"the transfer target must be a sip: or tel: address or a phone number");
		return false;
	}
	if (strcmp(key, "secretariat.hours") == 0 && value[0] && !secretariat_hours_valid(value)) {
		web_reply_error(req, 422, "invalid_settings",
				"secretariat hours must read like '1-5 08:30-12:30,14:00-18:00; 6 09:00-12:00'");
		return false;
	}
	return true;
}

static json_t *practice_json(const struct store_practice *p)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i}", "name",
			 p->name, "address", p->address, "postcode", p->postcode, "city", p->city,
			 "phone", p->phone, "timezone", p->timezone, "default_lang", p->default_lang,
			 "holiday_regions", p->holiday_regions, "slot_step_min", p->slot_step_min,
			 "min_notice_min", p->min_notice_min, "urgent_release_min",
			 p->urgent_release_min, "booking_horizon_days", p->booking_horizon_days);
}

void web_api_settings_get(struct web_request *req)
{
	struct store_practice practice;
	struct store_setting *settings = NULL;
	size_t count = 0;
	json_t *values;
	int err;

	err = store_practice_get(req->ctx->st, &practice);
	if (!err)
		err = store_settings_list(req->ctx->st, &settings, &count);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	values = json_object();
	for (size_t i = 0; i < sizeof(known_settings) / sizeof(known_settings[0]); i++)
		json_object_set_new(values, known_settings[i].key, json_string(""));
	for (size_t i = 0; i < count; i++) {
		if (setting_max(settings[i].key))
			json_object_set_new(values, settings[i].key, json_string(settings[i].value));
	}
	free(settings);
	web_reply_json(req, 200, json_pack("{s:o, s:o}", "practice", practice_json(&practice),
					   "settings", values));
}

/*
 * Validate the agenda rules as the open transaction left them, then commit, or roll
 * back and reply 422 with the validation's message. False when nothing was committed.
 */
static bool commit_if_valid(struct web_request *req)
{
	struct agenda_reason reason;
	int err;

	err = agenda_check(req->ctx->st, &reason);
	if (err) {
		store_rollback(req->ctx->st);
		if (err == EINVAL || err == ENOENT)
			web_reply_json(req, 422,
				       json_pack("{s:{s:s, s:s, s:{s:s, s:s}}}", "error", "code",
						 "invalid_settings", "message", reason.en, "messages",
						 "fr", reason.fr, "en", reason.en));
		else
			web_reply_store_error(req, err);
		return false;
	}
	err = store_commit(req->ctx->st);
	if (err) {
		web_reply_store_error(req, err);
		return false;
	}
	atomic_fetch_add(&req->server->rules_generation, 1);
	return true;
}

/* Reply for a store failure inside a settings transaction, rolling it back. */
static void reply_rolled_back(struct web_request *req, int err)
{
	char message[300];

	snprintf(message, sizeof(message), "%s", store_errmsg(req->ctx->st));
	store_rollback(req->ctx->st);
	if (err == EEXIST)
		web_reply_error(req, 409, "conflict", "%s", message);
	else if (err == EINVAL)
		web_reply_error(req, 422, "invalid_settings", "%s", message);
	else
		web_reply_store_error(req, err);
}

static bool read_practice(struct web_request *req, struct store_practice *p)
{
	json_t *member = json_object_get(req->json, "practice");
	json_t *saved = req->json;
	int64_t step = p->slot_step_min, notice = p->min_notice_min;
	int64_t release = p->urgent_release_min, horizon = p->booking_horizon_days;
	bool ok;

	if (!member)
		return true;
	if (!json_is_object(member)) {
		web_reply_error(req, 400, "invalid_field", "'practice' must be an object");
		return false;
	}
	req->json = member;
	ok = web_body_string(req, "name", false, p->name, sizeof(p->name)) &&
	     web_body_string(req, "address", false, p->address, sizeof(p->address)) &&
	     web_body_string(req, "postcode", false, p->postcode, sizeof(p->postcode)) &&
	     web_body_string(req, "city", false, p->city, sizeof(p->city)) &&
	     web_body_string(req, "phone", false, p->phone, sizeof(p->phone)) &&
	     web_body_string(req, "timezone", false, p->timezone, sizeof(p->timezone)) &&
	     web_body_string(req, "default_lang", false, p->default_lang, sizeof(p->default_lang)) &&
	     web_body_string(req, "holiday_regions", false, p->holiday_regions,
			     sizeof(p->holiday_regions)) &&
	     web_body_int(req, "slot_step_min", false, 5, 120, &step) &&
	     web_body_int(req, "min_notice_min", false, 0, 10080, &notice) &&
	     web_body_int(req, "urgent_release_min", false, 0, 1440, &release) &&
	     web_body_int(req, "booking_horizon_days", false, 1, 730, &horizon);
	req->json = saved;
	if (!ok)
		return false;
	if (!p->name[0] || (strcmp(p->default_lang, "fr") && strcmp(p->default_lang, "en"))) {
		web_reply_error(req, 422, "invalid_settings",
				"the practice needs a name, and a default language fr or en");
		return false;
	}
	p->slot_step_min = (int)step;
	p->min_notice_min = (int)notice;
	p->urgent_release_min = (int)release;
	p->booking_horizon_days = (int)horizon;
	return true;
}

/* Check every member of "settings" before anything is written. */
static bool read_settings(struct web_request *req, json_t **values)
{
	json_t *member = json_object_get(req->json, "settings");
	const char *key;
	json_t *value;

	*values = NULL;
	if (!member)
		return true;
	if (!json_is_object(member)) {
		web_reply_error(req, 400, "invalid_field", "'settings' must be an object");
		return false;
	}
	json_object_foreach(member, key, value) {
		size_t max = setting_max(key);

		if (!max) {
			web_reply_error(req, 400, "invalid_field", "unknown setting '%.64s'", key);
			return false;
		}
		if (!json_is_string(value) || json_string_length(value) > max) {
			web_reply_error(req, 400, "invalid_field",
					"setting '%s' must be a string of at most %zu bytes", key, max);
			return false;
		}
		if (!setting_valid(req, key, json_string_value(value)))
			return false;
	}
	*values = member;
	return true;
}

void web_api_settings_put(struct web_request *req)
{
	struct store_practice practice;
	json_t *values, *value;
	const char *key;
	int err;

	err = store_practice_get(req->ctx->st, &practice);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	if (!read_practice(req, &practice) || !read_settings(req, &values))
		return;
	err = store_begin(req->ctx->st, true);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	err = store_practice_put(req->ctx->st, &practice);
	if (values) {
		json_object_foreach(values, key, value) {
			if (!err)
				err = store_setting_put(req->ctx->st, key, json_string_value(value));
		}
	}
	if (err) {
		reply_rolled_back(req, err);
		return;
	}
	if (!commit_if_valid(req))
		return;
	web_audit(req, "update", "settings", NULL, 0, NULL);
	log_info("web", NULL, "settings changed by user %lld", (long long)req->user.id);
	web_api_settings_get(req);
}

/* ---- Practitioners and appointment types ---- */

static bool read_practitioner(struct web_request *req, struct store_practitioner *p)
{
	bool active = p->active;

	if (!web_body_string(req, "title", false, p->title, sizeof(p->title)) ||
	    !web_body_string(req, "first_name", !p->id, p->first_name, sizeof(p->first_name)) ||
	    !web_body_string(req, "last_name", !p->id, p->last_name, sizeof(p->last_name)) ||
	    !web_body_string(req, "specialty", !p->id, p->specialty, sizeof(p->specialty)) ||
	    !web_body_bool(req, "active", false, &active))
		return false;
	p->active = active;
	return true;
}

static void reply_practitioner(struct web_request *req, unsigned status, int64_t id)
{
	struct agenda *agenda = web_agenda(req);
	char id_text[24];
	int index;

	if (!agenda)
		return;
	index = agenda_practitioner_index(agenda, id);
	snprintf(id_text, sizeof(id_text), "%lld", (long long)id);
	web_audit(req, status == 201 ? "create" : "update", "practitioner", id_text, 0, NULL);
	web_reply_json(req, status,
		       json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)id, "title",
				 agenda_practitioner(agenda, index)->title, "first_name",
				 agenda_practitioner(agenda, index)->first_name, "last_name",
				 agenda_practitioner(agenda, index)->last_name, "specialty",
				 agenda_practitioner(agenda, index)->specialty, "active",
				 agenda_practitioner(agenda, index)->active));
}

void web_api_practitioner_add(struct web_request *req)
{
	struct store_practitioner p = {.title = "Dr", .active = true};
	int err;

	if (!read_practitioner(req, &p))
		return;
	err = store_begin(req->ctx->st, true);
	if (!err)
		err = store_practitioner_add(req->ctx->st, &p);
	if (err) {
		reply_rolled_back(req, err);
		return;
	}
	if (commit_if_valid(req))
		reply_practitioner(req, 201, p.id);
}

void web_api_practitioner_update(struct web_request *req)
{
	struct store_practitioner *list = NULL, p = {0};
	size_t count = 0;
	int64_t id;
	int err;

	if (!web_param_id(req, 0, &id))
		return;
	err = store_practitioners_list(req->ctx->st, &list, &count);
	for (size_t i = 0; !err && i < count; i++) {
		if (list[i].id == id)
			p = list[i];
	}
	free(list);
	if (!err && !p.id) {
		web_reply_error(req, 404, "not_found", "no practitioner %lld", (long long)id);
		return;
	}
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	if (!read_practitioner(req, &p))
		return;
	err = store_begin(req->ctx->st, true);
	if (!err)
		err = store_practitioner_update(req->ctx->st, &p);
	if (err) {
		reply_rolled_back(req, err);
		return;
	}
	if (commit_if_valid(req))
		reply_practitioner(req, 200, id);
}

static bool read_type(struct web_request *req, struct store_appointment_type *t)
{
	int64_t duration = t->duration_min;
	bool new_patient = t->new_patient_allowed, active = t->active;

	if ((!t->id && !web_body_string(req, "code", true, t->code, sizeof(t->code))) ||
	    !web_body_string(req, "label_fr", !t->id, t->label_fr, sizeof(t->label_fr)) ||
	    !web_body_string(req, "label_en", !t->id, t->label_en, sizeof(t->label_en)) ||
	    !web_body_int(req, "duration_min", !t->id, 5, 240, &duration) ||
	    !web_body_bool(req, "new_patient_allowed", false, &new_patient) ||
	    !web_body_bool(req, "active", false, &active))
		return false;
	t->duration_min = (int)duration;
	t->new_patient_allowed = new_patient;
	t->active = active;
	return true;
}

/* Replace the type's practitioner restrictions when "practitioner_ids" is given. */
static int write_restrictions(struct web_request *req, int64_t type_id, bool *bad)
{
	json_t *ids = json_object_get(req->json, "practitioner_ids");
	json_t *id;
	size_t i;
	int err;

	*bad = false;
	if (!ids)
		return 0;
	if (!json_is_array(ids)) {
		*bad = true;
		return EINVAL;
	}
	err = store_type_unrestrict(req->ctx->st, type_id);
	json_array_foreach(ids, i, id) {
		if (err)
			break;
		if (!json_is_integer(id)) {
			*bad = true;
			return EINVAL;
		}
		err = store_type_restrict(req->ctx->st, type_id, json_integer_value(id));
	}
	return err;
}

static void save_type(struct web_request *req, struct store_appointment_type *t, bool create)
{
	char id_text[24];
	bool bad = false;
	int err;

	err = store_begin(req->ctx->st, true);
	if (!err)
		err = create ? store_type_add(req->ctx->st, t) : store_type_update(req->ctx->st, t);
	if (!err)
		err = write_restrictions(req, t->id, &bad);
	if (err && bad) {
		store_rollback(req->ctx->st);
		web_reply_error(req, 400, "invalid_field",
				"practitioner_ids must be an array of practitioner ids");
		return;
	}
	if (err) {
		reply_rolled_back(req, err);
		return;
	}
	if (!commit_if_valid(req))
		return;
	snprintf(id_text, sizeof(id_text), "%lld", (long long)t->id);
	web_audit(req, create ? "create" : "update", "appointment_type", id_text, 0, NULL);
	web_reply_json(req, create ? 201 : 200,
		       json_pack("{s:I, s:s, s:s, s:s, s:i, s:b, s:b}", "id", (json_int_t)t->id,
				 "code", t->code, "label_fr", t->label_fr, "label_en", t->label_en,
				 "duration_min", t->duration_min, "new_patient_allowed",
				 t->new_patient_allowed, "active", t->active));
}

void web_api_type_add(struct web_request *req)
{
	struct store_appointment_type t = {.new_patient_allowed = true, .active = true};

	if (read_type(req, &t))
		save_type(req, &t, true);
}

void web_api_type_update(struct web_request *req)
{
	struct store_appointment_type *list = NULL, t = {0};
	size_t count = 0;
	int64_t id;
	int err;

	if (!web_param_id(req, 0, &id))
		return;
	err = store_types_list(req->ctx->st, &list, &count);
	for (size_t i = 0; !err && i < count; i++) {
		if (list[i].id == id)
			t = list[i];
	}
	free(list);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	if (!t.id) {
		web_reply_error(req, 404, "not_found", "no appointment type %lld", (long long)id);
		return;
	}
	if (read_type(req, &t))
		save_type(req, &t, false);
}

/* ---- Opening hours ---- */

static void format_minutes(int minutes, char *out, size_t size)
{
	/* The store keeps 0 to 1440; clamped, the text always fits "HH:MM". */
	if (minutes < 0)
		minutes = 0;
	if (minutes > 1440)
		minutes = 1440;
	snprintf(out, size, "%02d:%02d", minutes / 60, minutes % 60);
}

void web_api_openings_get(struct web_request *req)
{
	struct store_opening *openings = NULL;
	size_t count = 0;
	int64_t practitioner;
	json_t *list;
	int err;

	if (!web_query_int(req, "practitioner", 0, 0, INT64_MAX, &practitioner))
		return;
	err = store_openings_list(req->ctx->st, &openings, &count);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	list = json_array();
	for (size_t i = 0; i < count; i++) {
		char start[8], end[8];

		if (openings[i].practitioner_id != practitioner)
			continue;
		format_minutes(openings[i].start_min, start, sizeof(start));
		format_minutes(openings[i].end_min, end, sizeof(end));
		json_array_append_new(list, json_pack("{s:i, s:s, s:s, s:s, s:s}", "weekday",
						      openings[i].weekday, "start", start, "end", end,
						      "valid_from", openings[i].valid_from,
						      "valid_until", openings[i].valid_until));
	}
	free(openings);
	web_reply_json(req, 200, json_pack("{s:I, s:o}", "practitioner_id", (json_int_t)practitioner,
					   "windows", list));
}

/* Read one window of PUT /openings; false after replying 400. */
static bool read_window(struct web_request *req, json_t *item, struct store_opening *o)
{
	json_t *saved = req->json;
	char start[8] = "", end[8] = "";
	int64_t weekday = 0;
	struct civil_date d;
	bool ok;

	if (!json_is_object(item)) {
		web_reply_error(req, 400, "invalid_field", "each window must be an object");
		return false;
	}
	req->json = item;
	ok = web_body_int(req, "weekday", true, 1, 7, &weekday) &&
	     web_body_string(req, "start", true, start, sizeof(start)) &&
	     web_body_string(req, "end", true, end, sizeof(end)) &&
	     web_body_string(req, "valid_from", false, o->valid_from, sizeof(o->valid_from)) &&
	     web_body_string(req, "valid_until", false, o->valid_until, sizeof(o->valid_until));
	req->json = saved;
	if (!ok)
		return false;
	o->weekday = (int)weekday;
	if (civil_minutes_parse(start, &o->start_min) || civil_minutes_parse(end, &o->end_min) ||
	    o->start_min >= o->end_min) {
		web_reply_error(req, 422, "invalid_settings",
				"invalid window %s-%s: use HH:MM and start before the end", start, end);
		return false;
	}
	if ((o->valid_from[0] && civil_date_parse(o->valid_from, &d)) ||
	    (o->valid_until[0] && civil_date_parse(o->valid_until, &d))) {
		web_reply_error(req, 422, "invalid_settings", "valid_from and valid_until are YYYY-MM-DD");
		return false;
	}
	return true;
}

void web_api_openings_put(struct web_request *req)
{
	struct store_opening windows[OPENINGS_MAX];
	json_t *list = json_object_get(req->json, "windows");
	int64_t practitioner = 0;
	char id_text[24];
	size_t count, i;
	json_t *item;
	int err;

	if (!web_body_int(req, "practitioner_id", true, 0, INT64_MAX, &practitioner))
		return;
	if (!json_is_array(list) || json_array_size(list) > OPENINGS_MAX) {
		web_reply_error(req, 400, "invalid_field",
				"'windows' must be an array of at most %d windows", OPENINGS_MAX);
		return;
	}
	count = json_array_size(list);
	json_array_foreach(list, i, item) {
		memset(&windows[i], 0, sizeof(windows[i]));
		windows[i].practitioner_id = practitioner;
		if (!read_window(req, item, &windows[i]))
			return;
	}
	err = store_begin(req->ctx->st, true);
	if (!err)
		err = store_openings_clear(req->ctx->st, practitioner);
	for (i = 0; !err && i < count; i++)
		err = store_opening_add(req->ctx->st, &windows[i]);
	if (err) {
		reply_rolled_back(req, err);
		return;
	}
	if (!commit_if_valid(req))
		return;
	snprintf(id_text, sizeof(id_text), "%lld", (long long)practitioner);
	web_audit(req, "update", "openings", id_text, 0, NULL);
	web_api_openings_get(req);
}

/* ---- Absences and closures ---- */

void web_api_absences(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_absence *list = NULL;
	int64_t from, to;
	size_t count = 0;
	json_t *items;
	int err;

	if (!agenda || !web_query_instant(req, agenda_tz(agenda), "from", req->now - 86400, &from) ||
	    !web_query_instant(req, agenda_tz(agenda), "to", req->now + 365 * 86400, &to))
		return;
	err = store_absences_list(req->ctx->st, from, to, &list, &count);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < count; i++) {
		if (req->user.role == WEB_ROLE_PRACTITIONER && list[i].practitioner_id &&
		    list[i].practitioner_id != req->user.practitioner_id)
			continue;
		json_array_append_new(items, json_pack("{s:I, s:I, s:o, s:o, s:s}", "id",
						       (json_int_t)list[i].id, "practitioner_id",
						       (json_int_t)list[i].practitioner_id, "start",
						       web_instant_json(agenda_tz(agenda), list[i].start_utc),
						       "end",
						       web_instant_json(agenda_tz(agenda), list[i].end_utc),
						       "reason", list[i].reason));
	}
	free(list);
	web_reply_json(req, 200, json_pack("{s:o}", "absences", items));
}

void web_api_absence_add(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_absence a = {0};
	char start[40] = "", end[40] = "", id_text[24];
	int err;

	if (!agenda || !web_body_int(req, "practitioner_id", false, 0, INT64_MAX, &a.practitioner_id) ||
	    !web_body_string(req, "start", true, start, sizeof(start)) ||
	    !web_body_string(req, "end", true, end, sizeof(end)) ||
	    !web_body_string(req, "reason", false, a.reason, sizeof(a.reason)))
		return;
	if (web_parse_instant(agenda_tz(agenda), start, &a.start_utc) ||
	    web_parse_instant(agenda_tz(agenda), end, &a.end_utc) || a.start_utc >= a.end_utc) {
		web_reply_error(req, 422, "invalid_settings",
				"start and end must be ISO 8601 times or dates, start before end");
		return;
	}
	if (a.practitioner_id && agenda_practitioner_index(agenda, a.practitioner_id) < 0) {
		web_reply_error(req, 422, "invalid_settings", "no practitioner %lld",
				(long long)a.practitioner_id);
		return;
	}
	err = store_begin(req->ctx->st, true);
	if (!err)
		err = store_absence_add(req->ctx->st, &a);
	if (err) {
		reply_rolled_back(req, err);
		return;
	}
	if (!commit_if_valid(req))
		return;
	snprintf(id_text, sizeof(id_text), "%lld", (long long)a.id);
	web_audit(req, "create", "absence", id_text, 0, NULL);
	web_reply_json(req, 201, json_pack("{s:I, s:I, s:o, s:o, s:s}", "id", (json_int_t)a.id,
					   "practitioner_id", (json_int_t)a.practitioner_id, "start",
					   web_instant_json(agenda_tz(agenda), a.start_utc), "end",
					   web_instant_json(agenda_tz(agenda), a.end_utc), "reason",
					   a.reason));
}

void web_api_absence_delete(struct web_request *req)
{
	char id_text[24];
	int64_t id;
	int err;

	if (!web_param_id(req, 0, &id))
		return;
	err = store_begin(req->ctx->st, true);
	if (!err)
		err = store_absence_delete(req->ctx->st, id);
	if (err == ENOENT) {
		store_rollback(req->ctx->st);
		web_reply_error(req, 404, "not_found", "no absence %lld", (long long)id);
		return;
	}
	if (err) {
		reply_rolled_back(req, err);
		return;
	}
	if (!commit_if_valid(req))
		return;
	snprintf(id_text, sizeof(id_text), "%lld", (long long)id);
	web_audit(req, "delete", "absence", id_text, 0, NULL);
	web_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}
