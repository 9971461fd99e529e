#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "cli_agenda.h"

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence move --id N --start ISO-8601 [--practitioner NOM] [--idempotency-key CLÉ]\n\n"
			      "Déplace un rendez-vous : le nouveau créneau est pris avant que l'ancien soit\n"
			      "libéré, en une seule transaction ; en cas d'échec rien ne change.\n"
			      "Code de sortie 3 : refusé par une règle (créneau pris, cabinet fermé...).\n",
			      "Usage: permanence move --id N --start ISO-8601 [--practitioner NAME] [--idempotency-key KEY]\n\n"
			      "Moves an appointment: the new slot is taken before the old one is released,\n"
			      "in one transaction; on failure nothing changes.\n"
			      "Exit status 3: refused by a rule (slot taken, practice closed...).\n"));
	cli_common_help(common);
}

int cmd_move(int argc, char **argv)
{
	struct cli_common common;
	const char *id_text = NULL, *start = NULL, *practitioner = NULL, *key = NULL;
	struct agenda_move move = {0};
	struct agenda_outcome outcome;
	struct store *st;
	struct agenda *agenda;
	char *end = NULL;
	int status, err;

	cli_common_init(&common, "move");
	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(&common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--id") == 0 && i + 1 < argc) {
			id_text = argv[++i];
		} else if (strcmp(argv[i], "--start") == 0 && i + 1 < argc) {
			start = argv[++i];
		} else if (strcmp(argv[i], "--practitioner") == 0 && i + 1 < argc) {
			practitioner = argv[++i];
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
		move.appointment_id = strtoll(id_text, &end, 10);
	if (!id_text || *end || move.appointment_id <= 0 || !start) {
		cli_error(&common, CLI_TEXT(&common, "--id et --start sont nécessaires", "--id and --start are required"));
		return CLI_EXIT_USAGE;
	}
	status = cli_open_agenda(&common, true, &st, &agenda);
	if (status)
		return status;
	status = cli_resolve_now(&common, agenda_tz(agenda), &move.now);
	if (!status)
		status = cli_parse_instant(&common, agenda_tz(agenda), "--start", start, &move.start);
	if (status)
		goto out;
	move.practitioner = -1;
	if (practitioner) {
		move.practitioner = agenda_practitioner_find(agenda, practitioner);
		if (move.practitioner < 0) {
			cli_practitioner_error(&common, agenda, practitioner);
			status = CLI_EXIT_USAGE;
			goto out;
		}
	}
	move.actor = "cli";
	move.idempotency_key = key;
	err = agenda_move(agenda, &move, &outcome);
	if (err == ENOENT || err == EALREADY) {
		cli_error(&common, err == ENOENT ? CLI_TEXT(&common, "rendez-vous %lld introuvable", "appointment %lld not found")
						 : CLI_TEXT(&common, "le rendez-vous %lld n'est plus réservé (annulé ou déplacé)",
							    "appointment %lld is not booked any more (cancelled or moved)"),
			  (long long)move.appointment_id);
		status = CLI_EXIT_REFUSED;
		goto out;
	}
	if (err) {
		cli_error(&common, CLI_TEXT(&common, "déplacement impossible : %s", "moving failed: %s"),
			  err == EEXIST ? "idempotency key already used for another operation" : store_errmsg(st));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	if (outcome.verdict != SCHED_OK) {
		if (common.json)
			cli_print_json(json_pack("{s:s, s:s}", "status", sched_verdict_name(outcome.verdict),
						 "message", sched_verdict_message(outcome.verdict,
										 common.lang == NLU_LANG_EN ? "en" : "fr")));
		status = cli_verdict_status(&common, outcome.verdict);
		goto out;
	}
	if (common.json) {
		json_t *doc = json_pack("{s:s, s:b, s:o}", "status", "moved", "replayed", outcome.replayed,
					"appointment", cli_appointment_json(agenda, &outcome.appointment));

		if (outcome.previous_id)
			json_object_set_new(doc, "previous_id", json_integer(outcome.previous_id));
		cli_print_json(doc);
	} else {
		printf("%s", CLI_TEXT(&common, "Déplacé : ", "Moved: "));
		cli_appointment_print(&common, agenda, &outcome.appointment);
	}
out:
	cli_close_agenda(st, agenda);
	return status;
}
