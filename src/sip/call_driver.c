/*
 * The media clock shared by a user agent's calls: a due-time ordered list of entries and
 * one timerfd. See call_driver.h for the scheduling rules.
 */
#include "call_driver.h"

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define DRIVER_LOG "sip"
#define NS_PER_S 1000000000

struct call_driver {
	int fd;
	bool listening;		/* fd registered with fd_listen() */
	struct list entries;	/* struct call_driver_entry, by due time, earliest first */
	int64_t min_gap_ns;
	int64_t armed_ns;	/* due time the timerfd is armed for; 0 when disarmed */
	bool running;		/* inside a run of due entries */
	int64_t run_start_ns;	/* start of the current or last run; 0 before the first */
	unsigned settime_errors;
	struct call_driver_stats stats;
};

int64_t call_driver_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void timer_set(struct call_driver *driver, int64_t due_ns)
{
	struct itimerspec spec;

	memset(&spec, 0, sizeof(spec));
	if (due_ns) {
		/* A due time before the clock's start becomes 1 ns, long past. */
		if (due_ns < 1)
			due_ns = 1;
		spec.it_value.tv_sec = due_ns / NS_PER_S;
		spec.it_value.tv_nsec = due_ns % NS_PER_S;
	}
	if (timerfd_settime(driver->fd, TFD_TIMER_ABSTIME, &spec, NULL)) {
		/* Only a bad descriptor or value makes this fail, so it would be a bug here. */
		if (driver->settime_errors++ == 0)
			log_err(DRIVER_LOG, NULL, "media timer could not be set: %s",
				strerror(errno));
		return;
	}
	driver->armed_ns = due_ns;
	if (due_ns)
		driver->stats.arms++;
	else
		driver->stats.disarms++;
}

static void timer_disarm(struct call_driver *driver)
{
	if (driver->armed_ns)
		timer_set(driver, 0);
}

/* Arm for the earliest entry, not before `not_before_ns`, or disarm when none waits. */
static void timer_update(struct call_driver *driver, int64_t not_before_ns)
{
	const struct call_driver_entry *first;
	int64_t due_ns;

	if (!driver->entries.head) {
		timer_disarm(driver);
		return;
	}
	first = driver->entries.head->data;
	due_ns = first->due_ns > not_before_ns ? first->due_ns : not_before_ns;
	if (driver->armed_ns != due_ns)
		timer_set(driver, due_ns);
}

static void run_due(struct call_driver *driver)
{
	int64_t start_ns = call_driver_now_ns();

	driver->running = true;
	driver->run_start_ns = start_ns;
	driver->armed_ns = 0; /* a one-shot timerfd is disarmed once it has expired */

	/* Take the head each time: a handler may cancel or schedule any entry. */
	while (driver->entries.head) {
		struct call_driver_entry *entry = driver->entries.head->data;

		if (entry->due_ns > start_ns)
			break;
		list_unlink(&entry->le);
		driver->stats.runs++;
		entry->handler(entry, call_driver_now_ns(), entry->arg);
	}

	driver->running = false;
	timer_update(driver, start_ns + driver->min_gap_ns);
}

static void fd_handler(int flags, void *arg)
{
	struct call_driver *driver = arg;
	uint64_t expirations;
	(void)flags;

	/* A read that fails with EAGAIN (a re-arm raced the expiry) is harmless, because
	 * the run then finds nothing due. */
	if (read(driver->fd, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations))
		driver->stats.wakeups++;
	run_due(driver);
}

static void driver_destructor(void *arg)
{
	struct call_driver *driver = arg;

	while (driver->entries.head)
		list_unlink(driver->entries.head);
	if (driver->listening)
		fd_close(driver->fd);
	if (driver->fd >= 0)
		(void)close(driver->fd);
}

int call_driver_alloc(struct call_driver **driverp, int64_t min_gap_ns)
{
	struct call_driver *driver;
	int err;

	if (!driverp || min_gap_ns < 0 || min_gap_ns > 20000000)
		return EINVAL;
	driver = mem_zalloc(sizeof(*driver), driver_destructor);
	if (!driver)
		return ENOMEM;
	list_init(&driver->entries);
	driver->min_gap_ns = min_gap_ns;

	driver->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (driver->fd < 0) {
		err = errno;
		goto out;
	}
	err = fd_listen(driver->fd, FD_READ, fd_handler, driver);
	if (err)
		goto out;
	driver->listening = true;

out:
	if (err)
		mem_deref(driver);
	else
		*driverp = driver;
	return err;
}

void call_driver_entry_init(struct call_driver_entry *entry, call_driver_h *handler,
			    void *arg)
{
	memset(entry, 0, sizeof(*entry));
	entry->handler = handler;
	entry->arg = arg;
}

static void entry_insert(struct call_driver *driver, struct call_driver_entry *entry)
{
	struct le *le = driver->entries.tail;

	/* Walk back from the tail: a call's next frame is nearly always due last. Entries
	 * with the same due time keep the order in which they were scheduled. */
	while (le && ((struct call_driver_entry *)le->data)->due_ns > entry->due_ns)
		le = le->prev;
	if (le)
		list_insert_after(&driver->entries, le, &entry->le, entry);
	else
		list_prepend(&driver->entries, &entry->le, entry);
}

void call_driver_schedule(struct call_driver *driver, struct call_driver_entry *entry,
			  int64_t due_ns)
{
	if (!driver || !entry || !entry->handler)
		return;
	if (entry->le.list)
		list_unlink(&entry->le);
	if (driver->running && due_ns <= driver->run_start_ns)
		due_ns = driver->run_start_ns + 1;
	entry->due_ns = due_ns;
	entry_insert(driver, entry);

	/* During a run, the end of the run arms the timer. */
	if (!driver->running && (!driver->armed_ns || due_ns < driver->armed_ns))
		timer_set(driver, due_ns);
}

void call_driver_cancel(struct call_driver *driver, struct call_driver_entry *entry)
{
	if (!entry || !entry->le.list)
		return;
	list_unlink(&entry->le);
	/* With entries left the timer stays armed, and an early wake-up finds nothing due. */
	if (driver && !driver->running && !driver->entries.head)
		timer_disarm(driver);
}

bool call_driver_entry_scheduled(const struct call_driver_entry *entry)
{
	return entry && entry->le.list;
}

bool call_driver_armed(const struct call_driver *driver)
{
	return driver && driver->armed_ns != 0;
}

void call_driver_stats_get(const struct call_driver *driver, struct call_driver_stats *stats)
{
	if (!stats)
		return;
	if (driver)
		*stats = driver->stats;
	else
		memset(stats, 0, sizeof(*stats));
}
