/* Internals of the web module: the server, one request, the route table, helpers. */
#ifndef PERMANENCE_WEB_PRIV_H
#define PERMANENCE_WEB_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sched.h"
#include "store.h"
#include "web.h"

struct MHD_Connection;
struct MHD_Daemon;
struct MHD_Response;
struct agenda;
struct tz;

#define WEB_COOKIE_NAME "permanence_session"
#define WEB_MAX_PARAMS 2

/* One pooled database connection with the agenda rules loaded over it. */
struct web_context {
	struct store *st;
	struct agenda *agenda;      /* NULL until a request needs it */
	uint64_t rules_generation;  /* the server's generation the agenda was loaded at */
	struct web_context *next;   /* in the idle list */
};

struct web_server {
	struct MHD_Daemon *daemon;
	struct web_config config;   /* with defaults filled in; strings point below */
	char db_path[4096];
	char assets_dir[4096];
	char listen_address[64];
	char *tls_cert;
	char *tls_key;
	bool tls;
	uint16_t port;
	struct live_registry *live;

	pthread_mutex_t pool_lock;
	struct web_context *idle;
	/* Bumped after a settings change: pooled agendas reload their rules. */
	atomic_uint_fast64_t rules_generation;
	atomic_bool stopping;

	/* Password hashing takes 64 MiB and a good part of a second: two at a time. */
	pthread_mutex_t hash_lock;
	pthread_cond_t hash_free;
	int hashing;
};

/* The account a request acts for. */
struct web_user {
	int64_t id;
	char username[64];
	char display_name[128];
	unsigned role;             /* one WEB_ROLE_* bit */
	int64_t practitioner_id;
	char lang[4];
};

struct web_request {
	struct web_server *server;
	struct MHD_Connection *connection;
	const char *method;
	const char *path;
	char address[64];
	int64_t now;

	char *body;                /* NUL-terminated request body */
	size_t body_len;
	bool body_too_large;
	json_t *json;              /* the parsed body of a change, or NULL */

	char params[WEB_MAX_PARAMS][128]; /* path captures ({id}) in order */
	struct web_context *ctx;   /* borrowed for the request */
	bool has_session;
	struct store_session session;
	struct web_user user;

	/* The reply, queued when the handler returns. */
	unsigned status;
	char *reply_body;
	const char *content_type;
	char set_cookie[512];
	struct MHD_Response *response; /* a prepared response (event stream), or NULL */
};

typedef void (*web_handler)(struct web_request *req);

struct web_route {
	const char *method;
	const char *pattern;
	unsigned roles;            /* 0: no session needed */
	web_handler handler;
};

extern const struct web_route web_routes[];
extern const size_t web_routes_count;

/* ---- server.c ---- */
/* Borrow a context (opening a connection when none is idle); NULL on failure. */
struct web_context *web_context_acquire(struct web_server *server, char *message, size_t size);
void web_context_release(struct web_server *server, struct web_context *ctx);

/* ---- reply.c ---- */
void web_reply_json(struct web_request *req, unsigned status, json_t *document);
/* {"error": {"code", "message"}}: message in English for IT, the UI translates the code. */
void web_reply_error(struct web_request *req, unsigned status, const char *code,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 409 with the rule's verdict and its sentence in French and English. */
void web_reply_verdict(struct web_request *req, enum sched_verdict verdict);
/* 500 naming the store's last error (the details go to the log, not the client). */
void web_reply_store_error(struct web_request *req, int err);
const char *web_query(struct web_request *req, const char *name);
/* A bounded integer query parameter; false after replying 400. */
bool web_query_int(struct web_request *req, const char *name, int64_t fallback, int64_t min,
		   int64_t max, int64_t *value);
/* An instant query parameter (ISO 8601, or a date meaning local midnight). */
bool web_query_instant(struct web_request *req, const struct tz *tz, const char *name,
		       int64_t fallback, int64_t *value);
/* Parse ISO 8601 or YYYY-MM-DD (local midnight); returns 0 or EINVAL. */
int web_parse_instant(const struct tz *tz, const char *text, int64_t *instant);
json_t *web_instant_json(const struct tz *tz, int64_t instant);
/* A path capture as a positive id; false after replying 404. */
bool web_param_id(struct web_request *req, int index, int64_t *id);
/*
 * Read a string member of the JSON body into out (max size - 1 bytes). A missing member
 * leaves out as it is unless required. False after replying 400.
 */
bool web_body_string(struct web_request *req, const char *key, bool required, char *out,
		     size_t size);
bool web_body_int(struct web_request *req, const char *key, bool required, int64_t min,
		  int64_t max, int64_t *value);
bool web_body_bool(struct web_request *req, const char *key, bool required, bool *value);
/* The agenda rules, loaded again after a settings change; NULL after replying 500. */
struct agenda *web_agenda(struct web_request *req);
/* Record who did what to which patient's data. Failures are logged, never hidden. */
void web_audit(struct web_request *req, const char *action, const char *object_type,
	       const char *object_id, int64_t patient_id, const char *detail);
const char *web_role_name(unsigned role);
unsigned web_role_parse(const char *name);

/* ---- auth.c ---- */
/* Find the request's session from its cookie, expiring it when it is too old. */
void web_session_load(struct web_request *req);
/* Whether the X-CSRF-Token header matches the session's token. */
bool web_csrf_valid(struct web_request *req);
void web_api_login(struct web_request *req);
void web_api_logout(struct web_request *req);
void web_api_session(struct web_request *req);

/* ---- the API's handlers, by file ---- */
void web_api_live(struct web_request *req);
void web_api_live_stream(struct web_request *req);
void web_api_calls(struct web_request *req);
void web_api_call(struct web_request *req);
void web_api_tasks(struct web_request *req);
void web_api_task_update(struct web_request *req);

void web_api_practitioners(struct web_request *req);
void web_api_types(struct web_request *req);
void web_api_agenda(struct web_request *req);
void web_api_slots(struct web_request *req);
void web_api_book(struct web_request *req);
void web_api_cancel(struct web_request *req);
void web_api_move(struct web_request *req);

void web_api_settings_get(struct web_request *req);
void web_api_settings_put(struct web_request *req);
void web_api_practitioner_add(struct web_request *req);
void web_api_practitioner_update(struct web_request *req);
void web_api_type_add(struct web_request *req);
void web_api_type_update(struct web_request *req);
void web_api_openings_get(struct web_request *req);
void web_api_openings_put(struct web_request *req);
void web_api_absences(struct web_request *req);
void web_api_absence_add(struct web_request *req);
void web_api_absence_delete(struct web_request *req);

void web_api_stats(struct web_request *req);
void web_api_users(struct web_request *req);
void web_api_user_add(struct web_request *req);
void web_api_user_update(struct web_request *req);
void web_api_audit(struct web_request *req);

/* ---- assets.c ---- */
/* Find the assets folder: the configured one, the build tree's, or the installed one. */
int web_assets_find(const char *configured, char *dir, size_t size);
/* Serve a file of the dashboard (GET outside /api/). */
void web_serve_asset(struct web_request *req);

#endif
