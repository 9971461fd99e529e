/*
 * Helpers for the calls tests; see calls_test_util.h.
 */
#include "calls_test_util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo.h"
#include "live.h"
#include "log.h"
#include "sip_test_util.h"
#include "synth.h"
#include "test.h"

static void set_key(struct config *config, const char *key, const char *value)
{
	char error[300];

	if (config_set(config, key, value, error, sizeof(error)) != 0) {
		fprintf(stderr, "    config %s: %s\n", key, error);
		TEST_REQUIRE(false);
	}
}

void test_server_init(struct test_server *s, const char *lang)
{
	struct store *st = NULL;
	const char *why = NULL;
	char message[300], value[700];
	int err;

	memset(s, 0, sizeof(*s));
	err = sip_test_netns_enter();
	if (err) {
		fprintf(stderr, "    cannot create a network namespace (%s): the calls tests need"
			" CAP_SYS_ADMIN, so run them as root\n", strerror(err));
		TEST_REQUIRE(err == 0);
	}
	log_set_level(getenv("CALLS_TEST_DEBUG") ? LOGL_DEBUG : LOGL_INFO);
	test_tmp_path(s->dir, sizeof(s->dir), "");
	snprintf(s->db, sizeof(s->db), "%s/practice.db", s->dir);

	TEST_REQUIRE(store_open(&st, s->db, STORE_CREATE, &why) == 0);
	TEST_REQUIRE(store_migrate(st) == 0);
	err = agenda_demo_create(st, (int64_t)time(NULL), message, sizeof(message));
	if (err)
		fprintf(stderr, "    demo practice: %s\n", message);
	TEST_REQUIRE(err == 0);
	/* Always open, so that a transfer is offered whatever the time of the run. */
	TEST_REQUIRE(store_setting_put(st, "secretariat.hours", "1-7 00:00-23:59") == 0);
	store_close(st);

	s->sip_port = sip_test_free_port();
	TEST_REQUIRE(s->sip_port != 0);
	config_defaults(&s->config);
	set_key(&s->config, "practice.db", s->db);
	set_key(&s->config, "practice.language", lang);
	snprintf(value, sizeof(value), "127.0.0.1:%u", s->sip_port);
	set_key(&s->config, "sip.listen", value);
	set_key(&s->config, "sip.rtp_port_min", "30000");
	set_key(&s->config, "sip.rtp_port_max", "30400");
	set_key(&s->config, "speech.workers", "2");
	snprintf(value, sizeof(value), "%s/recordings", s->dir);
	set_key(&s->config, "calls.recordings_dir", value);
}

void test_server_start(struct test_server *s)
{
	char message[512];
	int err;

	TEST_REQUIRE(live_registry_create(&s->live, 64) == 0);
	err = calls_start(&s->calls, &s->config, s->live, message, sizeof(message));
	if (err)
		fprintf(stderr, "    calls_start: %s (%s)\n", message, strerror(err));
	TEST_REQUIRE(err == 0);
}

void test_server_stop(struct test_server *s)
{
	calls_stop(s->calls);
	s->calls = NULL;
	live_registry_destroy(s->live);
	s->live = NULL;
}

void test_server_write_config(struct test_server *s, const char *path)
{
	const struct config *c = &s->config;
	char text[4096];

	snprintf(text, sizeof(text),
		 "[practice]\ndb = %s\nlanguage = %s\n"
		 "[sip]\nlisten = %s\nrtp_port_min = %d\nrtp_port_max = %d\n"
		 "[speech]\nworkers = %d\n"
		 "[http]\nlisten = off\n"
		 "[calls]\nrecording = %s\nrecordings_dir = %s\nshutdown_grace = %d\n"
		 "no_input_timeout = %d\n"
		 "[log]\nlevel = info\n",
		 c->db_path, c->language, c->sip_listen, c->rtp_port_min, c->rtp_port_max,
		 c->speech_workers, c->recording ? "on" : "off", c->recordings_dir,
		 c->shutdown_grace_s, c->no_input_timeout_s);
	TEST_REQUIRE(sip_test_write_file(path, text) == 0);
}

void test_server_setting(struct test_server *s, const char *key, const char *value)
{
	struct store *st = NULL;
	const char *why = NULL;

	TEST_REQUIRE(store_open(&st, s->db, 0, &why) == 0);
	TEST_REQUIRE(store_setting_put(st, key, value) == 0);
	store_close(st);
}

/* Replace every "@NAME@" of the substitutions; other at signs stay. */
static char *substitute(const char *text, const struct test_subst *subs, size_t count)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out;

	for (size_t i = 0; i < count; i++)
		cap += 8 * strlen(subs[i].value) + 64;
	out = malloc(cap);
	if (!out)
		return NULL;
	while (*text) {
		bool replaced = false;

		for (size_t i = 0; *text == '@' && i < count; i++) {
			size_t n = strlen(subs[i].name);
			size_t v = strlen(subs[i].value);

			if (strncmp(text + 1, subs[i].name, n) != 0 || text[1 + n] != '@')
				continue;
			if (len + v + 1 >= cap)
				break;
			memcpy(out + len, subs[i].value, v);
			len += v;
			text += n + 2;
			replaced = true;
			break;
		}
		if (!replaced && len + 2 < cap)
			out[len++] = *text++;
		else if (!replaced)
			break;
	}
	out[len] = '\0';
	return out;
}

char *test_template(const char *name, const struct test_subst *subs, size_t count)
{
	char relative[256], path[1024];
	uint8_t *data;
	size_t len;
	char *out;

	snprintf(relative, sizeof(relative), "tests/calls/scenarios/%s", name);
	if (sip_test_read_file(sip_test_source_path(path, sizeof(path), relative), &data, &len))
		return NULL;
	out = substitute((const char *)data, subs, count);
	free(data);
	return out;
}

const char *test_caller_scenario(struct test_server *s, const char *name, const char *caller,
				 uint16_t peer_port, const char *actions, const char *end)
{
	static char path[700];
	char port[16];
	struct test_subst parts[] = {{"ACTIONS", actions ? actions : ""}, {"END", end}};
	struct test_subst values[] = {{"CALLER", caller}, {"PEER_PORT", port}};
	char *first, *text;

	snprintf(port, sizeof(port), "%u", peer_port);
	first = test_template("caller.xml", parts, 2);
	TEST_REQUIRE(first != NULL);
	text = substitute(first, values, 2);
	free(first);
	TEST_REQUIRE(text != NULL);
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	TEST_REQUIRE(sip_test_write_file(path, text) == 0);
	free(text);
	return path;
}

pid_t test_sipp_start(struct test_server *s, const char *scenario, const char *label)
{
	char target[64], local_port[16], media_port[16], log[700], errors[700], messages[700];

	snprintf(target, sizeof(target), "127.0.0.1:%u", s->sip_port);
	snprintf(local_port, sizeof(local_port), "%u", sip_test_free_port());
	snprintf(media_port, sizeof(media_port), "%u", sip_test_free_port());
	snprintf(log, sizeof(log), "%s/%s.log", s->dir, label);
	snprintf(errors, sizeof(errors), "%s/%s-errors.log", s->dir, label);
	snprintf(messages, sizeof(messages), "%s/%s-messages.log", s->dir, label);

	char *argv[] = {"sipp", target, "-sf", (char *)scenario, "-m", "1", "-i", "127.0.0.1",
			"-p", local_port, "-mi", "127.0.0.1", "-mp", media_port, "-t", "u1",
			"-nostdin", "-timeout", "240s", "-timeout_error", "-trace_err",
			"-error_file", errors, "-trace_msg", "-message_file", messages, NULL};

	return sip_test_spawn(argv, log);
}

int test_sipp_wait(struct test_server *s, pid_t pid, const char *label, unsigned timeout_ms)
{
	return sip_test_sipp_wait(s->dir, pid, label, timeout_ms);
}

bool test_last_call(const char *db, struct store_call *call)
{
	struct store *st = NULL;
	struct store_call *list = NULL;
	const char *why = NULL;
	size_t count = 0;

	memset(call, 0, sizeof(*call));
	if (store_open(&st, db, 0, &why) != 0)
		return false;
	if (store_calls_list(st, 1, 0, &list, &count) == 0 && count == 1) {
		*call = list[0];
		free(list); /* the JSON strings now belong to `call` */
	} else {
		store_calls_free(list, count);
		count = 0;
	}
	store_close(st);
	return count == 1;
}

void test_dump_call(const struct store_call *call)
{
	json_t *root = call->transcript_json ? json_loads(call->transcript_json, 0, NULL) : NULL;
	size_t i;
	json_t *entry;

	fprintf(stderr, "    call %s: outcome '%s', language %s\n", call->id, call->outcome,
		call->lang);
	json_array_foreach(root, i, entry) {
		const char *text = json_string_value(json_object_get(entry, "text"));

		fprintf(stderr, "      %s %s %s: %s\n",
			json_string_value(json_object_get(entry, "speaker")),
			json_string_value(json_object_get(entry, "kind")),
			json_string_value(json_object_get(entry, "key")) ?
				json_string_value(json_object_get(entry, "key")) : "",
			text ? text : "");
	}
	json_decref(root);
}

unsigned test_transcript_count(const struct store_call *call, const char *kind, const char *key)
{
	json_t *root = call->transcript_json ? json_loads(call->transcript_json, 0, NULL) : NULL;
	unsigned count = 0;
	size_t i;
	json_t *entry;

	json_array_foreach(root, i, entry) {
		const char *k = json_string_value(json_object_get(entry, "kind"));
		const char *m = json_string_value(json_object_get(entry, "key"));

		if (k && !strcmp(k, kind) && (!key || (m && !strcmp(m, key))))
			count++;
	}
	json_decref(root);
	return count;
}

bool test_call_appointment(const char *db, const char *call_id, struct store_appointment *out)
{
	struct store *st = NULL;
	struct store_appointment *list = NULL;
	const char *why = NULL;
	size_t count = 0;
	int64_t now = (int64_t)time(NULL);
	bool found = false;

	if (store_open(&st, db, 0, &why) != 0)
		return false;
	if (store_appointments_range(st, now - 86400, now + 200 * 86400, 0, &list, &count) == 0) {
		for (size_t i = 0; i < count && !found; i++) {
			if (!strcmp(list[i].call_id, call_id)) {
				*out = list[i];
				found = true;
			}
		}
	}
	free(list);
	store_close(st);
	return found;
}

int test_synthesize(const char *engine, const char *voice, const char *lang, const char *text,
		    int16_t **pcm, size_t *count)
{
	struct speech_synth *synth = NULL;
	struct speech_audio audio = {0};
	int err = speech_synth_create(&synth, engine);

	if (!err)
		err = speech_synth_speak(synth, text, lang, voice, &audio);
	speech_synth_destroy(synth);
	if (err)
		return err;
	*pcm = audio.samples;
	*count = audio.count;
	return 0;
}
