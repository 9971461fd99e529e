/*
 * permanence parse --lang fr|en --now ISO-8601 [--db PATH] [--tz ZONE] [--expect NAME]
 *                  [--option TEXT] "text"
 * Understand one utterance and print the result as one JSON object. Without --db the
 * practice's words are the demo practice's (docs/demo-practice.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo_practice.h"
#include "nlu_json.h"
#include "store.h"
#include "tz.h"

#define PARSE_OPTIONS_MAX 16

struct parse_args {
	struct cli_common common;
	bool db_given;          /* --db was passed: the practice's vocabulary is read there */
	const char *zone;       /* --tz, or NULL for the practice's zone */
	enum nlu_expect expect;
	const char *text;
	const char *options[PARSE_OPTIONS_MAX];
	size_t option_count;
};

static void parse_help(const struct cli_common *common)
{
	if (common->lang == NLU_LANG_EN)
		printf("Usage: permanence parse [OPTIONS] \"TEXT\"\n"
		       "Understand one utterance and print intent, urgency and entities as JSON.\n\n"
		       "  --db PATH        read the practitioners, appointment types and zone from\n"
		       "                   this database (default: the demo practice's words)\n"
		       "  --tz ZONE        practice time zone (default: the database's, else\n"
		       "                   Europe/Paris)\n"
		       "  --expect NAME    what the dialogue expects: open, yes_no, date, slot_choice,\n"
		       "                   name, birth_date, phone, digits, type, practitioner\n"
		       "                   (default: open)\n"
		       "  --option TEXT    an item just offered, for \"the one at 10\" (repeatable)\n");
	else
		printf("Usage : permanence parse [OPTIONS] \"TEXTE\"\n"
		       "Comprend un énoncé et affiche l'intention, l'urgence et les entités en JSON.\n\n"
		       "  --db CHEMIN      lit praticiens, types de rendez-vous et fuseau dans cette\n"
		       "                   base (défaut : le vocabulaire du cabinet de démonstration)\n"
		       "  --tz ZONE        fuseau du cabinet (défaut : celui de la base, sinon\n"
		       "                   Europe/Paris)\n"
		       "  --expect NOM     ce qu'attend le dialogue : open, yes_no, date, slot_choice,\n"
		       "                   name, birth_date, phone, digits, type, practitioner\n"
		       "                   (défaut : open)\n"
		       "  --option TEXTE   un choix qui vient d'être proposé, pour « celui de 10 h »\n"
		       "                   (répétable)\n");
	cli_common_help(common);
}

static int expect_parse(const char *name, enum nlu_expect *expect)
{
	for (int x = 0; x < NLU_EXPECT_COUNT; x++) {
		if (strcmp(nlu_expect_name((enum nlu_expect)x), name) == 0) {
			*expect = (enum nlu_expect)x;
			return 0;
		}
	}
	return EINVAL;
}

static const char *value_of(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) == 0 && argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* Returns 0, or CLI_EXIT_USAGE after printing the error. */
static int args_read(int argc, char **argv, struct parse_args *a)
{
	for (int i = 1; i < argc; i++) {
		int used;
		const char *v;

		if (strncmp(argv[i], "--db", 4) == 0 && (argv[i][4] == '\0' || argv[i][4] == '='))
			a->db_given = true;
		used = cli_common_option(&a->common, argc, argv, &i);
		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used > 0)
			continue;
		if ((v = value_of(argc, argv, &i, "--tz"))) {
			a->zone = v;
		} else if ((v = value_of(argc, argv, &i, "--expect"))) {
			if (expect_parse(v, &a->expect) != 0) {
				cli_error(&a->common,
					  CLI_TEXT(&a->common, "--expect invalide « %s » : voir --help",
						   "invalid --expect '%s': see --help"),
					  v);
				return CLI_EXIT_USAGE;
			}
		} else if ((v = value_of(argc, argv, &i, "--option"))) {
			if (a->option_count == PARSE_OPTIONS_MAX) {
				cli_error(&a->common, CLI_TEXT(&a->common,
							       "au plus %d --option",
							       "at most %d --option"),
					  PARSE_OPTIONS_MAX);
				return CLI_EXIT_USAGE;
			}
			a->options[a->option_count++] = v;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_error(&a->common, CLI_TEXT(&a->common, "option inconnue « %s »",
						       "unknown option '%s'"),
				  argv[i]);
			return CLI_EXIT_USAGE;
		} else if (a->text) {
			cli_error(&a->common, CLI_TEXT(&a->common,
						       "un seul texte attendu ; mettez-le entre guillemets",
						       "expected one text; put it in quotes"));
			return CLI_EXIT_USAGE;
		} else {
			a->text = argv[i];
		}
	}
	return 0;
}

/* The practice's vocabulary, read from the store or the demo table. */
struct practice_words {
	struct store_practitioner *practitioners;
	size_t practitioner_count;
	struct store_appointment_type *types;
	size_t type_count;
	struct nlu_practitioner *nlu_practitioners;
	struct nlu_appointment_type *nlu_types;
	struct nlu_vocabulary vocabulary;
	char zone[64];
};

static void practice_words_free(struct practice_words *w)
{
	free(w->practitioners);
	free(w->types);
	free(w->nlu_practitioners);
	free(w->nlu_types);
}

/* Read the active practitioners and appointment types of the --db database. */
static int practice_words_read(const struct cli_common *common, struct practice_words *w)
{
	struct store_practice practice;
	struct store *st = NULL;
	const char *why = NULL;
	size_t np = 0, nt = 0;
	int err;

	err = store_open(&st, common->db_path, STORE_READONLY, &why);
	if (err) {
		cli_error(common, CLI_TEXT(common, "impossible d'ouvrir %s : %s",
					   "cannot open %s: %s"),
			  common->db_path, why ? why : strerror(err));
		return err;
	}
	err = store_practitioners_list(st, &w->practitioners, &w->practitioner_count);
	if (!err)
		err = store_types_list(st, &w->types, &w->type_count);
	if (!err && store_practice_get(st, &practice) == 0)
		snprintf(w->zone, sizeof(w->zone), "%s", practice.timezone);
	if (err) {
		cli_error(common, "%s: %s", common->db_path, store_errmsg(st));
		store_close(st);
		return err;
	}
	store_close(st);
	w->nlu_practitioners = calloc(w->practitioner_count + 1, sizeof(*w->nlu_practitioners));
	w->nlu_types = calloc(w->type_count + 1, sizeof(*w->nlu_types));
	if (!w->nlu_practitioners || !w->nlu_types)
		return ENOMEM;
	for (size_t i = 0; i < w->practitioner_count; i++) {
		const struct store_practitioner *p = &w->practitioners[i];

		if (p->active)
			w->nlu_practitioners[np++] =
				(struct nlu_practitioner){p->first_name, p->last_name, p->specialty};
	}
	for (size_t i = 0; i < w->type_count; i++) {
		const struct store_appointment_type *t = &w->types[i];

		if (t->active)
			w->nlu_types[nt++] =
				(struct nlu_appointment_type){t->code, t->label_fr, t->label_en};
	}
	w->vocabulary = (struct nlu_vocabulary){w->nlu_practitioners, np, w->nlu_types, nt};
	return 0;
}

int cmd_parse(int argc, char **argv)
{
	struct parse_args a = {.expect = NLU_EXPECT_OPEN};
	struct practice_words words = {0};
	const struct nlu_vocabulary *vocabulary = &demo_practice_vocabulary;
	struct nlu_result result;
	struct nlu *nlu = NULL;
	struct tz *tz = NULL;
	struct nlu_input input;
	json_t *json = NULL;
	int64_t now;
	int status = CLI_EXIT_FAILURE, err;

	cli_common_init(&a.common, "parse");
	status = args_read(argc, argv, &a);
	if (status)
		return status;
	status = CLI_EXIT_FAILURE;
	if (a.common.help) {
		parse_help(&a.common);
		return CLI_EXIT_OK;
	}
	if (!a.text) {
		cli_error(&a.common, CLI_TEXT(&a.common, "texte manquant ; voir --help",
					      "missing text; see --help"));
		return CLI_EXIT_USAGE;
	}
	if (a.db_given) {
		if (practice_words_read(&a.common, &words) != 0)
			goto out;
		vocabulary = &words.vocabulary;
		if (!a.zone && words.zone[0])
			a.zone = words.zone;
	}
	if (!a.zone)
		a.zone = "Europe/Paris";
	if (tz_open(&tz, a.zone) != 0) {
		cli_error(&a.common, CLI_TEXT(&a.common, "fuseau inconnu « %s » (ex. Europe/Paris)",
					      "unknown time zone '%s' (e.g. Europe/Paris)"),
			  a.zone);
		status = CLI_EXIT_USAGE;
		goto out;
	}
	if (cli_resolve_now(&a.common, tz, &now) != 0) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	err = nlu_create(&nlu, vocabulary);
	if (err) {
		cli_error(&a.common, "nlu_create: %s", strerror(err));
		goto out;
	}
	input = (struct nlu_input){
		.text = a.text,
		.lang = a.common.lang,
		.expect = a.expect,
		.now = now,
		.tz = tz,
		.options = a.option_count ? a.options : NULL,
		.option_count = a.option_count,
	};
	err = nlu_parse(nlu, &input, &result);
	if (err) {
		cli_error(&a.common, "nlu_parse: %s", strerror(err));
		goto out;
	}
	json = nlu_result_json(vocabulary, &result, tz);
	if (!json || json_dumpf(json, stdout,
				JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) != 0) {
		cli_error(&a.common, "JSON: %s", strerror(ENOMEM));
		goto out;
	}
	putchar('\n');
	status = CLI_EXIT_OK;
out:
	json_decref(json);
	nlu_destroy(nlu);
	tz_close(tz);
	practice_words_free(&words);
	return status;
}
