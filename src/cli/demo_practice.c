#include "demo_practice.h"

/*
 * NOTE: the demo practice is a constant table until the store holds the practice's
 * practitioners and appointment types; commands will then read them from --db.
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
