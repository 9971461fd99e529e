/*
 * One call, from its INVITE to the `ended` callback.
 *
 *   INVITE --checks, offered()--> RINGING (180 sent)
 *   RINGING --answer_tmr, 200 OK--> ANSWERED --ACK--> ESTABLISHED (media runs)
 *   any state --CANCEL, BYE, hang-up, no ACK, RTP timeout, transfer, shutdown--> CLOSING
 *   CLOSING --end_tmr: `ended` callback--> freed
 *
 * call_end() performs every move to CLOSING. It stops the media and releases the libre
 * session, which sends BYE or a final response as the state requires. It then arms a
 * zero timer that reports `ended`, so the report never runs inside a function the
 * application called. Invariants: the call is in ua->calls until `ended` has returned; `sess` is
 * NULL only in CLOSING; media runs only in ESTABLISHED.
 */
#include "sip_priv.h"
#include "sip_text.h"

#include <string.h>

static const char *const state_names[] = {"ringing", "answered", "established", "closing"};

const char *call_state_name(enum call_state state)
{
	return (unsigned)state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state]
									     : "?";
}

const char *sip_end_reason_name(enum sip_end_reason reason)
{
	switch (reason) {
	case SIP_END_REMOTE_HANGUP:
		return "remote hang-up";
	case SIP_END_LOCAL_HANGUP:
		return "local hang-up";
	case SIP_END_CANCELLED:
		return "cancelled by the caller";
	case SIP_END_REJECTED:
		return "rejected";
	case SIP_END_RTP_TIMEOUT:
		return "RTP timeout";
	case SIP_END_TRANSFERRED:
		return "transferred";
	case SIP_END_SHUTDOWN:
		return "shutdown";
	case SIP_END_NO_ACK:
		return "no ACK";
	case SIP_END_ERROR:
		return "error";
	}
	return "?";
}

const char *sip_codec_name(enum sip_codec codec)
{
	return codec == SIP_CODEC_PCMA ? "PCMA" : "PCMU";
}

static void call_destructor(void *arg)
{
	struct sip_call *call = arg;

	tmr_cancel(&call->answer_tmr);
	tmr_cancel(&call->end_tmr);
	call_transfer_close(call);
	call_media_close(call);
	mem_deref(call->sess);
	mem_deref(call->answer_desc);
	mem_deref(call->last_sdp);
}

/* Identity. */

struct identity_search {
	char number[SIP_NUMBER_MAX + 1];
	bool found;
	bool tel;
};

static bool identity_handler(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
	struct identity_search *search = arg;
	char number[SIP_NUMBER_MAX + 1];
	bool tel;
	(void)msg;

	if (sip_identity_number(hdr->val.p, hdr->val.l, number, sizeof(number)))
		return false;
	tel = sip_identity_is_tel(hdr->val.p, hdr->val.l);
	if (!search->found || (tel && !search->tel)) {
		memcpy(search->number, number, sizeof(number));
		search->found = true;
		search->tel = tel;
	}
	return false;
}

/*
 * Whether a Privacy value (a ';'-separated list) requests that the caller be hidden:
 * RFC 3323 and RFC 3325 use "id", "user" and "header" for that.
 */
static bool privacy_hides_caller(const struct pl *value)
{
	struct pl rest = *value;

	while (rest.l) {
		struct pl item = rest;
		const char *semi = memchr(rest.p, ';', rest.l);

		item.l = semi ? (size_t)(semi - rest.p) : rest.l;
		pl_advance(&rest, semi ? item.l + 1 : item.l);
		while (item.l && (item.p[0] == ' ' || item.p[0] == '\t'))
			pl_advance(&item, 1);
		while (item.l && (item.p[item.l - 1] == ' ' || item.p[item.l - 1] == '\t'))
			item.l--;
		if (!pl_strcasecmp(&item, "id") || !pl_strcasecmp(&item, "user") ||
		    !pl_strcasecmp(&item, "header"))
			return true;
	}
	return false;
}

static bool privacy_handler(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return privacy_hides_caller(&hdr->val);
}

static void caller_number(const struct sip_msg *msg, char *out, size_t size)
{
	struct identity_search search = {.found = false};

	out[0] = '\0';
	if (sip_msg_hdr_apply(msg, true, SIP_HDR_PRIVACY, privacy_handler, NULL))
		return;

	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_P_ASSERTED_IDENTITY, identity_handler,
				&search);
	if (!search.found) {
		const struct sip_hdr *from = sip_msg_hdr(msg, SIP_HDR_FROM);

		if (from)
			(void)identity_handler(from, msg, &search);
	}
	if (search.found)
		snprintf(out, size, "%s", search.number);
}

static void called_number(const struct sip_msg *msg, char *out, size_t size)
{
	char number[SIP_NUMBER_MAX + 1];
	const struct sip_hdr *to = sip_msg_hdr(msg, SIP_HDR_TO);

	out[0] = '\0';
	if (to && !sip_identity_number(to->val.p, to->val.l, number, sizeof(number))) {
		snprintf(out, size, "%s", number);
		return;
	}
	if (!sip_identity_number(msg->ruri.p, msg->ruri.l, number, sizeof(number)))
		snprintf(out, size, "%s", number);
}

/* SDP. */

/* The body of a message as received: Content-Length bytes, or the rest of a datagram. */
static struct pl message_body(const struct sip_msg *msg)
{
	struct pl body;
	size_t left = mbuf_get_left(msg->mb);

	body.p = (const char *)mbuf_buf(msg->mb);
	body.l = left;
	if (msg->clen.p && pl_u32(&msg->clen) < left)
		body.l = pl_u32(&msg->clen);
	return body;
}

/*
 * Find the SDP in a request body. Returns 0 (body->l == 0 when there is none), or the
 * SIP status to reject with: 415 for another content type, 413 for a huge body.
 */
static uint16_t request_sdp(const struct sip_msg *msg, struct pl *sdp)
{
	struct pl body = message_body(msg);
	const char *part;
	size_t part_len;

	sdp->p = NULL;
	sdp->l = 0;
	if (!body.l)
		return 0;
	if (body.l > SIP_BODY_MAX)
		return 413;
	if (msg_ctype_cmp(&msg->ctyp, "application", "sdp")) {
		*sdp = body;
		return 0;
	}
	if (!pl_strcasecmp(&msg->ctyp.type, "multipart") &&
	    !sip_multipart_find(msg->ctyp.params.p, msg->ctyp.params.l, body.p, body.l,
				"application/sdp", &part, &part_len)) {
		sdp->p = part;
		sdp->l = part_len;
		return 0;
	}
	return 415;
}

/* Print our description into an mbuf, keeping the o= version unless it changed. */
static int call_sdp_print(struct sip_call *call, const struct sip_sdp *offer, struct mbuf **mbp)
{
	struct sip_sdp_local local = {
		.address = call->ua->media_address,
		.port = sa_port(&call->media.local),
		.session_id = call->sdp_session,
		.version = call->sdp_version,
		.dir = SIP_SDP_SENDRECV,
	};
	char text[2048];
	size_t len;
	int err;

	for (int pass = 0; pass < 2; pass++) {
		if (offer)
			err = sip_sdp_answer_print(text, sizeof(text), offer, &call->choice, &local,
						   &len);
		else
			err = sip_sdp_offer_print(text, sizeof(text), &local,
						  call->media.rtp && call->state == CALL_ESTABLISHED
							  ? (call->choice.alaw ? 1 : 0)
							  : -1,
						  call->choice.dtmf_pt >= 96 ? call->choice.dtmf_pt
									     : SIP_DTMF_PT_OFFER,
						  &len);
		if (err)
			return err;
		if (!call->last_sdp || !strcmp(call->last_sdp, text) || pass == 1)
			break;
		local.version = ++call->sdp_version;
	}

	call->last_sdp = mem_deref(call->last_sdp);
	err = str_dup(&call->last_sdp, text);
	if (err)
		return err;

	*mbp = mbuf_alloc(len);
	if (!*mbp)
		return ENOMEM;
	(void)mbuf_write_mem(*mbp, (const uint8_t *)text, len);
	(*mbp)->pos = 0;
	return 0;
}

/* Parse and negotiate a remote description; fills `sdp` for the answer. */
static int sdp_take(struct sip_call *call, const struct pl *body, struct sip_sdp *sdp,
		    int prefer_alaw)
{
	struct sip_sdp_choice choice;
	int err;

	err = sip_sdp_parse(sdp, body->p, body->l);
	if (err)
		return err;
	err = sip_sdp_negotiate(sdp, prefer_alaw, &choice);
	if (err)
		return err;
	err = call_media_apply(call, &choice);
	if (err)
		return err;
	call->choice = choice;
	call->info.codec = choice.alaw ? SIP_CODEC_PCMA : SIP_CODEC_PCMU;
	return 0;
}

/* Session handlers. */

static int offer_handler(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	struct sip_sdp *sdp = NULL;
	struct pl body;
	uint16_t scode;
	int err;

	scode = request_sdp(msg, &body);
	if (scode)
		return EPROTO;
	if (!body.l)
		return call_sdp_print(call, NULL, descp); /* re-INVITE without SDP: we offer */

	sdp = mem_zalloc(sizeof(*sdp), NULL);
	if (!sdp)
		return ENOMEM;
	err = sdp_take(call, &body, sdp, call->choice.alaw ? 1 : 0);
	if (!err)
		err = call_sdp_print(call, sdp, descp);
	if (err)
		log_warning(SIP_LOG, call->call_id, "re-INVITE offer rejected: %s", strerror(err));
	else
		log_info(SIP_LOG, call->call_id, "media updated by re-INVITE: %s, %s",
			 sip_codec_name(call->info.codec), sip_sdp_dir_name(call->choice.dir));
	mem_deref(sdp);
	return err;
}

static int answer_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	struct sip_sdp *sdp;
	struct pl body;
	int err;

	if (request_sdp(msg, &body) || !body.l) {
		log_warning(SIP_LOG, call->call_id, "ACK carries no SDP answer to our offer");
		return EPROTO;
	}
	sdp = mem_zalloc(sizeof(*sdp), NULL);
	if (!sdp)
		return ENOMEM;
	err = sdp_take(call, &body, sdp, -1);
	mem_deref(sdp);
	if (err)
		log_warning(SIP_LOG, call->call_id, "SDP answer rejected: %s", strerror(err));
	return err;
}

static void establish_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	(void)msg;

	if (call->state == CALL_CLOSING)
		return;
	call->state = CALL_ESTABLISHED;
	call_media_start(call);
	log_info(SIP_LOG, call->call_id, "call %llu started: %s, telephone-event %s",
		 (unsigned long long)call->number, sip_codec_name(call->info.codec),
		 call->choice.dtmf_pt >= 0 ? "on" : "off");
	if (call->ua->handler.started)
		call->ua->handler.started(call, call->arg);
}

static void info_handler(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	struct pl body = message_body(msg);
	char digit;
	int err;

	if (!body.l) {
		(void)sip_treply(NULL, sip, msg, 200, "OK");
		return;
	}
	if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf-relay")) {
		err = sip_dtmf_relay_parse(body.p, body.l, &digit);
	} else if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf")) {
		err = sip_dtmf_body_parse(body.p, body.l, &digit);
	} else {
		(void)sip_treplyf(NULL, NULL, sip, msg, false, 415, "Unsupported Media Type",
				  "Accept: application/dtmf-relay, application/dtmf\r\n"
				  "Content-Length: 0\r\n\r\n");
		return;
	}
	if (err) {
		ua_log_malformed(call->ua, msg, "INFO body names no key");
		(void)sip_treply(NULL, sip, msg, 400, "Bad DTMF Body");
		return;
	}
	(void)sip_treply(NULL, sip, msg, 200, "OK");

	log_debug(SIP_LOG, call->call_id, "key '%c' by INFO", digit);
	if (call->state == CALL_ESTABLISHED && call->ua->handler.digit)
		call->ua->handler.digit(call, digit, SIP_DIGIT_INFO, call->arg);
}

static void close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	enum sip_end_reason reason;

	if (call->state == CALL_CLOSING)
		return;

	if (err == ETIMEDOUT && call->state == CALL_ANSWERED) {
		reason = SIP_END_NO_ACK;
	} else if (err == ECONNRESET && !msg) {
		reason = call->state == CALL_RINGING ? SIP_END_CANCELLED : SIP_END_REMOTE_HANGUP;
	} else {
		reason = SIP_END_ERROR;
		if (msg)
			log_warning(SIP_LOG, call->call_id, "session closed by a %u %.*s response",
				    msg->scode, (int)MIN(msg->reason.l, 64), msg->reason.p);
		else
			log_warning(SIP_LOG, call->call_id, "session closed: %s", strerror(err));
	}
	/* libre has already sent the response or request the peer needs. */
	call->sess = mem_deref(call->sess);
	call_end(call, reason);
}

/* Ending. */

static void end_handler(void *arg)
{
	struct sip_call *call = arg;
	struct sip_ua *ua = call->ua;

	if (ua->handler.ended)
		ua->handler.ended(call, call->end_reason, call->arg);
	ua_call_finished(ua, call);
	mem_deref(call);
}

static void session_release(struct sip_call *call, enum sip_end_reason reason)
{
	if (!call->sess)
		return;

	/* Before the 200 OK the INVITE still needs a final response. After it, releasing
	 * the session makes libre send BYE, at once or when the ACK arrives. */
	if (call->state == CALL_RINGING) {
		if (reason == SIP_END_SHUTDOWN)
			(void)sipsess_reject(call->sess, 503, "Service Unavailable",
					     "Retry-After: 60\r\nContent-Length: 0\r\n\r\n");
		else
			(void)sipsess_reject(call->sess, 480, "Temporarily Unavailable",
					     "Content-Length: 0\r\n\r\n");
	}
	call->sess = mem_deref(call->sess);
}

void call_end(struct sip_call *call, enum sip_end_reason reason)
{
	if (call->state == CALL_CLOSING)
		return;

	tmr_cancel(&call->answer_tmr);
	call_media_stop(call);
	call_transfer_close(call);
	session_release(call, reason);

	log_info(SIP_LOG, call->call_id, "call %llu ended in state %s: %s (rx %u packets, "
		 "tx %u)", (unsigned long long)call->number, call_state_name(call->state),
		 sip_end_reason_name(reason), call->media.rx_packets, call->media.tx_packets);

	call->state = CALL_CLOSING;
	call->end_reason = reason;
	tmr_start(&call->end_tmr, 0, end_handler, call);
}

/* Answer. */

static void answer_handler_tmr(void *arg)
{
	struct sip_call *call = arg;
	int err;

	err = sipsess_answer(call->sess, 200, "OK", call->answer_desc,
			     "Allow: " SIP_ALLOW "\r\n"
			     "Accept: application/sdp, application/dtmf-relay, application/dtmf\r\n");
	call->answer_desc = mem_deref(call->answer_desc);
	if (err) {
		log_err(SIP_LOG, call->call_id, "200 OK could not be sent: %s", strerror(err));
		call_end(call, SIP_END_ERROR);
		return;
	}
	call->state = CALL_ANSWERED;
	log_info(SIP_LOG, call->call_id, "call %llu answered with %s",
		 (unsigned long long)call->number,
		 call->late_offer ? "an offer (the INVITE had none)"
				  : sip_codec_name(call->info.codec));
}

/* Incoming INVITE. */

static void refuse(struct sip_ua *ua, const struct sip_msg *msg, uint16_t scode,
		   const char *reason, const char *headers, const char *why)
{
	char call_id[128];

	ua_printable(call_id, sizeof(call_id), &msg->callid);
	log_info(SIP_LOG, call_id, "call rejected with %u: %s", scode, why);
	(void)sip_treplyf(NULL, NULL, ua->sip, msg, false, scode, reason,
			  "%sContent-Length: 0\r\n\r\n", headers ? headers : "");
}

/* Checks that need no call object; returns 0 or the status sent. */
static uint16_t invite_precheck(struct sip_ua *ua, const struct sip_msg *msg, struct pl *sdp)
{
	const struct sip_hdr *hdr;
	uint16_t scode;

	if (ua_draining(ua)) {
		refuse(ua, msg, 503, "Service Unavailable", "Retry-After: 60\r\n",
		       "the user agent is stopping");
		return 503;
	}
	if (list_count(&ua->calls) >= ua->cfg.max_calls) {
		log_warning(SIP_LOG, NULL, "%u calls in progress: max_calls reached",
			    list_count(&ua->calls));
		refuse(ua, msg, 503, "Service Unavailable", "Retry-After: 5\r\n",
		       "max_calls reached");
		return 503;
	}
	hdr = sip_msg_hdr(msg, SIP_HDR_CONTENT_ENCODING);
	if (hdr && pl_strcasecmp(&hdr->val, "identity")) {
		refuse(ua, msg, 415, "Unsupported Media Type", "Accept-Encoding: identity\r\n",
		       "compressed body");
		return 415;
	}
	scode = request_sdp(msg, sdp);
	if (scode == 413) {
		refuse(ua, msg, 413, "Request Entity Too Large", NULL, "body too large");
		return 413;
	}
	if (scode) {
		refuse(ua, msg, 415, "Unsupported Media Type", "Accept: application/sdp\r\n",
		       "body is not SDP");
		return 415;
	}
	hdr = sip_msg_hdr(msg, SIP_HDR_ACCEPT);
	if (hdr && !sip_accept_allows(hdr->val.p, hdr->val.l, "application/sdp")) {
		/* Every answer we can give carries SDP (RFC 4475 3.3.15). */
		refuse(ua, msg, 406, "Not Acceptable", "Accept: application/sdp\r\n",
		       "Accept excludes application/sdp");
		return 406;
	}
	return 0;
}

static struct sip_call *call_alloc(struct sip_ua *ua, const struct sip_msg *msg)
{
	struct sip_call *call = mem_zalloc(sizeof(*call), call_destructor);

	if (!call)
		return NULL;
	call->ua = ua;
	call->number = ua->next_number++;
	call->state = CALL_RINGING;
	call->end_reason = SIP_END_ERROR;
	call->arg = ua->handler.arg;
	tmr_init(&call->answer_tmr);
	tmr_init(&call->end_tmr);
	tmr_init(&call->transfer_tmr);
	call->sdp_session = rand_u64() >> 2;
	call->sdp_version = 1;
	call->choice.dtmf_pt = -1;

	ua_printable(call->call_id, sizeof(call->call_id), &msg->callid);
	caller_number(msg, call->caller, sizeof(call->caller));
	called_number(msg, call->called, sizeof(call->called));
	call->info.call_id = call->call_id;
	call->info.caller = call->caller;
	call->info.called = call->called;
	call->info.codec = SIP_CODEC_PCMA;

	list_append(&ua->calls, &call->le, call);
	atomic_store(&ua->call_count, list_count(&ua->calls));
	return call;
}

/* Negotiate the offer and prepare the SDP answer. Returns 0 or the status to reject with. */
static uint16_t call_prepare_media(struct sip_call *call, const struct pl *body)
{
	struct sip_sdp *offer = NULL;
	uint16_t scode = 0;
	int err;

	err = call_media_alloc(call);
	if (err) {
		log_err(SIP_LOG, call->call_id, "no RTP port free in %u-%u: %s",
			call->ua->cfg.rtp_port_min, call->ua->cfg.rtp_port_max, strerror(err));
		return 503;
	}

	if (!body->l) {
		call->late_offer = true;
		call->info.late_offer = true;
		err = call_sdp_print(call, NULL, &call->answer_desc);
		return err ? 500 : 0;
	}

	offer = mem_zalloc(sizeof(*offer), NULL);
	if (!offer)
		return 500;
	err = sdp_take(call, body, offer, -1);
	if (err == ENOTSUP || err == EAFNOSUPPORT || err == EINVAL) {
		log_info(SIP_LOG, call->call_id, "offer has no usable PCMA or PCMU stream");
		scode = 488;
	} else if (err) {
		log_info(SIP_LOG, call->call_id, "malformed SDP offer: %s", strerror(err));
		scode = 400;
	} else if (call_sdp_print(call, offer, &call->answer_desc)) {
		scode = 500;
	}
	mem_deref(offer);
	return scode;
}

void call_incoming(struct sip_ua *ua, const struct sip_msg *msg)
{
	struct sip_call *call;
	struct pl body;
	uint16_t scode;
	int status = 0;
	int err;

	if (invite_precheck(ua, msg, &body))
		return;

	call = call_alloc(ua, msg);
	if (!call) {
		refuse(ua, msg, 500, "Server Internal Error", NULL, "out of memory");
		return;
	}
	log_info(SIP_LOG, call->call_id, "incoming call %llu over %s",
		 (unsigned long long)call->number, sip_transp_name(msg->tp));
	log_debug(SIP_LOG, call->call_id, "caller \"%s\", called \"%s\"", call->caller,
		  call->called);

	scode = call_prepare_media(call, &body);
	if (scode == 488) {
		refuse(ua, msg, 488, "Not Acceptable Here",
		       "Warning: 304 permanence \"PCMA or PCMU on RTP/AVP required\"\r\n",
		       "no common codec");
	} else if (scode == 400) {
		refuse(ua, msg, 400, "Bad SDP", NULL, "malformed SDP");
	} else if (scode) {
		refuse(ua, msg, scode, scode == 503 ? "Service Unavailable" : "Server Internal Error",
		       NULL, "media could not be set up");
	}
	if (scode) {
		call->state = CALL_CLOSING;
		ua_call_finished(ua, call);
		mem_deref(call);
		return;
	}

	if (ua->handler.offered)
		status = ua->handler.offered(call, &call->info, ua->handler.arg);
	if (call->state == CALL_CLOSING) {
		/* The application hung up inside `offered`; `ended` is already on its way. */
		refuse(ua, msg, 480, "Temporarily Unavailable", NULL, "hung up by the application");
		return;
	}
	if (status) {
		if (status < 400 || status > 699)
			status = 603;
		refuse(ua, msg, (uint16_t)status, status == 486 ? "Busy Here" : "Declined", NULL,
		       "rejected by the application");
		call_end(call, SIP_END_REJECTED);
		return;
	}

	ua_contact_uri(ua, msg->tp, call->contact, sizeof(call->contact));
	err = sipsess_accept(&call->sess, ua->sess_sock, msg, 180, "Ringing", call->contact,
			     "application/sdp", NULL, ua_auth_handler, ua, false, offer_handler,
			     answer_handler, establish_handler, info_handler, NULL, close_handler,
			     call, "Allow: " SIP_ALLOW "\r\n");
	if (err) {
		log_err(SIP_LOG, call->call_id, "INVITE could not be accepted: %s", strerror(err));
		(void)sip_treply(NULL, ua->sip, msg, 500, "Server Internal Error");
		call_end(call, SIP_END_ERROR);
		return;
	}

	if (ua->cfg.answer_delay_ms)
		tmr_start(&call->answer_tmr, ua->cfg.answer_delay_ms, answer_handler_tmr, call);
	else
		answer_handler_tmr(call);
}

/* Application interface. */

uint64_t sip_call_number(const struct sip_call *call)
{
	return call ? call->number : 0;
}

const struct sip_call_info *sip_call_info(const struct sip_call *call)
{
	return call ? &call->info : NULL;
}

void sip_call_set_arg(struct sip_call *call, void *arg)
{
	if (call)
		call->arg = arg;
}

void *sip_call_arg(const struct sip_call *call)
{
	return call ? call->arg : NULL;
}

void sip_call_hangup(struct sip_call *call)
{
	if (call)
		call_end(call, SIP_END_LOCAL_HANGUP);
}

int sip_call_transfer(struct sip_call *call, const char *target)
{
	if (!call)
		return EINVAL;
	return call_transfer_start(call, target);
}
