/*
 * A drift-free send schedule: frame n is due at start + n * period, computed from the
 * start every time, so timer lateness never accumulates. The caller passes the monotonic
 * clock in (nanoseconds); the pacer reads no clock.
 *
 * Use from a timer: at each wake-up call media_pacer_poll() with the time now, send the
 * `due` frames it reports, and re-arm the timer for `next_ns`. Frames a little late are
 * sent at once (a burst the far end's jitter buffer absorbs). When the loop has fallen
 * more than `max_lag_ns` behind (the process was stopped, the machine swapped), the
 * schedule restarts from now instead of bursting seconds of audio: the missed slots are
 * reported in `skipped`, so the RTP timestamp can advance by them, and counted as a
 * resynchronisation.
 */
#ifndef PERMANENCE_MEDIA_PACER_H
#define PERMANENCE_MEDIA_PACER_H

#include <stdbool.h>
#include <stdint.h>

struct media_pacer_stats {
	uint64_t frames;          /* frames reported due */
	uint64_t late_frames;     /* frames due more than late_ns before the poll that sent them */
	uint64_t resyncs;         /* restarts after falling more than max_lag_ns behind */
	uint64_t skipped;         /* slots given up by those restarts */
	int64_t max_lateness_ns;  /* worst lateness of a frame sent */
};

struct media_pacer {
	int64_t start_ns;       /* due time of frame 0 of the current schedule */
	int64_t period_ns;
	int64_t max_lag_ns;
	int64_t late_ns;
	uint64_t next;          /* index of the next frame to send */
	struct media_pacer_stats stats;
};

/* Defaults for RTP: 20 ms frames, restart past 200 ms behind, count lateness past 5 ms. */
#define MEDIA_PACER_PERIOD_NS 20000000
#define MEDIA_PACER_MAX_LAG_NS 200000000
#define MEDIA_PACER_LATE_NS 5000000

/*
 * Start a schedule whose first frame is due at `now_ns`. `period_ns` must be positive and
 * `max_lag_ns` at least one period; `late_ns` is only a statistics threshold. Returns 0 or
 * EINVAL.
 */
int media_pacer_start(struct media_pacer *pacer, int64_t now_ns, int64_t period_ns,
		      int64_t max_lag_ns, int64_t late_ns);

/*
 * At `now_ns`, set *due to the number of frames to send now (0 when woken early), *skipped
 * to the slots dropped by a restart (0 usually), and *next_ns to the due time of the next
 * frame, always later than `now_ns`. A clock that goes backwards sends nothing.
 */
void media_pacer_poll(struct media_pacer *pacer, int64_t now_ns, unsigned *due,
		      uint64_t *skipped, int64_t *next_ns);

/* Return the due time of frame `index` of the current schedule. */
int64_t media_pacer_due_ns(const struct media_pacer *pacer, uint64_t index);

#endif
