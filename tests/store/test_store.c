#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "test.h"

static struct store *open_fresh(const char *name)
{
	char path[512];
	struct store *st = NULL;
	const char *why = NULL;

	TEST_REQUIRE(store_open(&st, test_tmp_path(path, sizeof(path), name), STORE_CREATE, &why) == 0);
	TEST_REQUIRE(store_migrate(st) == 0);
	return st;
}

static void open_missing_file(void)
{
	char path[512];
	struct store *st = NULL;
	const char *why = NULL;

	TEST_EQ_INT(store_open(&st, test_tmp_path(path, sizeof(path), "none.db"), 0, &why), ENOENT);
	TEST_CHECK(st == NULL);
	TEST_EQ_STR(why, "the database file does not exist");
}

static void open_corrupt_file(void)
{
	char path[512];
	struct store *st = NULL;
	const char *why = NULL;
	FILE *f = fopen(test_tmp_path(path, sizeof(path), "corrupt.db"), "w");

	TEST_REQUIRE(f != NULL);
	fputs("this is a text file, not an SQLite database, but it is long enough to be read "
	      "as a header page by the library when it tries to open it ..............", f);
	fclose(f);
	TEST_EQ_INT(store_open(&st, path, 0, &why), EIO);
	TEST_CHECK(st == NULL);
	TEST_EQ_STR(why, "the file is not a database or is corrupt");
}

static void migrate_twice_is_noop(void)
{
	struct store *st = open_fresh("a.db");
	int version = 0;

	TEST_EQ_INT(store_schema_version(st, &version), 0);
	TEST_EQ_INT(version, store_schema_version_latest());
	TEST_EQ_INT(store_migrate(st), 0);
	TEST_EQ_INT(store_schema_version(st, &version), 0);
	TEST_EQ_INT(version, store_schema_version_latest());
	store_close(st);
}

static void newer_schema_refused(void)
{
	char path[512];
	struct store *st = open_fresh("new.db");
	const char *why = NULL;

	TEST_REQUIRE(db_exec(store_db(st), "PRAGMA user_version = 999") == 0);
	store_close(st);
	TEST_EQ_INT(store_open(&st, test_tmp_path(path, sizeof(path), "new.db"), 0, &why), ENOTSUP);
	TEST_EQ_STR(why, "the database was written by a newer version of permanence");
}

static void readonly_refuses_writes(void)
{
	char path[512];
	struct store *st = open_fresh("ro.db");
	const char *why = NULL;

	store_close(st);
	TEST_REQUIRE(store_open(&st, test_tmp_path(path, sizeof(path), "ro.db"), STORE_READONLY,
				&why) == 0);
	TEST_EQ_INT(store_setting_put(st, "greeting.fr", "Bonjour"), EROFS);
	TEST_CHECK(strstr(store_errmsg(st), "saving a setting") != NULL);
	store_close(st);
}

static void settings_round_trip(void)
{
	struct store *st = open_fresh("s.db");
	char value[64];

	TEST_EQ_INT(store_setting_get(st, "recording", value, sizeof(value)), ENOENT);
	TEST_EQ_INT(store_setting_put(st, "recording", "on"), 0);
	TEST_EQ_INT(store_setting_put(st, "recording", "off"), 0);
	TEST_EQ_INT(store_setting_get(st, "recording", value, sizeof(value)), 0);
	TEST_EQ_STR(value, "off");
	store_close(st);
}

static void patient_fold_search(void)
{
	struct store *st = open_fresh("p.db");
	struct store_patient p = {0}, *list = NULL;
	size_t count = 0;

	snprintf(p.last_name, sizeof(p.last_name), "Lefèvre");
	snprintf(p.first_name, sizeof(p.first_name), "Élise");
	snprintf(p.birth_date, sizeof(p.birth_date), "1958-03-12");
	snprintf(p.phone, sizeof(p.phone), "+33478112233");
	TEST_EQ_INT(store_patient_add(st, &p), 0);
	TEST_CHECK(p.id > 0);
	TEST_EQ_INT(store_patients_find_by_name(st, "LEFÈVRE", "1958-03-12", &list, &count), 0);
	TEST_EQ_INT(count, 1);
	free(list);
	TEST_EQ_INT(store_patients_find_by_name(st, "lefevre", "1958-03-12", &list, &count), 0);
	TEST_EQ_INT(count, 1);
	free(list);
	TEST_EQ_INT(store_patients_find_by_phone(st, "+33478112233", &list, &count), 0);
	TEST_EQ_INT(count, 1);
	if (count)
		TEST_EQ_STR(list[0].first_name, "Élise");
	free(list);
	memset(&p, 0, sizeof(p));
	TEST_EQ_INT(store_patient_add(st, &p), EINVAL);
	store_close(st);
}

static void calls_and_tasks(void)
{
	struct store *st = open_fresh("c.db");
	struct store_call call = {0}, got, *calls = NULL;
	struct store_task task = {0}, *tasks = NULL;
	size_t count = 0;

	snprintf(call.id, sizeof(call.id), "call-1");
	snprintf(call.channel, sizeof(call.channel), "chat");
	snprintf(call.outcome, sizeof(call.outcome), "booked");
	call.started_utc = 1000;
	call.ended_utc = 1100;
	call.summary_json = "{\"intent\":\"book\"}";
	call.transcript_json = "[{\"who\":\"caller\",\"text\":\"bonjour\"}]";
	TEST_EQ_INT(store_call_save(st, &call), 0);
	snprintf(call.id, sizeof(call.id), "call-2");
	call.started_utc = 2000;
	TEST_EQ_INT(store_call_save(st, &call), 0);
	TEST_EQ_INT(store_call_get(st, "call-1", &got), 0);
	TEST_EQ_STR(got.summary_json, "{\"intent\":\"book\"}");
	TEST_EQ_INT(got.ended_utc, 1100);
	store_call_release(&got);
	TEST_EQ_INT(store_call_get(st, "nope", &got), ENOENT);
	TEST_EQ_INT(store_calls_list(st, 10, 0, &calls, &count), 0);
	TEST_EQ_INT(count, 2);
	if (count == 2)
		TEST_EQ_STR(calls[0].id, "call-2");
	store_calls_free(calls, count);

	snprintf(task.kind, sizeof(task.kind), "prescription");
	task.priority = 2;
	task.created_utc = 1000;
	snprintf(task.call_id, sizeof(task.call_id), "call-1");
	TEST_EQ_INT(store_task_add(st, &task), 0);
	snprintf(task.kind, sizeof(task.kind), "emergency");
	task.priority = 0;
	task.created_utc = 2000;
	TEST_EQ_INT(store_task_add(st, &task), 0);
	TEST_EQ_INT(store_tasks_list(st, true, &tasks, &count), 0);
	TEST_EQ_INT(count, 2);
	if (count == 2)
		TEST_EQ_STR(tasks[0].kind, "emergency");
	store_tasks_free(tasks, count);
	TEST_EQ_INT(store_task_set_status(st, task.id, "done", "secretaire", 3000), 0);
	TEST_EQ_INT(store_task_set_status(st, task.id, "finished", NULL, 3000), EINVAL);
	TEST_EQ_INT(store_task_set_status(st, 9999, "done", NULL, 3000), ENOENT);
	TEST_EQ_INT(store_tasks_list(st, true, &tasks, &count), 0);
	TEST_EQ_INT(count, 1);
	store_tasks_free(tasks, count);
	/* A task pointing at an unknown call breaks the foreign key. */
	snprintf(task.call_id, sizeof(task.call_id), "no-such-call");
	TEST_EQ_INT(store_task_add(st, &task), EEXIST);
	store_close(st);
}

static const struct test_case cases[] = {
	TEST_CASE(open_missing_file),	   TEST_CASE(open_corrupt_file),
	TEST_CASE(migrate_twice_is_noop),  TEST_CASE(newer_schema_refused),
	TEST_CASE(readonly_refuses_writes), TEST_CASE(settings_round_trip),
	TEST_CASE(patient_fold_search),	   TEST_CASE(calls_and_tasks),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
