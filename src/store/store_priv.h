/*
 * Internals shared by the files of the store: the connection structure and the helpers
 * every query uses. Not for other modules.
 */
#ifndef PERMANENCE_STORE_PRIV_H
#define PERMANENCE_STORE_PRIV_H

#include <stddef.h>

#include "store.h"

struct store {
	struct db *db;
	char errmsg[300];
};

/* A growable array for list results. */
struct list_builder {
	void *items;
	size_t count;
	size_t capacity;
	size_t item_size;
};

/* Record in st->errmsg what failed (with the driver's text) and return err. */
int store_fail(struct store *st, int err, const char *what);

/*
 * Run a statement that returns no rows, binding one argument per letter of `kinds`:
 * 'i' an int64_t, 'z' an int64_t where 0 binds NULL, 's' a const char * where NULL
 * binds NULL. Failures are recorded as store_fail() does, naming `what`.
 */
int store_exec_bound(struct store *st, const char *what, const char *sql, const char *kinds,
		     ...);

/* Append a zeroed item to the list; NULL when memory runs out. */
void *store_list_next(struct list_builder *list);

/* The columns read_call() reads, in its order. */
#define CALL_COLUMNS                                                                     \
	"id, channel, caller_number, called_number, lang, started_utc, answered_utc,"    \
	" ended_utc, outcome, urgency, intent, reason, patient_id, summary_json,"        \
	" transcript_json"

/* Fill a call from a row of CALL_COLUMNS; ENOMEM when its JSON cannot be copied. */
int store_read_call(struct db_stmt *stmt, struct store_call *call);

/* Copy a column's text into a fixed array, truncating at its size. */
#define STORE_COPY_COLUMN(dst, stmt, col) \
	snprintf((dst), sizeof(dst), "%s", db_column_text((stmt), (col)))

#endif
