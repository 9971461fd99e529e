/*
 * One media clock for every call of a user agent.
 *
 * Each running call has one entry, scheduled for the due time of its next 20 ms frame.
 * The driver keeps the entries in a list ordered by due time and arms one timerfd
 * (CLOCK_MONOTONIC, nanoseconds) registered with libre's fd_listen(). When it fires, the
 * driver runs every entry that is due, earliest first. The handler sends the call's
 * frame and schedules the entry again for the next frame. An entry runs once per
 * scheduling, like a libre timer.
 *
 * Why not one libre timer per call: tmr_start() inserts into one sorted list of every
 * timer of the thread by walking back from the tail, past each SIP transaction and RTCP
 * timer due later, and libre timers count whole milliseconds. A call's next frame is
 * nearly always due after every other call's, so here the walk stops at the tail.
 *
 * After a run the timer is armed for the earliest due time, but no sooner than
 * `min_gap_ns` after that run started. With hundreds of calls whose frames are spread
 * over 20 ms, the driver thus wakes about once per `min_gap_ns` and serves several calls
 * per wake-up. A frame is then at most about `min_gap_ns` late from the grouping. With no
 * entry scheduled the timer is disarmed, so idle user agents do no timer work.
 *
 * Everything here runs on the libre thread that allocated the driver.
 */
#ifndef PERMANENCE_SIP_CALL_DRIVER_H
#define PERMANENCE_SIP_CALL_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include <re.h>

struct call_driver;
struct call_driver_entry;

/*
 * Run a due entry. The entry is no longer scheduled when this runs. `now_ns` is
 * CLOCK_MONOTONIC read just before the call. The handler may schedule or cancel any
 * entry, this one included, and may free its own entry.
 */
typedef void(call_driver_h)(struct call_driver_entry *entry, int64_t now_ns, void *arg);

/* A schedulable unit of work, embedded in its owner (a call's media). */
struct call_driver_entry {
	struct le le;	/* in the driver's list while scheduled */
	int64_t due_ns; /* CLOCK_MONOTONIC due time while scheduled */
	call_driver_h *handler;
	void *arg;
};

/* Counters of the driver's work since it was allocated. */
struct call_driver_stats {
	uint64_t wakeups;     /* timerfd expirations handled */
	uint64_t runs;	      /* entry handlers run */
	uint64_t arms;	      /* timerfd_settime() calls that armed the timer */
	uint64_t disarms;     /* timerfd_settime() calls that disarmed it */
};

/* Default grouping of wake-ups: at most one per millisecond under load. */
#define CALL_DRIVER_MIN_GAP_NS 1000000

/*
 * Allocate a driver with a timerfd registered on the calling libre thread. `min_gap_ns`
 * (0 to 20 ms) is the minimum time between the start of two runs when entries are
 * waiting. Release with mem_deref(), which unschedules every entry. Returns 0, EINVAL,
 * ENOMEM, or the errno value of timerfd_create() or fd_listen().
 */
int call_driver_alloc(struct call_driver **driverp, int64_t min_gap_ns);

/* Set up an entry that is not scheduled. */
void call_driver_entry_init(struct call_driver_entry *entry, call_driver_h *handler,
			    void *arg);

/*
 * Schedule `entry` to run at `due_ns` (CLOCK_MONOTONIC), moving it if already scheduled.
 * A due time in the past runs at the next wake-up. During a run, an entry scheduled at or
 * before that run's start time waits for the next run, so a handler cannot loop forever.
 */
void call_driver_schedule(struct call_driver *driver, struct call_driver_entry *entry,
			  int64_t due_ns);

/* Unschedule `entry`. Does nothing if it is not scheduled, and `driver` may then be NULL. */
void call_driver_cancel(struct call_driver *driver, struct call_driver_entry *entry);

/* Return whether `entry` is waiting to run. */
bool call_driver_entry_scheduled(const struct call_driver_entry *entry);

/* Return whether the timerfd is armed (false when nothing is scheduled). */
bool call_driver_armed(const struct call_driver *driver);

/* Copy the driver's counters into *stats. */
void call_driver_stats_get(const struct call_driver *driver, struct call_driver_stats *stats);

/* Return CLOCK_MONOTONIC in nanoseconds, the clock of every due time. */
int64_t call_driver_now_ns(void);

#endif
