/*
 * A simulated call leg for tests and benchmarks: the assistant plays a prompt through a
 * media_queue, the caller's line carries the caller's audio plus an echo of what was
 * actually sent (so a paused prompt stops echoing), and the VAD and the barge-in object
 * run on every 20 ms frame exactly as the SIP layer wires them. With CALL_SIM_TRACE set
 * in the environment, every frame's level, threshold, ERL and decisions go to stderr.
 */
#ifndef PERMANENCE_TEST_CALL_SIM_H
#define PERMANENCE_TEST_CALL_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bargein.h"
#include "vad.h"

#define CALL_SIM_MAX_EVENTS 32

struct call_sim_config {
	const int16_t *prompt;       /* assistant audio, played from frame 0; NULL for none */
	size_t prompt_count;
	bool question;               /* the prompt is a question */
	const int16_t *caller;       /* the caller's side of the whole call */
	size_t caller_count;
	size_t echo_delay;           /* samples */
	double erl_db;               /* echo return loss; negative for no echo */
	const struct media_vad_settings *vad;          /* NULL for defaults */
	const struct media_bargein_settings *bargein;  /* NULL for defaults */
};

struct call_sim_utterance {
	size_t start_frame;          /* frame of SPEECH_START */
	size_t end_frame;            /* frame of SPEECH_END */
	bool delivered;
	enum media_vad_end end;
};

struct call_sim_result {
	size_t frames;
	long first_pause_frame;      /* -1 when none */
	long stop_frame;             /* -1 when none */
	unsigned pauses;
	unsigned resumes;
	size_t prompt_sent;          /* prompt samples that reached the caller */
	size_t prompt_flushed;
	unsigned utterances;
	unsigned delivered;
	struct call_sim_utterance utterance[CALL_SIM_MAX_EVENTS];
};

/* Run the call to the end of the caller's audio. Returns 0, EINVAL or ENOMEM. */
int call_sim_run(const struct call_sim_config *config, struct call_sim_result *result);

#endif
