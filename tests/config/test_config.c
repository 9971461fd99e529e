#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "test.h"

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f = fopen(test_tmp_path(path, sizeof(path), name), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void defaults_are_loopback(void)
{
	struct config c;

	config_defaults(&c);
	TEST_EQ_STR(c.sip_listen, "127.0.0.1:5060");
	TEST_EQ_STR(c.http_listen, "127.0.0.1:8080");
	TEST_EQ_STR(c.language, "fr");
	TEST_EQ_INT(c.max_calls, 100);
	TEST_CHECK(!c.recording);
	TEST_EQ_INT(c.end_of_turn_ms, 200);
}

static void sample_file_loads(void)
{
	const char *root = getenv("PERMANENCE_SOURCE_DIR");
	struct config c, d;
	char path[512], error[300];

	TEST_REQUIRE(root != NULL);
	snprintf(path, sizeof(path), "%s/permanence.conf.sample", root);
	config_defaults(&c);
	config_defaults(&d);
	TEST_EQ_INT(config_load(&c, path, error, sizeof(error)), 0);
	/* The sample shows every default: loading it changes nothing. */
	TEST_CHECK(memcmp(&c, &d, sizeof(c)) == 0);
}

static void values_parsed(void)
{
	struct config c;
	char error[300];
	const char *path = write_file("a.conf", "# comment\n"
						"[sip]\n"
						"listen = 192.0.2.10:5080   # LAN address\n"
						"max_calls = 12\n"
						"password = \"p#ss word\"\n"
						"\n"
						"[calls]\n"
						"recording = on\n"
						"end_of_turn_ms = 350\n"
						"[speech]\n"
						"asr_min_confidence = 0.75\n");

	config_defaults(&c);
	TEST_EQ_INT(config_load(&c, path, error, sizeof(error)), 0);
	TEST_EQ_STR(c.sip_listen, "192.0.2.10:5080");
	TEST_EQ_INT(c.max_calls, 12);
	TEST_EQ_STR(c.sip_password, "p#ss word");
	TEST_CHECK(c.recording);
	TEST_CHECK(c.asr_min_confidence > 0.74 && c.asr_min_confidence < 0.76);
	TEST_EQ_INT(c.end_of_turn_ms, 350);
}

static void errors_name_line_and_key(void)
{
	static const struct {
		const char *text;
		const char *expected;
	} cases[] = {
		{"[sip]\nmax_calls = lots\n", "bad.conf:2: sip.max_calls: invalid value 'lots'"},
		{"[sip]\nmax_calls = 0\n", "from 1 to 2000"},
		{"[sip]\nlisten_on = x\n", "unknown key 'sip.listen_on'"},
		{"listen = x\n", "outside any [section]"},
		{"[sip\n", "invalid section header"},
		{"[practice]\nlanguage = de\n", "use one of fr|en"},
		{"[calls]\nrecording = maybe\n", "use on or off"},
		{"[sip]\npassword = \"open\n", "unterminated quoted value"},
		{"[sip]\njust some words\n", "expected 'key = value'"},
		{"[sip]\nrtp_port_min = 3000\nrtp_port_max = 2000\n", "must be below"},
		{"[calls]\nend_of_turn_ms = -1\n", "from 0 to 2000"},
		{"[calls]\nend_of_turn_ms = 2001\n", "from 0 to 2000"},
		{"[calls]\nend_of_turn_ms = fast\n", "calls.end_of_turn_ms: invalid value 'fast'"},
		{"[calls]\nend_of_turn_ms = 0.2\n", "calls.end_of_turn_ms: invalid value '0.2'"},
	};
	char error[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		const char *path = write_file("bad.conf", cases[i].text);

		config_defaults(&c);
		TEST_EQ_INT(config_load(&c, path, error, sizeof(error)), EINVAL);
		if (!TEST_CHECK(strstr(error, cases[i].expected) != NULL))
			fprintf(stderr, "    case %zu: error was: %s\n", i, error);
	}
}

static void missing_file(void)
{
	struct config c;
	char error[300];

	config_defaults(&c);
	TEST_EQ_INT(config_load(&c, "/nonexistent/permanence.conf", error, sizeof(error)), ENOENT);
	TEST_CHECK(strstr(error, "/nonexistent/permanence.conf") != NULL);
}

static void overrides(void)
{
	struct config c;
	char error[300];

	config_defaults(&c);
	TEST_EQ_INT(config_set(&c, "http.listen", "127.0.0.1:9090", error, sizeof(error)), 0);
	TEST_EQ_STR(c.http_listen, "127.0.0.1:9090");
	TEST_EQ_INT(config_set(&c, "http.port", "1", error, sizeof(error)), EINVAL);
	TEST_CHECK(config_key_reloadable("log.level"));
	TEST_CHECK(!config_key_reloadable("sip.listen"));
}

static const struct test_case cases[] = {
	TEST_CASE(defaults_are_loopback), TEST_CASE(sample_file_loads),
	TEST_CASE(values_parsed),	  TEST_CASE(errors_name_line_and_key),
	TEST_CASE(missing_file),	  TEST_CASE(overrides),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
