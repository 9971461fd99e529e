#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "civil.h"
#include "cli_agenda.h"
#include "tz.h"

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence agenda [--date AAAA-MM-JJ] [--week] [--practitioner NOM]\n\n"
			      "Affiche les rendez-vous d'un jour (aujourd'hui par défaut) ou, avec --week,\n"
			      "de la semaine (du lundi au dimanche) qui contient ce jour.\n\n"
			      "  --date AAAA-MM-JJ     le jour à afficher\n"
			      "  --week                toute la semaine de ce jour\n"
			      "  --practitioner NOM    un seul praticien (« Benali », « Dr Claire Martin »)\n",
			      "Usage: permanence agenda [--date YYYY-MM-DD] [--week] [--practitioner NAME]\n\n"
			      "Shows the appointments of a day (today by default) or, with --week, of the\n"
			      "week (Monday to Sunday) that contains that day.\n\n"
			      "  --date YYYY-MM-DD     the day to show\n"
			      "  --week                the whole week of that day\n"
			      "  --practitioner NAME   one practitioner only (\"Benali\", \"Dr Claire Martin\")\n"));
	cli_common_help(common);
}

/* Time order across practitioners (the store returns them grouped by practitioner). */
static int compare_start(const void *a, const void *b)
{
	const struct store_appointment *x = a, *y = b;

	if (x->start_utc != y->start_utc)
		return x->start_utc < y->start_utc ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int cmd_agenda(int argc, char **argv)
{
	struct cli_common common;
	const char *date = NULL, *practitioner_name = NULL;
	bool week = false;
	struct store *st;
	struct agenda *agenda;
	struct store_appointment *list = NULL;
	size_t count = 0;
	int64_t now, day, from, to;
	int practitioner = -1;
	int status;

	cli_common_init(&common, "agenda");
	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(&common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--week") == 0) {
			week = true;
		} else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc) {
			date = argv[++i];
		} else if (strcmp(argv[i], "--practitioner") == 0 && i + 1 < argc) {
			practitioner_name = argv[++i];
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
	status = cli_open_agenda(&common, false, &st, &agenda);
	if (status)
		return status;
	status = cli_resolve_now(&common, agenda_tz(agenda), &now);
	if (status)
		goto out;
	day = tz_day_of(agenda_tz(agenda), now);
	if (date) {
		struct civil_date d;

		if (civil_date_parse(date, &d) != 0) {
			cli_error(&common, CLI_TEXT(&common, "--date invalide « %s » : attendu AAAA-MM-JJ, un jour qui existe",
						    "invalid --date '%s': expected YYYY-MM-DD, a day that exists"),
				  date);
			status = CLI_EXIT_USAGE;
			goto out;
		}
		day = civil_days_from_date(d.year, d.month, d.day);
	}
	if (practitioner_name) {
		practitioner = agenda_practitioner_find(agenda, practitioner_name);
		if (practitioner < 0) {
			cli_practitioner_error(&common, agenda, practitioner_name);
			status = CLI_EXIT_USAGE;
			goto out;
		}
	}
	if (week)
		day -= civil_weekday(day) - 1;
	from = tz_day_start(agenda_tz(agenda), day);
	to = tz_day_start(agenda_tz(agenda), day + (week ? 7 : 1));
	if (store_appointments_range(st, from, to,
				     practitioner >= 0 ? agenda_practitioner(agenda, practitioner)->id : 0,
				     &list, &count) != 0) {
		cli_error(&common, "%s", store_errmsg(st));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	/* Appointments that started before the range and overlap it are not shown. */
	if (count > 1)
		qsort(list, count, sizeof(list[0]), compare_start);
	if (common.json) {
		json_t *items = json_array();

		for (size_t i = 0; i < count; i++) {
			if (list[i].start_utc >= from)
				json_array_append_new(items, cli_appointment_json(agenda, &list[i]));
		}
		cli_print_json(json_pack("{s:o, s:o, s:o}", "from",
					 cli_instant_json(agenda_tz(agenda), from), "to",
					 cli_instant_json(agenda_tz(agenda), to), "appointments",
					 items));
	} else {
		size_t shown = 0;

		for (size_t i = 0; i < count; i++) {
			if (list[i].start_utc < from)
				continue;
			cli_appointment_print(&common, agenda, &list[i]);
			shown++;
		}
		if (shown == 0)
			printf("%s", CLI_TEXT(&common, "Aucun rendez-vous.\n", "No appointments.\n"));
	}
out:
	free(list);
	cli_close_agenda(st, agenda);
	return status;
}
