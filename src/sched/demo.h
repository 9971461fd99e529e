/*
 * The demo practice: Cabinet médical des Tilleuls in Lyon, three doctors, five
 * appointment types, answers to the usual questions, a few patients with past visits,
 * and upcoming appointments booked through the rules. Fixed, so that documentation,
 * tests and demonstrations can rely on it; see docs/demo-practice.md.
 */
#ifndef PERMANENCE_DEMO_H
#define PERMANENCE_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * Fill an empty, migrated database with the demo practice. Upcoming appointments are
 * placed from the day after `now`. Returns 0, or an errno value with `message` naming
 * the step that failed.
 */
int agenda_demo_create(struct store *st, int64_t now, char *message, size_t size);

#endif
