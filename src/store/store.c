#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "fold.h"
#include "store_priv.h"

extern const struct embedded_file store_migrations[];
extern const size_t store_migrations_count;

static const int busy_timeout_ms = 5000;

/* Record a message naming what failed, with the driver's text when there is one. */
static int fail(struct store *st, int err, const char *what)
{
	if (err == ENOENT)
		snprintf(st->errmsg, sizeof(st->errmsg), "%s: not found", what);
	else if (err == EINVAL)
		snprintf(st->errmsg, sizeof(st->errmsg), "%s: invalid value", what);
	else
		snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what, db_errmsg(st->db));
	return err;
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

#define COPY_COLUMN(dst, stmt, col) copy_text((dst), sizeof(dst), db_column_text((stmt), (col)))

int store_schema_version_latest(void)
{
	return (int)store_migrations_count;
}

const char *store_errmsg(const struct store *st)
{
	return st->errmsg;
}

struct db *store_db(struct store *st)
{
	return st->db;
}

int store_schema_version(struct store *st, int *version)
{
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, "PRAGMA user_version", &stmt);
	if (err)
		return fail(st, err, "reading the schema version");
	err = db_step(stmt);
	*version = err == DB_ROW ? (int)db_column_int(stmt, 0) : 0;
	db_reset(stmt);
	return err == DB_ROW ? 0 : fail(st, err == DB_DONE ? EIO : err, "reading the schema version");
}

int store_open(struct store **stp, const char *path, unsigned flags, const char **why)
{
	unsigned db_flags = 0;
	struct store *st;
	int version = 0;
	int err;

	*stp = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return ENOMEM;
	if (flags & STORE_CREATE)
		db_flags |= DB_CREATE;
	if (flags & STORE_READONLY)
		db_flags |= DB_READONLY;
	err = db_open_sqlite(&st->db, path, db_flags, busy_timeout_ms, why);
	if (err) {
		free(st);
		return err;
	}
	err = store_schema_version(st, &version);
	if (err) {
		if (why)
			*why = "the schema version cannot be read";
		store_close(st);
		return err;
	}
	if (version > store_schema_version_latest()) {
		if (why)
			*why = "the database was written by a newer version of permanence";
		store_close(st);
		return ENOTSUP;
	}
	*stp = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	db_close(st->db);
	free(st);
}

int store_migrate(struct store *st)
{
	int version, err;
	char pragma[64];

	err = store_schema_version(st, &version);
	if (err)
		return err;
	for (int i = version; i < store_schema_version_latest(); i++) {
		err = db_begin(st->db, true);
		if (err)
			return fail(st, err, "starting a migration");
		err = db_exec(st->db, store_migrations[i].data);
		if (!err) {
			snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
			err = db_exec(st->db, pragma);
		}
		if (!err)
			err = db_commit(st->db);
		if (err) {
			fail(st, err, store_migrations[i].name);
			db_rollback(st->db);
			return err;
		}
	}
	return 0;
}

int store_begin(struct store *st, bool write)
{
	int err = db_begin(st->db, write);

	return err ? fail(st, err, "starting a transaction") : 0;
}

int store_commit(struct store *st)
{
	int err = db_commit(st->db);

	if (err) {
		fail(st, err, "committing");
		db_rollback(st->db);
	}
	return err;
}

void store_rollback(struct store *st)
{
	db_rollback(st->db);
}

/*
 * Run a statement that returns no rows, binding one argument per letter of `kinds`:
 * 'i' an int64_t, 'z' an int64_t where 0 binds NULL (optional references),
 * 's' a const char * where NULL binds NULL.
 */
static int exec_bound_v(struct store *st, const char *what, const char *sql, const char *kinds,
			va_list ap)
{
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, what);
	for (int i = 0; kinds[i] && !err; i++) {
		int64_t number;

		if (kinds[i] == 's') {
			err = db_bind_text(stmt, i + 1, va_arg(ap, const char *));
			continue;
		}
		number = va_arg(ap, int64_t);
		if (kinds[i] == 'z' && number == 0)
			err = db_bind_null(stmt, i + 1);
		else
			err = db_bind_int(stmt, i + 1, number);
	}
	if (!err) {
		err = db_step(stmt);
		err = err == DB_DONE || err == DB_ROW ? 0 : err;
	}
	db_reset(stmt);
	return err ? fail(st, err, what) : 0;
}

static int exec_bound(struct store *st, const char *what, const char *sql, const char *kinds,
		      ...)
{
	va_list ap;
	int err;

	va_start(ap, kinds);
	err = exec_bound_v(st, what, sql, kinds, ap);
	va_end(ap);
	return err;
}

/* NULL for an empty string, so optional text columns stay NULL. */
static const char *or_null(const char *text)
{
	return text && text[0] ? text : NULL;
}

static void *list_next(struct list_builder *list)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 16;
		void *items = realloc(list->items, capacity * list->item_size);

		if (!items)
			return NULL;
		list->items = items;
		list->capacity = capacity;
	}
	return memset((char *)list->items + list->count++ * list->item_size, 0, list->item_size);
}

/* ---- Practice ---- */

int store_practice_get(struct store *st, struct store_practice *p)
{
	static const char sql[] =
		"SELECT name, address, postcode, city, phone, timezone, default_lang,"
		" holiday_regions, slot_step_min, min_notice_min, urgent_release_min,"
		" booking_horizon_days FROM practice WHERE id = 1";
	struct db_stmt *stmt;
	int err;

	memset(p, 0, sizeof(*p));
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "reading the practice");
	err = db_step(stmt);
	if (err == DB_ROW) {
		COPY_COLUMN(p->name, stmt, 0);
		COPY_COLUMN(p->address, stmt, 1);
		COPY_COLUMN(p->postcode, stmt, 2);
		COPY_COLUMN(p->city, stmt, 3);
		COPY_COLUMN(p->phone, stmt, 4);
		COPY_COLUMN(p->timezone, stmt, 5);
		COPY_COLUMN(p->default_lang, stmt, 6);
		COPY_COLUMN(p->holiday_regions, stmt, 7);
		p->slot_step_min = (int)db_column_int(stmt, 8);
		p->min_notice_min = (int)db_column_int(stmt, 9);
		p->urgent_release_min = (int)db_column_int(stmt, 10);
		p->booking_horizon_days = (int)db_column_int(stmt, 11);
		err = 0;
	} else if (err == DB_DONE) {
		err = ENOENT;
	}
	db_reset(stmt);
	return err ? fail(st, err, "reading the practice") : 0;
}

int store_practice_put(struct store *st, const struct store_practice *p)
{
	static const char sql[] =
		"INSERT INTO practice (id, name, address, postcode, city, phone, timezone,"
		" default_lang, holiday_regions, slot_step_min, min_notice_min,"
		" urgent_release_min, booking_horizon_days)"
		" VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
		" ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address,"
		" postcode = excluded.postcode, city = excluded.city, phone = excluded.phone,"
		" timezone = excluded.timezone, default_lang = excluded.default_lang,"
		" holiday_regions = excluded.holiday_regions, slot_step_min = excluded.slot_step_min,"
		" min_notice_min = excluded.min_notice_min,"
		" urgent_release_min = excluded.urgent_release_min,"
		" booking_horizon_days = excluded.booking_horizon_days";

	return exec_bound(st, "saving the practice", sql, "ssssssssiiii", p->name, p->address,
			  p->postcode, p->city, p->phone, p->timezone, p->default_lang,
			  p->holiday_regions, (int64_t)p->slot_step_min, (int64_t)p->min_notice_min,
			  (int64_t)p->urgent_release_min, (int64_t)p->booking_horizon_days);
}

/* ---- Practitioners and appointment types ---- */

int store_practitioner_add(struct store *st, struct store_practitioner *pr)
{
	static const char sql[] = "INSERT INTO practitioner (title, first_name, last_name,"
				  " specialty, active) VALUES ($1, $2, $3, $4, $5)";
	int err = exec_bound(st, "adding a practitioner", sql, "ssssi", pr->title, pr->first_name,
			     pr->last_name, pr->specialty, (int64_t)pr->active);

	if (!err)
		pr->id = db_last_insert_id(st->db);
	return err;
}

int store_practitioners_list(struct store *st, struct store_practitioner **list, size_t *count)
{
	static const char sql[] = "SELECT id, title, first_name, last_name, specialty, active"
				  " FROM practitioner ORDER BY id";
	struct list_builder out = {.item_size = sizeof(struct store_practitioner)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing practitioners");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_practitioner *pr = list_next(&out);

		if (!pr) {
			err = ENOMEM;
			break;
		}
		pr->id = db_column_int(stmt, 0);
		COPY_COLUMN(pr->title, stmt, 1);
		COPY_COLUMN(pr->first_name, stmt, 2);
		COPY_COLUMN(pr->last_name, stmt, 3);
		COPY_COLUMN(pr->specialty, stmt, 4);
		pr->active = db_column_int(stmt, 5) != 0;
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "listing practitioners");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_type_add(struct store *st, struct store_appointment_type *t)
{
	static const char sql[] = "INSERT INTO appointment_type (code, label_fr, label_en,"
				  " duration_min, new_patient_allowed, active)"
				  " VALUES ($1, $2, $3, $4, $5, $6)";
	int err;

	if (t->duration_min < 5 || t->duration_min > 240)
		return fail(st, EINVAL, "appointment type duration (5 to 240 minutes)");
	err = exec_bound(st, "adding an appointment type", sql, "sssiii", t->code, t->label_fr,
			 t->label_en, (int64_t)t->duration_min, (int64_t)t->new_patient_allowed,
			 (int64_t)t->active);
	if (!err)
		t->id = db_last_insert_id(st->db);
	return err;
}

int store_types_list(struct store *st, struct store_appointment_type **list, size_t *count)
{
	static const char sql[] = "SELECT id, code, label_fr, label_en, duration_min,"
				  " new_patient_allowed, active FROM appointment_type ORDER BY id";
	struct list_builder out = {.item_size = sizeof(struct store_appointment_type)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing appointment types");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_appointment_type *t = list_next(&out);

		if (!t) {
			err = ENOMEM;
			break;
		}
		t->id = db_column_int(stmt, 0);
		COPY_COLUMN(t->code, stmt, 1);
		COPY_COLUMN(t->label_fr, stmt, 2);
		COPY_COLUMN(t->label_en, stmt, 3);
		t->duration_min = (int)db_column_int(stmt, 4);
		t->new_patient_allowed = db_column_int(stmt, 5) != 0;
		t->active = db_column_int(stmt, 6) != 0;
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "listing appointment types");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_type_restrict(struct store *st, int64_t type_id, int64_t practitioner_id)
{
	static const char sql[] = "INSERT INTO appointment_type_practitioner (type_id,"
				  " practitioner_id) VALUES ($1, $2)";

	return exec_bound(st, "restricting an appointment type", sql, "ii", type_id,
			  practitioner_id);
}

int store_type_restrictions_list(struct store *st, struct store_type_restriction **list,
				 size_t *count)
{
	static const char sql[] = "SELECT type_id, practitioner_id FROM"
				  " appointment_type_practitioner ORDER BY type_id, practitioner_id";
	struct list_builder out = {.item_size = sizeof(struct store_type_restriction)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing type restrictions");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_type_restriction *r = list_next(&out);

		if (!r) {
			err = ENOMEM;
			break;
		}
		r->type_id = db_column_int(stmt, 0);
		r->practitioner_id = db_column_int(stmt, 1);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "listing type restrictions");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

/* ---- Openings, absences, holidays, reserves ---- */

int store_opening_add(struct store *st, struct store_opening *o)
{
	static const char sql[] = "INSERT INTO opening (practitioner_id, weekday, start_min,"
				  " end_min, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5, $6)";
	int err;

	if (o->weekday < 1 || o->weekday > 7 || o->start_min < 0 || o->end_min > 1440 ||
	    o->start_min >= o->end_min)
		return fail(st, EINVAL, "opening hours (they must start before they end)");
	err = exec_bound(st, "adding opening hours", sql, "ziiiss", o->practitioner_id,
			 (int64_t)o->weekday,
			 (int64_t)o->start_min, (int64_t)o->end_min, or_null(o->valid_from),
			 or_null(o->valid_until));
	if (!err)
		o->id = db_last_insert_id(st->db);
	return err;
}

int store_openings_list(struct store *st, struct store_opening **list, size_t *count)
{
	static const char sql[] = "SELECT id, practitioner_id, weekday, start_min, end_min,"
				  " valid_from, valid_until FROM opening"
				  " ORDER BY practitioner_id, weekday, start_min";
	struct list_builder out = {.item_size = sizeof(struct store_opening)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing opening hours");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_opening *o = list_next(&out);

		if (!o) {
			err = ENOMEM;
			break;
		}
		o->id = db_column_int(stmt, 0);
		o->practitioner_id = db_column_int(stmt, 1);
		o->weekday = (int)db_column_int(stmt, 2);
		o->start_min = (int)db_column_int(stmt, 3);
		o->end_min = (int)db_column_int(stmt, 4);
		COPY_COLUMN(o->valid_from, stmt, 5);
		COPY_COLUMN(o->valid_until, stmt, 6);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "listing opening hours");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_absence_add(struct store *st, struct store_absence *a)
{
	static const char sql[] = "INSERT INTO absence (practitioner_id, start_utc, end_utc, reason)"
				  " VALUES ($1, $2, $3, $4)";
	int err;

	if (a->start_utc >= a->end_utc)
		return fail(st, EINVAL, "absence (it must start before it ends)");
	err = exec_bound(st, "adding an absence", sql, "ziis", a->practitioner_id, a->start_utc,
			 a->end_utc, a->reason);
	if (!err)
		a->id = db_last_insert_id(st->db);
	return err;
}

int store_absences_list(struct store *st, int64_t from, int64_t to, struct store_absence **list,
			size_t *count)
{
	static const char sql[] = "SELECT id, practitioner_id, start_utc, end_utc, reason"
				  " FROM absence WHERE start_utc < $1 AND end_utc > $2"
				  " ORDER BY start_utc";
	struct list_builder out = {.item_size = sizeof(struct store_absence)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing absences");
	db_bind_int(stmt, 1, to);
	db_bind_int(stmt, 2, from);
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_absence *a = list_next(&out);

		if (!a) {
			err = ENOMEM;
			break;
		}
		a->id = db_column_int(stmt, 0);
		a->practitioner_id = db_column_int(stmt, 1);
		a->start_utc = db_column_int(stmt, 2);
		a->end_utc = db_column_int(stmt, 3);
		COPY_COLUMN(a->reason, stmt, 4);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "listing absences");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_public_holiday_add(struct store *st, const struct store_public_holiday *h)
{
	static const char sql[] = "INSERT INTO public_holiday (day, name_fr, name_en)"
				  " VALUES ($1, $2, $3)";

	return exec_bound(st, "adding a public holiday", sql, "sss", h->day, h->name_fr,
			  h->name_en);
}

int store_public_holidays_list(struct store *st, struct store_public_holiday **list,
			       size_t *count)
{
	static const char sql[] = "SELECT day, name_fr, name_en FROM public_holiday ORDER BY day";
	struct list_builder out = {.item_size = sizeof(struct store_public_holiday)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing public holidays");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_public_holiday *h = list_next(&out);

		if (!h) {
			err = ENOMEM;
			break;
		}
		COPY_COLUMN(h->day, stmt, 0);
		COPY_COLUMN(h->name_fr, stmt, 1);
		COPY_COLUMN(h->name_en, stmt, 2);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "listing public holidays");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_urgent_reserve_add(struct store *st, struct store_urgent_reserve *r)
{
	static const char sql[] = "INSERT INTO urgent_reserve (practitioner_id, weekday,"
				  " start_min, end_min) VALUES ($1, $2, $3, $4)";
	int err;

	if (r->weekday < 1 || r->weekday > 7 || r->start_min < 0 || r->end_min > 1440 ||
	    r->start_min >= r->end_min)
		return fail(st, EINVAL, "urgent reserve (it must start before it ends)");
	err = exec_bound(st, "adding an urgent reserve", sql, "iiii", r->practitioner_id,
			 (int64_t)r->weekday, (int64_t)r->start_min, (int64_t)r->end_min);
	if (!err)
		r->id = db_last_insert_id(st->db);
	return err;
}

int store_urgent_reserves_list(struct store *st, struct store_urgent_reserve **list,
			       size_t *count)
{
	static const char sql[] = "SELECT id, practitioner_id, weekday, start_min, end_min"
				  " FROM urgent_reserve ORDER BY practitioner_id, weekday, start_min";
	struct list_builder out = {.item_size = sizeof(struct store_urgent_reserve)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing urgent reserves");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_urgent_reserve *r = list_next(&out);

		if (!r) {
			err = ENOMEM;
			break;
		}
		r->id = db_column_int(stmt, 0);
		r->practitioner_id = db_column_int(stmt, 1);
		r->weekday = (int)db_column_int(stmt, 2);
		r->start_min = (int)db_column_int(stmt, 3);
		r->end_min = (int)db_column_int(stmt, 4);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "listing urgent reserves");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

/* ---- Patients ---- */

static int fold_name(struct store *st, const char *name, char *out, size_t size)
{
	if (text_fold(name, out, size) < 0)
		return fail(st, EINVAL, "patient name (too long or not text)");
	return 0;
}

int store_patient_add(struct store *st, struct store_patient *p)
{
	static const char sql[] = "INSERT INTO patient (last_name, first_name, last_name_folded,"
				  " first_name_folded, birth_date, phone, email, created_utc)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
	char last_folded[128], first_folded[128];
	int err;

	if (!p->last_name[0])
		return fail(st, EINVAL, "patient last name (it is empty)");
	err = fold_name(st, p->last_name, last_folded, sizeof(last_folded));
	if (!err)
		err = fold_name(st, p->first_name, first_folded, sizeof(first_folded));
	if (err)
		return err;
	err = exec_bound(st, "adding a patient", sql, "sssssssi", p->last_name, p->first_name,
			 last_folded, first_folded, or_null(p->birth_date), or_null(p->phone),
			 or_null(p->email), p->created_utc);
	if (!err)
		p->id = db_last_insert_id(st->db);
	return err;
}

#define PATIENT_COLUMNS "id, last_name, first_name, birth_date, phone, email, created_utc"

static void read_patient(struct db_stmt *stmt, struct store_patient *p)
{
	p->id = db_column_int(stmt, 0);
	COPY_COLUMN(p->last_name, stmt, 1);
	COPY_COLUMN(p->first_name, stmt, 2);
	COPY_COLUMN(p->birth_date, stmt, 3);
	COPY_COLUMN(p->phone, stmt, 4);
	COPY_COLUMN(p->email, stmt, 5);
	p->created_utc = db_column_int(stmt, 6);
}

int store_patient_get(struct store *st, int64_t id, struct store_patient *p)
{
	static const char sql[] = "SELECT " PATIENT_COLUMNS " FROM patient WHERE id = $1";
	struct db_stmt *stmt;
	int err;

	memset(p, 0, sizeof(*p));
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "reading a patient");
	db_bind_int(stmt, 1, id);
	err = db_step(stmt);
	if (err == DB_ROW) {
		read_patient(stmt, p);
		err = 0;
	} else if (err == DB_DONE) {
		err = ENOENT;
	}
	db_reset(stmt);
	return err ? fail(st, err, "reading a patient") : 0;
}

static int list_patients(struct store *st, struct db_stmt *stmt, struct store_patient **list,
			 size_t *count)
{
	struct list_builder out = {.item_size = sizeof(struct store_patient)};
	int err;

	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_patient *p = list_next(&out);

		if (!p) {
			err = ENOMEM;
			break;
		}
		read_patient(stmt, p);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "finding patients");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_patients_find_by_phone(struct store *st, const char *phone,
				 struct store_patient **list, size_t *count)
{
	static const char sql[] = "SELECT " PATIENT_COLUMNS " FROM patient WHERE phone = $1"
				  " ORDER BY id LIMIT 50";
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "finding patients");
	db_bind_text(stmt, 1, phone);
	return list_patients(st, stmt, list, count);
}

int store_patients_find_by_name(struct store *st, const char *last_name, const char *birth_date,
				struct store_patient **list, size_t *count)
{
	static const char sql[] = "SELECT " PATIENT_COLUMNS " FROM patient"
				  " WHERE last_name_folded = $1 AND birth_date = $2"
				  " ORDER BY id LIMIT 50";
	char folded[128];
	struct db_stmt *stmt;
	int err;

	err = fold_name(st, last_name, folded, sizeof(folded));
	if (err)
		return err;
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "finding patients");
	db_bind_text(stmt, 1, folded);
	db_bind_text(stmt, 2, birth_date);
	return list_patients(st, stmt, list, count);
}

int store_patient_is_known(struct store *st, int64_t patient_id, int64_t before, bool *known)
{
	static const char sql[] = "SELECT 1 FROM appointment WHERE patient_id = $1"
				  " AND status IN ('booked', 'moved') AND start_utc < $2 LIMIT 1";
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "reading a patient's history");
	db_bind_int(stmt, 1, patient_id);
	db_bind_int(stmt, 2, before);
	err = db_step(stmt);
	db_reset(stmt);
	if (err != DB_ROW && err != DB_DONE)
		return fail(st, err, "reading a patient's history");
	*known = err == DB_ROW;
	return 0;
}

/* ---- Appointments ---- */

static const char *const status_names[] = {"booked", "cancelled", "moved"};

const char *store_appointment_status_name(enum store_appointment_status status)
{
	return (unsigned)status < 3 ? status_names[status] : "?";
}

static enum store_appointment_status parse_status(const char *text)
{
	for (int i = 0; i < 3; i++) {
		if (strcmp(text, status_names[i]) == 0)
			return (enum store_appointment_status)i;
	}
	return STORE_APPOINTMENT_CANCELLED;
}

#define APPOINTMENT_COLUMNS                                                             \
	"id, practitioner_id, type_id, patient_id, start_utc, end_utc, status, urgent," \
	" reason, source, call_id, replaced_by, created_utc, updated_utc"

static void read_appointment(struct db_stmt *stmt, struct store_appointment *a)
{
	a->id = db_column_int(stmt, 0);
	a->practitioner_id = db_column_int(stmt, 1);
	a->type_id = db_column_int(stmt, 2);
	a->patient_id = db_column_int(stmt, 3);
	a->start_utc = db_column_int(stmt, 4);
	a->end_utc = db_column_int(stmt, 5);
	a->status = parse_status(db_column_text(stmt, 6));
	a->urgent = db_column_int(stmt, 7) != 0;
	COPY_COLUMN(a->reason, stmt, 8);
	COPY_COLUMN(a->source, stmt, 9);
	COPY_COLUMN(a->call_id, stmt, 10);
	a->replaced_by = db_column_int(stmt, 11);
	a->created_utc = db_column_int(stmt, 12);
	a->updated_utc = db_column_int(stmt, 13);
}

int store_appointment_insert(struct store *st, struct store_appointment *a)
{
	static const char sql[] =
		"INSERT INTO appointment (practitioner_id, type_id, patient_id, start_utc, end_utc,"
		" status, urgent, reason, source, call_id, created_utc, updated_utc)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
	int err;

	if (a->start_utc >= a->end_utc)
		return fail(st, EINVAL, "appointment (it must start before it ends)");
	err = exec_bound(st, "inserting an appointment", sql, "iiiiisisssii", a->practitioner_id,
			 a->type_id, a->patient_id, a->start_utc, a->end_utc,
			 store_appointment_status_name(a->status), (int64_t)a->urgent, a->reason,
			 a->source[0] ? a->source : "cli", or_null(a->call_id), a->created_utc,
			 a->updated_utc);
	if (!err)
		a->id = db_last_insert_id(st->db);
	return err;
}

int store_appointment_get(struct store *st, int64_t id, struct store_appointment *a)
{
	static const char sql[] = "SELECT " APPOINTMENT_COLUMNS " FROM appointment WHERE id = $1";
	struct db_stmt *stmt;
	int err;

	memset(a, 0, sizeof(*a));
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "reading an appointment");
	db_bind_int(stmt, 1, id);
	err = db_step(stmt);
	if (err == DB_ROW) {
		read_appointment(stmt, a);
		err = 0;
	} else if (err == DB_DONE) {
		err = ENOENT;
	}
	db_reset(stmt);
	return err ? fail(st, err, "reading an appointment") : 0;
}

int store_appointment_set_status(struct store *st, int64_t id,
				 enum store_appointment_status status, int64_t replaced_by,
				 int64_t now)
{
	static const char sql[] = "UPDATE appointment SET status = $1, replaced_by = $2,"
				  " updated_utc = $3 WHERE id = $4";
	int err = exec_bound(st, "updating an appointment", sql, "szii",
			     store_appointment_status_name(status), replaced_by, now, id);

	if (!err && db_changes(st->db) == 0)
		return fail(st, ENOENT, "updating an appointment");
	return err;
}

static int list_appointments(struct store *st, struct db_stmt *stmt,
			     struct store_appointment **list, size_t *count)
{
	struct list_builder out = {.item_size = sizeof(struct store_appointment)};
	int err;

	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_appointment *a = list_next(&out);

		if (!a) {
			err = ENOMEM;
			break;
		}
		read_appointment(stmt, a);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "listing appointments");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_appointments_range(struct store *st, int64_t from, int64_t to, int64_t practitioner_id,
			     struct store_appointment **list, size_t *count)
{
	static const char sql_all[] = "SELECT " APPOINTMENT_COLUMNS " FROM appointment"
				      " WHERE status = 'booked' AND start_utc < $1 AND end_utc > $2"
				      " ORDER BY practitioner_id, start_utc";
	static const char sql_one[] = "SELECT " APPOINTMENT_COLUMNS " FROM appointment"
				      " WHERE status = 'booked' AND start_utc < $1 AND end_utc > $2"
				      " AND practitioner_id = $3 ORDER BY start_utc";
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, practitioner_id ? sql_one : sql_all, &stmt);
	if (err)
		return fail(st, err, "listing appointments");
	db_bind_int(stmt, 1, to);
	db_bind_int(stmt, 2, from);
	if (practitioner_id)
		db_bind_int(stmt, 3, practitioner_id);
	return list_appointments(st, stmt, list, count);
}

int store_appointment_overlaps(struct store *st, int64_t practitioner_id, int64_t start,
			       int64_t end, int64_t ignore_id, bool *overlaps)
{
	static const char sql[] = "SELECT 1 FROM appointment WHERE practitioner_id = $1"
				  " AND status = 'booked' AND start_utc < $2 AND end_utc > $3"
				  " AND id <> $4 LIMIT 1";
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "checking the agenda");
	db_bind_int(stmt, 1, practitioner_id);
	db_bind_int(stmt, 2, end);
	db_bind_int(stmt, 3, start);
	db_bind_int(stmt, 4, ignore_id);
	err = db_step(stmt);
	db_reset(stmt);
	if (err != DB_ROW && err != DB_DONE)
		return fail(st, err, "checking the agenda");
	*overlaps = err == DB_ROW;
	return 0;
}

int store_appointments_for_patient(struct store *st, int64_t patient_id, int64_t after,
				   struct store_appointment **list, size_t *count)
{
	static const char sql[] = "SELECT " APPOINTMENT_COLUMNS " FROM appointment"
				  " WHERE patient_id = $1 AND status = 'booked' AND end_utc > $2"
				  " ORDER BY start_utc LIMIT 50";
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing a patient's appointments");
	db_bind_int(stmt, 1, patient_id);
	db_bind_int(stmt, 2, after);
	return list_appointments(st, stmt, list, count);
}

int store_appointment_event_add(struct store *st, const struct store_appointment_event *e)
{
	static const char sql[] = "INSERT INTO appointment_event (appointment_id, at_utc, action,"
				  " actor, detail) VALUES ($1, $2, $3, $4, $5)";

	return exec_bound(st, "recording appointment history", sql, "iisss", e->appointment_id,
			  e->at_utc, e->action, e->actor, e->detail);
}

int store_appointment_events_list(struct store *st, int64_t appointment_id,
				  struct store_appointment_event **list, size_t *count)
{
	static const char sql[] = "SELECT appointment_id, at_utc, action, actor, detail"
				  " FROM appointment_event WHERE appointment_id = $1 ORDER BY id";
	struct list_builder out = {.item_size = sizeof(struct store_appointment_event)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "reading appointment history");
	db_bind_int(stmt, 1, appointment_id);
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_appointment_event *e = list_next(&out);

		if (!e) {
			err = ENOMEM;
			break;
		}
		e->appointment_id = db_column_int(stmt, 0);
		e->at_utc = db_column_int(stmt, 1);
		COPY_COLUMN(e->action, stmt, 2);
		COPY_COLUMN(e->actor, stmt, 3);
		COPY_COLUMN(e->detail, stmt, 4);
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		free(out.items);
		return fail(st, err, "reading appointment history");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

int store_idempotency_get(struct store *st, const char *key, char *operation, size_t size,
			  int64_t *appointment_id)
{
	static const char sql[] = "SELECT operation, appointment_id FROM idempotency WHERE key = $1";
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "reading an idempotency key");
	db_bind_text(stmt, 1, key);
	err = db_step(stmt);
	if (err == DB_ROW) {
		copy_text(operation, size, db_column_text(stmt, 0));
		*appointment_id = db_column_int(stmt, 1);
		err = 0;
	} else if (err == DB_DONE) {
		err = ENOENT;
	}
	db_reset(stmt);
	if (err == ENOENT)
		return ENOENT;
	return err ? fail(st, err, "reading an idempotency key") : 0;
}

int store_idempotency_put(struct store *st, const char *key, const char *operation,
			  int64_t appointment_id, int64_t now)
{
	static const char sql[] = "INSERT INTO idempotency (key, operation, appointment_id,"
				  " created_utc) VALUES ($1, $2, $3, $4)";

	return exec_bound(st, "saving an idempotency key", sql, "ssii", key, operation,
			  appointment_id, now);
}

/* ---- Calls ---- */

int store_call_save(struct store *st, const struct store_call *c)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO call (id, channel, caller_number, called_number, lang,"
		" started_utc, answered_utc, ended_utc, outcome, urgency, intent, reason,"
		" patient_id, summary_json, transcript_json)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
	struct db_stmt *stmt;
	int err;

	if (!c->id[0])
		return fail(st, EINVAL, "call record (empty id)");
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "saving a call");
	db_bind_text(stmt, 1, c->id);
	db_bind_text(stmt, 2, c->channel[0] ? c->channel : "sip");
	db_bind_text(stmt, 3, c->caller_number);
	db_bind_text(stmt, 4, c->called_number);
	db_bind_text(stmt, 5, c->lang[0] ? c->lang : "fr");
	db_bind_int(stmt, 6, c->started_utc);
	if (c->answered_utc)
		db_bind_int(stmt, 7, c->answered_utc);
	if (c->ended_utc)
		db_bind_int(stmt, 8, c->ended_utc);
	db_bind_text(stmt, 9, c->outcome);
	db_bind_text(stmt, 10, c->urgency[0] ? c->urgency : "none");
	db_bind_text(stmt, 11, c->intent);
	db_bind_text(stmt, 12, c->reason);
	if (c->patient_id)
		db_bind_int(stmt, 13, c->patient_id);
	db_bind_text(stmt, 14, c->summary_json ? c->summary_json : "{}");
	db_bind_text(stmt, 15, c->transcript_json ? c->transcript_json : "[]");
	err = db_step(stmt);
	db_reset(stmt);
	return err == DB_DONE ? 0 : fail(st, err, "saving a call");
}

static int read_call(struct db_stmt *stmt, struct store_call *c)
{
	COPY_COLUMN(c->id, stmt, 0);
	COPY_COLUMN(c->channel, stmt, 1);
	COPY_COLUMN(c->caller_number, stmt, 2);
	COPY_COLUMN(c->called_number, stmt, 3);
	COPY_COLUMN(c->lang, stmt, 4);
	c->started_utc = db_column_int(stmt, 5);
	c->answered_utc = db_column_int(stmt, 6);
	c->ended_utc = db_column_int(stmt, 7);
	COPY_COLUMN(c->outcome, stmt, 8);
	COPY_COLUMN(c->urgency, stmt, 9);
	COPY_COLUMN(c->intent, stmt, 10);
	COPY_COLUMN(c->reason, stmt, 11);
	c->patient_id = db_column_int(stmt, 12);
	c->summary_json = strdup(db_column_text(stmt, 13));
	c->transcript_json = strdup(db_column_text(stmt, 14));
	return c->summary_json && c->transcript_json ? 0 : ENOMEM;
}

void store_call_release(struct store_call *c)
{
	free(c->summary_json);
	free(c->transcript_json);
	c->summary_json = NULL;
	c->transcript_json = NULL;
}

void store_calls_free(struct store_call *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_call_release(&list[i]);
	free(list);
}

int store_call_get(struct store *st, const char *id, struct store_call *c)
{
	static const char sql[] = "SELECT " CALL_COLUMNS " FROM call WHERE id = $1";
	struct db_stmt *stmt;
	int err;

	memset(c, 0, sizeof(*c));
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "reading a call");
	db_bind_text(stmt, 1, id);
	err = db_step(stmt);
	if (err == DB_ROW)
		err = read_call(stmt, c);
	else if (err == DB_DONE)
		err = ENOENT;
	db_reset(stmt);
	if (err)
		store_call_release(c);
	return err ? fail(st, err, "reading a call") : 0;
}

int store_calls_list(struct store *st, size_t limit, size_t offset, struct store_call **list,
		     size_t *count)
{
	static const char sql[] = "SELECT " CALL_COLUMNS " FROM call"
				  " ORDER BY started_utc DESC, id DESC LIMIT $1 OFFSET $2";
	struct list_builder out = {.item_size = sizeof(struct store_call)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "listing calls");
	db_bind_int(stmt, 1, (int64_t)(limit ? limit : 100));
	db_bind_int(stmt, 2, (int64_t)offset);
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_call *c = list_next(&out);

		if (!c || read_call(stmt, c)) {
			err = ENOMEM;
			break;
		}
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		store_calls_free(out.items, out.count);
		return fail(st, err, "listing calls");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

/* ---- Tasks ---- */

int store_task_add(struct store *st, struct store_task *t)
{
	static const char sql[] =
		"INSERT INTO task (created_utc, updated_utc, kind, priority, status, call_id,"
		" patient_id, practitioner_id, caller_number, summary, details_json)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
	struct db_stmt *stmt;
	int err;

	if (!t->kind[0] || t->priority < 0 || t->priority > 2)
		return fail(st, EINVAL, "task (kind or priority)");
	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "adding a task");
	db_bind_int(stmt, 1, t->created_utc);
	db_bind_int(stmt, 2, t->updated_utc ? t->updated_utc : t->created_utc);
	db_bind_text(stmt, 3, t->kind);
	db_bind_int(stmt, 4, t->priority);
	db_bind_text(stmt, 5, t->status[0] ? t->status : "open");
	db_bind_text(stmt, 6, or_null(t->call_id));
	if (t->patient_id)
		db_bind_int(stmt, 7, t->patient_id);
	if (t->practitioner_id)
		db_bind_int(stmt, 8, t->practitioner_id);
	db_bind_text(stmt, 9, t->caller_number);
	db_bind_text(stmt, 10, t->summary);
	db_bind_text(stmt, 11, t->details_json ? t->details_json : "{}");
	err = db_step(stmt);
	db_reset(stmt);
	if (err != DB_DONE)
		return fail(st, err, "adding a task");
	t->id = db_last_insert_id(st->db);
	return 0;
}

int store_tasks_list(struct store *st, bool open_only, struct store_task **list, size_t *count)
{
	static const char sql_open[] =
		"SELECT id, created_utc, updated_utc, kind, priority, status, call_id, patient_id,"
		" practitioner_id, caller_number, summary, details_json, assignee, done_utc"
		" FROM task WHERE status <> 'done' ORDER BY priority, created_utc, id LIMIT 1000";
	static const char sql_all[] =
		"SELECT id, created_utc, updated_utc, kind, priority, status, call_id, patient_id,"
		" practitioner_id, caller_number, summary, details_json, assignee, done_utc"
		" FROM task ORDER BY status = 'done', priority, created_utc, id LIMIT 1000";
	struct list_builder out = {.item_size = sizeof(struct store_task)};
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, open_only ? sql_open : sql_all, &stmt);
	if (err)
		return fail(st, err, "listing tasks");
	while ((err = db_step(stmt)) == DB_ROW) {
		struct store_task *t = list_next(&out);

		if (!t) {
			err = ENOMEM;
			break;
		}
		t->id = db_column_int(stmt, 0);
		t->created_utc = db_column_int(stmt, 1);
		t->updated_utc = db_column_int(stmt, 2);
		COPY_COLUMN(t->kind, stmt, 3);
		t->priority = (int)db_column_int(stmt, 4);
		COPY_COLUMN(t->status, stmt, 5);
		COPY_COLUMN(t->call_id, stmt, 6);
		t->patient_id = db_column_int(stmt, 7);
		t->practitioner_id = db_column_int(stmt, 8);
		COPY_COLUMN(t->caller_number, stmt, 9);
		COPY_COLUMN(t->summary, stmt, 10);
		t->details_json = strdup(db_column_text(stmt, 11));
		COPY_COLUMN(t->assignee, stmt, 12);
		t->done_utc = db_column_int(stmt, 13);
		if (!t->details_json) {
			err = ENOMEM;
			break;
		}
	}
	db_reset(stmt);
	if (err != DB_DONE) {
		store_tasks_free(out.items, out.count);
		return fail(st, err, "listing tasks");
	}
	*list = out.items;
	*count = out.count;
	return 0;
}

void store_tasks_free(struct store_task *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i].details_json);
	free(list);
}

int store_task_set_status(struct store *st, int64_t id, const char *status,
			  const char *assignee, int64_t now)
{
	static const char sql[] =
		"UPDATE task SET status = $1, assignee = coalesce($2, assignee), updated_utc = $3,"
		" done_utc = CASE WHEN $1 = 'done' THEN $3 ELSE NULL END WHERE id = $4";
	int err;

	if (strcmp(status, "open") != 0 && strcmp(status, "assigned") != 0 &&
	    strcmp(status, "done") != 0)
		return fail(st, EINVAL, "task status (open, assigned or done)");
	err = exec_bound(st, "updating a task", sql, "ssii", status, or_null(assignee), now, id);
	if (!err && db_changes(st->db) == 0)
		return fail(st, ENOENT, "updating a task");
	return err;
}

/* ---- Settings ---- */

int store_setting_get(struct store *st, const char *key, char *value, size_t size)
{
	static const char sql[] = "SELECT value FROM setting WHERE key = $1";
	struct db_stmt *stmt;
	int err;

	err = db_prepare(st->db, sql, &stmt);
	if (err)
		return fail(st, err, "reading a setting");
	db_bind_text(stmt, 1, key);
	err = db_step(stmt);
	if (err == DB_ROW) {
		copy_text(value, size, db_column_text(stmt, 0));
		err = 0;
	} else if (err == DB_DONE) {
		err = ENOENT;
	}
	db_reset(stmt);
	if (err == ENOENT)
		return ENOENT;
	return err ? fail(st, err, "reading a setting") : 0;
}

int store_setting_put(struct store *st, const char *key, const char *value)
{
	static const char sql[] = "INSERT INTO setting (key, value) VALUES ($1, $2)"
				  " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

	return exec_bound(st, "saving a setting", sql, "ss", key, value);
}

/* ---- Helpers shared with the other store files (store_priv.h) ---- */

int store_fail(struct store *st, int err, const char *what)
{
	return fail(st, err, what);
}

int store_exec_bound(struct store *st, const char *what, const char *sql, const char *kinds, ...)
{
	va_list ap;
	int err;

	va_start(ap, kinds);
	err = exec_bound_v(st, what, sql, kinds, ap);
	va_end(ap);
	return err;
}

void *store_list_next(struct list_builder *list)
{
	return list_next(list);
}

int store_read_call(struct db_stmt *stmt, struct store_call *call)
{
	return read_call(stmt, call);
}
