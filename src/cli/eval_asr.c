/*
 * `permanence eval asr [--corpus DIR] [--http-url URL] [--details] [--json]`: speech
 * recognition accuracy on the audio corpus, per engine, expectation and condition.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "speech_eval.h"

static void eval_asr_help(const struct cli_common *common)
{
	if (common->lang == NLU_LANG_EN)
		printf("Usage: permanence eval asr [--corpus DIR] [--http-url URL] [--http-model NAME]\n"
		       "                          [--details] [--json]\n\n"
		       "Measures speech recognition accuracy on the test corpus, per engine,\n"
		       "expectation and condition (clean, G.711 A-law).\n"
		       "  --corpus DIR      folder holding audio/ (default: $PERMANENCE_CORPUS_DIR,\n"
		       "                    else tests/corpus of the source tree)\n"
		       "  --http-url URL    also send the French commands to this transcription server\n"
		       "  --http-model NAME model named in those requests (default: whisper-1)\n"
		       "  --details         one tab-separated line per utterance on standard error\n");
	else
		printf("Usage : permanence eval asr [--corpus DOSSIER] [--http-url URL] [--http-model NOM]\n"
		       "                            [--details] [--json]\n\n"
		       "Mesure la précision de la reconnaissance vocale sur le corpus de test, par\n"
		       "moteur, attente et condition (propre, G.711 loi A).\n"
		       "  --corpus DOSSIER  dossier contenant audio/ (défaut : $PERMANENCE_CORPUS_DIR,\n"
		       "                    sinon tests/corpus des sources)\n"
		       "  --http-url URL    envoie aussi les commandes françaises à ce serveur\n"
		       "  --http-model NOM  modèle nommé dans ces requêtes (défaut : whisper-1)\n"
		       "  --details         une ligne par énoncé, séparée par des tabulations, sur la\n"
		       "                    sortie d'erreur\n");
	cli_common_help(common);
}

static void print_json(const struct speech_eval_report *report)
{
	json_t *root = json_object(), *rows = json_array();
	char *text;

	for (size_t i = 0; i < report->count; i++) {
		const struct speech_eval_row *row = &report->rows[i];
		json_t *item = json_pack(
			"{s:s, s:s, s:s, s:s, s:i, s:i, s:f, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, "
			"s:f}",
			"engine", row->engine, "set", row->set, "expectation", row->expectation,
			"condition", row->condition, "utterances", (int)row->utterances, "correct",
			(int)row->correct, "accuracy", speech_eval_accuracy(row), "accepted",
			(int)row->accepted, "accepted_correct", (int)row->accepted_correct,
			"out_of_grammar", (int)row->oov, "out_of_grammar_accepted",
			(int)row->oov_accepted, "words", (int)row->words, "word_errors",
			(int)row->word_errors, "wer", speech_eval_wer(row), "audio_seconds",
			row->audio_s, "real_time_factor", speech_eval_rtf(row));

		json_array_append_new(rows, item);
	}
	json_object_set_new(root, "results", rows);
	json_object_set_new(root, "decoder_kb", json_integer(report->decoder_kb));
	text = json_dumps(root, JSON_INDENT(2));
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(root);
}

static void print_table(const struct cli_common *common, const struct speech_eval_report *report)
{
	printf(CLI_TEXT(common,
			"%-13s %-12s %-9s %-6s %5s %8s %7s %9s %11s %6s\n",
			"%-13s %-12s %-9s %-6s %5s %8s %7s %9s %11s %6s\n"),
	       CLI_TEXT(common, "moteur", "engine"), CLI_TEXT(common, "ensemble", "set"),
	       CLI_TEXT(common, "attente", "expect"), "cond.", "n",
	       CLI_TEXT(common, "exacts", "accuracy"), "WER", CLI_TEXT(common, "acceptés", "accepted"),
	       CLI_TEXT(common, "hors gram.", "OOV accepted"), "RTF");
	for (size_t i = 0; i < report->count; i++) {
		const struct speech_eval_row *row = &report->rows[i];
		char oov[24] = "-";

		if (row->oov)
			snprintf(oov, sizeof(oov), "%u/%u", row->oov_accepted, row->oov);
		printf("%-13s %-12s %-9s %-6s %5u %7.1f%% %6.1f%% %4u (%2.0f%%) %11s %6.3f\n",
		       row->engine, row->set, row->expectation, row->condition, row->utterances,
		       100.0 * speech_eval_accuracy(row), 100.0 * speech_eval_wer(row),
		       row->accepted_correct,
		       row->accepted ? 100.0 * row->accepted_correct / row->accepted : 0.0, oov,
		       speech_eval_rtf(row));
	}
	if (report->decoder_kb >= 0)
		printf(CLI_TEXT(common, "\nmémoire d'un décodeur pocketsphinx : %ld Kio\n",
				"\nmemory of one pocketsphinx decoder: %ld KiB\n"),
		       report->decoder_kb);
	printf(CLI_TEXT(common,
			"« acceptés » : résultats acceptés qui sont exacts (et leur part parmi "
			"les acceptés).\n",
			"\"accepted\": accepted results that are correct (and their share of the "
			"accepted).\n"));
}

static int eval_asr(int argc, char **argv)
{
	struct cli_common common;
	struct speech_eval_options options = {0};
	struct speech_eval_report report;
	const char *corpus = getenv("PERMANENCE_CORPUS_DIR");
	char default_corpus[1024];
	int err;

	cli_common_init(&common, "eval asr");
	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(&common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used > 0)
			continue;
		if (strcmp(argv[i], "--details") == 0) {
			options.details = stderr;
		} else if ((strcmp(argv[i], "--corpus") == 0 || strcmp(argv[i], "--http-url") == 0 ||
			    strcmp(argv[i], "--http-model") == 0) && i + 1 < argc) {
			const char *name = argv[i++];

			if (strcmp(name, "--corpus") == 0)
				corpus = argv[i];
			else if (strcmp(name, "--http-url") == 0)
				options.http_url = argv[i];
			else
				options.http_model = argv[i];
		} else {
			cli_error(&common, CLI_TEXT(&common, "option inconnue ou incomplète « %s »",
						    "unknown or incomplete option '%s'"),
				  argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (common.help) {
		eval_asr_help(&common);
		return CLI_EXIT_OK;
	}
	if (!corpus || !corpus[0]) {
		snprintf(default_corpus, sizeof(default_corpus), "%s/tests/corpus",
			 PERMANENCE_SOURCE_DIR);
		corpus = default_corpus;
	}
	options.corpus_dir = corpus;
	/* Engines log every utterance at INFO; the table is the output here. */
	if (log_get_level() == LOGL_INFO)
		log_set_level(LOGL_WARNING);

	err = speech_eval_asr(&options, &report);
	if (err) {
		cli_error(&common, CLI_TEXT(&common, "évaluation impossible avec le corpus %s (erreur %d)",
					    "evaluation failed with corpus %s (error %d)"),
			  corpus, err);
		return CLI_EXIT_FAILURE;
	}
	if (common.json)
		print_json(&report);
	else
		print_table(&common, &report);
	return CLI_EXIT_OK;
}

int eval_asr_main(int argc, char **argv)
{
	return eval_asr(argc, argv);
}
