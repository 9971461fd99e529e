/* Staff accounts, dashboard sessions, login attempts and the audit log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_priv.h"

#define AUDIT_LIST_MAX 500

static bool role_valid(const char *role)
{
	return strcmp(role, "admin") == 0 || strcmp(role, "secretary") == 0 ||
	       strcmp(role, "practitioner") == 0;
}

static const char *lang_or_default(const char *lang)
{
	return strcmp(lang, "en") == 0 ? "en" : "fr";
}

int store_user_add(struct store *st, struct store_user *u)
{
	static const char sql[] =
		"INSERT INTO staff_user (username, display_name, role, practitioner_id,"
		" password_hash, lang, disabled, created_utc, updated_utc)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	int err;

	if (!u->username[0] || !role_valid(u->role) || !u->password_hash[0])
		return store_fail(st, EINVAL, "user (name, role or password missing)");
	err = store_exec_bound(st, "adding a user", sql, "ssszssiii", u->username,
			       u->display_name, u->role, u->practitioner_id, u->password_hash,
			       lang_or_default(u->lang), (int64_t)u->disabled, u->created_utc,
			       u->updated_utc ? u->updated_utc : u->created_utc);
	if (!err)
		u->id = db_last_insert_id(st->db);
	return err;
}

#define USER_COLUMNS                                                                     \
	"id, username, display_name, role, practitioner_id, password_hash, lang, disabled," \
	" created_utc, updated_utc"

static void read_user(struct db_stmt *stmt, struct store_user *u)
{
	u->id = db_column_int(stmt, 0);
	STORE_COPY_COLUMN(u->username, stmt, 1);
	STORE_COPY_COLUMN(u->display_name, stmt, 2);
	STORE_COPY_COLUMN(u->role, stmt, 3);
	u->practitioner_id = db_column_int(stmt, 4);
	STORE_COPY_COLUMN(u->password_hash, stmt, 5);
	STORE_COPY_COLUMN(u->lang, stmt, 6);
	u->disabled = db_column_int(stmt, 7) != 0;
	u->created_utc = db_column_int(stmt, 8);
	u->updated_utc = db_column_int(stmt, 9);
}

/* Run a query that returns at most one user row, keyed by name when given, else by id. */
static int get_user(struct store *st, const char *sql, int64_t id, const char *name,
		    struct store_user *u)
{
	struct db_stmt *stmt;
	int err;

	memset(u, 0, sizeof(*u));
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "reading a user");
	if (name)
		db_bind_text(stmt, 1, name);
	else
		db_bind_int(stmt, 1, id);
	err = db_step(stmt);
	if (err == DB_ROW) {
		read_user(stmt, u);
		err = 0;
	} else if (err == DB_DONE) {
		err = ENOENT;
	}
	db_reset(stmt);
	return err ? store_fail(st, err, "reading a user") : 0;
}

int store_user_get(struct store *st, int64_t id, struct store_user *u)
{
	static const char sql[] = "SELECT " USER_COLUMNS " FROM staff_user WHERE id = $1";

	return get_user(st, sql, id, NULL, u);
}

int store_user_find(struct store *st, const char *username, struct store_user *u)
{
	static const char sql[] = "SELECT " USER_COLUMNS " FROM staff_user WHERE username = $1";

	return get_user(st, sql, 0, username, u);
}

int store_users_list(struct store *st, struct store_user **list, size_t *count)
{
	static const char sql[] = "SELECT " USER_COLUMNS " FROM staff_user ORDER BY username";
	struct list_builder out = {.item_size = sizeof(struct store_user)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "listing users");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_user *u = store_list_next(&out);

		if (!u) {
			err = ENOMEM;
			break;
		}
		read_user(stmt, u);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return store_fail(st, err, "listing users");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_user_update(struct store *st, const struct store_user *u)
{
	static const char sql[] =
		"UPDATE staff_user SET display_name = $1, role = $2, practitioner_id = $3,"
		" password_hash = $4, lang = $5, disabled = $6, updated_utc = $7 WHERE id = $8";
	int err;

	if (!role_valid(u->role) || !u->password_hash[0])
		return store_fail(st, EINVAL, "user (role or password missing)");
	err = store_exec_bound(st, "updating a user", sql, "sszssiii", u->display_name, u->role,
			       u->practitioner_id, u->password_hash, lang_or_default(u->lang),
			       (int64_t)u->disabled, u->updated_utc, u->id);
	if (!err && db_changes(st->db) == 0)
		return store_fail(st, ENOENT, "updating a user");
	return err;
}

/* ---- Sessions ---- */

int store_session_add(struct store *st, const struct store_session *s)
{
	static const char sql[] =
		"INSERT INTO staff_session (token_hash, user_id, csrf_token, address, created_utc,"
		" last_seen_utc) VALUES ($1, $2, $3, $4, $5, $6)";

	return store_exec_bound(st, "opening a session", sql, "sissii", s->token_hash, s->user_id,
				s->csrf_token, s->address, s->created_utc, s->last_seen_utc);
}

int store_session_get(struct store *st, const char *token_hash, struct store_session *s)
{
	static const char sql[] = "SELECT token_hash, user_id, csrf_token, address, created_utc,"
				  " last_seen_utc FROM staff_session WHERE token_hash = $1";
	struct db_stmt *stmt;
	int err;

	memset(s, 0, sizeof(*s));
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "reading a session");
	db_bind_text(stmt, 1, token_hash);
	err = db_step(stmt);
	if (err == DB_ROW) {
		STORE_COPY_COLUMN(s->token_hash, stmt, 0);
		s->user_id = db_column_int(stmt, 1);
		STORE_COPY_COLUMN(s->csrf_token, stmt, 2);
		STORE_COPY_COLUMN(s->address, stmt, 3);
		s->created_utc = db_column_int(stmt, 4);
		s->last_seen_utc = db_column_int(stmt, 5);
		err = 0;
	} else if (err == DB_DONE) {
		err = ENOENT;
	}
	db_reset(stmt);
	if (err == ENOENT)
		return ENOENT;
	return err ? store_fail(st, err, "reading a session") : 0;
}

int store_session_touch(struct store *st, const char *token_hash, int64_t now)
{
	static const char sql[] = "UPDATE staff_session SET last_seen_utc = $1"
				  " WHERE token_hash = $2";

	return store_exec_bound(st, "updating a session", sql, "is", now, token_hash);
}

int store_session_delete(struct store *st, const char *token_hash)
{
	static const char sql[] = "DELETE FROM staff_session WHERE token_hash = $1";

	return store_exec_bound(st, "closing a session", sql, "s", token_hash);
}

int store_sessions_delete_for_user(struct store *st, int64_t user_id)
{
	static const char sql[] = "DELETE FROM staff_session WHERE user_id = $1";

	return store_exec_bound(st, "closing a user's sessions", sql, "i", user_id);
}

int store_sessions_expire(struct store *st, int64_t created_before, int64_t seen_before)
{
	static const char sql[] = "DELETE FROM staff_session WHERE created_utc < $1"
				  " OR last_seen_utc < $2";

	return store_exec_bound(st, "expiring sessions", sql, "ii", created_before, seen_before);
}

/* ---- Login attempts ---- */

int store_login_attempt_add(struct store *st, const char *username, const char *address,
			    int64_t now, bool success)
{
	static const char sql[] = "INSERT INTO login_attempt (at_utc, username, address, success)"
				  " VALUES ($1, $2, $3, $4)";
	static const char sql_prune[] = "DELETE FROM login_attempt WHERE at_utc < $1";
	int err;

	err = store_exec_bound(st, "recording a login attempt", sql, "issi", now, username,
			       address, (int64_t)success);
	/* Attempts older than a day count for nothing any more. */
	if (!err)
		err = store_exec_bound(st, "pruning login attempts", sql_prune, "i", now - 86400);
	return err;
}

int store_login_failures(struct store *st, const char *username, const char *address,
			 int64_t since, int *count, int64_t *last_utc)
{
	static const char sql_user[] =
		"SELECT count(*), coalesce(max(at_utc), 0) FROM login_attempt"
		" WHERE username = $1 AND success = 0 AND at_utc >= $2 AND at_utc >= coalesce("
		"(SELECT max(at_utc) FROM login_attempt WHERE username = $1 AND success = 1), 0)";
	static const char sql_address[] =
		"SELECT count(*), coalesce(max(at_utc), 0) FROM login_attempt"
		" WHERE address = $1 AND success = 0 AND at_utc >= $2 AND at_utc >= coalesce("
		"(SELECT max(at_utc) FROM login_attempt WHERE address = $1 AND success = 1), 0)";
	struct db_stmt *stmt;
	int err;

	if ((username == NULL) == (address == NULL))
		return store_fail(st, EINVAL, "login failures (give a user name or an address)");
	err = db_prepare(st->db, username ? sql_user : sql_address, &stmt);
	if (err)
		return store_fail(st, err, "counting login failures");
	db_bind_text(stmt, 1, username ? username : address);
	db_bind_int(stmt, 2, since);
	err = db_step(stmt);
	if (err == DB_ROW) {
		*count = (int)db_column_int(stmt, 0);
		*last_utc = db_column_int(stmt, 1);
		err = 0;
	}
	db_reset(stmt);
	return err ? store_fail(st, err == DB_DONE ? EIO : err, "counting login failures") : 0;
}

/* ---- Audit log ---- */

int store_audit_add(struct store *st, const struct store_audit *a)
{
	static const char sql[] =
		"INSERT INTO audit_log (at_utc, user_id, username, address, action, object_type,"
		" object_id, patient_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

	if (!a->action[0] || !a->object_type[0])
		return store_fail(st, EINVAL, "audit entry (action or object missing)");
	return store_exec_bound(st, "writing the audit log", sql, "izssssszs", a->at_utc,
				a->user_id, a->username, a->address, a->action, a->object_type,
				a->object_id, a->patient_id, a->detail);
}

int store_audit_list(struct store *st, const struct store_audit_filter *f,
		     struct store_audit **list, size_t *count)
{
	static const char sql[] =
		"SELECT id, at_utc, user_id, username, address, action, object_type, object_id,"
		" patient_id, detail FROM audit_log WHERE at_utc >= $1 AND ($2 = 0 OR at_utc < $2)"
		" AND ($3 = 0 OR patient_id = $3) AND ($4 = '' OR username = $4)"
		" ORDER BY at_utc DESC, id DESC LIMIT $5 OFFSET $6";
	struct list_builder out = {.item_size = sizeof(struct store_audit)};
	size_t limit = f->limit ? f->limit : 100;
	struct db_stmt *stmt;
	int err;

	if (limit > AUDIT_LIST_MAX)
		return store_fail(st, EINVAL, "audit list limit (at most 500)");
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "reading the audit log");
	db_bind_int(stmt, 1, f->from);
	db_bind_int(stmt, 2, f->to);
	db_bind_int(stmt, 3, f->patient_id);
	db_bind_text(stmt, 4, f->username ? f->username : "");
	db_bind_int(stmt, 5, (int64_t)limit);
	db_bind_int(stmt, 6, (int64_t)f->offset);
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_audit *a = store_list_next(&out);

		if (!a) {
			err = ENOMEM;
			break;
		}
		a->id = db_column_int(stmt, 0);
		a->at_utc = db_column_int(stmt, 1);
		a->user_id = db_column_int(stmt, 2);
		STORE_COPY_COLUMN(a->username, stmt, 3);
		STORE_COPY_COLUMN(a->address, stmt, 4);
		STORE_COPY_COLUMN(a->action, stmt, 5);
		STORE_COPY_COLUMN(a->object_type, stmt, 6);
		STORE_COPY_COLUMN(a->object_id, stmt, 7);
		a->patient_id = db_column_int(stmt, 8);
		STORE_COPY_COLUMN(a->detail, stmt, 9);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return store_fail(st, err, "reading the audit log");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}
