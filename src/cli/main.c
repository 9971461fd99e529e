#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

static const struct cli_command commands[] = {
	{"init", cmd_init, "crée une base de données (--demo : le cabinet de démonstration)",
	 "create a database (--demo: the demo practice)"},
	{"agenda", cmd_agenda, "affiche les rendez-vous d'un jour ou d'une semaine",
	 "show the appointments of a day or a week"},
	{"slots", cmd_slots, "cherche des créneaux libres", "search free slots"},
	{"book", cmd_book, "prend un rendez-vous", "book an appointment"},
	{"cancel", cmd_cancel, "annule un rendez-vous", "cancel an appointment"},
	{"move", cmd_move, "déplace un rendez-vous", "move an appointment"},
	{"chat", cmd_chat, "parle à l'assistant dans le terminal", "talk to the assistant in a terminal"},
	{"calls", cmd_calls, "liste les appels, les plus récents d'abord", "list calls, newest first"},
	{"tasks", cmd_tasks, "liste les tâches de l'équipe, urgences d'abord",
	 "list staff tasks, emergencies first"},
	{"user", cmd_user, "gère les comptes du tableau de bord (add, list, disable, passwd)",
	 "manage the dashboard's accounts (add, list, disable, passwd)"},
	{"serve", cmd_serve, "répond aux appels et sert le tableau de bord",
	 "answer calls and serve the dashboard"},
	{"version", cmd_version, "affiche la version", "print the version"},
	{"parse", cmd_parse, "comprend un énoncé (intention, urgence, entités)",
	 "understand one utterance (intent, urgency, entities)"},
	{"eval", cmd_eval, "mesure la compréhension et la reconnaissance vocale sur les corpus de test",
	 "score language understanding and speech recognition on the test corpora"},
};

static void usage(FILE *out, bool english)
{
	fprintf(out, english ? "Usage: permanence COMMAND [OPTIONS]\n\nCommands:\n"
			     : "Usage : permanence COMMANDE [OPTIONS]\n\nCommandes :\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			english ? commands[i].summary_en : commands[i].summary_fr);
	fprintf(out, english ? "\n'permanence COMMAND --help' describes a command.\n"
			     : "\n« permanence COMMANDE --help » décrit une commande.\n");
}

static bool wants_english(int argc, char **argv)
{
	const char *env = getenv("PERMANENCE_LANG");
	bool english = env && strcmp(env, "en") == 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--lang=en") == 0 ||
		    (strcmp(argv[i], "--lang") == 0 && i + 1 < argc && strcmp(argv[i + 1], "en") == 0))
			english = true;
	}
	return english;
}

int main(int argc, char **argv)
{
	bool english = wants_english(argc, argv);
	const char *level = getenv("PERMANENCE_LOG_LEVEL");
	enum log_level parsed;

	/* One-shot commands print their own results: only warnings and errors are logged,
	 * unless PERMANENCE_LOG_LEVEL says otherwise. Long-running commands raise it. */
	log_set_level(LOGL_WARNING);
	if (level && log_level_parse(level, &parsed) == 0)
		log_set_level(parsed);

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout, english);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("permanence %s\n", PERMANENCE_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr,
		english ? "permanence: unknown command '%s'; 'permanence --help' lists them\n"
			: "permanence : commande inconnue « %s » ; « permanence --help » les liste\n",
		argv[1]);
	return CLI_EXIT_USAGE;
}
