#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "civil.h"
#include "store.h"
#include "tz.h"

void cli_common_init(struct cli_common *common, const char *command)
{
	const char *lang = getenv("PERMANENCE_LANG");

	memset(common, 0, sizeof(*common));
	common->command = command;
	common->db_path = cli_default_db_path();
	common->lang = lang && strcmp(lang, "en") == 0 ? NLU_LANG_EN : NLU_LANG_FR;
}

const char *cli_default_db_path(void)
{
	const char *path = getenv("PERMANENCE_DB");

	return path && path[0] ? path : "permanence.db";
}

void cli_error(const struct cli_common *common, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "permanence %s: ", common->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The value of an option given as "--name value" or "--name=value". */
static const char *option_value(const char *name, int argc, char **argv, int *index,
				bool *matched)
{
	const char *arg = argv[*index];
	size_t len = strlen(name);

	*matched = false;
	if (strncmp(arg, name, len) != 0)
		return NULL;
	if (arg[len] == '=') {
		*matched = true;
		return arg + len + 1;
	}
	if (arg[len] != '\0')
		return NULL;
	*matched = true;
	if (*index + 1 >= argc)
		return NULL;
	return argv[++*index];
}

int cli_common_option(struct cli_common *common, int argc, char **argv, int *index)
{
	const char *arg = argv[*index];
	const char *value;
	bool matched;

	if (strcmp(arg, "--json") == 0) {
		common->json = true;
		return 1;
	}
	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		common->help = true;
		return 1;
	}
	value = option_value("--db", argc, argv, index, &matched);
	if (matched) {
		if (!value || !value[0]) {
			cli_error(common, "--db needs a path to a database file");
			return -1;
		}
		common->db_path = value;
		return 1;
	}
	value = option_value("--now", argc, argv, index, &matched);
	if (matched) {
		if (!value || !value[0]) {
			cli_error(common, "--now needs an ISO 8601 time such as 2026-03-30T08:30:00+02:00");
			return -1;
		}
		common->now_text = value;
		return 1;
	}
	value = option_value("--lang", argc, argv, index, &matched);
	if (matched) {
		if (value && strcmp(value, "fr") == 0) {
			common->lang = NLU_LANG_FR;
		} else if (value && strcmp(value, "en") == 0) {
			common->lang = NLU_LANG_EN;
		} else {
			cli_error(common, "invalid --lang '%s': use fr or en", value ? value : "");
			return -1;
		}
		return 1;
	}
	return 0;
}

void cli_common_help(const struct cli_common *common)
{
	if (common->lang == NLU_LANG_EN) {
		printf("Common options:\n"
		       "  --db PATH        database file (default: $PERMANENCE_DB or permanence.db)\n"
		       "  --now ISO-8601   pin the clock, e.g. 2026-03-30T08:30:00+02:00\n"
		       "  --json           machine-readable output\n"
		       "  --lang fr|en     language of the output (default: fr)\n"
		       "  --help           this help\n");
	} else {
		printf("Options communes :\n"
		       "  --db CHEMIN      fichier de base de données (défaut : $PERMANENCE_DB ou permanence.db)\n"
		       "  --now ISO-8601   fixe l'horloge, par ex. 2026-03-30T08:30:00+02:00\n"
		       "  --json           sortie lisible par un programme\n"
		       "  --lang fr|en     langue de la sortie (défaut : fr)\n"
		       "  --help           cette aide\n");
	}
}

const char *cli_reason(const struct cli_common *common, const char *why)
{
	static const struct {
		const char *en;
		const char *fr;
	} reasons[] = {
		{"this date does not exist", "cette date n'existe pas"},
		{"this local time is skipped by a daylight-saving change",
		 "cette heure n'existe pas ce jour-là (passage à l'heure d'été)"},
		{"expected YYYY-MM-DD at the start", "la date doit commencer par AAAA-MM-JJ"},
		{"expected HH:MM after the date", "il faut HH:MM après la date"},
		{"expected two digits of seconds", "les secondes s'écrivent sur deux chiffres"},
		{"expected Z or an offset such as +02:00 at the end",
		 "il faut Z ou un décalage comme +02:00 à la fin"},
		{"hour, minute or second out of range", "heure, minute ou seconde hors limites"},
	};

	if (!why)
		return "?";
	if (common->lang == NLU_LANG_EN)
		return why;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (strcmp(why, reasons[i].en) == 0)
			return reasons[i].fr;
	}
	return why;
}

int cli_resolve_now(const struct cli_common *common, const struct tz *tz, int64_t *now)
{
	const char *why = NULL;
	int err;

	if (!common->now_text) {
		*now = (int64_t)time(NULL);
		return 0;
	}
	err = tz_parse_iso8601(tz, common->now_text, now, &why);
	if (err) {
		cli_error(common, CLI_TEXT(common, "--now invalide « %s » : %s", "invalid --now '%s': %s"),
			  common->now_text, cli_reason(common, why));
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int cli_open_agenda(const struct cli_common *common, bool write, struct store **st,
		    struct agenda **agenda)
{
	char message[300];
	const char *why = NULL;
	int err;

	*st = NULL;
	*agenda = NULL;
	err = store_open(st, common->db_path, write ? 0 : STORE_READONLY, &why);
	if (err == ENOENT) {
		cli_error(common,
			  CLI_TEXT(common,
				   "base de données introuvable : %s ; créez-la avec « permanence init --demo »",
				   "database not found: %s; create it with 'permanence init --demo'"),
			  common->db_path);
		return CLI_EXIT_FAILURE;
	}
	if (err) {
		cli_error(common, CLI_TEXT(common, "impossible d'ouvrir %s : %s", "cannot open %s: %s"),
			  common->db_path, why ? why : strerror(err));
		return CLI_EXIT_FAILURE;
	}
	err = agenda_open(agenda, *st, message, sizeof(message));
	if (err) {
		cli_error(common, CLI_TEXT(common, "%s : règles de l'agenda invalides : %s",
					   "%s: invalid agenda rules: %s"),
			  common->db_path, message);
		store_close(*st);
		*st = NULL;
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

void cli_close_agenda(struct store *st, struct agenda *agenda)
{
	agenda_close(agenda);
	store_close(st);
}

void cli_format_when(const struct cli_common *common, const struct tz *tz, int64_t instant,
		     char *buf, size_t size)
{
	static const char *const days_fr[] = {"", "lundi", "mardi", "mercredi", "jeudi",
					      "vendredi", "samedi", "dimanche"};
	static const char *const days_en[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday",
					      "Friday", "Saturday", "Sunday"};
	static const char *const months_fr[] = {"", "janvier", "février", "mars", "avril",
						"mai", "juin", "juillet", "août", "septembre",
						"octobre", "novembre", "décembre"};
	static const char *const months_en[] = {"", "January", "February", "March", "April",
						"May", "June", "July", "August", "September",
						"October", "November", "December"};
	struct civil_time t = tz_to_local(tz, instant, NULL);
	int weekday = civil_weekday(civil_days_from_date(t.year, t.month, t.day));

	if (common->lang == NLU_LANG_EN)
		snprintf(buf, size, "%s %d %s %d at %02d:%02d", days_en[weekday], t.day,
			 months_en[t.month], t.year, t.hour, t.minute);
	else
		snprintf(buf, size, "%s %d %s %d à %02d h %02d", days_fr[weekday], t.day,
			 months_fr[t.month], t.year, t.hour, t.minute);
}
