/*
 * One conversation: the dialogue state machine driven against the practice's agenda.
 *
 * A session owns the call's dialogue. It executes the actions that touch the store
 * (search, book, cancel, move, find patients, list appointments, create tasks) through
 * the agenda service, synchronously, and feeds their results back to the dialogue. Its
 * driver (the phone layer, the chat command, tests) gets only what the caller must hear
 * or what telephony must do: SAY, ASK, TRANSFER, END, SET_LANGUAGE.
 *
 * The call record (both sides of the transcript with times, a structured summary and
 * timings) is written when the session is created, so that tasks can refer to the call,
 * and written again when the conversation ends (END, or a hang-up) or, at the latest,
 * when the session is destroyed.
 *
 * Threads: a session is used by one thread at a time. Its struct agenda, and the store
 * connection under it, belong to that thread: a worker that runs calls opens its own
 * store and agenda and may run several sessions on them one after the other. The struct
 * nlu is immutable and may be shared by every worker.
 *
 * Logging: every line carries the call id; at INFO and above only the outcome, urgency
 * level, counts and ids, never a name, a date of birth, a number or what was said
 * (those are logged at DEBUG).
 */
#ifndef PERMANENCE_SESSION_H
#define PERMANENCE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dialogue.h"
#include "nlu.h"

struct agenda;
struct live_registry;
struct session;

/* Entries kept in a call's transcript (allocated as the call goes on); past it, entries
 * are dropped and counted. */
#define SESSION_TRANSCRIPT_MAX 400
/* Driver actions returned for one event at most. */
#define SESSION_MAX_OUTPUT 16

struct session_config {
	struct agenda *agenda;       /* this thread's agenda */
	const struct nlu *nlu;       /* shared */
	const char *call_id;         /* unique, at most 63 bytes */
	const char *channel;         /* "sip" or "chat" */
	const char *caller_number;   /* as the carrier sent it; NULL or "" when withheld */
	const char *called_number;   /* may be NULL */
	const char *lang;            /* "fr" or "en"; NULL for the practice's language */
	/* Calls in progress for the dashboard; NULL when there is none. The session adds the
	 * call, updates it after every event and removes it when the call ends. */
	struct live_registry *live;
};

/* What the driver must do: say, ask, transfer, end or switch language. */
struct session_output_item {
	enum dialogue_action_kind kind;
	char text[DIALOGUE_TEXT_MAX]; /* SAY, ASK */
	char key[48];                 /* catalogue key of the message */
	bool interruptible;           /* false: barge-in must not cut it */
	enum nlu_expect expect;       /* ASK */
	char keys[16];                /* ASK: the keypad keys offered */
	char target[256];             /* TRANSFER */
	enum nlu_lang lang;           /* SET_LANGUAGE */
};

/* The items are allocated as an event needs them, up to SESSION_MAX_OUTPUT. */
struct session_output {
	size_t count;
	size_t capacity;
	struct session_output_item *items;
};

/*
 * Start a conversation at `now` (UTC seconds): reads the practice and the settings the
 * dialogue needs, and writes the call record. Returns 0; EINVAL for a missing agenda,
 * call id or channel; ENOMEM; or the store's error (EIO, EBUSY) with the message in the
 * log.
 */
int session_create(struct session **sessionp, const struct session_config *config,
		   int64_t now);

/*
 * Handle one event from the driver: START, UTTERANCE, DIGITS, SILENCE, BARGE_IN, HANGUP,
 * or TRANSFERRED (the result of a TRANSFER this session returned). *output points at
 * the session's list of driver actions, valid until the next call. An utterance longer
 * than DIALOGUE_UTTERANCE_MAX is cut to it. Returns 0; EINVAL for another kind of event
 * or a malformed one; EPROTO, EBUSY as dialogue_step(). After the conversation ends,
 * events return 0 with no output.
 */
int session_handle(struct session *session, const struct dialogue_event *event,
		   const struct session_output **output);

bool session_ended(const struct session *session);
const char *session_call_id(const struct session *session);
/* The dialogue's state name, for the driver's logs. */
const char *session_state_name(const struct session *session);
void session_summary(const struct session *session, struct dialogue_summary *summary);

/* Write the call record if the conversation ended without it, then release the session. */
void session_destroy(struct session *session);

/*
 * Build the language engine with the practice's practitioners and appointment types, in
 * the agenda's index order (as the dialogue expects). Returns 0, ENOMEM or EINVAL.
 */
int session_nlu_create(struct agenda *agenda, struct nlu **nlup);

#endif
