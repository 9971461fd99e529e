/*
 * The live call registry: what each call in progress is doing right now, for the
 * dashboard. The session and the telephony publish to it; the web server reads
 * snapshots and waits for changes.
 *
 * Thread-safe: every function may be called from any thread. Each change bumps a
 * version counter, so a reader that remembers the version it saw can wait for the next
 * change instead of polling. Errors are 0 or an errno value.
 */
#ifndef PERMANENCE_LIVE_H
#define PERMANENCE_LIVE_H

#include <stddef.h>
#include <stdint.h>

/* What the registry holds about one call; fixed sizes, truncated on update. */
struct live_call {
	char call_id[64];
	int64_t started_utc;
	char state[16];          /* "ringing", "greeting", "listening", "speaking", "transferring" */
	char caller_number[32];  /* E.164 or "" */
	char lang[4];            /* "fr" or "en" */
	char intent[32];         /* nlu intent name so far, or "" */
	char understood[512];    /* what the assistant understood so far, in words */
	char urgency[16];        /* "none", "urgent", "emergency" */
	int64_t updated_utc;
};

struct live_registry;

/* Create an empty registry that holds at most max_calls calls (1 to 10000). */
int live_registry_create(struct live_registry **registryp, size_t max_calls);
/* Destroy a registry; no thread may use it or wait on it any more. */
void live_registry_destroy(struct live_registry *registry);

/*
 * Insert a call, or replace the call with the same id. Returns 0; EINVAL for an empty
 * id; ENOSPC when the registry is full and the call is new.
 */
int live_registry_update(struct live_registry *registry, const struct live_call *call);
/* Remove a call (it ended). Returns 0 or ENOENT. */
int live_registry_remove(struct live_registry *registry, const char *call_id);

/*
 * Copy every call, oldest start first, into a malloc'd array the caller frees, with the
 * version the copy matches. *list is NULL when *count is 0.
 */
int live_registry_snapshot(struct live_registry *registry, struct live_call **list,
			   size_t *count, uint64_t *version);
uint64_t live_registry_version(struct live_registry *registry);

/*
 * Wait until the version differs from `seen`, live_registry_wake() is called, or
 * timeout_ms (milliseconds) passes. Returns the version at return.
 */
uint64_t live_registry_wait(struct live_registry *registry, uint64_t seen, int timeout_ms);
/* Wake every waiter without a change, so a shutting-down server's readers return. */
void live_registry_wake(struct live_registry *registry);

#endif
