/* Live calls, the call log with its details, and the staff's tasks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "agenda.h"
#include "live.h"
#include "log.h"
#include "tz.h"
#include "web_priv.h"

#define STREAM_MAX_S 300      /* the page reconnects, and the session is checked again */
#define STREAM_KEEPALIVE_MS 15000

static json_t *live_call_json(const struct live_call *c)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "call_id", c->call_id,
			 "started_utc", (json_int_t)c->started_utc, "state", c->state,
			 "caller_number", c->caller_number, "lang", c->lang, "intent", c->intent,
			 "understood", c->understood, "urgency", c->urgency[0] ? c->urgency : "none",
			 "updated_utc", (json_int_t)c->updated_utc);
}

static json_t *live_json(struct live_registry *live)
{
	struct live_call *calls = NULL;
	size_t count = 0;
	uint64_t version = 0;
	json_t *list;

	if (live_registry_snapshot(live, &calls, &count, &version) != 0)
		return NULL;
	list = json_array();
	for (size_t i = 0; i < count; i++)
		json_array_append_new(list, live_call_json(&calls[i]));
	free(calls);
	return json_pack("{s:I, s:o}", "version", (json_int_t)version, "calls", list);
}

void web_api_live(struct web_request *req)
{
	json_t *doc = live_json(req->server->live);

	if (!doc) {
		web_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	web_reply_json(req, 200, doc);
}

/* ---- The event stream: a snapshot at each change, a comment line every 15 s ---- */

struct stream {
	struct web_server *server;
	uint64_t sent_version;
	bool sent_any;
	struct timespec started;
	char *pending;
	size_t pending_len;
	size_t pending_off;
};

static void stream_prepare(struct stream *s)
{
	struct live_registry *live = s->server->live;
	uint64_t version = live_registry_version(live);
	json_t *doc;
	char *data;

	if (s->sent_any && version == s->sent_version)
		version = live_registry_wait(live, s->sent_version, STREAM_KEEPALIVE_MS);
	if (s->sent_any && version == s->sent_version) {
		s->pending = strdup(": keepalive\n\n");
	} else {
		doc = live_json(live);
		data = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		if (doc)
			s->sent_version = json_integer_value(json_object_get(doc, "version"));
		json_decref(doc);
		if (data) {
			size_t size = strlen(data) + 32;

			s->pending = malloc(size);
			if (s->pending)
				snprintf(s->pending, size, "event: snapshot\ndata: %s\n\n", data);
		}
		free(data);
		s->sent_any = true;
	}
	s->pending_len = s->pending ? strlen(s->pending) : 0;
	s->pending_off = 0;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	struct timespec now;
	size_t n;

	if (!s->pending) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (atomic_load(&s->server->stopping) || now.tv_sec - s->started.tv_sec > STREAM_MAX_S)
			return MHD_CONTENT_READER_END_OF_STREAM;
		stream_prepare(s);
		if (atomic_load(&s->server->stopping) || !s->pending)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = s->pending_len - s->pending_off;
	if (n > max)
		n = max;
	memcpy(buf, s->pending + s->pending_off, n);
	s->pending_off += n;
	if (s->pending_off == s->pending_len) {
		free(s->pending);
		s->pending = NULL;
	}
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	free(s->pending);
	free(s);
}

void web_api_live_stream(struct web_request *req)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (!s) {
		web_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	s->server = req->server;
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	req->response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s,
							  stream_free);
	if (!req->response) {
		free(s);
		web_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	MHD_add_response_header(req->response, "Content-Type", "text/event-stream");
	req->status = 200;
}

/* ---- Call log ---- */

static json_t *call_summary_json(const struct tz *tz, const struct store_call *c)
{
	int64_t end = c->ended_utc ? c->ended_utc : 0;

	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:s, s:s, s:s, s:s, s:I}", "id",
			 c->id, "channel", c->channel, "caller_number", c->caller_number, "lang",
			 c->lang, "started", web_instant_json(tz, c->started_utc), "ended",
			 web_instant_json(tz, end), "duration_s",
			 (json_int_t)(end > c->started_utc ? end - c->started_utc : 0), "outcome",
			 c->outcome, "urgency", c->urgency, "intent", c->intent, "reason", c->reason,
			 "patient_id", (json_int_t)c->patient_id);
}

static const char *const urgencies[] = {"none", "urgent", "emergency"};

static bool valid_urgency(const char *text)
{
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(text, urgencies[i]) == 0)
			return true;
	}
	return false;
}

void web_api_calls(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_call_filter f = {0};
	struct store_call *calls = NULL;
	size_t count = 0, total = 0;
	int64_t limit, offset, to;
	char detail[64];
	json_t *items;
	int err;

	if (!agenda)
		return;
	if (!web_query_instant(req, agenda_tz(agenda), "from", 0, &f.from) ||
	    !web_query_instant(req, agenda_tz(agenda), "to", 0, &to) ||
	    !web_query_int(req, "limit", 50, 1, 500, &limit) ||
	    !web_query_int(req, "offset", 0, 0, 1000000, &offset))
		return;
	/* "to" is a day: the whole day is included. */
	if (to && strlen(web_query(req, "to")) == 10)
		to = tz_day_start(agenda_tz(agenda), tz_day_of(agenda_tz(agenda), to) + 1);
	f.to = to;
	f.outcome = web_query(req, "outcome");
	f.urgency = web_query(req, "urgency");
	f.text = web_query(req, "q");
	if (f.urgency && !valid_urgency(f.urgency)) {
		web_reply_error(req, 400, "invalid_parameter",
				"invalid urgency '%.32s': use none, urgent or emergency", f.urgency);
		return;
	}
	if (f.text && strlen(f.text) > 200) {
		web_reply_error(req, 400, "invalid_parameter", "q is longer than 200 bytes");
		return;
	}
	f.limit = (size_t)limit;
	f.offset = (size_t)offset;
	err = store_calls_search(req->ctx->st, &f, &calls, &count, &total);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < count; i++)
		json_array_append_new(items, call_summary_json(agenda_tz(agenda), &calls[i]));
	store_calls_free(calls, count);
	snprintf(detail, sizeof(detail), "%zu calls listed", count);
	web_audit(req, "view", "call_list", NULL, 0, detail);
	web_reply_json(req, 200, json_pack("{s:o, s:I}", "calls", items, "total", (json_int_t)total));
}

/* Parse stored JSON text, falling back to the given empty value when it is damaged. */
static json_t *stored_json(const char *text, json_t *fallback)
{
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;

	if (!doc)
		return fallback;
	json_decref(fallback);
	return doc;
}

static json_t *patient_json(struct store *st, int64_t patient_id)
{
	struct store_patient p;

	if (!patient_id || store_patient_get(st, patient_id, &p) != 0)
		return json_null();
	return json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)p.id, "last_name",
			 p.last_name, "first_name", p.first_name, "birth_date", p.birth_date,
			 "phone", p.phone);
}

static json_t *task_json(struct store *st, const struct tz *tz, const struct store_task *t)
{
	return json_pack("{s:I, s:s, s:i, s:s, s:s, s:o, s:I, s:s, s:s, s:o, s:s, s:o, s:o}",
			 "id", (json_int_t)t->id, "kind", t->kind, "priority", t->priority,
			 "status", t->status, "call_id", t->call_id, "patient",
			 patient_json(st, t->patient_id), "practitioner_id",
			 (json_int_t)t->practitioner_id, "caller_number", t->caller_number,
			 "summary", t->summary, "details",
			 stored_json(t->details_json, json_object()), "assignee", t->assignee,
			 "created", web_instant_json(tz, t->created_utc), "done_at",
			 web_instant_json(tz, t->done_utc));
}

static json_t *tasks_of_call(struct store *st, const struct tz *tz, const char *call_id)
{
	struct store_task *tasks = NULL;
	size_t count = 0;
	json_t *list = json_array();

	if (store_tasks_list(st, false, &tasks, &count) != 0)
		return list;
	for (size_t i = 0; i < count; i++) {
		if (strcmp(tasks[i].call_id, call_id) == 0)
			json_array_append_new(list, task_json(st, tz, &tasks[i]));
	}
	store_tasks_free(tasks, count);
	return list;
}

void web_api_call(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_call call;
	json_t *doc;
	int err;

	if (!agenda)
		return;
	err = store_call_get(req->ctx->st, req->params[0], &call);
	if (err == ENOENT) {
		web_reply_error(req, 404, "not_found", "no call '%.64s'", req->params[0]);
		return;
	}
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	doc = call_summary_json(agenda_tz(agenda), &call);
	json_object_set_new(doc, "called_number", json_string(call.called_number));
	json_object_set_new(doc, "answered", web_instant_json(agenda_tz(agenda), call.answered_utc));
	json_object_set_new(doc, "summary", stored_json(call.summary_json, json_object()));
	json_object_set_new(doc, "transcript", stored_json(call.transcript_json, json_array()));
	json_object_set_new(doc, "patient", patient_json(req->ctx->st, call.patient_id));
	json_object_set_new(doc, "tasks", tasks_of_call(req->ctx->st, agenda_tz(agenda), call.id));
	web_audit(req, "view", "call", call.id, call.patient_id, NULL);
	store_call_release(&call);
	web_reply_json(req, 200, doc);
}

/* ---- Tasks ---- */

static bool task_visible(const struct web_request *req, const struct store_task *t)
{
	return req->user.role != WEB_ROLE_PRACTITIONER ||
	       (req->user.practitioner_id && t->practitioner_id == req->user.practitioner_id);
}

void web_api_tasks(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	struct store_task *tasks = NULL;
	const char *status = web_query(req, "status");
	size_t count = 0, shown = 0;
	char detail[64];
	json_t *items;
	int err;

	if (!agenda)
		return;
	if (status && strcmp(status, "open") != 0 && strcmp(status, "all") != 0) {
		web_reply_error(req, 400, "invalid_parameter", "invalid status: use open or all");
		return;
	}
	err = store_tasks_list(req->ctx->st, !status || strcmp(status, "open") == 0, &tasks, &count);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < count; i++) {
		if (!task_visible(req, &tasks[i]))
			continue;
		json_array_append_new(items, task_json(req->ctx->st, agenda_tz(agenda), &tasks[i]));
		shown++;
	}
	store_tasks_free(tasks, count);
	snprintf(detail, sizeof(detail), "%zu tasks listed", shown);
	web_audit(req, "view", "task_list", NULL, 0, detail);
	web_reply_json(req, 200, json_pack("{s:o}", "tasks", items));
}

void web_api_task_update(struct web_request *req)
{
	struct agenda *agenda = web_agenda(req);
	char status[16] = "", assignee[64] = "", id_text[24];
	struct store_task task;
	int64_t id;
	int err;

	if (!agenda || !web_param_id(req, 0, &id) ||
	    !web_body_string(req, "status", false, status, sizeof(status)) ||
	    !web_body_string(req, "assignee", false, assignee, sizeof(assignee)))
		return;
	if (!status[0] && !assignee[0]) {
		web_reply_error(req, 400, "missing_field", "give a status or an assignee");
		return;
	}
	if (!status[0])
		snprintf(status, sizeof(status), "assigned");
	if (strcmp(status, "open") && strcmp(status, "assigned") && strcmp(status, "done")) {
		web_reply_error(req, 400, "invalid_field", "status must be open, assigned or done");
		return;
	}
	err = store_task_get(req->ctx->st, id, &task);
	if (err == ENOENT || (!err && !task_visible(req, &task))) {
		store_task_release(&task);
		web_reply_error(req, 404, "not_found", "no task %lld", (long long)id);
		return;
	}
	if (!err)
		err = store_task_set_status(req->ctx->st, id, status,
					    assignee[0] ? assignee : NULL, req->now);
	store_task_release(&task);
	if (!err)
		err = store_task_get(req->ctx->st, id, &task);
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	snprintf(id_text, sizeof(id_text), "%lld", (long long)id);
	web_audit(req, "update", "task", id_text, task.patient_id, status);
	web_reply_json(req, 200, task_json(req->ctx->st, agenda_tz(agenda), &task));
	store_task_release(&task);
}
