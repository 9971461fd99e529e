#include "agenda.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "fold.h"
#include "log.h"

#define SEARCH_CHUNK_DAYS 7

struct agenda {
	struct store *st;
	struct tz *tz;
	struct store_practice practice;
	struct sched_rules rules;

	struct store_practitioner *practitioners;
	size_t practitioner_count;
	struct sched_practitioner *sched_practitioners;
	struct sched_window *windows;   /* all practitioners' windows, grouped */
	struct sched_window *reserves;

	struct store_appointment_type *types;
	size_t type_count;
	struct sched_type *sched_types;

	int64_t *extra_holidays;
	struct sched_closure *closures;
};

static void free_rules(struct agenda *a)
{
	tz_close(a->tz);
	free(a->practitioners);
	free(a->sched_practitioners);
	free(a->windows);
	free(a->reserves);
	free(a->types);
	free(a->sched_types);
	free(a->extra_holidays);
	free(a->closures);
	a->tz = NULL;
	a->practitioners = NULL;
	a->sched_practitioners = NULL;
	a->windows = NULL;
	a->reserves = NULL;
	a->types = NULL;
	a->sched_types = NULL;
	a->extra_holidays = NULL;
	a->closures = NULL;
	memset(&a->rules, 0, sizeof(a->rules));
}

int agenda_practitioner_index(const struct agenda *a, int64_t id)
{
	for (size_t i = 0; i < a->practitioner_count; i++) {
		if (a->practitioners[i].id == id)
			return (int)i;
	}
	return -1;
}

int agenda_type_index(const struct agenda *a, int64_t id)
{
	for (size_t i = 0; i < a->type_count; i++) {
		if (a->types[i].id == id)
			return (int)i;
	}
	return -1;
}

static int64_t parse_day_or(const char *text, int64_t fallback)
{
	struct civil_date d;

	if (!text[0] || civil_date_parse(text, &d) != 0)
		return fallback;
	return civil_days_from_date(d.year, d.month, d.day);
}

/* Group the openings and reserves by practitioner index. */
static int load_windows(struct agenda *a, char *message, size_t size)
{
	struct store_opening *openings = NULL;
	struct store_urgent_reserve *reserves = NULL;
	size_t opening_count = 0, reserve_count = 0, w = 0, r = 0;
	int err;

	err = store_openings_list(a->st, &openings, &opening_count);
	if (!err)
		err = store_urgent_reserves_list(a->st, &reserves, &reserve_count);
	if (err) {
		snprintf(message, size, "%s", store_errmsg(a->st));
		goto out;
	}
	a->windows = calloc(opening_count + 1, sizeof(*a->windows));
	a->reserves = calloc(reserve_count + 1, sizeof(*a->reserves));
	if (!a->windows || !a->reserves) {
		err = ENOMEM;
		goto out;
	}
	for (size_t p = 0; p < a->practitioner_count; p++) {
		struct sched_practitioner *sp = &a->sched_practitioners[p];

		sp->windows = &a->windows[w];
		for (size_t i = 0; i < opening_count; i++) {
			const struct store_opening *o = &openings[i];

			if (o->practitioner_id != a->practitioners[p].id)
				continue;
			a->windows[w++] = (struct sched_window){
				o->weekday, o->start_min, o->end_min,
				parse_day_or(o->valid_from, INT64_MIN),
				parse_day_or(o->valid_until, INT64_MAX)};
			sp->window_count++;
		}
		sp->reserves = &a->reserves[r];
		for (size_t i = 0; i < reserve_count; i++) {
			if (reserves[i].practitioner_id != a->practitioners[p].id)
				continue;
			a->reserves[r++] = (struct sched_window){reserves[i].weekday,
								 reserves[i].start_min,
								 reserves[i].end_min, INT64_MIN,
								 INT64_MAX};
			sp->reserve_count++;
		}
	}
out:
	free(openings);
	free(reserves);
	return err;
}

static int load_types(struct agenda *a, char *message, size_t size)
{
	struct store_type_restriction *restrictions = NULL;
	size_t restriction_count = 0;
	int err;

	err = store_types_list(a->st, &a->types, &a->type_count);
	if (!err)
		err = store_type_restrictions_list(a->st, &restrictions, &restriction_count);
	if (err) {
		snprintf(message, size, "%s", store_errmsg(a->st));
		goto out;
	}
	if (a->type_count > SCHED_MAX_TYPES) {
		snprintf(message, size, "too many appointment types (%zu, at most %d)",
			 a->type_count, SCHED_MAX_TYPES);
		err = EINVAL;
		goto out;
	}
	a->sched_types = calloc(a->type_count + 1, sizeof(*a->sched_types));
	if (!a->sched_types) {
		err = ENOMEM;
		goto out;
	}
	for (size_t t = 0; t < a->type_count; t++) {
		struct sched_type *st = &a->sched_types[t];

		st->id = a->types[t].id;
		st->duration_min = a->types[t].duration_min;
		st->new_patient_allowed = a->types[t].new_patient_allowed;
		st->active = a->types[t].active;
		for (size_t i = 0; i < restriction_count; i++) {
			int p = agenda_practitioner_index(a, restrictions[i].practitioner_id);

			if (restrictions[i].type_id == st->id && p >= 0)
				st->practitioner_mask |= (uint64_t)1 << p;
		}
	}
out:
	free(restrictions);
	return err;
}

static int load_closures(struct agenda *a, char *message, size_t size)
{
	struct store_public_holiday *holidays = NULL;
	struct store_absence *absences = NULL;
	size_t holiday_count = 0, absence_count = 0;
	int err;

	err = store_public_holidays_list(a->st, &holidays, &holiday_count);
	if (!err)
		err = store_absences_list(a->st, INT64_MIN, INT64_MAX, &absences, &absence_count);
	if (err) {
		snprintf(message, size, "%s", store_errmsg(a->st));
		goto out;
	}
	a->extra_holidays = calloc(holiday_count + 1, sizeof(*a->extra_holidays));
	a->closures = calloc(absence_count + 1, sizeof(*a->closures));
	if (!a->extra_holidays || !a->closures) {
		err = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < holiday_count; i++) {
		a->extra_holidays[i] = parse_day_or(holidays[i].day, INT64_MIN);
		if (a->extra_holidays[i] == INT64_MIN) {
			snprintf(message, size, "invalid public holiday date '%s' (expected YYYY-MM-DD)",
				 holidays[i].day);
			err = EINVAL;
			goto out;
		}
	}
	for (size_t i = 0; i < absence_count; i++) {
		a->closures[i].practitioner =
			absences[i].practitioner_id ? agenda_practitioner_index(a, absences[i].practitioner_id)
						    : -1;
		a->closures[i].start = absences[i].start_utc;
		a->closures[i].end = absences[i].end_utc;
	}
	a->rules.extra_holiday_count = holiday_count;
	a->rules.extra_holidays = a->extra_holidays;
	a->rules.closure_count = absence_count;
	a->rules.closures = a->closures;
out:
	free(holidays);
	free(absences);
	return err;
}

/* Fill `reason` (may be NULL) with one sentence per language. */
static void explain(struct agenda_reason *reason, const char *fr, const char *en)
{
	if (!reason)
		return;
	snprintf(reason->fr, sizeof(reason->fr), "%s", fr);
	snprintf(reason->en, sizeof(reason->en), "%s", en);
}

/* Explain a rule issue, naming the practitioner or type concerned. */
static void explain_issue(const struct agenda *a, const struct sched_issue *issue,
			  struct agenda_reason *reason)
{
	char who_fr[160] = "", who_en[160] = "";

	if (!reason)
		return;
	if (issue->kind == SCHED_ISSUE_TYPE_DURATION && issue->type < a->type_count) {
		const struct store_appointment_type *t = &a->types[issue->type];

		snprintf(who_fr, sizeof(who_fr), "« %s »", t->label_fr[0] ? t->label_fr : t->code);
		snprintf(who_en, sizeof(who_en), "\"%s\"", t->label_en[0] ? t->label_en : t->code);
	} else if (issue->practitioner < a->practitioner_count) {
		agenda_practitioner_name(a, (int)issue->practitioner, who_fr, sizeof(who_fr));
		snprintf(who_en, sizeof(who_en), "%s", who_fr);
	}
	sched_issue_describe(issue, "fr", who_fr[0] ? who_fr : NULL, reason->fr,
			     sizeof(reason->fr));
	sched_issue_describe(issue, "en", who_en[0] ? who_en : NULL, reason->en,
			     sizeof(reason->en));
}

static int load_rules(struct agenda *a, char *message, size_t size, struct agenda_reason *reason)
{
	struct sched_issue issue;
	const char *bad = NULL;
	int err;

	message[0] = '\0';
	err = store_practice_get(a->st, &a->practice);
	if (err == ENOENT) {
		snprintf(message, size, "the database holds no practice: run 'permanence init'");
		return ENOENT;
	}
	if (err) {
		snprintf(message, size, "%s", store_errmsg(a->st));
		return err;
	}
	if (tz_open(&a->tz, a->practice.timezone) != 0) {
		char fr[300];

		snprintf(message, size, "invalid time zone '%s': use an IANA zone such as Europe/Paris",
			 a->practice.timezone);
		snprintf(fr, sizeof(fr),
			 "Fuseau horaire inconnu « %s » : indiquez un fuseau IANA, par exemple"
			 " Europe/Paris ou America/Martinique.",
			 a->practice.timezone);
		explain(reason, fr, message);
		return EINVAL;
	}
	a->rules.tz = a->tz;
	a->rules.slot_step_min = a->practice.slot_step_min;
	a->rules.min_notice_min = a->practice.min_notice_min;
	a->rules.urgent_release_min = a->practice.urgent_release_min;
	a->rules.horizon_days = a->practice.booking_horizon_days;
	if (sched_regions_parse(a->practice.holiday_regions, &a->rules.holiday_regions, &bad) != 0) {
		char fr[300];

		snprintf(message, size,
			 "unknown holiday region in '%s': use alsace-moselle, guadeloupe, martinique,"
			 " guyane, reunion, mayotte, saint-martin or saint-barthelemy",
			 a->practice.holiday_regions);
		snprintf(fr, sizeof(fr),
			 "Région de jours fériés inconnue dans « %s » : alsace-moselle, guadeloupe,"
			 " martinique, guyane, reunion, mayotte, saint-martin ou saint-barthelemy.",
			 a->practice.holiday_regions);
		explain(reason, fr, message);
		return EINVAL;
	}

	err = store_practitioners_list(a->st, &a->practitioners, &a->practitioner_count);
	if (err) {
		snprintf(message, size, "%s", store_errmsg(a->st));
		return err;
	}
	if (a->practitioner_count > SCHED_MAX_PRACTITIONERS) {
		snprintf(message, size, "too many practitioners (%zu, at most %d)",
			 a->practitioner_count, SCHED_MAX_PRACTITIONERS);
		return EINVAL;
	}
	a->sched_practitioners = calloc(a->practitioner_count + 1, sizeof(*a->sched_practitioners));
	if (!a->sched_practitioners)
		return ENOMEM;
	for (size_t p = 0; p < a->practitioner_count; p++) {
		a->sched_practitioners[p].id = a->practitioners[p].id;
		a->sched_practitioners[p].active = a->practitioners[p].active;
	}
	a->rules.practitioner_count = a->practitioner_count;
	a->rules.practitioners = a->sched_practitioners;

	err = load_windows(a, message, size);
	if (!err)
		err = load_types(a, message, size);
	if (!err)
		err = load_closures(a, message, size);
	if (err)
		return err;
	a->rules.type_count = a->type_count;
	a->rules.types = a->sched_types;
	err = sched_rules_check(&a->rules, &issue);
	if (err) {
		sched_issue_describe(&issue, "en", NULL, message, size);
		explain_issue(a, &issue, reason);
	}
	return err;
}

int agenda_open(struct agenda **agendap, struct store *st, char *message, size_t size)
{
	struct agenda *a = calloc(1, sizeof(*a));
	int err;

	*agendap = NULL;
	if (!a)
		return ENOMEM;
	a->st = st;
	err = load_rules(a, message, size, NULL);
	if (err) {
		agenda_close(a);
		return err;
	}
	*agendap = a;
	return 0;
}

void agenda_close(struct agenda *agenda)
{
	if (!agenda)
		return;
	free_rules(agenda);
	free(agenda);
}

int agenda_reload(struct agenda *agenda, char *message, size_t size)
{
	free_rules(agenda);
	return load_rules(agenda, message, size, NULL);
}

int agenda_check(struct store *st, struct agenda_reason *reason)
{
	struct agenda *a = calloc(1, sizeof(*a));
	char message[300];
	int err;

	reason->fr[0] = reason->en[0] = '\0';
	if (!a)
		return ENOMEM;
	a->st = st;
	err = load_rules(a, message, sizeof(message), reason);
	if (err && !reason->en[0]) {
		/* A refusal without its own sentence: the English message, introduced in French. */
		char fr[sizeof(reason->fr)];

		snprintf(fr, sizeof(fr), "Réglages incohérents (%s).", message);
		explain(reason, fr, message);
	}
	agenda_close(a);
	return err;
}

struct store *agenda_store(const struct agenda *agenda)
{
	return agenda->st;
}

const struct sched_rules *agenda_rules(const struct agenda *agenda)
{
	return &agenda->rules;
}

const struct store_practice *agenda_practice(const struct agenda *agenda)
{
	return &agenda->practice;
}

const struct tz *agenda_tz(const struct agenda *agenda)
{
	return agenda->tz;
}

size_t agenda_practitioner_count(const struct agenda *agenda)
{
	return agenda->practitioner_count;
}

const struct store_practitioner *agenda_practitioner(const struct agenda *agenda, int index)
{
	if (index < 0 || (size_t)index >= agenda->practitioner_count)
		return NULL;
	return &agenda->practitioners[index];
}

void agenda_practitioner_name(const struct agenda *agenda, int index, char *buf, size_t size)
{
	const struct store_practitioner *p = agenda_practitioner(agenda, index);

	if (!p) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%s%s%s %s", p->title, p->title[0] ? " " : "", p->first_name,
		 p->last_name);
}

/* Drop a leading title word ("dr", "docteur", "doctor", "le", "la") from folded text. */
static const char *skip_titles(const char *text)
{
	static const char *const titles[] = {"le ", "la ", "docteur ", "doctor ", "dr. ", "dr ",
					     "dr.", "pr ", "professeur "};
	bool again = true;

	while (again) {
		again = false;
		while (*text == ' ')
			text++;
		for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
			size_t len = strlen(titles[i]);

			if (strncmp(text, titles[i], len) == 0) {
				text += len;
				again = true;
			}
		}
	}
	return text;
}

int agenda_practitioner_find(const struct agenda *agenda, const char *name)
{
	char wanted[160], last[160], full[200], reversed[200];
	const char *key;
	int found = -1;

	if (text_fold(name, wanted, sizeof(wanted)) < 0)
		return -1;
	key = skip_titles(wanted);
	if (!key[0])
		return -1;
	for (size_t i = 0; i < agenda->practitioner_count; i++) {
		const struct store_practitioner *p = &agenda->practitioners[i];
		char raw[160];

		snprintf(raw, sizeof(raw), "%s", p->last_name);
		if (text_fold(raw, last, sizeof(last)) < 0)
			continue;
		snprintf(raw, sizeof(raw), "%s %s", p->first_name, p->last_name);
		if (text_fold(raw, full, sizeof(full)) < 0)
			continue;
		snprintf(raw, sizeof(raw), "%s %s", p->last_name, p->first_name);
		if (text_fold(raw, reversed, sizeof(reversed)) < 0)
			continue;
		if (strcmp(key, last) == 0 || strcmp(key, full) == 0 || strcmp(key, reversed) == 0) {
			if (found >= 0)
				return -1;
			found = (int)i;
		}
	}
	return found;
}

size_t agenda_type_count(const struct agenda *agenda)
{
	return agenda->type_count;
}

const struct store_appointment_type *agenda_type(const struct agenda *agenda, int index)
{
	if (index < 0 || (size_t)index >= agenda->type_count)
		return NULL;
	return &agenda->types[index];
}

int agenda_type_find(const struct agenda *agenda, const char *code)
{
	for (size_t i = 0; i < agenda->type_count; i++) {
		if (strcmp(agenda->types[i].code, code) == 0)
			return (int)i;
	}
	return -1;
}

/* ---- Booked intervals ---- */

struct busy_set {
	struct sched_busy *items;
	size_t count;
};

/* Load the booked intervals overlapping [from, to) into an agenda view. */
static int load_busy(struct agenda *a, int64_t from, int64_t to, int only_practitioner,
		     struct sched_agenda *view, struct busy_set *set)
{
	struct store_appointment *list = NULL;
	size_t count = 0;
	int64_t practitioner_id = only_practitioner >= 0 ? a->practitioners[only_practitioner].id : 0;
	int err;

	memset(view, 0, sizeof(*view));
	memset(set, 0, sizeof(*set));
	view->rules = &a->rules;
	view->from = from;
	view->to = to;
	/* A day on each side catches appointments that overlap the range's edges. */
	err = store_appointments_range(a->st, from - 86400, to + 86400, practitioner_id, &list,
				       &count);
	if (err)
		return err;
	set->items = calloc(count + 1, sizeof(*set->items));
	if (!set->items) {
		free(list);
		return ENOMEM;
	}
	/* The store returns rows ordered by practitioner, then start. */
	for (size_t i = 0; i < count; i++) {
		int p = agenda_practitioner_index(a, list[i].practitioner_id);

		if (p < 0)
			continue;
		if (view->busy_count[p] == 0)
			view->busy[p] = &set->items[set->count];
		set->items[set->count++] =
			(struct sched_busy){list[i].start_utc, list[i].end_utc, list[i].id};
		view->busy_count[p]++;
	}
	free(list);
	return 0;
}

int agenda_search(struct agenda *a, const struct sched_query *query, struct sched_slot *slots,
		  size_t *count, enum sched_verdict *verdict)
{
	int64_t chunk_from = query->from;

	*count = 0;
	if (query->max_results == 0 || query->max_results > SCHED_MAX_RESULTS)
		return EINVAL;
	while (chunk_from < query->to && *count < query->max_results) {
		int64_t day = tz_day_of(a->tz, chunk_from);
		int64_t chunk_to = tz_day_start(a->tz, day + SEARCH_CHUNK_DAYS);
		struct sched_query chunk = *query;
		struct sched_agenda view;
		struct busy_set set;
		size_t found = 0;
		int err;

		if (chunk_to > query->to)
			chunk_to = query->to;
		chunk.from = chunk_from;
		chunk.to = chunk_to;
		chunk.max_results = query->max_results - *count;
		err = load_busy(a, chunk_from, chunk_to, query->practitioner, &view, &set);
		if (err)
			return err;
		err = sched_search(&view, &chunk, slots + *count, &found, verdict);
		free(set.items);
		if (err)
			return err;
		*count += found;
		chunk_from = chunk_to;
	}
	return 0;
}

/* ---- Patients ---- */

int agenda_patients_find(struct agenda *a, const struct agenda_patient *details,
			 struct store_patient **list, size_t *count)
{
	struct store_patient *found = NULL;
	size_t found_count = 0, kept = 0;
	char wanted[128], folded[128];
	int err;

	*list = NULL;
	*count = 0;
	if (details->last_name[0] && details->birth_date[0])
		return store_patients_find_by_name(a->st, details->last_name, details->birth_date,
						   list, count);
	if (!details->phone[0])
		return 0;
	err = store_patients_find_by_phone(a->st, details->phone, &found, &found_count);
	if (err)
		return err;
	if (!details->last_name[0]) {
		*list = found;
		*count = found_count;
		return 0;
	}
	/* Several people of a family often share one number: keep those with the name. */
	if (text_fold(details->last_name, wanted, sizeof(wanted)) < 0) {
		free(found);
		return EINVAL;
	}
	for (size_t i = 0; i < found_count; i++) {
		if (text_fold(found[i].last_name, folded, sizeof(folded)) >= 0 &&
		    strcmp(folded, wanted) == 0)
			found[kept++] = found[i];
	}
	*list = found;
	*count = kept;
	return 0;
}

/* Find the patient of a booking, or create them; sets *new_patient. */
static int resolve_patient(struct agenda *a, const struct agenda_patient *details, int64_t now,
			   int64_t *patient_id, bool *new_patient)
{
	struct store_patient *list = NULL;
	size_t count = 0;
	bool known = false;
	int err;

	*patient_id = details->id;
	if (!*patient_id) {
		err = agenda_patients_find(a, details, &list, &count);
		if (err)
			return err;
		if (count > 0)
			*patient_id = list[0].id;
		free(list);
	}
	if (!*patient_id) {
		struct store_patient p = {0};

		if (!details->last_name[0])
			return EINVAL;
		snprintf(p.last_name, sizeof(p.last_name), "%s", details->last_name);
		snprintf(p.first_name, sizeof(p.first_name), "%s", details->first_name);
		snprintf(p.birth_date, sizeof(p.birth_date), "%s", details->birth_date);
		snprintf(p.phone, sizeof(p.phone), "%s", details->phone);
		p.created_utc = now;
		err = store_patient_add(a->st, &p);
		if (err)
			return err;
		*patient_id = p.id;
		*new_patient = true;
		return 0;
	}
	err = store_patient_is_known(a->st, *patient_id, now, &known);
	if (err)
		return err;
	*new_patient = !known;
	return 0;
}

/* ---- Changes ---- */

static int record_event(struct agenda *a, int64_t appointment_id, const char *action,
			const char *actor, const char *detail, int64_t now)
{
	struct store_appointment_event event = {0};

	event.appointment_id = appointment_id;
	event.at_utc = now;
	snprintf(event.action, sizeof(event.action), "%s", action);
	snprintf(event.actor, sizeof(event.actor), "%s", actor ? actor : "");
	snprintf(event.detail, sizeof(event.detail), "%s", detail ? detail : "");
	return store_appointment_event_add(a->st, &event);
}

/*
 * Return the first result of a retried request. Returns 0 and sets *found when the key
 * was seen; EEXIST when it was used for another operation.
 */
static int replay_key(struct agenda *a, const char *key, const char *operation,
		      struct agenda_outcome *outcome, bool *found)
{
	char seen_operation[16];
	int64_t appointment_id = 0;
	int err;

	*found = false;
	if (!key || !key[0])
		return 0;
	err = store_idempotency_get(a->st, key, seen_operation, sizeof(seen_operation),
				    &appointment_id);
	if (err == ENOENT)
		return 0;
	if (err)
		return err;
	if (strcmp(seen_operation, operation) != 0)
		return EEXIST;
	err = store_appointment_get(a->st, appointment_id, &outcome->appointment);
	if (err)
		return err;
	outcome->verdict = SCHED_OK;
	outcome->replayed = true;
	*found = true;
	return 0;
}

/* Check a slot inside the open transaction against the store's current state. */
static int check_slot(struct agenda *a, const struct sched_request *request, int duration_min,
		      enum sched_verdict *verdict)
{
	struct sched_agenda view;
	struct busy_set set;
	int64_t end = request->start + (int64_t)duration_min * 60;
	int err;

	err = load_busy(a, request->start, end, request->practitioner, &view, &set);
	if (err)
		return err;
	*verdict = sched_check(&view, request);
	free(set.items);
	return 0;
}

static void log_failure(const char *what, const char *call_id, int err, struct agenda *a)
{
	log_err("agenda", call_id, "%s failed: %s (%s)", what, strerror(err), store_errmsg(a->st));
}

int agenda_book(struct agenda *a, const struct agenda_booking *b, struct agenda_outcome *outcome)
{
	struct sched_request request = {0};
	struct store_appointment *appt = &outcome->appointment;
	const struct store_appointment_type *type = agenda_type(a, b->type);
	int64_t patient_id = 0;
	bool replayed = false;
	int err;

	memset(outcome, 0, sizeof(*outcome));
	if (!type || !agenda_practitioner(a, b->practitioner))
		return EINVAL;
	if (!b->patient.id && !b->patient.last_name[0] && !b->patient.phone[0])
		return EINVAL;

	err = store_begin(a->st, true);
	if (err)
		return err;
	err = replay_key(a, b->idempotency_key, "book", outcome, &replayed);
	if (err || replayed)
		goto out;
	err = resolve_patient(a, &b->patient, b->now, &patient_id, &outcome->new_patient);
	if (err)
		goto out;

	request.type = b->type;
	request.practitioner = b->practitioner;
	request.start = b->start;
	request.now = b->now;
	request.urgent = b->urgent;
	request.new_patient = outcome->new_patient;
	err = check_slot(a, &request, type->duration_min, &outcome->verdict);
	if (err || outcome->verdict != SCHED_OK)
		goto out;

	appt->practitioner_id = a->practitioners[b->practitioner].id;
	appt->type_id = type->id;
	appt->patient_id = patient_id;
	appt->start_utc = b->start;
	appt->end_utc = b->start + (int64_t)type->duration_min * 60;
	appt->status = STORE_APPOINTMENT_BOOKED;
	appt->urgent = b->urgent;
	snprintf(appt->reason, sizeof(appt->reason), "%s", b->reason ? b->reason : "");
	snprintf(appt->source, sizeof(appt->source), "%s", b->source ? b->source : "cli");
	snprintf(appt->call_id, sizeof(appt->call_id), "%s", b->call_id ? b->call_id : "");
	appt->created_utc = b->now;
	appt->updated_utc = b->now;
	err = store_appointment_insert(a->st, appt);
	if (err == EEXIST) {
		/* The unique index caught what the overlap check missed: still a taken slot. */
		outcome->verdict = SCHED_TAKEN;
		err = 0;
		goto out;
	}
	if (!err)
		err = record_event(a, appt->id, "book", b->actor, "", b->now);
	if (!err && b->idempotency_key && b->idempotency_key[0])
		err = store_idempotency_put(a->st, b->idempotency_key, "book", appt->id, b->now);
	if (err)
		goto out;
	err = store_commit(a->st);
	if (!err)
		log_info("agenda", b->call_id, "booked appointment %lld", (long long)appt->id);
out:
	if (err || (!replayed && outcome->verdict != SCHED_OK))
		store_rollback(a->st);
	else if (replayed)
		err = store_commit(a->st);
	if (err)
		log_failure("booking", b->call_id, err, a);
	return err;
}

int agenda_cancel(struct agenda *a, int64_t appointment_id, const char *actor,
		  const char *idempotency_key, int64_t now, struct agenda_outcome *outcome)
{
	bool replayed = false;
	int err;

	memset(outcome, 0, sizeof(*outcome));
	err = store_begin(a->st, true);
	if (err)
		return err;
	err = replay_key(a, idempotency_key, "cancel", outcome, &replayed);
	if (err || replayed)
		goto out;
	err = store_appointment_get(a->st, appointment_id, &outcome->appointment);
	if (err)
		goto out;
	if (outcome->appointment.status != STORE_APPOINTMENT_BOOKED) {
		err = EALREADY;
		goto out;
	}
	err = store_appointment_set_status(a->st, appointment_id, STORE_APPOINTMENT_CANCELLED, 0,
					   now);
	if (!err)
		err = record_event(a, appointment_id, "cancel", actor, "", now);
	if (!err && idempotency_key && idempotency_key[0])
		err = store_idempotency_put(a->st, idempotency_key, "cancel", appointment_id, now);
	if (!err)
		err = store_commit(a->st);
	if (!err) {
		outcome->appointment.status = STORE_APPOINTMENT_CANCELLED;
		log_info("agenda", NULL, "cancelled appointment %lld", (long long)appointment_id);
	}
out:
	if (replayed && !err)
		err = store_commit(a->st);
	else if (err)
		store_rollback(a->st);
	if (err && err != ENOENT && err != EALREADY)
		log_failure("cancelling", NULL, err, a);
	return err;
}

int agenda_move(struct agenda *a, const struct agenda_move *m, struct agenda_outcome *outcome)
{
	struct store_appointment old;
	struct store_appointment *appt = &outcome->appointment;
	struct sched_request request = {0};
	const struct store_appointment_type *type;
	bool replayed = false;
	char detail[64];
	int err;

	memset(outcome, 0, sizeof(*outcome));
	if (m->practitioner >= 0 && !agenda_practitioner(a, m->practitioner))
		return EINVAL;
	err = store_begin(a->st, true);
	if (err)
		return err;
	err = replay_key(a, m->idempotency_key, "move", outcome, &replayed);
	if (err || replayed)
		goto out;
	err = store_appointment_get(a->st, m->appointment_id, &old);
	if (err)
		goto out;
	if (old.status != STORE_APPOINTMENT_BOOKED) {
		err = EALREADY;
		goto out;
	}
	request.type = agenda_type_index(a, old.type_id);
	request.practitioner = m->practitioner >= 0 ? m->practitioner
						    : agenda_practitioner_index(a, old.practitioner_id);
	type = agenda_type(a, request.type);
	if (!type || request.practitioner < 0) {
		err = EINVAL;
		goto out;
	}
	request.start = m->start;
	request.now = m->now;
	request.urgent = old.urgent;
	request.ignore_appointment = old.id;
	err = check_slot(a, &request, type->duration_min, &outcome->verdict);
	if (err || outcome->verdict != SCHED_OK)
		goto out;

	/* Take the new slot first, then release the old one, in the same transaction. */
	*appt = old;
	appt->id = 0;
	appt->practitioner_id = a->practitioners[request.practitioner].id;
	appt->start_utc = m->start;
	appt->end_utc = m->start + (int64_t)type->duration_min * 60;
	appt->created_utc = m->now;
	appt->updated_utc = m->now;
	appt->replaced_by = 0;
	if (m->call_id)
		snprintf(appt->call_id, sizeof(appt->call_id), "%s", m->call_id);
	if (old.practitioner_id == appt->practitioner_id && old.start_utc == m->start) {
		/* Moving onto itself changes nothing. */
		*appt = old;
		goto out;
	}
	err = store_appointment_insert(a->st, appt);
	if (err == EEXIST) {
		outcome->verdict = SCHED_TAKEN;
		err = 0;
		goto out;
	}
	if (!err)
		err = store_appointment_set_status(a->st, old.id, STORE_APPOINTMENT_MOVED, appt->id,
						   m->now);
	snprintf(detail, sizeof(detail), "to %lld", (long long)appt->id);
	if (!err)
		err = record_event(a, old.id, "move", m->actor, detail, m->now);
	snprintf(detail, sizeof(detail), "from %lld", (long long)old.id);
	if (!err)
		err = record_event(a, appt->id, "move", m->actor, detail, m->now);
	if (!err && m->idempotency_key && m->idempotency_key[0])
		err = store_idempotency_put(a->st, m->idempotency_key, "move", appt->id, m->now);
	if (err)
		goto out;
	err = store_commit(a->st);
	if (err) {
		log_failure("moving", m->call_id, err, a);
		return err;
	}
	outcome->previous_id = old.id;
	log_info("agenda", m->call_id, "moved appointment %lld to %lld", (long long)old.id,
		 (long long)appt->id);
	return 0;
out:
	if (replayed && !err)
		return store_commit(a->st);
	store_rollback(a->st);
	if (err && err != ENOENT && err != EALREADY)
		log_failure("moving", m->call_id, err, a);
	return err;
}
