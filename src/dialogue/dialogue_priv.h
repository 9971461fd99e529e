/* Internals of the dialogue: the state, the flows' data and the helpers they share. */
#ifndef PERMANENCE_DIALOGUE_PRIV_H
#define PERMANENCE_DIALOGUE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"
#include "civil.h"
#include "dialogue.h"

/* The question the caller is answering, or what the dialogue waits for. */
enum dialogue_state {
	DIALOGUE_STATE_START = 0,
	DIALOGUE_STATE_OPEN,
	DIALOGUE_STATE_ANYTHING_ELSE,
	DIALOGUE_STATE_ASK_NAME,
	DIALOGUE_STATE_ASK_FIRST_NAME,
	DIALOGUE_STATE_ASK_BIRTH,
	DIALOGUE_STATE_ASK_WHICH,
	DIALOGUE_STATE_ASK_NEW,
	DIALOGUE_STATE_ASK_PHONE,
	DIALOGUE_STATE_ASK_PRACTITIONER,
	DIALOGUE_STATE_ASK_WHEN,
	DIALOGUE_STATE_OFFER,
	DIALOGUE_STATE_CONFIRM,
	DIALOGUE_STATE_ASK_APPOINTMENT,
	DIALOGUE_STATE_ASK_CANCEL_OR_MOVE,
	DIALOGUE_STATE_ASK_REQUEST_KIND,
	DIALOGUE_STATE_ASK_DETAILS,
	DIALOGUE_STATE_ASK_OTHER_PRACTITIONER,
	DIALOGUE_STATE_CHECK,
	DIALOGUE_STATE_WAIT,
	DIALOGUE_STATE_TRANSFERRING,
	DIALOGUE_STATE_ENDED,
	DIALOGUE_STATE_COUNT
};

/* What the caller came for; it decides the next question once an answer is in. */
enum dialogue_goal {
	DIALOGUE_GOAL_NONE = 0,
	DIALOGUE_GOAL_BOOK,
	DIALOGUE_GOAL_URGENT,
	DIALOGUE_GOAL_CANCEL,
	DIALOGUE_GOAL_MOVE,
	DIALOGUE_GOAL_CHECK,
	DIALOGUE_GOAL_PRESCRIPTION,
	DIALOGUE_GOAL_RESULTS,
	DIALOGUE_GOAL_PAPERWORK,
	DIALOGUE_GOAL_CALLBACK,
	DIALOGUE_GOAL_EMERGENCY,
};

enum dialogue_confirm {
	DIALOGUE_CONFIRM_BOOK = 0,
	DIALOGUE_CONFIRM_MOVE,
	DIALOGUE_CONFIRM_CANCEL,
};

/* Kind of patient lookup behind a FIND_PATIENT action. */
enum dialogue_lookup {
	DIALOGUE_LOOKUP_PHONE = 0,  /* the caller's number alone */
	DIALOGUE_LOOKUP_PHONE_NAME, /* the caller's number and a last name */
	DIALOGUE_LOOKUP_NAME_BIRTH, /* a last name and a date of birth */
};

/* Why a CREATE_TASK was emitted: it decides what follows its result. */
enum dialogue_task_purpose {
	DIALOGUE_TASK_REQUEST = 0, /* prescription, results, paperwork */
	DIALOGUE_TASK_CALLBACK,    /* the caller asked for a person out of hours */
	DIALOGUE_TASK_HANDOFF,     /* the dialogue could not go on: the call ends */
	DIALOGUE_TASK_EMERGENCY,
	DIALOGUE_TASK_URGENT,      /* urgent, no slot today */
	DIALOGUE_TASK_NO_SLOT,
	DIALOGUE_TASK_HANGUP,      /* urgent request interrupted by a hang-up */
};

/* Variant of a question asked again. */
enum dialogue_prompt {
	DIALOGUE_PROMPT_NORMAL = 0,
	DIALOGUE_PROMPT_RETRY,       /* "I didn't understand" + the question */
	DIALOGUE_PROMPT_KEYPAD,      /* second failure: the keypad choices alone */
	DIALOGUE_PROMPT_STILL_THERE, /* after a silence */
	DIALOGUE_PROMPT_WHICH,       /* an offer: "which of these?" */
};

/* Identity of the patient a request is for. */
struct dialogue_identity {
	enum nlu_patient relation;
	char last_name[64];
	char first_name[64];
	bool has_birth;
	struct civil_date birth;
	bool phone_done;       /* DIALOGUE_LOOKUP_PHONE was run */
	bool phone_name_done;
	bool name_birth_done;
	bool other_person;     /* "someone else": the caller's number is not theirs */
	bool new_asked;        /* "is this a first visit?" was asked */
	bool new_hint;         /* the caller said it is a first visit */
	bool new_patient;      /* a first visit: no record in the practice */
	bool lenient;          /* a task: an unknown patient is taken as given */
	bool keypad;           /* the request was chosen on the keypad, where no name can be
				* typed: a booking looks the caller's number up first */
	unsigned misses;       /* lookups that found nobody */
	size_t candidate_count;
	struct dialogue_patient candidates[DIALOGUE_MAX_PATIENTS];
	bool identified;
	struct dialogue_patient patient; /* id 0: a new patient, by the details */
	bool is_child;
};

/* The appointment being arranged, and the search for it. */
struct dialogue_form {
	int type;              /* index, or -1 until chosen */
	bool type_named;       /* the caller named the type */
	int practitioner;      /* index, or -1 */
	bool practitioner_any;
	size_t when_count;
	struct nlu_when when[NLU_MAX_WHEN];
	bool soonest;          /* "as soon as possible" */
	bool urgent;
	/* Search: one query per preference, then a wider one when none has room. */
	size_t plan_count;
	size_t plan_next;
	bool fallback;
	bool searched;
	size_t found_count;
	struct sched_slot found[NLU_MAX_WHEN * DIALOGUE_MAX_OFFER];
	unsigned char found_plan[NLU_MAX_WHEN * DIALOGUE_MAX_OFFER];
	size_t offer_count;
	struct sched_slot offer[DIALOGUE_MAX_OFFER];
	int chosen;            /* index into offer, or -1 */
	unsigned attempts;     /* bookings refused because the slot went meanwhile */
	bool retry_when;       /* the caller turned the offer down: "what other time?" */
	bool child_type_refused; /* the child type does not fit: use the usual type */
};

struct dialogue_setting_copy {
	char *key;
	char *value;
};

struct dialogue {
	/* Configuration, copied at creation. */
	const struct nlu *nlu;
	const struct tz *tz;
	enum nlu_lang staff_lang;
	char practice_name[128];
	char practice_address[256];
	char caller_number[24];
	unsigned regions;
	int horizon_days;
	/* Allocated to the practice's counts (at most SCHED_MAX_PRACTITIONERS and
	 * SCHED_MAX_TYPES), not to the maximums: 20 KB less per call. */
	size_t practitioner_count;
	struct dialogue_practitioner *practitioners;
	size_t type_count;
	struct dialogue_type *types;
	size_t setting_count;
	struct dialogue_setting_copy *settings;
	struct dialogue_hours hours;
	bool hours_valid;
	char transfer_target[256];
	int type_default;
	int type_new_patient;
	int type_child;
	unsigned max_turns;
	float confidence_min;
	int urgent_lead_min;      /* an urgent slot starts at least this long after the call */
	bool recording;
	const char *warning;
	const struct catalogue *catalogue; /* shared by every dialogue, read-only */

	/* The conversation. */
	enum dialogue_state state;
	enum dialogue_goal goal;
	enum nlu_intent intent;       /* the caller's main request, for the summary */
	enum nlu_lang lang;
	int64_t now;
	bool started;
	bool hung_up;
	unsigned turns;
	unsigned failures;            /* not understood at failed_state */
	enum dialogue_state failed_state;
	unsigned silences;            /* in a row */
	enum dialogue_action_kind pending; /* DIALOGUE_ACTION_COUNT: nothing pending */
	enum dialogue_lookup lookup;
	enum dialogue_task_purpose task_purpose;
	enum dialogue_task_purpose transfer_why; /* what to do if the transfer fails */
	bool transfer_failed;         /* a transfer failed in this call: none is tried again */
	/* A task that waits for the callback number (ASK_PHONE). */
	bool task_after_phone;
	char task_kind[16];
	enum dialogue_task_purpose task_after_purpose;
	enum dialogue_confirm confirm;
	bool urgent_announced;
	bool results_announced;

	/* A low-confidence check: what was heard, and where to go back. */
	enum dialogue_state check_state;
	bool check_intent;
	struct nlu_result check_result;
	char check_text[256];

	struct dialogue_identity id;
	struct dialogue_form form;

	/* Cancelling, moving, checking. */
	bool listed;
	size_t appointment_count;
	struct dialogue_appointment appointments[DIALOGUE_MAX_APPOINTMENTS];
	int selected;

	/* Requests for the staff. */
	char request_text[512];
	char callback_number[24];
	char first_request[512];      /* the caller's first words, for callback tasks */

	/* The items of the list just offered, as said, for nlu_input.options. */
	size_t option_count;
	char options[8][200];

	/* Keypad lists: key n chooses choice_map[n - 1]. */
	size_t choice_count;
	int choice_map[8];

	/* The summary. */
	struct nlu_triage triage;
	char reason[NLU_TEXT_MAX];
	size_t done_count;
	struct dialogue_done done[DIALOGUE_MAX_DONE];
	const char *end_outcome;      /* "no_input" or "failed" when the call ended so */
};

/* ---- dialogue.c ---- */

void dialogue_advance(struct dialogue *d, struct dialogue_actions *out);
void dialogue_not_understood(struct dialogue *d, struct dialogue_actions *out);
/*
 * Count a failure at the current question: the question again, then its keypad form,
 * then a handoff. `explained`: a SAY already told the caller why, so the first re-ask
 * does not start with "I didn't understand".
 */
void dialogue_failed(struct dialogue *d, struct dialogue_actions *out, bool explained);
void dialogue_record_done(struct dialogue *d, const struct dialogue_done *done);
bool dialogue_something_done(const struct dialogue *d);
/*
 * Process an understood utterance, or a keypad entry turned into a result. `text` is
 * what the caller said, as recognised ("" for keypad entries).
 */
void dialogue_understood(struct dialogue *d, const struct nlu_result *r, const char *text,
			 struct dialogue_actions *out);
/* Emit an action whose result the driver feeds back, and wait for it. */
struct dialogue_action *dialogue_request(struct dialogue *d, struct dialogue_actions *out,
					 enum dialogue_action_kind kind);
void dialogue_end(struct dialogue *d, struct dialogue_actions *out);
void dialogue_start_goal(struct dialogue *d, enum nlu_intent intent, const struct nlu_result *r,
			 struct dialogue_actions *out);
const char *dialogue_setting(const struct dialogue *d, const char *key);

/* ---- prompt.c: what is said ---- */

struct dialogue_action *dialogue_emit(struct dialogue_actions *out, enum dialogue_action_kind kind);
/* Render a catalogue message in a language into buf; returns buf. */
const char *dialogue_message(const struct dialogue *d, enum nlu_lang lang, const char *key,
			     const struct msg_param *params, size_t count, char *buf,
			     size_t size);
void dialogue_say(struct dialogue *d, struct dialogue_actions *out, const char *key,
		  const struct msg_param *params, size_t count);
/* Say a text given by a setting (an answer, an override), tagged with `key`. */
void dialogue_say_text(struct dialogue *d, struct dialogue_actions *out, const char *key,
		       const char *text);
/* Move to a question state and ask it. */
void dialogue_ask(struct dialogue *d, struct dialogue_actions *out, enum dialogue_state state);
/* Ask the current question again. */
void dialogue_prompt(struct dialogue *d, struct dialogue_actions *out,
		     enum dialogue_prompt variant);
void dialogue_speak_slot(const struct dialogue *d, enum nlu_lang lang, int64_t start,
			 char *buf, size_t size);
void dialogue_speak_practitioner(const struct dialogue *d, enum nlu_lang lang, int index,
				 char *buf, size_t size);
void dialogue_speak_birth(const struct civil_date *date, char *buf, size_t size);
/* "a, b ou c" from n items. */
void dialogue_join(const struct dialogue *d, enum nlu_lang lang, const char *const *items,
		   size_t count, char *buf, size_t size);
/* As dialogue_join(), with "and" before the last item: "a, b et c". */
void dialogue_join_all(const struct dialogue *d, enum nlu_lang lang, const char *const *items,
		       size_t count, char *buf, size_t size);
void dialogue_patient_name(const struct dialogue_patient *patient, char *buf, size_t size);

/* ---- identify.c ---- */

/* Returns true when the patient is identified; otherwise asked or looked up. */
bool dialogue_identify(struct dialogue *d, struct dialogue_actions *out);
void dialogue_on_patients(struct dialogue *d, const struct dialogue_event *ev,
			  struct dialogue_actions *out);
void dialogue_on_name(struct dialogue *d, const struct nlu_result *r, const char *text,
		      struct dialogue_actions *out);
void dialogue_on_first_name(struct dialogue *d, const struct nlu_result *r, const char *text,
			    struct dialogue_actions *out);
void dialogue_on_birth(struct dialogue *d, const struct nlu_result *r,
		       struct dialogue_actions *out);
void dialogue_on_which(struct dialogue *d, const struct nlu_result *r, const char *text,
		       struct dialogue_actions *out);
void dialogue_on_new_patient(struct dialogue *d, const struct nlu_result *r,
			     struct dialogue_actions *out);
/* Take the identity details an utterance carries (relation, names, date of birth). */
void dialogue_absorb_identity(struct dialogue *d, const struct nlu_result *r);
int dialogue_age_years(const struct civil_date *birth, const struct tz *tz, int64_t now);

/* ---- book.c ---- */

void dialogue_book_advance(struct dialogue *d, struct dialogue_actions *out);
/* The search, offer and confirmation steps, shared by booking and moving. */
void dialogue_slots_advance(struct dialogue *d, struct dialogue_actions *out);
/* Take the booking preferences an utterance carries; true when any changed. */
bool dialogue_absorb_preferences(struct dialogue *d, const struct nlu_result *r);
void dialogue_forget_search(struct dialogue *d);
void dialogue_on_slots(struct dialogue *d, const struct dialogue_event *ev,
		       struct dialogue_actions *out);
void dialogue_on_booked(struct dialogue *d, const struct dialogue_event *ev,
			struct dialogue_actions *out);
void dialogue_on_practitioner(struct dialogue *d, const struct nlu_result *r,
			      struct dialogue_actions *out);
void dialogue_on_when(struct dialogue *d, const struct nlu_result *r,
		      struct dialogue_actions *out);
void dialogue_on_offer(struct dialogue *d, const struct nlu_result *r,
		       struct dialogue_actions *out);
void dialogue_on_confirm(struct dialogue *d, const struct nlu_result *r,
			 struct dialogue_actions *out);
void dialogue_on_other_practitioner(struct dialogue *d, const struct nlu_result *r,
				    struct dialogue_actions *out);
void dialogue_start_urgent(struct dialogue *d, struct dialogue_actions *out);
/* Practitioners who take a type, in index order; returns how many. */
size_t dialogue_eligible_practitioners(const struct dialogue *d, int type, int *list,
				       size_t size);

/* ---- manage.c ---- */

void dialogue_manage_advance(struct dialogue *d, struct dialogue_actions *out);
void dialogue_on_appointments(struct dialogue *d, const struct dialogue_event *ev,
			      struct dialogue_actions *out);
void dialogue_on_appointment(struct dialogue *d, const struct nlu_result *r,
			     struct dialogue_actions *out);
void dialogue_on_cancelled(struct dialogue *d, const struct dialogue_event *ev,
			   struct dialogue_actions *out);
void dialogue_on_moved(struct dialogue *d, const struct dialogue_event *ev,
		       struct dialogue_actions *out);

/* ---- request.c ---- */

void dialogue_request_advance(struct dialogue *d, struct dialogue_actions *out);
void dialogue_callback_advance(struct dialogue *d, struct dialogue_actions *out);
/* Whether a callback may be noted without a name: the caller's number is known. */
bool dialogue_callback_unnamed_ok(struct dialogue *d);
/* Note the callback for the caller's number with no name (the caller gave none). */
void dialogue_callback_unnamed(struct dialogue *d, struct dialogue_actions *out);
void dialogue_on_details(struct dialogue *d, const char *text, struct dialogue_actions *out);
void dialogue_on_phone(struct dialogue *d, const struct nlu_result *r,
		       struct dialogue_actions *out);
void dialogue_on_task(struct dialogue *d, const struct dialogue_event *ev,
		      struct dialogue_actions *out);
void dialogue_on_transferred(struct dialogue *d, const struct dialogue_event *ev,
			     struct dialogue_actions *out);
/* Announce a transfer and perform it, together; `why` decides what follows a failure. */
void dialogue_transfer(struct dialogue *d, struct dialogue_actions *out,
		       enum dialogue_task_purpose why);
/* The caller asked for a person: transfer when the secretariat is open, else a callback. */
void dialogue_human(struct dialogue *d, struct dialogue_actions *out);
/* The dialogue cannot go on: transfer, else a callback task, else goodbye. */
void dialogue_handoff(struct dialogue *d, struct dialogue_actions *out, bool not_understood);
void dialogue_emergency(struct dialogue *d, const struct nlu_result *r,
			struct dialogue_actions *out);
void dialogue_answer(struct dialogue *d, enum nlu_intent intent, struct dialogue_actions *out);
void dialogue_goodbye(struct dialogue *d, struct dialogue_actions *out, const char *lead_key);
void dialogue_create_task(struct dialogue *d, struct dialogue_actions *out, const char *kind,
			  enum dialogue_task_purpose purpose);
/* Create a task once a callback number is known, asking for it first if needed. */
void dialogue_task_with_number(struct dialogue *d, struct dialogue_actions *out,
			       const char *kind, enum dialogue_task_purpose purpose);
bool dialogue_secretariat_open(const struct dialogue *d);

#endif
