/* Helpers shared by the agenda commands: instants, appointments as JSON and text. */
#include "cli_agenda.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agenda.h"
#include "tz.h"

int cli_parse_instant(const struct cli_common *common, const struct tz *tz, const char *option,
		      const char *text, int64_t *instant)
{
	const char *why = NULL;
	int err = tz_parse_iso8601(tz, text, instant, &why);

	if (!err)
		return 0;
	cli_error(common,
		  CLI_TEXT(common, "%s invalide « %s » : %s (format : 2026-03-30T08:30:00+02:00)",
			   "invalid %s '%s': %s (format: 2026-03-30T08:30:00+02:00)"),
		  option, text, cli_reason(common, why));
	return CLI_EXIT_USAGE;
}

void cli_print_json(struct json_t *document)
{
	json_dumpf(document, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(document);
}

json_t *cli_instant_json(const struct tz *tz, int64_t instant)
{
	char buf[40];

	tz_format_iso8601(tz, instant, buf, sizeof(buf));
	return json_string(buf);
}

json_t *cli_appointment_json(struct agenda *agenda, const struct store_appointment *a)
{
	const struct tz *tz = agenda_tz(agenda);
	const struct store_appointment_type *type =
		agenda_type(agenda, agenda_type_index(agenda, a->type_id));
	struct store_patient patient;
	char practitioner[200];
	json_t *out;

	agenda_practitioner_name(agenda, agenda_practitioner_index(agenda, a->practitioner_id),
				 practitioner, sizeof(practitioner));
	out = json_pack("{s:I, s:o, s:o, s:s, s:s, s:s, s:b, s:s, s:s}", "id", (json_int_t)a->id,
			"start", cli_instant_json(tz, a->start_utc), "end",
			cli_instant_json(tz, a->end_utc), "practitioner", practitioner, "type",
			type ? type->code : "?", "status", store_appointment_status_name(a->status),
			"urgent", a->urgent, "reason", a->reason, "source", a->source);
	if (store_patient_get(agenda_store(agenda), a->patient_id, &patient) == 0)
		json_object_set_new(out, "patient",
				    json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)patient.id,
					      "last_name", patient.last_name, "first_name",
					      patient.first_name, "birth_date", patient.birth_date));
	if (a->replaced_by)
		json_object_set_new(out, "replaced_by", json_integer(a->replaced_by));
	return out;
}

void cli_appointment_print(const struct cli_common *common, struct agenda *agenda,
			   const struct store_appointment *a)
{
	const struct store_appointment_type *type =
		agenda_type(agenda, agenda_type_index(agenda, a->type_id));
	struct store_patient patient;
	char when[80], practitioner[200];

	cli_format_when(common, agenda_tz(agenda), a->start_utc, when, sizeof(when));
	agenda_practitioner_name(agenda, agenda_practitioner_index(agenda, a->practitioner_id),
				 practitioner, sizeof(practitioner));
	if (store_patient_get(agenda_store(agenda), a->patient_id, &patient) != 0)
		snprintf(patient.last_name, sizeof(patient.last_name), "?");
	printf("#%lld  %s  %s  %s  %s %s%s\n", (long long)a->id, when, practitioner,
	       type ? (common->lang == NLU_LANG_EN ? type->label_en : type->label_fr) : "?",
	       patient.first_name, patient.last_name, a->urgent ? "  [urgent]" : "");
}

int cli_verdict_status(const struct cli_common *common, enum sched_verdict verdict)
{
	cli_error(common, "%s (%s)",
		  sched_verdict_message(verdict, common->lang == NLU_LANG_EN ? "en" : "fr"),
		  sched_verdict_name(verdict));
	return CLI_EXIT_REFUSED;
}

void cli_type_error(const struct cli_common *common, struct agenda *agenda, const char *code)
{
	char codes[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < agenda_type_count(agenda); i++) {
		int n = snprintf(codes + len, sizeof(codes) - len, "%s%s", i ? ", " : "",
				 agenda_type(agenda, (int)i)->code);

		if (n < 0 || (size_t)n >= sizeof(codes) - len)
			break;
		len += (size_t)n;
	}
	if (!code || !code[0])
		cli_error(common, CLI_TEXT(common, "--type manquant ; types du cabinet : %s",
					   "missing --type; the practice's types: %s"),
			  codes);
	else
		cli_error(common, CLI_TEXT(common, "type inconnu « %s » ; types du cabinet : %s",
					   "unknown type '%s'; the practice's types: %s"),
			  code, codes);
}

void cli_practitioner_error(const struct cli_common *common, struct agenda *agenda,
			    const char *name)
{
	char names[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < agenda_practitioner_count(agenda); i++) {
		char one[200];
		int n;

		agenda_practitioner_name(agenda, (int)i, one, sizeof(one));
		n = snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "", one);
		if (n < 0 || (size_t)n >= sizeof(names) - len)
			break;
		len += (size_t)n;
	}
	cli_error(common, CLI_TEXT(common, "praticien inconnu ou ambigu « %s » ; praticiens : %s",
				   "unknown or ambiguous practitioner '%s'; practitioners: %s"),
		  name ? name : "", names);
}
