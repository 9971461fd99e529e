/*
 * The test caller's media: see calls_peer.h.
 */
#include "calls_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "media.h"
#include "tone.h"
#include "wav.h"

#define FRAME 160
#define PT_PCMA 8
#define PT_EVENT 101
/* Key press: five event packets, the last three repeated with the end bit. */
#define KEY_PACKETS 5
#define LINE_NOISE_DB (-60.0)

int64_t calls_peer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double level_db(const int16_t *pcm, size_t count)
{
	double energy = 0;

	for (size_t i = 0; i < count; i++)
		energy += (double)pcm[i] * pcm[i];
	energy /= (double)count;
	return energy > 0 ? 10.0 * log10(energy / (32768.0 * 32768.0)) : -100.0;
}

static void *receive_main(void *arg)
{
	struct calls_peer *peer = arg;
	uint8_t packet[2048];

	while (peer->running) {
		struct pollfd pfd = {peer->fd, POLLIN, 0};
		struct sockaddr_in from;
		socklen_t from_len = sizeof(from);
		ssize_t n;
		size_t header;
		int16_t pcm[FRAME];
		int64_t now;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(peer->fd, packet, sizeof(packet), 0, (struct sockaddr *)&from,
			     &from_len);
		now = calls_peer_now_ns();
		if (n < 12 || (packet[0] >> 6) != 2)
			continue;
		header = 12 + 4 * (size_t)(packet[0] & 0x0f);
		if ((packet[1] & 0x7f) != PT_PCMA || (size_t)n != header + FRAME)
			continue;
		media_g711_decode(MEDIA_CODEC_PCMA, packet + header, FRAME, pcm);

		pthread_mutex_lock(&peer->lock);
		if (!peer->remote_known) {
			memcpy(peer->remote, &from, sizeof(from));
			peer->remote_known = true;
		}
		if (peer->frame_count < PEER_FRAMES_MAX) {
			struct peer_frame *f = &peer->frames[peer->frame_count];

			f->arrival_ns = now;
			f->level_db = (float)level_db(pcm, FRAME);
			memcpy(peer->heard + peer->frame_count * FRAME, pcm, sizeof(pcm));
			if (f->level_db > PEER_LOUD_DB)
				peer->last_loud_ns = now;
			peer->frame_count++;
		}
		pthread_cond_broadcast(&peer->changed);
		pthread_mutex_unlock(&peer->lock);
	}
	return NULL;
}

static void put_header(uint8_t *p, bool marker, uint8_t pt, uint16_t seq, uint32_t ts,
		       uint32_t ssrc)
{
	p[0] = 0x80;
	p[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}

static int key_event(char key)
{
	if (key >= '0' && key <= '9')
		return key - '0';
	return key == '*' ? 10 : key == '#' ? 11 : -1;
}

static void *send_main(void *arg)
{
	struct calls_peer *peer = arg;
	struct media_comfort_noise noise;
	struct timespec next;
	uint32_t ssrc = 0x5eed0001, ts = 1000;
	uint16_t seq = 1;
	int key_frame = -1; /* frame of the key press being sent, -1 none */
	int event = 0;
	uint32_t key_ts = 0;

	media_comfort_noise_init(&noise, LINE_NOISE_DB, 7);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (peer->running) {
		uint8_t packet[12 + FRAME];
		int16_t pcm[FRAME];
		struct sockaddr_in to;
		bool send_it, silent;
		size_t len = 12 + FRAME;

		next.tv_nsec += 20000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);

		pthread_mutex_lock(&peer->lock);
		send_it = peer->remote_known;
		silent = peer->silent;
		memcpy(&to, peer->remote, sizeof(to));
		if (key_frame < 0 && peer->key_count) {
			event = key_event(peer->keys[0]);
			memmove(peer->keys, peer->keys + 1, --peer->key_count);
			key_frame = 0;
			key_ts = ts;
		}
		media_comfort_noise_fill(&noise, pcm, FRAME);
		if (key_frame < 0 && peer->say_pos < peer->say_count) {
			size_t n = peer->say_count - peer->say_pos;

			if (n > FRAME)
				n = FRAME;
			if (peer->say_pos == 0)
				peer->speech_started_ns = calls_peer_now_ns();
			memcpy(pcm, peer->say + peer->say_pos, n * sizeof(int16_t));
			peer->say_pos += n;
			if (peer->say_pos == peer->say_count)
				peer->say_count = peer->say_pos = 0;
		}
		pthread_cond_broadcast(&peer->changed);
		pthread_mutex_unlock(&peer->lock);

		if (key_frame >= 0 && event >= 0) {
			bool end = key_frame >= KEY_PACKETS - 1;
			uint16_t duration = (uint16_t)(FRAME * (key_frame + 1));

			put_header(packet, key_frame == 0, PT_EVENT, seq, key_ts, ssrc);
			packet[12] = (uint8_t)event;
			packet[13] = (uint8_t)((end ? 0x80 : 0) | 10);
			packet[14] = (uint8_t)(duration >> 8);
			packet[15] = (uint8_t)duration;
			len = 16;
			/* The end packet goes three times, as RFC 4733 asks. */
			for (int copy = 0; send_it && !silent && copy < (end ? 3 : 1); copy++) {
				put_header(packet, key_frame == 0, PT_EVENT, seq++, key_ts, ssrc);
				(void)sendto(peer->fd, packet, len, 0, (struct sockaddr *)&to, sizeof(to));
			}
			key_frame = end ? -1 : key_frame + 1;
		} else {
			key_frame = -1;
			put_header(packet, false, PT_PCMA, seq++, ts, ssrc);
			media_g711_encode(MEDIA_CODEC_PCMA, pcm, FRAME, packet + 12);
			if (send_it && !silent)
				(void)sendto(peer->fd, packet, len, 0, (struct sockaddr *)&to, sizeof(to));
		}
		ts += FRAME;
	}
	return NULL;
}

int calls_peer_start(struct calls_peer *peer)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);

	memset(peer, 0, sizeof(*peer));
	peer->frames = calloc(PEER_FRAMES_MAX, sizeof(*peer->frames));
	peer->heard = calloc((size_t)PEER_FRAMES_MAX * FRAME, sizeof(int16_t));
	if (!peer->frames || !peer->heard)
		return ENOMEM;
	peer->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (peer->fd < 0)
		return errno;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(peer->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    getsockname(peer->fd, (struct sockaddr *)&addr, &len) != 0)
		return errno;
	peer->port = ntohs(addr.sin_port);
	pthread_mutex_init(&peer->lock, NULL);
	pthread_cond_init(&peer->changed, NULL);
	peer->running = true;
	if (pthread_create(&peer->receiver, NULL, receive_main, peer) != 0 ||
	    pthread_create(&peer->sender, NULL, send_main, peer) != 0)
		return EAGAIN;
	return 0;
}

void calls_peer_stop(struct calls_peer *peer)
{
	if (peer->running) {
		peer->running = false;
		pthread_join(peer->receiver, NULL);
		pthread_join(peer->sender, NULL);
		pthread_cond_destroy(&peer->changed);
		pthread_mutex_destroy(&peer->lock);
	}
	if (peer->fd > 0)
		close(peer->fd);
	free(peer->frames);
	free(peer->heard);
	free(peer->say);
	memset(peer, 0, sizeof(*peer));
}

int calls_peer_say(struct calls_peer *peer, const int16_t *pcm, size_t count)
{
	int err = 0;

	pthread_mutex_lock(&peer->lock);
	if (peer->say_count + count > peer->say_cap) {
		size_t cap = peer->say_count + count;
		int16_t *grown = realloc(peer->say, cap * sizeof(int16_t));

		if (grown) {
			peer->say = grown;
			peer->say_cap = cap;
		} else {
			err = ENOMEM;
		}
	}
	if (!err) {
		memcpy(peer->say + peer->say_count, pcm, count * sizeof(int16_t));
		peer->say_count += count;
	}
	pthread_mutex_unlock(&peer->lock);
	return err;
}

void calls_peer_press(struct calls_peer *peer, char key)
{
	pthread_mutex_lock(&peer->lock);
	if (peer->key_count < sizeof(peer->keys))
		peer->keys[peer->key_count++] = key;
	pthread_mutex_unlock(&peer->lock);
}

static struct timespec deadline_after(unsigned ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_nsec -= 1000000000;
		ts.tv_sec++;
	}
	return ts;
}

bool calls_peer_wait_sent(struct calls_peer *peer, unsigned timeout_ms)
{
	struct timespec deadline = deadline_after(timeout_ms);
	bool done;

	pthread_mutex_lock(&peer->lock);
	while (!(done = peer->say_count == 0 && peer->key_count == 0))
		if (pthread_cond_timedwait(&peer->changed, &peer->lock, &deadline) == ETIMEDOUT)
			break;
	done = peer->say_count == 0 && peer->key_count == 0;
	pthread_mutex_unlock(&peer->lock);
	/* The last key's packets go out over the next frames. */
	usleep(200000);
	return done;
}

bool calls_peer_wait_speech(struct calls_peer *peer, int64_t after_ns, unsigned timeout_ms)
{
	struct timespec deadline = deadline_after(timeout_ms);
	bool heard;

	pthread_mutex_lock(&peer->lock);
	while (!(heard = peer->last_loud_ns > after_ns))
		if (pthread_cond_timedwait(&peer->changed, &peer->lock, &deadline) == ETIMEDOUT)
			break;
	heard = peer->last_loud_ns > after_ns;
	pthread_mutex_unlock(&peer->lock);
	return heard;
}

bool calls_peer_wait_quiet(struct calls_peer *peer, unsigned quiet_ms, unsigned timeout_ms)
{
	int64_t end = calls_peer_now_ns() + (int64_t)timeout_ms * 1000000;

	for (;;) {
		int64_t now = calls_peer_now_ns(), last;

		pthread_mutex_lock(&peer->lock);
		last = peer->last_loud_ns;
		pthread_mutex_unlock(&peer->lock);
		if (last && now - last >= (int64_t)quiet_ms * 1000000)
			return true;
		if (now > end)
			return false;
		usleep(20000);
	}
}

size_t calls_peer_frames(struct calls_peer *peer)
{
	size_t count;

	pthread_mutex_lock(&peer->lock);
	count = peer->frame_count;
	pthread_mutex_unlock(&peer->lock);
	return count;
}

int64_t calls_peer_last_loud_ns(struct calls_peer *peer)
{
	int64_t last;

	pthread_mutex_lock(&peer->lock);
	last = peer->last_loud_ns;
	pthread_mutex_unlock(&peer->lock);
	return last;
}

unsigned calls_peer_loud_between(struct calls_peer *peer, int64_t from_ns, int64_t to_ns)
{
	unsigned loud = 0;

	pthread_mutex_lock(&peer->lock);
	for (size_t i = 0; i < peer->frame_count; i++) {
		const struct peer_frame *f = &peer->frames[i];

		if (f->arrival_ns >= from_ns && f->arrival_ns < to_ns && f->level_db > PEER_LOUD_DB)
			loud++;
	}
	pthread_mutex_unlock(&peer->lock);
	return loud;
}

int calls_peer_save(struct calls_peer *peer, const char *path)
{
	int err;

	pthread_mutex_lock(&peer->lock);
	err = wav_write_file(path, peer->heard, peer->frame_count * FRAME, 8000);
	pthread_mutex_unlock(&peer->lock);
	return err;
}
