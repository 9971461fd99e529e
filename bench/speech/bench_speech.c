/*
 * Speech benchmarks: recognition real-time factor per stream (grammar and open model),
 * decoder memory, grammar compilation against switching, synthesis speed, and pool
 * throughput, and the answers to the open question ("how can I help you?") decoded with
 * its grammar, as the calls service does. Bounded: about a minute on two cores. Run from
 * a release build:
 *   build-rel/bench/bench_speech [CORPUS_DIR] [question]
 * With "question", only the open question runs (a few seconds).
 * Medians of repeated runs; every figure comes from one run of this program.
 */
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
