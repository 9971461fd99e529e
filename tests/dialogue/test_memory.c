/*
 * What a call costs in memory: the message catalogues parsed once and shared by every
 * dialogue (on several threads at once), and the session's buffers that grow on demand
 * up to their maximum and refuse past it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "dialogue.h"
#include "dialogue_priv.h"
#include "session_priv.h"
#include "test.h"
#include "tz.h"

#define ROUNDS 200

/* Monday 2 March 2026 09:00 in Paris. */
#define MONDAY_MORNING 1772438400

struct worker {
	enum nlu_lang lang;
	int failures;          /* rounds whose greeting or template differed */
	int errors;            /* calls that returned an error */
	char greeting[DIALOGUE_TEXT_MAX];
};

/* Create a dialogue, start it and keep the first thing it says. */
static int greet(struct tz *tz, enum nlu_lang lang, char *greeting, size_t size)
{
	struct dialogue_config config = {0};
	struct dialogue *d = NULL;
	struct dialogue_actions *out = calloc(1, sizeof(*out));
	struct dialogue_event start = {.kind = DIALOGUE_EVENT_START, .now = MONDAY_MORNING};
	int err;

	if (!out)
		return 12;
	config.tz = tz;
	config.lang = lang;
	config.staff_lang = NLU_LANG_FR;
	config.practice_name = "Cabinet des Tilleuls";
	config.horizon_days = 30;
	err = dialogue_create(&d, &config);
	if (!err)
		err = dialogue_step(d, &start, out);
	if (!err)
		snprintf(greeting, size, "%s", out->count ? out->items[0].text : "");
	dialogue_destroy(d);
	free(out);
	return err;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct tz *tz = NULL;
	char greeting[DIALOGUE_TEXT_MAX], message[256];

	if (tz_open(&tz, "Europe/Paris") != 0) {
		w->errors++;
		return NULL;
	}
	for (int round = 0; round < ROUNDS; round++) {
		const struct catalogue *catalogue = NULL;
		const char *template;

		if (catalogue_shared_acquire(&catalogue, message, sizeof(message)) != 0) {
			w->errors++;
			continue;
		}
		template = catalogue_template(catalogue, w->lang, "transfer.announce");
		if (!template || !template[0])
			w->failures++;
		if (greet(tz, w->lang, greeting, sizeof(greeting)) != 0)
			w->errors++;
		else if (strcmp(greeting, w->greeting) != 0)
			w->failures++;
		catalogue_shared_release(catalogue);
	}
	tz_close(tz);
	return NULL;
}

/* Two threads, French and English, create and drop dialogues while sharing one copy. */
static void test_catalogue_shared_by_two_threads(void)
{
	struct worker workers[2] = {{.lang = NLU_LANG_FR}, {.lang = NLU_LANG_EN}};
	pthread_t threads[2];
	struct tz *tz = NULL;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	/* The expected greetings, computed before any thread runs. */
	for (int i = 0; i < 2; i++) {
		TEST_REQUIRE(greet(tz, workers[i].lang, workers[i].greeting,
				   sizeof(workers[i].greeting)) == 0);
		TEST_CHECK(workers[i].greeting[0] != '\0');
	}
	TEST_CHECK(strcmp(workers[0].greeting, workers[1].greeting) != 0);
	TEST_EQ_INT((int)catalogue_shared_holders(), 0);
	for (int i = 0; i < 2; i++)
		TEST_REQUIRE(pthread_create(&threads[i], NULL, worker_run, &workers[i]) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < 2; i++) {
		TEST_EQ_INT(workers[i].errors, 0);
		TEST_EQ_INT(workers[i].failures, 0);
	}
	TEST_EQ_INT((int)catalogue_shared_holders(), 0);
	tz_close(tz);
}

/* Dialogues alive at the same time hold one copy; the last one gone frees it. */
static void test_catalogue_shared_held_by_dialogues(void)
{
	struct dialogue_config config = {0};
	struct dialogue *a = NULL, *b = NULL;
	const struct catalogue *first = NULL, *second = NULL;
	struct tz *tz = NULL;
	char message[256];

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	config.tz = tz;
	config.practice_name = "Cabinet des Tilleuls";
	TEST_REQUIRE(dialogue_create(&a, &config) == 0);
	TEST_REQUIRE(dialogue_create(&b, &config) == 0);
	TEST_EQ_INT((int)catalogue_shared_holders(), 2);
	TEST_REQUIRE(catalogue_shared_acquire(&first, message, sizeof(message)) == 0);
	TEST_REQUIRE(catalogue_shared_acquire(&second, message, sizeof(message)) == 0);
	TEST_CHECK(first == second);
	TEST_EQ_INT((int)catalogue_shared_holders(), 4);
	catalogue_shared_release(second);
	catalogue_shared_release(NULL); /* ignored */
	dialogue_destroy(a);
	dialogue_destroy(b);
	TEST_EQ_INT((int)catalogue_shared_holders(), 1);
	TEST_CHECK(catalogue_template(first, NLU_LANG_FR, "transfer.announce") != NULL);
	catalogue_shared_release(first);
	TEST_EQ_INT((int)catalogue_shared_holders(), 0);
	/* A release after the last one does not go below zero. */
	catalogue_shared_release(first);
	TEST_EQ_INT((int)catalogue_shared_holders(), 0);
	/* Parsed again when needed after being freed. */
	TEST_REQUIRE(catalogue_shared_acquire(&first, message, sizeof(message)) == 0);
	TEST_CHECK(catalogue_template(first, NLU_LANG_EN, "transfer.announce") != NULL);
	catalogue_shared_release(first);
	tz_close(tz);
}

/* The practice's lists are copied at their own size, from none up to the maximum. */
static void test_dialogue_practice_lists_copied(void)
{
	struct dialogue_practitioner *people = calloc(SCHED_MAX_PRACTITIONERS + 1, sizeof(*people));
	struct dialogue_type *types = calloc(SCHED_MAX_TYPES + 1, sizeof(*types));
	struct dialogue_config config = {0};
	struct dialogue *d = NULL;
	struct tz *tz = NULL;
	char spoken[256];

	TEST_REQUIRE(people && types);
	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	for (int i = 0; i <= SCHED_MAX_PRACTITIONERS; i++) {
		snprintf(people[i].title, sizeof(people[i].title), "Dr");
		snprintf(people[i].last_name, sizeof(people[i].last_name), "Nom%d", i);
		people[i].active = true;
	}
	for (int i = 0; i <= SCHED_MAX_TYPES; i++) {
		snprintf(types[i].code, sizeof(types[i].code), "type-%d", i);
		snprintf(types[i].label_fr, sizeof(types[i].label_fr), "acte %d", i);
		types[i].active = true;
	}
	config.tz = tz;
	config.practice_name = "Cabinet des Tilleuls";

	/* None at all. */
	TEST_REQUIRE(dialogue_create(&d, &config) == 0);
	dialogue_speak_practitioner(d, NLU_LANG_FR, 0, spoken, sizeof(spoken));
	TEST_EQ_STR(spoken, "");
	dialogue_destroy(d);

	/* The maximum: the last one is there. */
	config.practitioners = people;
	config.practitioner_count = SCHED_MAX_PRACTITIONERS;
	config.types = types;
	config.type_count = SCHED_MAX_TYPES;
	TEST_REQUIRE(dialogue_create(&d, &config) == 0);
	dialogue_speak_practitioner(d, NLU_LANG_FR, SCHED_MAX_PRACTITIONERS - 1, spoken,
				    sizeof(spoken));
	TEST_CHECK(strstr(spoken, "Nom63") != NULL);
	dialogue_speak_practitioner(d, NLU_LANG_FR, SCHED_MAX_PRACTITIONERS, spoken,
				    sizeof(spoken));
	TEST_EQ_STR(spoken, "");
	dialogue_destroy(d);

	/* One more than the maximum is rejected, with nothing held. */
	config.practitioner_count = SCHED_MAX_PRACTITIONERS + 1;
	d = NULL;
	TEST_EQ_INT(dialogue_create(&d, &config), EINVAL);
	TEST_CHECK(d == NULL);
	config.practitioner_count = 1;
	config.type_count = SCHED_MAX_TYPES + 1;
	TEST_EQ_INT(dialogue_create(&d, &config), EINVAL);
	TEST_EQ_INT((int)catalogue_shared_holders(), 0);

	tz_close(tz);
	free(people);
	free(types);
}

/* The transcript starts small, doubles up to SESSION_TRANSCRIPT_MAX and counts the rest. */
static void test_transcript_grows_to_its_maximum(void)
{
	struct session *s = calloc(1, sizeof(*s));
	char text[32];

	TEST_REQUIRE(s != NULL);
	TEST_CHECK(s->entries == NULL);
	session_transcript_add(s, 100, true, "utterance", "bonjour", 0.9f, "", 0);
	TEST_EQ_INT((int)s->entry_count, 1);
	TEST_CHECK(s->entry_capacity >= 1 && s->entry_capacity < SESSION_TRANSCRIPT_MAX);
	for (int i = 1; i < SESSION_TRANSCRIPT_MAX + 25; i++) {
		snprintf(text, sizeof(text), "line %d", i);
		session_transcript_add(s, 100 + i, i % 2 == 0, "say", text, -1.0f, "greeting", 0);
		TEST_CHECK(s->entry_capacity <= SESSION_TRANSCRIPT_MAX);
	}
	TEST_EQ_INT((int)s->entry_count, SESSION_TRANSCRIPT_MAX);
	TEST_EQ_INT((int)s->entry_capacity, SESSION_TRANSCRIPT_MAX);
	TEST_EQ_INT((int)s->entries_dropped, 25);
	/* Entries kept their text and times across the reallocations. */
	TEST_EQ_STR(s->entries[0].text, "bonjour");
	TEST_EQ_STR(s->entries[SESSION_TRANSCRIPT_MAX - 1].text, "line 399");
	TEST_EQ_INT((int)s->entries[200].at, 300);
	TEST_EQ_STR(s->entries[200].key, "greeting");
	session_transcript_free(s);
	free(s->entries);
	free(s);
}

/* The output grows as an event's actions come and refuses past SESSION_MAX_OUTPUT. */
static void test_output_grows_to_its_maximum(void)
{
	struct session *s = calloc(1, sizeof(*s));
	struct dialogue_action action;

	TEST_REQUIRE(s != NULL);
	memset(&action, 0, sizeof(action));
	action.kind = DIALOGUE_ACTION_SAY;
	snprintf(action.key, sizeof(action.key), "%s", "greeting");
	session_output_add(s, &action);
	TEST_EQ_INT((int)s->output.count, 1);
	TEST_CHECK(s->output.capacity >= 1 && s->output.capacity < SESSION_MAX_OUTPUT);
	for (int i = 1; i < SESSION_MAX_OUTPUT + 3; i++) {
		snprintf(action.text, sizeof(action.text), "phrase %d", i);
		session_output_add(s, &action);
		TEST_CHECK(s->output.capacity <= SESSION_MAX_OUTPUT);
	}
	TEST_EQ_INT((int)s->output.count, SESSION_MAX_OUTPUT);
	TEST_EQ_INT((int)s->output.capacity, SESSION_MAX_OUTPUT);
	TEST_EQ_STR(s->output.items[0].text, "");
	TEST_EQ_STR(s->output.items[SESSION_MAX_OUTPUT - 1].text, "phrase 15");
	TEST_EQ_STR(s->output.items[5].key, "greeting");
	/* All 19 actions reached the transcript, the three dropped ones included. */
	TEST_EQ_INT((int)s->entry_count, SESSION_MAX_OUTPUT + 3);
	session_transcript_free(s);
	free(s->entries);
	free(s->output.items);
	free(s);
}

static const struct test_case cases[] = {
	TEST_CASE(test_catalogue_shared_by_two_threads),
	TEST_CASE(test_catalogue_shared_held_by_dialogues),
	TEST_CASE(test_dialogue_practice_lists_copied),
	TEST_CASE(test_transcript_grows_to_its_maximum),
	TEST_CASE(test_output_grows_to_its_maximum),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
