/* Noise and hold-music watchdog. */
#include <errno.h>
#include <string.h>

#include "watchdog.h"

int media_watchdog_init(struct media_watchdog *w, unsigned limit_ms, unsigned quiet_ms)
{
	if (limit_ms < MEDIA_WATCHDOG_LIMIT_MIN_MS || limit_ms > MEDIA_WATCHDOG_LIMIT_MAX_MS ||
	    quiet_ms < MEDIA_WATCHDOG_QUIET_MIN_MS || quiet_ms > MEDIA_WATCHDOG_QUIET_MAX_MS)
		return EINVAL;
	memset(w, 0, sizeof(*w));
	w->limit_frames = MEDIA_MS_TO_FRAMES(limit_ms);
	w->quiet_frames = MEDIA_MS_TO_FRAMES(quiet_ms);
	return 0;
}

static void clear(struct media_watchdog *w)
{
	w->busy = 0;
	w->speech = 0;
	w->voiced = 0;
}

bool media_watchdog_feed(struct media_watchdog *w, const struct media_vad_result *vad,
			 enum media_watchdog_kind *kind)
{
	bool in_utterance = vad->event == MEDIA_VAD_SPEECH_START ||
			    vad->event == MEDIA_VAD_SPEECH || vad->event == MEDIA_VAD_SPEECH_END;

	w->quiet = vad->speech_frame ? 0 : w->quiet + 1;
	if (w->quiet >= w->quiet_frames) {
		clear(w);
		return false;
	}
	if (w->busy == 0 && !in_utterance)
		return false;

	w->busy++;
	if (vad->speech_frame) {
		w->speech++;
		if (vad->features.periodicity >= 0.5)
			w->voiced++;
	}
	/* An utterance cut at the VAD's maximum length is no turn either. */
	if (w->busy < w->limit_frames &&
	    !(vad->event == MEDIA_VAD_SPEECH_END && vad->end == MEDIA_VAD_END_MAX_LENGTH))
		return false;
	*kind = 2 * w->voiced >= w->speech ? MEDIA_WATCHDOG_MUSIC : MEDIA_WATCHDOG_NOISE;
	w->reports++;
	clear(w);
	return true;
}

const char *media_watchdog_kind_name(enum media_watchdog_kind kind)
{
	switch (kind) {
	case MEDIA_WATCHDOG_NOISE:
		return "noise";
	case MEDIA_WATCHDOG_MUSIC:
		return "music";
	}
	return "unknown";
}
