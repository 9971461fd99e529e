/* Data files compiled into the program (see cmake/EmbedFiles.cmake). */
#ifndef PERMANENCE_EMBEDDED_H
#define PERMANENCE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* base name, e.g. "0001_agenda.sql" */
	const char *data; /* the bytes, NUL-terminated */
	size_t size;      /* without the terminating NUL */
};

#endif
