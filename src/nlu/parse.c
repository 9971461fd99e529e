/*
 * nlu_parse(): one utterance from text to result. Tokens are normalised, red flags are
 * read first, then intents and entities; the dialogue's expectation settles readings
 * that depend on the question asked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_priv.h"

/* Working memory of one parse; too large for some thread stacks, so it is allocated. */
struct parse_work {
	struct nlu_tokens raw;
	struct nlu_tokens tokens;
	struct nlu_scan scan;
	struct nlu_intent_scores scores;
	struct nlu_when_result when;
	bool explained[NLU_TOKENS_MAX];
};

/*
 * Dates and times, phone, date of birth, names and digits (identity.c), when a zone was
 * given. The tokens of time preferences are marked as explained, so they are not part
 * of the reason.
 */
static void identity_read(const struct nlu *nlu, const struct nlu_input *input,
			  struct parse_work *w, struct nlu_entities *e)
{
	if (!input->tz || nlu_entities_extract(nlu, input, &w->tokens, &w->raw, e) != 0)
		return;
	if (e->when_count == 0 ||
	    nlu_when_extract(nlu, input->lang, &w->tokens, input->now, input->tz, &w->when) != 0)
		return;
	for (size_t i = 0; i < w->when.count; i++) {
		const struct nlu_when_match *m = &w->when.item[i];

		for (size_t t = m->token_from; t < m->token_to && t < NLU_TOKENS_MAX; t++)
			w->explained[t] = true;
	}
}

/*
 * Words that no rule or entity reads, from which an utterance counts as a request out
 * of the practice's scope rather than noise or a short answer.
 */
#define OUT_OF_SCOPE_WORDS 3

/* Intents that ask for something, as opposed to answers and dialogue moves. */
static bool is_request(enum nlu_intent intent)
{
	switch (intent) {
	case NLU_INTENT_BOOK:
	case NLU_INTENT_CANCEL:
	case NLU_INTENT_MOVE:
	case NLU_INTENT_CHECK:
	case NLU_INTENT_PRESCRIPTION:
	case NLU_INTENT_RESULTS:
	case NLU_INTENT_PAPERWORK:
	case NLU_INTENT_HOURS:
	case NLU_INTENT_ADDRESS:
	case NLU_INTENT_FEES:
	case NLU_INTENT_HUMAN:
	case NLU_INTENT_CHANGE_LANGUAGE:
	case NLU_INTENT_OUT_OF_SCOPE:
		return true;
	default:
		return false;
	}
}

/* Words that no concept, date or entity covers. */
static size_t unexplained_words(const struct parse_work *w)
{
	const struct nlu_tokens *t = &w->tokens;
	bool covered[NLU_TOKENS_MAX] = {false};
	size_t n = 0;

	for (size_t h = 0; h < w->scan.hit_count; h++) {
		for (size_t i = w->scan.hit[h].start; i < w->scan.hit[h].end && i < NLU_TOKENS_MAX; i++)
			covered[i] = true;
	}
	for (size_t i = 0; i < t->count; i++) {
		if (t->token[i].kind != NLU_TOKEN_PUNCT && !w->explained[i] && !covered[i])
			n++;
	}
	return n;
}

static bool has_entities(const struct nlu_entities *e)
{
	return e->when_count > 0 || e->practitioner >= 0 || e->practitioner_any ||
	       e->appointment_type >= 0 || e->choice != 0 || e->phone[0] || e->has_birth_date ||
	       e->last_name[0] || e->digits[0] || e->patient != NLU_PATIENT_UNKNOWN ||
	       e->new_patient;
}

/*
 * Pick the intent: an emergency overrides everything; otherwise the best score, a
 * same-day need turning a bare description into a booking, and an utterance of several
 * words that matches no rule becoming out of scope.
 */
static void intent_decide(const struct parse_work *w, const struct nlu_input *input,
			  struct nlu_result *r)
{
	const struct nlu_intent_scores *s = &w->scores;
	enum nlu_intent best = NLU_INTENT_NONE;
	float top = 0.0f, second = 0.0f;

	for (int i = NLU_INTENT_NONE + 1; i < NLU_INTENT_COUNT; i++) {
		float v = s->score[i];

		/* At equal weight a request wins over an answer ("oui, annuler"). */
		if (v > top || (v == top && v > 0.0f && is_request((enum nlu_intent)i) &&
				!is_request(best))) {
			second = top;
			top = v;
			best = (enum nlu_intent)i;
		} else if (v > second) {
			second = v;
		}
	}

	if (r->triage.level == NLU_URGENCY_EMERGENCY) {
		r->intent = NLU_INTENT_EMERGENCY;
		r->confidence = 0.95f;
		return;
	}
	if (best == NLU_INTENT_NONE) {
		if (r->triage.level == NLU_URGENCY_URGENT) {
			bool said_urgent = r->triage.flag == NLU_FLAG_OTHER_URGENT &&
					   r->triage.cue_count > 0 &&
					   strcmp(r->triage.cues[0].rule, "other_urgent.said_urgent") == 0;

			r->intent = said_urgent ? NLU_INTENT_EMERGENCY : NLU_INTENT_BOOK;
			r->confidence = 0.6f;
		} else if (input->expect != NLU_EXPECT_OPEN || r->entities.phone[0] ||
			   r->entities.has_birth_date || r->entities.last_name[0] ||
			   (has_entities(&r->entities) && unexplained_words(w) < OUT_OF_SCOPE_WORDS)) {
			r->intent = NLU_INTENT_NONE;
			r->confidence = has_entities(&r->entities) ? 0.5f : 0.0f;
		} else if (unexplained_words(w) >= OUT_OF_SCOPE_WORDS && r->triage.cue_count == 0) {
			r->intent = NLU_INTENT_OUT_OF_SCOPE;
			r->confidence = 0.4f;
		} else {
			r->intent = NLU_INTENT_NONE;
			r->confidence = 0.0f;
		}
		return;
	}
	/* "un rendez-vous pour un renouvellement d'ordonnance": an appointment about it. */
	if ((best == NLU_INTENT_PRESCRIPTION || best == NLU_INTENT_RESULTS ||
	     best == NLU_INTENT_PAPERWORK) && s->score[NLU_INTENT_BOOK] >= 0.85f) {
		second = top;
		best = NLU_INTENT_BOOK;
		top = s->score[NLU_INTENT_BOOK];
	}
	r->intent = best;
	r->confidence = top - 0.3f * second;
	if (r->confidence < 0.1f)
		r->confidence = 0.1f;
	/* A same-day need described without a request: the caller wants to be seen today. */
	if (r->triage.level == NLU_URGENCY_URGENT && !is_request(best) && best != NLU_INTENT_NO) {
		r->intent = NLU_INTENT_BOOK;
		r->confidence = 0.6f;
	}
}

/*
 * "le deuxième" read as a choice is not also the 2nd of the month: drop the time
 * preferences said with the choice's words.
 */
static void when_drop_choice(const struct parse_work *w, const struct nlu_token_range *choice,
			     struct nlu_entities *e)
{
	size_t kept = 0;

	if (choice->from == choice->to || e->when_count != w->when.count)
		return;
	for (size_t i = 0; i < e->when_count; i++) {
		const struct nlu_when_match *m = &w->when.item[i];

		if (m->token_from < choice->to && choice->from < m->token_to)
			continue;
		e->when[kept++] = e->when[i];
	}
	e->when_count = kept;
}

int nlu_parse(const struct nlu *nlu, const struct nlu_input *input, struct nlu_result *result)
{
	struct nlu_token_range choice;
	struct parse_work *w;
	int err;

	if (!nlu || !input || !result || !input->text ||
	    (input->lang != NLU_LANG_FR && input->lang != NLU_LANG_EN) ||
	    (int)input->expect < 0 || input->expect >= NLU_EXPECT_COUNT)
		return EINVAL;
	memset(result, 0, sizeof(*result));
	result->entities.practitioner = -1;
	result->entities.appointment_type = -1;
	result->entities.language = input->lang;

	w = calloc(1, sizeof(*w));
	if (!w)
		return ENOMEM;
	err = nlu_tokenize(input->text, input->lang, &w->raw);
	if (err)
		goto out;
	w->tokens = w->raw;
	nlu_tokens_normalize(nlu, input->lang, 0, &w->tokens);
	nlu_tokens_join(&w->tokens, 0, w->tokens.count, result->normalized,
			sizeof(result->normalized));

	nlu_scan_build(nlu, input->lang, &w->tokens, &w->scan);
	nlu_triage_read(nlu, &w->scan, &result->triage);
	identity_read(nlu, input, w, &result->entities);
	nlu_intent_score(nlu, &w->scan, input->expect, result->entities.when_count > 0, &w->scores);
	nlu_entities_read(nlu, &w->scan, &w->raw, input, w->explained, result, &choice);
	when_drop_choice(w, &choice, &result->entities);
	intent_decide(w, input, result);
	if (result->intent != NLU_INTENT_CHANGE_LANGUAGE)
		result->entities.language = input->lang;
out:
	free(w);
	return err;
}

/* ---- Names ---- */

const char *nlu_intent_name(enum nlu_intent intent)
{
	static const char *const names[NLU_INTENT_COUNT] = {
		[NLU_INTENT_NONE] = "none",
		[NLU_INTENT_BOOK] = "book",
		[NLU_INTENT_CANCEL] = "cancel",
		[NLU_INTENT_MOVE] = "move",
		[NLU_INTENT_CHECK] = "check",
		[NLU_INTENT_PRESCRIPTION] = "prescription",
		[NLU_INTENT_RESULTS] = "results",
		[NLU_INTENT_PAPERWORK] = "paperwork",
		[NLU_INTENT_HOURS] = "hours",
		[NLU_INTENT_ADDRESS] = "address",
		[NLU_INTENT_FEES] = "fees",
		[NLU_INTENT_HUMAN] = "human",
		[NLU_INTENT_EMERGENCY] = "emergency",
		[NLU_INTENT_GOODBYE] = "goodbye",
		[NLU_INTENT_YES] = "yes",
		[NLU_INTENT_NO] = "no",
		[NLU_INTENT_DONT_KNOW] = "dont_know",
		[NLU_INTENT_REPEAT] = "repeat",
		[NLU_INTENT_CHANGE_LANGUAGE] = "change_language",
		[NLU_INTENT_OUT_OF_SCOPE] = "out_of_scope",
	};

	return (int)intent >= 0 && intent < NLU_INTENT_COUNT ? names[intent] : "none";
}

const char *nlu_urgency_name(enum nlu_urgency urgency)
{
	switch (urgency) {
	case NLU_URGENCY_NONE:
		return "none";
	case NLU_URGENCY_URGENT:
		return "urgent";
	case NLU_URGENCY_EMERGENCY:
		return "emergency";
	}
	return "none";
}

const char *nlu_flag_name(enum nlu_flag flag)
{
	static const char *const names[NLU_FLAG_COUNT] = {
		[NLU_FLAG_NONE] = "none",
		[NLU_FLAG_CHEST_PAIN] = "chest_pain",
		[NLU_FLAG_STROKE] = "stroke",
		[NLU_FLAG_BREATHING] = "breathing",
		[NLU_FLAG_UNCONSCIOUS] = "unconscious",
		[NLU_FLAG_SEIZURE] = "seizure",
		[NLU_FLAG_BLEEDING] = "bleeding",
		[NLU_FLAG_ANAPHYLAXIS] = "anaphylaxis",
		[NLU_FLAG_INFANT_FEVER] = "infant_fever",
		[NLU_FLAG_RASH] = "rash",
		[NLU_FLAG_POISONING] = "poisoning",
		[NLU_FLAG_BURN] = "burn",
		[NLU_FLAG_HEAD_INJURY] = "head_injury",
		[NLU_FLAG_SUICIDE] = "suicide",
		[NLU_FLAG_OTHER_URGENT] = "other_urgent",
		[NLU_FLAG_OTHER_EMERGENCY] = "other_emergency",
	};

	return (int)flag >= 0 && flag < NLU_FLAG_COUNT ? names[flag] : "none";
}

const char *nlu_patient_name(enum nlu_patient patient)
{
	switch (patient) {
	case NLU_PATIENT_UNKNOWN:
		return "unknown";
	case NLU_PATIENT_SELF:
		return "self";
	case NLU_PATIENT_CHILD:
		return "child";
	case NLU_PATIENT_PARTNER:
		return "partner";
	case NLU_PATIENT_PARENT:
		return "parent";
	case NLU_PATIENT_OTHER:
		return "other";
	}
	return "unknown";
}

const char *nlu_expect_name(enum nlu_expect expect)
{
	static const char *const names[NLU_EXPECT_COUNT] = {
		[NLU_EXPECT_OPEN] = "open",
		[NLU_EXPECT_YES_NO] = "yes_no",
		[NLU_EXPECT_DATE] = "date",
		[NLU_EXPECT_SLOT_CHOICE] = "slot_choice",
		[NLU_EXPECT_NAME] = "name",
		[NLU_EXPECT_BIRTH_DATE] = "birth_date",
		[NLU_EXPECT_PHONE] = "phone",
		[NLU_EXPECT_DIGITS] = "digits",
		[NLU_EXPECT_TYPE] = "type",
		[NLU_EXPECT_PRACTITIONER] = "practitioner",
	};

	return (int)expect >= 0 && expect < NLU_EXPECT_COUNT ? names[expect] : "open";
}
