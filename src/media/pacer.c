/* Drift-free 20 ms schedule. */
#include <errno.h>
#include <string.h>

#include "pacer.h"

int media_pacer_start(struct media_pacer *pacer, int64_t now_ns, int64_t period_ns,
		      int64_t max_lag_ns, int64_t late_ns)
{
	if (period_ns <= 0 || max_lag_ns < period_ns || late_ns < 0)
		return EINVAL;
	memset(pacer, 0, sizeof(*pacer));
	pacer->start_ns = now_ns;
	pacer->period_ns = period_ns;
	pacer->max_lag_ns = max_lag_ns;
	pacer->late_ns = late_ns;
	return 0;
}

int64_t media_pacer_due_ns(const struct media_pacer *pacer, uint64_t index)
{
	return pacer->start_ns + (int64_t)index * pacer->period_ns;
}

void media_pacer_poll(struct media_pacer *pacer, int64_t now_ns, unsigned *due,
		      uint64_t *skipped, int64_t *next_ns)
{
	int64_t first_due = media_pacer_due_ns(pacer, pacer->next);
	uint64_t count = 0;

	*skipped = 0;
	if (now_ns - first_due > pacer->max_lag_ns) {
		/* Too far behind: give up the missed slots and restart now. */
		*skipped = (uint64_t)((now_ns - first_due) / pacer->period_ns);
		pacer->stats.resyncs++;
		pacer->stats.skipped += *skipped;
		pacer->start_ns = now_ns;
		pacer->next = 0;
		first_due = now_ns;
	}
	if (now_ns >= first_due)
		count = (uint64_t)((now_ns - first_due) / pacer->period_ns) + 1;

	for (uint64_t i = 0; i < count; i++) {
		int64_t lateness = now_ns - media_pacer_due_ns(pacer, pacer->next + i);

		if (lateness > pacer->late_ns)
			pacer->stats.late_frames++;
		if (lateness > pacer->stats.max_lateness_ns)
			pacer->stats.max_lateness_ns = lateness;
	}
	pacer->next += count;
	pacer->stats.frames += count;
	*due = (unsigned)count;
	*next_ns = media_pacer_due_ns(pacer, pacer->next);
}
