/*
 * Accounts and sessions: argon2id password hashes, login with lock-out, session cookies
 * with idle and absolute limits, and the CSRF token bound to each session.
 *
 * The cookie contains 32 random bytes in hex; the database stores only their SHA-256, so a
 * copy of the database file opens no session. The CSRF token is another 32 random bytes
 * kept with the session; the page reads it from the login reply or GET /api/v1/session
 * and sends it back in X-CSRF-Token on every change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "log.h"
#include "web_priv.h"

#define TOKEN_BYTES 32
#define MAX_CONCURRENT_HASHES 2

int web_password_hash(const char *password, char *hash, size_t size)
{
	size_t len = strlen(password);

	if (len < WEB_PASSWORD_MIN || len > WEB_PASSWORD_MAX)
		return EINVAL;
	if (size < crypto_pwhash_STRBYTES || sodium_init() < 0)
		return EINVAL;
	if (crypto_pwhash_str_alg(hash, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ENOMEM;
	return 0;
}

bool web_password_verify(const char *hash, const char *password)
{
	if (sodium_init() < 0 || strlen(password) > WEB_PASSWORD_MAX)
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* Verify with at most MAX_CONCURRENT_HASHES running, since each takes 64 MiB. */
static bool verify_bounded(struct web_server *server, const char *hash, const char *password)
{
	bool ok;

	pthread_mutex_lock(&server->hash_lock);
	while (server->hashing >= MAX_CONCURRENT_HASHES)
		pthread_cond_wait(&server->hash_free, &server->hash_lock);
	server->hashing++;
	pthread_mutex_unlock(&server->hash_lock);
	ok = web_password_verify(hash, password);
	pthread_mutex_lock(&server->hash_lock);
	server->hashing--;
	pthread_cond_signal(&server->hash_free);
	pthread_mutex_unlock(&server->hash_lock);
	return ok;
}

static void random_hex(char *out, size_t bytes)
{
	unsigned char raw[TOKEN_BYTES];

	randombytes_buf(raw, bytes);
	sodium_bin2hex(out, bytes * 2 + 1, raw, bytes);
	sodium_memzero(raw, sizeof(raw));
}

static void token_hash(const char *token, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, digest, sizeof(digest));
}

static void set_cookie(struct web_request *req, const char *value, unsigned max_age)
{
	snprintf(req->set_cookie, sizeof(req->set_cookie),
		 WEB_COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u%s", value,
		 max_age, req->server->tls ? "; Secure" : "");
}

static int load_user(struct web_request *req, int64_t user_id)
{
	struct store_user u;
	int err = store_user_get(req->ctx->st, user_id, &u);

	if (err)
		return err;
	if (u.disabled)
		return EACCES;
	req->user.id = u.id;
	snprintf(req->user.username, sizeof(req->user.username), "%s", u.username);
	snprintf(req->user.display_name, sizeof(req->user.display_name), "%s", u.display_name);
	snprintf(req->user.lang, sizeof(req->user.lang), "%s", u.lang);
	req->user.role = web_role_parse(u.role);
	req->user.practitioner_id = u.practitioner_id;
	sodium_memzero(u.password_hash, sizeof(u.password_hash));
	return 0;
}

void web_session_load(struct web_request *req)
{
	const struct web_config *c = &req->server->config;
	const char *cookie;
	char hash[65];
	int err;

	req->has_session = false;
	cookie = MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, WEB_COOKIE_NAME);
	if (!cookie || strlen(cookie) != TOKEN_BYTES * 2)
		return;
	token_hash(cookie, hash);
	err = store_session_get(req->ctx->st, hash, &req->session);
	if (err == ENOENT)
		return;
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	if (req->session.created_utc + (int64_t)c->session_max_s <= req->now ||
	    req->session.last_seen_utc + (int64_t)c->session_idle_s <= req->now) {
		store_session_delete(req->ctx->st, hash);
		set_cookie(req, "", 0);
		return;
	}
	err = load_user(req, req->session.user_id);
	if (err == ENOENT || err == EACCES) {
		store_session_delete(req->ctx->st, hash);
		return;
	}
	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	/* Write the last use at most every 15 s: requests come in bursts. */
	if (req->now - req->session.last_seen_utc >= 15)
		store_session_touch(req->ctx->st, hash, req->now);
	req->has_session = true;
}

bool web_csrf_valid(struct web_request *req)
{
	const char *token = MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND,
							"X-CSRF-Token");

	if (!token || strlen(token) != strlen(req->session.csrf_token) || !req->session.csrf_token[0])
		return false;
	return sodium_memcmp(token, req->session.csrf_token, strlen(token)) == 0;
}

static json_t *user_json(const struct web_user *u)
{
	json_t *out = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)u->id, "username",
				u->username, "display_name", u->display_name, "role",
				web_role_name(u->role), "lang", u->lang);

	if (u->practitioner_id)
		json_object_set_new(out, "practitioner_id", json_integer(u->practitioner_id));
	return out;
}

/* Build the session's reply with the practice's time zone, so the page's "today" is the
 * practice's day rather than the browser's. */
static json_t *session_json(struct web_request *req)
{
	const struct web_config *c = &req->server->config;
	struct store_practice practice;
	json_t *out;
	int err;

	out = json_pack("{s:o, s:s, s:I, s:I}", "user", user_json(&req->user), "csrf_token",
			req->session.csrf_token, "idle_timeout_s", (json_int_t)c->session_idle_s,
			"expires_at_utc",
			(json_int_t)(req->session.created_utc + (int64_t)c->session_max_s));
	err = store_practice_get(req->ctx->st, &practice);
	if (err)
		log_warning("web", NULL, "practice not read for the session, so the page uses the "
			    "browser's time zone: %s", store_errmsg(req->ctx->st));
	else if (out && practice.timezone[0])
		json_object_set_new(out, "timezone", json_string(practice.timezone));
	return out;
}

/* Reply 429 when the account or the address is locked out; false then. */
static bool check_lockout(struct web_request *req, const char *username)
{
	const struct web_config *c = &req->server->config;
	int64_t since = req->now - (int64_t)c->lockout_s;
	int user_failures = 0, address_failures = 0;
	int64_t user_last = 0, address_last = 0, until;
	int err;

	err = store_login_failures(req->ctx->st, username, NULL, since, &user_failures, &user_last);
	if (!err)
		err = store_login_failures(req->ctx->st, NULL, req->address, since,
					   &address_failures, &address_last);
	if (err) {
		web_reply_store_error(req, err);
		return false;
	}
	if (user_failures < (int)c->lockout_user_failures &&
	    address_failures < (int)c->lockout_address_failures)
		return true;
	until = (user_failures >= (int)c->lockout_user_failures ? user_last : address_last) +
		(int64_t)c->lockout_s;
	log_notice("web", NULL, "login rejected: %s locked out after repeated failures",
		   user_failures >= (int)c->lockout_user_failures ? "account" : "address");
	web_reply_json(req, 429,
		       json_pack("{s:{s:s, s:s, s:I}}", "error", "code", "locked", "message",
				 "too many failed logins: try again later", "retry_after_s",
				 (json_int_t)(until > req->now ? until - req->now : 1)));
	return false;
}

static void login_failed(struct web_request *req, const char *username)
{
	const struct web_config *c = &req->server->config;
	struct timespec pause = {c->login_delay_ms / 1000, (long)(c->login_delay_ms % 1000) * 1000000L};
	int failures = 0;
	int64_t last = 0;

	store_login_attempt_add(req->ctx->st, username, req->address, req->now, false);
	store_login_failures(req->ctx->st, username, NULL, req->now - (int64_t)c->lockout_s,
			     &failures, &last);
	log_notice("web", NULL, "failed login from %s", req->address);
	/* The pause slows a guesser; the lock-out stops one. */
	nanosleep(&pause, NULL);
	web_reply_json(req, 401,
		       json_pack("{s:{s:s, s:s, s:i}}", "error", "code", "invalid_credentials",
				 "message", "wrong user name or password", "attempts_left",
				 failures < (int)c->lockout_user_failures
					 ? (int)c->lockout_user_failures - failures
					 : 0));
}

static int open_session(struct web_request *req, const struct store_user *u, char *token)
{
	struct store_session *s = &req->session;

	memset(s, 0, sizeof(*s));
	random_hex(token, TOKEN_BYTES);
	token_hash(token, s->token_hash);
	random_hex(s->csrf_token, TOKEN_BYTES);
	s->user_id = u->id;
	snprintf(s->address, sizeof(s->address), "%s", req->address);
	s->created_utc = req->now;
	s->last_seen_utc = req->now;
	return store_session_add(req->ctx->st, s);
}

void web_api_login(struct web_request *req)
{
	const struct web_config *c = &req->server->config;
	char username[64] = "", password[WEB_PASSWORD_MAX + 1] = "";
	char token[TOKEN_BYTES * 2 + 1];
	struct store_user u;
	bool ok;
	int err;

	if (!web_body_string(req, "username", true, username, sizeof(username)) ||
	    !web_body_string(req, "password", true, password, sizeof(password)))
		goto out;
	/* Expired sessions and old attempts are swept at each login. */
	store_sessions_expire(req->ctx->st, req->now - (int64_t)c->session_max_s,
			      req->now - (int64_t)c->session_idle_s);
	if (!check_lockout(req, username))
		goto out;
	err = store_user_find(req->ctx->st, username, &u);
	if (err && err != ENOENT) {
		web_reply_store_error(req, err);
		goto out;
	}
	ok = !err && !u.disabled && verify_bounded(req->server, u.password_hash, password);
	if (!ok) {
		login_failed(req, username);
		goto out;
	}
	err = store_login_attempt_add(req->ctx->st, username, req->address, req->now, true);
	if (!err)
		err = open_session(req, &u, token);
	if (!err)
		err = load_user(req, u.id);
	if (err) {
		web_reply_store_error(req, err);
		goto out;
	}
	req->has_session = true;
	set_cookie(req, token, c->session_max_s);
	web_audit(req, "login", "session", NULL, 0, NULL);
	log_info("web", NULL, "user %lld logged in", (long long)u.id);
	web_reply_json(req, 200, session_json(req));
out:
	sodium_memzero(password, sizeof(password));
	sodium_memzero(token, sizeof(token));
}

void web_api_logout(struct web_request *req)
{
	int err = store_session_delete(req->ctx->st, req->session.token_hash);

	if (err) {
		web_reply_store_error(req, err);
		return;
	}
	web_audit(req, "logout", "session", NULL, 0, NULL);
	set_cookie(req, "", 0);
	web_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

void web_api_session(struct web_request *req)
{
	web_reply_json(req, 200, session_json(req));
}
