/*
 * Identifying the patient a request is for. The caller's number is checked first: a
 * number that matches one patient identifies them for cancelling, moving or checking,
 * and a family sharing a number is asked which person. Otherwise the last name (with
 * the number, when there is one) and then the date of birth narrow the search. Only the
 * identified patient's appointments are ever listed, so a caller never hears another
 * patient's details.
 */
#include <stdio.h>
#include <string.h>

#include "dialogue_priv.h"
#include "fold.h"
#include "tz.h"

int dialogue_age_years(const struct civil_date *birth, const struct tz *tz, int64_t now)
{
	struct civil_time today = tz_to_local(tz, now, NULL);
	int age = today.year - birth->year;

	if (today.month < birth->month || (today.month == birth->month && today.day < birth->day))
		age--;
	return age;
}

/* Children are seen with the paediatric type up to this age (years). */
#define DIALOGUE_CHILD_AGE_MAX 15

static bool same_name(const char *a, const char *b)
{
	char fa[128], fb[128];

	if (!a[0] || !b[0])
		return false;
	if (text_fold(a, fa, sizeof(fa)) < 0 || text_fold(b, fb, sizeof(fb)) < 0)
		return false;
	return strcmp(fa, fb) == 0;
}

/*
 * "DURAND" -> "Durand", "JEAN-PIERRE" -> "Jean-Pierre". NOTE: names come from the
 * language library as upper-case ASCII, so a new patient's accents are lost.
 */
static void title_case(char *name)
{
	bool start = true;

	for (char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 'A' && c <= 'Z' && !start)
			*p = (char)(c - 'A' + 'a');
		else if (c >= 'a' && c <= 'z' && start)
			*p = (char)(c - 'a' + 'A');
		start = c == ' ' || c == '-' || c == '\'';
	}
}

void dialogue_absorb_identity(struct dialogue *d, const struct nlu_result *r)
{
	struct dialogue_identity *id = &d->id;
	const struct nlu_entities *e = &r->entities;

	if (id->identified)
		return;
	if (e->patient != NLU_PATIENT_UNKNOWN)
		id->relation = e->patient;
	if (e->new_patient)
		id->new_hint = true;
	if (e->last_name[0]) {
		snprintf(id->last_name, sizeof(id->last_name), "%s", e->last_name);
		title_case(id->last_name);
		id->phone_name_done = false;
		id->name_birth_done = false;
	}
	if (e->first_name[0]) {
		snprintf(id->first_name, sizeof(id->first_name), "%s", e->first_name);
		title_case(id->first_name);
	}
	if (e->has_birth_date && civil_date_valid(e->birth_date.year, e->birth_date.month,
						  e->birth_date.day)) {
		id->has_birth = true;
		id->birth = e->birth_date;
		id->name_birth_done = false;
	}
}

static void identified(struct dialogue *d, const struct dialogue_patient *patient)
{
	struct dialogue_identity *id = &d->id;
	struct civil_date birth;

	id->patient = *patient;
	id->identified = true;
	id->candidate_count = 0;
	id->is_child = false;
	if (civil_date_parse(patient->birth_date, &birth) == 0)
		id->is_child = dialogue_age_years(&birth, d->tz, d->now) <= DIALOGUE_CHILD_AGE_MAX;
	else if (id->relation == NLU_PATIENT_CHILD)
		id->is_child = true;
}

/* Identified by the details given: a new patient, or an unknown one for a task. */
static void identified_as_given(struct dialogue *d)
{
	struct dialogue_patient patient = {0};

	snprintf(patient.last_name, sizeof(patient.last_name), "%s", d->id.last_name);
	snprintf(patient.first_name, sizeof(patient.first_name), "%s", d->id.first_name);
	if (d->id.has_birth)
		civil_date_format(&d->id.birth, patient.birth_date, sizeof(patient.birth_date));
	identified(d, &patient);
}

static void lookup(struct dialogue *d, struct dialogue_actions *out, enum dialogue_lookup kind)
{
	struct dialogue_action *a = dialogue_request(d, out, DIALOGUE_ACTION_FIND_PATIENT);
	struct dialogue_patient_details *f = &a->find;

	d->lookup = kind;
	if (kind != DIALOGUE_LOOKUP_NAME_BIRTH)
		snprintf(f->phone, sizeof(f->phone), "%s", d->caller_number);
	if (kind != DIALOGUE_LOOKUP_PHONE)
		snprintf(f->last_name, sizeof(f->last_name), "%s", d->id.last_name);
	if (kind == DIALOGUE_LOOKUP_NAME_BIRTH)
		civil_date_format(&d->id.birth, f->birth_date, sizeof(f->birth_date));
}

static bool is_manage(const struct dialogue *d)
{
	return d->goal == DIALOGUE_GOAL_CANCEL || d->goal == DIALOGUE_GOAL_MOVE ||
	       d->goal == DIALOGUE_GOAL_CHECK;
}

/*
 * A booking chosen on the keypad: the caller cannot type a name, so the patients of the
 * caller's number are offered by key, with 9 for someone else.
 */
static bool keypad_booking(const struct dialogue *d)
{
	return d->id.keypad && (d->goal == DIALOGUE_GOAL_BOOK || d->goal == DIALOGUE_GOAL_URGENT);
}

/* Keep the candidates that match a detail, unless none does. */
static void narrow_by_first_name(struct dialogue_identity *id)
{
	size_t kept = 0;

	for (size_t i = 0; i < id->candidate_count; i++) {
		if (same_name(id->candidates[i].first_name, id->first_name))
			id->candidates[kept++] = id->candidates[i];
	}
	if (kept > 0)
		id->candidate_count = kept;
}

static void narrow_by_birth(struct dialogue_identity *id)
{
	char birth[11];
	size_t kept = 0;

	civil_date_format(&id->birth, birth, sizeof(birth));
	for (size_t i = 0; i < id->candidate_count; i++) {
		if (strcmp(id->candidates[i].birth_date, birth) == 0)
			id->candidates[kept++] = id->candidates[i];
	}
	id->candidate_count = kept;
}

static void forget_name(struct dialogue_identity *id)
{
	id->last_name[0] = '\0';
	id->first_name[0] = '\0';
	id->phone_name_done = false;
	id->name_birth_done = false;
	id->candidate_count = 0;
}

static void not_found(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_identity *id = &d->id;

	if (id->lenient || d->goal == DIALOGUE_GOAL_CALLBACK) {
		identified_as_given(d);
		dialogue_advance(d, out);
		return;
	}
	if (d->goal == DIALOGUE_GOAL_BOOK || d->goal == DIALOGUE_GOAL_URGENT) {
		if (id->new_hint) {
			id->new_patient = true;
			if (!id->first_name[0]) {
				dialogue_ask(d, out, DIALOGUE_STATE_ASK_FIRST_NAME);
				return;
			}
			identified_as_given(d);
			dialogue_advance(d, out);
			return;
		}
		id->new_asked = true;
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_NEW);
		return;
	}
	id->misses++;
	if (id->misses >= 2) {
		dialogue_say(d, out, "identity.not_found.final", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	dialogue_say(d, out, "identity.not_found", NULL, 0);
	forget_name(id);
	dialogue_ask(d, out, DIALOGUE_STATE_ASK_NAME);
}

bool dialogue_identify(struct dialogue *d, struct dialogue_actions *out)
{
	struct dialogue_identity *id = &d->id;
	bool phone = d->caller_number[0] && !id->other_person;
	bool self = id->relation == NLU_PATIENT_SELF || id->relation == NLU_PATIENT_UNKNOWN;

	if (id->identified)
		return true;
	if ((is_manage(d) || keypad_booking(d)) && self && phone && !id->phone_done &&
	    !id->last_name[0]) {
		lookup(d, out, DIALOGUE_LOOKUP_PHONE);
		return false;
	}
	if (!id->last_name[0]) {
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_NAME);
		return false;
	}
	if (d->goal == DIALOGUE_GOAL_CALLBACK) {
		identified_as_given(d);
		return true;
	}
	if (phone && !id->phone_name_done) {
		lookup(d, out, DIALOGUE_LOOKUP_PHONE_NAME);
		return false;
	}
	if (!id->has_birth) {
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_BIRTH);
		return false;
	}
	if (!id->name_birth_done) {
		lookup(d, out, DIALOGUE_LOOKUP_NAME_BIRTH);
		return false;
	}
	not_found(d, out);
	return false;
}

void dialogue_on_patients(struct dialogue *d, const struct dialogue_event *ev,
			  struct dialogue_actions *out)
{
	struct dialogue_identity *id = &d->id;
	size_t count = ev->patient_count;

	if (ev->error) {
		dialogue_say(d, out, "search.failed", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	if (count > DIALOGUE_MAX_PATIENTS)
		count = DIALOGUE_MAX_PATIENTS;
	id->candidate_count = count;
	if (count)
		memcpy(id->candidates, ev->patients, count * sizeof(*ev->patients));

	switch (d->lookup) {
	case DIALOGUE_LOOKUP_PHONE:
		id->phone_done = true;
		if (keypad_booking(d) && id->candidate_count > 0) {
			/* Even one: the caller may be booking for someone else. */
			dialogue_ask(d, out, DIALOGUE_STATE_ASK_WHICH);
			return;
		}
		break;
	case DIALOGUE_LOOKUP_PHONE_NAME:
		id->phone_name_done = true;
		if (id->first_name[0])
			narrow_by_first_name(id);
		if (id->has_birth && id->candidate_count > 1)
			narrow_by_birth(id);
		if (id->candidate_count > 1 && !id->has_birth) {
			dialogue_ask(d, out, DIALOGUE_STATE_ASK_BIRTH);
			return;
		}
		break;
	case DIALOGUE_LOOKUP_NAME_BIRTH:
		id->name_birth_done = true;
		if (id->first_name[0])
			narrow_by_first_name(id);
		if (id->candidate_count == 0) {
			not_found(d, out);
			return;
		}
		break;
	}
	if (id->candidate_count == 1) {
		identified(d, &id->candidates[0]);
		dialogue_advance(d, out);
	} else if (id->candidate_count > 1) {
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_WHICH);
	} else {
		dialogue_advance(d, out);
	}
}

void dialogue_on_name(struct dialogue *d, const struct nlu_result *r, const char *text,
		      struct dialogue_actions *out)
{
	const struct nlu_entities *e = &r->entities;

	if (!e->last_name[0] && !e->first_name[0]) {
		dialogue_not_understood(d, out);
		return;
	}
	dialogue_absorb_identity(d, r);
	if (!e->last_name[0]) {
		/* One name only: heard as a first name, taken as the last name it answers. */
		snprintf(d->id.last_name, sizeof(d->id.last_name), "%s", e->first_name);
		title_case(d->id.last_name);
		d->id.first_name[0] = '\0';
		d->id.phone_name_done = false;
		d->id.name_birth_done = false;
	}
	d->id.candidate_count = 0;
	dialogue_advance(d, out);
}

void dialogue_on_first_name(struct dialogue *d, const struct nlu_result *r, const char *text,
			    struct dialogue_actions *out)
{
	const struct nlu_entities *e = &r->entities;
	const char *name = e->first_name[0] ? e->first_name : e->last_name;

	if (!name[0]) {
		dialogue_not_understood(d, out);
		return;
	}
	snprintf(d->id.first_name, sizeof(d->id.first_name), "%s", name);
	title_case(d->id.first_name);
	if (d->id.new_patient)
		identified_as_given(d);
	dialogue_advance(d, out);
}

void dialogue_on_birth(struct dialogue *d, const struct nlu_result *r,
		       struct dialogue_actions *out)
{
	struct dialogue_identity *id = &d->id;
	const struct nlu_entities *e = &r->entities;
	struct civil_time today = tz_to_local(d->tz, d->now, NULL);
	const struct civil_date *b = &e->birth_date;

	if (!e->has_birth_date || !civil_date_valid(b->year, b->month, b->day) || b->year < 1900 ||
	    civil_days_from_date(b->year, b->month, b->day) >
		    civil_days_from_date(today.year, today.month, today.day)) {
		dialogue_not_understood(d, out);
		return;
	}
	id->has_birth = true;
	id->birth = *b;
	id->name_birth_done = false;
	if (id->candidate_count > 1) {
		/* A family sharing the number and the last name. */
		narrow_by_birth(id);
		if (id->candidate_count == 1) {
			identified(d, &id->candidates[0]);
		} else if (id->candidate_count > 1) {
			dialogue_ask(d, out, DIALOGUE_STATE_ASK_WHICH);
			return;
		}
	}
	dialogue_advance(d, out);
}

void dialogue_on_which(struct dialogue *d, const struct nlu_result *r, const char *text,
		       struct dialogue_actions *out)
{
	struct dialogue_identity *id = &d->id;
	const struct nlu_entities *e = &r->entities;
	int match = -1;

	if (e->choice >= 1 && (size_t)e->choice <= d->choice_count) {
		match = d->choice_map[e->choice - 1];
	} else {
		for (size_t i = 0; i < id->candidate_count; i++) {
			const struct dialogue_patient *c = &id->candidates[i];

			if (same_name(c->first_name, e->first_name) ||
			    same_name(c->first_name, e->last_name)) {
				if (match >= 0) {
					match = -2;
					break;
				}
				match = (int)i;
			}
		}
		/* A family name alone picks the one person on the number who bears it. */
		for (size_t i = 0; match == -1 && e->last_name[0] && !e->first_name[0] &&
				   i < id->candidate_count; i++) {
			if (!same_name(id->candidates[i].last_name, e->last_name))
				continue;
			for (size_t j = i + 1; j < id->candidate_count; j++) {
				if (same_name(id->candidates[j].last_name, e->last_name))
					match = -2;
			}
			if (match == -1)
				match = (int)i;
		}
	}
	if (match >= 0 && (size_t)match < id->candidate_count) {
		/* Who among a family is calling is not known: name the patient, not "you". */
		if (keypad_booking(d) && id->candidate_count > 1 &&
		    id->relation == NLU_PATIENT_UNKNOWN)
			id->relation = NLU_PATIENT_OTHER;
		identified(d, &id->candidates[match]);
		dialogue_advance(d, out);
		return;
	}
	if (r->intent == NLU_INTENT_NO) {
		/* Someone whose record is not under this number. */
		id->other_person = true;
		if (id->relation == NLU_PATIENT_SELF || id->relation == NLU_PATIENT_UNKNOWN)
			id->relation = NLU_PATIENT_OTHER;
		forget_name(id);
		id->has_birth = false;
		dialogue_advance(d, out);
		return;
	}
	dialogue_not_understood(d, out);
}

void dialogue_on_new_patient(struct dialogue *d, const struct nlu_result *r,
			     struct dialogue_actions *out)
{
	struct dialogue_identity *id = &d->id;

	if (r->intent == NLU_INTENT_YES) {
		id->new_patient = true;
		if (!id->first_name[0]) {
			dialogue_ask(d, out, DIALOGUE_STATE_ASK_FIRST_NAME);
			return;
		}
		identified_as_given(d);
		dialogue_advance(d, out);
		return;
	}
	if (r->intent != NLU_INTENT_NO) {
		dialogue_not_understood(d, out);
		return;
	}
	id->misses++;
	if (id->misses >= 2) {
		dialogue_say(d, out, "identity.not_found.final", NULL, 0);
		dialogue_handoff(d, out, false);
		return;
	}
	/* The name was probably misheard: ask it again, spelled. */
	forget_name(id);
	dialogue_ask(d, out, DIALOGUE_STATE_ASK_NAME);
}
