/*
 * Calls under load, in a private network namespace (run as root), against the calls
 * service running in this process on the demo practice.
 *
 *   bench_calls speaking [CALLS] [SECONDS]    default 300 calls, 60 s
 *   bench_calls listening [CALLS] [SECONDS]   default 100 calls, 60 s
 *
 * speaking: sipp places CALLS calls and every 8 s sends the key * (repeat the question),
 * so the assistant speaks all the time. A probe process receives every call's RTP (the
 * SDP of all calls names its port), stamps each packet on arrival and sends each call
 * faint line noise back. Once all calls are up, the measurement runs SECONDS seconds:
 * the CPU time of this process, the resident memory, and the lateness of the packets
 * received (arrival against the RTP timestamp, each stream's earliest packet taken as
 * on time).
 *
 * listening: English calls; the probe says "what are your opening hours" (flite, rms
 * voice) to each call every 8 to 10 s, at staggered times. The service recognises it
 * with its grammar and replies; the time from the caller's end of speech to the first
 * reply packet comes from the service's own counters.
 *
 * idle: as speaking, without the keys: the calls wait in silence once the greeting is
 * over, which shows what a call costs when no reply is being played.
 *
 * Calls are at most 400 and the measurement at most 120 s.
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "calls.h"
#include "demo.h"
#include "live.h"
#include "log.h"
#include "media.h"
#include "sip_test_util.h"
#include "store.h"
#include "synth.h"
#include "tone.h"

#define FRAME 160
#define STREAMS_MAX 512
#define CALLS_MAX 400
#define SECONDS_MAX 120
/* Lateness histogram: 0.25 ms buckets up to 50 ms. */
#define LATE_BUCKET_US 250
#define LATE_BUCKETS 200

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- The probe: a separate process, so its CPU time is not counted ---- */

struct stream {
	struct sockaddr_in from;
	uint32_t ssrc;
	bool started;
	uint32_t first_ts;
	int64_t first_ns;
	size_t count, cap;
	int64_t *offsets;      /* arrival minus the timestamp's schedule, measured packets */
	int64_t next_say_ns;   /* listening: when the caller speaks next */
	size_t say_pos;
	bool saying;
	uint16_t seq;
	uint32_t ts;
};

struct probe {
	int fd;
	pthread_mutex_t lock;
	struct stream streams[STREAMS_MAX];
	size_t stream_count;
	bool measuring;
	bool stop;
	const int16_t *utterance;
	size_t utterance_count;
	uint64_t received, sent;
};

static struct stream *stream_of(struct probe *p, const struct sockaddr_in *from)
{
	for (size_t i = 0; i < p->stream_count; i++) {
		if (p->streams[i].from.sin_port == from->sin_port &&
		    p->streams[i].from.sin_addr.s_addr == from->sin_addr.s_addr)
			return &p->streams[i];
	}
	if (p->stream_count == STREAMS_MAX)
		return NULL;
	memset(&p->streams[p->stream_count], 0, sizeof(p->streams[0]));
	p->streams[p->stream_count].from = *from;
	/* Staggered first utterance, 2 to 10 s after the call's first packet. */
	p->streams[p->stream_count].next_say_ns =
		now_ns() + 2000000000LL + (int64_t)(p->stream_count % 80) * 100000000LL;
	return &p->streams[p->stream_count++];
}

static void *probe_receive(void *arg)
{
	struct probe *p = arg;
	uint8_t packet[2048];

	while (!p->stop) {
		struct pollfd pfd = {p->fd, POLLIN, 0};
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n;
		int64_t t;
		uint32_t ts, ssrc;
		struct stream *s;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(p->fd, packet, sizeof(packet), 0, (struct sockaddr *)&from, &len);
		t = now_ns();
		if (n < 12 || (packet[0] >> 6) != 2 || (packet[1] & 0x7f) > 34)
			continue; /* RTCP or not RTP audio */
		ts = (uint32_t)packet[4] << 24 | (uint32_t)packet[5] << 16 | (uint32_t)packet[6] << 8 |
		     packet[7];
		ssrc = (uint32_t)packet[8] << 24 | (uint32_t)packet[9] << 16 |
		       (uint32_t)packet[10] << 8 | packet[11];
		pthread_mutex_lock(&p->lock);
		p->received++;
		s = stream_of(p, &from);
		if (s && (!s->started || s->ssrc != ssrc)) {
			s->started = true;
			s->ssrc = ssrc;
			s->first_ts = ts;
			s->first_ns = t;
		} else if (s && p->measuring) {
			int64_t scheduled = s->first_ns + (int64_t)(uint32_t)(ts - s->first_ts) * 125000;

			if (s->count == s->cap) {
				size_t cap = s->cap ? s->cap * 2 : 4096;
				int64_t *grown = realloc(s->offsets, cap * sizeof(*grown));

				if (grown) {
					s->offsets = grown;
					s->cap = cap;
				}
			}
			if (s->count < s->cap)
				s->offsets[s->count++] = t - scheduled;
		}
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

static void put_rtp(uint8_t *b, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	b[0] = 0x80;
	b[1] = 8;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = (uint8_t)(ts >> 24);
	b[5] = (uint8_t)(ts >> 16);
	b[6] = (uint8_t)(ts >> 8);
	b[7] = (uint8_t)ts;
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
}

/* Every 20 ms, one frame to each call: line noise, or the caller's sentence. */
static void *probe_send(void *arg)
{
	struct probe *p = arg;
	struct media_comfort_noise noise;
	struct timespec next;

	media_comfort_noise_init(&noise, -60.0, 3);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!p->stop) {
		uint8_t packet[12 + FRAME];
		int16_t pcm[FRAME];
		int64_t t;

		next.tv_nsec += 20000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		t = now_ns();
		pthread_mutex_lock(&p->lock);
		for (size_t i = 0; i < p->stream_count; i++) {
			struct stream *s = &p->streams[i];

			media_comfort_noise_fill(&noise, pcm, FRAME);
			if (p->utterance && !s->saying && t >= s->next_say_ns) {
				s->saying = true;
				s->say_pos = 0;
			}
			if (s->saying) {
				size_t n = p->utterance_count - s->say_pos;

				if (n > FRAME)
					n = FRAME;
				memcpy(pcm, p->utterance + s->say_pos, n * sizeof(int16_t));
				s->say_pos += n;
				if (s->say_pos >= p->utterance_count) {
					s->saying = false;
					s->next_say_ns = t + 8000000000LL + (int64_t)(i % 5) * 500000000LL;
				}
			}
			put_rtp(packet, s->seq++, s->ts, 0x70000000u + (uint32_t)i);
			s->ts += FRAME;
			media_g711_encode(MEDIA_CODEC_PCMA, pcm, FRAME, packet + 12);
			(void)sendto(p->fd, packet, sizeof(packet), 0, (struct sockaddr *)&s->from,
				     sizeof(s->from));
			p->sent++;
		}
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lateness of every measured packet against its stream's earliest one; print a summary. */
static void probe_report(struct probe *p, FILE *out)
{
	uint64_t buckets[LATE_BUCKETS + 1] = {0};
	size_t total = 0, n = 0, over5 = 0, over10 = 0, over20 = 0;
	int64_t *all;

	for (size_t i = 0; i < p->stream_count; i++)
		total += p->streams[i].count;
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all)
		return;
	for (size_t i = 0; i < p->stream_count; i++) {
		struct stream *s = &p->streams[i];
		int64_t least = INT64_MAX;

		for (size_t k = 0; k < s->count; k++)
			least = s->offsets[k] < least ? s->offsets[k] : least;
		for (size_t k = 0; k < s->count; k++) {
			int64_t late = s->offsets[k] - least;
			size_t b = (size_t)(late / 1000 / LATE_BUCKET_US);

			all[n++] = late;
			buckets[b > LATE_BUCKETS ? LATE_BUCKETS : b]++;
			over5 += late > 5000000;
			over10 += late > 10000000;
			over20 += late > 20000000;
		}
	}
	qsort(all, n, sizeof(*all), compare_i64);
	fprintf(out, "packets measured %zu in %zu streams (received %llu, sent %llu)\n", n,
		p->stream_count, (unsigned long long)p->received, (unsigned long long)p->sent);
	if (n) {
		fprintf(out, "lateness p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
			all[n / 2] / 1e6, all[n * 9 / 10] / 1e6, all[n * 99 / 100] / 1e6,
			all[n * 999 / 1000] / 1e6, all[n - 1] / 1e6);
		fprintf(out, "later than 5 ms: %zu (%.3f %%), 10 ms: %zu, 20 ms: %zu\n", over5,
			100.0 * (double)over5 / (double)n, over10, over20);
		fprintf(out, "distribution (ms: share):");
		for (int ms = 0; ms < 50; ms++) {
			uint64_t in = 0;

			for (int b = ms * 4; b < ms * 4 + 4; b++)
				in += buckets[b];
			if (in * 10000 / n)
				fprintf(out, " %d-%d: %.2f %%", ms, ms + 1, 100.0 * (double)in / (double)n);
		}
		fprintf(out, " >=50: %.3f %%\n", 100.0 * (double)buckets[LATE_BUCKETS] / (double)n);
	}
	free(all);
}

/* The probe's process: commands on `command` ('s' start, 'e' end and report, 'q' quit). */
static int probe_main(uint16_t port, int command, int report, const int16_t *utterance,
		      size_t utterance_count)
{
	static struct probe p;
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
	pthread_t rx, tx;
	char c;
	int size = 4 << 20;

	p.fd = socket(AF_INET, SOCK_DGRAM, 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(p.fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(p.fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		return 1;
	p.utterance = utterance;
	p.utterance_count = utterance_count;
	pthread_mutex_init(&p.lock, NULL);
	pthread_create(&rx, NULL, probe_receive, &p);
	pthread_create(&tx, NULL, probe_send, &p);
	while (read(command, &c, 1) == 1) {
		pthread_mutex_lock(&p.lock);
		if (c == 's')
			p.measuring = true;
		if (c == 'e') {
			FILE *out = fdopen(dup(report), "w");

			p.measuring = false;
			if (out) {
				probe_report(&p, out);
				fclose(out);
			}
		}
		pthread_mutex_unlock(&p.lock);
		if (c == 'q')
			break;
	}
	p.stop = true;
	pthread_join(rx, NULL);
	pthread_join(tx, NULL);
	return 0;
}

/* ---- The service side ---- */

/* The run's temporary folder (database, scenario, sipp's logs), removed at exit. */
static char work_dir[64];
static pid_t work_dir_owner;

static void work_dir_remove(void)
{
	DIR *d;
	struct dirent *e;
	char path[sizeof(work_dir) + 260];

	/* Only the process that made it: the probe is a forked child. */
	if (!work_dir[0] || getpid() != work_dir_owner)
		return;
	/* The folder is flat: the database (with its journal files), the scenario, sipp's log. */
	d = opendir(work_dir);
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", work_dir, e->d_name);
		if (unlink(path) != 0)
			fprintf(stderr, "bench_calls: cannot remove %s: %s\n", path, strerror(errno));
	}
	if (d)
		closedir(d);
	if (rmdir(work_dir) != 0)
		fprintf(stderr, "bench_calls: cannot remove %s: %s\n", work_dir, strerror(errno));
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	}
	if (f)
		fclose(f);
	return kib;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static const char scenario_head[] =
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n"
	"<scenario name=\"bench caller\">\n"
	"<send retrans=\"500\"><![CDATA[\n"
	"INVITE sip:0478000000@[remote_ip]:[remote_port] SIP/2.0\n"
	"Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport\n"
	"From: <sip:%s@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
	"To: <sip:0478000000@[remote_ip]:[remote_port]>\n"
	"Call-ID: [call_id]\nCSeq: 1 INVITE\nContact: <sip:sipp@[local_ip]:[local_port]>\n"
	"Max-Forwards: 70\nContent-Type: application/sdp\nContent-Length: [len]\n\n"
	"v=0\no=- 1 1 IN IP4 [local_ip]\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
	"m=audio %u RTP/AVP 8 101\na=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\n"
	"a=sendrecv\n"
	"]]></send>\n"
	"<recv response=\"100\" optional=\"true\"/>\n<recv response=\"180\" optional=\"true\"/>\n"
	"<recv response=\"200\" rrs=\"true\"><action><ereg regexp=\".*\" search_in=\"hdr\" "
	"header=\"To:\" assign_to=\"peer_to\"/></action></recv>\n"
	"<send><![CDATA[\n"
	"ACK [next_url] SIP/2.0\n"
	"Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport\n[routes]\n"
	"From: <sip:%s@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
	"To: [$peer_to]\nCall-ID: [call_id]\nCSeq: 1 ACK\nContent-Length: 0\n\n"
	"]]></send>\n";

static const char scenario_key[] =
	"<pause milliseconds=\"8000\"/>\n"
	"<send retrans=\"500\"><![CDATA[\n"
	"INFO [next_url] SIP/2.0\n"
	"Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport\n[routes]\n"
	"From: <sip:%s@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
	"To: [$peer_to]\nCall-ID: [call_id]\nCSeq: %u INFO\n"
	"Content-Type: application/dtmf-relay\nContent-Length: [len]\n\n"
	"Signal=*\nDuration=160\n"
	"]]></send>\n<recv response=\"200\"/>\n";

static const char scenario_tail[] =
	"<pause milliseconds=\"%u\"/>\n"
	"<send retrans=\"500\"><![CDATA[\n"
	"BYE [next_url] SIP/2.0\n"
	"Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport\n[routes]\n"
	"From: <sip:%s@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
	"To: [$peer_to]\nCall-ID: [call_id]\nCSeq: 900 BYE\nContent-Length: 0\n\n"
	"]]></send>\n<recv response=\"200\" crlf=\"true\"/>\n</scenario>\n";

static int write_scenario(const char *path, bool speaking, const char *caller, uint16_t probe,
			  unsigned hold_s)
{
	FILE *f = fopen(path, "w");
	unsigned keys = speaking ? hold_s / 8 : 0;

	if (!f)
		return errno;
	fprintf(f, scenario_head, caller, probe, caller);
	for (unsigned i = 0; i < keys; i++)
		fprintf(f, scenario_key, caller, 2 + i);
	fprintf(f, scenario_tail, speaking ? 1000 : hold_s * 1000, caller);
	return fclose(f) == 0 ? 0 : errno;
}

static int make_database(const char *path)
{
	struct store *st = NULL;
	const char *why = NULL;
	char message[300];
	int err = store_open(&st, path, STORE_CREATE, &why);

	if (!err)
		err = store_migrate(st);
	if (!err)
		err = agenda_demo_create(st, (int64_t)time(NULL), message, sizeof(message));
	store_close(st);
	return err;
}

/* Print the percentiles of the pool's recognition times between two snapshots. */
static void pool_times_print(const char *label, const uint64_t *before, const uint64_t *after)
{
	uint64_t counts[SPEECH_POOL_TIME_BUCKETS], total = 0;

	for (size_t i = 0; i < SPEECH_POOL_TIME_BUCKETS; i++) {
		counts[i] = after[i] - before[i];
		total += counts[i];
	}
	if (total == 0)
		return;
	printf("%s (%llu): p50 <= %d ms, p90 <= %d ms, p95 <= %d ms (10 ms buckets)\n", label,
	       (unsigned long long)total,
	       calls_bucket_percentile(counts, SPEECH_POOL_TIME_BUCKETS,
				       SPEECH_POOL_TIME_BUCKET_MS, 50),
	       calls_bucket_percentile(counts, SPEECH_POOL_TIME_BUCKETS,
				       SPEECH_POOL_TIME_BUCKET_MS, 90),
	       calls_bucket_percentile(counts, SPEECH_POOL_TIME_BUCKETS,
				       SPEECH_POOL_TIME_BUCKET_MS, 95));
}

static void print_replies(const struct calls_stats *a, const struct calls_stats *b)
{
	struct calls_stats d = *b;

	d.replies = b->replies - a->replies;
	for (size_t i = 0; i < sizeof(d.reply_ms_buckets) / sizeof(d.reply_ms_buckets[0]); i++)
		d.reply_ms_buckets[i] = b->reply_ms_buckets[i] - a->reply_ms_buckets[i];
	printf("replies timed %llu: end of speech to first reply packet p50 <= %d ms, p90 <= %d ms,"
	       " p95 <= %d ms, p99 <= %d ms (50 ms buckets)\n",
	       (unsigned long long)d.replies, calls_reply_percentile(&d, 50),
	       calls_reply_percentile(&d, 90), calls_reply_percentile(&d, 95),
	       calls_reply_percentile(&d, 99));
	printf("utterances %llu, recognition failures %llu, barge-ins %llu, digits %llu,"
	       " silences %llu, synthesis failures %llu\n",
	       (unsigned long long)(b->utterances - a->utterances),
	       (unsigned long long)(b->recognitions_failed - a->recognitions_failed),
	       (unsigned long long)(b->barge_ins - a->barge_ins),
	       (unsigned long long)(b->digits - a->digits),
	       (unsigned long long)(b->silences - a->silences),
	       (unsigned long long)(b->synth_failures - a->synth_failures));
	printf("turns ended early by a confident answer (calls.end_of_turn_ms): %llu\n",
	       (unsigned long long)(b->turns_ended_early - a->turns_ended_early));
	printf("speech pool: %u workers, %zu queued at the end, %llu jobs rejected (queue full)\n",
	       b->speech.workers, b->speech.queued,
	       (unsigned long long)(b->speech.rejected_full - a->speech.rejected_full));
	printf("prompt cache: %llu hits, %llu misses, %zu entries\n",
	       (unsigned long long)(b->speech.cache.hits - a->speech.cache.hits),
	       (unsigned long long)(b->speech.cache.misses - a->speech.cache.misses),
	       b->speech.cache.entries);
	pool_times_print("recognitions, time queued", a->speech.recog_wait_ms,
			 b->speech.recog_wait_ms);
	pool_times_print("recognitions, time decoding", a->speech.recog_run_ms,
			 b->speech.recog_run_ms);
}

int main(int argc, char **argv)
{
	bool speaking = argc > 1 && !strcmp(argv[1], "speaking");
	bool idle = argc > 1 && !strcmp(argv[1], "idle");
	unsigned calls = speaking ? 300 : 100;
	unsigned seconds = argc > 3 ? (unsigned)atoi(argv[3]) : 60;
	char dir[] = "/tmp/bench-calls-XXXXXX", db[128], scenario[128], log[128], error[512];
	char listen[64], value[32];
	int command[2], report[2];
	int16_t *utterance = NULL;
	size_t utterance_count = 0;
	struct config config;
	struct calls *service = NULL;
	struct live_registry *live = NULL;
	struct calls_stats before, after;
	long rss_start, rss_idle, rss_peak = 0;
	size_t heap_idle, heap_peak = 0;
	double cpu0, cpu1, wall;
	int64_t t0;
	uint16_t sip_port, probe_port;
	pid_t probe, sipp;
	int err;

	if (argc > 2)
		calls = (unsigned)atoi(argv[2]);
	if (argc < 2 || (!speaking && !idle && strcmp(argv[1], "listening")) || calls < 1 ||
	    calls > CALLS_MAX || seconds < 5 || seconds > SECONDS_MAX) {
		fprintf(stderr, "usage: bench_calls speaking|listening|idle [CALLS (1-%d)] [SECONDS (5-%d)]\n",
			CALLS_MAX, SECONDS_MAX);
		return 2;
	}
	if (sip_test_netns_enter() != 0) {
		fprintf(stderr, "bench_calls: cannot create a network namespace; run as root\n");
		return 1;
	}
	/* BENCH_CALLS_LOG=info or debug shows each call's lines (decode times, reply times). */
	{
		enum log_level level = LOGL_WARNING;

		if (getenv("BENCH_CALLS_LOG"))
			(void)log_level_parse(getenv("BENCH_CALLS_LOG"), &level);
		log_set_level(level);
	}
	if (!speaking && !idle) {
		struct speech_synth *synth = NULL;
		struct speech_audio audio = {0};

		if (speech_synth_create(&synth, "flite") != 0 ||
		    speech_synth_speak(synth, "what are your opening hours", "en", "rms", &audio)) {
			fprintf(stderr, "bench_calls: flite failed\n");
			return 1;
		}
		speech_synth_destroy(synth);
		utterance = audio.samples;
		utterance_count = audio.count;
	}
	sip_port = sip_test_free_port();
	probe_port = sip_test_free_port();
	if (!mkdtemp(dir))
		return 1;
	snprintf(work_dir, sizeof(work_dir), "%s", dir);
	work_dir_owner = getpid();
	atexit(work_dir_remove);
	if (pipe(command) || pipe(report))
		return 1;
	/* The probe forks before any thread starts. */
	probe = fork();
	if (probe == 0) {
		close(command[1]);
		close(report[0]);
		_exit(probe_main(probe_port, command[0], report[1], utterance, utterance_count));
	}
	close(command[0]);
	close(report[1]);

	snprintf(db, sizeof(db), "%s/practice.db", dir);
	if (make_database(db)) {
		fprintf(stderr, "bench_calls: cannot create the demo practice\n");
		return 1;
	}
	config_defaults(&config);
	snprintf(config.db_path, sizeof(config.db_path), "%s", db);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", sip_port);
	snprintf(config.sip_listen, sizeof(config.sip_listen), "%s", listen);
	snprintf(config.language, sizeof(config.language), "%s", speaking || idle ? "fr" : "en");
	config.max_calls = (int)calls + 10;
	config.rtp_port_min = 20000;
	config.rtp_port_max = 22000;
	config.no_input_timeout_s = 60;
	config.shutdown_grace_s = 1;
	snprintf(value, sizeof(value), "%u", calls);

	rss_start = rss_kib();
	live_registry_create(&live, calls + 16);
	err = calls_start(&service, &config, live, error, sizeof(error));
	if (err) {
		fprintf(stderr, "bench_calls: %s\n", error);
		return 1;
	}
	/* Let the prompt cache fill, as a server that has run for a while has. */
	sleep(speaking ? 8 : 15);
	rss_idle = rss_kib();
	heap_idle = mallinfo2().uordblks;

	snprintf(scenario, sizeof(scenario), "%s/caller.xml", dir);
	snprintf(log, sizeof(log), "%s/sipp.log", dir);
	write_scenario(scenario, speaking, speaking ? "+33612345678" : "+447700900123", probe_port,
		       seconds + calls / 20 + 20);
	{
		char target[64], local[16], rate[16], limit[16], media[16];

		snprintf(target, sizeof(target), "127.0.0.1:%u", sip_port);
		snprintf(local, sizeof(local), "%u", sip_test_free_port());
		snprintf(media, sizeof(media), "%u", sip_test_free_port());
		snprintf(rate, sizeof(rate), "20");
		snprintf(limit, sizeof(limit), "%u", calls);
		char *args[] = {"sipp", target, "-sf", scenario, "-r", rate, "-rp", "1000", "-m",
				value, "-l", limit, "-i", "127.0.0.1", "-p", local, "-mi", "127.0.0.1",
				"-mp", media, "-nostdin", "-timeout", "300s", "-timeout_error",
				"-trace_err", "-error_file", log, NULL};

		sipp = sip_test_spawn(args, log);
	}
	for (int waited = 0; calls_active(service) < calls && waited < 1200; waited++)
		usleep(100000);
	if (calls_active(service) < calls) {
		fprintf(stderr, "bench_calls: only %u of %u calls connected\n", calls_active(service),
			calls);
	}
	sleep(idle ? 20 : 3); /* the last calls' greetings start (idle: and end) */

	calls_get_stats(service, &before);
	(void)write(command[1], "s", 1);
	cpu0 = cpu_seconds();
	t0 = now_ns();
	for (unsigned s = 0; s < seconds; s++) {
		long rss;

		sleep(1);
		rss = rss_kib();
		if (rss > rss_peak) {
			rss_peak = rss;
			heap_peak = mallinfo2().uordblks;
		}
	}
	cpu1 = cpu_seconds();
	wall = (double)(now_ns() - t0) / 1e9;
	calls_get_stats(service, &after);
	(void)write(command[1], "e", 1);

	printf("mode %s, %u calls (%u connected during the measurement), %.1f s measured\n",
	       argv[1], calls, calls_active(service), wall);
	printf("CPU of the service: %.1f %% of one core (%.1f %% of the machine's %ld cores)\n",
	       100.0 * (cpu1 - cpu0) / wall, 100.0 * (cpu1 - cpu0) / wall / (double)sysconf(_SC_NPROCESSORS_ONLN),
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("resident memory: %ld KiB before the service, %ld KiB with its engines and prompt"
	       " cache, %ld KiB at the peak with the calls: %.0f KiB per call\n",
	       rss_start, rss_idle, rss_peak, (double)(rss_peak - rss_idle) / calls);
	printf("heap in use (malloc): %.0f KiB per call at the peak\n",
	       (double)(heap_peak - heap_idle) / 1024.0 / calls);
	print_replies(&before, &after);
	fflush(stdout);
	{
		char buffer[4096];
		ssize_t n;

		(void)write(command[1], "q", 1);
		close(command[1]);
		while ((n = read(report[0], buffer, sizeof(buffer))) > 0)
			fwrite(buffer, 1, (size_t)n, stdout);
	}
	sip_test_stop(sipp, 2000);
	sip_test_wait(probe, 10000);
	calls_stop(service);
	live_registry_destroy(live);
	free(utterance);
	return 0;
}
