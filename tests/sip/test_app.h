/*
 * A test application on the SIP user agent: plays a WAV prompt when a call starts,
 * records the caller's audio to WAV, collects keypad digits, transfers the call on '0'
 * and hangs up on '#'. It keeps a log of each call that a test thread reads under a lock,
 * so a test can drive a call from a peer and then check what the application saw.
 */
#ifndef PERMANENCE_TEST_APP_H
#define PERMANENCE_TEST_APP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <re.h>

#include "recorder.h"
#include "sip.h"

#define TEST_APP_MAX_CALLS 64
#define TEST_APP_MAX_DIGITS 64

struct test_app_options {
	const char *prompt_wav;	 /* played when a call starts; NULL for none */
	const char *record_dir;	 /* caller audio to <dir>/call-<n>-caller.wav; NULL for none */
	char transfer_key;	 /* transfers to the configured target; 0 for none */
	char hangup_key;	 /* hangs up; 0 for none */
	char flush_key;		 /* flushes playback; 0 for none */
	unsigned hangup_after_ms; /* hangs up this long after the start; 0 for never */
	int reject_status;	 /* `offered` returns this (0 takes the call) */
};

/* What the application saw of one call. */
struct test_app_call {
	uint64_t number;
	char call_id[128];
	char caller[40];
	char called[40];
	enum sip_codec codec;
	bool late_offer;
	bool started;
	char digits[TEST_APP_MAX_DIGITS + 1];
	enum sip_digit_source sources[TEST_APP_MAX_DIGITS];
	unsigned audio_frames;
	double audio_peak;	  /* largest absolute sample received */
	unsigned loud_frames;	  /* frames with an RMS above -40 dBFS */
	unsigned marks_completed;
	unsigned marks_flushed;
	int transfer_status;	  /* -1 none, else enum sip_transfer_status */
	uint16_t transfer_scode;
	int end_reason;		  /* -1 while the call lasts, else enum sip_end_reason */
	bool recording;
	struct media_recorder recorder;
	struct sip_call *call;	  /* valid until the call ends (libre thread) */
	struct tmr hangup_tmr;	  /* libre thread */
};

struct test_app {
	struct test_app_options options;
	struct sip_ua *ua;
	pthread_mutex_t lock;
	struct test_app_call calls[TEST_APP_MAX_CALLS];
	unsigned count;
	int16_t *prompt;
	size_t prompt_samples;
};

/* Set up the application and fill `handler` with its callbacks. Returns 0 or errno. */
int test_app_init(struct test_app *app, const struct test_app_options *options,
		  struct sip_handler *handler);
void test_app_close(struct test_app *app);

/* Copy of the log of call `index` (in order of arrival); false when there is none. */
bool test_app_call(struct test_app *app, unsigned index, struct test_app_call *out);
unsigned test_app_count(struct test_app *app);

/* Wait until `count` calls have ended; false on timeout. */
bool test_app_wait_ended(struct test_app *app, unsigned count, unsigned timeout_ms);
/* Wait until call `index` has `digits` digits; false on timeout. */
bool test_app_wait_digits(struct test_app *app, unsigned index, unsigned digits,
			  unsigned timeout_ms);

#endif
