/* Numbers as concepts: @fever, @over_a_week, @repeat (number.h says what
 * each reads as and why).  One pass looks every token up in a sorted word
 * list; a message with no number and no unit, "times" or episode word stops
 * there.  Each such anchor then looks at a few neighbours in its sentence. */
#include <pthread.h>
#include <string.h>

#include "calendar.h"
#include "hash.h"
#include "number.h"

/* What a word of the list is; a word can be several things. */
enum {
	L_QTY = 1u << 0,  /* a quantity ("two", "few", "a"): val */
	L_ORD = 1u << 1,  /* an ordinal ("third"): val */
	L_UNIT = 1u << 2, /* a unit of duration: val days */
	L_PLURAL = 1u << 3,
	L_ABBR = 1u << 4,   /* a unit only after digits ("6 mo") */
	L_TIMES = 1u << 5,  /* "time", "times", "x", "vez" */
	L_TWICE = 1u << 6,  /* "twice", "thrice": val */
	L_EVENT = 1u << 7,  /* "episode", "flare" */
	L_FEVER = 1u << 8,  /* a fever word: a temperature cue anywhere */
	L_TEMP = 1u << 9,   /* "temp": a cue unless the weather is about */
	L_DEG_F = 1u << 10, /* a unit after a temperature */
	L_DEG_C = 1u << 11,
	L_DEG = 1u << 12,
	L_NOTTEMP = 1u << 13,        /* after a number: not a temperature */
	L_NOTTEMP_BEFORE = 1u << 14, /* before a number: a lift, an age */
	L_WEATHER = 1u << 15,
	L_MORE = 1u << 16,       /* "over" a duration */
	L_EVERY = 1u << 17,      /* "every", "each" */
	L_FREQ = 1u << 18,       /* "a", "per" after "times": a frequency */
	L_FREQ_SHORT = 1u << 19, /* "daily", "weekly" */
	L_FREQ_LONG = 1u << 20,  /* "monthly", "yearly" */
	L_CUE_AFTER = 1u << 21,  /* a recurrence cue after "N times" */
	L_CUE_BEFORE = 1u << 22, /* a recurrence cue before "N times" */
	L_FUTURE = 1u << 23,     /* "next", "coming" */
	L_AGO = 1u << 24,        /* "ago", "hace" */
	L_ADJ = 1u << 25,    /* "a", "my" before "10 day ...": an adjective */
	L_ORDSUF = 1u << 26, /* "st", "nd", "rd", "th" after digits */
	L_NOTDAYNUM = 1u << 27, /* "leg" before "day 10": a gym day */
	L_FREQMARK = 1u << 28,  /* "twice", "times", "per" before "a month" */
	L_MONTH = 1u << 29,     /* a month name: val 1-12 */
	L_DAYNAME = 1u << 30,   /* a weekday (val 0 for Monday to 6) or a
	                         * holiday (val enum number_holiday) */
};

/* The holidays a date can be given by (L_HOLIDAY's val). */
enum number_holiday {
	H_THANKSGIVING = 10, /* the fourth Thursday of November */
	H_CHRISTMAS,
	H_NEW_YEAR,
	H_HALLOWEEN,
	H_LABOR_DAY,    /* the first Monday of September */
	H_BLACK_FRIDAY, /* the day after Thanksgiving */
	H_CYBER_MONDAY, /* the Monday after it */
};

struct number_word {
	const char *w;
	uint32_t flags;
	float val;
};

/* Sorted by bytes (memcmp); number_lexicon_sorted() checks it. */
static const struct number_word number_words[] = {
	{ "1rm", L_NOTTEMP_BEFORE, 0 },
	{ "a", L_QTY | L_FREQ | L_ADJ, 1 },
	{ "abr", L_MONTH, 4 },
	{ "abril", L_MONTH, 4 },
	{ "again", L_CUE_BEFORE | L_CUE_AFTER, 0 },
	{ "age", L_NOTTEMP_BEFORE, 0 },
	{ "aged", L_NOTTEMP_BEFORE, 0 },
	{ "ago", L_AGO, 0 },
	{ "agosto", L_MONTH, 8 },
	{ "al", L_FREQ | L_FREQMARK, 0 },
	{ "algumas", L_QTY, 3 },
	{ "algunas", L_QTY, 3 },
	{ "algunos", L_QTY, 3 },
	{ "alguns", L_QTY, 3 },
	{ "already", L_CUE_BEFORE | L_CUE_AFTER, 0 },
	{ "an", L_QTY | L_FREQ | L_ADJ, 1 },
	{ "annually", L_FREQ_LONG, 0 },
	{ "ano", L_UNIT, 365 },
	{ "anos", L_UNIT | L_PLURAL, 365 },
	{ "apr", L_MONTH, 4 },
	{ "april", L_MONTH, 4 },
	{ "arm", L_NOTDAYNUM, 0 },
	{ "atras", L_AGO, 0 },
	{ "atr\xc3\xa1s", L_AGO, 0 },
	{ "aug", L_MONTH, 8 },
	{ "august", L_MONTH, 8 },
	{ "a\xc3\xb1o", L_UNIT, 365 },
	{ "a\xc3\xb1os", L_UNIT | L_PLURAL, 365 },
	{ "back", L_CUE_BEFORE | L_NOTDAYNUM, 0 },
	{ "bath", L_WEATHER, 0 },
	{ "before", L_CUE_AFTER, 0 },
	{ "bench", L_NOTTEMP_BEFORE, 0 },
	{ "benched", L_NOTTEMP_BEFORE, 0 },
	{ "benching", L_NOTTEMP_BEFORE, 0 },
	{ "birthday", L_NOTTEMP_BEFORE, 0 },
	{ "bodyweight", L_NOTTEMP_BEFORE, 0 },
	{ "bp", L_NOTTEMP_BEFORE, 0 },
	{ "bpm", L_NOTTEMP, 0 },
	{ "bucks", L_NOTTEMP, 0 },
	{ "bukhar", L_FEVER, 0 },
	{ "bw", L_NOTTEMP_BEFORE, 0 },
	{ "c", L_DEG_C, 0 },
	{ "cada", L_EVERY | L_FREQ, 0 },
	{ "cal", L_NOTTEMP, 0 },
	{ "calentura", L_FEVER, 0 },
	{ "calories", L_NOTTEMP, 0 },
	{ "cals", L_NOTTEMP, 0 },
	{ "cardio", L_NOTDAYNUM, 0 },
	{ "celcius", L_DEG_C, 0 },
	{ "celsius", L_DEG_C, 0 },
	{ "centigrade", L_DEG_C, 0 },
	{ "chest", L_NOTDAYNUM, 0 },
	{ "chills", L_FEVER, 0 },
	{ "christmas", L_DAYNAME, H_CHRISTMAS },
	{ "cinco", L_QTY, 5 },
	{ "cm", L_NOTTEMP, 0 },
	{ "coming", L_FUTURE, 0 },
	{ "countless", L_QTY, 3 },
	{ "couple", L_QTY, 2 },
	{ "cuarta", L_ORD, 4 },
	{ "cuarto", L_ORD, 4 },
	{ "cuatro", L_QTY, 4 },
	{ "curl", L_NOTTEMP_BEFORE, 0 },
	{ "curled", L_NOTTEMP_BEFORE, 0 },
	{ "daily", L_FREQ_SHORT, 0 },
	{ "day", L_UNIT, 1 },
	{ "days", L_UNIT | L_PLURAL, 1 },
	{ "deadlift", L_NOTTEMP_BEFORE, 0 },
	{ "deadlifted", L_NOTTEMP_BEFORE, 0 },
	{ "deadlifting", L_NOTTEMP_BEFORE, 0 },
	{ "deadlifts", L_NOTTEMP_BEFORE, 0 },
	{ "dec", L_MONTH, 12 },
	{ "december", L_MONTH, 12 },
	{ "deg", L_DEG, 0 },
	{ "degree", L_DEG, 0 },
	{ "degrees", L_DEG, 0 },
	{ "degs", L_DEG, 0 },
	{ "desde", L_CUE_AFTER, 0 },
	{ "dez", L_QTY, 10 },
	{ "dezembro", L_MONTH, 12 },
	{ "dia", L_UNIT, 1 },
	{ "dias", L_UNIT | L_PLURAL, 1 },
	{ "dic", L_MONTH, 12 },
	{ "diciembre", L_MONTH, 12 },
	{ "diez", L_QTY, 10 },
	{ "dl", L_NOTTEMP_BEFORE, 0 },
	{ "dls", L_NOTTEMP_BEFORE, 0 },
	{ "dois", L_QTY, 2 },
	{ "dollars", L_NOTTEMP, 0 },
	{ "domingo", L_DAYNAME, 6 },
	{ "dos", L_QTY, 2 },
	{ "duas", L_QTY, 2 },
	{ "d\xc3\xad"
	  "as",
	  L_UNIT | L_PLURAL, 1 },
	{ "each", L_EVERY | L_FREQ, 0 },
	{ "eight", L_QTY, 8 },
	{ "eighteen", L_QTY, 18 },
	{ "eighth", L_ORD, 8 },
	{ "eleven", L_QTY, 11 },
	{ "eleventh", L_ORD, 11 },
	{ "ene", L_MONTH, 1 },
	{ "enero", L_MONTH, 1 },
	{ "episode", L_EVENT, 0 },
	{ "episodes", L_EVENT, 0 },
	{ "esta", L_CUE_AFTER, 0 },
	{ "este", L_CUE_AFTER, 0 },
	{ "estos", L_CUE_AFTER, 0 },
	{ "ever", L_CUE_AFTER, 0 },
	{ "every", L_EVERY | L_FREQ, 0 },
	{ "everyday", L_FREQ_SHORT, 0 },
	{ "f", L_DEG_F, 0 },
	{ "fahrenheit", L_DEG_F, 0 },
	{ "farenheit", L_DEG_F, 0 },
	{ "faz", L_AGO, 0 },
	{ "feb", L_MONTH, 2 },
	{ "febre", L_FEVER, 0 },
	{ "febrero", L_MONTH, 2 },
	{ "febril", L_FEVER, 0 },
	{ "febrile", L_FEVER, 0 },
	{ "february", L_MONTH, 2 },
	{ "fev", L_MONTH, 2 },
	{ "fever", L_FEVER, 0 },
	{ "fevered", L_FEVER, 0 },
	{ "fevereiro", L_MONTH, 2 },
	{ "feverish", L_FEVER, 0 },
	{ "fevers", L_FEVER, 0 },
	{ "few", L_QTY, 3 },
	{ "fiebre", L_FEVER, 0 },
	{ "fievre", L_FEVER, 0 },
	{ "fifteen", L_QTY, 15 },
	{ "fifth", L_ORD, 5 },
	{ "first", L_ORD, 1 },
	{ "five", L_QTY, 5 },
	{ "flare", L_EVENT, 0 },
	{ "flared", L_CUE_BEFORE, 0 },
	{ "flares", L_EVENT, 0 },
	{ "flareup", L_EVENT, 0 },
	{ "flareups", L_EVENT, 0 },
	{ "forecast", L_WEATHER, 0 },
	{ "fortnight", L_UNIT, 14 },
	{ "fortnights", L_UNIT | L_PLURAL, 14 },
	{ "four", L_QTY, 4 },
	{ "fourteen", L_QTY, 14 },
	{ "fourth", L_ORD, 4 },
	{ "fri", L_DAYNAME, 4 },
	{ "friday", L_DAYNAME, 4 },
	{ "g", L_NOTTEMP, 0 },
	{ "glucose", L_NOTTEMP_BEFORE, 0 },
	{ "gone", L_CUE_BEFORE, 0 },
	{ "gracas", L_DAYNAME, H_THANKSGIVING },
	{ "gracias", L_DAYNAME, H_THANKSGIVING },
	{ "grado", L_DEG, 0 },
	{ "grados", L_DEG, 0 },
	{ "gram", L_NOTTEMP, 0 },
	{ "grams", L_NOTTEMP, 0 },
	{ "grau", L_DEG, 0 },
	{ "graus", L_DEG, 0 },
	{ "gra\xc3\xa7"
	  "as",
	  L_DAYNAME, H_THANKSGIVING },
	{ "ha", L_AGO, 0 },
	{ "hace", L_AGO, 0 },
	{ "had", L_CUE_BEFORE, 0 },
	{ "halloween", L_DAYNAME, H_HALLOWEEN },
	{ "happen", L_CUE_BEFORE, 0 },
	{ "happened", L_CUE_BEFORE, 0 },
	{ "happens", L_CUE_BEFORE, 0 },
	{ "has", L_CUE_BEFORE, 0 },
	{ "have", L_CUE_BEFORE, 0 },
	{ "heart", L_NOTTEMP_BEFORE, 0 },
	{ "heat", L_WEATHER, 0 },
	{ "heatwave", L_WEATHER, 0 },
	{ "her", L_ADJ, 0 },
	{ "his", L_ADJ, 0 },
	{ "hour", L_NOTTEMP, 0 },
	{ "hours", L_NOTTEMP, 0 },
	{ "hr", L_NOTTEMP, 0 },
	{ "hrs", L_NOTTEMP, 0 },
	{ "humid", L_WEATHER, 0 },
	{ "humidity", L_WEATHER, 0 },
	{ "hurt", L_CUE_BEFORE, 0 },
	{ "hurts", L_CUE_BEFORE, 0 },
	{ "h\xc3\xa1", L_AGO, 0 },
	{ "im", L_NOTTEMP_BEFORE, 0 },
	{ "in", L_CUE_AFTER, 0 },
	{ "injured", L_CUE_BEFORE, 0 },
	{ "ive", L_CUE_BEFORE, 0 },
	{ "ja", L_CUE_AFTER, 0 },
	{ "jan", L_MONTH, 1 },
	{ "janeiro", L_MONTH, 1 },
	{ "january", L_MONTH, 1 },
	{ "jueves", L_DAYNAME, 3 },
	{ "jul", L_MONTH, 7 },
	{ "julho", L_MONTH, 7 },
	{ "julio", L_MONTH, 7 },
	{ "july", L_MONTH, 7 },
	{ "jun", L_MONTH, 6 },
	{ "june", L_MONTH, 6 },
	{ "junho", L_MONTH, 6 },
	{ "junio", L_MONTH, 6 },
	{ "j\xc3\xa1", L_CUE_AFTER, 0 },
	{ "kcal", L_NOTTEMP, 0 },
	{ "kg", L_NOTTEMP, 0 },
	{ "kgs", L_NOTTEMP, 0 },
	{ "kilo", L_NOTTEMP, 0 },
	{ "kilogram", L_NOTTEMP, 0 },
	{ "kilograms", L_NOTTEMP, 0 },
	{ "kilos", L_NOTTEMP, 0 },
	{ "km", L_NOTTEMP, 0 },
	{ "labor", L_DAYNAME, H_LABOR_DAY },
	{ "labour", L_DAYNAME, H_LABOR_DAY },
	{ "lagnat", L_FEVER, 0 },
	{ "last", L_CUE_AFTER, 0 },
	{ "lately", L_CUE_AFTER, 0 },
	{ "lb", L_NOTTEMP, 0 },
	{ "lbs", L_NOTTEMP, 0 },
	{ "leg", L_NOTDAYNUM, 0 },
	{ "libras", L_NOTTEMP, 0 },
	{ "lift", L_NOTTEMP_BEFORE, 0 },
	{ "lifted", L_NOTTEMP_BEFORE, 0 },
	{ "lifting", L_NOTTEMP_BEFORE, 0 },
	{ "lifts", L_NOTTEMP_BEFORE, 0 },
	{ "lunes", L_DAYNAME, 0 },
	{ "maio", L_MONTH, 5 },
	{ "many", L_QTY, 3 },
	{ "mar", L_MONTH, 3 },
	{ "march", L_MONTH, 3 },
	{ "marco", L_MONTH, 3 },
	{ "martes", L_DAYNAME, 1 },
	{ "marzo", L_MONTH, 3 },
	{ "mar\xc3\xa7o", L_MONTH, 3 },
	{ "max", L_NOTTEMP_BEFORE, 0 },
	{ "maxed", L_NOTTEMP_BEFORE, 0 },
	{ "may", L_MONTH, 5 },
	{ "mayo", L_MONTH, 5 },
	{ "mes", L_UNIT, 30 },
	{ "meses", L_UNIT | L_PLURAL, 30 },
	{ "meter", L_NOTTEMP, 0 },
	{ "meters", L_NOTTEMP, 0 },
	{ "mg", L_NOTTEMP, 0 },
	{ "mi", L_NOTTEMP, 0 },
	{ "miercoles", L_DAYNAME, 2 },
	{ "mile", L_NOTTEMP, 0 },
	{ "miles", L_NOTTEMP, 0 },
	{ "min", L_NOTTEMP, 0 },
	{ "mins", L_NOTTEMP, 0 },
	{ "minute", L_NOTTEMP, 0 },
	{ "minutes", L_NOTTEMP, 0 },
	{ "mi\xc3\xa9rcoles", L_DAYNAME, 2 },
	{ "ml", L_NOTTEMP, 0 },
	{ "mm", L_NOTTEMP, 0 },
	{ "mnth", L_UNIT | L_ABBR, 30 },
	{ "mnths", L_UNIT | L_PLURAL | L_ABBR, 30 },
	{ "mo", L_UNIT | L_ABBR, 30 },
	{ "mon", L_DAYNAME, 0 },
	{ "monday", L_DAYNAME, 0 },
	{ "month", L_UNIT, 30 },
	{ "monthly", L_FREQ_LONG, 0 },
	{ "months", L_UNIT | L_PLURAL, 30 },
	{ "mos", L_UNIT | L_PLURAL | L_ABBR, 30 },
	{ "mth", L_UNIT | L_ABBR, 30 },
	{ "mths", L_UNIT | L_PLURAL | L_ABBR, 30 },
	{ "muchas", L_QTY, 3 },
	{ "muchos", L_QTY, 3 },
	{ "muitas", L_QTY, 3 },
	{ "muitos", L_QTY, 3 },
	{ "multiple", L_QTY, 2 },
	{ "my", L_ADJ, 0 },
	{ "m\xc3\xaas", L_UNIT, 30 },
	{ "natal", L_DAYNAME, H_CHRISTMAS },
	{ "navidad", L_DAYNAME, H_CHRISTMAS },
	{ "nd", L_ORDSUF, 0 },
	{ "nessa", L_CUE_AFTER, 0 },
	{ "nesse", L_CUE_AFTER, 0 },
	{ "nesta", L_CUE_AFTER, 0 },
	{ "neste", L_CUE_AFTER, 0 },
	{ "next", L_FUTURE, 0 },
	{ "nightly", L_FREQ_SHORT, 0 },
	{ "nine", L_QTY, 9 },
	{ "nineteen", L_QTY, 19 },
	{ "ninth", L_ORD, 9 },
	{ "nov", L_MONTH, 11 },
	{ "nove", L_QTY, 9 },
	{ "november", L_MONTH, 11 },
	{ "novembro", L_MONTH, 11 },
	{ "noviembre", L_MONTH, 11 },
	{ "now", L_CUE_AFTER, 0 },
	{ "nth", L_ORD, 10 },
	{ "nueve", L_QTY, 9 },
	{ "numerous", L_QTY, 3 },
	{ "o2", L_NOTTEMP_BEFORE, 0 },
	{ "ocho", L_QTY, 8 },
	{ "oct", L_MONTH, 10 },
	{ "october", L_MONTH, 10 },
	{ "octubre", L_MONTH, 10 },
	{ "oito", L_QTY, 8 },
	{ "old", L_NOTTEMP, 0 },
	{ "once", L_FREQMARK, 0 },
	{ "one", L_QTY, 1 },
	{ "our", L_ADJ, 0 },
	{ "outdoors", L_WEATHER, 0 },
	{ "outside", L_WEATHER, 0 },
	{ "outubro", L_MONTH, 10 },
	{ "oven", L_WEATHER, 0 },
	{ "over", L_MORE | L_CUE_AFTER, 0 },
	{ "oxygen", L_NOTTEMP_BEFORE, 0 },
	{ "past", L_CUE_AFTER, 0 },
	{ "per", L_FREQ | L_FREQMARK, 0 },
	{ "percent", L_NOTTEMP, 0 },
	{ "plates", L_NOTTEMP, 0 },
	{ "pool", L_WEATHER, 0 },
	{ "por", L_FREQ | L_FREQMARK, 0 },
	{ "pound", L_NOTTEMP, 0 },
	{ "pounds", L_NOTTEMP, 0 },
	{ "pr", L_NOTTEMP_BEFORE, 0 },
	{ "prd", L_NOTTEMP_BEFORE, 0 },
	{ "pred", L_NOTTEMP_BEFORE, 0 },
	{ "press", L_NOTTEMP_BEFORE, 0 },
	{ "pressed", L_NOTTEMP_BEFORE, 0 },
	{ "primeira", L_ORD, 1 },
	{ "primeiro", L_ORD, 1 },
	{ "primer", L_ORD, 1 },
	{ "primera", L_ORD, 1 },
	{ "primero", L_ORD, 1 },
	{ "proxima", L_FUTURE, 0 },
	{ "proximo", L_FUTURE, 0 },
	{ "pr\xc3\xb3xima", L_FUTURE, 0 },
	{ "pr\xc3\xb3ximo", L_FUTURE, 0 },
	{ "pull", L_NOTTEMP_BEFORE, 0 },
	{ "pulling", L_NOTTEMP_BEFORE, 0 },
	{ "pulse", L_NOTTEMP_BEFORE, 0 },
	{ "push", L_NOTDAYNUM, 0 },
	{ "quarta", L_ORD, 4 },
	{ "quarto", L_ORD, 4 },
	{ "quatro", L_QTY, 4 },
	{ "quince", L_QTY, 15 },
	{ "quinta", L_ORD, 5 },
	{ "quinto", L_ORD, 5 },
	{ "quinze", L_QTY, 15 },
	{ "rate", L_NOTTEMP_BEFORE, 0 },
	{ "rd", L_ORDSUF, 0 },
	{ "recently", L_CUE_AFTER, 0 },
	{ "recurrence", L_EVENT, 0 },
	{ "recurrences", L_EVENT, 0 },
	{ "relapse", L_EVENT, 0 },
	{ "relapses", L_EVENT, 0 },
	{ "rep", L_NOTTEMP, 0 },
	{ "reps", L_NOTTEMP, 0 },
	{ "rest", L_NOTDAYNUM, 0 },
	{ "rigors", L_FEVER, 0 },
	{ "room", L_WEATHER, 0 },
	{ "row", L_NOTTEMP_BEFORE, 0 },
	{ "rowed", L_NOTTEMP_BEFORE, 0 },
	{ "rows", L_NOTTEMP_BEFORE, 0 },
	{ "sabado", L_DAYNAME, 5 },
	{ "sat", L_DAYNAME, 5 },
	{ "sats", L_NOTTEMP_BEFORE, 0 },
	{ "saturday", L_DAYNAME, 5 },
	{ "sauna", L_WEATHER, 0 },
	{ "sec", L_NOTTEMP, 0 },
	{ "second", L_ORD, 2 },
	{ "seconds", L_NOTTEMP, 0 },
	{ "secs", L_NOTTEMP, 0 },
	{ "seguidas", L_CUE_AFTER, 0 },
	{ "seguidos", L_CUE_AFTER, 0 },
	{ "segunda", L_ORD, 2 },
	{ "segundo", L_ORD, 2 },
	{ "seis", L_QTY, 6 },
	{ "semaine", L_UNIT, 7 },
	{ "semaines", L_UNIT | L_PLURAL, 7 },
	{ "semana", L_UNIT, 7 },
	{ "semanas", L_UNIT | L_PLURAL, 7 },
	{ "sep", L_MONTH, 9 },
	{ "sept", L_MONTH, 9 },
	{ "september", L_MONTH, 9 },
	{ "septiembre", L_MONTH, 9 },
	{ "set", L_NOTTEMP, 0 },
	{ "sete", L_QTY, 7 },
	{ "setembro", L_MONTH, 9 },
	{ "setiembre", L_MONTH, 9 },
	{ "sets", L_NOTTEMP, 0 },
	{ "seven", L_QTY, 7 },
	{ "seventeen", L_QTY, 17 },
	{ "seventh", L_ORD, 7 },
	{ "several", L_QTY, 3 },
	{ "shivering", L_FEVER, 0 },
	{ "shower", L_WEATHER, 0 },
	{ "siete", L_QTY, 7 },
	{ "since", L_CUE_AFTER, 0 },
	{ "six", L_QTY, 6 },
	{ "sixteen", L_QTY, 16 },
	{ "sixth", L_ORD, 6 },
	{ "so", L_CUE_AFTER, 0 },
	{ "some", L_QTY, 2 },
	{ "spo2", L_NOTTEMP_BEFORE, 0 },
	{ "squat", L_NOTTEMP_BEFORE, 0 },
	{ "squats", L_NOTTEMP_BEFORE, 0 },
	{ "squatted", L_NOTTEMP_BEFORE, 0 },
	{ "squatting", L_NOTTEMP_BEFORE, 0 },
	{ "st", L_ORDSUF, 0 },
	{ "step", L_NOTTEMP, 0 },
	{ "steps", L_NOTTEMP, 0 },
	{ "strained", L_CUE_BEFORE, 0 },
	{ "sugar", L_NOTTEMP_BEFORE, 0 },
	{ "sun", L_DAYNAME, 6 },
	{ "sunday", L_DAYNAME, 6 },
	{ "sunny", L_WEATHER, 0 },
	{ "sweats", L_FEVER, 0 },
	{ "s\xc3\xa1"
	  "bado",
	  L_DAYNAME, 5 },
	{ "temp", L_TEMP, 0 },
	{ "temperatura", L_TEMP, 0 },
	{ "temperature", L_TEMP, 0 },
	{ "temperatures", L_TEMP, 0 },
	{ "temps", L_TEMP, 0 },
	{ "ten", L_QTY, 10 },
	{ "tenth", L_ORD, 10 },
	{ "terceira", L_ORD, 3 },
	{ "terceiro", L_ORD, 3 },
	{ "tercer", L_ORD, 3 },
	{ "tercera", L_ORD, 3 },
	{ "tercero", L_ORD, 3 },
	{ "th", L_ORDSUF, 0 },
	{ "thanksgiving", L_DAYNAME, H_THANKSGIVING },
	{ "the", L_ADJ, 0 },
	{ "their", L_ADJ, 0 },
	{ "thermometer", L_FEVER, 0 },
	{ "these", L_CUE_AFTER, 0 },
	{ "third", L_ORD, 3 },
	{ "thirteen", L_QTY, 13 },
	{ "thirty", L_QTY, 30 },
	{ "this", L_ADJ | L_CUE_AFTER, 0 },
	{ "three", L_QTY, 3 },
	{ "threw", L_CUE_BEFORE, 0 },
	{ "thrice", L_TWICE | L_FREQMARK, 3 },
	{ "thrown", L_CUE_BEFORE, 0 },
	{ "thu", L_DAYNAME, 3 },
	{ "thur", L_DAYNAME, 3 },
	{ "thurs", L_DAYNAME, 3 },
	{ "thursday", L_DAYNAME, 3 },
	{ "time", L_TIMES, 0 },
	{ "times", L_TIMES | L_FREQMARK, 0 },
	{ "total", L_CUE_AFTER, 0 },
	{ "tres", L_QTY, 3 },
	{ "tr\xc3\xaas", L_QTY, 3 },
	{ "tub", L_WEATHER, 0 },
	{ "tue", L_DAYNAME, 1 },
	{ "tues", L_DAYNAME, 1 },
	{ "tuesday", L_DAYNAME, 1 },
	{ "turned", L_NOTTEMP_BEFORE, 0 },
	{ "turning", L_NOTTEMP_BEFORE, 0 },
	{ "tweaked", L_CUE_BEFORE, 0 },
	{ "twelfth", L_ORD, 12 },
	{ "twelve", L_QTY, 12 },
	{ "twenty", L_QTY, 20 },
	{ "twice", L_TWICE | L_FREQMARK, 2 },
	{ "two", L_QTY, 2 },
	{ "um", L_QTY, 1 },
	{ "uma", L_QTY, 1 },
	{ "umpteenth", L_ORD, 10 },
	{ "un", L_QTY, 1 },
	{ "una", L_QTY, 1 },
	{ "unas", L_QTY, 3 },
	{ "uno", L_QTY, 1 },
	{ "unos", L_QTY, 3 },
	{ "upcoming", L_FUTURE, 0 },
	{ "varias", L_QTY, 3 },
	{ "varios", L_QTY, 3 },
	{ "veces", L_TIMES | L_FREQMARK, 0 },
	{ "veinte", L_QTY, 20 },
	{ "vez", L_TIMES, 0 },
	{ "vezes", L_TIMES | L_FREQMARK, 0 },
	{ "viernes", L_DAYNAME, 4 },
	{ "vinte", L_QTY, 20 },
	{ "v\xc3\xa1rias", L_QTY, 3 },
	{ "v\xc3\xa1rios", L_QTY, 3 },
	{ "water", L_WEATHER, 0 },
	{ "weather", L_WEATHER, 0 },
	{ "wed", L_DAYNAME, 2 },
	{ "wednesday", L_DAYNAME, 2 },
	{ "week", L_UNIT, 7 },
	{ "weekly", L_FREQ_SHORT, 0 },
	{ "weeks", L_UNIT | L_PLURAL, 7 },
	{ "weigh", L_NOTTEMP_BEFORE, 0 },
	{ "weighed", L_NOTTEMP_BEFORE, 0 },
	{ "weighs", L_NOTTEMP_BEFORE, 0 },
	{ "weight", L_NOTTEMP_BEFORE, 0 },
	{ "weights", L_NOTTEMP_BEFORE, 0 },
	{ "went", L_CUE_BEFORE, 0 },
	{ "within", L_CUE_AFTER, 0 },
	{ "wk", L_UNIT, 7 },
	{ "wks", L_UNIT | L_PLURAL, 7 },
	{ "x", L_TIMES | L_FREQMARK, 0 },
	{ "xmas", L_DAYNAME, H_CHRISTMAS },
	{ "ya", L_CUE_AFTER, 0 },
	{ "year", L_UNIT, 365 },
	{ "yearly", L_FREQ_LONG, 0 },
	{ "years", L_UNIT | L_PLURAL, 365 },
	{ "yet", L_CUE_AFTER, 0 },
	{ "yo", L_NOTTEMP, 0 },
	{ "yr", L_UNIT | L_ABBR, 365 },
	{ "yrs", L_UNIT | L_PLURAL | L_ABBR, 365 },
	{ "\xc2\xb0", L_DEG, 0 },
	{ "\xc2\xb0"
	  "c",
	  L_DEG_C, 0 },
	{ "\xc2\xb0"
	  "f",
	  L_DEG_F, 0 },
	{ "\xc2\xba", L_DEG, 0 },
	{ "\xc2\xba"
	  "c",
	  L_DEG_C, 0 },
	{ "\xc2\xba"
	  "f",
	  L_DEG_F, 0 },
};

#define NUMBER_WORDS    (sizeof(number_words) / sizeof(number_words[0]))
#define NUMBER_WORD_MAX 12 /* the longest word of the list */
/* The words a concept is anchored on. */
#define NUMBER_ANCHOR (L_UNIT | L_TIMES | L_TWICE | L_EVENT)

/* memcmp order, inline: most words differ from s in their first byte, and
 * a call per step would cost more than the comparison. */
static int
number_word_cmp(const char *s, size_t n, const char *w)
{
	size_t i = 0;

	for (; i < n && w[i] != '\0'; i++)
		if (s[i] != w[i])
			return (unsigned char)s[i] < (unsigned char)w[i] ? -1
			                                                 : 1;
	return i < n ? 1 : w[i] != '\0' ? -1 : 0;
}

/* An open-addressing table over the list, built once: a word is looked
 * up for every token of a message with a date to read (month and day
 * names), so a hash and one or two comparisons instead of a binary search
 * of some 500 words. */
#define NUMBER_HASH 2048 /* a power of two, over three times the words */
_Static_assert(NUMBER_WORDS * 3 < NUMBER_HASH, "the number table is too full");
static uint16_t number_hash_slot[NUMBER_HASH]; /* index + 1, 0 empty */
static uint8_t number_word_len[NUMBER_WORDS];
/* Bit (first byte, second byte or 0) set when a month, weekday or holiday
 * begins with those bytes: most words of a message are passed over
 * without a look-up (number_maybe_date). */
static uint64_t number_date_pairs[256 * 256 / 64];
static pthread_once_t number_hash_once = PTHREAD_ONCE_INIT;

static void
number_hash_build(void)
{
	for (size_t i = 0; i < NUMBER_WORDS; i++) {
		size_t n = strlen(number_words[i].w);
		uint32_t h =
		    hash_fnv1a(number_words[i].w, n) & (NUMBER_HASH - 1);
		while (number_hash_slot[h] != 0)
			h = (h + 1) & (NUMBER_HASH - 1);
		number_hash_slot[h] = (uint16_t)(i + 1);
		number_word_len[i] = (uint8_t)n;
		if (number_words[i].flags & (L_MONTH | L_DAYNAME)) {
			const unsigned char *w =
			    (const unsigned char *)number_words[i].w;
			unsigned k = w[0] << 8 | (n > 1 ? w[1] : 0);
			number_date_pairs[k >> 6] |= UINT64_C(1) << (k & 63);
		}
	}
}

/* The index of the word s[0..n) in the list, or -1. */
static int
number_lookup(const char *s, size_t n)
{
	if (n == 0 || n > NUMBER_WORD_MAX)
		return -1;
	pthread_once(&number_hash_once, number_hash_build);
	uint32_t h = hash_fnv1a(s, n) & (NUMBER_HASH - 1);
	for (unsigned k; (k = number_hash_slot[h]) != 0;
	     h = (h + 1) & (NUMBER_HASH - 1))
		if (number_word_len[k - 1] == n &&
		    memcmp(number_words[k - 1].w, s, n) == 0)
			return (int)(k - 1);
	return -1;
}

/* Whether a word can be an anchor (a unit, "times", "twice", "episode"),
 * by its first bytes: most words are not, and a message with no number and
 * no anchor is left after this cheap look.  number_lexicon_ok checks that
 * every anchor of the list passes. */
static bool
number_maybe_anchor(const char *s, size_t n)
{
	char b = n > 1 ? s[1] : 0, c = n > 2 ? s[2] : 0;

	switch (s[0]) {
	case 'a': /* ano, anos, año, años */
		return (b == 'n' && c == 'o') || b == '\xc3';
	case 'd': /* day, days, dia, dias, días */
		return (b == 'a' && c == 'y') || (b == 'i' && c == 'a') ||
		       b == '\xc3';
	case 'e': /* episode */
		return b == 'p';
	case 'f': /* flare, flareup, fortnight; forty (a temperature) */
		return b == 'l' || (b == 'o' && c == 'r' && (n >= 9 || n == 5));
	case 'h': /* hundred (a temperature) */
		return b == 'u' && n == 7;
	case 'm': /* mes, meses, mês, mo, mos, month, mth, mnth */
		return (b == 'e' && c == 's') || b == '\xc3' ||
		       (b == 'o' && (n == 2 || c == 's' || c == 'n')) ||
		       b == 't' || b == 'n';
	case 'r': /* relapse, recurrence */
		return b == 'e' && (c == 'l' || c == 'c');
	case 's': /* semana, semaine */
		return b == 'e' && c == 'm';
	case 't': /* time, twice, thrice; thirty (a temperature) */
		return (b == 'i' && c == 'm') || b == 'w' ||
		       (b == 'h' && (c == 'r' || c == 'i'));
	case 'v': /* vez, veces, vezes */
		return b == 'e' && (c == 'z' || c == 'c');
	case 'w': /* week, wk */
		return (b == 'e' && c == 'e') || b == 'k';
	case 'x':
		return n == 1;
	case 'y': /* year, yr */
		return (b == 'e' && c == 'a') || b == 'r';
	default:
		return false;
	}
}

bool
number_lexicon_ok(void)
{
	for (size_t i = 0; i < NUMBER_WORDS; i++) {
		const char *w = number_words[i].w;
		size_t n = strlen(w);
		if (n > NUMBER_WORD_MAX ||
		    (i > 0 &&
		     number_word_cmp(w, n, number_words[i - 1].w) <= 0))
			return false;
		if ((number_words[i].flags & NUMBER_ANCHOR) &&
		    !number_maybe_anchor(w, n))
			return false;
	}
	return true;
}

/* A number at the start of s[0..n): digits, maybe with a decimal point or
 * comma ("101.2", "38,6") or a thousands comma ("10,000").  Returns the
 * bytes it takes, 0 when s does not start with one or it is too long to
 * be a temperature, a duration or a count. */
static size_t
number_parse(const char *s, size_t n, double *val)
{
	size_t i = 0, nd = 0, fd = 0;
	uint32_t mant = 0, scale = 1;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (++nd > 6)
			return 0;
		mant = mant * 10 + (uint32_t)(s[i++] - '0');
	}
	if (nd == 0)
		return 0;
	if (i + 1 < n && (s[i] == '.' || s[i] == ',') && s[i + 1] >= '0' &&
	    s[i + 1] <= '9') {
		char sep = s[i];
		size_t j = i + 1;
		while (j < n && s[j] >= '0' && s[j] <= '9') {
			if (++fd > 3)
				return 0;
			mant = mant * 10 + (uint32_t)(s[j++] - '0');
			scale *= 10;
		}
		if (sep == ',' && fd == 3)
			scale = 1; /* "10,000" */
		i = j;
	}
	*val = (double)mant / scale;
	return i;
}

/* The tokens as this module sees them. */
enum { T_WORD, T_PURE, T_SUFFIX };
#define NUMBER_UNKNOWN (-2) /* not looked up yet */

struct number_ctx {
	const char *text;
	const struct token *t;
	long n;
	struct number_match *out;
	size_t max, count;
	long covered; /* last token of the last match: no anchor in it */
	int16_t word[TOKEN_MAX]; /* number_word(), or NUMBER_UNKNOWN */
	uint8_t type[TOKEN_MAX]; /* T_WORD, T_PURE ("101"), T_SUFFIX ("3rd") */
	uint8_t used[TOKEN_MAX]; /* bytes of the number of a T_SUFFIX */
	int32_t today;           /* the reference day, or CALENDAR_NONE */
	long score_tok[8];       /* whole numbers 0 to 10: pain scores? */
	double score_val[8];
	size_t nscore;
};

static bool
number_in(struct number_ctx *c, long i)
{
	return i >= 0 && i < c->n;
}

/* The index in the list of token i's word (or of the letters after its
 * number), or -1; looked up the first time it is asked for. */
static int
number_word(struct number_ctx *c, long i)
{
	if (c->word[i] == NUMBER_UNKNOWN) {
		const char *s = c->text + c->t[i].start;
		size_t len = c->t[i].end - c->t[i].start;
		size_t used = c->type[i] == T_WORD ? 0 : c->used[i];
		c->word[i] =
		    (int16_t)(c->type[i] == T_PURE
		                  ? -1
		                  : number_lookup(s + used, len - used));
	}
	return c->word[i];
}

/* Flags of token i's word in the list when the token is of that type, else
 * 0 (out of range, not in the list, or of another type). */
static uint32_t
number_flags_as(struct number_ctx *c, long i, uint8_t type)
{
	if (!number_in(c, i) || c->type[i] != type || number_word(c, i) < 0)
		return 0;
	return number_words[c->word[i]].flags;
}

/* Flags of the word token i (0 for a number). */
static uint32_t
number_flags(struct number_ctx *c, long i)
{
	return number_flags_as(c, i, T_WORD);
}

/* Whether word token i is a month, weekday or holiday.  Looked up only
 * when a reference day is given (number_find has then built the table). */
static inline bool
number_maybe_date(struct number_ctx *c, long i)
{
	if (number_in(c, i) && c->word[i] == NUMBER_UNKNOWN) {
		const unsigned char *s =
		    (const unsigned char *)c->text + c->t[i].start;
		size_t n = c->t[i].end - c->t[i].start;
		unsigned k = n == 0 ? 0 : s[0] << 8 | (n > 1 ? s[1] : 0);
		if (!((number_date_pairs[k >> 6] >> (k & 63)) & 1))
			return false;
	}
	return (number_flags_as(c, i, T_WORD) & (L_MONTH | L_DAYNAME)) != 0;
}

/* Flags of the letters after the number of token i ("rd" of "3rd"). */
static uint32_t
number_suffix_flags(struct number_ctx *c, long i)
{
	return number_flags_as(c, i, T_SUFFIX);
}

/* The value of token i's word, which the caller knows is in the list. */
static double
number_val(struct number_ctx *c, long i)
{
	int w = number_word(c, i);

	return w >= 0 ? number_words[w].val : 0;
}

static bool
number_is(struct number_ctx *c, long i, const char *w)
{
	return number_in(c, i) && token_is(c->text, &c->t[i], w);
}

static bool
number_same_sentence(struct number_ctx *c, long i, long j)
{
	return number_in(c, i) && number_in(c, j) &&
	       c->t[i].sentence == c->t[j].sentence;
}

/* The number token i starts with. */
static double
number_lead(struct number_ctx *c, long i)
{
	double v = 0;

	(void)number_parse(c->text + c->t[i].start, c->t[i].end - c->t[i].start,
	                   &v);
	return v;
}

/* The byte right after token i, or 0. */
static char
number_next_byte(struct number_ctx *c, long i)
{
	uint32_t e = c->t[i].end;

	return (number_in(c, i + 1) && e < c->t[i + 1].start) ? c->text[e] : 0;
}

static void
number_emit(struct number_ctx *c, enum number_concept kind, long first,
            long last, double value, uint8_t flags)
{
	if (c->count >= c->max)
		return;
	c->covered = last;
	struct number_match *m = &c->out[c->count++];
	m->kind = kind;
	m->first = (uint16_t)first;
	m->last = (uint16_t)last;
	m->flags = flags;
	m->value = value;
}

/* A quantity in one token: a bare number or a number word. */
static bool
number_qty1(struct number_ctx *c, long i, double *v, bool *digits)
{
	if (!number_in(c, i))
		return false;
	if (c->type[i] == T_PURE) {
		*v = number_lead(c, i);
		*digits = true;
		return true;
	}
	if (number_flags(c, i) & L_QTY) {
		*v = number_val(c, i);
		*digits = false;
		return true;
	}
	return false;
}

/* An ordinal in one token: "third", "3rd". */
static bool
number_ordinal(struct number_ctx *c, long i, double *v)
{
	if (number_flags(c, i) & L_ORD) {
		*v = number_val(c, i);
		return true;
	}
	if (number_suffix_flags(c, i) & L_ORDSUF) {
		*v = number_lead(c, i);
		return true;
	}
	return false;
}

struct number_qty {
	long start; /* first token of the quantity */
	double val;
	bool digits; /* written in digits */
};

/* The quantity right before token u, in its sentence: "10", "two", "a",
 * "a few", "a couple of", "two and a half", "half a", "1-2", "2 or 3". */
static bool
number_qty_before(struct number_ctx *c, long u, struct number_qty *q)
{
	long j = u - 1;
	double lo;
	bool d;

	if (!number_same_sentence(c, j, u))
		return false;
	q->digits = false;
	if (number_is(c, j, "half")) {
		if (!number_is(c, j - 1, "a") || !number_is(c, j - 2, "and") ||
		    !number_qty1(c, j - 3, &q->val, &q->digits))
			return false;
		q->val += 0.5;
		q->start = j - 3;
	} else if (number_is(c, j, "of")) {
		if (!number_is(c, j - 1, "couple") &&
		    !number_is(c, j - 1, "few"))
			return false;
		q->val = number_val(c, j - 1);
		q->start = number_is(c, j - 2, "a") ? j - 2 : j - 1;
	} else if (number_qty1(c, j, &q->val, &q->digits)) {
		q->start = j;
		if (number_is(c, j, "couple") || number_is(c, j, "few")) {
			if (number_is(c, j - 1, "a"))
				q->start = j - 1;
		} else if (number_is(c, j, "a") || number_is(c, j, "an")) {
			if (number_is(c, j - 1, "half")) {
				q->val = 0.5;
				q->start = j - 1;
			}
		} else if ((number_is(c, j - 1, "or") ||
		            number_is(c, j - 1, "to")) &&
		           number_qty1(c, j - 2, &lo, &d) && lo < q->val) {
			q->start = j - 2; /* "2 or 3 weeks": the larger */
		} else if (q->digits && number_in(c, j - 1) &&
		           c->type[j - 1] == T_PURE &&
		           number_next_byte(c, j - 1) == '-') {
			q->start = j - 1; /* "1-2 weeks" */
		}
	} else {
		return false;
	}
	return number_same_sentence(c, q->start, u);
}

/* Whether token i marks a frequency before "a month": "twice", "3 times",
 * "3x", "once", "per". */
static bool
number_freqmark(struct number_ctx *c, long i)
{
	return (number_flags(c, i) & L_FREQMARK) ||
	       (number_suffix_flags(c, i) & L_TIMES);
}

/* The days of the unit at token i, or 0 when it is not a unit. */
static double
number_unit_days(struct number_ctx *c, long i)
{
	return (number_flags(c, i) & L_UNIT) ? number_val(c, i) : 0;
}

/* A singular unit with no quantity before it: "week 3 of this", "day 10",
 * "3rd week", "the past month". */
static void
number_unit_alone(struct number_ctx *c, long u, double unit_days)
{
	double v, o;
	bool d;
	long k = u + 1, p = u - 1;

	if (unit_days <= 7 && number_same_sentence(c, u, k) &&
	    number_qty1(c, k, &v, &d) && !number_is(c, k, "a") &&
	    !number_is(c, k, "an")) {
		/* "once a week 3 sets", "leg day 10", "last week 100 kilos",
		 * "all day 8 weeks ago" */
		if ((number_same_sentence(c, p, u) &&
		     ((number_flags(c, p) & (L_FREQ | L_FREQMARK | L_EVERY |
		                             L_NOTDAYNUM | L_FUTURE | L_ADJ)) ||
		      number_is(c, p, "last") || number_is(c, p, "past") ||
		      number_is(c, p, "all"))) ||
		    (number_same_sentence(c, k, k + 1) &&
		     (number_flags(c, k + 1) &
		      (L_UNIT | L_NOTTEMP | L_TIMES | L_EVENT))))
			return;
		double days = unit_days < 7 ? v : (v - 1) * unit_days + 1;
		if (days > 7 && v <= 400)
			number_emit(c, NUMBER_OVER_A_WEEK, u, k, days, 0);
		return;
	}
	if (number_same_sentence(c, p, u) && number_ordinal(c, p, &o)) {
		double days = (o - 1) * unit_days + 1;
		if ((number_is(c, k, "of") || number_is(c, k, "de")) &&
		    (number_flags(c, k + 1) & L_MONTH))
			return; /* "the 2nd week of november": a date */
		if (days > 7 && o <= 400)
			number_emit(c, NUMBER_OVER_A_WEEK, p, u, days, 0);
		return;
	}
	if (unit_days >= 14 &&
	    (number_is(c, p, "past") || number_is(c, p, "last")) &&
	    number_is(c, p - 1, "the") && number_same_sentence(c, p - 1, u))
		number_emit(c, NUMBER_OVER_A_WEEK, p - 1, u, unit_days, 0);
}

static void number_holiday(struct number_ctx *c, long first, long last, int h);

/* A unit of duration at token u: "weeks", or "10days" when self (the
 * quantity is the number the token starts with). */
static void
number_unit(struct number_ctx *c, long u, double unit_days, uint32_t uflags,
            bool self)
{
	struct number_qty q = { u, 0, false };
	bool have = true, other = false;
	uint8_t flags = 0;
	long last = u;

	if (!self && unit_days == 365 &&
	    (number_is(c, u - 1, "new") || number_is(c, u + 1, "nuevo") ||
	     number_is(c, u + 1, "novo"))) {
		/* "since new year", "desde ano nuevo": a holiday */
		if (c->today != CALENDAR_NONE) {
			bool before = number_is(c, u - 1, "new");
			number_holiday(c, before ? u - 1 : u,
			               before ? u : u + 1, H_NEW_YEAR);
		}
		return;
	}
	if (self) {
		q.val = number_lead(c, u);
		q.digits = true;
	} else if (!number_qty_before(c, u, &q)) {
		have = false;
		q.start = u;
	}
	long p = q.start - 1;
	if (!number_in(c, p) || c->t[p].clause != c->t[q.start].clause)
		p = -1; /* "bend over, 4 weeks ago" */
	if (number_is(c, p, "other") && (number_flags(c, p - 1) & L_EVERY)) {
		other = true;
		p--;
	}
	uint32_t pf = number_flags(c, p);
	if (pf & L_EVERY) {
		/* "every month", "every few weeks", "every other week" */
		if (unit_days >= 14 || (unit_days >= 7 && (have || other)))
			number_emit(c, NUMBER_REPEAT, p, u, 2, NUMBER_EVERY);
		return;
	}
	if (!have) {
		if (!(uflags & L_PLURAL)) {
			number_unit_alone(c, u, unit_days);
			return;
		}
		/* "for weeks", "months of pain"; not "the coming weeks" */
		if (unit_days < 7 || (pf & (L_FREQ | L_FREQMARK | L_FUTURE)) ||
		    number_is(c, p, "the"))
			return;
		q.val = 2;
	} else {
		if ((uflags & L_ABBR) && !q.digits)
			return;
		/* "twice a month", "next 2 weeks", "3x a month"; but a lone
		 * "x" before digits with no count of its own before it is
		 * the clinic's "for": "sore back x 18 days" */
		double v0;
		bool d0;
		bool x_for = number_is(c, p, "x") && q.digits &&
		             !number_qty1(c, p - 1, &v0, &d0);
		if ((number_freqmark(c, p) && !x_for) || (pf & L_FUTURE))
			return;
		/* "a 10 day program", "my 12 week plan" */
		if (!(uflags & L_PLURAL) && q.val > 1 && (pf & L_ADJ))
			return;
	}
	if (number_is(c, u + 1, "old"))
		return; /* "6 months old" */
	if (pf & L_MORE) {
		flags |= NUMBER_MORE; /* "over a week" */
		q.start = p;
	} else if ((number_is(c, p, "than") || number_is(c, p, "then")) &&
	           (number_is(c, p - 1, "more") ||
	            number_is(c, p - 1, "longer"))) {
		flags |= NUMBER_MORE;
		q.start = p - 1;
	} else if (number_is(c, p, "de") &&
	           (number_is(c, p - 1, "mas") || number_is(c, p - 1, "mais") ||
	            number_is(c, p - 1, "m\xc3\xa1s"))) {
		flags |= NUMBER_MORE; /* "mas de una semana" */
		q.start = p - 1;
	}
	if (pf & L_AGO)
		flags |= NUMBER_AGO; /* "hace dos semanas" */
	/* "7+ days", "a week+" */
	if ((have && !self && number_next_byte(c, u - 1) == '+') ||
	    number_next_byte(c, u) == '+')
		flags |= NUMBER_MORE;
	/* after the unit, in its sentence */
	long k = u + 1;
	double v;
	bool d;
	if (number_is(c, k, "and") && number_is(c, k + 1, "a") &&
	    number_is(c, k + 2, "half") && number_same_sentence(c, u, k + 2)) {
		q.val += 0.5; /* "a week and a half" */
		last = k + 2;
	} else if (number_is(c, k, "or") && number_same_sentence(c, u, k + 1)) {
		if (number_is(c, k + 1, "more") ||
		    number_is(c, k + 1, "longer")) {
			flags |= NUMBER_MORE;
			last = k + 1;
		} else if (number_qty1(c, k + 1, &v, &d) && v > q.val) {
			q.val = v; /* "a week or two" */
			last = k + 1;
		}
	} else if (number_is(c, k, "plus") && number_same_sentence(c, u, k)) {
		flags |= NUMBER_MORE;
		last = k;
	} else {
		/* "1 week and 3 days", "a month 2 weeks" */
		long m = number_is(c, k, "and") ? k + 1 : k;
		double d2 = number_unit_days(c, m + 1);
		if (d2 > 0 && d2 < unit_days && number_qty1(c, m, &v, &d) &&
		    number_same_sentence(c, u, m + 1) &&
		    !number_is(c, m, "a") && !number_is(c, m, "an")) {
			q.val += v * d2 / unit_days;
			last = m + 1;
		}
	}
	if (number_same_sentence(c, last, last + 1) &&
	    (number_flags(c, last + 1) & L_AGO))
		flags |= NUMBER_AGO;
	/* "a week? maybe more", "a week, probably longer" */
	if (!(flags & NUMBER_MORE) &&
	    (number_is(c, last + 1, "maybe") ||
	     number_is(c, last + 1, "probably") ||
	     number_is(c, last + 1, "prob") || number_is(c, last + 1, "or") ||
	     number_is(c, last + 1, "possibly")) &&
	    (number_is(c, last + 2, "more") ||
	     number_is(c, last + 2, "longer")) &&
	    c->t[last + 2].sentence <= c->t[last].sentence + 1) {
		flags |= NUMBER_MORE;
		last += 2;
	}
	double days = q.val * unit_days;
	if (days > 7 || ((flags & NUMBER_MORE) && days >= 7))
		number_emit(c, NUMBER_OVER_A_WEEK, q.start, last, days, flags);
}

/* Whether the count before "times" at [start, i] is a recurrence, not a
 * training frequency. */
static bool
number_recurs(struct number_ctx *c, long start, long i)
{
	long k = i + 1;

	if (number_next_byte(c, i) == '/')
		/* "3x/week" is training, "3 times/year" a recurrence */
		return number_unit_days(c, k) >= 28;
	if (number_same_sentence(c, i, k)) {
		uint32_t kf = number_flags(c, k);
		if (kf & L_FREQ_SHORT)
			return false;
		if (kf & L_FREQ_LONG)
			return true;
		if (kf & L_FREQ) {
			/* "a week", "per month", "a la semana" */
			long m = k + 1;
			if (number_is(c, m, "la") || number_is(c, m, "the"))
				m++;
			return number_unit_days(c, m) >= 28;
		}
		if (kf & L_CUE_AFTER)
			return true;
	}
	/* a cue before, in the same clause: "it has happened 3 times" */
	for (long j = start - 1; j >= 0 && j >= start - 8; j--) {
		if (c->t[j].clause != c->t[start].clause)
			break;
		if (number_flags(c, j) & L_CUE_BEFORE)
			return true;
	}
	return false;
}

/* "times" (or "x", "vez") at token i; self for "3x", twice for "twice". */
static void
number_times(struct number_ctx *c, long i, bool self, bool twice)
{
	struct number_qty q = { i, 0, false };
	double o;

	if (twice) {
		q.val = number_val(c, i);
	} else if (self) {
		q.val = number_lead(c, i);
		q.digits = true;
	} else if (number_same_sentence(c, i - 1, i) &&
	           number_ordinal(c, i - 1, &o)) {
		/* "3rd time", "third time", "tercera vez" */
		if (o >= 2)
			number_emit(c, NUMBER_REPEAT, i - 1, i, o, 0);
		return;
	} else if (!number_qty_before(c, i, &q)) {
		return;
	}
	if (q.val < 2 || (number_is(c, i, "x") && !q.digits))
		return;
	if (number_recurs(c, q.start, i))
		number_emit(c, NUMBER_REPEAT, q.start, i, q.val, 0);
}

/* "episode", "flare" at token i: "3rd episode", "two flare ups". */
static void
number_event(struct number_ctx *c, long i)
{
	struct number_qty q;
	long last =
	    number_is(c, i + 1, "up") || number_is(c, i + 1, "ups") ? i + 1 : i;
	double o;

	if (number_same_sentence(c, i - 1, i) && number_ordinal(c, i - 1, &o)) {
		if (o >= 2)
			number_emit(c, NUMBER_REPEAT, i - 1, last, o, 0);
	} else if (number_qty_before(c, i, &q) && q.val >= 2) {
		number_emit(c, NUMBER_REPEAT, q.start, last, q.val, 0);
	}
}

/* Dates (number.h): a day of the month, a month, a weekday or a holiday
 * read against c->today.  Each reader ends in number_date_range. */

/* Whether token i is one of words (a NULL-ended list). */
static bool
number_is_any(struct number_ctx *c, long i, const char *const *words)
{
	for (const char *const *w = words; *w; w++)
		if (number_is(c, i, *w))
			return true;
	return false;
}

/* A day of the month in token i: "15", "15th", "1st". */
static bool
number_mday(struct number_ctx *c, long i, int *d)
{
	if (!number_in(c, i) || c->type[i] == T_WORD ||
	    (c->type[i] == T_SUFFIX && !(number_suffix_flags(c, i) & L_ORDSUF)))
		return false;
	double v = number_lead(c, i);
	if (v < 1 || v > 31 || v != (int)v || c->used[i] > 2)
		return false;
	*d = (int)v;
	return true;
}

/* A year of four digits in token i: "2025". */
static bool
number_year(struct number_ctx *c, long i, int *y)
{
	if (!number_in(c, i) || c->type[i] != T_PURE || c->used[i] != 4)
		return false;
	double v = number_lead(c, i);
	if (v < 1900 || v > 2200)
		return false;
	*y = (int)v;
	return true;
}

/* Whether a word before token first, in its clause, says the date is to
 * come: "next", "until", "by", "before", "will", "gonna". */
static bool
number_date_future(struct number_ctx *c, long first)
{
	static const char *const words[] = {
		"until", "till",  "til",   "by",  "before",     "will",
		"gonna", "going", "hasta", "ate", "at\xc3\xa9", NULL,
	};

	for (long j = first - 1; j >= 0 && j >= first - 6; j--) {
		if (c->t[j].clause != c->t[first].clause)
			break;
		if ((number_flags(c, j) & L_FUTURE) ||
		    number_is_any(c, j, words))
			return true;
	}
	return false;
}

/* Whether a word before token first says the date is in the past:
 * "since", "desde", "from", "after". */
static bool
number_date_since(struct number_ctx *c, long first)
{
	for (long j = first - 1; j >= 0 && j >= first - 2; j--) {
		if (c->t[j].clause != c->t[first].clause)
			break;
		if (number_is(c, j, "since") || number_is(c, j, "desde") ||
		    number_is(c, j, "from") || number_is(c, j, "after"))
			return true;
	}
	return false;
}

/* The year of the range starting on day d0 of month m, when y is 0: the
 * latest such day up to today ("since Dec 20" read on Jan 3 is last
 * December), unless one to come is within two months and nearer and no
 * "since" comes before ("see you in january" read in December is next
 * month, "a spasm in march" read in December last March).  Returns false
 * for a date still to come or one that does not exist. */
static bool
number_date_year(struct number_ctx *c, long first, int *y, int m, int d0)
{
	int ty, tm, td;

	calendar_civil(c->today, &ty, &tm, &td);
	if (*y == 0) {
		bool since = number_date_since(c, first);
		int32_t best = 0;
		for (int k = ty + 1; k >= ty - 1; k--) {
			if (!calendar_valid(k, m, d0))
				continue;
			int32_t day = calendar_day(k, m, d0);
			int32_t dist =
			    day > c->today ? day - c->today : c->today - day;
			if ((since || dist > 62) && day > c->today)
				continue;
			if (*y == 0 || dist < best) {
				*y = k;
				best = dist;
			}
			if (since)
				break;
		}
		if (*y == 0)
			return false;
	}
	return calendar_valid(*y, m, d0) && calendar_day(*y, m, d0) <= c->today;
}

/* Emits @over_a_week for days d0..d1 of month m, year y (0: unsaid) at
 * tokens first..last when its last day (or today, if sooner) is more than
 * 7 days ago.  Returns whether it did. */
static bool
number_date_range(struct number_ctx *c, long first, long last, int y, int m,
                  int d0, int d1)
{
	if (!number_date_year(c, first, &y, m, d0) ||
	    number_date_future(c, first))
		return false;
	int md = calendar_month_days(y, m);
	int32_t end = calendar_day(y, m, d1 < md ? d1 : md);
	if (end > c->today)
		end = c->today;
	if (c->today - end <= 7)
		return false;
	number_emit(c, NUMBER_OVER_A_WEEK, first, last,
	            (double)(c->today - end), 0);
	return true;
}

/* A word right before a date that says it is one: "since", "on". */
static bool
number_date_cue(struct number_ctx *c, long i)
{
	static const char *const words[] = {
		"since",
		"from",
		"on",
		"in",
		"around",
		"after",
		"desde",
		"en",
		"em",
		"el",
		"dia",
		"d\xc3\xad"
		"a",
		"last",
		"de",
		NULL,
	};

	return number_is_any(c, i, words);
}

/* The part of a month named before token p ("mid", "early", "late", "end
 * of", "mediados de"...): sets *d0, *d1 (31 for the month's end) and *first;
 * returns false when there is none. */
static bool
number_month_part(struct number_ctx *c, long p, int *d0, int *d1, long *first)
{
	static const struct {
		const char *w;
		bool of; /* needs "of" or "de" after it */
		int d0, d1;
	} parts[] = {
		{ "mid", false, 11, 20 },
		{ "early", false, 1, 10 },
		{ "late", false, 21, 31 },
		{ "beginning", true, 1, 10 },
		{ "start", true, 1, 10 },
		{ "end", true, 21, 31 },
		{ "middle", true, 11, 20 },
		{ "mediados", true, 11, 20 },
		{ "principios", true, 1, 10 },
		{ "comienzos", true, 1, 10 },
		{ "finales", true, 21, 31 },
		{ "fines", true, 21, 31 },
		{ "fin", true, 21, 31 },
		{ "meados", true, 11, 20 },
		{ "inicio", true, 1, 10 },
		{ "in\xc3\xad"
		  "cio",
		  true, 1, 10 },
		{ "fim", true, 21, 31 },
		{ "final", true, 21, 31 },
	};
	bool of = number_is(c, p, "of") || number_is(c, p, "de");
	long w = of ? p - 1 : p;

	if (!number_in(c, w) || c->t[w].clause != c->t[p].clause)
		return false;
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		if (parts[k].of == of && number_is(c, w, parts[k].w)) {
			*d0 = parts[k].d0;
			*d1 = parts[k].d1;
			*first = number_is(c, w - 1, "the") ? w - 1 : w;
			return true;
		}
	return false;
}

/* A month name at token i: "nov 1st", "November 1 2025", "the 18th of
 * November", "15 de noviembre", "mid-October", "the first week of
 * November", "since October". */
static void
number_month(struct number_ctx *c, long i, int m)
{
	long first = i, last = i, p = i - 1, k = i + 1;
	int y = 0, d = 0, d0 = 1, d1 = 31;
	double o;
	bool day = false;

	if (!number_same_sentence(c, p, i))
		p = -1;
	if (number_same_sentence(c, i, k) && number_mday(c, k, &d) &&
	    !(number_flags(c, k + 1) & (L_UNIT | L_TIMES | L_NOTTEMP))) {
		day = true; /* "nov 1st", not "may 5 times" */
		last = k++;
	}
	if (number_same_sentence(c, i, k + 1) && number_is(c, k, "de") &&
	    number_year(c, k + 1, &y))
		last = k + 1; /* "noviembre de 2025" */
	else if (number_same_sentence(c, i, k) && number_year(c, k, &y))
		last = k;
	if (day) {
		d0 = d1 = d;
	} else if ((number_is(c, p, "of") || number_is(c, p, "de")) &&
	           number_mday(c, p - 1, &d) &&
	           number_same_sentence(c, p - 1, i)) {
		d0 = d1 = d; /* "18th of november", "15 de noviembre" */
		first = number_is(c, p - 2, "the") || number_is(c, p - 2, "el")
		            ? p - 2
		            : p - 1;
	} else if (number_mday(c, p, &d)) {
		d0 = d1 = d; /* "1 november" */
		first = p;
	} else if ((number_is(c, p, "of") || number_is(c, p, "de")) &&
	           (number_is(c, p - 1, "week") ||
	            number_is(c, p - 1, "semana")) &&
	           number_same_sentence(c, p - 2, i) &&
	           (number_is(c, p - 2, "last") ||
	            (number_ordinal(c, p - 2, &o) && o >= 1 && o <= 5))) {
		/* "the first week of november", "the last week of october" */
		if (number_is(c, p - 2, "last")) {
			d0 = 22;
		} else {
			d0 = (int)(o - 1) * 7 + 1;
			d1 = (int)o * 7;
		}
		first = number_is(c, p - 3, "the") ? p - 3 : p - 2;
	} else if (!number_month_part(c, p, &d0, &d1, &first) &&
	           !number_date_cue(c, p) && y == 0) {
		return; /* "may", "march" alone are other words */
	}
	number_date_range(c, first, last, y, m, d0, d1);
}

/* "the 20th" with no month: the latest such day up to today, after a cue
 * ("since the 20th", "on the 3rd"). */
static void
number_mday_alone(struct number_ctx *c, long i)
{
	static const char *const not_dates[] = {
		"birthday", "floor",      "place", "rep", "set",  "grade",
		"century",  "percentile", "of",    "de",  "time", NULL,
	};
	int d, y, m, td;
	long first = i - 1;

	if (c->type[i] != T_SUFFIX || !number_mday(c, i, &d))
		return;
	if (number_is(c, first, "the"))
		first--;
	if (!number_same_sentence(c, first, i) || !number_date_cue(c, first) ||
	    number_is(c, first, "in") || number_is(c, first, "de"))
		return;
	if (number_same_sentence(c, i, i + 1)) {
		if (number_flags(c, i + 1) &
		    (L_UNIT | L_TIMES | L_EVENT | L_NOTTEMP | L_MONTH))
			return;
		if (number_is_any(c, i + 1, not_dates))
			return;
	}
	calendar_civil(c->today, &y, &m, &td);
	for (int n = 0; n < 13; n++) {
		if (d <= calendar_month_days(y, m) &&
		    calendar_day(y, m, d) <= c->today) {
			number_date_range(c, first + 1, i, y, m, d, d);
			return;
		}
		if (--m == 0) {
			m = 12;
			y--;
		}
	}
}

/* A date in digits at token i: "2025-11-15", "15/11", "11/15/2026".  Day
 * and month are told apart by a part over 12; when both are 12 or less
 * the date counts only when both readings do.  Without a year it needs a
 * cue before it ("since 11/15"): "7/10" alone is a pain score. */
static void
number_numeric_date(struct number_ctx *c, long i)
{
	int a, b, y = 0, y2;
	long last = i + 1;
	char sep = number_next_byte(c, i);

	if ((sep != '/' && sep != '-') || !number_same_sentence(c, i, i + 1) ||
	    c->type[i + 1] != T_PURE)
		return;
	if (sep == '-') {
		/* ISO only: "1-2 weeks" is a range */
		if (number_year(c, i, &y) &&
		    number_next_byte(c, i + 1) == '-' &&
		    number_mday(c, i + 1, &a) && number_mday(c, i + 2, &b) &&
		    c->type[i + 2] == T_PURE && a <= 12)
			number_date_range(c, i, i + 2, y, a, b, b);
		return;
	}
	if (!number_mday(c, i, &a) || !number_mday(c, i + 1, &b))
		return;
	if (number_next_byte(c, i + 1) == '/' && number_in(c, i + 2) &&
	    c->type[i + 2] == T_PURE) {
		double v = number_lead(c, i + 2);
		if (number_year(c, i + 2, &y2))
			y = y2;
		else if (c->used[i + 2] == 2)
			y = 2000 + (int)v;
		else
			return;
		last = i + 2;
	} else if (!number_date_cue(c, i - 1) ||
	           (number_flags(c, last + 1) & (L_UNIT | L_NOTTEMP))) {
		return;
	}
	if (a > 12 && b > 12)
		return;
	if (a > 12 || b > 12 || a == b) {
		int m = a > 12 ? b : a, d = a > 12 ? a : b;
		number_date_range(c, i, last, y, m, d, d);
		return;
	}
	/* both readings must be past and over a week ago */
	size_t before = c->count;
	long covered = c->covered;
	if (!number_date_range(c, i, last, y, a, b, b))
		return;
	double v1 = c->out[before].value;
	c->count = before;
	c->covered = covered;
	if (!number_date_range(c, i, last, y, b, a, a))
		return;
	if (v1 < c->out[before].value)
		c->out[before].value = v1;
}

/* The day of holiday h in year y. */
static int32_t
number_holiday_day(int h, int y)
{
	int32_t nov1 = calendar_day(y, 11, 1), sep1 = calendar_day(y, 9, 1);

	switch (h) {
	case H_THANKSGIVING:
		return nov1 + (3 - calendar_weekday(nov1) + 7) % 7 + 21;
	case H_BLACK_FRIDAY:
		return number_holiday_day(H_THANKSGIVING, y) + 1;
	case H_CYBER_MONDAY:
		return number_holiday_day(H_THANKSGIVING, y) + 4;
	case H_LABOR_DAY:
		return sep1 + (7 - calendar_weekday(sep1)) % 7;
	case H_CHRISTMAS:
		return calendar_day(y, 12, 25);
	case H_HALLOWEEN:
		return calendar_day(y, 10, 31);
	default:
		return calendar_day(y, 1, 1);
	}
}

/* Holiday h named at tokens first..last: "since thanksgiving", "desde el
 * dia de accion de gracias", "since new year". */
static void
number_holiday(struct number_ctx *c, long first, long last, int h)
{
	int y, m, d;

	calendar_civil(c->today, &y, &m, &d);
	int32_t day = number_holiday_day(h, y);
	/* this year's, or last year's when this year's is to come and
	 * (after "since") at all or (else) more than half a year ahead */
	if (day > c->today &&
	    (number_date_since(c, first) || day - c->today > 183))
		day = number_holiday_day(h, y - 1);
	calendar_civil(day, &y, &m, &d);
	number_date_range(c, first, last, y, m, d, d);
}

/* Nouns a holiday's name may qualify: "christmas lights", "halloween
 * costume" name a thing, not a day. */
static const char *const number_holiday_things[] = {
	"lights",  "light",  "tree",        "trees",    "shopping", "party",
	"parties", "dinner", "decorations", "presents", "gifts",    "market",
	"markets", "songs",  "music",       "movie",    "movies",   "card",
	"cards",   "jumper", "sweater",     "costume",  "costumes", "candy",
	"turkey",  "lunch",  NULL,
};

/* A weekday or holiday word at token i.  A weekday is within the week
 * unless "last": "last monday" is the Monday of last week (Monday to
 * Sunday), "a week ago last monday" and "monday before last" a week
 * before that. */
static void
number_dayname(struct number_ctx *c, long i, int v)
{
	long first = i, last = i;

	if (v >= H_THANKSGIVING) {
		/* "hanging christmas lights", not "since christmas dinner" */
		if (number_same_sentence(c, i, i + 1) &&
		    !(number_is(c, i - 1, "since") ||
		      number_is(c, i - 1, "before") ||
		      number_is(c, i - 1, "after") ||
		      number_is(c, i - 1, "over"))) {
			for (const char *const *w = number_holiday_things;
			     *w != NULL; w++)
				if (number_is(c, i + 1, *w))
					return;
		}
		if (v == H_LABOR_DAY) {
			if (!number_is(c, i + 1, "day"))
				return;
			last = i + 1;
		} else if (!number_is(c, i, "thanksgiving") &&
		           v == H_THANKSGIVING) {
			/* "accion de gracias", "acao de gracas" */
			if (!number_is(c, i - 1, "de") ||
			    !(number_is(c, i - 2, "accion") ||
			      number_is(c, i - 2, "acci\xc3\xb3n") ||
			      number_is(c, i - 2, "acao") ||
			      number_is(c, i - 2, "a\xc3\xa7\xc3\xa3o")))
				return;
			first = i - 2;
		}
		number_holiday(c, first, last, v);
		return;
	}
	/* "black friday", "cyber monday": the days around Thanksgiving */
	if (((v == 4 && number_is(c, i - 1, "black")) ||
	     (v == 0 && number_is(c, i - 1, "cyber"))) &&
	    number_same_sentence(c, i - 1, i)) {
		number_holiday(c, i - 1, i,
		               v == 4 ? H_BLACK_FRIDAY : H_CYBER_MONDAY);
		return;
	}
	if (!number_is(c, i - 1, "last") || !number_same_sentence(c, i - 1, i))
		return;
	first = i - 1;
	int32_t day = c->today - calendar_weekday(c->today) - 7 + v;
	if (number_is(c, i + 1, "before") && number_is(c, i + 2, "last") &&
	    number_same_sentence(c, i, i + 2)) {
		day -= 7;
		last = i + 2;
	} else if (number_is(c, first - 1, "ago") &&
	           number_is(c, first - 2, "week") &&
	           number_same_sentence(c, first - 2, i)) {
		day -= 7;
		first -= number_is(c, first - 3, "a") ? 3 : 2;
	}
	int y, m, d;
	calendar_civil(day, &y, &m, &d);
	number_date_range(c, first, last, y, m, d, d);
}

/* The temperature cues of the sentence of token i. */
static uint32_t
number_sentence_flags(struct number_ctx *c, long i)
{
	uint32_t f = 0;
	long a = i, b = i;

	while (a > 0 && c->t[a - 1].sentence == c->t[i].sentence)
		a--;
	while (b + 1 < c->n && c->t[b + 1].sentence == c->t[i].sentence)
		b++;
	for (long j = a; j <= b; j++)
		f |= number_flags(c, j);
	return f & (L_FEVER | L_TEMP | L_WEATHER);
}

/* A number at token i as a temperature. */
/* What may follow a bare Celsius reading: "38.6 and my back...", "38.6
 * since last night", "38.6, back pounding". */
static const char *const number_temp_after[] = {
	"again", "all",  "and",   "but",     "last", "now", "plus",
	"since", "this", "today", "tonight", "with", NULL,
};

static void
number_fever(struct number_ctx *c, long i)
{
	double v = number_lead(c, i);
	uint32_t unit = number_suffix_flags(c, i);
	long last = i, start = i, k = i + 1;

	if (c->type[i] == T_SUFFIX &&
	    (c->word[i] < 0 || !(unit & (L_DEG | L_DEG_F | L_DEG_C))))
		return; /* "102kg", "3rd" */
	if ((c->t[i].start > 0 && c->text[c->t[i].start - 1] == '$') ||
	    number_next_byte(c, i) == '%')
		return;
	if (!(unit & (L_DEG_F | L_DEG_C)) && number_same_sentence(c, i, k)) {
		uint32_t kf = number_flags(c, k);
		if (kf & (L_DEG_F | L_DEG_C)) {
			unit = kf; /* "102 f", "38 c", "38° c" */
			last = k;
		} else if ((kf & L_DEG) && !(unit & L_DEG)) {
			unit = kf; /* "101 degrees", "38 degrees c" */
			last = k;
			uint32_t f2 = number_flags(c, k + 1);
			if ((f2 & (L_DEG_F | L_DEG_C)) &&
			    number_same_sentence(c, k, k + 1)) {
				unit = f2;
				last = k + 1;
			}
		} else if (!unit && (kf & (L_NOTTEMP | L_UNIT | L_TIMES))) {
			return; /* "102 kg", "38 years", "101 times" */
		}
	}
	/* "38 and a half", as "38.5" */
	bool half = false;
	if (c->type[i] == T_PURE && last == i && v == (double)(long)v &&
	    number_is(c, i + 1, "and") && number_is(c, i + 2, "a") &&
	    number_is(c, i + 3, "half") && number_same_sentence(c, i, i + 3)) {
		uint32_t f4 = number_same_sentence(c, i, i + 4)
		                  ? number_flags(c, i + 4)
		                  : 0;
		if (!unit && (f4 & (L_NOTTEMP | L_UNIT | L_TIMES)))
			return; /* "38 and a half years" */
		v += 0.5;
		half = true;
		last = i + 3;
		if (f4 & (L_DEG | L_DEG_F | L_DEG_C)) {
			unit |= f4; /* "38 and a half degrees" */
			last = i + 4;
		}
	}
	bool in_c = v >= 38.0 && v <= 43.5;
	bool in_f = v >= 100.4 && v <= 110.0;
	if ((unit & L_DEG_F)   ? !in_f
	    : (unit & L_DEG_C) ? !in_c
	                       : !in_c && !in_f)
		return;
	bool celsius = (unit & L_DEG_C) || (!(unit & L_DEG_F) && in_c);

	/* the nearest cue before it in its clause: "temp of 101" against
	 * "deadlift 102", "im 38", "day 38" */
	bool cue = false;
	for (long j = i - 1; j >= 0 && c->t[j].clause == c->t[i].clause; j--) {
		uint32_t f = number_flags(c, j);
		if (f & (L_FEVER | L_TEMP)) {
			if (i - j <= 3)
				start = j;
			break;
		}
		if ((f & L_NOTTEMP_BEFORE) || (j == i - 1 && (f & L_UNIT))) {
			if (!(unit & (L_DEG_F | L_DEG_C | L_DEG)))
				return;
			break;
		}
	}
	if (!(unit & (L_DEG_F | L_DEG_C))) {
		uint32_t sf = number_sentence_flags(c, i);
		if (number_is(c, i - 1, "a") &&
		    (number_is(c, i - 2, "running") ||
		     number_is(c, i - 2, "run") ||
		     number_is(c, i - 2, "ran")) &&
		    number_same_sentence(c, i - 2, i)) {
			cue = true; /* "running a 101" */
			start = i - 2;
		} else if (sf & L_FEVER) {
			cue = true;
		} else if (sf & L_WEATHER) {
			return; /* "102 degrees outside", "water temp 102" */
		} else {
			cue = (sf & L_TEMP) || (unit & L_DEG);
		}
		/* a Celsius reading with its decimal, first in its clause:
		 * "38.6 and my lower back is pounding" */
		const char *tx = c->text + c->t[i].start;
		size_t tn = c->t[i].end - c->t[i].start;
		if (!cue && c->type[i] == T_PURE && in_c && v <= 42.0 &&
		    (half || memchr(tx, '.', tn) != NULL ||
		     memchr(tx, ',', tn) != NULL) &&
		    (i == 0 || c->t[i - 1].clause != c->t[i].clause) &&
		    (!number_same_sentence(c, last, last + 1) ||
		     c->t[last].after == ',' ||
		     number_is_any(c, last + 1, number_temp_after)))
			cue = true;
		if (!cue)
			return;
	}
	number_emit(c, NUMBER_FEVER, start, last, celsius ? v * 1.8 + 32 : v,
	            0);
}

/* ---- a temperature said in words ---- */

/* The words of the digits, by value ("oh" as in "one oh one"). */
static const char *const number_digit_words[] = {
	"zero", "one", "two",   "three", "four",
	"five", "six", "seven", "eight", "nine",
};

/* Whether s[0..n) can start a temperature in words: "hundred", "thirty",
 * "forty" (number_maybe_anchor lets them through first). */
static bool
number_maybe_temp_word(const char *s, size_t n)
{
	return (n == 7 && memcmp(s, "hundred", 7) == 0) ||
	       (n == 6 && memcmp(s, "thirty", 6) == 0) ||
	       (n == 5 && memcmp(s, "forty", 5) == 0);
}

/* A digit at token i, in digits or in words: its value in *d. */
static bool
number_digit_at(struct number_ctx *c, long i, int *d)
{
	if (!number_in(c, i))
		return false;
	if (c->type[i] == T_PURE) {
		double v = number_lead(c, i);
		if (v < 0 || v > 9 || v != (double)(int)v)
			return false;
		*d = (int)v;
		return true;
	}
	for (int k = 0; k < 10; k++)
		if (number_is(c, i, number_digit_words[k])) {
			*d = k;
			return true;
		}
	if (number_is(c, i, "oh")) {
		*d = 0;
		return true;
	}
	return false;
}

/* A temperature said in words at token i ("hundred", "thirty", "forty"):
 * "a hundred and one", "hundred and two point five", "thirty eight and a
 * half", "forty point two".  It is a fever only with a temperature cue in
 * its sentence ("temp", "fever", "thermometer", "degrees", "running a"),
 * as a bare number is: "a hundred and one reasons" is not. */
static void
number_fever_words(struct number_ctx *c, long i)
{
	long start = i, last = i, j = i + 1;
	double v;
	int d;

	if (number_is(c, i, "hundred")) {
		v = 100;
		if (number_is(c, i - 1, "a") || number_is(c, i - 1, "one"))
			start = i - 1;
		if (number_is(c, j, "and"))
			j++;
		if (number_same_sentence(c, i, j) &&
		    number_digit_at(c, j, &d)) {
			v += d;
			last = j++;
		} else if (number_is(c, i + 1, "point")) {
			j = i + 1; /* "a hundred point five" */
		} else {
			return; /* "a hundred reps" */
		}
	} else {
		v = number_is(c, i, "thirty") ? 30 : 40;
		if (number_same_sentence(c, i, j) &&
		    number_digit_at(c, j, &d) && d > 0) {
			v += d;
			last = j++;
		}
	}
	/* "point five", "and a half" */
	if (number_is(c, j, "point") && number_same_sentence(c, i, j + 1) &&
	    number_digit_at(c, j + 1, &d)) {
		v += d / 10.0;
		last = j + 1;
	} else if (number_is(c, j, "and") && number_is(c, j + 1, "a") &&
	           number_is(c, j + 2, "half") &&
	           number_same_sentence(c, i, j + 2)) {
		v += 0.5;
		last = j + 2;
	}
	bool in_c = v >= 38.0 && v <= 43.5;
	bool in_f = v >= 100.4 && v <= 110.0;
	if (!in_c && !in_f)
		return;
	uint32_t sf = number_sentence_flags(c, i);
	uint32_t after = number_flags(c, last + 1);
	bool cue = (sf & (L_FEVER | L_TEMP)) ||
	           ((after & (L_DEG | L_DEG_F | L_DEG_C)) &&
	            number_same_sentence(c, last, last + 1));
	long a = number_is(c, start, "a") ? start : start - 1;
	if (number_is(c, a, "a") &&
	    (number_is(c, a - 1, "running") || number_is(c, a - 1, "run") ||
	     number_is(c, a - 1, "ran")))
		cue = true; /* "running a hundred and one" */
	if (!cue || (sf & L_WEATHER))
		return;
	number_emit(c, NUMBER_FEVER, start, last, in_c ? v * 1.8 + 32 : v, 0);
}

/* Body words a pain score is given for (@leg_worse): 1 a leg, 2 the
 * back; the words allowed between a body word and its score. */
static const char *const number_leg_words[] = {
	"bum",    "butt",     "buttock",   "calf",  "calves", "foot",
	"glute",  "glutes",   "hamstring", "leg",   "legs",   "perna",
	"pierna", "sciatica", "shin",      "thigh", NULL,
};
static const char *const number_back_words[] = {
	"back", "costas", "espalda", "lumbar", "lowerback", "spine", NULL,
};
static const char *const number_score_glue[] = {
	"a",     "about", "an",   "around", "at",    "feels",
	"hurts", "is",    "its",  "like",   "maybe", "now",
	"pain",  "pains", "prob", "was",    NULL,
};

/* 1 when token i is a leg word, 2 a back word, else 0. */
static int
number_body(struct number_ctx *c, long i)
{
	if (number_is_any(c, i, number_leg_words))
		return 1;
	if (number_is_any(c, i, number_back_words))
		return 2;
	return 0;
}

/* The body part a score at token i is for: a body word before it in its
 * clause with only glue words between, else one after it in the clause of
 * its "10" ("8/10 in my leg") with only "in", "my", "the" between; 0 when
 * none.  A score followed by "in" is for what follows ("3 in my back but
 * 7 in my butt and leg"). */
static int
number_score_after(struct number_ctx *c, long after)
{
	for (long j = after + 1; j <= after + 4 && number_in(c, j) &&
	                         c->t[j].clause == c->t[after].clause;
	     j++) {
		int b = number_body(c, j);
		if (b != 0)
			return b;
		if (!number_is(c, j, "in") && !number_is(c, j, "my") &&
		    !number_is(c, j, "the") && !number_is(c, j, "for"))
			break;
	}
	return 0;
}

static int
number_score_part(struct number_ctx *c, long i, long after)
{
	if (number_is(c, after + 1, "in") &&
	    c->t[after + 1].clause == c->t[after].clause) {
		int b = number_score_after(c, after);
		if (b != 0)
			return b;
	}
	for (long j = i - 1;
	     j >= i - 4 && number_in(c, j) && c->t[j].clause == c->t[i].clause;
	     j--) {
		int b = number_body(c, j);
		if (b != 0)
			return b;
		if (!number_is_any(c, j, number_score_glue))
			break;
	}
	return number_score_after(c, after);
}

/* @leg_worse: a leg scored higher than the back (number.h). */
static void
number_scores(struct number_ctx *c)
{
	double leg = -1, back = -1;
	long first = -1, last = -1, done = -1;
	size_t nc = c->nscore;
	const long *cand = c->score_tok;
	const double *vals = c->score_val;

	/* two whole numbers 0 to 10 at least (number_find lists them) */
	if (nc < 2)
		return;
	for (size_t k = 0; k < nc; k++) {
		long i = cand[k];
		double v = vals[k];
		if (i <= done)
			continue;
		long after = i;
		bool out_of_ten =
		    c->t[i].after == '/' && number_is(c, i + 1, "10");
		if (out_of_ten)
			after = i + 1;
		int part = number_score_part(c, i, after);
		bool in_after = number_is(c, after + 1, "in") &&
		                c->t[after + 1].clause == c->t[after].clause;
		if (part == 0 ||
		    (!out_of_ten && !in_after && !number_body(c, i - 1) &&
		     !number_is_any(c, i - 1, number_score_glue)))
			continue;
		if (part == 1 && v > leg)
			leg = v;
		else if (part == 2 && (back < 0 || v < back))
			back = v;
		else
			continue;
		if (first < 0)
			first = i;
		last = after;
		done = after;
	}
	if (leg >= 0 && back >= 0 && leg > back)
		number_emit(c, NUMBER_LEG_WORSE, first, last, leg - back, 0);
}

size_t
number_find(const char *text, const struct token *toks, size_t ntok,
            int32_t today, struct number_match *out, size_t max)
{
	struct number_ctx c;
	bool any = false;

	if (ntok > TOKEN_MAX)
		ntok = TOKEN_MAX;
	if (max == 0 || ntok == 0)
		return 0;
	c.text = text;
	c.t = toks;
	c.n = (long)ntok;
	c.out = out;
	c.max = max;
	c.count = 0;
	c.today = today;
	c.nscore = 0;
	if (today != CALENDAR_NONE) /* for number_maybe_date */
		pthread_once(&number_hash_once, number_hash_build);
	for (long i = 0; i < c.n; i++) {
		const char *s = text + toks[i].start;
		size_t len = toks[i].end - toks[i].start;
		double v = 0;
		/* most words start with no digit: no call for them */
		size_t used = len > 0 && s[0] >= '0' && s[0] <= '9'
		                  ? number_parse(s, len, &v)
		                  : 0;
		c.word[i] = NUMBER_UNKNOWN;
		c.used[i] = (uint8_t)used;
		c.type[i] = used == 0     ? T_WORD
		            : used == len ? T_PURE
		                          : T_SUFFIX;
		if (used > 0 && used == len && v >= 0 && v <= 10 &&
		    v == (double)(long)v && c.nscore < 8) {
			c.score_tok[c.nscore] = i;
			c.score_val[c.nscore++] = v;
		}
		any = any || used > 0 ||
		      (len > 0 && number_maybe_anchor(s, len)) ||
		      (today != CALENDAR_NONE && number_maybe_date(&c, i));
	}
	if (!any)
		return 0;
	c.covered = -1;
	for (long i = 0; i < c.n && c.count < c.max; i++) {
		uint32_t f;
		if (i <= c.covered)
			continue;
		switch (c.type[i]) {
		case T_PURE:
			if (today != CALENDAR_NONE) {
				number_numeric_date(&c, i);
				if (i <= c.covered)
					break;
			}
			number_fever(&c, i);
			break;
		case T_SUFFIX:
			if (today != CALENDAR_NONE) {
				number_mday_alone(&c, i);
				if (i <= c.covered)
					break;
			}
			f = number_suffix_flags(&c, i);
			if (f & L_UNIT)
				number_unit(&c, i, number_val(&c, i), f, true);
			else if (f & L_TIMES)
				number_times(&c, i, true, false);
			else
				number_fever(&c, i);
			break;
		default:
			if (today != CALENDAR_NONE &&
			    number_maybe_date(&c, i)) {
				f = number_flags(&c, i);
				if (f & L_MONTH)
					number_month(&c, i,
					             (int)number_val(&c, i));
				else
					number_dayname(&c, i,
					               (int)number_val(&c, i));
				break;
			}
			if (!number_maybe_anchor(text + toks[i].start,
			                         toks[i].end - toks[i].start))
				break;
			if (number_maybe_temp_word(text + toks[i].start,
			                           toks[i].end -
			                               toks[i].start)) {
				number_fever_words(&c, i);
				break;
			}
			f = number_flags(&c, i);
			if (f & L_UNIT)
				number_unit(&c, i, number_val(&c, i), f, false);
			else if (f & L_TIMES)
				number_times(&c, i, false, false);
			else if (f & L_TWICE)
				number_times(&c, i, false, true);
			else if (f & L_EVENT)
				number_event(&c, i);
			break;
		}
	}
	number_scores(&c);
	return c.count;
}

static const char *const number_names[NUMBER__COUNT] = {
	"@fever",
	"@over_a_week",
	"@repeat",
	"@leg_worse",
};

const char *
number_concept_name(enum number_concept k)
{
	return (unsigned)k < NUMBER__COUNT ? number_names[k] : NULL;
}

long
number_concept_lookup(const char *name)
{
	for (long k = 0; k < NUMBER__COUNT; k++)
		if (strcmp(name, number_names[k]) == 0)
			return k;
	return -1;
}
