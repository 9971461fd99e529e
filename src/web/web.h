/*
 * The staff dashboard and its JSON API (/api/v1) over HTTP, on libmicrohttpd.
 *
 * The server runs its own threads (one per connection, up to a limit) and borrows a
 * store connection per request from its own pool, so it never shares a struct store
 * with another thread. It listens on loopback unless configured otherwise, and speaks TLS
 * when a certificate and key are configured. Every data route needs a session cookie;
 * every change needs the session's CSRF token in the X-CSRF-Token header.
 *
 * Errors are 0 or an errno value, with a message for people in `message`.
 */
#ifndef PERMANENCE_WEB_H
#define PERMANENCE_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct live_registry;

/* The server's settings; zero fields take the defaults written beside them. */
struct web_config {
	const char *listen_address;  /* numeric IPv4 or IPv6 address; NULL: "127.0.0.1" */
	uint16_t port;               /* 0: an ephemeral port (see web_server_port()) */
	const char *db_path;         /* the practice's database (required) */
	const char *assets_dir;      /* NULL: the build tree's or the installed assets */
	const char *tls_cert_file;   /* PEM certificate chain; with tls_key_file turns TLS on */
	const char *tls_key_file;    /* PEM private key */
	struct live_registry *live;  /* calls in progress; NULL shows none */
	unsigned max_connections;    /* 0: 64 */
	size_t max_body_bytes;       /* request body limit; 0: 1 MiB (413 past it) */
	size_t max_header_bytes;     /* memory for a request's headers; 0: 32 KiB */
	unsigned timeout_s;          /* idle connection timeout in seconds; 0: 60 */
	unsigned session_idle_s;     /* session ends after this long unused; 0: 1800 */
	unsigned session_max_s;      /* and this long after login whatever happens; 0: 43200 */
	unsigned lockout_user_failures;    /* failed logins that lock an account; 0: 5 */
	unsigned lockout_address_failures; /* failed logins that lock an address; 0: 20 */
	unsigned lockout_s;          /* lock-out length and counting window in seconds; 0: 900 */
	unsigned login_delay_ms;     /* pause before the reply to a failed login; 0: 1000 */
};

struct web_server;

/*
 * Start the server: check the database and the assets, bind, and serve from background
 * threads. Returns 0; EINVAL for an invalid configuration; ENOENT when the database or
 * the assets are missing; EADDRINUSE or EACCES when the address cannot be bound;
 * ENOTSUP when TLS is asked for and libmicrohttpd lacks it. `message` names the problem.
 */
int web_server_start(struct web_server **serverp, const struct web_config *config,
		     char *message, size_t size);
/* The port the server listens on (the one the system chose when the configuration gave 0). */
uint16_t web_server_port(const struct web_server *server);
/*
 * Stop accepting connections, let requests in progress finish, end event streams, join
 * the threads and release everything. NULL is a no-op.
 */
void web_server_stop(struct web_server *server);

/*
 * Split "ADDR:PORT" ("127.0.0.1:8080", "[::1]:8080") into a numeric address and a port,
 * as --http-listen and the configuration file give it. Returns 0 or EINVAL.
 */
int web_listen_parse(const char *text, char *address, size_t size, uint16_t *port);

/* Roles, as bits of a route's allowed set. */
#define WEB_ROLE_ADMIN 0x1
#define WEB_ROLE_SECRETARY 0x2
#define WEB_ROLE_PRACTITIONER 0x4
#define WEB_ROLE_ANY (WEB_ROLE_ADMIN | WEB_ROLE_SECRETARY | WEB_ROLE_PRACTITIONER)

/* One entry of the API's route table, as tests and the OpenAPI check read it. */
struct web_route_info {
	const char *method;   /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *pattern;  /* "/api/v1/calls/{id}" */
	unsigned roles;       /* WEB_ROLE_* bits allowed; 0 for a route open without session */
};

/* The route table's size, and its entry at `index` (0 to count - 1), or ENOENT. */
size_t web_route_count(void);
int web_route_describe(size_t index, struct web_route_info *info);

/* Password rules: 10 to 128 bytes. */
#define WEB_PASSWORD_MIN 10
#define WEB_PASSWORD_MAX 128

/*
 * Hash a password with argon2id (libsodium's crypto_pwhash_str, interactive limits)
 * into `hash` (at least 128 bytes). Returns 0; EINVAL for a password outside the
 * length rules; ENOMEM when the hashing memory cannot be had.
 */
int web_password_hash(const char *password, char *hash, size_t size);
/* Whether the password matches the stored hash. */
bool web_password_verify(const char *hash, const char *password);

#endif
