/*
 * The agenda service: the scheduling rules loaded from the store, slot search over the
 * booked appointments, and booking, cancelling and moving as single transactions.
 *
 * Every change runs in one write transaction that re-checks the slot against every rule
 * with the store's current state, so two callers racing for one slot get one booking
 * and one SCHED_TAKEN. An idempotency key makes a retried request return the first
 * result instead of acting twice.
 *
 * A struct agenda uses its store from the calling thread; open one per thread.
 */
#ifndef PERMANENCE_AGENDA_H
#define PERMANENCE_AGENDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched.h"
#include "store.h"

struct agenda;

/*
 * Load the practice, practitioners, types, opening hours, reserves, holidays and
 * closures from the store and validate them. Returns 0; ENOENT when the database holds
 * no practice (run `permanence init`); EINVAL when the rules are inconsistent (an
 * invalid zone, overlapping hours...), with a message naming the value in `message`.
 */
int agenda_open(struct agenda **agendap, struct store *st, char *message, size_t size);
void agenda_close(struct agenda *agenda);
/* Load the rules again after settings changed. Same errors as agenda_open(). */
int agenda_reload(struct agenda *agenda, char *message, size_t size);

/* Why a practice's settings were refused, for its staff: a sentence in each language. */
struct agenda_reason {
	char fr[400];
	char en[400];
};

/*
 * Check that the store's settings load, as agenda_open() would, without keeping the
 * agenda. Same errors; on failure `reason` contains the cause in French and English.
 */
int agenda_check(struct store *st, struct agenda_reason *reason);

struct store *agenda_store(const struct agenda *agenda);
const struct sched_rules *agenda_rules(const struct agenda *agenda);
const struct store_practice *agenda_practice(const struct agenda *agenda);
const struct tz *agenda_tz(const struct agenda *agenda);

size_t agenda_practitioner_count(const struct agenda *agenda);
const struct store_practitioner *agenda_practitioner(const struct agenda *agenda, int index);
/* Index of a practitioner by store id, or -1. */
int agenda_practitioner_index(const struct agenda *agenda, int64_t id);
/*
 * Index of a practitioner by name, case- and accent-insensitive: "Benali", "Dr Benali",
 * "Karim Benali", "docteur benali". Returns -1 when none or several match.
 */
int agenda_practitioner_find(const struct agenda *agenda, const char *name);
/* "Dr Claire Martin". */
void agenda_practitioner_name(const struct agenda *agenda, int index, char *buf, size_t size);

size_t agenda_type_count(const struct agenda *agenda);
const struct store_appointment_type *agenda_type(const struct agenda *agenda, int index);
int agenda_type_index(const struct agenda *agenda, int64_t id);
/* Index of a type by its code ("consultation"), or -1. */
int agenda_type_find(const struct agenda *agenda, const char *code);

/*
 * Search free slots. The range is searched a week at a time, so results come from the
 * earliest week that has room, spread as sched_search() describes.
 * Same results as sched_search(), plus EIO/EBUSY from the store.
 */
int agenda_search(struct agenda *agenda, const struct sched_query *query,
		  struct sched_slot *slots, size_t *count, enum sched_verdict *verdict);

/* Who the appointment is for: an existing patient id, or details to find or create. */
struct agenda_patient {
	int64_t id;             /* 0: find by the details below, or create */
	char last_name[64];
	char first_name[64];
	char birth_date[11];    /* "YYYY-MM-DD" or "" */
	char phone[24];         /* E.164 or "" */
};

struct agenda_booking {
	int type;               /* index */
	int practitioner;       /* index */
	int64_t start;
	struct agenda_patient patient;
	bool urgent;
	const char *reason;     /* may be NULL */
	const char *source;     /* "phone", "chat", "staff", "cli" */
	const char *call_id;    /* may be NULL */
	const char *actor;      /* who acts, for the history: "assistant", a user name */
	const char *idempotency_key; /* may be NULL */
	int64_t now;
};

struct agenda_outcome {
	enum sched_verdict verdict; /* SCHED_OK, or why nothing was changed */
	bool replayed;              /* an idempotency key matched: the first result is returned */
	struct store_appointment appointment; /* the booked (or new, after a move) appointment */
	int64_t previous_id;        /* a move: the appointment it replaced */
	bool new_patient;           /* the patient was created or had never come before */
};

/*
 * Book a slot. Returns 0 with outcome->verdict telling whether it was booked; EINVAL for
 * an invalid request (index out of range, no patient details); EBUSY when the database
 * stayed locked; EIO for a database failure (nothing is written then).
 */
int agenda_book(struct agenda *agenda, const struct agenda_booking *booking,
		struct agenda_outcome *outcome);

/*
 * Cancel a booked appointment. Returns 0; ENOENT when there is no such appointment;
 * EALREADY when it is not booked any more (cancelled or moved); EBUSY, EIO as above.
 */
int agenda_cancel(struct agenda *agenda, int64_t appointment_id, const char *actor,
		  const char *idempotency_key, int64_t now, struct agenda_outcome *outcome);

struct agenda_move {
	int64_t appointment_id;
	int practitioner;       /* index, or -1 to keep the same practitioner */
	int64_t start;
	const char *actor;
	const char *call_id;
	const char *idempotency_key;
	int64_t now;
};

/*
 * Move a booked appointment: the new slot is taken before the old one is released, in
 * one transaction, so a failure at any step leaves the original appointment as it was.
 * Returns like agenda_book(), plus ENOENT and EALREADY as agenda_cancel().
 */
int agenda_move(struct agenda *agenda, const struct agenda_move *move,
		struct agenda_outcome *outcome);

/*
 * Find the patients matching the details: by phone number and, when given, last name;
 * or by last name and date of birth. Returns 0 with *count matches (the list is malloc'd).
 */
int agenda_patients_find(struct agenda *agenda, const struct agenda_patient *details,
			 struct store_patient **list, size_t *count);

#endif
