/*
 * The practice's database: agenda rules, patients, appointments, calls, staff tasks and
 * settings, with versioned migrations.
 *
 * Every function returns 0 or an errno value: ENOENT when a row is not found, EEXIST on
 * a uniqueness or constraint violation, EBUSY when the database stayed locked past the
 * busy timeout, EINVAL for arguments out of range, EIO for other database failures.
 * store_errmsg() then names the problem. Lists are returned as malloc'd arrays that the
 * caller frees with free(). A struct store is one connection: use it from one thread
 * at a time, and open one per thread that needs the database.
 */
#ifndef PERMANENCE_STORE_H
#define PERMANENCE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct store;

/* Flags of store_open(). */
#define STORE_CREATE 0x1   /* create the file if missing (then call store_migrate()) */
#define STORE_READONLY 0x2

/* The schema version this program writes; store_migrate() brings a database to it. */
int store_schema_version_latest(void);

/*
 * Open a database file and check its schema version: a database written by a newer
 * program is refused with ENOTSUP. A missing file without STORE_CREATE gives ENOENT.
 * On failure *stp is NULL and *why (when not NULL) is a static English reason.
 */
int store_open(struct store **stp, const char *path, unsigned flags, const char **why);
void store_close(struct store *st);
const char *store_errmsg(const struct store *st);
/* The driver under the store, for transactions and fault injection in tests. */
struct db *store_db(struct store *st);

/* Apply the migrations the database lacks, each in its own transaction. */
int store_migrate(struct store *st);
int store_schema_version(struct store *st, int *version);

/* Transactions: a write transaction holds the write lock from its start. */
int store_begin(struct store *st, bool write);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* ---- Practice and agenda rules ---- */

struct store_practice {
	char name[128];
	char address[256];
	char postcode[16];
	char city[64];
	char phone[32];
	char timezone[64];
	char default_lang[4];
	char holiday_regions[128];
	int slot_step_min;
	int min_notice_min;
	int urgent_release_min;
	int booking_horizon_days;
};

int store_practice_get(struct store *st, struct store_practice *practice);
int store_practice_put(struct store *st, const struct store_practice *practice);

struct store_practitioner {
	int64_t id;
	char title[16];
	char first_name[64];
	char last_name[64];
	char specialty[32];
	bool active;
};

int store_practitioner_add(struct store *st, struct store_practitioner *practitioner);
int store_practitioners_list(struct store *st, struct store_practitioner **list, size_t *count);

struct store_appointment_type {
	int64_t id;
	char code[32];
	char label_fr[64];
	char label_en[64];
	int duration_min;
	bool new_patient_allowed;
	bool active;
};

int store_type_add(struct store *st, struct store_appointment_type *type);
int store_types_list(struct store *st, struct store_appointment_type **list, size_t *count);
/* Restrict a type to a practitioner (a type with no restriction is taken by all). */
int store_type_restrict(struct store *st, int64_t type_id, int64_t practitioner_id);

struct store_type_restriction {
	int64_t type_id;
	int64_t practitioner_id;
};

int store_type_restrictions_list(struct store *st, struct store_type_restriction **list,
				 size_t *count);

struct store_opening {
	int64_t id;
	int64_t practitioner_id; /* 0: the practice's own hours */
	int weekday;             /* 1 = Monday ... 7 = Sunday */
	int start_min;           /* local minutes since midnight */
	int end_min;
	char valid_from[11];     /* "YYYY-MM-DD" or "" */
	char valid_until[11];
};

int store_opening_add(struct store *st, struct store_opening *opening);
int store_openings_list(struct store *st, struct store_opening **list, size_t *count);

struct store_absence {
	int64_t id;
	int64_t practitioner_id; /* 0: the whole practice is closed */
	int64_t start_utc;
	int64_t end_utc;
	char reason[128];
};

int store_absence_add(struct store *st, struct store_absence *absence);
/* Absences that overlap [from, to). */
int store_absences_list(struct store *st, int64_t from, int64_t to, struct store_absence **list,
			size_t *count);

struct store_public_holiday {
	char day[11];
	char name_fr[64];
	char name_en[64];
};

int store_public_holiday_add(struct store *st, const struct store_public_holiday *holiday);
int store_public_holidays_list(struct store *st, struct store_public_holiday **list,
			       size_t *count);

struct store_urgent_reserve {
	int64_t id;
	int64_t practitioner_id;
	int weekday;
	int start_min;
	int end_min;
};

int store_urgent_reserve_add(struct store *st, struct store_urgent_reserve *reserve);
int store_urgent_reserves_list(struct store *st, struct store_urgent_reserve **list,
			       size_t *count);

/* ---- Patients ---- */

struct store_patient {
	int64_t id;
	char last_name[64];
	char first_name[64];
	char birth_date[11]; /* "YYYY-MM-DD" or "" */
	char phone[24];      /* E.164 or "" */
	char email[128];
	int64_t created_utc;
};

int store_patient_add(struct store *st, struct store_patient *patient);
int store_patient_get(struct store *st, int64_t id, struct store_patient *patient);
/* Patients with this E.164 number (a family often shares one). */
int store_patients_find_by_phone(struct store *st, const char *phone,
				 struct store_patient **list, size_t *count);
/* Patients by last name (case- and accent-insensitive) and date of birth "YYYY-MM-DD". */
int store_patients_find_by_name(struct store *st, const char *last_name, const char *birth_date,
				struct store_patient **list, size_t *count);
/* Whether the patient has had a booked appointment that started before `before`. */
int store_patient_is_known(struct store *st, int64_t patient_id, int64_t before, bool *known);

/* ---- Appointments ---- */

enum store_appointment_status {
	STORE_APPOINTMENT_BOOKED = 0,
	STORE_APPOINTMENT_CANCELLED,
	STORE_APPOINTMENT_MOVED, /* replaced by another appointment */
};

struct store_appointment {
	int64_t id;
	int64_t practitioner_id;
	int64_t type_id;
	int64_t patient_id;
	int64_t start_utc;
	int64_t end_utc;
	enum store_appointment_status status;
	bool urgent;
	char reason[256];
	char source[16];
	char call_id[64];
	int64_t replaced_by;
	int64_t created_utc;
	int64_t updated_utc;
};

const char *store_appointment_status_name(enum store_appointment_status status);

/* Insert as given (no rule checks: the scheduling layer does them in its transaction). */
int store_appointment_insert(struct store *st, struct store_appointment *appointment);
int store_appointment_get(struct store *st, int64_t id, struct store_appointment *appointment);
int store_appointment_set_status(struct store *st, int64_t id,
				 enum store_appointment_status status, int64_t replaced_by,
				 int64_t now);
/*
 * Booked appointments overlapping [from, to), ordered by practitioner then start.
 * practitioner_id 0 takes every practitioner.
 */
int store_appointments_range(struct store *st, int64_t from, int64_t to, int64_t practitioner_id,
			     struct store_appointment **list, size_t *count);
/* Whether a booked appointment of the practitioner overlaps [start, end), ignoring one id. */
int store_appointment_overlaps(struct store *st, int64_t practitioner_id, int64_t start,
			       int64_t end, int64_t ignore_id, bool *overlaps);
/* A patient's booked appointments that end after `after`, soonest first. */
int store_appointments_for_patient(struct store *st, int64_t patient_id, int64_t after,
				   struct store_appointment **list, size_t *count);

struct store_appointment_event {
	int64_t appointment_id;
	int64_t at_utc;
	char action[8]; /* "book", "cancel", "move" */
	char actor[64];
	char detail[256];
};

int store_appointment_event_add(struct store *st, const struct store_appointment_event *event);
int store_appointment_events_list(struct store *st, int64_t appointment_id,
				  struct store_appointment_event **list, size_t *count);

/* Idempotency keys: the first request's result, returned to a retry. */
int store_idempotency_get(struct store *st, const char *key, char *operation, size_t size,
			  int64_t *appointment_id);
int store_idempotency_put(struct store *st, const char *key, const char *operation,
			  int64_t appointment_id, int64_t now);

/* ---- Calls and tasks ---- */

struct store_call {
	char id[64];
	char channel[8];      /* "sip" or "chat" */
	char caller_number[32];
	char called_number[32];
	char lang[4];
	int64_t started_utc;
	int64_t answered_utc; /* 0 when never answered */
	int64_t ended_utc;    /* 0 while in progress */
	char outcome[16];
	char urgency[16];     /* "none", "urgent", "emergency" */
	char intent[32];
	char reason[256];
	int64_t patient_id;   /* 0 when unknown */
	char *summary_json;   /* malloc'd by list/get; borrowed by save */
	char *transcript_json;
};

/* Insert or replace a call record. */
int store_call_save(struct store *st, const struct store_call *call);
int store_call_get(struct store *st, const char *id, struct store_call *call);
/* Newest first; limit 0 means 100. */
int store_calls_list(struct store *st, size_t limit, size_t offset, struct store_call **list,
		     size_t *count);
/* Free the JSON strings of a call returned by get or list. */
void store_call_release(struct store_call *call);
void store_calls_free(struct store_call *list, size_t count);

struct store_task {
	int64_t id;
	int64_t created_utc;
	int64_t updated_utc;
	char kind[16];      /* "callback", "prescription", "results", "paperwork", "emergency", "urgent", "message" */
	int priority;       /* 0 emergency, 1 urgent, 2 normal */
	char status[12];    /* "open", "assigned", "done" */
	char call_id[64];
	int64_t patient_id;
	int64_t practitioner_id;
	char caller_number[32];
	char summary[512];
	char *details_json; /* malloc'd by list; borrowed by add */
	char assignee[64];
	int64_t done_utc;
};

int store_task_add(struct store *st, struct store_task *task);
/* Tasks, most pressing first (priority, then age); open_only skips done ones. */
int store_tasks_list(struct store *st, bool open_only, struct store_task **list, size_t *count);
int store_task_set_status(struct store *st, int64_t id, const char *status,
			  const char *assignee, int64_t now);
void store_tasks_free(struct store_task *list, size_t count);

/* ---- Settings ---- */

/* Copy a setting's value into value; ENOENT when unset. */
int store_setting_get(struct store *st, const char *key, char *value, size_t size);
int store_setting_put(struct store *st, const char *key, const char *value);

#endif
