/*
 * The `permanence` command line: one binary, one subcommand per file (cmd_NAME.c), and
 * the options every subcommand shares.
 *
 * Conventions: human output in French unless --lang en; --json prints one JSON document
 * on standard output; errors go to standard error as "permanence NAME: message" and the
 * exit status is 0 on success, 1 on a runtime failure and 2 on a usage error.
 */
#ifndef PERMANENCE_CLI_H
#define PERMANENCE_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "nlu.h"

struct store;
struct tz;

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

/* Options shared by every subcommand. */
struct cli_common {
	const char *command;  /* subcommand name, for messages */
	const char *db_path;  /* --db, or the default database path */
	const char *now_text; /* --now as given, or NULL */
	bool json;            /* --json */
	enum nlu_lang lang;   /* --lang, French by default */
	bool help;            /* --help */
};

/*
 * Try to consume a shared option at argv[*index] (and its value). Returns 1 when it was
 * one and was consumed, 0 when it is not a shared option, or -1 after printing a usage
 * error (a missing or invalid value).
 */
int cli_common_option(struct cli_common *common, int argc, char **argv, int *index);
void cli_common_init(struct cli_common *common, const char *command);
/* Help lines for the shared options, in the chosen language. */
void cli_common_help(const struct cli_common *common);

/* The default database path: $PERMANENCE_DB, else "permanence.db" in the current folder. */
const char *cli_default_db_path(void);

/*
 * Resolve "now": --now when given (ISO 8601; a time without offset is read in tz), the
 * system clock otherwise. Returns 0, or prints an error naming the value and returns 1.
 */
int cli_resolve_now(const struct cli_common *common, const struct tz *tz, int64_t *now);

/* Print "permanence COMMAND: message" to standard error. */
void cli_error(const struct cli_common *common, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Pick the French or English text for the chosen language. */
#define CLI_TEXT(common, fr, en) ((common)->lang == NLU_LANG_EN ? (en) : (fr))

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary_fr;
	const char *summary_en;
};

/* Subcommands; each is implemented in cmd_NAME.c. */
int cmd_version(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_eval(int argc, char **argv);

#endif
