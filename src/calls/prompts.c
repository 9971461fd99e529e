/*
 * The fixed sentences of the dialogue's message catalogues and the practice's own texts
 * (greeting, answers), synthesised into the prompt cache at start-up so that most of what
 * a caller hears plays without waiting for synthesis. A text is split into sentences as
 * synthesis splits a reply; a sentence with a parameter ("{slot}") is left out, except the
 * practice's name, which is known.
 */
#include "calls_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "embedded.h"
#include "store.h"
#include "synth.h"

/* The catalogue files compiled into the dialogue library (catalogue.c reads them too). */
extern const struct embedded_file dialogue_messages[];
extern const size_t dialogue_messages_count;

#define PROMPT_SENTENCE_MAX 1024

struct prompt_list {
	char **texts;
	size_t count;
	size_t cap;
};

static int list_add(struct prompt_list *list, const char *text)
{
	char *copy;

	for (size_t i = 0; i < list->count; i++) {
		if (strcmp(list->texts[i], text) == 0)
			return 0;
	}
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 256;
		char **grown = realloc(list->texts, cap * sizeof(*grown));

		if (!grown)
			return ENOMEM;
		list->texts = grown;
		list->cap = cap;
	}
	copy = strdup(text);
	if (!copy)
		return ENOMEM;
	list->texts[list->count++] = copy;
	return 0;
}

/* Whether every placeholder of a sentence is the practice's name. */
static bool only_practice_name(const char *sentence)
{
	for (const char *p = strchr(sentence, '{'); p; p = strchr(p + 1, '{')) {
		if (strncmp(p, "{practice}", 10) != 0)
			return false;
	}
	return true;
}

/* Add the sentences of one template that need no parameter but the practice's name. */
static int add_template(struct prompt_list *list, const char *template,
			const char *practice_name)
{
	struct msg_param params[] = {{"practice", practice_name}};
	char sentence[PROMPT_SENTENCE_MAX], expanded[PROMPT_SENTENCE_MAX];
	const char *cursor = template;
	int err = 0;

	while (!err && speech_text_next_sentence(&cursor, sentence, sizeof(sentence))) {
		if (!strchr(sentence, '{'))
			err = list_add(list, sentence);
		else if (only_practice_name(sentence) &&
			 catalogue_expand(sentence, params, 1, expanded, sizeof(expanded)) >= 0)
			err = list_add(list, expanded);
	}
	return err;
}

static const char *catalogue_file(enum nlu_lang lang)
{
	const char *name = lang == NLU_LANG_EN ? "en.msg" : "fr.msg";

	for (size_t i = 0; i < dialogue_messages_count; i++) {
		if (strcmp(dialogue_messages[i].name, name) == 0)
			return dialogue_messages[i].data;
	}
	return NULL;
}

void calls_prompts_free(char **texts, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(texts[i]);
	free(texts);
}

/*
 * Add the practice's own sentences in a language: the settings named "<key>.fr" or
 * "<key>.en" that the dialogue reads (greeting, answers, announcements).
 */
static int add_settings(struct prompt_list *list, struct store *st, enum nlu_lang lang,
			const char *practice_name)
{
	const char *const *keys = dialogue_setting_keys();
	const char *suffix = lang == NLU_LANG_EN ? ".en" : ".fr";
	char *value = malloc(DIALOGUE_TEXT_MAX);
	int err = 0;

	if (!value)
		return ENOMEM;
	for (size_t i = 0; keys[i] && !err; i++) {
		size_t len = strlen(keys[i]);

		if (len < 4 || strcmp(keys[i] + len - 3, suffix) != 0)
			continue;
		if (store_setting_get(st, keys[i], value, DIALOGUE_TEXT_MAX) == 0 && value[0])
			err = add_template(list, value, practice_name);
	}
	free(value);
	return err;
}

int calls_prompts_fixed(enum nlu_lang lang, const char *practice_name, struct store *st,
			char ***textsp, size_t *countp)
{
	struct prompt_list list = {0};
	struct catalogue *catalogue = NULL;
	const char *file = catalogue_file(lang);
	char message[256];
	int err;

	*textsp = NULL;
	*countp = 0;
	if (!file)
		return EINVAL;
	err = catalogue_create(&catalogue, message, sizeof(message));
	if (err)
		return err;
	/* Keys start a line, as "key = text" (catalogue.h describes the format). */
	for (const char *line = file; !err && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		size_t key_len = strcspn(line, " =\n");
		char key[64];

		if (len && line[0] != '#' && line[0] != ' ' && line[0] != '\t' && key_len &&
		    key_len < sizeof(key)) {
			const char *template;

			memcpy(key, line, key_len);
			key[key_len] = '\0';
			template = catalogue_template(catalogue, lang, key);
			if (template)
				err = add_template(&list, template, practice_name);
		}
		line = end ? end + 1 : line + len;
	}
	catalogue_destroy(catalogue);
	if (!err && st)
		err = add_settings(&list, st, lang, practice_name);
	if (err) {
		calls_prompts_free(list.texts, list.count);
		return err;
	}
	*textsp = list.texts;
	*countp = list.count;
	return 0;
}
