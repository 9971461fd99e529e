#include "web_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "store.h"

static int add_user(struct store *st, const char *name, const char *role,
		    int64_t practitioner_id, int64_t now)
{
	struct store_user u = {0};
	int err;

	snprintf(u.username, sizeof(u.username), "%s", name);
	snprintf(u.display_name, sizeof(u.display_name), "%s (test)", name);
	snprintf(u.role, sizeof(u.role), "%s", role);
	snprintf(u.lang, sizeof(u.lang), "fr");
	u.practitioner_id = practitioner_id;
	u.created_utc = now;
	err = web_password_hash(FIXTURE_PASSWORD, u.password_hash, sizeof(u.password_hash));
	return err ? err : store_user_add(st, &u);
}

int web_fixture_call(const char *db_path, const char *call_id, int64_t started,
		     const char *urgency, const char *summary, int64_t *task_id)
{
	char summary_json[600], transcript[600];
	struct store_call call = {0};
	struct store_task task = {0};
	struct store *st = NULL;
	bool emergency = strcmp(urgency, "emergency") == 0;
	int err;

	err = store_open(&st, db_path, 0, NULL);
	if (err)
		return err;
	snprintf(transcript, sizeof(transcript),
		 "[{\"speaker\":\"assistant\",\"text\":\"Cabinet médical des Tilleuls, bonjour.\"},"
		 "{\"speaker\":\"caller\",\"text\":\"%s\"}]",
		 emergency ? "Mon père a une douleur dans la poitrine depuis ce matin."
			   : "Je voudrais que le médecin me rappelle.");
	snprintf(summary_json, sizeof(summary_json),
		 "{\"text\":\"%s\",\"actions\":[\"task\"],\"urgency_cues\":[%s]}", summary,
		 emergency ? "\"douleur thoracique\"" : "");
	snprintf(call.id, sizeof(call.id), "%s", call_id);
	snprintf(call.channel, sizeof(call.channel), "sip");
	snprintf(call.caller_number, sizeof(call.caller_number), "+33612345678");
	snprintf(call.lang, sizeof(call.lang), "fr");
	call.started_utc = started;
	call.answered_utc = started + 1;
	call.ended_utc = started + 95;
	snprintf(call.outcome, sizeof(call.outcome), "%s", emergency ? "emergency" : "task");
	snprintf(call.urgency, sizeof(call.urgency), "%s", urgency);
	snprintf(call.intent, sizeof(call.intent), "%s", emergency ? "emergency" : "callback");
	snprintf(call.reason, sizeof(call.reason), "%s", summary);
	call.patient_id = 1;
	call.summary_json = summary_json;
	call.transcript_json = transcript;
	err = store_call_save(st, &call);
	if (!err) {
		task.created_utc = started + 95;
		snprintf(task.kind, sizeof(task.kind), "%s", emergency ? "emergency" : "callback");
		task.priority = emergency ? 0 : strcmp(urgency, "urgent") == 0 ? 1 : 2;
		snprintf(task.call_id, sizeof(task.call_id), "%s", call_id);
		task.patient_id = 1;
		task.practitioner_id = 1;
		snprintf(task.caller_number, sizeof(task.caller_number), "+33612345678");
		snprintf(task.summary, sizeof(task.summary), "%s", summary);
		err = store_task_add(st, &task);
	}
	if (!err && task_id)
		*task_id = task.id;
	store_close(st);
	return err;
}

int web_fixture_database(const char *db_path, int64_t now, int64_t *task_id, char *message,
			 size_t size)
{
	struct store *st = NULL;
	int err;

	message[0] = '\0';
	err = store_open(&st, db_path, STORE_CREATE, NULL);
	if (!err)
		err = store_migrate(st);
	if (!err)
		err = agenda_demo_create(st, now, message, size);
	if (!err)
		err = add_user(st, FIXTURE_ADMIN, "admin", 0, now);
	if (!err)
		err = add_user(st, FIXTURE_SECRETARY, "secretary", 0, now);
	if (!err)
		err = add_user(st, FIXTURE_PRACTITIONER, "practitioner", 1, now);
	if (err && !message[0])
		snprintf(message, size, "%s", st ? store_errmsg(st) : strerror(err));
	store_close(st);
	if (err)
		return err;
	return web_fixture_call(db_path, FIXTURE_CALL_ID, now - 3600, "emergency",
				"Douleur thoracique chez le père, rappel demandé", task_id);
}
