/* permanence calls: the call records, newest first. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "cli_agenda.h"
#include "phone.h"
#include "tz.h"

/* Calls listed when --limit is not given, and the most --limit accepts. */
#define CALLS_DEFAULT_LIMIT 20
#define CALLS_MAX_LIMIT 1000

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence calls [--db CHEMIN] [--json] [--limit N]\n\n"
			      "Liste les appels, les plus récents d'abord : début, canal, appelant, langue,\n"
			      "durée, issue, urgence, demande et motif. Avec --json, chaque appel a aussi\n"
			      "son résumé structuré et sa transcription.\n\n"
			      "  --limit N        nombre d'appels, de 1 à 1000 (défaut : 20)\n\n",
			      "Usage: permanence calls [--db PATH] [--json] [--limit N]\n\n"
			      "Lists calls, newest first: start, channel, caller, language, duration,\n"
			      "outcome, urgency, request and reason. With --json each call also has its\n"
			      "structured summary and its transcript.\n\n"
			      "  --limit N        number of calls, from 1 to 1000 (default: 20)\n\n"));
	cli_common_help(common);
}

static int parse_limit(const struct cli_common *common, const char *text, size_t *limit)
{
	char *end = NULL;
	long value = strtol(text, &end, 10);

	if (!text[0] || *end || value < 1 || value > CALLS_MAX_LIMIT) {
		cli_error(common, CLI_TEXT(common, "--limit invalide « %s » : un nombre de 1 à %d",
					   "invalid --limit '%s': a number from 1 to %d"),
			  text, CALLS_MAX_LIMIT);
		return CLI_EXIT_USAGE;
	}
	*limit = (size_t)value;
	return 0;
}

static json_t *parsed_or_text(const char *text, const char *empty)
{
	json_t *doc = json_loads(text && text[0] ? text : empty, 0, NULL);

	return doc ? doc : json_string(text ? text : "");
}

static json_t *call_json(const struct tz *tz, const struct store_call *c)
{
	json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s}",
				"id", c->id, "channel", c->channel, "caller_number",
				c->caller_number, "called_number", c->called_number, "lang",
				c->lang, "started", cli_instant_json(tz, c->started_utc), "answered",
				c->answered_utc ? cli_instant_json(tz, c->answered_utc) : json_null(),
				"ended", c->ended_utc ? cli_instant_json(tz, c->ended_utc) : json_null(),
				"outcome", c->outcome, "urgency", c->urgency, "intent", c->intent,
				"reason", c->reason);

	json_object_set_new(out, "duration_s",
			    c->ended_utc ? json_integer(c->ended_utc - c->started_utc) : json_null());
	json_object_set_new(out, "patient_id",
			    c->patient_id ? json_integer(c->patient_id) : json_null());
	json_object_set_new(out, "summary", parsed_or_text(c->summary_json, "{}"));
	json_object_set_new(out, "transcript", parsed_or_text(c->transcript_json, "[]"));
	return out;
}

static void print_call(const struct cli_common *common, const struct tz *tz,
		       const struct store_call *c)
{
	struct civil_time t = tz_to_local(tz, c->started_utc, NULL);
	char caller[40], duration[24];

	if (c->caller_number[0])
		phone_format_national(c->caller_number, caller, sizeof(caller));
	else
		snprintf(caller, sizeof(caller), "%s", CLI_TEXT(common, "masqué", "withheld"));
	if (c->ended_utc)
		snprintf(duration, sizeof(duration), "%lld s", (long long)(c->ended_utc - c->started_utc));
	else
		snprintf(duration, sizeof(duration), "%s", CLI_TEXT(common, "en cours", "ongoing"));
	printf("%04d-%02d-%02d %02d:%02d  %-4s  %-16s  %-2s  %8s  %-11s  %-9s  %-12s  %s\n", t.year,
	       t.month, t.day, t.hour, t.minute, c->channel, caller, c->lang, duration,
	       c->outcome[0] ? c->outcome : "-", c->urgency, c->intent[0] ? c->intent : "-",
	       c->reason);
}

int cmd_calls(int argc, char **argv)
{
	struct cli_common common;
	struct store *st;
	struct agenda *agenda;
	struct store_call *list = NULL;
	size_t count = 0, limit = CALLS_DEFAULT_LIMIT;
	int status, err;

	cli_common_init(&common, "calls");
	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(&common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			status = parse_limit(&common, argv[++i], &limit);
			if (status)
				return status;
			continue;
		}
		cli_error(&common, CLI_TEXT(&common, "option inconnue ou incomplète « %s » ; voir --help",
					    "unknown or incomplete option '%s'; see --help"),
			  argv[i]);
		return CLI_EXIT_USAGE;
	}
	if (common.help) {
		usage(&common);
		return CLI_EXIT_OK;
	}
	status = cli_open_agenda(&common, false, &st, &agenda);
	if (status)
		return status;
	err = store_calls_list(st, limit, 0, &list, &count);
	if (err) {
		cli_error(&common, CLI_TEXT(&common, "lecture des appels impossible : %s",
					    "reading the calls failed: %s"),
			  store_errmsg(st));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	if (common.json) {
		json_t *calls = json_array();

		for (size_t i = 0; i < count; i++)
			json_array_append_new(calls, call_json(agenda_tz(agenda), &list[i]));
		cli_print_json(json_pack("{s:o}", "calls", calls));
	} else if (count == 0) {
		printf("%s\n", CLI_TEXT(&common, "Aucun appel.", "No calls."));
	} else {
		for (size_t i = 0; i < count; i++)
			print_call(&common, agenda_tz(agenda), &list[i]);
	}
	store_calls_free(list, count);
out:
	cli_close_agenda(st, agenda);
	return status;
}
