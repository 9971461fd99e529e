/*
 * Registration to the configured registrar (RFC 3261 section 10).
 *
 * libre's own sipreg writes the local socket address into Contact. Behind NAT the
 * registrar must get public_address instead, so this client builds its REGISTER
 * requests itself on libre's dialog, request and digest-authentication layers.
 *
 * States: idle -> sending -> registered (refresh timer) -> sending ...; a failure
 * schedules a retry with a growing delay; ua_reg_stop() sends Expires: 0 and reports
 * when it is answered, fails, or UNREGISTER_WAIT_MS pass.
 */
#include "sip_priv.h"

#include <string.h>

#define RETRY_MIN_S 10
#define RETRY_MAX_S 300
#define UNREGISTER_WAIT_MS 3000

struct ua_reg {
	struct sip_ua *ua;
	struct sip_dialog *dlg;
	struct sip_auth *auth;
	struct sip_request *req;
	struct sip_loopstate ls;
	struct tmr tmr;
	char aor[SIP_CONFIG_TEXT_MAX];
	uint32_t expires;    /* requested lifetime */
	uint32_t failures;   /* consecutive failed attempts */
	bool registered;
	bool stopping;
	void (*done)(void *arg);
	void *done_arg;
};

static int reg_send(struct ua_reg *reg, bool fresh);

static void reg_destructor(void *arg)
{
	struct ua_reg *reg = arg;

	tmr_cancel(&reg->tmr);
	mem_deref(reg->req);
	mem_deref(reg->dlg);
	mem_deref(reg->auth);
}

static void set_registered(struct ua_reg *reg, bool on)
{
	reg->registered = on;
	atomic_store(&reg->ua->registered, on);
}

static void finish_stop(struct ua_reg *reg)
{
	void (*done)(void *arg) = reg->done;

	tmr_cancel(&reg->tmr);
	reg->done = NULL;
	if (done)
		done(reg->done_arg); /* may free reg */
}

static void refresh_handler(void *arg)
{
	struct ua_reg *reg = arg;
	int err = reg_send(reg, true);

	if (err) {
		log_err(SIP_LOG, NULL, "REGISTER to %s could not be sent: %s",
			reg->ua->cfg.registrar_uri, strerror(err));
		tmr_start(&reg->tmr, RETRY_MAX_S * 1000, refresh_handler, reg);
	}
}

static void schedule_retry(struct ua_reg *reg, uint32_t retry_after)
{
	uint32_t delay = RETRY_MIN_S;

	for (uint32_t i = 1; i < reg->failures && delay < RETRY_MAX_S; i++)
		delay *= 2;
	if (delay > RETRY_MAX_S)
		delay = RETRY_MAX_S;
	if (retry_after > delay && retry_after <= 3600)
		delay = retry_after;

	log_warning(SIP_LOG, NULL, "registration to %s failed %u time%s; retrying in %u s",
		    reg->ua->cfg.registrar_uri, reg->failures, reg->failures > 1 ? "s" : "",
		    delay);
	/* Up to a fifth earlier, so that many servers do not retry in step. */
	tmr_start(&reg->tmr, (uint64_t)delay * 1000 - rand_u32() % (delay * 200 + 1),
		  refresh_handler, reg);
}

/* Lifetime granted: our Contact's expires parameter, else Expires, else what we asked. */
static uint32_t granted_expires(const struct ua_reg *reg, const struct sip_msg *msg)
{
	const struct sip_hdr *hdr;
	struct sip_addr addr;
	struct pl value;

	for (struct le *le = msg->hdrl.head; le; le = le->next) {
		hdr = le->data;
		if (hdr->id != SIP_HDR_CONTACT)
			continue;
		if (sip_addr_decode(&addr, &hdr->val))
			continue;
		if (pl_strcmp(&addr.uri.user, reg->ua->cfg.contact_user))
			continue;
		if (!msg_param_decode(&addr.params, "expires", &value))
			return pl_u32(&value);
	}
	if (pl_isset(&msg->expires))
		return pl_u32(&msg->expires);
	return reg->expires;
}

static void registered(struct ua_reg *reg, const struct sip_msg *msg)
{
	uint32_t granted = granted_expires(reg, msg);
	uint32_t refresh;

	if (granted == 0)
		granted = reg->expires;
	refresh = granted >= 120 ? granted - 30 : granted / 2;
	if (refresh < 5)
		refresh = 5;

	if (!reg->registered || reg->failures)
		log_info(SIP_LOG, NULL, "registered to %s as %s for %u s",
			 reg->ua->cfg.registrar_uri, reg->aor, granted);
	else
		log_debug(SIP_LOG, NULL, "registration refreshed for %u s", granted);

	set_registered(reg, true);
	reg->failures = 0;
	tmr_start(&reg->tmr, (uint64_t)refresh * 1000, refresh_handler, reg);
}

static void failed(struct ua_reg *reg, int err, const struct sip_msg *msg)
{
	const struct sip_hdr *retry = msg ? sip_msg_hdr(msg, SIP_HDR_RETRY_AFTER) : NULL;

	if (reg->stopping) {
		finish_stop(reg);
		return;
	}
	set_registered(reg, false);
	reg->failures++;
	if (msg)
		log_err(SIP_LOG, NULL, "registration to %s rejected: %u %.*s",
			reg->ua->cfg.registrar_uri, msg->scode, (int)MIN(msg->reason.l, 64),
			msg->reason.p);
	else
		log_err(SIP_LOG, NULL, "registration to %s failed: %s", reg->ua->cfg.registrar_uri,
			strerror(err));
	schedule_retry(reg, retry ? pl_u32(&retry->val) : 0);
}

static void response_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct ua_reg *reg = arg;
	const struct sip_hdr *minexp;

	if (err || !msg) {
		failed(reg, err ? err : EPROTO, NULL);
		return;
	}
	if (msg->scode < 200)
		return;

	if (msg->scode < 300) {
		if (reg->stopping) {
			set_registered(reg, false);
			log_info(SIP_LOG, NULL, "registration to %s removed",
				 reg->ua->cfg.registrar_uri);
			finish_stop(reg);
			return;
		}
		registered(reg, msg);
		return;
	}

	if (sip_request_loops(&reg->ls, msg->scode)) {
		failed(reg, 0, msg);
		return;
	}

	switch (msg->scode) {
	case 401:
	case 407:
		err = sip_auth_authenticate(reg->auth, msg);
		if (err == EAUTH) {
			log_err(SIP_LOG, NULL, "registrar %s rejected the credentials of user \"%s\": "
				"check sip username, auth_username and password",
				reg->ua->cfg.registrar_uri,
				reg->ua->cfg.auth_username[0] ? reg->ua->cfg.auth_username
							      : reg->ua->cfg.username);
			failed(reg, err, msg);
			return;
		}
		if (err || reg_send(reg, false))
			failed(reg, err, msg);
		return;
	case 423:
		minexp = sip_msg_hdr(msg, SIP_HDR_MIN_EXPIRES);
		if (minexp && pl_u32(&minexp->val) > reg->expires && pl_u32(&minexp->val) <= 86400) {
			reg->expires = pl_u32(&minexp->val);
			log_info(SIP_LOG, NULL, "registrar asks for at least %u s; asking again",
				 reg->expires);
			if (!reg_send(reg, false))
				return;
		}
		failed(reg, 0, msg);
		return;
	default:
		failed(reg, 0, msg);
		return;
	}
}

static int send_handler(enum sip_transp tp, const struct sa *src, const struct sa *dst,
			struct mbuf *mb, void *arg)
{
	struct ua_reg *reg = arg;
	char contact[SIP_CONFIG_TEXT_MAX];
	int err;
	(void)src;
	(void)dst;

	err = ua_contact_uri(reg->ua, tp, contact, sizeof(contact));
	if (err)
		return err;
	return mbuf_printf(mb, "Contact: <%s>;expires=%u\r\n", contact,
			   reg->stopping ? 0 : reg->expires);
}

static int reg_send(struct ua_reg *reg, bool fresh)
{
	if (fresh) {
		/* A new cycle starts without credentials, as the nonce may have changed. */
		sip_loopstate_reset(&reg->ls);
		sip_auth_reset(reg->auth);
	}
	reg->req = mem_deref(reg->req);
	return sip_drequestf(&reg->req, reg->ua->sip, true, "REGISTER", reg->dlg, 0, reg->auth,
			     send_handler, response_handler, reg,
			     "Expires: %u\r\n"
			     "Allow: " SIP_ALLOW "\r\n"
			     "Content-Length: 0\r\n\r\n",
			     reg->stopping ? 0 : reg->expires);
}

int ua_reg_start(struct ua_reg **regp, struct sip_ua *ua)
{
	const struct sip_config *cfg = &ua->cfg;
	struct ua_reg *reg;
	struct pl text;
	struct uri uri;
	int err;

	pl_set_str(&text, cfg->registrar_uri);
	if (uri_decode(&uri, &text) || !pl_isset(&uri.host)) {
		log_err(SIP_LOG, NULL, "sip registrar_uri \"%s\" cannot be parsed: write it as "
			"\"sip:registrar.example.fr\"", cfg->registrar_uri);
		return EINVAL;
	}

	reg = mem_zalloc(sizeof(*reg), reg_destructor);
	if (!reg)
		return ENOMEM;
	reg->ua = ua;
	reg->expires = cfg->register_expires_s;
	tmr_init(&reg->tmr);

	if (re_snprintf(reg->aor, sizeof(reg->aor), uri.af == AF_INET6 ? "sip:%s@[%r]" : "sip:%s@%r",
			cfg->username, &uri.host) < 0) {
		err = ENOSPC;
		goto out;
	}
	err = sip_dialog_alloc(&reg->dlg, cfg->registrar_uri, reg->aor, NULL, reg->aor, NULL, 0);
	if (!err)
		err = sip_auth_alloc(&reg->auth, ua_auth_handler, ua, false);
	if (!err)
		err = reg_send(reg, true);
	if (err) {
		log_err(SIP_LOG, NULL, "registration to %s could not start: %s", cfg->registrar_uri,
			strerror(err));
		goto out;
	}
	log_info(SIP_LOG, NULL, "registering to %s as %s", cfg->registrar_uri, reg->aor);

out:
	if (err)
		mem_deref(reg);
	else
		*regp = reg;
	return err;
}

static void unregister_timeout(void *arg)
{
	struct ua_reg *reg = arg;

	log_warning(SIP_LOG, NULL, "unregistration timed out: no response within %u ms",
		    UNREGISTER_WAIT_MS);
	finish_stop(reg);
}

static void stop_handler(void *arg)
{
	finish_stop(arg);
}

void ua_reg_stop(struct ua_reg *reg, void (*done)(void *arg), void *arg)
{
	reg->stopping = true;
	reg->done = done;
	reg->done_arg = arg;
	tmr_cancel(&reg->tmr);
	reg->req = mem_deref(reg->req);

	if (!reg->registered || reg_send(reg, true)) {
		tmr_start(&reg->tmr, 0, stop_handler, reg);
		return;
	}
	tmr_start(&reg->tmr, UNREGISTER_WAIT_MS, unregister_timeout, reg);
}
