/*
 * Run one conversation fixture (a file of tests/dialogue/fixtures, format in docs/testing.md)
 * through the real session, language library and store: a fresh demo database, a pinned
 * clock, the caller's lines fed one by one, each block of replies matched against its
 * expectations, then the store checked for what the call should have left.
 *
 * Usage: test_fixture FILE... ; exits 0 when every fixture passed. FIXTURE_VERBOSE=1
 * prints each conversation.
 */
#include <errno.h>
#include <jansson.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agenda.h"
#include "demo.h"
#include "session.h"
#include "store.h"
#include "tz.h"

#define FIXTURE_MAX_LINES 400
#define REPLIES_MAX 65536
#define SILENCE_S 8

enum line_kind { LINE_CALLER, LINE_EXPECT, LINE_REJECT, LINE_END_CHECK };

struct line {
	enum line_kind kind;
	int number;
	char *text;
};

struct fixture {
	const char *path;
	char now[64];
	char lang[4];
	char caller[32];
	size_t setting_count;
	char *settings[16][2];
	size_t count;
	struct line lines[FIXTURE_MAX_LINES];
};

struct run {
	struct fixture *fx;
	struct store *st;
	struct agenda *agenda;
	struct nlu *nlu;
	struct session *session;
	char call_id[64];
	int64_t now;
	bool transfer_ok;
	bool transferred;
	bool ended;
	size_t before_count;        /* appointments booked before the call, by id */
	int64_t *before;
	char replies[REPLIES_MAX];  /* since the last caller line */
	char history[REPLIES_MAX];  /* the whole conversation, for failure reports */
	int failures;
};

static void fail(struct run *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct run *r, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", r->fx->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->failures++;
}

static void append(char *buf, const char *text)
{
	size_t len = strlen(buf);

	snprintf(buf + len, REPLIES_MAX - len, "%s\n", text);
}

/* ---- Reading a fixture ---- */

static char *trimmed_copy(const char *text)
{
	size_t len;

	while (*text == ' ' || *text == '\t')
		text++;
	len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	return strndup(text, len);
}

static int fixture_read(struct fixture *fx, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	int number = 0;

	memset(fx, 0, sizeof(*fx));
	fx->path = path;
	snprintf(fx->now, sizeof(fx->now), "2026-03-02T09:00:00+01:00");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return errno;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *line = buf;
		struct line *l;

		number++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (strncmp(line, "now ", 4) == 0) {
			if (snprintf(fx->now, sizeof(fx->now), "%s", line + 4) >= (int)sizeof(fx->now))
				goto bad;
			continue;
		}
		if (strncmp(line, "lang ", 5) == 0) {
			if (snprintf(fx->lang, sizeof(fx->lang), "%s", line + 5) >= (int)sizeof(fx->lang))
				goto bad;
			continue;
		}
		if (strncmp(line, "caller ", 7) == 0) {
			if (snprintf(fx->caller, sizeof(fx->caller), "%s", line + 7) >= (int)sizeof(fx->caller))
				goto bad;
			continue;
		}
		if (strncmp(line, "setting ", 8) == 0 && fx->setting_count < 16) {
			char *key = line + 8, *value = strchr(key, ' ');

			if (!value)
				goto bad;
			*value++ = '\0';
			fx->settings[fx->setting_count][0] = strdup(key);
			fx->settings[fx->setting_count][1] = strdup(value);
			fx->setting_count++;
			continue;
		}
		if (fx->count == FIXTURE_MAX_LINES)
			goto bad;
		l = &fx->lines[fx->count];
		l->number = number;
		if (line[0] == '>' && line[1] == ' ') {
			l->kind = LINE_CALLER;
			l->text = trimmed_copy(line + 2);
		} else if (line[0] == '<' && line[1] == ' ') {
			l->kind = LINE_EXPECT;
			l->text = trimmed_copy(line + 2);
		} else if (line[0] == '!' && line[1] == ' ') {
			l->kind = LINE_REJECT;
			l->text = trimmed_copy(line + 2);
		} else if (strncmp(line, "expect ", 7) == 0) {
			l->kind = LINE_END_CHECK;
			l->text = trimmed_copy(line + 7);
		} else {
			goto bad;
		}
		fx->count++;
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "%s:%d: not a fixture line (see docs/testing.md): %s\n", path, number, buf);
	fclose(f);
	return EINVAL;
}

static void fixture_free(struct fixture *fx)
{
	for (size_t i = 0; i < fx->count; i++)
		free(fx->lines[i].text);
	for (size_t i = 0; i < fx->setting_count; i++) {
		free(fx->settings[i][0]);
		free(fx->settings[i][1]);
	}
}

/* ---- Matching replies ---- */

/* Whether a pattern ("text" or "/regex/") is found in the replies. */
static bool matches(const char *pattern, const char *replies)
{
	size_t len = strlen(pattern);

	if (len >= 2 && pattern[0] == '/' && pattern[len - 1] == '/') {
		char *expr = strndup(pattern + 1, len - 2);
		regex_t re;
		bool found = false;

		if (expr && regcomp(&re, expr, REG_EXTENDED | REG_NOSUB) == 0) {
			found = regexec(&re, replies, 0, NULL, 0) == 0;
			regfree(&re);
		}
		free(expr);
		return found;
	}
	return strstr(replies, pattern) != NULL;
}

static void check_block(struct run *r, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct line *l = &r->fx->lines[i];

		if (l->kind == LINE_EXPECT && !matches(l->text, r->replies))
			fail(r, l->number, "expected a reply with \"%s\"; the assistant said:\n%s", l->text,
			     r->replies);
		if (l->kind == LINE_REJECT && matches(l->text, r->replies))
			fail(r, l->number, "the assistant said \"%s\", which it must not:\n%s", l->text,
			     r->replies);
	}
}

/* ---- The conversation ---- */

static void take_output(struct run *r, const struct session_output *out);

static void handle(struct run *r, struct dialogue_event *ev)
{
	const struct session_output *out;
	int err;

	ev->now = r->now;
	err = session_handle(r->session, ev, &out);
	if (err) {
		char line[128];

		snprintf(line, sizeof(line), "#rejected %s", strerror(err));
		append(r->replies, line);
		append(r->history, line);
		return;
	}
	take_output(r, out);
}

static void take_output(struct run *r, const struct session_output *out)
{
	for (size_t i = 0; i < out->count; i++) {
		const struct session_output_item *item = &out->items[i];
		char line[DIALOGUE_TEXT_MAX + 64];

		switch (item->kind) {
		case DIALOGUE_ACTION_SAY:
		case DIALOGUE_ACTION_ASK:
			snprintf(line, sizeof(line), "%s", item->text);
			break;
		case DIALOGUE_ACTION_END:
			snprintf(line, sizeof(line), "#end");
			r->ended = true;
			break;
		case DIALOGUE_ACTION_SET_LANGUAGE:
			snprintf(line, sizeof(line), "#language %s", item->lang == NLU_LANG_EN ? "en" : "fr");
			break;
		case DIALOGUE_ACTION_TRANSFER:
			snprintf(line, sizeof(line), "#transfer %s", item->target);
			break;
		default:
			continue;
		}
		append(r->replies, line);
		append(r->history, line);
		if (item->kind == DIALOGUE_ACTION_TRANSFER) {
			struct dialogue_event ev = {.kind = DIALOGUE_EVENT_TRANSFERRED,
						    .transferred = r->transfer_ok};

			r->transferred = r->transferred || r->transfer_ok;
			handle(r, &ev);
		}
	}
}

/* Feed one caller line; false when it is only a clock or transfer directive. */
static bool caller_event(struct run *r, const struct line *l, struct dialogue_event *ev,
			 char *digits, size_t size)
{
	const char *text = l->text;

	memset(ev, 0, sizeof(*ev));
	ev->confidence = 1.0f;
	if (strncmp(text, "#dtmf ", 6) == 0) {
		size_t n = 0;

		for (const char *p = text + 6; *p && n + 1 < size; p++) {
			if (*p != ' ')
				digits[n++] = *p;
		}
		digits[n] = '\0';
		ev->kind = DIALOGUE_EVENT_DIGITS;
		ev->digits = digits;
	} else if (strcmp(text, "#silence") == 0) {
		r->now += SILENCE_S;
		ev->kind = DIALOGUE_EVENT_SILENCE;
	} else if (strcmp(text, "#hangup") == 0) {
		ev->kind = DIALOGUE_EVENT_HANGUP;
	} else if (strcmp(text, "#bargein") == 0) {
		ev->kind = DIALOGUE_EVENT_BARGE_IN;
	} else if (strncmp(text, "#asr ", 5) == 0) {
		char *end = NULL;

		ev->confidence = strtof(text + 5, &end);
		ev->kind = DIALOGUE_EVENT_UTTERANCE;
		ev->text = end && *end == ' ' ? end + 1 : "";
	} else if (strncmp(text, "#wait ", 6) == 0) {
		r->now += atoi(text + 6);
		return false;
	} else if (strcmp(text, "#transfer ok") == 0 || strcmp(text, "#transfer fail") == 0) {
		r->transfer_ok = strcmp(text, "#transfer ok") == 0;
		return false;
	} else if (text[0] == '#') {
		fail(r, l->number, "unknown caller directive %s", text);
		return false;
	} else {
		ev->kind = DIALOGUE_EVENT_UTTERANCE;
		ev->text = text;
	}
	return true;
}

static void converse(struct run *r)
{
	const struct fixture *fx = r->fx;
	struct dialogue_event ev = {.kind = DIALOGUE_EVENT_START};
	size_t block = 0;
	char digits[64];

	handle(r, &ev);
	for (size_t i = 0; i < fx->count; i++) {
		const struct line *l = &fx->lines[i];
		char said[1200];

		if (l->kind != LINE_CALLER)
			continue;
		check_block(r, block, i);
		block = i + 1;
		r->replies[0] = '\0';
		snprintf(said, sizeof(said), "> %s", l->text);
		append(r->history, said);
		if (r->ended) {
			fail(r, l->number, "the call had already ended before this caller line");
			return;
		}
		if (caller_event(r, l, &ev, digits, sizeof(digits)))
			handle(r, &ev);
	}
	check_block(r, block, fx->count);
	if (!r->ended && !session_ended(r->session)) {
		struct dialogue_event hangup = {.kind = DIALOGUE_EVENT_HANGUP};

		handle(r, &hangup);
	}
}

/* ---- What the call left in the store ---- */

struct record {
	struct store_call call;
	json_t *summary;
	json_t *transcript;
};

static const char *kind_of(json_t *action)
{
	const char *kind = json_string_value(json_object_get(action, "kind"));

	return kind ? kind : "";
}

static bool local_minute_is(const struct tz *tz, int64_t utc, const char *local)
{
	char buf[40];

	/* "2026-03-05T09:00" against "2026-03-05T09:00:00+01:00". */
	if (tz_format_iso8601(tz, utc, buf, sizeof(buf)) != 0)
		return false;
	return strncmp(buf, local, strlen(local)) == 0;
}

static size_t count_actions(const struct record *rec, const char *kind)
{
	json_t *actions = json_object_get(rec->summary, "actions");
	size_t n = 0, i;
	json_t *a;

	json_array_foreach(actions, i, a) {
		if (strcmp(kind_of(a), kind) == 0)
			n++;
	}
	return n;
}

/* The booked appointments of the agenda, from yesterday to well past the horizon. */
static int booked_list(struct run *r, struct store_appointment **list, size_t *count)
{
	return store_appointments_range(r->st, r->now - 86400, r->now + 86400 * 400, 0, list,
					count);
}

static bool booked_before(const struct run *r, int64_t id)
{
	for (size_t i = 0; i < r->before_count; i++) {
		if (r->before[i] == id)
			return true;
	}
	return false;
}

/* What the call booked: the appointments of the agenda that were not there before it. */
static void check_booked(struct run *r, const struct line *l, const struct record *rec)
{
	char when[64] = "", who[64] = "";
	struct store_appointment *list = NULL;
	size_t count = 0, found = 0;

	sscanf(l->text + strlen("booked"), " %63s %63s", when, who);
	if (booked_list(r, &list, &count) != 0) {
		fail(r, l->number, "listing appointments failed: %s", store_errmsg(r->st));
		return;
	}
	for (size_t i = 0; i < count; i++) {
		int index = agenda_practitioner_index(r->agenda, list[i].practitioner_id);
		const struct store_practitioner *p = agenda_practitioner(r->agenda, index);

		if (booked_before(r, list[i].id))
			continue;
		found++;
		if (!when[0])
			continue;
		if (strcmp(when, "none") == 0)
			continue;
		if (count_actions(rec, "move") == 0 && strcmp(list[i].source, "phone") != 0)
			fail(r, l->number, "appointment %lld has source %s, not phone",
			     (long long)list[i].id, list[i].source);
		if (!local_minute_is(agenda_tz(r->agenda), list[i].start_utc, when))
			fail(r, l->number, "booked appointment %lld does not start at %s",
			     (long long)list[i].id, when);
		if (who[0] && (!p || strcasecmp(p->last_name, who) != 0))
			fail(r, l->number, "booked appointment %lld is not with %s", (long long)list[i].id,
			     who);
	}
	if (strcmp(when, "none") == 0 ? found != 0 : found != 1)
		fail(r, l->number, "%zu appointments booked by the call, expected %s", found,
		     strcmp(when, "none") == 0 ? "none" : "one");
	if (strcmp(when, "none") != 0 && count_actions(rec, "book") + count_actions(rec, "move") != found)
		fail(r, l->number, "the call record does not list the booking");
	free(list);
}

static void check_status(struct run *r, const struct line *l, const struct record *rec,
			 const char *kind, enum store_appointment_status status)
{
	json_t *actions = json_object_get(rec->summary, "actions");
	long expected = atol(l->text + strlen(kind));
	long seen = 0;
	size_t i;
	json_t *a;

	json_array_foreach(actions, i, a) {
		struct store_appointment appointment;
		const char *id_key = strcmp(kind, "moved") == 0 ? "previous_id" : "appointment_id";
		const char *action = strcmp(kind, "moved") == 0 ? "move" : "cancel";

		if (strcmp(kind_of(a), action) != 0)
			continue;
		if (store_appointment_get(r->st, json_integer_value(json_object_get(a, id_key)),
					  &appointment) != 0 || appointment.status != status)
			fail(r, l->number, "appointment %lld is not %s in the store",
			     (long long)json_integer_value(json_object_get(a, id_key)), kind);
		seen++;
	}
	if (seen != expected)
		fail(r, l->number, "%ld appointments %s by the call, expected %ld", seen, kind, expected);
}

static void check_task(struct run *r, const struct line *l)
{
	const char *kind = l->text + strlen("task ");
	struct store_task *list = NULL;
	size_t count = 0, found = 0;

	if (store_tasks_list(r->st, false, &list, &count) != 0) {
		fail(r, l->number, "listing tasks failed");
		return;
	}
	for (size_t i = 0; i < count; i++) {
		if (strcmp(list[i].call_id, r->call_id) != 0)
			continue;
		if (strcmp(kind, "none") == 0 || strcmp(list[i].kind, kind) == 0)
			found++;
		if (!list[i].summary[0])
			fail(r, l->number, "task %lld has no summary for the staff", (long long)list[i].id);
	}
	if (strcmp(kind, "none") == 0 ? found != 0 : found == 0)
		fail(r, l->number, "expected %s task from the call, found %zu",
		     strcmp(kind, "none") == 0 ? "no" : kind, found);
	store_tasks_free(list, count);
}

static void check_end(struct run *r, const struct line *l, const struct record *rec)
{
	const char *t = l->text;

	if (strncmp(t, "booked", 6) == 0) {
		check_booked(r, l, rec);
	} else if (strncmp(t, "cancelled", 9) == 0) {
		check_status(r, l, rec, "cancelled", STORE_APPOINTMENT_CANCELLED);
	} else if (strncmp(t, "moved", 5) == 0) {
		check_status(r, l, rec, "moved", STORE_APPOINTMENT_MOVED);
	} else if (strncmp(t, "task ", 5) == 0) {
		check_task(r, l);
	} else if (strcmp(t, "transfer") == 0) {
		if (!r->transferred)
			fail(r, l->number, "the call was not transferred");
	} else if (strcmp(t, "no-transfer") == 0) {
		if (strstr(r->history, "#transfer "))
			fail(r, l->number, "the call asked for a transfer");
	} else if (strncmp(t, "language ", 9) == 0) {
		if (strcmp(rec->call.lang, t + 9) != 0)
			fail(r, l->number, "the call ended in %s, expected %s", rec->call.lang, t + 9);
	} else if (strncmp(t, "outcome ", 8) == 0) {
		if (strcmp(rec->call.outcome, t + 8) != 0)
			fail(r, l->number, "the call's outcome is %s, expected %s", rec->call.outcome,
			     t + 8);
	} else if (strncmp(t, "urgency ", 8) == 0) {
		if (strcmp(rec->call.urgency, t + 8) != 0)
			fail(r, l->number, "the call's urgency is %s, expected %s", rec->call.urgency,
			     t + 8);
	} else if (strcmp(t, "ended") == 0) {
		if (!r->ended)
			fail(r, l->number, "the assistant did not end the call");
	} else {
		fail(r, l->number, "unknown check \"%s\" (see docs/testing.md)", t);
	}
}

/* Every call leaves a complete record, whatever the fixture checks. */
static void check_record(struct run *r, struct record *rec)
{
	static const char *const keys[] = {"reason", "intent", "outcome", "patient", "urgency",
					   "actions", "language", "turns", "timings"};

	memset(rec, 0, sizeof(*rec));
	if (store_call_get(r->st, r->call_id, &rec->call) != 0) {
		fail(r, 0, "no call record: %s", store_errmsg(r->st));
		return;
	}
	if (!rec->call.ended_utc || !rec->call.outcome[0])
		fail(r, 0, "the call record has no end or no outcome");
	rec->summary = json_loads(rec->call.summary_json, 0, NULL);
	rec->transcript = json_loads(rec->call.transcript_json, 0, NULL);
	if (!json_is_object(rec->summary) || !json_is_array(rec->transcript) ||
	    json_array_size(rec->transcript) < 2) {
		fail(r, 0, "the call record's summary or transcript is not complete JSON");
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_object_get(rec->summary, keys[i]))
			fail(r, 0, "the call summary lacks \"%s\"", keys[i]);
	}
}

/* ---- Setup ---- */

static int setup(struct run *r, const char *dir)
{
	char path[600], message[300];
	const char *why = NULL;
	struct tz *paris;
	struct session_config config = {0};
	int err;

	if (tz_open(&paris, "Europe/Paris") != 0)
		return EINVAL;
	err = tz_parse_iso8601(paris, r->fx->now, &r->now, &why);
	tz_close(paris);
	if (err) {
		fprintf(stderr, "%s: invalid now \"%s\": %s\n", r->fx->path, r->fx->now, why);
		return err;
	}
	snprintf(path, sizeof(path), "%s/demo.db", dir);
	err = store_open(&r->st, path, STORE_CREATE, &why);
	if (!err)
		err = store_migrate(r->st);
	if (!err)
		err = agenda_demo_create(r->st, r->now, message, sizeof(message));
	for (size_t i = 0; !err && i < r->fx->setting_count; i++)
		err = store_setting_put(r->st, r->fx->settings[i][0], r->fx->settings[i][1]);
	if (!err)
		err = agenda_open(&r->agenda, r->st, message, sizeof(message));
	if (!err)
		err = session_nlu_create(r->agenda, &r->nlu);
	if (err) {
		fprintf(stderr, "%s: setting up the demo practice failed: %s\n", r->fx->path,
			strerror(err));
		return err;
	}
	snprintf(r->call_id, sizeof(r->call_id), "fixture-%ld", (long)getpid());
	config.agenda = r->agenda;
	config.nlu = r->nlu;
	config.call_id = r->call_id;
	config.channel = "sip";
	config.caller_number = r->fx->caller[0] ? r->fx->caller : NULL;
	config.lang = r->fx->lang[0] ? r->fx->lang : NULL;
	return session_create(&r->session, &config, r->now);
}

static int run_fixture(const char *path)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct run *r = calloc(1, sizeof(*r));
	char dir[] = "/tmp/permanence-fixture-XXXXXX";
	struct record rec;
	char cleanup[700];
	int failures;

	if (!fx || !r || !mkdtemp(dir)) {
		free(fx);
		free(r);
		return 1;
	}
	r->fx = fx;
	r->transfer_ok = true;
	if (fixture_read(fx, path) != 0 || setup(r, dir) != 0) {
		r->failures++;
		goto out;
	}
	{
		struct store_appointment *list = NULL;

		if (booked_list(r, &list, &r->before_count) != 0 ||
		    !(r->before = calloc(r->before_count + 1, sizeof(*r->before)))) {
			r->failures++;
			free(list);
			goto out;
		}
		for (size_t i = 0; i < r->before_count; i++)
			r->before[i] = list[i].id;
		free(list);
	}
	converse(r);
	session_destroy(r->session);
	r->session = NULL;
	check_record(r, &rec);
	for (size_t i = 0; rec.summary && i < fx->count; i++) {
		if (fx->lines[i].kind == LINE_END_CHECK)
			check_end(r, &fx->lines[i], &rec);
	}
	json_decref(rec.summary);
	json_decref(rec.transcript);
	store_call_release(&rec.call);
	/* FIXTURE_VERBOSE=1 prints every conversation, not only failing ones. */
	if (r->failures || getenv("FIXTURE_VERBOSE"))
		fprintf(stderr, "--- conversation in %s:\n%s---\n", path, r->history);
out:
	session_destroy(r->session);
	nlu_destroy(r->nlu);
	agenda_close(r->agenda);
	store_close(r->st);
	snprintf(cleanup, sizeof(cleanup), "rm -rf '%s'", dir);
	if (system(cleanup) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	failures = r->failures;
	free(r->before);
	fixture_free(fx);
	free(fx);
	free(r);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: test_fixture FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int status = run_fixture(argv[i]);

		printf("%s %s\n", status ? "FAIL" : "ok", argv[i]);
		failed += status;
	}
	printf("%d passed, %d failed\n", argc - 1 - failed, failed);
	return failed ? 1 : 0;
}
