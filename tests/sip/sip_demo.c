/*
 * sip_demo: the test application as a program, for trying the user agent by hand with a
 * softphone (baresip, Linphone) and for measuring it under sipp load.
 *
 *   sip_demo --listen 127.0.0.1 --port 5080 --prompt prompt.wav --record-dir /tmp/calls
 *
 * It answers every call, plays the prompt, records the caller, prints each key, transfers
 * on '0' (to --transfer-target) and hangs up on '#'. SIGINT or SIGTERM stops it
 * gracefully; it then prints one line per call.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sip.h"
#include "test_app.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sip_demo [options]\n"
		"  --listen ADDR          IP address to listen on (default: the default route's)\n"
		"  --port N               SIP port for UDP and TCP (default 5060)\n"
		"  --public ADDR          address written in Contact and SDP (NAT)\n"
		"  --rtp-min N --rtp-max N  RTP port range (default 10000-20000)\n"
		"  --max-calls N          concurrent calls (default 8)\n"
		"  --prompt FILE          8 kHz WAV played when a call starts\n"
		"  --record-dir DIR       record callers to DIR/call-N-caller.wav\n"
		"  --transfer-target URI  where '0' transfers the call\n"
		"  --registrar URI --user NAME --password TEXT  register there\n"
		"  --tls-cert FILE        PEM certificate chain and key; enables TLS\n"
		"  --debug                log at debug level\n");
}

static int parse(int argc, char **argv, struct sip_config *cfg, struct test_app_options *opt)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"port", required_argument, NULL, 'p'},
		{"public", required_argument, NULL, 'P'},
		{"rtp-min", required_argument, NULL, 'm'},
		{"rtp-max", required_argument, NULL, 'M'},
		{"max-calls", required_argument, NULL, 'c'},
		{"prompt", required_argument, NULL, 'w'},
		{"record-dir", required_argument, NULL, 'r'},
		{"transfer-target", required_argument, NULL, 't'},
		{"registrar", required_argument, NULL, 'R'},
		{"user", required_argument, NULL, 'u'},
		{"password", required_argument, NULL, 'x'},
		{"tls-cert", required_argument, NULL, 'T'},
		{"debug", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			snprintf(cfg->listen_address, sizeof(cfg->listen_address), "%s", optarg);
			break;
		case 'p':
			cfg->sip_port = (uint16_t)atoi(optarg);
			break;
		case 'P':
			snprintf(cfg->public_address, sizeof(cfg->public_address), "%s", optarg);
			break;
		case 'm':
			cfg->rtp_port_min = (uint16_t)atoi(optarg);
			break;
		case 'M':
			cfg->rtp_port_max = (uint16_t)atoi(optarg);
			break;
		case 'c':
			cfg->max_calls = (unsigned)atoi(optarg);
			break;
		case 'w':
			opt->prompt_wav = optarg;
			break;
		case 'r':
			opt->record_dir = optarg;
			break;
		case 't':
			snprintf(cfg->transfer_target, sizeof(cfg->transfer_target), "%s", optarg);
			break;
		case 'R':
			snprintf(cfg->registrar_uri, sizeof(cfg->registrar_uri), "%s", optarg);
			break;
		case 'u':
			snprintf(cfg->username, sizeof(cfg->username), "%s", optarg);
			break;
		case 'x':
			snprintf(cfg->password, sizeof(cfg->password), "%s", optarg);
			break;
		case 'T':
			snprintf(cfg->tls_certificate, sizeof(cfg->tls_certificate), "%s", optarg);
			break;
		case 'd':
			log_set_level(LOGL_DEBUG);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return EINVAL;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sip_config cfg;
	struct test_app_options options = {.transfer_key = '0', .hangup_key = '#'};
	struct sip_handler handler;
	struct test_app app;
	struct sip_ua *ua;
	sigset_t set;
	int sig, err;

	sip_config_init(&cfg);
	if (parse(argc, argv, &cfg, &options))
		return 2;

	/* Signals are taken by sigwait() on this thread; every other thread blocks them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	err = test_app_init(&app, &options, &handler);
	if (err) {
		fprintf(stderr, "sip_demo: the prompt %s cannot be read as an 8 kHz WAV: %s\n",
			options.prompt_wav, strerror(err));
		return 1;
	}
	err = sip_ua_start(&ua, &cfg, &handler);
	if (err) {
		test_app_close(&app);
		return 1;
	}
	app.ua = ua;

	sigwait(&set, &sig);
	fprintf(stderr, "sip_demo: %s received, stopping\n", strsignal(sig));
	sip_ua_shutdown(ua);
	sip_ua_wait(ua);
	sip_ua_destroy(ua);

	for (unsigned i = 0; i < test_app_count(&app); i++) {
		struct test_app_call c;

		if (!test_app_call(&app, i, &c))
			break;
		printf("call %llu %s codec=%s digits=\"%s\" frames=%u end=%s\n",
		       (unsigned long long)c.number, c.call_id, sip_codec_name(c.codec), c.digits,
		       c.audio_frames,
		       c.end_reason >= 0 ? sip_end_reason_name((enum sip_end_reason)c.end_reason)
					 : "-");
	}
	test_app_close(&app);
	return 0;
}
