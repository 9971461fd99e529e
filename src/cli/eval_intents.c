/*
 * permanence eval intents [--corpus DIR] [--cases DIR] [--json] [--verbose]
 *
 * Scores intents on the English corpora against tests/nlu/cases/intent_corpus_map.tsv:
 * - SGD: a user turn where the dialogue's active intent starts (the first turn, or one
 *   whose intent differs from the previous turn's) must get a mapped intent. The other
 *   turns answer questions, so only a request for a different task counts against them.
 * - SLURP: calendar commands against their mapped intent; other scenarios must not be
 *   taken as a booking.
 * - CLINC out-of-scope: none is a practice's request, so none should be a booking.
 * Targets are read from intent_targets.tsv; the exit status is 1 when one is missed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "eval_nlu.h"
#include "tz.h"

#define MAP_MAX 32
#define TARGETS_MAX 32
#define LINE_MAX_BYTES 8192

struct map_row {
	char source[16];
	char label[48];
	unsigned accepted; /* bit per enum nlu_intent */
};

struct counter {
	size_t total;
	size_t hits;
};

struct metrics {
	struct counter sgd_opening;
	struct counter sgd_opening_by[MAP_MAX];
	struct counter sgd_conflict;     /* hits = continuation turns taken as another task */
	struct counter sgd_emergency;    /* hits = turns with an emergency decision */
	struct counter slurp_calendar;
	struct counter slurp_calendar_by[MAP_MAX];
	struct counter slurp_other_book; /* hits = other scenarios taken as a booking */
	struct counter clinc_book;       /* hits = out-of-scope requests taken as a booking */
	struct counter clinc_request;    /* hits = taken as any practice request */
	struct counter clinc_emergency;
};

struct eval_ctx {
	struct cli_common common;
	const char *corpus;
	const char *cases;
	bool verbose;
	struct nlu *nlu;
	struct tz *tz;
	int64_t now;
	struct map_row map[MAP_MAX];
	size_t map_count;
	struct metrics m;
};

static double rate(const struct counter *c)
{
	return c->total ? 100.0 * (double)c->hits / (double)c->total : 0.0;
}

static int intent_from_name(const char *name, size_t len)
{
	for (int i = 0; i < NLU_INTENT_COUNT; i++) {
		const char *s = nlu_intent_name((enum nlu_intent)i);

		if (strlen(s) == len && strncmp(s, name, len) == 0)
			return i;
	}
	return -1;
}

/* Split a line at tabs in place; returns the field count. */
static size_t split_tabs(char *line, char **field, size_t max)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		field[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static int map_load(struct eval_ctx *ctx)
{
	char path[1024], line[LINE_MAX_BYTES];
	FILE *f;

	snprintf(path, sizeof(path), "%s/intent_corpus_map.tsv", ctx->cases);
	f = fopen(path, "r");
	if (!f) {
		cli_error(&ctx->common, "%s: %s", path, strerror(errno));
		return EIO;
	}
	while (fgets(line, sizeof(line), f)) {
		char *field[4];
		struct map_row *row;
		const char *a;

		if (line[0] == '#' || line[0] == '\n' || split_tabs(line, field, 4) < 3)
			continue;
		if (ctx->map_count == MAP_MAX)
			break;
		row = &ctx->map[ctx->map_count++];
		snprintf(row->source, sizeof(row->source), "%s", field[0]);
		snprintf(row->label, sizeof(row->label), "%s", field[1]);
		row->accepted = 0;
		for (a = field[2]; *a;) {
			size_t len = strcspn(a, ",");
			int intent = intent_from_name(a, len);

			if (intent < 0) {
				cli_error(&ctx->common, "%s: unknown intent '%.*s'", path, (int)len, a);
				fclose(f);
				return EINVAL;
			}
			row->accepted |= 1u << intent;
			a += len + (a[len] == ',');
		}
	}
	fclose(f);
	return 0;
}

static const struct map_row *map_find(const struct eval_ctx *ctx, const char *source,
				      const char *label, size_t *index)
{
	for (size_t i = 0; i < ctx->map_count; i++) {
		if (strcmp(ctx->map[i].source, source) == 0 && strcmp(ctx->map[i].label, label) == 0) {
			*index = i;
			return &ctx->map[i];
		}
	}
	return NULL;
}

static int parse_one(struct eval_ctx *ctx, const char *text, struct nlu_result *r)
{
	struct nlu_input input = {
		.text = text, .lang = NLU_LANG_EN, .expect = NLU_EXPECT_OPEN,
		.now = ctx->now, .tz = ctx->tz,
	};

	return nlu_parse(ctx->nlu, &input, r);
}

/* Requests for a task of the practice, as opposed to answers and dialogue moves. */
static bool is_task(enum nlu_intent i)
{
	return i != NLU_INTENT_NONE && i != NLU_INTENT_YES && i != NLU_INTENT_NO &&
	       i != NLU_INTENT_GOODBYE && i != NLU_INTENT_DONT_KNOW && i != NLU_INTENT_REPEAT &&
	       i != NLU_INTENT_OUT_OF_SCOPE;
}

static void verbose_row(const struct eval_ctx *ctx, const char *what, const char *expected,
			const struct nlu_result *r, const char *text)
{
	if (ctx->verbose)
		printf("%s\t%s\t%s\t%s\n", what, expected, nlu_intent_name(r->intent), text);
}

static int sgd_run(struct eval_ctx *ctx)
{
	char path[1024], line[LINE_MAX_BYTES], dialogue[64] = "", previous[48] = "";
	struct nlu_result r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/utterances/sgd_services_user_turns.tsv", ctx->corpus);
	f = fopen(path, "r");
	if (!f) {
		cli_error(&ctx->common, "%s: %s", path, strerror(errno));
		return EIO;
	}
	while (fgets(line, sizeof(line), f)) {
		char *field[8];
		const struct map_row *row;
		size_t index;
		bool opening;

		char service_label[96];

		if (split_tabs(line, field, 8) < 7 || strcmp(field[0], "split") == 0)
			continue;
		snprintf(service_label, sizeof(service_label), "%s:%s", field[4], field[5]);
		row = map_find(ctx, "sgd", service_label, &index);
		if (!row)
			row = map_find(ctx, "sgd", field[5], &index);
		opening = strcmp(field[2], dialogue) != 0 || strcmp(field[5], previous) != 0;
		snprintf(dialogue, sizeof(dialogue), "%s", field[2]);
		snprintf(previous, sizeof(previous), "%s", field[5]);
		if (!row || parse_one(ctx, field[6], &r) != 0)
			continue;
		ctx->m.sgd_emergency.total++;
		if (r.triage.level == NLU_URGENCY_EMERGENCY) {
			ctx->m.sgd_emergency.hits++;
			verbose_row(ctx, "sgd-emergency", field[5], &r, field[6]);
		}
		if (opening) {
			bool ok = row->accepted & (1u << r.intent);

			ctx->m.sgd_opening.total++;
			ctx->m.sgd_opening_by[index].total++;
			ctx->m.sgd_opening.hits += ok;
			ctx->m.sgd_opening_by[index].hits += ok;
			if (!ok)
				verbose_row(ctx, "sgd-opening", field[5], &r, field[6]);
		} else {
			bool conflict = is_task(r.intent) && !(row->accepted & (1u << r.intent));

			ctx->m.sgd_conflict.total++;
			ctx->m.sgd_conflict.hits += conflict;
		}
	}
	fclose(f);
	return 0;
}

static int slurp_run(struct eval_ctx *ctx)
{
	char path[1024];
	char *line = NULL;
	size_t cap = 0;
	struct nlu_result r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/utterances/slurp_devel.jsonl", ctx->corpus);
	f = fopen(path, "r");
	if (!f) {
		cli_error(&ctx->common, "%s: %s", path, strerror(errno));
		return EIO;
	}
	while (getline(&line, &cap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *scenario = json_string_value(json_object_get(o, "scenario"));
		const char *intent = json_string_value(json_object_get(o, "intent"));
		const char *text = json_string_value(json_object_get(o, "sentence"));
		const struct map_row *row;
		size_t index;

		if (!scenario || !intent || !text || parse_one(ctx, text, &r) != 0) {
			json_decref(o);
			continue;
		}
		if (strcmp(scenario, "calendar") == 0 && (row = map_find(ctx, "slurp", intent, &index))) {
			bool ok = row->accepted & (1u << r.intent);

			ctx->m.slurp_calendar.total++;
			ctx->m.slurp_calendar_by[index].total++;
			ctx->m.slurp_calendar.hits += ok;
			ctx->m.slurp_calendar_by[index].hits += ok;
			if (!ok)
				verbose_row(ctx, "slurp-calendar", intent, &r, text);
		} else if (strcmp(scenario, "calendar") != 0) {
			ctx->m.slurp_other_book.total++;
			if (r.intent == NLU_INTENT_BOOK) {
				ctx->m.slurp_other_book.hits++;
				verbose_row(ctx, "slurp-other", scenario, &r, text);
			}
		}
		json_decref(o);
	}
	free(line);
	fclose(f);
	return 0;
}

static int clinc_run(struct eval_ctx *ctx)
{
	char path[1024], line[LINE_MAX_BYTES];
	struct nlu_result r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/utterances/clinc150_out_of_scope_en.txt", ctx->corpus);
	f = fopen(path, "r");
	if (!f) {
		cli_error(&ctx->common, "%s: %s", path, strerror(errno));
		return EIO;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || parse_one(ctx, line, &r) != 0)
			continue;
		ctx->m.clinc_book.total++;
		ctx->m.clinc_request.total++;
		ctx->m.clinc_emergency.total++;
		ctx->m.clinc_book.hits += r.intent == NLU_INTENT_BOOK;
		ctx->m.clinc_request.hits += is_task(r.intent);
		ctx->m.clinc_emergency.hits += r.triage.level == NLU_URGENCY_EMERGENCY;
		if (r.intent == NLU_INTENT_BOOK || r.triage.level == NLU_URGENCY_EMERGENCY)
			verbose_row(ctx, "clinc", "out_of_scope", &r, line);
	}
	fclose(f);
	return 0;
}

/* ---- Report ---- */

struct metric_view {
	const char *name;
	const struct counter *c;
	const char *meaning_en;
	const char *meaning_fr;
};

static size_t metrics_list(const struct eval_ctx *ctx, struct metric_view *v)
{
	const struct metrics *m = &ctx->m;
	size_t n = 0;

	v[n++] = (struct metric_view){"sgd_opening_accuracy", &m->sgd_opening,
				      "SGD turns that open a task, mapped intent",
				      "tours SGD qui ouvrent une tâche, intention attendue"};
	v[n++] = (struct metric_view){"sgd_continuation_conflicts", &m->sgd_conflict,
				      "SGD follow-up turns taken as another task",
				      "tours SGD de suite pris pour une autre tâche"};
	v[n++] = (struct metric_view){"sgd_false_emergencies", &m->sgd_emergency,
				      "SGD turns with an emergency decision",
				      "tours SGD déclarés urgence vitale"};
	v[n++] = (struct metric_view){"slurp_calendar_accuracy", &m->slurp_calendar,
				      "SLURP calendar commands, mapped intent",
				      "commandes agenda SLURP, intention attendue"};
	v[n++] = (struct metric_view){"slurp_other_booked", &m->slurp_other_book,
				      "SLURP other commands taken as a booking",
				      "autres commandes SLURP prises pour une prise de rendez-vous"};
	v[n++] = (struct metric_view){"clinc_oos_booked", &m->clinc_book,
				      "CLINC out-of-scope requests taken as a booking",
				      "demandes hors sujet CLINC prises pour une prise de rendez-vous"};
	v[n++] = (struct metric_view){"clinc_oos_requests", &m->clinc_request,
				      "CLINC out-of-scope requests taken as any practice request",
				      "demandes hors sujet CLINC prises pour une demande au cabinet"};
	v[n++] = (struct metric_view){"clinc_oos_emergencies", &m->clinc_emergency,
				      "CLINC out-of-scope requests with an emergency decision",
				      "demandes hors sujet CLINC déclarées urgence vitale"};
	return n;
}

/* Compare each metric with its target; returns the number missed. */
static int targets_check(struct eval_ctx *ctx, const struct metric_view *v, size_t n,
			 json_t *json_targets)
{
	char path[1024], line[LINE_MAX_BYTES];
	int missed = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/intent_targets.tsv", ctx->cases);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *field[4];
		double target, value = -1.0;
		bool ok;

		if (line[0] == '#' || line[0] == '\n' || split_tabs(line, field, 4) < 3)
			continue;
		target = strtod(field[2], NULL);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].name, field[0]) == 0)
				value = rate(v[i].c);
		}
		if (value < 0.0) {
			cli_error(&ctx->common, "%s: unknown metric '%s'", path, field[0]);
			missed++;
			continue;
		}
		ok = strcmp(field[1], "min") == 0 ? value >= target : value <= target;
		missed += !ok;
		if (json_targets) {
			json_t *t = json_object();

			json_object_set_new(t, "metric", json_string(field[0]));
			json_object_set_new(t, "direction", json_string(field[1]));
			json_object_set_new(t, "target", json_real(target));
			json_object_set_new(t, "met", json_boolean(ok));
			json_array_append_new(json_targets, t);
		} else {
			printf("%s %-28s %6.2f %% %s %6.2f %%\n", ok ? "ok  " : "MISS", field[0], value,
			       strcmp(field[1], "min") == 0 ? ">=" : "<=", target);
		}
	}
	fclose(f);
	return missed;
}

static int report(struct eval_ctx *ctx)
{
	struct metric_view v[16];
	size_t n = metrics_list(ctx, v);
	bool en = ctx->common.lang == NLU_LANG_EN;
	int missed;

	if (ctx->common.json) {
		json_t *o = json_object(), *metrics = json_object(), *targets = json_array();

		for (size_t i = 0; i < n; i++) {
			json_t *mj = json_object();

			json_object_set_new(mj, "rows", json_integer((json_int_t)v[i].c->total));
			json_object_set_new(mj, "hits", json_integer((json_int_t)v[i].c->hits));
			json_object_set_new(mj, "percent", json_real(rate(v[i].c)));
			json_object_set_new(metrics, v[i].name, mj);
		}
		missed = targets_check(ctx, v, n, targets);
		json_object_set_new(o, "metrics", metrics);
		json_object_set_new(o, "targets", targets);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		putchar('\n');
		json_decref(o);
		return missed;
	}
	for (size_t i = 0; i < n; i++)
		printf("%-28s %6zu / %-6zu %6.2f %%  %s\n", v[i].name, v[i].c->hits, v[i].c->total,
		       rate(v[i].c), en ? v[i].meaning_en : v[i].meaning_fr);
	printf("\n");
	for (size_t i = 0; i < ctx->map_count; i++) {
		const struct counter *c = strcmp(ctx->map[i].source, "sgd") == 0
						  ? &ctx->m.sgd_opening_by[i]
						  : &ctx->m.slurp_calendar_by[i];

		if (c->total)
			printf("  %-6s %-18s %6zu / %-6zu %6.2f %%\n", ctx->map[i].source,
			       ctx->map[i].label, c->hits, c->total, rate(c));
	}
	printf("\n");
	return targets_check(ctx, v, n, NULL);
}

static void usage(const struct cli_common *common)
{
	if (common->lang == NLU_LANG_EN)
		printf("Usage: permanence eval intents [OPTIONS]\n\n"
		       "Scores intents on the English corpora (SGD, SLURP, CLINC out-of-scope).\n"
		       "Exit status 1 when a metric misses its target in intent_targets.tsv.\n\n"
		       "  --corpus DIR     corpus folder (default: %s/tests/corpus)\n"
		       "  --cases DIR      mapping and targets (default: %s/tests/nlu/cases)\n"
		       "  --verbose        list each row that counts against a metric\n",
		       PERMANENCE_SOURCE_DIR, PERMANENCE_SOURCE_DIR);
	else
		printf("Usage : permanence eval intents [OPTIONS]\n\n"
		       "Mesure les intentions sur les corpus anglais (SGD, SLURP, CLINC hors sujet).\n"
		       "Code de sortie 1 quand une mesure manque son objectif (intent_targets.tsv).\n\n"
		       "  --corpus DOSSIER dossier du corpus (défaut : %s/tests/corpus)\n"
		       "  --cases DOSSIER  correspondances et objectifs (défaut : %s/tests/nlu/cases)\n"
		       "  --verbose        liste chaque ligne comptée contre une mesure\n",
		       PERMANENCE_SOURCE_DIR, PERMANENCE_SOURCE_DIR);
	cli_common_help(common);
}

int eval_intents_main(int argc, char **argv)
{
	static char corpus[1024], cases[1024];
	struct eval_ctx *ctx = calloc(1, sizeof(*ctx));
	int status = CLI_EXIT_FAILURE;

	if (!ctx)
		return CLI_EXIT_FAILURE;
	cli_common_init(&ctx->common, "eval intents");
	snprintf(corpus, sizeof(corpus), "%s/tests/corpus", PERMANENCE_SOURCE_DIR);
	snprintf(cases, sizeof(cases), "%s/tests/nlu/cases", PERMANENCE_SOURCE_DIR);
	ctx->corpus = corpus;
	ctx->cases = cases;
	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(&ctx->common, argc, argv, &i);

		if (used < 0) {
			status = CLI_EXIT_USAGE;
			goto out;
		}
		if (used > 0)
			continue;
		if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc) {
			ctx->corpus = argv[++i];
		} else if (strcmp(argv[i], "--cases") == 0 && i + 1 < argc) {
			ctx->cases = argv[++i];
		} else if (strcmp(argv[i], "--verbose") == 0) {
			ctx->verbose = true;
		} else {
			cli_error(&ctx->common, CLI_TEXT(&ctx->common, "option inconnue « %s »",
							 "unknown option '%s'"),
				  argv[i]);
			status = CLI_EXIT_USAGE;
			goto out;
		}
	}
	if (ctx->common.help) {
		usage(&ctx->common);
		status = CLI_EXIT_OK;
		goto out;
	}
	/* SGD's dialogues take place around Friday 2019-03-01. */
	if (tz_open(&ctx->tz, "America/Los_Angeles") != 0 ||
	    tz_parse_iso8601(ctx->tz, "2019-03-01T10:00:00", &ctx->now, NULL) != 0 ||
	    nlu_create(&ctx->nlu, NULL) != 0) {
		cli_error(&ctx->common, CLI_TEXT(&ctx->common, "impossible de construire l'analyseur",
						 "cannot build the language engine"));
		goto out;
	}
	if (map_load(ctx) || sgd_run(ctx) || slurp_run(ctx) || clinc_run(ctx))
		goto out;
	status = report(ctx) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
out:
	nlu_destroy(ctx->nlu);
	tz_close(ctx->tz);
	free(ctx);
	return status;
}
