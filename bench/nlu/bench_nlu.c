/*
 * Utterances parsed per second on one core: nlu_parse() over real caller-like text
 * (SGD user turns in English, labforsims2 patient turns in French), in passes of a few
 * hundred utterances, for a bounded time. Prints the median pass and the spread.
 * Usage: bench_nlu [CORPUS_DIR] [SECONDS]   (defaults: the source tree's corpus, 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nlu.h"
#include "tz.h"

#define TEXTS_MAX 1000
#define PASSES_MAX 200
#define LINE_MAX_BYTES 4096

struct text {
	char *s;
	enum nlu_lang lang;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Every fourth SGD turn (column 7) and every fourth labforsims2 turn, up to TEXTS_MAX. */
static size_t texts_load(const char *corpus, struct text *texts)
{
	char path[1024], line[LINE_MAX_BYTES];
	size_t n = 0, row = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/utterances/sgd_services_user_turns.tsv", corpus);
	if ((f = fopen(path, "r"))) {
		while (n < TEXTS_MAX / 2 && fgets(line, sizeof(line), f)) {
			char *field = line;

			if (row++ % 4 != 1)
				continue;
			for (int k = 0; k < 6 && field; k++)
				field = strchr(field, '\t') ? strchr(field, '\t') + 1 : NULL;
			if (!field)
				continue;
			field[strcspn(field, "\t\r\n")] = '\0';
			texts[n++] = (struct text){strdup(field), NLU_LANG_EN};
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/patients_fr/labforsims2_patient_turns.txt", corpus);
	if ((f = fopen(path, "r"))) {
		row = 0;
		while (n < TEXTS_MAX && fgets(line, sizeof(line), f)) {
			char *text = strstr(line, "+++");

			if (row++ % 4 != 0 || !text)
				continue;
			text[strcspn(text, "\r\n")] = '\0';
			texts[n++] = (struct text){strdup(text + 3), NLU_LANG_FR};
		}
		fclose(f);
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *corpus = argc > 1 ? argv[1] : PERMANENCE_SOURCE_DIR "/tests/corpus";
	double seconds = argc > 2 ? atof(argv[2]) : 5.0;
	struct text *texts = calloc(TEXTS_MAX, sizeof(*texts));
	double rate[PASSES_MAX];
	size_t count, passes = 0;
	struct nlu *nlu = NULL;
	struct tz *tz = NULL;
	struct nlu_result r;
	double start;

	if (!texts || seconds <= 0.0 || seconds > 60.0) {
		fprintf(stderr, "usage: bench_nlu [CORPUS_DIR] [SECONDS from 0 to 60]\n");
		return 2;
	}
	count = texts_load(corpus, texts);
	if (count == 0 || nlu_create(&nlu, NULL) != 0 || tz_open(&tz, "Europe/Paris") != 0) {
		fprintf(stderr, "bench_nlu: no texts under %s, or the engine failed\n", corpus);
		return 1;
	}
	start = now_seconds();
	while (passes < PASSES_MAX && now_seconds() - start < seconds) {
		double t0 = now_seconds();

		for (size_t i = 0; i < count; i++) {
			struct nlu_input input = {.text = texts[i].s, .lang = texts[i].lang,
						  .expect = NLU_EXPECT_OPEN, .now = 1774852200, .tz = tz};

			nlu_parse(nlu, &input, &r);
		}
		rate[passes++] = (double)count / (now_seconds() - t0);
	}
	qsort(rate, passes, sizeof(rate[0]), compare_doubles);
	printf("nlu_parse: %zu utterances x %zu passes, median %.0f utterances/s on one core "
	       "(min %.0f, max %.0f)\n",
	       count, passes, rate[passes / 2], rate[0], rate[passes - 1]);
	for (size_t i = 0; i < count; i++)
		free(texts[i].s);
	free(texts);
	nlu_destroy(nlu);
	tz_close(tz);
	return 0;
}
