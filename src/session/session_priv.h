/* Internals of a session, shared by its lifecycle, action and call-record files. */
#ifndef PERMANENCE_SESSION_PRIV_H
#define PERMANENCE_SESSION_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "store.h"

/* One line of the transcript. */
struct session_entry {
	int64_t at;              /* UTC seconds */
	bool caller;             /* the caller's side, else the assistant's or telephony's */
	const char *kind;        /* "utterance", "digits", "silence", "say", "ask"... (static) */
	char *text;              /* malloc'd, may be NULL */
	float confidence;        /* utterances; negative when not applicable */
	char key[48];            /* the assistant's message key */
	enum nlu_expect expect;  /* asks */
};

struct session {
	struct agenda *agenda;
	struct store *store;
	struct live_registry *live;
	struct dialogue *dialogue;
	char call_id[64];
	char channel[8];
	char caller_number[32];
	char called_number[32];
	int64_t started;
	int64_t answered;
	int64_t last_now;
	bool finished;           /* the final call record was written */
	unsigned idempotency_counter;

	/* Buffers the executed actions' results point into. */
	struct sched_slot slots[SCHED_MAX_RESULTS];
	struct dialogue_patient patients[DIALOGUE_MAX_PATIENTS];
	struct dialogue_appointment appointments[DIALOGUE_MAX_APPOINTMENTS];

	struct session_output output;

	size_t entry_count;
	size_t entry_capacity;   /* grows on demand up to SESSION_TRANSCRIPT_MAX */
	size_t entries_dropped;
	struct session_entry *entries;

	/* Timings of the session's own work (dialogue, language, store), milliseconds. */
	double processing_ms_total;
	double processing_ms_max;
	unsigned steps;
};

/*
 * Append a driver action to the output of the event being handled, and its line to the
 * transcript. The output grows as needed up to SESSION_MAX_OUTPUT items; past that, or
 * out of memory, the action is dropped with an error in the log.
 */
void session_output_add(struct session *s, const struct dialogue_action *a);

/* exec.c: execute one store action and fill the result event for the dialogue. */
void session_execute(struct session *s, const struct dialogue_action *action, int64_t now,
		     struct dialogue_event *result);

/* record.c */
void session_transcript_add(struct session *s, int64_t at, bool caller, const char *kind,
			    const char *text, float confidence, const char *key,
			    enum nlu_expect expect);
void session_transcript_free(struct session *s);
/* Write the call record; `final` marks the conversation ended. Returns 0 or the store's error. */
int session_record_save(struct session *s, bool final);

#endif
