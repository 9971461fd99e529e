/*
 * Blind transfer (RFC 3515 REFER, RFC 5589 call transfer).
 *
 * We send REFER in the call's dialog with Refer-To the target. The transferee responds
 * 202 and reports progress in NOTIFY requests whose message/sipfrag body is the status
 * line of its INVITE to the target. A 2xx there means success, and the call is released
 * with BYE. A REFER rejected (403, 603, ...), a final sipfrag status of 300 or more, a
 * subscription ended without an outcome, or transfer_timeout_s without one is a failure.
 * The call then stays up and the `transfer` callback reports the failure.
 */
#include "sip_priv.h"
#include "sip_text.h"

#include <string.h>

static void transfer_outcome(struct sip_call *call, bool ok, uint16_t scode)
{
	struct sip_transfer_result result = {
		ok ? SIP_TRANSFER_SUCCEEDED : SIP_TRANSFER_FAILED, scode};

	if (call->transfer_done || call->state == CALL_CLOSING)
		return;
	call->transfer_done = true;
	call->transferring = false;
	tmr_cancel(&call->transfer_tmr);

	if (ok)
		log_info(SIP_LOG, call->call_id, "transfer succeeded (%u)", scode);
	else if (scode)
		log_warning(SIP_LOG, call->call_id, "transfer failed with %u", scode);
	else
		log_warning(SIP_LOG, call->call_id, "transfer failed without a status");

	if (call->ua->handler.transfer)
		call->ua->handler.transfer(call, &result, call->arg);
	if (ok)
		call_end(call, SIP_END_TRANSFERRED);
}

static void notify_handler(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct sip_call *call = arg;
	const char *body = (const char *)mbuf_buf(msg->mb);
	size_t len = mbuf_get_left(msg->mb);
	uint16_t scode;

	(void)sip_treply(NULL, sip, msg, 200, "OK");

	if (!msg_ctype_cmp(&msg->ctyp, "message", "sipfrag") ||
	    sip_sipfrag_status(body, MIN(len, (size_t)SIP_BODY_MAX), &scode)) {
		log_debug(SIP_LOG, call->call_id, "NOTIFY without a sipfrag status");
		return;
	}
	if (scode < 200) {
		log_info(SIP_LOG, call->call_id, "transfer in progress (%u)", scode);
		return;
	}
	transfer_outcome(call, scode < 300, scode);
}

static void close_handler(int err, const struct sip_msg *msg,
			  const struct sipevent_substate *substate, void *arg)
{
	struct sip_call *call = arg;
	(void)substate;

	call->refer = mem_deref(call->refer);
	if (call->transfer_done)
		return;
	if (msg && msg->scode >= 300)
		transfer_outcome(call, false, msg->scode);
	else {
		if (err)
			log_warning(SIP_LOG, call->call_id, "transfer subscription ended: %s",
				    strerror(err));
		transfer_outcome(call, false, 0);
	}
}

static void timeout_handler(void *arg)
{
	struct sip_call *call = arg;

	log_warning(SIP_LOG, call->call_id, "no transfer outcome within %u s",
		    call->ua->cfg.transfer_timeout_s);
	call->refer = mem_deref(call->refer);
	transfer_outcome(call, false, 0);
}

static bool target_valid(const char *uri)
{
	if (strncasecmp(uri, "sip:", 4) && strncasecmp(uri, "sips:", 5) &&
	    strncasecmp(uri, "tel:", 4))
		return false;
	for (const char *p = uri; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' ||
		    (unsigned char)*p >= 0x7f)
			return false;
	}
	return strlen(uri) < SIP_CONFIG_TEXT_MAX;
}

int call_transfer_start(struct sip_call *call, const char *target)
{
	struct sip_ua *ua = call->ua;
	int err;

	if (!target || !target[0])
		target = ua->cfg.transfer_target;
	if (!target[0] || !target_valid(target))
		return EINVAL;
	if (call->state != CALL_ESTABLISHED || !call->sess)
		return ENOTCONN;
	if (call->transferring)
		return EBUSY;

	err = sipevent_drefer(&call->refer, ua->event_sock, sipsess_dialog(call->sess),
			      call->contact, ua_auth_handler, ua, false, notify_handler,
			      close_handler, call,
			      "Refer-To: <%s>\r\n"
			      "Referred-By: <%s>\r\n",
			      target, call->contact);
	if (err) {
		log_err(SIP_LOG, call->call_id, "REFER could not be sent: %s", strerror(err));
		return err;
	}

	call->transferring = true;
	call->transfer_done = false;
	tmr_start(&call->transfer_tmr, (uint64_t)ua->cfg.transfer_timeout_s * 1000,
		  timeout_handler, call);
	log_info(SIP_LOG, call->call_id, "transferring call %llu to %s",
		 (unsigned long long)call->number, target);
	return 0;
}

void call_transfer_close(struct sip_call *call)
{
	tmr_cancel(&call->transfer_tmr);
	call->refer = mem_deref(call->refer);
	call->transferring = false;
}
