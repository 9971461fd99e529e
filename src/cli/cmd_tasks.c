/* permanence tasks: the staff's tasks, emergencies and urgent ones first. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "cli_agenda.h"
#include "phone.h"
#include "tz.h"

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence tasks [--db CHEMIN] [--json] [--all]\n\n"
			      "Liste les tâches de l'équipe créées par l'assistant (rappels, ordonnances,\n"
			      "résultats, documents, urgences), les urgences vitales puis urgentes d'abord,\n"
			      "les plus anciennes d'abord à priorité égale.\n\n"
			      "  --all            aussi les tâches terminées\n\n",
			      "Usage: permanence tasks [--db PATH] [--json] [--all]\n\n"
			      "Lists the staff tasks the assistant created (callbacks, prescriptions,\n"
			      "results, documents, emergencies), emergencies then urgent ones first, the\n"
			      "oldest first within a priority.\n\n"
			      "  --all            include finished tasks\n\n"));
	cli_common_help(common);
}

static const char *priority_label(const struct cli_common *common, int priority)
{
	switch (priority) {
	case 0:
		return CLI_TEXT(common, "URGENCE VITALE", "EMERGENCY");
	case 1:
		return CLI_TEXT(common, "urgent", "urgent");
	default:
		return CLI_TEXT(common, "normal", "normal");
	}
}

static json_t *task_json(const struct tz *tz, const struct store_task *t)
{
	json_t *details = json_loads(t->details_json && t->details_json[0] ? t->details_json : "{}",
				     0, NULL);
	json_t *out = json_pack("{s:I, s:o, s:o, s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "id",
				(json_int_t)t->id, "created", cli_instant_json(tz, t->created_utc),
				"updated", cli_instant_json(tz, t->updated_utc), "kind", t->kind,
				"priority", t->priority, "status", t->status, "call_id", t->call_id,
				"caller_number", t->caller_number, "summary", t->summary, "assignee",
				t->assignee);

	json_object_set_new(out, "patient_id",
			    t->patient_id ? json_integer(t->patient_id) : json_null());
	json_object_set_new(out, "practitioner_id",
			    t->practitioner_id ? json_integer(t->practitioner_id) : json_null());
	json_object_set_new(out, "done",
			    t->done_utc ? cli_instant_json(tz, t->done_utc) : json_null());
	json_object_set_new(out, "details", details ? details : json_object());
	return out;
}

static void print_task(const struct cli_common *common, const struct tz *tz,
		       const struct store_task *t)
{
	struct civil_time c = tz_to_local(tz, t->created_utc, NULL);
	char number[40];

	if (t->caller_number[0])
		phone_format_national(t->caller_number, number, sizeof(number));
	else
		snprintf(number, sizeof(number), "-");
	printf("#%-4lld %-14s %04d-%02d-%02d %02d:%02d  %-12s %-8s %-16s %s\n", (long long)t->id,
	       priority_label(common, t->priority), c.year, c.month, c.day, c.hour, c.minute,
	       t->kind, t->status, number, t->summary);
}

int cmd_tasks(int argc, char **argv)
{
	struct cli_common common;
	struct store *st;
	struct agenda *agenda;
	struct store_task *list = NULL;
	size_t count = 0;
	bool all = false;
	int status, err;

	cli_common_init(&common, "tasks");
	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(&common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--all") == 0) {
			all = true;
			continue;
		}
		cli_error(&common, CLI_TEXT(&common, "option inconnue « %s » ; voir --help",
					    "unknown option '%s'; see --help"),
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
	err = store_tasks_list(st, !all, &list, &count);
	if (err) {
		cli_error(&common, CLI_TEXT(&common, "lecture des tâches impossible : %s",
					    "reading the tasks failed: %s"),
			  store_errmsg(st));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	if (common.json) {
		json_t *tasks = json_array();

		for (size_t i = 0; i < count; i++)
			json_array_append_new(tasks, task_json(agenda_tz(agenda), &list[i]));
		cli_print_json(json_pack("{s:o}", "tasks", tasks));
	} else if (count == 0) {
		printf("%s\n", CLI_TEXT(&common, "Aucune tâche.", "No tasks."));
	} else {
		for (size_t i = 0; i < count; i++)
			print_task(&common, agenda_tz(agenda), &list[i]);
	}
	store_tasks_free(list, count);
out:
	cli_close_agenda(st, agenda);
	return status;
}
