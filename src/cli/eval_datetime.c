/*
 * Scoring the date and time parser against the peers' corpora.
 *
 * Each peer writes its expectations its own way, so each suite has an adapter that
 * compares our first time preference with the peer's value (see docs/nlu-conventions.md,
 * "Comparing with the peers"):
 *   Duckling     start (and end) in the reference's local time, plus a grain. An
 *                interval of hours or minutes ends one grain after its last point
 *                ("de 9h à 11h" ends at 12:00), so our end plus one grain is compared.
 *   chrono       one instant (a bare date at noon) or "parts:" fields; a day is compared
 *                by its date, a part of the day by the date and chrono's hour inside it.
 *   Recognizers  resolved dates, times and ranges; any of a case's alternatives counts.
 *   SGD          the date or the time of day the service booked for a spoken span.
 * Scope rules (datetime_scope.tsv) set rows aside with a reason; differences
 * (datetime_differences.tsv) replace a peer's value by the product's for a given row,
 * and the row is still scored.
 */
#include "eval_datetime.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlu_priv.h"
#include "tz.h"

#define LINE_MAX_BYTES 8192
#define FIELDS_MAX 10
#define RULES_MAX 512
#define DIFFERENCES_MAX 1024

enum peer {
	PEER_DUCKLING,
	PEER_CHRONO,
	PEER_RECOGNIZERS,
	PEER_SGD,
};

struct scope_rule {
	char suite[16];    /* "duckling", "chrono", "recognizers", "sgd" or "*", with ":fr" or ":en" */
	char field[16];    /* word, grain, kind, expect, option, reference, type, unsupported */
	char pattern[128];
};

struct difference {
	char file[64];
	char text[256];
	char reference[64];
	char options[64];
	char start[96];
	char end[96];
	char grain[32];
	bool used;
};

struct rules {
	size_t scope_count;
	struct scope_rule scope[RULES_MAX];
	size_t difference_count;
	struct difference difference[DIFFERENCES_MAX];
};

struct context {
	const struct nlu *nlu;
	const struct eval_options *options;
	struct rules *rules;
	struct nlu_tokens *tokens;
	struct tz *utc;
	struct tz *duckling_zone;
};

/* ---- Small readers ---- */

static size_t split(char *line, char **field, size_t max)
{
	size_t n = 0;

	for (char *p = line; n < max;) {
		char *tab = strchr(p, '\t');

		field[n++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	for (size_t i = n; i < max; i++)
		field[i] = "";
	return n;
}

static void chomp(char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* "2013-02-12T04:30:00" (an offset or fraction after it is ignored) into a local time. */
static bool parse_local(const char *text, struct civil_time *t)
{
	int n = 0;

	memset(t, 0, sizeof(*t));
	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &t->year, &t->month, &t->day, &t->hour,
		   &t->minute, &t->second, &n) == 6)
		return civil_time_valid(t);
	t->hour = t->minute = t->second = 0;
	if (sscanf(text, "%4d-%2d-%2d%n", &t->year, &t->month, &t->day, &n) == 3 && n == 10)
		return civil_date_valid(t->year, t->month, t->day);
	return false;
}

static struct civil_time local_of(const struct tz *tz, int64_t utc)
{
	return tz_to_local(tz, utc, NULL);
}

static bool same_date(const struct civil_time *a, const struct civil_time *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day;
}

static bool same_minute(const struct civil_time *a, const struct civil_time *b)
{
	return same_date(a, b) && a->hour == b->hour && a->minute == b->minute;
}

/* Parse text with the product and return its result. */
static void understand(struct context *cx, enum nlu_lang lang, const char *text, int64_t now,
		       const struct tz *tz, struct nlu_when_result *result)
{
	nlu_tokenize(text, lang, cx->tokens);
	nlu_tokens_normalize(cx->nlu, lang, 0, cx->tokens);
	nlu_when_extract(cx->nlu, lang, cx->tokens, now, tz, result);
}

/* ---- Rules ---- */

static int rules_load(struct rules *rules, const char *dir, char *why, size_t why_size)
{
	char path[1024], line[LINE_MAX_BYTES];
	char *f[FIELDS_MAX];
	FILE *file;

	snprintf(path, sizeof(path), "%s/datetime_scope.tsv", dir);
	file = fopen(path, "r");
	if (!file) {
		snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
		return errno;
	}
	while (fgets(line, sizeof(line), file)) {
		struct scope_rule *r;

		chomp(line);
		if (!line[0] || line[0] == '#')
			continue;
		if (split(line, f, FIELDS_MAX) < 4 || rules->scope_count == RULES_MAX)
			continue;
		r = &rules->scope[rules->scope_count++];
		copy(r->suite, sizeof(r->suite), f[0]);
		copy(r->field, sizeof(r->field), f[1]);
		copy(r->pattern, sizeof(r->pattern), f[2]);
	}
	fclose(file);

	snprintf(path, sizeof(path), "%s/datetime_differences.tsv", dir);
	file = fopen(path, "r");
	if (!file) {
		snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
		return errno;
	}
	while (fgets(line, sizeof(line), file)) {
		struct difference *d;

		chomp(line);
		if (!line[0] || line[0] == '#')
			continue;
		if (split(line, f, FIELDS_MAX) < 8 || rules->difference_count == DIFFERENCES_MAX)
			continue;
		d = &rules->difference[rules->difference_count++];
		copy(d->file, sizeof(d->file), f[0]);
		copy(d->text, sizeof(d->text), f[1]);
		copy(d->reference, sizeof(d->reference), f[2]);
		copy(d->options, sizeof(d->options), f[3]);
		copy(d->start, sizeof(d->start), f[4]);
		copy(d->end, sizeof(d->end), f[5]);
		copy(d->grain, sizeof(d->grain), f[6]);
		d->used = false;
	}
	fclose(file);
	return 0;
}

static struct difference *difference_find(struct rules *rules, const char *file,
					  const char *text, const char *reference,
					  const char *options)
{
	for (size_t i = 0; i < rules->difference_count; i++) {
		struct difference *d = &rules->difference[i];

		if (strcmp(d->file, file) == 0 && strcmp(d->text, text) == 0 &&
		    strcmp(d->reference, reference) == 0 && strcmp(d->options, options) == 0)
			return d;
	}
	return NULL;
}

static const char *peer_name(enum peer peer)
{
	switch (peer) {
	case PEER_DUCKLING:
		return "duckling";
	case PEER_CHRONO:
		return "chrono";
	case PEER_RECOGNIZERS:
		return "recognizers";
	case PEER_SGD:
		return "sgd";
	}
	return "";
}

/* True when the folded words of `pattern` occur in a row ("#" matches any one word). */
static bool words_match(struct context *cx, enum nlu_lang lang, const char *text,
			const char *pattern)
{
	struct nlu_tokens *pat = malloc(sizeof(*pat));
	bool found = false;

	if (!pat)
		return false;
	nlu_tokenize(pattern, lang, pat);
	nlu_tokenize(text, lang, cx->tokens);
	for (size_t i = 0; pat->count && i + pat->count <= cx->tokens->count && !found; i++) {
		size_t k = 0;

		while (k < pat->count && (strcmp(pat->token[k].text, "#") == 0 ||
					  strcmp(pat->token[k].text, cx->tokens->token[i + k].text) == 0))
			k++;
		found = k == pat->count;
	}
	free(pat);
	return found;
}

/*
 * True when the numbers written in an SGD span contradict the value the service booked,
 * as when the caller said "12:15" and the service booked 15:30 after some negotiation:
 * the row then does not say what the span means.
 */
static bool sgd_label_contradicts(const char *span, const char *slot, const char *values)
{
	int numbers[16];
	size_t count = 0;
	char buf[256];
	char *save = NULL;

	for (const char *p = span; *p && count < 16;) {
		if (isdigit((unsigned char)*p)) {
			numbers[count++] = atoi(p);
			while (isdigit((unsigned char)*p))
				p++;
		} else {
			p++;
		}
	}
	if (count == 0)
		return false;
	copy(buf, sizeof(buf), values);
	for (char *v = strtok_r(buf, "|", &save); v; v = strtok_r(NULL, "|", &save)) {
		int h, m, y, mo, d;
		bool hour = false, minute = false;

		if (strstr(slot, "time") && sscanf(v, "%d:%d", &h, &m) == 2) {
			for (size_t i = 0; i < count; i++) {
				hour = hour || numbers[i] == h || numbers[i] + 12 == h ||
				       (numbers[i] == 12 && h == 0);
				minute = minute || numbers[i] == m;
			}
			if (hour && (minute || (count == 1 && m % 15 == 0)))
				return false;
		} else if (strstr(slot, "date") && sscanf(v, "%d-%d-%d", &y, &mo, &d) == 3) {
			for (size_t i = 0; i < count; i++)
				if (numbers[i] == d)
					return false;
		}
	}
	return true;
}

/* Fields of a row the scope rules look at. */
struct row_view {
	enum peer peer;
	enum nlu_lang lang;
	const char *text;
	const char *grain;
	const char *kind;
	const char *expect;
	const char *options;
	const char *reference;
	const char *type;
	const char *unsupported;
};

static bool out_of_scope(struct context *cx, const struct row_view *row)
{
	for (size_t i = 0; i < cx->rules->scope_count; i++) {
		const struct scope_rule *r = &cx->rules->scope[i];
		const char *value = NULL;

		char suite[16];
		char *lang;

		copy(suite, sizeof(suite), r->suite);
		lang = strchr(suite, ':');
		if (lang) {
			*lang++ = '\0';
			if (strcmp(lang, row->lang == NLU_LANG_EN ? "en" : "fr") != 0)
				continue;
		}
		if (strcmp(suite, "*") != 0 && strcmp(suite, peer_name(row->peer)) != 0)
			continue;
		if (strcmp(r->field, "word") == 0) {
			if (words_match(cx, row->lang, row->text, r->pattern))
				return true;
			continue;
		}
		if (strcmp(r->field, "grain") == 0)
			value = row->grain;
		else if (strcmp(r->field, "kind") == 0)
			value = row->kind;
		else if (strcmp(r->field, "expect") == 0)
			value = row->expect;
		else if (strcmp(r->field, "option") == 0)
			value = row->options;
		else if (strcmp(r->field, "type") == 0)
			value = row->type;
		else if (strcmp(r->field, "unsupported") == 0)
			value = row->unsupported;
		if (value && strstr(value, r->pattern))
			return true;
		if (strcmp(r->field, "label") == 0 && strcmp(r->pattern, "contradicts-span") == 0 &&
		    row->peer == PEER_SGD && sgd_label_contradicts(row->text, row->type, row->expect))
			return true;
		if (strcmp(r->field, "expect") == 0 && strcmp(r->pattern, "epoch-ms") == 0 &&
		    row->expect && strspn(row->expect, "0123456789") > 4)
			return true;
		if (strcmp(r->field, "reference") == 0 && strcmp(r->pattern, "not-a-time") == 0 &&
		    row->reference && row->reference[0]) {
			struct civil_time t;

			if (!parse_local(row->reference, &t))
				return true;
		}
	}
	return false;
}

/* ---- Reporting ---- */

static void describe(struct context *cx, const struct tz *tz, const struct nlu_when_result *r,
		     char *buf, size_t size)
{
	size_t n = 0;

	(void)cx;
	buf[0] = '\0';
	if (r->count == 0) {
		snprintf(buf, size, "nothing");
		return;
	}
	for (size_t i = 0; i < r->count && n < size; i++) {
		char a[40], b[40];

		tz_format_iso8601(tz, r->item[i].when.start, a, sizeof(a));
		tz_format_iso8601(tz, r->item[i].when.end, b, sizeof(b));
		n += (size_t)snprintf(buf + n, size - n, "%s[%s, %s) %s%s%s", i ? " ; " : "", a, b,
				      nlu_grain_name(r->item[i].when.grain),
				      r->item[i].when.open_start ? " open-start" : "",
				      r->item[i].when.open_end ? " open-end" : "");
	}
}

static void report_failure(struct context *cx, const char *file, const char *text,
			   const char *reference, const char *expected, const struct tz *tz,
			   const struct nlu_when_result *r)
{
	char got[512];

	if (!cx->options->failures)
		return;
	describe(cx, tz, r, got, sizeof(got));
	fprintf(cx->options->failures, "%s\t%s\t%s\texpected %s\tgot %s\n", file, text, reference,
		expected, got);
}

static void iso_local(const struct tz *tz, int64_t utc, char *buf, size_t size)
{
	struct civil_time t = local_of(tz, utc);

	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", t.year, t.month, t.day, t.hour,
		 t.minute, t.second);
}

static const char *duckling_grain_name(enum nlu_grain grain)
{
	switch (grain) {
	case NLU_GRAIN_MINUTE:
		return "Minute";
	case NLU_GRAIN_HOUR:
	case NLU_GRAIN_PART_OF_DAY:
		return "Hour";
	case NLU_GRAIN_WEEK:
		return "Week";
	case NLU_GRAIN_MONTH:
		return "Month";
	case NLU_GRAIN_YEAR:
		return "Year";
	default:
		return "Day";
	}
}

/* Write the product's reading of a failed row in the peer's own format. */
static void propose(struct context *cx, enum peer peer, const char *file, const char *text,
		    const char *reference, const char *options, bool with_end, const char *slot,
		    const struct tz *tz, const struct nlu_when_result *r)
{
	const struct nlu_when *w = r->count ? &r->item[0].when : NULL;
	char start[64] = "", end[64] = "";
	const char *grain = "";

	if (!cx->options->propose)
		return;
	if (!w) {
		copy(start, sizeof(start), peer == PEER_DUCKLING ? "NONE" : "NO_MATCH");
	} else if (peer == PEER_SGD) {
		struct civil_time t = local_of(tz, w->start);

		if (strstr(slot, "time"))
			snprintf(start, sizeof(start), "%02d:%02d", t.hour, t.minute);
		else
			snprintf(start, sizeof(start), "%04d-%02d-%02d", t.year, t.month, t.day);
	} else {
		bool clock = w->grain == NLU_GRAIN_HOUR || w->grain == NLU_GRAIN_MINUTE;

		if (peer == PEER_DUCKLING && w->open_end) {
			start[0] = '>';
			iso_local(tz, w->start, start + 1, sizeof(start) - 1);
		} else if (peer == PEER_DUCKLING && w->open_start) {
			start[0] = '<';
			iso_local(tz, w->end, start + 1, sizeof(start) - 1);
		} else {
			iso_local(tz, w->start, start, sizeof(start));
		}
		if (with_end && !w->open_end && !w->open_start) {
			int64_t at = w->end;

			if (peer == PEER_DUCKLING && clock)
				at += w->grain == NLU_GRAIN_HOUR ? 3600 : 60;
			else if (peer == PEER_CHRONO && !clock && w->grain != NLU_GRAIN_PART_OF_DAY)
				at -= 1;
			iso_local(tz, at, end, sizeof(end));
		}
		if (peer == PEER_DUCKLING)
			grain = duckling_grain_name(w->grain);
	}
	fprintf(cx->options->propose, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t?\n", file, text, reference,
		options, start, end, grain);
}

/* ---- Duckling ---- */

/* Seconds in one unit of a Duckling grain. */
static int64_t grain_seconds(const char *grain)
{
	if (strcmp(grain, "Minute") == 0)
		return 60;
	if (strcmp(grain, "Hour") == 0)
		return 3600;
	return 0;
}

static bool grain_matches(const char *grain, enum nlu_grain ours, bool interval)
{
	if (strcmp(grain, "Minute") == 0)
		return ours == NLU_GRAIN_MINUTE;
	if (strcmp(grain, "Hour") == 0)
		return ours == NLU_GRAIN_HOUR || (interval && ours == NLU_GRAIN_PART_OF_DAY);
	if (strcmp(grain, "Day") == 0)
		return ours == NLU_GRAIN_DAY;
	if (strcmp(grain, "Week") == 0)
		return ours == NLU_GRAIN_WEEK;
	if (strcmp(grain, "Month") == 0)
		return ours == NLU_GRAIN_MONTH;
	if (strcmp(grain, "Year") == 0)
		return ours == NLU_GRAIN_YEAR;
	return false;
}

/*
 * Compare with a Duckling expectation. `start` may start with ">" (open after) or "<"
 * (open before), or be "NONE" (nothing expected).
 */
static bool duckling_compare(const struct tz *tz, const char *kind, const char *start_text,
			     const char *end_text, const char *grain,
			     const struct nlu_when_result *r)
{
	const struct nlu_when *w;
	struct civil_time start, end, ours;
	bool after = strstr(kind, "open=After") || start_text[0] == '>';
	bool before = strstr(kind, "open=Before") || start_text[0] == '<';

	if (strcmp(start_text, "NONE") == 0)
		return r->count == 0;
	if (r->count == 0)
		return false;
	w = &r->item[0].when;
	if (start_text[0] == '>' || start_text[0] == '<')
		start_text++;
	if (!parse_local(start_text, &start))
		return false;
	if (after) {
		ours = local_of(tz, w->start);
		return w->open_end && same_minute(&ours, &start);
	}
	if (before) {
		ours = local_of(tz, w->end);
		return w->open_start && same_minute(&ours, &start);
	}
	ours = local_of(tz, w->start);
	if (!same_minute(&ours, &start) || ours.second != start.second)
		return false;
	if (!end_text[0])
		return grain_matches(grain, w->grain, false);
	if (!parse_local(end_text, &end) || !grain_matches(grain, w->grain, true))
		return false;
	/* A range of clock times ends one grain after its last point in Duckling. */
	if (w->grain == NLU_GRAIN_HOUR || w->grain == NLU_GRAIN_MINUTE)
		ours = local_of(tz, w->end + grain_seconds(grain));
	else
		ours = local_of(tz, w->end);
	return same_minute(&ours, &end);
}

static void run_duckling(struct context *cx, const char *path, const char *file,
			 struct eval_suite *suite)
{
	char line[LINE_MAX_BYTES];
	char *f[FIELDS_MAX];
	FILE *in = fopen(path, "r");

	if (!in)
		return;
	suite->target = 95.0;
	while (fgets(line, sizeof(line), in)) {
		struct row_view row;
		struct nlu_when_result result;
		struct difference *d;
		const char *start, *end, *grain;
		int64_t now;
		bool ok;

		chomp(line);
		if (split(line, f, FIELDS_MAX) < 7)
			continue;
		memset(&row, 0, sizeof(row));
		row.peer = PEER_DUCKLING;
		row.lang = strcmp(f[0], "EN") == 0 ? NLU_LANG_EN : NLU_LANG_FR;
		row.text = f[2];
		row.kind = f[3];
		row.grain = f[6];
		row.expect = f[4];
		suite->rows++;
		d = difference_find(cx->rules, file, f[2], "", "");
		if (!d && out_of_scope(cx, &row))
			continue;
		suite->in_scope++;
		start = d ? d->start : f[4];
		end = d ? d->end : f[5];
		grain = d ? d->grain : f[6];
		if (d) {
			d->used = true;
			suite->differences++;
		}
		if (tz_parse_iso8601(cx->duckling_zone, f[1], &now, NULL) != 0)
			continue;
		understand(cx, row.lang, f[2], now, cx->duckling_zone, &result);
		ok = duckling_compare(cx->duckling_zone, d ? "" : f[7], start, end, grain, &result);
		if (ok) {
			suite->passed++;
		} else {
			char expected[256];

			snprintf(expected, sizeof(expected), "%s..%s %s", start, end, grain);
			report_failure(cx, file, f[2], f[1], expected, cx->duckling_zone, &result);
			propose(cx, PEER_DUCKLING, file, f[2], "", "", end[0] != '\0', "",
				cx->duckling_zone, &result);
		}
	}
	fclose(in);
}

/* ---- chrono ---- */

/* Reference used for chrono rows that give none: their expectations do not depend on it. */
static const char chrono_default_reference[] = "2012-08-10T12:00:00";

static bool parts_compare(const struct tz *tz, const char *parts, const struct nlu_when *w)
{
	/* chrono reports the bound of "before 4pm": our end. */
	struct civil_time t = local_of(tz, w->open_start ? w->end : w->start);
	struct civil_time last = local_of(tz, w->end - 1);
	bool part = w->grain == NLU_GRAIN_PART_OF_DAY;
	bool coarse = w->grain == NLU_GRAIN_DAY || w->grain == NLU_GRAIN_WEEK ||
		      w->grain == NLU_GRAIN_MONTH || w->grain == NLU_GRAIN_YEAR;
	const char *p = parts;

	while (*p) {
		char name[32];
		long value;
		int n = 0;

		if (sscanf(p, "%31[a-zA-Z]=%ld%n", name, &value, &n) != 2)
			return false;
		p += n;
		if (*p == ',')
			p++;
		if (strcmp(name, "year") == 0 && t.year != value)
			return false;
		if (strcmp(name, "month") == 0 && t.month != value)
			return false;
		if (strcmp(name, "day") == 0 && t.day != value)
			return false;
		if (strcmp(name, "weekday") == 0 &&
		    civil_weekday(civil_days_from_date(t.year, t.month, t.day)) % 7 != value)
			return false;
		if (coarse)
			continue;
		/* chrono gives one hour inside a part of the day ("yesterday afternoon" is 15:00). */
		if (strcmp(name, "hour") == 0 && part && (value < t.hour || value > last.hour))
			return false;
		if (strcmp(name, "hour") == 0 && !part && t.hour != value)
			return false;
		if (strcmp(name, "minute") == 0 && !part && t.minute != value)
			return false;
	}
	return true;
}

/* One chrono instant against the start (or the end) of our preference. */
static bool chrono_point(const struct tz *tz, const struct nlu_when *w, const char *text,
			 bool is_end)
{
	struct civil_time expected, ours;

	if (!parse_local(text, &expected))
		return false;
	if (w->grain == NLU_GRAIN_DAY || w->grain == NLU_GRAIN_WEEK || w->grain == NLU_GRAIN_MONTH ||
	    w->grain == NLU_GRAIN_YEAR || w->grain == NLU_GRAIN_NONE) {
		/* A range of days ends on the day before our exclusive end. */
		ours = local_of(tz, is_end ? w->end - 1 : w->start);
		return same_date(&ours, &expected);
	}
	if (w->grain == NLU_GRAIN_PART_OF_DAY && !is_end) {
		int64_t at;

		ours = local_of(tz, w->start);
		if (!same_date(&ours, &expected) || tz_from_local(tz, &expected, &at, NULL) != 0)
			return false;
		return at >= w->start && at < w->end;
	}
	ours = local_of(tz, is_end ? w->end : w->start);
	return same_minute(&ours, &expected);
}

static bool chrono_compare(const struct tz *tz, const char *start, const char *end,
			   const struct nlu_when_result *r)
{
	const struct nlu_when *w;

	if (strcmp(start, "NO_MATCH") == 0)
		return r->count == 0;
	if (r->count == 0)
		return false;
	w = &r->item[0].when;
	if (strncmp(start, "parts:", 6) == 0)
		return parts_compare(tz, start + 6, w);
	if (w->open_start && !end[0])
		return chrono_point(tz, w, start, true);
	if (!chrono_point(tz, w, start, false))
		return false;
	return !end[0] || chrono_point(tz, w, end, true);
}

static void run_chrono(struct context *cx, const char *path, const char *file,
		       struct eval_suite *suite)
{
	char line[LINE_MAX_BYTES];
	char *f[FIELDS_MAX];
	FILE *in = fopen(path, "r");

	if (!in)
		return;
	suite->target = 90.0;
	while (fgets(line, sizeof(line), in)) {
		struct row_view row;
		struct nlu_when_result result;
		struct difference *d;
		const char *start, *end, *reference;
		int64_t now;

		chomp(line);
		if (split(line, f, FIELDS_MAX) < 6 || (strcmp(f[0], "fr") != 0 && strcmp(f[0], "en") != 0))
			continue;
		memset(&row, 0, sizeof(row));
		row.peer = PEER_CHRONO;
		row.lang = strcmp(f[0], "en") == 0 ? NLU_LANG_EN : NLU_LANG_FR;
		row.text = f[2];
		row.reference = f[3];
		row.options = f[4];
		row.expect = f[5];
		suite->rows++;
		d = difference_find(cx->rules, file, f[2], f[3], f[4]);
		if (!d && out_of_scope(cx, &row))
			continue;
		suite->in_scope++;
		start = d ? d->start : f[5];
		end = d ? d->end : f[6];
		if (d) {
			d->used = true;
			suite->differences++;
		}
		reference = f[3][0] ? f[3] : chrono_default_reference;
		if (tz_parse_iso8601(cx->utc, reference, &now, NULL) != 0)
			continue;
		understand(cx, row.lang, f[2], now, cx->utc, &result);
		if (chrono_compare(cx->utc, start, end, &result)) {
			suite->passed++;
		} else {
			char expected[256];

			snprintf(expected, sizeof(expected), "%s%s%s", start, end[0] ? ".." : "", end);
			report_failure(cx, file, f[2], reference, expected, cx->utc, &result);
			propose(cx, PEER_CHRONO, file, f[2], f[3], f[4], end[0] != '\0', "", cx->utc,
				&result);
		}
	}
	fclose(in);
}

/* ---- Recognizers-Text ---- */

static bool recognizers_value(const struct tz *tz, const char *type, const char *value,
			      const struct nlu_when_result *r)
{
	const struct nlu_when *w;
	struct civil_time a, b, ours;
	const char *dots;

	if (strcmp(type, "duration") == 0)
		return r->duration_minutes > 0 && (long)r->duration_minutes * 60 == atol(value);
	if (r->count == 0)
		return false;
	w = &r->item[0].when;
	dots = strstr(value, "..");
	if (strcmp(type, "time") == 0 || strcmp(type, "timerange") == 0) {
		int h1, m1, h2, m2;

		ours = local_of(tz, w->start);
		if (sscanf(value, "%d:%d", &h1, &m1) != 2 || ours.hour != h1 || ours.minute != m1)
			return false;
		if (!dots)
			return true;
		ours = local_of(tz, w->end);
		return sscanf(dots + 2, "%d:%d", &h2, &m2) == 2 && ours.hour == h2 && ours.minute == m2;
	}
	if (!parse_local(value, &a)) {
		char buf[64];

		/* "2016-11-07 22:00:00" */
		copy(buf, sizeof(buf), value);
		if (strlen(buf) > 10 && buf[10] == ' ')
			buf[10] = 'T';
		if (!parse_local(buf, &a))
			return false;
		if (strcmp(type, "datetime") == 0) {
			ours = local_of(tz, w->start);
			return same_minute(&ours, &a);
		}
	}
	ours = local_of(tz, w->start);
	if (!same_date(&ours, &a))
		return false;
	if (strcmp(type, "datetime") == 0 && strchr(value, 'T') && !same_minute(&ours, &a))
		return false;
	if (!dots)
		return true;
	{
		char buf[64];

		copy(buf, sizeof(buf), dots + 2);
		if (strlen(buf) > 10 && buf[10] == ' ')
			buf[10] = 'T';
		if (!parse_local(buf, &b))
			return false;
	}
	/* Recognizers-Text ends a range on its last day or the day after: both count. */
	ours = local_of(tz, w->end);
	if (same_date(&ours, &b))
		return true;
	ours = local_of(tz, w->end - 1);
	return same_date(&ours, &b) || same_minute(&ours, &b);
}

static void run_recognizers(struct context *cx, const char *path, const char *file,
			    struct eval_suite *suite)
{
	char line[LINE_MAX_BYTES], key[LINE_MAX_BYTES] = "";
	char *f[FIELDS_MAX];
	bool case_in_scope = false, case_passed = false, any = false;
	char last_text[512] = "", last_reference[64] = "";
	struct nlu_when_result last_result;
	enum nlu_lang lang = strstr(file, "_en") ? NLU_LANG_EN : NLU_LANG_FR;
	FILE *in = fopen(path, "r");

	if (!in)
		return;
	memset(&last_result, 0, sizeof(last_result));
	while (fgets(line, sizeof(line), in)) {
		struct row_view row;
		char this_key[LINE_MAX_BYTES];
		int64_t now;

		chomp(line);
		if (split(line, f, FIELDS_MAX) < 5)
			continue;
		snprintf(this_key, sizeof(this_key), "%s\t%s\t%s", f[0], f[1], f[3]);
		if (strcmp(this_key, key) != 0) {
			/* A new case: close the previous one. */
			if (any && case_in_scope) {
				suite->in_scope++;
				if (case_passed)
					suite->passed++;
				else
					report_failure(cx, file, last_text, last_reference, "a listed value",
						       cx->utc, &last_result);
			}
			copy(key, sizeof(key), this_key);
			any = true;
			suite->rows++;
			memset(&row, 0, sizeof(row));
			row.peer = PEER_RECOGNIZERS;
			row.lang = lang;
			row.text = f[0];
			row.reference = f[1];
			row.unsupported = f[2];
			row.type = f[4];
			case_in_scope = !out_of_scope(cx, &row);
			case_passed = false;
			copy(last_text, sizeof(last_text), f[0]);
			copy(last_reference, sizeof(last_reference), f[1]);
			if (case_in_scope && tz_parse_iso8601(cx->utc, f[1], &now, NULL) == 0)
				understand(cx, lang, f[0], now, cx->utc, &last_result);
			else
				memset(&last_result, 0, sizeof(last_result));
		}
		if (!case_in_scope || case_passed)
			continue;
		if (strcmp(f[4], "NO_MATCH") == 0)
			case_passed = last_result.count == 0 && last_result.duration_minutes == 0;
		else
			case_passed = recognizers_value(cx->utc, f[4], f[6], &last_result);
	}
	if (any && case_in_scope) {
		suite->in_scope++;
		if (case_passed)
			suite->passed++;
		else
			report_failure(cx, file, last_text, last_reference, "a listed value", cx->utc,
				       &last_result);
	}
	fclose(in);
}

/* ---- SGD ---- */

/* The dialogues' implied "today": Friday 2019-03-01, before the day's first slot. */
static const char sgd_reference[] = "2019-03-01T07:00:00";

static bool sgd_compare(const struct tz *tz, const char *slot, const char *values,
			const struct nlu_when_result *r)
{
	struct civil_time ours;
	char buf[256];
	char *save = NULL;

	if (r->count == 0)
		return false;
	ours = local_of(tz, r->item[0].when.start);
	copy(buf, sizeof(buf), values);
	for (char *v = strtok_r(buf, "|", &save); v; v = strtok_r(NULL, "|", &save)) {
		int h, m;
		struct civil_time date;

		if (strstr(slot, "time") && sscanf(v, "%d:%d", &h, &m) == 2 &&
		    r->item[0].when.grain != NLU_GRAIN_DAY && ours.hour == h && ours.minute == m)
			return true;
		if (strstr(slot, "date") && parse_local(v, &date) && same_date(&ours, &date))
			return true;
	}
	return false;
}

static void run_sgd(struct context *cx, const char *path, const char *file,
		    struct eval_suite *suite)
{
	char line[LINE_MAX_BYTES];
	char *f[FIELDS_MAX];
	FILE *in = fopen(path, "r");
	int64_t now;

	if (!in)
		return;
	suite->target = 90.0;
	tz_parse_iso8601(cx->utc, sgd_reference, &now, NULL);
	while (fgets(line, sizeof(line), in)) {
		struct row_view row;
		struct nlu_when_result result;
		struct difference *d;
		const char *expected;

		chomp(line);
		if (split(line, f, FIELDS_MAX) < 8 || strcmp(f[0], "split") == 0)
			continue;
		memset(&row, 0, sizeof(row));
		row.peer = PEER_SGD;
		row.lang = NLU_LANG_EN;
		row.text = f[5];
		row.type = f[4];
		row.expect = f[6];
		suite->rows++;
		d = difference_find(cx->rules, file, f[5], "", f[4]);
		if (!d && out_of_scope(cx, &row))
			continue;
		suite->in_scope++;
		expected = d ? d->start : f[6];
		if (d) {
			d->used = true;
			suite->differences++;
		}
		understand(cx, NLU_LANG_EN, f[5], now, cx->utc, &result);
		if (sgd_compare(cx->utc, f[4], expected, &result)) {
			suite->passed++;
		} else {
			char what[300];

			snprintf(what, sizeof(what), "%s %s", f[4], expected);
			report_failure(cx, file, f[5], sgd_reference, what, cx->utc, &result);
			propose(cx, PEER_SGD, file, f[5], "", f[4], false, f[4], cx->utc, &result);
		}
	}
	fclose(in);
}

/* ---- Driver ---- */

static const struct {
	const char *file;
	enum peer peer;
} suites[] = {
	{"duckling_time_fr.tsv", PEER_DUCKLING},
	{"duckling_time_en.tsv", PEER_DUCKLING},
	{"chrono_fr.tsv", PEER_CHRONO},
	{"chrono_en.tsv", PEER_CHRONO},
	{"recognizers_datetime_fr.tsv", PEER_RECOGNIZERS},
	{"recognizers_datetime_en.tsv", PEER_RECOGNIZERS},
	{"sgd_services_datetime_spans.tsv", PEER_SGD},
};

int eval_datetime_run(const struct nlu *nlu, const struct eval_options *options,
		      struct eval_report *report, char *why, size_t why_size)
{
	struct context cx;
	int err;

	memset(report, 0, sizeof(*report));
	memset(&cx, 0, sizeof(cx));
	cx.nlu = nlu;
	cx.options = options;
	cx.rules = calloc(1, sizeof(*cx.rules));
	cx.tokens = malloc(sizeof(*cx.tokens));
	if (!cx.rules || !cx.tokens) {
		err = ENOMEM;
		goto out;
	}
	err = rules_load(cx.rules, options->rules_dir, why, why_size);
	if (err)
		goto out;
	err = tz_open(&cx.utc, "UTC");
	if (!err)
		/* Duckling's reference is at UTC-2, which the IANA database spells Etc/GMT+2. */
		err = tz_open(&cx.duckling_zone, "Etc/GMT+2");
	if (err) {
		snprintf(why, why_size, "cannot open the UTC or Etc/GMT+2 zone");
		goto out;
	}
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		char path[1024];
		struct eval_suite *suite = &report->suite[report->count];
		FILE *probe;

		snprintf(path, sizeof(path), "%s/%s", options->corpus_dir, suites[i].file);
		probe = fopen(path, "r");
		if (!probe)
			continue;
		fclose(probe);
		memset(suite, 0, sizeof(*suite));
		copy(suite->file, sizeof(suite->file), suites[i].file);
		switch (suites[i].peer) {
		case PEER_DUCKLING:
			run_duckling(&cx, path, suites[i].file, suite);
			break;
		case PEER_CHRONO:
			run_chrono(&cx, path, suites[i].file, suite);
			break;
		case PEER_RECOGNIZERS:
			run_recognizers(&cx, path, suites[i].file, suite);
			break;
		case PEER_SGD:
			run_sgd(&cx, path, suites[i].file, suite);
			break;
		}
		report->count++;
	}
	if (options->list_differences && options->failures) {
		for (size_t i = 0; i < cx.rules->difference_count; i++) {
			if (!cx.rules->difference[i].used)
				fprintf(options->failures, "unused difference\t%s\t%s\n",
					cx.rules->difference[i].file, cx.rules->difference[i].text);
		}
	}
out:
	tz_close(cx.utc);
	tz_close(cx.duckling_zone);
	free(cx.rules);
	free(cx.tokens);
	return err;
}

double eval_suite_accuracy(const struct eval_suite *suite)
{
	return suite->in_scope ? 100.0 * (double)suite->passed / (double)suite->in_scope : 0.0;
}

bool eval_suite_meets_target(const struct eval_suite *suite)
{
	return suite->target <= 0 || eval_suite_accuracy(suite) >= suite->target;
}
