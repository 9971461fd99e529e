#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "fold.h"
#include "test.h"
#include "tz.h"
#include "wav.h"

static void civil_round_trip(void)
{
	for (int64_t day = -800000; day < 800000; day += 13) {
		struct civil_date d = civil_date_from_days(day);

		if (!TEST_EQ_INT(civil_days_from_date(d.year, d.month, d.day), day))
			break;
	}
	TEST_EQ_INT(civil_days_from_date(1970, 1, 1), 0);
	TEST_EQ_INT(civil_days_from_date(2000, 3, 1), 11017);
}

static void civil_weekdays(void)
{
	TEST_EQ_INT(civil_weekday(civil_days_from_date(1970, 1, 1)), 4);
	TEST_EQ_INT(civil_weekday(civil_days_from_date(2026, 3, 30)), 1);
	TEST_EQ_INT(civil_weekday(civil_days_from_date(2026, 3, 28)), 6);
	TEST_EQ_INT(civil_weekday(civil_days_from_date(2026, 12, 4)), 5);
	TEST_EQ_INT(civil_weekday(civil_days_from_date(1969, 12, 31)), 3);
}

static void civil_invalid_dates(void)
{
	TEST_CHECK(!civil_date_valid(2026, 2, 30));
	TEST_CHECK(!civil_date_valid(2026, 2, 29));
	TEST_CHECK(civil_date_valid(2028, 2, 29));
	TEST_CHECK(!civil_date_valid(1900, 2, 29));
	TEST_CHECK(civil_date_valid(2000, 2, 29));
	TEST_CHECK(!civil_date_valid(2026, 13, 1));
	TEST_CHECK(!civil_date_valid(2026, 4, 31));
}

static void civil_easter(void)
{
	static const struct {
		int year, month, day;
	} known[] = {
		{2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5}, {2027, 3, 28},
		{2038, 4, 25}, {2000, 4, 23}, {1961, 4, 2}, {2285, 3, 22},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		TEST_EQ_INT(civil_easter_sunday(known[i].year),
			    civil_days_from_date(known[i].year, known[i].month, known[i].day));
}

static void civil_parsing(void)
{
	struct civil_date d;
	int minutes;

	TEST_EQ_INT(civil_date_parse("2026-03-30", &d), 0);
	TEST_EQ_INT(d.day, 30);
	TEST_EQ_INT(civil_date_parse("2026-02-30", &d), EINVAL);
	TEST_EQ_INT(civil_date_parse("2026-3-30", &d), EINVAL);
	TEST_EQ_INT(civil_minutes_parse("08:30", &minutes), 0);
	TEST_EQ_INT(minutes, 510);
	TEST_EQ_INT(civil_minutes_parse("24:00", &minutes), 0);
	TEST_EQ_INT(minutes, 1440);
	TEST_EQ_INT(civil_minutes_parse("24:30", &minutes), EINVAL);
	TEST_EQ_INT(civil_minutes_parse("8:30", &minutes), EINVAL);
	TEST_EQ_INT(civil_minutes_parse("12:60", &minutes), EINVAL);
}

static int64_t utc_of(int y, int mo, int d, int h, int mi)
{
	struct civil_time t = {y, mo, d, h, mi, 0};

	return civil_time_to_seconds(&t);
}

static int64_t local_to_utc(const struct tz *tz, int y, int mo, int d, int h, int mi, int *err)
{
	struct civil_time t = {y, mo, d, h, mi, 0};
	int64_t utc = 0;

	*err = tz_from_local(tz, &t, &utc, NULL);
	return utc;
}

static void tz_paris_spring_week(void)
{
	struct tz *tz;
	int err;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	TEST_EQ_INT(local_to_utc(tz, 2026, 3, 28, 9, 0, &err), utc_of(2026, 3, 28, 8, 0));
	TEST_EQ_INT(err, 0);
	TEST_EQ_INT(local_to_utc(tz, 2026, 3, 30, 8, 30, &err), utc_of(2026, 3, 30, 6, 30));
	TEST_EQ_INT(err, 0);
	/* 02:00-03:00 on Sunday 29 March 2026 does not exist in Paris. */
	local_to_utc(tz, 2026, 3, 29, 2, 30, &err);
	TEST_EQ_INT(err, ENOENT);
	TEST_EQ_INT(local_to_utc(tz, 2026, 3, 29, 3, 0, &err), utc_of(2026, 3, 29, 1, 0));
	TEST_EQ_INT(local_to_utc(tz, 2026, 3, 29, 1, 59, &err), utc_of(2026, 3, 29, 0, 59));
	TEST_EQ_INT(tz_offset_at(tz, utc_of(2026, 3, 29, 0, 59)), 3600);
	TEST_EQ_INT(tz_offset_at(tz, utc_of(2026, 3, 29, 1, 0)), 7200);
	/* The day of the change is 23 hours long. */
	TEST_EQ_INT(tz_day_start(tz, civil_days_from_date(2026, 3, 30)) -
			    tz_day_start(tz, civil_days_from_date(2026, 3, 29)),
		    23 * 3600);
	tz_close(tz);
}

static void tz_paris_autumn_week(void)
{
	struct tz *tz;
	struct civil_time t = {2026, 10, 25, 2, 30, 0};
	unsigned flags;
	int64_t utc;
	int err;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	TEST_EQ_INT(local_to_utc(tz, 2026, 10, 24, 9, 0, &err), utc_of(2026, 10, 24, 7, 0));
	TEST_EQ_INT(local_to_utc(tz, 2026, 10, 26, 8, 30, &err), utc_of(2026, 10, 26, 7, 30));
	TEST_EQ_INT(tz_from_local(tz, &t, &utc, &flags), 0);
	TEST_CHECK(flags & TZ_AMBIGUOUS);
	TEST_EQ_INT(utc, utc_of(2026, 10, 25, 0, 30));
	TEST_EQ_INT(tz_day_start(tz, civil_days_from_date(2026, 10, 26)) -
			    tz_day_start(tz, civil_days_from_date(2026, 10, 25)),
		    25 * 3600);
	tz_close(tz);
}

static void tz_overseas_zones(void)
{
	static const struct {
		const char *zone;
		int offset;
	} zones[] = {
		{"America/Cayenne", -3 * 3600},    {"Indian/Reunion", 4 * 3600},
		{"America/Guadeloupe", -4 * 3600}, {"America/Martinique", -4 * 3600},
		{"Indian/Mayotte", 3 * 3600},      {"Pacific/Noumea", 11 * 3600},
	};

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		struct tz *tz;

		TEST_REQUIRE(tz_open(&tz, zones[i].zone) == 0);
		TEST_EQ_INT(tz_offset_at(tz, utc_of(2026, 1, 15, 12, 0)), zones[i].offset);
		TEST_EQ_INT(tz_offset_at(tz, utc_of(2026, 7, 15, 12, 0)), zones[i].offset);
		tz_close(tz);
	}
}

static void tz_unknown_zone(void)
{
	struct tz *tz = NULL;

	TEST_EQ_INT(tz_open(&tz, "Europe/Lyon"), EINVAL);
	TEST_EQ_INT(tz_open(&tz, ""), EINVAL);
	TEST_EQ_INT(tz_open(&tz, "Mars/Olympus_Mons"), EINVAL);
	TEST_CHECK(tz == NULL);
}

static void tz_iso8601(void)
{
	struct tz *tz;
	char buf[40];
	const char *why;
	int64_t utc;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	TEST_EQ_INT(tz_format_iso8601(tz, utc_of(2026, 3, 30, 6, 30), buf, sizeof(buf)), 0);
	TEST_EQ_STR(buf, "2026-03-30T08:30:00+02:00");
	tz_format_iso8601(tz, utc_of(2026, 1, 5, 23, 15), buf, sizeof(buf));
	TEST_EQ_STR(buf, "2026-01-06T00:15:00+01:00");

	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-03-30T08:30:00+02:00", &utc, &why), 0);
	TEST_EQ_INT(utc, utc_of(2026, 3, 30, 6, 30));
	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-03-30T06:30Z", &utc, &why), 0);
	TEST_EQ_INT(utc, utc_of(2026, 3, 30, 6, 30));
	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-03-30 08:30", &utc, &why), 0);
	TEST_EQ_INT(utc, utc_of(2026, 3, 30, 6, 30));
	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-03-30", &utc, &why), 0);
	TEST_EQ_INT(utc, utc_of(2026, 3, 29, 22, 0));
	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-12-04T10:00:00.250-0300", &utc, &why), 0);
	TEST_EQ_INT(utc, utc_of(2026, 12, 4, 13, 0));

	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-02-30T10:00", &utc, &why), EINVAL);
	TEST_EQ_STR(why, "this date does not exist");
	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-03-29T02:30", &utc, &why), ENOENT);
	TEST_EQ_INT(tz_parse_iso8601(tz, "tomorrow", &utc, &why), EINVAL);
	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-03-30T25:00", &utc, &why), EINVAL);
	TEST_EQ_INT(tz_parse_iso8601(tz, "2026-03-30T10:00+02:00junk", &utc, &why), EINVAL);
	TEST_EQ_INT(tz_parse_iso8601(tz, "", &utc, &why), EINVAL);
	tz_close(tz);
}

static void tz_day_of_instants(void)
{
	struct tz *tz;

	TEST_REQUIRE(tz_open(&tz, "Europe/Paris") == 0);
	TEST_EQ_INT(tz_day_of(tz, utc_of(2026, 12, 31, 23, 30)), civil_days_from_date(2027, 1, 1));
	TEST_EQ_INT(tz_day_of(tz, utc_of(2026, 12, 31, 22, 59)),
		    civil_days_from_date(2026, 12, 31));
	tz_close(tz);
}

static void fold_cases(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"Élodie", "elodie"},
		{"BENALI", "benali"},
		{"cœur", "coeur"},
		{"Ça va, l’été ?", "ca va, l'ete ?"},
		{"Moreau", "moreau"},
		{"ÆSCHYLE", "aeschyle"},
		{"Müller-Lüdenscheidt", "muller-ludenscheidt"},
		{"", ""},
	};
	char out[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TEST_CHECK(text_fold(cases[i].in, out, sizeof(out)) >= 0);
		TEST_EQ_STR(out, cases[i].out);
	}
}

static void fold_bad_input(void)
{
	char out[16];

	/* A lone continuation byte and a truncated sequence are replaced, not trusted. */
	TEST_CHECK(text_fold("a\x80" "b\xC3", out, sizeof(out)) >= 0);
	TEST_CHECK(strncmp(out, "a", 1) == 0);
	TEST_EQ_INT(text_fold("this is far too long for sixteen bytes", out, sizeof(out)), -1);
	TEST_EQ_STR(out, "");
	TEST_EQ_INT(text_fold("é is too long for eight", out, 8), -1);
}

static void *fold_in_thread(void *arg)
{
	char out[64];
	int *bad = arg;

	for (int i = 0; i < 200; i++) {
		text_fold("Hôpital Édouard Herriot", out, sizeof(out));
		if (strcmp(out, "hopital edouard herriot") != 0)
			(*bad)++;
	}
	return NULL;
}

static void fold_threads(void)
{
	pthread_t threads[4];
	int bad[4] = {0};

	for (int i = 0; i < 4; i++)
		pthread_create(&threads[i], NULL, fold_in_thread, &bad[i]);
	for (int i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		TEST_EQ_INT(bad[i], 0);
	}
}

static void wav_round_trip(void)
{
	char path[512];
	int16_t samples[1000];
	struct wav_audio audio;

	for (int i = 0; i < 1000; i++)
		samples[i] = (int16_t)(i * 37 - 18000);
	TEST_REQUIRE(wav_write_file(test_tmp_path(path, sizeof(path), "a.wav"), samples, 1000,
				    8000) == 0);
	TEST_REQUIRE(wav_read_file(&audio, path) == 0);
	TEST_EQ_INT(audio.rate, 8000);
	TEST_EQ_INT(audio.count, 1000);
	TEST_CHECK(memcmp(audio.samples, samples, sizeof(samples)) == 0);
	wav_audio_free(&audio);
}

static void wav_corpus_files(void)
{
	const char *corpus = getenv("PERMANENCE_CORPUS_DIR");
	char path[1024];
	struct wav_audio audio;

	TEST_REQUIRE(corpus != NULL);
	snprintf(path, sizeof(path), "%s/audio/fsdd_digits_en_8k/7_theo_0.wav", corpus);
	TEST_REQUIRE(wav_read_file(&audio, path) == 0);
	TEST_EQ_INT(audio.rate, 8000);
	TEST_CHECK(audio.count > 1000);
	wav_audio_free(&audio);
	snprintf(path, sizeof(path), "%s/audio/speech_to_phrase_16k/fr/annuler.wav", corpus);
	TEST_REQUIRE(wav_read_file(&audio, path) == 0);
	TEST_EQ_INT(audio.rate, 16000);
	wav_audio_free(&audio);
}

static void wav_malformed(void)
{
	static const uint8_t not_riff[] = "RIFX\0\0\0\0WAVE";
	uint8_t truncated[44] = "RIFF\x24\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0";
	uint8_t bad_format[60];
	struct wav_audio audio;

	TEST_EQ_INT(wav_read_buffer(&audio, not_riff, sizeof(not_riff)), EINVAL);
	TEST_EQ_INT(wav_read_buffer(&audio, truncated, 20), EINVAL);
	TEST_EQ_INT(wav_read_buffer(&audio, truncated, sizeof(truncated)), EINVAL);
	/* A fmt chunk that claims more bytes than the file has. */
	memset(bad_format, 0, sizeof(bad_format));
	memcpy(bad_format, "RIFF\x34\0\0\0WAVEfmt \xff\xff\0\0", 20);
	TEST_EQ_INT(wav_read_buffer(&audio, bad_format, sizeof(bad_format)), EINVAL);
	TEST_EQ_INT(wav_read_file(&audio, "/nonexistent/x.wav"), ENOENT);
}

static const struct test_case cases[] = {
	TEST_CASE(civil_round_trip),	 TEST_CASE(civil_weekdays),
	TEST_CASE(civil_invalid_dates),	 TEST_CASE(civil_easter),
	TEST_CASE(civil_parsing),	 TEST_CASE(tz_paris_spring_week),
	TEST_CASE(tz_paris_autumn_week), TEST_CASE(tz_overseas_zones),
	TEST_CASE(tz_unknown_zone),	 TEST_CASE(tz_iso8601),
	TEST_CASE(tz_day_of_instants),	 TEST_CASE(fold_cases),
	TEST_CASE(fold_bad_input),	 TEST_CASE(fold_threads),
	TEST_CASE(wav_round_trip),	 TEST_CASE(wav_corpus_files),
	TEST_CASE(wav_malformed),
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, TEST_COUNT(cases));
}
