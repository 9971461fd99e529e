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

/* ---- Dashboard: call search, statistics rows, settings editing ---- */

/* Filters of store_calls_search(); zero or NULL fields do not filter. */
struct store_call_filter {
	int64_t from;         /* started_utc >= from */
	int64_t to;           /* started_utc < to (0: no upper bound) */
	const char *outcome;  /* exact outcome */
	const char *urgency;  /* "none", "urgent" or "emergency" */
	const char *text;     /* substring of the number, reason, intent, summary or transcript */
	size_t limit;         /* 0 means 100; at most 500 */
	size_t offset;
};

/* Calls matching the filter, newest first, and how many match in all (*total). */
int store_calls_search(struct store *st, const struct store_call_filter *filter,
		       struct store_call **list, size_t *count, size_t *total);

/* What the statistics need of one call. */
struct store_call_brief {
	int64_t started_utc;
	int64_t answered_utc;
	int64_t ended_utc;
	char outcome[16];
	char urgency[16];
	char intent[32];
};

/* Calls started in [from, to), oldest first; at most `max` rows (ERANGE past it). */
int store_calls_brief(struct store *st, int64_t from, int64_t to, size_t max,
		      struct store_call_brief **list, size_t *count);

int store_task_get(struct store *st, int64_t id, struct store_task *task);
/* Free the JSON string of a task returned by store_task_get(). */
void store_task_release(struct store_task *task);

/* Update a practitioner's title, names, specialty and active flag by id. */
int store_practitioner_update(struct store *st, const struct store_practitioner *practitioner);
/* Update a type's labels, duration, new-patient flag and active flag by id. */
int store_type_update(struct store *st, const struct store_appointment_type *type);
/* Remove every restriction of a type, so that every practitioner takes it. */
int store_type_unrestrict(struct store *st, int64_t type_id);
/* Remove the weekly opening hours of a practitioner (0: the practice's own). */
int store_openings_clear(struct store *st, int64_t practitioner_id);
int store_absence_delete(struct store *st, int64_t id);

struct store_setting {
	char key[64];
	char value[2048];
};

/* Every setting, by key. */
int store_settings_list(struct store *st, struct store_setting **list, size_t *count);

/* ---- Staff accounts, sessions, login attempts, audit log ---- */

struct store_user {
	int64_t id;
	char username[64];
	char display_name[128];
	char role[16];          /* "admin", "secretary", "practitioner" */
	int64_t practitioner_id; /* for a practitioner account; 0 otherwise */
	char password_hash[160]; /* argon2id string from crypto_pwhash_str() */
	char lang[4];           /* "fr" or "en" */
	bool disabled;
	int64_t created_utc;
	int64_t updated_utc;
};

/* Add an account; EEXIST when the user name is taken. */
int store_user_add(struct store *st, struct store_user *user);
int store_user_get(struct store *st, int64_t id, struct store_user *user);
int store_user_find(struct store *st, const char *username, struct store_user *user);
/* Every account, by user name. */
int store_users_list(struct store *st, struct store_user **list, size_t *count);
/* Save display name, role, practitioner, language, disabled flag and password hash. */
int store_user_update(struct store *st, const struct store_user *user);

struct store_session {
	char token_hash[65];  /* hex SHA-256 of the cookie value */
	int64_t user_id;
	char csrf_token[65];
	char address[64];
	int64_t created_utc;
	int64_t last_seen_utc;
};

int store_session_add(struct store *st, const struct store_session *session);
int store_session_get(struct store *st, const char *token_hash, struct store_session *session);
int store_session_touch(struct store *st, const char *token_hash, int64_t now);
int store_session_delete(struct store *st, const char *token_hash);
int store_sessions_delete_for_user(struct store *st, int64_t user_id);
/* Delete sessions created before created_before or last seen before seen_before. */
int store_sessions_expire(struct store *st, int64_t created_before, int64_t seen_before);

int store_login_attempt_add(struct store *st, const char *username, const char *address,
			    int64_t now, bool success);
/*
 * Failed logins since `since` for a user name (address NULL) or an address (username
 * NULL), counted after the last success of the same key, with the latest failure's time.
 */
int store_login_failures(struct store *st, const char *username, const char *address,
			 int64_t since, int *count, int64_t *last_utc);

struct store_audit {
	int64_t id;
	int64_t at_utc;
	int64_t user_id;
	char username[64];
	char address[64];
	char action[16];       /* "view", "create", "update", "book", "cancel", ... */
	char object_type[24];  /* "call", "task", "appointment", "agenda", "user", ... */
	char object_id[64];
	int64_t patient_id;    /* 0 when no single patient is concerned */
	char detail[256];
};

int store_audit_add(struct store *st, const struct store_audit *entry);

struct store_audit_filter {
	int64_t from;          /* at_utc >= from */
	int64_t to;            /* at_utc < to (0: no upper bound) */
	int64_t patient_id;    /* 0: any */
	const char *username;  /* NULL: any */
	size_t limit;          /* 0 means 100; at most 500 */
	size_t offset;
};

/* Audit entries, newest first. */
int store_audit_list(struct store *st, const struct store_audit_filter *filter,
		     struct store_audit **list, size_t *count);

#endif
