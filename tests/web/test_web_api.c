/*
 * The dashboard's API over real HTTP: the server on an ephemeral loopback port against
 * the demo practice, driven with libcurl as the browser would.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "live.h"
#include "store.h"
#include "test.h"
#include "web.h"
#include "web_fixture.h"

#define RESPONSE_MAX (4 * 1024 * 1024)

struct fixture {
	char db_path[512];
	struct web_server *server;
	struct live_registry *live;
	int64_t task_id;
	char base[64];
};

struct client {
	CURL *curl;
	char csrf[80];
	char base[64];
};

struct response {
	long status;
	char *body;
	size_t len;
	char headers[8192];
	size_t headers_len;
};

static void fixture_start(struct fixture *f, struct web_config *config)
{
	static int started;
	char message[300], name[32];
	int err;

	memset(f, 0, sizeof(*f));
	snprintf(name, sizeof(name), "web%d.db", ++started);
	test_tmp_path(f->db_path, sizeof(f->db_path), name);
	err = web_fixture_database(f->db_path, (int64_t)time(NULL), &f->task_id, message,
				   sizeof(message));
	if (err)
		fprintf(stderr, "fixture: %s\n", message);
	TEST_REQUIRE(err == 0);
	TEST_REQUIRE(live_registry_create(&f->live, 16) == 0);
	config->db_path = f->db_path;
	config->live = f->live;
	if (!config->login_delay_ms)
		config->login_delay_ms = 20;
	err = web_server_start(&f->server, config, message, sizeof(message));
	if (err)
		fprintf(stderr, "server: %s\n", message);
	TEST_REQUIRE(err == 0);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%u", web_server_port(f->server));
}

static void fixture_start_default(struct fixture *f)
{
	struct web_config config = {0};

	fixture_start(f, &config);
}

static void fixture_stop(struct fixture *f)
{
	web_server_stop(f->server);
	live_registry_destroy(f->live);
}

static size_t on_body(char *data, size_t size, size_t count, void *cls)
{
	struct response *r = cls;
	size_t n = size * count;
	char *grown;

	if (r->len + n > RESPONSE_MAX)
		return 0;
	grown = realloc(r->body, r->len + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + r->len, data, n);
	r->body = grown;
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static size_t on_header(char *data, size_t size, size_t count, void *cls)
{
	struct response *r = cls;
	size_t n = size * count;

	if (r->headers_len + n < sizeof(r->headers)) {
		memcpy(r->headers + r->headers_len, data, n);
		r->headers_len += n;
		r->headers[r->headers_len] = '\0';
	}
	return n;
}

static void client_init(struct client *c, const struct fixture *f)
{
	memset(c, 0, sizeof(*c));
	c->curl = curl_easy_init();
	TEST_REQUIRE(c->curl != NULL);
	snprintf(c->base, sizeof(c->base), "%s", f->base);
	curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, "");
}

static void client_free(struct client *c)
{
	curl_easy_cleanup(c->curl);
}

/* Send a request; csrf NULL sends the client's token, "" sends none. */
static json_t *request(struct client *c, const char *method, const char *path, const char *body,
		       const char *csrf, struct response *r)
{
	struct curl_slist *headers = NULL;
	char url[512], header[160];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", c->base, path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	if (!csrf)
		csrf = c->csrf;
	if (csrf[0]) {
		snprintf(header, sizeof(header), "X-CSRF-Token: %s", csrf);
		headers = curl_slist_append(headers, header);
	}
	headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK)
		fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(rc));
	TEST_REQUIRE(rc == CURLE_OK);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	return r->body ? json_loads(r->body, 0, NULL) : NULL;
}

/* Send a request and return only the status. */
static long status_of(struct client *c, const char *method, const char *path, const char *body,
		      const char *csrf)
{
	struct response r;
	json_t *doc = request(c, method, path, body, csrf, &r);

	json_decref(doc);
	free(r.body);
	return r.status;
}

static const char *error_code(json_t *doc)
{
	const char *code = json_string_value(json_object_get(json_object_get(doc, "error"), "code"));

	return code ? code : "";
}

/* The error's sentence in `lang` ("fr" or "en"), or "" when the reply has none. */
static const char *error_message_in(json_t *doc, const char *lang)
{
	json_t *messages = json_object_get(json_object_get(doc, "error"), "messages");
	const char *text = json_string_value(json_object_get(messages, lang));

	return text ? text : "";
}

static long login(struct client *c, const char *user, const char *password)
{
	char body[256];
	struct response r;
	json_t *doc;
	long status;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
	doc = request(c, "POST", "/api/v1/session", body, "", &r);
	status = r.status;
	if (status == 200)
		snprintf(c->csrf, sizeof(c->csrf), "%s",
			 json_string_value(json_object_get(doc, "csrf_token")));
	json_decref(doc);
	free(r.body);
	return status;
}

/* Replace {id} in a route pattern by 1. */
static void concrete_path(const char *pattern, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = pattern; *p && o + 2 < size; p++) {
		if (*p == '{') {
			out[o++] = '1';
			p = strchr(p, '}');
			if (!p)
				break;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* ---- Cases ---- */

static void test_routes_refused_without_session(void)
{
	struct fixture f;
	struct client c;
	struct web_route_info info;
	char path[256];
	size_t checked = 0;

	fixture_start_default(&f);
	client_init(&c, &f);
	TEST_CHECK(web_route_count() >= 30);
	for (size_t i = 0; web_route_describe(i, &info) == 0; i++) {
		struct response r;
		const char *body = strcmp(info.method, "GET") && strcmp(info.method, "DELETE") ? "{}" : NULL;
		json_t *doc;

		concrete_path(info.pattern, path, sizeof(path));
		doc = request(&c, info.method, path, body, "", &r);
		if (info.roles == 0) {
			/* The login route is the only open one: an empty body is a bad request. */
			TEST_EQ_STR(path, "/api/v1/session");
			TEST_EQ_INT(r.status, 400);
		} else {
			if (r.status != 401)
				fprintf(stderr, "%s %s answered %ld\n", info.method, path, r.status);
			TEST_EQ_INT(r.status, 401);
			TEST_EQ_STR(error_code(doc), "unauthenticated");
			checked++;
		}
		json_decref(doc);
		free(r.body);
	}
	TEST_EQ_INT(checked, web_route_count() - 1);
	TEST_EQ_INT(web_route_describe(web_route_count(), &info), ENOENT);
	client_free(&c);
	fixture_stop(&f);
}

/* Read the paths and methods of docs/openapi.yaml: "  /path:" then "    get:". */
static size_t openapi_operations(char ops[][160], size_t max)
{
	char path[512], line[512], current[128] = "";
	size_t count = 0;
	bool in_paths = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/docs/openapi.yaml", getenv("PERMANENCE_SOURCE_DIR"));
	f = fopen(path, "r");
	TEST_REQUIRE(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] && line[0] != ' ') {
			in_paths = strcmp(line, "paths:") == 0;
			continue;
		}
		if (!in_paths)
			continue;
		if (strncmp(line, "  /", 3) == 0 && line[strlen(line) - 1] == ':') {
			snprintf(current, sizeof(current), "%.*s", (int)strlen(line) - 3, line + 2);
			continue;
		}
		static const char *const methods[] = {"get", "post", "put", "patch", "delete"};

		for (size_t m = 0; m < 5; m++) {
			char want[32];

			snprintf(want, sizeof(want), "    %s:", methods[m]);
			if (strcmp(line, want) == 0 && count < max) {
				char upper[8];

				for (size_t k = 0; k <= strlen(methods[m]); k++)
					upper[k] = (char)(methods[m][k] >= 'a' ? methods[m][k] - 32 : methods[m][k]);
				snprintf(ops[count++], 160, "%s /api/v1%s", upper, current);
			}
		}
	}
	fclose(f);
	return count;
}

static void test_openapi_matches_routes(void)
{
	static char ops[128][160];
	size_t count = openapi_operations(ops, 128);
	struct web_route_info info;

	TEST_EQ_INT(count, web_route_count());
	for (size_t i = 0; web_route_describe(i, &info) == 0; i++) {
		char want[160];
		bool found = false;

		snprintf(want, sizeof(want), "%s %s", info.method, info.pattern);
		for (size_t k = 0; k < count; k++)
			found = found || strcmp(ops[k], want) == 0;
		if (!found)
			fprintf(stderr, "not in docs/openapi.yaml: %s\n", want);
		TEST_CHECK(found);
	}
}

static void test_login_session_logout(void)
{
	struct fixture f;
	struct client c;
	struct response r;
	json_t *doc;

	fixture_start_default(&f);
	client_init(&c, &f);
	TEST_EQ_INT(login(&c, FIXTURE_SECRETARY, "wrong password!"), 401);
	doc = request(&c, "POST", "/api/v1/session",
		      "{\"username\":\"" FIXTURE_SECRETARY "\",\"password\":\"" FIXTURE_PASSWORD "\"}",
		      "", &r);
	TEST_EQ_INT(r.status, 200);
	TEST_CHECK(strstr(r.headers, "HttpOnly") != NULL);
	TEST_CHECK(strstr(r.headers, "SameSite=Strict") != NULL);
	TEST_CHECK(strstr(r.headers, "Secure") == NULL);
	TEST_EQ_STR(json_string_value(json_object_get(json_object_get(doc, "user"), "role")),
		    "secretary");
	snprintf(c.csrf, sizeof(c.csrf), "%s", json_string_value(json_object_get(doc, "csrf_token")));
	TEST_EQ_INT(strlen(c.csrf), 64);
	TEST_EQ_STR(json_string_value(json_object_get(doc, "timezone")), "Europe/Paris");
	json_decref(doc);
	free(r.body);

	doc = request(&c, "GET", "/api/v1/session", NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_EQ_STR(json_string_value(json_object_get(doc, "timezone")), "Europe/Paris");
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/session", NULL, NULL), 200);
	TEST_EQ_INT(status_of(&c, "DELETE", "/api/v1/session", NULL, ""), 403);
	TEST_EQ_INT(status_of(&c, "DELETE", "/api/v1/session", NULL, NULL), 200);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/session", NULL, NULL), 401);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/calls", NULL, NULL), 401);
	client_free(&c);
	fixture_stop(&f);
}

static void test_wrong_role_refused(void)
{
	struct fixture f;
	struct client secretary, practitioner;

	fixture_start_default(&f);
	client_init(&secretary, &f);
	client_init(&practitioner, &f);
	TEST_REQUIRE(login(&secretary, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	TEST_REQUIRE(login(&practitioner, FIXTURE_PRACTITIONER, FIXTURE_PASSWORD) == 200);

	TEST_EQ_INT(status_of(&secretary, "GET", "/api/v1/settings", NULL, NULL), 403);
	TEST_EQ_INT(status_of(&secretary, "PUT", "/api/v1/settings", "{}", NULL), 403);
	TEST_EQ_INT(status_of(&secretary, "GET", "/api/v1/users", NULL, NULL), 403);
	TEST_EQ_INT(status_of(&secretary, "GET", "/api/v1/audit", NULL, NULL), 403);
	TEST_EQ_INT(status_of(&secretary, "GET", "/api/v1/calls", NULL, NULL), 200);

	TEST_EQ_INT(status_of(&practitioner, "GET", "/api/v1/calls", NULL, NULL), 403);
	TEST_EQ_INT(status_of(&practitioner, "GET", "/api/v1/live", NULL, NULL), 403);
	TEST_EQ_INT(status_of(&practitioner, "GET", "/api/v1/stats", NULL, NULL), 403);
	TEST_EQ_INT(status_of(&practitioner, "GET", "/api/v1/agenda?practitioner=1", NULL, NULL), 200);
	TEST_EQ_INT(status_of(&practitioner, "GET", "/api/v1/agenda?practitioner=2", NULL, NULL), 403);
	TEST_EQ_INT(status_of(&practitioner, "GET", "/api/v1/tasks", NULL, NULL), 200);
	client_free(&secretary);
	client_free(&practitioner);
	fixture_stop(&f);
}

static void test_csrf_required(void)
{
	struct fixture f;
	struct client c;
	char path[64], wrong[65];
	struct response r;
	json_t *doc;

	fixture_start_default(&f);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	snprintf(path, sizeof(path), "/api/v1/tasks/%lld", (long long)f.task_id);
	doc = request(&c, "PATCH", path, "{\"status\":\"done\"}", "", &r);
	TEST_EQ_INT(r.status, 403);
	TEST_EQ_STR(error_code(doc), "csrf");
	json_decref(doc);
	free(r.body);
	memset(wrong, 'a', 64);
	wrong[64] = '\0';
	TEST_EQ_INT(status_of(&c, "PATCH", path, "{\"status\":\"done\"}", wrong), 403);
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/appointments", "{}", ""), 403);
	TEST_EQ_INT(status_of(&c, "PATCH", path, "{\"status\":\"done\"}", NULL), 200);
	client_free(&c);
	fixture_stop(&f);
}

static void test_bad_json_rejected(void)
{
	struct fixture f;
	struct client c;
	char path[64];
	struct response r;
	json_t *doc;

	fixture_start_default(&f);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_ADMIN, FIXTURE_PASSWORD) == 200);
	doc = request(&c, "POST", "/api/v1/appointments", "{\"type\": ", NULL, &r);
	TEST_EQ_INT(r.status, 400);
	TEST_EQ_STR(error_code(doc), "invalid_json");
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/appointments", "[1, 2]", NULL), 400);
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/appointments", "{\"a\":1,\"a\":2}", NULL), 400);
	TEST_EQ_INT(status_of(&c, "PUT", "/api/v1/settings", "", NULL), 400);
	snprintf(path, sizeof(path), "/api/v1/tasks/%lld", (long long)f.task_id);
	TEST_EQ_INT(status_of(&c, "PATCH", path, "{\"status\":42}", NULL), 400);
	TEST_EQ_INT(status_of(&c, "PATCH", path, "{\"status\":\"finished\"}", NULL), 400);
	TEST_EQ_INT(status_of(&c, "PATCH", "/api/v1/tasks/abc", "{\"status\":\"done\"}", NULL), 404);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/calls?limit=100000", NULL, NULL), 400);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/calls?from=yesterday", NULL, NULL), 400);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/nothing", NULL, NULL), 404);
	TEST_EQ_INT(status_of(&c, "PUT", "/api/v1/calls", "{}", NULL), 405);
	client_free(&c);
	fixture_stop(&f);
}

static void test_oversized_body_rejected(void)
{
	struct web_config config = {.max_body_bytes = 4096};
	struct fixture f;
	struct client c;
	struct curl_slist *headers = NULL;
	size_t size = 64 * 1024;
	char *big = malloc(size + 1);
	struct response r;
	json_t *doc;

	TEST_REQUIRE(big != NULL);
	memset(big, ' ', size);
	big[0] = '{';
	big[size - 1] = '}';
	big[size] = '\0';
	fixture_start(&f, &config);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_ADMIN, FIXTURE_PASSWORD) == 200);
	doc = request(&c, "PUT", "/api/v1/settings", big, NULL, &r);
	TEST_EQ_INT(r.status, 413);
	TEST_EQ_STR(error_code(doc), "too_large");
	json_decref(doc);
	free(r.body);

	/* Without Content-Length (chunked), the limit applies while the body is read. */
	headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
	curl_easy_setopt(c.curl, CURLOPT_HTTPHEADER, headers);
	memset(&r, 0, sizeof(r));
	{
		char url[128], header[120];
		struct curl_slist *all = NULL;

		snprintf(url, sizeof(url), "%s/api/v1/settings", c.base);
		snprintf(header, sizeof(header), "X-CSRF-Token: %s", c.csrf);
		all = curl_slist_append(all, header);
		all = curl_slist_append(all, "Transfer-Encoding: chunked");
		curl_easy_setopt(c.curl, CURLOPT_URL, url);
		curl_easy_setopt(c.curl, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(c.curl, CURLOPT_POSTFIELDS, big);
		curl_easy_setopt(c.curl, CURLOPT_POSTFIELDSIZE, -1L);
		curl_easy_setopt(c.curl, CURLOPT_HTTPHEADER, all);
		curl_easy_setopt(c.curl, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c.curl, CURLOPT_WRITEDATA, &r);
		TEST_REQUIRE(curl_easy_perform(c.curl) == CURLE_OK);
		curl_easy_getinfo(c.curl, CURLINFO_RESPONSE_CODE, &r.status);
		curl_slist_free_all(all);
	}
	TEST_EQ_INT(r.status, 413);
	free(r.body);
	curl_slist_free_all(headers);

	/* The server still serves normal requests afterwards. */
	client_free(&c);
	client_init(&c, &f);
	TEST_EQ_INT(login(&c, FIXTURE_ADMIN, FIXTURE_PASSWORD), 200);
	client_free(&c);
	fixture_stop(&f);
	free(big);
}

static void test_lockout_per_account(void)
{
	struct web_config config = {.lockout_user_failures = 3, .lockout_s = 600};
	struct fixture f;
	struct client c;
	struct response r;
	json_t *doc;

	fixture_start(&f, &config);
	client_init(&c, &f);
	for (int i = 0; i < 3; i++)
		TEST_EQ_INT(login(&c, FIXTURE_SECRETARY, "not the password"), 401);
	doc = request(&c, "POST", "/api/v1/session",
		      "{\"username\":\"" FIXTURE_SECRETARY "\",\"password\":\"" FIXTURE_PASSWORD "\"}",
		      "", &r);
	TEST_EQ_INT(r.status, 429);
	TEST_EQ_STR(error_code(doc), "locked");
	TEST_CHECK(json_integer_value(json_object_get(json_object_get(doc, "error"),
						      "retry_after_s")) > 0);
	json_decref(doc);
	free(r.body);
	/* Another account from the same address is not locked by these failures. */
	TEST_EQ_INT(login(&c, FIXTURE_ADMIN, FIXTURE_PASSWORD), 200);
	client_free(&c);
	fixture_stop(&f);
}

static void test_lockout_per_address(void)
{
	struct web_config config = {.lockout_address_failures = 4, .lockout_s = 600};
	struct fixture f;
	struct client c;
	char name[32];

	fixture_start(&f, &config);
	client_init(&c, &f);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "nobody%d", i);
		TEST_EQ_INT(login(&c, name, "not the password"), 401);
	}
	TEST_EQ_INT(login(&c, FIXTURE_ADMIN, FIXTURE_PASSWORD), 429);
	client_free(&c);
	fixture_stop(&f);
}

static void test_expired_session_refused(void)
{
	/* Sessions are timed in whole seconds, so the limits leave a second of margin. */
	struct web_config idle = {.session_idle_s = 2};
	struct web_config absolute = {.session_max_s = 3};
	struct fixture f;
	struct client c;

	fixture_start(&f, &idle);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/session", NULL, NULL), 200);
	sleep(3);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/session", NULL, NULL), 401);
	client_free(&c);
	fixture_stop(&f);

	fixture_start(&f, &absolute);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	for (int i = 0; i < 5; i++) {
		usleep(800 * 1000);
		status_of(&c, "GET", "/api/v1/session", NULL, NULL);
	}
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/session", NULL, NULL), 401);
	client_free(&c);
	fixture_stop(&f);
}

static void test_calls_filters_and_detail(void)
{
	struct fixture f;
	struct client c, admin;
	struct response r;
	json_t *doc, *calls;

	fixture_start_default(&f);
	TEST_REQUIRE(web_fixture_call(f.db_path, "call-2", (int64_t)time(NULL) - 600, "none",
				      "Renouvellement d'ordonnance", NULL) == 0);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	doc = request(&c, "GET", "/api/v1/calls", NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_EQ_INT(json_integer_value(json_object_get(doc, "total")), 2);
	calls = json_object_get(doc, "calls");
	TEST_EQ_STR(json_string_value(json_object_get(json_array_get(calls, 0), "id")), "call-2");
	json_decref(doc);
	free(r.body);

	doc = request(&c, "GET", "/api/v1/calls?urgency=emergency", NULL, NULL, &r);
	TEST_EQ_INT(json_integer_value(json_object_get(doc, "total")), 1);
	json_decref(doc);
	free(r.body);
	doc = request(&c, "GET", "/api/v1/calls?q=ordonnance", NULL, NULL, &r);
	TEST_EQ_INT(json_integer_value(json_object_get(doc, "total")), 1);
	json_decref(doc);
	free(r.body);
	doc = request(&c, "GET", "/api/v1/calls?q=poitrine", NULL, NULL, &r);
	TEST_EQ_INT(json_integer_value(json_object_get(doc, "total")), 1);
	json_decref(doc);
	free(r.body);
	doc = request(&c, "GET", "/api/v1/calls?from=2000-01-01&to=2000-01-02", NULL, NULL, &r);
	TEST_EQ_INT(json_integer_value(json_object_get(doc, "total")), 0);
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/calls?urgency=panic", NULL, NULL), 400);

	doc = request(&c, "GET", "/api/v1/calls/" FIXTURE_CALL_ID, NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_EQ_INT(json_array_size(json_object_get(doc, "transcript")), 2);
	TEST_EQ_STR(json_string_value(json_object_get(json_object_get(doc, "summary"), "text")),
		    "Douleur thoracique chez le père, rappel demandé");
	TEST_EQ_INT(json_array_size(json_object_get(doc, "tasks")), 1);
	TEST_EQ_STR(json_string_value(json_object_get(json_object_get(doc, "patient"), "last_name")),
		    "Durand");
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/calls/no-such-call", NULL, NULL), 404);

	/* The view is in the audit log, with the patient, for an admin to read. */
	client_init(&admin, &f);
	TEST_REQUIRE(login(&admin, FIXTURE_ADMIN, FIXTURE_PASSWORD) == 200);
	doc = request(&admin, "GET", "/api/v1/audit?patient_id=1", NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_CHECK(json_array_size(json_object_get(doc, "entries")) >= 1);
	TEST_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "entries"), 0),
						      "username")),
		    FIXTURE_SECRETARY);
	TEST_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "entries"), 0),
						      "object_id")),
		    FIXTURE_CALL_ID);
	json_decref(doc);
	free(r.body);
	client_free(&admin);
	client_free(&c);
	fixture_stop(&f);
}

static void test_tasks_order_and_done(void)
{
	struct fixture f;
	struct client c, practitioner;
	struct response r;
	char path[64];
	int64_t normal_task = 0;
	json_t *doc, *tasks;

	fixture_start_default(&f);
	TEST_REQUIRE(web_fixture_call(f.db_path, "call-2", (int64_t)time(NULL) - 7200, "none",
				      "Résultats d'analyse", &normal_task) == 0);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	doc = request(&c, "GET", "/api/v1/tasks", NULL, NULL, &r);
	tasks = json_object_get(doc, "tasks");
	TEST_EQ_INT(json_array_size(tasks), 2);
	/* The emergency comes first although it is the newer task. */
	TEST_EQ_INT(json_integer_value(json_object_get(json_array_get(tasks, 0), "priority")), 0);
	TEST_EQ_STR(json_string_value(json_object_get(json_array_get(tasks, 0), "caller_number")),
		    "+33612345678");
	json_decref(doc);
	free(r.body);

	snprintf(path, sizeof(path), "/api/v1/tasks/%lld", (long long)f.task_id);
	doc = request(&c, "PATCH", path, "{\"assignee\":\"" FIXTURE_SECRETARY "\"}", NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_EQ_STR(json_string_value(json_object_get(doc, "status")), "assigned");
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "PATCH", path, "{\"status\":\"done\"}", NULL), 200);
	doc = request(&c, "GET", "/api/v1/tasks?status=open", NULL, NULL, &r);
	TEST_EQ_INT(json_array_size(json_object_get(doc, "tasks")), 1);
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "PATCH", "/api/v1/tasks/99999", "{\"status\":\"done\"}", NULL), 404);

	/* The practitioner account sees the tasks of its own practitioner only. */
	TEST_REQUIRE(web_fixture_call(f.db_path, "call-3", (int64_t)time(NULL) - 60, "urgent",
				      "Fièvre", NULL) == 0);
	{
		struct store *st = NULL;

		TEST_REQUIRE(store_open(&st, f.db_path, 0, NULL) == 0);
		TEST_REQUIRE(db_exec(store_db(st), "UPDATE task SET practitioner_id = 2"
						   " WHERE call_id = 'call-3'") == 0);
		store_close(st);
	}
	client_init(&practitioner, &f);
	TEST_REQUIRE(login(&practitioner, FIXTURE_PRACTITIONER, FIXTURE_PASSWORD) == 200);
	doc = request(&practitioner, "GET", "/api/v1/tasks?status=all", NULL, NULL, &r);
	TEST_EQ_INT(json_array_size(json_object_get(doc, "tasks")), 2);
	json_decref(doc);
	free(r.body);
	client_free(&practitioner);
	client_free(&c);
	fixture_stop(&f);
}

/* Find a free slot of a type with a practitioner; writes its start into out. */
static void first_slot(struct client *c, const char *query, char *start, size_t size)
{
	struct response r;
	char path[256];
	json_t *doc, *slots;

	snprintf(path, sizeof(path), "/api/v1/slots?%s", query);
	doc = request(c, "GET", path, NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	slots = json_object_get(doc, "slots");
	TEST_REQUIRE(json_array_size(slots) > 1);
	snprintf(start, size, "%s",
		 json_string_value(json_object_get(json_array_get(slots, 1), "start")));
	json_decref(doc);
	free(r.body);
}

static void test_agenda_book_move_cancel(void)
{
	struct fixture f;
	struct client c;
	struct response r;
	char start[40], later[40], body[512], path[96];
	int64_t id;
	json_t *doc;

	fixture_start_default(&f);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	first_slot(&c, "type=consultation&practitioner=1", start, sizeof(start));
	snprintf(body, sizeof(body),
		 "{\"type\":\"consultation\",\"practitioner_id\":1,\"start\":\"%s\","
		 "\"patient\":{\"last_name\":\"Test\",\"first_name\":\"Nouveau\","
		 "\"phone\":\"06 11 22 33 44\"},\"reason\":\"contrôle\"}",
		 start);
	/* A new patient cannot book a plain consultation in the demo practice. */
	doc = request(&c, "POST", "/api/v1/appointments", body, NULL, &r);
	TEST_EQ_INT(r.status, 409);
	TEST_EQ_STR(json_string_value(json_object_get(json_object_get(doc, "error"), "verdict")),
		    "new_patient_type");
	TEST_CHECK(json_string_value(json_object_get(
			   json_object_get(json_object_get(doc, "error"), "messages"), "fr")) != NULL);
	json_decref(doc);
	free(r.body);

	snprintf(body, sizeof(body),
		 "{\"type\":\"consultation\",\"practitioner_id\":1,\"start\":\"%s\","
		 "\"patient\":{\"id\":1},\"idempotency_key\":\"web-test-1\"}",
		 start);
	doc = request(&c, "POST", "/api/v1/appointments", body, NULL, &r);
	TEST_EQ_INT(r.status, 201);
	id = json_integer_value(json_object_get(doc, "id"));
	TEST_CHECK(id > 0);
	json_decref(doc);
	free(r.body);
	/* The same key returns the first booking; another booking of the slot is refused. */
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/appointments", body, NULL), 200);
	snprintf(body, sizeof(body),
		 "{\"type\":\"consultation\",\"practitioner_id\":1,\"start\":\"%s\","
		 "\"patient\":{\"id\":3}}",
		 start);
	doc = request(&c, "POST", "/api/v1/appointments", body, NULL, &r);
	TEST_EQ_INT(r.status, 409);
	TEST_EQ_STR(json_string_value(json_object_get(json_object_get(doc, "error"), "verdict")),
		    "taken");
	json_decref(doc);
	free(r.body);

	first_slot(&c, "type=consultation&practitioner=1&days=30", later, sizeof(later));
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/move", (long long)id);
	snprintf(body, sizeof(body), "{\"start\":\"%s\"}", later);
	doc = request(&c, "POST", path, body, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_EQ_INT(json_integer_value(json_object_get(doc, "previous_id")), id);
	id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	free(r.body);
	snprintf(body, sizeof(body), "{\"start\":\"2000-01-03T09:00:00+01:00\"}");
	doc = request(&c, "POST", path, body, NULL, &r);
	TEST_EQ_INT(r.status, 409);
	json_decref(doc);
	free(r.body);

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", (long long)id);
	TEST_EQ_INT(status_of(&c, "DELETE", path, NULL, NULL), 200);
	doc = request(&c, "DELETE", path, NULL, NULL, &r);
	TEST_EQ_INT(r.status, 409);
	TEST_EQ_STR(error_code(doc), "not_booked");
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "DELETE", "/api/v1/appointments/99999", NULL, NULL), 404);

	doc = request(&c, "GET", "/api/v1/agenda?days=7&practitioner=1", NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_CHECK(json_array_size(json_object_get(doc, "openings")) > 0);
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/agenda?days=99", NULL, NULL), 400);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/slots?type=nothing", NULL, NULL), 400);
	client_free(&c);
	fixture_stop(&f);
}

static void test_settings_validated(void)
{
	struct fixture f;
	struct client c;
	struct response r;
	json_t *doc;

	fixture_start_default(&f);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_ADMIN, FIXTURE_PASSWORD) == 200);
	doc = request(&c, "GET", "/api/v1/settings", NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_CHECK(strstr(json_string_value(json_object_get(json_object_get(doc, "settings"),
							    "answer.hours.fr")),
			  "lundi") != NULL);
	json_decref(doc);
	free(r.body);

	TEST_EQ_INT(status_of(&c, "PUT", "/api/v1/settings",
			      "{\"settings\":{\"secretariat.hours\":\"tous les jours\"}}", NULL),
		    422);
	TEST_EQ_INT(status_of(&c, "PUT", "/api/v1/settings", "{\"settings\":{\"nope\":\"x\"}}", NULL),
		    400);
	/* A zone the agenda cannot load is refused and nothing is written. */
	doc = request(&c, "PUT", "/api/v1/settings",
		      "{\"practice\":{\"timezone\":\"Mars/Olympus\"},"
		      "\"settings\":{\"greeting.fr\":\"ne doit pas rester\"}}",
		      NULL, &r);
	TEST_EQ_INT(r.status, 422);
	TEST_EQ_STR(error_code(doc), "invalid_settings");
	TEST_CHECK(strstr(error_message_in(doc, "fr"), "Fuseau horaire inconnu « Mars/Olympus »") !=
		   NULL);
	TEST_CHECK(strstr(error_message_in(doc, "en"), "invalid time zone 'Mars/Olympus'") != NULL);
	json_decref(doc);
	free(r.body);
	doc = request(&c, "GET", "/api/v1/settings", NULL, NULL, &r);
	TEST_EQ_STR(json_string_value(json_object_get(json_object_get(doc, "settings"), "greeting.fr")),
		    "");
	TEST_EQ_STR(json_string_value(json_object_get(json_object_get(doc, "practice"), "timezone")),
		    "Europe/Paris");
	json_decref(doc);
	free(r.body);

	/* Overlapping windows fail the agenda's validation, with the reason in French too. */
	doc = request(&c, "PUT", "/api/v1/openings",
		      "{\"practitioner_id\":1,\"windows\":[{\"weekday\":1,\"start\":\"08:00\","
		      "\"end\":\"12:00\"},{\"weekday\":1,\"start\":\"11:00\",\"end\":\"13:00\"}]}",
		      NULL, &r);
	TEST_EQ_INT(r.status, 422);
	TEST_EQ_STR(error_message_in(doc, "fr"),
		    "Les horaires (Dr Claire Martin) se chevauchent le lundi : 8 h-12 h et 11 h-13 h.");
	TEST_EQ_STR(error_message_in(doc, "en"),
		    "opening hours of Dr Claire Martin on Monday overlap: 08:00-12:00 and 11:00-13:00");
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "PUT", "/api/v1/openings",
			      "{\"practitioner_id\":1,\"windows\":[{\"weekday\":1,\"start\":\"08:00\","
			      "\"end\":\"12:00\"},{\"weekday\":2,\"start\":\"14:00\",\"end\":\"18:00\"}]}",
			      NULL),
		    200);
	TEST_EQ_INT(status_of(&c, "PUT", "/api/v1/settings",
			      "{\"practice\":{\"name\":\"Cabinet des Tilleuls\"},"
			      "\"settings\":{\"greeting.fr\":\"Bonjour\",\"recording\":\"on\"}}",
			      NULL),
		    200);
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/appointment-types",
			      "{\"code\":\"long\",\"label_fr\":\"Longue\",\"label_en\":\"Long\","
			      "\"duration_min\":45,\"practitioner_ids\":[1]}",
			      NULL),
		    201);
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/appointment-types",
			      "{\"code\":\"long\",\"label_fr\":\"Longue\",\"label_en\":\"Long\","
			      "\"duration_min\":45}",
			      NULL),
		    409);
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/absences",
			      "{\"practitioner_id\":2,\"start\":\"2031-08-01\",\"end\":\"2031-08-15\","
			      "\"reason\":\"congés\"}",
			      NULL),
		    201);
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/absences",
			      "{\"start\":\"2031-08-15\",\"end\":\"2031-08-01\"}", NULL),
		    422);
	TEST_EQ_INT(status_of(&c, "PATCH", "/api/v1/practitioners/3", "{\"active\":false}", NULL), 200);
	TEST_EQ_INT(status_of(&c, "POST", "/api/v1/practitioners",
			      "{\"first_name\":\"Inès\",\"last_name\":\"Roux\",\"specialty\":\"generaliste\"}",
			      NULL),
		    201);
	client_free(&c);
	fixture_stop(&f);
}

static void test_users_managed_by_admin(void)
{
	struct fixture f;
	struct client admin, other;
	struct response r;
	char path[64];
	int64_t id;
	json_t *doc;

	fixture_start_default(&f);
	client_init(&admin, &f);
	TEST_REQUIRE(login(&admin, FIXTURE_ADMIN, FIXTURE_PASSWORD) == 200);
	TEST_EQ_INT(status_of(&admin, "POST", "/api/v1/users",
			      "{\"username\":\"claire\",\"role\":\"secretary\",\"password\":\"court\"}",
			      NULL),
		    422);
	TEST_EQ_INT(status_of(&admin, "POST", "/api/v1/users",
			      "{\"username\":\"Claire Dupont\",\"role\":\"secretary\","
			      "\"password\":\"un mot de passe long\"}",
			      NULL),
		    422);
	TEST_EQ_INT(status_of(&admin, "POST", "/api/v1/users",
			      "{\"username\":\"dr.x\",\"role\":\"practitioner\",\"practitioner_id\":77,"
			      "\"password\":\"un mot de passe long\"}",
			      NULL),
		    422);
	doc = request(&admin, "POST", "/api/v1/users",
		      "{\"username\":\"claire\",\"role\":\"secretary\",\"display_name\":\"Claire\","
		      "\"password\":\"un mot de passe long\",\"lang\":\"en\"}",
		      NULL, &r);
	TEST_EQ_INT(r.status, 201);
	id = json_integer_value(json_object_get(doc, "id"));
	TEST_CHECK(json_object_get(doc, "password_hash") == NULL);
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&admin, "POST", "/api/v1/users",
			      "{\"username\":\"claire\",\"role\":\"secretary\","
			      "\"password\":\"un mot de passe long\"}",
			      NULL),
		    409);

	client_init(&other, &f);
	TEST_EQ_INT(login(&other, "claire", "un mot de passe long"), 200);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", (long long)id);
	TEST_EQ_INT(status_of(&admin, "PATCH", path, "{\"disabled\":true}", NULL), 200);
	/* Disabling closes the open session and refuses new logins. */
	TEST_EQ_INT(status_of(&other, "GET", "/api/v1/session", NULL, NULL), 401);
	TEST_EQ_INT(login(&other, "claire", "un mot de passe long"), 401);
	doc = request(&admin, "GET", "/api/v1/users", NULL, NULL, &r);
	TEST_EQ_INT(json_array_size(json_object_get(doc, "users")), 4);
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&admin, "PATCH", "/api/v1/users/1", "{\"role\":\"secretary\"}", NULL),
		    409);
	client_free(&other);
	client_free(&admin);
	fixture_stop(&f);
}

static void test_stats_add_up(void)
{
	struct fixture f;
	struct client c;
	struct response r;
	json_t *doc, *hours;
	json_int_t sum = 0;
	size_t i;
	json_t *value;

	fixture_start_default(&f);
	TEST_REQUIRE(web_fixture_call(f.db_path, "call-2", (int64_t)time(NULL) - 86400 * 2, "none",
				      "Question", NULL) == 0);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	doc = request(&c, "GET", "/api/v1/stats", NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_EQ_INT(json_integer_value(json_object_get(doc, "total")), 2);
	hours = json_object_get(doc, "per_hour");
	TEST_EQ_INT(json_array_size(hours), 24);
	json_array_foreach(hours, i, value) sum += json_integer_value(value);
	TEST_EQ_INT(sum, 2);
	TEST_EQ_INT(json_array_size(json_object_get(doc, "per_day")), 30);
	TEST_CHECK(json_real_value(json_object_get(doc, "average_duration_s")) > 94.0);
	TEST_EQ_INT(json_integer_value(json_object_get(json_object_get(doc, "outcomes"), "emergency")), 1);
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "GET", "/api/v1/stats?from=2026-01-10&to=2026-01-01", NULL, NULL), 400);
	client_free(&c);
	fixture_stop(&f);
}

/* ---- Live calls ---- */

struct stream_reader {
	const char *url;
	const char *cookie_file;
	char buffer[65536];
	size_t len;
	int snapshots;
	int want;
};

static size_t on_stream(char *data, size_t size, size_t count, void *cls)
{
	struct stream_reader *s = cls;
	size_t n = size * count;
	const char *p;

	if (s->len + n >= sizeof(s->buffer))
		return 0;
	memcpy(s->buffer + s->len, data, n);
	s->len += n;
	s->buffer[s->len] = '\0';
	s->snapshots = 0;
	for (p = s->buffer; (p = strstr(p, "event: snapshot")); p++)
		s->snapshots++;
	return s->snapshots >= s->want ? 0 : n; /* stop once enough were seen */
}

static void publish(struct live_registry *live, const char *id, const char *state,
		    const char *understood, const char *urgency)
{
	struct live_call call = {0};

	snprintf(call.call_id, sizeof(call.call_id), "%s", id);
	call.started_utc = (int64_t)time(NULL);
	snprintf(call.state, sizeof(call.state), "%s", state);
	snprintf(call.caller_number, sizeof(call.caller_number), "+33699887766");
	snprintf(call.lang, sizeof(call.lang), "fr");
	snprintf(call.understood, sizeof(call.understood), "%s", understood);
	snprintf(call.urgency, sizeof(call.urgency), "%s", urgency);
	TEST_REQUIRE(live_registry_update(live, &call) == 0);
}

struct publisher {
	struct live_registry *live;
};

static void *publish_later(void *cls)
{
	struct publisher *p = cls;

	usleep(300 * 1000);
	publish(p->live, "live-2", "listening", "rendez-vous demain matin", "none");
	return NULL;
}

static void test_live_snapshot_and_stream(void)
{
	struct fixture f;
	struct client c;
	struct response r;
	struct stream_reader s = {.want = 2};
	struct publisher pub;
	pthread_t thread;
	char url[128], header[128];
	json_t *doc;

	fixture_start_default(&f);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	publish(f.live, "live-1", "speaking", "douleur thoracique", "emergency");
	doc = request(&c, "GET", "/api/v1/live", NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_EQ_INT(json_array_size(json_object_get(doc, "calls")), 1);
	TEST_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "calls"), 0),
						      "urgency")),
		    "emergency");
	json_decref(doc);
	free(r.body);

	/* The stream sends the current state at once, then each change. */
	pub.live = f.live;
	TEST_REQUIRE(pthread_create(&thread, NULL, publish_later, &pub) == 0);
	snprintf(url, sizeof(url), "%s/api/v1/live/stream", f.base);
	curl_easy_setopt(c.curl, CURLOPT_URL, url);
	curl_easy_setopt(c.curl, CURLOPT_CUSTOMREQUEST, "GET");
	curl_easy_setopt(c.curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c.curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c.curl, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(c.curl, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c.curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_perform(c.curl);
	pthread_join(thread, NULL);
	TEST_EQ_INT(s.snapshots, 2);
	if (!TEST_CHECK(strstr(s.buffer, "rendez-vous demain matin") != NULL))
		fprintf(stderr, "stream: %s\n", s.buffer);
	(void)header;
	client_free(&c);
	fixture_stop(&f);
}

struct streamer {
	const char *base;
	const char *csrf;
	struct client *client;
	struct stream_reader reader;
};

static void *read_stream(void *cls)
{
	struct streamer *s = cls;
	char url[128];

	snprintf(url, sizeof(url), "%s/api/v1/live/stream", s->base);
	curl_easy_setopt(s->client->curl, CURLOPT_URL, url);
	curl_easy_setopt(s->client->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(s->client->curl, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(s->client->curl, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(s->client->curl, CURLOPT_WRITEDATA, &s->reader);
	curl_easy_setopt(s->client->curl, CURLOPT_TIMEOUT, 20L);
	curl_easy_perform(s->client->curl);
	return NULL;
}

static void test_stop_ends_open_streams(void)
{
	struct fixture f;
	struct client c;
	struct streamer s = {.reader = {.want = 1000}};
	struct timespec before, after;
	pthread_t thread;

	fixture_start_default(&f);
	client_init(&c, &f);
	TEST_REQUIRE(login(&c, FIXTURE_SECRETARY, FIXTURE_PASSWORD) == 200);
	s.base = f.base;
	s.client = &c;
	TEST_REQUIRE(pthread_create(&thread, NULL, read_stream, &s) == 0);
	usleep(500 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &before);
	fixture_stop(&f);
	clock_gettime(CLOCK_MONOTONIC, &after);
	pthread_join(thread, NULL);
	TEST_EQ_INT(s.reader.snapshots, 1);
	/* The stream ended at the stop, not at its 15 s keep-alive. */
	TEST_CHECK(after.tv_sec - before.tv_sec < 5);
	client_free(&c);
}

/* ---- Files, headers, TLS ---- */

static void test_assets_and_headers(void)
{
	struct fixture f;
	struct client c;
	struct response r;
	json_t *doc;

	fixture_start_default(&f);
	client_init(&c, &f);
	doc = request(&c, "GET", "/", NULL, NULL, &r);
	TEST_EQ_INT(r.status, 200);
	TEST_CHECK(strstr(r.headers, "text/html") != NULL);
	TEST_CHECK(strstr(r.headers, "Content-Security-Policy: default-src 'self'") != NULL);
	TEST_CHECK(strstr(r.body, "<html") != NULL);
	json_decref(doc);
	free(r.body);
	TEST_EQ_INT(status_of(&c, "GET", "/app.js", NULL, NULL), 200);
	TEST_EQ_INT(status_of(&c, "GET", "/i18n/fr.json", NULL, NULL), 200);
	TEST_EQ_INT(status_of(&c, "GET", "/i18n/en.json", NULL, NULL), 200);
	TEST_EQ_INT(status_of(&c, "GET", "/../../etc/passwd", NULL, NULL), 404);
	TEST_EQ_INT(status_of(&c, "GET", "/%2e%2e/CMakeLists.txt", NULL, NULL), 404);
	TEST_EQ_INT(status_of(&c, "GET", "/.hidden.js", NULL, NULL), 404);
	TEST_EQ_INT(status_of(&c, "GET", "/nothing.html", NULL, NULL), 404);
	TEST_EQ_INT(status_of(&c, "POST", "/index.html", "{}", NULL), 405);
	client_free(&c);
	fixture_stop(&f);
}

static void test_translations_complete(void)
{
	char path[512];
	json_t *fr, *en;
	const char *key;
	json_t *value;

	snprintf(path, sizeof(path), "%s/src/web/assets/i18n/fr.json", getenv("PERMANENCE_SOURCE_DIR"));
	fr = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	snprintf(path, sizeof(path), "%s/src/web/assets/i18n/en.json", getenv("PERMANENCE_SOURCE_DIR"));
	en = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	TEST_REQUIRE(fr && en);
	TEST_CHECK(json_object_size(fr) > 200);
	json_object_foreach(fr, key, value) {
		if (!json_object_get(en, key))
			fprintf(stderr, "missing in en.json: %s\n", key);
		TEST_CHECK(json_object_get(en, key) != NULL);
	}
	json_object_foreach(en, key, value) {
		if (!json_object_get(fr, key))
			fprintf(stderr, "missing in fr.json: %s\n", key);
		TEST_CHECK(json_object_get(fr, key) != NULL);
	}
	json_decref(fr);
	json_decref(en);
}

static int run(const char *command)
{
	int status = system(command);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_tls_when_configured(void)
{
	struct web_config config = {0};
	char cert[512], key[512], command[2048];
	struct fixture f;
	struct client c;
	struct response r;
	json_t *doc;

	test_tmp_path(cert, sizeof(cert), "cert.pem");
	test_tmp_path(key, sizeof(key), "key.pem");
	snprintf(command, sizeof(command),
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
		 " -keyout %s -out %s >/dev/null 2>&1",
		 key, cert);
	TEST_REQUIRE(run(command) == 0);
	config.tls_cert_file = cert;
	config.tls_key_file = key;
	fixture_start(&f, &config);
	client_init(&c, &f);
	snprintf(c.base, sizeof(c.base), "https://127.0.0.1:%u", web_server_port(f.server));
	curl_easy_setopt(c.curl, CURLOPT_CAINFO, cert);
	curl_easy_setopt(c.curl, CURLOPT_SSL_VERIFYHOST, 0L);
	doc = request(&c, "POST", "/api/v1/session",
		      "{\"username\":\"" FIXTURE_ADMIN "\",\"password\":\"" FIXTURE_PASSWORD "\"}",
		      "", &r);
	TEST_EQ_INT(r.status, 200);
	TEST_CHECK(strstr(r.headers, "; Secure") != NULL);
	TEST_CHECK(strstr(r.headers, "Strict-Transport-Security") != NULL);
	json_decref(doc);
	free(r.body);
	client_free(&c);
	fixture_stop(&f);
}

static void test_start_rejects_bad_config(void)
{
	struct web_config config = {0};
	struct web_server *server = NULL;
	char message[300], db[512];
	int64_t task;

	TEST_EQ_INT(web_server_start(&server, &config, message, sizeof(message)), EINVAL);
	config.db_path = "/nonexistent/permanence.db";
	TEST_EQ_INT(web_server_start(&server, &config, message, sizeof(message)), ENOENT);
	test_tmp_path(db, sizeof(db), "web.db");
	TEST_REQUIRE(web_fixture_database(db, (int64_t)time(NULL), &task, message, sizeof(message)) == 0);
	config.db_path = db;
	config.listen_address = "localhost";
	TEST_EQ_INT(web_server_start(&server, &config, message, sizeof(message)), EINVAL);
	TEST_CHECK(strstr(message, "numeric") != NULL);
	config.listen_address = "::1";
	config.tls_cert_file = "/nonexistent/cert.pem";
	TEST_CHECK(web_server_start(&server, &config, message, sizeof(message)) != 0);
	config.tls_key_file = "/nonexistent/key.pem";
	TEST_EQ_INT(web_server_start(&server, &config, message, sizeof(message)), ENOENT);
	config.tls_cert_file = config.tls_key_file = NULL;
	config.assets_dir = "/nonexistent";
	TEST_EQ_INT(web_server_start(&server, &config, message, sizeof(message)), ENOENT);
	config.assets_dir = NULL;
	/* IPv6 loopback works too. */
	TEST_EQ_INT(web_server_start(&server, &config, message, sizeof(message)), 0);
	TEST_CHECK(web_server_port(server) > 0);
	web_server_stop(server);
	TEST_CHECK(server != NULL);
	web_server_stop(NULL);
}

static void test_listen_address_parsed(void)
{
	char address[64];
	uint16_t port = 0;

	TEST_EQ_INT(web_listen_parse("127.0.0.1:8080", address, sizeof(address), &port), 0);
	TEST_EQ_STR(address, "127.0.0.1");
	TEST_EQ_INT(port, 8080);
	TEST_EQ_INT(web_listen_parse("[::1]:0", address, sizeof(address), &port), 0);
	TEST_EQ_STR(address, "::1");
	TEST_EQ_INT(port, 0);
	TEST_EQ_INT(web_listen_parse("127.0.0.1", address, sizeof(address), &port), EINVAL);
	TEST_EQ_INT(web_listen_parse("127.0.0.1:", address, sizeof(address), &port), EINVAL);
	TEST_EQ_INT(web_listen_parse("127.0.0.1:70000", address, sizeof(address), &port), EINVAL);
	TEST_EQ_INT(web_listen_parse("localhost:80", address, sizeof(address), &port), EINVAL);
	TEST_EQ_INT(web_listen_parse("::1:80", address, sizeof(address), &port), EINVAL);
	TEST_EQ_INT(web_listen_parse("[::1:80", address, sizeof(address), &port), EINVAL);
	TEST_EQ_INT(web_listen_parse("127.0.0.1:80", address, 4, &port), EINVAL);
}

static void test_password_hash_rules(void)
{
	char hash[160];

	TEST_EQ_INT(web_password_hash("short", hash, sizeof(hash)), EINVAL);
	TEST_EQ_INT(web_password_hash("long enough secret", hash, 16), EINVAL);
	TEST_EQ_INT(web_password_hash("long enough secret", hash, sizeof(hash)), 0);
	TEST_CHECK(strncmp(hash, "$argon2id$", 10) == 0);
	TEST_CHECK(web_password_verify(hash, "long enough secret"));
	TEST_CHECK(!web_password_verify(hash, "long enough secreT"));
	TEST_CHECK(!web_password_verify(hash, ""));
}

static void test_live_registry_bounds(void)
{
	struct live_registry *live = NULL;
	struct live_call call = {0}, *list = NULL;
	size_t count = 0;
	uint64_t version = 0;

	TEST_EQ_INT(live_registry_create(&live, 0), EINVAL);
	TEST_REQUIRE(live_registry_create(&live, 2) == 0);
	TEST_EQ_INT(live_registry_update(live, &call), EINVAL);
	snprintf(call.call_id, sizeof(call.call_id), "a");
	call.started_utc = 20;
	TEST_EQ_INT(live_registry_update(live, &call), 0);
	snprintf(call.call_id, sizeof(call.call_id), "b");
	call.started_utc = 10;
	TEST_EQ_INT(live_registry_update(live, &call), 0);
	snprintf(call.call_id, sizeof(call.call_id), "c");
	TEST_EQ_INT(live_registry_update(live, &call), ENOSPC);
	snprintf(call.call_id, sizeof(call.call_id), "a");
	memset(call.understood, 'x', sizeof(call.understood));
	TEST_EQ_INT(live_registry_update(live, &call), 0);
	TEST_EQ_INT(live_registry_snapshot(live, &list, &count, &version), 0);
	TEST_EQ_INT(count, 2);
	TEST_EQ_INT(version, 3);
	TEST_EQ_STR(list[0].call_id, "a");
	TEST_EQ_INT(strlen(list[0].understood), sizeof(call.understood) - 1);
	free(list);
	TEST_EQ_INT(live_registry_wait(live, 3, 50), 3);
	TEST_EQ_INT(live_registry_remove(live, "b"), 0);
	TEST_EQ_INT(live_registry_remove(live, "b"), ENOENT);
	TEST_EQ_INT(live_registry_wait(live, 3, 1000), 4);
	live_registry_destroy(live);
}

static const struct test_case cases[] = {
	TEST_CASE(test_routes_refused_without_session),
	TEST_CASE(test_openapi_matches_routes),
	TEST_CASE(test_login_session_logout),
	TEST_CASE(test_wrong_role_refused),
	TEST_CASE(test_csrf_required),
	TEST_CASE(test_bad_json_rejected),
	TEST_CASE(test_oversized_body_rejected),
	TEST_CASE(test_lockout_per_account),
	TEST_CASE(test_lockout_per_address),
	TEST_CASE(test_expired_session_refused),
	TEST_CASE(test_calls_filters_and_detail),
	TEST_CASE(test_tasks_order_and_done),
	TEST_CASE(test_agenda_book_move_cancel),
	TEST_CASE(test_settings_validated),
	TEST_CASE(test_users_managed_by_admin),
	TEST_CASE(test_stats_add_up),
	TEST_CASE(test_live_snapshot_and_stream),
	TEST_CASE(test_stop_ends_open_streams),
	TEST_CASE(test_assets_and_headers),
	TEST_CASE(test_translations_complete),
	TEST_CASE(test_tls_when_configured),
	TEST_CASE(test_start_rejects_bad_config),
	TEST_CASE(test_listen_address_parsed),
	TEST_CASE(test_password_hash_rules),
	TEST_CASE(test_live_registry_bounds),
};

int main(int argc, char **argv)
{
	int status;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	status = test_main(argc, argv, cases, TEST_COUNT(cases));
	curl_global_cleanup();
	return status;
}
