/*
 * The user agent: the libre thread, its start and stop, and the commands other threads
 * post to it.
 *
 * Start: sip_ua_start() creates the loop thread, which initialises libre, binds the
 * transports, installs the listeners and reports back; the caller waits for that report.
 * Stop: sip_ua_shutdown() sets `draining` (new INVITEs get 503), removes the
 * registration, lets calls finish within shutdown_grace_s, hangs up the rest, then closes
 * the SIP stack once its transactions are done (or after STOP_WAIT_MS) and ends the loop.
 */
#include "sip_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

/* The bound on waiting for the last SIP transactions (BYE, REGISTER) at shutdown. */
#define STOP_WAIT_MS 5000
/* Commands from other threads that may wait for the loop; past it posting fails. */
#define COMMANDS_MAX 1024

enum ua_command_type {
	UA_CMD_TASK,
	UA_CMD_PLAY,
	UA_CMD_MARK,
	UA_CMD_FLUSH,
	UA_CMD_TRANSFER,
	UA_CMD_HANGUP,
	UA_CMD_SHUTDOWN,
};

struct ua_command {
	struct ua_command *next;
	enum ua_command_type type;
	uint64_t call;
	sip_task_h *task;
	void *arg;
	uint64_t mark;
	char *target;
	size_t samples;
	int16_t pcm[];
};

/* One user agent per process: libre keeps its loop in globals. */
static atomic_bool ua_exists;

static void ua_stop(struct sip_ua *ua);

bool ua_draining(const struct sip_ua *ua)
{
	return ua->draining;
}

int ua_contact_uri(const struct sip_ua *ua, enum sip_transp tp, char *buf, size_t size)
{
	unsigned port;
	int n;

	switch (tp) {
	case SIP_TRANSP_TCP:
		port = atomic_load(&ua->port_tcp);
		break;
	case SIP_TRANSP_TLS:
		port = atomic_load(&ua->port_tls);
		break;
	default:
		port = atomic_load(&ua->port_udp);
		break;
	}
	n = snprintf(buf, size, "sip:%s@%s:%u%s", ua->cfg.contact_user, ua->host, port,
		     sip_transp_param(tp));
	return n < 0 || (size_t)n >= size ? ENOSPC : 0;
}

int ua_auth_handler(char **user, char **pass, const char *realm, void *arg)
{
	struct sip_ua *ua = arg;
	const char *name = ua->cfg.auth_username[0] ? ua->cfg.auth_username : ua->cfg.username;
	int err;

	if (!ua->cfg.registrar_uri[0]) {
		log_warning(SIP_LOG, NULL, "credentials requested for realm \"%s\" but no account "
			    "is configured", realm);
		return EAUTH;
	}
	err = str_dup(user, name);
	if (!err)
		err = str_dup(pass, ua->cfg.password);
	if (err) {
		*user = mem_deref(*user);
		return err;
	}
	return 0;
}

void ua_printable(char *out, size_t size, const struct pl *text)
{
	size_t n = 0;

	if (!size)
		return;
	for (size_t i = 0; text && i < text->l && n + 1 < size; i++) {
		unsigned char c = (unsigned char)text->p[i];

		out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[n] = '\0';
}

void ua_log_malformed(struct sip_ua *ua, const struct sip_msg *msg, const char *problem)
{
	unsigned suppressed = 0;
	char source[64] = "", method[33];

	if (!log_ratelimit_allow(&ua->malformed_log, &suppressed))
		return;
	if (suppressed)
		log_notice(SIP_LOG, NULL, "%u more malformed messages were not logged", suppressed);
	sa_ntop(&msg->src, source, sizeof(source));
	ua_printable(method, sizeof(method), &msg->met);
	log_notice(SIP_LOG, NULL, "rejected a malformed %s from %s port %u over %s: %s", method,
		   source, sa_port(&msg->src), sip_transp_name(msg->tp), problem);
}

/* Listener ports, readable from any thread. */
uint16_t sip_ua_port(const struct sip_ua *ua, const char *transport)
{
	if (!ua || !transport)
		return 0;
	if (!strcmp(transport, "udp"))
		return (uint16_t)atomic_load(&ua->port_udp);
	if (!strcmp(transport, "tcp"))
		return (uint16_t)atomic_load(&ua->port_tcp);
	if (!strcmp(transport, "tls"))
		return (uint16_t)atomic_load(&ua->port_tls);
	return 0;
}

unsigned sip_ua_call_count(const struct sip_ua *ua)
{
	return ua ? atomic_load(&ua->call_count) : 0;
}

bool sip_ua_registered(const struct sip_ua *ua)
{
	return ua ? atomic_load(&ua->registered) : false;
}

struct sip_call *sip_ua_call_find(struct sip_ua *ua, uint64_t number)
{
	for (struct le *le = ua->calls.head; le; le = le->next) {
		struct sip_call *call = le->data;

		if (call->number == number && call->state != CALL_CLOSING)
			return call;
	}
	return NULL;
}

/* Commands from other threads. */

/* Queue a command for the loop. Stopping commands are `urgent` and pass the bound. */
static int command_post(struct sip_ua *ua, struct ua_command *cmd, bool urgent)
{
	bool wake;
	int err = 0;

	pthread_mutex_lock(&ua->lock);
	if (!ua->accepting) {
		pthread_mutex_unlock(&ua->lock);
		return ESHUTDOWN;
	}
	if (!urgent && ua->command_count >= COMMANDS_MAX) {
		pthread_mutex_unlock(&ua->lock);
		return ENOBUFS;
	}
	wake = ua->commands == NULL;
	cmd->next = NULL;
	*ua->commands_tail = cmd;
	ua->commands_tail = &cmd->next;
	/* One wake-up covers every command queued before the loop reads them. */
	if (wake)
		err = mqueue_push(ua->mq, 0, NULL);
	if (err) {
		/* Unlink again: the command was not accepted. */
		struct ua_command **p = &ua->commands;

		while (*p != cmd)
			p = &(*p)->next;
		*p = NULL;
		ua->commands_tail = p;
	} else {
		ua->command_count++;
	}
	pthread_mutex_unlock(&ua->lock);
	return err;
}

static struct ua_command *command_new(enum ua_command_type type, uint64_t call, size_t samples)
{
	struct ua_command *cmd = calloc(1, sizeof(*cmd) + samples * sizeof(int16_t));

	if (!cmd)
		return NULL;
	cmd->type = type;
	cmd->call = call;
	cmd->samples = samples;
	return cmd;
}

static void command_free(struct ua_command *cmd)
{
	free(cmd->target);
	free(cmd);
}

static int command_send(struct sip_ua *ua, struct ua_command *cmd)
{
	int err;

	if (!cmd)
		return ENOMEM;
	err = command_post(ua, cmd, cmd->type == UA_CMD_SHUTDOWN);
	if (err)
		command_free(cmd);
	return err;
}

int sip_ua_post(struct sip_ua *ua, sip_task_h *task, void *arg)
{
	struct ua_command *cmd;
	int err;

	if (!ua || !task)
		return EINVAL;
	cmd = command_new(UA_CMD_TASK, 0, 0);
	if (!cmd)
		return ENOMEM;
	cmd->task = task;
	cmd->arg = arg;
	err = command_post(ua, cmd, false);
	if (err)
		command_free(cmd);
	return err;
}

int sip_ua_play(struct sip_ua *ua, uint64_t call, const int16_t *pcm, size_t samples)
{
	struct ua_command *cmd;

	if (!ua || !call || (!pcm && samples))
		return EINVAL;
	if (samples > (size_t)ua->cfg.playback_max_s * SIP_AUDIO_RATE)
		return EOVERFLOW;
	cmd = command_new(UA_CMD_PLAY, call, samples);
	if (cmd && samples)
		memcpy(cmd->pcm, pcm, samples * sizeof(int16_t));
	return command_send(ua, cmd);
}

int sip_ua_mark(struct sip_ua *ua, uint64_t call, uint64_t mark)
{
	struct ua_command *cmd;

	if (!ua || !call)
		return EINVAL;
	cmd = command_new(UA_CMD_MARK, call, 0);
	if (cmd)
		cmd->mark = mark;
	return command_send(ua, cmd);
}

int sip_ua_flush(struct sip_ua *ua, uint64_t call)
{
	if (!ua || !call)
		return EINVAL;
	return command_send(ua, command_new(UA_CMD_FLUSH, call, 0));
}

int sip_ua_transfer(struct sip_ua *ua, uint64_t call, const char *target)
{
	struct ua_command *cmd;

	if (!ua || !call)
		return EINVAL;
	cmd = command_new(UA_CMD_TRANSFER, call, 0);
	if (cmd && target) {
		cmd->target = strdup(target);
		if (!cmd->target) {
			command_free(cmd);
			return ENOMEM;
		}
	}
	return command_send(ua, cmd);
}

int sip_ua_hangup(struct sip_ua *ua, uint64_t call)
{
	if (!ua || !call)
		return EINVAL;
	return command_send(ua, command_new(UA_CMD_HANGUP, call, 0));
}

int sip_ua_shutdown(struct sip_ua *ua)
{
	if (!ua)
		return EINVAL;
	return command_send(ua, command_new(UA_CMD_SHUTDOWN, 0, 0));
}

static void shutdown_begin(struct sip_ua *ua, bool immediate);

static void command_run(struct sip_ua *ua, struct ua_command *cmd)
{
	struct sip_call *call = NULL;
	int err;

	if (cmd->type == UA_CMD_TASK) {
		cmd->task(ua, cmd->arg);
		return;
	}
	if (cmd->type == UA_CMD_SHUTDOWN) {
		shutdown_begin(ua, false);
		return;
	}

	call = sip_ua_call_find(ua, cmd->call);
	if (!call) {
		log_debug(SIP_LOG, NULL, "command for call %llu dropped: the call has ended",
			  (unsigned long long)cmd->call);
		return;
	}

	switch (cmd->type) {
	case UA_CMD_PLAY:
		err = sip_call_play(call, cmd->pcm, cmd->samples);
		if (err)
			log_warning(SIP_LOG, call->call_id, "%zu samples not queued for playback: %s",
				    cmd->samples, strerror(err));
		break;
	case UA_CMD_MARK:
		(void)sip_call_mark(call, cmd->mark);
		break;
	case UA_CMD_FLUSH:
		sip_call_flush(call);
		break;
	case UA_CMD_TRANSFER:
		err = sip_call_transfer(call, cmd->target);
		if (err && call->ua->handler.transfer) {
			struct sip_transfer_result result = {SIP_TRANSFER_FAILED, 0};

			log_warning(SIP_LOG, call->call_id, "transfer not started: %s",
				    strerror(err));
			call->ua->handler.transfer(call, &result, call->arg);
		}
		break;
	case UA_CMD_HANGUP:
		sip_call_hangup(call);
		break;
	default:
		break;
	}
}

/* Take every queued command; the caller owns the list. */
static struct ua_command *commands_take(struct sip_ua *ua)
{
	struct ua_command *list;

	pthread_mutex_lock(&ua->lock);
	list = ua->commands;
	ua->commands = NULL;
	ua->commands_tail = &ua->commands;
	ua->command_count = 0;
	pthread_mutex_unlock(&ua->lock);
	return list;
}

static void mqueue_handler(int id, void *data, void *arg)
{
	struct sip_ua *ua = arg;
	struct ua_command *cmd = commands_take(ua);
	(void)id;
	(void)data;

	while (cmd) {
		struct ua_command *next = cmd->next;

		command_run(ua, cmd);
		command_free(cmd);
		cmd = next;
	}
}

/* Shutdown. */

static void sip_exit_handler(void *arg)
{
	struct sip_ua *ua = arg;

	ua->sip_exited = true;
	re_cancel();
}

static void stop_timeout(void *arg)
{
	(void)arg;
	log_warning(SIP_LOG, NULL, "SIP transactions still open after %u ms; stopping anyway",
		    STOP_WAIT_MS);
	re_cancel();
}

/* Close the SIP stack once no call and no registration remains. */
static void ua_stop(struct sip_ua *ua)
{
	if (ua->stopping)
		return;
	ua->stopping = true;
	tmr_cancel(&ua->grace_tmr);

	/* The session and event layers stay until the teardown, which closes the sessions
	 * still waiting for an ACK or for the response to their BYE. */
	tmr_start(&ua->stop_tmr, STOP_WAIT_MS, stop_timeout, ua);
	/* sip_exit_handler runs when the last transaction is done, maybe at once. */
	sip_close(ua->sip, false);
}

static void maybe_stop(struct sip_ua *ua)
{
	if (ua->draining && !ua->reg && list_isempty(&ua->calls))
		ua_stop(ua);
}

static void unregistered(void *arg)
{
	struct sip_ua *ua = arg;

	ua->reg = mem_deref(ua->reg);
	atomic_store(&ua->registered, false);
	maybe_stop(ua);
}

static void grace_timeout(void *arg)
{
	struct sip_ua *ua = arg;
	struct le *le = ua->calls.head;

	log_notice(SIP_LOG, NULL, "shutdown grace period over: hanging up %u calls",
		   list_count(&ua->calls));
	while (le) {
		struct sip_call *call = le->data;

		le = le->next;
		call_end(call, SIP_END_SHUTDOWN);
	}
}

static void shutdown_begin(struct sip_ua *ua, bool immediate)
{
	if (ua->draining) {
		if (immediate)
			grace_timeout(ua);
		return;
	}
	ua->draining = true;
	log_info(SIP_LOG, NULL, "stopping: refusing new calls, %u calls in progress",
		 list_count(&ua->calls));

	if (ua->reg)
		ua_reg_stop(ua->reg, unregistered, ua);

	if (immediate || ua->cfg.shutdown_grace_s == 0)
		grace_timeout(ua);
	else if (!list_isempty(&ua->calls))
		tmr_start(&ua->grace_tmr, (uint64_t)ua->cfg.shutdown_grace_s * 1000,
			  grace_timeout, ua);
	maybe_stop(ua);
}

void ua_call_finished(struct sip_ua *ua, struct sip_call *call)
{
	list_unlink(&call->le);
	atomic_store(&ua->call_count, list_count(&ua->calls));
	maybe_stop(ua);
}

/* Setup on the loop thread. */

static int listen_address(struct sip_ua *ua)
{
	const struct sip_config *cfg = &ua->cfg;
	int err;

	if (cfg->listen_address[0]) {
		err = sa_set_str(&ua->laddr, cfg->listen_address, 0);
	} else {
		err = net_default_source_addr_get(AF_INET, &ua->laddr);
		if (err)
			err = net_default_source_addr_get(AF_INET6, &ua->laddr);
	}
	if (err) {
		log_err(SIP_LOG, NULL, "no listen address: set sip listen_address to this "
			"server's IP address (%s)", strerror(err));
		return err;
	}
	sa_set_port(&ua->laddr, 0);
	sa_ntop(&ua->laddr, ua->listen_text, sizeof(ua->listen_text));

	if (cfg->public_address[0])
		snprintf(ua->media_address, sizeof(ua->media_address), "%s", cfg->public_address);
	else
		sa_ntop(&ua->laddr, ua->media_address, sizeof(ua->media_address));

	if (strchr(ua->media_address, ':'))
		snprintf(ua->host, sizeof(ua->host), "[%s]", ua->media_address);
	else
		snprintf(ua->host, sizeof(ua->host), "%s", ua->media_address);
	return 0;
}

static int tls_setup(struct sip_ua *ua)
{
	const struct sip_config *cfg = &ua->cfg;
	const char *key = cfg->tls_key[0] ? cfg->tls_key : cfg->tls_certificate;
	SSL_CTX *ctx;
	int err;

	err = tls_alloc(&ua->tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (err) {
		log_err(SIP_LOG, NULL, "TLS context could not be created: %s", strerror(err));
		return err;
	}
	ctx = tls_openssl_context(ua->tls);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_certificate) != 1) {
		log_err(SIP_LOG, NULL, "sip tls_certificate \"%s\" could not be read as a PEM "
			"certificate chain: check the path and the file", cfg->tls_certificate);
		return EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_err(SIP_LOG, NULL, "sip TLS private key \"%s\" could not be read or does not "
			"match the certificate: set tls_key to the certificate's PEM key file",
			key);
		return EINVAL;
	}
	return 0;
}

static int transport_add(struct sip_ua *ua, enum sip_transp tp, uint16_t port)
{
	struct sa laddr = ua->laddr;
	struct sa bound;
	int err;

	sa_set_port(&laddr, port);
	if (tp == SIP_TRANSP_TLS)
		err = sip_transp_add(ua->sip, tp, &laddr, ua->tls);
	else
		err = sip_transp_add(ua->sip, tp, &laddr);
	if (err)
		return err;

	err = sip_transp_laddr(ua->sip, &bound, tp, NULL);
	if (err)
		return err;
	switch (tp) {
	case SIP_TRANSP_UDP:
		atomic_store(&ua->port_udp, sa_port(&bound));
		break;
	case SIP_TRANSP_TCP:
		atomic_store(&ua->port_tcp, sa_port(&bound));
		break;
	default:
		atomic_store(&ua->port_tls, sa_port(&bound));
		break;
	}
	return 0;
}

static int transports_setup(struct sip_ua *ua)
{
	const struct sip_config *cfg = &ua->cfg;
	uint16_t port = cfg->sip_port;
	int err = 0;

	if (cfg->udp) {
		err = transport_add(ua, SIP_TRANSP_UDP, port);
		if (err)
			goto fail;
		port = (uint16_t)atomic_load(&ua->port_udp);
	}
	if (cfg->tcp) {
		err = transport_add(ua, SIP_TRANSP_TCP, port);
		if (err)
			goto fail;
	}
	if (cfg->tls_certificate[0]) {
		err = tls_setup(ua);
		if (err)
			return err;
		err = transport_add(ua, SIP_TRANSP_TLS, cfg->tls_port);
		if (err) {
			log_err(SIP_LOG, NULL, "cannot listen for SIP over TLS on %s port %u: %s",
				ua->media_address, cfg->tls_port, strerror(err));
			return err;
		}
	}
	return 0;

fail:
	log_err(SIP_LOG, NULL, "cannot listen for SIP on %s port %u: %s: choose another "
		"sip_port or listen_address", ua->listen_text, port, strerror(err));
	return err;
}

static int dns_setup(struct sip_ua *ua)
{
	struct sa servers[4];
	uint32_t count = 4;
	char domain[64] = "";
	int err;

	err = dns_srv_get(domain, sizeof(domain), servers, &count);
	if (err || count == 0) {
		log_warning(SIP_LOG, NULL, "no DNS server found (%s): SIP host names will not "
			    "resolve", strerror(err ? err : ENOENT));
		count = 0;
	}
	return dnsc_alloc(&ua->dnsc, NULL, servers, count);
}

static void connect_handler(const struct sip_msg *msg, void *arg)
{
	call_incoming(arg, msg);
}

static int ua_setup(struct sip_ua *ua)
{
	char software[64];
	int err;

	err = listen_address(ua);
	if (err)
		return err;
	err = call_driver_alloc(&ua->media_driver, CALL_DRIVER_MIN_GAP_NS);
	if (err) {
		log_err(SIP_LOG, NULL, "media timer could not be created: %s", strerror(err));
		return err;
	}
	err = dns_setup(ua);
	if (err) {
		log_err(SIP_LOG, NULL, "DNS client could not be created: %s", strerror(err));
		return err;
	}
	snprintf(software, sizeof(software), "permanence/%s", PERMANENCE_VERSION);
	err = sip_alloc(&ua->sip, ua->dnsc, 32, 32, 32, software, sip_exit_handler, ua);
	if (err) {
		log_err(SIP_LOG, NULL, "SIP stack could not be created: %s", strerror(err));
		return err;
	}
	err = transports_setup(ua);
	if (err)
		return err;

	/* The order of the listeners is the order in which they see each request. */
	err = mqueue_alloc(&ua->mq, mqueue_handler, ua);
	if (!err)
		err = ua_listen_guard(ua);
	if (!err)
		err = sipsess_listen(&ua->sess_sock, ua->sip, 32, connect_handler, ua);
	if (!err)
		err = sipevent_listen(&ua->event_sock, ua->sip, 32, 32, NULL, NULL);
	if (!err)
		err = ua_listen_fallback(ua);
	if (err) {
		log_err(SIP_LOG, NULL, "SIP listeners could not be set up: %s", strerror(err));
		return err;
	}

	if (ua->cfg.registrar_uri[0]) {
		err = ua_reg_start(&ua->reg, ua);
		if (err)
			return err;
	}
	return 0;
}

static void ua_teardown(struct sip_ua *ua)
{
	struct ua_command *cmd;

	/* Commands that arrive from now on are rejected. Tasks already accepted still run,
	 * so that the thread that posted them gets their argument back. */
	pthread_mutex_lock(&ua->lock);
	ua->accepting = false;
	pthread_mutex_unlock(&ua->lock);
	cmd = commands_take(ua);
	while (cmd) {
		struct ua_command *next = cmd->next;

		if (cmd->type == UA_CMD_TASK)
			cmd->task(ua, cmd->arg);
		command_free(cmd);
		cmd = next;
	}

	/* Anything still alive after an aborted start or a forced stop. */
	while (ua->calls.head)
		call_end(ua->calls.head->data, SIP_END_SHUTDOWN);
	ua->media_driver = mem_deref(ua->media_driver);
	ua->reg = mem_deref(ua->reg);
	tmr_cancel(&ua->grace_tmr);
	tmr_cancel(&ua->stop_tmr);
	sipsess_close_all(ua->sess_sock);
	ua->sess_sock = mem_deref(ua->sess_sock);
	ua->event_sock = mem_deref(ua->event_sock);
	ua->guard = mem_deref(ua->guard);
	ua->fallback = mem_deref(ua->fallback);
	ua->responses = mem_deref(ua->responses);
	if (ua->sip && ua->stopping && !ua->sip_exited)
		sip_close(ua->sip, true);
	ua->sip = mem_deref(ua->sip);
	ua->tls = mem_deref(ua->tls);
	ua->dnsc = mem_deref(ua->dnsc);
	ua->mq = mem_deref(ua->mq);
}

static void start_report(struct sip_ua *ua, int err)
{
	pthread_mutex_lock(&ua->lock);
	ua->start_err = err;
	ua->ready = true;
	pthread_cond_signal(&ua->cond);
	pthread_mutex_unlock(&ua->lock);
}

static void *ua_thread(void *arg)
{
	struct sip_ua *ua = arg;
	sigset_t set;
	int err;

	/* Signals belong to the application's threads; SIGPIPE from a closed TCP peer
	 * must turn into EPIPE here rather than end the process. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	err = libre_init();
	if (err) {
		log_err(SIP_LOG, NULL, "libre could not be initialised: %s", strerror(err));
		start_report(ua, err);
		return NULL;
	}

	list_init(&ua->calls);
	tmr_init(&ua->grace_tmr);
	tmr_init(&ua->stop_tmr);
	pthread_mutex_lock(&ua->lock);
	ua->accepting = true;
	pthread_mutex_unlock(&ua->lock);

	err = ua_setup(ua);
	if (err) {
		ua_teardown(ua);
		libre_close();
		start_report(ua, err);
		return NULL;
	}

	log_info(SIP_LOG, NULL, "started on %s: udp port %u, tcp port %u, tls port %u; "
		 "contact host %s", ua->listen_text, atomic_load(&ua->port_udp),
		 atomic_load(&ua->port_tcp), atomic_load(&ua->port_tls), ua->host);
	start_report(ua, 0);

	err = re_main(NULL);
	if (err)
		log_err(SIP_LOG, NULL, "event loop failed: %s", strerror(err));

	ua_teardown(ua);
	libre_close();
	log_info(SIP_LOG, NULL, "stopped");
	return NULL;
}

int sip_ua_start(struct sip_ua **uap, const struct sip_config *cfg,
		 const struct sip_handler *handler)
{
	char message[512];
	struct sip_ua *ua;
	bool expected = false;
	int err;

	if (!uap || !cfg)
		return EINVAL;
	err = sip_config_validate(cfg, message, sizeof(message));
	if (err) {
		log_err(SIP_LOG, NULL, "%s", message);
		return err;
	}
	if (!atomic_compare_exchange_strong(&ua_exists, &expected, true)) {
		log_err(SIP_LOG, NULL, "a SIP user agent already runs in this process");
		return EALREADY;
	}

	ua = calloc(1, sizeof(*ua));
	if (!ua) {
		atomic_store(&ua_exists, false);
		return ENOMEM;
	}
	ua->cfg = *cfg;
	if (handler)
		ua->handler = *handler;
	ua->next_number = 1;
	ua->commands_tail = &ua->commands;
	ua->malformed_log = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 60);
	pthread_mutex_init(&ua->lock, NULL);
	pthread_cond_init(&ua->cond, NULL);

	err = pthread_create(&ua->thread, NULL, ua_thread, ua);
	if (err) {
		log_err(SIP_LOG, NULL, "SIP thread could not be started: %s", strerror(err));
		goto fail;
	}

	pthread_mutex_lock(&ua->lock);
	while (!ua->ready)
		pthread_cond_wait(&ua->cond, &ua->lock);
	err = ua->start_err;
	pthread_mutex_unlock(&ua->lock);
	if (err) {
		pthread_join(ua->thread, NULL);
		goto fail;
	}

	*uap = ua;
	return 0;

fail:
	pthread_cond_destroy(&ua->cond);
	pthread_mutex_destroy(&ua->lock);
	free(ua);
	atomic_store(&ua_exists, false);
	return err;
}

void sip_ua_wait(struct sip_ua *ua)
{
	if (!ua || ua->joined)
		return;
	pthread_join(ua->thread, NULL);
	ua->joined = true;
}

static void stop_now_task(struct sip_ua *ua, void *arg)
{
	(void)arg;
	shutdown_begin(ua, true);
}

void sip_ua_destroy(struct sip_ua *ua)
{
	struct ua_command *cmd;

	if (!ua)
		return;
	if (!ua->joined) {
		cmd = command_new(UA_CMD_TASK, 0, 0);
		if (cmd) {
			cmd->task = stop_now_task;
			if (command_post(ua, cmd, true))
				command_free(cmd);
		}
		sip_ua_wait(ua);
	}
	pthread_cond_destroy(&ua->cond);
	pthread_mutex_destroy(&ua->lock);
	free(ua);
	atomic_store(&ua_exists, false);
}
