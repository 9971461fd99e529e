#include "tsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tsv_open(struct tsv *tsv, const char *path)
{
	const char *root = getenv("PERMANENCE_SOURCE_DIR");
	char full[1024];
	FILE *f;
	long size;
	int err = 0;

	memset(tsv, 0, sizeof(*tsv));
	if (path[0] == '/' || !root)
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", root, path);
	f = fopen(full, "rb");
	if (!f) {
		fprintf(stderr, "    cannot open %s: %s\n", full, strerror(errno));
		return errno;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		err = EIO;
		goto out;
	}
	tsv->data = malloc((size_t)size + 1);
	if (!tsv->data) {
		err = ENOMEM;
		goto out;
	}
	if (fread(tsv->data, 1, (size_t)size, f) != (size_t)size) {
		err = EIO;
		goto out;
	}
	tsv->data[size] = '\0';
	tsv->next = tsv->data;
out:
	fclose(f);
	if (err)
		tsv_close(tsv);
	return err;
}

bool tsv_next(struct tsv *tsv)
{
	while (tsv->next && *tsv->next) {
		char *line = tsv->next;
		char *nl = strchr(line, '\n');
		char *p = line;

		tsv->next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		tsv->line++;
		if (nl && nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		tsv->field_count = 0;
		while (tsv->field_count < TSV_FIELDS_MAX) {
			char *tab = strchr(p, '\t');

			tsv->field[tsv->field_count++] = p;
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		return true;
	}
	return false;
}

const char *tsv_field(const struct tsv *tsv, size_t i)
{
	return i < tsv->field_count ? tsv->field[i] : "";
}

void tsv_close(struct tsv *tsv)
{
	free(tsv->data);
	memset(tsv, 0, sizeof(*tsv));
}
