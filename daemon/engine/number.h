/* Numbers as concepts: the built-in rule concepts @fever, @over_a_week,
 * @repeat and @leg_worse, found in the tokens of a normalised message
 * (token.h).  Pure: no allocation, no I/O, no state; bounded by the tokens it
 * is given.
 *
 * @fever: a temperature of 100.4 F (38.0 C) or more.  A number reads as a
 * temperature when a unit follows it ("102f", "39c", "38 °c", "101
 * degrees", "38 degrees c", "38,6 celsius"), or when the sentence has a
 * temperature word (fever, feverish, temp, temperature, thermometer, febre,
 * fiebre, calentura...) or it follows "running a", or when it is a
 * Celsius reading with its decimal (38.0 to 42.0) first in its clause and
 * last in it or followed by "and", "since", "today" and the like ("38.6
 * and my lower back is pounding"; not "39.5 on the clock").  Fahrenheit is
 * 100.4 to 110, Celsius 38.0 to 43.5; a number with no letter unit is Celsius
 * when it is in 38 to 43.5, else Fahrenheit.  Not a temperature: a number
 * followed by another unit ("102 kg", "101 lbs", "38 years old", "102
 * times", "101%"), one right after a unit or an age ("day 38", "im 38"),
 * one whose nearest cue word before it in its clause is a lift or another
 * measure ("deadlift 102", "pulse 102"), and one in a sentence about the
 * weather or water ("102 degrees outside", "hot tub temp 102") unless the
 * sentence has a fever word.  value: degrees Fahrenheit.
 *
 * @over_a_week: a duration longer than 7 days: a quantity and a unit
 * ("10 days", "2 wks", "two weeks", "a fortnight", "a month", "a couple of
 * months", "1.5 weeks", "a week and a half", "a week or two", "1-2 weeks",
 * "dos semanas", "um mes", "10days"), a bare plural ("for weeks", "months
 * of pain"), "over a week", "more than a week", "7+ days" (a lower bound of
 * 7 days or more counts), "week 3 of this", "day 10", "3rd week", "the past
 * month".  value: days (the bound for "over a week": 7).  Not a duration:
 * a frequency ("twice a month", "3 times a week"), the future ("next 2
 * weeks", "the coming weeks"), an adjective ("a 10 day program", "my 12
 * week plan"), an age ("6 months old"), "every ..." (see @repeat).
 * "ago" does not change the reading: "hurt it 3 weeks ago" is taken as pain
 * for 3 weeks, which favours referral; "a week ago i deadlifted" is 7 days
 * and so not over a week either way.  The match is flagged NUMBER_AGO so
 * the caller (or the context module, which judges "ago" historical) can
 * tell.  So is "in 2 weeks", which may be the future ("a meet in 2 weeks")
 * or the past ("not trained in 2 weeks").  Parts add up: "1 week and 3
 * days" is 10 days.  "a week? maybe more" is 7 days or more.
 *
 * Dates are durations too when the caller gives the day the message was
 * written ("today"): a date more than 7 days before it is @over_a_week,
 * value the days since.  Read: a month (en/es/pt, names and abbreviations)
 * with a day ("nov 1st", "November 1 2025", "the 18th of November", "15
 * de noviembre") or a part ("mid-October", "early nov", "end of October",
 * "the first/last week of November", "mediados de octubre") or after a
 * cue ("since october"); "the 20th" after a cue ("since the 20th"): the
 * latest 20th up to today; digits: "2026-11-15", "11/15/26", and "11/15"
 * or "15/11" after a cue ("since 11/15": "7/10" alone is a pain score);
 * when both parts are 12 or less ("3/11") both readings must be over a
 * week ago and the value is the smaller; "last monday" (the Monday of the
 * week before this one, Monday to Sunday), "a week ago last monday", "monday
 * before last"; a weekday alone is within the week and never counts;
 * Thanksgiving (the fourth Thursday of November), Labor Day, Halloween,
 * Christmas, New Year ("accion de gracias", "navidad", "natal", "ano
 * nuevo").  A range counts by its last day ("mid-October" is the 20th).  A
 * date with no year is the latest such day up to today after "since",
 * "desde", "from" or "after" ("since Dec 20" read on Jan 3 is 14 days),
 * else the nearest one when one to come is within two months ("see you in
 * january" read in December is to come, "a spasm in march" is past).  A date to
 * come, or one after a word of the future ("until", "by", "before", "next",
 * "will"), never counts.  "may" and "march" alone are other words: a month with
 * no day or part needs a cue before it.
 *
 * @repeat: an event counted 2 or more times: an ordinal before time,
 * episode or flare ("3rd time", "third time", "for the 4th time", "tercera
 * vez", "second episode"), a count of episodes or flares ("3 flare ups"),
 * "every" and a period of a week or more ("every month", "every few weeks",
 * "every other week"; value 2, flagged NUMBER_EVERY; "every week" and
 * "every day" alone are left out, as they are how lifters describe
 * training), and "N times", "twice", "thrice", "3x", "several times", "dos
 * veces" only with a recurrence cue: after them ("this year", "now",
 * "already", "in a row", "since", "so far", "lately", "a month", "per
 * year", "monthly"), or before them in their clause ("happened", "has",
 * "ive had", "back", "again", "hurt", "tweaked", "threw").  A frequency of
 * a day or a week ("2 times a week", "3x/week", "twice daily") is training,
 * not a recurrence, and never counts.  value: the count.
 *
 * @leg_worse: pain scored higher in a leg than in the back ("back 2/10,
 * leg 8/10", "my back pain is 3/10 but my leg pain is 7/10", "pain in leg
 * 7, back 4"): a score is a whole number 0 to 10, written "N/10" or right
 * after its body word, and belongs to the leg or back word just before it
 * (with at most "pain", "is", "at", "a" and the like between) or, when
 * none, just after it ("8/10 in my leg").  "leg day 9/10, back 3/10" has no
 * leg score.  value: the leg score less the back score.
 *
 * Words in Spanish and Portuguese are listed both with and without their
 * accents, so the module works before and after accents are stripped. */
#ifndef BACKTALK_NUMBER_H
#define BACKTALK_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "token.h"

enum number_concept {
	NUMBER_FEVER,
	NUMBER_OVER_A_WEEK,
	NUMBER_REPEAT,
	NUMBER_LEG_WORSE,
	NUMBER__COUNT
};

enum number_flag {
	NUMBER_MORE = 1 << 0,  /* "over a week", "7+ days": value is a bound */
	NUMBER_AGO = 1 << 1,   /* "3 weeks ago", "hace un mes" */
	NUMBER_EVERY = 1 << 2, /* "every month": recurring, value 2 */
};

struct number_match {
	enum number_concept kind;
	uint16_t first, last; /* token span, inclusive */
	uint8_t flags;        /* enum number_flag */
	double value;         /* degrees F, days, or count */
};

/* Finds every number concept in the message (text as normalise_text wrote
 * it, toks as token_split cut it; only the first TOKEN_MAX tokens are
 * read), in the order of the word each is anchored on (the number, the
 * unit, "times", or the month of a date).  today is the day the message
 * was written (calendar.h), against which dates are read; CALENDAR_NONE
 * reads no dates.  Returns how many were written (at most max). */
size_t number_find(const char *text, const struct token *toks, size_t ntok,
                   int32_t today, struct number_match *out, size_t max);

/* "@fever", "@over_a_week", "@repeat"; NULL for a value out of range. */
const char *number_concept_name(enum number_concept k);

/* The enum for "@fever" etc., or -1. */
long number_concept_lookup(const char *name);

/* For the tests: whether the word list is in the order its binary search
 * needs, and every word a concept is anchored on passes the quick look
 * that skips messages with none. */
bool number_lexicon_ok(void);

#endif
