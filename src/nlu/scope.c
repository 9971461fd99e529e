/*
 * The scope of a rule match: negated, stopped, past, long-standing, or about someone
 * else. Markers are concepts of lexicon/<lang>/scope.tsv; a negation or past marker
 * counts only within the clause of the match.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules_priv.h"

/* Tokens before a match that a negation word may stand in: "je n'ai pas de douleur". */
#define NEGATION_REACH 5
/* Tokens after a match where "c'est passé", "it went away" still refer to it. */
#define RESOLVED_REACH 10

struct clause_range {
	size_t start;
	size_t end;
};

/* The clause (cut at commas) or the phrase (cut at sentence ends) around a token. */
static struct clause_range clause_of(const struct nlu_scan *scan, size_t pos, bool phrase)
{
	const uint16_t *ids = phrase ? scan->phrase : scan->clause;
	struct clause_range r = {pos, pos + 1};
	uint16_t c = ids[pos];

	while (r.start > 0 && ids[r.start - 1] == c)
		r.start--;
	while (r.end < scan->tokens->count && ids[r.end] == c)
		r.end++;
	return r;
}

/* A hit of the match itself, or another concept of the same words ("no" is both a
 * negation and an answer). */
static bool is_term_hit(const struct nlu_scan *scan, const struct nlu_match *m,
			size_t term_count, int h)
{
	for (size_t k = 0; k < term_count; k++) {
		const struct nlu_hit *t = &scan->hit[m->term_hit[k]];

		if (m->term_hit[k] == (size_t)h ||
		    (scan->hit[h].start >= t->start && scan->hit[h].start < t->end))
			return true;
	}
	return false;
}

/* A hit of concept starting in [from, to) that is not one of the match's own terms. */
static bool other_hit_in(const struct nlu_scan *scan, const struct nlu_match *m,
			 size_t term_count, int concept, size_t from, size_t to)
{
	if (concept < 0)
		return false;
	for (int h = scan->first_hit[concept]; h >= 0; h = scan->next_hit[h]) {
		if (scan->hit[h].start >= from && scan->hit[h].start < to &&
		    !is_term_hit(scan, m, term_count, h))
			return true;
	}
	return false;
}

/*
 * A number at pos followed by a time unit. Sets *unit to the unit's concept id and
 * *after to the token after the unit.
 */
static bool number_unit_at(const struct nlu *nlu, const struct nlu_scan *scan, size_t pos,
			   int64_t *value, int *unit, size_t *after)
{
	const struct nlu_concept_ids *id = &nlu->rules->id;
	const int units[4] = {id->unitlong, id->unitweek, id->unitday, id->unitshort};
	struct nlu_number number;
	size_t at;

	if (pos >= scan->tokens->count ||
	    !nlu_number_parse(nlu, scan->lang, scan->tokens, pos, 0, &number))
		return false;
	at = pos + number.token_count;
	for (int k = 0; k < 4; k++) {
		int h = nlu_scan_find(scan, units[k], at, at + 1);

		if (h >= 0) {
			*value = number.value;
			*unit = units[k];
			*after = scan->hit[h].end;
			return true;
		}
	}
	return false;
}

static bool is_long_unit(const struct nlu_concept_ids *id, int unit)
{
	return unit == id->unitlong || unit == id->unitweek;
}

/*
 * A negation word in [from, to) that negates: "no" right before a person is an answer
 * to a question ("no, I have chest pain"), not a negation of what follows.
 */
static bool negator_in(const struct nlu_scan *scan, const struct nlu_match *m, size_t terms,
		       size_t from, size_t to)
{
	const struct nlu_concept_ids *id = &scan->rules->id;

	for (int h = id->neg >= 0 ? scan->first_hit[id->neg] : -1; h >= 0; h = scan->next_hit[h]) {
		size_t after = scan->hit[h].end;

		if (scan->hit[h].start < from || scan->hit[h].start >= to ||
		    is_term_hit(scan, m, terms, h))
			continue;
		if (nlu_scan_find(scan, id->first, after, after + 1) >= 0 ||
		    nlu_scan_find(scan, id->third, after, after + 1) >= 0)
			continue;
		return true;
	}
	return false;
}

/* Negation or stop words around one term of a match, within the term's clause. */
static void read_term_negation(const struct nlu_scan *scan, const struct nlu_match *m,
			       size_t terms, const struct nlu_hit *term, struct nlu_scope *scope)
{
	const struct nlu_concept_ids *id = &scan->rules->id;
	struct clause_range cl = clause_of(scan, term->start, false);
	size_t start = term->start, end = term->end;
	size_t lo = start > cl.start + NEGATION_REACH ? start - NEGATION_REACH : cl.start;
	size_t ne_lo = start > cl.start + 3 ? start - 3 : cl.start;
	size_t post_end = end + 3 < cl.end ? end + 3 : cl.end;
	bool ne = other_hit_in(scan, m, terms, id->ne, ne_lo, start);

	/* "il ne saigne plus", "je n'ai plus mal", "no longer", "not ... anymore". */
	if ((ne && (other_hit_in(scan, m, terms, id->plus, ne_lo, start) ||
		    other_hit_in(scan, m, terms, id->plus, end, post_end))) ||
	    other_hit_in(scan, m, terms, id->plusneg, lo, start) ||
	    other_hit_in(scan, m, terms, id->resolvedpost, end, post_end)) {
		scope->resolved = true;
		return;
	}
	/* Spoken French drops "ne": "j'ai plus mal", and "il saigne plus" at a clause end. */
	if (!ne && start > cl.start &&
	    other_hit_in(scan, m, terms, id->plus, start > 2 ? start - 2 : 0, start)) {
		bool comparative = false;

		for (size_t i = end; i < end + 4 && i < scan->tokens->count; i++)
			comparative = comparative || nlu_token_is(scan->tokens, i, "que");
		if (!comparative) {
			scope->resolved = true;
			return;
		}
	}
	if (!ne && end + 1 >= cl.end && other_hit_in(scan, m, terms, id->plus, end, end + 1)) {
		scope->resolved = true;
		return;
	}
	if (negator_in(scan, m, terms, lo, start) ||
	    (ne && negator_in(scan, m, terms, end, post_end)))
		scope->negated = true;
}

/* A match is negated or stopped when any of its terms is. */
static bool read_negation(const struct nlu_scan *scan, const struct nlu_match *m, size_t terms,
			  struct nlu_scope *scope)
{
	for (size_t k = 0; k < terms; k++)
		read_term_negation(scan, m, terms, &scan->hit[m->term_hit[k]], scope);
	if (scope->resolved)
		scope->negated = false;
	return scope->negated || scope->resolved;
}

static void read_resolved_after(const struct nlu_scan *scan, const struct nlu_match *m,
				size_t terms, struct nlu_scope *scope)
{
	size_t end = m->end;

	while (end < scan->tokens->count && end < m->end + RESOLVED_REACH) {
		if (scan->sentence_end[end])
			break;
		end++;
	}
	if (other_hit_in(scan, m, terms, scan->rules->id.resolved, m->end, end))
		scope->resolved = true;
}

/* Past and long-standing markers in the clause of the match. */
static void read_time(const struct nlu *nlu, const struct nlu_scan *scan,
		      const struct nlu_match *m, size_t terms, struct clause_range cl,
		      struct nlu_scope *scope)
{
	const struct nlu_concept_ids *id = &nlu->rules->id;
	size_t last_past = SIZE_MAX;

	for (size_t h = 0; h < scan->hit_count; h++) {
		const struct nlu_hit *hit = &scan->hit[h];
		int64_t value;
		int unit;
		size_t after;

		if (hit->start < cl.start || hit->start >= cl.end || is_term_hit(scan, m, terms, (int)h))
			continue;
		if (hit->concept == id->history) {
			scope->history = true;
			last_past = hit->start;
		} else if (hit->concept == id->chronic) {
			scope->chronic = true;
		} else if (hit->concept == id->ago &&
			   number_unit_at(nlu, scan, hit->end, &value, &unit, &after) &&
			   is_long_unit(id, unit)) {
			scope->history = true;
			last_past = hit->start;
		} else if (hit->concept == id->since &&
			   number_unit_at(nlu, scan, hit->end, &value, &unit, &after) &&
			   is_long_unit(id, unit) && value >= 1) {
			scope->chronic = true;
		} else if (hit->concept == id->yearprefix && hit->end < scan->tokens->count &&
			   scan->tokens->token[hit->end].kind == NLU_TOKEN_NUMBER &&
			   scan->tokens->token[hit->end].len == 4) {
			long year = strtol(scan->tokens->token[hit->end].text, NULL, 10);

			if (year >= 1900 && year <= 2100) {
				scope->history = true;
				last_past = hit->start;
			}
		} else if (number_unit_at(nlu, scan, hit->start, &value, &unit, &after) &&
			   is_long_unit(id, unit) && nlu_scan_find(scan, id->agopost, after,
								  after + 1) >= 0) {
			/* "two years ago": the number comes first in English. */
			scope->history = true;
			last_past = hit->start;
		}
	}
	/* "... et là", "now": the sign is happening again, whatever came before. */
	if (scope->history && last_past != SIZE_MAX &&
	    other_hit_in(scan, m, terms, id->now, last_past, cl.end))
		scope->history = false;
}

static void read_person(const struct nlu_scan *scan, const struct nlu_match *m,
			struct nlu_scope *scope)
{
	const struct nlu_concept_ids *id = &scan->rules->id;
	size_t best_start = 0;
	bool found = false;

	for (size_t h = 0; h < scan->hit_count; h++) {
		const struct nlu_hit *hit = &scan->hit[h];

		if (hit->start >= m->start || (hit->concept != id->first && hit->concept != id->third))
			continue;
		if (!found || hit->start >= best_start) {
			best_start = hit->start;
			scope->third_person = hit->concept == id->third;
			found = true;
		}
	}
}

void nlu_scope_read(const struct nlu *nlu, const struct nlu_scan *scan,
		    const struct nlu_match *match, struct nlu_scope *scope)
{
	size_t terms = match->term_count;
	struct clause_range phrase = clause_of(scan, match->start, true);

	memset(scope, 0, sizeof(*scope));
	if (!read_negation(scan, match, terms, scope))
		read_resolved_after(scan, match, terms, scope);
	read_time(nlu, scan, match, terms, phrase, scope);
	read_person(scan, match, scope);
}
