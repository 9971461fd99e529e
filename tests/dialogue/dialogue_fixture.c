#include "dialogue_fixture.h"

#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "test.h"

static const struct dialogue_practitioner practitioners[] = {
	{"Dr", "Claire", "Martin", true},
	{"Dr", "Karim", "Benali", true},
	{"Dr", "Julien", "Moreau", true},
};

static const struct dialogue_type types[] = {
	{"consultation", "Consultation", "Consultation", false, true, 0},
	{"premiere-consultation", "Première consultation", "First consultation", true, true, 0},
	{"vaccination", "Vaccination", "Vaccination", false, true, 0},
	{"certificat", "Certificat médical", "Medical certificate", false, true, 0},
	{"suivi-pediatrique", "Suivi pédiatrique", "Paediatric follow-up", false, true,
	 1u << FX_MOREAU},
};

int64_t fx_march(const struct fx *f, int day, int hour, int minute)
{
	struct civil_time t = {2026, 3, day, hour, minute, 0};
	int64_t utc = 0;

	TEST_REQUIRE(tz_from_local(f->tz, &t, &utc, NULL) == 0);
	return utc;
}

void fx_open(struct fx *f, const struct fx_options *options)
{
	struct fx_options none = {0};
	struct dialogue_setting settings[16];
	struct dialogue_config config = {0};
	size_t n = 0;

	if (!options)
		options = &none;
	memset(f, 0, sizeof(*f));
	TEST_REQUIRE(tz_open(&f->tz, "Europe/Paris") == 0);
	f->now = fx_march(f, 2, options->closed ? 20 : 9, 0);
	settings[n++] = (struct dialogue_setting){"answer.hours.fr", "Ouvert du lundi au vendredi."};
	settings[n++] = (struct dialogue_setting){"answer.hours.en", "Open Monday to Friday."};
	settings[n++] = (struct dialogue_setting){"answer.fees.fr", "La consultation est à 30 euros."};
	settings[n++] = (struct dialogue_setting){"answer.payment.fr", "Carte Vitale acceptée."};
	settings[n++] = (struct dialogue_setting){"answer.documents.fr", "Apportez votre carte Vitale."};
	settings[n++] = (struct dialogue_setting){"secretariat.hours", "1-5 08:30-12:30,14:00-18:00"};
	settings[n++] = (struct dialogue_setting){"transfer.target", "sip:secretariat@127.0.0.1"};
	settings[n++] = (struct dialogue_setting){"recording", options->recording ? "on" : "off"};
	if (options->extra_key)
		settings[n++] = (struct dialogue_setting){options->extra_key, options->extra_value};
	config.tz = f->tz;
	config.lang = options->english ? NLU_LANG_EN : NLU_LANG_FR;
	config.staff_lang = NLU_LANG_FR;
	config.practice_name = "Cabinet médical des Tilleuls";
	config.practice_address = "12 rue des Tilleuls, 69003 Lyon";
	config.caller_number = options->caller;
	config.horizon_days = 90;
	config.practitioners = practitioners;
	config.practitioner_count = 3;
	config.types = types;
	config.type_count = 5;
	config.settings = settings;
	config.setting_count = n;
	TEST_REQUIRE(dialogue_create(&f->d, &config) == 0);
	fx_event(f, DIALOGUE_EVENT_START);
	TEST_REQUIRE(f->step_error == 0);
}

void fx_close(struct fx *f)
{
	dialogue_destroy(f->d);
	tz_close(f->tz);
}

struct nlu_result fx_result(enum nlu_intent intent)
{
	struct nlu_result r;

	memset(&r, 0, sizeof(r));
	r.intent = intent;
	r.confidence = 0.95f;
	r.entities.practitioner = -1;
	r.entities.appointment_type = -1;
	return r;
}

struct nlu_when fx_day(const struct fx *f, int day)
{
	struct nlu_when w = {0};

	w.start = fx_march(f, day, 0, 0);
	w.end = fx_march(f, day + 1, 0, 0);
	w.grain = NLU_GRAIN_DAY;
	w.minute_to = 1440;
	return w;
}

static void step(struct fx *f, struct dialogue_event *ev)
{
	ev->now = f->now;
	f->step_error = dialogue_step(f->d, ev, &f->out);
}

void fx_say(struct fx *f, const struct nlu_result *r)
{
	fx_say_low(f, r, 1.0f);
}

void fx_say_low(struct fx *f, const struct nlu_result *r, float confidence)
{
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_UTTERANCE;
	ev.text = r->normalized[0] ? r->normalized : "texte";
	ev.confidence = confidence;
	ev.parsed = r;
	step(f, &ev);
}

void fx_digits(struct fx *f, const char *digits)
{
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_DIGITS;
	ev.digits = digits;
	step(f, &ev);
}

void fx_event(struct fx *f, enum dialogue_event_kind kind)
{
	struct dialogue_event ev = {0};

	ev.kind = kind;
	step(f, &ev);
}

void fx_slots(struct fx *f, const struct sched_slot *slots, size_t count)
{
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_SLOTS_FOUND;
	ev.slots = slots;
	ev.slot_count = count;
	step(f, &ev);
}

void fx_patients(struct fx *f, const struct dialogue_patient *patients, size_t count)
{
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_PATIENTS_FOUND;
	ev.patients = patients;
	ev.patient_count = count;
	step(f, &ev);
}

void fx_appointments(struct fx *f, const struct dialogue_appointment *list, size_t count)
{
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_APPOINTMENTS_LISTED;
	ev.appointments = list;
	ev.appointment_count = count;
	step(f, &ev);
}

void fx_appointments_failed(struct fx *f, int error)
{
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_APPOINTMENTS_LISTED;
	ev.error = error;
	step(f, &ev);
}

void fx_booked(struct fx *f, enum sched_verdict verdict, int64_t id)
{
	const struct dialogue_action *book = fx_find(f, DIALOGUE_ACTION_BOOK);
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_BOOKED;
	ev.verdict = verdict;
	ev.appointment.id = id;
	if (book) {
		ev.appointment.start = book->book.start;
		ev.appointment.practitioner = book->book.practitioner;
		ev.appointment.type = book->book.type;
	}
	ev.appointment.patient_id = book && book->book.patient.id ? book->book.patient.id : 42;
	step(f, &ev);
}

void fx_task(struct fx *f, int64_t id)
{
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_TASK_CREATED;
	ev.task_id = id;
	step(f, &ev);
}

void fx_transferred(struct fx *f, bool ok)
{
	struct dialogue_event ev = {0};

	ev.kind = DIALOGUE_EVENT_TRANSFERRED;
	ev.transferred = ok;
	step(f, &ev);
}

const struct dialogue_action *fx_find(const struct fx *f, enum dialogue_action_kind kind)
{
	for (size_t i = 0; i < f->out.count; i++) {
		if (f->out.items[i].kind == kind)
			return &f->out.items[i];
	}
	return NULL;
}

bool fx_said(const struct fx *f, const char *key)
{
	for (size_t i = 0; i < f->out.count; i++) {
		const struct dialogue_action *a = &f->out.items[i];

		if ((a->kind == DIALOGUE_ACTION_SAY || a->kind == DIALOGUE_ACTION_ASK) &&
		    strcmp(a->key, key) == 0)
			return true;
	}
	return false;
}

const struct dialogue_action *fx_last(const struct fx *f)
{
	return f->out.count ? &f->out.items[f->out.count - 1] : NULL;
}

bool fx_asked(const struct fx *f, const char *key)
{
	const struct dialogue_action *a = fx_last(f);
	bool ok = a && a->kind == DIALOGUE_ACTION_ASK && strcmp(a->key, key) == 0;

	if (!ok)
		fx_dump(f);
	return ok;
}

void fx_dump(const struct fx *f)
{
	fprintf(stderr, "    state %s, %zu actions:\n", dialogue_state_name(f->d), f->out.count);
	for (size_t i = 0; i < f->out.count; i++) {
		const struct dialogue_action *a = &f->out.items[i];

		fprintf(stderr, "      %s [%s] %s\n", dialogue_action_name(a->kind), a->key, a->text);
	}
}
