/*
 * Message catalogues: every sentence the assistant says, per language, keyed, with named
 * parameters ("Je peux vous proposer {slot}."). The files messages/fr.msg and
 * messages/en.msg are compiled into the program (cmake/EmbedFiles.cmake).
 *
 * File format: "key = text" on one line; a line that starts with a space or a tab
 * continues the previous text (joined with one space); blank lines and lines starting
 * with '#' are ignored. Keys use [a-z0-9._]. A parameter is {name} with [a-z_]; "{{"
 * writes a literal brace.
 */
#ifndef PERMANENCE_DIALOGUE_CATALOGUE_H
#define PERMANENCE_DIALOGUE_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

#include "nlu.h"

struct catalogue;

struct msg_param {
	const char *name;
	const char *value;
};

/*
 * Parse both embedded catalogues. Returns 0, ENOMEM, or EINVAL with the problem (file,
 * line, key) in `message`.
 */
int catalogue_create(struct catalogue **cataloguep, char *message, size_t size);
void catalogue_destroy(struct catalogue *catalogue);

/*
 * Return the catalogues parsed once and shared read-only by every dialogue of the
 * process, on any thread. The first acquire parses them, each successful acquire keeps
 * them until its release, and the last release frees them. Returns 0, ENOMEM, or EINVAL
 * with the problem in `message` (as catalogue_create). On error nothing is acquired.
 */
int catalogue_shared_acquire(const struct catalogue **cataloguep, char *message, size_t size);
/* Give back what catalogue_shared_acquire() returned; NULL is ignored. */
void catalogue_shared_release(const struct catalogue *catalogue);
/* How many holders the shared catalogues have now (for tests and benchmarks). */
size_t catalogue_shared_holders(void);

/* The template of a key in a language, or NULL when the key is missing. */
const char *catalogue_template(const struct catalogue *catalogue, enum nlu_lang lang,
			       const char *key);

/*
 * Expand a template's parameters into out (NUL-terminated, cut at a UTF-8 character
 * boundary when it does not fit). A parameter missing from `params` expands to nothing.
 * Returns the length written, or -1 when the text did not fit.
 */
int catalogue_expand(const char *template, const struct msg_param *params, size_t count,
		     char *out, size_t size);

/* Copy text into out cut at a UTF-8 boundary; returns false when it had to be cut. */
bool catalogue_copy_utf8(char *out, size_t size, const char *text);

#endif
