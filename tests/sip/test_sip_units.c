/*
 * Unit tests of the SIP module's pure parts: configuration, SDP, text parsers, request
 * checks, the RFC 4733 receiver and the jitter buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip.h"
#include "sip_check.h"
#include "sip_dtmf.h"
#include "sip_jitter.h"
#include "sip_sdp.h"
#include "sip_text.h"
#include "test.h"

/* Configuration. */

static void config_defaults_valid(void)
{
	struct sip_config cfg;
	char message[256];

	sip_config_init(&cfg);
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), 0);
	TEST_EQ_STR(message, "");
	TEST_EQ_INT(cfg.sip_port, 5060);
	TEST_EQ_INT(cfg.rtp_timeout_s, 30);
	TEST_CHECK(cfg.udp && cfg.tcp);
}

static void config_errors_name_value(void)
{
	static const struct {
		const char *field;
		const char *value;
		const char *expect; /* substring of the message */
	} cases[] = {
		{"listen_address", "0.0.0.0", "listen_address \"0.0.0.0\" is a wildcard"},
		{"listen_address", "::", "is a wildcard"},
		{"listen_address", "example.org", "is not an IP address"},
		{"public_address", "nat.example.org", "public_address \"nat.example.org\""},
		{"registrar_uri", "registrar.example.org", "registrar_uri \"registrar.example.org\""},
		{"transfer_target", "secretariat", "transfer_target \"secretariat\""},
		{"contact_user", "a b", "contact_user \"a b\""},
		{"tls_key", "/tmp/key.pem", "tls_key is set without tls_certificate"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_config cfg;
		char message[512];
		char *field;

		sip_config_init(&cfg);
		if (!strcmp(cases[i].field, "listen_address"))
			field = cfg.listen_address;
		else if (!strcmp(cases[i].field, "public_address"))
			field = cfg.public_address;
		else if (!strcmp(cases[i].field, "registrar_uri"))
			field = cfg.registrar_uri;
		else if (!strcmp(cases[i].field, "transfer_target"))
			field = cfg.transfer_target;
		else if (!strcmp(cases[i].field, "contact_user"))
			field = cfg.contact_user;
		else
			field = cfg.tls_key;
		snprintf(field, SIP_CONFIG_ADDRESS_MAX, "%s", cases[i].value);
		if (!strcmp(cases[i].field, "registrar_uri"))
			snprintf(cfg.username, sizeof(cfg.username), "cabinet");

		TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);
		if (!TEST_CHECK(strstr(message, cases[i].expect) != NULL))
			fprintf(stderr, "  case %zu message: %s\n", i, message);
	}
}

static void config_numbers_bounded(void)
{
	struct sip_config cfg;
	char message[512];

	sip_config_init(&cfg);
	cfg.rtp_port_min = 10001;
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "rtp_port_min 10001") != NULL);

	sip_config_init(&cfg);
	cfg.rtp_port_max = cfg.rtp_port_min + 4;
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "too small for max_calls 8") != NULL);

	sip_config_init(&cfg);
	cfg.max_calls = 0;
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "max_calls 0") != NULL);

	sip_config_init(&cfg);
	cfg.jitter_ms = 15;
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);

	sip_config_init(&cfg);
	cfg.udp = cfg.tcp = false;
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "no transport") != NULL);

	sip_config_init(&cfg);
	snprintf(cfg.registrar_uri, sizeof(cfg.registrar_uri), "sip:192.0.2.1");
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "username") != NULL);
	snprintf(cfg.username, sizeof(cfg.username), "0123456789");
	cfg.register_expires_s = 30;
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "register_expires_s 30") != NULL);
	cfg.register_expires_s = 3600;
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), 0);
}

static void config_unterminated_text(void)
{
	struct sip_config cfg;
	char message[512];

	sip_config_init(&cfg);
	memset(cfg.password, 'x', sizeof(cfg.password));
	TEST_EQ_INT(sip_config_validate(&cfg, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "password is longer than") != NULL);
}

/* SDP. */

static const char offer_both[] = "v=0\r\n"
				 "o=- 1 1 IN IP4 192.0.2.10\r\n"
				 "s=-\r\n"
				 "c=IN IP4 192.0.2.10\r\n"
				 "t=0 0\r\n"
				 "m=audio 40000 RTP/AVP 0 8 101\r\n"
				 "a=rtpmap:0 PCMU/8000\r\n"
				 "a=rtpmap:8 PCMA/8000\r\n"
				 "a=rtpmap:101 telephone-event/8000\r\n"
				 "a=fmtp:101 0-16\r\n"
				 "a=ptime:20\r\n";

static void sdp_first_listed_codec_wins(void)
{
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;

	TEST_REQUIRE(sip_sdp_parse(&sdp, offer_both, strlen(offer_both)) == 0);
	TEST_EQ_INT(sdp.media_count, 1);
	TEST_EQ_INT(sip_sdp_negotiate(&sdp, -1, &choice), 0);
	TEST_EQ_INT(choice.codec_pt, 0);
	TEST_CHECK(!choice.alaw);
	TEST_EQ_INT(choice.dtmf_pt, 101);
	TEST_EQ_STR(choice.address, "192.0.2.10");
	TEST_EQ_INT(choice.port, 40000);
	TEST_EQ_INT(choice.rtcp_port, 40001);
	TEST_EQ_INT(choice.dir, SIP_SDP_SENDRECV);
	TEST_EQ_INT(choice.ptime, 20);

	/* The codec in use is kept when the offer still lists it. */
	TEST_EQ_INT(sip_sdp_negotiate(&sdp, 1, &choice), 0);
	TEST_EQ_INT(choice.codec_pt, 8);
	TEST_CHECK(choice.alaw);
}

static void sdp_static_types_without_rtpmap(void)
{
	const char *text = "v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 18 8\n";
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;

	TEST_REQUIRE(sip_sdp_parse(&sdp, text, strlen(text)) == 0);
	TEST_EQ_INT(sip_sdp_negotiate(&sdp, -1, &choice), 0);
	TEST_EQ_INT(choice.codec_pt, 8);
	TEST_EQ_INT(choice.dtmf_pt, -1);
}

static void sdp_dynamic_pcma(void)
{
	const char *text = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 96 97\r\n"
			   "a=rtpmap:96 opus/48000/2\r\na=rtpmap:97 pcma/8000\r\n";
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;

	TEST_REQUIRE(sip_sdp_parse(&sdp, text, strlen(text)) == 0);
	TEST_EQ_INT(sip_sdp_negotiate(&sdp, -1, &choice), 0);
	TEST_EQ_INT(choice.codec_pt, 97);
	TEST_CHECK(choice.alaw);
}

static void sdp_no_common_codec(void)
{
	const char *g722 = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 9\r\n"
			   "a=rtpmap:9 G722/8000\r\n";
	const char *video = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=video 4000 RTP/AVP 0\r\n";
	const char *savp = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/SAVP 8\r\n";
	const char *disabled = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 0 RTP/AVP 8\r\n";
	const char *remapped = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 8\r\n"
			       "a=rtpmap:8 G729/8000\r\n";
	const char *texts[] = {g722, video, savp, disabled, remapped};
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		TEST_REQUIRE(sip_sdp_parse(&sdp, texts[i], strlen(texts[i])) == 0);
		TEST_EQ_INT(sip_sdp_negotiate(&sdp, -1, &choice), ENOTSUP);
	}
}

static void sdp_missing_connection(void)
{
	const char *text = "v=0\r\nm=audio 4000 RTP/AVP 8\r\n";
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;

	TEST_REQUIRE(sip_sdp_parse(&sdp, text, strlen(text)) == 0);
	TEST_EQ_INT(sip_sdp_negotiate(&sdp, -1, &choice), EBADMSG);
}

static void sdp_malformed_rejected(void)
{
	static const char *const bad[] = {
		"",
		"m=audio 4000 RTP/AVP 8\r\n",		       /* no v= */
		"v=1\r\n",				       /* unknown version */
		"v=0\r\nmaudio\r\n",			       /* no '=' */
		"v=0\r\nm=audio\r\n",			       /* short m= */
		"v=0\r\nm=audio 70000 RTP/AVP 8\r\n",	       /* port out of range */
		"v=0\r\nm=audio 4000 RTP/AVP\r\n",	       /* no format */
		"v=0\r\nc=IN IP4\r\n",			       /* no address */
		"v=0\r\nc=IN IP4 a<b\r\n",		       /* bad address */
		"v=0\r\nX=0\r\n",			       /* upper-case type */
	};
	struct sip_sdp sdp;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = sip_sdp_parse(&sdp, bad[i], strlen(bad[i]));

		if (!TEST_CHECK(err == EBADMSG))
			fprintf(stderr, "  case %zu: %d\n", i, err);
	}
	TEST_EQ_INT(sip_sdp_parse(&sdp, "v=0\0\r\n", 6), EBADMSG);
}

static void sdp_bounds(void)
{
	char *big = malloc(SIP_SDP_MAX_BYTES + 2);
	char many[2048] = "v=0\r\nc=IN IP4 192.0.2.1\r\n";
	char formats[1024] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP";
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;

	TEST_REQUIRE(big != NULL);
	memset(big, 'a', SIP_SDP_MAX_BYTES + 1);
	TEST_EQ_INT(sip_sdp_parse(&sdp, big, SIP_SDP_MAX_BYTES + 1), EMSGSIZE);
	free(big);

	for (int i = 0; i <= SIP_SDP_MAX_MEDIA; i++)
		strcat(many, "m=video 4000 RTP/AVP 31\r\n");
	TEST_EQ_INT(sip_sdp_parse(&sdp, many, strlen(many)), E2BIG);

	/* Formats past the table are ignored, so PCMA listed last is not seen. */
	for (int i = 0; i < SIP_SDP_MAX_FORMATS; i++)
		strcat(formats, " 96");
	strcat(formats, " 8\r\n");
	TEST_REQUIRE(sip_sdp_parse(&sdp, formats, strlen(formats)) == 0);
	TEST_EQ_INT(sdp.media[0].format_count, SIP_SDP_MAX_FORMATS);
	TEST_EQ_INT(sip_sdp_negotiate(&sdp, -1, &choice), ENOTSUP);
}

static void sdp_answer_keeps_lines(void)
{
	const char *offer_text = "v=0\r\nc=IN IP4 192.0.2.1\r\n"
				 "m=video 5000 RTP/AVP 31\r\n"
				 "m=audio 4000 RTP/AVP 9 8 0 101\r\n"
				 "a=rtpmap:101 telephone-event/8000\r\n"
				 "a=sendonly\r\n";
	struct sip_sdp_local local = {"198.51.100.7", 20000, 42, 3, SIP_SDP_SENDRECV};
	struct sip_sdp offer, answer;
	struct sip_sdp_choice choice, back;
	char text[1024];
	size_t len;

	TEST_REQUIRE(sip_sdp_parse(&offer, offer_text, strlen(offer_text)) == 0);
	TEST_REQUIRE(sip_sdp_negotiate(&offer, -1, &choice) == 0);
	TEST_EQ_INT(choice.media, 1);
	TEST_EQ_INT(choice.codec_pt, 8);
	TEST_EQ_INT(choice.dir, SIP_SDP_SENDONLY);

	TEST_EQ_INT(sip_sdp_answer_print(text, sizeof(text), &offer, &choice, &local, &len), 0);
	TEST_EQ_INT(len, strlen(text));
	TEST_CHECK(strstr(text, "o=- 42 3 IN IP4 198.51.100.7\r\n") != NULL);
	TEST_CHECK(strstr(text, "m=video 0 RTP/AVP 31\r\n") != NULL);
	TEST_CHECK(strstr(text, "m=audio 20000 RTP/AVP 8 101\r\n") != NULL);
	TEST_CHECK(strstr(text, "a=recvonly\r\n") != NULL);
	TEST_CHECK(strstr(text, " 0 ") == NULL || strstr(text, "PCMU") == NULL);

	/* The answer reads back as the same choice. */
	TEST_REQUIRE(sip_sdp_parse(&answer, text, len) == 0);
	TEST_EQ_INT(answer.media_count, 2);
	TEST_REQUIRE(sip_sdp_negotiate(&answer, -1, &back) == 0);
	TEST_EQ_INT(back.codec_pt, 8);
	TEST_EQ_INT(back.port, 20000);
	TEST_EQ_STR(back.address, "198.51.100.7");
	TEST_EQ_INT(back.dir, SIP_SDP_RECVONLY);

	TEST_EQ_INT(sip_sdp_answer_print(text, 40, &offer, &choice, &local, &len), ENOSPC);
}

static void sdp_offer_prefers_pcma(void)
{
	struct sip_sdp_local local = {"2001:db8::5", 20002, 7, 1, SIP_SDP_SENDRECV};
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;
	char text[1024];
	size_t len;

	TEST_EQ_INT(sip_sdp_offer_print(text, sizeof(text), &local, -1, 101, &len), 0);
	TEST_CHECK(strstr(text, "c=IN IP6 2001:db8::5\r\n") != NULL);
	TEST_CHECK(strstr(text, "m=audio 20002 RTP/AVP 8 0 101\r\n") != NULL);
	TEST_REQUIRE(sip_sdp_parse(&sdp, text, len) == 0);
	TEST_REQUIRE(sip_sdp_negotiate(&sdp, -1, &choice) == 0);
	TEST_CHECK(choice.alaw);
	TEST_EQ_INT(choice.dtmf_pt, 101);

	TEST_EQ_INT(sip_sdp_offer_print(text, sizeof(text), &local, 0, 101, &len), 0);
	TEST_CHECK(strstr(text, "m=audio 20002 RTP/AVP 0 101\r\n") != NULL);
	TEST_CHECK(strstr(text, "PCMA") == NULL);
	TEST_EQ_INT(sip_sdp_offer_print(text, sizeof(text), &local, -1, 13, &len), EINVAL);
}

static void sdp_bad_rtpmap_ignored(void)
{
	/* From RFC 4475 3.1.1.3: "a=rtpmap:31 LPC" has no clock rate. */
	const char *text = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0 12\r\n"
			   "m=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n"
			   "a=rtpmap:x y/1\r\na=rtpmap:31 LPC/0/0\r\n";
	const char *remapped = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 8\r\n"
			       "a=rtpmap:8 PCMA\r\n";
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;

	TEST_REQUIRE(sip_sdp_parse(&sdp, text, strlen(text)) == 0);
	TEST_EQ_STR(sdp.media[1].formats[0].name, "");
	TEST_REQUIRE(sip_sdp_negotiate(&sdp, -1, &choice) == 0);
	TEST_EQ_INT(choice.codec_pt, 0);
	TEST_EQ_INT(choice.media, 0);

	TEST_REQUIRE(sip_sdp_parse(&sdp, remapped, strlen(remapped)) == 0);
	TEST_REQUIRE(sip_sdp_negotiate(&sdp, -1, &choice) == 0);
	TEST_CHECK(choice.alaw);
}

static void sdp_hold_by_null_address(void)
{
	const char *text = "v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 8\r\n";
	struct sip_sdp sdp;
	struct sip_sdp_choice choice;

	TEST_REQUIRE(sip_sdp_parse(&sdp, text, strlen(text)) == 0);
	TEST_REQUIRE(sip_sdp_negotiate(&sdp, -1, &choice) == 0);
	TEST_EQ_INT(choice.dir, SIP_SDP_INACTIVE);
	TEST_EQ_INT(sip_sdp_dir_reverse(SIP_SDP_SENDONLY), SIP_SDP_RECVONLY);
	TEST_EQ_INT(sip_sdp_dir_reverse(SIP_SDP_INACTIVE), SIP_SDP_INACTIVE);
}

/* Text parsers. */

static void identity_numbers(void)
{
	static const struct {
		const char *value;
		int err;
		const char *number;
	} cases[] = {
		{"\"Cabinet\" <sip:+33123456789@trunk.example.fr;user=phone>;tag=1", 0,
		 "+33123456789"},
		{"<tel:+33-1-23-45-67-89;cpc=ordinary>", 0, "+33123456789"},
		{"sip:0612345678@192.0.2.1;tag=abc", 0, "0612345678"},
		{"<sip:%2B33612345678@example.fr>", 0, "+33612345678"},
		{"\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=9", ENOENT, ""},
		{"<sip:alice@example.org>", ENOENT, ""},
		{"<sip:example.org>", ENOENT, ""},
		{"<sip:0612+34@example.org>", ENOENT, ""},
		{"<http://example.org/>", EBADMSG, ""},
		{"\"unterminated <sip:1@x>", EBADMSG, ""},
		{"<sip:123", EBADMSG, ""},
		{"<sip:123456789012345678901234567890123@x>", ENOENT, ""},
		{"\"Quote \\\" <x>\" <sip:0102030405@x>", 0, "0102030405"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char number[SIP_NUMBER_MAX + 1];
		int err = sip_identity_number(cases[i].value, strlen(cases[i].value), number,
					      sizeof(number));

		if (!TEST_EQ_INT(err, cases[i].err))
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].value);
		TEST_EQ_STR(number, cases[i].number);
	}
	TEST_CHECK(sip_identity_is_tel("<tel:+331>", 10));
	TEST_CHECK(!sip_identity_is_tel("<sip:+331@x>", 12));
}

static void identity_stays_in_range(void)
{
	/* The value is not NUL-terminated where the length ends. */
	const char text[] = "<sip:0612345678@x>XXXX";
	char number[SIP_NUMBER_MAX + 1];

	TEST_EQ_INT(sip_identity_number(text, 8, number, sizeof(number)), EBADMSG);
	TEST_EQ_INT(sip_identity_number(text, 18, number, sizeof(number)), 0);
	TEST_EQ_INT(sip_identity_number(text, 18, number, 8), EINVAL);
}

static void dtmf_info_bodies(void)
{
	static const struct {
		const char *body;
		int relay; /* 1: application/dtmf-relay, 0: application/dtmf */
		int err;
		char digit;
	} cases[] = {
		{"Signal=5\r\nDuration=160\r\n", 1, 0, '5'},
		{"signal = #\nduration=100\n", 1, 0, '#'},
		{"Duration=160\r\nSignal=*\r\n", 1, 0, '*'},
		{"Signal=11\r\n", 1, 0, '#'},
		{"Signal=d\r\n", 1, 0, 'D'},
		{"Signal=\r\n", 1, EBADMSG, 0},
		{"Signal=16\r\n", 1, EBADMSG, 0},
		{"Duration=160\r\n", 1, EBADMSG, 0},
		{"5", 0, 0, '5'},
		{" 0\r\n", 0, 0, '0'},
		{"10", 0, 0, '*'},
		{"55", 0, EBADMSG, 0},
		{"", 0, EBADMSG, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char digit = 0;
		int err = cases[i].relay
				  ? sip_dtmf_relay_parse(cases[i].body, strlen(cases[i].body), &digit)
				  : sip_dtmf_body_parse(cases[i].body, strlen(cases[i].body), &digit);

		if (!TEST_EQ_INT(err, cases[i].err))
			fprintf(stderr, "  case %zu\n", i);
		if (!err)
			TEST_EQ_INT(digit, cases[i].digit);
	}
}

static void sipfrag_status_lines(void)
{
	uint16_t scode = 0;

	TEST_EQ_INT(sip_sipfrag_status("SIP/2.0 200 OK\r\n", 16, &scode), 0);
	TEST_EQ_INT(scode, 200);
	TEST_EQ_INT(sip_sipfrag_status("SIP/2.0 603 Declined", 20, &scode), 0);
	TEST_EQ_INT(scode, 603);
	TEST_EQ_INT(sip_sipfrag_status("  SIP/2.0 100 Trying\r\n", 22, &scode), 0);
	TEST_EQ_INT(scode, 100);
	TEST_EQ_INT(sip_sipfrag_status("SIP/2.0 2000 OK", 15, &scode), EBADMSG);
	TEST_EQ_INT(sip_sipfrag_status("SIP/2.0 099 x", 13, &scode), EBADMSG);
	TEST_EQ_INT(sip_sipfrag_status("SIP/2.0 20", 10, &scode), EBADMSG);
	TEST_EQ_INT(sip_sipfrag_status("HTTP/1.1 200 OK", 15, &scode), EBADMSG);
	TEST_EQ_INT(sip_sipfrag_status("", 0, &scode), EBADMSG);
}

static void multipart_sdp_found(void)
{
	const char params[] = ";boundary=\"unique-boundary-1\"";
	const char body[] = "--unique-boundary-1\r\n"
			    "Content-Type: application/isup;version=itu-t92+\r\n"
			    "\r\n"
			    "\x01\x02\x03\r\n"
			    "--unique-boundary-1\r\n"
			    "Content-Type: application/sdp\r\n"
			    "Content-Disposition: session\r\n"
			    "\r\n"
			    "v=0\r\nm=audio 1 RTP/AVP 8\r\n"
			    "\r\n"
			    "--unique-boundary-1--\r\n";
	const char *part;
	size_t len;

	TEST_EQ_INT(sip_multipart_find(params, strlen(params), body, sizeof(body) - 1,
				       "application/sdp", &part, &len),
		    0);
	TEST_EQ_INT(len, strlen("v=0\r\nm=audio 1 RTP/AVP 8\r\n"));
	TEST_CHECK(memcmp(part, "v=0\r\n", 5) == 0);

	TEST_EQ_INT(sip_multipart_find(params, strlen(params), body, sizeof(body) - 1,
				       "text/plain", &part, &len),
		    ENOENT);
	TEST_EQ_INT(sip_multipart_find(";charset=x", 10, body, sizeof(body) - 1,
				       "application/sdp", &part, &len),
		    EBADMSG);
	TEST_EQ_INT(sip_multipart_find(params, strlen(params), body, 40, "application/sdp",
				       &part, &len),
		    EBADMSG);
}

static void accept_lists(void)
{
	TEST_CHECK(sip_accept_allows("application/sdp", 15, "application/sdp"));
	TEST_CHECK(sip_accept_allows("text/plain, Application/SDP;q=0.5", 33,
				     "application/sdp"));
	TEST_CHECK(sip_accept_allows("application/*", 13, "application/sdp"));
	TEST_CHECK(sip_accept_allows("*/*", 3, "application/sdp"));
	TEST_CHECK(!sip_accept_allows("text/nobodyKnowsThis", 20, "application/sdp"));
	TEST_CHECK(!sip_accept_allows("application/sdpx", 16, "application/sdp"));
	TEST_CHECK(!sip_accept_allows("", 0, "application/sdp"));
}

/* Request checks on messages decoded by libre. */

static uint16_t check_text(const char *text, struct sip_check *check)
{
	struct mbuf *mb = mbuf_alloc(strlen(text));
	struct sip_msg *msg = NULL;
	uint16_t scode = 0;

	(void)mbuf_write_str(mb, text);
	mb->pos = 0;
	if (sip_msg_decode(&msg, mb) == 0) {
		sip_check_request(msg, check);
		scode = check->scode;
	} else {
		scode = 1; /* libre's decoder refused it */
	}
	mem_deref(msg);
	mem_deref(mb);
	return scode;
}

#define HEAD(method, cseq_method)                                         \
	method " sip:permanence@192.0.2.1 SIP/2.0\r\n"                     \
	"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-1\r\n"           \
	"From: <sip:0612345678@192.0.2.9>;tag=a\r\n"                       \
	"To: <sip:0102030405@192.0.2.1>\r\n"                              \
	"Call-ID: check-1\r\n"                                            \
	"CSeq: 1 " cseq_method "\r\n"

static void check_requests(void)
{
	static const struct {
		const char *text;
		uint16_t scode;
	} cases[] = {
		{HEAD("OPTIONS", "OPTIONS") "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", 0},
		{HEAD("OPTIONS", "INVITE") "Content-Length: 0\r\n\r\n", 400},
		{HEAD("OPTIONS", "OPTIONS") "Max-Forwards: 256\r\n\r\n", 400},
		{HEAD("OPTIONS", "OPTIONS") "Expires: 99999999999\r\n\r\n", 400},
		{HEAD("OPTIONS", "OPTIONS") "Content-Length: 10\r\n\r\nshort", 400},
		{HEAD("OPTIONS", "OPTIONS") "Content-Length: -1\r\n\r\n", 400},
		{HEAD("OPTIONS", "OPTIONS") "Content-Length: 0\r\nContent-Length: 0\r\n\r\n", 400},
		{HEAD("OPTIONS", "OPTIONS") "Call-ID: second\r\n\r\n", 400},
		{HEAD("OPTIONS", "OPTIONS") "Require: 100rel\r\n\r\n", 420},
		{HEAD("CANCEL", "CANCEL") "Require: 100rel\r\n\r\n", 0},
		{"OPTIONS sip:a@192.0.2.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-2\r\n"
		 "From: <sip:b@x>;tag=1\r\nTo: <sip:a@y>\r\nCSeq: 1 OPTIONS\r\n\r\n",
		 400},
		{"OPTIONS sip:a@192.0.2.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-2\r\n"
		 "From: <sip:b@x>;tag=1\r\nTo: <sip:a@y>\r\nCall-ID: c\r\n"
		 "CSeq: 4294967296 OPTIONS\r\n\r\n",
		 400},
		{"OPTIONS urn:service:sos SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-2\r\n"
		 "From: <sip:b@x>;tag=1\r\nTo: <sip:a@y>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		 416},
		{"OPTIONS sip:a@192.0.2.1?Route=%3Csip:x%3E SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-2\r\n"
		 "From: <sip:b@x>;tag=1\r\nTo: <sip:a@y>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		 400},
		{"OPTIONS sip:a@192.0.2.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-2\r\n"
		 "From: Bell, Alexander <sip:b@x>;tag=1\r\nTo: <sip:a@y>\r\nCall-ID: c\r\n"
		 "CSeq: 1 OPTIONS\r\n\r\n",
		 400},
		{"OPTIONS sip:a@192.0.2.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-2\r\n"
		 "From: \"Bell, Alexander\" <sip:b@x>;tag=1\r\nTo: Watson <sip:a@y>\r\n"
		 "Call-ID: c\r\nCSeq: 01 OPTIONS\r\nMax-Forwards: 0068\r\n\r\n",
		 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_check check;
		uint16_t scode = check_text(cases[i].text, &check);

		if (!TEST_EQ_INT(scode, cases[i].scode))
			fprintf(stderr, "  case %zu: %s\n", i, check.problem ? check.problem : "-");
		if (scode == 420)
			TEST_EQ_STR(check.headers, "Unsupported: 100rel\r\n");
	}
}

/* RFC 4733 receiver. */

static void dtmf_repeated_digit(void)
{
	const uint8_t start[4] = {1, 0x0a, 0, 0};
	const uint8_t more[4] = {1, 0x0a, 0x01, 0x40};
	const uint8_t end[4] = {1, 0x8a, 0x08, 0xc0};
	struct sip_dtmf_rx rx;
	char digit = 0;
	int presses = 0;

	sip_dtmf_rx_reset(&rx);
	/* The same recording played twice: identical timestamps, marker on each start. */
	for (int round = 0; round < 2; round++) {
		presses += sip_dtmf_rx_packet(&rx, 7, 13280, true, start, 4, &digit);
		presses += sip_dtmf_rx_packet(&rx, 7, 13280, false, more, 4, &digit);
		for (int i = 0; i < 3; i++)
			presses += sip_dtmf_rx_packet(&rx, 7, 13280, false, end, 4, &digit);
	}
	TEST_EQ_INT(presses, 2);
	TEST_EQ_INT(digit, '1');

	/* Two presses of the same key with their own timestamps. */
	presses = sip_dtmf_rx_packet(&rx, 7, 20000, true, start, 4, &digit);
	presses += sip_dtmf_rx_packet(&rx, 7, 20000, false, end, 4, &digit);
	presses += sip_dtmf_rx_packet(&rx, 7, 21600, true, start, 4, &digit);
	presses += sip_dtmf_rx_packet(&rx, 7, 21600, false, end, 4, &digit);
	TEST_EQ_INT(presses, 2);
}

static void dtmf_lost_start(void)
{
	const uint8_t end5[4] = {5, 0x8a, 0x06, 0x40};
	const uint8_t hold5[4] = {5, 0x0a, 0x03, 0x20};
	const uint8_t flash[4] = {16, 0x0a, 0, 160};
	struct sip_dtmf_rx rx;
	char digit = 0;

	sip_dtmf_rx_reset(&rx);
	/* Only end packets arrive: still one press. */
	TEST_EQ_INT(sip_dtmf_rx_packet(&rx, 1, 500, false, end5, 4, &digit), 1);
	TEST_EQ_INT(digit, '5');
	TEST_EQ_INT(sip_dtmf_rx_packet(&rx, 1, 500, false, end5, 4, &digit), 0);
	/* A retransmitted start with the marker while the key is held is the same press. */
	TEST_EQ_INT(sip_dtmf_rx_packet(&rx, 1, 900, true, hold5, 4, &digit), 1);
	TEST_EQ_INT(sip_dtmf_rx_packet(&rx, 1, 900, true, hold5, 4, &digit), 0);
	/* A new SSRC is a new press. */
	TEST_EQ_INT(sip_dtmf_rx_packet(&rx, 2, 900, false, hold5, 4, &digit), 1);
	/* Events that are not keys are ignored; short payloads are errors. */
	TEST_EQ_INT(sip_dtmf_rx_packet(&rx, 2, 1200, true, flash, 4, &digit), 0);
	TEST_EQ_INT(sip_dtmf_rx_packet(&rx, 2, 1300, true, flash, 3, &digit), EBADMSG);
}

/* Jitter buffer. */

static void fill(int16_t *pcm, size_t n, int16_t value)
{
	for (size_t i = 0; i < n; i++)
		pcm[i] = value;
}

static void jitter_reorders_packets(void)
{
	struct sip_jitter *jb = malloc(sizeof(*jb));
	int16_t in[160], out[160];

	TEST_REQUIRE(jb != NULL);
	sip_jitter_init(jb, 320);
	TEST_CHECK(!sip_jitter_get(jb, out, 160));

	/* Packets 1, 3, 2 (timestamps 1000, 1320, 1160). */
	fill(in, 160, 1);
	sip_jitter_put(jb, 9, 1000, in, 160);
	fill(in, 160, 3);
	sip_jitter_put(jb, 9, 1320, in, 160);
	fill(in, 160, 2);
	sip_jitter_put(jb, 9, 1160, in, 160);

	/* Playout starts 320 samples (the delay) before the first packet. */
	TEST_CHECK(sip_jitter_get(jb, out, 160));
	TEST_EQ_INT(out[0], 0);
	TEST_CHECK(sip_jitter_get(jb, out, 160));
	TEST_EQ_INT(out[159], 0);
	for (int16_t v = 1; v <= 3; v++) {
		TEST_CHECK(sip_jitter_get(jb, out, 160));
		TEST_EQ_INT(out[0], v);
		TEST_EQ_INT(out[159], v);
	}
	/* Nothing more arrived: silence. */
	TEST_CHECK(sip_jitter_get(jb, out, 160));
	TEST_EQ_INT(out[80], 0);
	TEST_EQ_INT(jb->stats.packets, 3);
	free(jb);
}

static void jitter_late_and_restart(void)
{
	struct sip_jitter *jb = malloc(sizeof(*jb));
	int16_t in[160], out[160];

	TEST_REQUIRE(jb != NULL);
	sip_jitter_init(jb, 160);
	fill(in, 160, 5);
	sip_jitter_put(jb, 1, 8000, in, 160);
	for (int i = 0; i < 3; i++)
		TEST_CHECK(sip_jitter_get(jb, out, 160));

	/* One packet from the past is dropped as late. */
	sip_jitter_put(jb, 1, 7000, in, 160);
	TEST_EQ_INT(jb->stats.late, 1);
	TEST_EQ_INT(jb->stats.restarts, 0);

	/* Three in a row restart the buffer on the new timeline. */
	sip_jitter_put(jb, 1, 7160, in, 160);
	sip_jitter_put(jb, 1, 7320, in, 160);
	TEST_EQ_INT(jb->stats.restarts, 1);

	/* A new SSRC restarts too, and its audio plays after the delay. */
	fill(in, 160, 9);
	sip_jitter_put(jb, 2, 123456, in, 160);
	TEST_EQ_INT(jb->stats.restarts, 2);
	TEST_CHECK(sip_jitter_get(jb, out, 160));
	TEST_EQ_INT(out[0], 0);
	TEST_CHECK(sip_jitter_get(jb, out, 160));
	TEST_EQ_INT(out[0], 9);

	/* A jump beyond the buffer restarts as well. */
	sip_jitter_put(jb, 2, 123456 + 100000, in, 160);
	TEST_EQ_INT(jb->stats.restarts, 3);
	free(jb);
}

static void jitter_odd_packet_sizes(void)
{
	struct sip_jitter *jb = malloc(sizeof(*jb));
	int16_t in[240], out[160];
	uint32_t ts = 50;

	TEST_REQUIRE(jb != NULL);
	sip_jitter_init(jb, 0);
	/* 30 ms packets played out 20 ms at a time, with no gap. */
	for (int i = 0; i < 4; i++) {
		for (int k = 0; k < 240; k++)
			in[k] = (int16_t)(ts + (uint32_t)k);
		sip_jitter_put(jb, 3, ts, in, 240);
		ts += 240;
	}
	for (int i = 0; i < 6; i++) {
		TEST_CHECK(sip_jitter_get(jb, out, 160));
		TEST_EQ_INT(out[0], 50 + i * 160);
		TEST_EQ_INT(out[159], 50 + i * 160 + 159);
	}
	TEST_EQ_INT(jb->stats.missing_samples, 0);
	free(jb);
}

static void jitter_fast_sender_drift(void)
{
	struct sip_jitter *jb = malloc(sizeof(*jb));
	int16_t in[160], out[160];
	uint32_t ts = 0;

	TEST_REQUIRE(jb != NULL);
	sip_jitter_init(jb, 160);
	fill(in, 160, 1);
	/* The sender's clock runs 0.5 % fast: one extra frame every 200 played. Without
	 * correction the depth would grow by 5 frames in 20 s. */
	for (int frame = 0; frame < 1000; frame++) {
		sip_jitter_put(jb, 4, ts, in, 160);
		ts += 160;
		if (frame % 200 == 199) {
			sip_jitter_put(jb, 4, ts, in, 160);
			ts += 160;
		}
		TEST_CHECK(sip_jitter_get(jb, out, 160));
	}
	TEST_CHECK(jb->stats.dropped_samples > 0);
	TEST_CHECK((int32_t)(jb->high_ts - jb->read_ts) <= 160 + 3 * 160);
	TEST_EQ_INT(jb->stats.late, 0);
	free(jb);
}

static const struct test_case cases[] = {
	TEST_CASE(config_defaults_valid),
	TEST_CASE(config_errors_name_value),
	TEST_CASE(config_numbers_bounded),
	TEST_CASE(config_unterminated_text),
	TEST_CASE(sdp_first_listed_codec_wins),
	TEST_CASE(sdp_static_types_without_rtpmap),
	TEST_CASE(sdp_dynamic_pcma),
	TEST_CASE(sdp_no_common_codec),
	TEST_CASE(sdp_missing_connection),
	TEST_CASE(sdp_malformed_rejected),
	TEST_CASE(sdp_bounds),
	TEST_CASE(sdp_answer_keeps_lines),
	TEST_CASE(sdp_offer_prefers_pcma),
	TEST_CASE(sdp_bad_rtpmap_ignored),
	TEST_CASE(sdp_hold_by_null_address),
	TEST_CASE(identity_numbers),
	TEST_CASE(identity_stays_in_range),
	TEST_CASE(dtmf_info_bodies),
	TEST_CASE(sipfrag_status_lines),
	TEST_CASE(multipart_sdp_found),
	TEST_CASE(accept_lists),
	TEST_CASE(check_requests),
	TEST_CASE(dtmf_repeated_digit),
	TEST_CASE(dtmf_lost_start),
	TEST_CASE(jitter_reorders_packets),
	TEST_CASE(jitter_late_and_restart),
	TEST_CASE(jitter_odd_packet_sizes),
	TEST_CASE(jitter_fast_sender_drift),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
