#include <errno.h>
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
			      "Usage : permanence slots --type CODE [OPTIONS]\n\n"
			      "Cherche des créneaux libres, les plus proches d'abord, répartis sur des\n"
			      "demi-journées différentes (sauf --adjacent).\n\n"
			      "  --type CODE            type de rendez-vous (consultation, vaccination...)\n"
			      "  --practitioner NOM     un praticien, ou « any » (défaut) pour n'importe lequel\n"
			      "  --from ISO-8601        début de la recherche (défaut : maintenant)\n"
			      "  --to ISO-8601          fin de la recherche (défaut : l'horizon de réservation)\n"
			      "  --part LISTE           morning, afternoon, evening (séparés par des virgules)\n"
			      "  --weekday LISTE        mon,tue,wed,thu,fri,sat,sun (ou lun,mar,mer,jeu,ven,sam,dim)\n"
			      "  --after HH:MM          le créneau commence à cette heure ou après\n"
			      "  --before HH:MM         le créneau finit à cette heure ou avant\n"
			      "  --count N              nombre de créneaux (1 à 32, défaut 3)\n"
			      "  --adjacent             les premiers créneaux dans l'ordre, sans les répartir\n"
			      "  --urgent               demande urgente du jour : créneaux réservés compris\n"
			      "  --new-patient          pour un nouveau patient\n",
			      "Usage: permanence slots --type CODE [OPTIONS]\n\n"
			      "Searches free slots, soonest first, spread over different half-days\n"
			      "(unless --adjacent).\n\n"
			      "  --type CODE            appointment type (consultation, vaccination...)\n"
			      "  --practitioner NAME    one practitioner, or \"any\" (default)\n"
			      "  --from ISO-8601        start of the search (default: now)\n"
			      "  --to ISO-8601          end of the search (default: the booking horizon)\n"
			      "  --part LIST            morning, afternoon, evening (comma-separated)\n"
			      "  --weekday LIST         mon,tue,wed,thu,fri,sat,sun\n"
			      "  --after HH:MM          the slot starts at or after this time\n"
			      "  --before HH:MM         the slot ends at or before this time\n"
			      "  --count N              how many slots (1 to 32, default 3)\n"
			      "  --adjacent             the first slots in order, not spread\n"
			      "  --urgent               an urgent same-day request: reserved slots included\n"
			      "  --new-patient          for a new patient\n"));
	cli_common_help(common);
}

/* Parse a comma-separated list against names; sets bits (1 << value). Returns 0 or EINVAL. */
static int parse_list(const char *text, const char *const *names, const int *values,
		      size_t count, unsigned *bits)
{
	char buf[128];
	char *save = NULL;

	*bits = 0;
	if (strlen(text) >= sizeof(buf))
		return EINVAL;
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i = 0;

		while (i < count && strcmp(tok, names[i]) != 0)
			i++;
		if (i == count)
			return EINVAL;
		*bits |= 1u << values[i];
	}
	return *bits ? 0 : EINVAL;
}

static int parse_weekdays(const char *text, unsigned *bits)
{
	static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun",
					    "lun", "mar", "mer", "jeu", "ven", "sam", "dim"};
	static const int values[] = {1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7};

	return parse_list(text, names, values, 14, bits);
}

static int parse_parts(const char *text, unsigned *parts)
{
	static const char *const names[] = {"morning", "afternoon", "evening",
					    "matin", "apres-midi", "soir"};
	static const int values[] = {0, 1, 2, 0, 1, 2};

	return parse_list(text, names, values, 6, parts);
}

struct slots_options {
	const char *type;
	const char *practitioner;
	const char *from;
	const char *to;
	const char *parts;
	const char *weekdays;
	const char *after;
	const char *before;
	const char *count;
	bool adjacent;
	bool urgent;
	bool new_patient;
};

static int parse_options(struct cli_common *common, struct slots_options *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **value = NULL;
		int used = cli_common_option(common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(arg, "--adjacent") == 0) {
			o->adjacent = true;
			continue;
		}
		if (strcmp(arg, "--urgent") == 0) {
			o->urgent = true;
			continue;
		}
		if (strcmp(arg, "--new-patient") == 0) {
			o->new_patient = true;
			continue;
		}
		if (strcmp(arg, "--type") == 0)
			value = &o->type;
		else if (strcmp(arg, "--practitioner") == 0)
			value = &o->practitioner;
		else if (strcmp(arg, "--from") == 0)
			value = &o->from;
		else if (strcmp(arg, "--to") == 0)
			value = &o->to;
		else if (strcmp(arg, "--part") == 0)
			value = &o->parts;
		else if (strcmp(arg, "--weekday") == 0)
			value = &o->weekdays;
		else if (strcmp(arg, "--after") == 0)
			value = &o->after;
		else if (strcmp(arg, "--before") == 0)
			value = &o->before;
		else if (strcmp(arg, "--count") == 0)
			value = &o->count;
		if (!value || i + 1 >= argc) {
			cli_error(common, CLI_TEXT(common, "option inconnue ou incomplète « %s » ; voir --help",
						   "unknown or incomplete option '%s'; see --help"),
				  arg);
			return CLI_EXIT_USAGE;
		}
		*value = argv[++i];
	}
	return 0;
}

/* Fill the query from the options; prints the error and returns the exit status. */
static int build_query(const struct cli_common *common, const struct slots_options *o,
		       struct agenda *agenda, int64_t now, struct sched_query *q)
{
	const struct tz *tz = agenda_tz(agenda);
	char *end = NULL;

	memset(q, 0, sizeof(*q));
	q->now = now;
	q->latest_min = 1440;
	q->max_results = 3;
	q->adjacent = o->adjacent;
	q->urgent = o->urgent;
	q->new_patient = o->new_patient;
	q->type = o->type ? agenda_type_find(agenda, o->type) : -1;
	if (q->type < 0) {
		cli_type_error(common, agenda, o->type);
		return CLI_EXIT_USAGE;
	}
	q->practitioner = -1;
	if (o->practitioner && strcmp(o->practitioner, "any") != 0) {
		q->practitioner = agenda_practitioner_find(agenda, o->practitioner);
		if (q->practitioner < 0) {
			cli_practitioner_error(common, agenda, o->practitioner);
			return CLI_EXIT_USAGE;
		}
	}
	q->from = now;
	if (o->from && cli_parse_instant(common, tz, "--from", o->from, &q->from))
		return CLI_EXIT_USAGE;
	q->to = tz_day_start(tz, tz_day_of(tz, now) + agenda_practice(agenda)->booking_horizon_days + 1);
	if (o->to && cli_parse_instant(common, tz, "--to", o->to, &q->to))
		return CLI_EXIT_USAGE;
	if (q->from >= q->to) {
		cli_error(common, CLI_TEXT(common, "--from doit précéder --to", "--from must be before --to"));
		return CLI_EXIT_USAGE;
	}
	if (o->parts && parse_parts(o->parts, &q->parts) != 0) {
		cli_error(common, CLI_TEXT(common, "--part invalide « %s » : morning, afternoon, evening",
					   "invalid --part '%s': morning, afternoon, evening"),
			  o->parts);
		return CLI_EXIT_USAGE;
	}
	/* parse_list sets bit (1 << index); parts are bits 0x1, 0x2, 0x4 already. */
	if (o->weekdays && parse_weekdays(o->weekdays, &q->weekdays) != 0) {
		cli_error(common, CLI_TEXT(common, "--weekday invalide « %s » : mon,tue,wed,thu,fri,sat,sun",
					   "invalid --weekday '%s': mon,tue,wed,thu,fri,sat,sun"),
			  o->weekdays);
		return CLI_EXIT_USAGE;
	}
	if ((o->after && civil_minutes_parse(o->after, &q->earliest_min) != 0) ||
	    (o->before && civil_minutes_parse(o->before, &q->latest_min) != 0) ||
	    q->earliest_min >= q->latest_min) {
		cli_error(common, CLI_TEXT(common, "--after/--before invalides : HH:MM, --after avant --before",
					   "invalid --after/--before: HH:MM, --after before --before"));
		return CLI_EXIT_USAGE;
	}
	if (o->count) {
		long n = strtol(o->count, &end, 10);

		if (*end || n < 1 || n > SCHED_MAX_RESULTS) {
			cli_error(common, CLI_TEXT(common, "--count invalide « %s » : de 1 à 32",
						   "invalid --count '%s': 1 to 32"),
				  o->count);
			return CLI_EXIT_USAGE;
		}
		q->max_results = (size_t)n;
	}
	return 0;
}

int cmd_slots(int argc, char **argv)
{
	struct cli_common common;
	struct slots_options options = {0};
	struct sched_query query;
	struct sched_slot slots[SCHED_MAX_RESULTS];
	enum sched_verdict verdict = SCHED_OK;
	struct store *st;
	struct agenda *agenda;
	size_t count = 0;
	int64_t now;
	int status, err;

	cli_common_init(&common, "slots");
	status = parse_options(&common, &options, argc, argv);
	if (status)
		return status;
	if (common.help) {
		usage(&common);
		return CLI_EXIT_OK;
	}
	status = cli_open_agenda(&common, false, &st, &agenda);
	if (status)
		return status;
	status = cli_resolve_now(&common, agenda_tz(agenda), &now);
	if (!status)
		status = build_query(&common, &options, agenda, now, &query);
	if (status)
		goto out;

	err = agenda_search(agenda, &query, slots, &count, &verdict);
	if (err == EPERM) {
		status = cli_verdict_status(&common, verdict);
		goto out;
	}
	if (err) {
		cli_error(&common, CLI_TEXT(&common, "recherche impossible : %s", "search failed: %s"),
			  err == EINVAL ? strerror(err) : store_errmsg(st));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	if (common.json) {
		json_t *items = json_array();

		for (size_t i = 0; i < count; i++) {
			char name[200];

			agenda_practitioner_name(agenda, slots[i].practitioner, name, sizeof(name));
			json_array_append_new(
				items, json_pack("{s:o, s:o, s:s, s:s}", "start",
						 cli_instant_json(agenda_tz(agenda), slots[i].start), "end",
						 cli_instant_json(agenda_tz(agenda), slots[i].end),
						 "practitioner", name, "type",
						 agenda_type(agenda, query.type)->code));
		}
		cli_print_json(json_pack("{s:o}", "slots", items));
	} else {
		for (size_t i = 0; i < count; i++) {
			char when[80], name[200];

			cli_format_when(&common, agenda_tz(agenda), slots[i].start, when, sizeof(when));
			agenda_practitioner_name(agenda, slots[i].practitioner, name, sizeof(name));
			printf("%s  %s\n", when, name);
		}
		if (count == 0)
			printf("%s", CLI_TEXT(&common, "Aucun créneau libre.\n", "No free slot.\n"));
	}
out:
	cli_close_agenda(st, agenda);
	return status;
}
