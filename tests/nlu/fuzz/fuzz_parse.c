/*
 * libFuzzer target over nlu_parse() and nlu_grammar_jsgf(). The first byte picks the
 * language and the expectation; the rest is the utterance, and also an offered option
 * for slot choices. Built with -DPERMANENCE_FUZZ=ON and clang; see scripts/fuzz-nlu.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nlu.h"
#include "tz.h"

static const struct nlu_practitioner practitioners[] = {
	{"Claire", "Martin", "generaliste"},
	{"Karim", "Benali", "generaliste"},
	{"Julien", "Moreau", "pediatre"},
};

static const struct nlu_appointment_type types[] = {
	{"consultation", "Consultation", "Consultation"},
	{"vaccination", "Vaccination", "Vaccination"},
};

static const struct nlu_vocabulary vocabulary = {practitioners, 3, types, 2};

/* Built once per fuzzing process; the engine is immutable after nlu_create(). */
static struct nlu *engine;
static struct tz *zone;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (nlu_create(&engine, &vocabulary) != 0 || tz_open(&zone, "Europe/Paris") != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlu_result result;
	struct nlu_input input;
	const char *options[1];
	char *text;

	if (size == 0)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	options[0] = text;
	input = (struct nlu_input){
		.text = text,
		.lang = (enum nlu_lang)(data[0] & 1),
		.expect = (enum nlu_expect)((data[0] >> 1) % NLU_EXPECT_COUNT),
		.now = 1774852200, /* 2026-03-30T08:30:00+02:00 */
		.tz = (data[0] & 0x80) ? NULL : zone,
		.options = options,
		.option_count = 1,
	};
	if (nlu_parse(engine, &input, &result) != 0)
		abort();
	if (result.triage.cue_count > NLU_MAX_CUES || result.entities.when_count > NLU_MAX_WHEN ||
	    strnlen(result.normalized, sizeof(result.normalized)) == sizeof(result.normalized))
		abort();
	if ((data[0] & 0x60) == 0x60) {
		char *jsgf = NULL;
		const char *extra[1] = {text};

		if (nlu_grammar_jsgf(engine, input.lang, input.expect, extra, 1, &jsgf) != 0)
			abort();
		free(jsgf);
	}
	free(text);
	return 0;
}
