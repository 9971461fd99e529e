/*
 * permanence eval triage [--corpus DIR] [--labels FILE] [--json] [--verbose]
 *
 * Runs red-flag detection over every French patient turn of
 * tests/corpus/patients_fr/labforsims2_patient_turns.txt and prints how many turns reach
 * each level and flag; --verbose lists the turns that raised something. When the
 * hand-checked labels are found, agreement with them is printed too, and the exit status
 * is 1 when a labelled emergency was missed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "eval_nlu.h"

#define LINE_MAX_BYTES 8192

struct triage_counts {
	size_t rows;
	size_t level[3];
	size_t flag[NLU_FLAG_COUNT];
	/* Against the hand labels, over distinct texts. */
	size_t labelled;
	size_t agreed;
	size_t emergency_labelled;
	size_t emergency_missed;
	size_t urgent_labelled;
	size_t urgent_missed;
	size_t over_triaged;
};

struct triage_ctx {
	struct cli_common common;
	const char *corpus;
	const char *labels;
	bool verbose;
	struct nlu *nlu;
	struct triage_counts c;
};

static int level_from_name(const char *name)
{
	for (int l = NLU_URGENCY_NONE; l <= NLU_URGENCY_EMERGENCY; l++) {
		if (strcmp(nlu_urgency_name((enum nlu_urgency)l), name) == 0)
			return l;
	}
	return -1;
}

static int triage_one(struct triage_ctx *ctx, const char *text, struct nlu_result *r)
{
	struct nlu_input input = {.text = text, .lang = NLU_LANG_FR, .expect = NLU_EXPECT_OPEN};

	return nlu_parse(ctx->nlu, &input, r);
}

static void verbose_row(const char *id, const struct nlu_result *r, const char *text)
{
	printf("%s\t%s\t%s\t", id, nlu_urgency_name(r->triage.level), nlu_flag_name(r->triage.flag));
	for (size_t i = 0; i < r->triage.cue_count; i++) {
		if (r->triage.cues[i].counted)
			printf("%s%s=\"%s\"", i ? " " : "", r->triage.cues[i].rule, r->triage.cues[i].text);
	}
	printf("\t%s\n", text);
}

/* Lines read "P0002 +++  text". */
static int corpus_run(struct triage_ctx *ctx)
{
	char path[1024], line[LINE_MAX_BYTES];
	struct nlu_result r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/patients_fr/labforsims2_patient_turns.txt", ctx->corpus);
	f = fopen(path, "r");
	if (!f) {
		cli_error(&ctx->common, "%s: %s", path, strerror(errno));
		return EIO;
	}
	while (fgets(line, sizeof(line), f)) {
		char *text = strstr(line, "+++");
		char *id = line;

		line[strcspn(line, "\r\n")] = '\0';
		if (!text)
			continue;
		*strchr(line, ' ') = '\0';
		text += 3;
		text += strspn(text, " ");
		if (triage_one(ctx, text, &r) != 0)
			continue;
		ctx->c.rows++;
		ctx->c.level[r.triage.level]++;
		ctx->c.flag[r.triage.flag]++;
		if (ctx->verbose && r.triage.level > NLU_URGENCY_NONE)
			verbose_row(id, &r, text);
	}
	fclose(f);
	return 0;
}

/* Rows "id<TAB>level<TAB>flag<TAB>text" of the hand labels. */
static void labels_run(struct triage_ctx *ctx)
{
	char line[LINE_MAX_BYTES];
	struct nlu_result r;
	FILE *f = fopen(ctx->labels, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *id = line, *level, *flag, *text;
		int expected;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || !(level = strchr(id, '\t')))
			continue;
		*level++ = '\0';
		if (!(flag = strchr(level, '\t')))
			continue;
		*flag++ = '\0';
		if (!(text = strchr(flag, '\t')))
			continue;
		*text++ = '\0';
		expected = level_from_name(level);
		if (expected < 0 || triage_one(ctx, text, &r) != 0)
			continue;
		ctx->c.labelled++;
		ctx->c.agreed += (int)r.triage.level == expected;
		if (expected == NLU_URGENCY_EMERGENCY) {
			ctx->c.emergency_labelled++;
			ctx->c.emergency_missed += r.triage.level != NLU_URGENCY_EMERGENCY;
		} else if (expected == NLU_URGENCY_URGENT) {
			ctx->c.urgent_labelled++;
			ctx->c.urgent_missed += r.triage.level == NLU_URGENCY_NONE;
		}
		ctx->c.over_triaged += (int)r.triage.level > expected;
		if (ctx->verbose && (int)r.triage.level != expected) {
			printf("label %s\t", level);
			verbose_row(id, &r, text);
		}
	}
	fclose(f);
}

static void print_report(const struct triage_ctx *ctx)
{
	const struct triage_counts *c = &ctx->c;
	bool en = ctx->common.lang == NLU_LANG_EN;

	printf(en ? "%zu patient turns\n" : "%zu tours de patient\n", c->rows);
	for (int l = NLU_URGENCY_NONE; l <= NLU_URGENCY_EMERGENCY; l++)
		printf("  %-10s %6zu\n", nlu_urgency_name((enum nlu_urgency)l), c->level[l]);
	printf(en ? "by flag:\n" : "par catégorie :\n");
	for (int f = NLU_FLAG_NONE + 1; f < NLU_FLAG_COUNT; f++) {
		if (c->flag[f])
			printf("  %-16s %6zu\n", nlu_flag_name((enum nlu_flag)f), c->flag[f]);
	}
	if (!c->labelled)
		return;
	printf(en ? "hand labels: %zu distinct turns, %zu agree (%.1f %%)\n"
		  : "étiquettes : %zu tours distincts, %zu en accord (%.1f %%)\n",
	       c->labelled, c->agreed, 100.0 * (double)c->agreed / (double)c->labelled);
	printf(en ? "  emergencies missed %zu of %zu, urgent missed %zu of %zu, over-triaged %zu\n"
		  : "  urgences vitales manquées %zu sur %zu, urgences manquées %zu sur %zu, "
		    "surclassés %zu\n",
	       c->emergency_missed, c->emergency_labelled, c->urgent_missed, c->urgent_labelled,
	       c->over_triaged);
}

static void print_json(const struct triage_ctx *ctx)
{
	const struct triage_counts *c = &ctx->c;
	json_t *o = json_object(), *levels = json_object(), *flags = json_object();

	for (int l = NLU_URGENCY_NONE; l <= NLU_URGENCY_EMERGENCY; l++)
		json_object_set_new(levels, nlu_urgency_name((enum nlu_urgency)l),
				    json_integer((json_int_t)c->level[l]));
	for (int f = NLU_FLAG_NONE + 1; f < NLU_FLAG_COUNT; f++)
		json_object_set_new(flags, nlu_flag_name((enum nlu_flag)f),
				    json_integer((json_int_t)c->flag[f]));
	json_object_set_new(o, "rows", json_integer((json_int_t)c->rows));
	json_object_set_new(o, "levels", levels);
	json_object_set_new(o, "flags", flags);
	if (c->labelled) {
		json_t *l = json_object();

		json_object_set_new(l, "distinct_turns", json_integer((json_int_t)c->labelled));
		json_object_set_new(l, "agreed", json_integer((json_int_t)c->agreed));
		json_object_set_new(l, "emergency_labelled",
				    json_integer((json_int_t)c->emergency_labelled));
		json_object_set_new(l, "emergency_missed", json_integer((json_int_t)c->emergency_missed));
		json_object_set_new(l, "urgent_labelled", json_integer((json_int_t)c->urgent_labelled));
		json_object_set_new(l, "urgent_missed", json_integer((json_int_t)c->urgent_missed));
		json_object_set_new(l, "over_triaged", json_integer((json_int_t)c->over_triaged));
		json_object_set_new(o, "labels", l);
	}
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	putchar('\n');
	json_decref(o);
}

static void usage(const struct cli_common *common)
{
	if (common->lang == NLU_LANG_EN)
		printf("Usage: permanence eval triage [OPTIONS]\n\n"
		       "Runs red-flag detection over the French patient turns and counts levels and\n"
		       "flags. Exit status 1 when a hand-labelled emergency is missed.\n\n"
		       "  --corpus DIR     corpus folder (default: %s/tests/corpus)\n"
		       "  --labels FILE    hand labels (default: %s/tests/nlu/cases/"
		       "triage_labforsims2.tsv)\n"
		       "  --verbose        list each turn that raised a flag, and each disagreement\n",
		       PERMANENCE_SOURCE_DIR, PERMANENCE_SOURCE_DIR);
	else
		printf("Usage : permanence eval triage [OPTIONS]\n\n"
		       "Passe la détection des signes d'alerte sur les tours de patients français et\n"
		       "compte niveaux et catégories. Code de sortie 1 quand une urgence vitale\n"
		       "étiquetée à la main est manquée.\n\n"
		       "  --corpus DOSSIER dossier du corpus (défaut : %s/tests/corpus)\n"
		       "  --labels FICHIER étiquettes (défaut : %s/tests/nlu/cases/"
		       "triage_labforsims2.tsv)\n"
		       "  --verbose        liste chaque tour signalé et chaque désaccord\n",
		       PERMANENCE_SOURCE_DIR, PERMANENCE_SOURCE_DIR);
	cli_common_help(common);
}

int eval_triage_main(int argc, char **argv)
{
	static char corpus[1024], labels[1024];
	struct triage_ctx *ctx = calloc(1, sizeof(*ctx));
	int status = CLI_EXIT_FAILURE;

	if (!ctx)
		return CLI_EXIT_FAILURE;
	cli_common_init(&ctx->common, "eval triage");
	snprintf(corpus, sizeof(corpus), "%s/tests/corpus", PERMANENCE_SOURCE_DIR);
	snprintf(labels, sizeof(labels), "%s/tests/nlu/cases/triage_labforsims2.tsv",
		 PERMANENCE_SOURCE_DIR);
	ctx->corpus = corpus;
	ctx->labels = labels;
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
		} else if (strcmp(argv[i], "--labels") == 0 && i + 1 < argc) {
			ctx->labels = argv[++i];
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
	if (nlu_create(&ctx->nlu, NULL) != 0) {
		cli_error(&ctx->common, CLI_TEXT(&ctx->common, "impossible de construire l'analyseur",
						 "cannot build the language engine"));
		goto out;
	}
	if (corpus_run(ctx))
		goto out;
	labels_run(ctx);
	if (ctx->common.json)
		print_json(ctx);
	else
		print_report(ctx);
	status = ctx->c.emergency_missed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
out:
	nlu_destroy(ctx->nlu);
	free(ctx);
	return status;
}
