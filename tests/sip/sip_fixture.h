/*
 * A running user agent with the test application, in a private network namespace, and
 * sipp runs against it from scenario templates (tests/sip/scenarios).
 */
#ifndef PERMANENCE_SIP_FIXTURE_H
#define PERMANENCE_SIP_FIXTURE_H

#include "sip.h"
#include "sip_test_util.h"
#include "test_app.h"

struct fixture {
	struct sip_config cfg;
	struct test_app app;
	struct sip_handler handler;
	struct sip_ua *ua;
	struct sip_test_probe probe;
	bool probe_running;
	char tmp[512];
};

/* A placeholder of a scenario template and its value. */
struct subst {
	const char *name; /* without the @ signs */
	const char *value;
};

/*
 * Enter a network namespace and fill `cfg` with the test defaults (loopback, free
 * ports). The caller may change `f->cfg` before fixture_start(). Fails the test case
 * when the namespace cannot be created.
 */
void fixture_init(struct fixture *f);

/* Start the user agent and the RTP probe. */
void fixture_start(struct fixture *f, const struct test_app_options *options);

/* Stop the user agent (graceful, then forced), the probe and the application. */
void fixture_stop(struct fixture *f);

/*
 * Write scenario `name` from tests/sip/scenarios with the substitutions into the case's
 * temporary folder, and return its path in `path`.
 */
int fixture_scenario(struct fixture *f, const char *name, const struct subst *subs,
		     size_t count, char *path, size_t size);

/* Read a fragment (frag_*.xml) with substitutions into a malloc'd string. */
char *fixture_fragment(const char *name, const struct subst *subs, size_t count);

/*
 * Start sipp as a caller (`uas` false) against the user agent, or as a server listening
 * on `uas_port`. `transport` is "u1" or "t1". Returns the PID, or -1.
 */
pid_t fixture_sipp_start(struct fixture *f, const char *scenario_path, const char *transport,
			 bool uas, uint16_t uas_port, const char *label);

/* Wait for a sipp started by fixture_sipp_start(); dumps its logs when it fails. */
int fixture_sipp_wait(struct fixture *f, pid_t pid, const char *label, unsigned timeout_ms);

/* Run a caller scenario to the end; returns sipp's exit status. */
int fixture_sipp_run(struct fixture *f, const char *scenario, const struct subst *subs,
		     size_t count, const char *transport, unsigned timeout_ms);

#endif
