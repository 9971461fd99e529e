#include "session_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "live.h"
#include "log.h"
#include "phone.h"
#include "sched.h"

/* Store actions one caller event may set off; a dialogue needs a handful at most. */
#define SESSION_MAX_CHAIN 32
/* Maximum length of a setting value read for the dialogue. */
#define SESSION_SETTING_MAX 2048

/* The dialogue's configuration and the storage its strings point into. */
struct setup {
	struct dialogue_config config;
	struct dialogue_practitioner practitioners[SCHED_MAX_PRACTITIONERS];
	struct dialogue_type types[SCHED_MAX_TYPES];
	struct dialogue_setting settings[64];
	char *values[64];
	char address[400];
};

static void setup_release(struct setup *setup)
{
	for (size_t i = 0; i < setup->config.setting_count; i++)
		free(setup->values[i]);
}

static int load_settings(struct session *s, struct setup *setup)
{
	const char *const *keys = dialogue_setting_keys();
	char *value = malloc(SESSION_SETTING_MAX);
	size_t count = 0;
	int err = 0;

	if (!value)
		return ENOMEM;
	for (size_t i = 0; keys[i] && count < sizeof(setup->settings) / sizeof(setup->settings[0]);
	     i++) {
		err = store_setting_get(s->store, keys[i], value, SESSION_SETTING_MAX);
		if (err == ENOENT) {
			err = 0;
			continue;
		}
		if (err)
			break;
		setup->values[count] = strdup(value);
		if (!setup->values[count]) {
			err = ENOMEM;
			break;
		}
		setup->settings[count].key = keys[i];
		setup->settings[count].value = setup->values[count];
		count++;
		setup->config.setting_count = count;
	}
	free(value);
	setup->config.settings = setup->settings;
	return err;
}

static void load_agenda(struct session *s, struct setup *setup)
{
	const struct store_practice *practice = agenda_practice(s->agenda);
	const struct sched_rules *rules = agenda_rules(s->agenda);
	struct dialogue_config *c = &setup->config;
	unsigned regions = 0;

	c->tz = agenda_tz(s->agenda);
	c->practice_name = practice->name;
	snprintf(setup->address, sizeof(setup->address), "%s%s%s%s%s", practice->address,
		 practice->postcode[0] || practice->city[0] ? ", " : "", practice->postcode,
		 practice->postcode[0] && practice->city[0] ? " " : "", practice->city);
	c->practice_address = practice->address[0] ? setup->address : NULL;
	c->staff_lang = strcmp(practice->default_lang, "en") == 0 ? NLU_LANG_EN : NLU_LANG_FR;
	if (sched_regions_parse(practice->holiday_regions, &regions, NULL) == 0)
		c->holiday_regions = regions;
	c->horizon_days = practice->booking_horizon_days;

	c->practitioner_count = agenda_practitioner_count(s->agenda);
	if (c->practitioner_count > SCHED_MAX_PRACTITIONERS)
		c->practitioner_count = SCHED_MAX_PRACTITIONERS;
	for (size_t i = 0; i < c->practitioner_count; i++) {
		const struct store_practitioner *p = agenda_practitioner(s->agenda, (int)i);
		struct dialogue_practitioner *to = &setup->practitioners[i];

		snprintf(to->title, sizeof(to->title), "%s", p->title);
		snprintf(to->first_name, sizeof(to->first_name), "%s", p->first_name);
		snprintf(to->last_name, sizeof(to->last_name), "%s", p->last_name);
		to->active = p->active;
	}
	c->practitioners = setup->practitioners;
	c->type_count = agenda_type_count(s->agenda);
	if (c->type_count > SCHED_MAX_TYPES)
		c->type_count = SCHED_MAX_TYPES;
	for (size_t i = 0; i < c->type_count; i++) {
		const struct store_appointment_type *t = agenda_type(s->agenda, (int)i);
		struct dialogue_type *to = &setup->types[i];

		snprintf(to->code, sizeof(to->code), "%s", t->code);
		snprintf(to->label_fr, sizeof(to->label_fr), "%s", t->label_fr);
		snprintf(to->label_en, sizeof(to->label_en), "%s", t->label_en);
		to->new_patient_allowed = t->new_patient_allowed;
		to->active = t->active;
		to->practitioner_mask = i < rules->type_count ? rules->types[i].practitioner_mask : 0;
	}
	c->types = setup->types;
}

static int create_dialogue(struct session *s, const struct session_config *config)
{
	struct setup *setup = calloc(1, sizeof(*setup));
	const struct store_practice *practice = agenda_practice(s->agenda);
	const char *lang = config->lang ? config->lang : practice->default_lang;
	int err;

	if (!setup)
		return ENOMEM;
	load_agenda(s, setup);
	setup->config.nlu = config->nlu;
	setup->config.lang = strcmp(lang, "en") == 0 ? NLU_LANG_EN : NLU_LANG_FR;
	setup->config.caller_number = s->caller_number;
	err = load_settings(s, setup);
	if (err)
		log_err("session", s->call_id, "reading the settings failed: %s",
			store_errmsg(s->store));
	if (!err)
		err = dialogue_create(&s->dialogue, &setup->config);
	if (!err && dialogue_config_warning(s->dialogue))
		log_warning("session", s->call_id,
			    "setting %s has an invalid value and is ignored; see docs/settings.md",
			    dialogue_config_warning(s->dialogue));
	setup_release(setup);
	free(setup);
	return err;
}

/* Show the call on the dashboard as it is now, or take it off once it ended. */
static void publish(struct session *s)
{
	struct live_call call = {0};
	struct dialogue_summary summary;
	const char *state = dialogue_state_name(s->dialogue);
	int err;

	if (!s->live)
		return;
	if (dialogue_ended(s->dialogue)) {
		live_registry_remove(s->live, s->call_id);
		return;
	}
	dialogue_summary(s->dialogue, &summary);
	snprintf(call.call_id, sizeof(call.call_id), "%s", s->call_id);
	call.started_utc = s->started;
	snprintf(call.state, sizeof(call.state), "%s",
		 !s->answered ? "ringing"
		 : strcmp(state, "transferring") == 0 ? "transferring"
		 : strcmp(state, "start") == 0 ? "greeting" : "listening");
	snprintf(call.caller_number, sizeof(call.caller_number), "%s", s->caller_number);
	snprintf(call.lang, sizeof(call.lang), "%s", summary.lang == NLU_LANG_EN ? "en" : "fr");
	snprintf(call.intent, sizeof(call.intent), "%s",
		 summary.intent == NLU_INTENT_NONE ? "" : nlu_intent_name(summary.intent));
	dialogue_describe(s->dialogue, call.understood, sizeof(call.understood));
	snprintf(call.urgency, sizeof(call.urgency), "%s", nlu_urgency_name(summary.triage.level));
	call.updated_utc = s->last_now;
	err = live_registry_update(s->live, &call);
	if (err)
		log_warning("session", s->call_id, "the dashboard's list of calls is full (%s)",
			    strerror(err));
}

int session_create(struct session **sessionp, const struct session_config *config,
		   int64_t now)
{
	struct session *s;
	int err;

	*sessionp = NULL;
	if (!config || !config->agenda || !config->call_id || !config->call_id[0] ||
	    strlen(config->call_id) >= sizeof(s->call_id) || !config->channel ||
	    (strcmp(config->channel, "sip") != 0 && strcmp(config->channel, "chat") != 0))
		return EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->agenda = config->agenda;
	s->store = agenda_store(config->agenda);
	s->live = config->live;
	snprintf(s->call_id, sizeof(s->call_id), "%s", config->call_id);
	snprintf(s->channel, sizeof(s->channel), "%s", config->channel);
	if (config->caller_number && config->caller_number[0] &&
	    phone_to_e164(config->caller_number, s->caller_number, sizeof(s->caller_number)) != 0)
		log_notice("session", s->call_id, "caller number is not a phone number; ignored");
	snprintf(s->called_number, sizeof(s->called_number), "%s",
		 config->called_number ? config->called_number : "");
	s->started = now;
	s->last_now = now;
	err = create_dialogue(s, config);
	if (!err)
		err = session_record_save(s, false);
	if (err) {
		dialogue_destroy(s->dialogue);
		session_transcript_free(s);
		free(s->entries);
		free(s);
		return err;
	}
	log_info("session", s->call_id, "call started (channel %s, %s)", s->channel,
		 s->caller_number[0] ? "caller number known" : "caller number withheld");
	publish(s);
	*sessionp = s;
	return 0;
}

static double monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool is_driver_action(enum dialogue_action_kind kind)
{
	return kind == DIALOGUE_ACTION_SAY || kind == DIALOGUE_ACTION_ASK ||
	       kind == DIALOGUE_ACTION_TRANSFER || kind == DIALOGUE_ACTION_END ||
	       kind == DIALOGUE_ACTION_SET_LANGUAGE;
}

void session_output_add(struct session *s, const struct dialogue_action *a)
{
	struct session_output_item *item;
	static const char *const kinds[] = {
		[DIALOGUE_ACTION_SAY] = "say", [DIALOGUE_ACTION_ASK] = "ask",
		[DIALOGUE_ACTION_TRANSFER] = "transfer", [DIALOGUE_ACTION_END] = "end",
		[DIALOGUE_ACTION_SET_LANGUAGE] = "language",
	};
	const char *text = a->kind == DIALOGUE_ACTION_TRANSFER ? a->target
			   : a->kind == DIALOGUE_ACTION_SET_LANGUAGE
				   ? (a->lang == NLU_LANG_EN ? "en" : "fr")
				   : a->text;

	session_transcript_add(s, s->last_now, false, kinds[a->kind], text, -1.0f, a->key,
			       a->expect);
	if (s->output.count == SESSION_MAX_OUTPUT) {
		log_err("session", s->call_id, "more than %d actions for one event; dropped one",
			SESSION_MAX_OUTPUT);
		return;
	}
	if (s->output.count == s->output.capacity) {
		/* An event gives one to three actions: grow by a few, up to the maximum. */
		size_t capacity = s->output.capacity + 4;
		struct session_output_item *grown;

		if (capacity > SESSION_MAX_OUTPUT)
			capacity = SESSION_MAX_OUTPUT;
		grown = realloc(s->output.items, capacity * sizeof(*grown));
		if (!grown) {
			log_err("session", s->call_id, "out of memory for an action; dropped one");
			return;
		}
		s->output.items = grown;
		s->output.capacity = capacity;
	}
	item = &s->output.items[s->output.count++];
	memset(item, 0, sizeof(*item));
	item->kind = a->kind;
	memcpy(item->text, a->text, sizeof(item->text));
	memcpy(item->key, a->key, sizeof(item->key));
	item->interruptible = a->interruptible;
	item->expect = a->expect;
	memcpy(item->keys, a->keys, sizeof(item->keys));
	memcpy(item->target, a->target, sizeof(item->target));
	item->lang = a->lang;
}

/* Record the caller's side of an event in the transcript. */
static void transcript_caller(struct session *s, const struct dialogue_event *ev)
{
	switch (ev->kind) {
	case DIALOGUE_EVENT_START:
		session_transcript_add(s, ev->now, true, "answered", NULL, -1.0f, "", 0);
		break;
	case DIALOGUE_EVENT_UTTERANCE:
		session_transcript_add(s, ev->now, true, "utterance", ev->text, ev->confidence, "",
				       0);
		log_debug("session", s->call_id, "caller said \"%s\" (confidence %.2f)",
			  ev->text ? ev->text : "", ev->confidence);
		break;
	case DIALOGUE_EVENT_DIGITS:
		session_transcript_add(s, ev->now, true, "digits", ev->digits, -1.0f, "", 0);
		break;
	case DIALOGUE_EVENT_SILENCE:
		session_transcript_add(s, ev->now, true, "silence", NULL, -1.0f, "", 0);
		break;
	case DIALOGUE_EVENT_BARGE_IN:
		session_transcript_add(s, ev->now, true, "barge_in", NULL, -1.0f, "", 0);
		break;
	case DIALOGUE_EVENT_HANGUP:
		session_transcript_add(s, ev->now, true, "hangup", NULL, -1.0f, "", 0);
		break;
	case DIALOGUE_EVENT_TRANSFERRED:
		session_transcript_add(s, ev->now, false, "transfer_result",
				       ev->transferred ? "ok" : "failed", -1.0f, "", 0);
		break;
	default:
		break;
	}
}

/* Run the dialogue on one event, executing store actions until only driver actions remain. */
static int run(struct session *s, const struct dialogue_event *first)
{
	struct dialogue_actions *actions = malloc(sizeof(*actions));
	struct dialogue_event result;
	const struct dialogue_event *ev = first;
	unsigned chain = 0;
	int err;

	if (!actions)
		return ENOMEM;
	for (;;) {
		const struct dialogue_action *pending = NULL;

		err = dialogue_step(s->dialogue, ev, actions);
		if (err) {
			if (ev != first)
				log_err("session", s->call_id, "the dialogue rejected a %s result: %s",
					dialogue_event_name(ev->kind), strerror(err));
			break;
		}
		log_debug("session", s->call_id, "%s -> %s, %zu actions",
			  dialogue_event_name(ev->kind), dialogue_state_name(s->dialogue),
			  actions->count);
		for (size_t i = 0; i < actions->count; i++) {
			if (is_driver_action(actions->items[i].kind))
				session_output_add(s, &actions->items[i]);
			else
				pending = &actions->items[i];
		}
		if (!pending)
			break;
		if (++chain > SESSION_MAX_CHAIN) {
			log_err("session", s->call_id, "more than %d store actions for one event",
				SESSION_MAX_CHAIN);
			err = ELOOP;
			break;
		}
		session_execute(s, pending, s->last_now, &result);
		ev = &result;
	}
	free(actions);
	return err;
}

static void finish(struct session *s)
{
	struct dialogue_summary summary;
	int err;

	if (s->finished)
		return;
	err = session_record_save(s, true);
	s->finished = err == 0;
	dialogue_summary(s->dialogue, &summary);
	if (err)
		log_err("session", s->call_id, "saving the call record failed: %s",
			store_errmsg(s->store));
	log_info("session", s->call_id, "call ended: %s, urgency %s, %u turns, %lld s",
		 summary.outcome, nlu_urgency_name(summary.triage.level), summary.turns,
		 (long long)(s->last_now - s->started));
}

int session_handle(struct session *s, const struct dialogue_event *event,
		   const struct session_output **output)
{
	struct dialogue_event ev = *event;
	char *cut = NULL;
	double t0;
	int err;

	s->output.count = 0;
	*output = &s->output;
	if (ev.kind >= DIALOGUE_EVENT_SLOTS_FOUND && ev.kind != DIALOGUE_EVENT_TRANSFERRED)
		return EINVAL;
	if ((unsigned)ev.kind >= DIALOGUE_EVENT_COUNT)
		return EINVAL;
	if (dialogue_ended(s->dialogue)) {
		finish(s);
		return 0;
	}
	if (ev.kind == DIALOGUE_EVENT_UTTERANCE && ev.text &&
	    strlen(ev.text) > DIALOGUE_UTTERANCE_MAX) {
		size_t n = DIALOGUE_UTTERANCE_MAX;

		cut = malloc(DIALOGUE_UTTERANCE_MAX + 1);
		if (!cut)
			return ENOMEM;
		/* Cut before the character the limit falls in: runaway recognition is noise. */
		while (n > 0 && ((unsigned char)ev.text[n] & 0xC0) == 0x80)
			n--;
		memcpy(cut, ev.text, n);
		cut[n] = '\0';
		ev.text = cut;
		log_warning("session", s->call_id, "utterance longer than %d bytes cut",
			    DIALOGUE_UTTERANCE_MAX);
	}
	if (ev.now < s->last_now)
		ev.now = s->last_now; /* a clock going back must not reorder the transcript */
	s->last_now = ev.now;
	if (ev.kind == DIALOGUE_EVENT_START && !s->answered)
		s->answered = ev.now;
	transcript_caller(s, &ev);

	t0 = monotonic_ms();
	err = run(s, &ev);
	{
		double spent = monotonic_ms() - t0;

		s->processing_ms_total += spent;
		if (spent > s->processing_ms_max)
			s->processing_ms_max = spent;
		s->steps++;
	}
	free(cut);
	if (err == ELOOP) {
		/* The dialogue is stuck: end the call cleanly rather than leave it open. */
		struct dialogue_event hangup = {.kind = DIALOGUE_EVENT_HANGUP, .now = ev.now};
		struct dialogue_actions *ignored = malloc(sizeof(*ignored));

		if (ignored) {
			dialogue_step(s->dialogue, &hangup, ignored);
			free(ignored);
		}
		err = 0;
	}
	if (dialogue_ended(s->dialogue))
		finish(s);
	publish(s);
	return err;
}

bool session_ended(const struct session *s)
{
	return dialogue_ended(s->dialogue);
}

const char *session_call_id(const struct session *s)
{
	return s->call_id;
}

const char *session_state_name(const struct session *s)
{
	return dialogue_state_name(s->dialogue);
}

void session_summary(const struct session *s, struct dialogue_summary *summary)
{
	dialogue_summary(s->dialogue, summary);
}

void session_destroy(struct session *s)
{
	if (!s)
		return;
	if (!s->finished) {
		log_notice("session", s->call_id, "session released before the call ended");
		finish(s);
	}
	if (s->live)
		live_registry_remove(s->live, s->call_id);
	dialogue_destroy(s->dialogue);
	session_transcript_free(s);
	free(s->entries);
	free(s->output.items);
	free(s);
}

int session_nlu_create(struct agenda *agenda, struct nlu **nlup)
{
	size_t practitioner_count = agenda_practitioner_count(agenda);
	size_t type_count = agenda_type_count(agenda);
	struct nlu_practitioner *practitioners = calloc(practitioner_count + 1,
							sizeof(*practitioners));
	struct nlu_appointment_type *types = calloc(type_count + 1, sizeof(*types));
	struct nlu_vocabulary vocabulary = {practitioners, practitioner_count, types, type_count};
	int err;

	*nlup = NULL;
	if (!practitioners || !types) {
		free(practitioners);
		free(types);
		return ENOMEM;
	}
	for (size_t i = 0; i < practitioner_count; i++) {
		const struct store_practitioner *p = agenda_practitioner(agenda, (int)i);

		practitioners[i].first_name = p->first_name;
		practitioners[i].last_name = p->last_name;
		practitioners[i].specialty = p->specialty;
	}
	for (size_t i = 0; i < type_count; i++) {
		const struct store_appointment_type *t = agenda_type(agenda, (int)i);

		types[i].code = t->code;
		types[i].label_fr = t->label_fr;
		types[i].label_en = t->label_en;
	}
	err = nlu_create(nlup, &vocabulary);
	free(practitioners);
	free(types);
	return err;
}
