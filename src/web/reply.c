/* Replies, request parameters, body members and the audit log, shared by the handlers. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "agenda.h"
#include "civil.h"
#include "log.h"
#include "tz.h"
#include "web_priv.h"

void web_reply_json(struct web_request *req, unsigned status, json_t *document)
{
	free(req->reply_body);
	req->reply_body = document ? json_dumps(document, JSON_COMPACT) : NULL;
	json_decref(document);
	if (!req->reply_body) {
		req->status = 500;
		req->reply_body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
	} else {
		req->status = status;
	}
	req->content_type = "application/json; charset=utf-8";
}

void web_reply_error(struct web_request *req, unsigned status, const char *code,
		     const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	web_reply_json(req, status,
		       json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message));
}

void web_reply_verdict(struct web_request *req, enum sched_verdict verdict)
{
	web_reply_json(req, 409,
		       json_pack("{s:{s:s, s:s, s:s, s:{s:s, s:s}}}", "error", "code", "refused",
				 "verdict", sched_verdict_name(verdict), "message",
				 sched_verdict_message(verdict, "en"), "messages", "fr",
				 sched_verdict_message(verdict, "fr"), "en",
				 sched_verdict_message(verdict, "en")));
}

void web_reply_store_error(struct web_request *req, int err)
{
	log_err("web", NULL, "%s %s: database error: %s", req->method, req->path,
		req->ctx ? store_errmsg(req->ctx->st) : strerror(err));
	if (err == EBUSY)
		web_reply_error(req, 503, "busy", "the database is busy: try again");
	else
		web_reply_error(req, 500, "database", "database error");
}

const char *web_query(struct web_request *req, const char *name)
{
	const char *value = MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);

	return value && value[0] ? value : NULL;
}

bool web_query_int(struct web_request *req, const char *name, int64_t fallback, int64_t min,
		   int64_t max, int64_t *value)
{
	const char *text = web_query(req, name);
	char *end;
	long long parsed;

	*value = fallback;
	if (!text)
		return true;
	errno = 0;
	parsed = strtoll(text, &end, 10);
	if (errno || *end || parsed < min || parsed > max) {
		web_reply_error(req, 400, "invalid_parameter",
				"invalid %s '%.64s': expected an integer from %" PRId64 " to %" PRId64,
				name, text, min, max);
		return false;
	}
	*value = parsed;
	return true;
}

int web_parse_instant(const struct tz *tz, const char *text, int64_t *instant)
{
	struct civil_date date;
	const char *why = NULL;

	if (strlen(text) == 10 && civil_date_parse(text, &date) == 0) {
		*instant = tz_day_start(tz, civil_days_from_date(date.year, date.month, date.day));
		return 0;
	}
	return tz_parse_iso8601(tz, text, instant, &why) == 0 ? 0 : EINVAL;
}

bool web_query_instant(struct web_request *req, const struct tz *tz, const char *name,
		       int64_t fallback, int64_t *value)
{
	const char *text = web_query(req, name);

	*value = fallback;
	if (!text)
		return true;
	if (web_parse_instant(tz, text, value) != 0) {
		web_reply_error(req, 400, "invalid_parameter",
				"invalid %s '%.64s': expected YYYY-MM-DD or an ISO 8601 time", name,
				text);
		return false;
	}
	return true;
}

json_t *web_instant_json(const struct tz *tz, int64_t instant)
{
	char buf[40];

	if (!instant)
		return json_null();
	tz_format_iso8601(tz, instant, buf, sizeof(buf));
	return json_string(buf);
}

bool web_param_id(struct web_request *req, int index, int64_t *id)
{
	char *end;
	long long parsed;

	errno = 0;
	parsed = strtoll(req->params[index], &end, 10);
	if (errno || *end || parsed <= 0) {
		web_reply_error(req, 404, "not_found", "no object with id '%.64s'",
				req->params[index]);
		return false;
	}
	*id = parsed;
	return true;
}

bool web_body_string(struct web_request *req, const char *key, bool required, char *out,
		     size_t size)
{
	json_t *member = req->json ? json_object_get(req->json, key) : NULL;
	const char *text;

	if (!member || json_is_null(member)) {
		if (required)
			web_reply_error(req, 400, "missing_field", "missing field '%s'", key);
		return !required;
	}
	if (!json_is_string(member)) {
		web_reply_error(req, 400, "invalid_field", "field '%s' must be a string", key);
		return false;
	}
	text = json_string_value(member);
	if (strlen(text) >= size || memchr(text, '\0', json_string_length(member)) != NULL) {
		web_reply_error(req, 400, "invalid_field", "field '%s' is longer than %zu bytes",
				key, size - 1);
		return false;
	}
	snprintf(out, size, "%s", text);
	return true;
}

bool web_body_int(struct web_request *req, const char *key, bool required, int64_t min,
		  int64_t max, int64_t *value)
{
	json_t *member = req->json ? json_object_get(req->json, key) : NULL;

	if (!member || json_is_null(member)) {
		if (required)
			web_reply_error(req, 400, "missing_field", "missing field '%s'", key);
		return !required;
	}
	if (!json_is_integer(member) || json_integer_value(member) < min ||
	    json_integer_value(member) > max) {
		web_reply_error(req, 400, "invalid_field",
				"field '%s' must be an integer from %" PRId64 " to %" PRId64, key,
				min, max);
		return false;
	}
	*value = json_integer_value(member);
	return true;
}

bool web_body_bool(struct web_request *req, const char *key, bool required, bool *value)
{
	json_t *member = req->json ? json_object_get(req->json, key) : NULL;

	if (!member || json_is_null(member)) {
		if (required)
			web_reply_error(req, 400, "missing_field", "missing field '%s'", key);
		return !required;
	}
	if (!json_is_boolean(member)) {
		web_reply_error(req, 400, "invalid_field", "field '%s' must be true or false", key);
		return false;
	}
	*value = json_is_true(member);
	return true;
}

struct agenda *web_agenda(struct web_request *req)
{
	struct web_context *ctx = req->ctx;
	uint64_t generation = atomic_load(&req->server->rules_generation);
	char message[300];
	int err;

	if (ctx->agenda && ctx->rules_generation == generation)
		return ctx->agenda;
	if (ctx->agenda)
		err = agenda_reload(ctx->agenda, message, sizeof(message));
	else
		err = agenda_open(&ctx->agenda, ctx->st, message, sizeof(message));
	if (err) {
		log_err("web", NULL, "cannot load the agenda rules: %s", message);
		agenda_close(ctx->agenda);
		ctx->agenda = NULL;
		web_reply_error(req, 500, "invalid_rules", "the agenda rules cannot be loaded: %s",
				message);
		return NULL;
	}
	ctx->rules_generation = generation;
	return ctx->agenda;
}

void web_audit(struct web_request *req, const char *action, const char *object_type,
	       const char *object_id, int64_t patient_id, const char *detail)
{
	struct store_audit entry = {0};
	int err;

	entry.at_utc = req->now;
	entry.user_id = req->has_session ? req->user.id : 0;
	snprintf(entry.username, sizeof(entry.username), "%s", req->user.username);
	snprintf(entry.address, sizeof(entry.address), "%s", req->address);
	snprintf(entry.action, sizeof(entry.action), "%s", action);
	snprintf(entry.object_type, sizeof(entry.object_type), "%s", object_type);
	snprintf(entry.object_id, sizeof(entry.object_id), "%s", object_id ? object_id : "");
	entry.patient_id = patient_id;
	snprintf(entry.detail, sizeof(entry.detail), "%s", detail ? detail : "");
	err = store_audit_add(req->ctx->st, &entry);
	if (err)
		log_err("web", NULL, "cannot write the audit log (%s %s by user %lld): %s", action,
			object_type, (long long)entry.user_id, store_errmsg(req->ctx->st));
}

static const struct {
	unsigned role;
	const char *name;
} roles[] = {
	{WEB_ROLE_ADMIN, "admin"},
	{WEB_ROLE_SECRETARY, "secretary"},
	{WEB_ROLE_PRACTITIONER, "practitioner"},
};

const char *web_role_name(unsigned role)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (roles[i].role == role)
			return roles[i].name;
	}
	return "?";
}

unsigned web_role_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (strcmp(roles[i].name, name) == 0)
			return roles[i].role;
	}
	return 0;
}
