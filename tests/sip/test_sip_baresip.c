/*
 * baresip as a real softphone calling the user agent: headless, with a WAV file as its
 * microphone (aufile), the decoded audio dumped to WAV (sndfile), and commands sent to
 * its ctrl_tcp module. The test writes baresip's configuration folder itself.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sip_fixture.h"
#include "test.h"
#include "wav.h"

#define PROMPT "audio/fsdd_digits_en_8k/0_jackson_0.wav"
#define SPEECH "audio/OSR_us_000_0034_8k.wav"

struct baresip {
	pid_t pid;
	uint16_t ctrl_port;
	char dir[600];
	char rec[600];
};

/* Send one ctrl_tcp command (a netstring of JSON); returns 0 when baresip reports ok. */
static int baresip_command(struct baresip *b, const char *command, const char *params)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	char json[512], frame[600], reply[4096];
	struct pollfd pfd;
	size_t have = 0;
	int fd, n, err = ETIMEDOUT;

	n = snprintf(json, sizeof(json), "{\"command\":\"%s\",\"params\":\"%s\",\"token\":\"t\"}",
		     command, params ? params : "");
	n = snprintf(frame, sizeof(frame), "%d:%s,", n, json);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return errno;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(b->ctrl_port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    send(fd, frame, (size_t)n, MSG_NOSIGNAL) != n) {
		err = errno;
		close(fd);
		return err;
	}
	/* Events may come first; wait for the response to our token. */
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (have < sizeof(reply) - 1 && poll(&pfd, 1, 3000) > 0) {
		ssize_t got = recv(fd, reply + have, sizeof(reply) - 1 - have, 0);

		if (got <= 0)
			break;
		have += (size_t)got;
		reply[have] = '\0';
		if (strstr(reply, "\"response\":true")) {
			err = strstr(reply, "\"ok\":true") ? 0 : EPROTO;
			break;
		}
	}
	if (err)
		fprintf(stderr, "    baresip %s %s: %s (%s)\n", command, params ? params : "",
			strerror(err), have ? reply : "no reply");
	close(fd);
	return err;
}

static int baresip_start(struct baresip *b, struct fixture *f, const char *account_params,
			 const char *tls_ca)
{
	char path[700], speech[1024], config[4096], log[700];
	uint16_t sip_port = sip_test_free_port();
	int err;

	memset(b, 0, sizeof(*b));
	b->ctrl_port = sip_test_free_port();
	snprintf(b->dir, sizeof(b->dir), "%s/baresip", f->tmp);
	snprintf(b->rec, sizeof(b->rec), "%s/baresip-rec", f->tmp);
	if (mkdir(b->dir, 0700) || mkdir(b->rec, 0700))
		return errno;

	snprintf(config, sizeof(config),
		 "poll_method\tepoll\n"
		 "sip_listen\t127.0.0.1:%u\n"
		 "%s%s%s"
		 "net_interface\t127.0.0.1\n"
		 "dns_server\t127.0.0.1:53\n"
		 "call_local_timeout\t30\n"
		 "audio_player\taubridge,speaker\n"
		 "audio_alert\taubridge,speaker\n"
		 "audio_source\taufile,%s\n"
		 "ausrc_srate\t8000\n"
		 "auplay_srate\t8000\n"
		 "ausrc_channels\t1\n"
		 "auplay_channels\t1\n"
		 "rtp_ports\t40000-40100\n"
		 "snd_path\t%s\n"
		 "module_path\t/usr/lib/baresip/modules\n"
		 "module\tg711.so\n"
		 "module\taufile.so\n"
		 "module\taubridge.so\n"
		 "module\tsndfile.so\n"
		 "module_tmp\taccount.so\n"
		 "module_app\tmenu.so\n"
		 "module_app\tctrl_tcp.so\n"
		 "ctrl_tcp_listen\t127.0.0.1:%u\n",
		 sip_port, tls_ca ? "sip_cafile\t" : "", tls_ca ? tls_ca : "", tls_ca ? "\n" : "",
		 sip_test_corpus_path(speech, sizeof(speech), SPEECH), b->rec, b->ctrl_port);
	snprintf(path, sizeof(path), "%s/config", b->dir);
	err = sip_test_write_file(path, config);
	if (err)
		return err;

	snprintf(config, sizeof(config), "<sip:tester@127.0.0.1%s>;regint=0;%s\n",
		 tls_ca ? ";transport=tls" : "", account_params);
	snprintf(path, sizeof(path), "%s/accounts", b->dir);
	err = sip_test_write_file(path, config);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/contacts", b->dir);
	err = sip_test_write_file(path, "");
	if (err)
		return err;

	snprintf(log, sizeof(log), "%s/baresip.log", f->tmp);
	char *argv[] = {"baresip", "-f", b->dir, NULL};
	b->pid = sip_test_spawn(argv, log);
	if (b->pid < 0)
		return ECHILD;

	/* Ready when ctrl_tcp accepts a connection. */
	for (int i = 0; i < 50; i++) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		bool up;

		sip_test_sleep_ms(100);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons(b->ctrl_port);
		up = fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
		if (fd >= 0)
			close(fd);
		if (up)
			return 0;
	}
	return ETIMEDOUT;
}

static void baresip_stop(struct baresip *b, struct fixture *f)
{
	char log[700];

	sip_test_stop(b->pid, 3000);
	if (getenv("SIP_TEST_DEBUG")) {
		snprintf(log, sizeof(log), "%s/baresip.log", f->tmp);
		sip_test_dump_file("baresip", log);
	}
}

/* Frames of 20 ms louder than -40 dBFS in the first WAV file of `dir` ending in `suffix`. */
static unsigned loud_frames_in(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned loud = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name), s = strlen(suffix);
		char path[1200];
		struct wav_audio wav;

		if (n < s || strcmp(e->d_name + n - s, suffix))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (wav_read_file(&wav, path))
			break;
		for (size_t off = 0; off + 160 <= wav.count; off += 160) {
			double energy = 0;

			for (int i = 0; i < 160; i++)
				energy += (double)wav.samples[off + i] * wav.samples[off + i];
			if (sqrt(energy / 160) > 327.0)
				loud++;
		}
		wav_audio_free(&wav);
		break;
	}
	closedir(d);
	return loud;
}

static bool call_started(void *arg)
{
	struct test_app_call c;

	return test_app_call(arg, 0, &c) && c.started;
}

static void baresip_call(const char *account_params, enum sip_codec codec, bool tls)
{
	struct fixture f;
	char prompt[1024], target[128], cert[700], key[700];
	struct test_app_options options = {
		.prompt_wav = sip_test_corpus_path(prompt, sizeof(prompt), PROMPT),
		.transfer_key = '0',
		.hangup_key = '#',
	};
	struct test_app_call c;
	struct baresip b;

	fixture_init(&f);
	if (tls) {
		char command[2048];

		snprintf(cert, sizeof(cert), "%s/cert.pem", f.tmp);
		snprintf(key, sizeof(key), "%s/key.pem", f.tmp);
		snprintf(command, sizeof(command),
			 "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 "
			 "-keyout '%s' -out '%s' >/dev/null 2>&1",
			 key, cert);
		TEST_REQUIRE(system(command) == 0);
		TEST_REQUIRE(snprintf(f.cfg.tls_certificate, sizeof(f.cfg.tls_certificate), "%s",
				      cert) < (int)sizeof(f.cfg.tls_certificate));
		TEST_REQUIRE(snprintf(f.cfg.tls_key, sizeof(f.cfg.tls_key), "%s", key) <
			     (int)sizeof(f.cfg.tls_key));
		f.cfg.tls_port = 0;
	}
	fixture_start(&f, &options);
	TEST_REQUIRE(baresip_start(&b, &f, account_params, tls ? cert : NULL) == 0);

	snprintf(target, sizeof(target), "sip:0102030405@127.0.0.1:%u",
		 sip_ua_port(f.ua, tls ? "tls" : "udp"));
	TEST_REQUIRE(baresip_command(&b, "dial", target) == 0);
	TEST_REQUIRE(sip_test_wait_for(call_started, &f.app, 5000));

	/* Let both sides talk, then press 4 and 2 on baresip's keypad (RFC 4733). */
	sip_test_sleep_ms(2000);
	TEST_EQ_INT(baresip_command(&b, "sndcode", "4"), 0);
	sip_test_sleep_ms(400);
	TEST_EQ_INT(baresip_command(&b, "sndcode", "2"), 0);
	TEST_CHECK(test_app_wait_digits(&f.app, 0, 2, 3000));
	sip_test_sleep_ms(500);
	TEST_EQ_INT(baresip_command(&b, "hangup", NULL), 0);
	TEST_CHECK(test_app_wait_ended(&f.app, 1, 5000));

	TEST_REQUIRE(test_app_call(&f.app, 0, &c));
	TEST_EQ_INT(c.codec, codec);
	TEST_EQ_STR(c.digits, "42");
	TEST_EQ_INT(c.sources[0], SIP_DIGIT_RFC4733);
	TEST_EQ_INT(c.end_reason, SIP_END_REMOTE_HANGUP);
	TEST_EQ_STR(c.caller, "");
	/* baresip's speech reached the application, and our prompt reached baresip. */
	if (!TEST_CHECK(c.loud_frames > 40))
		fprintf(stderr, "    loud frames %u of %u\n", c.loud_frames, c.audio_frames);
	TEST_CHECK(c.marks_completed == 1);
	baresip_stop(&b, &f);
	TEST_CHECK(loud_frames_in(b.rec, "-dec.wav") >= 15);
	fixture_stop(&f);
}

static void baresip_pcma(void)
{
	baresip_call("audio_codecs=PCMA/8000/1,PCMU/8000/1", SIP_CODEC_PCMA, false);
}

static void baresip_pcmu(void)
{
	baresip_call("audio_codecs=PCMU/8000/1", SIP_CODEC_PCMU, false);
}

static void baresip_tls(void)
{
	baresip_call("audio_codecs=PCMA/8000/1", SIP_CODEC_PCMA, true);
}

static const struct test_case cases[] = {
	TEST_CASE(baresip_pcma),
	TEST_CASE(baresip_pcmu),
	TEST_CASE(baresip_tls),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
