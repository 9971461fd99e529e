/*
 * The dialogue state machine: events in, actions out.
 *
 * States are the question the caller is answering (OPEN, ASK_NAME, OFFER...), plus WAIT
 * (a store action is pending), TRANSFERRING and ENDED. A goal (book, urgent, cancel,
 * move, check, prescription, results, paperwork, callback, emergency) records what the
 * caller came for; once an answer is in, dialogue_advance() asks the goal's next
 * missing piece, so details given early ("un rendez-vous avec le docteur Martin jeudi
 * matin") skip their questions and corrections ("non, plutôt jeudi") redo only the
 * steps they change.
 *
 *   START --start--> OPEN: greeting, recording notice, "how can I help you?"
 *
 *   OPEN, ANYTHING_ELSE --request--> dialogue_start_goal() -> dialogue_advance():
 *     book        [identity] WAIT(list, a known patient's bookings said) ASK_PRACTITIONER
 *                 ASK_WHEN WAIT(search)... OFFER CONFIRM WAIT(book) -> ANYTHING_ELSE
 *                                                                    (book.c)
 *     urgent      [identity] WAIT(search today, urgent) OFFER CONFIRM WAIT(book);
 *                 no slot: TRANSFERRING, or WAIT(task)               (book.c)
 *     cancel      [identity] WAIT(list) ASK_APPOINTMENT CONFIRM WAIT(cancel)
 *     move        [identity] WAIT(list) ASK_APPOINTMENT ASK_WHEN WAIT(search)... OFFER
 *                 CONFIRM WAIT(move)
 *     check       [identity] WAIT(list) -> ANYTHING_ELSE               (manage.c)
 *     prescription, results, paperwork
 *                 [identity, unknown patients accepted] ASK_DETAILS ASK_PHONE
 *                 WAIT(task) -> ANYTHING_ELSE                        (request.c)
 *     human       secretariat open: TRANSFERRING -> ENDED (failed: callback);
 *                 closed: callback = ASK_NAME ASK_PHONE WAIT(task) -> ANYTHING_ELSE
 *                 (with the caller's number known, 1 or two silences at ASK_NAME note
 *                 the callback without a name; a failed transfer is not tried again)
 *     hours, address, fees: the practice's answer -> ANYTHING_ELSE
 *     goodbye     -> ENDED
 *
 *   [identity] (identify.c): WAIT(find by number) ASK_WHICH, or ASK_NAME
 *     WAIT(find by number and name) ASK_BIRTH WAIT(find by name and birth date)
 *     ASK_NEW ASK_FIRST_NAME; nobody found twice: handoff.
 *
 *   In every question state (dialogue_understood(), on_digits(), on_silence()):
 *     red flag, emergency  -> "hang up and call 15" said twice, WAIT(task) -> ENDED
 *     red flag, urgent     -> goal urgent, whatever was being booked
 *     low confidence       -> CHECK "vous avez bien dit ... ?" -> back to the question
 *     not understood       -> the question again; then its keypad form; then handoff
 *     silence              -> "êtes-vous toujours là ?"; a second one: goodbye, ENDED
 *     "répétez", '*'       -> the question again
 *     language, '9'        -> SET_LANGUAGE, the question again in the new language
 *     hours, address, fees -> the answer, then the question again
 *     "parler à quelqu'un", '0' -> human
 *     another request      -> its goal (the identity already given is kept)
 *     hang-up              -> ENDED; an interrupted urgent request leaves a task
 *     more than max_turns  -> handoff: transfer, else a callback task, else goodbye
 *
 * Who handles what. Events: on_start(), on_utterance() (parse, red flags, confidence
 * check), on_digits() (keys turned into a result for the question), on_silence(),
 * on_hangup(), on_result() (one dialogue_on_*() per store result). An understood answer
 * goes through dialogue_understood() (the rules above that hold in every state), then
 * to its state's handler:
 *
 *   OPEN, ANYTHING_ELSE     on_open()                    dialogue.c
 *   ASK_CANCEL_OR_MOVE      on_cancel_or_move()          dialogue.c
 *   ASK_REQUEST_KIND        on_request_kind()            dialogue.c
 *   CHECK                   on_check()                   dialogue.c
 *   ASK_NAME, ASK_FIRST_NAME, ASK_BIRTH, ASK_WHICH, ASK_NEW
 *                           dialogue_on_name() ... dialogue_on_new_patient()   identify.c
 *   ASK_PRACTITIONER, ASK_WHEN, OFFER, CONFIRM, ASK_OTHER_PRACTITIONER
 *                           dialogue_on_practitioner() ... dialogue_on_confirm()  book.c
 *   ASK_APPOINTMENT         dialogue_on_appointment()    manage.c
 *   ASK_DETAILS, ASK_PHONE  dialogue_on_details(), dialogue_on_phone()   request.c
 *
 * Each question is asked by dialogue_ask() (prompt.c), which sets the state and builds
 * the question, its keypad choices and its expectation from the state.
 *
 * Invariants, checked after every step in debug builds (check_invariants()):
 *   - state is WAIT exactly when a store action is pending, TRANSFERRING exactly when a
 *     transfer is, and that action is the last one emitted;
 *   - in a question state the last action is the ASK of that question; ENDED comes with
 *     END as the last action (unless the caller hung up), and every END follows a SAY
 *     telling the caller what happens next, unless the call was transferred;
 *   - OFFER holds 1 to 3 slots returned by the last search; CONFIRM of a booking or a
 *     move points at one of them, and a BOOK or MOVE action's start is that slot's: the
 *     dialogue never books what the search did not return, nor without a yes.
 */
#include "dialogue_priv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"

static const char *const state_names[DIALOGUE_STATE_COUNT] = {
	[DIALOGUE_STATE_START] = "start",
	[DIALOGUE_STATE_OPEN] = "open",
	[DIALOGUE_STATE_ANYTHING_ELSE] = "anything_else",
	[DIALOGUE_STATE_ASK_NAME] = "ask_name",
	[DIALOGUE_STATE_ASK_FIRST_NAME] = "ask_first_name",
	[DIALOGUE_STATE_ASK_BIRTH] = "ask_birth",
	[DIALOGUE_STATE_ASK_WHICH] = "ask_which",
	[DIALOGUE_STATE_ASK_NEW] = "ask_new",
	[DIALOGUE_STATE_ASK_PHONE] = "ask_phone",
	[DIALOGUE_STATE_ASK_PRACTITIONER] = "ask_practitioner",
	[DIALOGUE_STATE_ASK_WHEN] = "ask_when",
	[DIALOGUE_STATE_OFFER] = "offer",
	[DIALOGUE_STATE_CONFIRM] = "confirm",
	[DIALOGUE_STATE_ASK_APPOINTMENT] = "ask_appointment",
	[DIALOGUE_STATE_ASK_CANCEL_OR_MOVE] = "ask_cancel_or_move",
	[DIALOGUE_STATE_ASK_REQUEST_KIND] = "ask_request_kind",
	[DIALOGUE_STATE_ASK_DETAILS] = "ask_details",
	[DIALOGUE_STATE_ASK_OTHER_PRACTITIONER] = "ask_other_practitioner",
	[DIALOGUE_STATE_CHECK] = "check",
	[DIALOGUE_STATE_WAIT] = "wait",
	[DIALOGUE_STATE_TRANSFERRING] = "transferring",
	[DIALOGUE_STATE_ENDED] = "ended",
};

static const char *const event_names[DIALOGUE_EVENT_COUNT] = {
	[DIALOGUE_EVENT_START] = "start",
	[DIALOGUE_EVENT_UTTERANCE] = "utterance",
	[DIALOGUE_EVENT_DIGITS] = "digits",
	[DIALOGUE_EVENT_SILENCE] = "silence",
	[DIALOGUE_EVENT_BARGE_IN] = "barge_in",
	[DIALOGUE_EVENT_HANGUP] = "hangup",
	[DIALOGUE_EVENT_SLOTS_FOUND] = "slots_found",
	[DIALOGUE_EVENT_BOOKED] = "booked",
	[DIALOGUE_EVENT_CANCELLED] = "cancelled",
	[DIALOGUE_EVENT_MOVED] = "moved",
	[DIALOGUE_EVENT_PATIENTS_FOUND] = "patients_found",
	[DIALOGUE_EVENT_APPOINTMENTS_LISTED] = "appointments_listed",
	[DIALOGUE_EVENT_TASK_CREATED] = "task_created",
	[DIALOGUE_EVENT_TRANSFERRED] = "transferred",
};

static const char *const action_names[DIALOGUE_ACTION_COUNT] = {
	[DIALOGUE_ACTION_SAY] = "say",
	[DIALOGUE_ACTION_ASK] = "ask",
	[DIALOGUE_ACTION_SEARCH] = "search",
	[DIALOGUE_ACTION_BOOK] = "book",
	[DIALOGUE_ACTION_CANCEL] = "cancel",
	[DIALOGUE_ACTION_MOVE] = "move",
	[DIALOGUE_ACTION_FIND_PATIENT] = "find_patient",
	[DIALOGUE_ACTION_LIST_APPOINTMENTS] = "list_appointments",
	[DIALOGUE_ACTION_CREATE_TASK] = "create_task",
	[DIALOGUE_ACTION_TRANSFER] = "transfer",
	[DIALOGUE_ACTION_END] = "end",
	[DIALOGUE_ACTION_SET_LANGUAGE] = "set_language",
};

/* The result event each pending action waits for. */
static const enum dialogue_event_kind result_of[DIALOGUE_ACTION_COUNT] = {
	[DIALOGUE_ACTION_SAY] = DIALOGUE_EVENT_COUNT,
	[DIALOGUE_ACTION_ASK] = DIALOGUE_EVENT_COUNT,
	[DIALOGUE_ACTION_SEARCH] = DIALOGUE_EVENT_SLOTS_FOUND,
	[DIALOGUE_ACTION_BOOK] = DIALOGUE_EVENT_BOOKED,
	[DIALOGUE_ACTION_CANCEL] = DIALOGUE_EVENT_CANCELLED,
	[DIALOGUE_ACTION_MOVE] = DIALOGUE_EVENT_MOVED,
	[DIALOGUE_ACTION_FIND_PATIENT] = DIALOGUE_EVENT_PATIENTS_FOUND,
	[DIALOGUE_ACTION_LIST_APPOINTMENTS] = DIALOGUE_EVENT_APPOINTMENTS_LISTED,
	[DIALOGUE_ACTION_CREATE_TASK] = DIALOGUE_EVENT_TASK_CREATED,
	[DIALOGUE_ACTION_TRANSFER] = DIALOGUE_EVENT_TRANSFERRED,
	[DIALOGUE_ACTION_END] = DIALOGUE_EVENT_COUNT,
	[DIALOGUE_ACTION_SET_LANGUAGE] = DIALOGUE_EVENT_COUNT,
};

static const char *const setting_keys[] = {
	"greeting.fr", "greeting.en",
	"recording", "recording.notice.fr", "recording.notice.en",
	"answer.hours.fr", "answer.hours.en",
	"answer.address.fr", "answer.address.en",
	"answer.fees.fr", "answer.fees.en",
	"answer.payment.fr", "answer.payment.en",
	"answer.documents.fr", "answer.documents.en",
	"emergency.fr", "emergency.en",
	"urgent.after_hours.fr", "urgent.after_hours.en",
	"secretariat.hours", "transfer.target",
	"booking.type.default", "booking.type.new_patient", "booking.type.child",
	"booking.urgent_lead_min",
	"dialogue.max_turns", "dialogue.confidence_min",
	NULL,
};

/* Below this intent confidence, an open request is checked before acting on it. */
#define DIALOGUE_INTENT_CONFIDENCE_MIN 0.55f
/* A request heard in the middle of another flow switches to it above this confidence. */
#define DIALOGUE_SWITCH_CONFIDENCE_MIN 0.7f

const char *dialogue_event_name(enum dialogue_event_kind kind)
{
	return (unsigned)kind < DIALOGUE_EVENT_COUNT ? event_names[kind] : "unknown";
}

const char *dialogue_action_name(enum dialogue_action_kind kind)
{
	return (unsigned)kind < DIALOGUE_ACTION_COUNT ? action_names[kind] : "unknown";
}

const char *const *dialogue_setting_keys(void)
{
	return setting_keys;
}

const char *dialogue_state_name(const struct dialogue *d)
{
	return (unsigned)d->state < DIALOGUE_STATE_COUNT ? state_names[d->state] : "unknown";
}

bool dialogue_ended(const struct dialogue *d)
{
	return d->state == DIALOGUE_STATE_ENDED;
}

enum nlu_lang dialogue_lang(const struct dialogue *d)
{
	return d->lang;
}

const char *dialogue_config_warning(const struct dialogue *d)
{
	return d->warning;
}

const char *dialogue_setting(const struct dialogue *d, const char *key)
{
	for (size_t i = 0; i < d->setting_count; i++) {
		if (strcmp(d->settings[i].key, key) == 0)
			return d->settings[i].value[0] ? d->settings[i].value : NULL;
	}
	return NULL;
}

/* ---- Creation ---- */

static int find_type(const struct dialogue *d, const char *code)
{
	for (size_t i = 0; code && i < d->type_count; i++) {
		if (d->types[i].active && strcmp(d->types[i].code, code) == 0)
			return (int)i;
	}
	return -1;
}

/* The type for a setting, its usual code, or the first active type that fits. */
static int choose_type(struct dialogue *d, const char *key, const char *usual, bool new_patient)
{
	const char *code = dialogue_setting(d, key);
	int index = find_type(d, code ? code : usual);

	if (code && index < 0)
		d->warning = key;
	if (index >= 0 || !code)
		index = index >= 0 ? index : find_type(d, usual);
	for (size_t i = 0; index < 0 && new_patient && i < d->type_count; i++) {
		if (d->types[i].active && d->types[i].new_patient_allowed)
			index = (int)i;
	}
	return index;
}

static int copy_settings(struct dialogue *d, const struct dialogue_config *config)
{
	d->settings = calloc(config->setting_count ? config->setting_count : 1,
			     sizeof(*d->settings));
	if (!d->settings)
		return ENOMEM;
	for (size_t i = 0; i < config->setting_count; i++) {
		const struct dialogue_setting *s = &config->settings[i];

		if (!s->key || !s->value)
			continue;
		d->settings[d->setting_count].key = strdup(s->key);
		d->settings[d->setting_count].value = strdup(s->value);
		if (!d->settings[d->setting_count].key || !d->settings[d->setting_count].value) {
			free(d->settings[d->setting_count].key);
			free(d->settings[d->setting_count].value);
			return ENOMEM;
		}
		d->setting_count++;
	}
	return 0;
}

static void read_switches(struct dialogue *d)
{
	const char *value;

	value = dialogue_setting(d, "secretariat.hours");
	d->hours_valid = value && dialogue_hours_parse(value, &d->hours) == 0;
	if (value && !d->hours_valid)
		d->warning = "secretariat.hours";
	value = dialogue_setting(d, "transfer.target");
	snprintf(d->transfer_target, sizeof(d->transfer_target), "%s", value ? value : "");
	value = dialogue_setting(d, "recording");
	d->recording = value && (strcmp(value, "on") == 0 || strcmp(value, "yes") == 0 ||
				 strcmp(value, "true") == 0 || strcmp(value, "1") == 0);

	d->max_turns = DIALOGUE_DEFAULT_MAX_TURNS;
	value = dialogue_setting(d, "dialogue.max_turns");
	if (value) {
		char *end = NULL;
		long turns = strtol(value, &end, 10);

		if (*end == '\0' && turns >= 10 && turns <= 200)
			d->max_turns = (unsigned)turns;
		else
			d->warning = "dialogue.max_turns";
	}
	d->confidence_min = DIALOGUE_DEFAULT_CONFIDENCE_MIN;
	value = dialogue_setting(d, "dialogue.confidence_min");
	if (value) {
		char *end = NULL;
		float min = strtof(value, &end);

		if (*end == '\0' && min >= 0.0f && min <= 1.0f)
			d->confidence_min = min;
		else
			d->warning = "dialogue.confidence_min";
	}
	d->urgent_lead_min = DIALOGUE_DEFAULT_URGENT_LEAD_MIN;
	value = dialogue_setting(d, "booking.urgent_lead_min");
	if (value) {
		char *end = NULL;
		long minutes = strtol(value, &end, 10);

		if (*end == '\0' && minutes >= 0 && minutes <= 240)
			d->urgent_lead_min = (int)minutes;
		else
			d->warning = "booking.urgent_lead_min";
	}
	d->type_default = choose_type(d, "booking.type.default", "consultation", false);
	for (size_t i = 0; d->type_default < 0 && i < d->type_count; i++) {
		if (d->types[i].active)
			d->type_default = (int)i;
	}
	d->type_new_patient = choose_type(d, "booking.type.new_patient", "premiere-consultation",
					  true);
	d->type_child = choose_type(d, "booking.type.child", "suivi-pediatrique", false);
}

static int copy_config(struct dialogue *d, const struct dialogue_config *config)
{
	d->nlu = config->nlu;
	d->tz = config->tz;
	d->lang = config->lang == NLU_LANG_EN ? NLU_LANG_EN : NLU_LANG_FR;
	d->staff_lang = config->staff_lang == NLU_LANG_EN ? NLU_LANG_EN : NLU_LANG_FR;
	snprintf(d->practice_name, sizeof(d->practice_name), "%s",
		 config->practice_name ? config->practice_name : "");
	snprintf(d->practice_address, sizeof(d->practice_address), "%s",
		 config->practice_address ? config->practice_address : "");
	if (config->caller_number && config->caller_number[0] &&
	    phone_to_e164(config->caller_number, d->caller_number, sizeof(d->caller_number)) != 0)
		d->caller_number[0] = '\0';
	d->regions = config->holiday_regions;
	d->horizon_days = config->horizon_days > 0 ? config->horizon_days : 60;
	if (config->practitioner_count > SCHED_MAX_PRACTITIONERS ||
	    config->type_count > SCHED_MAX_TYPES ||
	    (config->practitioner_count && !config->practitioners) ||
	    (config->type_count && !config->types) ||
	    (config->setting_count && !config->settings))
		return EINVAL;
	if (config->practitioner_count) {
		d->practitioners = malloc(config->practitioner_count * sizeof(*d->practitioners));
		if (!d->practitioners)
			return ENOMEM;
		memcpy(d->practitioners, config->practitioners,
		       config->practitioner_count * sizeof(*d->practitioners));
		d->practitioner_count = config->practitioner_count;
	}
	if (config->type_count) {
		d->types = malloc(config->type_count * sizeof(*d->types));
		if (!d->types)
			return ENOMEM;
		memcpy(d->types, config->types, config->type_count * sizeof(*d->types));
		d->type_count = config->type_count;
	}
	return copy_settings(d, config);
}

int dialogue_create(struct dialogue **dialoguep, const struct dialogue_config *config)
{
	struct dialogue *d;
	char message[256];
	int err;

	*dialoguep = NULL;
	if (!config || !config->tz)
		return EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	err = copy_config(d, config);
	if (!err)
		err = catalogue_shared_acquire(&d->catalogue, message, sizeof(message));
	if (err) {
		dialogue_destroy(d);
		return err == ENOMEM ? ENOMEM : EINVAL;
	}
	read_switches(d);
	d->state = DIALOGUE_STATE_START;
	d->pending = DIALOGUE_ACTION_COUNT;
	d->form.type = -1;
	d->form.practitioner = -1;
	d->form.chosen = -1;
	d->selected = -1;
	d->intent = NLU_INTENT_NONE;
	*dialoguep = d;
	return 0;
}

void dialogue_destroy(struct dialogue *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->setting_count; i++) {
		free(d->settings[i].key);
		free(d->settings[i].value);
	}
	free(d->settings);
	free(d->practitioners);
	free(d->types);
	catalogue_shared_release(d->catalogue);
	free(d);
}

/* ---- Summary ---- */

void dialogue_record_done(struct dialogue *d, const struct dialogue_done *done)
{
	if (d->done_count < DIALOGUE_MAX_DONE)
		d->done[d->done_count++] = *done;
}

bool dialogue_something_done(const struct dialogue *d)
{
	for (size_t i = 0; i < d->done_count; i++) {
		if (d->done[i].kind != DIALOGUE_ACTION_SAY)
			return true;
	}
	return false;
}

static bool done_kind(const struct dialogue *d, enum dialogue_action_kind kind, const char *what)
{
	for (size_t i = 0; i < d->done_count; i++) {
		if (d->done[i].kind == kind && (!what || strcmp(d->done[i].what, what) == 0))
			return true;
	}
	return false;
}

static const char *outcome_of(const struct dialogue *d)
{
	if (d->triage.level == NLU_URGENCY_EMERGENCY)
		return "emergency";
	if (done_kind(d, DIALOGUE_ACTION_BOOK, NULL))
		return "booked";
	if (done_kind(d, DIALOGUE_ACTION_MOVE, NULL))
		return "moved";
	if (done_kind(d, DIALOGUE_ACTION_CANCEL, NULL))
		return "cancelled";
	if (done_kind(d, DIALOGUE_ACTION_TRANSFER, "ok"))
		return "transferred";
	if (done_kind(d, DIALOGUE_ACTION_CREATE_TASK, NULL))
		return "task";
	if (done_kind(d, DIALOGUE_ACTION_SAY, NULL))
		return "answered";
	if (d->end_outcome)
		return d->end_outcome;
	return "abandoned";
}

void dialogue_summary(const struct dialogue *d, struct dialogue_summary *summary)
{
	memset(summary, 0, sizeof(*summary));
	summary->intent = d->intent;
	snprintf(summary->reason, sizeof(summary->reason), "%s", d->reason);
	summary->patient_id = d->id.identified ? d->id.patient.id : 0;
	summary->relation = d->id.relation;
	summary->new_patient = d->id.new_patient;
	summary->outcome = outcome_of(d);
	summary->triage = d->triage;
	summary->lang = d->lang;
	summary->turns = d->turns;
	summary->done_count = d->done_count;
	memcpy(summary->done, d->done, d->done_count * sizeof(d->done[0]));
}

void dialogue_describe(const struct dialogue *d, char *buf, size_t size)
{
	static const char *const goals[] = {
		[DIALOGUE_GOAL_NONE] = "live.none", [DIALOGUE_GOAL_BOOK] = "live.book",
		[DIALOGUE_GOAL_URGENT] = "live.urgent", [DIALOGUE_GOAL_CANCEL] = "live.cancel",
		[DIALOGUE_GOAL_MOVE] = "live.move", [DIALOGUE_GOAL_CHECK] = "live.check",
		[DIALOGUE_GOAL_PRESCRIPTION] = "live.prescription",
		[DIALOGUE_GOAL_RESULTS] = "live.results", [DIALOGUE_GOAL_PAPERWORK] = "live.paperwork",
		[DIALOGUE_GOAL_CALLBACK] = "live.callback", [DIALOGUE_GOAL_EMERGENCY] = "live.emergency",
	};
	const struct dialogue_form *f = &d->form;
	char piece[200];
	size_t len;

	dialogue_message(d, d->staff_lang, goals[d->goal], NULL, 0, buf, size);
	if (!f->practitioner_any && f->practitioner >= 0) {
		dialogue_speak_practitioner(d, d->staff_lang, f->practitioner, piece, sizeof(piece));
		len = strlen(buf);
		snprintf(buf + len, size - len, " · %s", piece);
	}
	if (f->chosen >= 0 && (size_t)f->chosen < f->offer_count) {
		dialogue_speak_slot(d, d->staff_lang, f->offer[f->chosen].start, piece,
				    sizeof(piece));
		len = strlen(buf);
		snprintf(buf + len, size - len, " · %s", piece);
	}
	if (d->id.identified) {
		dialogue_patient_name(&d->id.patient, piece, sizeof(piece));
		len = strlen(buf);
		if (piece[0])
			snprintf(buf + len, size - len, " · %s", piece);
	}
}

/* Keep the most urgent decision heard during the call, with its cues. */
static void note_triage(struct dialogue *d, const struct nlu_result *r)
{
	if (r->triage.level > d->triage.level)
		d->triage = r->triage;
}

/* ---- Actions every flow uses ---- */

struct dialogue_action *dialogue_request(struct dialogue *d, struct dialogue_actions *out,
					 enum dialogue_action_kind kind)
{
	struct dialogue_action *a = dialogue_emit(out, kind);

	d->pending = kind;
	d->state = kind == DIALOGUE_ACTION_TRANSFER ? DIALOGUE_STATE_TRANSFERRING
						    : DIALOGUE_STATE_WAIT;
	return a;
}

void dialogue_end(struct dialogue *d, struct dialogue_actions *out)
{
	dialogue_emit(out, DIALOGUE_ACTION_END);
	d->state = DIALOGUE_STATE_ENDED;
	d->pending = DIALOGUE_ACTION_COUNT;
}

void dialogue_not_understood(struct dialogue *d, struct dialogue_actions *out)
{
	dialogue_failed(d, out, false);
}

void dialogue_failed(struct dialogue *d, struct dialogue_actions *out, bool explained)
{
	if (d->failed_state != d->state) {
		d->failed_state = d->state;
		d->failures = 0;
	}
	d->failures++;
	if (d->failures == 1)
		dialogue_prompt(d, out, explained ? DIALOGUE_PROMPT_NORMAL : DIALOGUE_PROMPT_RETRY);
	else if (d->failures == 2)
		dialogue_prompt(d, out, DIALOGUE_PROMPT_KEYPAD);
	else
		dialogue_handoff(d, out, true);
}

static void switch_language(struct dialogue *d, enum nlu_lang lang, struct dialogue_actions *out)
{
	if (lang != d->lang) {
		d->lang = lang;
		dialogue_emit(out, DIALOGUE_ACTION_SET_LANGUAGE)->lang = lang;
		dialogue_say(d, out, "language.switched", NULL, 0);
	}
	dialogue_prompt(d, out, DIALOGUE_PROMPT_NORMAL);
}

void dialogue_advance(struct dialogue *d, struct dialogue_actions *out)
{
	switch (d->goal) {
	case DIALOGUE_GOAL_BOOK:
	case DIALOGUE_GOAL_URGENT:
		dialogue_book_advance(d, out);
		break;
	case DIALOGUE_GOAL_CANCEL:
	case DIALOGUE_GOAL_MOVE:
	case DIALOGUE_GOAL_CHECK:
		dialogue_manage_advance(d, out);
		break;
	case DIALOGUE_GOAL_PRESCRIPTION:
	case DIALOGUE_GOAL_RESULTS:
	case DIALOGUE_GOAL_PAPERWORK:
		dialogue_request_advance(d, out);
		break;
	case DIALOGUE_GOAL_CALLBACK:
		dialogue_callback_advance(d, out);
		break;
	case DIALOGUE_GOAL_NONE:
	case DIALOGUE_GOAL_EMERGENCY:
		dialogue_ask(d, out, DIALOGUE_STATE_OPEN);
		break;
	}
}

static enum dialogue_goal goal_of(enum nlu_intent intent)
{
	switch (intent) {
	case NLU_INTENT_BOOK:
		return DIALOGUE_GOAL_BOOK;
	case NLU_INTENT_CANCEL:
		return DIALOGUE_GOAL_CANCEL;
	case NLU_INTENT_MOVE:
		return DIALOGUE_GOAL_MOVE;
	case NLU_INTENT_CHECK:
		return DIALOGUE_GOAL_CHECK;
	case NLU_INTENT_PRESCRIPTION:
		return DIALOGUE_GOAL_PRESCRIPTION;
	case NLU_INTENT_RESULTS:
		return DIALOGUE_GOAL_RESULTS;
	case NLU_INTENT_PAPERWORK:
		return DIALOGUE_GOAL_PAPERWORK;
	default:
		return DIALOGUE_GOAL_NONE;
	}
}

static bool is_answer_intent(enum nlu_intent intent)
{
	return intent == NLU_INTENT_HOURS || intent == NLU_INTENT_ADDRESS ||
	       intent == NLU_INTENT_FEES;
}

/* States whose answer is data (a name, a date, free text), never another request. */
static bool is_data_state(enum dialogue_state state)
{
	return state == DIALOGUE_STATE_ASK_NAME || state == DIALOGUE_STATE_ASK_FIRST_NAME ||
	       state == DIALOGUE_STATE_ASK_BIRTH || state == DIALOGUE_STATE_ASK_PHONE ||
	       state == DIALOGUE_STATE_ASK_DETAILS || state == DIALOGUE_STATE_ASK_WHICH;
}

static bool is_open_state(enum dialogue_state state)
{
	return state == DIALOGUE_STATE_OPEN || state == DIALOGUE_STATE_ANYTHING_ELSE;
}

void dialogue_start_goal(struct dialogue *d, enum nlu_intent intent, const struct nlu_result *r,
			 struct dialogue_actions *out)
{
	enum dialogue_goal goal = goal_of(intent);
	bool managing = d->goal == DIALOGUE_GOAL_CANCEL || d->goal == DIALOGUE_GOAL_MOVE ||
			d->goal == DIALOGUE_GOAL_CHECK;
	bool to_manage = goal == DIALOGUE_GOAL_CANCEL || goal == DIALOGUE_GOAL_MOVE ||
			 goal == DIALOGUE_GOAL_CHECK;

	/* A new request keeps who it is for, but not the previous request's steps. */
	if (!(managing && to_manage)) {
		d->listed = false;
		d->appointment_count = 0;
	}
	if (!(managing && to_manage && d->selected >= 0 && goal != DIALOGUE_GOAL_CHECK))
		d->selected = -1;
	memset(&d->form, 0, sizeof(d->form));
	d->form.type = -1;
	d->form.practitioner = -1;
	d->form.chosen = -1;
	d->request_text[0] = '\0';
	d->id.lenient = goal == DIALOGUE_GOAL_PRESCRIPTION || goal == DIALOGUE_GOAL_RESULTS ||
			goal == DIALOGUE_GOAL_PAPERWORK;
	d->goal = goal;
	d->intent = intent;
	if (r) {
		dialogue_absorb_identity(d, r);
		if (goal == DIALOGUE_GOAL_BOOK)
			dialogue_absorb_preferences(d, r);
		if (r->entities.reason[0] && !d->reason[0])
			snprintf(d->reason, sizeof(d->reason), "%s", r->entities.reason);
	}
	if (goal == DIALOGUE_GOAL_MOVE && d->selected >= 0) {
		/* "Non, je voudrais plutôt le déplacer": the appointment is already chosen. */
		const struct dialogue_appointment *a = &d->appointments[d->selected];

		d->form.type = a->type;
		d->form.practitioner = a->practitioner;
	}
	dialogue_advance(d, out);
}

/* Whether an urgent cue sends the call to today's urgent slots. */
static bool wants_urgent_path(const struct dialogue *d)
{
	if (d->goal == DIALOGUE_GOAL_URGENT || d->goal == DIALOGUE_GOAL_EMERGENCY)
		return false;
	return d->goal == DIALOGUE_GOAL_NONE || d->goal == DIALOGUE_GOAL_BOOK ||
	       d->goal == DIALOGUE_GOAL_MOVE || d->goal == DIALOGUE_GOAL_CHECK;
}

static void on_open(struct dialogue *d, const struct nlu_result *r, struct dialogue_actions *out)
{
	const struct nlu_entities *e = &r->entities;
	bool anything_else = d->state == DIALOGUE_STATE_ANYTHING_ELSE;

	if (goal_of(r->intent) != DIALOGUE_GOAL_NONE) {
		dialogue_start_goal(d, r->intent, r, out);
		return;
	}
	switch (r->intent) {
	case NLU_INTENT_YES:
		if (anything_else) {
			dialogue_say(d, out, "ask.listening", NULL, 0);
			dialogue_ask(d, out, DIALOGUE_STATE_OPEN);
			return;
		}
		break;
	case NLU_INTENT_NO:
		if (anything_else) {
			dialogue_goodbye(d, out, NULL);
			return;
		}
		break;
	case NLU_INTENT_OUT_OF_SCOPE:
		/* Understood, but not for a practice's phone: it still counts as a failure. */
		dialogue_say(d, out, "out_of_scope", NULL, 0);
		dialogue_failed(d, out, true);
		return;
	default:
		break;
	}
	/* Only a day, a doctor or a type ("demain avec le docteur Martin"): a booking. */
	if (e->when_count > 0 || e->practitioner >= 0 || e->appointment_type >= 0) {
		dialogue_start_goal(d, NLU_INTENT_BOOK, r, out);
		return;
	}
	dialogue_not_understood(d, out);
}

static void on_cancel_or_move(struct dialogue *d, const struct nlu_result *r,
			      struct dialogue_actions *out)
{
	if (r->intent == NLU_INTENT_CANCEL || r->intent == NLU_INTENT_MOVE)
		dialogue_start_goal(d, r->intent, r, out);
	else
		dialogue_not_understood(d, out);
}

static void on_request_kind(struct dialogue *d, const struct nlu_result *r,
			    struct dialogue_actions *out)
{
	if (r->intent == NLU_INTENT_PRESCRIPTION || r->intent == NLU_INTENT_RESULTS ||
	    r->intent == NLU_INTENT_PAPERWORK)
		dialogue_start_goal(d, r->intent, r, out);
	else
		dialogue_not_understood(d, out);
}

/* The answer to a low-confidence check: act on what was heard, or ask again. */
static void on_check(struct dialogue *d, const struct nlu_result *r, const char *text,
		     struct dialogue_actions *out)
{
	struct nlu_result heard = d->check_result;
	char heard_text[sizeof(d->check_text)];

	snprintf(heard_text, sizeof(heard_text), "%s", d->check_text);
	d->state = d->check_state;
	if (r->intent == NLU_INTENT_YES) {
		if (d->check_intent)
			dialogue_start_goal(d, heard.intent, &heard, out);
		else
			dialogue_understood(d, &heard, heard_text, out);
		return;
	}
	if (r->intent == NLU_INTENT_NO) {
		dialogue_say(d, out, "check.no", NULL, 0);
		dialogue_prompt(d, out, DIALOGUE_PROMPT_NORMAL);
		return;
	}
	/* Neither yes nor no: the caller answered the question again. */
	dialogue_understood(d, r, text, out);
}

static void dispatch_state(struct dialogue *d, const struct nlu_result *r, const char *text,
			   struct dialogue_actions *out)
{
	switch (d->state) {
	case DIALOGUE_STATE_OPEN:
	case DIALOGUE_STATE_ANYTHING_ELSE:
		on_open(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_NAME:
		dialogue_on_name(d, r, text, out);
		break;
	case DIALOGUE_STATE_ASK_FIRST_NAME:
		dialogue_on_first_name(d, r, text, out);
		break;
	case DIALOGUE_STATE_ASK_BIRTH:
		dialogue_on_birth(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_WHICH:
		dialogue_on_which(d, r, text, out);
		break;
	case DIALOGUE_STATE_ASK_NEW:
		dialogue_on_new_patient(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_PHONE:
		dialogue_on_phone(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_PRACTITIONER:
		dialogue_on_practitioner(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_WHEN:
		dialogue_on_when(d, r, out);
		break;
	case DIALOGUE_STATE_OFFER:
		dialogue_on_offer(d, r, out);
		break;
	case DIALOGUE_STATE_CONFIRM:
		dialogue_on_confirm(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_APPOINTMENT:
		dialogue_on_appointment(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_CANCEL_OR_MOVE:
		on_cancel_or_move(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_REQUEST_KIND:
		on_request_kind(d, r, out);
		break;
	case DIALOGUE_STATE_ASK_DETAILS:
		dialogue_on_details(d, text, out);
		break;
	case DIALOGUE_STATE_ASK_OTHER_PRACTITIONER:
		dialogue_on_other_practitioner(d, r, out);
		break;
	case DIALOGUE_STATE_CHECK:
		on_check(d, r, text, out);
		break;
	case DIALOGUE_STATE_START:
	case DIALOGUE_STATE_WAIT:
	case DIALOGUE_STATE_TRANSFERRING:
	case DIALOGUE_STATE_ENDED:
	case DIALOGUE_STATE_COUNT:
		break;
	}
}

void dialogue_understood(struct dialogue *d, const struct nlu_result *r, const char *text,
			 struct dialogue_actions *out)
{
	enum dialogue_state s = d->state;
	enum dialogue_goal goal = goal_of(r->intent);

	if (r->intent == NLU_INTENT_REPEAT) {
		dialogue_prompt(d, out, DIALOGUE_PROMPT_NORMAL);
		return;
	}
	if (r->intent == NLU_INTENT_CHANGE_LANGUAGE) {
		switch_language(d, r->entities.language, out);
		return;
	}
	if (r->triage.level == NLU_URGENCY_URGENT && wants_urgent_path(d)) {
		dialogue_absorb_identity(d, r);
		dialogue_start_urgent(d, out);
		return;
	}
	if (s == DIALOGUE_STATE_ASK_DETAILS) {
		/* Free text for the staff: only leaving the call changes the subject. */
		if (r->intent == NLU_INTENT_GOODBYE && !text[0])
			dialogue_goodbye(d, out, NULL);
		else
			dialogue_on_details(d, text, out);
		return;
	}
	if (r->intent == NLU_INTENT_HUMAN) {
		dialogue_human(d, out);
		return;
	}
	if (r->intent == NLU_INTENT_GOODBYE) {
		dialogue_goodbye(d, out, NULL);
		return;
	}
	if (!is_open_state(s) && !is_data_state(s) && is_answer_intent(r->intent) &&
	    r->confidence >= DIALOGUE_SWITCH_CONFIDENCE_MIN) {
		dialogue_answer(d, r->intent, out);
		dialogue_prompt(d, out, DIALOGUE_PROMPT_NORMAL);
		return;
	}
	if (is_open_state(s) && is_answer_intent(r->intent)) {
		dialogue_answer(d, r->intent, out);
		dialogue_ask(d, out, DIALOGUE_STATE_ANYTHING_ELSE);
		return;
	}
	if (!is_open_state(s) && !is_data_state(s) && s != DIALOGUE_STATE_CHECK &&
	    goal != DIALOGUE_GOAL_NONE && goal != d->goal &&
	    r->confidence >= DIALOGUE_SWITCH_CONFIDENCE_MIN) {
		dialogue_start_goal(d, r->intent, r, out);
		return;
	}
	dispatch_state(d, r, text, out);
}

/* ---- Events ---- */

static bool is_actionable(enum nlu_intent intent)
{
	return goal_of(intent) != DIALOGUE_GOAL_NONE || is_answer_intent(intent) ||
	       intent == NLU_INTENT_HUMAN;
}

static void ask_check(struct dialogue *d, const struct nlu_result *r, const char *text,
		      bool intent, struct dialogue_actions *out)
{
	d->check_state = d->state;
	d->check_result = *r;
	d->check_intent = intent;
	catalogue_copy_utf8(d->check_text, sizeof(d->check_text), text);
	dialogue_ask(d, out, DIALOGUE_STATE_CHECK);
}

/* The turn bound: past it the call is handed off, and well past it simply ended. */
static bool over_turn_limit(struct dialogue *d, struct dialogue_actions *out)
{
	if (d->turns > d->max_turns + 3) {
		dialogue_say(d, out, "goodbye.call_back", NULL, 0);
		d->end_outcome = "failed";
		dialogue_end(d, out);
		return true;
	}
	if (d->turns > d->max_turns) {
		dialogue_say(d, out, "turns.limit", NULL, 0);
		dialogue_handoff(d, out, false);
		return true;
	}
	return false;
}

static enum nlu_expect expect_of(enum dialogue_state state)
{
	switch (state) {
	case DIALOGUE_STATE_ASK_NAME:
	case DIALOGUE_STATE_ASK_FIRST_NAME:
	case DIALOGUE_STATE_ASK_WHICH:
		return NLU_EXPECT_NAME;
	case DIALOGUE_STATE_ASK_BIRTH:
		return NLU_EXPECT_BIRTH_DATE;
	case DIALOGUE_STATE_ASK_NEW:
	case DIALOGUE_STATE_CONFIRM:
	case DIALOGUE_STATE_ASK_OTHER_PRACTITIONER:
	case DIALOGUE_STATE_CHECK:
		return NLU_EXPECT_YES_NO;
	case DIALOGUE_STATE_ASK_PHONE:
		return NLU_EXPECT_PHONE;
	case DIALOGUE_STATE_ASK_PRACTITIONER:
		return NLU_EXPECT_PRACTITIONER;
	case DIALOGUE_STATE_ASK_WHEN:
		return NLU_EXPECT_DATE;
	case DIALOGUE_STATE_OFFER:
	case DIALOGUE_STATE_ASK_APPOINTMENT:
		return NLU_EXPECT_SLOT_CHOICE;
	default:
		return NLU_EXPECT_OPEN;
	}
}

static bool blank(const char *text)
{
	for (; *text; text++) {
		if (*text != ' ' && *text != '\t' && *text != '\n' && *text != '\r')
			return false;
	}
	return true;
}

static void on_utterance(struct dialogue *d, const struct dialogue_event *ev,
			 struct dialogue_actions *out)
{
	struct nlu_result r;
	const char *text = ev->text ? ev->text : "";

	d->turns++;
	d->silences = 0;
	if (over_turn_limit(d, out))
		return;
	if (ev->parsed) {
		r = *ev->parsed;
	} else {
		const char *options[8];
		struct nlu_input in = {text, d->lang, expect_of(d->state), ev->now, d->tz, options,
				       d->option_count};

		for (size_t i = 0; i < d->option_count; i++)
			options[i] = d->options[i];
		if (nlu_parse(d->nlu, &in, &r) != 0) {
			memset(&r, 0, sizeof(r));
			r.entities.practitioner = -1;
			r.entities.appointment_type = -1;
		}
	}
	if (r.entities.choice < 0)
		r.entities.choice = (int)d->option_count; /* "the last one" */
	if (is_open_state(d->state) && !d->first_request[0] && !blank(text))
		catalogue_copy_utf8(d->first_request, sizeof(d->first_request), text);
	if (r.triage.level == NLU_URGENCY_EMERGENCY) {
		/* Acted on whatever the recognition confidence: a wrong instruction to call 15
		 * costs less than a missed one. */
		dialogue_emergency(d, &r, out);
		return;
	}
	note_triage(d, &r);
	if (!ev->parsed && blank(text)) {
		dialogue_not_understood(d, out);
		return;
	}
	if (ev->confidence < d->confidence_min && d->state != DIALOGUE_STATE_CHECK) {
		ask_check(d, &r, text, false, out);
		return;
	}
	if (is_open_state(d->state) && is_actionable(r.intent) &&
	    r.confidence < DIALOGUE_INTENT_CONFIDENCE_MIN && r.triage.level == NLU_URGENCY_NONE) {
		ask_check(d, &r, text, true, out);
		return;
	}
	dialogue_understood(d, &r, text, out);
}

/* Turn a keypad entry into the result the current question expects; false if none. */
static bool digits_result(const struct dialogue *d, const char *digits, struct nlu_result *r)
{
	size_t len = strlen(digits);
	int n = len == 1 && digits[0] >= '1' && digits[0] <= '9' ? digits[0] - '0' : 0;

	memset(r, 0, sizeof(*r));
	r->confidence = 1.0f;
	r->entities.practitioner = -1;
	r->entities.appointment_type = -1;
	snprintf(r->entities.digits, sizeof(r->entities.digits), "%s", digits);
	switch (d->state) {
	case DIALOGUE_STATE_OPEN:
		if (n == 1)
			r->intent = NLU_INTENT_BOOK;
		return n == 1;
	case DIALOGUE_STATE_ANYTHING_ELSE:
	case DIALOGUE_STATE_ASK_NEW:
	case DIALOGUE_STATE_CONFIRM:
	case DIALOGUE_STATE_ASK_OTHER_PRACTITIONER:
	case DIALOGUE_STATE_CHECK:
		r->intent = n == 1 ? NLU_INTENT_YES : NLU_INTENT_NO;
		return n == 1 || n == 2;
	case DIALOGUE_STATE_OFFER:
		if (d->form.offer_count == 1) {
			r->intent = n == 1 ? NLU_INTENT_YES : NLU_INTENT_NO;
			return n == 1 || n == 2;
		}
		if (n == 9)
			r->intent = NLU_INTENT_NO;
		r->entities.choice = n >= 1 && n <= (int)d->form.offer_count ? n : 0;
		return n == 9 || r->entities.choice > 0;
	case DIALOGUE_STATE_ASK_APPOINTMENT:
		r->entities.choice = n >= 1 && n <= (int)d->appointment_count ? n : 0;
		return r->entities.choice > 0;
	case DIALOGUE_STATE_ASK_WHICH:
		/* 9: someone else. */
		if (n == 9)
			r->intent = NLU_INTENT_NO;
		r->entities.choice = n >= 1 && n <= (int)d->choice_count ? n : 0;
		return n == 9 || r->entities.choice > 0;
	case DIALOGUE_STATE_ASK_PRACTITIONER:
		if (n == 9) {
			r->entities.practitioner_any = true;
			return true;
		}
		r->entities.choice = n >= 1 && n <= (int)d->choice_count ? n : 0;
		return r->entities.choice > 0;
	case DIALOGUE_STATE_ASK_WHEN:
		r->intent = NLU_INTENT_DONT_KNOW;
		return n == 1;
	case DIALOGUE_STATE_ASK_CANCEL_OR_MOVE:
		r->intent = n == 1 ? NLU_INTENT_CANCEL : NLU_INTENT_MOVE;
		return n == 1 || n == 2;
	case DIALOGUE_STATE_ASK_REQUEST_KIND:
		r->intent = n == 1 ? NLU_INTENT_PRESCRIPTION
			  : n == 2 ? NLU_INTENT_RESULTS : NLU_INTENT_PAPERWORK;
		return n >= 1 && n <= 3;
	case DIALOGUE_STATE_ASK_BIRTH: {
		/* DDMMYYYY */
		int day, month, year;

		if (len != 8 || strspn(digits, "0123456789") != 8)
			return false;
		day = (digits[0] - '0') * 10 + digits[1] - '0';
		month = (digits[2] - '0') * 10 + digits[3] - '0';
		year = atoi(digits + 4);
		if (!civil_date_valid(year, month, day))
			return false;
		r->entities.has_birth_date = true;
		r->entities.birth_date = (struct civil_date){year, month, day};
		return true;
	}
	case DIALOGUE_STATE_ASK_PHONE:
		return phone_to_e164(digits, r->entities.phone, sizeof(r->entities.phone)) == 0;
	default:
		return false;
	}
}

static void on_digits(struct dialogue *d, const struct dialogue_event *ev,
		      struct dialogue_actions *out)
{
	const char *digits = ev->digits;
	bool data = d->state == DIALOGUE_STATE_ASK_BIRTH || d->state == DIALOGUE_STATE_ASK_PHONE;
	struct nlu_result r;

	d->turns++;
	d->silences = 0;
	if (over_turn_limit(d, out))
		return;
	if (strcmp(digits, "*") == 0) {
		dialogue_prompt(d, out, DIALOGUE_PROMPT_NORMAL);
		return;
	}
	if (d->state == DIALOGUE_STATE_ASK_NAME && strcmp(digits, "1") == 0 &&
	    dialogue_callback_unnamed_ok(d)) {
		dialogue_callback_unnamed(d, out);
		return;
	}
	if (!data && strcmp(digits, "0") == 0) {
		dialogue_human(d, out);
		return;
	}
	if (d->state == DIALOGUE_STATE_OPEN)
		d->id.keypad = true;
	if (is_open_state(d->state) && strcmp(digits, "9") == 0) {
		switch_language(d, d->lang == NLU_LANG_FR ? NLU_LANG_EN : NLU_LANG_FR, out);
		return;
	}
	if (d->state == DIALOGUE_STATE_OPEN && strcmp(digits, "2") == 0) {
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_CANCEL_OR_MOVE);
		return;
	}
	if (d->state == DIALOGUE_STATE_OPEN && strcmp(digits, "3") == 0) {
		dialogue_ask(d, out, DIALOGUE_STATE_ASK_REQUEST_KIND);
		return;
	}
	if (!digits_result(d, digits, &r)) {
		if (d->state == DIALOGUE_STATE_ASK_NAME || d->state == DIALOGUE_STATE_ASK_FIRST_NAME)
			dialogue_say(d, out, "keypad.name", NULL, 0);
		dialogue_not_understood(d, out);
		return;
	}
	dialogue_understood(d, &r, "", out);
}

static void on_silence(struct dialogue *d, struct dialogue_actions *out)
{
	d->turns++;
	if (over_turn_limit(d, out))
		return;
	d->silences++;
	if (d->silences >= 2 && d->state == DIALOGUE_STATE_ASK_NAME && !d->id.identified &&
	    dialogue_callback_unnamed_ok(d)) {
		/* The caller wants a call back: the number is enough to note it. */
		dialogue_callback_unnamed(d, out);
		return;
	}
	if (d->silences >= 2) {
		if (!dialogue_something_done(d))
			d->end_outcome = "no_input";
		dialogue_goodbye(d, out, "goodbye.silence");
		return;
	}
	dialogue_prompt(d, out, DIALOGUE_PROMPT_STILL_THERE);
}

static void on_start(struct dialogue *d, struct dialogue_actions *out)
{
	struct msg_param params[] = {{"practice", d->practice_name}};
	char override_key[32];
	const char *text;

	d->started = true;
	snprintf(override_key, sizeof(override_key), "greeting.%s",
		 d->lang == NLU_LANG_EN ? "en" : "fr");
	text = dialogue_setting(d, override_key);
	if (text) {
		char expanded[DIALOGUE_TEXT_MAX];

		catalogue_expand(text, params, 1, expanded, sizeof(expanded));
		dialogue_say_text(d, out, "greeting", expanded);
	} else {
		dialogue_say(d, out, "greeting", params, 1);
	}
	if (d->recording) {
		snprintf(override_key, sizeof(override_key), "recording.notice.%s",
			 d->lang == NLU_LANG_EN ? "en" : "fr");
		text = dialogue_setting(d, override_key);
		if (text)
			dialogue_say_text(d, out, "recording.notice", text);
		else
			dialogue_say(d, out, "recording.notice", NULL, 0);
	}
	dialogue_ask(d, out, DIALOGUE_STATE_OPEN);
}

static void on_hangup(struct dialogue *d, struct dialogue_actions *out)
{
	d->hung_up = true;
	if (d->pending != DIALOGUE_ACTION_COUNT)
		return;
	if (d->goal == DIALOGUE_GOAL_URGENT && !dialogue_something_done(d)) {
		dialogue_create_task(d, out, "urgent", DIALOGUE_TASK_HANGUP);
		return;
	}
	d->state = DIALOGUE_STATE_ENDED;
}

static void on_result(struct dialogue *d, const struct dialogue_event *ev,
		      struct dialogue_actions *out)
{
	enum dialogue_action_kind pending = d->pending;

	d->pending = DIALOGUE_ACTION_COUNT;
	switch (ev->kind) {
	case DIALOGUE_EVENT_SLOTS_FOUND:
		dialogue_on_slots(d, ev, out);
		break;
	case DIALOGUE_EVENT_BOOKED:
		dialogue_on_booked(d, ev, out);
		break;
	case DIALOGUE_EVENT_CANCELLED:
		dialogue_on_cancelled(d, ev, out);
		break;
	case DIALOGUE_EVENT_MOVED:
		dialogue_on_moved(d, ev, out);
		break;
	case DIALOGUE_EVENT_PATIENTS_FOUND:
		dialogue_on_patients(d, ev, out);
		break;
	case DIALOGUE_EVENT_APPOINTMENTS_LISTED:
		dialogue_on_appointments(d, ev, out);
		break;
	case DIALOGUE_EVENT_TASK_CREATED:
		dialogue_on_task(d, ev, out);
		break;
	case DIALOGUE_EVENT_TRANSFERRED:
		dialogue_on_transferred(d, ev, out);
		break;
	default:
		d->pending = pending;
		break;
	}
}

static int validate_event(const struct dialogue *d, const struct dialogue_event *ev)
{
	bool result = ev->kind >= DIALOGUE_EVENT_SLOTS_FOUND && ev->kind < DIALOGUE_EVENT_COUNT;

	if ((unsigned)ev->kind >= DIALOGUE_EVENT_COUNT)
		return EINVAL;
	if (result) {
		if (d->pending == DIALOGUE_ACTION_COUNT || result_of[d->pending] != ev->kind)
			return EPROTO;
		if ((ev->slot_count && !ev->slots) || (ev->patient_count && !ev->patients) ||
		    (ev->appointment_count && !ev->appointments))
			return EINVAL;
		return 0;
	}
	if (d->state == DIALOGUE_STATE_ENDED)
		return 0;
	if (ev->kind == DIALOGUE_EVENT_START)
		return d->started ? EPROTO : 0;
	if (ev->kind == DIALOGUE_EVENT_HANGUP || ev->kind == DIALOGUE_EVENT_BARGE_IN)
		return 0;
	if (!d->started)
		return EPROTO;
	if (d->pending != DIALOGUE_ACTION_COUNT)
		return EBUSY;
	if (ev->kind == DIALOGUE_EVENT_UTTERANCE) {
		if (!ev->parsed && (!ev->text || !d->nlu))
			return EINVAL;
		if (ev->text && strlen(ev->text) > DIALOGUE_UTTERANCE_MAX)
			return EINVAL;
		if (isnan(ev->confidence) || ev->confidence < 0.0f || ev->confidence > 1.0f)
			return EINVAL;
	}
	if (ev->kind == DIALOGUE_EVENT_DIGITS) {
		size_t len = ev->digits ? strlen(ev->digits) : 0;

		if (len == 0 || len > DIALOGUE_DIGITS_MAX ||
		    strspn(ev->digits, "0123456789*#") != len)
			return EINVAL;
	}
	return 0;
}

/* A caller who hung up hears nothing: keep only what must still be recorded. */
static void drop_speech(struct dialogue *d, struct dialogue_actions *out)
{
	size_t kept = 0;

	for (size_t i = 0; i < out->count; i++) {
		enum dialogue_action_kind kind = out->items[i].kind;

		if (kind == DIALOGUE_ACTION_SAY || kind == DIALOGUE_ACTION_ASK ||
		    kind == DIALOGUE_ACTION_END || kind == DIALOGUE_ACTION_SET_LANGUAGE ||
		    kind == DIALOGUE_ACTION_TRANSFER)
			continue;
		if (kept != i)
			out->items[kept] = out->items[i];
		kept++;
	}
	out->count = kept;
	if (d->pending == DIALOGUE_ACTION_TRANSFER)
		d->pending = DIALOGUE_ACTION_COUNT;
	if (d->pending == DIALOGUE_ACTION_COUNT)
		d->state = DIALOGUE_STATE_ENDED;
}

#ifndef NDEBUG
static void invariant_failed(const struct dialogue *d, const char *what)
{
	fprintf(stderr, "dialogue invariant broken in state %s: %s\n", dialogue_state_name(d),
		what);
	abort();
}

static bool offered(const struct dialogue *d, int64_t start, int practitioner)
{
	for (size_t i = 0; i < d->form.offer_count; i++) {
		if (d->form.offer[i].start == start &&
		    (practitioner < 0 || d->form.offer[i].practitioner == practitioner))
			return true;
	}
	return false;
}

static void check_actions(const struct dialogue *d, const struct dialogue_event *ev,
			  const struct dialogue_actions *out)
{
	bool said = false;

	for (size_t i = 0; i < out->count; i++) {
		const struct dialogue_action *a = &out->items[i];
		bool last = i + 1 == out->count;

		if ((a->kind == DIALOGUE_ACTION_SAY || a->kind == DIALOGUE_ACTION_ASK) &&
		    (!a->text[0] || !a->key[0]))
			invariant_failed(d, "a SAY or ASK without text or key");
		if (a->kind == DIALOGUE_ACTION_SAY)
			said = true;
		if (result_of[a->kind] != DIALOGUE_EVENT_COUNT && !last)
			invariant_failed(d, "an action with a result is not the last one");
		if (a->kind == DIALOGUE_ACTION_END && !last)
			invariant_failed(d, "END is not the last action");
		if (a->kind == DIALOGUE_ACTION_END && !said && !d->hung_up &&
		    !(ev->kind == DIALOGUE_EVENT_TRANSFERRED && ev->transferred) &&
		    !(ev->kind == DIALOGUE_EVENT_TASK_CREATED &&
		      d->task_purpose == DIALOGUE_TASK_EMERGENCY))
			invariant_failed(d, "END without telling the caller what happens next");
		if ((a->kind == DIALOGUE_ACTION_BOOK &&
		     !offered(d, a->book.start, a->book.practitioner)) ||
		    (a->kind == DIALOGUE_ACTION_MOVE && !offered(d, a->move.start, -1)))
			invariant_failed(d, "booking a slot the search did not offer");
		if ((a->kind == DIALOGUE_ACTION_BOOK || a->kind == DIALOGUE_ACTION_MOVE) &&
		    ev->kind == DIALOGUE_EVENT_DIGITS && ev->digits[0] != '1')
			invariant_failed(d, "booking without a yes");
	}
}

static void check_invariants(const struct dialogue *d, const struct dialogue_event *ev,
			     const struct dialogue_actions *out)
{
	const struct dialogue_action *last = out->count ? &out->items[out->count - 1] : NULL;
	bool waiting = d->pending != DIALOGUE_ACTION_COUNT;

	if ((unsigned)d->state >= DIALOGUE_STATE_COUNT || d->lang > NLU_LANG_EN ||
	    out->count > DIALOGUE_MAX_ACTIONS)
		invariant_failed(d, "a field out of range");
	if ((d->state == DIALOGUE_STATE_WAIT) != (waiting && d->pending != DIALOGUE_ACTION_TRANSFER))
		invariant_failed(d, "WAIT without a pending store action, or the reverse");
	if ((d->state == DIALOGUE_STATE_TRANSFERRING) != (d->pending == DIALOGUE_ACTION_TRANSFER))
		invariant_failed(d, "TRANSFERRING without a pending transfer, or the reverse");
	if (waiting && (!last || last->kind != d->pending))
		invariant_failed(d, "the pending action is not the last one emitted");
	if (d->form.offer_count > DIALOGUE_MAX_OFFER ||
	    (d->state == DIALOGUE_STATE_OFFER && d->form.offer_count == 0))
		invariant_failed(d, "an offer of no slot, or of too many");
	if (d->state == DIALOGUE_STATE_CONFIRM && d->confirm != DIALOGUE_CONFIRM_CANCEL &&
	    (d->form.chosen < 0 || (size_t)d->form.chosen >= d->form.offer_count))
		invariant_failed(d, "a confirmation of a slot that was not offered");
	if (d->state == DIALOGUE_STATE_CONFIRM && d->confirm != DIALOGUE_CONFIRM_BOOK &&
	    (d->selected < 0 || (size_t)d->selected >= d->appointment_count))
		invariant_failed(d, "a confirmation of an appointment that was not listed");
	if (ev->kind != DIALOGUE_EVENT_BARGE_IN && !d->hung_up && d->state != DIALOGUE_STATE_ENDED &&
	    !waiting && (!last || last->kind != DIALOGUE_ACTION_ASK))
		invariant_failed(d, "a question state whose question was not asked");
	if (d->state == DIALOGUE_STATE_ENDED && !d->hung_up && ev->kind != DIALOGUE_EVENT_BARGE_IN &&
	    out->count && (!last || last->kind != DIALOGUE_ACTION_END))
		invariant_failed(d, "ENDED without END");
	check_actions(d, ev, out);
}
#endif

int dialogue_step(struct dialogue *d, const struct dialogue_event *ev,
		  struct dialogue_actions *out)
{
	bool was_ended = d->state == DIALOGUE_STATE_ENDED;
	int err;

	out->count = 0;
	err = validate_event(d, ev);
	if (err)
		return err;
	d->now = ev->now;
	if (was_ended && ev->kind < DIALOGUE_EVENT_SLOTS_FOUND)
		return 0;
	switch (ev->kind) {
	case DIALOGUE_EVENT_START:
		on_start(d, out);
		break;
	case DIALOGUE_EVENT_UTTERANCE:
		on_utterance(d, ev, out);
		break;
	case DIALOGUE_EVENT_DIGITS:
		on_digits(d, ev, out);
		break;
	case DIALOGUE_EVENT_SILENCE:
		on_silence(d, out);
		break;
	case DIALOGUE_EVENT_BARGE_IN:
		break;
	case DIALOGUE_EVENT_HANGUP:
		on_hangup(d, out);
		break;
	default:
		on_result(d, ev, out);
		break;
	}
	if (d->hung_up)
		drop_speech(d, out);
#ifndef NDEBUG
	check_invariants(d, ev, out);
#endif
	return 0;
}
