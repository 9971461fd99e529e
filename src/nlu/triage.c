/*
 * Red flags: every "triage" rule of the lexicon is matched against the utterance, each
 * match is weighed by its scope, and the strongest counted sign sets the level, the flag
 * and the number to dial. Fever in an infant is read here from the age and the
 * temperature, which rules cannot compare.
 *
 * A miss costs more than a false alarm, so a sign counts unless it is negated or past.
 * A sign that stopped or has lasted for weeks keeps the level its flag's policy gives.
 */
#include <stdio.h>
#include <string.h>

#include "rules_priv.h"

/* Matches examined per rule; a sign said more often than this is still found. */
#define MATCHES_PER_RULE 8
/* Signs weighed per utterance. */
#define CANDIDATES_MAX 64

/*
 * Policy of a flag: the level a sign keeps when it has stopped ("il ne saigne plus") or
 * has lasted for weeks ("depuis des mois"), and which flag names a decision when several
 * reach one level (lower rank first). Stroke signs that went away still need the 15 (a transient
 * attack), as does a loss of consciousness after the person came round.
 */
struct flag_policy {
	int rank;
	enum nlu_urgency resolved;
	enum nlu_urgency chronic;
};

static const struct flag_policy flag_policies[NLU_FLAG_COUNT] = {
	[NLU_FLAG_NONE] = {99, NLU_URGENCY_NONE, NLU_URGENCY_NONE},
	[NLU_FLAG_UNCONSCIOUS] = {0, NLU_URGENCY_EMERGENCY, NLU_URGENCY_NONE},
	[NLU_FLAG_CHEST_PAIN] = {1, NLU_URGENCY_URGENT, NLU_URGENCY_URGENT},
	[NLU_FLAG_BREATHING] = {2, NLU_URGENCY_URGENT, NLU_URGENCY_URGENT},
	[NLU_FLAG_STROKE] = {3, NLU_URGENCY_EMERGENCY, NLU_URGENCY_NONE},
	[NLU_FLAG_ANAPHYLAXIS] = {4, NLU_URGENCY_URGENT, NLU_URGENCY_NONE},
	[NLU_FLAG_SEIZURE] = {5, NLU_URGENCY_EMERGENCY, NLU_URGENCY_NONE},
	[NLU_FLAG_BLEEDING] = {6, NLU_URGENCY_NONE, NLU_URGENCY_NONE},
	[NLU_FLAG_POISONING] = {7, NLU_URGENCY_EMERGENCY, NLU_URGENCY_NONE},
	[NLU_FLAG_INFANT_FEVER] = {8, NLU_URGENCY_NONE, NLU_URGENCY_NONE},
	[NLU_FLAG_RASH] = {9, NLU_URGENCY_NONE, NLU_URGENCY_NONE},
	[NLU_FLAG_HEAD_INJURY] = {10, NLU_URGENCY_URGENT, NLU_URGENCY_NONE},
	[NLU_FLAG_BURN] = {11, NLU_URGENCY_URGENT, NLU_URGENCY_NONE},
	[NLU_FLAG_SUICIDE] = {12, NLU_URGENCY_NONE, NLU_URGENCY_EMERGENCY},
	[NLU_FLAG_OTHER_EMERGENCY] = {13, NLU_URGENCY_URGENT, NLU_URGENCY_NONE},
	[NLU_FLAG_OTHER_URGENT] = {14, NLU_URGENCY_NONE, NLU_URGENCY_NONE},
};

/*
 * Fever in infants by age (NICE NG143 traffic light): under 3 months, 38 °C or more is
 * an emergency; from 3 to 6 months, 39 °C or more needs a same-day answer. When the
 * temperature was not given, the fever is taken to reach the band's threshold.
 */
struct fever_band {
	int max_age_days;
	double min_celsius;
	enum nlu_urgency level;
	const char *rule;
};

static const struct fever_band fever_bands[] = {
	{91, 38.0, NLU_URGENCY_EMERGENCY, "infant_fever.under_3_months"},
	{183, 39.0, NLU_URGENCY_URGENT, "infant_fever.3_to_6_months"},
};

struct candidate {
	const char *rule_id;
	enum nlu_flag flag;
	enum nlu_urgency level;   /* after scope; NONE when it does not count */
	bool cue_only;
	bool imminent;
	struct nlu_match match;
	struct nlu_scope scope;
};

struct triage_state {
	size_t count;
	struct candidate c[CANDIDATES_MAX];
};

static enum nlu_urgency weigh(enum nlu_flag flag, enum nlu_urgency level,
			      const struct nlu_scope *scope)
{
	const struct flag_policy *p = &flag_policies[flag];

	if (scope->negated || scope->history)
		return NLU_URGENCY_NONE;
	if (scope->resolved && p->resolved < level)
		level = p->resolved;
	if (scope->chronic && p->chronic < level)
		level = p->chronic;
	return level;
}

static bool flag_counted(const struct triage_state *st, enum nlu_flag flag)
{
	for (size_t i = 0; i < st->count; i++) {
		if (st->c[i].flag == flag && !st->c[i].cue_only && st->c[i].level > NLU_URGENCY_NONE)
			return true;
	}
	return false;
}

static bool already_listed(const struct triage_state *st, const char *rule_id, size_t start)
{
	for (size_t i = 0; i < st->count; i++) {
		if (strcmp(st->c[i].rule_id, rule_id) == 0 &&
		    (st->c[i].level > NLU_URGENCY_NONE || st->c[i].match.start == start))
			return true;
	}
	return false;
}

static void candidate_add(struct triage_state *st, const struct candidate *c)
{
	if (st->count < CANDIDATES_MAX && !already_listed(st, c->rule_id, c->match.start))
		st->c[st->count++] = *c;
}

/* Weigh every match of one rule and keep the one that counts most. */
static void rule_run(const struct nlu *nlu, const struct nlu_scan *scan,
		     const struct nlu_rule *rule, struct triage_state *st)
{
	struct nlu_match m[MATCHES_PER_RULE];
	size_t n = nlu_rule_matches(nlu->rules, scan, rule, m, MATCHES_PER_RULE);
	struct candidate best;
	bool have = false;

	for (size_t k = 0; k < n; k++) {
		struct candidate c = {
			.rule_id = rule->entry->value,
			.flag = rule->flag,
			.cue_only = rule->cue_only,
			.imminent = rule->imminent,
			.match = m[k],
		};

		nlu_scope_read(nlu, scan, &m[k], &c.scope);
		c.level = weigh(rule->flag, rule->cue_only ? NLU_URGENCY_URGENT : rule->level,
				&c.scope);
		if (!have || c.level > best.level) {
			best = c;
			have = true;
		}
	}
	if (have)
		candidate_add(st, &best);
}

static void rules_run(const struct nlu *nlu, const struct nlu_scan *scan,
		      struct triage_state *st)
{
	const struct nlu_rules *rules = nlu->rules;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < rules->rule_count; r++) {
			const struct nlu_rule *rule = &rules->rules[r];

			if (rule->kind != NLU_RULE_TRIAGE || rule->lang != scan->lang)
				continue;
			if ((pass == 0) != (rule->requires == NLU_FLAG_NONE))
				continue;
			if (pass == 1 && !flag_counted(st, rule->requires))
				continue;
			rule_run(nlu, scan, rule, st);
		}
	}
}

/* ---- Fever in infants ---- */

static int unit_days(const char *unit)
{
	if (strncmp(unit, "mois", 4) == 0 || strncmp(unit, "month", 5) == 0)
		return 30;
	if (strncmp(unit, "semaine", 7) == 0 || strncmp(unit, "week", 4) == 0)
		return 7;
	if (strncmp(unit, "jour", 4) == 0 || strncmp(unit, "day", 3) == 0)
		return 1;
	if (strncmp(unit, "an", 2) == 0 || strncmp(unit, "annee", 5) == 0 ||
	    strncmp(unit, "year", 4) == 0)
		return 365;
	return 0;
}

static bool token_in(const struct nlu_tokens *t, size_t i, const char *const *words)
{
	for (size_t k = 0; words[k]; k++) {
		if (nlu_token_is(t, i, words[k]))
			return true;
	}
	return false;
}

/*
 * An age said as "de 2 mois", "il a 6 semaines", "né il y a 10 jours", "2 months old",
 * "2-month-old": returns it in days, or -1. A duration ("depuis 3 jours") is not an age.
 */
static int age_at(const struct nlu *nlu, const struct nlu_scan *scan, size_t pos)
{
	static const char *const before_fr[] = {"de", "a", "age", "agee", NULL};
	static const char *const before_en[] = {"is", "aged", "he's", "she's", "of", NULL};
	const struct nlu_tokens *t = scan->tokens;
	struct nlu_number number;
	size_t at;
	int days;
	bool age;

	if (!nlu_number_parse(nlu, scan->lang, t, pos, 0, &number) ||
	    number.fraction || number.value < 0 || number.value > 400)
		return -1;
	at = pos + number.token_count;
	if (at >= t->count || (days = unit_days(t->token[at].text)) == 0)
		return -1;
	if (scan->lang == NLU_LANG_FR) {
		age = pos > 0 && token_in(t, pos - 1, before_fr) &&
		      !(pos > 1 && nlu_token_is(t, pos - 2, "y"));
		age = age || (pos > 0 && nlu_scan_has_at(scan, nlu->rules->id.bornago, pos - 1));
	} else {
		age = (at + 1 < t->count && nlu_token_is(t, at + 1, "old")) ||
		      (pos > 0 && token_in(t, pos - 1, before_en) &&
		       !(at + 1 < t->count && nlu_token_is(t, at + 1, "ago")));
	}
	return age ? (int)number.value * days : -1;
}

/* A body temperature in °C said at pos ("38,5", "39 de fièvre", "trente-huit cinq"). */
static double temperature_at(const struct nlu *nlu, const struct nlu_scan *scan, size_t pos,
			     bool near_fever)
{
	const struct nlu_tokens *t = scan->tokens;
	struct nlu_number number, tenth;
	double value;
	size_t at;

	if (!nlu_number_parse(nlu, scan->lang, t, pos, 0, &number))
		return 0.0;
	value = number.fraction ? number.real : (double)number.value;
	if (value < 35.0 || value >= 43.0)
		return 0.0;
	at = pos + number.token_count;
	if (at < t->count && unit_days(t->token[at].text) > 0)
		return 0.0;
	/* "trente-huit cinq": a single digit after the degrees is the tenths. */
	if (!number.fraction && at < t->count &&
	    nlu_number_parse(nlu, scan->lang, t, at, NLU_NUM_SMALL, &tenth) && !tenth.fraction &&
	    tenth.value >= 0 && tenth.value <= 9 && number.token_count + tenth.token_count <= 4 &&
	    (at + tenth.token_count >= t->count ||
	     unit_days(t->token[at + tenth.token_count].text) == 0)) {
		value += (double)tenth.value / 10.0;
		near_fever = true;
	}
	if (!number.fraction && !near_fever)
		return 0.0;
	return value;
}

static bool fever_heard(const struct nlu *nlu, const struct nlu_scan *scan, size_t *where)
{
	const struct nlu_concept_ids *id = &nlu->rules->id;
	const int concepts[2] = {id->fever, id->highfever};

	for (int k = 0; k < 2; k++) {
		if (concepts[k] < 0)
			continue;
		for (int h = scan->first_hit[concepts[k]]; h >= 0; h = scan->next_hit[h]) {
			struct nlu_match m = {.start = scan->hit[h].start, .end = scan->hit[h].end,
					      .term_count = 1, .term_hit = {(size_t)h}};
			struct nlu_scope scope;

			nlu_scope_read(nlu, scan, &m, &scope);
			if (!scope.negated && !scope.history && !scope.resolved) {
				*where = (size_t)h;
				return true;
			}
		}
	}
	return false;
}

static void infant_fever(const struct nlu *nlu, const struct nlu_scan *scan,
			 struct triage_state *st)
{
	const struct nlu_concept_ids *id = &nlu->rules->id;
	const struct nlu_tokens *t = scan->tokens;
	size_t fever_hit = 0;
	bool fever = fever_heard(nlu, scan, &fever_hit);
	int age = -1;
	double celsius = 0.0;
	size_t age_pos = 0, temp_pos = 0;

	for (size_t i = 0; i < t->count; i++) {
		bool near = nlu_scan_find(scan, id->fever, i > 3 ? i - 3 : 0, i + 4) >= 0;
		double c = temperature_at(nlu, scan, i, near);
		int a = age < 0 ? age_at(nlu, scan, i) : -1;

		if (c > celsius) {
			celsius = c;
			temp_pos = i;
		}
		if (a >= 0) {
			age = a;
			age_pos = i;
		}
	}
	if (celsius >= 38.0)
		fever = true;
	else if (celsius > 0.0)
		fever = false; /* "37,8": a temperature said, and below a fever */
	if (!fever)
		return;
	if (age < 0 && id->newborn >= 0 && scan->first_hit[id->newborn] >= 0) {
		age = 0;
		age_pos = scan->hit[scan->first_hit[id->newborn]].start;
	}

	for (size_t b = 0; b < sizeof(fever_bands) / sizeof(fever_bands[0]); b++) {
		const struct fever_band *band = &fever_bands[b];
		struct candidate c = {.rule_id = band->rule, .flag = NLU_FLAG_INFANT_FEVER,
				      .level = band->level};

		if (age < 0 || age >= band->max_age_days)
			continue;
		if (celsius > 0.0 && celsius < band->min_celsius)
			return;
		c.match.start = age_pos < temp_pos || celsius == 0.0 ? age_pos : temp_pos;
		c.match.end = (age_pos > temp_pos ? age_pos : temp_pos) + 1;
		if (celsius == 0.0)
			c.match.end = scan->hit[fever_hit].end > age_pos + 1 ? scan->hit[fever_hit].end
									      : age_pos + 1;
		c.scope.third_person = true;
		candidate_add(st, &c);
		return;
	}
	/* A baby whose age was not said: ask the same day. */
	if (age < 0 && id->infant >= 0 && scan->first_hit[id->infant] >= 0) {
		struct candidate c = {.rule_id = "infant_fever.age_unknown",
				      .flag = NLU_FLAG_INFANT_FEVER, .level = NLU_URGENCY_URGENT};
		const struct nlu_hit *h = &scan->hit[scan->first_hit[id->infant]];

		c.match.start = h->start;
		c.match.end = scan->hit[fever_hit].end > h->end ? scan->hit[fever_hit].end : h->end;
		if (celsius > 0.0 && temp_pos + 1 > c.match.end)
			c.match.end = temp_pos + 1;
		c.scope.third_person = true;
		candidate_add(st, &c);
	}
}

/* ---- The decision ---- */

static void cue_fill(const struct nlu_scan *scan, const struct candidate *c, struct nlu_cue *cue)
{
	memset(cue, 0, sizeof(*cue));
	if (c->match.end > c->match.start)
		nlu_tokens_join(scan->tokens, c->match.start, c->match.end, cue->text,
				sizeof(cue->text));
	snprintf(cue->rule, sizeof(cue->rule), "%s", c->rule_id);
	cue->negated = c->scope.negated;
	cue->history = c->scope.history;
	cue->third_person = c->scope.third_person;
	cue->resolved = c->scope.resolved;
	cue->chronic = c->scope.chronic;
	cue->counted = c->level > NLU_URGENCY_NONE && !c->cue_only;
}

static void decide(enum nlu_lang lang, const struct nlu_scan *scan, struct triage_state *st,
		   struct nlu_triage *triage)
{
	bool imminent = false;

	memset(triage, 0, sizeof(*triage));
	for (size_t i = 0; i < st->count; i++) {
		const struct candidate *c = &st->c[i];

		if (c->cue_only || c->level == NLU_URGENCY_NONE)
			continue;
		if (c->level > triage->level ||
		    (c->level == triage->level &&
		     flag_policies[c->flag].rank < flag_policies[triage->flag].rank)) {
			triage->level = c->level;
			triage->flag = c->flag;
		}
		imminent = imminent || (c->flag == NLU_FLAG_SUICIDE && c->imminent);
	}
	if (triage->level == NLU_URGENCY_EMERGENCY) {
		const char *dial = lang == NLU_LANG_EN ? "112" : "15";

		if (triage->flag == NLU_FLAG_SUICIDE && !imminent)
			dial = "3114";
		snprintf(triage->dial, sizeof(triage->dial), "%s", dial);
	}
	/* Counted signs first, strongest first; then features; then what did not count. */
	for (int pass = 0; pass < 4; pass++) {
		for (size_t i = 0; i < st->count && triage->cue_count < NLU_MAX_CUES; i++) {
			const struct candidate *c = &st->c[i];
			bool counted = c->level > NLU_URGENCY_NONE;
			bool take;

			switch (pass) {
			case 0:
				take = counted && !c->cue_only && c->level == NLU_URGENCY_EMERGENCY;
				break;
			case 1:
				take = counted && !c->cue_only && c->level == NLU_URGENCY_URGENT;
				break;
			case 2:
				take = counted && c->cue_only;
				break;
			default:
				take = !counted;
				break;
			}
			if (take)
				cue_fill(scan, c, &triage->cues[triage->cue_count++]);
		}
	}
}

void nlu_triage_read(const struct nlu *nlu, const struct nlu_scan *scan,
		     struct nlu_triage *triage)
{
	struct triage_state st;

	st.count = 0;
	rules_run(nlu, scan, &st);
	infant_fever(nlu, scan, &st);
	decide(scan->lang, scan, &st, triage);
}
