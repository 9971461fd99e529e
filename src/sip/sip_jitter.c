/*
 * Jitter buffer indexed by RTP timestamp.
 */
#include "sip_jitter.h"

#include <string.h>

#define MASK (SIP_JITTER_CAPACITY - 1u)
#define FRAME 160u		/* samples per 20 ms tick, for the drift window */
#define WINDOW_FRAMES 50u	/* one second of ticks */
#define LATE_RUN_RESTART 3u	/* late packets in a row that restart the buffer */
#define DRIFT_DROP 80u		/* samples dropped at once for a fast sender (10 ms) */

static bool present_get(const struct sip_jitter *jb, uint32_t ts)
{
	uint32_t i = ts & MASK;

	return (jb->present[i / 8] >> (i % 8)) & 1u;
}

static void present_set(struct sip_jitter *jb, uint32_t ts, bool on)
{
	uint32_t i = ts & MASK;

	if (on)
		jb->present[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		jb->present[i / 8] &= (uint8_t)~(1u << (i % 8));
}

void sip_jitter_init(struct sip_jitter *jb, unsigned delay)
{
	memset(jb, 0, sizeof(*jb));
	if (delay > SIP_JITTER_CAPACITY / 2)
		delay = SIP_JITTER_CAPACITY / 2;
	jb->delay = delay;
}

static void restart(struct sip_jitter *jb, uint32_t ssrc, uint32_t ts)
{
	if (jb->started)
		jb->stats.restarts++;
	memset(jb->present, 0, sizeof(jb->present));
	jb->started = true;
	jb->ssrc = ssrc;
	jb->read_ts = ts - jb->delay;
	jb->high_ts = ts;
	jb->late_run = 0;
	jb->window_frames = 0;
	jb->window_min_depth = INT32_MAX;
}

/* Discard `count` samples at the playout position. */
static void skip(struct sip_jitter *jb, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		present_set(jb, jb->read_ts + i, false);
	jb->read_ts += count;
}

void sip_jitter_put(struct sip_jitter *jb, uint32_t ssrc, uint32_t ts, const int16_t *pcm,
		    size_t count)
{
	int64_t offset;

	if (!count || count > SIP_JITTER_CAPACITY / 2)
		return;

	if (!jb->started || ssrc != jb->ssrc)
		restart(jb, ssrc, ts);

	offset = (int32_t)(ts - jb->read_ts);
	if (offset + (int64_t)count <= 0) {
		jb->stats.late++;
		if (++jb->late_run < LATE_RUN_RESTART)
			return;
		restart(jb, ssrc, ts);
		offset = (int32_t)(ts - jb->read_ts);
	}
	if (offset > (int64_t)SIP_JITTER_CAPACITY) {
		restart(jb, ssrc, ts);
		offset = (int32_t)(ts - jb->read_ts);
	} else if (offset + (int64_t)count > (int64_t)SIP_JITTER_CAPACITY) {
		uint32_t excess = (uint32_t)(offset + (int64_t)count - SIP_JITTER_CAPACITY);

		skip(jb, excess);
		jb->stats.dropped_samples += excess;
		offset -= excess;
	}

	/* A packet that straddles the playout position keeps only its future part. */
	for (size_t i = 0; i < count; i++) {
		int64_t at = offset + (int64_t)i;
		uint32_t t = ts + (uint32_t)i;

		if (at < 0)
			continue;
		jb->samples[t & MASK] = pcm[i];
		present_set(jb, t, true);
	}

	jb->late_run = 0;
	jb->stats.packets++;
	if ((int32_t)(ts + (uint32_t)count - jb->high_ts) > 0)
		jb->high_ts = ts + (uint32_t)count;
}

static void follow_drift(struct sip_jitter *jb)
{
	int32_t depth = (int32_t)(jb->high_ts - jb->read_ts);

	if (depth < jb->window_min_depth)
		jb->window_min_depth = depth;
	if (++jb->window_frames < WINDOW_FRAMES)
		return;

	if (jb->window_min_depth > (int32_t)(jb->delay + 2 * FRAME)) {
		skip(jb, DRIFT_DROP);
		jb->stats.dropped_samples += DRIFT_DROP;
	}
	jb->window_frames = 0;
	jb->window_min_depth = INT32_MAX;
}

bool sip_jitter_get(struct sip_jitter *jb, int16_t *out, size_t count)
{
	if (!jb->started || count > SIP_JITTER_CAPACITY / 2)
		return false;

	for (size_t i = 0; i < count; i++) {
		uint32_t t = jb->read_ts + (uint32_t)i;

		if (present_get(jb, t)) {
			out[i] = jb->samples[t & MASK];
			present_set(jb, t, false);
		} else {
			out[i] = 0;
			jb->stats.missing_samples++;
		}
	}
	jb->read_ts += (uint32_t)count;
	follow_drift(jb);
	return true;
}
