/*
 * The HTTP server: libmicrohttpd in thread-per-connection mode, request bodies read up
 * to a limit, dispatch through the route table with the session, role and CSRF checks,
 * and a pool of store connections that requests borrow.
 *
 * A request goes through these steps, each of which may end it with an error reply:
 *   headers received  -> 413 when Content-Length is past the limit
 *   body read         -> 413 when the body grows past the limit
 *   route matched     -> 404 (no such path), 405 (path known, method not)
 *   session checked   -> 401 (no valid session), 403 (role not allowed)
 *   CSRF checked      -> 403 on every non-GET route that needs a session
 *   JSON parsed       -> 400 for a body that is not one JSON object
 *   handler           -> its own reply
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "agenda.h"
#include "live.h"
#include "log.h"
#include "web_priv.h"

#define TLS_FILE_MAX (256 * 1024)
#define LIVE_MAX_CALLS 256

static void fill_defaults(struct web_config *c)
{
	if (!c->max_connections)
		c->max_connections = 64;
	if (!c->max_body_bytes)
		c->max_body_bytes = 1024 * 1024;
	if (!c->max_header_bytes)
		c->max_header_bytes = 32 * 1024;
	if (!c->timeout_s)
		c->timeout_s = 60;
	if (!c->session_idle_s)
		c->session_idle_s = 1800;
	if (!c->session_max_s)
		c->session_max_s = 43200;
	if (!c->lockout_user_failures)
		c->lockout_user_failures = 5;
	if (!c->lockout_address_failures)
		c->lockout_address_failures = 20;
	if (!c->lockout_s)
		c->lockout_s = 900;
	if (!c->login_delay_ms)
		c->login_delay_ms = 1000;
}

/* ---- The pool of store connections ---- */

struct web_context *web_context_acquire(struct web_server *server, char *message, size_t size)
{
	struct web_context *ctx;
	const char *why = NULL;
	int err;

	pthread_mutex_lock(&server->pool_lock);
	ctx = server->idle;
	if (ctx)
		server->idle = ctx->next;
	pthread_mutex_unlock(&server->pool_lock);
	if (ctx) {
		ctx->next = NULL;
		return ctx;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		snprintf(message, size, "out of memory");
		return NULL;
	}
	err = store_open(&ctx->st, server->db_path, 0, &why);
	if (err) {
		snprintf(message, size, "cannot open the database %s: %s", server->db_path,
			 why ? why : strerror(err));
		free(ctx);
		return NULL;
	}
	return ctx;
}

void web_context_release(struct web_server *server, struct web_context *ctx)
{
	if (!ctx)
		return;
	/* A request that failed inside a transaction must not hand it to the next one. */
	store_rollback(ctx->st);
	pthread_mutex_lock(&server->pool_lock);
	ctx->next = server->idle;
	server->idle = ctx;
	pthread_mutex_unlock(&server->pool_lock);
}

static void pool_destroy(struct web_server *server)
{
	while (server->idle) {
		struct web_context *ctx = server->idle;

		server->idle = ctx->next;
		agenda_close(ctx->agenda);
		store_close(ctx->st);
		free(ctx);
	}
}

/* ---- Routing ---- */

/* Match a path against a pattern, capturing {name} segments. */
static bool route_match(const char *pattern, const char *path,
			char params[WEB_MAX_PARAMS][128])
{
	int captured = 0;

	while (*pattern && *path) {
		if (*pattern == '{') {
			size_t len = strcspn(path, "/");

			if (len == 0 || len >= 128 || captured == WEB_MAX_PARAMS)
				return false;
			memcpy(params[captured], path, len);
			params[captured++][len] = '\0';
			path += len;
			pattern = strchr(pattern, '}');
			if (!pattern)
				return false;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

/* The route for the request, or NULL with *path_known telling whether another method fits. */
static const struct web_route *route_find(struct web_request *req, bool *path_known)
{
	char params[WEB_MAX_PARAMS][128];

	*path_known = false;
	for (size_t i = 0; i < web_routes_count; i++) {
		if (!route_match(web_routes[i].pattern, req->path, params))
			continue;
		*path_known = true;
		if (strcmp(web_routes[i].method, req->method) == 0) {
			memcpy(req->params, params, sizeof(params));
			return &web_routes[i];
		}
	}
	return NULL;
}

size_t web_route_count(void)
{
	return web_routes_count;
}

int web_route_describe(size_t index, struct web_route_info *info)
{
	if (index >= web_routes_count)
		return ENOENT;
	info->method = web_routes[index].method;
	info->pattern = web_routes[index].pattern;
	info->roles = web_routes[index].roles;
	return 0;
}

static bool method_changes(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static bool method_has_body(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	       strcmp(method, "PATCH") == 0;
}

static bool parse_body(struct web_request *req)
{
	json_error_t error;

	if (!method_has_body(req->method))
		return true;
	req->json = json_loadb(req->body ? req->body : "", req->body_len,
			       JSON_REJECT_DUPLICATES, &error);
	if (!req->json) {
		web_reply_error(req, 400, "invalid_json", "the body is not valid JSON: %s (line %d)",
				error.text, error.line);
		return false;
	}
	if (!json_is_object(req->json)) {
		web_reply_error(req, 400, "invalid_json", "the body must be a JSON object");
		return false;
	}
	return true;
}

static void dispatch_api(struct web_request *req)
{
	const struct web_route *route;
	char message[300];
	bool path_known;

	route = route_find(req, &path_known);
	if (!route) {
		if (path_known)
			web_reply_error(req, 405, "method_not_allowed", "%s is not allowed on %s",
					req->method, req->path);
		else
			web_reply_error(req, 404, "not_found", "no API route %s", req->path);
		return;
	}
	req->ctx = web_context_acquire(req->server, message, sizeof(message));
	if (!req->ctx) {
		log_err("web", NULL, "%s", message);
		web_reply_error(req, 503, "unavailable", "the database is unavailable");
		return;
	}
	if (route->roles) {
		web_session_load(req);
		if (req->status)
			return;
		if (!req->has_session) {
			web_reply_error(req, 401, "unauthenticated", "log in first");
			return;
		}
		if (!(route->roles & req->user.role)) {
			web_reply_error(req, 403, "forbidden", "the %s role cannot use this route",
					web_role_name(req->user.role));
			return;
		}
		if (method_changes(req->method) && !web_csrf_valid(req)) {
			web_reply_error(req, 403, "csrf",
					"missing or wrong X-CSRF-Token header: reload the page");
			return;
		}
	}
	if (!parse_body(req))
		return;
	route->handler(req);
	if (!req->status && !req->response)
		web_reply_error(req, 500, "internal", "the handler sent no reply");
}

/* ---- libmicrohttpd callbacks ---- */

static void client_address(struct MHD_Connection *connection, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	snprintf(out, size, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)size);
}

static void add_common_headers(struct web_request *req, struct MHD_Response *response)
{
	bool api = strncmp(req->path, "/api/", 5) == 0;

	MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(response, "X-Frame-Options", "DENY");
	MHD_add_response_header(response, "Content-Security-Policy",
				"default-src 'self'; script-src 'self'; style-src 'self';"
				" img-src 'self' data:; connect-src 'self'; frame-ancestors 'none';"
				" base-uri 'none'; form-action 'self'");
	MHD_add_response_header(response, "Cache-Control", api ? "no-store" : "no-cache");
	if (req->server->tls)
		MHD_add_response_header(response, "Strict-Transport-Security", "max-age=31536000");
	if (req->set_cookie[0])
		MHD_add_response_header(response, "Set-Cookie", req->set_cookie);
}

static enum MHD_Result queue_reply(struct web_request *req)
{
	struct MHD_Response *response = req->response;
	enum MHD_Result result;

	req->response = NULL;
	if (!response) {
		const char *body = req->reply_body ? req->reply_body : "";

		response = MHD_create_response_from_buffer(strlen(body), (void *)body,
							    req->reply_body ? MHD_RESPMEM_MUST_FREE
									    : MHD_RESPMEM_PERSISTENT);
		if (!response)
			return MHD_NO;
		req->reply_body = NULL;
		if (req->content_type)
			MHD_add_response_header(response, "Content-Type", req->content_type);
	}
	add_common_headers(req, response);
	if (req->status == 405)
		MHD_add_response_header(response, "Allow", "GET, POST, PUT, PATCH, DELETE");
	result = MHD_queue_response(req->connection, req->status ? req->status : 500, response);
	MHD_destroy_response(response);
	return result;
}

static void handle(struct web_request *req)
{
	req->now = (int64_t)time(NULL);
	if (strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0)
		dispatch_api(req);
	else if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		web_serve_asset(req);
	else
		web_reply_error(req, 405, "method_not_allowed", "only GET is allowed on %s",
				req->path);
	if (req->status >= 500)
		log_warning("web", NULL, "%s %s returned status %u", req->method, req->path, req->status);
	else
		log_debug("web", NULL, "%s %s returned status %u", req->method, req->path, req->status);
}

/* Receive the body into req->body, stopping at the limit. */
static void append_body(struct web_request *req, const char *data, size_t len)
{
	size_t limit = req->server->config.max_body_bytes;
	char *grown;

	if (req->body_too_large || req->body_len + len > limit) {
		req->body_too_large = true;
		return;
	}
	grown = realloc(req->body, req->body_len + len + 1);
	if (!grown) {
		req->body_too_large = true;
		return;
	}
	memcpy(grown + req->body_len, data, len);
	req->body = grown;
	req->body_len += len;
	req->body[req->body_len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
				  const char *url, const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **state)
{
	struct web_server *server = cls;
	struct web_request *req = *state;

	if (!req) {
		const char *length;

		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		req->server = server;
		req->connection = connection;
		req->method = method;
		req->path = url;
		client_address(connection, req->address, sizeof(req->address));
		*state = req;
		length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (length && strtoull(length, NULL, 10) > server->config.max_body_bytes) {
			web_reply_error(req, 413, "too_large", "the body is larger than %zu bytes",
					server->config.max_body_bytes);
			return queue_reply(req);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		append_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->status)
		return MHD_YES; /* the early 413 is queued already */
	if (req->body_too_large)
		web_reply_error(req, 413, "too_large", "the body is larger than %zu bytes",
				server->config.max_body_bytes);
	else
		handle(req);
	return queue_reply(req);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **state,
			 enum MHD_RequestTerminationCode code)
{
	struct web_request *req = *state;

	if (!req)
		return;
	web_context_release(req->server, req->ctx);
	if (req->response)
		MHD_destroy_response(req->response);
	json_decref(req->json);
	free(req->body);
	free(req->reply_body);
	free(req);
	*state = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warning("web", NULL, "libmicrohttpd: %s", line);
}

/* ---- Start and stop ---- */

static int read_small_file(const char *path, char **text, char *message, size_t size)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t len;

	*text = NULL;
	if (!f) {
		snprintf(message, size, "cannot read %s: %s", path, strerror(errno));
		return errno == ENOENT ? ENOENT : EACCES;
	}
	buf = malloc(TLS_FILE_MAX + 1);
	len = buf ? fread(buf, 1, TLS_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (!buf)
		return ENOMEM;
	if (len == 0 || len > TLS_FILE_MAX) {
		snprintf(message, size, "%s is empty or larger than %d bytes", path, TLS_FILE_MAX);
		free(buf);
		return EINVAL;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

static int prepare_tls(struct web_server *server, char *message, size_t size)
{
	const struct web_config *c = &server->config;
	int err;

	if (!c->tls_cert_file && !c->tls_key_file)
		return 0;
	if (!c->tls_cert_file || !c->tls_key_file) {
		snprintf(message, size, "TLS needs both a certificate file and a key file");
		return EINVAL;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(message, size, "this libmicrohttpd was built without TLS");
		return ENOTSUP;
	}
	err = read_small_file(c->tls_cert_file, &server->tls_cert, message, size);
	if (!err)
		err = read_small_file(c->tls_key_file, &server->tls_key, message, size);
	server->tls = !err;
	return err;
}

/* Open the database once: it must exist, and gets the dashboard's tables if it lacks them. */
static int check_database(struct web_server *server, char *message, size_t size)
{
	struct store *st = NULL;
	const char *why = NULL;
	int err;

	err = store_open(&st, server->db_path, 0, &why);
	if (err) {
		snprintf(message, size, "cannot open the database %s: %s", server->db_path,
			 why ? why : strerror(err));
		return err;
	}
	err = store_migrate(st);
	if (err)
		snprintf(message, size, "cannot migrate %s: %s", server->db_path, store_errmsg(st));
	store_close(st);
	return err;
}

static int parse_address(const struct web_server *server, struct sockaddr_storage *addr,
			 bool *ipv6)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;

	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, server->listen_address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(server->config.port);
		*ipv6 = false;
		return 0;
	}
	if (inet_pton(AF_INET6, server->listen_address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(server->config.port);
		*ipv6 = true;
		return 0;
	}
	return EINVAL;
}

static int start_daemon(struct web_server *server, char *message, size_t size)
{
	const struct web_config *c = &server->config;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct sockaddr_storage addr;
	const union MHD_DaemonInfo *info;
	bool ipv6;

	if (parse_address(server, &addr, &ipv6) != 0) {
		snprintf(message, size, "invalid listen address '%s': give a numeric IP address",
			 server->listen_address);
		return EINVAL;
	}
	if (ipv6)
		flags |= MHD_USE_IPv6;
	if (server->tls)
		flags |= MHD_USE_TLS;
	server->daemon = MHD_start_daemon(
		flags, c->port, NULL, NULL, on_request, server,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, server,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_CONNECTION_LIMIT, c->max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, c->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, c->max_header_bytes,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
		server->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, server->tls_cert,
		MHD_OPTION_HTTPS_MEM_KEY, server->tls_key,
		MHD_OPTION_END);
	if (!server->daemon) {
		snprintf(message, size, "cannot listen on %s port %u (in use, or not allowed)",
			 server->listen_address, (unsigned)c->port);
		return EADDRINUSE;
	}
	info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
	server->port = info ? info->port : c->port;
	return 0;
}

static void server_free(struct web_server *server)
{
	pool_destroy(server);
	if (server->live && server->live != server->config.live)
		live_registry_destroy(server->live);
	pthread_mutex_destroy(&server->pool_lock);
	pthread_mutex_destroy(&server->hash_lock);
	pthread_cond_destroy(&server->hash_free);
	free(server->tls_cert);
	free(server->tls_key);
	free(server);
}

static int copy_paths(struct web_server *server, const struct web_config *config,
		      char *message, size_t size)
{
	const char *address = config->listen_address ? config->listen_address : "127.0.0.1";

	if (!config->db_path || !config->db_path[0]) {
		snprintf(message, size, "no database path given");
		return EINVAL;
	}
	if (strlen(config->db_path) >= sizeof(server->db_path) ||
	    strlen(address) >= sizeof(server->listen_address)) {
		snprintf(message, size, "database path or listen address too long");
		return EINVAL;
	}
	snprintf(server->db_path, sizeof(server->db_path), "%s", config->db_path);
	snprintf(server->listen_address, sizeof(server->listen_address), "%s", address);
	server->config.db_path = server->db_path;
	server->config.listen_address = server->listen_address;
	if (web_assets_find(config->assets_dir, server->assets_dir, sizeof(server->assets_dir))) {
		snprintf(message, size, "dashboard files not found%s%s: reinstall permanence",
			 config->assets_dir ? " in " : "", config->assets_dir ? config->assets_dir : "");
		return ENOENT;
	}
	server->config.assets_dir = server->assets_dir;
	return 0;
}

int web_server_start(struct web_server **serverp, const struct web_config *config,
		     char *message, size_t size)
{
	struct web_server *server;
	int err;

	*serverp = NULL;
	message[0] = '\0';
	server = calloc(1, sizeof(*server));
	if (!server)
		return ENOMEM;
	pthread_mutex_init(&server->pool_lock, NULL);
	pthread_mutex_init(&server->hash_lock, NULL);
	pthread_cond_init(&server->hash_free, NULL);
	server->config = *config;
	fill_defaults(&server->config);
	err = copy_paths(server, config, message, size);
	if (!err)
		err = check_database(server, message, size);
	if (!err)
		err = prepare_tls(server, message, size);
	server->live = config->live;
	if (!err && !server->live)
		err = live_registry_create(&server->live, LIVE_MAX_CALLS);
	if (!err)
		err = start_daemon(server, message, size);
	if (err) {
		server_free(server);
		return err;
	}
	log_notice("web", NULL, "dashboard listening on %s://%s:%u/",
		   server->tls ? "https" : "http", server->listen_address, (unsigned)server->port);
	*serverp = server;
	return 0;
}

int web_listen_parse(const char *text, char *address, size_t size, uint16_t *port)
{
	const char *colon = strrchr(text, ':');
	const char *start = text, *end = colon;
	struct sockaddr_storage unused;
	unsigned long number;
	char *tail;

	if (!colon || !colon[1])
		return EINVAL;
	if (text[0] == '[') {
		start = text + 1;
		if (colon == text || colon[-1] != ']')
			return EINVAL;
		end = colon - 1;
	}
	if (end <= start || (size_t)(end - start) >= size)
		return EINVAL;
	/* An IPv6 address needs its brackets, or its last group would read as the port. */
	if (text[0] != '[' && memchr(start, ':', (size_t)(end - start)))
		return EINVAL;
	errno = 0;
	number = strtoul(colon + 1, &tail, 10);
	if (errno || *tail || number > 65535)
		return EINVAL;
	memcpy(address, start, (size_t)(end - start));
	address[end - start] = '\0';
	if (inet_pton(AF_INET, address, &unused) != 1 && inet_pton(AF_INET6, address, &unused) != 1)
		return EINVAL;
	*port = (uint16_t)number;
	return 0;
}

uint16_t web_server_port(const struct web_server *server)
{
	return server->port;
}

void web_server_stop(struct web_server *server)
{
	MHD_socket listener;

	if (!server)
		return;
	/* Refuse new connections first, then end the event streams so their threads return. */
	listener = MHD_quiesce_daemon(server->daemon);
	atomic_store(&server->stopping, true);
	live_registry_wake(server->live);
	MHD_stop_daemon(server->daemon);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	log_notice("web", NULL, "dashboard stopped");
	server_free(server);
}
