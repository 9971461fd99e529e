#include "live.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct live_registry {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* signalled on every change and by live_registry_wake() */
	uint64_t version;
	uint64_t wakes;
	size_t max_calls;
	size_t count;
	struct live_call *calls; /* max_calls entries, the first `count` in use */
};

int live_registry_create(struct live_registry **registryp, size_t max_calls)
{
	struct live_registry *r;
	pthread_condattr_t attr;

	*registryp = NULL;
	if (max_calls == 0 || max_calls > 10000)
		return EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->calls = calloc(max_calls, sizeof(*r->calls));
	if (!r->calls) {
		free(r);
		return ENOMEM;
	}
	r->max_calls = max_calls;
	pthread_mutex_init(&r->lock, NULL);
	/* Waits are timed on the monotonic clock so a clock change does not stretch them. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->changed, &attr);
	pthread_condattr_destroy(&attr);
	*registryp = r;
	return 0;
}

void live_registry_destroy(struct live_registry *r)
{
	if (!r)
		return;
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	free(r->calls);
	free(r);
}

static struct live_call *find(struct live_registry *r, const char *call_id)
{
	for (size_t i = 0; i < r->count; i++) {
		if (strcmp(r->calls[i].call_id, call_id) == 0)
			return &r->calls[i];
	}
	return NULL;
}

/* Copy with every string terminated, whatever the caller filled in. */
static void copy_call(struct live_call *dst, const struct live_call *src)
{
	*dst = *src;
	dst->call_id[sizeof(dst->call_id) - 1] = '\0';
	dst->state[sizeof(dst->state) - 1] = '\0';
	dst->caller_number[sizeof(dst->caller_number) - 1] = '\0';
	dst->lang[sizeof(dst->lang) - 1] = '\0';
	dst->intent[sizeof(dst->intent) - 1] = '\0';
	dst->understood[sizeof(dst->understood) - 1] = '\0';
	dst->urgency[sizeof(dst->urgency) - 1] = '\0';
}

int live_registry_update(struct live_registry *r, const struct live_call *call)
{
	struct live_call *slot;
	int err = 0;

	if (!call->call_id[0] || memchr(call->call_id, '\0', sizeof(call->call_id)) == NULL)
		return EINVAL;
	pthread_mutex_lock(&r->lock);
	slot = find(r, call->call_id);
	if (!slot && r->count == r->max_calls)
		err = ENOSPC;
	if (!err) {
		if (!slot)
			slot = &r->calls[r->count++];
		copy_call(slot, call);
		r->version++;
		pthread_cond_broadcast(&r->changed);
	}
	pthread_mutex_unlock(&r->lock);
	return err;
}

int live_registry_remove(struct live_registry *r, const char *call_id)
{
	struct live_call *slot;
	int err = ENOENT;

	pthread_mutex_lock(&r->lock);
	slot = find(r, call_id);
	if (slot) {
		size_t index = (size_t)(slot - r->calls);

		memmove(slot, slot + 1, (r->count - index - 1) * sizeof(*slot));
		r->count--;
		r->version++;
		pthread_cond_broadcast(&r->changed);
		err = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return err;
}

static int by_start(const void *a, const void *b)
{
	const struct live_call *x = a, *y = b;

	if (x->started_utc != y->started_utc)
		return x->started_utc < y->started_utc ? -1 : 1;
	return strcmp(x->call_id, y->call_id);
}

int live_registry_snapshot(struct live_registry *r, struct live_call **list, size_t *count,
			   uint64_t *version)
{
	struct live_call *copy = NULL;
	int err = 0;

	pthread_mutex_lock(&r->lock);
	if (r->count) {
		copy = malloc(r->count * sizeof(*copy));
		if (copy)
			memcpy(copy, r->calls, r->count * sizeof(*copy));
		else
			err = ENOMEM;
	}
	*count = err ? 0 : r->count;
	*version = r->version;
	pthread_mutex_unlock(&r->lock);
	if (copy)
		qsort(copy, *count, sizeof(*copy), by_start);
	*list = copy;
	return err;
}

uint64_t live_registry_version(struct live_registry *r)
{
	uint64_t version;

	pthread_mutex_lock(&r->lock);
	version = r->version;
	pthread_mutex_unlock(&r->lock);
	return version;
}

uint64_t live_registry_wait(struct live_registry *r, uint64_t seen, int timeout_ms)
{
	struct timespec deadline;
	uint64_t version, wakes;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->lock);
	wakes = r->wakes;
	while (r->version == seen && r->wakes == wakes) {
		if (pthread_cond_timedwait(&r->changed, &r->lock, &deadline) == ETIMEDOUT)
			break;
	}
	version = r->version;
	pthread_mutex_unlock(&r->lock);
	return version;
}

void live_registry_wake(struct live_registry *r)
{
	pthread_mutex_lock(&r->lock);
	r->wakes++;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}
