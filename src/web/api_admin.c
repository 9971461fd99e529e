/* Statistics of calls, staff accounts and the audit log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "civil.h"
#include "log.h"
#include "tz.h"
#include "web_priv.h"

#define STATS_MAX_DAYS 366
#define STATS_MAX_CALLS 200000

/* ---- Statistics ---- */

/* Whether a local time falls inside the practice's own opening hours (not a holiday). */
static bool practice_open(const struct store_opening *openings, size_t count, unsigned regions,
			  const struct civil_time *local)
{
	int64_t day = civil_days_from_date(local->year, local->month, local->day);
	int weekday = civil_weekday(day);
	int minute = local->hour * 60 + local->minute;

	if (sched_is_holiday(day, regions, NULL))
		return false;
	for (size_t i = 0; i < count; i++) {
		if (openings[i].practitioner_id == 0 && openings[i].weekday == weekday &&
		    minute >= openings[i].start_min && minute < openings[i].end_min)
			return true;
	}
	return false;
}

static void count_key(json_t *counts, const char *key)
{
	const char *name = key[0] ? key : "unknown";
	json_t *value = json_object_get(counts, name);

	json_object_set_new(counts, name, json_integer(value ? json_integer_value(value) + 1 : 1));
}

struct stats {
	int64_t per_hour[24];
	int64_t *per_day;
	json_t *outcomes;
	json_t *reasons;
	json_t *urgency;
	int64_t duration_total;
	int64_t duration_count;
	int64_t outside;
};

static void stats_add(struct stats *s, const struct tz *tz, int64_t first_day,
		      const struct store_opening *openings, size_t opening_count, unsigned regions,
		      const struct store_call_brief *c)
{
	struct civil_time local = tz_to_local(tz, c->started_utc, NULL);
	int64_t day = civil_days_from_date(local.year, local.month, local.day) - first_day;

	s->per_hour[local.hour]++;
	if (day >= 0 && day < STATS_MAX_DAYS)
		s->per_day[day]++;
	count_key(s->outcomes, c->outcome);
	count_key(s->reasons, c->intent);
	count_key(s->urgency, c->urgency);
	if (c->ended_utc > c->started_utc) {
		s->duration_total += c->ended_utc - c->started_utc;
		s->duration_count++;
	}
	if (!practice_open(openings, opening_count, regions, &local))
		s->outside++;
}

static json_t *stats_json(struct stats *s, const struct tz *tz, int64_t from, int64_t to,
			  int64_t first_day, int64_t days, size_t total)
{
	json_t *hours = json_array(), *per_day = json_array();
	char date[16];

	for (int h = 0; h < 24; h++)
		json_array_append_new(hours, json_integer(s->per_hour[h]));
	for (int64_t d = 0; d < days; d++) {
		struct civil_date cd = civil_date_from_days(first_day + d);

		civil_date_format(&cd, date, sizeof(date));
		json_array_append_new(per_day, json_pack("{s:s, s:I}", "date", date, "calls",
							 (json_int_t)s->per_day[d]));
	}
	return json_pack("{s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:f, s:I, s:f}", "from",
			 web_instant_json(tz, from), "to", web_instant_json(tz, to), "total",
			 (json_int_t)total, "per_hour", hours, "per_day", per_day, "outcomes",
			 s->outcomes, "reasons", s->reasons, "urgency", s->urgency,
			 "average_duration_s",
			 s->duration_count ? (double)s->duration_total / (double)s->duration_count : 0.0,
			 "outside_hours", (json_int_t)s->outside, "outside_hours_share",
			 total ? (double)s->outside / (double)total : 0.0);
}

void web_api_stats(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_call_brief *calls = NULL;
	struct store_opening *openings = NULL;
	size_t count = 0, opening_count = 0;
	struct stats s = {0};
	const struct tz *tz;
	int64_t from, to, first_day, days;
	int err;

	if (!agenda)
		return;
	tz = agenda_tz(agenda);
	first_day = tz_day_of(tz, req->now) - 29;
	if (!web_query_instant(req, tz, "from", tz_day_start(tz, first_day), &from) ||
	    !web_query_instant(req, tz, "to", tz_day_start(tz, tz_day_of(tz, req->now)), &to))
		return;
	/* Whole days, "to" included. */
	first_day = tz_day_of(tz, from);
	days = tz_day_of(tz, to) - first_day + 1;
	if (days < 1 || days > STATS_MAX_DAYS) {
		web_reply_error(req, 400, "invalid_parameter",
				"the range must cover 1 to %d days, from before to", STATS_MAX_DAYS);
		return;
	}
	from = tz_day_start(tz, first_day);
	to = tz_day_start(tz, first_day + days);
	err = store_calls_brief(req->ctx->st, from, to, STATS_MAX_CALLS, &calls, &count);
	if (err == ERANGE) {
		web_reply_error(req, 400, "invalid_parameter", "%s", store_errmsg(req->ctx->st));
		return;
	}
	if (!err)
		err = store_openings_list(req->ctx->st, &openings, &opening_count);
	s.per_day = calloc(STATS_MAX_DAYS, sizeof(*s.per_day));
	if (err || !s.per_day) {
		free(calls);
		free(s.per_day);
		web_reply_store_error(req, err ? err : ENOMEM);
		return;
	}
	s.outcomes = json_object();
	s.reasons = json_object();
	s.urgency = json_object();
	for (size_t i = 0; i < count; i++)
		stats_add(&s, tz, first_day, openings, opening_count, agenda_rules(agenda)->holiday_regions,
			  &calls[i]);
	web_reply_json(req, 200, stats_json(&s, tz, from, to, first_day, days, count));
	free(s.per_day);
	free(calls);
	free(openings);
}

/* ---- Staff accounts ---- */

static json_t *user_json(const struct store_user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:b, s:I}", "id", (json_int_t)u->id,
			 "username", u->username, "display_name", u->display_name, "role", u->role,
			 "practitioner_id", (json_int_t)u->practitioner_id, "lang", u->lang,
			 "disabled", u->disabled, "created_utc", (json_int_t)u->created_utc);
}

void web_api_users(struct web_request *req)
{
	struct store_user *users = NULL;
	size_t count = 0;
	json_t *list;
	int err = store_users_list(req->ctx->st, &users, &count);

	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	list = json_array();
	for (size_t i = 0; i < count; i++)
		json_array_append_new(list, user_json(&users[i]));
	free(users);
	web_reply_json(req, 200, json_pack("{s:o}", "users", list));
}

static bool username_valid(const char *name)
{
	size_t len = strlen(name);

	if (len < 2 || len > 63)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '_'))
			return false;
	}
	return true;
}

/* Check role, practitioner and language; false after replying 422. */
static bool account_valid(struct web_request *req, const struct store_user *u)
{
	struct agenda *agenda;

	if (!web_role_parse(u->role)) {
		web_reply_error(req, 422, "invalid_user", "role must be admin, secretary or practitioner");
		return false;
	}
	if (strcmp(u->lang, "fr") && strcmp(u->lang, "en")) {
		web_reply_error(req, 422, "invalid_user", "lang must be fr or en");
		return false;
	}
	if (strcmp(u->role, "practitioner") != 0)
		return true;
	agenda = web_agenda(req);
	if (!agenda)
		return false;
	if (!u->practitioner_id || agenda_practitioner_index(agenda, u->practitioner_id) < 0) {
		web_reply_error(req, 422, "invalid_user",
				"a practitioner account needs the id of an existing practitioner");
		return false;
	}
	return true;
}

static bool read_password(struct web_request *req, bool required, char *hash, size_t size,
			  bool *given)
{
	char password[WEB_PASSWORD_MAX + 2] = "";
	int err;

	*given = false;
	if (!web_body_string(req, "password", required, password, sizeof(password)))
		return false;
	if (!password[0])
		return true;
	err = web_password_hash(password, hash, size);
	memset(password, 0, sizeof(password));
	if (err == EINVAL) {
		web_reply_error(req, 422, "weak_password",
				"the password must have %d to %d characters", WEB_PASSWORD_MIN,
				WEB_PASSWORD_MAX);
		return false;
	}
	if (err) {
		web_reply_error(req, 500, "internal", "the password cannot be hashed");
		return false;
	}
	*given = true;
	return true;
}

void web_api_user_add(struct web_request *req)
{
	struct store_user u = {.lang = "fr"};
	char id_text[24];
	bool given;
	int err;

	if (!web_body_string(req, "username", true, u.username, sizeof(u.username)) ||
	    !web_body_string(req, "display_name", false, u.display_name, sizeof(u.display_name)) ||
	    !web_body_string(req, "role", true, u.role, sizeof(u.role)) ||
	    !web_body_int(req, "practitioner_id", false, 0, INT64_MAX, &u.practitioner_id) ||
	    !web_body_string(req, "lang", false, u.lang, sizeof(u.lang)))
		return;
	if (!username_valid(u.username)) {
		web_reply_error(req, 422, "invalid_user",
				"user names have 2 to 63 characters among a-z, 0-9, '.', '-', '_'");
		return;
	}
	if (!account_valid(req, &u) ||
	    !read_password(req, true, u.password_hash, sizeof(u.password_hash), &given))
		return;
	u.created_utc = req->now;
	u.updated_utc = req->now;
	err = store_user_add(req->ctx->st, &u);
	if (err == EEXIST) {
		web_reply_error(req, 409, "conflict", "the user name '%s' is taken", u.username);
		return;
	}
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	snprintf(id_text, sizeof(id_text), "%lld", (long long)u.id);
	web_audit(req, "create", "user", id_text, 0, u.role);
	web_reply_json(req, 201, user_json(&u));
}

void web_api_user_update(struct web_request *req)
{
	struct store_user u;
	char id_text[24];
	bool given = false, disabled, was_disabled;
	int64_t id;
	int err;

	if (!web_param_id(req, 0, &id))
		return;
	err = store_user_get(req->ctx->st, id, &u);
	if (err == ENOENT) {
		web_reply_error(req, 404, "not_found", "no user %lld", (long long)id);
		return;
	}
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	disabled = was_disabled = u.disabled;
	if (!web_body_string(req, "display_name", false, u.display_name, sizeof(u.display_name)) ||
	    !web_body_string(req, "role", false, u.role, sizeof(u.role)) ||
	    !web_body_int(req, "practitioner_id", false, 0, INT64_MAX, &u.practitioner_id) ||
	    !web_body_string(req, "lang", false, u.lang, sizeof(u.lang)) ||
	    !web_body_bool(req, "disabled", false, &disabled) || !account_valid(req, &u) ||
	    !read_password(req, false, u.password_hash, sizeof(u.password_hash), &given))
		return;
	if (id == req->user.id && (disabled || strcmp(u.role, "admin") != 0)) {
		web_reply_error(req, 409, "self_lockout",
				"you cannot disable your own account or drop your own admin role");
		return;
	}
	u.disabled = disabled;
	u.updated_utc = req->now;
	err = store_user_update(req->ctx->st, &u);
	/* A disabled account or a new password closes the sessions already open. */
	if (!err && ((disabled && !was_disabled) || given))
		err = store_sessions_delete_for_user(req->ctx->st, id);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	snprintf(id_text, sizeof(id_text), "%lld", (long long)id);
	web_audit(req, "update", "user", id_text, 0, given ? "password changed" : NULL);
	web_reply_json(req, 200, user_json(&u));
}

/* ---- Audit log ---- */

void web_api_audit(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_audit_filter f = {0};
	struct store_audit *entries = NULL;
	size_t count = 0;
	int64_t limit, offset;
	json_t *list;
	int err;

	if (!agenda || !web_query_instant(req, agenda_tz(agenda), "from", 0, &f.from) ||
	    !web_query_instant(req, agenda_tz(agenda), "to", 0, &f.to) ||
	    !web_query_int(req, "patient_id", 0, 0, INT64_MAX, &f.patient_id) ||
	    !web_query_int(req, "limit", 100, 1, 500, &limit) ||
	    !web_query_int(req, "offset", 0, 0, 10000000, &offset))
		return;
	f.username = web_query(req, "username");
	f.limit = (size_t)limit;
	f.offset = (size_t)offset;
	err = store_audit_list(req->ctx->st, &f, &entries, &count);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	list = json_array();
	for (size_t i = 0; i < count; i++) {
		const struct store_audit *a = &entries[i];

		json_array_append_new(list,
				      json_pack("{s:I, s:o, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}",
						"id", (json_int_t)a->id, "at",
						web_instant_json(agenda_tz(agenda), a->at_utc),
						"user_id", (json_int_t)a->user_id, "username",
						a->username, "address", a->address, "action",
						a->action, "object_type", a->object_type,
						"object_id", a->object_id, "patient_id",
						(json_int_t)a->patient_id, "detail", a->detail));
	}
	free(entries);
	web_reply_json(req, 200, json_pack("{s:o}", "entries", list));
}
