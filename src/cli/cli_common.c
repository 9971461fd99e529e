#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
			  common->now_text, why ? why : "?");
		return 1;
	}
	return 0;
}
