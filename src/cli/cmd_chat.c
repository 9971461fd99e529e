/*
 * permanence chat: talk to the assistant in a terminal, against the real store. Without a
 * terminal on standard input it reads one caller line per line and prints each reply,
 * so scripts and tests can drive it. docs/cli.md describes the line format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "cli.h"
#include "log.h"
#include "phone.h"
#include "session.h"
#include "tz.h"

/* Seconds a silence stands for on a fixed clock: the phone layer's usual timeout. */
#define CHAT_SILENCE_S 8
/* Maximum length of an input line; a longer one is read in pieces, each an utterance. */
#define CHAT_LINE_MAX 4096

static void usage(const struct cli_common *common)
{
	printf("%s", CLI_TEXT(common,
			      "Usage : permanence chat [--db CHEMIN] [--lang fr|en] [--now ISO-8601] [--caller NUMÉRO]\n\n"
			      "Parle à l'assistant comme au téléphone, avec la vraie base de données.\n"
			      "Chaque ligne est ce que dit l'appelant ; ces lignes-là sont des événements :\n"
			      "  #dtmf 1          touches du clavier\n"
			      "  #silence         pas de réponse dans le délai\n"
			      "  #hangup          l'appelant raccroche\n"
			      "  #bargein         l'appelant parle pendant l'annonce\n"
			      "  #asr 0.30 TEXTE  un énoncé reconnu avec cette confiance (0 à 1)\n"
			      "  #wait SECONDES   avance l'horloge fixée par --now\n"
			      "  #transfer ok|fail  issue des transferts suivants (ok par défaut)\n"
			      "Les réponses s'affichent une par ligne ; #transfer CIBLE, #language en et #end\n"
			      "signalent ce que ferait la téléphonie.\n\n"
			      "  --caller NUMÉRO  numéro de l'appelant (identifie un patient connu)\n"
			      "  --now ISO-8601   horloge fixe : elle n'avance qu'avec #silence et #wait\n\n",
			      "Usage: permanence chat [--db PATH] [--lang fr|en] [--now ISO-8601] [--caller NUMBER]\n\n"
			      "Talk to the assistant as on the phone, against the real database.\n"
			      "Each line is what the caller says; these lines are events:\n"
			      "  #dtmf 1          keypad digits\n"
			      "  #silence         no answer before the timeout\n"
			      "  #hangup          the caller hangs up\n"
			      "  #bargein         the caller speaks over the assistant\n"
			      "  #asr 0.30 TEXT   an utterance recognised with that confidence (0 to 1)\n"
			      "  #wait SECONDS    move the clock pinned by --now forward\n"
			      "  #transfer ok|fail  outcome of the transfers that follow (ok by default)\n"
			      "Replies are printed one per line; #transfer TARGET, #language en and #end\n"
			      "show what telephony would do.\n\n"
			      "  --caller NUMBER  the caller's number (identifies a known patient)\n"
			      "  --now ISO-8601   fixed clock: it only moves with #silence and #wait\n\n"));
	cli_common_help(common);
}

struct chat {
	struct cli_common common;
	const char *caller;
	bool lang_given;
	bool fixed_clock;
	int64_t now;
	bool transfer_ok;
	struct session *session;
};

static int parse_options(struct chat *chat, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int used;

		if (strcmp(argv[i], "--lang") == 0 || strncmp(argv[i], "--lang=", 7) == 0)
			chat->lang_given = true;
		used = cli_common_option(&chat->common, argc, argv, &i);
		if (used < 0)
			return CLI_EXIT_USAGE;
		if (used)
			continue;
		if (strcmp(argv[i], "--caller") == 0 && i + 1 < argc) {
			chat->caller = argv[++i];
			continue;
		}
		cli_error(&chat->common,
			  CLI_TEXT(&chat->common, "option inconnue ou incomplète « %s » ; voir --help",
				   "unknown or incomplete option '%s'; see --help"),
			  argv[i]);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int64_t clock_now(struct chat *chat)
{
	if (!chat->fixed_clock)
		chat->now = (int64_t)time(NULL);
	return chat->now;
}

/* Print the replies; returns true once the call has ended. */
static bool print_output(struct chat *chat, const struct session_output *output)
{
	bool ended = false;

	for (size_t i = 0; i < output->count; i++) {
		const struct session_output_item *item = &output->items[i];

		switch (item->kind) {
		case DIALOGUE_ACTION_SAY:
		case DIALOGUE_ACTION_ASK:
			printf("%s\n", item->text);
			break;
		case DIALOGUE_ACTION_SET_LANGUAGE:
			printf("#language %s\n", item->lang == NLU_LANG_EN ? "en" : "fr");
			break;
		case DIALOGUE_ACTION_END:
			printf("#end\n");
			ended = true;
			break;
		case DIALOGUE_ACTION_TRANSFER: {
			struct dialogue_event ev = {.kind = DIALOGUE_EVENT_TRANSFERRED,
						    .now = clock_now(chat),
						    .transferred = chat->transfer_ok};
			const struct session_output *next;

			printf("#transfer %s\n", item->target);
			/* No telephony here: the transfer's outcome is the one #transfer set. */
			if (session_handle(chat->session, &ev, &next) == 0)
				ended = print_output(chat, next) || ended;
			break;
		}
		default:
			break;
		}
	}
	fflush(stdout);
	return ended || session_ended(chat->session);
}

static void trim(char *line)
{
	size_t len = strlen(line);

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			   line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';
}

/* Turn one input line into an event; false when the line is not one (printed why). */
static bool line_event(struct chat *chat, char *line, struct dialogue_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->confidence = 1.0f;
	if (line[0] != '#') {
		ev->kind = DIALOGUE_EVENT_UTTERANCE;
		ev->text = line;
		ev->now = clock_now(chat);
		return true;
	}
	if (strncmp(line, "#dtmf ", 6) == 0) {
		char *out = line + 6;

		/* "#dtmf 0 3 0 4" and "#dtmf 0304" are the same keys. */
		for (char *in = line + 6; *in; in++) {
			if (*in != ' ')
				*out++ = *in;
		}
		*out = '\0';
		ev->kind = DIALOGUE_EVENT_DIGITS;
		ev->digits = line + 6;
	} else if (strcmp(line, "#silence") == 0) {
		ev->kind = DIALOGUE_EVENT_SILENCE;
		if (chat->fixed_clock)
			chat->now += CHAT_SILENCE_S;
	} else if (strcmp(line, "#hangup") == 0) {
		ev->kind = DIALOGUE_EVENT_HANGUP;
	} else if (strcmp(line, "#bargein") == 0) {
		ev->kind = DIALOGUE_EVENT_BARGE_IN;
	} else if (strncmp(line, "#asr ", 5) == 0) {
		char *end = NULL;
		float confidence = strtof(line + 5, &end);

		if (end == line + 5 || confidence < 0.0f || confidence > 1.0f || *end != ' ') {
			cli_error(&chat->common, "%s", CLI_TEXT(&chat->common,
				  "#asr attend une confiance de 0 à 1 puis le texte",
				  "#asr needs a confidence from 0 to 1, then the text"));
			return false;
		}
		ev->kind = DIALOGUE_EVENT_UTTERANCE;
		ev->confidence = confidence;
		ev->text = end + 1;
	} else if (strncmp(line, "#wait ", 6) == 0) {
		char *end = NULL;
		long seconds = strtol(line + 6, &end, 10);

		if (*end || seconds < 0 || seconds > 86400) {
			cli_error(&chat->common, "%s", CLI_TEXT(&chat->common,
				  "#wait attend un nombre de secondes de 0 à 86400",
				  "#wait needs a number of seconds from 0 to 86400"));
		} else if (chat->fixed_clock) {
			chat->now += seconds;
		}
		return false;
	} else if (strcmp(line, "#transfer ok") == 0 || strcmp(line, "#transfer fail") == 0) {
		chat->transfer_ok = strcmp(line, "#transfer ok") == 0;
		return false;
	} else {
		cli_error(&chat->common,
			  CLI_TEXT(&chat->common,
				   "ligne inconnue « %s » : #dtmf, #silence, #hangup, #bargein, #asr, #wait ou #transfer",
				   "unknown line '%s': #dtmf, #silence, #hangup, #bargein, #asr, #wait or #transfer"),
			  line);
		return false;
	}
	ev->now = clock_now(chat);
	return true;
}

static int converse(struct chat *chat)
{
	char line[CHAT_LINE_MAX];
	bool interactive = isatty(STDIN_FILENO);
	const struct session_output *output;
	struct dialogue_event ev = {.kind = DIALOGUE_EVENT_START, .now = clock_now(chat)};
	bool ended;
	int err;

	err = session_handle(chat->session, &ev, &output);
	if (err)
		return err;
	ended = print_output(chat, output);
	while (!ended) {
		if (interactive) {
			printf("> ");
			fflush(stdout);
		}
		if (!fgets(line, sizeof(line), stdin))
			break;
		trim(line);
		if (!line[0] || !line_event(chat, line, &ev))
			continue;
		err = session_handle(chat->session, &ev, &output);
		if (err) {
			cli_error(&chat->common, CLI_TEXT(&chat->common, "événement refusé : %s",
							  "event rejected: %s"),
				  strerror(err));
			continue;
		}
		ended = print_output(chat, output);
	}
	if (!session_ended(chat->session)) {
		/* End of input: the caller is gone. */
		struct dialogue_event hangup = {.kind = DIALOGUE_EVENT_HANGUP, .now = clock_now(chat)};

		session_handle(chat->session, &hangup, &output);
	}
	return 0;
}

int cmd_chat(int argc, char **argv)
{
	struct chat chat = {.transfer_ok = true};
	struct session_config config = {0};
	struct store *st = NULL;
	struct agenda *agenda = NULL;
	struct nlu *nlu = NULL;
	char call_id[64], caller[24];
	int status, err;

	cli_common_init(&chat.common, "chat");
	status = parse_options(&chat, argc, argv);
	if (status)
		return status;
	if (chat.common.help) {
		usage(&chat.common);
		return CLI_EXIT_OK;
	}
	if (chat.caller && phone_to_e164(chat.caller, caller, sizeof(caller)) != 0) {
		cli_error(&chat.common, CLI_TEXT(&chat.common,
						 "--caller invalide « %s » : un numéro de téléphone, par ex. 06 12 34 56 78",
						 "invalid --caller '%s': a phone number, e.g. +33612345678"),
			  chat.caller);
		return CLI_EXIT_USAGE;
	}
	status = cli_open_agenda(&chat.common, true, &st, &agenda);
	if (status)
		return status;
	chat.fixed_clock = chat.common.now_text != NULL;
	status = cli_resolve_now(&chat.common, agenda_tz(agenda), &chat.now);
	if (status)
		goto out;
	err = session_nlu_create(agenda, &nlu);
	if (err) {
		cli_error(&chat.common, CLI_TEXT(&chat.common, "compréhension du langage indisponible : %s",
						 "language understanding unavailable: %s"),
			  strerror(err));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	snprintf(call_id, sizeof(call_id), "chat-%lld-%ld", (long long)chat.now, (long)getpid());
	config.agenda = agenda;
	config.nlu = nlu;
	config.call_id = call_id;
	config.channel = "chat";
	config.caller_number = chat.caller ? caller : NULL;
	config.lang = NULL;
	if (chat.lang_given)
		config.lang = chat.common.lang == NLU_LANG_EN ? "en" : "fr";
	err = session_create(&chat.session, &config, chat.now);
	if (err) {
		cli_error(&chat.common, CLI_TEXT(&chat.common, "impossible de commencer l'appel : %s",
						 "cannot start the call: %s"),
			  err == EINVAL ? strerror(err) : store_errmsg(st));
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	err = converse(&chat);
	if (err) {
		cli_error(&chat.common, "%s", strerror(err));
		status = CLI_EXIT_FAILURE;
	}
	session_destroy(chat.session);
out:
	nlu_destroy(nlu);
	cli_close_agenda(st, agenda);
	return status;
}
