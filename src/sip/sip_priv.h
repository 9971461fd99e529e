/*
 * Internals of the SIP user agent shared by ua.c, ua_reg.c, call.c, call_media.c and
 * call_transfer.c. Everything here lives on the libre thread, except the fields of
 * struct sip_ua marked "any thread".
 */
#ifndef PERMANENCE_SIP_PRIV_H
#define PERMANENCE_SIP_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include <re.h>

#include "log.h"
#include "media.h"
#include "pacer.h"
#include "queue.h"
#include "tone.h"
#include "sip.h"
#include "call_driver.h"
#include "sip_dtmf.h"
#include "sip_jitter.h"
#include "sip_sdp.h"

#define SIP_LOG "sip"

/* SIP methods we serve, for Allow headers. */
#define SIP_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY"
/* Telephone-event payload type when we make the offer. */
#define SIP_DTMF_PT_OFFER 101
/* Largest body we take from a SIP message (SDP, INFO, sipfrag). */
#define SIP_BODY_MAX 16384

struct ua_reg;
struct ua_command;

struct sip_ua {
	struct sip_config cfg;
	struct sip_handler handler;

	/* Start handshake and the loop thread (any thread). */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool ready;
	int start_err;
	bool joined;

	/* Commands posted by other threads (any thread, under `lock`). */
	bool accepting;			/* the loop still takes commands */
	struct ua_command *commands;	/* oldest first */
	struct ua_command **commands_tail;
	unsigned command_count;

	/* Readable from any thread. */
	atomic_uint call_count;
	atomic_bool registered;
	atomic_uint port_udp, port_tcp, port_tls;

	/* Libre thread only. */
	struct mqueue *mq;
	struct sip *sip;
	struct dnsc *dnsc;
	struct tls *tls;
	struct sip_lsnr *guard;	    /* checks requests before the session layer */
	struct sip_lsnr *fallback;  /* OPTIONS and requests no other listener handled */
	struct sip_lsnr *responses; /* drops stray responses quietly */
	struct call_driver *media_driver; /* runs every call's media tick */
	struct sipsess_sock *sess_sock;
	struct sipevent_sock *event_sock;
	struct ua_reg *reg;
	struct sa laddr;		     /* listen address, port 0 */
	char listen_text[SIP_CONFIG_ADDRESS_MAX];
	char host[SIP_CONFIG_ADDRESS_MAX + 2]; /* Contact host: public or listen address */
	char media_address[SIP_CONFIG_ADDRESS_MAX]; /* written in SDP */
	struct list calls;
	uint64_t next_number;
	bool draining;	/* shutdown requested: new calls are refused */
	bool stopping;	/* the SIP stack is closing */
	bool sip_exited;
	struct tmr grace_tmr;
	struct tmr stop_tmr;
	struct log_ratelimit malformed_log;
};

/* Call states, in order. See call.c for the transitions. */
enum call_state {
	CALL_RINGING,	  /* INVITE accepted, 180 sent, 200 OK pending */
	CALL_ANSWERED,	  /* 200 OK sent, waiting for the ACK */
	CALL_ESTABLISHED, /* ACK received: media flows */
	CALL_CLOSING,	  /* ended; `ended` is reported from a zero timer */
};

/* A playback mark: fires when `position` samples have been played. */
struct call_mark {
	struct le le;
	uint64_t position;
	uint64_t mark;
};

struct call_media {
	struct rtp_sock *rtp;
	struct sa local;	/* RTP socket address */
	struct sa remote;	/* where RTP goes */
	struct sa remote_rtcp;
	bool remote_set;
	bool rtcp_started;
	enum media_codec codec;
	uint8_t codec_pt;
	int dtmf_pt;		/* -1: none */
	bool send;		/* the remote party takes our audio */
	bool receive;		/* the remote party sends audio (RTP timeout applies) */

	struct media_queue *playq;
	struct list marks;	/* struct call_mark, by position */
	uint64_t queued;	/* samples ever accepted into playq */
	uint64_t played;	/* samples taken from playq, or dropped by a flush */
	struct media_comfort_noise noise;
	struct media_pacer pacer;
	struct call_driver_entry tick; /* in ua->media_driver while running */
	bool running;
	uint32_t tx_ts;
	bool tx_first;
	struct mbuf *tx_mb;

	struct sip_jitter jitter;
	struct sip_dtmf_rx dtmf;
	uint64_t last_rx_ms;	/* tmr_jiffies() of the last RTP packet */
	uint32_t rx_packets, rx_ignored, tx_packets, tx_errors;
};

struct sip_call {
	struct le le; /* in sip_ua.calls */
	struct sip_ua *ua;
	uint64_t number;
	enum call_state state;
	enum sip_end_reason end_reason;
	struct sipsess *sess;
	struct mbuf *answer_desc; /* SDP for the 200 OK, prepared at the INVITE */
	struct sip_call_info info;
	char call_id[128];
	char caller[SIP_CONFIG_ADDRESS_MAX];
	char called[SIP_CONFIG_ADDRESS_MAX];
	char contact[SIP_CONFIG_TEXT_MAX]; /* our Contact URI for this call's transport */
	void *arg;

	/* SDP state: the choice in force and our o= line. */
	struct sip_sdp_choice choice;
	bool late_offer;
	uint64_t sdp_session;
	uint64_t sdp_version;
	char *last_sdp;	/* our last description, to keep o= stable when unchanged */

	struct call_media media;

	/* Transfer. */
	struct sipsub *refer;
	bool transferring;
	bool transfer_done; /* the outcome was reported */
	struct tmr transfer_tmr;

	struct tmr answer_tmr;
	struct tmr end_tmr;
};

/* ua.c */
void ua_call_finished(struct sip_ua *ua, struct sip_call *call);
bool ua_draining(const struct sip_ua *ua);
int ua_contact_uri(const struct sip_ua *ua, enum sip_transp tp, char *buf, size_t size);
int ua_auth_handler(char **user, char **pass, const char *realm, void *arg);
void ua_log_malformed(struct sip_ua *ua, const struct sip_msg *msg, const char *problem);
/* Copy text from the network for a log line: control and non-ASCII bytes become '?'. */
void ua_printable(char *out, size_t size, const struct pl *text);

/* ua_listen.c */
int ua_listen_guard(struct sip_ua *ua);
int ua_listen_fallback(struct sip_ua *ua);

/* ua_reg.c */
int ua_reg_start(struct ua_reg **regp, struct sip_ua *ua);
/* Send REGISTER with Expires 0. `done` runs when its response arrives or it fails. */
void ua_reg_stop(struct ua_reg *reg, void (*done)(void *arg), void *arg);

/* call.c */
void call_incoming(struct sip_ua *ua, const struct sip_msg *msg);
void call_end(struct sip_call *call, enum sip_end_reason reason);
const char *call_state_name(enum call_state state);

/* call_media.c */
int call_media_alloc(struct sip_call *call);
int call_media_apply(struct sip_call *call, const struct sip_sdp_choice *choice);
void call_media_start(struct sip_call *call);
void call_media_stop(struct sip_call *call);
void call_media_close(struct sip_call *call);

/* call_transfer.c */
int call_transfer_start(struct sip_call *call, const char *target);
void call_transfer_close(struct sip_call *call);

#endif
