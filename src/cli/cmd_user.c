/*
 * permanence user add|list|disable|enable|passwd: the dashboard's staff accounts.
 * Passwords are read from the terminal without echo, or from standard input when it is
 * not a terminal (one line), never from the command line where `ps` would show them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "store.h"
#include "web.h"

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence user add NOM --role RÔLE [--practitioner ID] [--name TEXTE]\n"
			      "                           [--user-lang fr|en]\n"
			      "        permanence user list\n"
			      "        permanence user disable|enable NOM\n"
			      "        permanence user passwd NOM\n\n"
			      "Gère les comptes du tableau de bord. Le mot de passe (10 à 128 caractères)\n"
			      "est demandé au terminal sans écho, ou lu sur l'entrée standard (une ligne)\n"
			      "quand ce n'est pas un terminal.\n\n"
			      "  --role RÔLE        admin, secretary ou practitioner\n"
			      "  --practitioner ID  le praticien d'un compte practitioner (son numéro)\n"
			      "  --name TEXTE       le nom affiché\n"
			      "  --user-lang fr|en  la langue du tableau de bord pour ce compte\n",
			      "Usage: permanence user add NAME --role ROLE [--practitioner ID] [--name TEXT]\n"
			      "                           [--user-lang fr|en]\n"
			      "       permanence user list\n"
			      "       permanence user disable|enable NAME\n"
			      "       permanence user passwd NAME\n\n"
			      "Manages the dashboard's accounts. The password (10 to 128 characters) is\n"
			      "asked on the terminal without echo, or read from standard input (one line)\n"
			      "when it is not a terminal.\n\n"
			      "  --role ROLE        admin, secretary or practitioner\n"
			      "  --practitioner ID  the practitioner of a practitioner account (its id)\n"
			      "  --name TEXT        the displayed name\n"
			      "  --user-lang fr|en  the dashboard's language for this account\n"));
	cli_common_help(common);
}

struct user_options {
	const char *action;
	const char *username;
	const char *role;
	const char *display_name;
	const char *user_lang;
	const char *practitioner;
};

/* Read one line without its end; false when input ends first or it is too long. */
static bool read_line(FILE *in, char *buf, size_t size)
{
	size_t len;

	if (!fgets(buf, (int)size, in))
		return false;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len == size - 1)
		return false;
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return true;
}

static bool prompt_hidden(const char *prompt, char *buf, size_t size)
{
	struct termios saved, quiet;
	bool ok;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &saved) != 0)
		return false;
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	ok = read_line(stdin, buf, size);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	fputc('\n', stderr);
	return ok;
}

/* Read and hash a new password; returns 0 or the exit status after printing why. */
static int read_password(const struct cli_common *common, char *hash, size_t size)
{
	char password[WEB_PASSWORD_MAX + 2], again[WEB_PASSWORD_MAX + 2];
	bool ok;
	int err;

	if (isatty(STDIN_FILENO)) {
		ok = prompt_hidden(CLI_TEXT(common, "Mot de passe : ", "Password: "), password,
				   sizeof(password)) &&
		     prompt_hidden(CLI_TEXT(common, "Encore une fois : ", "Again: "), again,
				   sizeof(again));
		if (ok && strcmp(password, again) != 0) {
			cli_error(common, CLI_TEXT(common, "les deux mots de passe diffèrent",
						   "the two passwords differ"));
			memset(password, 0, sizeof(password));
			memset(again, 0, sizeof(again));
			return CLI_EXIT_USAGE;
		}
	} else {
		ok = read_line(stdin, password, sizeof(password));
	}
	memset(again, 0, sizeof(again));
	if (!ok) {
		cli_error(common, CLI_TEXT(common, "aucun mot de passe lu (ou plus de %d caractères)",
					   "no password read (or longer than %d characters)"),
			  WEB_PASSWORD_MAX);
		return CLI_EXIT_USAGE;
	}
	err = web_password_hash(password, hash, size);
	memset(password, 0, sizeof(password));
	if (err == EINVAL) {
		cli_error(common, CLI_TEXT(common, "le mot de passe doit avoir de %d à %d caractères",
					   "the password must have %d to %d characters"),
			  WEB_PASSWORD_MIN, WEB_PASSWORD_MAX);
		return CLI_EXIT_USAGE;
	}
	if (err) {
		cli_error(common, "%s", strerror(err));
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

static int open_store(const struct cli_common *common, struct store **st)
{
	const char *why = NULL;
	int err = store_open(st, common->db_path, 0, &why);

	if (err) {
		cli_error(common, CLI_TEXT(common, "impossible d'ouvrir %s : %s ; créez-la avec « permanence init »",
					   "cannot open %s: %s; create it with 'permanence init'"),
			  common->db_path, why ? why : strerror(err));
		return CLI_EXIT_FAILURE;
	}
	/* A database made before the dashboard existed gets its tables now. */
	err = store_migrate(*st);
	if (err) {
		cli_error(common, CLI_TEXT(common, "migration impossible : %s", "migration failed: %s"),
			  store_errmsg(*st));
		store_close(*st);
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

static int check_practitioner(const struct cli_common *common, struct store *st,
			      const char *text, int64_t *id)
{
	struct store_practitioner *list = NULL;
	size_t count = 0;
	char *end;

	*id = text ? strtoll(text, &end, 10) : 0;
	if (!text || *end || *id <= 0 || store_practitioners_list(st, &list, &count) != 0) {
		cli_error(common, CLI_TEXT(common,
					   "un compte practitioner a besoin de --practitioner ID (voir « permanence agenda »)",
					   "a practitioner account needs --practitioner ID (see 'permanence agenda')"));
		return CLI_EXIT_USAGE;
	}
	for (size_t i = 0; i < count; i++) {
		if (list[i].id == *id) {
			free(list);
			return 0;
		}
	}
	free(list);
	cli_error(common, CLI_TEXT(common, "aucun praticien numéro %s", "no practitioner with id %s"),
		  text);
	return CLI_EXIT_USAGE;
}

static bool username_valid(const char *name)
{
	size_t len = strlen(name);

	if (len < 2 || len > 63)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-_") == len;
}

static int user_add(const struct cli_common *common, struct store *st,
		    const struct user_options *o)
{
	struct store_user u = {0};
	int status, err;

	if (!username_valid(o->username)) {
		cli_error(common, CLI_TEXT(common,
					   "nom « %s » invalide : de 2 à 63 caractères parmi a-z, 0-9, « . », « - », « _ »",
					   "invalid name '%s': 2 to 63 characters among a-z, 0-9, '.', '-', '_'"),
			  o->username);
		return CLI_EXIT_USAGE;
	}

	if (!o->role || (strcmp(o->role, "admin") && strcmp(o->role, "secretary") &&
			 strcmp(o->role, "practitioner"))) {
		cli_error(common, CLI_TEXT(common, "--role admin, secretary ou practitioner est requis",
					   "--role admin, secretary or practitioner is required"));
		return CLI_EXIT_USAGE;
	}
	snprintf(u.username, sizeof(u.username), "%s", o->username);
	snprintf(u.role, sizeof(u.role), "%s", o->role);
	snprintf(u.display_name, sizeof(u.display_name), "%s", o->display_name ? o->display_name : "");
	snprintf(u.lang, sizeof(u.lang), "%s", o->user_lang ? o->user_lang : "fr");
	if (strcmp(o->role, "practitioner") == 0) {
		status = check_practitioner(common, st, o->practitioner, &u.practitioner_id);
		if (status)
			return status;
	}
	status = read_password(common, u.password_hash, sizeof(u.password_hash));
	if (status)
		return status;
	u.created_utc = (int64_t)time(NULL);
	err = store_user_add(st, &u);
	if (err == EEXIST) {
		cli_error(common, CLI_TEXT(common, "l'utilisateur « %s » existe déjà",
					   "user '%s' already exists"),
			  u.username);
		return CLI_EXIT_FAILURE;
	}
	if (err) {
		cli_error(common, "%s", store_errmsg(st));
		return CLI_EXIT_FAILURE;
	}
	printf(CLI_TEXT(common, "Compte « %s » créé (%s).\n", "Account '%s' created (%s).\n"),
	       u.username, u.role);
	return CLI_EXIT_OK;
}

static int user_list(const struct cli_common *common, struct store *st)
{
	struct store_user *users = NULL;
	size_t count = 0;

	if (store_users_list(st, &users, &count) != 0) {
		cli_error(common, "%s", store_errmsg(st));
		return CLI_EXIT_FAILURE;
	}
	if (common->json) {
		json_t *list = json_array();

		for (size_t i = 0; i < count; i++)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:s, s:b}",
							      "username", users[i].username,
							      "display_name", users[i].display_name,
							      "role", users[i].role, "practitioner_id",
							      (json_int_t)users[i].practitioner_id,
							      "lang", users[i].lang, "disabled",
							      users[i].disabled));
		cli_print_json(json_pack("{s:o}", "users", list));
	} else {
		for (size_t i = 0; i < count; i++)
			printf("%-20s %-13s %-4s %s%s\n", users[i].username, users[i].role,
			       users[i].lang, users[i].display_name,
			       users[i].disabled ? CLI_TEXT(common, " (désactivé)", " (disabled)") : "");
		if (count == 0)
			printf("%s", CLI_TEXT(common, "Aucun compte.\n", "No accounts.\n"));
	}
	free(users);
	return CLI_EXIT_OK;
}

/* disable, enable or passwd on an existing account. */
static int user_change(const struct cli_common *common, struct store *st,
		       const struct user_options *o)
{
	struct store_user u;
	int status, err;

	err = store_user_find(st, o->username, &u);
	if (err == ENOENT) {
		cli_error(common, CLI_TEXT(common, "aucun utilisateur « %s »", "no user '%s'"),
			  o->username);
		return CLI_EXIT_FAILURE;
	}
	if (err) {
		cli_error(common, "%s", store_errmsg(st));
		return CLI_EXIT_FAILURE;
	}
	if (strcmp(o->action, "passwd") == 0) {
		status = read_password(common, u.password_hash, sizeof(u.password_hash));
		if (status)
			return status;
	} else {
		u.disabled = strcmp(o->action, "disable") == 0;
	}
	u.updated_utc = (int64_t)time(NULL);
	err = store_user_update(st, &u);
	/* Open sessions end when the account is disabled or its password changes. */
	if (!err && (u.disabled || strcmp(o->action, "passwd") == 0))
		err = store_sessions_delete_for_user(st, u.id);
	if (err) {
		cli_error(common, "%s", store_errmsg(st));
		return CLI_EXIT_FAILURE;
	}
	printf(CLI_TEXT(common, "Compte « %s » modifié.\n", "Account '%s' updated.\n"), u.username);
	return CLI_EXIT_OK;
}

static int parse_options(struct cli_common *common, int argc, char **argv,
			 struct user_options *o)
{
	for (int i = 1; i < argc; i++) {
		const char **target = NULL;
		int used = cli_common_option(common, argc, argv, &i);

		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--role") == 0)
			target = &o->role;
		else if (strcmp(argv[i], "--name") == 0)
			target = &o->display_name;
		else if (strcmp(argv[i], "--user-lang") == 0)
			target = &o->user_lang;
		else if (strcmp(argv[i], "--practitioner") == 0)
			target = &o->practitioner;
		if (target) {
			if (i + 1 >= argc) {
				cli_error(common, CLI_TEXT(common, "%s demande une valeur",
							   "%s needs a value"), argv[i]);
				return CLI_EXIT_USAGE;
			}
			*target = argv[++i];
		} else if (argv[i][0] == '-') {
			cli_error(common, CLI_TEXT(common, "option inconnue « %s » ; voir --help",
						   "unknown option '%s'; see --help"), argv[i]);
			return CLI_EXIT_USAGE;
		} else if (!o->action) {
			o->action = argv[i];
		} else if (!o->username) {
			o->username = argv[i];
		} else {
			cli_error(common, CLI_TEXT(common, "argument en trop « %s »",
						   "unexpected argument '%s'"), argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

int cmd_user(int argc, char **argv)
{
	struct cli_common common;
	struct user_options o = {0};
	struct store *st = NULL;
	int status;

	cli_common_init(&common, "user");
	status = parse_options(&common, argc, argv, &o);
	if (status)
		return status;
	if (common.help) {
		usage(&common);
		return CLI_EXIT_OK;
	}
	if (!o.action || (strcmp(o.action, "list") != 0 && !o.username) ||
	    (strcmp(o.action, "add") && strcmp(o.action, "list") && strcmp(o.action, "disable") &&
	     strcmp(o.action, "enable") && strcmp(o.action, "passwd"))) {
		cli_error(&common, CLI_TEXT(&common, "précisez add, list, disable, enable ou passwd et un nom ; voir --help",
					    "give add, list, disable, enable or passwd and a name; see --help"));
		return CLI_EXIT_USAGE;
	}
	if (o.user_lang && strcmp(o.user_lang, "fr") && strcmp(o.user_lang, "en")) {
		cli_error(&common, CLI_TEXT(&common, "--user-lang vaut fr ou en",
					    "--user-lang is fr or en"));
		return CLI_EXIT_USAGE;
	}
	status = open_store(&common, &st);
	if (status)
		return status;
	if (strcmp(o.action, "add") == 0)
		status = user_add(&common, st, &o);
	else if (strcmp(o.action, "list") == 0)
		status = user_list(&common, st);
	else
		status = user_change(&common, st, &o);
	store_close(st);
	return status;
}
