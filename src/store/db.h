/*
 * A small SQL driver interface under the store: the store's queries are written once
 * against it, and each database engine is one driver. SQLite is the embedded default;
 * a PostgreSQL driver implements the same functions with libpq.
 *
 * Placeholders are written $1, $2, ... in order of first appearance, which both SQLite
 * and PostgreSQL read. Errors: 0 or an errno value (EBUSY when the database stayed
 * locked past the busy timeout, EEXIST for a uniqueness or constraint violation, EIO
 * for other database failures, ENOMEM); db_errmsg() returns the engine's text.
 * A struct db and its statements are used from one thread at a time.
 */
#ifndef PERMANENCE_DB_H
#define PERMANENCE_DB_H

#include <stdbool.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* Flags of db_open_sqlite(). */
#define DB_CREATE 0x1   /* create the file when it does not exist */
#define DB_READONLY 0x2 /* open read-only */

/* Synchronous setting for SQLite in WAL mode; see docs/storage.md. */
enum db_durability {
	DB_DURABILITY_NORMAL = 0, /* fsync at checkpoints: a power cut may lose the last commits */
	DB_DURABILITY_FULL,       /* fsync at every commit */
};

/*
 * Open an SQLite database file in WAL mode with foreign keys on and a busy timeout
 * (milliseconds). Returns 0; ENOENT when the file is missing and DB_CREATE is not set;
 * EACCES or EROFS when it cannot be opened for writing; EIO when it is not a database.
 * On failure *dbp is set to NULL and *why (when not NULL) to a static reason.
 */
int db_open_sqlite(struct db **dbp, const char *path, unsigned flags, int busy_timeout_ms,
		   const char **why);
void db_close(struct db *db);
const char *db_errmsg(const struct db *db);
int db_set_durability(struct db *db, enum db_durability durability);

/* Run one or more statements with no parameters and no rows (migrations, pragmas). */
int db_exec(struct db *db, const char *sql);

/*
 * Begin a transaction. A write transaction takes the write lock at once (SQLite BEGIN
 * IMMEDIATE), so two writers serialise there instead of failing at commit.
 */
int db_begin(struct db *db, bool write);
int db_commit(struct db *db);
/* Roll back the open transaction, if any; never fails in a way the caller can act on. */
void db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);

/*
 * Prepare a statement, or return the cached one for the same SQL text: the cache is keyed
 * by the text's address, so pass string literals. The statement stays owned by the db;
 * the caller binds, steps and calls db_reset() when done.
 */
int db_prepare(struct db *db, const char *sql, struct db_stmt **stmtp);
int db_bind_int(struct db_stmt *stmt, int index, int64_t value);
int db_bind_text(struct db_stmt *stmt, int index, const char *value); /* NULL binds NULL */
int db_bind_null(struct db_stmt *stmt, int index);

/* Step: returns DB_ROW, DB_DONE, or an errno value. */
#define DB_ROW (-1)
#define DB_DONE (-2)
int db_step(struct db_stmt *stmt);
int64_t db_column_int(struct db_stmt *stmt, int column);
/* Text of a column, "" for NULL; valid until the next step or reset. */
const char *db_column_text(struct db_stmt *stmt, int column);
bool db_column_is_null(struct db_stmt *stmt, int column);
void db_reset(struct db_stmt *stmt);

/* Rowid of the last insert on this connection. */
int64_t db_last_insert_id(struct db *db);
/* Rows changed by the last statement. */
int db_changes(struct db *db);

/*
 * Fault injection for tests: the n-th statement step from now fails with EIO
 * (0 turns it off). Lets tests prove a transaction leaves nothing half-written.
 */
void db_fail_after(struct db *db, int steps);

#endif
