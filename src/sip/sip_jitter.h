/*
 * Jitter buffer for received audio, indexed by RTP timestamp.
 *
 * Decoded samples are written where their timestamp puts them, whatever the packet size
 * (10, 20, 30 ms) and order. The playout side takes a fixed number of samples per tick,
 * starting `delay` samples behind the first packet. Gaps play as silence. A new SSRC, a jump
 * beyond the buffer, or several packets in a row arriving after their playout time
 * restart the buffer on the current packet. When more than `delay` plus two frames stays
 * buffered for a whole second (the sender's clock runs fast), 10 ms are dropped.
 * Fixed size: no allocation, at most SIP_JITTER_CAPACITY samples held.
 */
#ifndef PERMANENCE_SIP_JITTER_H
#define PERMANENCE_SIP_JITTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIP_JITTER_CAPACITY 4096 /* samples (512 ms at 8 kHz); a power of two */

struct sip_jitter_stats {
	uint32_t packets;	  /* packets stored */
	uint32_t late;		  /* packets dropped for arriving after their playout */
	uint32_t restarts;	  /* restarts after the first packet */
	uint32_t missing_samples; /* samples played as silence because none arrived */
	uint32_t dropped_samples; /* samples discarded to catch up with a fast sender */
};

struct sip_jitter {
	int16_t samples[SIP_JITTER_CAPACITY];
	uint8_t present[SIP_JITTER_CAPACITY / 8];
	bool started;
	uint32_t ssrc;
	uint32_t read_ts; /* timestamp of the next sample to play */
	uint32_t high_ts; /* one past the newest sample stored */
	unsigned delay;	  /* playout delay in samples */
	unsigned late_run;
	unsigned window_frames;
	int32_t window_min_depth;
	struct sip_jitter_stats stats;
};

/* Empty buffer with a playout delay of `delay` samples (at most half the capacity). */
void sip_jitter_init(struct sip_jitter *jb, unsigned delay);

/* Store `count` decoded samples whose first sample has RTP timestamp `ts`. */
void sip_jitter_put(struct sip_jitter *jb, uint32_t ssrc, uint32_t ts, const int16_t *pcm,
		    size_t count);

/*
 * Take the next `count` samples (at most half the capacity) into `out`. Returns false,
 * leaving `out` untouched, until the first packet has arrived.
 */
bool sip_jitter_get(struct sip_jitter *jb, int16_t *out, size_t count);

#endif
