/*
 * PocketSphinx 5prealpha engine with the US English model (16 kHz).
 *
 * One decoder per instance. Grammars are compiled into named FSG searches and kept in a
 * small least-recently-used table (compiling the digits grammar takes about 2 ms). The
 * open language model is loaded on first use.
 *
 * Confidence: an utterance with text is decoded without padding against its search and
 * against a loop of the model's 39 phones (an FSG of one-phone pseudo-words)
 * that can match any English sounds. On in-grammar speech the grammar's best path scores
 * close to, or above, the phone loop's. Speech outside the grammar is forced into a poor
 * match, so its score falls below. The difference of the two path scores per 10 ms
 * frame of words (pocketsphinx score units, log base 1.0001) goes through a logistic
 * curve fitted on the test corpus with `permanence eval asr` (docs/speech.md). The scores are only
 * comparable with -compallsen: pocketsphinx normalises each frame by its best computed
 * senone, and without it a small grammar computes few senones and scores too well.
 * Audio that already starts and ends in silence (a voice detector's utterance, with its
 * pre-roll) needs no padding, so the unpadded decode finds the words too: two decodes
 * instead of three.
 * pocketsphinx's own lattice posterior is no use here, because with a grammar it is 1
 * for nearly every hypothesis.
 *
 * Scoring the audio against the acoustic model is most of a decode's cost, and with
 * -compallsen it is the same for every search. So the phone loop does not score the
 * audio again: the grammar's unpadded decode writes its senone scores to a file (5prealpha
 * offers -senlogdir for that, one file per utterance), and the phone loop decodes that
 * file (ps_decode_senscr). The files live in a private folder ($TMPDIR, else /dev/shm),
 * each is removed as soon as it has been opened, and none outlives its recognition. A
 * folder that a crashed process left is removed by the next engine opened there.
 */
#include "recog_priv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/statvfs.h>

#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>

#include "log.h"
#include "recog_words.h"

/* Logistic calibration of the margin: confidence = 1 / (1 + exp(-slope (m - midpoint))).
 * Fitted on tests/corpus/audio with `permanence eval asr`; see docs/speech.md. */
#define MARGIN_MIDPOINT (-26.6)
#define MARGIN_SLOPE 0.147

/* The en-us model's phones; each becomes a pseudo-word "phn_xx" of the phone loop. */
static const char *const model_phones[] = {
	"AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D",  "DH", "EH", "ER", "EY",
	"F",  "G",  "HH", "IH", "IY", "JH", "K",  "L",  "M",  "N",  "NG", "OW", "OY",
	"P",  "R",  "S",  "SH", "T",  "TH", "UH", "UW", "V",  "W",  "Y",  "Z",  "ZH",
};

#define PHONE_COUNT (sizeof(model_phones) / sizeof(model_phones[0]))

/* Cepstral coefficients per frame in the en-us model (feat.params: -ncep 13). */
#define CEPSTRA 13

/*
 * Word-exit beam of the phone loop, narrower than pocketsphinx's default (7e-29). Every
 * phone of the loop is a word, so word exits are most of its work. With 1e-10 the loop
 * takes a quarter of the time, and its best path, so every margin, was the same on all
 * 190 decodes of `permanence eval asr`. With 1e-7 twelve margins moved.
 */
#define PHONE_LOOP_WORD_BEAM 1e-10

/* Frames (10 ms each) of words below which a hypothesis gets no confidence. */
#define MIN_WORD_FRAMES 10

static const char *const ps_languages[] = {"en", NULL};

#define SEARCH_OPEN "open"
#define SEARCH_PHONES "phones"

struct grammar_entry {
	char name[24];      /* FSG search name, "g<number>" */
	char *expectation;
	char *text;
	unsigned long long last_used;
};

struct ps_state {
	ps_decoder_t *decoder;
	cmd_ln_t *config;
	char *lm_path;
	char *score_dir; /* private folder of senone score files, see the top comment */
	int score_lock;  /* open and locked while the engine is, or -1 */
	size_t score_frames; /* frames the decoder's buffers hold in step, see frames_reserve() */
	bool open_loaded;
	struct grammar_entry *grammars;
	unsigned grammar_max;
	unsigned long long clock; /* use counter for the grammar table */
	unsigned next_name;
};

/* pocketsphinx reports through a process-wide callback. Its last error on each thread is
 * kept so a failed call can report the reason (an invalid grammar, a missing word). */
static _Thread_local char ps_last_error[SPEECH_ERROR_MAX];
static pthread_once_t ps_log_once = PTHREAD_ONCE_INIT;

static void ps_log(void *user_data, err_lvl_t level, const char *fmt, ...)
{
	char line[SPEECH_ERROR_MAX];
	va_list ap;
	size_t len;

	if (level < ERR_WARN && !log_enabled(LOGL_DEBUG))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' '))
		line[--len] = '\0';
	if (len == 0)
		return;
	if (level >= ERR_ERROR) {
		/* Drop the source position: 'ERROR: "fsg_search.c", line 141: The word ...'. */
		const char *text = strstr(line, ", line ");

		text = text ? strstr(text, ": ") : NULL;
		snprintf(ps_last_error, sizeof(ps_last_error), "%s", text ? text + 2 : line);
	}
	log_debug("speech", NULL, "pocketsphinx: %s", line);
}

static void ps_log_install(void)
{
	err_set_callback(ps_log, NULL);
	/* The configuration dump at start-up bypasses the callback; silence it. */
	err_set_logfp(NULL);
}

/* Rule names of a grammar: "<name>" tokens outside quoted words. */
struct rule_names {
	const char *start[512];
	size_t len[512];
	bool defined[512];
	size_t count;
};

static bool rule_is_defined(const struct rule_names *names, const char *name, size_t len)
{
	for (size_t i = 0; i < names->count; i++)
		if (names->defined[i] && names->len[i] == len &&
		    strncmp(names->start[i], name, len) == 0)
			return true;
	return false;
}

/*
 * Find a rule referenced but never defined: sphinxbase drops such a reference without a
 * word and leaks part of the grammar. <NULL> and <VOID> are JSGF's special rules, and a
 * grammar that imports others is not checked. Returns false when one is missing.
 */
static bool rules_defined(const char *text, char *error)
{
	struct rule_names names; /* about 9 KB */
	bool quoted = false;

	names.count = 0;
	if (strstr(text, "import "))
		return true;
	for (const char *p = text; *p; p++) {
		const char *end, *after;

		if (*p == '"')
			quoted = !quoted;
		if (quoted || *p != '<' || !(end = strchr(p, '>')))
			continue;
		if (names.count == sizeof(names.start) / sizeof(names.start[0]))
			return true;
		after = end + 1;
		while (*after == ' ' || *after == '\t' || *after == '\n' || *after == '\r')
			after++;
		names.start[names.count] = p + 1;
		names.len[names.count] = (size_t)(end - p - 1);
		names.defined[names.count] = *after == '=';
		names.count++;
		p = end;
	}
	for (size_t i = 0; i < names.count; i++) {
		const char *name = names.start[i];
		size_t len = names.len[i];

		if ((len == 4 && (strncmp(name, "NULL", 4) == 0 || strncmp(name, "VOID", 4) == 0)) ||
		    rule_is_defined(&names, name, len))
			continue;
		speech_error_format(error, "invalid grammar: rule <%.*s> is used but not defined",
				    (int)(len < 64 ? len : 64), name);
		return false;
	}
	return true;
}

/*
 * Reject text that cannot be a JSGF grammar before sphinxbase parses it: its parser
 * leaks the partial parse tree on a syntax error, and its messages do not say what is
 * wrong. Checks the header, a public rule, balanced brackets and quotes, the final ';',
 * and that every rule used is defined.
 */
static int jsgf_precheck(const char *text, char *error)
{
	char stack[64];
	size_t depth = 0;
	const char *p = text, *last = NULL;
	bool quoted = false;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (strncmp(p, "#JSGF", 5) != 0 || !strstr(p, "grammar ") || !strstr(p, "public ")) {
		speech_error_format(error, "invalid grammar: JSGF needs a '#JSGF V1.0;' header, "
				    "a grammar name and a public rule");
		return EINVAL;
	}
	for (; *p; p++) {
		const char *closing = ")]>";
		const char *opening = "([<";
		const char *kind;

		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			last = p;
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		if (quoted)
			continue;
		if ((kind = strchr(opening, *p)) != NULL && *p) {
			if (depth == sizeof(stack))
				break;
			stack[depth++] = closing[kind - opening];
		} else if (*p && strchr(closing, *p)) {
			if (depth == 0 || stack[--depth] != *p) {
				speech_error_format(error, "invalid grammar: unbalanced '%c'", *p);
				return EINVAL;
			}
		}
	}
	if (quoted || depth > 0 || !last || *last != ';') {
		speech_error_format(error, "invalid grammar: %s",
				    quoted ? "unterminated quote"
				    : depth ? "unclosed bracket" : "the last rule does not end with ';'");
		return EINVAL;
	}
	return rules_defined(text, error) ? 0 : EINVAL;
}

/*
 * Compile JSGF text into a named FSG search. This is what ps_set_jsgf_string() does, but
 * 5prealpha's version never frees the parsed grammar (about 20 KB per grammar, found by
 * LeakSanitizer), so the steps are done here with the grammar released.
 */
static int jsgf_search_add(ps_decoder_t *decoder, const char *name, const char *text)
{
	jsgf_t *grammar;
	jsgf_rule_t *rule;
	fsg_model_t *fsg;
	int rc = -1;

	grammar = jsgf_parse_string(text, NULL);
	if (!grammar)
		return -1;
	rule = jsgf_get_public_rule(grammar);
	if (!rule) {
		snprintf(ps_last_error, sizeof(ps_last_error), "the grammar has no public rule");
		goto out;
	}
	fsg = jsgf_build_fsg(grammar, rule, ps_get_logmath(decoder),
			     (float32)cmd_ln_float32_r(ps_get_config(decoder), "-lw"));
	if (!fsg)
		goto out;
	rc = ps_set_fsg(decoder, name, fsg);
	fsg_model_free(fsg); /* the search keeps its own reference */
out:
	jsgf_grammar_free(grammar);
	return rc;
}

/* Remove every file of the score folder; returns how many there were. */
static unsigned score_dir_clear(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *entry;
	unsigned count = 0;
	DIR *folder = opendir(dir);

	if (!folder)
		return 0;
	while ((entry = readdir(folder)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name) >= sizeof(path))
			continue;
		if (unlink(path) == 0)
			count++;
	}
	closedir(folder);
	return count;
}

/* Score folders are named SCORE_DIR_PREFIX, the process id, '-' and random letters. Each
 * contains SCORE_DIR_LOCK, locked (flock) by its engine as long as the engine is open. */
#define SCORE_DIR_PREFIX "permanence-asr-"
#define SCORE_DIR_LOCK ".lock"

/* Remove a score folder: its score files, its lock file, then the folder. Returns
 * rmdir()'s result. */
static int score_dir_remove(const char *path)
{
	char lock[PATH_MAX + 8];

	score_dir_clear(path);
	snprintf(lock, sizeof(lock), "%s/" SCORE_DIR_LOCK, path);
	unlink(lock);
	return rmdir(path);
}

/*
 * Remove the score folders in `base` that no open engine has locked (a crash skips
 * ps_close()), so no caller's scores stay there until the next reboot. The lock shows
 * an engine is open, in any process or container sharing the folder. A folder without a
 * lock file (one being created) or one this user may not remove is left alone.
 */
static void score_dirs_sweep(const char *base)
{
	const size_t prefix = strlen(SCORE_DIR_PREFIX);
	struct dirent *entry;
	DIR *folder = opendir(base);

	if (!folder)
		return;
	while ((entry = readdir(folder)) != NULL) {
		char path[PATH_MAX], lock[PATH_MAX + 8];
		int fd;

		if (strncmp(entry->d_name, SCORE_DIR_PREFIX, prefix) != 0 ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", base, entry->d_name) >= sizeof(path))
			continue;
		snprintf(lock, sizeof(lock), "%s/" SCORE_DIR_LOCK, path);
		fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			close(fd);
			continue;
		}
		close(fd);
		if (score_dir_remove(path) == 0)
			log_info("speech", NULL, "removed %s, left by an engine that was not closed",
				 path);
	}
	closedir(folder);
}

/* Free space /dev/shm needs to be used: a score file takes about 10 KB per 10 ms frame,
 * and reading one writes a copy, so a 15 s utterance needs 30 MB per worker. */
#define SCORE_SHM_MIN_FREE (512ull * 1024 * 1024)

static bool shm_usable(void)
{
	struct statvfs fs;

	return access("/dev/shm", W_OK | X_OK) == 0 && statvfs("/dev/shm", &fs) == 0 &&
	       (unsigned long long)fs.f_bavail * fs.f_frsize >= SCORE_SHM_MIN_FREE;
}

/*
 * Create the private score folder in $TMPDIR when it is set, else on /dev/shm (memory,
 * so the scores never reach a disk) when it is writable with 512 MiB free, else in /tmp,
 * and lock it for this engine. Returns 0 with *dir and *lock_fd set, or an errno value.
 */
static int score_dir_create(char **dir, int *lock_fd)
{
	const char *base = getenv("TMPDIR");
	char path[PATH_MAX], lock[PATH_MAX + 8];
	int fd, err;

	if (!base || !*base)
		base = shm_usable() ? "/dev/shm" : "/tmp";
	score_dirs_sweep(base);
	if ((size_t)snprintf(path, sizeof(path), "%s/" SCORE_DIR_PREFIX "%ld-XXXXXX", base,
			     (long)getpid()) >= sizeof(path))
		return ENAMETOOLONG;
	if (!mkdtemp(path))
		return errno;
	snprintf(lock, sizeof(lock), "%s/" SCORE_DIR_LOCK, path);
	fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno;
	} else {
		*dir = strdup(path);
		err = *dir ? 0 : ENOMEM;
	}
	if (err) {
		if (fd >= 0)
			close(fd);
		score_dir_remove(path);
		return err;
	}
	*lock_fd = fd;
	return 0;
}

/*
 * Open the senone score file of the last decode for reading, and empty the folder: the
 * open stream keeps the data until it is closed. NULL when there is no single file.
 */
static FILE *score_file_take(const char *dir)
{
	char path[PATH_MAX] = "";
	struct dirent *entry;
	unsigned found = 0;
	FILE *file = NULL;
	DIR *folder = opendir(dir);

	if (!folder)
		return NULL;
	while ((entry = readdir(folder)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		found++;
		snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
	}
	closedir(folder);
	if (found == 1)
		file = fopen(path, "rb");
	score_dir_clear(dir);
	return file;
}

static void ps_close(void *statep)
{
	struct ps_state *state = statep;

	if (!state)
		return;
	if (state->decoder)
		ps_free(state->decoder);
	if (state->config)
		cmd_ln_free_r(state->config);
	for (unsigned i = 0; state->grammars && i < state->grammar_max; i++) {
		free(state->grammars[i].expectation);
		free(state->grammars[i].text);
	}
	free(state->grammars);
	free(state->lm_path);
	if (state->score_dir) {
		score_dir_remove(state->score_dir);
		free(state->score_dir);
	}
	if (state->score_lock >= 0)
		close(state->score_lock);
	free(state);
}

/* Add the phone pseudo-words to the dictionary and compile the phone-loop search. */
static int phone_loop_add(struct ps_state *state, char *error)
{
	char grammar[PHONE_COUNT * 12 + 96];
	double word_beam;
	cmd_ln_t *config;
	size_t len;
	int rc;

	len = (size_t)snprintf(grammar, sizeof(grammar),
			       "#JSGF V1.0; grammar phones; public <loop> = (");
	for (size_t i = 0; i < PHONE_COUNT; i++) {
		char word[16];

		snprintf(word, sizeof(word), "phn_%s", model_phones[i]);
		for (char *p = word; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (ps_add_word(state->decoder, word, model_phones[i], i + 1 == PHONE_COUNT) < 0) {
			speech_error_format(error, "pocketsphinx rejected phone %s: %s",
					    model_phones[i], ps_last_error);
			return EIO;
		}
		len += (size_t)snprintf(grammar + len, sizeof(grammar) - len, "%s%s",
					i ? " | " : "", word);
	}
	snprintf(grammar + len, sizeof(grammar) - len, ")+;");
	/* An FSG search takes its beams from the settings when it is created, so the loop
	 * alone gets the narrower word-exit beam. */
	config = ps_get_config(state->decoder);
	word_beam = cmd_ln_float64_r(config, "-wbeam");
	cmd_ln_set_float64_r(config, "-wbeam", PHONE_LOOP_WORD_BEAM);
	rc = jsgf_search_add(state->decoder, SEARCH_PHONES, grammar);
	cmd_ln_set_float64_r(config, "-wbeam", word_beam);
	if (rc != 0) {
		speech_error_format(error, "pocketsphinx could not build its phone loop: %s",
				    ps_last_error);
		return EIO;
	}
	return 0;
}

static int ps_open(void **statep, const struct speech_recog_config *config, char *error)
{
	struct ps_state *state;
	int err = 0;

	pthread_once(&ps_log_once, ps_log_install);
	if (!config->ps_hmm_dir || !config->ps_dict || !config->ps_lm ||
	    config->ps_grammar_cache == 0 || config->ps_grammar_cache > 256) {
		snprintf(error, SPEECH_ERROR_MAX,
			 "pocketsphinx needs model, dictionary and language model paths and a "
			 "grammar cache of 1 to 256");
		return EINVAL;
	}
	state = calloc(1, sizeof(*state));
	if (!state)
		return ENOMEM;
	state->score_lock = -1;
	state->grammar_max = config->ps_grammar_cache;
	state->grammars = calloc(state->grammar_max, sizeof(*state->grammars));
	state->lm_path = strdup(config->ps_lm);
	if (!state->grammars || !state->lm_path) {
		err = ENOMEM;
		goto out;
	}
	err = score_dir_create(&state->score_dir, &state->score_lock);
	if (err) {
		speech_error_format(error, "cannot create a folder for pocketsphinx's scores in "
				    "$TMPDIR, /dev/shm or /tmp: %s", strerror(err));
		goto out;
	}
	ps_last_error[0] = '\0';
	/* No search is loaded at start: grammars and the open model come per request, which
	 * keeps a grammar-only decoder small. -compallsen makes scores of different searches
	 * comparable, for the confidence, and lets the phone loop reuse the grammar's. */
	state->config = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", config->ps_hmm_dir, "-dict",
				    config->ps_dict, "-compallsen", "yes", "-senlogdir",
				    state->score_dir, NULL);
	if (!state->config) {
		speech_error_format(error, "invalid pocketsphinx settings: %s",
			 ps_last_error);
		err = EINVAL;
		goto out;
	}
	state->decoder = ps_init(state->config);
	if (!state->decoder) {
		speech_error_format(error, "pocketsphinx could not load %s or %s: %s",
			 config->ps_hmm_dir, config->ps_dict, ps_last_error);
		err = EIO;
		goto out;
	}
	err = phone_loop_add(state, error);
out:
	if (err) {
		ps_close(state);
		return err;
	}
	*statep = state;
	return 0;
}

/* Name of the FSG search compiled from the grammar, compiling it if needed. */
static int grammar_search(struct ps_state *state, const char *expectation, const char *text,
			  const char **name, char *error)
{
	struct grammar_entry *slot = NULL;
	unsigned added;

	if (!expectation)
		expectation = "";
	state->clock++;
	for (unsigned i = 0; i < state->grammar_max; i++) {
		struct grammar_entry *e = &state->grammars[i];

		if (e->text && strcmp(e->text, text) == 0 && strcmp(e->expectation, expectation) == 0) {
			e->last_used = state->clock;
			*name = e->name;
			return 0;
		}
		if (!slot || !e->text || (slot->text && e->last_used < slot->last_used))
			slot = e;
	}
	if (jsgf_precheck(text, error) != 0)
		return EINVAL;
	if (slot->text) {
		/* Never unset the active search: park the decoder on the phone loop first. */
		ps_set_search(state->decoder, SEARCH_PHONES);
		ps_unset_search(state->decoder, slot->name);
		free(slot->text);
		free(slot->expectation);
		slot->text = slot->expectation = NULL;
	}
	snprintf(slot->name, sizeof(slot->name), "g%u", state->next_name++);
	ps_last_error[0] = '\0';
	if (speech_words_complete(state->decoder, text, &added) != 0) {
		speech_error_format(error, "pocketsphinx rejected a derived pronunciation: %s",
				    ps_last_error);
		return EINVAL;
	}
	if (added > 0)
		log_debug("speech", NULL, "%u grammar words added to the dictionary", added);
	if (jsgf_search_add(state->decoder, slot->name, text) != 0) {
		speech_error_format(error, "invalid grammar for pocketsphinx: %s",
			 ps_last_error[0] ? ps_last_error : "cannot compile it");
		return EINVAL;
	}
	slot->text = strdup(text);
	slot->expectation = strdup(expectation);
	if (!slot->text || !slot->expectation) {
		ps_unset_search(state->decoder, slot->name);
		free(slot->text);
		free(slot->expectation);
		slot->text = slot->expectation = NULL;
		return ENOMEM;
	}
	slot->last_used = state->clock;
	*name = slot->name;
	return 0;
}

static bool is_filler(const char *word)
{
	return word[0] == '<' || word[0] == '[' || word[0] == '+' || strcmp(word, "sil") == 0;
}

/* Quiet noise added before and after an utterance, in samples at 16 kHz. A grammar's
 * paths start and end in silence, so an utterance cut at its first phone by a voice
 * detector (as some corpus files are) otherwise often comes out empty. It is noise rather
 * than zeros because the log energy of digital silence is minus infinity. */
#define PAD_SAMPLES 1600
#define PAD_AMPLITUDE 8

static int16_t pad_noise[PAD_SAMPLES];
static pthread_once_t pad_once = PTHREAD_ONCE_INIT;

/* The same noise every time (a fixed linear congruential sequence), so results repeat. */
static void padding_fill(void)
{
	uint32_t seed = 12345;

	for (size_t i = 0; i < PAD_SAMPLES; i++) {
		seed = seed * 1103515245u + 12345u;
		pad_noise[i] = (int16_t)((int)((seed >> 16) % (2 * PAD_AMPLITUDE + 1)) - PAD_AMPLITUDE);
	}
}

static const int16_t *padding(void)
{
	pthread_once(&pad_once, padding_fill);
	return pad_noise;
}

/* Mean square of samples [from, from + count). */
static double power(const int16_t *samples, size_t from, size_t count)
{
	double sum = 0.0;

	for (size_t i = from; i < from + count; i++)
		sum += (double)samples[i] * samples[i];
	return count ? sum / (double)count : 0.0;
}

/* Return whether the first and last 100 ms of 16 kHz audio are 20 dB or more below its
 * loudest 20 ms. Then the words do not touch either end, and padding adds nothing. */
static bool quiet_edges(const int16_t *samples, size_t count)
{
	const size_t edge = PAD_SAMPLES, frame = 320;
	double loudest = 0.0;

	if (count < 4 * edge)
		return false;
	for (size_t i = 0; i + frame <= count; i += frame) {
		double p = power(samples, i, frame);

		if (p > loudest)
			loudest = p;
	}
	return power(samples, 0, edge) * 100.0 <= loudest &&
	       power(samples, count - edge, edge) * 100.0 <= loudest;
}

/* End the utterance that a failed call may have left started. ps_start_utt() can fail
 * after it has begun one (when it cannot create the score file), and then rejects every
 * later start. When no utterance is started, ps_end_utt() only logs an error. */
static void utt_abandon(ps_decoder_t *decoder)
{
	char reason[SPEECH_ERROR_MAX];

	snprintf(reason, sizeof(reason), "%s", ps_last_error);
	ps_end_utt(decoder);
	snprintf(ps_last_error, sizeof(ps_last_error), "%s", reason);
}

/*
 * Make the decoder's frame buffers hold at least `frames` frames before a decode.
 *
 * 5prealpha's whole-utterance processing enlarges the feature buffer alone, not the table
 * of file positions beside it that ps_decode_senscr() fills, which then writes past that
 * table's end (found with valgrind). Growing the buffers by the streaming path, which
 * enlarges both, before any utterance longer than they hold keeps them in step, so the
 * whole-utterance path never has to enlarge anything. The buffers are grown to twice
 * `frames`, and searching those frames of zero cepstra at the end costs about one decode
 * of that length, a few times per decoder.
 */
static int frames_reserve(struct ps_state *state, size_t frames, char *error)
{
	enum { CHUNK = 64 };
	mfcc_t cepstra[CHUNK][CEPSTRA]; /* the front end normalises them in place */
	mfcc_t *rows[CHUNK];
	size_t target = frames * 2;
	feat_t *feat = ps_get_feat(state->decoder);
	cmn_type_t cmn;
	int err = 0;

	if (frames <= state->score_frames)
		return 0;
	/* Streaming input switches sphinxbase from the model's batch normalisation to live
	 * normalisation for good (feat_cmn()). The batch one is put back below. */
	cmn = feat->cmn;
	/* Cepstra rather than audio: the front end's silence removal would drop quiet audio,
	 * and zero cepstra cost nothing to make. */
	for (size_t i = 0; i < CHUNK; i++)
		rows[i] = cepstra[i];
	if (ps_start_stream(state->decoder) < 0 || ps_start_utt(state->decoder) < 0)
		goto fail;
	for (size_t fed = 0; fed < target; fed += CHUNK) {
		memset(cepstra, 0, sizeof(cepstra));
		if (ps_process_cep(state->decoder, rows, CHUNK, TRUE, FALSE) < 0)
			goto fail;
	}
	if (ps_end_utt(state->decoder) < 0)
		goto fail;
	state->score_frames = target;
	goto out;
fail:
	speech_error_format(error, "pocketsphinx could not prepare its buffers: %s", ps_last_error);
	utt_abandon(state->decoder);
	err = EIO;
out:
	feat->cmn = cmn;
	score_dir_clear(state->score_dir);
	return err;
}

/* Decode the samples, with padding on both sides, as one whole utterance (so cepstral
 * mean normalisation uses the utterance itself) with the active search. Each decode
 * starts a new stream, which resets pocketsphinx's noise estimates: a result depends on
 * its own audio, not on the calls decoded before it on this worker. */
static int decode(struct ps_state *state, const struct speech_recog_request *request,
		  bool pad, char *error)
{
	size_t pad_samples = pad ? PAD_SAMPLES : 0;
	size_t count = request->count + 2 * pad_samples;
	int16_t *samples = malloc(count * sizeof(int16_t));
	int err = 0;

	if (!samples)
		return ENOMEM;
	/* 160 samples per 10 ms frame, and a margin for the frames the front end adds */
	err = frames_reserve(state, count / 160 + 16, error);
	if (err) {
		free(samples);
		return err;
	}
	score_dir_clear(state->score_dir); /* the folder then contains this decode's file only */
	memcpy(samples, padding(), pad_samples * sizeof(int16_t));
	memcpy(samples + pad_samples, request->samples, request->count * sizeof(int16_t));
	memcpy(samples + pad_samples + request->count, padding(), pad_samples * sizeof(int16_t));
	if (ps_start_stream(state->decoder) < 0 || ps_start_utt(state->decoder) < 0 ||
	    ps_process_raw(state->decoder, samples, count, FALSE, TRUE) < 0 ||
	    ps_end_utt(state->decoder) < 0) {
		speech_error_format(error, "pocketsphinx decoding failed: %s", ps_last_error);
		utt_abandon(state->decoder);
		err = EIO;
	}
	free(samples);
	return err;
}

/*
 * Decode the last unpadded decode's senone scores with the active search (the phone
 * loop). When the score file cannot be read, the audio is decoded again: slower, with
 * the same result. After the open model the audio is always decoded again. Its n-gram
 * search scores frames more than once, because its phone lookahead runs ahead of the word
 * search, and every scoring goes to the file: about twice the audio's frames, out of order.
 */
static int phone_loop_decode(struct ps_state *state, const struct speech_recog_request *request,
			     char *error)
{
	FILE *scores;
	int frames;

	if (!request->grammar)
		return decode(state, request, false, error);
	scores = score_file_take(state->score_dir);
	if (!scores) {
		log_warning("speech", NULL, "pocketsphinx's score file is missing in %s, so the "
			    "audio is decoded again", state->score_dir);
		return decode(state, request, false, error);
	}
	/* ps_decode_senscr() ignores a failed start (it cannot write the copy it makes while
	 * reading), and would then read the scores into a search that never started. Such a
	 * failure shows in the error it logs, and the audio is decoded again. */
	ps_last_error[0] = '\0';
	frames = ps_decode_senscr(state->decoder, scores);
	fclose(scores);
	score_dir_clear(state->score_dir); /* the copy written while reading */
	if (frames < 0 || ps_last_error[0]) {
		log_warning("speech", NULL, "pocketsphinx could not decode its scores (%s), so the "
			    "audio is decoded again", ps_last_error[0] ? ps_last_error : "no reason");
		utt_abandon(state->decoder);
		return decode(state, request, false, error);
	}
	return 0;
}

/* Frames of the best path spent in words rather than silence or noise. */
static int word_frames(ps_decoder_t *decoder)
{
	int frames = 0;

	for (ps_seg_t *seg = ps_seg_iter(decoder); seg; seg = ps_seg_next(seg)) {
		int start, end;

		if (is_filler(ps_seg_word(seg)))
			continue;
		ps_seg_frames(seg, &start, &end);
		frames += end - start + 1;
	}
	return frames;
}

/* Copy the hypothesis without alternative-pronunciation marks, bounded, and find the
 * first and last word's times. */
static void collect_words(struct ps_state *state, const char *hyp, size_t request_samples,
			  struct speech_recog_result *result)
{
	int first = -1, last = -1;

	snprintf(result->text, sizeof(result->text), "%s", hyp ? hyp : "");
	for (ps_seg_t *seg = ps_seg_iter(state->decoder); seg; seg = ps_seg_next(seg)) {
		int start, end;

		if (is_filler(ps_seg_word(seg)))
			continue;
		ps_seg_frames(seg, &start, &end);
		if (first < 0)
			first = start;
		last = end;
	}
	/* 100 frames per second (pocketsphinx's default), less the leading padding. */
	if (first >= 0) {
		int pad_frames = PAD_SAMPLES / 160;

		unsigned audio_ms = (unsigned)(request_samples / 16);

		result->speech_start_ms = first > pad_frames ? (unsigned)(first - pad_frames) * 10 : 0;
		result->speech_end_ms = last + 1 > pad_frames ? (unsigned)(last + 1 - pad_frames) * 10 : 0;
		if (result->speech_end_ms > audio_ms)
			result->speech_end_ms = audio_ms;
		if (result->speech_start_ms > result->speech_end_ms)
			result->speech_start_ms = result->speech_end_ms;
	}
}

static int recognize(struct ps_state *state, const struct speech_recog_request *request,
		     struct speech_recog_result *result, char *error)
{
	const char *search = SEARCH_OPEN;
	int32 score, phone_score;
	double margin;
	const char *hyp;
	int frames, all_frames, err;
	bool padded;

	ps_last_error[0] = '\0';
	if (request->grammar) {
		err = grammar_search(state, request->expectation, request->grammar, &search, error);
		if (err)
			return err;
		result->grammar_used = true;
	} else if (!state->open_loaded) {
		if (ps_set_lm_file(state->decoder, SEARCH_OPEN, state->lm_path) != 0) {
			speech_error_format(error, "pocketsphinx could not load %s: %s",
				 state->lm_path, ps_last_error);
			return EIO;
		}
		state->open_loaded = true;
	}

	if (ps_set_search(state->decoder, search) != 0) {
		speech_error_format(error, "pocketsphinx has no search %s", search);
		return EIO;
	}
	/* Only grammars get padding, and only when the words may touch an end: the open model
	 * is slow (about half a core per stream) and handles dictation that starts on the
	 * first frame well enough. */
	padded = request->grammar && !quiet_edges(request->samples, request->count);
	err = decode(state, request, padded, error);
	if (err)
		return err;
	hyp = ps_get_hyp(state->decoder, &score);
	collect_words(state, hyp, request->count, result);
	if (result->text[0] == '\0')
		return 0;

	if (request->cancel && atomic_load(request->cancel)) {
		speech_error_format(error, "recognition cancelled");
		return ECANCELED;
	}
	/* The margin compares the search and the phone loop on the audio as given: padding
	 * helps find the words but blurs the comparison. When the search finds nothing
	 * without padding, the words rest on the padding alone and get no confidence. */
	if (padded) {
		err = decode(state, request, false, error);
		if (err)
			return err;
		if (!ps_get_hyp(state->decoder, &score)) {
			result->acoustic_margin = -100.0f;
			result->confidence = 0.0f;
			return 0;
		}
	}
	frames = word_frames(state->decoder);
	all_frames = ps_get_n_frames(state->decoder);
	ps_set_search(state->decoder, SEARCH_PHONES);
	err = phone_loop_decode(state, request, error);
	if (err)
		return err;
	ps_get_hyp(state->decoder, &phone_score);

	/* Per frame of words, or of half the audio when words cover less: silence around a
	 * word matches both searches alike and would pull any margin towards 0 (a tone heard
	 * as one short word came out sure). Words shorter than 100 ms in all get nothing. */
	if (frames < MIN_WORD_FRAMES) {
		result->acoustic_margin = -100.0f;
		result->confidence = 0.0f;
		return 0;
	}
	margin = ((double)score - (double)phone_score) /
		 (frames > all_frames / 2 ? frames : all_frames / 2);
	result->acoustic_margin = (float)margin;
	result->confidence = (float)(1.0 / (1.0 + exp(-MARGIN_SLOPE * (margin - MARGIN_MIDPOINT))));
	return 0;
}

static int ps_recognize(void *statep, const struct speech_recog_request *request,
			struct speech_recog_result *result, char *error)
{
	struct ps_state *state = statep;
	int err = recognize(state, request, result, error);

	score_dir_clear(state->score_dir); /* no score of a caller's speech stays behind */
	return err;
}

const struct speech_recog_ops speech_recog_pocketsphinx_ops = {
	.name = "pocketsphinx",
	.languages = ps_languages,
	.grammar = true,
	.rate = 16000,
	.open = ps_open,
	.close = ps_close,
	.recognize = ps_recognize,
};
