#include <errno.h>
#include <string.h>

#include "civil.h"
#include "sched.h"

struct fixed_holiday {
	int month;
	int day;
	unsigned region; /* 0: national */
	const char *name_fr;
	const char *name_en;
};

/* Code du travail, article L3133-1, plus the regional days of the abolition of slavery. */
static const struct fixed_holiday fixed_days[] = {
	{1, 1, 0, "Jour de l'an", "New Year's Day"},
	{5, 1, 0, "Fête du Travail", "Labour Day"},
	{5, 8, 0, "Victoire 1945", "Victory in Europe Day"},
	{7, 14, 0, "Fête nationale", "Bastille Day"},
	{8, 15, 0, "Assomption", "Assumption Day"},
	{11, 1, 0, "Toussaint", "All Saints' Day"},
	{11, 11, 0, "Armistice 1918", "Armistice Day"},
	{12, 25, 0, "Noël", "Christmas Day"},
	{12, 26, SCHED_REGION_ALSACE_MOSELLE, "Saint-Étienne", "St Stephen's Day"},
	{4, 27, SCHED_REGION_MAYOTTE, "Abolition de l'esclavage", "Abolition of slavery"},
	{5, 22, SCHED_REGION_MARTINIQUE, "Abolition de l'esclavage", "Abolition of slavery"},
	{5, 27, SCHED_REGION_GUADELOUPE, "Abolition de l'esclavage", "Abolition of slavery"},
	{5, 28, SCHED_REGION_SAINT_MARTIN, "Abolition de l'esclavage", "Abolition of slavery"},
	{6, 10, SCHED_REGION_GUYANE, "Abolition de l'esclavage", "Abolition of slavery"},
	{10, 9, SCHED_REGION_SAINT_BARTHELEMY, "Abolition de l'esclavage", "Abolition of slavery"},
	{12, 20, SCHED_REGION_REUNION, "Abolition de l'esclavage", "Abolition of slavery"},
};

struct easter_holiday {
	int offset; /* days from Easter Sunday */
	unsigned region;
	const char *name_fr;
	const char *name_en;
};

static const struct easter_holiday easter_days[] = {
	{-2, SCHED_REGION_ALSACE_MOSELLE, "Vendredi saint", "Good Friday"},
	{1, 0, "Lundi de Pâques", "Easter Monday"},
	{39, 0, "Ascension", "Ascension Day"},
	{50, 0, "Lundi de Pentecôte", "Whit Monday"},
};

static const struct {
	const char *code;
	unsigned bit;
} region_codes[] = {
	{"alsace-moselle", SCHED_REGION_ALSACE_MOSELLE},
	{"guadeloupe", SCHED_REGION_GUADELOUPE},
	{"martinique", SCHED_REGION_MARTINIQUE},
	{"guyane", SCHED_REGION_GUYANE},
	{"reunion", SCHED_REGION_REUNION},
	{"mayotte", SCHED_REGION_MAYOTTE},
	{"saint-martin", SCHED_REGION_SAINT_MARTIN},
	{"saint-barthelemy", SCHED_REGION_SAINT_BARTHELEMY},
};

static bool in_regions(unsigned region, unsigned regions)
{
	return region == 0 || (region & regions) != 0;
}

size_t sched_holidays_of_year(int year, unsigned regions, struct sched_holiday *out,
			      size_t size)
{
	int64_t easter = civil_easter_sunday(year);
	size_t n = 0;

	for (size_t i = 0; i < sizeof(fixed_days) / sizeof(fixed_days[0]); i++) {
		const struct fixed_holiday *f = &fixed_days[i];

		if (!in_regions(f->region, regions) || n == size)
			continue;
		out[n].day = civil_days_from_date(year, f->month, f->day);
		out[n].name_fr = f->name_fr;
		out[n].name_en = f->name_en;
		n++;
	}
	for (size_t i = 0; i < sizeof(easter_days) / sizeof(easter_days[0]); i++) {
		const struct easter_holiday *e = &easter_days[i];

		if (!in_regions(e->region, regions) || n == size)
			continue;
		out[n].day = easter + e->offset;
		out[n].name_fr = e->name_fr;
		out[n].name_en = e->name_en;
		n++;
	}
	/* Insertion sort: at most 16 entries. */
	for (size_t i = 1; i < n; i++) {
		struct sched_holiday h = out[i];
		size_t k = i;

		for (; k > 0 && out[k - 1].day > h.day; k--)
			out[k] = out[k - 1];
		out[k] = h;
	}
	return n;
}

bool sched_is_holiday(int64_t day, unsigned regions, struct sched_holiday *holiday)
{
	struct civil_date date = civil_date_from_days(day);
	int64_t easter = civil_easter_sunday(date.year);

	for (size_t i = 0; i < sizeof(fixed_days) / sizeof(fixed_days[0]); i++) {
		const struct fixed_holiday *f = &fixed_days[i];

		if (f->month == date.month && f->day == date.day && in_regions(f->region, regions)) {
			if (holiday)
				*holiday = (struct sched_holiday){day, f->name_fr, f->name_en};
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(easter_days) / sizeof(easter_days[0]); i++) {
		const struct easter_holiday *e = &easter_days[i];

		if (easter + e->offset == day && in_regions(e->region, regions)) {
			if (holiday)
				*holiday = (struct sched_holiday){day, e->name_fr, e->name_en};
			return true;
		}
	}
	return false;
}

int sched_regions_parse(const char *text, unsigned *regions, const char **bad)
{
	const char *p = text;

	*regions = 0;
	if (bad)
		*bad = NULL;
	while (*p) {
		size_t len;
		bool found = false;

		while (*p == ',' || *p == ' ')
			p++;
		if (!*p)
			break;
		len = strcspn(p, ", ");
		for (size_t i = 0; i < sizeof(region_codes) / sizeof(region_codes[0]); i++) {
			if (strlen(region_codes[i].code) == len &&
			    strncmp(region_codes[i].code, p, len) == 0) {
				*regions |= region_codes[i].bit;
				found = true;
			}
		}
		if (!found) {
			if (bad)
				*bad = p;
			return EINVAL;
		}
		p += len;
	}
	return 0;
}
