/*
 * Accuracy and throughput of the permanence date parser on the benchmark rows that
 * rows.mjs exports (the same rows chrono_bench.mjs runs chrono-node on).
 *
 * Usage: bench_nlu_datetime ROWS.tsv [RUNS]
 * Prints one JSON line: rows, passed, accuracy, and utterances per second of CPU time on
 * one core (median of the timed runs; each run tokenises, normalises and resolves every
 * row, in UTC). CPU time rather than wall time, so other work on the machine counts less.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nlu_priv.h"
#include "tz.h"

#define ROWS_MAX 20000

struct row {
	enum nlu_lang lang;
	int64_t now;
	char *text;
	char kind[12];
	char expected[64];
};

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static bool score(const struct row *row, const struct nlu_when_result *r, const struct tz *tz)
{
	char date[16], time[8], both[24], buf[64];
	struct civil_time t;
	char *save = NULL;

	if (strcmp(row->kind, "none") == 0)
		return r->count == 0;
	if (r->count == 0)
		return false;
	t = tz_to_local(tz, r->item[0].when.start, NULL);
	snprintf(date, sizeof(date), "%04d-%02d-%02d", t.year, t.month, t.day);
	snprintf(time, sizeof(time), "%02d:%02d", t.hour, t.minute);
	snprintf(both, sizeof(both), "%sT%s", date, time);
	snprintf(buf, sizeof(buf), "%s", row->expected);
	for (char *v = strtok_r(buf, "|", &save); v; v = strtok_r(NULL, "|", &save)) {
		bool has_time = r->item[0].when.grain == NLU_GRAIN_HOUR ||
				r->item[0].when.grain == NLU_GRAIN_MINUTE ||
				r->item[0].when.grain == NLU_GRAIN_PART_OF_DAY;

		if (strcmp(row->kind, "date") == 0 && strcmp(date, v) == 0)
			return true;
		if (strcmp(row->kind, "time") == 0 && has_time && strcmp(time, v) == 0)
			return true;
		if (strcmp(row->kind, "datetime") == 0 && strcmp(both, v) == 0)
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct row *rows = calloc(ROWS_MAX, sizeof(*rows));
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	struct nlu *nlu = NULL;
	struct tz *tz = NULL;
	char line[4096];
	size_t count = 0, passed = 0;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	double rates[64];
	FILE *in;

	if (argc < 2 || runs < 1 || runs > 64 || !rows || !tokens) {
		fprintf(stderr, "usage: bench_nlu_datetime ROWS.tsv [RUNS (1-64)]\n");
		return 2;
	}
	in = fopen(argv[1], "r");
	if (!in || nlu_create(&nlu, NULL) != 0 || tz_open(&tz, "UTC") != 0) {
		fprintf(stderr, "bench_nlu_datetime: cannot read %s or build the engine\n", argv[1]);
		return 1;
	}
	while (count < ROWS_MAX && fgets(line, sizeof(line), in)) {
		char *f[5], *p = line;
		size_t n = 0;

		line[strcspn(line, "\n")] = '\0';
		while (n < 5) {
			f[n++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (n < 4)
			continue;
		rows[count].lang = strcmp(f[0], "en") == 0 ? NLU_LANG_EN : NLU_LANG_FR;
		if (tz_parse_iso8601(tz, f[1], &rows[count].now, NULL) != 0)
			continue;
		rows[count].text = strdup(f[2]);
		snprintf(rows[count].kind, sizeof(rows[count].kind), "%s", f[3]);
		snprintf(rows[count].expected, sizeof(rows[count].expected), "%s", n > 4 ? f[4] : "");
		count++;
	}
	fclose(in);

	for (size_t i = 0; i < count; i++) {
		struct nlu_when_result r;

		nlu_tokenize(rows[i].text, rows[i].lang, tokens);
		nlu_tokens_normalize(nlu, rows[i].lang, 0, tokens);
		nlu_when_extract(nlu, rows[i].lang, tokens, rows[i].now, tz, &r);
		passed += score(&rows[i], &r, tz);
	}
	for (int run = 0; run < runs; run++) {
		double start = seconds_now();

		for (size_t i = 0; i < count; i++) {
			struct nlu_when_result r;

			nlu_tokenize(rows[i].text, rows[i].lang, tokens);
			nlu_tokens_normalize(nlu, rows[i].lang, 0, tokens);
			nlu_when_extract(nlu, rows[i].lang, tokens, rows[i].now, tz, &r);
		}
		rates[run] = (double)count / (seconds_now() - start);
	}
	qsort(rates, (size_t)runs, sizeof(rates[0]), compare_double);
	printf("{\"parser\":\"permanence\",\"rows\":%zu,\"passed\":%zu,\"accuracy\":%.2f,"
	       "\"utterances_per_second\":%.0f}\n",
	       count, passed, count ? 100.0 * (double)passed / (double)count : 0.0,
	       rates[runs / 2]);
	for (size_t i = 0; i < count; i++)
		free(rows[i].text);
	free(rows);
	free(tokens);
	tz_close(tz);
	nlu_destroy(nlu);
	return 0;
}
