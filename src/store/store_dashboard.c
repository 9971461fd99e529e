/* Queries of the staff dashboard: call search, statistics rows and settings editing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_priv.h"

#define CALL_SEARCH_MAX 500

/* Shared WHERE clause of the call search: unset filters are bound as 0 or ''. */
#define CALL_FILTER_WHERE                                                                   \
	" WHERE started_utc >= $1 AND ($2 = 0 OR started_utc < $2)"                         \
	" AND ($3 = '' OR outcome = $3) AND ($4 = '' OR urgency = $4)"                      \
	" AND ($5 = '' OR instr(lower(caller_number || ' ' || reason || ' ' || intent"      \
	" || ' ' || outcome || ' ' || summary_json || ' ' || transcript_json), lower($5)) > 0)"

static void bind_call_filter(struct db_stmt *stmt, const struct store_call_filter *f)
{
	db_bind_int(stmt, 1, f->from);
	db_bind_int(stmt, 2, f->to);
	db_bind_text(stmt, 3, f->outcome ? f->outcome : "");
	db_bind_text(stmt, 4, f->urgency ? f->urgency : "");
	db_bind_text(stmt, 5, f->text ? f->text : "");
}

static int count_calls(struct store *st, const struct store_call_filter *f, size_t *total)
{
	static const char sql[] = "SELECT count(*) FROM call" CALL_FILTER_WHERE;
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "counting calls");
	bind_call_filter(stmt, f);
	err = db_step(stmt);
	if (err == DB_ROW) {
		*total = (size_t)db_column_int(stmt, 0);
		err = 0;
	}
	db_reset(stmt);
	return err ? store_fail(st, err == DB_DONE ? EIO : err, "counting calls") : 0;
}

int store_calls_search(struct store *st, const struct store_call_filter *f,
		       struct store_call **list, size_t *count, size_t *total)
{
	static const char sql[] = "SELECT " CALL_COLUMNS " FROM call" CALL_FILTER_WHERE
				  " ORDER BY started_utc DESC, id DESC LIMIT $6 OFFSET $7";
	struct list_builder out = {.item_size = sizeof(struct store_call)};
	size_t limit = f->limit ? f->limit : 100;
	struct db_stmt *stmt;
	int err;

	if (limit > CALL_SEARCH_MAX)
		return store_fail(st, EINVAL, "call search limit (at most 500)");
	err = count_calls(st, f, total);
	if (err)
		return err;
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "searching calls");
	bind_call_filter(stmt, f);
	db_bind_int(stmt, 6, (int64_t)limit);
	db_bind_int(stmt, 7, (int64_t)f->offset);
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_call *c = store_list_next(&out);

		if (!c || store_read_call(stmt, c)) {
			err = ENOMEM;
			break;
		}
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		store_calls_free(out.items, out.count);
		return store_fail(st, err, "searching calls");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_calls_brief(struct store *st, int64_t from, int64_t to, size_t max,
		      struct store_call_brief **list, size_t *count)
{
	static const char sql[] = "SELECT started_utc, answered_utc, ended_utc, outcome, urgency,"
				  " intent FROM call WHERE started_utc >= $1 AND started_utc < $2"
				  " ORDER BY started_utc LIMIT $3";
	struct list_builder out = {.item_size = sizeof(struct store_call_brief)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "reading call statistics");
	db_bind_int(stmt, 1, from);
	db_bind_int(stmt, 2, to);
	db_bind_int(stmt, 3, (int64_t)max + 1);
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_call_brief *b;

		if (out.count == max) {
			err = ERANGE;
			break;
		}
		b = store_list_next(&out);
		if (!b) {
			err = ENOMEM;
			break;
		}
		b->started_utc = db_column_int(stmt, 0);
		b->answered_utc = db_column_int(stmt, 1);
		b->ended_utc = db_column_int(stmt, 2);
		STORE_COPY_COLUMN(b->outcome, stmt, 3);
		STORE_COPY_COLUMN(b->urgency, stmt, 4);
		STORE_COPY_COLUMN(b->intent, stmt, 5);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		if (err == ERANGE)
			snprintf(st->errmsg, sizeof(st->errmsg),
				 "too many calls in the range (more than %zu): choose a shorter one", max);
		return err == ERANGE ? ERANGE : store_fail(st, err, "reading call statistics");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_task_get(struct store *st, int64_t id, struct store_task *t)
{
	static const char sql[] =
		"SELECT id, created_utc, updated_utc, kind, priority, status, call_id, patient_id,"
		" practitioner_id, caller_number, summary, details_json, assignee, done_utc"
		" FROM task WHERE id = $1";
	struct db_stmt *stmt;
	int err;

	memset(t, 0, sizeof(*t));
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "reading a task");
	db_bind_int(stmt, 1, id);
	err = db_step(stmt);
	if (err == DB_ROW) {
		t->id = db_column_int(stmt, 0);
		t->created_utc = db_column_int(stmt, 1);
		t->updated_utc = db_column_int(stmt, 2);
		STORE_COPY_COLUMN(t->kind, stmt, 3);
		t->priority = (int)db_column_int(stmt, 4);
		STORE_COPY_COLUMN(t->status, stmt, 5);
		STORE_COPY_COLUMN(t->call_id, stmt, 6);
		t->patient_id = db_column_int(stmt, 7);
		t->practitioner_id = db_column_int(stmt, 8);
		STORE_COPY_COLUMN(t->caller_number, stmt, 9);
		STORE_COPY_COLUMN(t->summary, stmt, 10);
		t->details_json = strdup(db_column_text(stmt, 11));
		STORE_COPY_COLUMN(t->assignee, stmt, 12);
		t->done_utc = db_column_int(stmt, 13);
		err = t->details_json ? 0 : ENOMEM;
	} else if (err == DB_DONE) {
		err = ENOENT;
	}
	db_reset(stmt);
	return err ? store_fail(st, err, "reading a task") : 0;
}

void store_task_release(struct store_task *task)
{
	free(task->details_json);
	task->details_json = NULL;
}

/* Map "no row changed" to ENOENT after an UPDATE or DELETE by id. */
static int changed_or_missing(struct store *st, int err, const char *what)
{
	if (!err && db_changes(st->db) == 0)
		return store_fail(st, ENOENT, what);
	return err;
}

int store_practitioner_update(struct store *st, const struct store_practitioner *pr)
{
	static const char sql[] = "UPDATE practitioner SET title = $1, first_name = $2,"
				  " last_name = $3, specialty = $4, active = $5 WHERE id = $6";
	int err;

	if (!pr->last_name[0] || !pr->first_name[0])
		return store_fail(st, EINVAL, "practitioner name (first and last names are needed)");
	err = store_exec_bound(st, "updating a practitioner", sql, "ssssii", pr->title,
			       pr->first_name, pr->last_name, pr->specialty, (int64_t)pr->active,
			       pr->id);
	return changed_or_missing(st, err, "updating a practitioner");
}

int store_type_update(struct store *st, const struct store_appointment_type *t)
{
	static const char sql[] = "UPDATE appointment_type SET label_fr = $1, label_en = $2,"
				  " duration_min = $3, new_patient_allowed = $4, active = $5"
				  " WHERE id = $6";
	int err;

	if (t->duration_min < 5 || t->duration_min > 240)
		return store_fail(st, EINVAL, "appointment type duration (5 to 240 minutes)");
	err = store_exec_bound(st, "updating an appointment type", sql, "ssiiii", t->label_fr,
			       t->label_en, (int64_t)t->duration_min,
			       (int64_t)t->new_patient_allowed, (int64_t)t->active, t->id);
	return changed_or_missing(st, err, "updating an appointment type");
}

int store_type_unrestrict(struct store *st, int64_t type_id)
{
	static const char sql[] = "DELETE FROM appointment_type_practitioner WHERE type_id = $1";

	return store_exec_bound(st, "removing type restrictions", sql, "i", type_id);
}

int store_openings_clear(struct store *st, int64_t practitioner_id)
{
	static const char sql_one[] = "DELETE FROM opening WHERE practitioner_id = $1";
	static const char sql_practice[] = "DELETE FROM opening WHERE practitioner_id IS NULL";

	if (practitioner_id)
		return store_exec_bound(st, "removing opening hours", sql_one, "i",
					practitioner_id);
	return store_exec_bound(st, "removing opening hours", sql_practice, "");
}

int store_absence_delete(struct store *st, int64_t id)
{
	static const char sql[] = "DELETE FROM absence WHERE id = $1";
	int err = store_exec_bound(st, "removing an absence", sql, "i", id);

	return changed_or_missing(st, err, "removing an absence");
}

int store_settings_list(struct store *st, struct store_setting **list, size_t *count)
{
	static const char sql[] = "SELECT key, value FROM setting ORDER BY key";
	struct list_builder out = {.item_size = sizeof(struct store_setting)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return store_fail(st, err, "listing settings");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_setting *s = store_list_next(&out);

		if (!s) {
			err = ENOMEM;
			break;
		}
		STORE_COPY_COLUMN(s->key, stmt, 0);
		STORE_COPY_COLUMN(s->value, stmt, 1);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return store_fail(st, err, "listing settings");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}
