/*
 * Calls between sipp and the user agent running the test application, on loopback in a
 * private network namespace. They cover the codec choice, audio both ways, keypad digits
 * (RFC 4733 and INFO), CANCEL, BYE from each side, RTP timeout, REFER, OPTIONS,
 * registration with digest authentication, TCP, the call limit and a graceful shutdown.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "media.h"
#include "sip_fixture.h"
#include "test.h"
#include "wav.h"

#define PROMPT "audio/fsdd_digits_en_8k/0_jackson_0.wav"
#define SPEECH_PCAP "sip/captures/g711a.pcap"
#define DTMF_PCAP "sip/captures/dtmf_2833_1.pcap"
#define TRANSFER_TARGET "sip:secretariat@192.0.2.80"

static char prompt_path[1024];

static struct test_app_options default_options(void)
{
	struct test_app_options options = {
		.prompt_wav = sip_test_corpus_path(prompt_path, sizeof(prompt_path), PROMPT),
		.transfer_key = '0',
		.hangup_key = '#',
	};
	return options;
}

static bool first_call_started(void *arg)
{
	struct test_app_call c;

	return test_app_call(arg, 0, &c) && c.started;
}

static void check_one_call(struct fixture *f, struct test_app_call *c, int reason)
{
	TEST_EQ_INT(test_app_count(&f->app), 1);
	TEST_REQUIRE(test_app_wait_ended(&f->app, 1, 5000));
	TEST_REQUIRE(test_app_call(&f->app, 0, c));
	if (!TEST_EQ_INT(c->end_reason, reason))
		fprintf(stderr, "    ended: %s\n", sip_end_reason_name((enum sip_end_reason)c->end_reason));
}

/* Frames of the probe's payload that are louder than -40 dBFS. */
static unsigned probe_loud_frames(struct fixture *f, enum media_codec codec)
{
	unsigned loud = 0;

	pthread_mutex_lock(&f->probe.lock);
	for (size_t off = 0; off + 160 <= f->probe.payload_len; off += 160) {
		int16_t pcm[160];
		double energy = 0;

		media_g711_decode(codec, f->probe.payload + off, 160, pcm);
		for (int i = 0; i < 160; i++)
			energy += (double)pcm[i] * pcm[i];
		if (sqrt(energy / 160) > 327.0)
			loud++;
	}
	pthread_mutex_unlock(&f->probe.lock);
	return loud;
}

/*
 * A call offering `formats`; the answer must use `pt`, the user agent must send that
 * payload type only, and the caller's speech must reach the application.
 */
static void call_with_offer(const char *formats, int pt, const char *transport)
{
	struct fixture f;
	struct test_app_options options = default_options();
	char pcap[1024], media_ms[16], probe_port[16], expect[8];
	struct test_app_call c;
	char *media;
	int other = pt == 8 ? 0 : 8;
	char record_dir[600], wav_path[700];
	struct wav_audio recorded;

	fixture_init(&f);
	snprintf(record_dir, sizeof(record_dir), "%s", f.tmp);
	options.record_dir = record_dir;
	fixture_start(&f, &options);

	struct subst pcap_subs[] = {
		{"PCAP", sip_test_corpus_path(pcap, sizeof(pcap), SPEECH_PCAP)},
		{"PCAP_MS", "5000"},
	};
	media = fixture_fragment("frag_pcap.xml", pcap_subs, 2);
	TEST_REQUIRE(media != NULL);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	snprintf(expect, sizeof(expect), "%d", pt);
	snprintf(media_ms, sizeof(media_ms), "%d", 500);
	struct subst subs[] = {
		{"FORMATS", formats}, {"EXPECT_PT", expect}, {"PROBE_PORT", probe_port},
		{"MEDIA", media},     {"HOLD_MS", media_ms},
	};

	TEST_EQ_INT(fixture_sipp_run(&f, "uac_call.xml", subs, 5, transport, 30000), 0);
	free(media);

	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_CHECK(c.started);
	TEST_EQ_INT(c.codec, pt == 8 ? SIP_CODEC_PCMA : SIP_CODEC_PCMU);
	TEST_EQ_STR(c.caller, "+33612345678");
	TEST_EQ_STR(c.called, "0102030405");

	/* What we sent: the agreed payload type only, the prompt audible in it. */
	TEST_CHECK(sip_test_probe_packets(&f.probe, pt) > 150);
	TEST_EQ_INT(sip_test_probe_packets(&f.probe, other), 0);
	TEST_EQ_INT(sip_test_probe_packets(&f.probe, -1), sip_test_probe_packets(&f.probe, pt));
	TEST_CHECK(probe_loud_frames(&f, pt == 8 ? MEDIA_CODEC_PCMA : MEDIA_CODEC_PCMU) >= 10);
	TEST_EQ_INT(c.marks_completed, 1);

	/* What we received: the recorded speech of g711a.pcap, decoded and recorded. */
	if (!TEST_CHECK(c.loud_frames > 50))
		fprintf(stderr, "    loud frames %u of %u, peak %.0f\n", c.loud_frames,
			c.audio_frames, c.audio_peak);
	snprintf(wav_path, sizeof(wav_path), "%s/call-%llu-caller.wav", record_dir,
		 (unsigned long long)c.number);
	TEST_REQUIRE(wav_read_file(&recorded, wav_path) == 0);
	TEST_EQ_INT(recorded.rate, 8000);
	TEST_CHECK(recorded.count >= 4 * 8000);
	wav_audio_free(&recorded);

	fixture_stop(&f);
}

static void offer_pcma_only(void)
{
	call_with_offer("8 101", 8, "u1");
}

static void offer_pcmu_only(void)
{
	call_with_offer("0 101", 0, "u1");
}

static void offer_pcmu_then_pcma(void)
{
	call_with_offer("0 8 101", 0, "u1");
}

static void offer_pcma_then_pcmu(void)
{
	call_with_offer("9 8 0 101", 8, "u1");
}

static void call_over_tcp(void)
{
	call_with_offer("8 0 101", 8, "t1");
}

static void offer_g722_rejected(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	char probe_port[16];

	fixture_init(&f);
	fixture_start(&f, &options);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	struct subst subs[] = {
		{"FORMATS", "9"}, {"PROBE_PORT", probe_port}, {"STATUS", "488"},
	};

	TEST_EQ_INT(fixture_sipp_run(&f, "uac_reject.xml", subs, 3, "u1", 20000), 0);
	TEST_EQ_INT(test_app_count(&f.app), 0);
	TEST_EQ_INT(sip_ua_call_count(f.ua), 0);
	fixture_stop(&f);
}

/* A call whose media fragment is `media`; the caller hangs up after `hold_ms`. */
static void run_call(struct fixture *f, const char *scenario, const char *media,
		     const char *hold_ms)
{
	char probe_port[16];

	snprintf(probe_port, sizeof(probe_port), "%u", f->probe.port);
	struct subst subs[] = {
		{"FORMATS", "8 0 101"}, {"EXPECT_PT", "8"}, {"PROBE_PORT", probe_port},
		{"MEDIA", media},	{"HOLD_MS", hold_ms}, {"BYE_TIMEOUT_MS", hold_ms},
	};

	TEST_EQ_INT(fixture_sipp_run(f, scenario, subs, 6, "u1", 60000), 0);
}

static char *info_fragment(const char *ctype, const char *body, const char *cseq)
{
	struct subst subs[] = {{"CTYPE", ctype}, {"BODY", body}, {"CSEQ", cseq}};

	return fixture_fragment("frag_info.xml", subs, 3);
}

/* Concatenate fragments; frees them. */
static char *join(char *parts[], size_t count)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < count; i++)
		len += parts[i] ? strlen(parts[i]) : 0;
	out = calloc(1, len);
	for (size_t i = 0; i < count; i++) {
		if (out && parts[i])
			strcat(out, parts[i]);
		free(parts[i]);
	}
	return out;
}

static void digits_rfc4733_twice(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char pcap[1024];
	char *media;

	fixture_init(&f);
	fixture_start(&f, &options);
	struct subst subs[] = {
		{"PCAP", sip_test_corpus_path(pcap, sizeof(pcap), DTMF_PCAP)},
		{"PCAP_MS", "600"},
	};
	char *parts[] = {fixture_fragment("frag_pcap.xml", subs, 2),
			 fixture_fragment("frag_pcap.xml", subs, 2)};
	media = join(parts, 2);
	TEST_REQUIRE(media != NULL);

	run_call(&f, "uac_call.xml", media, "300");
	free(media);

	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_EQ_STR(c.digits, "11");
	TEST_EQ_INT(c.sources[0], SIP_DIGIT_RFC4733);
	TEST_EQ_INT(c.sources[1], SIP_DIGIT_RFC4733);
	fixture_stop(&f);
}

static void digits_info_twice(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char *media;

	fixture_init(&f);
	fixture_start(&f, &options);
	char *parts[] = {
		info_fragment("application/dtmf-relay", "Signal=5\r\nDuration=160", "2"),
		info_fragment("application/dtmf-relay", "Signal=5\r\nDuration=160", "3"),
		info_fragment("application/dtmf", "*", "4"),
		info_fragment("application/dtmf-relay", "Signal=x", "5"),
		info_fragment("text/plain", "5", "6"),
	};
	/* The last two get 400 (no key) and 415 (not a DTMF type), not 200. */
	char *pos = strstr(parts[3], "<recv response=\"200\"/>");

	TEST_REQUIRE(pos != NULL);
	memcpy(pos, "<recv response=\"400\"/>", strlen("<recv response=\"400\"/>"));
	pos = strstr(parts[4], "<recv response=\"200\"/>");
	TEST_REQUIRE(pos != NULL);
	memcpy(pos, "<recv response=\"415\"/>", strlen("<recv response=\"415\"/>"));
	media = join(parts, 5);
	TEST_REQUIRE(media != NULL);

	run_call(&f, "uac_call.xml", media, "300");
	free(media);

	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_EQ_STR(c.digits, "55*");
	TEST_EQ_INT(c.sources[0], SIP_DIGIT_INFO);
	TEST_EQ_INT(c.sources[2], SIP_DIGIT_INFO);
	fixture_stop(&f);
}

static void cancel_before_answer(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char probe_port[16];

	fixture_init(&f);
	f.cfg.answer_delay_ms = 3000;
	fixture_start(&f, &options);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	struct subst subs[] = {{"FORMATS", "8 101"}, {"PROBE_PORT", probe_port}};

	TEST_EQ_INT(fixture_sipp_run(&f, "uac_cancel.xml", subs, 2, "u1", 20000), 0);
	check_one_call(&f, &c, SIP_END_CANCELLED);
	TEST_CHECK(!c.started);
	TEST_EQ_INT(sip_test_probe_packets(&f.probe, -1), 0);
	fixture_stop(&f);
}

static void bye_from_agent(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char *media;

	fixture_init(&f);
	fixture_start(&f, &options);
	media = info_fragment("application/dtmf-relay", "Signal=#\r\nDuration=100", "2");
	TEST_REQUIRE(media != NULL);
	run_call(&f, "uac_wait_bye.xml", media, "5000");
	free(media);

	check_one_call(&f, &c, SIP_END_LOCAL_HANGUP);
	TEST_EQ_STR(c.digits, "#");
	fixture_stop(&f);
}

static void bye_after_timer(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;

	fixture_init(&f);
	options.hangup_after_ms = 1500;
	fixture_start(&f, &options);
	run_call(&f, "uac_wait_bye.xml", "", "6000");
	check_one_call(&f, &c, SIP_END_LOCAL_HANGUP);
	TEST_CHECK(c.started);
	fixture_stop(&f);
}

static void rtp_timeout_hangs_up(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;

	fixture_init(&f);
	f.cfg.rtp_timeout_s = 2;
	fixture_start(&f, &options);
	/* sipp sends no RTP at all in this scenario. */
	run_call(&f, "uac_wait_bye.xml", "", "8000");
	check_one_call(&f, &c, SIP_END_RTP_TIMEOUT);
	TEST_EQ_INT(c.audio_frames, 0);
	fixture_stop(&f);
}

static char *refer_media(const char *refer_status, const char *final_sipfrag)
{
	struct subst answer[] = {{"TARGET", TRANSFER_TARGET}, {"REFER_STATUS", refer_status}};
	struct subst trying[] = {
		{"CSEQ", "5"}, {"STATE", "active;expires=60"}, {"SIPFRAG", "100 Trying"}};
	struct subst final[] = {
		{"CSEQ", "6"}, {"STATE", "terminated;reason=noresource"}, {"SIPFRAG", final_sipfrag}};
	char *parts[4] = {
		info_fragment("application/dtmf-relay", "Signal=0\r\nDuration=100", "2"),
		fixture_fragment("frag_refer_answer.xml", answer, 2),
		NULL,
		NULL,
	};

	if (final_sipfrag) {
		parts[2] = fixture_fragment("frag_notify.xml", trying, 3);
		parts[3] = fixture_fragment("frag_notify.xml", final, 3);
	}
	return join(parts, 4);
}

static void refer_accepted(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char *media;

	fixture_init(&f);
	snprintf(f.cfg.transfer_target, sizeof(f.cfg.transfer_target), TRANSFER_TARGET);
	fixture_start(&f, &options);
	media = refer_media("202 Accepted", "200 OK");
	TEST_REQUIRE(media != NULL);
	run_call(&f, "uac_wait_bye.xml", media, "5000");
	free(media);

	check_one_call(&f, &c, SIP_END_TRANSFERRED);
	TEST_EQ_INT(c.transfer_status, SIP_TRANSFER_SUCCEEDED);
	TEST_EQ_INT(c.transfer_scode, 200);
	fixture_stop(&f);
}

static void refer_refused(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char *media;

	fixture_init(&f);
	snprintf(f.cfg.transfer_target, sizeof(f.cfg.transfer_target), TRANSFER_TARGET);
	fixture_start(&f, &options);
	media = refer_media("603 Declined", NULL);
	TEST_REQUIRE(media != NULL);
	/* The call goes on after the refusal until the caller hangs up. */
	run_call(&f, "uac_call.xml", media, "1500");
	free(media);

	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_EQ_INT(c.transfer_status, SIP_TRANSFER_FAILED);
	TEST_EQ_INT(c.transfer_scode, 603);
	fixture_stop(&f);
}

static void refer_target_busy(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char *media;

	fixture_init(&f);
	snprintf(f.cfg.transfer_target, sizeof(f.cfg.transfer_target), TRANSFER_TARGET);
	fixture_start(&f, &options);
	media = refer_media("202 Accepted", "486 Busy Here");
	TEST_REQUIRE(media != NULL);
	run_call(&f, "uac_call.xml", media, "1500");
	free(media);

	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_EQ_INT(c.transfer_status, SIP_TRANSFER_FAILED);
	TEST_EQ_INT(c.transfer_scode, 486);
	fixture_stop(&f);
}

static void options_answered(void)
{
	struct fixture f;
	struct test_app_options options = default_options();

	fixture_init(&f);
	fixture_start(&f, &options);
	TEST_EQ_INT(fixture_sipp_run(&f, "uac_options.xml", NULL, 0, "u1", 10000), 0);
	TEST_EQ_INT(fixture_sipp_run(&f, "uac_options.xml", NULL, 0, "t1", 10000), 0);
	fixture_stop(&f);
}

static bool registered(void *arg)
{
	return sip_ua_registered(arg);
}

static void register_with_digest(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	uint16_t port = sip_test_free_port();
	char path[600];
	pid_t registrar;

	fixture_init(&f);
	snprintf(f.cfg.registrar_uri, sizeof(f.cfg.registrar_uri), "sip:127.0.0.1:%u", port);
	snprintf(f.cfg.username, sizeof(f.cfg.username), "0102030405");
	snprintf(f.cfg.password, sizeof(f.cfg.password), "s3cret-pass");
	/* Behind NAT: the registrar must see the public address in Contact. */
	snprintf(f.cfg.public_address, sizeof(f.cfg.public_address), "203.0.113.7");
	struct subst subs[] = {
		{"USER", "0102030405"},
		{"PASSWORD", "s3cret-pass"},
		{"CONTACT_HOST", "203.0.113.7"},
		{"EXPIRES", "10"},
	};
	TEST_REQUIRE(fixture_scenario(&f, "uas_registrar.xml", subs, 4, path, sizeof(path)) == 0);

	/* The registrar listens before the user agent starts. */
	f.ua = NULL;
	registrar = fixture_sipp_start(&f, path, "u1", true, port, "registrar");
	TEST_REQUIRE(registrar > 0);
	sip_test_sleep_ms(300);
	fixture_start(&f, &options);

	TEST_CHECK(sip_test_wait_for(registered, f.ua, 5000));
	/* The registrar grants 10 s, so the refresh comes 5 s later; then the removal. */
	sip_test_sleep_ms(6500);
	TEST_CHECK(sip_ua_registered(f.ua));
	fixture_stop(&f);
	TEST_EQ_INT(fixture_sipp_wait(&f, registrar, "registrar", 10000), 0);
}

static void register_wrong_password(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	uint16_t port = sip_test_free_port();
	char path[600];
	pid_t registrar;

	fixture_init(&f);
	snprintf(f.cfg.registrar_uri, sizeof(f.cfg.registrar_uri), "sip:127.0.0.1:%u", port);
	snprintf(f.cfg.username, sizeof(f.cfg.username), "0102030405");
	snprintf(f.cfg.password, sizeof(f.cfg.password), "wrong");
	struct subst subs[] = {
		{"USER", "0102030405"},
		{"PASSWORD", "s3cret-pass"},
		{"CONTACT_HOST", "127.0.0.1"},
		{"EXPIRES", "10"},
	};
	TEST_REQUIRE(fixture_scenario(&f, "uas_registrar.xml", subs, 4, path, sizeof(path)) == 0);
	registrar = fixture_sipp_start(&f, path, "u1", true, port, "registrar");
	TEST_REQUIRE(registrar > 0);
	sip_test_sleep_ms(300);
	fixture_start(&f, &options);

	/* The registrar responds 403: no registration, and the shutdown does not hang. */
	TEST_CHECK(!sip_test_wait_for(registered, f.ua, 2000));
	fixture_stop(&f);
	TEST_CHECK(sip_test_wait(registrar, 5000) != 0);
}

static void max_calls_refused(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	char first_path[600], second_path[600], probe_port[16];
	pid_t first;

	fixture_init(&f);
	f.cfg.max_calls = 1;
	fixture_start(&f, &options);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	struct subst subs[] = {
		{"FORMATS", "8 101"}, {"EXPECT_PT", "8"}, {"PROBE_PORT", probe_port},
		{"MEDIA", ""},	      {"HOLD_MS", "2500"}, {"STATUS", "503"},
	};
	TEST_REQUIRE(fixture_scenario(&f, "uac_call.xml", subs, 6, first_path,
				      sizeof(first_path)) == 0);
	TEST_REQUIRE(fixture_scenario(&f, "uac_reject.xml", subs, 6, second_path,
				      sizeof(second_path)) == 0);

	first = fixture_sipp_start(&f, first_path, "u1", false, 0, "first");
	TEST_REQUIRE(first > 0);
	TEST_REQUIRE(sip_test_wait_for(first_call_started, &f.app, 10000));
	TEST_EQ_INT(sip_ua_call_count(f.ua), 1);
	TEST_EQ_INT(fixture_sipp_wait(&f, fixture_sipp_start(&f, second_path, "u1", false, 0,
							      "second"),
				      "second", 10000),
		    0);
	TEST_EQ_INT(fixture_sipp_wait(&f, first, "first", 20000), 0);
	TEST_EQ_INT(test_app_count(&f.app), 1);
	fixture_stop(&f);
}

static void shutdown_drains_calls(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char first_path[600], second_path[600], probe_port[16];
	pid_t first;

	fixture_init(&f);
	f.cfg.shutdown_grace_s = 2;
	fixture_start(&f, &options);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	struct subst subs[] = {
		{"FORMATS", "8 101"}, {"EXPECT_PT", "8"},	      {"PROBE_PORT", probe_port},
		{"MEDIA", ""},	      {"BYE_TIMEOUT_MS", "15000"}, {"STATUS", "503"},
	};
	TEST_REQUIRE(fixture_scenario(&f, "uac_wait_bye.xml", subs, 6, first_path,
				      sizeof(first_path)) == 0);
	TEST_REQUIRE(fixture_scenario(&f, "uac_reject.xml", subs, 6, second_path,
				      sizeof(second_path)) == 0);

	first = fixture_sipp_start(&f, first_path, "u1", false, 0, "first");
	TEST_REQUIRE(first > 0);
	TEST_REQUIRE(sip_test_wait_for(first_call_started, &f.app, 10000));
	TEST_EQ_INT(sip_ua_call_count(f.ua), 1);

	/* Stopping: new calls get 503, the call in progress is hung up after 2 s. */
	TEST_EQ_INT(sip_ua_shutdown(f.ua), 0);
	TEST_EQ_INT(fixture_sipp_wait(&f, fixture_sipp_start(&f, second_path, "u1", false, 0,
							      "second"),
				      "second", 10000),
		    0);
	TEST_EQ_INT(fixture_sipp_wait(&f, first, "first", 15000), 0);
	sip_ua_wait(f.ua);
	TEST_EQ_INT(sip_ua_post(f.ua, NULL, NULL), EINVAL);
	TEST_EQ_INT(sip_ua_hangup(f.ua, 1), ESHUTDOWN);

	check_one_call(&f, &c, SIP_END_SHUTDOWN);
	fixture_stop(&f);
}

static void late_offer_answered(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char probe_port[16];

	fixture_init(&f);
	fixture_start(&f, &options);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	struct subst subs[] = {{"PROBE_PORT", probe_port}};

	TEST_EQ_INT(fixture_sipp_run(&f, "uac_late_offer.xml", subs, 1, "u1", 20000), 0);
	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_CHECK(c.late_offer);
	TEST_EQ_INT(c.codec, SIP_CODEC_PCMU);
	TEST_CHECK(sip_test_probe_packets(&f.probe, 0) > 20);
	TEST_EQ_INT(sip_test_probe_packets(&f.probe, 8), 0);
	fixture_stop(&f);
}

static char *reinvite(const char *cseq, const char *version, const char *dir,
		      const char *expect_dir, const char *probe_port, const char *pause_ms)
{
	struct subst subs[] = {
		{"CSEQ", cseq},		   {"VERSION", version},	 {"DIR", dir},
		{"EXPECT_DIR", expect_dir}, {"PROBE_PORT", probe_port}, {"PAUSE_MS", pause_ms},
	};

	return fixture_fragment("frag_reinvite.xml", subs, 6);
}

static void reinvite_hold_and_resume(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char probe_port[16];
	unsigned before, during;
	char *media;

	fixture_init(&f);
	options.prompt_wav = NULL;
	fixture_start(&f, &options);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	/* Hold (sendonly, so our SDP answer has recvonly and we stop sending), then resume. */
	char *parts[] = {
		reinvite("2", "2", "sendonly", "recvonly", probe_port, "1500"),
		reinvite("3", "3", "sendrecv", "sendrecv", probe_port, "1000"),
	};
	media = join(parts, 2);
	TEST_REQUIRE(media != NULL);
	struct subst subs[] = {
		{"FORMATS", "8 101"}, {"EXPECT_PT", "8"}, {"PROBE_PORT", probe_port},
		{"MEDIA", media},     {"HOLD_MS", "300"},
	};
	char path[600];
	TEST_REQUIRE(fixture_scenario(&f, "uac_call.xml", subs, 5, path, sizeof(path)) == 0);
	free(media);
	pid_t pid = fixture_sipp_start(&f, path, "u1", false, 0, "sipp");
	TEST_REQUIRE(pid > 0);

	/* The hold starts right after the ACK and lasts 1.5 s: sample from 0.3 s to 1.1 s. */
	TEST_REQUIRE(sip_test_wait_for(first_call_started, &f.app, 10000));
	sip_test_sleep_ms(300);
	before = sip_test_probe_packets(&f.probe, 8);
	sip_test_sleep_ms(800);
	during = sip_test_probe_packets(&f.probe, 8);
	TEST_EQ_INT(fixture_sipp_wait(&f, pid, "sipp", 15000), 0);

	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	if (!TEST_CHECK(during - before <= 2))
		fprintf(stderr, "    %u packets sent while on hold\n", during - before);
	/* After the resume RTP flows again for about a second. */
	TEST_CHECK(sip_test_probe_packets(&f.probe, 8) > during + 30);
	fixture_stop(&f);
}

static void public_address_in_answer(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char probe_port[16];

	fixture_init(&f);
	/* Behind NAT: the caller must be given the public address in SDP and Contact. */
	snprintf(f.cfg.public_address, sizeof(f.cfg.public_address), "203.0.113.7");
	fixture_start(&f, &options);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	struct subst subs[] = {
		{"FORMATS", "8 101"},	{"EXPECT_PT", "8"},	     {"PROBE_PORT", probe_port},
		{"MEDIA", ""},		{"HOLD_MS", "500"},	     {"MEDIA_HOST", "203.0.113.7"},
		{"CONTACT_HOST", "203.0.113.7"},
	};

	TEST_EQ_INT(fixture_sipp_run(&f, "uac_call.xml", subs, 7, "u1", 20000), 0);
	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_CHECK(sip_test_probe_packets(&f.probe, 8) > 10);
	fixture_stop(&f);
}

static void caller_withheld_by_privacy(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	char probe_port[16];

	fixture_init(&f);
	fixture_start(&f, &options);
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	/* The INVITE carries P-Asserted-Identity, but the caller asked for privacy. */
	struct subst subs[] = {
		{"FORMATS", "8 101"}, {"EXPECT_PT", "8"},   {"PROBE_PORT", probe_port},
		{"MEDIA", ""},	      {"HOLD_MS", "300"}, {"EXTRA_HEADERS", "\r\nPrivacy: none; id"},
	};

	TEST_EQ_INT(fixture_sipp_run(&f, "uac_call.xml", subs, 6, "u1", 20000), 0);
	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_EQ_STR(c.caller, "");
	TEST_EQ_STR(c.called, "0102030405");
	fixture_stop(&f);
}

static void start_errors(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct sip_config cfg;
	struct sip_ua *second = NULL;
	struct sip_handler handler = {0};
	char path[700];
	int fd;

	fixture_init(&f);

	/* A certificate file that does not exist. */
	cfg = f.cfg;
	snprintf(path, sizeof(path), "%s/missing.pem", f.tmp);
	TEST_REQUIRE(snprintf(cfg.tls_certificate, sizeof(cfg.tls_certificate), "%s", path) <
		     (int)sizeof(cfg.tls_certificate));
	TEST_EQ_INT(sip_ua_start(&second, &cfg, &handler), EINVAL);

	/* An invalid configuration is refused before anything starts. */
	cfg = f.cfg;
	cfg.max_calls = 0;
	TEST_EQ_INT(sip_ua_start(&second, &cfg, &handler), EINVAL);

	/* A port already taken. */
	struct sockaddr_in sin = {.sin_family = AF_INET};
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	TEST_REQUIRE(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(5555);
	TEST_REQUIRE(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	cfg = f.cfg;
	cfg.sip_port = 5555;
	TEST_EQ_INT(sip_ua_start(&second, &cfg, &handler), EADDRINUSE);
	close(fd);

	/* One user agent per process. */
	fixture_start(&f, &options);
	TEST_EQ_INT(sip_ua_start(&second, &f.cfg, &handler), EALREADY);
	TEST_CHECK(second == NULL);
	fixture_stop(&f);
}

/* A task that blocks the loop until the test opens the gate. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool entered;
	bool open;
};

static void gate_task(struct sip_ua *ua, void *arg)
{
	struct gate *gate = arg;
	(void)ua;

	pthread_mutex_lock(&gate->lock);
	gate->entered = true;
	pthread_cond_broadcast(&gate->cond);
	while (!gate->open)
		pthread_cond_wait(&gate->cond, &gate->lock);
	pthread_mutex_unlock(&gate->lock);
}

static void posted_commands_bounded(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false};
	int err = 0;
	unsigned accepted = 0;

	fixture_init(&f);
	fixture_start(&f, &options);
	TEST_EQ_INT(sip_ua_post(f.ua, gate_task, &gate), 0);
	pthread_mutex_lock(&gate.lock);
	while (!gate.entered)
		pthread_cond_wait(&gate.cond, &gate.lock);
	pthread_mutex_unlock(&gate.lock);

	/* The loop is busy: commands pile up to the bound, then posting fails. */
	while (accepted < 5000 && (err = sip_ua_hangup(f.ua, 42)) == 0)
		accepted++;
	TEST_EQ_INT(err, ENOBUFS);
	TEST_EQ_INT(accepted, 1024);

	/* Stopping is not subject to the bound: the shutdown is queued behind them. */
	TEST_EQ_INT(sip_ua_shutdown(f.ua), 0);
	pthread_mutex_lock(&gate.lock);
	gate.open = true;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
	fixture_stop(&f);
}

static void posted_commands(void)
{
	struct fixture f;
	struct test_app_options options = default_options();
	struct test_app_call c;
	int16_t tone[8000];

	fixture_init(&f);
	options.prompt_wav = NULL;
	fixture_start(&f, &options);

	/* Bad arguments and unknown calls are refused or dropped without harm. */
	TEST_EQ_INT(sip_ua_play(f.ua, 0, tone, 10), EINVAL);
	TEST_EQ_INT(sip_ua_play(f.ua, 99, NULL, 10), EINVAL);
	TEST_EQ_INT(sip_ua_play(f.ua, 99, tone, 10), 0);
	TEST_EQ_INT(sip_ua_play(f.ua, 99, tone, (size_t)f.cfg.playback_max_s * 8000 + 1),
		    EOVERFLOW);
	TEST_EQ_INT(sip_ua_transfer(f.ua, 99, "sip:x@192.0.2.1"), 0);
	TEST_EQ_INT(sip_ua_hangup(f.ua, 99), 0);
	TEST_EQ_STR(sip_end_reason_name(SIP_END_RTP_TIMEOUT), "RTP timeout");
	TEST_EQ_INT(sip_ua_port(f.ua, "sctp"), 0);
	TEST_CHECK(sip_ua_port(f.ua, "udp") != 0);
	TEST_EQ_INT(sip_ua_port(f.ua, "tls"), 0);

	/* A loud 1 kHz tone posted from this thread reaches the caller. */
	for (int i = 0; i < 8000; i++)
		tone[i] = (int16_t)(8000.0 * sin(2 * M_PI * 1000.0 * i / 8000.0));
	char probe_port[16];
	snprintf(probe_port, sizeof(probe_port), "%u", f.probe.port);
	struct subst subs[] = {
		{"FORMATS", "8 101"}, {"EXPECT_PT", "8"}, {"PROBE_PORT", probe_port},
		{"MEDIA", ""},	      {"HOLD_MS", "2500"},
	};
	char path[600];
	TEST_REQUIRE(fixture_scenario(&f, "uac_call.xml", subs, 5, path, sizeof(path)) == 0);
	pid_t pid = fixture_sipp_start(&f, path, "u1", false, 0, "sipp");
	TEST_REQUIRE(pid > 0);
	TEST_REQUIRE(sip_test_wait_for(first_call_started, &f.app, 10000));
	TEST_REQUIRE(test_app_call(&f.app, 0, &c));
	TEST_EQ_INT(sip_ua_play(f.ua, c.number, tone, 8000), 0);
	TEST_EQ_INT(sip_ua_mark(f.ua, c.number, 7), 0);
	TEST_EQ_INT(fixture_sipp_wait(&f, pid, "sipp", 15000), 0);

	check_one_call(&f, &c, SIP_END_REMOTE_HANGUP);
	TEST_EQ_INT(c.marks_completed, 1);
	TEST_CHECK(probe_loud_frames(&f, MEDIA_CODEC_PCMA) >= 45);
	fixture_stop(&f);
}

static const struct test_case cases[] = {
	TEST_CASE(offer_pcma_only),
	TEST_CASE(offer_pcmu_only),
	TEST_CASE(offer_pcmu_then_pcma),
	TEST_CASE(offer_pcma_then_pcmu),
	TEST_CASE(call_over_tcp),
	TEST_CASE(offer_g722_rejected),
	TEST_CASE(digits_rfc4733_twice),
	TEST_CASE(digits_info_twice),
	TEST_CASE(cancel_before_answer),
	TEST_CASE(bye_from_agent),
	TEST_CASE(bye_after_timer),
	TEST_CASE(rtp_timeout_hangs_up),
	TEST_CASE(refer_accepted),
	TEST_CASE(refer_refused),
	TEST_CASE(refer_target_busy),
	TEST_CASE(options_answered),
	TEST_CASE(register_with_digest),
	TEST_CASE(register_wrong_password),
	TEST_CASE(max_calls_refused),
	TEST_CASE(shutdown_drains_calls),
	TEST_CASE(late_offer_answered),
	TEST_CASE(posted_commands),
	TEST_CASE(posted_commands_bounded),
	TEST_CASE(reinvite_hold_and_resume),
	TEST_CASE(public_address_in_answer),
	TEST_CASE(caller_withheld_by_privacy),
	TEST_CASE(start_errors),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
