/*
 * The dashboard for the browser test: the fixture's database and server on an
 * ephemeral loopback port. Prints "port N" on standard output once listening, then reads
 * commands from standard input, one a line, and replies "ok" or "error ...":
 *   live ID STATE URGENCY TEXT...   publish a call in progress to the live registry
 *   end ID                          remove it
 *   call ID URGENCY SUMMARY...      store a finished call with its task
 *   quit                            stop the server and exit (so does end of input)
 * Usage: web_e2e_server DATABASE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live.h"
#include "log.h"
#include "web.h"
#include "web_fixture.h"

static int publish(struct live_registry *live, char *args)
{
	struct live_call call = {0};
	char *id = strtok(args, " "), *state = strtok(NULL, " "), *urgency = strtok(NULL, " ");
	char *text = strtok(NULL, "");

	if (!id || !state || !urgency)
		return 1;
	snprintf(call.call_id, sizeof(call.call_id), "%s", id);
	call.started_utc = (int64_t)time(NULL);
	call.updated_utc = call.started_utc;
	snprintf(call.state, sizeof(call.state), "%s", state);
	snprintf(call.caller_number, sizeof(call.caller_number), "+33612345678");
	snprintf(call.lang, sizeof(call.lang), "fr");
	snprintf(call.intent, sizeof(call.intent), "appointment");
	snprintf(call.urgency, sizeof(call.urgency), "%s", urgency);
	snprintf(call.understood, sizeof(call.understood), "%s", text ? text : "");
	return live_registry_update(live, &call);
}

static int add_call(const char *db_path, char *args)
{
	char *id = strtok(args, " "), *urgency = strtok(NULL, " "), *summary = strtok(NULL, "");

	if (!id || !urgency || !summary)
		return 1;
	return web_fixture_call(db_path, id, (int64_t)time(NULL) - 120, urgency, summary, NULL);
}

int main(int argc, char **argv)
{
	struct web_config config = {0};
	struct web_server *server = NULL;
	struct live_registry *live = NULL;
	char message[300], line[1024];
	int64_t task_id;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: web_e2e_server DATABASE\n");
		return 2;
	}
	log_set_level(LOGL_NOTICE);
	err = web_fixture_database(argv[1], (int64_t)time(NULL), &task_id, message, sizeof(message));
	if (!err)
		err = live_registry_create(&live, 16);
	config.db_path = argv[1];
	config.live = live;
	config.login_delay_ms = 50;
	if (!err)
		err = web_server_start(&server, &config, message, sizeof(message));
	if (err) {
		fprintf(stderr, "web_e2e_server: %s\n", message);
		live_registry_destroy(live);
		return 1;
	}
	printf("port %u\n", web_server_port(server));
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "quit") == 0)
			break;
		if (strncmp(line, "live ", 5) == 0)
			err = publish(live, line + 5);
		else if (strncmp(line, "end ", 4) == 0)
			err = live_registry_remove(live, line + 4);
		else if (strncmp(line, "call ", 5) == 0)
			err = add_call(argv[1], line + 5);
		else
			err = 1;
		printf(err ? "error %d\n" : "ok\n", err);
		fflush(stdout);
	}
	web_server_stop(server);
	live_registry_destroy(live);
	return 0;
}
