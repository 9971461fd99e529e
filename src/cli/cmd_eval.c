/*
 * `permanence eval datetime [--corpus DIR] [--rules DIR] [--failures] [--json]`: accuracy
 * of the date and time parser on the peer corpora, per file, against the targets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eval_datetime.h"
#include "eval_nlu.h"
#include "nlu.h"

static void usage(const struct cli_common *common)
{
	if (common->lang == NLU_LANG_EN)
		printf("Usage: permanence eval datetime [OPTIONS]\n\n"
		       "Scores the date and time parser on tests/corpus/datetime, per file.\n"
		       "Exit status 1 when a file with a target scores below it.\n\n"
		       "  --corpus DIR     corpus folder (default: %s/tests/corpus/datetime)\n"
		       "  --rules DIR      scope and differences files (default: %s/tests/nlu)\n"
		       "  --failures       list each failed row on standard error\n"
		       "  --propose-differences\n"
		       "                   print each failed row as a differences-file row holding\n"
		       "                   the product's value, to review (no table)\n",
		       PERMANENCE_SOURCE_DIR, PERMANENCE_SOURCE_DIR);
	else
		printf("Usage : permanence eval datetime [OPTIONS]\n\n"
		       "Mesure l'analyse des dates et heures sur tests/corpus/datetime, par fichier.\n"
		       "Code de sortie 1 quand un fichier doté d'un objectif est en dessous.\n\n"
		       "  --corpus DOSSIER dossier du corpus (défaut : %s/tests/corpus/datetime)\n"
		       "  --rules DOSSIER  fichiers de périmètre et d'écarts (défaut : %s/tests/nlu)\n"
		       "  --failures       liste chaque ligne en échec sur la sortie d'erreur\n"
		       "  --propose-differences\n"
		       "                   écrit chaque ligne en échec au format du fichier des écarts,\n"
		       "                   avec la valeur du produit, à relire (pas de tableau)\n",
		       PERMANENCE_SOURCE_DIR, PERMANENCE_SOURCE_DIR);
	cli_common_help(common);
}

static void print_text(const struct cli_common *common, const struct eval_report *report)
{
	bool en = common->lang == NLU_LANG_EN;

	printf(en ? "%-34s %6s %8s %7s %6s %9s %7s\n" : "%-34s %6s %8s %7s %6s %9s %7s\n",
	       en ? "file" : "fichier", en ? "rows" : "lignes", en ? "in scope" : "périmètre",
	       en ? "passed" : "réussies", en ? "diffs" : "écarts", en ? "accuracy" : "exactitude",
	       en ? "target" : "objectif");
	for (size_t i = 0; i < report->count; i++) {
		const struct eval_suite *s = &report->suite[i];
		char target[16] = "-";

		if (s->target > 0)
			snprintf(target, sizeof(target), "%.0f %%", s->target);
		printf("%-34s %6zu %8zu %7zu %6zu %7.1f %% %7s%s\n", s->file, s->rows, s->in_scope,
		       s->passed, s->differences, eval_suite_accuracy(s), target,
		       eval_suite_meets_target(s) ? "" : (en ? "  BELOW TARGET" : "  SOUS L'OBJECTIF"));
	}
}

static void print_json(const struct eval_report *report)
{
	printf("{\"suites\":[");
	for (size_t i = 0; i < report->count; i++) {
		const struct eval_suite *s = &report->suite[i];

		char target[16] = "null";

		if (s->target > 0)
			snprintf(target, sizeof(target), "%.0f", s->target);
		printf("%s{\"file\":\"%s\",\"rows\":%zu,\"in_scope\":%zu,\"passed\":%zu,"
		       "\"differences\":%zu,\"accuracy\":%.2f,\"target\":%s,\"meets_target\":%s}",
		       i ? "," : "", s->file, s->rows, s->in_scope, s->passed, s->differences,
		       eval_suite_accuracy(s), target, eval_suite_meets_target(s) ? "true" : "false");
	}
	printf("]}\n");
}

int cmd_eval(int argc, char **argv)
{
	struct cli_common common;
	struct eval_options options;
	struct eval_report *report = NULL;
	struct nlu *nlu = NULL;
	char corpus[1024], rules[1024], why[1200];
	int status = CLI_EXIT_OK, err;

	cli_common_init(&common, "eval");
	snprintf(corpus, sizeof(corpus), "%s/tests/corpus/datetime", PERMANENCE_SOURCE_DIR);
	snprintf(rules, sizeof(rules), "%s/tests/nlu", PERMANENCE_SOURCE_DIR);
	memset(&options, 0, sizeof(options));
	options.corpus_dir = corpus;
	options.rules_dir = rules;
	if (argc >= 2 && strcmp(argv[1], "intents") == 0)
		return eval_intents_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "triage") == 0)
		return eval_triage_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "asr") == 0)
		return eval_asr_main(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "datetime") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			usage(&common);
			return CLI_EXIT_OK;
		}
		cli_error(&common, CLI_TEXT(&common, "suite manquante ou inconnue : datetime, intents, triage ou asr",
					    "missing or unknown suite: datetime, intents, triage or asr"));
		return CLI_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		int used = cli_common_option(&common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used > 0)
			continue;
		if ((strcmp(argv[i], "--corpus") == 0 || strcmp(argv[i], "--rules") == 0) &&
		    i + 1 < argc) {
			snprintf(strcmp(argv[i], "--corpus") == 0 ? corpus : rules, 1024, "%s",
				 argv[i + 1]);
			i++;
		} else if (strcmp(argv[i], "--propose-differences") == 0) {
			options.propose = stdout;
		} else if (strcmp(argv[i], "--failures") == 0) {
			options.failures = stderr;
			options.list_differences = true;
		} else {
			cli_error(&common, CLI_TEXT(&common, "option inconnue « %s »", "unknown option '%s'"),
				  argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (common.help) {
		usage(&common);
		return CLI_EXIT_OK;
	}
	report = calloc(1, sizeof(*report));
	if (!report || nlu_create(&nlu, NULL) != 0) {
		cli_error(&common, CLI_TEXT(&common, "impossible de construire l'analyseur",
					    "cannot build the language engine"));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	err = eval_datetime_run(nlu, &options, report, why, sizeof(why));
	if (err) {
		cli_error(&common, "%s", why);
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	if (report->count == 0) {
		cli_error(&common, CLI_TEXT(&common, "aucun fichier du corpus dans %s",
					    "no corpus file in %s"), corpus);
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	if (options.propose)
		;
	else if (common.json)
		print_json(report);
	else
		print_text(&common, report);
	for (size_t i = 0; i < report->count; i++) {
		if (!eval_suite_meets_target(&report->suite[i]))
			status = CLI_EXIT_FAILURE;
	}
out:
	nlu_destroy(nlu);
	free(report);
	return status;
}
