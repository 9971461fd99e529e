/*
 * Helpers for the SIP tests with real peers.
 */
#define _GNU_SOURCE
#include "sip_test_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int sip_test_netns_enter(void)
{
	struct ifreq ifr;
	int fd, err = 0;

	if (unshare(CLONE_NEWNET) != 0)
		return errno;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		err = errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
			err = errno;
	}
	close(fd);
	return err;
}

uint16_t sip_test_free_port(void)
{
	/* Bind UDP and TCP to the same port so that either transport can use it. */
	for (int attempt = 0; attempt < 50; attempt++) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		socklen_t len = sizeof(sin);
		int udp = socket(AF_INET, SOCK_DGRAM, 0), tcp;
		uint16_t port = 0;

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (udp < 0)
			return 0;
		if (bind(udp, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
		    getsockname(udp, (struct sockaddr *)&sin, &len) == 0) {
			tcp = socket(AF_INET, SOCK_STREAM, 0);
			if (tcp >= 0 && bind(tcp, (struct sockaddr *)&sin, sizeof(sin)) == 0)
				port = ntohs(sin.sin_port);
			if (tcp >= 0)
				close(tcp);
		}
		close(udp);
		/* Even ports, so the port above is free for an RTCP twin as well. */
		if (port && port % 2 == 0 && port < 65000)
			return port;
	}
	return 0;
}

const char *sip_test_source_path(char *buf, size_t size, const char *relative)
{
	const char *top = getenv("PERMANENCE_SOURCE_DIR");

	snprintf(buf, size, "%s/%s", top ? top : PERMANENCE_SOURCE_DIR, relative);
	return buf;
}

const char *sip_test_corpus_path(char *buf, size_t size, const char *relative)
{
	const char *corpus = getenv("PERMANENCE_CORPUS_DIR");

	if (corpus)
		snprintf(buf, size, "%s/%s", corpus, relative);
	else
		snprintf(buf, size, "%s/tests/corpus/%s", PERMANENCE_SOURCE_DIR, relative);
	return buf;
}

int sip_test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return errno;
	if (fputs(text, f) < 0)
		err = EIO;
	if (fclose(f) != 0 && !err)
		err = errno;
	return err;
}

int sip_test_read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f)
		return errno;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return EIO;
	}
	*data = malloc((size_t)size + 1);
	if (!*data) {
		fclose(f);
		return ENOMEM;
	}
	*len = fread(*data, 1, (size_t)size, f);
	(*data)[*len] = 0;
	fclose(f);
	return 0;
}

void sip_test_dump_file(const char *label, const char *path)
{
	uint8_t *data;
	size_t len;

	if (sip_test_read_file(path, &data, &len)) {
		fprintf(stderr, "---- %s: %s not readable\n", label, path);
		return;
	}
	/* The end of a log shows most about a failure. */
	fprintf(stderr, "---- %s (%s, last 6000 bytes)\n%s\n---- end of %s\n", label, path,
		(char *)data + (len > 6000 ? len - 6000 : 0), label);
	free(data);
}

pid_t sip_test_spawn(char *const argv[], const char *log_path)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;

	/* The child dies with the test, whatever ends the test. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (log_path) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
	{
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			close(devnull);
		}
	}
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

void sip_test_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int sip_test_wait(pid_t pid, unsigned timeout_ms)
{
	int status;

	for (unsigned waited = 0;; waited += 10) {
		pid_t done = waitpid(pid, &status, WNOHANG);

		if (done == pid)
			break;
		if (done < 0)
			return -1;
		if (waited >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sip_test_sleep_ms(10);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int sip_test_sipp_wait(const char *dir, pid_t pid, const char *label, unsigned timeout_ms)
{
	char path[1024];
	int status = sip_test_wait(pid, timeout_ms);

	if (status != 0) {
		fprintf(stderr, "    sipp %s exited with %d\n", label, status);
		snprintf(path, sizeof(path), "%s/%s-errors.log", dir, label);
		sip_test_dump_file("sipp errors", path);
		snprintf(path, sizeof(path), "%s/%s-messages.log", dir, label);
		sip_test_dump_file("sipp messages", path);
	}
	return status;
}

void sip_test_stop(pid_t pid, unsigned grace_ms)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	if (sip_test_wait(pid, grace_ms) < 0)
		fprintf(stderr, "    process %ld killed after %u ms\n", (long)pid, grace_ms);
}

bool sip_test_wait_for(bool (*done)(void *arg), void *arg, unsigned timeout_ms)
{
	for (unsigned waited = 0; waited < timeout_ms; waited += 10) {
		if (done(arg))
			return true;
		sip_test_sleep_ms(10);
	}
	return done(arg);
}

/* RTP probe. */

static void probe_packet(struct sip_test_probe *probe, const uint8_t *p, ssize_t n)
{
	uint8_t pt;
	uint32_t ssrc;
	size_t header;

	if (n < 12 || (p[0] >> 6) != 2) {
		probe->bad++;
		return;
	}
	pt = p[1] & 0x7f;
	ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	if (probe->packets && ssrc != probe->ssrc)
		probe->ssrc_changes++;
	probe->ssrc = ssrc;
	probe->packets++;
	probe->by_pt[pt]++;

	header = 12 + 4u * (p[0] & 0x0f);
	if ((pt == 0 || pt == 8) && (size_t)n > header) {
		size_t len = (size_t)n - header;

		if (probe->payload_len + len > probe->payload_cap) {
			size_t cap = probe->payload_cap ? probe->payload_cap * 2 : 65536;
			uint8_t *grown;

			while (cap < probe->payload_len + len)
				cap *= 2;
			grown = realloc(probe->payload, cap);
			if (!grown)
				return;
			probe->payload = grown;
			probe->payload_cap = cap;
		}
		memcpy(probe->payload + probe->payload_len, p + header, len);
		probe->payload_len += len;
	}
}

static void *probe_thread(void *arg)
{
	struct sip_test_probe *probe = arg;
	uint8_t buf[2048];

	for (;;) {
		struct pollfd pfd = {probe->fd, POLLIN, 0};
		bool stop;
		ssize_t n;

		pthread_mutex_lock(&probe->lock);
		stop = probe->stop;
		pthread_mutex_unlock(&probe->lock);
		if (stop)
			break;
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = recv(probe->fd, buf, sizeof(buf), 0);
		if (n < 0)
			continue;
		pthread_mutex_lock(&probe->lock);
		probe_packet(probe, buf, n);
		pthread_mutex_unlock(&probe->lock);
	}
	return NULL;
}

int sip_test_probe_start(struct sip_test_probe *probe)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int err;

	memset(probe, 0, sizeof(*probe));
	probe->port = sip_test_free_port();
	if (!probe->port)
		return EADDRINUSE;
	probe->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (probe->fd < 0)
		return errno;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(probe->port);
	if (bind(probe->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		err = errno;
		close(probe->fd);
		return err;
	}
	pthread_mutex_init(&probe->lock, NULL);
	err = pthread_create(&probe->thread, NULL, probe_thread, probe);
	if (err) {
		close(probe->fd);
		pthread_mutex_destroy(&probe->lock);
	}
	return err;
}

void sip_test_probe_stop(struct sip_test_probe *probe)
{
	pthread_mutex_lock(&probe->lock);
	probe->stop = true;
	pthread_mutex_unlock(&probe->lock);
	pthread_join(probe->thread, NULL);
	close(probe->fd);
	pthread_mutex_destroy(&probe->lock);
	free(probe->payload);
	probe->payload = NULL;
}

unsigned sip_test_probe_packets(struct sip_test_probe *probe, int pt)
{
	unsigned n;

	pthread_mutex_lock(&probe->lock);
	n = pt < 0 ? probe->packets : probe->by_pt[pt & 0x7f];
	pthread_mutex_unlock(&probe->lock);
	return n;
}

/* Raw exchanges. */

static void append_first_line(char *replies, size_t size, size_t *used, const char *data,
			      size_t len)
{
	size_t line = 0;

	while (line < len && data[line] != '\r' && data[line] != '\n')
		line++;
	if (*used + line + 1 >= size)
		return;
	memcpy(replies + *used, data, line);
	replies[*used + line] = '\0';
	*used += line + 1;
}

static int collect(int fd, unsigned wait_ms, bool stream, const char *match, char *replies,
		   size_t size)
{
	char buf[65536];
	size_t used = 0, have = 0;
	int count = 0;
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		long elapsed;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= (long)wait_ms)
			break;
		if (poll(&pfd, 1, (int)(wait_ms - (unsigned)elapsed)) <= 0)
			break;
		n = recv(fd, buf + have, sizeof(buf) - have - 1, 0);
		if (n <= 0)
			break;
		if (!stream) {
			/* Replies may carry NUL bytes copied from the request. */
			if (match && !memmem(buf, (size_t)n, match, strlen(match)))
				continue;
			append_first_line(replies, size, &used, buf, (size_t)n);
			count++;
			continue;
		}
		have += (size_t)n;
		if (have >= sizeof(buf) - 1)
			break;
	}
	if (stream) {
		/* TCP: every "SIP/2.0 " at the start of a line begins a response. */
		buf[have] = '\0';
		for (char *p = buf; (p = strstr(p, "SIP/2.0 ")) != NULL; p++) {
			if (p == buf || p[-1] == '\n') {
				append_first_line(replies, size, &used, p, strlen(p));
				count++;
			}
		}
	}
	return count;
}

int sip_test_udp_exchange(uint16_t from_port, uint16_t to_port, const void *data, size_t len,
			  unsigned wait_ms, const char *match, char *replies, size_t size)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), count, one = 1;

	if (fd < 0)
		return -errno;
	if (size)
		replies[0] = '\0';
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(from_port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		count = -errno;
		close(fd);
		return count;
	}
	sin.sin_port = htons(to_port);
	if (sendto(fd, data, len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		count = -errno;
		close(fd);
		return count;
	}
	count = collect(fd, wait_ms, false, match, replies, size);
	close(fd);
	return count;
}

int sip_test_tcp_exchange(uint16_t to_port, const void *data, size_t len, unsigned wait_ms,
			  char *replies, size_t size)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0), count;

	if (fd < 0)
		return -errno;
	if (size)
		replies[0] = '\0';
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(to_port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    send(fd, data, len, MSG_NOSIGNAL) < 0) {
		count = -errno;
		close(fd);
		return count;
	}
	count = collect(fd, wait_ms, true, NULL, replies, size);
	close(fd);
	return count;
}
