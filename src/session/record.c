/*
 * The call record: the transcript (both sides, with times), a structured summary and
 * timings, as JSON in the store. docs/ARCHITECTURE.md ("Dialogue") lists the fields.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "session_priv.h"
#include "tz.h"

void session_transcript_add(struct session *s, int64_t at, bool caller, const char *kind,
			    const char *text, float confidence, const char *key,
			    enum nlu_expect expect)
{
	struct session_entry *e;

	if (s->entry_count == SESSION_TRANSCRIPT_MAX) {
		s->entries_dropped++;
		return;
	}
	if (s->entry_count == s->entry_capacity) {
		/* A call has a few dozen entries: start small, double up to the maximum. */
		size_t capacity = s->entry_capacity ? 2 * s->entry_capacity : 32;
		struct session_entry *grown;

		if (capacity > SESSION_TRANSCRIPT_MAX)
			capacity = SESSION_TRANSCRIPT_MAX;
		grown = realloc(s->entries, capacity * sizeof(*grown));
		if (!grown) {
			s->entries_dropped++;
			return; /* out of memory: the entry is dropped, not the call */
		}
		s->entries = grown;
		s->entry_capacity = capacity;
	}
	e = &s->entries[s->entry_count];
	memset(e, 0, sizeof(*e));
	e->at = at;
	e->caller = caller;
	e->kind = kind;
	e->confidence = confidence;
	e->expect = expect;
	snprintf(e->key, sizeof(e->key), "%s", key ? key : "");
	if (text) {
		e->text = strdup(text);
		if (!e->text)
			return; /* out of memory: the entry is dropped, not the call */
	}
	s->entry_count++;
}

void session_transcript_free(struct session *s)
{
	for (size_t i = 0; i < s->entry_count; i++)
		free(s->entries[i].text);
	s->entry_count = 0;
}

static json_t *instant_json(const struct session *s, int64_t instant)
{
	char buf[40];

	if (tz_format_iso8601(agenda_tz(s->agenda), instant, buf, sizeof(buf)) != 0)
		return json_null();
	return json_string(buf);
}

static json_t *transcript_json(const struct session *s)
{
	json_t *list = json_array();

	for (size_t i = 0; i < s->entry_count; i++) {
		const struct session_entry *e = &s->entries[i];
		json_t *entry = json_pack("{s:o, s:I, s:s, s:s}", "at", instant_json(s, e->at), "t",
					  (json_int_t)(e->at - s->started), "speaker",
					  e->caller ? "caller" : "assistant", "kind", e->kind);

		if (!entry)
			continue;
		if (e->text)
			json_object_set_new(entry, "text", json_string(e->text));
		if (e->confidence >= 0.0f)
			json_object_set_new(entry, "confidence", json_real(e->confidence));
		if (e->key[0])
			json_object_set_new(entry, "key", json_string(e->key));
		if (strcmp(e->kind, "ask") == 0)
			json_object_set_new(entry, "expect", json_string(nlu_expect_name(e->expect)));
		json_array_append_new(list, entry);
	}
	return list;
}

static json_t *practitioner_json(const struct session *s, int index)
{
	char name[200];

	if (index < 0 || (size_t)index >= agenda_practitioner_count(s->agenda))
		return json_null();
	agenda_practitioner_name(s->agenda, index, name, sizeof(name));
	return json_string(name);
}

static json_t *done_json(const struct session *s, const struct dialogue_done *d)
{
	const struct store_appointment_type *type = agenda_type(s->agenda, d->type);

	switch (d->kind) {
	case DIALOGUE_ACTION_BOOK:
		return json_pack("{s:s, s:I, s:o, s:o, s:s?}", "kind", "book", "appointment_id",
				 (json_int_t)d->id, "start", instant_json(s, d->start),
				 "practitioner", practitioner_json(s, d->practitioner), "type",
				 type ? type->code : NULL);
	case DIALOGUE_ACTION_MOVE:
		return json_pack("{s:s, s:I, s:I, s:o, s:o}", "kind", "move", "appointment_id",
				 (json_int_t)d->id, "previous_id", (json_int_t)d->previous_id,
				 "start", instant_json(s, d->start), "practitioner",
				 practitioner_json(s, d->practitioner));
	case DIALOGUE_ACTION_CANCEL:
		return json_pack("{s:s, s:I, s:o}", "kind", "cancel", "appointment_id",
				 (json_int_t)d->id, "start", instant_json(s, d->start));
	case DIALOGUE_ACTION_CREATE_TASK:
		return json_pack("{s:s, s:I, s:s}", "kind", "task", "task_id", (json_int_t)d->id,
				 "task_kind", d->what);
	case DIALOGUE_ACTION_TRANSFER:
		return json_pack("{s:s, s:s}", "kind", "transfer", "result", d->what);
	default:
		return json_pack("{s:s, s:s}", "kind", "answer", "topic", d->what);
	}
}

static json_t *summary_json(const struct session *s, const struct dialogue_summary *summary)
{
	json_t *actions = json_array(), *cues = json_array(), *patient, *root;

	for (size_t i = 0; i < summary->done_count; i++)
		json_array_append_new(actions, done_json(s, &summary->done[i]));
	for (size_t i = 0; i < summary->triage.cue_count && i < NLU_MAX_CUES; i++) {
		const struct nlu_cue *c = &summary->triage.cues[i];

		json_array_append_new(cues, json_pack("{s:s, s:s, s:b, s:b, s:b}", "text", c->text,
						      "rule", c->rule, "negated", c->negated,
						      "history", c->history, "third_person",
						      c->third_person));
	}
	patient = json_pack("{s:s, s:b}", "relation", nlu_patient_name(summary->relation), "new",
			    summary->new_patient);
	if (patient)
		json_object_set_new(patient, "id", summary->patient_id
							   ? json_integer(summary->patient_id)
							   : json_null());
	root = json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:s, s:s, s:o}, s:o, s:s, s:i, "
			 "s:{s:I, s:I, s:f, s:f, s:i, s:I}}",
			 "reason", summary->reason, "intent", nlu_intent_name(summary->intent),
			 "outcome", summary->outcome, "patient", patient ? patient : json_null(),
			 "urgency", "level", nlu_urgency_name(summary->triage.level), "flag",
			 nlu_flag_name(summary->triage.flag), "dial", summary->triage.dial, "cues",
			 cues, "actions", actions, "language",
			 summary->lang == NLU_LANG_EN ? "en" : "fr", "turns", (int)summary->turns,
			 "timings", "duration_s", (json_int_t)(s->last_now - s->started),
			 "answer_delay_s",
			 s->answered ? (json_int_t)(s->answered - s->started) : (json_int_t)0,
			 "processing_ms_total", s->processing_ms_total, "processing_ms_max",
			 s->processing_ms_max, "steps", (int)s->steps, "transcript_dropped",
			 (json_int_t)s->entries_dropped);
	return root;
}

int session_record_save(struct session *s, bool final)
{
	struct dialogue_summary summary;
	struct store_call call = {0};
	json_t *summary_doc, *transcript_doc;
	int err;

	dialogue_summary(s->dialogue, &summary);
	snprintf(call.id, sizeof(call.id), "%s", s->call_id);
	snprintf(call.channel, sizeof(call.channel), "%s", s->channel);
	snprintf(call.caller_number, sizeof(call.caller_number), "%s", s->caller_number);
	snprintf(call.called_number, sizeof(call.called_number), "%s", s->called_number);
	snprintf(call.lang, sizeof(call.lang), "%s", summary.lang == NLU_LANG_EN ? "en" : "fr");
	call.started_utc = s->started;
	call.answered_utc = s->answered;
	call.ended_utc = final ? s->last_now : 0;
	snprintf(call.outcome, sizeof(call.outcome), "%s", final ? summary.outcome : "");
	snprintf(call.urgency, sizeof(call.urgency), "%s", nlu_urgency_name(summary.triage.level));
	snprintf(call.intent, sizeof(call.intent), "%s",
		 summary.intent == NLU_INTENT_NONE ? "" : nlu_intent_name(summary.intent));
	snprintf(call.reason, sizeof(call.reason), "%s", summary.reason);
	call.patient_id = summary.patient_id;
	summary_doc = summary_json(s, &summary);
	transcript_doc = transcript_json(s);
	call.summary_json = summary_doc ? json_dumps(summary_doc, JSON_COMPACT) : NULL;
	call.transcript_json = transcript_doc ? json_dumps(transcript_doc, JSON_COMPACT) : NULL;
	json_decref(summary_doc);
	json_decref(transcript_doc);
	if (!call.summary_json || !call.transcript_json)
		err = ENOMEM;
	else
		err = store_call_save(s->store, &call);
	free(call.summary_json);
	free(call.transcript_json);
	return err;
}
