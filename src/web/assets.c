/* The dashboard's files (HTML, CSS, JavaScript, translations), served from one folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "web_priv.h"

#define ASSET_MAX_BYTES (2 * 1024 * 1024)
#define ASSET_PATH_MAX 200

static bool has_index(const char *dir)
{
	char path[4200];
	struct stat info;

	snprintf(path, sizeof(path), "%s/index.html", dir);
	return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* Whether this program runs from the build tree (then the source's assets are current). */
static bool running_uninstalled(void)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t build_len = strlen(PERMANENCE_BINARY_DIR);

	if (len <= 0)
		return false;
	exe[len] = '\0';
	return strncmp(exe, PERMANENCE_BINARY_DIR, build_len) == 0 && exe[build_len] == '/';
}

int web_assets_find(const char *configured, char *dir, size_t size)
{
	const char *source = PERMANENCE_SOURCE_DIR "/src/web/assets";
	const char *installed = PERMANENCE_DATADIR "/web";
	const char *order[2];

	if (configured) {
		snprintf(dir, size, "%s", configured);
		return has_index(dir) ? 0 : ENOENT;
	}
	order[0] = running_uninstalled() ? source : installed;
	order[1] = order[0] == source ? installed : source;
	for (int i = 0; i < 2; i++) {
		if (has_index(order[i])) {
			snprintf(dir, size, "%s", order[i]);
			return 0;
		}
	}
	return ENOENT;
}

static const char *content_type(const char *path)
{
	static const struct {
		const char *extension;
		const char *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".json", "application/json; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(dot, types[i].extension) == 0)
			return types[i].type;
	}
	return NULL;
}

/* Only plain relative names: letters, digits, '-', '_', '.', '/' and no "..". */
static bool safe_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > ASSET_PATH_MAX || name[0] == '.' || name[0] == '/' ||
	    strstr(name, "..") || strstr(name, "//"))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '/'))
			return false;
	}
	return true;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(ASSET_MAX_BYTES + 1);
	*len = buf ? fread(buf, 1, ASSET_MAX_BYTES + 1, f) : 0;
	fclose(f);
	if (buf && *len > ASSET_MAX_BYTES) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[*len] = '\0';
	return buf;
}

void web_serve_asset(struct web_request *req)
{
	const char *name = strcmp(req->path, "/") == 0 ? "index.html" : req->path + 1;
	const char *type = content_type(name);
	char path[4400];
	struct stat info;
	size_t len = 0;
	char *data;

	if (!safe_name(name) || !type) {
		web_reply_error(req, 404, "not_found", "no such page");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", req->server->assets_dir, name);
	if (stat(path, &info) != 0 || !S_ISREG(info.st_mode) || !(data = read_file(path, &len))) {
		web_reply_error(req, 404, "not_found", "no such page");
		return;
	}
	/* The file may hold NUL bytes (images): keep its length, not strlen. */
	free(req->reply_body);
	req->reply_body = NULL;
	req->status = 200;
	req->content_type = type;
	req->response = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!req->response) {
		free(data);
		web_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	MHD_add_response_header(req->response, "Content-Type", type);
}
