/*
 * Intents: every "intent" rule of the lexicon that matches, not negated, gives its
 * intent a score, the weight of its strongest rule. The dialogue's expectation enables
 * the rules written for it, so "oui" weighs more after a yes/no question.
 */
#include <string.h>

#include "rules_priv.h"

#define MATCHES_PER_RULE 4

void nlu_intent_score(const struct nlu *nlu, const struct nlu_scan *scan, enum nlu_expect expect,
		      bool has_when, struct nlu_intent_scores *scores)
{
	const struct nlu_rules *rules = nlu->rules;

	memset(scores, 0, sizeof(*scores));
	for (size_t r = 0; r < rules->rule_count; r++) {
		const struct nlu_rule *rule = &rules->rules[r];
		struct nlu_match m[MATCHES_PER_RULE];
		size_t n;

		if (rule->kind != NLU_RULE_INTENT || rule->lang != scan->lang)
			continue;
		if (rule->expect_mask && !(rule->expect_mask & (1u << expect)))
			continue;
		if (rule->weight <= scores->score[rule->intent] || (rule->needs_when && !has_when))
			continue;
		n = nlu_rule_matches(rules, scan, rule, m, MATCHES_PER_RULE);
		for (size_t k = 0; k < n; k++) {
			struct nlu_scope scope;

			if (rule->alone && !nlu_match_alone(scan, &m[k]))
				continue;
			nlu_scope_read(nlu, scan, &m[k], &scope);
			if (scope.negated)
				continue;
			scores->score[rule->intent] = rule->weight;
			scores->match[rule->intent] = m[k];
			scores->rule[rule->intent] = rule;
			break;
		}
	}
}
