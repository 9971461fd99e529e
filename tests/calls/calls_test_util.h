/*
 * Helpers for the calls tests: the calls service running in the test process on a
 * fresh demo practice, inside a private network namespace; sipp callers written from the
 * templates in tests/calls/scenarios; checks on the call records the service wrote.
 */
#ifndef PERMANENCE_CALLS_TEST_UTIL_H
#define PERMANENCE_CALLS_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "calls.h"
#include "config.h"
#include "store.h"

struct live_registry;

struct test_server {
	struct config config;
	struct calls *calls;
	struct live_registry *live;
	char dir[512];
	char db[600];
	uint16_t sip_port;
};

/* A placeholder of a scenario template (without the at signs) and its value. */
struct test_subst {
	const char *name;
	const char *value;
};

/*
 * Enter a network namespace, create the demo practice in a fresh database whose
 * secretariat is always open, and fill the configuration (loopback, free ports, the
 * practice's language `lang`). The test may change `config` before test_server_start().
 */
void test_server_init(struct test_server *s, const char *lang);
void test_server_start(struct test_server *s);
void test_server_stop(struct test_server *s);
/* Write the server's configuration as a file for `permanence serve --config`. */
void test_server_write_config(struct test_server *s, const char *path);

/* Set a practice setting in the server's database. */
void test_server_setting(struct test_server *s, const char *key, const char *value);

/* Read a template from tests/calls/scenarios with the substitutions into a malloc'd string. */
char *test_template(const char *name, const struct test_subst *subs, size_t count);

/*
 * Write a caller scenario into the test's folder: `caller` the number sipp calls from,
 * `peer_port` the media peer, `actions` and `end` the parts filled in. Returns the path
 * in a static buffer.
 */
const char *test_caller_scenario(struct test_server *s, const char *name, const char *caller,
				 uint16_t peer_port, const char *actions, const char *end);

/* Start sipp with a scenario against the server's SIP port; returns its PID. */
pid_t test_sipp_start(struct test_server *s, const char *scenario, const char *label);
/* Wait for sipp (dumping its logs on failure); returns its exit status, -1 on timeout. */
int test_sipp_wait(struct test_server *s, pid_t pid, const char *label, unsigned timeout_ms);

/* The newest call record of the database (JSON strings included); false when none. */
bool test_last_call(const char *db, struct store_call *call);
/* Print a call's transcript to stderr, for a failed check. */
void test_dump_call(const struct store_call *call);
/* How many transcript entries of a kind (and, when not NULL, with this key) the call has. */
unsigned test_transcript_count(const struct store_call *call, const char *kind, const char *key);
/* The booked appointment the call made, or false. */
bool test_call_appointment(const char *db, const char *call_id, struct store_appointment *out);

/* A sentence synthesised with a voice other than the assistant's, 8 kHz. */
int test_synthesize(const char *engine, const char *voice, const char *lang, const char *text,
		    int16_t **pcm, size_t *count);

#endif
