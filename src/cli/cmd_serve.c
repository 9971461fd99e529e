/*
 * permanence serve: the main job. Answers calls over SIP with the conversation engine
 * and serves the staff dashboard, until SIGTERM or SIGINT.
 *
 * Threads: the main thread starts the components, then waits for signals with
 * sigwait() (every other thread has them blocked). SIGHUP reloads the configuration
 * keys marked reloadable; SIGTERM and SIGINT stop taking calls, let calls in progress
 * finish within calls.shutdown_grace seconds, then stop everything.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "calls.h"
#include "cli.h"
#include "config.h"
#include "demo.h"
#include "live.h"
#include "log.h"
#include "store.h"
#include "web.h"

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence serve [--config FICHIER] [--db CHEMIN] [--sip-listen ADR:PORT]\n"
			      "                         [--http-listen ADR:PORT] [--lang fr|en]\n\n"
			      "Répond aux appels (SIP) et sert le tableau de bord, jusqu'à SIGTERM.\n"
			      "Sans --config : le cabinet de démonstration sur 127.0.0.1 (la base est créée\n"
			      "si elle n'existe pas). Les options l'emportent sur le fichier.\n\n"
			      "  --config FICHIER       fichier de configuration (voir permanence.conf.sample)\n"
			      "  --sip-listen ADR:PORT  adresse SIP (UDP et TCP), défaut 127.0.0.1:5060\n"
			      "  --http-listen ADR:PORT adresse du tableau de bord, défaut 127.0.0.1:8080 ;\n"
			      "                         « off » pour ne pas le servir\n"
			      "  --lang fr|en           langue de début des appels\n",
			      "Usage: permanence serve [--config FILE] [--db PATH] [--sip-listen ADDR:PORT]\n"
			      "                        [--http-listen ADDR:PORT] [--lang fr|en]\n\n"
			      "Answers calls (SIP) and serves the dashboard until SIGTERM. Without\n"
			      "--config: the demo practice on 127.0.0.1 (the database is created if it\n"
			      "does not exist). Options override the file.\n\n"
			      "  --config FILE          configuration file (see permanence.conf.sample)\n"
			      "  --sip-listen ADDR:PORT SIP address (UDP and TCP), default 127.0.0.1:5060\n"
			      "  --http-listen ADDR:PORT dashboard address, default 127.0.0.1:8080;\n"
			      "                         \"off\" not to serve it\n"
			      "  --lang fr|en           language calls start in\n"));
	cli_common_help(common);
}

struct serve_options {
	const char *config_path;
	const char *sip_listen;
	const char *http_listen;
	bool db_given;
	bool lang_given;
};

static int parse_options(struct cli_common *common, struct serve_options *o, int argc,
			 char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int used;

		if (strcmp(arg, "--db") == 0 || strncmp(arg, "--db=", 5) == 0)
			o->db_given = true;
		if (strcmp(arg, "--lang") == 0 || strncmp(arg, "--lang=", 7) == 0)
			o->lang_given = true;
		used = cli_common_option(common, argc, argv, &i);
		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(arg, "--config") == 0 && i + 1 < argc) {
			o->config_path = argv[++i];
		} else if (strcmp(arg, "--sip-listen") == 0 && i + 1 < argc) {
			o->sip_listen = argv[++i];
		} else if (strcmp(arg, "--http-listen") == 0 && i + 1 < argc) {
			o->http_listen = argv[++i];
		} else {
			cli_error(common, CLI_TEXT(common, "option inconnue ou incomplète « %s » ; voir --help",
						   "unknown or incomplete option '%s'; see --help"),
				  arg);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

/* Read the file and apply the command-line overrides; prints the error. */
static int build_config(const struct cli_common *common, const struct serve_options *o,
			struct config *config)
{
	char error[400];

	config_defaults(config);
	if (o->config_path && config_load(config, o->config_path, error, sizeof(error)) != 0) {
		cli_error(common, CLI_TEXT(common, "configuration invalide : %s", "invalid configuration: %s"),
			  error);
		return CLI_EXIT_USAGE;
	}
	if ((o->db_given && config_set(config, "practice.db", common->db_path, error, sizeof(error))) ||
	    (o->sip_listen && config_set(config, "sip.listen", o->sip_listen, error, sizeof(error))) ||
	    (o->http_listen && config_set(config, "http.listen", o->http_listen, error, sizeof(error))) ||
	    (o->lang_given && config_set(config, "practice.language",
					 common->lang == NLU_LANG_EN ? "en" : "fr", error, sizeof(error)))) {
		cli_error(common, "%s", error);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static void apply_log_level(const struct config *config)
{
	enum log_level level;

	if (log_level_parse(config->log_level, &level) == 0)
		log_set_level(level);
}

/* With no configuration file, a missing database becomes the demo practice. */
static int ensure_demo_database(const struct cli_common *common, const char *path)
{
	struct store *st = NULL;
	char message[300];
	const char *why = NULL;
	int err;

	if (access(path, F_OK) == 0)
		return 0;
	err = store_open(&st, path, STORE_CREATE, &why);
	if (!err)
		err = store_migrate(st);
	if (!err)
		err = agenda_demo_create(st, (int64_t)time(NULL), message, sizeof(message));
	else
		snprintf(message, sizeof(message), "%s", st ? store_errmsg(st) : why ? why : strerror(err));
	store_close(st);
	if (err) {
		unlink(path);
		cli_error(common, CLI_TEXT(common, "création de la base de démonstration %s impossible : %s",
					   "cannot create the demo database %s: %s"),
			  path, message);
		return CLI_EXIT_FAILURE;
	}
	log_notice("serve", NULL, "created the demo practice in %s", path);
	return 0;
}

/* Open the database once to fail early, with a clear message, on a bad one. */
static int check_database(const struct cli_common *common, const char *path, bool *has_users)
{
	struct store *st = NULL;
	struct agenda *agenda = NULL;
	struct store_user *users = NULL;
	size_t user_count = 0;
	const char *why = NULL;
	char message[300];
	int err;

	err = store_open(&st, path, 0, &why);
	if (err) {
		cli_error(common, CLI_TEXT(common, "impossible d'ouvrir %s : %s ; créez-la avec « permanence init --demo »",
					   "cannot open %s: %s; create it with 'permanence init --demo'"),
			  path, why ? why : strerror(err));
		return CLI_EXIT_FAILURE;
	}
	err = store_migrate(st);
	if (err) {
		cli_error(common, CLI_TEXT(common, "migration de %s impossible : %s", "migrating %s failed: %s"),
			  path, store_errmsg(st));
		store_close(st);
		return CLI_EXIT_FAILURE;
	}
	err = agenda_open(&agenda, st, message, sizeof(message));
	if (err) {
		cli_error(common, CLI_TEXT(common, "%s : règles de l'agenda invalides : %s",
					   "%s: invalid agenda rules: %s"),
			  path, message);
		store_close(st);
		return CLI_EXIT_FAILURE;
	}
	*has_users = store_users_list(st, &users, &user_count) == 0 && user_count > 0;
	free(users);
	agenda_close(agenda);
	store_close(st);
	return 0;
}

static int start_web(const struct cli_common *common, const struct config *config,
		     struct live_registry *live, struct web_server **web)
{
	struct web_config wc = {0};
	char address[64], message[300];
	uint16_t port = 0;

	*web = NULL;
	if (strcmp(config->http_listen, "off") == 0 || !config->http_listen[0])
		return 0;
	if (web_listen_parse(config->http_listen, address, sizeof(address), &port) != 0) {
		cli_error(common, CLI_TEXT(common, "http.listen invalide « %s » : attendu ADRESSE:PORT, par ex. 127.0.0.1:8080",
					   "invalid http.listen '%s': expected ADDRESS:PORT, e.g. 127.0.0.1:8080"),
			  config->http_listen);
		return CLI_EXIT_USAGE;
	}
	wc.listen_address = address;
	wc.port = port;
	wc.db_path = config->db_path;
	wc.live = live;
	wc.tls_cert_file = config->http_tls_certificate[0] ? config->http_tls_certificate : NULL;
	wc.tls_key_file = config->http_tls_key[0] ? config->http_tls_key : NULL;
	if (web_server_start(web, &wc, message, sizeof(message)) != 0) {
		cli_error(common, CLI_TEXT(common, "tableau de bord : %s", "dashboard: %s"), message);
		return CLI_EXIT_FAILURE;
	}
	return 0;
}

static int start_calls(const struct cli_common *common, const struct config *config,
		       struct live_registry *live, struct calls **calls)
{
	char message[512];
	int err;

	err = calls_start(calls, config, live, message, sizeof(message));
	if (err) {
		cli_error(common, CLI_TEXT(common, "appels : %s", "calls: %s"), message);
		return err == EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
	}
	return 0;
}

/* Reload the keys marked reloadable; the rest keep their values until a restart. */
static void reload_config(const struct serve_options *o, const struct cli_common *common,
			  struct config *running, struct calls *calls)
{
	struct config fresh;

	if (!o->config_path) {
		log_notice("serve", NULL, "SIGHUP: no configuration file to reload");
		return;
	}
	if (build_config(common, o, &fresh) != 0) {
		log_err("serve", NULL, "SIGHUP: configuration not reloaded; keeping the running one");
		return;
	}
	snprintf(running->log_level, sizeof(running->log_level), "%s", fresh.log_level);
	snprintf(running->language, sizeof(running->language), "%s", fresh.language);
	snprintf(running->transfer_target, sizeof(running->transfer_target), "%s",
		 fresh.transfer_target);
	running->recording = fresh.recording;
	running->rtp_timeout_s = fresh.rtp_timeout_s;
	running->max_calls = fresh.max_calls;
	running->shutdown_grace_s = fresh.shutdown_grace_s;
	running->no_input_timeout_s = fresh.no_input_timeout_s;
	running->asr_min_confidence = fresh.asr_min_confidence;
	running->asr_http_timeout_s = fresh.asr_http_timeout_s;
	apply_log_level(running);
	(void)calls_reconfigure(calls, &fresh);
	log_notice("serve", NULL, "configuration reloaded from %s", o->config_path);
}

int cmd_serve(int argc, char **argv)
{
	struct cli_common common;
	struct serve_options options = {0};
	struct config config;
	struct live_registry *live = NULL;
	struct web_server *web = NULL;
	struct calls *calls = NULL;
	sigset_t signals;
	bool has_users = false;
	int status, sig = 0;

	cli_common_init(&common, "serve");
	status = parse_options(&common, &options, argc, argv);
	if (status)
		return status;
	if (common.help) {
		usage(&common);
		return CLI_EXIT_OK;
	}
	status = build_config(&common, &options, &config);
	if (status)
		return status;
	apply_log_level(&config);
	if (!options.config_path && (status = ensure_demo_database(&common, config.db_path)))
		return status;
	status = check_database(&common, config.db_path, &has_users);
	if (status)
		return status;

	/* Block the stop and reload signals in every thread started from here on. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (live_registry_create(&live, (size_t)config.max_calls + 16) != 0) {
		cli_error(&common, "out of memory");
		return CLI_EXIT_FAILURE;
	}
	status = start_web(&common, &config, live, &web);
	if (status) {
		web_server_stop(web);
		live_registry_destroy(live);
		return status;
	}
	status = start_calls(&common, &config, live, &calls);
	if (status) {
		web_server_stop(web);
		live_registry_destroy(live);
		return status;
	}
	if (web && !has_users)
		log_notice("serve", NULL,
			   "no dashboard account yet: create one with"
			   " 'permanence user add NAME --role admin --db %s'",
			   config.db_path);
	log_notice("serve", NULL, "permanence %s started (database %s, calls start in %s)",
		   PERMANENCE_VERSION, config.db_path, config.language);

	for (;;) {
		if (sigwait(&signals, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload_config(&options, &common, &config, calls);
			continue;
		}
		break;
	}
	log_notice("serve", NULL, "%s received: stopping (calls in progress may finish within %d s)",
		   sig == SIGINT ? "SIGINT" : "SIGTERM", config.shutdown_grace_s);
	calls_stop(calls);
	web_server_stop(web);
	live_registry_destroy(live);
	log_notice("serve", NULL, "stopped");
	return CLI_EXIT_OK;
}
