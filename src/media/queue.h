/*
 * A bounded queue of PCM samples: the assistant's speech waiting to be sent, 20 ms at a
 * time. The capacity is fixed at creation; a push that does not fit is cut and the cut
 * is counted, so a runaway producer cannot grow memory. Barge-in flushes everything at
 * once. Not thread-safe: the producer and the consumer share one thread.
 */
#ifndef PERMANENCE_MEDIA_QUEUE_H
#define PERMANENCE_MEDIA_QUEUE_H

#include <stddef.h>
#include <stdint.h>

/* Largest capacity accepted: ten minutes of 8 kHz audio. */
#define MEDIA_QUEUE_MAX_SAMPLES (10u * 60u * 8000u)

struct media_queue_stats {
	uint64_t pushed;        /* samples accepted */
	uint64_t popped;        /* samples handed out (real audio, not the zero fill) */
	uint64_t overflowed;    /* samples rejected because the queue was full */
	uint64_t flushed;       /* samples dropped by media_queue_flush() */
	uint64_t underruns;     /* pops that found some audio but less than requested */
	uint64_t empty_pops;    /* pops that found no audio at all */
};

struct media_queue;

/*
 * Create a queue for `capacity` samples (1 to MEDIA_QUEUE_MAX_SAMPLES). Returns 0,
 * EINVAL for a capacity out of bounds, or ENOMEM.
 */
int media_queue_create(struct media_queue **queue, size_t capacity);
void media_queue_destroy(struct media_queue *queue);

/*
 * Append `count` samples. When they do not all fit, the first ones that fit are kept,
 * the rest is dropped and counted in `overflowed`, and ENOSPC is returned. `accepted`
 * (may be NULL) receives the number kept. Never allocates.
 */
int media_queue_push(struct media_queue *queue, const int16_t *samples, size_t count,
		     size_t *accepted);

/*
 * Take up to `count` samples into `out`, filling the rest with zeros (silence). Returns
 * the number of real samples taken. A pop that takes some but not all counts as an
 * underrun (the producer fell behind); one that takes nothing counts as an empty pop.
 */
size_t media_queue_pop(struct media_queue *queue, int16_t *out, size_t count);

/* Drop everything queued (barge-in); returns the number of samples dropped. */
size_t media_queue_flush(struct media_queue *queue);

/* Return the number of samples queued. */
size_t media_queue_level(const struct media_queue *queue);
/* Return the number of samples that still fit. */
size_t media_queue_space(const struct media_queue *queue);
/* Copy the counters into `stats`. */
void media_queue_stats(const struct media_queue *queue, struct media_queue_stats *stats);

#endif
