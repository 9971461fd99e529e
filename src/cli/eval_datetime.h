/*
 * `permanence eval datetime`: the date and time parser against the peer corpora in
 * tests/corpus/datetime, with the product's scope rules and deliberate differences read
 * from tests/nlu (datetime_scope.tsv, datetime_differences.tsv).
 */
#ifndef PERMANENCE_CLI_EVAL_DATETIME_H
#define PERMANENCE_CLI_EVAL_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct nlu;

/* One corpus file's score. Rows out of scope are counted but not scored. */
struct eval_suite {
	char file[64];
	size_t rows;        /* cases read (Recognizers-Text rows of one case are grouped) */
	size_t in_scope;
	size_t passed;
	size_t differences; /* in-scope cases scored against the product's own value */
	double target;      /* minimum accuracy in percent; 0 when the suite has none */
};

#define EVAL_SUITES_MAX 8

struct eval_report {
	size_t count;
	struct eval_suite suite[EVAL_SUITES_MAX];
};

struct eval_options {
	const char *corpus_dir;   /* tests/corpus/datetime */
	const char *rules_dir;    /* tests/nlu: scope and differences files */
	FILE *failures;           /* when not NULL, every failed in-scope case is listed here */
	bool list_differences;    /* list rows whose difference entry is no longer needed */
	/* When not NULL, each failed in-scope row is written here as a datetime_differences.tsv
	 * row holding the product's own value, for a maintainer to review and give a reason. */
	FILE *propose;
};

/*
 * Run every suite found in corpus_dir. Returns 0, or an errno value when a file cannot
 * be read (a missing corpus file is skipped, a missing rules file is an error); *why then
 * names the file.
 */
int eval_datetime_run(const struct nlu *nlu, const struct eval_options *options,
		      struct eval_report *report, char *why, size_t why_size);

/* True when the suite has a target and its in-scope accuracy reaches it. */
bool eval_suite_meets_target(const struct eval_suite *suite);
double eval_suite_accuracy(const struct eval_suite *suite);

#endif
