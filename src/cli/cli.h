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
#include <stddef.h>
#include <stdint.h>

#include "nlu.h"

struct agenda;
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
 * system clock otherwise. Returns 0, or prints an error naming the value and returns
 * CLI_EXIT_USAGE.
 */
int cli_resolve_now(const struct cli_common *common, const struct tz *tz, int64_t *now);

/*
 * Open the database and load the agenda for a command, printing a clear error (in the
 * chosen language) when the file is missing, not a database, or holds no practice.
 * Returns 0 or 1 (the exit status).
 */
int cli_open_agenda(const struct cli_common *common, bool write, struct store **st,
		    struct agenda **agenda);
void cli_close_agenda(struct store *st, struct agenda *agenda);

/* Write an instant as "lundi 30 mars 2026 à 08 h 30" or "Monday 30 March 2026 at 08:30". */
void cli_format_when(const struct cli_common *common, const struct tz *tz, int64_t instant,
		     char *buf, size_t size);

/*
 * Parse an option's ISO 8601 value (a date means its local midnight; a time without an
 * offset is local to tz). Prints an error naming the option and returns CLI_EXIT_USAGE
 * on failure.
 */
int cli_parse_instant(const struct cli_common *common, const struct tz *tz, const char *option,
		      const char *text, int64_t *instant);

/* Print a JSON document on standard output and release it. */
struct json_t;
void cli_print_json(struct json_t *document);

/* The reason texts of core/tz.h in the chosen language. */
const char *cli_reason(const struct cli_common *common, const char *why);

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
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_agenda(int argc, char **argv);
int cmd_slots(int argc, char **argv);
int cmd_book(int argc, char **argv);
int cmd_cancel(int argc, char **argv);
int cmd_move(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_calls(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_eval(int argc, char **argv);
/* `permanence eval asr`, in eval_asr.c. */
int eval_asr_main(int argc, char **argv);

#endif
