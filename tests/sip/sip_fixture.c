/*
 * The user agent under test, the test application and sipp.
 */
#include "sip_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "test.h"

void fixture_init(struct fixture *f)
{
	int err;

	memset(f, 0, sizeof(*f));
	err = sip_test_netns_enter();
	if (err) {
		fprintf(stderr, "    cannot create a network namespace (%s): the SIP tests need "
			"CAP_SYS_ADMIN, so run them as root\n", strerror(err));
		TEST_REQUIRE(err == 0);
	}
	test_tmp_path(f->tmp, sizeof(f->tmp), "");

	sip_config_init(&f->cfg);
	snprintf(f->cfg.listen_address, sizeof(f->cfg.listen_address), "127.0.0.1");
	f->cfg.sip_port = 0;
	f->cfg.rtp_port_min = 30000;
	f->cfg.rtp_port_max = 30200;
	f->cfg.shutdown_grace_s = 5;
	log_set_level(getenv("SIP_TEST_DEBUG") ? LOGL_DEBUG : LOGL_INFO);
}

void fixture_start(struct fixture *f, const struct test_app_options *options)
{
	TEST_REQUIRE(test_app_init(&f->app, options, &f->handler) == 0);
	TEST_REQUIRE(sip_ua_start(&f->ua, &f->cfg, &f->handler) == 0);
	TEST_REQUIRE(sip_test_probe_start(&f->probe) == 0);
	f->app.ua = f->ua;
	f->probe_running = true;
}

void fixture_stop(struct fixture *f)
{
	if (f->ua) {
		(void)sip_ua_shutdown(f->ua);
		sip_ua_wait(f->ua);
		sip_ua_destroy(f->ua);
		f->ua = NULL;
	}
	if (f->probe_running) {
		sip_test_probe_stop(&f->probe);
		f->probe_running = false;
	}
	test_app_close(&f->app);
}

static char *substitute(const char *text, const struct subst *subs, size_t count)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out;

	for (size_t i = 0; i < count; i++)
		cap += 8 * strlen(subs[i].value) + 64;
	out = malloc(cap * 4);
	if (!out)
		return NULL;
	cap *= 4;

	while (*text) {
		bool replaced = false;

		if (*text == '@') {
			for (size_t i = 0; i < count; i++) {
				size_t n = strlen(subs[i].name);

				if (!strncmp(text + 1, subs[i].name, n) && text[1 + n] == '@') {
					size_t v = strlen(subs[i].value);

					if (len + v + 1 >= cap)
						break;
					memcpy(out + len, subs[i].value, v);
					len += v;
					text += n + 2;
					replaced = true;
					break;
				}
			}
		}
		if (!replaced) {
			if (len + 2 >= cap)
				break;
			out[len++] = *text++;
		}
	}
	out[len] = '\0';
	return out;
}

static char *template_read(const char *name)
{
	char relative[256], path[1024];
	uint8_t *data;
	size_t len;

	snprintf(relative, sizeof(relative), "tests/sip/scenarios/%s", name);
	if (sip_test_read_file(sip_test_source_path(path, sizeof(path), relative), &data, &len))
		return NULL;
	return (char *)data;
}

char *fixture_fragment(const char *name, const struct subst *subs, size_t count)
{
	char *text = template_read(name), *out;

	if (!text)
		return NULL;
	out = substitute(text, subs, count);
	free(text);
	return out;
}

/* A placeholder left in a scenario ("@NAME@" in capitals) is a mistake in the test. */
static bool placeholder_left(const char *text, const char *name)
{
	for (const char *p = strchr(text, '@'); p; p = strchr(p + 1, '@')) {
		size_t n = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

		if (n && p[1 + n] == '@') {
			fprintf(stderr, "    scenario %s: placeholder %.*s not filled\n", name,
				(int)n + 2, p);
			return true;
		}
	}
	return false;
}

int fixture_scenario(struct fixture *f, const char *name, const struct subst *subs,
		     size_t count, char *path, size_t size)
{
	/* Defaults: our address in SDP and Contact is loopback, and no extra INVITE header. */
	struct subst all[32];
	char *out;
	int err;

	if (count + 3 > sizeof(all) / sizeof(all[0]))
		return E2BIG;
	for (size_t i = 0; i < count; i++)
		all[i] = subs[i];
	all[count] = (struct subst){"MEDIA_HOST", "127.0.0.1"};
	all[count + 1] = (struct subst){"CONTACT_HOST", "127.0.0.1"};
	all[count + 2] = (struct subst){"EXTRA_HEADERS", ""};
	out = fixture_fragment(name, all, count + 3);

	if (!out)
		return ENOENT;
	if (placeholder_left(out, name)) {
		free(out);
		return EINVAL;
	}
	snprintf(path, size, "%s/%s", f->tmp, name);
	err = sip_test_write_file(path, out);
	free(out);
	return err;
}

pid_t fixture_sipp_start(struct fixture *f, const char *scenario_path, const char *transport,
			 bool uas, uint16_t uas_port, const char *label)
{
	char target[64], local_port[16], media_port[16], log[600], errors[600], messages[600];
	uint16_t port = uas ? uas_port : sip_test_free_port();
	uint16_t mport = sip_test_free_port();
	const char *protocol = transport && transport[0] == 't' ? "tcp" : "udp";

	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_ua_port(f->ua, protocol));
	snprintf(local_port, sizeof(local_port), "%u", port);
	snprintf(media_port, sizeof(media_port), "%u", mport);
	snprintf(log, sizeof(log), "%s/%s.log", f->tmp, label);
	snprintf(errors, sizeof(errors), "%s/%s-errors.log", f->tmp, label);
	snprintf(messages, sizeof(messages), "%s/%s-messages.log", f->tmp, label);

	char *argv_uac[] = {"sipp", target, "-sf", (char *)scenario_path, "-m", "1", "-i",
			    "127.0.0.1", "-p", local_port, "-mi", "127.0.0.1", "-mp", media_port,
			    "-t", (char *)(transport ? transport : "u1"), "-nostdin", "-timeout",
			    "60s", "-timeout_error", "-trace_err", "-error_file", errors,
			    "-trace_msg", "-message_file", messages, NULL};
	char *argv_uas[] = {"sipp", "-sf", (char *)scenario_path, "-m", "1", "-i", "127.0.0.1",
			    "-p", local_port, "-t", (char *)(transport ? transport : "u1"),
			    "-nostdin", "-timeout", "60s", "-timeout_error", "-trace_err",
			    "-error_file", errors, "-trace_msg", "-message_file", messages, NULL};

	return sip_test_spawn(uas ? argv_uas : argv_uac, log);
}

int fixture_sipp_wait(struct fixture *f, pid_t pid, const char *label, unsigned timeout_ms)
{
	return sip_test_sipp_wait(f->tmp, pid, label, timeout_ms);
}

int fixture_sipp_run(struct fixture *f, const char *scenario, const struct subst *subs,
		     size_t count, const char *transport, unsigned timeout_ms)
{
	char path[600];
	pid_t pid;

	if (fixture_scenario(f, scenario, subs, count, path, sizeof(path)))
		return -1;
	pid = fixture_sipp_start(f, path, transport, false, 0, "sipp");
	if (pid < 0)
		return -1;
	return fixture_sipp_wait(f, pid, "sipp", timeout_ms);
}
