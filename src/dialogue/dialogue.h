/*
 * The conversation engine: what the practice's secretary says and does on each call.
 *
 * A struct dialogue is one call's state machine. dialogue_step() takes the state and one
 * event (the caller spoke, typed digits, fell silent, hung up, or an action the dialogue
 * requested has a result) and returns the new state and a list of actions (say, ask,
 * search slots, book, create a task, transfer, end...). It performs no I/O, reads no
 * clock ("now" comes in each event) and holds no global state, so the phone layer, a
 * text chat and tests drive it the same way. It calls nlu_parse() itself, with the
 * expectation of the question it asked.
 *
 * Contract with the driver (src/session is the usual one):
 * - Actions are executed in order. At most one of them asks for a result (search, book,
 *   cancel, move, find patient, list appointments, create task, transfer), and it is the
 *   last of the list; the driver feeds its result back as the next event before any
 *   caller event. END, when present, is also last.
 * - Every ASK carries the expectation and the keypad keys offered, so the speech layer
 *   can constrain recognition; SAY and ASK carry the catalogue key of their message.
 * - After END, or after HANGUP once any pending result is fed back, the dialogue is
 *   over: dialogue_ended() is true and further caller events return no actions.
 *
 * Threads: a struct dialogue belongs to one call and is used by one thread at a time.
 * The struct nlu and struct tz it borrows are immutable and may be shared.
 */
#ifndef PERMANENCE_DIALOGUE_H
#define PERMANENCE_DIALOGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nlu.h"
#include "sched.h"
#include "tz.h"

/* Maximum length of one SAY or ASK action's text, in bytes with the NUL. */
#define DIALOGUE_TEXT_MAX 2048
/* Maximum length of a caller utterance in one event, in bytes; longer is EINVAL. */
#define DIALOGUE_UTTERANCE_MAX 1024
/* Maximum number of keys in one keypad event. */
#define DIALOGUE_DIGITS_MAX 32
#define DIALOGUE_MAX_ACTIONS 8
#define DIALOGUE_MAX_OFFER 3
#define DIALOGUE_MAX_PATIENTS 8
#define DIALOGUE_MAX_APPOINTMENTS 8
#define DIALOGUE_MAX_DONE 16
/* Caller turns (utterances, digits, silences) before the call is wrapped up. */
#define DIALOGUE_DEFAULT_MAX_TURNS 40
/* Minutes between the call and the earliest urgent slot offered: time to get there. */
#define DIALOGUE_DEFAULT_URGENT_LEAD_MIN 30
/* Recognition confidence below which the dialogue checks what it heard. */
#define DIALOGUE_DEFAULT_CONFIDENCE_MIN 0.45f

/* ---- Configuration ---- */

struct dialogue_practitioner {
	char title[16];      /* "Dr", "Pr", or "" */
	char first_name[64];
	char last_name[64];
	bool active;
};

struct dialogue_type {
	char code[32];
	char label_fr[64];
	char label_en[64];
	bool new_patient_allowed;
	bool active;
	/* Practitioners (by index) who take this type; 0 means all of them. */
	uint64_t practitioner_mask;
};

/* One practice setting the dialogue reads; dialogue_setting_keys() lists the keys. */
struct dialogue_setting {
	const char *key;
	const char *value;
};

struct dialogue_config {
	const struct nlu *nlu;  /* may be NULL only when every utterance event is pre-parsed */
	const struct tz *tz;    /* the practice's zone */
	enum nlu_lang lang;     /* the language the call starts in */
	enum nlu_lang staff_lang; /* the language of task summaries */
	const char *practice_name;
	const char *practice_address; /* "12 rue des Tilleuls, 69003 Lyon", may be NULL */
	const char *caller_number; /* E.164, or NULL / "" when withheld */
	unsigned holiday_regions;  /* enum sched_region bits, for the secretariat's hours */
	int horizon_days;          /* how far ahead slots are searched */
	/* Practitioners and types in the agenda's index order (sched.h indexes). */
	const struct dialogue_practitioner *practitioners;
	size_t practitioner_count;
	const struct dialogue_type *types;
	size_t type_count;
	const struct dialogue_setting *settings;
	size_t setting_count;
};

/* ---- Events ---- */

enum dialogue_event_kind {
	DIALOGUE_EVENT_START = 0,  /* the call is answered */
	DIALOGUE_EVENT_UTTERANCE,  /* the caller said something (recognised text) */
	DIALOGUE_EVENT_DIGITS,     /* keypad digits */
	DIALOGUE_EVENT_SILENCE,    /* no answer before the silence timeout */
	DIALOGUE_EVENT_BARGE_IN,   /* the caller spoke over the assistant's speech */
	DIALOGUE_EVENT_HANGUP,
	/* Results of the actions the dialogue requested. */
	DIALOGUE_EVENT_SLOTS_FOUND,
	DIALOGUE_EVENT_BOOKED,
	DIALOGUE_EVENT_CANCELLED,
	DIALOGUE_EVENT_MOVED,
	DIALOGUE_EVENT_PATIENTS_FOUND,
	DIALOGUE_EVENT_APPOINTMENTS_LISTED,
	DIALOGUE_EVENT_TASK_CREATED,
	DIALOGUE_EVENT_TRANSFERRED, /* the transfer succeeded (transferred) or failed */
	DIALOGUE_EVENT_COUNT
};

struct dialogue_patient {
	int64_t id;
	char last_name[64];
	char first_name[64];
	char birth_date[11]; /* "YYYY-MM-DD" or "" */
};

struct dialogue_appointment {
	int64_t id;
	int64_t start;       /* UTC seconds */
	int practitioner;    /* index */
	int type;            /* index */
	int64_t patient_id;
	bool urgent;
};

struct dialogue_event {
	enum dialogue_event_kind kind;
	int64_t now;                  /* UTC seconds */

	/* UTTERANCE */
	const char *text;             /* UTF-8, at most DIALOGUE_UTTERANCE_MAX bytes */
	float confidence;             /* recognition confidence 0..1 (1 for typed text) */
	const struct nlu_result *parsed; /* already understood (tests); NULL to parse text */

	/* DIGITS */
	const char *digits;           /* '0'-'9', '*', '#' */

	/* Results: error is 0, or the errno value of the failed action. */
	int error;
	enum sched_verdict verdict;   /* SLOTS_FOUND with EPERM, BOOKED, MOVED */
	const struct sched_slot *slots;
	size_t slot_count;
	struct dialogue_appointment appointment; /* BOOKED, MOVED, CANCELLED */
	bool new_patient;             /* BOOKED: the agenda created the patient's record */
	const struct dialogue_patient *patients;
	size_t patient_count;
	const struct dialogue_appointment *appointments;
	size_t appointment_count;
	int64_t task_id;              /* TASK_CREATED */
	bool transferred;             /* TRANSFERRED */
};

/* ---- Actions ---- */

enum dialogue_action_kind {
	DIALOGUE_ACTION_SAY = 0,
	DIALOGUE_ACTION_ASK,
	DIALOGUE_ACTION_SEARCH,
	DIALOGUE_ACTION_BOOK,
	DIALOGUE_ACTION_CANCEL,
	DIALOGUE_ACTION_MOVE,
	DIALOGUE_ACTION_FIND_PATIENT,
	DIALOGUE_ACTION_LIST_APPOINTMENTS,
	DIALOGUE_ACTION_CREATE_TASK,
	DIALOGUE_ACTION_TRANSFER,
	DIALOGUE_ACTION_END,
	DIALOGUE_ACTION_SET_LANGUAGE,
	DIALOGUE_ACTION_COUNT
};

/* The patient of an appointment or a lookup: an existing patient, or details. */
struct dialogue_patient_details {
	int64_t id;          /* 0: find by the details, or create */
	char last_name[64];
	char first_name[64];
	char birth_date[11]; /* "YYYY-MM-DD" or "" */
	char phone[24];      /* E.164 or "" */
};

struct dialogue_book_request {
	int type;            /* index */
	int practitioner;    /* index */
	int64_t start;
	bool urgent;
	struct dialogue_patient_details patient;
	char reason[NLU_TEXT_MAX];
};

struct dialogue_move_request {
	int64_t appointment_id;
	int practitioner;    /* index, or -1 to keep the practitioner */
	int64_t start;
};

struct dialogue_task_request {
	char kind[16];       /* "callback", "prescription", "results", "paperwork",
			      * "emergency", "urgent", "message" */
	int priority;        /* 0 emergency, 1 urgent, 2 normal */
	int64_t patient_id;  /* 0 when unknown */
	int practitioner;    /* index, or -1 */
	char callback_number[24]; /* E.164 or "" */
	char summary[512];   /* one sentence for the staff, in the staff's language */
	char request[512];   /* the caller's own words about the request */
	char patient_name[130]; /* as given by the caller, "Sophie DURAND" */
	char birth_date[11];
};

struct dialogue_action {
	enum dialogue_action_kind kind;
	/* SAY, ASK */
	char text[DIALOGUE_TEXT_MAX];
	char key[48];        /* catalogue key of the main message, for logs and tests */
	bool interruptible;  /* false: barge-in must not cut it (emergency instructions) */
	/* ASK */
	enum nlu_expect expect;
	char keys[16];       /* keypad keys the question offers, e.g. "12" */
	/* SEARCH */
	struct sched_query query;
	/* BOOK */
	struct dialogue_book_request book;
	/* CANCEL (appointment_id), MOVE */
	struct dialogue_move_request move;
	/* FIND_PATIENT */
	struct dialogue_patient_details find;
	/* LIST_APPOINTMENTS */
	int64_t patient_id;
	/* CREATE_TASK */
	struct dialogue_task_request task;
	/* TRANSFER */
	char target[256];
	/* SET_LANGUAGE */
	enum nlu_lang lang;
};

struct dialogue_actions {
	size_t count;
	struct dialogue_action items[DIALOGUE_MAX_ACTIONS];
};

/* ---- The call's outcome ---- */

/* One action completed during the call, for the call record. */
struct dialogue_done {
	enum dialogue_action_kind kind; /* BOOK, CANCEL, MOVE, CREATE_TASK, TRANSFER, SAY (an answer) */
	int64_t id;          /* appointment or task id */
	int64_t previous_id; /* MOVE: the appointment replaced */
	int64_t start;       /* BOOK, MOVE: the appointment's start */
	int practitioner;    /* BOOK, MOVE: index, or -1 */
	int type;            /* BOOK: index, or -1 */
	char what[24];       /* task kind, answer topic ("hours"), or transfer result "ok"/"failed" */
};

struct dialogue_summary {
	enum nlu_intent intent;      /* the caller's main request */
	char reason[NLU_TEXT_MAX];   /* the reason in the caller's words, folded */
	int64_t patient_id;          /* 0 when not identified */
	enum nlu_patient relation;   /* who the request was for */
	bool new_patient;
	const char *outcome;         /* "booked", "cancelled", "moved", "task", "transferred",
				      * "emergency", "answered", "abandoned", "no_input", "failed" */
	struct nlu_triage triage;    /* the most urgent decision heard during the call */
	enum nlu_lang lang;          /* the language at the end */
	unsigned turns;              /* caller turns */
	size_t done_count;
	struct dialogue_done done[DIALOGUE_MAX_DONE];
};

struct dialogue;

/*
 * Create a call's dialogue. The configuration is copied (strings included), so it may be
 * released afterwards, except config->nlu and config->tz, which must outlive the
 * dialogue. Returns 0, ENOMEM, or EINVAL (no zone, a message catalogue that does not
 * parse, a setting with an invalid value is not an error: it is ignored, see
 * dialogue_config_warning()).
 */
int dialogue_create(struct dialogue **dialoguep, const struct dialogue_config *config);
void dialogue_destroy(struct dialogue *dialogue);

/*
 * Process one event. `actions` is overwritten with what to do, in order. Returns 0;
 * EINVAL for a malformed event (an utterance over DIALOGUE_UTTERANCE_MAX, digits over
 * DIALOGUE_DIGITS_MAX or with other characters, NULL text without a parsed result);
 * EPROTO for a result the dialogue did not ask for. On an error the state is unchanged
 * and no action is returned.
 */
int dialogue_step(struct dialogue *dialogue, const struct dialogue_event *event,
		  struct dialogue_actions *actions);

bool dialogue_ended(const struct dialogue *dialogue);
/* The state's stable name for logs: "open", "ask_name", "offer", "ended"... */
const char *dialogue_state_name(const struct dialogue *dialogue);
enum nlu_lang dialogue_lang(const struct dialogue *dialogue);
/* The outcome so far; complete once dialogue_ended() is true. */
void dialogue_summary(const struct dialogue *dialogue, struct dialogue_summary *summary);
/*
 * Describe in a few words, in the staff's language, what the caller asked and what is
 * settled so far ("Prise de rendez-vous · le docteur Martin · Amélie Nguyen"), for the
 * dashboard's view of calls in progress. It may name the patient: it is for the staff,
 * never for logs.
 */
void dialogue_describe(const struct dialogue *dialogue, char *buf, size_t size);
/* A setting that was ignored because its value is invalid ("secretariat.hours"), or NULL. */
const char *dialogue_config_warning(const struct dialogue *dialogue);

/* Stable lower-case names for logs and JSON. */
const char *dialogue_event_name(enum dialogue_event_kind kind);
const char *dialogue_action_name(enum dialogue_action_kind kind);

/* The setting keys the dialogue reads, NULL-terminated (documented in docs/settings.md). */
const char *const *dialogue_setting_keys(void);

/*
 * Check both message catalogues: every key present in each language, the same named
 * parameters in both, no malformed placeholder. Returns 0, or EINVAL with the first
 * problem in `message`.
 */
int dialogue_catalogue_check(char *message, size_t size);

/* ---- Secretariat hours ---- */

#define DIALOGUE_HOURS_MAX 32

/* Opening hours as "1-5 08:30-12:30,14:00-18:00; 6 09:00-12:00" (see docs/settings.md). */
struct dialogue_hours {
	size_t count;
	struct {
		unsigned weekdays; /* bit (1 << ISO weekday) */
		int start_min;     /* local minutes since midnight */
		int end_min;
	} ranges[DIALOGUE_HOURS_MAX];
};

/* Parse opening hours. Returns 0, or EINVAL for text of another form. */
int dialogue_hours_parse(const char *text, struct dialogue_hours *hours);
/* Whether the hours are open at an instant; public holidays in `regions` are closed. */
bool dialogue_hours_open(const struct dialogue_hours *hours, const struct tz *tz,
			 unsigned regions, int64_t now);
/*
 * The next instant at or after `now` when the hours open, within 14 days. Returns 0, or
 * ENOENT when they never open in that time.
 */
int dialogue_hours_next(const struct dialogue_hours *hours, const struct tz *tz,
			unsigned regions, int64_t now, int64_t *next);

#endif
