/*
 * Dump of everything the date parser returns, to check that a speed change leaves every
 * result byte-identical.
 *
 * Usage: dump_datetime FILE.tsv... > dump.txt
 * Every tab-separated field of every line of each file is parsed as an utterance in
 * French and in English, at two reference instants, in UTC and in Europe/Paris. For each
 * run it prints the folded tokens and every field of struct nlu_when_result. Comparing
 * the output of two builds with cmp(1) shows whether any result changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlu_priv.h"
#include "tz.h"

static void dump_tokens(const struct nlu_tokens *tokens)
{
	fputs(" tokens", stdout);
	for (size_t i = 0; i < tokens->count; i++) {
		const struct nlu_token *t = &tokens->token[i];

		printf(" [%s %u %u %u-%u]", t->text, t->kind, t->flags, t->start, t->end);
	}
	printf(" truncated=%d\n", tokens->truncated);
}

static void dump_result(const struct nlu_when_result *r)
{
	printf(" count=%zu truncated=%d duration=%d days=%d span=%u-%u\n", r->count, r->truncated,
	       r->duration_minutes, r->duration_days, r->duration_span.start,
	       r->duration_span.end);
	for (size_t i = 0; i < r->count; i++) {
		const struct nlu_when_match *m = &r->item[i];
		const struct nlu_when *w = &m->when;

		printf("  %lld..%lld grain=%d minutes=%d-%d exclude=%u open=%d%d past=%d"
		       " tokens=%zu-%zu span=%u-%u\n",
		       (long long)w->start, (long long)w->end, (int)w->grain, w->minute_from,
		       w->minute_to, w->weekday_exclude, w->open_start, w->open_end, m->past,
		       m->token_from, m->token_to, m->span.start, m->span.end);
	}
}

static void dump_text(const struct nlu *nlu, const char *text, struct tz *const *zones,
		      const int64_t *nows, struct nlu_tokens *tokens)
{
	static const enum nlu_lang langs[] = {NLU_LANG_FR, NLU_LANG_EN};

	printf("text %s\n", text);
	for (size_t l = 0; l < 2; l++) {
		nlu_tokenize(text, langs[l], tokens);
		nlu_tokens_normalize(nlu, langs[l], 0, tokens);
		printf("lang %zu", l);
		dump_tokens(tokens);
		for (size_t z = 0; z < 2; z++) {
			for (size_t k = 0; k < 2; k++) {
				struct nlu_when_result r;
				int rc = nlu_when_extract(nlu, langs[l], tokens, nows[k], zones[z], &r);

				printf(" zone %zu now %zu rc=%d\n", z, k, rc);
				if (rc == 0)
					dump_result(&r);
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct nlu_tokens *tokens = malloc(sizeof(*tokens));
	struct tz *zones[2] = {NULL, NULL};
	struct nlu *nlu = NULL;
	int64_t nows[2];
	char line[8192];
	int status = 0;

	if (argc < 2 || !tokens) {
		fprintf(stderr, "usage: dump_datetime FILE.tsv...\n");
		return 2;
	}
	if (nlu_create(&nlu, NULL) != 0 || tz_open(&zones[0], "UTC") != 0 ||
	    tz_open(&zones[1], "Europe/Paris") != 0 ||
	    tz_parse_iso8601(zones[0], "2019-03-01T07:00:00Z", &nows[0], NULL) != 0 ||
	    tz_parse_iso8601(zones[0], "2013-02-12T06:30:00Z", &nows[1], NULL) != 0) {
		fprintf(stderr, "dump_datetime: failed to build the engine or open the zones\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		FILE *in = fopen(argv[i], "r");

		if (!in) {
			fprintf(stderr, "dump_datetime: failed to open %s: check the path\n", argv[i]);
			status = 1;
			continue;
		}
		printf("file %s\n", argv[i]);
		while (fgets(line, sizeof(line), in)) {
			char *save = NULL;

			line[strcspn(line, "\n")] = '\0';
			for (char *f = strtok_r(line, "\t", &save); f; f = strtok_r(NULL, "\t", &save))
				dump_text(nlu, f, zones, nows, tokens);
		}
		fclose(in);
	}
	free(tokens);
	tz_close(zones[0]);
	tz_close(zones[1]);
	nlu_destroy(nlu);
	return status;
}
