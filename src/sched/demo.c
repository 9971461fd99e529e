#include "demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "civil.h"

/* Practitioner indexes in creation order. */
enum { MARTIN, BENALI, MOREAU };

static const struct store_practitioner demo_practitioners[] = {
	{0, "Dr", "Claire", "Martin", "generaliste", true},
	{0, "Dr", "Karim", "Benali", "generaliste", true},
	{0, "Dr", "Julien", "Moreau", "pediatre", true},
};

/* Weekdays each practitioner works, as bits (1 << ISO weekday). */
static const unsigned demo_weekdays[] = {
	[MARTIN] = 0x3E | 0x40, /* Monday to Friday, and Saturday morning */
	[BENALI] = 0x02 | 0x04 | 0x10 | 0x20, /* not on Wednesdays */
	[MOREAU] = 0x04 | 0x10 | 0x20, /* Tuesday, Thursday, Friday */
};

static const struct store_appointment_type demo_types[] = {
	{0, "consultation", "Consultation", "Consultation", 15, false, true},
	{0, "premiere-consultation", "Première consultation", "First consultation", 30, true, true},
	{0, "vaccination", "Vaccination", "Vaccination", 15, false, true},
	{0, "certificat", "Certificat médical", "Medical certificate", 15, false, true},
	{0, "suivi-pediatrique", "Suivi pédiatrique", "Paediatric follow-up", 30, false, true},
};

/* Answers to the usual questions and the switches the dialogue reads. */
static const struct {
	const char *key;
	const char *value;
} demo_settings[] = {
	{"answer.hours.fr",
	 "Le cabinet est ouvert du lundi au vendredi de 8 h 30 à 12 h 30 et de 14 h à 19 h, et le"
	 " samedi de 9 h à 12 h."},
	{"answer.hours.en",
	 "The practice is open Monday to Friday from 8:30 to 12:30 and from 2 pm to 7 pm, and on"
	 " Saturday from 9 to 12."},
	{"answer.address.fr",
	 "Le cabinet est au 12 rue des Tilleuls, à Lyon, dans le 3e arrondissement. Métro ligne D,"
	 " arrêt Garibaldi, puis cinq minutes à pied. Le cabinet est au rez-de-chaussée, accessible"
	 " en fauteuil roulant."},
	{"answer.address.en",
	 "The practice is at 12 rue des Tilleuls, Lyon, 3rd district. Take metro line D to"
	 " Garibaldi, then walk five minutes. It is on the ground floor, with wheelchair access."},
	{"answer.fees.fr",
	 "Les médecins sont conventionnés secteur 1 : la consultation est à 30 euros, remboursée"
	 " par l'Assurance maladie et votre mutuelle."},
	{"answer.fees.en",
	 "The doctors are in sector 1 of the national health insurance: a consultation costs"
	 " 30 euros, reimbursed by the health insurance and your top-up insurance."},
	{"answer.payment.fr",
	 "Pensez à votre carte Vitale. Le tiers payant est pratiqué pour la part de l'Assurance"
	 " maladie ; vous pouvez régler par carte bancaire, chèque ou espèces."},
	{"answer.payment.en",
	 "Please bring your carte Vitale. The practice applies tiers payant for the health"
	 " insurance share; you can pay by card, cheque or cash."},
	{"answer.documents.fr",
	 "Apportez votre carte Vitale, votre attestation de mutuelle, vos ordonnances en cours et,"
	 " pour un enfant, son carnet de santé."},
	{"answer.documents.en",
	 "Bring your carte Vitale, your top-up insurance certificate, your current prescriptions"
	 " and, for a child, their health record booklet."},
	{"transfer.target", "sip:secretariat@127.0.0.1:5070"},
	{"secretariat.hours", "1-5 08:30-12:30,14:00-18:00"},
	{"recording", "off"},
	{"practice.phone_e164", "+33478000000"},
};

static const struct store_patient demo_patients[] = {
	{0, "Durand", "Sophie", "1985-04-12", "+33612345678", "", 0},
	{0, "Durand", "Lucas", "2019-09-03", "+33612345678", "", 0},
	{0, "Lefèvre", "Jean-Pierre", "1958-03-12", "+33478112233", "", 0},
	{0, "Nguyen", "Amélie", "1992-11-30", "+33698765432", "", 0},
	{0, "Girard", "Thomas", "1974-07-21", "+447700900123", "", 0},
};

static int fail_with(struct store *st, char *message, size_t size, const char *what, int err)
{
	snprintf(message, size, "%s: %s", what, store_errmsg(st));
	return err;
}

static int add_openings(struct store *st, int64_t practitioner_id, unsigned weekdays,
			char *message, size_t size)
{
	for (int wd = 1; wd <= 6; wd++) {
		struct store_opening o = {0};
		int err;

		if (!(weekdays & (1u << wd)))
			continue;
		o.practitioner_id = practitioner_id;
		o.weekday = wd;
		if (wd == 6) {
			o.start_min = 9 * 60;
			o.end_min = 12 * 60;
			err = store_opening_add(st, &o);
		} else {
			o.start_min = 8 * 60 + 30;
			o.end_min = 12 * 60 + 30;
			err = store_opening_add(st, &o);
			if (!err) {
				o.start_min = 14 * 60;
				o.end_min = 19 * 60;
				err = store_opening_add(st, &o);
			}
		}
		if (err)
			return fail_with(st, message, size, "adding opening hours", err);
	}
	return 0;
}

static int add_reserves(struct store *st, const int64_t *ids, char *message, size_t size)
{
	static const struct {
		int practitioner;
		int start_min;
		int end_min;
	} reserves[] = {
		{MARTIN, 12 * 60, 12 * 60 + 30},
		{BENALI, 18 * 60 + 30, 19 * 60},
		{MOREAU, 12 * 60, 12 * 60 + 30},
	};

	for (size_t i = 0; i < sizeof(reserves) / sizeof(reserves[0]); i++) {
		for (int wd = 1; wd <= 5; wd++) {
			struct store_urgent_reserve r = {0};
			int err;

			if (!(demo_weekdays[reserves[i].practitioner] & (1u << wd)))
				continue;
			r.practitioner_id = ids[reserves[i].practitioner];
			r.weekday = wd;
			r.start_min = reserves[i].start_min;
			r.end_min = reserves[i].end_min;
			err = store_urgent_reserve_add(st, &r);
			if (err)
				return fail_with(st, message, size, "adding urgent reserves", err);
		}
	}
	return 0;
}

static int create_rules(struct store *st, char *message, size_t size)
{
	struct store_practice practice = {0};
	int64_t practitioner_ids[3];
	int64_t pediatric_type = 0;
	int err;

	snprintf(practice.name, sizeof(practice.name), "Cabinet médical des Tilleuls");
	snprintf(practice.address, sizeof(practice.address), "12 rue des Tilleuls");
	snprintf(practice.postcode, sizeof(practice.postcode), "69003");
	snprintf(practice.city, sizeof(practice.city), "Lyon");
	snprintf(practice.phone, sizeof(practice.phone), "04 78 00 00 00");
	snprintf(practice.timezone, sizeof(practice.timezone), "Europe/Paris");
	snprintf(practice.default_lang, sizeof(practice.default_lang), "fr");
	practice.slot_step_min = 15;
	practice.min_notice_min = 60;
	practice.urgent_release_min = 120;
	practice.booking_horizon_days = 90;
	err = store_practice_put(st, &practice);
	if (err)
		return fail_with(st, message, size, "saving the practice", err);

	for (size_t i = 0; i < 3; i++) {
		struct store_practitioner p = demo_practitioners[i];

		err = store_practitioner_add(st, &p);
		if (err)
			return fail_with(st, message, size, "adding practitioners", err);
		practitioner_ids[i] = p.id;
		err = add_openings(st, p.id, demo_weekdays[i], message, size);
		if (err)
			return err;
	}
	/* The practice's own hours, for the secretariat and the "hours" answer. */
	err = add_openings(st, 0, 0x7E, message, size);
	if (!err)
		err = add_reserves(st, practitioner_ids, message, size);
	if (err)
		return err;

	for (size_t i = 0; i < sizeof(demo_types) / sizeof(demo_types[0]); i++) {
		struct store_appointment_type t = demo_types[i];

		err = store_type_add(st, &t);
		if (err)
			return fail_with(st, message, size, "adding appointment types", err);
		if (strcmp(t.code, "suivi-pediatrique") == 0)
			pediatric_type = t.id;
	}
	err = store_type_restrict(st, pediatric_type, practitioner_ids[MOREAU]);
	if (err)
		return fail_with(st, message, size, "restricting the paediatric type", err);

	for (size_t i = 0; i < sizeof(demo_settings) / sizeof(demo_settings[0]); i++) {
		err = store_setting_put(st, demo_settings[i].key, demo_settings[i].value);
		if (err)
			return fail_with(st, message, size, "saving settings", err);
	}
	return 0;
}

/* A past visit for each patient, so they are known to the practice. */
static int add_history(struct store *st, const struct tz *tz, const int64_t *patient_ids,
		       const int64_t *practitioner_ids, int64_t type_id, int64_t now)
{
	int64_t day = tz_day_of(tz, now) - 21;

	/* The nearest earlier Tuesday: every demo practitioner works on Tuesdays. */
	while (civil_weekday(day) != 2)
		day--;
	for (size_t i = 0; i < sizeof(demo_patients) / sizeof(demo_patients[0]); i++) {
		struct store_appointment a = {0};
		struct civil_date d = civil_date_from_days(day);
		struct civil_time t = {d.year, d.month, d.day, 9 + (int)(i * 15) / 60, (int)(i * 15) % 60, 0};
		int err;

		a.practitioner_id = practitioner_ids[i == 1 ? MOREAU : i % 2 ? BENALI : MARTIN];
		a.type_id = type_id;
		a.patient_id = patient_ids[i];
		if (tz_from_local(tz, &t, &a.start_utc, NULL) != 0)
			return EINVAL;
		a.end_utc = a.start_utc + 15 * 60;
		a.status = STORE_APPOINTMENT_BOOKED;
		snprintf(a.source, sizeof(a.source), "staff");
		a.created_utc = a.start_utc - 7 * 86400;
		a.updated_utc = a.created_utc;
		err = store_appointment_insert(st, &a);
		if (err)
			return err;
	}
	return 0;
}

/* Upcoming appointments so the agenda is not empty: booked through the rules. */
static int add_upcoming(struct agenda *agenda, const int64_t *patient_ids, int64_t now,
			char *message, size_t size)
{
	static const struct {
		int patient;
		const char *type;
		int practitioner;
	} plan[] = {
		{0, "consultation", MARTIN},   {2, "consultation", BENALI},
		{1, "suivi-pediatrique", MOREAU}, {3, "certificat", MARTIN},
		{4, "consultation", BENALI},   {0, "vaccination", MARTIN},
	};
	const struct tz *tz = agenda_tz(agenda);
	int64_t from = tz_day_start(tz, tz_day_of(tz, now) + 1);

	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		struct sched_query q = {0};
		struct agenda_booking b = {0};
		struct agenda_outcome outcome;
		struct sched_slot slots[4];
		size_t count = 0;
		int err;

		q.type = agenda_type_find(agenda, plan[i].type);
		q.practitioner = plan[i].practitioner;
		q.from = from + (int64_t)i * 86400;
		q.to = q.from + 21 * 86400;
		q.latest_min = 1440;
		q.now = now;
		q.max_results = 4;
		err = agenda_search(agenda, &q, slots, &count, NULL);
		if (err || count == 0) {
			snprintf(message, size, "no free slot for the demo appointments");
			return err ? err : ENOSPC;
		}
		b.type = q.type;
		b.practitioner = plan[i].practitioner;
		b.start = slots[i % count].start;
		b.patient.id = patient_ids[plan[i].patient];
		b.source = "staff";
		b.actor = "demo";
		b.now = now;
		err = agenda_book(agenda, &b, &outcome);
		if (err || outcome.verdict != SCHED_OK) {
			snprintf(message, size, "booking a demo appointment failed: %s",
				 err ? store_errmsg(agenda_store(agenda))
				     : sched_verdict_name(outcome.verdict));
			return err ? err : EIO;
		}
	}
	return 0;
}

int agenda_demo_create(struct store *st, int64_t now, char *message, size_t size)
{
	struct agenda *agenda = NULL;
	struct store_practitioner *practitioners = NULL;
	size_t practitioner_count = 0;
	int64_t patient_ids[5], practitioner_ids[3];
	int err;

	message[0] = '\0';
	err = store_begin(st, true);
	if (err)
		return fail_with(st, message, size, "starting the demo", err);
	err = create_rules(st, message, size);
	for (size_t i = 0; !err && i < sizeof(demo_patients) / sizeof(demo_patients[0]); i++) {
		struct store_patient p = demo_patients[i];

		p.created_utc = now - 90 * 86400;
		err = store_patient_add(st, &p);
		if (err)
			fail_with(st, message, size, "adding patients", err);
		patient_ids[i] = p.id;
	}
	if (!err)
		err = store_commit(st);
	else
		store_rollback(st);
	if (err)
		return err;

	err = agenda_open(&agenda, st, message, size);
	if (err)
		return err;
	err = store_practitioners_list(st, &practitioners, &practitioner_count);
	for (size_t i = 0; !err && i < 3; i++)
		practitioner_ids[i] = practitioners[i].id;
	if (!err) {
		err = store_begin(st, true);
		if (!err)
			err = add_history(st, agenda_tz(agenda), patient_ids, practitioner_ids,
					  agenda_type(agenda, agenda_type_find(agenda, "consultation"))->id,
					  now);
		if (!err)
			err = store_commit(st);
		else
			store_rollback(st);
		if (err)
			fail_with(st, message, size, "adding past appointments", err);
	}
	if (!err)
		err = add_upcoming(agenda, patient_ids, now, message, size);
	free(practitioners);
	agenda_close(agenda);
	return err;
}
