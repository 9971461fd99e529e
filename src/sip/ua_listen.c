/*
 * The user agent's own SIP listeners. libre offers each request to the listeners in the
 * order they were installed. Its transaction layer comes first, then `guard`, which
 * rejects malformed requests before anything acts on them. The session and event layers
 * follow (INVITE, ACK, BYE, INFO, REFER in dialog, NOTIFY), and `fallback` comes last
 * (OPTIONS, CANCEL without a transaction, methods we do not serve). Stray responses end
 * in `responses`, which drops them.
 */
#include "sip_priv.h"
#include "sip_check.h"

#include <string.h>

static const char *const known_methods[] = {
	"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
	"NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE",
};

static bool guard_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_ua *ua = arg;
	struct sip_check check;

	sip_check_request(msg, &check);
	if (!check.scode)
		return false;

	ua_log_malformed(ua, msg, check.problem);
	if (!pl_strcmp(&msg->met, "ACK"))
		return true; /* an ACK never gets a response */
	(void)sip_replyf(ua->sip, msg, check.scode, check.reason,
			 "%sContent-Length: 0\r\n\r\n", check.headers);
	return true;
}

static bool method_known(const struct pl *met)
{
	for (size_t i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]); i++) {
		if (!pl_strcmp(met, known_methods[i]))
			return true;
	}
	return false;
}

static void options_reply(struct sip_ua *ua, const struct sip_msg *msg)
{
	if (ua_draining(ua)) {
		(void)sip_replyf(ua->sip, msg, 503, "Service Unavailable",
				 "Retry-After: 30\r\n"
				 "Content-Length: 0\r\n\r\n");
		return;
	}
	(void)sip_replyf(ua->sip, msg, 200, "OK",
			 "Allow: " SIP_ALLOW "\r\n"
			 "Accept: application/sdp, application/dtmf-relay, application/dtmf\r\n"
			 "Accept-Encoding: identity\r\n"
			 "Accept-Language: fr, en\r\n"
			 "Content-Length: 0\r\n\r\n");
}

static bool fallback_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_ua *ua = arg;

	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		options_reply(ua, msg);
		return true;
	}
	if (!pl_strcmp(&msg->met, "ACK"))
		return true; /* ACK for a transaction that is gone */
	if (!pl_strcmp(&msg->met, "CANCEL")) {
		(void)sip_reply(ua->sip, msg, 481, "Call/Transaction Does Not Exist");
		return true;
	}

	if (log_enabled(LOGL_DEBUG)) {
		char method[33];

		ua_printable(method, sizeof(method), &msg->met);
		log_debug(SIP_LOG, NULL, "%s not served", method);
	}
	if (method_known(&msg->met))
		(void)sip_replyf(ua->sip, msg, 405, "Method Not Allowed",
				 "Allow: " SIP_ALLOW "\r\n"
				 "Content-Length: 0\r\n\r\n");
	else
		(void)sip_replyf(ua->sip, msg, 501, "Not Implemented",
				 "Allow: " SIP_ALLOW "\r\n"
				 "Content-Length: 0\r\n\r\n");
	return true;
}

static bool responses_handler(const struct sip_msg *msg, void *arg)
{
	(void)arg;
	log_debug(SIP_LOG, NULL, "dropped a %u response that matches no request", msg->scode);
	return true;
}

int ua_listen_guard(struct sip_ua *ua)
{
	return sip_listen(&ua->guard, ua->sip, true, guard_handler, ua);
}

int ua_listen_fallback(struct sip_ua *ua)
{
	int err = sip_listen(&ua->fallback, ua->sip, true, fallback_handler, ua);

	if (!err)
		err = sip_listen(&ua->responses, ua->sip, false, responses_handler, ua);
	return err;
}
