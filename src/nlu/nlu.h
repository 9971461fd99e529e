/*
 * Language understanding: turns one caller utterance (speech recognised as text, or
 * typed) into an intent, an urgency decision with its cues, and entities with resolved
 * values.
 *
 * Pure: nlu_parse() reads only its arguments and the immutable struct nlu, never the
 * clock, the network or global state, so a struct nlu can be shared between threads and
 * tables of cases test it. "Now" and the practice's time zone are passed in.
 *
 * Ownership: a struct nlu_result owns nothing; every string is a fixed array inside it.
 */
#ifndef PERMANENCE_NLU_H
#define PERMANENCE_NLU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civil.h"
#include "tz.h"

enum nlu_lang {
	NLU_LANG_FR = 0,
	NLU_LANG_EN = 1,
};

/* What the dialogue expects at this turn; it narrows ambiguous readings ("deux" after
 * "which slot?" is a choice, after "what day?" a date). */
enum nlu_expect {
	NLU_EXPECT_OPEN = 0,   /* an open request: "how can I help you?" */
	NLU_EXPECT_YES_NO,     /* a confirmation */
	NLU_EXPECT_DATE,       /* a day or time preference */
	NLU_EXPECT_SLOT_CHOICE, /* one of the slots just offered */
	NLU_EXPECT_NAME,       /* a last name, possibly spelled */
	NLU_EXPECT_BIRTH_DATE, /* a date of birth */
	NLU_EXPECT_PHONE,      /* a phone number */
	NLU_EXPECT_DIGITS,     /* a keypad-style choice said aloud */
	NLU_EXPECT_TYPE,       /* an appointment type */
	NLU_EXPECT_PRACTITIONER, /* a practitioner, or "any" */
	NLU_EXPECT_COUNT
};

enum nlu_intent {
	NLU_INTENT_NONE = 0,   /* no request recognised (noise, empty, or an answer carried
				* only by entities: "jeudi à 10 h" after "what day?") */
	NLU_INTENT_BOOK,       /* make an appointment */
	NLU_INTENT_CANCEL,
	NLU_INTENT_MOVE,       /* change the day or time of an appointment */
	NLU_INTENT_CHECK,      /* "when is my appointment?" */
	NLU_INTENT_PRESCRIPTION, /* prescription renewal */
	NLU_INTENT_RESULTS,    /* test results */
	NLU_INTENT_PAPERWORK,  /* certificate, forms, letters */
	NLU_INTENT_HOURS,
	NLU_INTENT_ADDRESS,    /* address and access */
	NLU_INTENT_FEES,       /* fees, payment, carte Vitale, tiers payant */
	NLU_INTENT_HUMAN,      /* speak to a person */
	NLU_INTENT_EMERGENCY,
	NLU_INTENT_GOODBYE,    /* thanks, goodbye */
	NLU_INTENT_YES,
	NLU_INTENT_NO,
	NLU_INTENT_DONT_KNOW,
	NLU_INTENT_REPEAT,
	NLU_INTENT_CHANGE_LANGUAGE, /* "do you speak English?", "en français" */
	NLU_INTENT_OUT_OF_SCOPE, /* understood, but not something a practice's phone does */
	NLU_INTENT_COUNT
};

enum nlu_urgency {
	NLU_URGENCY_NONE = 0,
	NLU_URGENCY_URGENT,    /* needs an answer today */
	NLU_URGENCY_EMERGENCY, /* the caller must dial 15 / 112 now */
};

/* Red-flag categories; each emergency or urgent decision names one. */
enum nlu_flag {
	NLU_FLAG_NONE = 0,
	NLU_FLAG_CHEST_PAIN,
	NLU_FLAG_STROKE,
	NLU_FLAG_BREATHING,
	NLU_FLAG_UNCONSCIOUS,
	NLU_FLAG_SEIZURE,
	NLU_FLAG_BLEEDING,
	NLU_FLAG_ANAPHYLAXIS,
	NLU_FLAG_INFANT_FEVER,
	NLU_FLAG_RASH,          /* non-blanching rash */
	NLU_FLAG_POISONING,
	NLU_FLAG_BURN,
	NLU_FLAG_HEAD_INJURY,
	NLU_FLAG_SUICIDE,
	NLU_FLAG_OTHER_URGENT,  /* same-day need without a life-threatening sign */
	/* A life-threatening sign outside the categories above: acute confusion, major
	 * trauma, a stiff neck with fever. */
	NLU_FLAG_OTHER_EMERGENCY,
	NLU_FLAG_COUNT
};

/* Who the appointment or request is for, relative to the caller. */
enum nlu_patient {
	NLU_PATIENT_UNKNOWN = 0,
	NLU_PATIENT_SELF,
	NLU_PATIENT_CHILD, /* son, daughter, baby, child */
	NLU_PATIENT_PARTNER,
	NLU_PATIENT_PARENT,
	NLU_PATIENT_OTHER,
};

/*
 * Grain of a resolved time: the finest unit the caller gave. "jeudi" is a day, "jeudi
 * matin" a part of day, "jeudi à 10h" an hour, "la semaine prochaine" a week.
 */
enum nlu_grain {
	NLU_GRAIN_NONE = 0,
	NLU_GRAIN_MINUTE,
	NLU_GRAIN_HOUR,
	NLU_GRAIN_PART_OF_DAY, /* "le matin", "late afternoon" */
	NLU_GRAIN_DAY,
	NLU_GRAIN_WEEK,
	NLU_GRAIN_MONTH,
	NLU_GRAIN_YEAR,
};

#define NLU_TEXT_MAX 128
#define NLU_MAX_CUES 8
#define NLU_MAX_WHEN 4
/* Days an open range runs when the caller bounded only one side ("après le 15"). */
#define NLU_HORIZON_DAYS 28

/* One cue behind an urgency decision: the words heard and the rule they matched. */
struct nlu_cue {
	char text[NLU_TEXT_MAX]; /* the caller's words, as folded */
	char rule[64];           /* lexicon rule id, e.g. "chest_pain.radiating" */
	bool negated;            /* heard but negated: listed for audit, not counted */
	bool history;            /* past event ("il a eu un AVC il y a deux ans"), not counted */
	bool third_person;       /* about someone else ("mon mari") */
	bool resolved;           /* stopped ("il ne saigne plus"); counted only where the
				  * flag's policy says a sign that went away still matters */
	bool chronic;            /* long-standing ("depuis des mois"): may count lower */
	bool counted;            /* this cue raised the level */
};

struct nlu_triage {
	enum nlu_urgency level;
	enum nlu_flag flag;
	/* The number to call: "15", "112" or "3114"; empty below emergency. */
	char dial[8];
	size_t cue_count;
	struct nlu_cue cues[NLU_MAX_CUES];
};

/*
 * A time preference resolved against the reference instant: the half-open interval
 * [start, end) in UTC, its grain, and constraints that cut it further. Several of them
 * can be given ("mardi ou jeudi matin").
 */
struct nlu_when {
	int64_t start;      /* UTC seconds */
	int64_t end;        /* UTC seconds, exclusive */
	enum nlu_grain grain;
	/* Local minutes of the day allowed within each day, [from, to); 0 and 1440 when free. */
	int minute_from;
	int minute_to;
	/* ISO weekdays excluded: bit 1 = Monday ... bit 7 = Sunday ("pas le lundi"). */
	unsigned weekday_exclude;
	bool open_start;    /* "avant midi": only the end is bounded by the caller */
	bool open_end;      /* "après 17h" */
};

struct nlu_entities {
	size_t when_count;
	struct nlu_when when[NLU_MAX_WHEN];
	int duration_minutes;   /* "pendant une heure", "for 30 minutes": 60, 30; 0 when none */

	/* Index into the practice vocabulary's practitioners, or -1. */
	int practitioner;
	bool practitioner_any;  /* "n'importe lequel", "any doctor" */
	/* Specialty code asked for ("pediatre" for "le pédiatre"), empty when none; set even
	 * when several practitioners share it and practitioner stays -1. */
	char specialty[24];
	/* Index into the practice vocabulary's appointment types, or -1. */
	int appointment_type;

	enum nlu_patient patient;
	bool new_patient;       /* "c'est la première fois", "I'm a new patient" */
	char reason[NLU_TEXT_MAX]; /* the reason for the visit in the caller's words, folded */

	char phone[20];         /* E.164, "+33612345678"; empty when none */
	bool has_birth_date;
	struct civil_date birth_date;
	char last_name[64];     /* as heard or spelled, upper case ASCII, "MARTIN" */
	char first_name[64];

	/* 1-based choice among offered items ("le deuxième"), 0 when none, -1 for "the last
	 * one" when the options were not passed in. */
	int choice;
	char digits[32];        /* digits said or typed, in order */
	enum nlu_lang language; /* with NLU_INTENT_CHANGE_LANGUAGE: the language asked for */
};

struct nlu_result {
	enum nlu_intent intent;
	float confidence;       /* 0..1, how sure the intent is */
	bool correction;        /* "non, plutôt jeudi": replaces the last answer */
	struct nlu_triage triage;
	struct nlu_entities entities;
	char normalized[512];   /* the normalised text the rules ran on */
};

/* One practitioner as callers may name them. */
struct nlu_practitioner {
	const char *first_name;   /* "Claire" */
	const char *last_name;    /* "Martin" */
	const char *specialty;    /* "generaliste", "pediatre": a lexicon specialty code */
};

struct nlu_appointment_type {
	const char *code;         /* "consultation", "vaccination" */
	const char *label_fr;
	const char *label_en;
};

/* The practice's own words, read from the store when the engine is built. */
struct nlu_vocabulary {
	const struct nlu_practitioner *practitioners;
	size_t practitioner_count;
	const struct nlu_appointment_type *types;
	size_t type_count;
};

struct nlu_input {
	const char *text;         /* UTF-8, as recognised or typed */
	enum nlu_lang lang;
	enum nlu_expect expect;
	int64_t now;              /* reference instant, UTC seconds */
	const struct tz *tz;      /* the practice's zone */
	/* The items just offered, as said to the caller ("jeudi 10 h 30"), so that "celui de
	 * 10 h 30" selects one; may be NULL. */
	const char *const *options;
	size_t option_count;
};

struct nlu;

/*
 * Build an engine from the compiled-in lexicon and the practice vocabulary (copied).
 * Returns 0, ENOMEM, or EINVAL when the lexicon data is malformed.
 */
int nlu_create(struct nlu **nlup, const struct nlu_vocabulary *vocabulary);
void nlu_destroy(struct nlu *nlu);

/* Understand one utterance. Returns 0, or EINVAL for a NULL text or an unknown language. */
int nlu_parse(const struct nlu *nlu, const struct nlu_input *input, struct nlu_result *result);

/*
 * Write a JSGF grammar (for a speech recogniser such as pocketsphinx) that accepts the
 * phrases the lexicon knows for one expectation in one language, plus every red-flag
 * phrase, so an emergency said at any point is heard. `extra` lists further phrases
 * (the slots just offered, say) and may be NULL. On success *jsgf is a malloc'd
 * NUL-terminated string the caller frees. Returns 0, ENOMEM or EINVAL.
 */
int nlu_grammar_jsgf(const struct nlu *nlu, enum nlu_lang lang, enum nlu_expect expect,
		     const char *const *extra, size_t extra_count, char **jsgf);

/* Stable lower-case names for logs and JSON: "book", "emergency", "child", ... */
const char *nlu_intent_name(enum nlu_intent intent);
const char *nlu_urgency_name(enum nlu_urgency urgency);
const char *nlu_flag_name(enum nlu_flag flag);
const char *nlu_patient_name(enum nlu_patient patient);
const char *nlu_expect_name(enum nlu_expect expect);
const char *nlu_grain_name(enum nlu_grain grain);

#endif
