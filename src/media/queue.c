/* Bounded ring of PCM samples. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

struct media_queue {
	int16_t *ring;
	size_t capacity;
	size_t head;    /* next sample to pop */
	size_t level;   /* samples queued */
	struct media_queue_stats stats;
};

int media_queue_create(struct media_queue **queuep, size_t capacity)
{
	struct media_queue *queue;

	*queuep = NULL;
	if (capacity == 0 || capacity > MEDIA_QUEUE_MAX_SAMPLES)
		return EINVAL;
	queue = calloc(1, sizeof(*queue));
	if (!queue)
		return ENOMEM;
	queue->ring = calloc(capacity, sizeof(int16_t));
	if (!queue->ring) {
		free(queue);
		return ENOMEM;
	}
	queue->capacity = capacity;
	*queuep = queue;
	return 0;
}

void media_queue_destroy(struct media_queue *queue)
{
	if (!queue)
		return;
	free(queue->ring);
	free(queue);
}

int media_queue_push(struct media_queue *queue, const int16_t *samples, size_t count,
		     size_t *accepted)
{
	size_t space = queue->capacity - queue->level;
	size_t take = count < space ? count : space;
	size_t tail = (queue->head + queue->level) % queue->capacity;
	size_t first = queue->capacity - tail;

	if (first > take)
		first = take;
	if (take > 0) {
		memcpy(queue->ring + tail, samples, first * sizeof(int16_t));
		memcpy(queue->ring, samples + first, (take - first) * sizeof(int16_t));
	}
	queue->level += take;
	queue->stats.pushed += take;
	queue->stats.overflowed += count - take;
	if (accepted)
		*accepted = take;
	return take < count ? ENOSPC : 0;
}

size_t media_queue_pop(struct media_queue *queue, int16_t *out, size_t count)
{
	size_t take = count < queue->level ? count : queue->level;
	size_t first = queue->capacity - queue->head;

	if (first > take)
		first = take;
	if (count == 0)
		return 0;
	memcpy(out, queue->ring + queue->head, first * sizeof(int16_t));
	memcpy(out + first, queue->ring, (take - first) * sizeof(int16_t));
	memset(out + take, 0, (count - take) * sizeof(int16_t));
	queue->head = (queue->head + take) % queue->capacity;
	queue->level -= take;
	queue->stats.popped += take;
	if (take == 0 && count > 0)
		queue->stats.empty_pops++;
	else if (take < count)
		queue->stats.underruns++;
	return take;
}

size_t media_queue_flush(struct media_queue *queue)
{
	size_t dropped = queue->level;

	queue->stats.flushed += dropped;
	queue->level = 0;
	queue->head = 0;
	return dropped;
}

size_t media_queue_level(const struct media_queue *queue)
{
	return queue->level;
}

size_t media_queue_space(const struct media_queue *queue)
{
	return queue->capacity - queue->level;
}

void media_queue_stats(const struct media_queue *queue, struct media_queue_stats *stats)
{
	*stats = queue->stats;
}
