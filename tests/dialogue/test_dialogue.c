/* The pure dialogue driven with hand-built events: each flow, each recovery, each "never". */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dialogue.h"
#include "dialogue_fixture.h"
#include "test.h"

/* ---- Helpers for the longer flows ---- */

static struct sched_slot slot(const struct fx *f, int day, int hour, int minute, int practitioner)
{
	struct sched_slot s;

	s.start = fx_march(f, day, hour, minute);
	s.end = s.start + 15 * 60;
	s.practitioner = practitioner;
	return s;
}

static const struct dialogue_patient nguyen = {4, "Nguyen", "Amélie", "1992-11-30"};
static const struct dialogue_patient sophie = {1, "Durand", "Sophie", "1985-04-12"};
static const struct dialogue_patient lucas = {2, "Durand", "Lucas", "2019-09-03"};

static struct nlu_result named(const char *last, const char *first)
{
	struct nlu_result r = fx_result(NLU_INTENT_NONE);

	snprintf(r.entities.last_name, sizeof(r.entities.last_name), "%s", last);
	snprintf(r.entities.first_name, sizeof(r.entities.first_name), "%s", first ? first : "");
	return r;
}

static struct nlu_result born(int year, int month, int day)
{
	struct nlu_result r = fx_result(NLU_INTENT_NONE);

	r.entities.has_birth_date = true;
	r.entities.birth_date = (struct civil_date){year, month, day};
	return r;
}

static struct nlu_result on_day(const struct fx *f, enum nlu_intent intent, int day)
{
	struct nlu_result r = fx_result(intent);

	r.entities.when_count = 1;
	r.entities.when[0] = fx_day(f, day);
	return r;
}

/* Feed an empty listing to the booking that asked for it once the patient was known. */
static void none_booked(struct fx *f)
{
	TEST_REQUIRE(fx_last(f) != NULL);
	TEST_REQUIRE(fx_last(f)->kind == DIALOGUE_ACTION_LIST_APPOINTMENTS);
	fx_appointments(f, NULL, 0);
}

/* Book with Dr Martin on Thursday 5 March, up to the offer of three slots. */
static void book_to_offer(struct fx *f, struct sched_slot *slots)
{
	struct nlu_result r = on_day(f, NLU_INTENT_BOOK, 5);
	const struct dialogue_action *search;

	r.entities.practitioner = FX_MARTIN;
	fx_say(f, &r);
	TEST_REQUIRE(fx_asked(f, "ask.name.self"));
	r = named("NGUYEN", NULL);
	fx_say(f, &r);
	TEST_REQUIRE(fx_asked(f, "ask.birth.self"));
	r = born(1992, 11, 30);
	fx_say(f, &r);
	TEST_REQUIRE(fx_find(f, DIALOGUE_ACTION_FIND_PATIENT) != NULL);
	TEST_EQ_STR(fx_find(f, DIALOGUE_ACTION_FIND_PATIENT)->find.birth_date, "1992-11-30");
	fx_patients(f, &nguyen, 1);
	none_booked(f);
	search = fx_find(f, DIALOGUE_ACTION_SEARCH);
	TEST_REQUIRE(search != NULL);
	TEST_EQ_INT(search->query.type, FX_CONSULTATION);
	TEST_EQ_INT(search->query.practitioner, FX_MARTIN);
	TEST_EQ_INT(search->query.from, fx_march(f, 5, 0, 0));
	TEST_EQ_INT(search->query.to, fx_march(f, 6, 0, 0));
	TEST_CHECK(!search->query.urgent);
	slots[0] = slot(f, 5, 9, 0, FX_MARTIN);
	slots[1] = slot(f, 5, 10, 30, FX_MARTIN);
	slots[2] = slot(f, 5, 15, 0, FX_MARTIN);
	fx_slots(f, slots, 3);
	TEST_REQUIRE(fx_asked(f, "ask.offer.same"));
}

/* ---- Greeting ---- */

static void test_greeting(void)
{
	struct fx f;
	const struct dialogue_action *ask;

	fx_open(&f, NULL);
	TEST_CHECK(fx_said(&f, "greeting"));
	TEST_CHECK(strstr(f.out.items[0].text, "Cabinet médical des Tilleuls") != NULL);
	TEST_CHECK(strstr(f.out.items[0].text, "assistant automatique") != NULL);
	TEST_CHECK(!fx_said(&f, "recording.notice"));
	TEST_CHECK(fx_asked(&f, "ask.open"));
	ask = fx_last(&f);
	TEST_EQ_STR(ask->keys, "12309");
	TEST_EQ_INT(ask->expect, NLU_EXPECT_OPEN);
	TEST_CHECK(strstr(ask->text, "tapez 1") || strstr(ask->text, "taper 1"));
	TEST_CHECK(strstr(ask->text, "For English, press 9") != NULL);
	TEST_EQ_STR(dialogue_state_name(f.d), "open");
	fx_close(&f);
}

static void test_greeting_recording_notice(void)
{
	struct fx f;
	struct fx_options o = {.recording = true};

	fx_open(&f, &o);
	TEST_CHECK(fx_said(&f, "recording.notice"));
	fx_close(&f);
}

static void test_greeting_override(void)
{
	struct fx f;
	struct fx_options o = {.extra_key = "greeting.fr",
			       .extra_value = "Bonjour, ici le cabinet {practice}."};

	fx_open(&f, &o);
	TEST_EQ_STR(f.out.items[0].text, "Bonjour, ici le cabinet Cabinet médical des Tilleuls.");
	fx_close(&f);
}

static void test_greeting_english(void)
{
	struct fx f;
	struct fx_options o = {.english = true};

	fx_open(&f, &o);
	TEST_CHECK(strstr(f.out.items[0].text, "hello") != NULL);
	TEST_CHECK(strstr(fx_last(&f)->text, "Pour le français, tapez 9") != NULL);
	fx_close(&f);
}

/* ---- Booking ---- */

static void test_book_full_flow(void)
{
	struct fx f;
	struct sched_slot slots[3];
	struct nlu_result r;
	const struct dialogue_action *book;
	struct dialogue_summary summary;

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	TEST_EQ_STR(fx_last(&f)->keys, "1239");
	TEST_CHECK(strstr(fx_last(&f)->text, "jeudi 5 mars à 9 h") != NULL);
	TEST_CHECK(strstr(fx_last(&f)->text, "10 h 30") != NULL);
	TEST_CHECK(strstr(fx_last(&f)->text, "le docteur Martin") != NULL);
	r = fx_result(NLU_INTENT_NONE);
	r.entities.choice = 2;
	fx_say(&f, &r);
	TEST_REQUIRE(fx_asked(&f, "ask.confirm.book"));
	TEST_CHECK(strstr(fx_last(&f)->text, "jeudi 5 mars à 10 h 30") != NULL);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	r = fx_result(NLU_INTENT_YES);
	fx_say(&f, &r);
	book = fx_find(&f, DIALOGUE_ACTION_BOOK);
	TEST_REQUIRE(book != NULL);
	TEST_EQ_INT(book->book.start, slots[1].start);
	TEST_EQ_INT(book->book.practitioner, FX_MARTIN);
	TEST_EQ_INT(book->book.patient.id, 4);
	TEST_EQ_INT(book->book.type, FX_CONSULTATION);
	fx_booked(&f, SCHED_OK, 77);
	TEST_CHECK(fx_said(&f, "booked.self"));
	TEST_CHECK(strstr(f.out.items[0].text, "jeudi 5 mars à 10 h 30 avec le docteur Martin"));
	TEST_CHECK(fx_asked(&f, "ask.anything_else"));
	r = fx_result(NLU_INTENT_NO);
	fx_say(&f, &r);
	TEST_CHECK(fx_said(&f, "goodbye"));
	TEST_EQ_INT(fx_last(&f)->kind, DIALOGUE_ACTION_END);
	TEST_CHECK(dialogue_ended(f.d));
	dialogue_summary(f.d, &summary);
	TEST_EQ_STR(summary.outcome, "booked");
	TEST_EQ_INT(summary.intent, NLU_INTENT_BOOK);
	TEST_EQ_INT(summary.patient_id, 4);
	TEST_EQ_INT(summary.done_count, 1);
	TEST_EQ_INT(summary.done[0].id, 77);
	fx_close(&f);
}

static void test_book_never_without_yes(void)
{
	struct fx f;
	struct sched_slot slots[3];
	struct nlu_result r;

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	fx_digits(&f, "1");
	TEST_REQUIRE(fx_asked(&f, "ask.confirm.book"));
	/* Nothing understood, then a low-confidence yes, then a no: nothing is booked. */
	r = fx_result(NLU_INTENT_NONE);
	fx_say(&f, &r);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	TEST_CHECK(fx_said(&f, "ask.confirm.book"));
	r = fx_result(NLU_INTENT_YES);
	fx_say_low(&f, &r, 0.2f);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	TEST_CHECK(fx_asked(&f, "ask.check.text"));
	r = fx_result(NLU_INTENT_NO);
	fx_say(&f, &r);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	TEST_CHECK(fx_asked(&f, "ask.confirm.book"));
	r = fx_result(NLU_INTENT_NO);
	fx_say(&f, &r);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	TEST_CHECK(fx_asked(&f, "ask.when.other"));
	fx_event(&f, DIALOGUE_EVENT_HANGUP);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	TEST_CHECK(dialogue_ended(f.d));
	fx_close(&f);
}

static void test_book_yes_by_keypad(void)
{
	struct fx f;
	struct sched_slot slots[3];

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	fx_digits(&f, "3");
	TEST_REQUIRE(fx_asked(&f, "ask.confirm.book"));
	TEST_EQ_STR(fx_last(&f)->keys, "12");
	fx_digits(&f, "2");
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	fx_close(&f);
	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	fx_digits(&f, "3");
	fx_digits(&f, "1");
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_BOOK) != NULL);
	TEST_EQ_INT(fx_find(&f, DIALOGUE_ACTION_BOOK)->book.start, slots[2].start);
	fx_close(&f);
}

static void test_book_only_offered_slots(void)
{
	struct fx f;
	struct sched_slot slots[3];
	struct nlu_result r;

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	/* "Dimanche à 10 h": not an offered slot, so a new search, never a booking. */
	r = on_day(&f, NLU_INTENT_NONE, 8);
	r.entities.when[0].start = fx_march(&f, 8, 10, 0);
	r.entities.when[0].end = fx_march(&f, 8, 10, 1);
	r.entities.when[0].grain = NLU_GRAIN_MINUTE;
	fx_say(&f, &r);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_SEARCH) != NULL);
	TEST_EQ_INT(fx_find(&f, DIALOGUE_ACTION_SEARCH)->query.from, fx_march(&f, 8, 10, 0));
	/* The search finds nothing on Sunday: the next free slots are offered instead. */
	fx_slots(&f, NULL, 0);
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_SEARCH) != NULL);
	fx_slots(&f, &slots[2], 1);
	TEST_CHECK(fx_said(&f, "offer.fallback"));
	TEST_CHECK(fx_asked(&f, "ask.offer.one"));
	fx_digits(&f, "1");
	fx_digits(&f, "1");
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_BOOK) != NULL);
	TEST_EQ_INT(fx_find(&f, DIALOGUE_ACTION_BOOK)->book.start, slots[2].start);
	fx_close(&f);
}

static void test_book_correction_at_confirm(void)
{
	struct fx f;
	struct sched_slot slots[3];
	struct nlu_result r;
	const struct dialogue_action *search;

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	fx_digits(&f, "1");
	/* "Non, plutôt vendredi". */
	r = on_day(&f, NLU_INTENT_NO, 6);
	r.correction = true;
	fx_say(&f, &r);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	search = fx_find(&f, DIALOGUE_ACTION_SEARCH);
	TEST_REQUIRE(search != NULL);
	TEST_EQ_INT(search->query.from, fx_march(&f, 6, 0, 0));
	TEST_EQ_INT(search->query.practitioner, FX_MARTIN);
	fx_close(&f);
}

static void test_book_choice_by_time(void)
{
	struct fx f;
	struct sched_slot slots[3];
	struct nlu_result r;

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	/* "Celui de 15 h". */
	r = fx_result(NLU_INTENT_NONE);
	r.entities.when_count = 1;
	r.entities.when[0].start = fx_march(&f, 5, 15, 0);
	r.entities.when[0].end = fx_march(&f, 5, 15, 1);
	r.entities.when[0].grain = NLU_GRAIN_MINUTE;
	fx_say(&f, &r);
	TEST_REQUIRE(fx_asked(&f, "ask.confirm.book"));
	TEST_CHECK(strstr(fx_last(&f)->text, "15 h") != NULL);
	/* "Jeudi" matches all three: which one? */
	fx_close(&f);
	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	r = on_day(&f, NLU_INTENT_NONE, 5);
	fx_say(&f, &r);
	TEST_CHECK(fx_asked(&f, "ask.offer.same"));
	TEST_CHECK(strstr(fx_last(&f)->text, "Lequel de ces créneaux") != NULL);
	fx_close(&f);
}

static void test_book_taken_meanwhile(void)
{
	struct fx f;
	struct sched_slot slots[3];

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	fx_digits(&f, "1");
	fx_digits(&f, "1");
	fx_booked(&f, SCHED_TAKEN, 0);
	TEST_CHECK(fx_said(&f, "book.taken"));
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_SEARCH) != NULL);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	fx_close(&f);
}

static void test_book_mentions_booked(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_BOOK);
	struct dialogue_appointment booked = {31, 0, FX_MARTIN, FX_CONSULTATION, 4, false};
	const struct dialogue_action *say;

	fx_open(&f, NULL);
	booked.start = fx_march(&f, 10, 10, 30);
	fx_say(&f, &r);
	r = named("NGUYEN", NULL);
	fx_say(&f, &r);
	r = born(1992, 11, 30);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS) != NULL);
	TEST_EQ_INT(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS)->patient_id, nguyen.id);
	fx_appointments(&f, &booked, 1);
	TEST_REQUIRE(fx_said(&f, "appointments.already.one"));
	say = &f.out.items[0];
	TEST_EQ_STR(say->key, "appointments.already.one");
	TEST_CHECK(strstr(say->text, "mardi 10 mars") != NULL);
	TEST_CHECK(strstr(say->text, "10 h 30") != NULL);
	TEST_CHECK(strstr(say->text, "docteur Martin") != NULL);
	/* The booking goes on: the next question is asked. */
	TEST_CHECK(fx_asked(&f, "ask.practitioner"));
	fx_close(&f);
}

static void test_book_listing_failure_goes_on(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_BOOK);

	fx_open(&f, NULL);
	fx_say(&f, &r);
	r = named("NGUYEN", NULL);
	fx_say(&f, &r);
	r = born(1992, 11, 30);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS) != NULL);
	fx_appointments_failed(&f, EIO);
	TEST_CHECK(!fx_said(&f, "appointments.already.one"));
	TEST_CHECK(!fx_said(&f, "search.failed"));
	TEST_CHECK(fx_asked(&f, "ask.practitioner"));
	fx_close(&f);
}

static void test_book_asks_practitioner_and_day(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_BOOK);
	const struct dialogue_action *search;

	fx_open(&f, NULL);
	fx_say(&f, &r);
	r = named("NGUYEN", NULL);
	fx_say(&f, &r);
	r = born(1992, 11, 30);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	none_booked(&f);
	TEST_REQUIRE(fx_asked(&f, "ask.practitioner"));
	TEST_EQ_STR(fx_last(&f)->keys, "1239");
	TEST_CHECK(strstr(fx_last(&f)->text, "le docteur Benali") != NULL);
	fx_digits(&f, "9");
	TEST_REQUIRE(fx_asked(&f, "ask.when"));
	TEST_EQ_STR(fx_last(&f)->keys, "1");
	fx_digits(&f, "1");
	search = fx_find(&f, DIALOGUE_ACTION_SEARCH);
	TEST_REQUIRE(search != NULL);
	TEST_EQ_INT(search->query.practitioner, -1);
	TEST_EQ_INT(search->query.from, f.now);
	TEST_EQ_INT(search->query.to, f.now + 90 * 86400);
	fx_close(&f);
}

static void test_book_child_paediatric(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33612345678"};
	struct nlu_result r = fx_result(NLU_INTENT_BOOK);
	const struct dialogue_patient family[] = {sophie, lucas};
	const struct dialogue_action *find, *search;

	fx_open(&f, &o);
	r.entities.patient = NLU_PATIENT_CHILD;
	fx_say(&f, &r);
	TEST_REQUIRE(fx_asked(&f, "ask.name.child"));
	r = named("DURAND", "LUCAS");
	fx_say(&f, &r);
	find = fx_find(&f, DIALOGUE_ACTION_FIND_PATIENT);
	TEST_REQUIRE(find != NULL);
	TEST_EQ_STR(find->find.phone, "+33612345678");
	TEST_EQ_STR(find->find.last_name, "Durand");
	fx_patients(&f, family, 2);
	none_booked(&f);
	/* Lucas is 6: the paediatric type, which only Dr Moreau takes. */
	search = fx_find(&f, DIALOGUE_ACTION_SEARCH);
	if (!search) {
		TEST_REQUIRE(fx_asked(&f, "ask.when"));
		fx_digits(&f, "1");
		search = fx_find(&f, DIALOGUE_ACTION_SEARCH);
	}
	TEST_REQUIRE(search != NULL);
	TEST_EQ_INT(search->query.type, FX_CHILD);
	TEST_EQ_INT(search->query.practitioner, FX_MOREAU);
	fx_close(&f);
}

static void test_book_new_patient(void)
{
	struct fx f;
	struct sched_slot one;
	struct nlu_result r;
	const struct dialogue_action *search, *book;

	fx_open(&f, NULL);
	r = on_day(&f, NLU_INTENT_BOOK, 5);
	r.entities.practitioner_any = true;
	fx_say(&f, &r);
	r = named("PETIT", NULL);
	fx_say(&f, &r);
	r = born(1990, 1, 15);
	fx_say(&f, &r);
	fx_patients(&f, NULL, 0);
	TEST_REQUIRE(fx_asked(&f, "ask.new_patient"));
	fx_digits(&f, "1");
	TEST_REQUIRE(fx_asked(&f, "ask.first_name"));
	r = named("", "PAUL");
	fx_say(&f, &r);
	search = fx_find(&f, DIALOGUE_ACTION_SEARCH);
	if (!search)
		fx_dump(&f);
	TEST_REQUIRE(search != NULL);
	TEST_EQ_INT(search->query.type, FX_FIRST);
	TEST_CHECK(search->query.new_patient);
	one = slot(&f, 5, 14, 0, FX_BENALI);
	fx_slots(&f, &one, 1);
	fx_digits(&f, "1");
	TEST_REQUIRE(fx_asked(&f, "ask.confirm.book"));
	TEST_CHECK(strstr(fx_last(&f)->text, "première consultation") != NULL);
	fx_digits(&f, "1");
	book = fx_find(&f, DIALOGUE_ACTION_BOOK);
	TEST_REQUIRE(book != NULL);
	TEST_EQ_INT(book->book.patient.id, 0);
	TEST_EQ_STR(book->book.patient.last_name, "Petit");
	TEST_EQ_STR(book->book.patient.first_name, "Paul");
	TEST_EQ_STR(book->book.patient.birth_date, "1990-01-15");
	fx_booked(&f, SCHED_OK, 90);
	/* A first visit hears what to bring. */
	TEST_CHECK(fx_said(&f, "answer.documents"));
	fx_close(&f);
}

static void test_book_no_slot_leaves_task(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432"};
	struct nlu_result r = fx_result(NLU_INTENT_BOOK);

	fx_open(&f, &o);
	r.entities.practitioner_any = true;
	fx_say(&f, &r);
	r = named("NGUYEN", NULL);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	none_booked(&f);
	fx_digits(&f, "1");
	if (!fx_find(&f, DIALOGUE_ACTION_SEARCH))
		fx_dump(&f);
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_SEARCH) != NULL);
	fx_slots(&f, NULL, 0);
	TEST_CHECK(fx_said(&f, "no_slots.task"));
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_CREATE_TASK) != NULL);
	TEST_EQ_STR(fx_find(&f, DIALOGUE_ACTION_CREATE_TASK)->task.kind, "callback");
	fx_task(&f, 5);
	TEST_CHECK(fx_said(&f, "task.done.no_slot"));
	TEST_CHECK(fx_asked(&f, "ask.anything_else"));
	fx_close(&f);
}

/* ---- Red flags ---- */

static struct nlu_result emergency(const char *dial, enum nlu_flag flag)
{
	struct nlu_result r = fx_result(NLU_INTENT_EMERGENCY);

	r.triage.level = NLU_URGENCY_EMERGENCY;
	r.triage.flag = flag;
	snprintf(r.triage.dial, sizeof(r.triage.dial), "%s", dial);
	r.triage.cue_count = 1;
	snprintf(r.triage.cues[0].text, sizeof(r.triage.cues[0].text), "douleur poitrine");
	snprintf(r.triage.cues[0].rule, sizeof(r.triage.cues[0].rule), "chest_pain.radiating");
	return r;
}

static void test_emergency_ends_booking(void)
{
	struct fx f;
	struct sched_slot slots[3];
	struct nlu_result r = emergency("15", NLU_FLAG_CHEST_PAIN);
	const struct dialogue_action *task;
	struct dialogue_summary summary;

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	/* Even heard with a low confidence, in the middle of an offer. */
	fx_say_low(&f, &r, 0.3f);
	TEST_CHECK(fx_said(&f, "emergency"));
	TEST_CHECK(fx_said(&f, "emergency.repeat"));
	TEST_CHECK(strstr(f.out.items[0].text, "appelez le 15") != NULL);
	TEST_CHECK(!f.out.items[0].interruptible);
	TEST_CHECK(!f.out.items[1].interruptible);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK) == NULL);
	task = fx_find(&f, DIALOGUE_ACTION_CREATE_TASK);
	TEST_REQUIRE(task != NULL);
	TEST_EQ_STR(task->task.kind, "emergency");
	TEST_EQ_INT(task->task.priority, 0);
	TEST_CHECK(strstr(task->task.summary, "douleur thoracique") != NULL);
	fx_task(&f, 9);
	TEST_EQ_INT(fx_last(&f)->kind, DIALOGUE_ACTION_END);
	TEST_CHECK(dialogue_ended(f.d));
	dialogue_summary(f.d, &summary);
	TEST_EQ_STR(summary.outcome, "emergency");
	TEST_EQ_INT(summary.triage.level, NLU_URGENCY_EMERGENCY);
	TEST_EQ_INT(summary.triage.cue_count, 1);
	fx_close(&f);
}

static void test_emergency_suicide_line(void)
{
	struct fx f;
	struct nlu_result r = emergency("3114", NLU_FLAG_SUICIDE);

	fx_open(&f, NULL);
	fx_say(&f, &r);
	TEST_CHECK(fx_said(&f, "emergency.suicide"));
	TEST_CHECK(strstr(f.out.items[0].text, "3114") != NULL);
	TEST_CHECK(strstr(f.out.items[0].text, "15") != NULL);
	TEST_CHECK(fx_said(&f, "emergency.suicide.repeat"));
	fx_close(&f);
}

static void test_emergency_override(void)
{
	struct fx f;
	struct fx_options o = {.extra_key = "emergency.fr",
			       .extra_value = "Appelez tout de suite le {dial}."};
	struct nlu_result r = emergency("112", NLU_FLAG_BREATHING);

	fx_open(&f, &o);
	fx_say(&f, &r);
	TEST_EQ_STR(f.out.items[0].text, "Appelez tout de suite le 112.");
	TEST_CHECK(strstr(f.out.items[1].text, "112") != NULL);
	fx_close(&f);
}

static struct nlu_result urgent(void)
{
	struct nlu_result r = fx_result(NLU_INTENT_NONE);

	r.triage.level = NLU_URGENCY_URGENT;
	r.triage.flag = NLU_FLAG_OTHER_URGENT;
	r.entities.patient = NLU_PATIENT_SELF;
	return r;
}

static void test_urgent_moves_off_routine(void)
{
	struct fx f;
	struct sched_slot slots[3];
	struct nlu_result r = urgent();
	const struct dialogue_action *search;
	struct sched_slot today;

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	fx_say(&f, &r);
	TEST_CHECK(fx_said(&f, "urgent.ack"));
	search = fx_find(&f, DIALOGUE_ACTION_SEARCH);
	TEST_REQUIRE(search != NULL);
	TEST_CHECK(search->query.urgent);
	TEST_EQ_INT(search->query.from, f.now + DIALOGUE_DEFAULT_URGENT_LEAD_MIN * 60);
	TEST_EQ_INT(search->query.to, fx_march(&f, 3, 0, 0));
	TEST_EQ_INT(search->query.practitioner, -1);
	today = slot(&f, 2, 12, 0, FX_MARTIN);
	fx_slots(&f, &today, 1);
	TEST_CHECK(fx_said(&f, "urgent.offer"));
	fx_digits(&f, "1");
	fx_digits(&f, "1");
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_BOOK) != NULL);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_BOOK)->book.urgent);
	TEST_EQ_INT(fx_find(&f, DIALOGUE_ACTION_BOOK)->book.start, today.start);
	fx_booked(&f, SCHED_OK, 50);
	TEST_CHECK(fx_said(&f, "urgent.worse"));
	fx_close(&f);
}

static void test_urgent_no_slot_transfers_when_open(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432"};
	struct nlu_result r = urgent();

	fx_open(&f, &o);
	fx_say(&f, &r);
	r = named("NGUYEN", NULL);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	fx_slots(&f, NULL, 0);
	TEST_CHECK(fx_said(&f, "urgent.none"));
	TEST_CHECK(fx_said(&f, "transfer.announce"));
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_TRANSFER) != NULL);
	TEST_EQ_STR(fx_find(&f, DIALOGUE_ACTION_TRANSFER)->target, "sip:secretariat@127.0.0.1");
	fx_transferred(&f, true);
	TEST_EQ_INT(fx_last(&f)->kind, DIALOGUE_ACTION_END);
	fx_close(&f);
}

static void test_urgent_no_slot_task_when_closed(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432", .closed = true};
	struct nlu_result r = urgent();
	const struct dialogue_action *task;

	fx_open(&f, &o);
	fx_say(&f, &r);
	r = named("NGUYEN", NULL);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	fx_slots(&f, NULL, 0);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_TRANSFER) == NULL);
	TEST_CHECK(fx_said(&f, "urgent.after_hours"));
	TEST_CHECK(strstr(f.out.items[1].text, "116 117") != NULL);
	task = fx_find(&f, DIALOGUE_ACTION_CREATE_TASK);
	TEST_REQUIRE(task != NULL);
	TEST_EQ_STR(task->task.kind, "urgent");
	TEST_EQ_INT(task->task.priority, 1);
	TEST_EQ_STR(task->task.callback_number, "+33698765432");
	fx_task(&f, 12);
	TEST_CHECK(fx_said(&f, "task.done.urgent"));
	TEST_CHECK(strstr(f.out.items[0].text, "06 98 76 54 32") != NULL);
	fx_close(&f);
}

static void test_hangup_during_urgent_leaves_task(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432"};
	struct nlu_result r = urgent();

	fx_open(&f, &o);
	fx_say(&f, &r);
	TEST_REQUIRE(fx_asked(&f, "ask.name.self"));
	fx_event(&f, DIALOGUE_EVENT_HANGUP);
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_CREATE_TASK) != NULL);
	TEST_EQ_STR(fx_find(&f, DIALOGUE_ACTION_CREATE_TASK)->task.kind, "urgent");
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_SAY) == NULL);
	fx_task(&f, 3);
	TEST_CHECK(dialogue_ended(f.d));
	TEST_EQ_INT(f.out.count, 0);
	fx_close(&f);
}

/* ---- People ---- */

static void test_human_open_transfers(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_HUMAN);
	struct dialogue_summary summary;

	fx_open(&f, NULL);
	fx_say(&f, &r);
	/* Announced and performed in the same breath. */
	TEST_CHECK(fx_said(&f, "transfer.announce"));
	TEST_EQ_INT(fx_last(&f)->kind, DIALOGUE_ACTION_TRANSFER);
	TEST_EQ_STR(dialogue_state_name(f.d), "transferring");
	fx_transferred(&f, true);
	TEST_CHECK(dialogue_ended(f.d));
	dialogue_summary(f.d, &summary);
	TEST_EQ_STR(summary.outcome, "transferred");
	fx_close(&f);
}

static void test_human_closed_callback(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432", .closed = true};
	struct nlu_result r = fx_result(NLU_INTENT_HUMAN);
	const struct dialogue_action *task;

	fx_open(&f, &o);
	fx_say(&f, &r);
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_TRANSFER) == NULL);
	TEST_CHECK(fx_said(&f, "secretariat.closed"));
	TEST_REQUIRE(fx_asked(&f, "ask.name.callback"));
	r = named("NGUYEN", "AMELIE");
	fx_say(&f, &r);
	task = fx_find(&f, DIALOGUE_ACTION_CREATE_TASK);
	TEST_REQUIRE(task != NULL);
	TEST_EQ_STR(task->task.kind, "callback");
	TEST_EQ_INT(task->task.priority, 2);
	TEST_CHECK(strstr(task->task.summary, "Amelie Nguyen") != NULL);
	fx_task(&f, 4);
	TEST_CHECK(fx_said(&f, "task.done.callback.closed"));
	/* Monday 20:00: the secretariat reopens on Tuesday at 8:30. */
	TEST_CHECK(strstr(f.out.items[0].text, "demain, mardi 3 mars, à 8 h 30") != NULL);
	TEST_CHECK(fx_asked(&f, "ask.anything_else"));
	fx_close(&f);
}

static void test_transfer_failed_callback(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432"};

	fx_open(&f, &o);
	fx_digits(&f, "0");
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_TRANSFER) != NULL);
	fx_transferred(&f, false);
	TEST_CHECK(fx_said(&f, "transfer.failed"));
	TEST_CHECK(fx_asked(&f, "ask.name.callback"));
	fx_close(&f);
}

/* ---- Recovery ---- */

static void test_not_understood_escalates(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_NONE);
	struct fx_options o = {.closed = true};

	fx_open(&f, &o);
	fx_say(&f, &r);
	TEST_CHECK(fx_asked(&f, "ask.open"));
	TEST_CHECK(strncmp(fx_last(&f)->text, "Je n'ai pas bien compris.", 25) == 0);
	fx_say(&f, &r);
	TEST_CHECK(fx_asked(&f, "ask.open"));
	TEST_CHECK(strstr(fx_last(&f)->text, "clavier") != NULL);
	TEST_CHECK(strstr(fx_last(&f)->text, "tapez 1") != NULL);
	fx_say(&f, &r);
	/* Closed and no number to call back: the caller is told when to call again. */
	TEST_CHECK(fx_said(&f, "handoff.intro"));
	TEST_CHECK(fx_said(&f, "secretariat.reopens"));
	TEST_CHECK(fx_said(&f, "goodbye.call_back"));
	TEST_EQ_INT(fx_last(&f)->kind, DIALOGUE_ACTION_END);
	fx_close(&f);
}

static void test_not_understood_transfers_when_open(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_NONE);

	fx_open(&f, NULL);
	for (int i = 0; i < 3; i++)
		fx_say(&f, &r);
	TEST_CHECK(fx_said(&f, "transfer.announce"));
	TEST_EQ_INT(fx_last(&f)->kind, DIALOGUE_ACTION_TRANSFER);
	fx_close(&f);
}

static void test_silence_then_goodbye(void)
{
	struct fx f;
	struct dialogue_summary summary;

	fx_open(&f, NULL);
	fx_event(&f, DIALOGUE_EVENT_SILENCE);
	TEST_CHECK(fx_asked(&f, "ask.open"));
	TEST_CHECK(strncmp(fx_last(&f)->text, "Êtes-vous toujours là ?", 25) == 0);
	fx_event(&f, DIALOGUE_EVENT_SILENCE);
	TEST_CHECK(fx_said(&f, "goodbye.silence"));
	TEST_CHECK(fx_said(&f, "goodbye.nothing"));
	TEST_EQ_INT(fx_last(&f)->kind, DIALOGUE_ACTION_END);
	dialogue_summary(f.d, &summary);
	TEST_EQ_STR(summary.outcome, "no_input");
	fx_close(&f);
}

static void test_turns_are_bounded(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_HOURS);
	int events = 0;

	fx_open(&f, NULL);
	/* A caller who keeps asking the hours: answered, then handed off at the bound. */
	while (!dialogue_ended(f.d) && events < 200) {
		if (f.out.count && fx_last(&f)->kind == DIALOGUE_ACTION_TRANSFER)
			fx_transferred(&f, false);
		else
			fx_say(&f, &r);
		events++;
	}
	TEST_CHECK(dialogue_ended(f.d));
	TEST_CHECK(events <= DIALOGUE_DEFAULT_MAX_TURNS + 8);
	fx_close(&f);
}

static void test_repeat_and_star(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_REPEAT);
	char before[DIALOGUE_TEXT_MAX];

	fx_open(&f, NULL);
	snprintf(before, sizeof(before), "%s", fx_last(&f)->text);
	fx_say(&f, &r);
	TEST_EQ_STR(fx_last(&f)->text, before);
	fx_digits(&f, "*");
	TEST_EQ_STR(fx_last(&f)->text, before);
	fx_close(&f);
}

static void test_language_switch(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_CHANGE_LANGUAGE);

	fx_open(&f, NULL);
	fx_digits(&f, "9");
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_SET_LANGUAGE) != NULL);
	TEST_EQ_INT(fx_find(&f, DIALOGUE_ACTION_SET_LANGUAGE)->lang, NLU_LANG_EN);
	TEST_CHECK(fx_asked(&f, "ask.open"));
	TEST_CHECK(strstr(fx_last(&f)->text, "How can I help you?") != NULL);
	TEST_EQ_INT(dialogue_lang(f.d), NLU_LANG_EN);
	r.entities.language = NLU_LANG_FR;
	fx_say(&f, &r);
	TEST_EQ_INT(dialogue_lang(f.d), NLU_LANG_FR);
	TEST_CHECK(fx_said(&f, "language.switched"));
	fx_close(&f);
}

static void test_low_confidence_check(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_CANCEL);

	fx_open(&f, NULL);
	snprintf(r.normalized, sizeof(r.normalized), "annuler mon rendez-vous");
	fx_say_low(&f, &r, 0.3f);
	TEST_REQUIRE(fx_asked(&f, "ask.check.text"));
	TEST_CHECK(strstr(fx_last(&f)->text, "« annuler mon rendez-vous »") != NULL);
	r = fx_result(NLU_INTENT_YES);
	fx_say(&f, &r);
	TEST_CHECK(fx_asked(&f, "ask.name.self"));
	fx_close(&f);
}

static void test_low_intent_confidence_check(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_BOOK);

	fx_open(&f, NULL);
	r.confidence = 0.5f;
	fx_say(&f, &r);
	TEST_REQUIRE(fx_asked(&f, "ask.check.intent"));
	TEST_CHECK(strstr(fx_last(&f)->text, "prendre rendez-vous") != NULL);
	fx_digits(&f, "2");
	TEST_CHECK(fx_said(&f, "check.no"));
	TEST_CHECK(fx_asked(&f, "ask.open"));
	fx_close(&f);
}

/* ---- Identity, cancelling, moving ---- */

static const struct dialogue_appointment *nguyen_appointment(const struct fx *f)
{
	static struct dialogue_appointment a;

	a = (struct dialogue_appointment){31, fx_march(f, 10, 10, 30), FX_MARTIN, FX_CONSULTATION,
					  4, false};
	return &a;
}

static void test_cancel_by_caller_number(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432"};
	struct nlu_result r = fx_result(NLU_INTENT_CANCEL);
	const struct dialogue_action *find, *cancel;

	fx_open(&f, &o);
	fx_say(&f, &r);
	find = fx_find(&f, DIALOGUE_ACTION_FIND_PATIENT);
	TEST_REQUIRE(find != NULL);
	TEST_EQ_STR(find->find.phone, "+33698765432");
	TEST_EQ_STR(find->find.last_name, "");
	fx_patients(&f, &nguyen, 1);
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS) != NULL);
	TEST_EQ_INT(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS)->patient_id, 4);
	fx_appointments(&f, nguyen_appointment(&f), 1);
	TEST_REQUIRE(fx_asked(&f, "ask.confirm.cancel"));
	TEST_CHECK(strstr(fx_last(&f)->text, "mardi 10 mars à 10 h 30 avec le docteur Martin") != NULL);
	fx_digits(&f, "1");
	cancel = fx_find(&f, DIALOGUE_ACTION_CANCEL);
	TEST_REQUIRE(cancel != NULL);
	TEST_EQ_INT(cancel->move.appointment_id, 31);
	{
		struct dialogue_event ev = {.kind = DIALOGUE_EVENT_CANCELLED, .now = f.now};

		TEST_EQ_INT(dialogue_step(f.d, &ev, &f.out), 0);
	}
	TEST_CHECK(fx_said(&f, "cancelled"));
	TEST_CHECK(fx_asked(&f, "ask.anything_else"));
	fx_close(&f);
}

static void test_cancel_family_asks_which(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33612345678"};
	struct nlu_result r = fx_result(NLU_INTENT_CANCEL);
	const struct dialogue_patient family[] = {sophie, lucas};

	fx_open(&f, &o);
	fx_say(&f, &r);
	fx_patients(&f, family, 2);
	TEST_REQUIRE(fx_asked(&f, "ask.which"));
	TEST_EQ_STR(fx_last(&f)->keys, "129");
	TEST_CHECK(strstr(fx_last(&f)->text, "1 pour Sophie, 2 pour Lucas") != NULL);
	/* By name as well as by key. */
	r = named("", "LUCAS");
	fx_say(&f, &r);
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS) != NULL);
	TEST_EQ_INT(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS)->patient_id, 2);
	fx_close(&f);
}

static void test_cancel_never_reveals_others(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_CANCEL);

	/* No caller number: name and date of birth, which match nobody. */
	fx_open(&f, NULL);
	fx_say(&f, &r);
	TEST_REQUIRE(fx_asked(&f, "ask.name.self"));
	r = named("DURAND", NULL);
	fx_say(&f, &r);
	TEST_REQUIRE(fx_asked(&f, "ask.birth.self"));
	fx_digits(&f, "01011990");
	TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_FIND_PATIENT) != NULL);
	TEST_EQ_STR(fx_find(&f, DIALOGUE_ACTION_FIND_PATIENT)->find.birth_date, "1990-01-01");
	TEST_EQ_STR(fx_find(&f, DIALOGUE_ACTION_FIND_PATIENT)->find.phone, "");
	fx_patients(&f, NULL, 0);
	TEST_CHECK(fx_said(&f, "identity.not_found"));
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS) == NULL);
	r = named("DURANT", NULL);
	fx_say(&f, &r);
	fx_patients(&f, NULL, 0);
	TEST_CHECK(fx_said(&f, "identity.not_found.final"));
	TEST_CHECK(fx_find(&f, DIALOGUE_ACTION_LIST_APPOINTMENTS) == NULL);
	fx_close(&f);
}

static void test_move_flow(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432"};
	struct nlu_result r = fx_result(NLU_INTENT_MOVE);
	struct sched_slot offered[2];
	const struct dialogue_action *search, *move;

	fx_open(&f, &o);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	fx_appointments(&f, nguyen_appointment(&f), 1);
	TEST_CHECK(fx_said(&f, "appointments.one"));
	TEST_REQUIRE(fx_asked(&f, "ask.when.move"));
	r = on_day(&f, NLU_INTENT_NONE, 12);
	fx_say(&f, &r);
	search = fx_find(&f, DIALOGUE_ACTION_SEARCH);
	TEST_REQUIRE(search != NULL);
	TEST_EQ_INT(search->query.type, FX_CONSULTATION);
	TEST_EQ_INT(search->query.practitioner, FX_MARTIN);
	offered[0] = slot(&f, 12, 9, 0, FX_MARTIN);
	offered[1] = slot(&f, 12, 16, 0, FX_MARTIN);
	fx_slots(&f, offered, 2);
	fx_digits(&f, "2");
	TEST_REQUIRE(fx_asked(&f, "ask.confirm.move"));
	TEST_CHECK(strstr(fx_last(&f)->text, "mardi 10 mars") != NULL);
	TEST_CHECK(strstr(fx_last(&f)->text, "jeudi 12 mars à 16 h") != NULL);
	fx_digits(&f, "1");
	move = fx_find(&f, DIALOGUE_ACTION_MOVE);
	TEST_REQUIRE(move != NULL);
	TEST_EQ_INT(move->move.appointment_id, 31);
	TEST_EQ_INT(move->move.start, offered[1].start);
	fx_close(&f);
}

static void test_check_appointment(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432"};
	struct nlu_result r = fx_result(NLU_INTENT_CHECK);

	fx_open(&f, &o);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	fx_appointments(&f, nguyen_appointment(&f), 1);
	TEST_CHECK(fx_said(&f, "appointments.one"));
	TEST_CHECK(fx_asked(&f, "ask.anything_else"));
	fx_close(&f);
}

/* ---- Requests, answers ---- */

static void test_results_never_read(void)
{
	struct fx f;
	struct fx_options o = {.caller = "+33698765432"};
	struct nlu_result r = fx_result(NLU_INTENT_RESULTS);
	const struct dialogue_action *task;

	fx_open(&f, &o);
	fx_say(&f, &r);
	TEST_CHECK(fx_said(&f, "results.no_phone"));
	TEST_REQUIRE(fx_asked(&f, "ask.name.self"));
	r = named("NGUYEN", NULL);
	fx_say(&f, &r);
	fx_patients(&f, &nguyen, 1);
	TEST_REQUIRE(fx_asked(&f, "ask.details.results"));
	{
		struct nlu_result details = fx_result(NLU_INTENT_RESULTS);

		snprintf(details.normalized, sizeof(details.normalized),
			 "ma prise de sang de la semaine dernière");
		fx_say(&f, &details);
	}
	task = fx_find(&f, DIALOGUE_ACTION_CREATE_TASK);
	TEST_REQUIRE(task != NULL);
	TEST_EQ_STR(task->task.kind, "results");
	TEST_EQ_STR(task->task.request, "ma prise de sang de la semaine dernière");
	TEST_EQ_INT(task->task.patient_id, 4);
	fx_task(&f, 8);
	TEST_CHECK(fx_said(&f, "task.done.results"));
	fx_close(&f);
}

static void test_prescription_asks_number(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_PRESCRIPTION);
	const struct dialogue_action *task;

	fx_open(&f, NULL);
	fx_say(&f, &r);
	r = named("PETIT", "PAUL");
	fx_say(&f, &r);
	r = born(1960, 5, 1);
	fx_say(&f, &r);
	fx_patients(&f, NULL, 0);
	/* Unknown to the practice: the request still goes to the staff. */
	TEST_REQUIRE(fx_asked(&f, "ask.details.prescription"));
	{
		struct nlu_result details = fx_result(NLU_INTENT_NONE);

		snprintf(details.normalized, sizeof(details.normalized), "mon traitement pour la tension");
		fx_say(&f, &details);
	}
	TEST_REQUIRE(fx_asked(&f, "ask.phone"));
	fx_digits(&f, "0612345678");
	task = fx_find(&f, DIALOGUE_ACTION_CREATE_TASK);
	TEST_REQUIRE(task != NULL);
	TEST_EQ_STR(task->task.callback_number, "+33612345678");
	TEST_EQ_STR(task->task.birth_date, "1960-05-01");
	TEST_CHECK(strstr(task->task.summary, "Paul Petit (date de naissance 01/05/1960)") != NULL);
	fx_close(&f);
}

static void test_answers_from_settings(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_HOURS);
	struct dialogue_summary summary;

	fx_open(&f, NULL);
	fx_say(&f, &r);
	TEST_EQ_STR(f.out.items[0].text, "Ouvert du lundi au vendredi.");
	TEST_CHECK(fx_asked(&f, "ask.anything_else"));
	r = fx_result(NLU_INTENT_FEES);
	fx_say(&f, &r);
	TEST_CHECK(fx_said(&f, "answer.fees"));
	TEST_CHECK(fx_said(&f, "answer.payment"));
	r = fx_result(NLU_INTENT_ADDRESS);
	fx_say(&f, &r);
	TEST_CHECK(fx_said(&f, "answer.address.default"));
	TEST_CHECK(strstr(f.out.items[0].text, "12 rue des Tilleuls") != NULL);
	dialogue_summary(f.d, &summary);
	TEST_EQ_STR(summary.outcome, "answered");
	fx_close(&f);
}

static void test_question_during_booking_resumes(void)
{
	struct fx f;
	struct sched_slot slots[3];
	struct nlu_result r = fx_result(NLU_INTENT_HOURS);

	fx_open(&f, NULL);
	book_to_offer(&f, slots);
	fx_say(&f, &r);
	TEST_CHECK(fx_said(&f, "answer.hours"));
	TEST_CHECK(fx_asked(&f, "ask.offer.same"));
	fx_close(&f);
}

/* ---- Contract ---- */

static void test_contract_errors(void)
{
	struct fx f;
	struct dialogue_event ev = {0};
	char long_text[DIALOGUE_UTTERANCE_MAX + 2];
	struct nlu_result r = fx_result(NLU_INTENT_BOOK);

	fx_open(&f, NULL);
	ev.kind = DIALOGUE_EVENT_SLOTS_FOUND;
	TEST_EQ_INT(dialogue_step(f.d, &ev, &f.out), EPROTO);
	ev.kind = DIALOGUE_EVENT_START;
	TEST_EQ_INT(dialogue_step(f.d, &ev, &f.out), EPROTO);
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	ev.kind = DIALOGUE_EVENT_UTTERANCE;
	ev.text = long_text;
	ev.parsed = &r;
	ev.confidence = 1.0f;
	TEST_EQ_INT(dialogue_step(f.d, &ev, &f.out), EINVAL);
	ev.text = "x";
	ev.confidence = 1.5f;
	TEST_EQ_INT(dialogue_step(f.d, &ev, &f.out), EINVAL);
	ev.kind = DIALOGUE_EVENT_DIGITS;
	ev.digits = "12a";
	TEST_EQ_INT(dialogue_step(f.d, &ev, &f.out), EINVAL);
	ev.digits = "";
	TEST_EQ_INT(dialogue_step(f.d, &ev, &f.out), EINVAL);
	ev.kind = DIALOGUE_EVENT_COUNT;
	TEST_EQ_INT(dialogue_step(f.d, &ev, &f.out), EINVAL);
	/* Nothing changed: the question is still open. */
	TEST_EQ_STR(dialogue_state_name(f.d), "open");
	/* A caller event while a store action is pending. */
	r = fx_result(NLU_INTENT_CANCEL);
	fx_close(&f);
	{
		struct fx_options o = {.caller = "+33698765432"};

		fx_open(&f, &o);
		fx_say(&f, &r);
		TEST_REQUIRE(fx_find(&f, DIALOGUE_ACTION_FIND_PATIENT) != NULL);
		fx_say(&f, &r);
		TEST_EQ_INT(f.step_error, EBUSY);
		fx_close(&f);
	}
}

static void test_after_end_nothing(void)
{
	struct fx f;
	struct nlu_result r = fx_result(NLU_INTENT_GOODBYE);

	fx_open(&f, NULL);
	fx_say(&f, &r);
	TEST_CHECK(dialogue_ended(f.d));
	fx_say(&f, &r);
	TEST_EQ_INT(f.step_error, 0);
	TEST_EQ_INT(f.out.count, 0);
	fx_event(&f, DIALOGUE_EVENT_SILENCE);
	TEST_EQ_INT(f.out.count, 0);
	fx_close(&f);
}

static void test_catalogues_match(void)
{
	char message[256];
	int err = dialogue_catalogue_check(message, sizeof(message));

	if (err)
		fprintf(stderr, "    %s\n", message);
	TEST_EQ_INT(err, 0);
}

static void test_setting_keys_listed(void)
{
	const char *const *keys = dialogue_setting_keys();
	size_t count = 0;
	bool hours = false;

	for (; keys[count]; count++)
		hours = hours || strcmp(keys[count], "secretariat.hours") == 0;
	TEST_CHECK(count > 20);
	TEST_CHECK(hours);
}

static void test_invalid_setting_is_reported(void)
{
	struct fx f;
	struct fx_options o = {.extra_key = "dialogue.max_turns", .extra_value = "lots"};

	fx_open(&f, &o);
	TEST_REQUIRE(dialogue_config_warning(f.d) != NULL);
	TEST_EQ_STR(dialogue_config_warning(f.d), "dialogue.max_turns");
	fx_close(&f);
}

/* ---- Secretariat hours ---- */

static void test_hours_parse(void)
{
	static const struct {
		const char *text;
		int ok;
		size_t count;
	} cases[] = {
		{"1-5 08:30-12:30,14:00-18:00", 1, 2},
		{"1-5 08:30-12:30, 14:00-18:00; 6 09:00-12:00", 1, 3},
		{"1,3,5 09:00-17:00", 1, 1},
		{"7 10:00-11:00;", 1, 1},
		{"", 0, 0},
		{"1-5", 0, 0},
		{"1-5 18:00-08:00", 0, 0},
		{"8 09:00-10:00", 0, 0},
		{"5-1 09:00-10:00", 0, 0},
		{"1-5 9:00-10:00", 0, 0},
		{"1-5 09:00-25:00", 0, 0},
		{"lundi 09:00-10:00", 0, 0},
		{"1-5 09:00-10:00 extra", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dialogue_hours hours;
		int err = dialogue_hours_parse(cases[i].text, &hours);

		if (!TEST_EQ_INT(err == 0, cases[i].ok))
			fprintf(stderr, "    case \"%s\"\n", cases[i].text);
		if (cases[i].ok)
			TEST_EQ_INT(hours.count, cases[i].count);
	}
}

static void test_hours_open_and_next(void)
{
	struct tz *tz;
	struct dialogue_hours hours;
	struct civil_time t;
	int64_t at, next;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	TEST_REQUIRE(dialogue_hours_parse("1-5 08:30-12:30,14:00-18:00", &hours) == 0);
	t = (struct civil_time){2026, 3, 2, 9, 0, 0}; /* Monday */
	TEST_REQUIRE(tz_from_local(tz, &t, &at, NULL) == 0);
	TEST_CHECK(dialogue_hours_open(&hours, tz, 0, at));
	t = (struct civil_time){2026, 3, 2, 13, 0, 0};
	TEST_REQUIRE(tz_from_local(tz, &t, &at, NULL) == 0);
	TEST_CHECK(!dialogue_hours_open(&hours, tz, 0, at));
	TEST_EQ_INT(dialogue_hours_next(&hours, tz, 0, at, &next), 0);
	t = (struct civil_time){2026, 3, 2, 14, 0, 0};
	TEST_REQUIRE(tz_from_local(tz, &t, &at, NULL) == 0);
	TEST_EQ_INT(next, at);
	/* Friday evening: Monday morning. Easter Monday 2026 (6 April) is a holiday. */
	t = (struct civil_time){2026, 4, 3, 19, 0, 0};
	TEST_REQUIRE(tz_from_local(tz, &t, &at, NULL) == 0);
	TEST_EQ_INT(dialogue_hours_next(&hours, tz, 0, at, &next), 0);
	t = (struct civil_time){2026, 4, 7, 8, 30, 0};
	TEST_REQUIRE(tz_from_local(tz, &t, &at, NULL) == 0);
	TEST_EQ_INT(next, at);
	TEST_CHECK(!dialogue_hours_open(&hours, tz, 0, at - 3600));
	tz_close(tz);
}

static const struct test_case cases[] = {
	TEST_CASE(test_greeting),
	TEST_CASE(test_greeting_recording_notice),
	TEST_CASE(test_greeting_override),
	TEST_CASE(test_greeting_english),
	TEST_CASE(test_book_full_flow),
	TEST_CASE(test_book_never_without_yes),
	TEST_CASE(test_book_yes_by_keypad),
	TEST_CASE(test_book_only_offered_slots),
	TEST_CASE(test_book_correction_at_confirm),
	TEST_CASE(test_book_choice_by_time),
	TEST_CASE(test_book_taken_meanwhile),
	TEST_CASE(test_book_asks_practitioner_and_day),
	TEST_CASE(test_book_mentions_booked),
	TEST_CASE(test_book_listing_failure_goes_on),
	TEST_CASE(test_book_child_paediatric),
	TEST_CASE(test_book_new_patient),
	TEST_CASE(test_book_no_slot_leaves_task),
	TEST_CASE(test_emergency_ends_booking),
	TEST_CASE(test_emergency_suicide_line),
	TEST_CASE(test_emergency_override),
	TEST_CASE(test_urgent_moves_off_routine),
	TEST_CASE(test_urgent_no_slot_transfers_when_open),
	TEST_CASE(test_urgent_no_slot_task_when_closed),
	TEST_CASE(test_hangup_during_urgent_leaves_task),
	TEST_CASE(test_human_open_transfers),
	TEST_CASE(test_human_closed_callback),
	TEST_CASE(test_transfer_failed_callback),
	TEST_CASE(test_not_understood_escalates),
	TEST_CASE(test_not_understood_transfers_when_open),
	TEST_CASE(test_silence_then_goodbye),
	TEST_CASE(test_turns_are_bounded),
	TEST_CASE(test_repeat_and_star),
	TEST_CASE(test_language_switch),
	TEST_CASE(test_low_confidence_check),
	TEST_CASE(test_low_intent_confidence_check),
	TEST_CASE(test_cancel_by_caller_number),
	TEST_CASE(test_cancel_family_asks_which),
	TEST_CASE(test_cancel_never_reveals_others),
	TEST_CASE(test_move_flow),
	TEST_CASE(test_check_appointment),
	TEST_CASE(test_results_never_read),
	TEST_CASE(test_prescription_asks_number),
	TEST_CASE(test_answers_from_settings),
	TEST_CASE(test_question_during_booking_resumes),
	TEST_CASE(test_contract_errors),
	TEST_CASE(test_after_end_nothing),
	TEST_CASE(test_catalogues_match),
	TEST_CASE(test_setting_keys_listed),
	TEST_CASE(test_invalid_setting_is_reported),
	TEST_CASE(test_hours_parse),
	TEST_CASE(test_hours_open_and_next),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
