/*
 * Helpers for driving a pure dialogue with hand-built events: a practice like the demo
 * one (three doctors, five types), understood results built field by field, and the
 * results of store actions supplied by the test.
 */
#ifndef PERMANENCE_TEST_DIALOGUE_FIXTURE_H
#define PERMANENCE_TEST_DIALOGUE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dialogue.h"
#include "tz.h"

/* Practitioner and type indexes of the fixture practice. */
enum { FX_MARTIN, FX_BENALI, FX_MOREAU };
enum { FX_CONSULTATION, FX_FIRST, FX_VACCINATION, FX_CERTIFICATE, FX_CHILD };

struct fx {
	struct tz *tz;
	struct dialogue *d;
	struct dialogue_actions out;
	int64_t now;
	int step_error;
};

struct fx_options {
	const char *caller;          /* E.164 or NULL */
	bool closed;                 /* the secretariat is closed at the start */
	bool recording;
	bool english;
	const char *extra_key;       /* one more setting */
	const char *extra_value;
};

/* Open a dialogue at Monday 2 March 2026 09:00 Paris (20:00 when closed) and start it. */
void fx_open(struct fx *f, const struct fx_options *options);
void fx_close(struct fx *f);

/* Local time in Paris on 2026-03-DD, as UTC seconds. */
int64_t fx_march(const struct fx *f, int day, int hour, int minute);

/* An understood result with an intent, at high confidence, and no entities. */
struct nlu_result fx_result(enum nlu_intent intent);
/* A day preference: the whole local day 2026-03-DD. */
struct nlu_when fx_day(const struct fx *f, int day);

/* Events; each replaces f->out and stores the error in f->step_error. */
void fx_say(struct fx *f, const struct nlu_result *r);
void fx_say_low(struct fx *f, const struct nlu_result *r, float confidence);
void fx_digits(struct fx *f, const char *digits);
void fx_event(struct fx *f, enum dialogue_event_kind kind);
void fx_slots(struct fx *f, const struct sched_slot *slots, size_t count);
void fx_patients(struct fx *f, const struct dialogue_patient *patients, size_t count);
void fx_appointments(struct fx *f, const struct dialogue_appointment *list, size_t count);
/* Answer a LIST_APPOINTMENTS with the errno value `error`. */
void fx_appointments_failed(struct fx *f, int error);
void fx_booked(struct fx *f, enum sched_verdict verdict, int64_t id);
void fx_task(struct fx *f, int64_t id);
void fx_transferred(struct fx *f, bool ok);

/* The first action of a kind in f->out, or NULL. */
const struct dialogue_action *fx_find(const struct fx *f, enum dialogue_action_kind kind);
/* Whether a SAY or ASK with this catalogue key was emitted. */
bool fx_said(const struct fx *f, const char *key);
const struct dialogue_action *fx_last(const struct fx *f);
/* Whether the last action is the ASK with this key. */
bool fx_asked(const struct fx *f, const char *key);
/* Print the actions (for a failing case). */
void fx_dump(const struct fx *f);

#endif
