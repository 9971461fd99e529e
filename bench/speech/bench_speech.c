/*
 * Speech benchmarks: recognition real-time factor per stream (grammar and open model),
 * decoder memory, grammar compilation against switching, synthesis speed, and pool
 * throughput, and the answers to the open question ("how can I help you?") decoded with
 * its grammar, as the calls service does. Bounded: about a minute on two cores. Run from
 * a release build:
 *   build-rel/bench/bench_speech [CORPUS_DIR] [question|turns]
 * With "question", only the open question runs (a few seconds). With "turns", only the
 * early end of turns (calls.end_of_turn_ms) on the corpus recordings (about a minute).
 * Medians of repeated runs; every figure comes from one run of this program.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "nlu.h"
#include "recog.h"
#include "speech_pool.h"
#include "synth.h"
#include "vad.h"
#include "wav.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long resident_kb(void)
{
	long total = 0, resident = 0;
	FILE *file = fopen("/proc/self/statm", "r");

	if (!file)
		return -1;
	if (fscanf(file, "%ld %ld", &total, &resident) != 2)
		resident = -1;
	fclose(file);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *values, size_t count)
{
	qsort(values, count, sizeof(values[0]), compare_doubles);
	return count ? values[count / 2] : 0.0;
}

static const char *digits_grammar =
	"#JSGF V1.0; grammar digits; public <digit> = zero | oh | one | two | three | four | "
	"five | six | seven | eight | nine;";

static int load(const char *corpus, const char *name, struct wav_audio *audio)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/audio/%s", corpus, name);
	if (wav_read_file(audio, path) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	return 0;
}

static void bench_memory(void)
{
	struct speech_recog_config config;
	struct speech_recog *first, *second;
	long base, one, two;

	speech_recog_config_init(&config);
	base = resident_kb();
	if (speech_recog_create(&first, "pocketsphinx", &config) != 0)
		return;
	one = resident_kb();
	if (speech_recog_create(&second, "pocketsphinx", &config) != 0) {
		speech_recog_destroy(first);
		return;
	}
	two = resident_kb();
	printf("decoder memory: first %ld KiB, second %ld KiB (resident, grammar searches only)\n",
	       one - base, two - one);
	speech_recog_destroy(second);
	speech_recog_destroy(first);
}

static void bench_grammar(const struct wav_audio *digit)
{
	struct speech_recog_config config;
	struct speech_recog *recog;
	struct speech_recog_result result;
	struct speech_recog_request request = {digit->samples, digit->count, digit->rate, "en",
					       "digits", digits_grammar, NULL, NULL};
	double decode[21], compile[11];
	char grammar[512];

	speech_recog_config_init(&config);
	config.ps_grammar_cache = 4;
	if (speech_recog_create(&recog, "pocketsphinx", &config) != 0)
		return;
	speech_recog_run(recog, &request, &result); /* compiles the grammar */
	for (int i = 0; i < 21; i++) {
		double start = now_s();

		speech_recog_run(recog, &request, &result);
		decode[i] = now_s() - start;
	}
	/* A new grammar text each time: compilation plus decoding. */
	for (int i = 0; i < 11; i++) {
		double start;

		snprintf(grammar, sizeof(grammar), "%s public <extra%d> = one two;", digits_grammar, i);
		request.grammar = grammar;
		start = now_s();
		speech_recog_run(recog, &request, &result);
		compile[i] = now_s() - start;
	}
	printf("digit with a cached grammar: %.1f ms for %.0f ms of audio (RTF %.3f)\n",
	       1000 * median(decode, 21), 1000.0 * digit->count / digit->rate,
	       median(decode, 21) * digit->rate / digit->count);
	printf("digit with a new grammar:    %.1f ms (compilation adds %.1f ms)\n",
	       1000 * median(compile, 11), 1000 * (median(compile, 11) - median(decode, 21)));
	speech_recog_destroy(recog);
}

static void bench_open(const struct wav_audio *harvard)
{
	struct speech_recog_config config;
	struct speech_recog *recog;
	struct speech_recog_result result;
	struct speech_recog_request request = {harvard->samples, harvard->count, harvard->rate, "en",
					       NULL, NULL, NULL, NULL};
	long before;
	double start;

	speech_recog_config_init(&config);
	if (speech_recog_create(&recog, "pocketsphinx", &config) != 0)
		return;
	before = resident_kb();
	start = now_s();
	speech_recog_run(recog, &request, &result);
	printf("open model, first use: %.1f s for %.1f s of audio (RTF %.3f, loading included; "
	       "+%ld KiB)\n", now_s() - start, (double)harvard->count / harvard->rate,
	       (now_s() - start) * harvard->rate / harvard->count, resident_kb() - before);
	start = now_s();
	speech_recog_run(recog, &request, &result);
	printf("open model, loaded:    %.1f s (RTF %.3f)\n", now_s() - start,
	       (now_s() - start) * harvard->rate / harvard->count);
	speech_recog_destroy(recog);
}

static void bench_synthesis(const char *engine, const char *lang, const char *text)
{
	struct speech_synth *synth;
	struct speech_audio audio;
	double times[11];
	size_t samples = 0;

	if (speech_synth_create(&synth, engine) != 0)
		return;
	for (int i = 0; i < 11; i++) {
		double start = now_s();

		if (speech_synth_speak(synth, text, lang, NULL, &audio) != 0)
			break;
		times[i] = now_s() - start;
		samples = audio.count;
		speech_audio_free(&audio);
	}
	printf("%-6s %s: %.1f ms for %.2f s of speech (RTF %.3f)\n", engine, lang,
	       1000 * median(times, 11), (double)samples / SPEECH_RATE,
	       median(times, 11) * SPEECH_RATE / (samples ? samples : 1));
	speech_synth_destroy(synth);
}

struct counter {
	unsigned done;
};

static void on_recog(const struct speech_recog_event *event, void *arg)
{
	__atomic_add_fetch(&((struct counter *)arg)->done, 1, __ATOMIC_RELAXED);
}

static void bench_pool(const struct wav_audio *digit, unsigned workers)
{
	struct speech_pool_config config;
	struct speech_pool *pool;
	struct counter counter = {0};
	struct speech_recog_request request = {digit->samples, digit->count, digit->rate, "en",
					       "digits", digits_grammar, NULL, NULL};
	unsigned submitted = 0;
	double start;

	speech_pool_config_init(&config);
	config.workers = workers;
	config.queue_max = 256;
	config.synth_engine_fr = config.synth_engine_en = NULL;
	if (speech_pool_create(&pool, &config) != 0)
		return;
	start = now_s();
	for (int i = 0; i < 200; i++)
		submitted += speech_pool_recognize(pool, &request, on_recog, &counter, NULL) == 0;
	speech_pool_drain(pool);
	printf("pool, %u workers: %u digits in %.2f s: %.0f utterances/s, %.1f s of audio per "
	       "second\n", workers, counter.done, now_s() - start, counter.done / (now_s() - start),
	       counter.done * ((double)digit->count / digit->rate) / (now_s() - start));
	speech_pool_destroy(pool);
}

/* Answers to the open question, synthesised by flite (voice rms, 8 kHz): the grammar
 * decode a call waits for at the end of each turn. */
static void bench_question(void)
{
	static const char *const answers[] = {
		"what are your opening hours",
		"i would like to book an appointment",
		"i need to cancel my appointment",
		"my child has a fever",
	};
	struct speech_recog_config config;
	struct speech_recog *recog = NULL;
	struct speech_synth *synth = NULL;
	struct nlu_vocabulary vocabulary = {0};
	struct nlu *nlu = NULL;
	char *grammar = NULL;
	double decode[9], all[4 * 9];
	size_t all_count = 0;

	speech_recog_config_init(&config);
	if (nlu_create(&nlu, &vocabulary) != 0 ||
	    nlu_grammar_jsgf(nlu, NLU_LANG_EN, NLU_EXPECT_OPEN, NULL, 0, &grammar) != 0 ||
	    speech_synth_create(&synth, "flite") != 0 ||
	    speech_recog_create(&recog, "pocketsphinx", &config) != 0) {
		fprintf(stderr, "open question: cannot set up the engines\n");
		goto out;
	}
	printf("open question grammar: %zu bytes of JSGF\n", strlen(grammar));
	for (size_t a = 0; a < sizeof(answers) / sizeof(answers[0]); a++) {
		struct speech_audio audio = {0};
		struct speech_recog_result result;
		struct speech_recog_request request = {0};

		if (speech_synth_speak(synth, answers[a], "en", "rms", &audio) != 0)
			continue;
		request.samples = audio.samples;
		request.count = audio.count;
		request.rate = audio.rate;
		request.lang = "en";
		request.expectation = "open";
		request.grammar = grammar;
		speech_recog_run(recog, &request, &result); /* compiles the grammar */
		for (int i = 0; i < 9; i++) {
			double start = now_s();

			speech_recog_run(recog, &request, &result);
			decode[i] = now_s() - start;
			all[all_count++] = decode[i];
		}
		printf("open question, \"%s\" (%.0f ms): %.1f ms, heard \"%s\", confidence %.2f\n",
		       answers[a], 1000.0 * audio.count / audio.rate, 1000 * median(decode, 9),
		       result.text, (double)result.confidence);
		speech_audio_free(&audio);
	}
	if (all_count)
		printf("open question, median decode: %.1f ms\n", 1000 * median(all, all_count));
out:
	speech_recog_destroy(recog);
	speech_synth_destroy(synth);
	free(grammar);
	nlu_destroy(nlu);
}

/* ---- Early end of turns ---- */

#define EARLY_FRAMES 10 /* calls.end_of_turn_ms = 200 */
#define VAD_TAIL_FRAMES 10

struct turn_counts {
	unsigned clips, turns, early_ends, early_decodes, pauses, splits;
	double saved_ms;
};

/*
 * Run one recording through the VAD as a call's line does: 0.8 s of faint noise before
 * it and 1.5 s after. After EARLY_FRAMES of silence inside an utterance, decode the
 * utterance so far. An accepted result at a pause after which the caller goes on is a
 * split; one at the turn's real end saves the rest of the VAD's wait.
 */
static void turns_run(struct speech_recog *recog, const int16_t *samples, size_t count,
		      const char *grammar, const char *expectation, struct turn_counts *counts)
{
	size_t lead = 6400, total;
	int16_t *line;
	struct media_vad *vad = NULL;
	uint32_t seed = 7;
	unsigned trailing = 0, early_frame = 0;
	bool early_accepted = false, early_done = false;

	if (count == 0 || count > 60 * 8000)
		return; /* the corpus has nothing longer than a minute */
	total = lead + count + 12000;
	line = calloc(total, sizeof(int16_t));
	if (!line || media_vad_create(&vad, NULL) != 0) {
		free(line);
		return;
	}
	for (size_t i = 0; i < total; i++) {
		seed = seed * 1103515245u + 12345u;
		line[i] = (int16_t)((int)((seed >> 16) % 17) - 8);
	}
	memcpy(line + lead, samples, count * sizeof(int16_t));
	counts->clips++;
	for (size_t f = 0; (f + 1) * MEDIA_FRAME_SAMPLES <= total; f++) {
		struct media_vad_result vr;
		const int16_t *so_far;
		size_t so_far_count;

		media_vad_process(vad, line + f * MEDIA_FRAME_SAMPLES, &vr);
		if (vr.event == MEDIA_VAD_SPEECH_END) {
			counts->turns++;
			if (early_done && early_accepted) {
				counts->early_ends++;
				counts->saved_ms += (double)(f - early_frame) * MEDIA_FRAME_MS;
			}
			early_done = early_accepted = false;
			trailing = 0;
			continue;
		}
		if (vr.event != MEDIA_VAD_SPEECH || vr.speech_frame) {
			if (vr.event == MEDIA_VAD_SPEECH && early_done) {
				/* The caller went on after the pause. */
				counts->pauses++;
				if (early_accepted)
					counts->splits++;
				early_done = early_accepted = false;
			}
			trailing = 0;
			continue;
		}
		if (++trailing != EARLY_FRAMES || early_done)
			continue;
		if (media_vad_utterance(vad, &so_far, &so_far_count) == 0 && so_far_count > 0) {
			struct speech_recog_request request = {so_far, so_far_count, 8000, "en",
							       expectation, grammar, NULL, NULL};
			struct speech_recog_result result;

			counts->early_decodes++;
			early_done = true;
			early_frame = (unsigned)f;
			early_accepted = speech_recog_run(recog, &request, &result) == 0 &&
					 result.verdict == SPEECH_VERDICT_ACCEPTED;
		}
	}
	media_vad_destroy(vad);
	free(line);
}

static void turns_print(const char *name, const struct turn_counts *c)
{
	printf("%-34s %5u %5u %6u %9u %6u %6u %9.0f\n", name, c->clips, c->turns,
	       c->early_decodes, c->early_ends, c->pauses, c->splits,
	       c->early_ends ? c->saved_ms / c->early_ends : 0.0);
}

/* Every WAV file of a corpus folder (oov_* left out), brought to 8 kHz. */
static void turns_dir(struct speech_recog *recog, const char *corpus, const char *relative,
		      const char *grammar, const char *expectation, struct turn_counts *counts)
{
	char path[1024];
	struct dirent **entries;
	int n;

	snprintf(path, sizeof(path), "%s/audio/%s", corpus, relative);
	n = scandir(path, &entries, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = entries[i]->d_name;
		size_t len = strlen(name);
		struct wav_audio audio;
		struct speech_audio narrow = {0};
		char file[1400];

		if (len > 4 && strcmp(name + len - 4, ".wav") == 0 && strncmp(name, "oov_", 4) != 0) {
			snprintf(file, sizeof(file), "%s/%s", path, name);
			if (wav_read_file(&audio, file) == 0) {
				if (speech_resample(audio.samples, audio.count, audio.rate, 8000,
						    &narrow) == 0)
					turns_run(recog, narrow.samples, narrow.count, grammar,
						  expectation, counts);
				speech_audio_free(&narrow);
				wav_audio_free(&audio);
			}
		}
		free(entries[i]);
	}
	if (n >= 0)
		free(entries);
}

static void bench_turns(const char *corpus, const struct wav_audio *harvard)
{
	struct speech_recog_config config;
	struct speech_recog *recog = NULL;
	struct nlu_vocabulary vocabulary = {0};
	struct nlu *nlu = NULL;
	char *open = NULL;
	struct turn_counts digits = {0}, commands = {0}, sentences = {0};

	speech_recog_config_init(&config);
	if (nlu_create(&nlu, &vocabulary) != 0 ||
	    nlu_grammar_jsgf(nlu, NLU_LANG_EN, NLU_EXPECT_OPEN, NULL, 0, &open) != 0 ||
	    speech_recog_create(&recog, "pocketsphinx", &config) != 0) {
		fprintf(stderr, "turns: cannot set up the engines\n");
		goto out;
	}
	turns_dir(recog, corpus, "fsdd_digits_en_8k", digits_grammar, "digits", &digits);
	turns_dir(recog, corpus, "speech_to_phrase_16k/en", open, "open", &commands);
	turns_run(recog, harvard->samples, harvard->count, open, "open", &sentences);
	printf("early end of turns after 200 ms of silence (calls.end_of_turn_ms)\n");
	printf("%-34s %5s %5s %6s %9s %6s %6s %9s\n", "recordings, grammar", "clips", "turns",
	       "early", "ended", "pauses", "splits", "saved ms");
	turns_print("digits, digits grammar", &digits);
	turns_print("commands, open question grammar", &commands);
	turns_print("Harvard sentences, open question", &sentences);
out:
	speech_recog_destroy(recog);
	free(open);
	nlu_destroy(nlu);
}

int main(int argc, char **argv)
{
	const char *corpus = argc > 1 ? argv[1] : PERMANENCE_SOURCE_DIR "/tests/corpus";
	struct wav_audio digit, harvard;

	log_set_level(LOGL_WARNING); /* engines log every utterance at INFO */
	if (argc > 2 && strcmp(argv[2], "question") == 0) {
		bench_question();
		return 0;
	}
	if (load(corpus, "fsdd_digits_en_8k/3_jackson_0.wav", &digit) ||
	    load(corpus, "OSR_us_000_0034_8k.wav", &harvard))
		return 1;
	if (argc > 2 && strcmp(argv[2], "turns") == 0) {
		bench_turns(corpus, &harvard);
		wav_audio_free(&digit);
		wav_audio_free(&harvard);
		return 0;
	}
	bench_memory();
	bench_grammar(&digit);
	bench_question();
	bench_open(&harvard);
	bench_synthesis("espeak", "fr", "Votre rendez-vous est confirmé pour mardi 3 mars à 10 h 30.");
	bench_synthesis("flite", "en", "Your appointment is confirmed for Tuesday March third at ten thirty.");
	bench_pool(&digit, 1);
	bench_pool(&digit, 2);
	wav_audio_free(&digit);
	wav_audio_free(&harvard);
	return 0;
}
