/*
 * Time the assistant spends per caller turn, without speech: a whole booking call (open
 * request, name, slot choice, yes, goodbye) through the real session, language library
 * and store, repeated. Each turn's time covers nlu_parse(), the dialogue, the store
 * actions it sets off (patient lookup, slot search, booking) and the call record writes.
 * Also times session_create() and session_destroy(), which read the settings and write
 * the call record.
 *
 * The database is the demo practice in a file under TMPDIR (default /tmp); every call
 * books a slot, so the agenda fills as a real one does.
 *
 * Usage: bench_session [calls (default 200)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "demo.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "tz.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *samples, size_t count)
{
	qsort(samples, count, sizeof(*samples), compare_doubles);
	printf("%-26s n=%-5zu median %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  max %7.3f ms\n", what,
	       count, samples[count / 2], samples[count * 9 / 10], samples[count * 99 / 100],
	       samples[count - 1]);
}

static const char *const script[] = {
	"je voudrais un rendez-vous avec le docteur Martin la semaine prochaine",
	"Nguyen",
	"le premier",
	"oui",
	"non merci au revoir",
};

int main(int argc, char **argv)
{
	int calls = argc > 1 ? atoi(argv[1]) : 200;
	size_t turns_per_call = sizeof(script) / sizeof(script[0]);
	double *turn_ms, *create_ms, *destroy_ms;
	size_t turn_count = 0;
	char path[512], message[300];
	const char *tmp = getenv("TMPDIR"), *why;
	struct store *st;
	struct agenda *agenda;
	struct nlu *nlu;
	struct tz *tz;
	struct civil_time t = {2026, 3, 2, 9, 0, 0};
	int64_t now;
	int booked = 0;

	if (calls < 1 || calls > 100000) {
		fprintf(stderr, "usage: bench_session [calls, 1 to 100000]\n");
		return 2;
	}
	log_set_level(LOGL_WARNING);
	snprintf(path, sizeof(path), "%s/bench-session-%ld.db", tmp ? tmp : "/tmp", (long)getpid());
	if (tz_open(&tz, "Europe/Paris") != 0 || tz_from_local(tz, &t, &now, NULL) != 0 ||
	    store_open(&st, path, STORE_CREATE, &why) != 0 || store_migrate(st) != 0 ||
	    agenda_demo_create(st, now, message, sizeof(message)) != 0 ||
	    agenda_open(&agenda, st, message, sizeof(message)) != 0 ||
	    session_nlu_create(agenda, &nlu) != 0) {
		fprintf(stderr, "bench_session: setting up the demo practice failed\n");
		return 1;
	}
	turn_ms = calloc((size_t)calls * (turns_per_call + 1), sizeof(*turn_ms));
	create_ms = calloc((size_t)calls, sizeof(*create_ms));
	destroy_ms = calloc((size_t)calls, sizeof(*destroy_ms));
	if (!turn_ms || !create_ms || !destroy_ms)
		return 1;

	for (int c = 0; c < calls; c++) {
		struct session_config config = {0};
		struct session *session;
		const struct session_output *out;
		struct dialogue_event ev = {.kind = DIALOGUE_EVENT_START, .now = now};
		struct dialogue_summary summary;
		char call_id[64];
		double t0;

		snprintf(call_id, sizeof(call_id), "bench-%d", c);
		config.agenda = agenda;
		config.nlu = nlu;
		config.call_id = call_id;
		config.channel = "sip";
		config.caller_number = "+33698765432";
		t0 = now_ms();
		if (session_create(&session, &config, now) != 0)
			return 1;
		create_ms[c] = now_ms() - t0;
		t0 = now_ms();
		session_handle(session, &ev, &out);
		turn_ms[turn_count++] = now_ms() - t0;
		for (size_t i = 0; i < turns_per_call && !session_ended(session); i++) {
			ev = (struct dialogue_event){.kind = DIALOGUE_EVENT_UTTERANCE, .now = now,
						     .text = script[i], .confidence = 0.95f};
			t0 = now_ms();
			session_handle(session, &ev, &out);
			turn_ms[turn_count++] = now_ms() - t0;
		}
		session_summary(session, &summary);
		booked += strcmp(summary.outcome, "booked") == 0;
		t0 = now_ms();
		session_destroy(session);
		destroy_ms[c] = now_ms() - t0;
		now += 60;
	}
	printf("%d calls, %d booked, %zu turns\n", calls, booked, turn_count);
	report("turn (nlu + dialogue + store)", turn_ms, turn_count);
	report("session_create", create_ms, (size_t)calls);
	report("session_destroy", destroy_ms, (size_t)calls);

	free(turn_ms);
	free(create_ms);
	free(destroy_ms);
	nlu_destroy(nlu);
	agenda_close(agenda);
	store_close(st);
	tz_close(tz);
	unlink(path);
	return 0;
}
