#include "nlu_json.h"

#include <math.h>
#include <stdio.h>

#include "civil.h"

static json_t *when_json(const struct nlu_when *w, const struct tz *tz)
{
	char start[40], end[40];
	json_t *o = json_object();
	json_t *excluded = json_array();

	if (tz_format_iso8601(tz, w->start, start, sizeof(start)) != 0)
		start[0] = '\0';
	if (tz_format_iso8601(tz, w->end, end, sizeof(end)) != 0)
		end[0] = '\0';
	json_object_set_new(o, "start", json_string(start));
	json_object_set_new(o, "end", json_string(end));
	json_object_set_new(o, "grain", json_string(nlu_grain_name(w->grain)));
	json_object_set_new(o, "minute_from", json_integer(w->minute_from));
	json_object_set_new(o, "minute_to", json_integer(w->minute_to));
	for (int d = 1; d <= 7; d++) {
		if (w->weekday_exclude & (1u << d))
			json_array_append_new(excluded, json_integer(d));
	}
	json_object_set_new(o, "weekday_exclude", excluded);
	json_object_set_new(o, "open_start", json_boolean(w->open_start));
	json_object_set_new(o, "open_end", json_boolean(w->open_end));
	return o;
}

static json_t *triage_json(const struct nlu_triage *t)
{
	json_t *o = json_object();
	json_t *cues = json_array();

	json_object_set_new(o, "level", json_string(nlu_urgency_name(t->level)));
	json_object_set_new(o, "flag", json_string(nlu_flag_name(t->flag)));
	json_object_set_new(o, "dial", t->dial[0] ? json_string(t->dial) : json_null());
	for (size_t i = 0; i < t->cue_count; i++) {
		const struct nlu_cue *c = &t->cues[i];
		json_t *cue = json_object();

		json_object_set_new(cue, "text", json_string(c->text));
		json_object_set_new(cue, "rule", json_string(c->rule));
		json_object_set_new(cue, "counted", json_boolean(c->counted));
		json_object_set_new(cue, "negated", json_boolean(c->negated));
		json_object_set_new(cue, "history", json_boolean(c->history));
		json_object_set_new(cue, "resolved", json_boolean(c->resolved));
		json_object_set_new(cue, "chronic", json_boolean(c->chronic));
		json_object_set_new(cue, "third_person", json_boolean(c->third_person));
		json_array_append_new(cues, cue);
	}
	json_object_set_new(o, "cues", cues);
	return o;
}

static json_t *entities_json(const struct nlu_vocabulary *v, const struct nlu_entities *e,
			     const struct tz *tz)
{
	json_t *o = json_object();
	json_t *when = json_array();
	char date[16];

	for (size_t i = 0; i < e->when_count; i++)
		json_array_append_new(when, when_json(&e->when[i], tz));
	json_object_set_new(o, "when", when);
	if (e->practitioner >= 0 && (size_t)e->practitioner < v->practitioner_count) {
		const struct nlu_practitioner *p = &v->practitioners[e->practitioner];
		json_t *pj = json_object();
		char name[160];

		snprintf(name, sizeof(name), "Dr %s %s", p->first_name ? p->first_name : "",
			 p->last_name ? p->last_name : "");
		json_object_set_new(pj, "index", json_integer(e->practitioner));
		json_object_set_new(pj, "name", json_string(name));
		json_object_set_new(pj, "specialty", json_string(p->specialty ? p->specialty : ""));
		json_object_set_new(o, "practitioner", pj);
	} else {
		json_object_set_new(o, "practitioner", json_null());
	}
	json_object_set_new(o, "practitioner_any", json_boolean(e->practitioner_any));
	json_object_set_new(o, "specialty", e->specialty[0] ? json_string(e->specialty) : json_null());
	if (e->appointment_type >= 0 && (size_t)e->appointment_type < v->type_count)
		json_object_set_new(o, "appointment_type",
				    json_string(v->types[e->appointment_type].code));
	else
		json_object_set_new(o, "appointment_type", json_null());
	json_object_set_new(o, "patient", json_string(nlu_patient_name(e->patient)));
	json_object_set_new(o, "new_patient", json_boolean(e->new_patient));
	json_object_set_new(o, "reason", e->reason[0] ? json_string(e->reason) : json_null());
	json_object_set_new(o, "phone", e->phone[0] ? json_string(e->phone) : json_null());
	if (e->has_birth_date) {
		civil_date_format(&e->birth_date, date, sizeof(date));
		json_object_set_new(o, "birth_date", json_string(date));
	} else {
		json_object_set_new(o, "birth_date", json_null());
	}
	json_object_set_new(o, "last_name", e->last_name[0] ? json_string(e->last_name) : json_null());
	json_object_set_new(o, "first_name",
			    e->first_name[0] ? json_string(e->first_name) : json_null());
	json_object_set_new(o, "choice", json_integer(e->choice));
	json_object_set_new(o, "digits", e->digits[0] ? json_string(e->digits) : json_null());
	json_object_set_new(o, "language", json_string(e->language == NLU_LANG_EN ? "en" : "fr"));
	return o;
}

json_t *nlu_result_json(const struct nlu_vocabulary *vocabulary, const struct nlu_result *r,
			const struct tz *tz)
{
	json_t *o = json_object();

	json_object_set_new(o, "intent", json_string(nlu_intent_name(r->intent)));
	/* Two decimals: the score is a rule weight, not a measured probability. */
	json_object_set_new(o, "confidence", json_real(round((double)r->confidence * 100.0) / 100.0));
	json_object_set_new(o, "correction", json_boolean(r->correction));
	json_object_set_new(o, "urgency", triage_json(&r->triage));
	json_object_set_new(o, "entities", entities_json(vocabulary, &r->entities, tz));
	json_object_set_new(o, "normalized", json_string(r->normalized));
	return o;
}
