/*
 * One call on the SIP loop thread: the caller's audio through voice activity, barge-in
 * and the noise watchdog; the assistant's speech played in order; keys, no-input and the
 * recording. Everything here runs on the libre thread, in the user agent's callbacks or
 * in tasks posted to it, so a struct line needs no lock.
 *
 * Playback. The user agent sends one 20 ms frame per tick from its own queue. A line
 * keeps the reply's audio itself and gives the user agent one frame at a time with a
 * mark after it: the mark fires when that frame has been sent, and the next frame goes
 * in then. Holding the audio here is what lets barge-in pause a prompt and resume it
 * where it stopped, and gives the barge-in detector the frame sent at each tick (its echo
 * estimate). The queue in the user agent never holds more than one frame.
 *
 * Per tick (the user agent's `audio` callback, before it sends the frame in flight):
 *   1. the VAD reads the caller's frame;
 *   2. barge-in weighs the caller's frame against the frame being sent: PAUSE stops
 *      feeding frames, RESUME feeds again, STOP drops the prompt and tells the dialogue;
 *      at the end of an utterance `deliver` sends it to recognition;
 *   3. the watchdog counts the busy line; a report is a silence for the dialogue;
 *   4. the recorder writes both frames.
 *
 * A reply arrives as a turn from the call's dialogue worker. Each sentence is
 * synthesised on the speech pool (the first sentence plays while the rest is made); a
 * transfer or the end waits for the audio before it to be sent.
 */
#include "calls_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <re.h>

#include "bargein.h"
#include "live.h"
#include "log.h"
#include "media.h"
#include "recorder.h"
#include "speech_pool.h"
#include "synth.h"
#include "vad.h"
#include "watchdog.h"

#define FRAME SIP_FRAME_SAMPLES
/* Synthesis runs until this much audio is ready ahead of what has been sent. */
#define LOOKAHEAD_SAMPLES (4u * SIP_AUDIO_RATE)
/* Longest reply kept for playback; past it the reply is cut. */
#define REPLY_MAX_SAMPLES (180u * SIP_AUDIO_RATE)
/* A sentence whose synthesis made no progress this long is skipped. */
#define SYNTH_TIMEOUT_MS 15000
/* Time between two keys of a date or a number before the keys are taken as given. */
#define DIGIT_TIMEOUT_MS 3000
#define HOUSEKEEPING_MS 1000
/* Playout delay of the user agent's jitter buffer (sip_config's default). */
#define JITTER_MS 60
/* A busy line this long without a pause is reported (music on hold, a crowd). */
#define WATCHDOG_LIMIT_MS 20000
#define WATCHDOG_QUIET_MS 1000
/* Without a recogniser, speech shorter than this is not taken as an answer. */
#define UNRECOGNISED_MIN_MS 300
/* Recognitions waiting per call; past it an utterance is dropped. */
#define RECOGNITIONS_MAX 4
/* Trailing silence the VAD keeps at the end of an utterance (vad.c's TAIL_FRAMES): an
 * early recognition is cut the same way, so it decodes the audio the end would give. */
#define VAD_TAIL_FRAMES 10

/* A synthesis job's way back to its sentence; owned by the segment. */
struct synth_ref {
	struct calls *calls;
	uint64_t number;
	uint64_t segment;
	enum media_codec codec;
	char call_id[CALLS_ID_MAX];
};

/* One thing to play or do, in order: a sentence's audio, a transfer, the end. */
struct segment {
	struct segment *next;
	uint64_t id;
	enum calls_item_kind kind;
	bool question;
	bool interruptible;
	char target[CALLS_TARGET_MAX];
	/* Synthesis runs a sentence at a time, a few seconds ahead of playback, so a call
	 * holds little audio whatever the length of the reply. */
	char *text;               /* the sentences not yet synthesised start at text_pos */
	size_t text_pos;
	enum nlu_lang lang;
	uint64_t job;             /* the sentence being synthesised, 0 when none */
	struct synth_ref *ref;
	bool done;                /* every sentence is here (or synthesis failed) */
	bool reply;               /* its first frame answers the caller's last utterance */
	/* NOTE: a copy of the prompt cache's audio for each call, the largest part of a
	 * call's memory (up to about 150 KB during a long sentence). */
	uint8_t *audio;           /* G.711 in the call's codec: half the memory of PCM */
	size_t count, cap;
	size_t pos;               /* samples handed to the user agent */
	int64_t progress_ms;      /* last synthesis progress */
};

/* An utterance sent to recognition; owned by the line. */
struct recognition {
	struct recognition *next;
	struct calls *calls;
	uint64_t number;
	uint64_t id;
	uint64_t job;
	char call_id[CALLS_ID_MAX];
	enum nlu_lang lang;
	enum nlu_expect expect;
	float min_confidence;     /* speech.asr_min_confidence when the call started */
	struct calls_grammar *grammar;
	bool retried;
	int16_t *samples;         /* kept for a retry without the question's phrases */
	size_t count;
	/* Early recognition: sent after calls.end_of_turn_ms of silence, before the VAD ends
	 * the turn. An accepted result ends the turn at once. Another result is kept, so the
	 * VAD's end of the turn needs no decode of its own. */
	bool early;
	bool final;               /* the turn has ended on this audio: deliver the result */
	struct recognized_msg *result; /* an early result waiting for the end of the turn */
};

struct line {
	struct line *next;        /* in the loop's list of calls */
	struct line **prev;
	struct calls *calls;
	struct sip_call *sip;
	uint64_t number;
	char id[CALLS_ID_MAX];
	struct calls_settings settings;
	struct calls_event *hangup; /* allocated up front: the end always reaches the worker */
	enum media_codec codec;   /* of the call: replies are kept in it */

	struct media_vad *vad;
	struct media_bargein *bargein;
	bool share_features;      /* the barge-in decides on the VAD's frame analysis */
	struct media_watchdog watchdog;
	struct media_recorder recorder;
	bool recording;
	bool heard;               /* the caller's frame of this tick was processed */
	int64_t last_speech_ms;   /* when the VAD last heard a speech frame */

	/* Playback. */
	struct segment *head;
	struct segment **tail;
	uint64_t next_segment;
	bool paused;
	bool inflight;
	uint64_t inflight_mark;
	int16_t inflight_pcm[FRAME];
	uint64_t next_mark;
	bool speaking;            /* for the dashboard */
	int64_t reply_from_ms;    /* the caller's end of speech awaiting a reply, or 0 */
	uint64_t reply_mark;

	/* The question being answered. */
	bool question;
	enum nlu_lang lang;
	enum nlu_expect expect;
	char keys[16];
	struct calls_grammar *grammar;
	char digits[DIALOGUE_DIGITS_MAX + 1];
	size_t digit_count;

	struct recognition *recognitions;
	uint64_t next_recognition;
	unsigned recognitions_waiting;
	struct recognition *early;  /* the early recognition of the utterance in progress */
	unsigned trailing_frames;   /* non-speech frames since the last speech frame */
	bool deliverable;           /* the utterance began in silence or stopped the prompt */

	struct tmr no_input_tmr;
	struct tmr digit_tmr;
	bool transferring;
	bool ending;
};

static void synthesize_ahead(struct line *l);

int64_t calls_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *lang_name(enum nlu_lang lang)
{
	return lang == NLU_LANG_EN ? "en" : "fr";
}

static struct line *line_of(struct calls *calls, uint64_t number)
{
	struct sip_call *call = sip_ua_call_find(calls->ua, number);

	return call ? sip_call_arg(call) : NULL;
}

/* ---- Events for the dialogue ---- */

static void push_dialogue(struct line *l, enum dialogue_event_kind kind, const char *text,
			  float confidence, const char *digits, bool transferred)
{
	struct calls_event *ev = calls_event_new(CALLS_EVENT_DIALOGUE, l->number);

	if (!ev) {
		log_err(CALLS_LOG, l->id, "out of memory: a %s event is lost",
			dialogue_event_name(kind));
		return;
	}
	ev->dialogue = kind;
	ev->confidence = confidence;
	ev->transferred = transferred;
	if (text && !(ev->text = strdup(text))) {
		calls_event_free(ev);
		log_err(CALLS_LOG, l->id, "out of memory: an utterance is lost");
		return;
	}
	if (digits)
		snprintf(ev->digits, sizeof(ev->digits), "%s", digits);
	calls_worker_push(l->calls, ev);
}

static void push_playback(struct line *l, const char *state)
{
	struct calls_event *ev;

	if (!l->calls->live)
		return;
	ev = calls_event_new(CALLS_EVENT_PLAYBACK, l->number);
	if (!ev)
		return;
	ev->live_state = state;
	calls_worker_push(l->calls, ev);
}

/* ---- No input ---- */

static void no_input_expired(void *arg)
{
	struct line *l = arg;

	if (l->ending || l->transferring)
		return;
	log_info(CALLS_LOG, l->id, "no answer within %u ms", l->settings.no_input_ms);
	CALLS_STAT(l->calls, silences);
	l->reply_from_ms = 0;
	push_dialogue(l, DIALOGUE_EVENT_SILENCE, NULL, 0, NULL, false);
}

static void no_input_start(struct line *l)
{
	if (l->ending || l->transferring || l->recognitions_waiting || l->digit_count)
		return;
	tmr_start(&l->no_input_tmr, l->settings.no_input_ms, no_input_expired, l);
}

static void no_input_cancel(struct line *l)
{
	tmr_cancel(&l->no_input_tmr);
}

/* ---- Playback ---- */

static void segment_free(struct calls *calls, struct segment *s)
{
	/* Once cancel returns, the job's callback is neither running nor will run. */
	if (s->job)
		(void)speech_pool_cancel(calls->pool, s->job);
	free(s->ref);
	free(s->text);
	free(s->audio);
	free(s);
}

static bool audio_pending(const struct line *l)
{
	for (const struct segment *s = l->head; s; s = s->next) {
		if (s->kind == CALLS_ITEM_SPEECH && (s->pos < s->count || !s->done))
			return true;
	}
	return false;
}

/* The assistant's side for barge-in at this tick. */
static void playback_state(const struct line *l, struct media_playback *pb)
{
	uint64_t remaining = 0;
	bool known = true;

	memset(pb, 0, sizeof(*pb));
	pb->prompt_active = l->inflight || l->paused || audio_pending(l);
	pb->sent = l->inflight ? l->inflight_pcm : NULL;
	for (const struct segment *s = l->head; s; s = s->next) {
		if (s->kind != CALLS_ITEM_SPEECH)
			continue;
		remaining += s->count - s->pos;
		if (!s->done)
			known = false;
		pb->question = s->question;
	}
	pb->remaining_ms = known ? (unsigned)(remaining * 1000 / SIP_AUDIO_RATE) : UINT32_MAX;
}

/* The prompt playing now may be cut by the caller (emergency instructions may not). */
static bool playing_interruptible(const struct line *l)
{
	for (const struct segment *s = l->head; s; s = s->next) {
		if (s->kind == CALLS_ITEM_SPEECH)
			return s->interruptible;
	}
	return true;
}

static void playback_finished(struct line *l)
{
	if (l->speaking) {
		l->speaking = false;
		push_playback(l, "listening");
	}
	no_input_start(l);
}

static void do_transfer(struct line *l, const struct segment *s)
{
	const char *target = l->settings.transfer_target[0] ? l->settings.transfer_target
							      : s->target;
	int err;

	if (!target[0]) {
		log_warning(CALLS_LOG, l->id, "transfer requested but no target is configured"
			    " (sip.transfer_target or the practice's transfer.target)");
		push_dialogue(l, DIALOGUE_EVENT_TRANSFERRED, NULL, 0, NULL, false);
		return;
	}
	err = sip_call_transfer(l->sip, target);
	if (err) {
		log_warning(CALLS_LOG, l->id, "transfer could not start: %s", strerror(err));
		push_dialogue(l, DIALOGUE_EVENT_TRANSFERRED, NULL, 0, NULL, false);
		return;
	}
	log_info(CALLS_LOG, l->id, "transferring the call");
	l->transferring = true;
	no_input_cancel(l);
}

/* Give the user agent the next frame, or do what follows the audio. */
static void feed(struct line *l)
{
	while (!l->inflight && !l->paused && l->head && !l->ending) {
		struct segment *s = l->head;

		if (s->kind == CALLS_ITEM_SPEECH) {
			size_t left = s->count - s->pos;
			/* A whole frame, or the last samples once the sentence is complete. */
			size_t n = 0;

			if (left >= FRAME)
				n = FRAME;
			else if (s->done)
				n = left;

			if (n == 0) {
				if (!s->done && !s->job) {
					synthesize_ahead(l); /* done when no sentence is left */
					if (s->done)
						continue;
				}
				if (!s->done)
					return; /* synthesis is behind: wait for the next sentence */
				l->head = s->next;
				if (!l->head)
					l->tail = &l->head;
				segment_free(l->calls, s);
				if (!l->head)
					playback_finished(l);
				synthesize_ahead(l);
				continue;
			}
			memset(l->inflight_pcm, 0, sizeof(l->inflight_pcm));
			(void)media_g711_decode(l->codec, s->audio + s->pos, n, l->inflight_pcm);
			if (sip_call_play(l->sip, l->inflight_pcm, FRAME) != 0 ||
			    sip_call_mark(l->sip, ++l->next_mark) != 0)
				return; /* the call is ending */
			s->pos += n;
			l->inflight = true;
			l->inflight_mark = l->next_mark;
			if (!l->speaking) {
				l->speaking = true;
				push_playback(l, "speaking");
			}
			if (s->reply && s->pos == n && l->reply_from_ms)
				l->reply_mark = l->inflight_mark;
			synthesize_ahead(l);
			return;
		}

		l->head = s->next;
		if (!l->head)
			l->tail = &l->head;
		if (s->kind == CALLS_ITEM_TRANSFER) {
			do_transfer(l, s);
			segment_free(l->calls, s);
			/* The dashboard shows the transfer; what is said next is a new prompt. */
			l->speaking = false;
			continue;
		}
		/* END: the goodbye has been sent. */
		segment_free(l->calls, s);
		l->ending = true;
		no_input_cancel(l);
		log_info(CALLS_LOG, l->id, "hanging up: the conversation is over");
		sip_call_hangup(l->sip);
		return;
	}
}

/* Drop the prompt (barge-in, a key): interruptible sentences go, transfer and end stay. */
static void playback_flush(struct line *l)
{
	struct segment **p = &l->head;

	if (!playing_interruptible(l))
		return;
	while (*p) {
		struct segment *s = *p;

		if (s->kind == CALLS_ITEM_SPEECH && s->interruptible) {
			*p = s->next;
			segment_free(l->calls, s);
			continue;
		}
		p = &s->next;
	}
	l->tail = &l->head;
	while (*l->tail)
		l->tail = &(*l->tail)->next;
	l->paused = false;
	if (!l->head && l->speaking) {
		l->speaking = false;
		push_playback(l, "listening");
	}
}

static void on_mark(struct sip_call *call, uint64_t mark, bool completed, void *arg)
{
	struct line *l = sip_call_arg(call);
	(void)arg;

	if (!l || !l->inflight || mark != l->inflight_mark)
		return;
	l->inflight = false;
	if (completed) {
		if (l->recording && !l->heard)
			(void)media_recorder_write(&l->recorder, NULL, l->inflight_pcm, FRAME);
		if (mark == l->reply_mark) {
			calls_stat_reply(l->calls, calls_monotonic_ms() - l->reply_from_ms);
			log_debug(CALLS_LOG, l->id, "replied %lld ms after the caller's end of speech",
				  (long long)(calls_monotonic_ms() - l->reply_from_ms));
			l->reply_from_ms = 0;
			l->reply_mark = 0;
		}
	}
	l->heard = false;
	feed(l);
}

/* ---- Synthesis ---- */

struct audio_msg {
	struct calls *calls;
	uint64_t number;
	uint64_t segment;
	int err;
	bool last;
	size_t count;
	uint8_t samples[];        /* G.711 */
};

static struct segment *segment_find(struct line *l, uint64_t id)
{
	for (struct segment *s = l->head; s; s = s->next) {
		if (s->id == id)
			return s;
	}
	return NULL;
}

static void audio_task(struct sip_ua *ua, void *arg)
{
	struct audio_msg *msg = arg;
	struct line *l = line_of(msg->calls, msg->number);
	struct segment *s = l ? segment_find(l, msg->segment) : NULL;
	(void)ua;

	if (!s) {
		free(msg); /* the prompt was flushed or the call is over */
		return;
	}
	s->progress_ms = calls_monotonic_ms();
	if (msg->count) {
		size_t want = s->count + msg->count;

		if (want > REPLY_MAX_SAMPLES) {
			log_warning(CALLS_LOG, l->id, "reply longer than %u s: cut",
				    REPLY_MAX_SAMPLES / SIP_AUDIO_RATE);
			want = REPLY_MAX_SAMPLES;
		}
		/* Played audio is dropped first, so the buffer holds what is still to come. */
		if (s->pos >= FRAME * 50 && want - s->pos <= s->cap / 2) {
			memmove(s->audio, s->audio + s->pos, s->count - s->pos);
			s->count -= s->pos;
			want -= s->pos;
			s->pos = 0;
		}
		if (want > s->cap) {
			size_t cap = want + want / 4;
			uint8_t *grown = realloc(s->audio, cap);

			if (grown) {
				s->audio = grown;
				s->cap = cap;
			} else {
				want = s->count;
				log_err(CALLS_LOG, l->id, "out of memory: part of the reply is lost");
			}
		}
		memcpy(s->audio + s->count, msg->samples, want - s->count);
		s->count = want;
	}
	if (msg->err) {
		CALLS_STAT(l->calls, synth_failures);
		log_warning(CALLS_LOG, l->id, "a sentence could not be synthesised: %s",
			    strerror(msg->err));
	}
	if (msg->last) {
		s->job = 0;
		free(s->ref);
		s->ref = NULL;
		if (msg->err)
			s->text_pos = strlen(s->text); /* the rest of the reply would fail alike */
	}
	free(msg);
	synthesize_ahead(l);
	feed(l);
}

/*
 * Post a task to the SIP loop from a worker thread. A full command list empties within
 * milliseconds, so wait a little for room (up to 200 ms) before giving up.
 */
static int post_retrying(struct calls *calls, sip_task_h *task, void *arg)
{
	int err = ENOBUFS;

	for (int attempt = 0; attempt < 100 && err == ENOBUFS; attempt++) {
		err = sip_ua_post(calls->ua, task, arg);
		if (err == ENOBUFS)
			usleep(2000);
	}
	return err;
}

/* Speech pool thread: hand one sentence's audio to the loop. */
static void synthesized(const struct speech_synth_event *event, void *arg)
{
	struct synth_ref *ref = arg;
	struct audio_msg *msg = malloc(sizeof(*msg) + event->count);
	int err = ENOMEM;

	if (msg) {
		msg->calls = ref->calls;
		msg->number = ref->number;
		msg->segment = ref->segment;
		msg->err = event->err;
		msg->last = event->last;
		msg->count = event->count;
		if (event->count)
			(void)media_g711_encode(ref->codec, event->samples, event->count, msg->samples);
		err = post_retrying(ref->calls, audio_task, msg);
		if (err)
			free(msg);
	}
	if (err && err != ESHUTDOWN)
		log_warning(CALLS_LOG, ref->call_id, "a sentence's audio is lost: %s", strerror(err));
}

/* Submit the segment's next sentence; without one, the segment is complete. */
static void synthesize_sentence(struct line *l, struct segment *s)
{
	char sentence[SPEECH_TEXT_MAX];
	const char *cursor = s->text + s->text_pos;
	int err;

	if (!speech_text_next_sentence(&cursor, sentence, sizeof(sentence))) {
		s->text_pos = strlen(s->text);
		s->done = true;
		return;
	}
	s->text_pos = (size_t)(cursor - s->text);
	s->progress_ms = calls_monotonic_ms();
	s->ref = calloc(1, sizeof(*s->ref));
	if (!s->ref) {
		s->done = true;
		return;
	}
	s->ref->calls = l->calls;
	s->ref->number = l->number;
	s->ref->segment = s->id;
	s->ref->codec = l->codec;
	snprintf(s->ref->call_id, sizeof(s->ref->call_id), "%s", l->id);
	err = speech_pool_synthesize(l->calls->pool, sentence, lang_name(s->lang), NULL, l->id,
				     synthesized, s->ref, &s->job);
	if (err) {
		free(s->ref);
		s->ref = NULL;
		s->job = 0;
		s->done = true;
		CALLS_STAT(l->calls, synth_failures);
		log_warning(CALLS_LOG, l->id, "synthesis in %s could not start: %s",
			    lang_name(s->lang), strerror(err));
	}
}

/*
 * Keep synthesis LOOKAHEAD_SAMPLES ahead of playback, one sentence at a time and the
 * segments in order, so that sentences arrive in the order they are said.
 */
static void synthesize_ahead(struct line *l)
{
	size_t ahead = 0;

	for (struct segment *s = l->head; s; s = s->next) {
		if (s->kind != CALLS_ITEM_SPEECH)
			continue;
		ahead += s->count - s->pos;
		if (s->done)
			continue;
		if (!s->job && ahead < LOOKAHEAD_SAMPLES)
			synthesize_sentence(l, s);
		if (!s->done)
			return; /* the next segment waits for this one */
	}
}

/* ---- Turns from the dialogue worker ---- */

static void turn_task(struct sip_ua *ua, void *arg)
{
	struct calls_turn *turn = arg;
	struct line *l = line_of(turn->calls, turn->number);
	(void)ua;

	if (!l || l->ending) {
		calls_turn_free(turn);
		return;
	}
	no_input_cancel(l);
	/* A prompt still paused by the caller's speech is answered by this turn. */
	if (l->paused)
		playback_flush(l);
	for (size_t i = 0; i < turn->count; i++) {
		struct calls_item *item = &turn->items[i];
		struct segment *s = calloc(1, sizeof(*s));

		if (!s) {
			log_err(CALLS_LOG, l->id, "out of memory: part of the reply is lost");
			continue;
		}
		s->id = ++l->next_segment;
		s->kind = item->kind;
		s->question = item->question;
		s->interruptible = item->interruptible;
		s->reply = i == 0;
		snprintf(s->target, sizeof(s->target), "%s", item->target);
		s->lang = item->lang;
		if (s->kind == CALLS_ITEM_SPEECH) {
			s->text = item->text; /* taken from the turn */
			item->text = NULL;
		}
		*l->tail = s;
		l->tail = &s->next;
	}
	synthesize_ahead(l);
	if (turn->has_question) {
		l->question = true;
		l->lang = turn->lang;
		l->expect = turn->expect;
		snprintf(l->keys, sizeof(l->keys), "%s", turn->keys);
		calls_grammar_release(l->grammar);
		l->grammar = turn->grammar;
		turn->grammar = NULL;
	}
	calls_turn_free(turn);
	if (!l->head)
		playback_finished(l);
	else
		feed(l);
}

int calls_line_post_turn(struct calls *calls, struct calls_turn *turn)
{
	int err = sip_ua_post(calls->ua, turn_task, turn);

	if (err)
		calls_turn_free(turn);
	return err;
}

/* ---- Recording ---- */

struct recording_msg {
	struct calls *calls;
	uint64_t number;
};

static void recording_task(struct sip_ua *ua, void *arg)
{
	struct recording_msg *msg = arg;
	struct line *l = line_of(msg->calls, msg->number);
	char caller[CONFIG_TEXT_MAX + 96], assistant[CONFIG_TEXT_MAX + 96];
	int err;
	(void)ua;

	free(msg);
	if (!l || l->recording)
		return;
	snprintf(caller, sizeof(caller), "%s/%s-caller.wav", l->calls->recordings_dir, l->id);
	snprintf(assistant, sizeof(assistant), "%s/%s-assistant.wav", l->calls->recordings_dir,
		 l->id);
	err = media_recorder_open(&l->recorder, caller, assistant, MEDIA_RECORDER_MAX_SECONDS);
	if (err == ENOENT && calls_make_dir(l->calls->recordings_dir) == 0)
		err = media_recorder_open(&l->recorder, caller, assistant,
					  MEDIA_RECORDER_MAX_SECONDS);
	if (err) {
		log_err(CALLS_LOG, l->id, "cannot record the call into %s: %s",
			l->calls->recordings_dir, strerror(err));
		return;
	}
	l->recording = true;
	log_info(CALLS_LOG, l->id, "recording into %s", l->calls->recordings_dir);
}

int calls_line_post_recording(struct calls *calls, uint64_t number, bool recording)
{
	struct recording_msg *msg;
	int err;

	if (!recording)
		return 0;
	msg = malloc(sizeof(*msg));
	if (!msg)
		return ENOMEM;
	msg->calls = calls;
	msg->number = number;
	err = sip_ua_post(calls->ua, recording_task, msg);
	if (err)
		free(msg);
	return err;
}

/* ---- Recognition ---- */

struct recognized_msg {
	struct calls *calls;
	uint64_t number;
	uint64_t id;
	int err;
	char error[160];
	float confidence;
	enum speech_verdict verdict;
	char text[SPEECH_TRANSCRIPT_MAX];
};

static void recognition_free(struct calls *calls, struct recognition *r)
{
	if (r->job)
		(void)speech_pool_cancel(calls->pool, r->job);
	calls_grammar_release(r->grammar);
	free(r->samples);
	free(r->result);
	free(r);
}

static void recognition_unlink(struct line *l, struct recognition *r)
{
	if (l->early == r)
		l->early = NULL;
	for (struct recognition **p = &l->recognitions; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			l->recognitions_waiting--;
			return;
		}
	}
}

/* Forget the early recognition: the caller speaks again, or the utterance is dropped. */
static void early_drop(struct line *l)
{
	struct recognition *r = l->early;

	if (!r)
		return;
	recognition_unlink(l, r);
	recognition_free(l->calls, r);
}

static void recognized(const struct speech_recog_event *event, void *arg);

static int recognition_submit(struct line *l, struct recognition *r, const int16_t *samples,
			      size_t count)
{
	const struct calls_grammar *g = r->grammar;
	struct speech_recog_request request = {
		.samples = samples,
		.count = count,
		.rate = SIP_AUDIO_RATE,
		.lang = lang_name(r->lang),
		.expectation = nlu_expect_name(r->expect),
		.call_id = l->id,
	};

	if (g && g->base && (r->retried || atomic_load(&g->extras_rejected)))
		g = g->base;
	request.grammar = g ? g->text : NULL;
	return speech_pool_recognize(l->calls->pool, &request, recognized, r, &r->job);
}

/* Tell the dialogue the caller said something that was not understood. */
static void not_understood(struct line *l)
{
	push_dialogue(l, DIALOGUE_EVENT_UTTERANCE, "", 0.0f, NULL, false);
}

/* Give a recognition's outcome to the dialogue. */
static void result_deliver(struct line *l, const struct recognized_msg *msg)
{
	float confidence;

	if (msg->err) {
		CALLS_STAT(l->calls, recognitions_failed);
		log_warning(CALLS_LOG, l->id, "recognition failed: %s (%s)", strerror(msg->err),
			    msg->error);
		not_understood(l);
		return;
	}
	/* Under speech.asr_min_confidence the dialogue checks what it heard. */
	confidence = msg->verdict == SPEECH_VERDICT_ACCEPTED ? msg->confidence : 0.0f;
	if (confidence > 1.0f)
		confidence = 1.0f;
	log_info(CALLS_LOG, l->id, "recognised %s (%s, confidence %.2f)",
		 msg->text[0] ? "words" : "nothing", speech_verdict_name(msg->verdict),
		 msg->confidence);
	log_debug(CALLS_LOG, l->id, "recognised \"%s\"", msg->text);
	push_dialogue(l, DIALOGUE_EVENT_UTTERANCE, msg->verdict == SPEECH_VERDICT_REJECTED ?
		      "" : msg->text, confidence, NULL, false);
}

/* The caller's turn is over and its recognition is under way: time the reply from the
 * last speech frame, which was sent JITTER_MS before the jitter buffer handed it over. */
static void turn_ended(struct line *l)
{
	CALLS_STAT(l->calls, utterances);
	l->reply_from_ms = l->last_speech_ms - JITTER_MS;
	l->reply_mark = 0;
}

static void recognized_task(struct sip_ua *ua, void *arg)
{
	struct recognized_msg *msg = arg;
	struct line *l = line_of(msg->calls, msg->number);
	struct recognition *r = NULL;
	(void)ua;

	for (struct recognition *p = l ? l->recognitions : NULL; p; p = p->next) {
		if (p->id == msg->id)
			r = p;
	}
	if (!r) {
		free(msg);
		return;
	}
	r->job = 0; /* completed */
	if (msg->err == EINVAL && r->grammar && r->grammar->base && !r->retried && r->samples) {
		/* A word the recogniser does not know: retry with the plain grammar. */
		atomic_store(&r->grammar->extras_rejected, true);
		log_notice(CALLS_LOG, l->id, "recognition grammar with the question's names"
			   " rejected (%s); using the plain one", msg->error);
		r->retried = true;
		if (recognition_submit(l, r, r->samples, r->count) == 0) {
			free(msg);
			return;
		}
	}
	if (r->early && !r->final) {
		if (msg->err || msg->verdict != SPEECH_VERDICT_ACCEPTED || !msg->text[0]) {
			/* Not a sure answer: the VAD's end of the turn decides, and this result
			 * serves it then, unless the caller speaks again. */
			r->result = msg;
			return;
		}
		/* A confident answer in the question's grammar: the turn ends now. */
		log_info(CALLS_LOG, l->id, "end of turn after %u ms of silence: the answer is"
			 " complete", l->trailing_frames * MEDIA_FRAME_MS);
		CALLS_STAT(l->calls, turns_ended_early);
		media_vad_reset(l->vad);
		l->trailing_frames = 0;
		turn_ended(l);
	}
	recognition_unlink(l, r);
	result_deliver(l, msg);
	recognition_free(l->calls, r);
	free(msg);
}

/* Speech pool thread: hand the result to the loop. */
static void recognized(const struct speech_recog_event *event, void *arg)
{
	struct recognition *r = arg;
	struct recognized_msg *msg = calloc(1, sizeof(*msg));
	int err = ENOMEM;

	if (msg) {
		msg->calls = r->calls;
		msg->number = r->number;
		msg->id = r->id;
		msg->err = event->err;
		snprintf(msg->error, sizeof(msg->error), "%s", event->error ? event->error : "");
		if (!event->err) {
			msg->verdict = speech_recog_verdict(event->result, r->min_confidence);
			msg->confidence = event->result->confidence;
			snprintf(msg->text, sizeof(msg->text), "%s", event->result->text);
		}
		err = post_retrying(r->calls, recognized_task, msg);
		if (err)
			free(msg);
	}
	if (err && err != ESHUTDOWN)
		log_warning(CALLS_LOG, r->call_id, "a recognition result is lost: %s",
			    strerror(err));
}

/* Send the utterance to recognition: the finished one, or with `early` the one in
 * progress, cut after VAD_TAIL_FRAMES of its trailing silence. */
static void deliver_utterance(struct line *l, const struct media_vad_result *vr, bool early)
{
	const int16_t *samples;
	size_t count;
	struct recognition *r;
	int err;

	if (media_vad_utterance(l->vad, &samples, &count) != 0 || count == 0)
		return;
	if (early && l->trailing_frames > VAD_TAIL_FRAMES) {
		size_t extra = (size_t)(l->trailing_frames - VAD_TAIL_FRAMES) * FRAME;

		count = count > extra ? count - extra : 0;
		if (count == 0)
			return;
	}
	if (l->recognitions_waiting >= RECOGNITIONS_MAX) {
		log_warning(CALLS_LOG, l->id, "%d recognitions still waiting: utterance dropped",
			    RECOGNITIONS_MAX);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return;
	r->calls = l->calls;
	r->number = l->number;
	r->id = ++l->next_recognition;
	snprintf(r->call_id, sizeof(r->call_id), "%s", l->id);
	r->lang = l->question ? l->lang : l->settings.lang;
	r->expect = l->question ? l->expect : NLU_EXPECT_OPEN;
	r->min_confidence = l->settings.asr_min_confidence;
	r->grammar = l->grammar;
	calls_grammar_ref(r->grammar);
	if (r->grammar && r->grammar->base && !atomic_load(&r->grammar->extras_rejected)) {
		r->samples = malloc(count * sizeof(int16_t));
		if (r->samples) {
			memcpy(r->samples, samples, count * sizeof(int16_t));
			r->count = count;
		}
	}
	err = recognition_submit(l, r, samples, count);
	if (err && early) {
		/* The end of the turn tries again and reports. */
		r->job = 0;
		recognition_free(l->calls, r);
		return;
	}
	if (err) {
		r->job = 0;
		if (err == ENOTSUP) {
			/* No recogniser for this language: the keypad is the way, and the
			 * dialogue's "not understood" path offers it. */
			if (vr->speech_ms >= UNRECOGNISED_MIN_MS) {
				log_info(CALLS_LOG, l->id, "speech in %s but no recogniser for it",
					 lang_name(r->lang));
				not_understood(l);
			} else {
				no_input_start(l);
			}
		} else {
			CALLS_STAT(l->calls, recognitions_failed);
			log_warning(CALLS_LOG, l->id, "recognition could not start: %s",
				    strerror(err));
			not_understood(l);
		}
		recognition_free(l->calls, r);
		return;
	}
	r->next = l->recognitions;
	l->recognitions = r;
	l->recognitions_waiting++;
	if (early) {
		r->early = true;
		l->early = r;
		return;
	}
	turn_ended(l);
}

/*
 * The VAD ended the turn. The early recognition of the same audio, when there is one,
 * stands for it: its result is given now if it is in, or when it comes.
 */
static void turn_end(struct line *l, const struct media_vad_result *vr)
{
	struct recognition *r = l->early;

	if (!r) {
		deliver_utterance(l, vr, false);
		return;
	}
	l->early = NULL;
	r->final = true;
	turn_ended(l);
	if (r->result) {
		struct recognized_msg *msg = r->result;

		r->result = NULL;
		recognition_unlink(l, r);
		result_deliver(l, msg);
		recognition_free(l->calls, r);
		free(msg);
	}
}

/*
 * Count the silence inside an utterance; after calls.end_of_turn_ms of it, send the
 * utterance so far to recognition while the VAD still waits. Only while the assistant is
 * silent and the question has a grammar: a grammar's confident match is what may end the
 * turn early, and barge-in decides only at the VAD's end.
 */
static void early_check(struct line *l, const struct media_vad_result *vr, bool prompt_active)
{
	unsigned early_frames = (l->settings.end_of_turn_ms + MEDIA_FRAME_MS - 1) / MEDIA_FRAME_MS;

	if (vr->event != MEDIA_VAD_SPEECH || vr->speech_frame) {
		l->trailing_frames = 0;
		if (vr->event != MEDIA_VAD_SPEECH_END)
			early_drop(l); /* speech again (or none): the early audio is stale */
		return;
	}
	l->trailing_frames++;
	if (early_frames == 0 || l->trailing_frames != early_frames || l->early || prompt_active ||
	    !l->deliverable || !l->grammar || l->ending || l->transferring)
		return;
	deliver_utterance(l, vr, true);
}

/* ---- Keys ---- */

static void digits_deliver(struct line *l)
{
	if (!l->digit_count)
		return;
	tmr_cancel(&l->digit_tmr);
	CALLS_STAT(l->calls, digits);
	l->reply_from_ms = 0;
	log_info(CALLS_LOG, l->id, "%zu key%s", l->digit_count, l->digit_count > 1 ? "s" : "");
	push_dialogue(l, DIALOGUE_EVENT_DIGITS, NULL, 0, l->digits, false);
	l->digit_count = 0;
	l->digits[0] = '\0';
}

static void digit_timeout(void *arg)
{
	digits_deliver(arg);
}

/* Whether the question takes several keys (a date, a number) rather than one. */
static bool entry_complete(const struct line *l)
{
	if (!l->question)
		return true;
	if (l->expect == NLU_EXPECT_BIRTH_DATE)
		return l->digit_count >= 8;
	if (l->expect == NLU_EXPECT_PHONE)
		return (l->digits[0] == '0' && l->digits[1] != '0' && l->digit_count >= 10) ||
		       l->digit_count >= 15;
	return true;
}

static void on_digit(struct sip_call *call, char digit, enum sip_digit_source source,
		     void *arg)
{
	struct line *l = sip_call_arg(call);
	(void)source;
	(void)arg;

	if (!l || l->ending || l->transferring)
		return;
	no_input_cancel(l);
	playback_flush(l);
	feed(l);
	if (digit == '#') {
		digits_deliver(l);
		return;
	}
	if (digit == '*') {
		digits_deliver(l);
		l->digits[0] = '*';
		l->digits[1] = '\0';
		l->digit_count = 1;
		digits_deliver(l);
		return;
	}
	if (digit < '0' || digit > '9')
		return; /* A to D: not on a phone's keypad */
	if (l->digit_count < DIALOGUE_DIGITS_MAX) {
		l->digits[l->digit_count++] = digit;
		l->digits[l->digit_count] = '\0';
	}
	if (entry_complete(l) || l->digit_count >= DIALOGUE_DIGITS_MAX)
		digits_deliver(l);
	else
		tmr_start(&l->digit_tmr, DIGIT_TIMEOUT_MS, digit_timeout, l);
}

/* ---- The caller's audio ---- */

static void on_audio(struct sip_call *call, const int16_t *pcm, size_t samples, void *arg)
{
	struct line *l = sip_call_arg(call);
	struct media_vad_result vr;
	struct media_playback pb;
	struct media_bargein_decision decision;
	enum media_watchdog_kind kind;
	(void)arg;

	if (!l || samples != FRAME)
		return;
	media_vad_process(l->vad, pcm, &vr);
	if (vr.speech_frame)
		l->last_speech_ms = calls_monotonic_ms();

	playback_state(l, &pb);
	/* The pitch search is most of the per-frame work: run it once, not twice. */
	if (l->share_features)
		media_bargein_process_features(l->bargein, &vr.features, &pb, vr.event, &decision);
	else
		media_bargein_process(l->bargein, pcm, &pb, vr.event, &decision);
	if (l->recording)
		(void)media_recorder_write(&l->recorder, pcm, pb.sent, FRAME);
	l->heard = true;

	if (!l->ending && !l->transferring && playing_interruptible(l)) {
		switch (decision.action) {
		case MEDIA_BARGEIN_PAUSE:
			l->paused = true;
			break;
		case MEDIA_BARGEIN_RESUME:
			l->paused = false;
			feed(l);
			break;
		case MEDIA_BARGEIN_STOP:
			log_info(CALLS_LOG, l->id, "barge-in: the caller speaks, prompt stopped");
			CALLS_STAT(l->calls, barge_ins);
			l->deliverable = true;
			playback_flush(l);
			push_dialogue(l, DIALOGUE_EVENT_BARGE_IN, NULL, 0, NULL, false);
			feed(l);
			break;
		default:
			break;
		}
	}

	if (vr.event == MEDIA_VAD_SPEECH_START) {
		log_debug(CALLS_LOG, l->id, "caller speech starts (prompt %s)",
			  pb.prompt_active ? "playing" : "silent");
		l->deliverable = !pb.prompt_active || decision.action == MEDIA_BARGEIN_STOP;
		no_input_cancel(l);
	}
	if (decision.action != MEDIA_BARGEIN_NONE)
		log_debug(CALLS_LOG, l->id, "barge-in: %s", media_bargein_action_name(decision.action));
	if (vr.event == MEDIA_VAD_SPEECH_END)
		log_debug(CALLS_LOG, l->id, "caller speech ends after %u ms of speech: %s",
			  vr.speech_ms, decision.deliver ? "to recognition" : "dropped");
	early_check(l, &vr, pb.prompt_active);
	if (vr.event == MEDIA_VAD_SPEECH_END && !l->ending && !l->transferring) {
		if (decision.deliver) {
			turn_end(l, &vr);
		} else {
			early_drop(l);
			if (!l->speaking && !l->head)
				no_input_start(l);
		}
	}
	if (media_watchdog_feed(&l->watchdog, &vr, &kind) && !l->ending && !l->transferring) {
		log_notice(CALLS_LOG, l->id, "%s on the line for %d s without a pause",
			   media_watchdog_kind_name(kind), WATCHDOG_LIMIT_MS / 1000);
		CALLS_STAT(l->calls, silences);
		push_dialogue(l, DIALOGUE_EVENT_SILENCE, NULL, 0, NULL, false);
	}
}

/* ---- Housekeeping ---- */

/* One timer for every call, on the loop thread: a timer per call would lengthen libre's
 * sorted timer list, which every 20 ms tick of every call walks. */
struct calls_loop {
	struct tmr housekeeping;
	bool running;
};

/* A sentence whose synthesis stalled is skipped, so the call goes on. */
static void synthesis_check(struct line *l, int64_t now)
{
	struct segment *s = l->head;

	if (!s || s->kind != CALLS_ITEM_SPEECH || !s->job || now - s->progress_ms <= SYNTH_TIMEOUT_MS)
		return;
	log_warning(CALLS_LOG, l->id, "synthesis made no progress for %d s: sentence skipped",
		    SYNTH_TIMEOUT_MS / 1000);
	CALLS_STAT(l->calls, synth_failures);
	(void)speech_pool_cancel(l->calls->pool, s->job);
	s->job = 0;
	free(s->ref);
	s->ref = NULL;
	feed(l);
}

static void housekeeping(void *arg)
{
	struct calls *calls = arg;
	struct calls_loop *loop = calls->loop;
	int64_t now = calls_monotonic_ms();

	for (struct line *l = calls->lines; l; l = l->next)
		synthesis_check(l, now);
	if (calls->lines)
		tmr_start(&loop->housekeeping, HOUSEKEEPING_MS, housekeeping, calls);
	else
		loop->running = false;
}

static void housekeeping_start(struct calls *calls)
{
	struct calls_loop *loop = calls->loop;

	if (loop->running)
		return;
	loop->running = true;
	tmr_start(&loop->housekeeping, HOUSEKEEPING_MS, housekeeping, calls);
}

/* ---- Call lifetime ---- */

static void line_free(struct line *l)
{
	tmr_cancel(&l->no_input_tmr);
	tmr_cancel(&l->digit_tmr);
	while (l->head) {
		struct segment *s = l->head;

		l->head = s->next;
		segment_free(l->calls, s);
	}
	while (l->recognitions) {
		struct recognition *r = l->recognitions;

		l->recognitions = r->next;
		recognition_free(l->calls, r);
	}
	if (l->recording && media_recorder_close(&l->recorder) != 0)
		log_err(CALLS_LOG, l->id, "the recording could not be finished");
	calls_grammar_release(l->grammar);
	media_vad_destroy(l->vad);
	media_bargein_destroy(l->bargein);
	calls_event_free(l->hangup);
	free(l);
}

static int on_offered(struct sip_call *call, const struct sip_call_info *info, void *arg)
{
	struct calls *calls = arg;
	struct calls_event *create = NULL;
	struct line *l = NULL;
	uint64_t number = sip_call_number(call);

	if (atomic_load(&calls->stopping))
		return 503;
	l = calloc(1, sizeof(*l));
	if (!l)
		return 503;
	calls_settings_get(calls, &l->settings);
	if (atomic_load(&calls->active) >= l->settings.max_calls) {
		log_notice(CALLS_LOG, NULL, "%u calls in progress (sip.max_calls): call refused",
			   l->settings.max_calls);
		calls_stat_add(calls, offsetof(struct calls_stats, rejected), 1);
		free(l);
		return 503;
	}
	l->calls = calls;
	l->sip = call;
	l->number = number;
	l->tail = &l->head;
	l->lang = l->settings.lang;
	l->codec = info->codec == SIP_CODEC_PCMU ? MEDIA_CODEC_PCMU : MEDIA_CODEC_PCMA;
	snprintf(l->id, sizeof(l->id), "sip-%lld-%ld-%llu", (long long)time(NULL), calls->pid,
		 (unsigned long long)number);
	tmr_init(&l->no_input_tmr);
	tmr_init(&l->digit_tmr);
	l->hangup = calls_event_new(CALLS_EVENT_HANGUP, number);
	create = calls_event_new(CALLS_EVENT_CREATE, number);
	if (!l->hangup || !create || media_vad_create(&l->vad, NULL) != 0 ||
	    media_bargein_create(&l->bargein, NULL) != 0 ||
	    media_watchdog_init(&l->watchdog, WATCHDOG_LIMIT_MS, WATCHDOG_QUIET_MS) != 0) {
		log_err(CALLS_LOG, l->id, "out of memory: call refused");
		calls_event_free(create);
		line_free(l);
		calls_stat_add(calls, offsetof(struct calls_stats, rejected), 1);
		return 503;
	}
	l->share_features = media_vad_settings_get(l->vad)->min_level_db <=
			    media_bargein_settings_get(l->bargein)->min_level_db;
	snprintf(create->info.call_id, sizeof(create->info.call_id), "%s", l->id);
	snprintf(create->info.caller, sizeof(create->info.caller), "%s", info->caller);
	snprintf(create->info.called, sizeof(create->info.called), "%s", info->called);
	create->info.settings = l->settings;

	sip_call_set_arg(call, l);
	l->next = calls->lines;
	if (l->next)
		l->next->prev = &l->next;
	l->prev = &calls->lines;
	calls->lines = l;
	atomic_fetch_add(&calls->active, 1);
	CALLS_STAT(calls, offered);
	calls_stat_add(calls, offsetof(struct calls_stats, records_pending), 1);
	log_info(CALLS_LOG, l->id, "call offered (SIP Call-ID %s, %s, caller number %s)",
		 info->call_id, sip_codec_name(info->codec), info->caller[0] ? "known" : "withheld");
	calls_worker_push(calls, create);
	housekeeping_start(calls);
	return 0;
}

static void on_started(struct sip_call *call, void *arg)
{
	struct line *l = sip_call_arg(call);
	(void)arg;

	if (!l)
		return;
	log_info(CALLS_LOG, l->id, "call answered");
	push_dialogue(l, DIALOGUE_EVENT_START, NULL, 0, NULL, false);
}

static void on_transfer(struct sip_call *call, const struct sip_transfer_result *result,
			void *arg)
{
	struct line *l = sip_call_arg(call);
	bool ok = result->status == SIP_TRANSFER_SUCCEEDED;
	(void)arg;

	if (!l)
		return;
	l->transferring = false;
	log_info(CALLS_LOG, l->id, "transfer %s (SIP status %u)", ok ? "succeeded" : "failed",
		 result->scode);
	push_dialogue(l, DIALOGUE_EVENT_TRANSFERRED, NULL, 0, NULL, ok);
}

static void on_ended(struct sip_call *call, enum sip_end_reason reason, void *arg)
{
	struct line *l = sip_call_arg(call);
	struct calls *calls;
	(void)arg; /* the call's argument, as for every callback but `offered` */

	if (!l)
		return;
	calls = l->calls;
	sip_call_set_arg(call, NULL);
	*l->prev = l->next;
	if (l->next)
		l->next->prev = l->prev;
	log_info(CALLS_LOG, l->id, "call ended: %s", sip_end_reason_name(reason));
	calls_worker_push(calls, l->hangup);
	l->hangup = NULL;
	l->sip = NULL;
	line_free(l);
	if (!calls->lines) {
		tmr_cancel(&calls->loop->housekeeping);
		calls->loop->running = false;
	}
	atomic_fetch_sub(&calls->active, 1);
	CALLS_STAT(calls, ended);
}

int calls_line_handler(struct calls *calls, struct sip_handler *handler)
{
	struct calls_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return ENOMEM;
	tmr_init(&loop->housekeeping);
	calls->loop = loop;
	memset(handler, 0, sizeof(*handler));
	handler->offered = on_offered;
	handler->started = on_started;
	handler->audio = on_audio;
	handler->digit = on_digit;
	handler->mark = on_mark;
	handler->transfer = on_transfer;
	handler->ended = on_ended;
	handler->arg = calls;
	return 0;
}

void calls_line_release(struct calls *calls)
{
	/* The loop has ended: its last call's end stopped the timer. */
	free(calls->loop);
	calls->loop = NULL;
}

/* ---- Stop ---- */

static void hangup_all_task(struct sip_ua *ua, void *arg)
{
	struct calls *calls = arg;
	unsigned count = 0;
	(void)ua;

	for (struct line *l = calls->lines; l; l = l->next) {
		if (l->sip && !l->ending) {
			l->ending = true;
			sip_call_hangup(l->sip);
			count++;
		}
	}
	log_notice(CALLS_LOG, NULL, "grace period over: %u calls hung up", count);
}

int calls_line_hangup_all(struct calls *calls)
{
	return sip_ua_post(calls->ua, hangup_all_task, calls);
}
