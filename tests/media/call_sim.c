/* Simulated call leg: prompt queue, echo, VAD and barge-in, frame by frame. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call_sim.h"
#include "media.h"
#include "queue.h"

struct echo_line {
	int16_t *sent;        /* everything sent, for the delayed copy */
	size_t count;
	double gain;
	double state;         /* one-pole low-pass */
};

static int16_t saturate(double x)
{
	return (int16_t)lrint(fmax(-32768.0, fmin(32767.0, x)));
}

/* Caller frame number `f`: the caller's audio plus the echo of what was sent. */
static void caller_frame(const struct call_sim_config *c, struct echo_line *echo, size_t f,
			 int16_t *out)
{
	for (size_t i = 0; i < MEDIA_FRAME_SAMPLES; i++) {
		size_t t = f * MEDIA_FRAME_SAMPLES + i;
		double v = t < c->caller_count ? c->caller[t] : 0.0;

		if (echo->gain > 0.0) {
			double x = t >= c->echo_delay ? echo->sent[t - c->echo_delay] : 0.0;

			echo->state = 0.85 * x + 0.15 * echo->state;
			v += echo->state * echo->gain;
		}
		out[i] = saturate(v);
	}
}

static void record(struct call_sim_result *r, size_t f, const struct media_vad_result *v,
		   const struct media_bargein_decision *d)
{
	struct call_sim_utterance *u;

	if (v->event == MEDIA_VAD_SPEECH_START && r->utterances < CALL_SIM_MAX_EVENTS) {
		u = &r->utterance[r->utterances++];
		u->start_frame = f;
	}
	if (v->event == MEDIA_VAD_SPEECH_END && r->utterances > 0) {
		u = &r->utterance[r->utterances - 1];
		u->end_frame = f;
		u->end = v->end;
		u->delivered = d->deliver;
		r->delivered += d->deliver;
	}
	switch (d->action) {
	case MEDIA_BARGEIN_PAUSE:
		if (r->first_pause_frame < 0)
			r->first_pause_frame = (long)f;
		r->pauses++;
		break;
	case MEDIA_BARGEIN_RESUME:
		r->resumes++;
		break;
	case MEDIA_BARGEIN_STOP:
		if (r->stop_frame < 0)
			r->stop_frame = (long)f;
		break;
	case MEDIA_BARGEIN_NONE:
		break;
	}
}

int call_sim_run(const struct call_sim_config *c, struct call_sim_result *r)
{
	struct media_vad *vad = NULL;
	struct media_bargein *bargein = NULL;
	struct media_queue *queue = NULL;
	struct echo_line echo = {0};
	size_t frames = c->caller_count / MEDIA_FRAME_SAMPLES;
	bool paused = false, playing, share;
	int err;

	memset(r, 0, sizeof(*r));
	r->first_pause_frame = -1;
	r->stop_frame = -1;
	err = media_vad_create(&vad, c->vad);
	if (!err)
		err = media_bargein_create(&bargein, c->bargein);
	if (!err)
		err = media_queue_create(&queue, c->prompt_count ? c->prompt_count : 1);
	if (err)
		goto out;
	echo.sent = calloc(frames * MEDIA_FRAME_SAMPLES + 1, sizeof(int16_t));
	if (!echo.sent) {
		err = ENOMEM;
		goto out;
	}
	echo.gain = c->erl_db >= 0.0 ? pow(10.0, -c->erl_db / 20.0) : 0.0;
	if (c->prompt)
		media_queue_push(queue, c->prompt, c->prompt_count, NULL);
	playing = c->prompt != NULL;
	share = media_vad_settings_get(vad)->min_level_db <=
		media_bargein_settings_get(bargein)->min_level_db;

	for (size_t f = 0; f < frames; f++) {
		int16_t in[MEDIA_FRAME_SAMPLES], *out = echo.sent + f * MEDIA_FRAME_SAMPLES;
		struct media_playback playback = {0};
		struct media_vad_result v;
		struct media_bargein_decision d;
		bool sent = false;

		if (playing && !paused) {
			r->prompt_sent += media_queue_pop(queue, out, MEDIA_FRAME_SAMPLES);
			sent = true;
		}
		caller_frame(c, &echo, f, in);
		playback.prompt_active = playing;
		playback.question = c->question;
		playback.remaining_ms = (unsigned)(media_queue_level(queue) / 8);
		playback.sent = sent ? out : NULL;
		media_vad_process(vad, in, &v);
		/* As src/calls/line.c: one analysis of the frame when the settings allow it. */
		if (share)
			media_bargein_process_features(bargein, &v.features, &playback, v.event, &d);
		else
			media_bargein_process(bargein, in, &playback, v.event, &d);
		record(r, f, &v, &d);
		if (getenv("CALL_SIM_TRACE"))
			fprintf(stderr, "%4zu lvl %6.1f thr %6.1f erl %5.1f per %.2f %s %s %s\n", f,
				v.features.level_db, d.threshold_db, d.erl_db, v.features.periodicity,
				d.caller_voiced ? "V" : "-", media_vad_event_name(v.event),
				media_bargein_action_name(d.action));

		if (d.action == MEDIA_BARGEIN_PAUSE)
			paused = true;
		else if (d.action == MEDIA_BARGEIN_RESUME)
			paused = false;
		else if (d.action == MEDIA_BARGEIN_STOP)
			r->prompt_flushed += media_queue_flush(queue);
		if (playing && (d.action == MEDIA_BARGEIN_STOP || media_queue_level(queue) == 0)) {
			playing = false;
			paused = false;
		}
	}
	r->frames = frames;
out:
	free(echo.sent);
	media_queue_destroy(queue);
	media_bargein_destroy(bargein);
	media_vad_destroy(vad);
	return err;
}
