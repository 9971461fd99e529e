/*
 * Random calls through the real session, language library and store: utterances drawn
 * from a pool (requests, names, dates, answers, red flags, garbage, both languages),
 * keypad entries, silences, barge-ins and hang-ups at any point, transfers that succeed
 * or fail, and a clock that jumps across opening hours. Whatever happens: no crash, the
 * call ends within the turn bound, every transfer is announced, every end is explained,
 * and the call record is written and complete.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "demo.h"
#include "session.h"
#include "store.h"
#include "test.h"
#include "tz.h"

/* Caller events fed at most; the dialogue must end long before without hang-ups. */
#define EVENTS_MAX 150

static const char *const utterances[] = {
	"Bonjour, je voudrais un rendez-vous",
	"je voudrais un rendez-vous avec le docteur Martin jeudi matin",
	"c'est pour mon fils",
	"je voudrais annuler mon rendez-vous",
	"je dois déplacer mon rendez-vous",
	"c'est quand mon rendez-vous ?",
	"c'est pour renouveler mon ordonnance",
	"je voudrais les résultats de ma prise de sang",
	"il me faudrait un certificat médical",
	"quels sont vos horaires ?",
	"où se trouve le cabinet ?",
	"combien coûte une consultation ?",
	"je voudrais parler à quelqu'un",
	"j'ai besoin de voir un médecin aujourd'hui c'est urgent",
	"pouvez-vous répéter",
	"do you speak English?",
	"en français s'il vous plaît",
	"Nguyen",
	"Durand",
	"Lucas Durand",
	"Lefèvre",
	"Petit, P E T I T",
	"le 30 novembre 1992",
	"le douze mars cinquante-huit",
	"jeudi",
	"demain après-midi",
	"lundi prochain",
	"dimanche à 10 h",
	"le 30 février",
	"peu importe",
	"le premier",
	"le deuxième",
	"le dernier",
	"oui",
	"non",
	"non, plutôt vendredi",
	"06 12 34 56 78",
	"ma pilule",
	"I'd like to book an appointment with Doctor Benali",
	"I'd like to cancel my appointment",
	"yes",
	"no",
	"the first one",
	"Girard",
	"what are your opening hours?",
	"",
	"   ",
	"asdfgh qwerty",
	"!!! ??? ...",
	"🙂🙂🙂",
	"é\xcc\x80\xcc\x80\xcc\x80",
	"\x01\x02\x03",
	"\xff\xfe invalid utf-8",
	"euh",
};

/* Utterances that end a call at once, drawn rarely so random calls get deep. */
static const char *const endings[] = {
	"j'ai une douleur dans la poitrine qui irradie dans le bras",
	"merci au revoir",
	"my wife is having a seizure",
	"goodbye",
};

static const char *const digit_entries[] = {
	"1", "2", "3", "9", "0", "*", "#", "12041985", "30111992", "31021990",
	"0612345678", "11", "99", "123456789012345678901234567890123", "12a",
};

static const char *const callers[] = {
	NULL, "+33698765432", "+33612345678", "+33478112233", "+33700000001", "not a number",
};

/* Answers that fit each expectation, so random calls get past the questions. */
static const char *const fitting[NLU_EXPECT_COUNT][6] = {
	[NLU_EXPECT_OPEN] = {"je voudrais un rendez-vous", "je voudrais annuler mon rendez-vous",
			     "je dois déplacer mon rendez-vous", "c'est pour renouveler mon ordonnance",
			     "quels sont vos horaires ?", "j'ai besoin de voir un médecin aujourd'hui"},
	[NLU_EXPECT_YES_NO] = {"oui", "non", "oui s'il vous plaît", "non merci", "oui", "1"},
	[NLU_EXPECT_DATE] = {"jeudi matin", "demain", "lundi prochain", "peu importe",
			     "vendredi après-midi", "la semaine prochaine"},
	[NLU_EXPECT_SLOT_CHOICE] = {"le premier", "le deuxième", "le dernier", "oui", "non",
				    "le troisième"},
	[NLU_EXPECT_NAME] = {"Nguyen", "Durand", "Sophie Durand", "Lefèvre", "Petit", "Girard"},
	[NLU_EXPECT_BIRTH_DATE] = {"le 30 novembre 1992", "le 12 avril 1985", "le 3 septembre 2019",
				   "le 12 mars 1958", "le premier janvier 1960", "le 21 juillet 1974"},
	[NLU_EXPECT_PHONE] = {"06 12 34 56 78", "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
			      "04 78 11 22 33", "06 98 76 54 32", "non", "06 12"},
	[NLU_EXPECT_DIGITS] = {"1", "2", "3", "9", "un", "deux"},
	[NLU_EXPECT_TYPE] = {"une consultation", "un vaccin", "un certificat", "consultation", "vaccin",
			     "suivi"},
	[NLU_EXPECT_PRACTITIONER] = {"le docteur Martin", "le docteur Benali", "le docteur Moreau",
				     "peu importe", "le premier", "n'importe lequel"},
};

static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static size_t pick(uint64_t *state, size_t n)
{
	return (size_t)(next_random(state) % n);
}

struct world {
	char path[512];
	struct store *st;
	struct agenda *agenda;
	struct nlu *nlu;
	char long_text[2100];
	int calls, events, hangups;
};

static void world_open(struct world *w, int64_t now)
{
	char message[300];
	const char *why;

	test_tmp_path(w->path, sizeof(w->path), "property.db");
	TEST_REQUIRE(store_open(&w->st, w->path, STORE_CREATE, &why) == 0);
	TEST_REQUIRE(store_migrate(w->st) == 0);
	TEST_REQUIRE(agenda_demo_create(w->st, now, message, sizeof(message)) == 0);
	TEST_REQUIRE(agenda_open(&w->agenda, w->st, message, sizeof(message)) == 0);
	TEST_REQUIRE(session_nlu_create(w->agenda, &w->nlu) == 0);
	memset(w->long_text, 'a', sizeof(w->long_text) - 1);
	memcpy(w->long_text + 1000, "é", 2); /* a character across the utterance limit */
	w->long_text[sizeof(w->long_text) - 1] = '\0';
}

static void world_close(struct world *w)
{
	nlu_destroy(w->nlu);
	agenda_close(w->agenda);
	store_close(w->st);
}

static bool said_before(const struct session_output *out, size_t index, const char *key)
{
	for (size_t i = 0; i < index; i++) {
		if (out->items[i].kind == DIALOGUE_ACTION_SAY &&
		    (!key || strcmp(out->items[i].key, key) == 0))
			return true;
	}
	return false;
}

struct call_state {
	enum nlu_expect expect; /* what the last question expects */
	bool ended;
	bool transfer_pending;
	bool transfer_ok;
};

/* Check one output list against the rules every output follows. */
static void check_output(const struct session_output *out, const struct dialogue_event *ev,
			 struct call_state *call, uint64_t seed)
{
	for (size_t i = 0; i < out->count; i++) {
		const struct session_output_item *item = &out->items[i];

		if (item->kind == DIALOGUE_ACTION_SAY || item->kind == DIALOGUE_ACTION_ASK) {
			if (!TEST_CHECK(item->text[0] != '\0' && item->key[0] != '\0'))
				fprintf(stderr, "    seed %llu: empty speech\n", (unsigned long long)seed);
		}
		if (item->kind == DIALOGUE_ACTION_TRANSFER) {
			if (!TEST_CHECK(said_before(out, i, "transfer.announce")))
				fprintf(stderr, "    seed %llu: transfer not announced\n",
					(unsigned long long)seed);
			call->transfer_pending = true;
		}
		if (item->kind == DIALOGUE_ACTION_END) {
			bool transferred = ev->kind == DIALOGUE_EVENT_TRANSFERRED && ev->transferred;

			if (!transferred && !TEST_CHECK(said_before(out, i, NULL)))
				fprintf(stderr, "    seed %llu: call ended without a word\n",
					(unsigned long long)seed);
			if (!TEST_CHECK(i + 1 == out->count))
				fprintf(stderr, "    seed %llu: output after END\n", (unsigned long long)seed);
			call->ended = true;
		}
		if (item->kind == DIALOGUE_ACTION_ASK)
			call->expect = item->expect;
		if (item->kind == DIALOGUE_ACTION_ASK && !TEST_CHECK(i + 1 == out->count))
			fprintf(stderr, "    seed %llu: output after a question\n", (unsigned long long)seed);
	}
}

static void random_event(struct world *w, uint64_t *rng, enum nlu_expect expect,
			 struct dialogue_event *ev, bool *hangup)
{
	unsigned roll = (unsigned)pick(rng, 100);

	memset(ev, 0, sizeof(*ev));
	ev->confidence = 1.0f;
	*hangup = false;
	if (roll < 2) {
		ev->kind = DIALOGUE_EVENT_HANGUP;
		*hangup = true;
	} else if (roll < 6) {
		ev->kind = DIALOGUE_EVENT_SILENCE;
	} else if (roll < 9) {
		ev->kind = DIALOGUE_EVENT_BARGE_IN;
	} else if (roll < 30) {
		ev->kind = DIALOGUE_EVENT_DIGITS;
		ev->digits = digit_entries[pick(rng, sizeof(digit_entries) / sizeof(digit_entries[0]))];
	} else {
		ev->kind = DIALOGUE_EVENT_UTTERANCE;
		if (roll == 99)
			ev->text = w->long_text;
		else if (roll == 98)
			ev->text = endings[pick(rng, sizeof(endings) / sizeof(endings[0]))];
		else if (roll >= 50 && (unsigned)expect < NLU_EXPECT_COUNT)
			ev->text = fitting[expect][pick(rng, 6)];
		else
			ev->text = utterances[pick(rng, sizeof(utterances) / sizeof(utterances[0]))];
		ev->confidence = pick(rng, 5) == 0 ? (float)pick(rng, 100) / 100.0f : 0.95f;
	}
}

static void check_record(struct world *w, const char *call_id, const char *channel,
			 uint64_t seed)
{
	static const char *const keys[] = {"reason", "intent", "outcome", "patient", "urgency",
					   "actions", "language", "turns", "timings"};
	struct store_call call;
	json_t *summary, *transcript, *actions, *a;
	size_t i;

	if (!TEST_CHECK(store_call_get(w->st, call_id, &call) == 0)) {
		fprintf(stderr, "    seed %llu: no call record\n", (unsigned long long)seed);
		return;
	}
	TEST_CHECK(call.ended_utc >= call.started_utc && call.ended_utc > 0);
	TEST_CHECK(call.outcome[0] != '\0');
	TEST_CHECK(strcmp(call.urgency, "none") == 0 || strcmp(call.urgency, "urgent") == 0 ||
		   strcmp(call.urgency, "emergency") == 0);
	summary = json_loads(call.summary_json, 0, NULL);
	transcript = json_loads(call.transcript_json, 0, NULL);
	TEST_CHECK(json_is_object(summary));
	TEST_CHECK(json_is_array(transcript) && json_array_size(transcript) >= 2);
	for (size_t k = 0; summary && k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (!TEST_CHECK(json_object_get(summary, keys[k]) != NULL))
			fprintf(stderr, "    seed %llu: summary lacks %s\n", (unsigned long long)seed,
				keys[k]);
	}
	/* Every booking the record lists is in the agenda, from this call. */
	actions = json_object_get(summary, "actions");
	json_array_foreach(actions, i, a) {
		struct store_appointment appointment;
		const char *kind = json_string_value(json_object_get(a, "kind"));

		if (!kind || strcmp(kind, "book") != 0)
			continue;
		TEST_CHECK(store_appointment_get(w->st,
						 json_integer_value(json_object_get(a, "appointment_id")),
						 &appointment) == 0);
		TEST_EQ_STR(appointment.source, strcmp(channel, "sip") == 0 ? "phone" : "chat");
	}
	json_decref(summary);
	json_decref(transcript);
	store_call_release(&call);
}

/* One random call; returns after the record was checked. */
static void random_call(struct world *w, uint64_t seed, int64_t *now)
{
	uint64_t rng = seed;
	struct session *session = NULL;
	struct session_config config = {0};
	const struct session_output *out;
	struct dialogue_event ev = {.kind = DIALOGUE_EVENT_START};
	struct call_state call = {0};
	char call_id[64];
	bool hung_up = false;
	int events = 0, turns = 0;

	snprintf(call_id, sizeof(call_id), "property-%llu", (unsigned long long)seed);
	config.agenda = w->agenda;
	config.nlu = w->nlu;
	config.call_id = call_id;
	config.channel = pick(&rng, 2) ? "sip" : "chat";
	config.caller_number = callers[pick(&rng, sizeof(callers) / sizeof(callers[0]))];
	config.lang = pick(&rng, 3) == 0 ? "en" : NULL;
	TEST_REQUIRE(session_create(&session, &config, *now) == 0);
	ev.now = *now;
	TEST_REQUIRE(session_handle(session, &ev, &out) == 0);
	check_output(out, &ev, &call, seed);
	while (!call.ended && !hung_up && events < EVENTS_MAX) {
		int err;

		*now += (int64_t)pick(&rng, 20);
		if (pick(&rng, 40) == 0)
			*now += 3600 * (int64_t)(1 + pick(&rng, 12)); /* across opening hours */
		if (call.transfer_pending) {
			memset(&ev, 0, sizeof(ev));
			ev.kind = DIALOGUE_EVENT_TRANSFERRED;
			ev.transferred = pick(&rng, 2) == 0;
			call.transfer_pending = false;
		} else {
			random_event(w, &rng, call.expect, &ev, &hung_up);
			events++;
		}
		ev.now = *now;
		err = session_handle(session, &ev, &out);
		if (err == EINVAL && ev.kind == DIALOGUE_EVENT_DIGITS) {
			/* "12a", 33 digits: rejected, and the dialogue is unchanged. */
			TEST_EQ_INT(out->count, 0);
			continue;
		}
		if (!TEST_EQ_INT(err, 0))
			fprintf(stderr, "    seed %llu: %s event rejected\n", (unsigned long long)seed,
				dialogue_event_name(ev.kind));
		if (ev.kind == DIALOGUE_EVENT_UTTERANCE || ev.kind == DIALOGUE_EVENT_DIGITS ||
		    ev.kind == DIALOGUE_EVENT_SILENCE)
			turns++;
		check_output(out, &ev, &call, seed);
	}
	if (!hung_up && !TEST_CHECK(session_ended(session)))
		fprintf(stderr, "    seed %llu: not ended after %d events (state %s)\n",
			(unsigned long long)seed, events, session_state_name(session));
	/* Past the bound the call is handed off, which ends it within the same turn. */
	if (!hung_up && !TEST_CHECK(turns <= DIALOGUE_DEFAULT_MAX_TURNS + 1))
		fprintf(stderr, "    seed %llu: %d turns before the end\n", (unsigned long long)seed,
			turns);
	if (hung_up)
		TEST_CHECK(session_ended(session));
	session_destroy(session);
	check_record(w, call_id, config.channel, seed);
	w->calls++;
	w->events += events;
	w->hangups += hung_up;
}

/* How the random calls ended, to see that they reach the deep flows. */
static void print_outcomes(struct world *w)
{
	static const char *const outcomes[] = {"booked", "cancelled", "moved", "task",
					       "transferred", "emergency", "answered",
					       "abandoned", "no_input", "failed"};
	struct store_call *list = NULL;
	size_t count = 0;

	if (store_calls_list(w->st, 1000, 0, &list, &count) != 0)
		return;
	fprintf(stderr, "   ");
	for (size_t o = 0; o < sizeof(outcomes) / sizeof(outcomes[0]); o++) {
		size_t n = 0;

		for (size_t i = 0; i < count; i++)
			n += strcmp(list[i].outcome, outcomes[o]) == 0;
		fprintf(stderr, " %s %zu", outcomes[o], n);
	}
	fputc('\n', stderr);
	store_calls_free(list, count);
}

static void run_batch(uint64_t first_seed, int count)
{
	struct world w;
	struct tz *tz;
	struct civil_time t = {2026, 3, 2, 8, 0, 0};
	int64_t now;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	TEST_REQUIRE(tz_from_local(tz, &t, &now, NULL) == 0);
	tz_close(tz);
	world_open(&w, now);
	for (int i = 0; i < count; i++)
		random_call(&w, first_seed + (uint64_t)i, &now);
	fprintf(stderr, "    %d calls, %d caller events, %d ended by a hang-up\n", w.calls,
		w.events, w.hangups);
	print_outcomes(&w);
	world_close(&w);
}

static void test_random_calls_a(void)
{
	run_batch(1, 150);
}

static void test_random_calls_b(void)
{
	run_batch(1000, 150);
}

static void test_random_calls_c(void)
{
	run_batch(5000, 150);
}

static const struct test_case cases[] = {
	TEST_CASE(test_random_calls_a),
	TEST_CASE(test_random_calls_b),
	TEST_CASE(test_random_calls_c),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
