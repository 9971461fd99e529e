/* Helpers shared by the agenda commands (agenda, slots, book, cancel, move). */
#ifndef PERMANENCE_CLI_AGENDA_H
#define PERMANENCE_CLI_AGENDA_H

#include <jansson.h>

#include "cli.h"
#include "sched.h"
#include "store.h"

/* Exit status when a rule refused the change (slot taken, closed day...). */
#define CLI_EXIT_REFUSED 3

json_t *cli_instant_json(const struct tz *tz, int64_t instant);
/* An appointment with its practitioner by name, type by code and patient. */
json_t *cli_appointment_json(struct agenda *agenda, const struct store_appointment *appointment);
void cli_appointment_print(const struct cli_common *common, struct agenda *agenda,
			   const struct store_appointment *appointment);
/* Print that a type code is missing or unknown, with the codes the practice has. */
void cli_type_error(const struct cli_common *common, struct agenda *agenda, const char *code);
/* Print that a practitioner name matches nobody (or several), with the names. */
void cli_practitioner_error(const struct cli_common *common, struct agenda *agenda,
			    const char *name);

/* Print why a rule refused a change; returns CLI_EXIT_REFUSED. */
int cli_verdict_status(const struct cli_common *common, enum sched_verdict verdict);

#endif
