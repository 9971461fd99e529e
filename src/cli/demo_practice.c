#include "demo_practice.h"

/*
 * The words `permanence init --demo` stores (docs/demo-practice.md), for commands run
 * without --db. NOTE: kept by hand in step with the demo database.
 */
static const struct nlu_practitioner demo_practitioners[] = {
	{"Claire", "Martin", "generaliste"},
	{"Karim", "Benali", "generaliste"},
	{"Julien", "Moreau", "pediatre"},
};

static const struct nlu_appointment_type demo_types[] = {
	{"consultation", "Consultation", "Consultation"},
	{"premiere-consultation", "Première consultation", "First consultation"},
	{"vaccination", "Vaccination", "Vaccination"},
	{"certificat", "Certificat médical", "Medical certificate"},
	{"suivi-pediatrique", "Suivi pédiatrique", "Paediatric follow-up"},
};

const struct nlu_vocabulary demo_practice_vocabulary = {
	.practitioners = demo_practitioners,
	.practitioner_count = sizeof(demo_practitioners) / sizeof(demo_practitioners[0]),
	.types = demo_types,
	.type_count = sizeof(demo_types) / sizeof(demo_types[0]),
};
