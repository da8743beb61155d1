/* Tests for number.c: @fever, @over_a_week and @repeat found in the tokens
 * of a normalised message, with their spans, values and flags, and what
 * each of them must not take. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "calendar.h"
#include "normalise.h"
#include "number.h"
#include "token.h"

/* The day dates are read against; the date tests set it. */
static int32_t render_today = CALENDAR_NONE;

/* Renders what number_find finds in a message as
 * "@kind value "span"[ flags]" joined by "; ", "-" for nothing. */
static void
render(const char *msg, char *out, size_t outlen)
{
	static char text[BT_MESSAGE_MAX + 1];
	static struct token t[TOKEN_MAX];
	struct normalise_result nr;
	struct number_match m[8];
	size_t o = 0;

	assert_int_equal(
	    normalise_text(msg, strlen(msg), NORMALISE_RUNS_TWO, text, &nr),
	    NORMALISE_OK);
	size_t nt = token_split(text, nr.len, t, TOKEN_MAX);
	size_t n = number_find(text, t, nt, render_today, m, 8);
	snprintf(out, outlen, "-");
	for (size_t i = 0; i < n && o < outlen; i++) {
		assert_true(m[i].first <= m[i].last && m[i].last < nt);
		o += (size_t)snprintf(
		    out + o, outlen - o, "%s%s %g \"%.*s\"%s%s%s",
		    i ? "; " : "", number_concept_name(m[i].kind), m[i].value,
		    (int)(t[m[i].last].end - t[m[i].first].start),
		    text + t[m[i].first].start,
		    (m[i].flags & NUMBER_MORE) ? " more" : "",
		    (m[i].flags & NUMBER_AGO) ? " ago" : "",
		    (m[i].flags & NUMBER_EVERY) ? " every" : "");
	}
}

struct number_case {
	const char *msg, *want;
};

static void
check_cases(const struct number_case *cases, size_t n)
{
	char got[512];
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		render(cases[i].msg, got, sizeof(got));
		if (strcmp(got, cases[i].want) != 0) {
			print_error("\"%s\": got %s, want %s\n", cases[i].msg,
			            got, cases[i].want);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d of %zu cases differ", bad, n);
}

#define CHECK_CASES(c) check_cases(c, sizeof(c) / sizeof(c[0]))

static void
test_fever(void **state)
{
	static const struct number_case cases[] = {
		{ "temp 101", "@fever 101 \"temp 101\"" },
		{ "Temp of 101.2 this morning",
		  "@fever 101.2 \"temp of 101.2\"" },
		{ "fever 38.5", "@fever 101.3 \"fever 38.5\"" },
		{ "fever 38,6 since yesterday",
		  "@fever 101.48 \"fever 38,6\"" },
		{ "39C and my back hurts", "@fever 102.2 \"39c\"" },
		{ "102F", "@fever 102 \"102f\"" },
		{ "it was 101 degrees", "@fever 101 \"101 degrees\"" },
		{ "38 °C", "@fever 100.4 \"38 \xc2\xb0"
		           "c\"" },
		{ "38°C and back pain", "@fever 100.4 \"38\xc2\xb0"
		                        "c\"" },
		{ "38 degrees c", "@fever 100.4 \"38 degrees c\"" },
		{ "running a 101 since friday",
		  "@fever 101 \"running a 101\"" },
		{ "temperature is 38.7",
		  "@fever 101.66 \"temperature is 38.7\"" },
		{ "fever 100.4", "@fever 100.4 \"fever 100.4\"" },
		{ "my fever hit 102 last night",
		  "@fever 102 \"fever hit 102\"" },
		{ "thermometer says 100.9",
		  "@fever 100.9 \"thermometer says 100.9\"" },
		{ "101.5 temp", "@fever 101.5 \"101.5\"" },
		{ "fiebre de 39 grados",
		  "@fever 102.2 \"fiebre de 39 grados\"" },
		{ "tengo fiebre 38,5 y dolor", "@fever 101.3 \"fiebre 38,5\"" },
		{ "fever 102, deadlifted 405 last week",
		  "@fever 102 \"fever 102\"" },
		{ "110 fever", "@fever 110 \"110\"" },
		{ "38.6 and my lower back is pounding",
		  "@fever 101.48 \"38.6\"" },
		{ "back hurts. 39,2 since last night",
		  "@fever 102.56 \"39,2\"" },
		{ "38 and a half this morning and my back aches",
		  "@fever 101.3 \"38 and a half\"" },
		{ "temp 39 and a half degrees",
		  "@fever 103.1 \"temp 39 and a half degrees\"" },
	};

	(void)state;
	CHECK_CASES(cases);
}

/* A temperature said in words, or with a cue of another language or a
 * fever's signs, is a fever; words that are no temperature are not. */
static void
test_fever_words(void **state)
{
	static const struct number_case cases[] = {
		{ "temp of a hundred and one",
		  "@fever 101 \"a hundred and one\"" },
		{ "running a hundred and two, back aching",
		  "@fever 102 \"a hundred and two\"" },
		{ "fever hundred and one point five",
		  "@fever 101.5 \"hundred and one point five\"" },
		{ "my temperature was a hundred point five",
		  "@fever 100.5 \"a hundred point five\"" },
		{ "thermometer says thirty eight and a half",
		  "@fever 101.3 \"thirty eight and a half\"" },
		{ "thirty nine degrees and my back hurts",
		  "@fever 102.2 \"thirty nine\"" },
		{ "fever of forty", "@fever 104 \"forty\"" },
		{ "lagnat ko 38.9", "@fever 102.02 \"lagnat ko 38.9\"" },
		{ "chills and 101.2", "@fever 101.2 \"chills and 101.2\"" },
		{ "a hundred and one reasons my back hurts", "-" },
		{ "did thirty eight reps", "-" },
		{ "a hundred reps and a temp check", "-" },
		{ "forty degrees outside, hot tub temp", "-" },
		{ "temp of thirty seven and a half", "-" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void
test_not_fever(void **state)
{
	static const struct number_case cases[] = {
		{ "99.5", "-" },
		{ "temp 99.5", "-" },
		{ "my temperature was 37.8", "-" },
		{ "temp 100.3", "-" },
		{ "100.9", "-" },    /* no cue */
		{ "38", "-" },       /* a Celsius reading needs its decimal */
		{ "bmi 38.6", "-" }, /* not first in its clause */
		{ "ran 38.6 km", "-" },
		{ "deadlift 40.5", "-" },
		{ "42.5 and my back is sore", "-" }, /* above 42 */
		{ "39.5 on the clock for my 5k", "-" },
		{ "111 fever", "-" },  /* above 110 F */
		{ "43.6 fever", "-" }, /* above 43.5 C */
		{ "39 f fever", "-" }, /* Fahrenheit, not 100.4 or more */
		{ "102 c", "-" },      /* Celsius out of range */
		{ "deadlift 102 kg", "-" },
		{ "squat 101 lbs", "-" },
		{ "im 38 years old", "-" },
		{ "im 38 and have a fever", "-" },
		{ "im 38 and a half", "-" },
		{ "38 and a half kg lighter", "-" },
		{ "squatted 38 and a half this morning", "-" },
		{ "100.4 kg", "-" },
		{ "lifted 380", "-" },
		{ "fever since day 38", "@over_a_week 38 \"day 38\"" },
		{ "fever and i deadlifted 102", "-" },
		{ "i have a fever. i deadlifted 102 yesterday", "-" },
		{ "pulse 102 and a fever", "-" },
		{ "its 102 degrees outside", "-" },
		{ "hot tub temp 102", "-" },
		{ "fever, 101% sure", "-" },
		{ "102kg pull and a fever", "-" },
		{ "fever for 101 hours", "-" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void
test_over_a_week(void **state)
{
	static const struct number_case cases[] = {
		{ "10 days", "@over_a_week 10 \"10 days\"" },
		{ "8 days", "@over_a_week 8 \"8 days\"" },
		{ "back pain for ten days now",
		  "@over_a_week 10 \"ten days\"" },
		{ "two weeks", "@over_a_week 14 \"two weeks\"" },
		{ "been off work 2 wks", "@over_a_week 14 \"2 wks\"" },
		{ "3weeks", "@over_a_week 21 \"3weeks\"" },
		{ "a fortnight", "@over_a_week 14 \"a fortnight\"" },
		{ "its been like a month", "@over_a_week 30 \"a month\"" },
		{ "a couple of months",
		  "@over_a_week 60 \"a couple of months\"" },
		{ "couple weeks", "@over_a_week 14 \"couple weeks\"" },
		{ "6 months", "@over_a_week 180 \"6 months\"" },
		{ "6 mo", "@over_a_week 180 \"6 mo\"" },
		{ "a year", "@over_a_week 365 \"a year\"" },
		{ "1.5 weeks", "@over_a_week 10.5 \"1.5 weeks\"" },
		{ "a week and a half",
		  "@over_a_week 10.5 \"a week and a half\"" },
		{ "two and a half weeks",
		  "@over_a_week 17.5 \"two and a half weeks\"" },
		{ "1 week and 3 days",
		  "@over_a_week 10 \"1 week and 3 days\"" },
		{ "a week or two", "@over_a_week 14 \"a week or two\"" },
		{ "1-2 weeks", "@over_a_week 14 \"1-2 weeks\"" },
		{ "2 or 3 weeks", "@over_a_week 21 \"2 or 3 weeks\"" },
		{ "over a week", "@over_a_week 7 \"over a week\" more" },
		{ "more than a week",
		  "@over_a_week 7 \"more than a week\" more" },
		{ "7+ days", "@over_a_week 7 \"7+ days\" more" },
		{ "a week or more", "@over_a_week 7 \"a week or more\" more" },
		{ "week 3 of this", "@over_a_week 15 \"week 3\"" },
		{ "day 12 of back pain", "@over_a_week 12 \"day 12\"" },
		{ "my 3rd week of pain", "@over_a_week 15 \"3rd week\"" },
		{ "for the past month", "@over_a_week 30 \"the past month\"" },
		{ "for weeks", "@over_a_week 14 \"weeks\"" },
		{ "for months", "@over_a_week 60 \"months\"" },
		{ "several weeks", "@over_a_week 21 \"several weeks\"" },
		{ "few weeks", "@over_a_week 21 \"few weeks\"" },
		{ "3 weeks ago", "@over_a_week 21 \"3 weeks\" ago" },
		{ "dos semanas", "@over_a_week 14 \"dos semanas\"" },
		{ "duas semanas", "@over_a_week 14 \"duas semanas\"" },
		{ "mal au dos depuis 3 semaines",
		  "@over_a_week 21 \"3 semaines\"" },
		{ "un mes", "@over_a_week 30 \"un mes\"" },
		{ "dor nas costas ha um mes",
		  "@over_a_week 30 \"um mes\" ago" },
		{ "mas de una semana",
		  "@over_a_week 7 \"mas de una semana\" more" },
		{ "back spasms all day 8 weeks ago",
		  "@over_a_week 56 \"8 weeks\" ago" },
		{ "sore back x 18 days", "@over_a_week 18 \"18 days\"" },
		{ "low back pain x 2 weeks", "@over_a_week 14 \"2 weeks\"" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void
test_not_over_a_week(void **state)
{
	static const struct number_case cases[] = {
		{ "a week", "-" },
		{ "7 days", "-" },
		{ "5 days", "-" },
		{ "a few days", "-" },
		{ "2 days", "-" },
		{ "nearly a week", "-" },
		{ "over 5 days", "-" },
		{ "a week ago i deadlifted", "-" },
		{ "pain since last week", "-" },
		{ "twice a month", "@repeat 2 \"twice\"" }, /* a recurrence */
		{ "once a month", "-" },
		{ "next 2 weeks", "-" },
		{ "3 x 2 weeks", "-" },
		{ "a x 2 weeks", "-" },
		{ "in the coming weeks", "-" },
		{ "a 10 day program", "-" },
		{ "my 12 week plan", "-" },
		{ "my 6 months old son", "-" },
		{ "leg day 10 sets", "-" },
		{ "last week 100 kilos", "-" },
		{ "a mo", "-" },
		{ "dos dias", "-" },
		{ "una semana", "-" },
	};

	(void)state;
	CHECK_CASES(cases);
}

/* @leg_worse: a leg scored above the back. */
static void
test_leg_worse(void **state)
{
	static const struct number_case cases[] = {
		{ "my back pain is 2/10 but my leg pain is 8/10",
		  "@leg_worse 6 \"2/10 but my leg pain is 8/10\"" },
		{ "leg 8/10 back 3/10", "@leg_worse 5 \"8/10 back 3/10\"" },
		{ "pain in leg 7, back 4", "@leg_worse 3 \"7, back 4\"" },
		{ "8/10 in my leg, 4/10 in my back",
		  "@leg_worse 4 \"8/10 in my leg, 4/10\"" },
		{ "my back is like a 3 and my sciatica is a 7",
		  "@leg_worse 4 \"3 and my sciatica is a 7\"" },
		{ "pain is 3 in my back but 7 in my butt and leg",
		  "@leg_worse 4 \"3 in my back but 7\"" },
		{ "its a 6 in the leg, 2 in the back",
		  "@leg_worse 4 \"6 in the leg, 2\"" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void
test_not_leg_worse(void **state)
{
	static const struct number_case cases[] = {
		{ "back is 7/10, leg 2/10", "-" },
		{ "back 5/10 leg 5/10", "-" },
		{ "leg day 9/10 intensity, back 3/10", "-" },
		{ "legs are 8/10 sore from leg day, back 5/10", "-" },
		{ "rpe 8 on squats, back pain 2/10", "-" },
		{ "leg 8/10", "-" },
		{ "pain is 7 in my back and 3 in my leg", "-" },
		{ "did 8 sets in my leg workout, back 3", "-" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void
test_repeat(void **state)
{
	static const struct number_case cases[] = {
		{ "3rd time", "@repeat 3 \"3rd time\"" },
		{ "third time", "@repeat 3 \"third time\"" },
		{ "4th time this year", "@repeat 4 \"4th time\"" },
		{ "second time this month", "@repeat 2 \"second time\"" },
		{ "again for the 3rd time", "@repeat 3 \"3rd time\"" },
		{ "twice this month", "@repeat 2 \"twice\"" },
		{ "happened twice already", "@repeat 2 \"twice\"" },
		{ "5 times this year", "@repeat 5 \"5 times\"" },
		{ "3x this year", "@repeat 3 \"3x\"" },
		{ "it has happened 3 times", "@repeat 3 \"3 times\"" },
		{ "ive had this 4 times", "@repeat 4 \"4 times\"" },
		{ "threw my back out 3 times", "@repeat 3 \"3 times\"" },
		{ "multiple times this year", "@repeat 2 \"multiple times\"" },
		{ "a few times a month", "@repeat 3 \"a few times\"" },
		{ "2 times a year it goes out", "@repeat 2 \"2 times\"" },
		{ "three times in a row", "@repeat 3 \"three times\"" },
		{ "it goes out twice yearly", "@repeat 2 \"twice\"" },
		{ "every few weeks", "@repeat 2 \"every few weeks\" every" },
		{ "every month", "@repeat 2 \"every month\" every" },
		{ "every other week", "@repeat 2 \"every other week\" every" },
		{ "every 2 weeks it comes back",
		  "@repeat 2 \"every 2 weeks\" every" },
		{ "cada dos semanas", "@repeat 2 \"cada dos semanas\" every" },
		{ "es la tercera vez este ano", "@repeat 3 \"tercera vez\"" },
		{ "this is the 5th episode", "@repeat 5 \"5th episode\"" },
		{ "3 flare ups this year", "@repeat 3 \"3 flare ups\"" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void
test_not_repeat(void **state)
{
	static const struct number_case cases[] = {
		{ "3 sets", "-" },
		{ "5 reps", "-" },
		{ "3 times", "-" }, /* no recurrence cue */
		{ "2 times a week i train", "-" },
		{ "i train 3 times a week", "-" },
		{ "twice a week", "-" },
		{ "several times a week", "-" },
		{ "3x/week", "-" },
		{ "twice daily stretches", "-" },
		{ "my back hurts twice daily", "-" }, /* a cue, but daily */
		{ "i did 3x10 squats", "-" },
		{ "3 x 10 reps", "-" },
		{ "first time", "-" },
		{ "one time this year", "-" },
		{ "every week i deadlift", "-" },
		{ "every day", "-" },
		{ "every other day", "-" },
		{ "back is sore, i train 3 times", "-" },
		{ "a flare up", "-" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void
test_several(void **state)
{
	static const struct number_case cases[] = {
		{ "My back has hurt for 2 weeks and I have a temp of 38.2",
		  "@over_a_week 14 \"2 weeks\"; @fever 100.76 \"temp of "
		  "38.2\"" },
		{ "3rd time this year, 10 days now, fever 102",
		  "@repeat 3 \"3rd time\"; @over_a_week 10 \"10 days\"; "
		  "@fever 102 \"fever 102\"" },
		{ "3 times in 2 months",
		  "@repeat 3 \"3 times\"; @over_a_week 60 \"2 months\"" },
		{ "", "-" },
		{ "my back hurts", "-" },
	};

	(void)state;
	CHECK_CASES(cases);
}

/* The spans as token indexes, and the bounds the caller gives. */
static void
test_spans_and_bounds(void **state)
{
	const char *s = "fever 101 for 2 weeks, 3rd time";
	struct token t[32];
	struct number_match m[4];
	size_t nt = token_split(s, strlen(s), t, 32);

	(void)state;
	assert_int_equal(number_find(s, t, nt, CALENDAR_NONE, m, 4), 3);
	assert_int_equal(m[0].kind, NUMBER_FEVER);
	assert_int_equal(m[0].first, 0);
	assert_int_equal(m[0].last, 1);
	assert_int_equal(m[1].kind, NUMBER_OVER_A_WEEK);
	assert_int_equal(m[1].first, 3);
	assert_int_equal(m[1].last, 4);
	assert_true(m[1].value == 14);
	assert_int_equal(m[2].kind, NUMBER_REPEAT);
	assert_int_equal(m[2].first, 5);
	assert_int_equal(m[2].last, 6);
	assert_true(m[2].value == 3);
	/* at most max, the first ones */
	assert_int_equal(number_find(s, t, nt, CALENDAR_NONE, m, 1), 1);
	assert_int_equal(m[0].kind, NUMBER_FEVER);
	assert_int_equal(number_find(s, t, nt, CALENDAR_NONE, m, 0), 0);
	assert_int_equal(number_find(s, t, 0, CALENDAR_NONE, m, 4), 0);
	/* only the tokens given: "2" without "weeks" */
	assert_int_equal(number_find(s, t, 4, CALENDAR_NONE, m, 4), 1);
}

/* More tokens than TOKEN_MAX: only the first TOKEN_MAX are read. */
static void
test_token_max(void **state)
{
	static char text[TOKEN_MAX * 2 + 16];
	static struct token t[TOKEN_MAX + 8];
	struct number_match m[4];
	size_t o = 0;

	(void)state;
	for (size_t i = 0; i < TOKEN_MAX - 1; i++) {
		text[o++] = 'a';
		text[o++] = ' ';
	}
	memcpy(text + o, "2 weeks", 8);
	size_t nt = token_split(text, strlen(text), t, TOKEN_MAX + 8);
	assert_int_equal(nt, TOKEN_MAX + 1);
	/* "2" is token TOKEN_MAX - 1, "weeks" is beyond */
	assert_int_equal(number_find(text, t, nt, CALENDAR_NONE, m, 4), 0);
	memcpy(text + o - 2, "2 weeks", 8);
	nt = token_split(text, strlen(text), t, TOKEN_MAX + 8);
	assert_int_equal(number_find(text, t, nt, CALENDAR_NONE, m, 4), 1);
	assert_int_equal(m[0].last, TOKEN_MAX - 1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(number_lexicon_ok());
	assert_string_equal(number_concept_name(NUMBER_FEVER), "@fever");
	assert_string_equal(number_concept_name(NUMBER_OVER_A_WEEK),
	                    "@over_a_week");
	assert_string_equal(number_concept_name(NUMBER_REPEAT), "@repeat");
	assert_null(number_concept_name(NUMBER__COUNT));
	for (int k = 0; k < NUMBER__COUNT; k++)
		assert_int_equal(number_concept_lookup(number_concept_name(
		                     (enum number_concept)k)),
		                 k);
	assert_int_equal(number_concept_lookup("fever"), -1);
	assert_int_equal(number_concept_lookup("@fev"), -1);
	assert_int_equal(number_concept_lookup(""), -1);
}

/* Cases read against the day y-m-d. */
static void
check_dated(int y, int m, int d, const struct number_case *cases, size_t n)
{
	render_today = calendar_day(y, m, d);
	check_cases(cases, n);
	render_today = CALENDAR_NONE;
}

#define CHECK_DATED(y, m, d, c) \
	check_dated(y, m, d, c, sizeof(c) / sizeof(c[0]))

/* Dates read against 2026-12-07 (a Monday; Thanksgiving was Nov 26). */
static void
test_dates(void **state)
{
	static const struct number_case cases[] = {
		{ "pain since nov 1st", "@over_a_week 36 \"nov 1st\"" },
		{ "sore since the 18th of November",
		  "@over_a_week 19 \"the 18th of november\"" },
		{ "mid-October tweak still not right",
		  "@over_a_week 48 \"mid-october\"" },
		{ "since the first week of November",
		  "@over_a_week 30 \"the first week of november\"" },
		{ "since the last week of October",
		  "@over_a_week 37 \"the last week of october\"" },
		{ "Ever since my deadlift PR on the 15th of November",
		  "@over_a_week 22 \"the 15th of november\"" },
		{ "hurts since early november",
		  "@over_a_week 27 \"early november\"" },
		{ "hurts since late november", "-" }, /* the 30th: 7 days */
		{ "since november 29", "@over_a_week 8 \"november 29\"" },
		{ "since november 30", "-" },
		{ "since 1 november 2026",
		  "@over_a_week 36 \"1 november 2026\"" },
		{ "me duele desde el 15 de noviembre",
		  "@over_a_week 22 \"el 15 de noviembre\"" },
		{ "doi desde 10 de novembro",
		  "@over_a_week 27 \"10 de novembro\"" },
		{ "since october", "@over_a_week 37 \"october\"" },
		{ "since the 20th", "@over_a_week 17 \"the 20th\"" },
		{ "on the 7th", "-" },
		{ "since the 31st", "@over_a_week 37 \"the 31st\"" },
		{ "since 11/15", "@over_a_week 22 \"11/15\"" },
		{ "since 15/11", "@over_a_week 22 \"15/11\"" },
		{ "since 2026-11-15", "@over_a_week 22 \"2026-11-15\"" },
		{ "on 11/15/26", "@over_a_week 22 \"11/15/26\"" },
		/* 3/11 is March 11 or November 3: both over a week, the less */
		{ "since 3/11", "@over_a_week 34 \"3/11\"" },
		/* 12/1 is December 1 (6 days) or January 12: not both */
		{ "since 12/1", "-" },
		{ "pain is 7/10", "-" },
		{ "since thanksgiving", "@over_a_week 11 \"thanksgiving\"" },
		{ "desde el dia de accion de gracias",
		  "@over_a_week 11 \"accion de gracias\"" },
		{ "since labor day", "@over_a_week 91 \"labor day\"" },
		{ "since halloween", "@over_a_week 37 \"halloween\"" },
		/* Thanksgiving 2026 is Nov 26: Black Friday the 27th */
		{ "hurt it on black friday",
		  "@over_a_week 10 \"black friday\"" },
		{ "since new years", "@over_a_week 340 \"new years\"" },
		{ "since last christmas", "@over_a_week 347 \"christmas\"" },
		/* a thing the holiday names, not the day */
		{ "sore back from hanging christmas lights", "-" },
		{ "my back hurts since christmas dinner",
		  "@over_a_week 347 \"christmas\"" },
		{ "muchas gracias", "-" },
	};

	(void)state;
	CHECK_DATED(2026, 12, 7, cases);
}

/* What is not a date over a week: the future, this week's weekdays,
 * other words spelled like months. */
static void
test_not_dates(void **state)
{
	static const struct number_case cases[] = {
		{ "my meet is on december 20th", "-" },
		{ "meet on dec 20", "-" },
		{ "see you in january", "-" },
		{ "back by christmas?", "-" },
		{ "until nov 1st", "-" },
		{ "since 2027-01-10", "-" },
		{ "since december 2027", "-" },
		{ "since monday", "-" },
		{ "since friday", "-" },
		{ "last friday", "-" },
		{ "last monday", "-" },        /* Nov 30: 7 days */
		{ "since cyber monday", "-" }, /* Nov 30 too */
		{ "i may try it", "-" },
		{ "march on", "-" },
		{ "my 20th birthday", "-" },
		{ "for the 3rd time", "@repeat 3 \"3rd time\"" },
		{ "the second week of december", "-" },
	};

	(void)state;
	CHECK_DATED(2026, 12, 7, cases);
}

/* Weekdays, month ends, a year's end, leap days. */
static void
test_date_edges(void **state)
{
	static const struct number_case sunday[] = {
		/* read on Sunday 2026-12-13: last week is Nov 30 - Dec 6 */
		{ "since last monday", "@over_a_week 13 \"last monday\"" },
		{ "since last friday", "@over_a_week 9 \"last friday\"" },
		{ "since monday", "-" },
	};
	static const struct number_case jan3[] = {
		{ "since Dec 20", "@over_a_week 14 \"dec 20\"" },
		{ "since the 20th", "@over_a_week 14 \"the 20th\"" },
		{ "since christmas", "@over_a_week 9 \"christmas\"" },
		{ "since 12/20/2026", "@over_a_week 14 \"12/20/2026\"" },
		{ "since march", "@over_a_week 278 \"march\"" },
	};
	static const struct number_case mar1_2024[] = {
		{ "since feb 20", "@over_a_week 10 \"feb 20\"" },
		{ "since feb 29", "-" },
		{ "since late february", "-" }, /* to the 29th: 1 day */
		{ "since jan 31st", "@over_a_week 30 \"jan 31st\"" },
	};
	static const struct number_case mar1_2025[] = {
		/* no such day in 2025: the last one was in 2024 */
		{ "since feb 29", "@over_a_week 366 \"feb 29\"" },
		{ "since mid february", "@over_a_week 9 \"mid february\"" },
	};
	static const struct number_case mar31[] = {
		/* the latest 31st up to today is today */
		{ "since the 31st", "-" },
		{ "a week ago last monday",
		  "@over_a_week 15 \"a week ago last monday\"" },
	};

	(void)state;
	CHECK_DATED(2026, 12, 13, sunday);
	CHECK_DATED(2027, 1, 3, jan3);
	CHECK_DATED(2024, 3, 1, mar1_2024);
	CHECK_DATED(2025, 3, 1, mar1_2025);
	CHECK_DATED(2026, 3, 31, mar31);
}

/* The calendar under the dates. */
static void
test_calendar(void **state)
{
	int y, m, d;
	int32_t day;

	(void)state;
	assert_int_equal(calendar_day(1970, 1, 1), 0);
	assert_int_equal(calendar_day(2027, 1, 3) - calendar_day(2026, 12, 20),
	                 14);
	assert_int_equal(calendar_day(2024, 3, 1) - calendar_day(2024, 2, 28),
	                 2);
	assert_int_equal(calendar_day(2100, 3, 1) - calendar_day(2100, 2, 28),
	                 1);
	assert_int_equal(calendar_day(2000, 3, 1) - calendar_day(2000, 2, 28),
	                 2);
	calendar_civil(calendar_day(2026, 12, 7), &y, &m, &d);
	assert_int_equal(y * 10000 + m * 100 + d, 20261207);
	assert_int_equal(calendar_weekday(calendar_day(2026, 12, 7)), 0);
	assert_int_equal(calendar_weekday(calendar_day(1970, 1, 1)), 3);
	assert_true(calendar_parse("2026-12-07", &day));
	assert_int_equal(day, calendar_day(2026, 12, 7));
	assert_false(calendar_parse("2026-02-29", &day));
	assert_true(calendar_parse("2024-02-29", &day));
	assert_false(calendar_parse("2026-12-7", &day));
	assert_false(calendar_parse("2026/12/07", &day));
	assert_int_equal(calendar_from_time(0), 0);
	assert_int_equal(calendar_from_time(86399), 0);
	assert_int_equal(calendar_from_time(-1), -1);
	assert_int_equal(calendar_from_time(1796601600), /* 2026-12-07 */
	                 calendar_day(2026, 12, 7));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fever),
		cmocka_unit_test(test_not_fever),
		cmocka_unit_test(test_fever_words),
		cmocka_unit_test(test_over_a_week),
		cmocka_unit_test(test_not_over_a_week),
		cmocka_unit_test(test_leg_worse),
		cmocka_unit_test(test_not_leg_worse),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_not_repeat),
		cmocka_unit_test(test_several),
		cmocka_unit_test(test_spans_and_bounds),
		cmocka_unit_test(test_token_max),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_not_dates),
		cmocka_unit_test(test_date_edges),
		cmocka_unit_test(test_calendar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
