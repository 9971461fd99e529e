#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define STMT_CACHE_SIZE 128

struct db_stmt {
	const char *key; /* the SQL text's address */
	sqlite3_stmt *stmt;
	struct db *db;
};

struct db {
	sqlite3 *handle;
	bool readonly;
	int fail_after;
	char errmsg[256];
	struct db_stmt cache[STMT_CACHE_SIZE];
	int cached;
};

static int map_error(struct db *db, int rc)
{
	const char *msg = db->handle ? sqlite3_errmsg(db->handle) : sqlite3_errstr(rc);

	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg ? msg : sqlite3_errstr(rc));
	switch (rc & 0xFF) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_CONSTRAINT:
		return EEXIST;
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_READONLY:
		return EROFS;
	case SQLITE_CANTOPEN:
		return EACCES;
	case SQLITE_FULL:
		return ENOSPC;
	default:
		return EIO;
	}
}

int db_open_sqlite(struct db **dbp, const char *path, unsigned flags, int busy_timeout_ms,
		   const char **why)
{
	int open_flags = SQLITE_OPEN_NOMUTEX;
	struct db *db;
	int rc, err;

	*dbp = NULL;
	if (why)
		*why = NULL;
	if (!(flags & DB_CREATE) && access(path, F_OK) != 0) {
		if (why)
			*why = "the database file does not exist";
		return ENOENT;
	}
	if (flags & DB_READONLY)
		open_flags |= SQLITE_OPEN_READONLY;
	else
		open_flags |= SQLITE_OPEN_READWRITE | ((flags & DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	if (!(flags & DB_READONLY) && access(path, F_OK) == 0 && access(path, W_OK) != 0) {
		if (why)
			*why = "the database file is not writable";
		return EACCES;
	}

	db = calloc(1, sizeof(*db));
	if (!db)
		return ENOMEM;
	db->readonly = flags & DB_READONLY;
	rc = sqlite3_open_v2(path, &db->handle, open_flags, NULL);
	if (rc != SQLITE_OK) {
		err = map_error(db, rc);
		if (why)
			*why = "the database file cannot be opened";
		db_close(db);
		return err;
	}
	sqlite3_extended_result_codes(db->handle, 1);
	sqlite3_busy_timeout(db->handle, busy_timeout_ms);

	/* Reading the schema proves the file is a database before anything else runs. */
	rc = sqlite3_exec(db->handle, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = map_error(db, rc);
		if (why)
			*why = err == EBUSY ? "the database is locked by another program"
					    : "the file is not a database or is corrupt";
		db_close(db);
		return err == EBUSY ? EBUSY : EIO;
	}
	if (!db->readonly) {
		rc = sqlite3_exec(db->handle, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db->handle, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db->handle, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = map_error(db, rc);
		if (why)
			*why = err == EROFS ? "the database file or its folder is read-only"
					    : "the database settings could not be applied";
		db_close(db);
		return err;
	}
	*dbp = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->cached; i++)
		sqlite3_finalize(db->cache[i].stmt);
	sqlite3_close(db->handle);
	free(db);
}

const char *db_errmsg(const struct db *db)
{
	return db->errmsg;
}

int db_set_durability(struct db *db, enum db_durability durability)
{
	return db_exec(db, durability == DB_DURABILITY_FULL ? "PRAGMA synchronous = FULL"
							    : "PRAGMA synchronous = NORMAL");
}

int db_exec(struct db *db, const char *sql)
{
	int rc = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : map_error(db, rc);
}

int db_begin(struct db *db, bool write)
{
	return db_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

int db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

bool db_in_transaction(const struct db *db)
{
	return !sqlite3_get_autocommit(db->handle);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **stmtp)
{
	struct db_stmt *slot;
	int rc;

	for (int i = 0; i < db->cached; i++) {
		if (db->cache[i].key == sql) {
			*stmtp = &db->cache[i];
			return 0;
		}
	}
	if (db->cached == STMT_CACHE_SIZE) {
		snprintf(db->errmsg, sizeof(db->errmsg), "statement cache full");
		return ENOMEM;
	}
	slot = &db->cache[db->cached];
	rc = sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt, NULL);
	if (rc != SQLITE_OK)
		return map_error(db, rc);
	slot->key = sql;
	slot->db = db;
	db->cached++;
	*stmtp = slot;
	return 0;
}

int db_bind_int(struct db_stmt *stmt, int index, int64_t value)
{
	int rc = sqlite3_bind_int64(stmt->stmt, index, value);

	return rc == SQLITE_OK ? 0 : map_error(stmt->db, rc);
}

int db_bind_text(struct db_stmt *stmt, int index, const char *value)
{
	int rc = value ? sqlite3_bind_text(stmt->stmt, index, value, -1, SQLITE_TRANSIENT)
		       : sqlite3_bind_null(stmt->stmt, index);

	return rc == SQLITE_OK ? 0 : map_error(stmt->db, rc);
}

int db_bind_null(struct db_stmt *stmt, int index)
{
	int rc = sqlite3_bind_null(stmt->stmt, index);

	return rc == SQLITE_OK ? 0 : map_error(stmt->db, rc);
}

int db_step(struct db_stmt *stmt)
{
	struct db *db = stmt->db;
	int rc;

	if (db->fail_after > 0 && --db->fail_after == 0) {
		snprintf(db->errmsg, sizeof(db->errmsg), "injected failure");
		return EIO;
	}
	rc = sqlite3_step(stmt->stmt);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return map_error(db, rc);
}

int64_t db_column_int(struct db_stmt *stmt, int column)
{
	return sqlite3_column_int64(stmt->stmt, column);
}

const char *db_column_text(struct db_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt->stmt, column);

	return text ? (const char *)text : "";
}

bool db_column_is_null(struct db_stmt *stmt, int column)
{
	return sqlite3_column_type(stmt->stmt, column) == SQLITE_NULL;
}

void db_reset(struct db_stmt *stmt)
{
	sqlite3_reset(stmt->stmt);
	sqlite3_clear_bindings(stmt->stmt);
}

int64_t db_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->handle);
}

int db_changes(struct db *db)
{
	return sqlite3_changes(db->handle);
}

void db_fail_after(struct db *db, int steps)
{
	db->fail_after = steps;
}
