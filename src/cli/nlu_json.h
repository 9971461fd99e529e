/*
 * A language-understanding result as a JSON object (jansson), for `permanence parse`
 * and the evaluations. Instants are written in ISO 8601 with the zone's offset.
 */
#ifndef PERMANENCE_NLU_JSON_H
#define PERMANENCE_NLU_JSON_H

#include <jansson.h>

#include "nlu.h"

/* A new object the caller releases with json_decref(), or NULL when out of memory. */
json_t *nlu_result_json(const struct nlu_vocabulary *vocabulary, const struct nlu_result *r,
			const struct tz *tz);

#endif
