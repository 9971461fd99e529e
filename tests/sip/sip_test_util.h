/*
 * Helpers for the SIP tests that run real peers: a private network namespace, free
 * loopback ports, child processes (sipp, baresip) with bounded waits, an RTP probe that
 * records what the user agent sends, and raw UDP/TCP exchanges.
 */
#ifndef PERMANENCE_SIP_TEST_UTIL_H
#define PERMANENCE_SIP_TEST_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Move the calling process into a new network namespace with only the loopback
 * interface up, so the test owns every port and no packet can leave the machine.
 * Children inherit it. Returns 0 or an errno (EPERM without CAP_SYS_ADMIN).
 */
int sip_test_netns_enter(void);

/* A UDP port on 127.0.0.1 that is free now (and its TCP twin). 0 on failure. */
uint16_t sip_test_free_port(void);

/* Path of a file in the source tree or the corpus; the buffer is static per call site. */
const char *sip_test_source_path(char *buf, size_t size, const char *relative);
const char *sip_test_corpus_path(char *buf, size_t size, const char *relative);

/* Write a text file; returns 0 or errno. */
int sip_test_write_file(const char *path, const char *text);
/* Print a file to stderr (for diagnosing a failed peer). */
void sip_test_dump_file(const char *label, const char *path);

/*
 * Start `argv[0]` with arguments, stdout and stderr going to `log_path`. The child is
 * killed with SIGKILL if this process dies. Returns the PID or -1.
 */
pid_t sip_test_spawn(char *const argv[], const char *log_path);

/*
 * Wait up to `timeout_ms` for the child to exit. Returns its exit status (0-255), 128 +
 * signal when killed by one, or -1 on timeout (the child is then killed and reaped).
 */
int sip_test_wait(pid_t pid, unsigned timeout_ms);
/*
 * Wait for a sipp run labelled `label` whose logs are in `dir`, as sip_test_wait(), and
 * print its error and message logs when it did not exit with 0.
 */
int sip_test_sipp_wait(const char *dir, pid_t pid, const char *label, unsigned timeout_ms);

/* Send SIGTERM, then SIGKILL after `grace_ms`, and reap. */
void sip_test_stop(pid_t pid, unsigned grace_ms);

/* Sleep in milliseconds. */
void sip_test_sleep_ms(unsigned ms);

/* Poll `done(arg)` every 10 ms for up to `timeout_ms`. Returns its last value. */
bool sip_test_wait_for(bool (*done)(void *arg), void *arg, unsigned timeout_ms);

/* An RTP receiver on 127.0.0.1:port that counts packets by payload type. */
struct sip_test_probe {
	int fd;
	uint16_t port;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;
	unsigned packets;
	unsigned by_pt[128];
	unsigned bad;		/* datagrams that were not RTP */
	uint32_t ssrc;
	unsigned ssrc_changes;
	uint8_t *payload;	/* payloads of the majority codec, concatenated */
	size_t payload_len;
	size_t payload_cap;
};

int sip_test_probe_start(struct sip_test_probe *probe);
void sip_test_probe_stop(struct sip_test_probe *probe);
/* Snapshot of the packet counters under the lock. */
unsigned sip_test_probe_packets(struct sip_test_probe *probe, int pt);

/*
 * Send `len` bytes over UDP from 127.0.0.1:from_port (0: any) to 127.0.0.1:to_port,
 * then collect the datagrams that arrive on the same socket for `wait_ms`. The first
 * line of each reply that contains `match` (any reply when NULL) is appended to
 * `replies` (NUL-separated, bounded by `size`). Returns the number of replies kept, or
 * -errno.
 */
int sip_test_udp_exchange(uint16_t from_port, uint16_t to_port, const void *data, size_t len,
			  unsigned wait_ms, const char *match, char *replies, size_t size);

/* Same over a new TCP connection: first lines of the responses read in `wait_ms`. */
int sip_test_tcp_exchange(uint16_t to_port, const void *data, size_t len, unsigned wait_ms,
			  char *replies, size_t size);

/* Read a whole file into a malloc'd buffer. Returns 0 or errno. */
int sip_test_read_file(const char *path, uint8_t **data, size_t *len);

#endif
