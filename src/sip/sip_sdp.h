/*
 * SDP offer/answer for one G.711 audio stream (RFC 4566, RFC 3264).
 *
 * sip_sdp_parse() reads a session description into fixed-size tables, so a hostile body
 * costs no more memory than its maximum. sip_sdp_negotiate() picks the stream and the
 * codec; sip_sdp_answer_print() and sip_sdp_offer_print() write ours. No I/O, no clock,
 * no libre: the fuzz target and the unit tests call these directly.
 */
#ifndef PERMANENCE_SIP_SDP_H
#define PERMANENCE_SIP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIP_SDP_MAX_BYTES 16384 /* maximum body length */
#define SIP_SDP_MAX_MEDIA 8	/* m= lines kept; more is an error */
#define SIP_SDP_MAX_FORMATS 32	/* formats kept per m= line; more are ignored */
#define SIP_SDP_ADDRESS_MAX 64

/* Media direction bits, from the point of view of the party that wrote the SDP. */
enum sip_sdp_dir {
	SIP_SDP_INACTIVE = 0,
	SIP_SDP_SENDONLY = 1,
	SIP_SDP_RECVONLY = 2,
	SIP_SDP_SENDRECV = 3,
};

struct sip_sdp_format {
	int pt;		   /* RTP payload type 0-127 */
	char name[32];	   /* encoding name from a=rtpmap, "" when absent */
	unsigned rate;	   /* clock rate from a=rtpmap, 0 when absent */
	unsigned channels; /* 1 when absent */
};

struct sip_sdp_media {
	char type[16];	 /* "audio", "video", ... */
	uint16_t port;	 /* 0: stream rejected or disabled */
	char proto[32];	 /* "RTP/AVP", ... */
	char first_format[32]; /* first format token, echoed when rejecting the line */
	struct sip_sdp_format formats[SIP_SDP_MAX_FORMATS];
	unsigned format_count;
	char address[SIP_SDP_ADDRESS_MAX]; /* media-level c=, "" to use the session's */
	int dir;			   /* enum sip_sdp_dir, or -1 to use the session's */
	unsigned ptime;			   /* a=ptime in ms, 0 when absent */
	uint16_t rtcp_port;		   /* a=rtcp port, 0 when absent */
};

struct sip_sdp {
	char address[SIP_SDP_ADDRESS_MAX]; /* session-level c=, "" when absent */
	int dir;			   /* session-level direction, default sendrecv */
	struct sip_sdp_media media[SIP_SDP_MAX_MEDIA];
	unsigned media_count;
};

/*
 * Parse a session description. Accepts CRLF or LF line ends. Returns 0, EINVAL for
 * NULL arguments, EMSGSIZE when the body is longer than SIP_SDP_MAX_BYTES, E2BIG for
 * more than SIP_SDP_MAX_MEDIA m= lines, EBADMSG for a malformed description.
 */
int sip_sdp_parse(struct sip_sdp *sdp, const char *text, size_t len);

/* The accepted audio stream and what both sides send on it. */
struct sip_sdp_choice {
	unsigned media;	    /* index of the accepted m= line */
	int codec_pt;	    /* payload type of the codec (0, 8, or a dynamic one) */
	bool alaw;	    /* the codec is PCMA (A-law); otherwise PCMU (mu-law) */
	int dtmf_pt;	    /* payload type of telephone-event, -1 when not offered */
	char address[SIP_SDP_ADDRESS_MAX]; /* where to send RTP */
	uint16_t port;
	uint16_t rtcp_port; /* where to send RTCP */
	int dir;	    /* direction the remote party stated */
	unsigned ptime;	    /* packet time the remote asked for, 0 when it did not */
};

/*
 * Choose the first audio stream on RTP/AVP that offers PCMA or PCMU, and in it the codec
 * listed first. `prefer_alaw` (0 or 1, or -1 for no preference) keeps the codec already
 * in use when the offer still lists it. Works on an offer and on an answer. Returns 0,
 * ENOTSUP when no stream carries PCMA or PCMU (answer 488), EBADMSG when the chosen
 * stream has no connection address.
 */
int sip_sdp_negotiate(const struct sip_sdp *sdp, int prefer_alaw,
		      struct sip_sdp_choice *choice);

/* Our side of a description. */
struct sip_sdp_local {
	const char *address; /* IPv4 or IPv6 literal */
	uint16_t port;	     /* RTP port; RTCP is on port + 1 */
	uint64_t session_id;
	uint64_t version;    /* o= version, increased by the caller when the SDP changes */
	int dir;	     /* our direction, normally SIP_SDP_SENDRECV */
};

/*
 * Write the answer to `offer` accepting `choice` (the other m= lines get port 0).
 * Returns 0 with the length in *len, or ENOSPC when `size` is too small.
 */
int sip_sdp_answer_print(char *buf, size_t size, const struct sip_sdp *offer,
			 const struct sip_sdp_choice *choice,
			 const struct sip_sdp_local *local, size_t *len);

/*
 * Write an offer of PCMA, PCMU (in that order, or only the codec in use when
 * `only_alaw` is 0 or 1) and telephone-event on `dtmf_pt`. Returns 0 or ENOSPC.
 */
int sip_sdp_offer_print(char *buf, size_t size, const struct sip_sdp_local *local,
			int only_alaw, int dtmf_pt, size_t *len);

/* The direction that matches `dir` in an answer: sendonly becomes recvonly and so on. */
int sip_sdp_dir_reverse(int dir);
const char *sip_sdp_dir_name(int dir);

#endif
