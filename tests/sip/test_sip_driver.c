/*
 * Tests of the media driver (src/sip/call_driver.h) on a real libre loop. Entries run in
 * due order and never early, and they leave in any order, from their own handler too.
 * Nothing runs once cancelled or once the driver is gone, and an idle driver keeps its
 * timer disarmed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <re.h>

#include "call_driver.h"
#include "test.h"

#define MS 1000000LL
#define PERIOD_NS (20 * MS)

/* A paced stream, as a call's media: runs every 20 ms until `frames` have run. */
struct stream {
	struct call_driver_entry entry;
	struct call_driver *driver;
	int64_t due_ns;
	unsigned frames;
	unsigned ran;
	int64_t max_lateness_ns;
	bool early;		/* ran before its due time */
	bool cancelled;
	bool ran_after_cancel;
	struct stream *victim;	/* cancelled by this stream's handler at its 3rd frame */
	bool end_self;		/* cancel itself at its 3rd frame */
};

/* Log of runs, across every stream of a case. */
struct run_log {
	int64_t due_ns[4096];
	size_t count;
	unsigned streams_done;
	unsigned streams;
};

static struct run_log run_log;

static void stop_loop(void *arg)
{
	(void)arg;
	re_cancel();
}

static void loop_run_for(int64_t ms)
{
	struct tmr deadline;

	tmr_init(&deadline);
	tmr_start(&deadline, (uint64_t)ms, stop_loop, NULL);
	(void)re_main(NULL);
	tmr_cancel(&deadline);
}

static void stream_done(void)
{
	if (++run_log.streams_done == run_log.streams)
		re_cancel();
}

static void stream_handler(struct call_driver_entry *entry, int64_t now_ns, void *arg)
{
	struct stream *s = arg;
	(void)entry;

	if (s->cancelled)
		s->ran_after_cancel = true;
	if (now_ns < s->due_ns)
		s->early = true;
	if (now_ns - s->due_ns > s->max_lateness_ns)
		s->max_lateness_ns = now_ns - s->due_ns;
	if (run_log.count < sizeof(run_log.due_ns) / sizeof(run_log.due_ns[0]))
		run_log.due_ns[run_log.count++] = s->due_ns;
	s->ran++;

	if (s->ran == 3 && s->victim && !s->victim->cancelled) {
		call_driver_cancel(s->driver, &s->victim->entry);
		s->victim->cancelled = true;
		stream_done();
	}
	if (s->ran == 3 && s->end_self) {
		call_driver_cancel(s->driver, &s->entry); /* not scheduled: does nothing */
		s->cancelled = true;
		stream_done();
		return;
	}
	if (s->ran == s->frames) {
		stream_done();
		return;
	}
	s->due_ns += PERIOD_NS;
	call_driver_schedule(s->driver, &s->entry, s->due_ns);
}

static void stream_start(struct stream *s, struct call_driver *driver, int64_t due_ns,
			 unsigned frames)
{
	memset(s, 0, sizeof(*s));
	s->driver = driver;
	s->due_ns = due_ns;
	s->frames = frames;
	call_driver_entry_init(&s->entry, stream_handler, s);
	call_driver_schedule(driver, &s->entry, due_ns);
}

static void setup(struct call_driver **driverp)
{
	memset(&run_log, 0, sizeof(run_log));
	TEST_REQUIRE(libre_init() == 0);
	TEST_REQUIRE(call_driver_alloc(driverp, CALL_DRIVER_MIN_GAP_NS) == 0);
}

static void teardown(struct call_driver *driver)
{
	mem_deref(driver);
	libre_close();
}

static void driver_bad_arguments(void)
{
	struct call_driver *driver = NULL;
	struct call_driver_entry entry;

	TEST_REQUIRE(libre_init() == 0);
	TEST_EQ_INT(call_driver_alloc(NULL, 0), EINVAL);
	TEST_EQ_INT(call_driver_alloc(&driver, -1), EINVAL);
	TEST_EQ_INT(call_driver_alloc(&driver, 21 * MS), EINVAL);
	TEST_CHECK(driver == NULL);

	/* Entries that are not scheduled, and no driver at all. */
	call_driver_entry_init(&entry, NULL, NULL);
	call_driver_schedule(NULL, &entry, 0);
	TEST_CHECK(!call_driver_entry_scheduled(&entry));
	call_driver_cancel(NULL, &entry);
	call_driver_cancel(NULL, NULL);
	TEST_CHECK(!call_driver_armed(NULL));

	TEST_REQUIRE(call_driver_alloc(&driver, 0) == 0);
	call_driver_schedule(driver, &entry, call_driver_now_ns()); /* no handler: ignored */
	TEST_CHECK(!call_driver_entry_scheduled(&entry));
	TEST_CHECK(!call_driver_armed(driver));
	teardown(driver);
}

static void driver_paces_one_stream(void)
{
	struct call_driver *driver;
	struct call_driver_stats stats;
	struct stream s;
	int64_t start_ns;

	setup(&driver);
	start_ns = call_driver_now_ns() + 5 * MS;
	run_log.streams = 1;
	stream_start(&s, driver, start_ns, 25);
	TEST_CHECK(call_driver_armed(driver));
	loop_run_for(5000);

	TEST_EQ_INT(s.ran, 25);
	TEST_CHECK(!s.early);
	/* Frame 24 is due exactly 480 ms after frame 0, so the schedule does not drift. */
	TEST_EQ_INT(s.due_ns - start_ns, 24 * PERIOD_NS);
	/* Alone, the stream wakes the loop once per frame and never spins. */
	call_driver_stats_get(driver, &stats);
	TEST_EQ_INT(stats.runs, 25);
	TEST_CHECK(stats.wakeups <= 26);
	TEST_CHECK(!call_driver_armed(driver));
	teardown(driver);
}

static void driver_runs_in_due_order(void)
{
	enum { STREAMS = 120, FRAMES = 10 };
	struct call_driver *driver;
	struct stream *streams = calloc(STREAMS, sizeof(*streams));
	int64_t start_ns;

	TEST_REQUIRE(streams != NULL);
	setup(&driver);
	start_ns = call_driver_now_ns() + 5 * MS;
	run_log.streams = STREAMS;
	/* Scheduled in a scrambled order, spread over one period. */
	for (unsigned i = 0; i < STREAMS; i++) {
		int64_t offset_ns = (int64_t)((i * 37) % STREAMS) * PERIOD_NS / STREAMS;

		stream_start(&streams[i], driver, start_ns + offset_ns, FRAMES);
	}
	loop_run_for(10000);

	TEST_EQ_INT(run_log.count, STREAMS * FRAMES);
	for (size_t i = 1; i < run_log.count; i++) {
		if (run_log.due_ns[i] < run_log.due_ns[i - 1]) {
			TEST_CHECK(!"an entry ran before one due earlier");
			break;
		}
	}
	for (unsigned i = 0; i < STREAMS; i++) {
		TEST_EQ_INT(streams[i].ran, FRAMES);
		TEST_CHECK(!streams[i].early);
	}
	teardown(driver);
	free(streams);
}

static void driver_entries_leave_any_order(void)
{
	enum { STREAMS = 60, FRAMES = 8 };
	struct call_driver *driver;
	struct stream *streams = calloc(STREAMS, sizeof(*streams));
	int64_t start_ns;
	unsigned self_ended = 0, cancelled = 0;

	TEST_REQUIRE(streams != NULL);
	setup(&driver);
	start_ns = call_driver_now_ns() + 5 * MS;
	run_log.streams = STREAMS;
	/* Every stream shares its due time with the next one, so a cancellation from a
	 * handler often hits an entry due in the same run. */
	for (unsigned i = 0; i < STREAMS; i++)
		stream_start(&streams[i], driver, start_ns + (int64_t)(i / 2) * MS, FRAMES);
	for (unsigned i = 0; i < STREAMS; i += 6) {
		streams[i].end_self = true;
		streams[i + 1].victim = &streams[i + 2];
		streams[i + 5].victim = &streams[i + 3];
	}
	/* Two leave before they ever run, from outside any handler. */
	call_driver_cancel(driver, &streams[4].entry);
	streams[4].cancelled = true;
	call_driver_cancel(driver, &streams[10].entry);
	streams[10].cancelled = true;
	run_log.streams -= 2;
	loop_run_for(10000);

	for (unsigned i = 0; i < STREAMS; i++) {
		TEST_CHECK(!streams[i].ran_after_cancel);
		TEST_CHECK(!streams[i].early);
		TEST_CHECK(!call_driver_entry_scheduled(&streams[i].entry));
		if (streams[i].end_self)
			self_ended += streams[i].ran == 3;
		if (streams[i].cancelled && !streams[i].end_self)
			cancelled++;
	}
	TEST_EQ_INT(self_ended, STREAMS / 6);
	TEST_EQ_INT(cancelled, 2 * (STREAMS / 6) + 2);
	TEST_EQ_INT(streams[4].ran, 0);
	TEST_EQ_INT(streams[0].ran, 3);
	TEST_EQ_INT(streams[1].ran, FRAMES);
	TEST_CHECK(!call_driver_armed(driver));
	teardown(driver);
	free(streams);
}

/* An owner freed by its own handler, as a call whose tick ends and releases it. */
struct owned {
	struct call_driver_entry entry;
	unsigned *runs;
};

static void owned_handler(struct call_driver_entry *entry, int64_t now_ns, void *arg)
{
	struct owned *o = arg;
	(void)entry;
	(void)now_ns;

	(*o->runs)++;
	mem_deref(o);
	re_cancel();
}

static void driver_entry_freed_in_handler(void)
{
	struct call_driver *driver;
	struct owned *o;
	unsigned runs = 0;

	setup(&driver);
	o = mem_zalloc(sizeof(*o), NULL);
	TEST_REQUIRE(o != NULL);
	o->runs = &runs;
	call_driver_entry_init(&o->entry, owned_handler, o);
	call_driver_schedule(driver, &o->entry, call_driver_now_ns());
	loop_run_for(2000);
	TEST_EQ_INT(runs, 1);
	TEST_CHECK(!call_driver_armed(driver));
	teardown(driver);
}

static void driver_nothing_after_cancel(void)
{
	struct call_driver *driver;
	struct call_driver_stats before, after;
	struct stream s;

	setup(&driver);
	run_log.streams = 1;
	stream_start(&s, driver, call_driver_now_ns() + 10 * MS, 100);
	call_driver_cancel(driver, &s.entry);
	s.cancelled = true;
	TEST_CHECK(!call_driver_armed(driver));
	call_driver_stats_get(driver, &before);
	loop_run_for(100);

	TEST_EQ_INT(s.ran, 0);
	call_driver_stats_get(driver, &after);
	TEST_EQ_INT(after.wakeups, before.wakeups);
	TEST_EQ_INT(after.arms, before.arms);
	TEST_EQ_INT(after.runs, 0);
	teardown(driver);
}

static void driver_idle_after_streams(void)
{
	struct call_driver *driver;
	struct call_driver_stats done, idle;
	struct stream s[3];

	setup(&driver);
	run_log.streams = 3;
	for (unsigned i = 0; i < 3; i++)
		stream_start(&s[i], driver, call_driver_now_ns() + (int64_t)i * MS, 4);
	loop_run_for(5000);
	TEST_EQ_INT(run_log.count, 12);
	TEST_CHECK(!call_driver_armed(driver));

	/* No entry: the timer stays disarmed and the loop sleeps. */
	call_driver_stats_get(driver, &done);
	loop_run_for(100);
	call_driver_stats_get(driver, &idle);
	TEST_EQ_INT(idle.wakeups, done.wakeups);
	TEST_EQ_INT(idle.arms, done.arms);
	teardown(driver);
}

static void driver_freed_with_entries(void)
{
	struct call_driver *driver;
	struct stream s[2];

	setup(&driver);
	run_log.streams = 2;
	stream_start(&s[0], driver, call_driver_now_ns() + 5 * MS, 100);
	stream_start(&s[1], driver, call_driver_now_ns() + 6 * MS, 100);
	driver = mem_deref(driver);

	/* The entries were unscheduled with the driver, and its timer went with it. */
	TEST_CHECK(!call_driver_entry_scheduled(&s[0].entry));
	TEST_CHECK(!call_driver_entry_scheduled(&s[1].entry));
	call_driver_cancel(NULL, &s[0].entry);
	loop_run_for(100);
	TEST_EQ_INT(s[0].ran, 0);
	TEST_EQ_INT(s[1].ran, 0);
	libre_close();
}

static void driver_reschedule_moves_entry(void)
{
	struct call_driver *driver;
	struct stream s[2];
	int64_t now_ns;

	setup(&driver);
	run_log.streams = 2;
	now_ns = call_driver_now_ns();
	stream_start(&s[0], driver, now_ns + 40 * MS, 1);
	stream_start(&s[1], driver, now_ns + 50 * MS, 1);
	/* Move the later one first, and the first one later: they swap order. */
	s[1].due_ns = now_ns + 10 * MS;
	call_driver_schedule(driver, &s[1].entry, s[1].due_ns);
	s[0].due_ns = now_ns + 30 * MS;
	call_driver_schedule(driver, &s[0].entry, s[0].due_ns);
	loop_run_for(5000);

	TEST_EQ_INT(run_log.count, 2);
	TEST_EQ_INT(run_log.due_ns[0], now_ns + 10 * MS);
	TEST_EQ_INT(run_log.due_ns[1], now_ns + 30 * MS);
	TEST_CHECK(!s[0].early && !s[1].early);
	teardown(driver);
}

static const struct test_case cases[] = {
	TEST_CASE(driver_bad_arguments),
	TEST_CASE(driver_paces_one_stream),
	TEST_CASE(driver_runs_in_due_order),
	TEST_CASE(driver_entries_leave_any_order),
	TEST_CASE(driver_entry_freed_in_handler),
	TEST_CASE(driver_nothing_after_cancel),
	TEST_CASE(driver_idle_after_streams),
	TEST_CASE(driver_freed_with_entries),
	TEST_CASE(driver_reschedule_moves_entry),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
