#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "demo.h"
#include "store.h"
#include "tz.h"

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence init [--demo] [--force] [--db CHEMIN] [--now ISO-8601]\n\n"
			      "Crée une base de données vide, ou avec --demo le cabinet de démonstration\n"
			      "(Cabinet médical des Tilleuls, Lyon). Refuse d'écraser une base existante\n"
			      "sans --force. La base est écrite à côté puis mise en place d'un coup :\n"
			      "une erreur ne laisse jamais de fichier à moitié écrit.\n\n"
			      "  --demo           remplit la base avec le cabinet de démonstration\n"
			      "  --force          remplace une base existante\n",
			      "Usage: permanence init [--demo] [--force] [--db PATH] [--now ISO-8601]\n\n"
			      "Creates an empty database or, with --demo, the demo practice (Cabinet\n"
			      "médical des Tilleuls, Lyon). Refuses to overwrite an existing database\n"
			      "without --force. The database is written beside the target and moved into\n"
			      "place at once: a failure never leaves a half-written file.\n\n"
			      "  --demo           fill the database with the demo practice\n"
			      "  --force          replace an existing database\n"));
	cli_common_help(common);
}

static void remove_database_files(const char *path)
{
	char side[4200];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

/* Build the database in `tmp_path`; returns 0 or the exit status, having printed why. */
static int build_database(const struct cli_common *common, const char *tmp_path, bool demo,
			  int64_t now, int *version)
{
	struct store *st = NULL;
	const char *why = NULL;
	char message[300];
	int err;

	err = store_open(&st, tmp_path, STORE_CREATE, &why);
	if (err) {
		cli_error(common, CLI_TEXT(common, "impossible de créer %s : %s", "cannot create %s: %s"),
			  tmp_path, why ? why : strerror(err));
		return CLI_EXIT_FAILURE;
	}
	err = store_migrate(st);
	if (err) {
		cli_error(common, CLI_TEXT(common, "migration impossible : %s", "migration failed: %s"),
			  store_errmsg(st));
		store_close(st);
		return CLI_EXIT_FAILURE;
	}
	if (demo) {
		err = agenda_demo_create(st, now, message, sizeof(message));
		if (err) {
			cli_error(common,
				  CLI_TEXT(common, "création du cabinet de démonstration impossible : %s",
					   "creating the demo practice failed: %s"),
				  message);
			store_close(st);
			return CLI_EXIT_FAILURE;
		}
	}
	store_schema_version(st, version);
	store_close(st);
	return 0;
}

int cmd_init(int argc, char **argv)
{
	struct cli_common common;
	bool demo = false, force = false;
	struct tz *paris = NULL;
	char tmp_path[4200];
	int64_t now;
	int version = 0;
	int status;

	cli_common_init(&common, "init");
	for (int i = 1; i < argc; i++) {
		int used = cli_common_option(&common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--demo") == 0) {
			demo = true;
		} else if (strcmp(argv[i], "--force") == 0) {
			force = true;
		} else {
			cli_error(&common, CLI_TEXT(&common, "option inconnue « %s » ; voir --help",
						    "unknown option '%s'; see --help"),
				  argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (common.help) {
		usage(&common);
		return CLI_EXIT_OK;
	}
	if (access(common.db_path, F_OK) == 0 && !force) {
		cli_error(&common,
			  CLI_TEXT(&common,
				   "%s existe déjà ; ajoutez --force pour le remplacer (ses données seront perdues)",
				   "%s already exists; add --force to replace it (its data will be lost)"),
			  common.db_path);
		return CLI_EXIT_FAILURE;
	}
	/* The demo practice is in Lyon: read --now without an offset in its zone. */
	if (tz_open(&paris, "Europe/Paris") != 0) {
		cli_error(&common, "ICU does not know Europe/Paris: check the ICU data package");
		return CLI_EXIT_FAILURE;
	}
	status = cli_resolve_now(&common, paris, &now);
	tz_close(paris);
	if (status)
		return status;

	snprintf(tmp_path, sizeof(tmp_path), "%s.init-%ld", common.db_path, (long)getpid());
	remove_database_files(tmp_path);
	status = build_database(&common, tmp_path, demo, now, &version);
	if (status == 0) {
		remove_database_files(common.db_path);
		if (rename(tmp_path, common.db_path) != 0) {
			cli_error(&common, CLI_TEXT(&common, "impossible de mettre %s en place : %s",
						    "cannot move %s into place: %s"),
				  common.db_path, strerror(errno));
			status = CLI_EXIT_FAILURE;
		}
	}
	if (status != 0) {
		remove_database_files(tmp_path);
		return status;
	}

	if (common.json) {
		json_t *out = json_pack("{s:s, s:b, s:i}", "db", common.db_path, "demo", demo,
					"schema_version", version);

		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	} else if (demo) {
		printf(CLI_TEXT(&common,
				"Base créée : %s (cabinet de démonstration : Cabinet médical des Tilleuls)\n",
				"Database created: %s (demo practice: Cabinet médical des Tilleuls)\n"),
		       common.db_path);
	} else {
		printf(CLI_TEXT(&common, "Base vide créée : %s\n", "Empty database created: %s\n"),
		       common.db_path);
	}
	return CLI_EXIT_OK;
}
