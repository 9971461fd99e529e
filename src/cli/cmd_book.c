#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "civil.h"
#include "cli_agenda.h"
#include "phone.h"
#include "tz.h"

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence book --type CODE --practitioner NOM --start ISO-8601 PATIENT [OPTIONS]\n\n"
			      "Prend un rendez-vous après avoir vérifié toutes les règles de l'agenda.\n"
			      "Le patient est désigné par --patient-id, ou retrouvé (et sinon créé) par\n"
			      "son nom et sa date de naissance, ou son numéro de téléphone.\n\n"
			      "  --type CODE             type de rendez-vous\n"
			      "  --practitioner NOM      praticien (« Benali », « Dr Claire Martin »)\n"
			      "  --start ISO-8601        début, par ex. 2026-03-30T08:30:00+02:00\n"
			      "  --patient-id N          un patient existant\n"
			      "  --last-name NOM         nom de famille\n"
			      "  --first-name PRÉNOM     prénom\n"
			      "  --birth-date AAAA-MM-JJ date de naissance\n"
			      "  --phone NUMÉRO          téléphone (06 12 34 56 78 ou +33612345678)\n"
			      "  --reason TEXTE          motif\n"
			      "  --urgent                demande urgente du jour (créneaux réservés permis)\n"
			      "  --idempotency-key CLÉ   une nouvelle tentative avec la même clé ne réserve\n"
			      "                          pas deux fois : elle renvoie le premier résultat\n\n"
			      "Code de sortie 3 : refusé par une règle (créneau pris, cabinet fermé...).\n",
			      "Usage: permanence book --type CODE --practitioner NAME --start ISO-8601 PATIENT [OPTIONS]\n\n"
			      "Books an appointment after checking every rule of the agenda. The patient\n"
			      "is given by --patient-id, or found (else created) by last name and date of\n"
			      "birth, or phone number.\n\n"
			      "  --type CODE             appointment type\n"
			      "  --practitioner NAME     practitioner (\"Benali\", \"Dr Claire Martin\")\n"
			      "  --start ISO-8601        start, e.g. 2026-03-30T08:30:00+02:00\n"
			      "  --patient-id N          an existing patient\n"
			      "  --last-name NAME        last name\n"
			      "  --first-name NAME       first name\n"
			      "  --birth-date YYYY-MM-DD date of birth\n"
			      "  --phone NUMBER          phone (06 12 34 56 78 or +33612345678)\n"
			      "  --reason TEXT           reason for the visit\n"
			      "  --urgent                urgent same-day request (reserved slots allowed)\n"
			      "  --idempotency-key KEY   a retry with the same key never books twice: it\n"
			      "                          returns the first result\n\n"
			      "Exit status 3: refused by a rule (slot taken, practice closed...).\n"));
	cli_common_help(common);
}

struct book_options {
	const char *type, *practitioner, *start, *patient_id, *last_name, *first_name;
	const char *birth_date, *phone, *reason, *key;
	bool urgent;
};

static int parse_options(struct cli_common *common, struct book_options *o, int argc, char **argv)
{
	static const struct {
		const char *name;
		size_t offset;
	} valued[] = {
		{"--type", offsetof(struct book_options, type)},
		{"--practitioner", offsetof(struct book_options, practitioner)},
		{"--start", offsetof(struct book_options, start)},
		{"--patient-id", offsetof(struct book_options, patient_id)},
		{"--last-name", offsetof(struct book_options, last_name)},
		{"--first-name", offsetof(struct book_options, first_name)},
		{"--birth-date", offsetof(struct book_options, birth_date)},
		{"--phone", offsetof(struct book_options, phone)},
		{"--reason", offsetof(struct book_options, reason)},
		{"--idempotency-key", offsetof(struct book_options, key)},
	};

	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(common, argc, argv, &i);
		size_t k = 0;

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--urgent") == 0) {
			o->urgent = true;
			continue;
		}
		while (k < sizeof(valued) / sizeof(valued[0]) && strcmp(argv[i], valued[k].name) != 0)
			k++;
		if (k == sizeof(valued) / sizeof(valued[0]) || i + 1 >= argc) {
			cli_error(common, CLI_TEXT(common, "option inconnue ou incomplète « %s » ; voir --help",
						   "unknown or incomplete option '%s'; see --help"),
				  argv[i]);
			return CLI_EXIT_USAGE;
		}
		*(const char **)((char *)o + valued[k].offset) = argv[++i];
	}
	return 0;
}

/* Fill the patient details; prints the error and returns the exit status. */
static int build_patient(const struct cli_common *common, const struct book_options *o,
			 struct agenda_patient *patient)
{
	struct civil_date d;

	memset(patient, 0, sizeof(*patient));
	if (o->patient_id) {
		char *end = NULL;
		long long id = strtoll(o->patient_id, &end, 10);

		if (*end || id <= 0) {
			cli_error(common, CLI_TEXT(common, "--patient-id invalide « %s »", "invalid --patient-id '%s'"),
				  o->patient_id);
			return CLI_EXIT_USAGE;
		}
		patient->id = id;
		return 0;
	}
	if (o->birth_date && civil_date_parse(o->birth_date, &d) != 0) {
		cli_error(common, CLI_TEXT(common, "--birth-date invalide « %s » : AAAA-MM-JJ, un jour qui existe",
					   "invalid --birth-date '%s': YYYY-MM-DD, a day that exists"),
			  o->birth_date);
		return CLI_EXIT_USAGE;
	}
	if (o->phone && phone_to_e164(o->phone, patient->phone, sizeof(patient->phone)) != 0) {
		cli_error(common, CLI_TEXT(common, "--phone invalide « %s »", "invalid --phone '%s'"), o->phone);
		return CLI_EXIT_USAGE;
	}
	if (!o->last_name && !o->phone) {
		cli_error(common, CLI_TEXT(common, "patient manquant : --patient-id, ou --last-name et --birth-date, ou --phone",
					   "missing patient: --patient-id, or --last-name and --birth-date, or --phone"));
		return CLI_EXIT_USAGE;
	}
	if (o->last_name && (strlen(o->last_name) >= sizeof(patient->last_name) ||
			     (o->first_name && strlen(o->first_name) >= sizeof(patient->first_name)))) {
		cli_error(common, CLI_TEXT(common, "nom ou prénom trop long (63 octets au plus)",
					   "last or first name too long (63 bytes at most)"));
		return CLI_EXIT_USAGE;
	}
	snprintf(patient->last_name, sizeof(patient->last_name), "%s", o->last_name ? o->last_name : "");
	snprintf(patient->first_name, sizeof(patient->first_name), "%s", o->first_name ? o->first_name : "");
	snprintf(patient->birth_date, sizeof(patient->birth_date), "%s", o->birth_date ? o->birth_date : "");
	return 0;
}

int cmd_book(int argc, char **argv)
{
	struct cli_common common;
	struct book_options o = {0};
	struct agenda_booking booking = {0};
	struct agenda_outcome outcome;
	struct store *st;
	struct agenda *agenda;
	int status, err;

	cli_common_init(&common, "book");
	status = parse_options(&common, &o, argc, argv);
	if (status)
		return status;
	if (common.help) {
		usage(&common);
		return CLI_EXIT_OK;
	}
	status = cli_open_agenda(&common, true, &st, &agenda);
	if (status)
		return status;
	status = cli_resolve_now(&common, agenda_tz(agenda), &booking.now);
	if (status)
		goto out;
	booking.type = o.type ? agenda_type_find(agenda, o.type) : -1;
	if (booking.type < 0) {
		cli_type_error(&common, agenda, o.type);
		status = CLI_EXIT_USAGE;
		goto out;
	}
	booking.practitioner = o.practitioner ? agenda_practitioner_find(agenda, o.practitioner) : -1;
	if (booking.practitioner < 0) {
		cli_practitioner_error(&common, agenda, o.practitioner);
		status = CLI_EXIT_USAGE;
		goto out;
	}
	if (!o.start) {
		cli_error(&common, CLI_TEXT(&common, "--start manquant", "missing --start"));
		status = CLI_EXIT_USAGE;
		goto out;
	}
	status = cli_parse_instant(&common, agenda_tz(agenda), "--start", o.start, &booking.start);
	if (!status)
		status = build_patient(&common, &o, &booking.patient);
	if (status) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	booking.urgent = o.urgent;
	booking.reason = o.reason;
	booking.source = "cli";
	booking.actor = "cli";
	booking.idempotency_key = o.key;

	err = agenda_book(agenda, &booking, &outcome);
	if (err) {
		cli_error(&common, CLI_TEXT(&common, "réservation impossible : %s", "booking failed: %s"),
			  err == EINVAL ? CLI_TEXT(&common, "patient introuvable", "patient not found")
			  : err == EEXIST ? CLI_TEXT(&common, "clé d'idempotence déjà utilisée pour une autre opération",
						      "idempotency key already used for another operation")
					  : store_errmsg(st));
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
		cli_print_json(json_pack("{s:s, s:b, s:b, s:o}", "status", "booked", "replayed",
					 outcome.replayed, "new_patient", outcome.new_patient,
					 "appointment", cli_appointment_json(agenda, &outcome.appointment)));
	} else {
		printf("%s", CLI_TEXT(&common, outcome.replayed ? "Déjà réservé : " : "Réservé : ",
				      outcome.replayed ? "Already booked: " : "Booked: "));
		cli_appointment_print(&common, agenda, &outcome.appointment);
	}
out:
	cli_close_agenda(st, agenda);
	return status;
}
