/* What the assistant says: catalogue messages, each state's question, spoken dates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogue_priv.h"
#include "tz.h"

struct dialogue_action *dialogue_emit(struct dialogue_actions *out, enum dialogue_action_kind kind)
{
	struct dialogue_action *a;

	if (out->count == DIALOGUE_MAX_ACTIONS) {
		/* The flows emit at most six actions per step. */
#ifndef NDEBUG
		fprintf(stderr, "dialogue: more than %d actions in one step\n", DIALOGUE_MAX_ACTIONS);
		abort();
#endif
		out->count--;
	}
	a = &out->items[out->count++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->interruptible = true;
	return a;
}

const char *dialogue_message(const struct dialogue *d, enum nlu_lang lang, const char *key,
			     const struct msg_param *params, size_t count, char *buf,
			     size_t size)
{
	const char *template = catalogue_template(d->catalogue, lang, key);

	if (!template) {
#ifndef NDEBUG
		fprintf(stderr, "dialogue: message \"%s\" missing from the catalogue\n", key);
		abort();
#endif
		buf[0] = '\0';
		return buf;
	}
	catalogue_expand(template, params, count, buf, size);
	return buf;
}

/* Append a sentence to buf, separated by a space. */
static void append(char *buf, size_t size, const char *piece)
{
	size_t len = strlen(buf);

	if (!piece[0] || len + 1 >= size)
		return;
	if (len > 0) {
		buf[len++] = ' ';
		buf[len] = '\0';
	}
	catalogue_copy_utf8(buf + len, size - len, piece);
}

void dialogue_say(struct dialogue *d, struct dialogue_actions *out, const char *key,
		  const struct msg_param *params, size_t count)
{
	struct dialogue_action *a = dialogue_emit(out, DIALOGUE_ACTION_SAY);

	dialogue_message(d, d->lang, key, params, count, a->text, sizeof(a->text));
	snprintf(a->key, sizeof(a->key), "%s", key);
}

void dialogue_say_text(struct dialogue *d, struct dialogue_actions *out, const char *key,
		       const char *text)
{
	struct dialogue_action *a = dialogue_emit(out, DIALOGUE_ACTION_SAY);

	catalogue_copy_utf8(a->text, sizeof(a->text), text);
	snprintf(a->key, sizeof(a->key), "%s", key);
}

/* ---- Spoken dates, names and lists ---- */

/* "9 h", "10 h 30", "9:00", "10:30". */
static void speak_time(const struct dialogue *d, enum nlu_lang lang, const struct civil_time *t,
		       char *buf, size_t size)
{
	char hour[24], minute[24];
	struct msg_param params[] = {{"hour", hour}, {"minute", minute}};

	snprintf(hour, sizeof(hour), "%d", t->hour);
	snprintf(minute, sizeof(minute), "%02d", t->minute);
	dialogue_message(d, lang, t->minute ? "time" : "time.hour", params, 2, buf, size);
}

void dialogue_speak_slot(const struct dialogue *d, enum nlu_lang lang, int64_t start,
			 char *buf, size_t size)
{
	struct civil_time t = tz_to_local(d->tz, start, NULL);
	struct civil_time today_t = tz_to_local(d->tz, d->now, NULL);
	int64_t day = tz_day_of(d->tz, start);
	int64_t today = tz_day_of(d->tz, d->now);
	char weekday_key[24], month_key[24], daynum[24], year[24];
	char weekday[32], month[32], date[96], time[32];

	snprintf(weekday_key, sizeof(weekday_key), "day.%d", civil_weekday(day));
	snprintf(month_key, sizeof(month_key), "month.%d", t.month);
	snprintf(year, sizeof(year), "%d", t.year);
	if (t.day == 1)
		dialogue_message(d, lang, "day.first", NULL, 0, daynum, sizeof(daynum));
	else
		snprintf(daynum, sizeof(daynum), "%d", t.day);
	dialogue_message(d, lang, weekday_key, NULL, 0, weekday, sizeof(weekday));
	dialogue_message(d, lang, month_key, NULL, 0, month, sizeof(month));
	{
		struct msg_param params[] = {{"weekday", weekday}, {"day", daynum},
					     {"month", month}, {"year", year}};

		dialogue_message(d, lang, t.year == today_t.year ? "date" : "date.year", params, 4,
				 date, sizeof(date));
	}
	speak_time(d, lang, &t, time, sizeof(time));
	{
		struct msg_param params[] = {{"date", date}, {"time", time}};
		const char *key = day == today ? "slot.today" : day == today + 1 ? "slot.tomorrow"
										 : "slot";

		dialogue_message(d, lang, key, params, 2, buf, size);
	}
}

/* A slot spoken after another on the same day: its time only. */
static void speak_slot_after(const struct dialogue *d, enum nlu_lang lang, int64_t previous,
			     int64_t start, char *buf, size_t size)
{
	struct civil_time t = tz_to_local(d->tz, start, NULL);

	if (previous && tz_day_of(d->tz, previous) == tz_day_of(d->tz, start))
		speak_time(d, lang, &t, buf, size);
	else
		dialogue_speak_slot(d, lang, start, buf, size);
}

void dialogue_speak_practitioner(const struct dialogue *d, enum nlu_lang lang, int index,
				 char *buf, size_t size)
{
	const struct dialogue_practitioner *p;
	const char *key = "practitioner.other";

	if (index < 0 || (size_t)index >= d->practitioner_count) {
		buf[0] = '\0';
		return;
	}
	p = &d->practitioners[index];
	if (strncmp(p->title, "Dr", 2) == 0 || strncmp(p->title, "Doct", 4) == 0)
		key = "practitioner.dr";
	else if (strncmp(p->title, "Pr", 2) == 0 || strncmp(p->title, "Prof", 4) == 0)
		key = "practitioner.pr";
	{
		struct msg_param params[] = {{"first", p->first_name}, {"last", p->last_name}};

		dialogue_message(d, lang, key, params, 2, buf, size);
	}
}

void dialogue_speak_birth(const struct civil_date *date, char *buf, size_t size)
{
	snprintf(buf, size, "%02d/%02d/%04d", date->day, date->month, date->year);
}

static void join_with(const struct dialogue *d, enum nlu_lang lang, const char *const *items,
		      size_t count, const char *key, char *buf, size_t size)
{
	char head[DIALOGUE_TEXT_MAX];

	buf[0] = '\0';
	if (count == 0)
		return;
	if (count == 1) {
		catalogue_copy_utf8(buf, size, items[0]);
		return;
	}
	head[0] = '\0';
	for (size_t i = 0; i + 1 < count; i++) {
		size_t len = strlen(head);

		if (i > 0 && len + 2 < sizeof(head)) {
			memcpy(head + len, ", ", 3);
			len += 2;
		}
		catalogue_copy_utf8(head + len, sizeof(head) - len, items[i]);
	}
	{
		struct msg_param params[] = {{"head", head}, {"last", items[count - 1]}};

		dialogue_message(d, lang, key, params, 2, buf, size);
	}
}

void dialogue_join(const struct dialogue *d, enum nlu_lang lang, const char *const *items,
		   size_t count, char *buf, size_t size)
{
	join_with(d, lang, items, count, "list.or", buf, size);
}

void dialogue_join_all(const struct dialogue *d, enum nlu_lang lang, const char *const *items,
		       size_t count, char *buf, size_t size)
{
	join_with(d, lang, items, count, "list.and", buf, size);
}

void dialogue_patient_name(const struct dialogue_patient *patient, char *buf, size_t size)
{
	if (patient->first_name[0] && patient->last_name[0])
		snprintf(buf, size, "%s %s", patient->first_name, patient->last_name);
	else
		snprintf(buf, size, "%s", patient->first_name[0] ? patient->first_name
								 : patient->last_name);
}

/* "jeudi 5 mars à 9 h avec le docteur Martin"; the time only after a slot of that day. */
static void speak_slot_with(const struct dialogue *d, enum nlu_lang lang,
			    const struct sched_slot *slot, int64_t previous, char *buf, size_t size)
{
	char when[160], who[160];
	struct msg_param params[] = {{"slot", when}, {"practitioner", who}};

	speak_slot_after(d, lang, previous, slot->start, when, sizeof(when));
	dialogue_speak_practitioner(d, lang, slot->practitioner, who, sizeof(who));
	dialogue_message(d, lang, "slot.with", params, 2, buf, size);
}

/* A type's label for a sentence: "consultation", "première consultation". */
static void speak_type(const struct dialogue *d, enum nlu_lang lang, int type, char *buf,
		       size_t size)
{
	const char *label = NULL;

	if (type >= 0 && (size_t)type < d->type_count)
		label = lang == NLU_LANG_EN ? d->types[type].label_en : d->types[type].label_fr;
	if (!label || !label[0]) {
		dialogue_message(d, lang, "type.default_label", NULL, 0, buf, size);
		return;
	}
	catalogue_copy_utf8(buf, size, label);
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
}

/* ---- Questions ---- */

/* One question as asked: the sentence, the keypad choices, what recognition expects. */
struct prompt {
	const char *key;
	char question[DIALOGUE_TEXT_MAX];
	char keypad[DIALOGUE_TEXT_MAX];
	char keys[16];
	enum nlu_expect expect;
	bool keypad_answers; /* the keypad alone can answer it */
};

static void numbered_keys(struct prompt *p, size_t count, bool nine)
{
	size_t len = 0;

	for (size_t i = 0; i < count && i < 8; i++)
		p->keys[len++] = (char)('1' + i);
	if (nine)
		p->keys[len++] = '9';
	p->keys[len] = '\0';
}

/* "1 pour Sophie, 2 pour Lucas" with an item key taking {n} and {name}. */
static void keypad_list(const struct dialogue *d, enum nlu_lang lang, const char *item_key,
			char names[][160], size_t count, char *buf, size_t size)
{
	char items[8][200];
	const char *pointers[8];

	for (size_t i = 0; i < count && i < 8; i++) {
		char n[24];
		struct msg_param params[] = {{"n", n}, {"name", names[i]}};

		snprintf(n, sizeof(n), "%zu", i + 1);
		dialogue_message(d, lang, item_key, params, 2, items[i], sizeof(items[i]));
		pointers[i] = items[i];
	}
	buf[0] = '\0';
	for (size_t i = 0; i < count && i < 8; i++) {
		if (i > 0)
			append(buf, size, ",");
		append(buf, size, pointers[i]);
	}
	/* append() separates with spaces: "1 pour A , 2 pour B" -> "1 pour A, 2 pour B". */
	for (char *comma = strstr(buf, " ,"); comma; comma = strstr(comma, " ,"))
		memmove(comma, comma + 1, strlen(comma + 1) + 1);
}

static void prompt_practitioner(struct dialogue *d, enum nlu_lang lang, struct prompt *p)
{
	char names[8][160];
	const char *pointers[8];
	char list[DIALOGUE_TEXT_MAX], keys_list[DIALOGUE_TEXT_MAX];
	int eligible[SCHED_MAX_PRACTITIONERS];
	size_t count = dialogue_eligible_practitioners(d, d->form.type, eligible,
						       SCHED_MAX_PRACTITIONERS);

	if (count > 8)
		count = 8;
	d->choice_count = count;
	for (size_t i = 0; i < count; i++) {
		d->choice_map[i] = eligible[i];
		dialogue_speak_practitioner(d, lang, eligible[i], names[i], sizeof(names[i]));
		pointers[i] = names[i];
		catalogue_copy_utf8(d->options[i], sizeof(d->options[i]), names[i]);
	}
	d->option_count = count;
	dialogue_join(d, lang, pointers, count, list, sizeof(list));
	keypad_list(d, lang, "keys.practitioner.item", names, count, keys_list, sizeof(keys_list));
	{
		struct msg_param params[] = {{"list", list}};

		dialogue_message(d, lang, "ask.practitioner", params, 1, p->question,
				 sizeof(p->question));
	}
	{
		struct msg_param params[] = {{"list", keys_list}};

		dialogue_message(d, lang, "keys.practitioner", params, 1, p->keypad,
				 sizeof(p->keypad));
	}
	p->key = "ask.practitioner";
	numbered_keys(p, count, true);
	p->keypad_answers = true;
}

static void prompt_which(struct dialogue *d, enum nlu_lang lang, struct prompt *p)
{
	char names[8][160];
	char keys_list[DIALOGUE_TEXT_MAX];
	/* NOTE: keys 1 to 8 only; a ninth person on the number is reached by name and birth. */
	size_t count = d->id.candidate_count > 8 ? 8 : d->id.candidate_count;

	d->choice_count = count;
	for (size_t i = 0; i < count; i++) {
		const struct dialogue_patient *c = &d->id.candidates[i];

		d->choice_map[i] = (int)i;
		snprintf(names[i], sizeof(names[i]), "%s",
			 c->first_name[0] ? c->first_name : c->last_name);
		catalogue_copy_utf8(d->options[i], sizeof(d->options[i]), names[i]);
	}
	d->option_count = count;
	keypad_list(d, lang, "keys.which.item", names, count, keys_list, sizeof(keys_list));
	p->key = d->goal == DIALOGUE_GOAL_BOOK || d->goal == DIALOGUE_GOAL_URGENT
			 ? "ask.which.booking" : "ask.which";
	dialogue_message(d, lang, p->key, NULL, 0, p->question, sizeof(p->question));
	{
		struct msg_param params[] = {{"list", keys_list}};

		dialogue_message(d, lang, "keys.which", params, 1, p->keypad, sizeof(p->keypad));
	}
	numbered_keys(p, count, true);
	p->keypad_answers = true;
}

static void prompt_offer(struct dialogue *d, enum nlu_lang lang, struct prompt *p)
{
	const struct dialogue_form *f = &d->form;
	char items[DIALOGUE_MAX_OFFER][240];
	const char *pointers[DIALOGUE_MAX_OFFER];
	char list[DIALOGUE_TEXT_MAX], who[160], n[24];
	bool same = true;

	for (size_t i = 1; i < f->offer_count; i++)
		same = same && f->offer[i].practitioner == f->offer[0].practitioner;
	if (f->offer_count == 1) {
		struct msg_param params[] = {{"slot", items[0]}};

		speak_slot_with(d, lang, &f->offer[0], 0, items[0], sizeof(items[0]));
		catalogue_copy_utf8(d->options[0], sizeof(d->options[0]), items[0]);
		d->option_count = 1;
		dialogue_message(d, lang, "ask.offer.one", params, 1, p->question,
				 sizeof(p->question));
		dialogue_message(d, lang, "keys.offer.one", NULL, 0, p->keypad, sizeof(p->keypad));
		p->key = "ask.offer.one";
		p->expect = NLU_EXPECT_YES_NO;
		numbered_keys(p, 2, false);
		p->keypad_answers = true;
		return;
	}
	for (size_t i = 0; i < f->offer_count; i++) {
		int64_t previous = i > 0 ? f->offer[i - 1].start : 0;

		if (same)
			speak_slot_after(d, lang, previous, f->offer[i].start, items[i],
					 sizeof(items[i]));
		else
			speak_slot_with(d, lang, &f->offer[i], previous, items[i], sizeof(items[i]));
		pointers[i] = items[i];
		/* The options the language library matches carry the full date. */
		dialogue_speak_slot(d, lang, f->offer[i].start, d->options[i], sizeof(d->options[i]));
	}
	d->option_count = f->offer_count;
	dialogue_join(d, lang, pointers, f->offer_count, list, sizeof(list));
	dialogue_speak_practitioner(d, lang, f->offer[0].practitioner, who, sizeof(who));
	{
		struct msg_param params[] = {{"list", list}, {"practitioner", who}};

		p->key = same ? "ask.offer.same" : "ask.offer.mixed";
		dialogue_message(d, lang, p->key, params, 2, p->question, sizeof(p->question));
	}
	snprintf(n, sizeof(n), "%zu", f->offer_count);
	{
		struct msg_param params[] = {{"n", n}};

		dialogue_message(d, lang, "keys.offer", params, 1, p->keypad, sizeof(p->keypad));
	}
	numbered_keys(p, f->offer_count, true);
	p->keypad_answers = true;
}

static void prompt_confirm(struct dialogue *d, enum nlu_lang lang, struct prompt *p)
{
	char slot[160], who[160], type[96], patient[160], old[160];
	struct msg_param params[] = {{"slot", slot}, {"practitioner", who}, {"type", type},
				     {"patient", patient}, {"old", old}};
	const struct dialogue_appointment *a = d->selected >= 0 ? &d->appointments[d->selected]
								: NULL;

	old[0] = '\0';
	if (d->confirm == DIALOGUE_CONFIRM_CANCEL && a) {
		dialogue_speak_slot(d, lang, a->start, slot, sizeof(slot));
		dialogue_speak_practitioner(d, lang, a->practitioner, who, sizeof(who));
		p->key = "ask.confirm.cancel";
	} else {
		const struct sched_slot *s = &d->form.offer[d->form.chosen];

		dialogue_speak_slot(d, lang, s->start, slot, sizeof(slot));
		dialogue_speak_practitioner(d, lang, s->practitioner, who, sizeof(who));
		speak_type(d, lang, d->form.type, type, sizeof(type));
		if (d->id.relation == NLU_PATIENT_SELF || d->id.relation == NLU_PATIENT_UNKNOWN)
			dialogue_message(d, lang, "patient.self", NULL, 0, patient, sizeof(patient));
		else
			dialogue_patient_name(&d->id.patient, patient, sizeof(patient));
		if (d->confirm == DIALOGUE_CONFIRM_MOVE && a)
			dialogue_speak_slot(d, lang, a->start, old, sizeof(old));
		p->key = d->confirm == DIALOGUE_CONFIRM_MOVE ? "ask.confirm.move" : "ask.confirm.book";
	}
	dialogue_message(d, lang, p->key, params, 5, p->question, sizeof(p->question));
	dialogue_message(d, lang, "keys.yes_no", NULL, 0, p->keypad, sizeof(p->keypad));
	numbered_keys(p, 2, false);
	p->keypad_answers = true;
}

static void prompt_appointment(struct dialogue *d, enum nlu_lang lang, struct prompt *p)
{
	char items[DIALOGUE_MAX_APPOINTMENTS][240];
	const char *pointers[DIALOGUE_MAX_APPOINTMENTS];
	char list[DIALOGUE_TEXT_MAX], listed[DIALOGUE_TEXT_MAX], question[512];
	char count[24], n[24];
	size_t shown = d->appointment_count > 8 ? 8 : d->appointment_count;

	for (size_t i = 0; i < shown; i++) {
		char slot[160], who[160], num[24];
		struct msg_param params[] = {{"n", num}, {"slot", slot}, {"practitioner", who}};

		snprintf(num, sizeof(num), "%zu", i + 1);
		dialogue_speak_slot(d, lang, d->appointments[i].start, slot, sizeof(slot));
		dialogue_speak_practitioner(d, lang, d->appointments[i].practitioner, who,
					    sizeof(who));
		dialogue_message(d, lang, "appointments.item", params, 3, items[i],
				 sizeof(items[i]));
		pointers[i] = items[i];
		catalogue_copy_utf8(d->options[i], sizeof(d->options[i]), slot);
	}
	d->option_count = shown;
	dialogue_join(d, lang, pointers, shown, list, sizeof(list));
	snprintf(count, sizeof(count), "%zu", d->appointment_count);
	{
		struct msg_param params[] = {{"count", count}, {"list", list}};

		dialogue_message(d, lang, "appointments.list", params, 2, listed, sizeof(listed));
	}
	p->key = d->goal == DIALOGUE_GOAL_MOVE ? "ask.appointment.move" : "ask.appointment.cancel";
	dialogue_message(d, lang, p->key, NULL, 0, question, sizeof(question));
	snprintf(p->question, sizeof(p->question), "%s", listed);
	append(p->question, sizeof(p->question), question);
	snprintf(n, sizeof(n), "%zu", shown);
	{
		struct msg_param params[] = {{"n", n}};

		dialogue_message(d, lang, "keys.appointment", params, 1, p->keypad,
				 sizeof(p->keypad));
	}
	numbered_keys(p, shown, false);
	p->keypad_answers = true;
}

static void prompt_check(struct dialogue *d, enum nlu_lang lang, struct prompt *p)
{
	if (d->check_intent) {
		char what_key[32], what[160];
		const char *name = nlu_intent_name(d->check_result.intent);
		struct msg_param params[] = {{"what", what}};

		snprintf(what_key, sizeof(what_key), "what.%s", name);
		if (!catalogue_template(d->catalogue, lang, what_key))
			snprintf(what_key, sizeof(what_key), "what.book");
		dialogue_message(d, lang, what_key, NULL, 0, what, sizeof(what));
		p->key = "ask.check.intent";
		dialogue_message(d, lang, p->key, params, 1, p->question, sizeof(p->question));
	} else {
		struct msg_param params[] = {{"text", d->check_text}};

		p->key = "ask.check.text";
		dialogue_message(d, lang, p->key, params, 1, p->question, sizeof(p->question));
	}
	dialogue_message(d, lang, "keys.yes_no", NULL, 0, p->keypad, sizeof(p->keypad));
	numbered_keys(p, 2, false);
	p->keypad_answers = true;
}

static const char *name_question(const struct dialogue *d)
{
	if (d->goal == DIALOGUE_GOAL_CALLBACK)
		return "ask.name.callback";
	if (d->id.misses > 0)
		return "ask.name.again";
	if (d->id.relation == NLU_PATIENT_CHILD)
		return "ask.name.child";
	if (d->id.relation != NLU_PATIENT_SELF && d->id.relation != NLU_PATIENT_UNKNOWN)
		return "ask.name.other";
	return "ask.name.self";
}

/* A question with a fixed sentence and keypad text. */
static void simple(const struct dialogue *d, enum nlu_lang lang, struct prompt *p,
		   const char *key, const char *keypad_key, const char *keys, bool answers)
{
	p->key = key;
	dialogue_message(d, lang, key, NULL, 0, p->question, sizeof(p->question));
	dialogue_message(d, lang, keypad_key, NULL, 0, p->keypad, sizeof(p->keypad));
	snprintf(p->keys, sizeof(p->keys), "%s", keys);
	p->keypad_answers = answers;
}

static void build_prompt(struct dialogue *d, enum nlu_lang lang, struct prompt *p)
{
	bool self = d->id.relation == NLU_PATIENT_SELF || d->id.relation == NLU_PATIENT_UNKNOWN;

	memset(p, 0, sizeof(*p));
	p->expect = NLU_EXPECT_OPEN;
	d->option_count = 0;
	switch (d->state) {
	case DIALOGUE_STATE_OPEN: {
		char language[128];

		simple(d, lang, p, "ask.open", "keys.open", "12309", true);
		dialogue_message(d, lang, "language.offer", NULL, 0, language, sizeof(language));
		append(p->keypad, sizeof(p->keypad), language);
		break;
	}
	case DIALOGUE_STATE_ANYTHING_ELSE:
		simple(d, lang, p, "ask.anything_else", "keys.anything_else", "12", true);
		break;
	case DIALOGUE_STATE_ASK_NAME:
		if (dialogue_callback_unnamed_ok(d))
			simple(d, lang, p, name_question(d), "keys.name.callback", "1", false);
		else
			simple(d, lang, p, name_question(d), "keys.name", "0", false);
		p->expect = NLU_EXPECT_NAME;
		break;
	case DIALOGUE_STATE_ASK_FIRST_NAME:
		simple(d, lang, p, "ask.first_name", "keys.name", "0", false);
		p->expect = NLU_EXPECT_NAME;
		break;
	case DIALOGUE_STATE_ASK_BIRTH:
		simple(d, lang, p, self ? "ask.birth.self" : "ask.birth.other", "keys.birth",
		       "0123456789", true);
		p->expect = NLU_EXPECT_BIRTH_DATE;
		break;
	case DIALOGUE_STATE_ASK_WHICH:
		prompt_which(d, lang, p);
		p->expect = NLU_EXPECT_NAME;
		break;
	case DIALOGUE_STATE_ASK_NEW:
		simple(d, lang, p, "ask.new_patient", "keys.yes_no", "12", true);
		p->expect = NLU_EXPECT_YES_NO;
		break;
	case DIALOGUE_STATE_ASK_PHONE:
		simple(d, lang, p, "ask.phone", "keys.phone", "0123456789", true);
		p->expect = NLU_EXPECT_PHONE;
		break;
	case DIALOGUE_STATE_ASK_PRACTITIONER:
		prompt_practitioner(d, lang, p);
		p->expect = NLU_EXPECT_PRACTITIONER;
		break;
	case DIALOGUE_STATE_ASK_WHEN:
		simple(d, lang, p,
		       d->form.retry_when ? "ask.when.other"
		       : d->goal == DIALOGUE_GOAL_MOVE ? "ask.when.move" : "ask.when",
		       "keys.when", "1", false);
		p->expect = NLU_EXPECT_DATE;
		break;
	case DIALOGUE_STATE_OFFER:
		p->expect = NLU_EXPECT_SLOT_CHOICE;
		prompt_offer(d, lang, p);
		break;
	case DIALOGUE_STATE_CONFIRM:
		prompt_confirm(d, lang, p);
		p->expect = NLU_EXPECT_YES_NO;
		break;
	case DIALOGUE_STATE_ASK_APPOINTMENT:
		prompt_appointment(d, lang, p);
		p->expect = NLU_EXPECT_SLOT_CHOICE;
		break;
	case DIALOGUE_STATE_ASK_CANCEL_OR_MOVE:
		simple(d, lang, p, "ask.cancel_or_move", "keys.cancel_or_move", "12", true);
		break;
	case DIALOGUE_STATE_ASK_REQUEST_KIND:
		simple(d, lang, p, "ask.request_kind", "keys.request_kind", "123", true);
		break;
	case DIALOGUE_STATE_ASK_DETAILS:
		simple(d, lang, p,
		       d->goal == DIALOGUE_GOAL_PRESCRIPTION ? "ask.details.prescription"
		       : d->goal == DIALOGUE_GOAL_RESULTS ? "ask.details.results"
							   : "ask.details.paperwork",
		       "keys.details", "0", false);
		break;
	case DIALOGUE_STATE_ASK_OTHER_PRACTITIONER:
		simple(d, lang, p, "ask.other_practitioner", "keys.yes_no", "12", true);
		p->expect = NLU_EXPECT_YES_NO;
		break;
	case DIALOGUE_STATE_CHECK:
		prompt_check(d, lang, p);
		p->expect = NLU_EXPECT_YES_NO;
		break;
	default:
		break;
	}
}

void dialogue_prompt(struct dialogue *d, struct dialogue_actions *out,
		     enum dialogue_prompt variant)
{
	struct prompt *p = malloc(sizeof(*p));
	struct dialogue_action *a;
	char lead[256];

	if (!p) {
		/* Without memory for the prompt, a short question keeps the caller informed. */
		a = dialogue_emit(out, DIALOGUE_ACTION_ASK);
		dialogue_message(d, d->lang, "not_understood", NULL, 0, a->text, sizeof(a->text));
		snprintf(a->key, sizeof(a->key), "not_understood");
		return;
	}
	build_prompt(d, d->lang, p);
	a = dialogue_emit(out, DIALOGUE_ACTION_ASK);
	lead[0] = '\0';
	if (variant == DIALOGUE_PROMPT_RETRY)
		dialogue_message(d, d->lang, "not_understood", NULL, 0, lead, sizeof(lead));
	else if (variant == DIALOGUE_PROMPT_STILL_THERE)
		dialogue_message(d, d->lang, "still_there", NULL, 0, lead, sizeof(lead));
	if (variant == DIALOGUE_PROMPT_KEYPAD && p->keypad_answers) {
		dialogue_message(d, d->lang, "not_understood.keypad", NULL, 0, a->text,
				 sizeof(a->text));
	} else {
		if (variant == DIALOGUE_PROMPT_KEYPAD)
			dialogue_message(d, d->lang, "not_understood", NULL, 0, lead, sizeof(lead));
		append(a->text, sizeof(a->text), lead);
		if (variant == DIALOGUE_PROMPT_WHICH)
			dialogue_message(d, d->lang, "ask.offer.which", NULL, 0, p->question,
					 sizeof(p->question));
		append(a->text, sizeof(a->text), p->question);
	}
	append(a->text, sizeof(a->text), p->keypad);
	snprintf(a->key, sizeof(a->key), "%s", p->key ? p->key : "");
	snprintf(a->keys, sizeof(a->keys), "%s", p->keys);
	a->expect = p->expect;
	free(p);
}

void dialogue_ask(struct dialogue *d, struct dialogue_actions *out, enum dialogue_state state)
{
	d->state = state;
	d->failures = 0;
	d->failed_state = state;
	dialogue_prompt(d, out, DIALOGUE_PROMPT_NORMAL);
}
