/*
 * The text form of a time-preference result used by the tables of cases:
 *   "2026-03-31T08:00..2026-03-31T12:00 part_of_day 08:00-12:00 not=1,3 open_end"
 * items joined by " ; ", local times in the zone, the window only when it is not the
 * whole day, then " duration=60m" or " duration=10d"; "none" when nothing was found.
 */
#ifndef PERMANENCE_TEST_NLU_WHEN_FORMAT_H
#define PERMANENCE_TEST_NLU_WHEN_FORMAT_H

#include <stddef.h>

#include "nlu_priv.h"

void when_format(const struct nlu_when_result *result, const struct tz *tz, char *buf,
		 size_t size);

#endif
