/*
 * The RFC 4475 torture messages sent to the running user agent over UDP and TCP while a
 * call set up by sipp goes on. Each message must get the response listed in
 * tests/sip/rfc4475_expect.tsv (or no response where the table has "drop"), nothing may crash,
 * and the call must carry audio to its normal end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip_fixture.h"
#include "test.h"

#define UA_PORT 5080
#define WAIT_MS 150

struct expectation {
	char file[64];
	char section[16];
	char udp[32];
};

static size_t read_expectations(struct expectation *rows, size_t max)
{
	char path[1024];
	uint8_t *data;
	size_t len, count = 0;
	char *line, *save = NULL;

	if (sip_test_read_file(sip_test_source_path(path, sizeof(path),
						    "tests/sip/rfc4475_expect.tsv"),
			       &data, &len))
		return 0;
	for (line = strtok_r((char *)data, "\n", &save); line && count < max;
	     line = strtok_r(NULL, "\n", &save)) {
		char rfc[32];

		if (line[0] == '#' || !line[0])
			continue;
		if (sscanf(line, "%63[^\t]\t%15[^\t]\t%31[^\t]\t%31[^\t]", rows[count].file,
			   rows[count].section, rfc, rows[count].udp) == 4)
			count++;
	}
	free(data);
	return count;
}

/* The text after "name=" up to ';', ',', space or the line end, in the first Via. */
static bool via_value(const char *msg, size_t len, const char *name, char *out, size_t size)
{
	const char *end = msg + len, *line = msg;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t n = eol ? (size_t)(eol - line) : (size_t)(end - line);

		if (n > 2 && (!strncasecmp(line, "Via", 3) || !strncasecmp(line, "v:", 2) ||
			      !strncasecmp(line, "v :", 3))) {
			char copy[2048];
			char *p;

			snprintf(copy, sizeof(copy), "%.*s", (int)n, line);
			p = strstr(copy, name);
			if (!p)
				return false;
			p += strlen(name);
			p[strcspn(p, ";, \r\t")] = '\0';
			snprintf(out, size, "%s", p);
			return out[0] != '\0';
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return false;
}

/* The value of the Call-ID header ("Call-ID:" or the compact "i:"). */
static bool call_id(const char *msg, size_t len, char *out, size_t size)
{
	const char *end = msg + len, *line = msg;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t n = eol ? (size_t)(eol - line) : (size_t)(end - line);
		const char *value = NULL;

		if (n > 8 && !strncasecmp(line, "Call-ID", 7))
			value = memchr(line, ':', n);
		else if (n > 2 && line[0] == 'i' && line[1] == ':')
			value = line + 1;
		if (value) {
			value++;
			while (*value == ' ')
				value++;
			snprintf(out, size, "%.*s", (int)strcspn(value, "\r\n"), value);
			return true;
		}
		if (n <= 1)
			break; /* end of the headers */
		if (!eol)
			break;
		line = eol + 1;
	}
	return false;
}

/* The port of the first Via's sent-by, where a response goes without rport. */
static uint16_t via_port(const char *msg, size_t len)
{
	const char *end = msg + len, *line = msg;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t n = eol ? (size_t)(eol - line) : (size_t)(end - line);

		if (n > 4 && !strncasecmp(line, "Via:", 4)) {
			char copy[512], *host, *colon;

			snprintf(copy, sizeof(copy), "%.*s", (int)n, line);
			host = strstr(copy, "UDP ");
			if (!host)
				return 5060;
			host += 4;
			host[strcspn(host, ";,\r")] = '\0';
			colon = strrchr(host, ':');
			return colon ? (uint16_t)atoi(colon + 1) : 5060;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return 5060;
}

static bool status_accepted(const char *reply, const char *expected)
{
	char copy[32], *save = NULL;

	if (!strcmp(expected, "drop"))
		return reply[0] == '\0';
	if (strncmp(reply, "SIP/2.0 ", 8) != 0)
		return false;
	snprintf(copy, sizeof(copy), "%s", expected);
	for (char *code = strtok_r(copy, "|", &save); code; code = strtok_r(NULL, "|", &save)) {
		if (!strncmp(reply + 8, code, strlen(code)))
			return true;
	}
	return false;
}

static bool first_call_ended(void *arg)
{
	struct test_app_call c;

	return test_app_call(arg, 0, &c) && c.end_reason >= 0;
}

static bool call_started(void *arg)
{
	struct test_app_call c;

	return test_app_call(arg, 0, &c) && c.started;
}

/* Branches of the messages sent so far (several torture messages share one). */
static char sent_branches[64][128];
static unsigned sent_count;

static bool branch_seen(const char *branch)
{
	for (unsigned i = 0; i < sent_count; i++) {
		if (!strcmp(sent_branches[i], branch))
			return true;
	}
	if (sent_count < 64)
		snprintf(sent_branches[sent_count++], sizeof(sent_branches[0]), "%s", branch);
	return false;
}

static void send_udp(const struct expectation *row, const uint8_t *data, size_t len)
{
	char branch[128] = "";
	bool reused;

	char match[300], replies[4096];
	int count;

	/* Responses to earlier INVITEs are retransmitted to the same port until an ACK that
	 * never comes, and several messages share a branch, so match the Call-ID. */
	if (!call_id((const char *)data, len, match, sizeof(match)) &&
	    !via_value((const char *)data, len, "branch=", match, sizeof(match)))
		match[0] = '\0';

	count = sip_test_udp_exchange(via_port((const char *)data, len), UA_PORT, data, len,
				      WAIT_MS, match[0] ? match : NULL, replies, sizeof(replies));
	if (count < 0) {
		fprintf(stderr, "    %s: send failed: %s\n", row->file, strerror(-count));
		TEST_CHECK(count >= 0);
		return;
	}
	/* RFC 3261 17.2.3: a request whose branch matches an earlier transaction is taken
	 * as its retransmission, so the earlier response (with the earlier Call-ID) is
	 * repeated or nothing is sent. */
	via_value((const char *)data, len, "branch=", branch, sizeof(branch));
	reused = branch[0] && branch_seen(branch);
	if (!count && reused)
		return;
	if (!TEST_CHECK(status_accepted(count ? replies : "", row->udp)))
		fprintf(stderr, "    %s (RFC 4475 %s) over UDP: got \"%s\", expected %s\n", row->file,
			row->section, count ? replies : "no response", row->udp);
}

static void send_tcp(const struct expectation *row, const uint8_t *data, size_t len)
{
	char replies[4096];
	int count = sip_test_tcp_exchange(UA_PORT, data, len, WAIT_MS, replies, sizeof(replies));

	if (count < 0) {
		fprintf(stderr, "    %s: TCP exchange failed: %s\n", row->file, strerror(-count));
		TEST_CHECK(count >= 0);
		return;
	}
	/* Over TCP libre needs Content-Length to frame a message. Without it, or with a
	 * length past the data, it sends nothing: the one other accepted outcome. */
	if (!TEST_CHECK(!count || status_accepted(replies, row->udp)))
		fprintf(stderr, "    %s (RFC 4475 %s) over TCP: got \"%s\", expected %s or nothing\n",
			row->file, row->section, replies, row->udp);
}

static void torture_with_call_in_progress(void)
{
	static struct expectation rows[64];
	struct fixture f;
	struct test_app_options options = {.transfer_key = '0', .hangup_key = '#'};
	struct test_app_call c;
	char pcap[1024], probe_port[16], path[600], dat[1024], replies[512];
	char relative[128];
	size_t count = read_expectations(rows, 64);
	unsigned packets_before;
	pid_t caller;
	char *media;
	int n;

	TEST_REQUIRE(count == 49);

	fixture_init(&f);
	f.cfg.sip_port = UA_PORT;
	f.cfg.max_calls = 32;
	fixture_start(&f, &options);

	/* The call that must come through unharmed: speech for 5 s, then 20 s more. */
	struct subst pcap_subs[] = {
		{"PCAP", sip_test_corpus_path(pcap, sizeof(pcap), "sip/captures/g711a.pcap")},
		{"PCAP_MS", "5000"},
	};
	media = fixture_fragment("frag_pcap.xml", pcap_subs, 2);
	TEST_REQUIRE(media != NULL);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	struct subst subs[] = {
		{"FORMATS", "8 0 101"}, {"EXPECT_PT", "8"},    {"PROBE_PORT", probe_port},
		{"MEDIA", media},	{"HOLD_MS", "20000"},
	};
	TEST_REQUIRE(fixture_scenario(&f, "uac_call.xml", subs, 5, path, sizeof(path)) == 0);
	free(media);
	caller = fixture_sipp_start(&f, path, "u1", false, 0, "caller");
	TEST_REQUIRE(caller > 0);
	TEST_REQUIRE(sip_test_wait_for(call_started, &f.app, 5000));
	packets_before = sip_test_probe_packets(&f.probe, 8);

	for (size_t i = 0; i < count; i++) {
		uint8_t *data;
		size_t len;

		if (getenv("SIP_TORTURE_ONLY") && !strstr(getenv("SIP_TORTURE_ONLY"), rows[i].file))
			continue;
		snprintf(relative, sizeof(relative), "sip/rfc4475/%s", rows[i].file);
		if (!TEST_CHECK(sip_test_read_file(sip_test_corpus_path(dat, sizeof(dat), relative),
						   &data, &len) == 0))
			continue;
		send_udp(&rows[i], data, len);
		send_tcp(&rows[i], data, len);
		free(data);
	}

	/* The user agent still responds, and the first call still carries audio. */
	{
		const char options_msg[] =
			"OPTIONS sip:permanence@127.0.0.1:5080 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-after-torture;rport\r\n"
			"From: <sip:monitor@127.0.0.1>;tag=t1\r\n"
			"To: <sip:permanence@127.0.0.1>\r\n"
			"Call-ID: after-torture\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"Max-Forwards: 70\r\n"
			"Content-Length: 0\r\n\r\n";

		n = sip_test_udp_exchange(5060, UA_PORT, options_msg, strlen(options_msg), 500,
					  "z9hG4bK-after-torture", replies, sizeof(replies));
		TEST_EQ_INT(n, 1);
		TEST_CHECK(!strncmp(replies, "SIP/2.0 200", 11));
	}
	TEST_CHECK(sip_test_probe_packets(&f.probe, 8) > packets_before + 200);

	TEST_EQ_INT(fixture_sipp_wait(&f, caller, "caller", 40000), 0);
	TEST_CHECK(sip_test_wait_for(first_call_ended, &f.app, 5000));
	TEST_REQUIRE(test_app_call(&f.app, 0, &c));
	TEST_EQ_INT(c.end_reason, SIP_END_REMOTE_HANGUP);
	TEST_CHECK(c.loud_frames > 50);
	TEST_CHECK(c.audio_frames > 1000);
	fixture_stop(&f);
}

static const struct test_case cases[] = {
	TEST_CASE(torture_with_call_in_progress),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
