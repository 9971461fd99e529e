/*
 * Reading the TSV tables of cases that drive the NLU tests: one row per case, fields
 * separated by tabs, '#' comment lines and blank lines skipped.
 */
#ifndef PERMANENCE_TEST_NLU_TSV_H
#define PERMANENCE_TEST_NLU_TSV_H

#include <stdbool.h>
#include <stddef.h>

#define TSV_FIELDS_MAX 12

struct tsv {
	char *data;   /* whole file, cut in place */
	char *next;   /* start of the next line */
	unsigned line;
	size_t field_count;
	char *field[TSV_FIELDS_MAX];
};

/*
 * Open a file, relative to $PERMANENCE_SOURCE_DIR when it is not absolute. Returns 0 or
 * an errno value; release with tsv_close().
 */
int tsv_open(struct tsv *tsv, const char *path);
/* Move to the next row; false at the end. Fields past TSV_FIELDS_MAX are dropped. */
bool tsv_next(struct tsv *tsv);
/* Field i, or "" when the row is shorter. */
const char *tsv_field(const struct tsv *tsv, size_t i);
void tsv_close(struct tsv *tsv);

#endif
