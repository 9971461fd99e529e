/*
 * Voice activity and barge-in benchmark: runs the VAD and the barge-in object over the
 * corpus speech, synthesised speech, noise and coughs, and prints the tables of
 * docs/benchmarks.md ("Voice activity and barge-in").
 *
 * Usage: PERMANENCE_CORPUS_DIR=tests/corpus build/bench/media/bench_vad
 * Deterministic: the noise generators are seeded, so two runs print the same figures.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_util.h"
#include "call_sim.h"
#include "media.h"
#include "vad.h"

#define MAX_CLIPS 160
#define LEAD_MS 800
#define TAIL_MS 2500
#define SPEECH_DB (-24.0)

struct clip_set {
	struct audio_clip clip[MAX_CLIPS];
	char name[MAX_CLIPS][96];
	size_t count;
};

static void add_dir(struct clip_set *set, const char *relative)
{
	const char *root = getenv("PERMANENCE_CORPUS_DIR");
	char path[1024];
	struct dirent **entries;
	int n;

	snprintf(path, sizeof(path), "%s/%s", root ? root : "tests/corpus", relative);
	n = scandir(path, &entries, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = entries[i]->d_name;
		char file[1400];

		if (set->count < MAX_CLIPS && strstr(name, ".wav") && strncmp(name, "oov", 3)) {
			snprintf(file, sizeof(file), "%s/%s", path, name);
			if (audio_clip_load(&set->clip[set->count], file) == 0) {
				snprintf(set->name[set->count], sizeof(set->name[0]), "%.95s", name);
				set->count++;
			}
		}
		free(entries[i]);
	}
	free(entries);
}

static void add_fixture(struct clip_set *set, const char *name)
{
	if (set->count < MAX_CLIPS && audio_clip_fixture(&set->clip[set->count], name) == 0) {
		snprintf(set->name[set->count], sizeof(set->name[0]), "%.95s", name);
		set->count++;
	}
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(double *v, size_t n, double p)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), compare_double);
	return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

enum background { BG_QUIET, BG_PINK_20, BG_PINK_10, BG_LINE_20, BG_COUNT };
static const char *background_name[] = {
	"quiet line (-70 dBFS)", "pink noise, SNR 20 dB", "pink noise, SNR 10 dB",
	"mains hum and hiss, SNR 20 dB"};

static void add_background(int16_t *pcm, size_t count, enum background bg, uint32_t *seed)
{
	struct audio_clip noise;

	audio_clip_alloc(&noise, count);
	switch (bg) {
	case BG_QUIET:
		audio_white_noise(noise.pcm, count, -70.0, seed);
		break;
	case BG_PINK_20:
		audio_pink_noise(noise.pcm, count, SPEECH_DB - 20.0, seed);
		break;
	case BG_PINK_10:
		audio_pink_noise(noise.pcm, count, SPEECH_DB - 10.0, seed);
		break;
	case BG_LINE_20:
		audio_line_noise(noise.pcm, count, SPEECH_DB - 20.0, seed);
		break;
	case BG_COUNT:
		break;
	}
	audio_mix(pcm, count, 0, noise.pcm, count, 0.0);
	audio_clip_free(&noise);
}

/* One utterance on its own: onset and end-of-speech latency against the clean clip. */
static void vad_table(const struct clip_set *set)
{
	printf("| background | clips | detected | split | onset median / p90 (ms) | "
	       "end median / p90 (ms) |\n|---|---|---|---|---|---|\n");
	for (int bg = 0; bg < BG_COUNT; bg++) {
		double onset[MAX_CLIPS], end[MAX_CLIPS];
		size_t n = 0, split = 0;
		uint32_t seed = 7;

		for (size_t i = 0; i < set->count; i++) {
			const struct audio_clip *c = &set->clip[i];
			size_t lead = LEAD_MS * 8, total = lead + c->count + TAIL_MS * 8;
			size_t true_on = lead + audio_speech_onset(c->pcm, c->count);
			size_t true_off = lead + audio_speech_offset(c->pcm, c->count);
			struct audio_clip call;
			struct call_sim_config config = {0};
			struct call_sim_result r;

			audio_clip_alloc(&call, total);
			audio_mix(call.pcm, total, lead, c->pcm, c->count, 0.0);
			audio_set_active_db(call.pcm, total, SPEECH_DB);
			add_background(call.pcm, total, (enum background)bg, &seed);
			config.caller = call.pcm;
			config.caller_count = total;
			config.erl_db = -1.0;
			call_sim_run(&config, &r);
			if (r.utterances > 0) {
				const struct call_sim_utterance *u = &r.utterance[0];
				const struct call_sim_utterance *last = &r.utterance[r.utterances - 1];

				onset[n] = ((double)(u->start_frame + 1) * 160 - (double)true_on) / 8.0;
				end[n] = ((double)(last->end_frame + 1) * 160 - (double)true_off) / 8.0;
				n++;
				split += r.utterances > 1;
			}
			audio_clip_free(&call);
		}
		printf("| %s | %zu | %zu | %zu | %.0f / %.0f | %.0f / %.0f |\n",
		       background_name[bg], set->count, n, split, percentile(onset, n, 0.5),
		       percentile(onset, n, 0.9), percentile(end, n, 0.5), percentile(end, n, 0.9));
	}
}

struct echo_case {
	const char *name;
	size_t delay;
	double erl_db;
};

static const struct echo_case echo_cases[] = {
	{"no echo", 0, -1.0},
	{"echo 64 ms, ERL 20 dB", 512, 20.0},
	{"echo 160 ms, ERL 12 dB", 1280, 12.0},
	{"echo 32 ms, ERL 6 dB", 256, 6.0},
};

enum event_kind { EV_SENTENCE, EV_BACKCHANNEL, EV_COUGH, EV_CLICKS, EV_NONE };

/* The caller's line with one event at 2.5 s under a prompt, and background noise. */
static void build_caller(struct audio_clip *call, size_t total, enum event_kind kind,
			 const struct audio_clip *speech, uint32_t *seed, size_t *true_on)
{
	size_t at = 2500 * 8;
	struct audio_clip event = {0};

	audio_clip_alloc(call, total);
	audio_pink_noise(call->pcm, total, -62.0, seed);
	*true_on = at;
	switch (kind) {
	case EV_SENTENCE:
	case EV_BACKCHANNEL:
		audio_clip_alloc(&event, speech->count);
		memcpy(event.pcm, speech->pcm, speech->count * sizeof(int16_t));
		audio_set_active_db(event.pcm, event.count, SPEECH_DB);
		*true_on = at + audio_speech_onset(event.pcm, event.count);
		break;
	case EV_COUGH:
		audio_clip_alloc(&event, 3200);
		audio_cough(event.pcm, event.count, SPEECH_DB + 6.0, seed);
		break;
	case EV_CLICKS:
		audio_clip_alloc(&event, 8000);
		audio_clicks(event.pcm, event.count, 150, SPEECH_DB, seed);
		break;
	case EV_NONE:
		break;
	}
	if (event.pcm)
		audio_mix(call->pcm, total, at, event.pcm, event.count, 0.0);
	audio_clip_free(&event);
}

struct bargein_row {
	unsigned runs, paused, stopped, delivered_once, delivered_total;
	double pause_ms[MAX_CLIPS * 4], stop_ms[MAX_CLIPS * 4];
	size_t latencies;
};

static void run_bargein(const struct audio_clip *prompt, enum event_kind kind,
			const struct audio_clip *speech, const struct echo_case *e,
			struct bargein_row *row, uint32_t *seed)
{
	size_t total = prompt->count + 3 * 8000, true_on;
	struct audio_clip call;
	struct call_sim_config config = {0};
	struct call_sim_result r;

	build_caller(&call, total, kind, speech, seed, &true_on);
	config.prompt = prompt->pcm;
	config.prompt_count = prompt->count;
	config.caller = call.pcm;
	config.caller_count = total;
	config.echo_delay = e->delay;
	config.erl_db = e->erl_db;
	call_sim_run(&config, &r);
	row->runs++;
	row->paused += r.first_pause_frame >= 0;
	row->stopped += r.stop_frame >= 0;
	row->delivered_once += r.delivered == 1;
	row->delivered_total += r.delivered;
	if (r.first_pause_frame >= 0 && row->latencies < MAX_CLIPS * 4) {
		row->pause_ms[row->latencies] =
			((double)(r.first_pause_frame + 1) * 160 - (double)true_on) / 8.0;
		row->stop_ms[row->latencies] =
			r.stop_frame >= 0 ? ((double)(r.stop_frame + 1) * 160 - (double)true_on) / 8.0
					  : NAN;
		row->latencies++;
	}
	audio_clip_free(&call);
}

static void print_row(const char *event, const char *echo, struct bargein_row *row)
{
	double stops[MAX_CLIPS * 4];
	size_t n = 0;

	for (size_t i = 0; i < row->latencies; i++) {
		if (!isnan(row->stop_ms[i]))
			stops[n++] = row->stop_ms[i];
	}
	printf("| %s | %s | %u | %u | %u | %u | %.0f / %.0f | %.0f / %.0f |\n", event, echo,
	       row->runs, row->paused, row->stopped, row->delivered_total,
	       percentile(row->pause_ms, row->latencies, 0.5),
	       percentile(row->pause_ms, row->latencies, 0.9), percentile(stops, n, 0.5),
	       percentile(stops, n, 0.9));
}

static void bargein_table(const struct audio_clip *prompt, const struct clip_set *sentences,
			  const struct clip_set *backchannels)
{
	printf("| caller event under the prompt | echo | runs | paused | stopped | "
	       "utterances delivered | pause after onset, median / p90 (ms) | "
	       "stop after onset, median / p90 (ms) |\n|---|---|---|---|---|---|---|---|\n");
	for (size_t e = 0; e < sizeof(echo_cases) / sizeof(echo_cases[0]); e++) {
		struct bargein_row row;
		uint32_t seed = 11;

		memset(&row, 0, sizeof(row));
		for (size_t i = 0; i < sentences->count; i++)
			run_bargein(prompt, EV_SENTENCE, &sentences->clip[i], &echo_cases[e], &row,
				    &seed);
		print_row("sentence", echo_cases[e].name, &row);
		memset(&row, 0, sizeof(row));
		for (size_t i = 0; i < backchannels->count; i++)
			run_bargein(prompt, EV_BACKCHANNEL, &backchannels->clip[i], &echo_cases[e],
				    &row, &seed);
		print_row("backchannel", echo_cases[e].name, &row);
		memset(&row, 0, sizeof(row));
		for (int k = 0; k < 10; k++)
			run_bargein(prompt, EV_COUGH, NULL, &echo_cases[e], &row, &seed);
		print_row("cough, 0.4 s, 6 dB above speech", echo_cases[e].name, &row);
		memset(&row, 0, sizeof(row));
		for (int k = 0; k < 5; k++)
			run_bargein(prompt, EV_CLICKS, NULL, &echo_cases[e], &row, &seed);
		print_row("clicks, 1 s", echo_cases[e].name, &row);
		memset(&row, 0, sizeof(row));
		run_bargein(prompt, EV_NONE, NULL, &echo_cases[e], &row, &seed);
		print_row("nothing (echo only)", echo_cases[e].name, &row);
	}
}

int main(void)
{
	static struct clip_set corpus, sentences, backchannels;
	struct audio_clip prompt;
	static const char *sentence_fixtures[] = {"fr_request", "fr_move", "fr_stop", "fr_name",
						  "en_request", "en_stop"};
	static const char *backchannel_fixtures[] = {"fr_oui", "fr_ouais", "fr_daccord",
						     "fr_mm", "en_yes", "en_okay"};

	add_dir(&corpus, "audio/fsdd_digits_en_8k");
	add_dir(&corpus, "audio/speech_to_phrase_16k/fr");
	add_dir(&corpus, "audio/speech_to_phrase_16k/en");
	for (size_t i = 0; i < 6; i++)
		add_fixture(&corpus, sentence_fixtures[i]);
	for (size_t i = 0; i < 6; i++)
		add_fixture(&sentences, sentence_fixtures[i]);
	for (size_t i = 0; i < 6; i++)
		add_fixture(&backchannels, backchannel_fixtures[i]);
	/* Real recorded commands of two words or more interrupt as well. */
	for (size_t i = 0; i < corpus.count && sentences.count < 40; i++) {
		if (corpus.clip[i].count > 12000 && strchr(corpus.name[i], ' ')) {
			audio_clip_alloc(&sentences.clip[sentences.count], corpus.clip[i].count);
			memcpy(sentences.clip[sentences.count].pcm, corpus.clip[i].pcm,
			       corpus.clip[i].count * sizeof(int16_t));
			sentences.count++;
		}
	}
	if (corpus.count == 0 || audio_clip_fixture(&prompt, "prompt_greeting") != 0) {
		fprintf(stderr, "bench_vad: corpus or fixtures not found; set "
			"PERMANENCE_CORPUS_DIR and run from the source tree\n");
		return 1;
	}
	audio_set_active_db(prompt.pcm, prompt.count, -18.0);

	printf("### End of speech (VAD), %zu clips, speech at %.0f dBFS\n\n", corpus.count,
	       SPEECH_DB);
	vad_table(&corpus);
	printf("\n### Barge-in under a 10 s prompt at -18 dBFS, caller at %.0f dBFS\n\n",
	       SPEECH_DB);
	bargein_table(&prompt, &sentences, &backchannels);

	for (size_t i = 0; i < corpus.count; i++)
		audio_clip_free(&corpus.clip[i]);
	for (size_t i = 0; i < sentences.count; i++)
		audio_clip_free(&sentences.clip[i]);
	for (size_t i = 0; i < backchannels.count; i++)
		audio_clip_free(&backchannels.clip[i]);
	audio_clip_free(&prompt);
	return 0;
}
