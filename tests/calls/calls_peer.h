/*
 * The media side of a test caller: sipp carries the call's signalling and puts this
 * peer's port in its SDP, and the peer receives the assistant's RTP and sends the
 * caller's (G.711 A-law, and keys as RFC 4733 events) on a 20 ms schedule. It reacts to
 * what it hears: a test waits for the assistant to start or stop speaking, then speaks
 * or presses keys, and reads back when each received frame arrived and how loud it was.
 */
#ifndef PERMANENCE_CALLS_PEER_H
#define PERMANENCE_CALLS_PEER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A received frame above this level is the assistant speaking (comfort noise is -70). */
#define PEER_LOUD_DB (-45.0)
/* Frames kept of what was received: ten minutes. */
#define PEER_FRAMES_MAX 30000

struct peer_frame {
	int64_t arrival_ns; /* CLOCK_MONOTONIC */
	float level_db;
};

struct calls_peer {
	int fd;
	uint16_t port;
	pthread_t receiver, sender;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t changed;

	/* Received (under lock). */
	bool remote_known;
	uint8_t remote[32];      /* struct sockaddr_in of the assistant's RTP */
	size_t frame_count;
	struct peer_frame *frames;
	int16_t *heard;          /* decoded audio, PEER_FRAMES_MAX frames */
	int64_t last_loud_ns;

	/* To send (under lock). */
	int16_t *say;            /* queued caller audio */
	size_t say_count, say_pos, say_cap;
	char keys[32];           /* queued key presses */
	size_t key_count;
	bool silent;             /* send no RTP at all */
	int64_t speech_started_ns; /* when the last queued audio began to be sent */
};

/* Bind a UDP port on 127.0.0.1 and start the threads. Returns 0 or errno. */
int calls_peer_start(struct calls_peer *peer);
void calls_peer_stop(struct calls_peer *peer);

/* Queue caller audio (8 kHz PCM, copied); it is sent from the next frame. */
int calls_peer_say(struct calls_peer *peer, const int16_t *pcm, size_t count);
/* Queue one key press (RFC 4733, 100 ms). */
void calls_peer_press(struct calls_peer *peer, char key);
/* Wait until the queued audio and keys have been sent; false on timeout. */
bool calls_peer_wait_sent(struct calls_peer *peer, unsigned timeout_ms);

/* Wait until a loud frame arrives after `after_ns` (0: any); false on timeout. */
bool calls_peer_wait_speech(struct calls_peer *peer, int64_t after_ns, unsigned timeout_ms);
/*
 * Wait until the assistant has spoken and then stayed quiet for `quiet_ms`; false on
 * timeout. Returns at once when that is already so.
 */
bool calls_peer_wait_quiet(struct calls_peer *peer, unsigned quiet_ms, unsigned timeout_ms);

/* Frames received so far, and the arrival of the last loud one (0: none). */
size_t calls_peer_frames(struct calls_peer *peer);
int64_t calls_peer_last_loud_ns(struct calls_peer *peer);
/* Loud frames received between two instants. */
unsigned calls_peer_loud_between(struct calls_peer *peer, int64_t from_ns, int64_t to_ns);
/* Write what was received as a WAV file. */
int calls_peer_save(struct calls_peer *peer, const char *path);

int64_t calls_peer_now_ns(void);

#endif
