#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "cli_agenda.h"

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence cancel --id N [--idempotency-key CLÉ]\n\n"
			      "Annule un rendez-vous ; l'historique du rendez-vous le garde.\n",
			      "Usage: permanence cancel --id N [--idempotency-key KEY]\n\n"
			      "Cancels an appointment; the appointment's history keeps it.\n"));
	cli_common_help(common);
}

int cmd_cancel(int argc, char **argv)
{
	struct cli_common common;
	const char *id_text = NULL, *key = NULL;
	struct agenda_outcome outcome;
	struct store *st;
	struct agenda *agenda;
	long long id = 0;
	int64_t now;
	char *end = NULL;
	int status, err;

	cli_common_init(&common, "cancel");
	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(&common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--id") == 0 && i + 1 < argc) {
			id_text = argv[++i];
		} else if (strcmp(argv[i], "--idempotency-key") == 0 && i + 1 < argc) {
			key = argv[++i];
		} else {
			cli_error(&common, CLI_TEXT(&common, "option inconnue ou incomplète « %s » ; voir --help",
						    "unknown or incomplete option '%s'; see --help"),
				  argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (common.help) {
		usage(&common);
		return CLI_EXIT_OK;
	}
	if (id_text)
		id = strtoll(id_text, &end, 10);
	if (!id_text || *end || id <= 0) {
		cli_error(&common, CLI_TEXT(&common, "--id manquant ou invalide : le numéro du rendez-vous",
					    "missing or invalid --id: the appointment number"));
		return CLI_EXIT_USAGE;
	}
	status = cli_open_agenda(&common, true, &st, &agenda);
	if (status)
		return status;
	status = cli_resolve_now(&common, agenda_tz(agenda), &now);
	if (status)
		goto out;
	err = agenda_cancel(agenda, id, "cli", key, now, &outcome);
	if (err == ENOENT || err == EALREADY) {
		cli_error(&common, err == ENOENT ? CLI_TEXT(&common, "rendez-vous %lld introuvable", "appointment %lld not found")
						 : CLI_TEXT(&common, "le rendez-vous %lld n'est plus réservé (annulé ou déplacé)",
							    "appointment %lld is not booked any more (cancelled or moved)"),
			  id);
		status = CLI_EXIT_REFUSED;
		goto out;
	}
	if (err) {
		cli_error(&common, CLI_TEXT(&common, "annulation impossible : %s", "cancelling failed: %s"),
			  store_errmsg(st));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	if (common.json) {
		cli_print_json(json_pack("{s:s, s:b, s:o}", "status", "cancelled", "replayed",
					 outcome.replayed, "appointment",
					 cli_appointment_json(agenda, &outcome.appointment)));
	} else {
		printf("%s", CLI_TEXT(&common, "Annulé : ", "Cancelled: "));
		cli_appointment_print(&common, agenda, &outcome.appointment);
	}
out:
	cli_close_agenda(st, agenda);
	return status;
}
