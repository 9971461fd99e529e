#include "speech_eval.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "recog.h"
#include "speech.h"
#include "wav.h"

#define MAX_FILES 256
#define MAX_WORDS 512

/* One evaluation utterance: telephone-rate audio and its reference transcript. */
struct utterance {
	char name[128];
	char reference[1024]; /* "" for out-of-grammar speech */
	int16_t *samples;
	size_t count;
};

struct utterance_set {
	struct utterance items[MAX_FILES];
	size_t count;
};

static void set_free(struct utterance_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		free(set->items[i].samples);
	set->count = 0;
}

unsigned char speech_alaw_encode(int16_t sample)
{
	int value = sample >> 3; /* A-law codes 13-bit samples */
	unsigned char sign = 0x80, code;
	int segment = 0;

	if (value < 0) {
		sign = 0x00;
		value = -value - 1;
	}
	if (value > 0xfff)
		value = 0xfff;
	while (segment < 7 && value >= (0x20 << segment))
		segment++;
	if (segment == 0)
		code = (unsigned char)(value >> 1);
	else
		code = (unsigned char)((segment << 4) | ((value >> segment) & 0x0f));
	return (unsigned char)((code | sign) ^ 0x55);
}

int16_t speech_alaw_decode(unsigned char code)
{
	int value, segment;

	code ^= 0x55;
	segment = (code & 0x70) >> 4;
	value = (code & 0x0f) << 4;
	if (segment == 0)
		value += 8;
	else
		value = (value + 0x108) << (segment - 1);
	return (int16_t)((code & 0x80) ? value : -value);
}

static void alaw_round_trip(int16_t *samples, size_t count)
{
	for (size_t i = 0; i < count; i++)
		samples[i] = speech_alaw_decode(speech_alaw_encode(samples[i]));
}

/* Lower-case words without punctuation (apostrophes kept), into words[]. */
static size_t split_words(const char *text, char words[][32], size_t max)
{
	size_t count = 0, len = 0;

	for (const char *p = text;; p++) {
		unsigned char c = (unsigned char)*p;
		bool word_char = isalnum(c) || c == '\'' || c >= 0x80;

		if (word_char && len + 1 < 32) {
			words[count][len++] = (char)tolower(c);
			continue;
		}
		if (word_char)
			continue;
		if (len > 0 && count < max) {
			words[count][len] = '\0';
			count++;
		}
		len = 0;
		if (!*p || count == max)
			break;
	}
	return count;
}

unsigned speech_eval_word_errors(const char *reference, const char *hypothesis,
				 unsigned *reference_words)
{
	static _Thread_local char ref[MAX_WORDS][32], hyp[MAX_WORDS][32];
	static _Thread_local unsigned row[MAX_WORDS + 1], prev[MAX_WORDS + 1];
	size_t n = split_words(reference, ref, MAX_WORDS);
	size_t m = split_words(hypothesis, hyp, MAX_WORDS);

	*reference_words = (unsigned)n;
	for (size_t j = 0; j <= m; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++) {
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= m; j++) {
			unsigned substitute = prev[j - 1] + (strcmp(ref[i - 1], hyp[j - 1]) != 0);
			unsigned del = prev[j] + 1, ins = row[j - 1] + 1;

			row[j] = substitute < del ? substitute : del;
			if (ins < row[j])
				row[j] = ins;
		}
		memcpy(prev, row, (m + 1) * sizeof(unsigned));
	}
	return prev[m];
}

static const char *const small_numbers[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
	"eighteen", "nineteen",
};
static const char *const tens_words[] = {"", "", "twenty", "thirty", "forty", "fifty",
					 "sixty", "seventy", "eighty", "ninety"};

static void append(char *out, size_t size, const char *text)
{
	size_t len = strlen(out);

	snprintf(out + len, size - len, "%s%s", len ? " " : "", text);
}

/* A command file name as words a grammar can hold: lower case, "EcoBee" split into
 * "eco bee", numbers under 100 in words. */
static void name_to_phrase(const char *name, char *out, size_t size)
{
	char word[64];
	size_t len = 0;

	out[0] = '\0';
	for (const char *p = name;; p++) {
		bool boundary = !*p || *p == ' ' || *p == '.' ||
				(len > 0 && isupper((unsigned char)*p) &&
				 islower((unsigned char)word[len - 1]));

		if (boundary && len > 0) {
			word[len] = '\0';
			if (isdigit((unsigned char)word[0]) && atoi(word) < 100) {
				int n = atoi(word);

				if (n < 20) {
					append(out, size, small_numbers[n]);
				} else {
					append(out, size, tens_words[n / 10]);
					if (n % 10)
						append(out, size, small_numbers[n % 10]);
				}
			} else {
				for (size_t i = 0; i < len; i++)
					word[i] = (char)tolower((unsigned char)word[i]);
				append(out, size, word);
			}
			len = 0;
		}
		if (!*p || *p == '.')
			break;
		if (*p != ' ' && len + 1 < sizeof(word))
			word[len++] = *p;
	}
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted .wav names of a folder, malloc'd; returns the count or -1. */
static int list_wavs(const char *dir, char *names[], size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *entry;
	size_t count = 0;

	if (!d)
		return -1;
	while ((entry = readdir(d)) != NULL && count < max) {
		size_t len = strlen(entry->d_name);

		if (len > 4 && strcmp(entry->d_name + len - 4, ".wav") == 0)
			names[count++] = strdup(entry->d_name);
	}
	closedir(d);
	qsort(names, count, sizeof(names[0]), compare_names);
	return (int)count;
}

/* Read a file as 8 kHz mono, resampling when needed. */
static int load_8k(const char *path, struct utterance *item)
{
	struct wav_audio wav;
	struct speech_audio audio;
	int err = wav_read_file(&wav, path);

	if (err) {
		log_err("speech", NULL, "cannot read %s: error %d", path, err);
		return err;
	}
	err = speech_resample(wav.samples, wav.count, wav.rate, SPEECH_RATE, &audio);
	wav_audio_free(&wav);
	if (err)
		return err;
	item->samples = audio.samples;
	item->count = audio.count;
	return 0;
}

static int load_digits(const char *corpus, struct utterance_set *set)
{
	char dir[1024], path[1200], *names[MAX_FILES];
	int count;

	snprintf(dir, sizeof(dir), "%s/audio/fsdd_digits_en_8k", corpus);
	count = list_wavs(dir, names, MAX_FILES);
	if (count <= 0)
		return ENOENT;
	for (int i = 0; i < count; i++) {
		struct utterance *item = &set->items[set->count];
		int err;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(item->name, sizeof(item->name), "%s", names[i]);
		snprintf(item->reference, sizeof(item->reference), "%s",
			 isdigit((unsigned char)names[i][0]) ? small_numbers[names[i][0] - '0'] : "");
		err = load_8k(path, item);
		free(names[i]);
		if (err) {
			for (int j = i + 1; j < count; j++)
				free(names[j]);
			return err;
		}
		set->count++;
	}
	return 0;
}

static int load_commands(const char *corpus, const char *lang, struct utterance_set *set)
{
	char dir[1024], path[1200], *names[MAX_FILES];
	int count, err = 0;

	snprintf(dir, sizeof(dir), "%s/audio/speech_to_phrase_16k/%s", corpus, lang);
	count = list_wavs(dir, names, MAX_FILES);
	if (count <= 0)
		return ENOENT;
	for (int i = 0; i < count; i++) {
		struct utterance *item = &set->items[set->count];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(item->name, sizeof(item->name), "%s", names[i]);
		if (strncmp(names[i], "oov_", 4) == 0)
			item->reference[0] = '\0';
		else if (strcmp(lang, "en") == 0)
			name_to_phrase(names[i], item->reference, sizeof(item->reference));
		else
			snprintf(item->reference, sizeof(item->reference), "%.*s",
				 (int)(strlen(names[i]) - 4), names[i]);
		if (!err)
			err = load_8k(path, item);
		if (!err)
			set->count++;
		free(names[i]);
	}
	return err;
}

static int load_harvard(const char *corpus, struct utterance_set *set)
{
	struct utterance *item = &set->items[0];
	char path[1200];
	FILE *file;
	size_t len;
	int err;

	snprintf(path, sizeof(path), "%s/audio/OSR_us_000_0034_8k.txt", corpus);
	file = fopen(path, "r");
	if (!file)
		return ENOENT;
	len = fread(item->reference, 1, sizeof(item->reference) - 1, file);
	item->reference[len] = '\0';
	fclose(file);
	snprintf(path, sizeof(path), "%s/audio/OSR_us_000_0034_8k.wav", corpus);
	snprintf(item->name, sizeof(item->name), "OSR_us_000_0034_8k.wav");
	err = load_8k(path, item);
	if (!err)
		set->count = 1;
	return err;
}

/* A JSGF grammar with one alternative per distinct in-grammar reference. */
static char *commands_grammar(const struct utterance_set *set)
{
	size_t size = 128;
	char *grammar;

	for (size_t i = 0; i < set->count; i++)
		size += strlen(set->items[i].reference) + 3;
	grammar = malloc(size);
	if (!grammar)
		return NULL;
	snprintf(grammar, size, "#JSGF V1.0; grammar commands; public <command> = ");
	for (size_t i = 0, n = 0; i < set->count; i++) {
		if (!set->items[i].reference[0])
			continue;
		if (n++ > 0)
			strcat(grammar, " | ");
		strcat(grammar, set->items[i].reference);
	}
	strcat(grammar, ";");
	return grammar;
}

/* A transcript matches when equal after normalisation; "oh" is also zero. */
static bool transcript_matches(const char *reference, const char *hypothesis)
{
	unsigned words;

	if (strcmp(reference, "zero") == 0 && strcmp(hypothesis, "oh") == 0)
		return true;
	return speech_eval_word_errors(reference, hypothesis, &words) == 0 && words > 0;
}

struct run_spec {
	struct speech_recog *recog;
	bool split; /* decode at pauses, as a voice detector would cut a long recording */
	const char *engine;
	const char *set;
	const char *expectation; /* NULL: open */
	const char *grammar;
	const char *lang;
	const char *condition;
};

/* Length of the next piece of samples[0..count): up to the middle of the first pause of
 * at least 300 ms (20 ms frames under -45 dBFS) found after 2 s of audio. */
static size_t next_piece(const int16_t *samples, size_t count)
{
	const size_t frame = SPEECH_RATE / 50, min_pause = 15, min_piece = 2 * SPEECH_RATE;
	size_t quiet = 0;

	for (size_t at = 0; at + frame <= count; at += frame) {
		double energy = 0.0;

		for (size_t i = at; i < at + frame; i++)
			energy += (double)samples[i] * samples[i];
		if (energy / frame < 180.0 * 180.0) {
			quiet++;
		} else {
			if (quiet >= min_pause && at >= min_piece)
				return at - quiet * frame / 2;
			quiet = 0;
		}
	}
	return count;
}

/* Recognise a long recording piece by piece and join the texts. */
static int recognise_split(const struct run_spec *spec, const struct utterance *item,
			   struct speech_recog_result *joined)
{
	size_t at = 0;

	memset(joined, 0, sizeof(*joined));
	while (at < item->count) {
		size_t len = next_piece(item->samples + at, item->count - at);
		struct speech_recog_request request = {item->samples + at, len, SPEECH_RATE,
						       spec->lang, spec->expectation, spec->grammar,
						       NULL, NULL};
		struct speech_recog_result piece;
		size_t used = strlen(joined->text);
		int err = speech_recog_run(spec->recog, &request, &piece);

		if (err)
			return err;
		if (piece.text[0])
			snprintf(joined->text + used, sizeof(joined->text) - used, "%s%s",
				 used ? " " : "", piece.text);
		joined->decode_ms += piece.decode_ms;
		at += len;
	}
	joined->verdict = SPEECH_VERDICT_UNCERTAIN;
	return 0;
}

static int run_set(const struct run_spec *spec, const struct utterance_set *set,
		   FILE *details, struct speech_eval_report *report)
{
	struct speech_eval_row *row;

	if (report->count == SPEECH_EVAL_MAX_ROWS)
		return ENOSPC;
	row = &report->rows[report->count++];
	memset(row, 0, sizeof(*row));
	snprintf(row->engine, sizeof(row->engine), "%s", spec->engine);
	snprintf(row->set, sizeof(row->set), "%s", spec->set);
	snprintf(row->expectation, sizeof(row->expectation), "%s",
		 spec->expectation ? spec->expectation : "open");
	snprintf(row->condition, sizeof(row->condition), "%s", spec->condition);

	for (size_t i = 0; i < set->count; i++) {
		const struct utterance *item = &set->items[i];
		struct speech_recog_request request = {item->samples, item->count, SPEECH_RATE,
						       spec->lang, spec->expectation, spec->grammar,
						       NULL, NULL};
		struct speech_recog_result result;
		bool accepted, matches;
		unsigned words, errors;
		int err = spec->split ? recognise_split(spec, item, &result)
				      : speech_recog_run(spec->recog, &request, &result);

		if (err) {
			log_err("speech", NULL, "%s on %s failed: %s", spec->engine, item->name,
				speech_recog_error(spec->recog));
			return err;
		}
		accepted = result.verdict == SPEECH_VERDICT_ACCEPTED;
		matches = item->reference[0] && transcript_matches(item->reference, result.text);
		row->audio_s += (double)item->count / SPEECH_RATE;
		row->decode_s += result.decode_ms / 1000.0;
		if (!item->reference[0]) {
			row->oov++;
			row->oov_accepted += accepted;
		} else {
			errors = speech_eval_word_errors(item->reference, result.text, &words);
			row->utterances++;
			row->correct += matches;
			row->accepted += accepted;
			row->accepted_correct += accepted && matches;
			row->words += words;
			row->word_errors += errors;
		}
		if (details)
			fprintf(details, "%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%.2f\t%s\n", spec->engine,
				spec->set, spec->condition, item->name,
				item->reference[0] ? item->reference : "(out of grammar)",
				result.text, (double)result.confidence,
				(double)result.acoustic_margin, speech_verdict_name(result.verdict));
	}
	return 0;
}

static void set_copy_alaw(const struct utterance_set *in, struct utterance_set *out)
{
	out->count = 0;
	for (size_t i = 0; i < in->count; i++) {
		struct utterance *item = &out->items[out->count];

		*item = in->items[i];
		item->samples = malloc((in->items[i].count + 1) * sizeof(int16_t));
		if (!item->samples)
			continue;
		memcpy(item->samples, in->items[i].samples, in->items[i].count * sizeof(int16_t));
		alaw_round_trip(item->samples, item->count);
		out->count++;
	}
}

/* Run one set clean and after G.711 A-law. */
static int run_both(struct run_spec spec, const struct utterance_set *set, FILE *details,
		    struct speech_eval_report *report)
{
	static struct utterance_set alaw; /* large: kept off the stack */
	int err;

	spec.condition = "clean";
	err = run_set(&spec, set, details, report);
	if (err)
		return err;
	set_copy_alaw(set, &alaw);
	spec.condition = "g711a";
	err = run_set(&spec, &alaw, details, report);
	set_free(&alaw);
	return err;
}

static long resident_kb(void)
{
	long pages_total, pages_resident;
	FILE *file = fopen("/proc/self/statm", "r");
	int read;

	if (!file)
		return -1;
	read = fscanf(file, "%ld %ld", &pages_total, &pages_resident);
	fclose(file);
	return read == 2 ? pages_resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static int eval_pocketsphinx(const struct speech_eval_options *options,
			     struct speech_eval_report *report)
{
	static struct utterance_set digits, commands, harvard;
	struct speech_recog_config config;
	struct speech_recog *recog = NULL;
	char *grammar = NULL;
	long before;
	int err;

	static const char *digits_grammar =
		"#JSGF V1.0; grammar digits; public <digit> = zero | oh | one | two | three | "
		"four | five | six | seven | eight | nine;";

	err = load_digits(options->corpus_dir, &digits);
	if (!err)
		err = load_commands(options->corpus_dir, "en", &commands);
	if (!err)
		err = load_harvard(options->corpus_dir, &harvard);
	if (err)
		goto out;
	grammar = commands_grammar(&commands);
	if (!grammar) {
		err = ENOMEM;
		goto out;
	}
	speech_recog_config_init(&config);
	before = resident_kb();
	err = speech_recog_create(&recog, "pocketsphinx", &config);
	if (err)
		goto out;
	report->decoder_kb = before >= 0 ? resident_kb() - before : -1;

	err = run_both((struct run_spec){recog, false, "pocketsphinx", "digits", "digits",
					 digits_grammar, "en", NULL},
		       &digits, options->details, report);
	if (!err)
		err = run_both((struct run_spec){recog, false, "pocketsphinx", "commands",
						 "commands", grammar, "en", NULL},
			       &commands, options->details, report);
	if (!err)
		err = run_both((struct run_spec){recog, true, "pocketsphinx", "harvard", NULL, NULL,
						 "en", NULL},
			       &harvard, options->details, report);
out:
	speech_recog_destroy(recog);
	free(grammar);
	set_free(&digits);
	set_free(&commands);
	set_free(&harvard);
	return err;
}

static int eval_http(const struct speech_eval_options *options, struct speech_eval_report *report)
{
	static struct utterance_set commands;
	struct speech_recog_config config;
	struct speech_recog *recog = NULL;
	int err;

	err = load_commands(options->corpus_dir, "fr", &commands);
	if (err)
		goto out;
	speech_recog_config_init(&config);
	config.http_url = options->http_url;
	if (options->http_model)
		config.http_model = options->http_model;
	err = speech_recog_create(&recog, "http", &config);
	if (!err)
		err = run_both((struct run_spec){recog, false, "http", "commands_fr", NULL, NULL, "fr",
						 NULL},
			       &commands, options->details, report);
out:
	speech_recog_destroy(recog);
	set_free(&commands);
	return err;
}

int speech_eval_asr(const struct speech_eval_options *options, struct speech_eval_report *report)
{
	int err;

	memset(report, 0, sizeof(*report));
	report->decoder_kb = -1;
	err = eval_pocketsphinx(options, report);
	if (!err && options->http_url)
		err = eval_http(options, report);
	return err;
}

double speech_eval_accuracy(const struct speech_eval_row *row)
{
	return row->utterances ? (double)row->correct / row->utterances : 0.0;
}

double speech_eval_wer(const struct speech_eval_row *row)
{
	return row->words ? (double)row->word_errors / row->words : 0.0;
}

double speech_eval_rtf(const struct speech_eval_row *row)
{
	return row->audio_s > 0.0 ? row->decode_s / row->audio_s : 0.0;
}
