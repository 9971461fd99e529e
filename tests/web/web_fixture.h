/*
 * A dashboard to test against: the demo practice in a fresh database, three accounts
 * (admin, secretary, practitioner), one finished emergency call with its task, and the
 * server on an ephemeral loopback port.
 */
#ifndef PERMANENCE_WEB_FIXTURE_H
#define PERMANENCE_WEB_FIXTURE_H

#include <stdint.h>

#include "web.h"

#define FIXTURE_ADMIN "admin"
#define FIXTURE_SECRETARY "secretaire"
#define FIXTURE_PRACTITIONER "dr.martin"
#define FIXTURE_PASSWORD "mot de passe de test"
#define FIXTURE_CALL_ID "call-fixture-1"

struct live_registry;

/* Create the database at db_path and return the id of the fixture's task. */
int web_fixture_database(const char *db_path, int64_t now, int64_t *task_id, char *message,
			 size_t size);
/* Add a finished call (urgency "none", "urgent" or "emergency") with its task. */
int web_fixture_call(const char *db_path, const char *call_id, int64_t started,
		     const char *urgency, const char *summary, int64_t *task_id);

#endif
