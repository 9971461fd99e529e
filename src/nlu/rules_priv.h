/*
 * Concepts and rules: how red flags and intents are read from the lexicon.
 *
 * A "concept" row names what a phrase means ("poitrine" -> chest, "pas de" -> neg).
 * nlu_scan_build() covers an utterance's tokens with concept hits, longest phrase first.
 * A "triage" or "intent" row is a rule. Its phrase lists concept names that must all be
 * heard within one phrase and a window of tokens, and its tags set what it decides.
 * nlu_scope_read() then says whether a match was negated ("pas de douleur"), stopped
 * ("il ne saigne plus"), past ("il y a deux ans"), long-standing ("depuis des mois") or
 * about someone else ("mon mari").
 *
 * Rule tags, separated by spaces: window=N, ordered, alone (the match must cover every
 * content word), anywhere (the concepts may be in different phrases, at any distance).
 * Triage rules also take flag=, level=emergency|urgent|cue, requires=FLAG and imminent;
 * intent rules take weight=0..1, expect=NAME[,NAME] and when (only with a date or time).
 */
#ifndef PERMANENCE_NLU_RULES_PRIV_H
#define PERMANENCE_NLU_RULES_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nlu_priv.h"

/* Distinct concept names across both languages. */
#define NLU_CONCEPTS_MAX 512
/* Concept hits kept per utterance; the rest are dropped. */
#define NLU_HITS_MAX 512
#define NLU_RULE_TERMS_MAX 4
#define NLU_RULE_WINDOW_DEFAULT 8

enum nlu_rule_kind {
	NLU_RULE_TRIAGE,
	NLU_RULE_INTENT,
};

struct nlu_rule {
	const struct nlu_lex_entry *entry; /* the row; its value is the rule id */
	enum nlu_lang lang;
	enum nlu_rule_kind kind;
	size_t term_count;
	int term[NLU_RULE_TERMS_MAX];      /* concept ids */
	int window;                        /* tokens from the first term to the last one's end */
	bool ordered;
	bool alone;
	bool anywhere;                     /* terms may be in any clause, at any distance */
	bool needs_when;                   /* counts only when a date or time was said */
	/* Triage rules. */
	enum nlu_flag flag;
	enum nlu_urgency level;
	bool cue_only;                     /* listed for staff, raises nothing */
	enum nlu_flag requires;            /* NLU_FLAG_NONE, or a flag that must have counted */
	bool imminent;
	/* Intent rules. */
	enum nlu_intent intent;
	float weight;
	unsigned expect_mask;              /* bit per enum nlu_expect; 0 = any */
};

/* Concept ids the scope and entity code looks for; -1 when the lexicon lacks one. */
struct nlu_concept_ids {
	int neg, plus, ne, plusneg, resolved, resolvedpost;
	int ago, agopost, yearprefix, history, since, chronic;
	int unitlong, unitweek, unitday, unitshort, now;
	int first, third, boundary, number, polite;
	int fever, highfever, infant, newborn, bornago;
};

struct nlu_rules {
	int category_concept;
	int category_patient;
	size_t concept_count;
	const char *concept_name[NLU_CONCEPTS_MAX]; /* sorted; point into the lexicon */
	/* Concept id of each concept row, per language, indexed from the category's first row. */
	const struct nlu_lex_entry *concept_first[2];
	size_t concept_rows[2];
	int *concept_of_row[2];
	struct nlu_concept_ids id;
	size_t rule_count;
	struct nlu_rule *rules;
};

/*
 * Build the concept table and compile every "triage" and "intent" row. Returns 0,
 * ENOMEM, or EINVAL (with the file and line in why) when a rule names an unknown concept
 * or has a malformed tag.
 */
int nlu_rules_create(struct nlu_rules **rulesp, const struct nlu_lexicon *lex, char *why,
		     size_t why_size);
void nlu_rules_destroy(struct nlu_rules *rules);

/* Concept id of a name, or -1. */
int nlu_concept_id(const struct nlu_rules *rules, const char *name);

struct nlu_hit {
	uint16_t concept;
	uint16_t start;  /* tokens [start, end) */
	uint16_t end;
	const struct nlu_lex_entry *entry; /* the row, or NULL for a number */
};

/* Concept hits of one utterance, with an index from each concept to its hits. */
struct nlu_scan {
	const struct nlu_rules *rules;
	const struct nlu_tokens *tokens;
	enum nlu_lang lang;
	size_t hit_count;
	struct nlu_hit hit[NLU_HITS_MAX];
	int16_t first_hit[NLU_CONCEPTS_MAX]; /* -1 when the concept was not heard */
	int16_t next_hit[NLU_HITS_MAX];      /* next hit of the same concept, or -1 */
	/* Phrase number of each token: sentence punctuation (". ! ? ;") and boundary words
	 * ("mais", "but") end a phrase; a rule's concepts must lie in one phrase. */
	uint16_t phrase[NLU_TOKENS_MAX];
	/* Clause number: phrases cut further at commas and colons; negation stops there. */
	uint16_t clause[NLU_TOKENS_MAX];
	bool sentence_end[NLU_TOKENS_MAX];   /* token ends a sentence: ". ! ?" */
};

/* Cover tokens with concept hits and cut them into clauses. */
void nlu_scan_build(const struct nlu *nlu, enum nlu_lang lang, const struct nlu_tokens *tokens,
		    struct nlu_scan *scan);

/* True when concept id was heard at token position pos (a hit covering pos). */
bool nlu_scan_has_at(const struct nlu_scan *scan, int concept, size_t pos);
/* Index of the first hit of a concept starting in [from, to), or -1. */
int nlu_scan_find(const struct nlu_scan *scan, int concept, size_t from, size_t to);

struct nlu_match {
	size_t start; /* tokens [start, end) */
	size_t end;
	size_t term_count;
	size_t term_hit[NLU_RULE_TERMS_MAX];
};

/*
 * Occurrences of a rule in an utterance, at most one per hit of its first concept, in
 * order of position. Writes at most max matches and returns how many were written.
 */
size_t nlu_rule_matches(const struct nlu_rules *rules, const struct nlu_scan *scan,
			const struct nlu_rule *rule, struct nlu_match *out, size_t max);

struct nlu_scope {
	bool negated;      /* "pas de", "no", "ne ... pas" */
	bool resolved;     /* "ne ... plus", "no longer", "it went away" */
	bool history;      /* "il y a deux ans", "in 2019", "l'année dernière" */
	bool chronic;      /* "depuis des mois", "for three weeks" */
	bool third_person; /* about someone other than the caller */
};

/* Read the scope of a match. */
void nlu_scope_read(const struct nlu *nlu, const struct nlu_scan *scan,
		    const struct nlu_match *match, struct nlu_scope *scope);

/*
 * True when the match covers every word of the utterance apart from politeness ("s'il
 * vous plaît", "please") and punctuation: for rules tagged "alone" ("comment ?").
 */
bool nlu_match_alone(const struct nlu_scan *scan, const struct nlu_match *match);

/* ---- Readers built on the rules ---- */

/* Red flags of one utterance: level, flag, number to dial and cues. */
void nlu_triage_read(const struct nlu *nlu, const struct nlu_scan *scan,
		     struct nlu_triage *triage);

struct nlu_intent_scores {
	float score[NLU_INTENT_COUNT];           /* 0 when no rule of the intent counted */
	struct nlu_match match[NLU_INTENT_COUNT]; /* the strongest rule's match */
	const struct nlu_rule *rule[NLU_INTENT_COUNT];
};

/* Score every intent on one utterance for the expectation. */
void nlu_intent_score(const struct nlu *nlu, const struct nlu_scan *scan, enum nlu_expect expect,
		      bool has_when, struct nlu_intent_scores *scores);

/* The practice vocabulary tokenised once, for matching names and type labels. */
#define NLU_NAME_TOKENS_MAX 4

struct nlu_name_tokens {
	size_t count;
	char token[NLU_NAME_TOKENS_MAX][NLU_TOKEN_TEXT_MAX];
};

struct nlu_vocab_index {
	size_t practitioner_count;
	struct nlu_name_tokens *first_name;
	struct nlu_name_tokens *last_name;
	size_t type_count;
	struct nlu_name_tokens *label[2]; /* per language */
	struct nlu_name_tokens *code;
};

/* Tokenise the engine's copied vocabulary. Returns 0 or ENOMEM. */
int nlu_vocab_index_create(struct nlu_vocab_index **indexp, const struct nlu *nlu);
void nlu_vocab_index_destroy(struct nlu_vocab_index *index);

/*
 * Entities that the rules and the vocabulary give: who the patient is, a new patient,
 * practitioner, specialty, appointment type, choice, correction, language asked for
 * and the reason for the visit. raw is the utterance before fillers were removed
 * (names such as "Ben Ali" lose a filler word otherwise). explained marks tokens already
 * read as something else (dates and times); the reason is made of the others.
 */
/* Tokens [from, to) of the normalised utterance; from == to when empty. */
struct nlu_token_range {
	size_t from;
	size_t to;
};

void nlu_entities_read(const struct nlu *nlu, const struct nlu_scan *scan,
		       const struct nlu_tokens *raw, const struct nlu_input *input,
		       bool *explained, struct nlu_result *result, struct nlu_token_range *choice);

#endif
