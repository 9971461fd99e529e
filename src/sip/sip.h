/*
 * SIP user agent: takes calls over SIP (UDP, TCP, TLS) on libre, carries their audio
 * as G.711 over RTP, and gives the application 20 ms frames of 8 kHz PCM, keypad digits
 * and call events. It can register to a registrar and transfer a call with REFER.
 *
 * Threads. sip_ua_start() starts one thread that runs the libre event loop and owns
 * every SIP and RTP object. Every callback in struct sip_handler runs on that thread,
 * and the sip_call_*() functions may only be called on it: inside a callback, or inside
 * a function posted with sip_ua_post(). Other threads (speech and dialogue workers, the
 * signal handler thread) use the sip_ua_*() functions marked "any thread". These copy
 * their arguments and post them to the loop through a libre mqueue.
 *
 * Lifetime of a call: `offered` is called once per accepted INVITE, then `ended` exactly
 * once. The struct sip_call pointer is valid from `offered` until `ended` returns. A call
 * is also known by its number (sip_call_number()), which other threads use because it
 * stays harmless after the call is gone: commands for an ended call are dropped.
 *
 * One user agent per process: libre keeps its event loop state in globals.
 */
#ifndef PERMANENCE_SIP_H
#define PERMANENCE_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Audio given to and taken from the application: 8 kHz mono 16-bit PCM. */
#define SIP_AUDIO_RATE 8000
/* Samples in one 20 ms frame, the unit of `audio` callbacks and of RTP packets sent. */
#define SIP_FRAME_SAMPLES 160

#define SIP_CONFIG_ADDRESS_MAX 64
#define SIP_CONFIG_NAME_MAX 128
#define SIP_CONFIG_TEXT_MAX 256

/*
 * Settings of the user agent. sip_config_init() fills in the defaults; the file parser
 * of the program fills in the rest. Text fields are NUL-terminated; an empty string
 * means "not set".
 */
struct sip_config {
	/* IP address the SIP and RTP sockets bind to. Empty: the address of the default
	 * route. A wildcard (0.0.0.0, ::) is rejected, because it cannot be written into
	 * Contact, Via or SDP; set public_address for NAT instead. */
	char listen_address[SIP_CONFIG_ADDRESS_MAX];
	bool udp;		/* listen on UDP (default on) */
	bool tcp;		/* listen on TCP (default on) */
	uint16_t sip_port;	/* UDP and TCP port, default 5060; 0 picks a free port */
	uint16_t tls_port;	/* TLS port, default 5061; 0 picks a free port */
	/* PEM file with the certificate chain; TLS listens when it is set. */
	char tls_certificate[SIP_CONFIG_TEXT_MAX];
	/* PEM file with the private key; empty when it is in tls_certificate. */
	char tls_key[SIP_CONFIG_TEXT_MAX];

	/* Address written in Contact and in SDP instead of listen_address, for a server
	 * behind NAT whose ports are forwarded. */
	char public_address[SIP_CONFIG_ADDRESS_MAX];
	/* User part of our Contact URI, default "permanence". */
	char contact_user[SIP_CONFIG_ADDRESS_MAX];

	/* RTP ports: each call takes an even port for RTP and the next one for RTCP. */
	uint16_t rtp_port_min;	/* default 10000 */
	uint16_t rtp_port_max;	/* default 20000 */
	unsigned rtp_timeout_s; /* hang up after this long without RTP; 0 never; default 30 */
	unsigned jitter_ms;	/* playout delay of received audio, 20-200, default 60 */

	/* Registration. Empty registrar_uri: no registration. */
	char registrar_uri[SIP_CONFIG_TEXT_MAX]; /* "sip:sip.example.fr" */
	char username[SIP_CONFIG_NAME_MAX];	 /* user of the address of record */
	char auth_username[SIP_CONFIG_NAME_MAX]; /* digest user; empty: username */
	char password[SIP_CONFIG_NAME_MAX];
	unsigned register_expires_s; /* requested lifetime, 60-86400, default 600 */

	/* Blind transfer target, a SIP URI; empty disables transfer. */
	char transfer_target[SIP_CONFIG_TEXT_MAX];
	unsigned transfer_timeout_s; /* give up waiting for the outcome, default 60 */

	unsigned max_calls;	   /* concurrent calls, 1-2000; more get 503; default 8 */
	unsigned answer_delay_ms;  /* time between 180 Ringing and 200 OK, default 0 */
	unsigned playback_max_s;   /* most audio queued per call, 1-600 s, default 30 */
	unsigned shutdown_grace_s; /* calls may finish this long after shutdown, default 30 */
};

/* Fill in the defaults listed beside each field. */
void sip_config_init(struct sip_config *cfg);

/*
 * Check every value. Returns 0, or EINVAL and writes into `message` a sentence that
 * names the setting, the value and what to do.
 */
int sip_config_validate(const struct sip_config *cfg, char *message, size_t size);

enum sip_codec {
	SIP_CODEC_PCMU = 0, /* G.711 mu-law, RTP payload type 0 */
	SIP_CODEC_PCMA = 8, /* G.711 A-law, RTP payload type 8 */
};

const char *sip_codec_name(enum sip_codec codec);

/* Reason a call ended. */
enum sip_end_reason {
	SIP_END_REMOTE_HANGUP,	/* the caller sent BYE */
	SIP_END_LOCAL_HANGUP,	/* the application hung up */
	SIP_END_CANCELLED,	/* the caller gave up before the answer (CANCEL) */
	SIP_END_REJECTED,	/* the application rejected the call in `offered` */
	SIP_END_RTP_TIMEOUT,	/* no RTP for rtp_timeout_s */
	SIP_END_TRANSFERRED,	/* a transfer succeeded and the call was released */
	SIP_END_SHUTDOWN,	/* the user agent stopped */
	SIP_END_NO_ACK,		/* our 200 OK was never acknowledged */
	SIP_END_ERROR,		/* a signalling or media failure; the log says which */
};

const char *sip_end_reason_name(enum sip_end_reason reason);

/* Source of a keypad digit. */
enum sip_digit_source {
	SIP_DIGIT_RFC4733, /* RTP telephone-event */
	SIP_DIGIT_INFO,	   /* SIP INFO, application/dtmf-relay or application/dtmf */
};

/* Information about a new call. Its strings live as long as the call. */
struct sip_call_info {
	const char *call_id; /* SIP Call-ID, control characters replaced by '?' */
	const char *caller;  /* from P-Asserted-Identity, else From; "" when withheld */
	const char *called;  /* user part of To, else of the Request-URI */
	enum sip_codec codec;
	bool late_offer;     /* the INVITE had no SDP; the codec may change at the ACK */
};

enum sip_transfer_status {
	SIP_TRANSFER_SUCCEEDED, /* the target took the call, which is then released */
	SIP_TRANSFER_FAILED,	/* refused, failed or timed out; the call goes on */
};

struct sip_transfer_result {
	enum sip_transfer_status status;
	/* SIP status of the refusal (REFER response) or of the outcome (NOTIFY sipfrag);
	 * 0 for a timeout or a transport error. */
	uint16_t scode;
};

struct sip_ua;
struct sip_call;

/*
 * Callbacks from the user agent to the application; all run on the libre thread and
 * must not block. Any of them may be NULL. `arg` is sip_handler.arg; per-call data goes
 * through sip_call_set_arg().
 */
struct sip_handler {
	/* A new call passed the checks. Return 0 to answer it, or a SIP status 400-699
	 * to reject it (`ended` follows with SIP_END_REJECTED). */
	int (*offered)(struct sip_call *call, const struct sip_call_info *info, void *arg);
	/* The answer was acknowledged: audio flows both ways from now on. */
	void (*started)(struct sip_call *call, void *arg);
	/* 20 ms of received audio after the jitter buffer; lost packets are silence. */
	void (*audio)(struct sip_call *call, const int16_t *pcm, size_t samples, void *arg);
	/* One key press: '0'-'9', '*', '#', 'A'-'D'. */
	void (*digit)(struct sip_call *call, char digit, enum sip_digit_source source,
		      void *arg);
	/* Playback reached a mark (completed), or a flush dropped it (!completed). */
	void (*mark)(struct sip_call *call, uint64_t mark, bool completed, void *arg);
	/* The final outcome of sip_call_transfer(). */
	void (*transfer)(struct sip_call *call, const struct sip_transfer_result *result,
			 void *arg);
	/* The call is over; `call` is freed when this returns. */
	void (*ended)(struct sip_call *call, enum sip_end_reason reason, void *arg);
	void *arg;
};

/*
 * Start the user agent: bind the listeners, start registration, and run the libre
 * loop on a new thread. The configuration is validated first and copied. Returns 0,
 * EINVAL for a bad configuration, EADDRINUSE or another errno when a socket, the TLS
 * certificate or the thread fails (the log names the value), EALREADY when a user agent
 * already runs in this process.
 */
int sip_ua_start(struct sip_ua **uap, const struct sip_config *cfg,
		 const struct sip_handler *handler);

/*
 * Any thread, but not a signal handler: it allocates and locks, so call it from a thread
 * that takes signals with sigwait(). Begin a graceful stop: new calls get 503 and the
 * registration is removed. Calls in progress may finish within shutdown_grace_s, then the
 * rest are hung up and the loop ends. Returns 0, ENOMEM, ESHUTDOWN when the loop has
 * already ended, or an errno from the mqueue. The bound on waiting commands does not
 * apply to it.
 */
int sip_ua_shutdown(struct sip_ua *ua);

/* Any thread but the loop. Wait until the loop has ended (after sip_ua_shutdown()). */
void sip_ua_wait(struct sip_ua *ua);

/*
 * Any thread but the loop. Stop the loop if it still runs (with no grace period),
 * wait for it and free the user agent. NULL is ignored.
 */
void sip_ua_destroy(struct sip_ua *ua);

/* Any thread. Local port of a listener ("udp", "tcp", "tls"), or 0 when it is off. */
uint16_t sip_ua_port(const struct sip_ua *ua, const char *transport);

/* Any thread. Number of calls in progress. */
unsigned sip_ua_call_count(const struct sip_ua *ua);

/* Any thread. Return whether the last registration attempt succeeded. */
bool sip_ua_registered(const struct sip_ua *ua);

typedef void(sip_task_h)(struct sip_ua *ua, void *arg);

/*
 * Any thread. Run task(ua, arg) on the libre thread. The task runs unless posting fails
 * with ESHUTDOWN (the loop has already ended) or ENOBUFS (1024 posted commands are still
 * waiting for it), and then the caller keeps `arg`.
 */
int sip_ua_post(struct sip_ua *ua, sip_task_h *task, void *arg);

/*
 * Any thread. Post a call command to the libre thread; the call is found by number and
 * the command is dropped if the call has ended. The samples are copied. Each returns 0,
 * EINVAL for a bad argument, EOVERFLOW for more samples than playback_max_s, ENOMEM,
 * ENOBUFS when 1024 commands already wait for the loop, or ESHUTDOWN when it has ended.
 */
int sip_ua_play(struct sip_ua *ua, uint64_t call, const int16_t *pcm, size_t samples);
int sip_ua_mark(struct sip_ua *ua, uint64_t call, uint64_t mark);
int sip_ua_flush(struct sip_ua *ua, uint64_t call);
int sip_ua_transfer(struct sip_ua *ua, uint64_t call, const char *target);
int sip_ua_hangup(struct sip_ua *ua, uint64_t call);

/* Libre thread. The call with this number, or NULL when it has ended. */
struct sip_call *sip_ua_call_find(struct sip_ua *ua, uint64_t number);

/* Libre thread, for the functions below. */

/* Number of the call, unique in the life of the user agent, never 0. */
uint64_t sip_call_number(const struct sip_call *call);
const struct sip_call_info *sip_call_info(const struct sip_call *call);
void sip_call_set_arg(struct sip_call *call, void *arg);
void *sip_call_arg(const struct sip_call *call);

/*
 * Queue audio for playback (8 kHz PCM; any length, sent 20 ms at a time). Silence is
 * sent whenever the queue is empty. Returns 0, EOVERFLOW when the queue would exceed
 * playback_max_s (nothing is queued), ENOTCONN when the call is ending.
 */
int sip_call_play(struct sip_call *call, const int16_t *pcm, size_t samples);

/* Queue a mark: the `mark` callback fires when playback reaches it. */
int sip_call_mark(struct sip_call *call, uint64_t mark);

/* Drop queued audio (barge-in); pending marks are reported as not completed. */
void sip_call_flush(struct sip_call *call);

/* Milliseconds of audio still queued for playback. */
unsigned sip_call_queued_ms(const struct sip_call *call);

/*
 * Blind transfer with REFER to `target` (a SIP URI), or to transfer_target when NULL.
 * The outcome comes through the `transfer` callback. Returns 0, EINVAL when no target
 * is known, EBUSY when a transfer is already under way, ENOTCONN before the call is
 * started or while it ends.
 */
int sip_call_transfer(struct sip_call *call, const char *target);

/* Hang up (BYE, or a 480 before the answer); `ended` follows with LOCAL_HANGUP. */
void sip_call_hangup(struct sip_call *call);

#endif
